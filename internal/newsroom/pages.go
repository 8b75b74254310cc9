package newsroom

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"masthead/internal/content"
	"masthead/internal/news"
	"masthead/internal/workflow"
)

// Static pages (issue 15): About, Contact, Privacy... Editors and admins
// write them in the stories' rich editor (the same body format, the same
// sanitizer), publish, unpublish and delete them. Every write goes through
// one transaction with its audit entry, under the version the editor
// opened: a stale save is refused with what changed, and the editor's
// text comes back with the message.

type pagesPage struct {
	base
	Pages []*news.Page
	Error string
}

type pageForm struct {
	Title, Slug, Description, Lang, Body string
	Position                             int
	InFooter                             bool
	Version                              int64
}

type pageEditor struct {
	base
	Page  *news.Page // nil: a new page
	Form  pageForm
	Error string
	URL   string // the page's address on the site, once published
}

func canEditPages(u *news.User) bool { return workflow.AtLeast(u, news.RoleEditor) }

func (n *Newsroom) pageList(w http.ResponseWriter, r *http.Request, c *call) error {
	ps, err := n.store.ListPages(r.Context(), news.PageFilter{})
	if err != nil {
		return err
	}
	p := &pagesPage{Pages: ps}
	p.Title, p.Nav = "Pages", "pages"
	n.render(w, r, c, http.StatusOK, "pages", p)
	return nil
}

func (n *Newsroom) newPage(w http.ResponseWriter, r *http.Request, c *call) error {
	p := &pageEditor{Form: pageForm{InFooter: true, Lang: n.paper().Language}}
	p.Title, p.Nav = "New page", "pages"
	n.render(w, r, c, http.StatusOK, "page", p)
	return nil
}

func (n *Newsroom) editPage(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	pg, err := n.store.FindPageByID(r.Context(), id)
	if err != nil {
		return err
	}
	p := &pageEditor{Page: pg, Form: formOfPage(pg)}
	if pg.IsPublic() {
		p.URL = n.paper().PagePath(pg)
	}
	p.Title, p.Nav = "Edit page", "pages"
	n.render(w, r, c, http.StatusOK, "page", p)
	return nil
}

func formOfPage(pg *news.Page) pageForm {
	return pageForm{Title: pg.Title, Slug: pg.Slug, Description: pg.Description, Lang: pg.Lang, Body: pg.Body,
		Position: pg.Position, InFooter: pg.InFooter, Version: pg.Version}
}

// readPageForm reads the editor's form; the body (the rich editor's HTML,
// or the no-JS textarea's) is normalized like a story's.
func readPageForm(r *http.Request) (pageForm, error) {
	f := pageForm{Title: strings.TrimSpace(r.PostFormValue("title")), Slug: strings.TrimSpace(r.PostFormValue("slug")),
		Description: strings.TrimSpace(r.PostFormValue("description")), Lang: strings.TrimSpace(r.PostFormValue("lang")),
		Body: r.PostFormValue("body_html"), InFooter: r.PostFormValue("in_footer") != ""}
	if v := strings.TrimSpace(r.PostFormValue("position")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 10000 {
			return f, news.Errorf(news.EINVALID, "The position is a number from 0 to 10000.")
		}
		f.Position = n
	}
	if v := r.PostFormValue("version"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return f, news.Errorf(news.EINVALID, "The form is damaged (version). Reload the page.")
		}
		f.Version = n
	}
	if len(f.Body) > news.MaxBodyHTML {
		return f, news.Errorf(news.EINVALID, "The page body is larger than %d bytes.", news.MaxBodyHTML)
	}
	f.Body = content.Normalize(f.Body)
	if f.Slug == "" {
		f.Slug = news.Slugify(f.Title)
	} else {
		f.Slug = news.Slugify(f.Slug)
	}
	return f, nil
}

func (f pageForm) apply(p *news.Page) {
	p.Title, p.Slug, p.Description, p.Lang, p.Body, p.Position, p.InFooter = f.Title, f.Slug, f.Description, f.Lang, f.Body, f.Position, f.InFooter
}

// editorAgain shows the form with the editor's text and what went wrong.
func (n *Newsroom) editorAgain(w http.ResponseWriter, r *http.Request, c *call, pg *news.Page, f pageForm, err error) error {
	status := http.StatusUnprocessableEntity
	msg := news.ErrorMessage(err)
	var ce *news.ConflictError
	switch {
	case errors.As(err, &ce):
		status, msg = http.StatusConflict, ce.Message()+" Your text is below: copy what you need, then reload the page."
	case news.ErrorCode(err) == news.ECONFLICT:
		status, msg = http.StatusConflict, fmt.Sprintf("Another page has the address /%s. Choose another.", f.Slug)
	case news.ErrorCode(err) != news.EINVALID:
		return err
	}
	p := &pageEditor{Page: pg, Form: f, Error: msg}
	p.Title, p.Nav = "Edit page", "pages"
	if pg == nil {
		p.Title = "New page"
	}
	n.render(w, r, c, status, "page", p)
	return nil
}

func (n *Newsroom) createPage(w http.ResponseWriter, r *http.Request, c *call) error {
	if !canEditPages(c.user) {
		return news.ErrForbidden
	}
	f, err := readPageForm(r)
	if err != nil {
		return n.editorAgain(w, r, c, nil, f, err)
	}
	pg := &news.Page{Status: news.StatusDraft, UpdatedBy: c.user.ID}
	f.apply(pg)
	err = n.store.Update(r.Context(), func(tx news.Tx) error {
		if err := tx.CreatePage(r.Context(), pg); err != nil {
			return err
		}
		return tx.AddAudit(r.Context(), &news.AuditEntry{UserID: c.user.ID, Action: "page.create", Detail: "/" + pg.Slug})
	})
	if err != nil {
		return n.editorAgain(w, r, c, nil, f, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/newsroom/pages/%d?done=page-created", pg.ID), http.StatusSeeOther)
	return nil
}

// pageCommand runs a change to page id written against the form's
// version, with its audit entry, in one transaction.
func (n *Newsroom) pageCommand(ctx context.Context, c *call, id, version int64, action string, change func(p *news.Page) error) (*news.Page, error) {
	var out *news.Page
	err := n.store.Update(ctx, func(tx news.Tx) error {
		p, err := tx.FindPageByID(ctx, id)
		if err != nil {
			return err
		}
		if version != 0 && version != p.Version {
			return news.CheckVersion("page", p.ID, version, p.Version, p.UpdatedBy, p.UpdatedAt)
		}
		if err := change(p); err != nil {
			return err
		}
		p.UpdatedBy = c.user.ID
		if action == "page.delete" {
			err = tx.DeletePage(ctx, p.ID)
		} else {
			err = tx.UpdatePage(ctx, p)
		}
		if err != nil {
			return err
		}
		out = p
		return tx.AddAudit(ctx, &news.AuditEntry{UserID: c.user.ID, Action: action, Detail: "/" + p.Slug})
	})
	return out, err
}

func (n *Newsroom) savePage(w http.ResponseWriter, r *http.Request, c *call) error {
	if !canEditPages(c.user) {
		return news.ErrForbidden
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	cur, err := n.store.FindPageByID(r.Context(), id)
	if err != nil {
		return err
	}
	f, err := readPageForm(r)
	if err == nil && f.Version == 0 {
		err = news.Errorf(news.EINVALID, "The form is damaged (no version). Reload the page.")
	}
	if err != nil {
		return n.editorAgain(w, r, c, cur, f, err)
	}
	op := r.PostFormValue("op")
	_, err = n.pageCommand(r.Context(), c, id, f.Version, "page.save", func(p *news.Page) error {
		f.apply(p)
		switch op {
		case "publish":
			p.Status = news.StatusPublished
		case "unpublish":
			p.Status = news.StatusDraft
		}
		return nil
	})
	if err != nil {
		return n.editorAgain(w, r, c, cur, f, err)
	}
	done := "page-saved"
	if op == "publish" || op == "unpublish" {
		done = "page-" + op
	}
	http.Redirect(w, r, fmt.Sprintf("/newsroom/pages/%d?done=%s", id, done), http.StatusSeeOther)
	return nil
}

// movePage publishes, unpublishes or deletes a page from the list.
func (n *Newsroom) movePage(action string) handler {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		if !canEditPages(c.user) {
			return news.ErrForbidden
		}
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		var version int64
		if v := r.PostFormValue("version"); v != "" {
			if version, err = strconv.ParseInt(v, 10, 64); err != nil || version < 1 {
				return news.Errorf(news.EINVALID, "The form is damaged (version). Reload the page.")
			}
		} else {
			return news.Errorf(news.EINVALID, "The form is damaged (no version). Reload the page.")
		}
		_, err = n.pageCommand(r.Context(), c, id, version, "page."+action, func(p *news.Page) error {
			switch action {
			case "publish":
				p.Status = news.StatusPublished
			case "unpublish":
				p.Status = news.StatusDraft
			}
			return nil
		})
		var ce *news.ConflictError
		if errors.As(err, &ce) {
			return news.Errorf(news.ECONFLICT, "%s", ce.Message())
		}
		if err != nil {
			return err
		}
		http.Redirect(w, r, "/newsroom/pages?done=page-"+action, http.StatusSeeOther)
		return nil
	}
}

// Readers' messages: the inbox of the contact form.

type inboxPage struct {
	base
	Messages []*news.ReaderMessage
	All      bool
}

func (n *Newsroom) inbox(w http.ResponseWriter, r *http.Request, c *call) error {
	all := r.URL.Query().Get("all") != ""
	ms, err := n.store.ListMessages(r.Context(), news.MessageFilter{Open: !all, Limit: 200})
	if err != nil {
		return err
	}
	p := &inboxPage{Messages: ms, All: all}
	p.Title, p.Nav = "Readers' messages", "inbox"
	n.render(w, r, c, http.StatusOK, "inbox", p)
	return nil
}

func (n *Newsroom) handleMessage(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := n.store.HandleMessage(r.Context(), id, c.user.ID, n.clock.Now()); err != nil {
		return err
	}
	http.Redirect(w, r, "/newsroom/inbox?done=message-handled", http.StatusSeeOther)
	return nil
}
