package newsroom

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"masthead/internal/news"
	"masthead/internal/workflow"
)

type frontRow struct {
	A   *news.Article
	Pos int
	// Typed is the place the editor typed, shown instead of Pos after a
	// conflict.
	Typed int
}

type frontPageForm struct {
	base
	Rows []frontRow
	// Version is the version of the order shown: the save is made
	// against it, so another editor's order saved since is not replaced
	// unawares.
	Version int64
	Error   string
	Typed   bool // the boxes hold Typed, not Pos
}

func (n *Newsroom) frontPageData(r *http.Request) (*frontPageForm, error) {
	ctx := r.Context()
	ids, version, err := workflow.FrontPage(ctx, n.store)
	if err != nil {
		return nil, err
	}
	p := &frontPageForm{Version: version}
	p.Title, p.Nav = "Front page", "frontpage"
	for i, id := range ids {
		a, err := n.store.FindArticleByID(ctx, id)
		if errors.Is(err, news.ErrNotFound) {
			continue // deleted since; the site skips it too
		} else if err != nil {
			return nil, err
		}
		p.Rows = append(p.Rows, frontRow{A: a, Pos: i + 1})
	}
	for _, st := range []news.Status{news.StatusScheduled, news.StatusPublished} {
		as, _, err := n.store.FindArticles(ctx, news.ArticleFilter{Status: st, ExcludeIDs: ids, Order: "newest", Limit: 40})
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			p.Rows = append(p.Rows, frontRow{A: a})
		}
	}
	return p, nil
}

func (n *Newsroom) frontPage(w http.ResponseWriter, r *http.Request, c *call) error {
	p, err := n.frontPageData(r)
	if err != nil {
		return err
	}
	n.render(w, r, c, http.StatusOK, "frontpage", p)
	return nil
}

func (n *Newsroom) saveFrontPage(w http.ResponseWriter, r *http.Request, c *call) error {
	type placed struct {
		id  int64
		pos int
	}
	var ps []placed
	var bad error
	for k, vs := range r.PostForm {
		idStr, ok := strings.CutPrefix(k, "pos_")
		if !ok || len(vs) == 0 || strings.TrimSpace(vs[0]) == "" {
			continue
		}
		id, err1 := strconv.ParseInt(idStr, 10, 64)
		pos, err2 := strconv.Atoi(strings.TrimSpace(vs[0]))
		if err1 != nil || err2 != nil || pos < 1 {
			bad = news.Errorf(news.EINVALID, "Places are whole numbers from 1.")
			continue
		}
		ps = append(ps, placed{id, pos})
	}
	// Equal numbers keep a stable order (by id) rather than a random one.
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].pos != ps[j].pos {
			return ps[i].pos < ps[j].pos
		}
		return ps[i].id < ps[j].id
	})
	ids := make([]int64, 0, len(ps))
	for _, p := range ps {
		ids = append(ids, p.id)
	}
	err := bad
	if err == nil {
		var version int64
		if version, err = formVersion(r); err == nil {
			err = n.flow.SetFrontPage(r.Context(), c.user, ids, version)
		}
	}
	if err != nil {
		code := news.ErrorCode(err)
		if code != news.EINVALID && code != news.ECONFLICT {
			return err
		}
		p, perr := n.frontPageData(r)
		if perr != nil {
			return perr
		}
		status := http.StatusUnprocessableEntity
		p.Error = news.ErrorMessage(err)
		var ce *news.ConflictError
		if errors.As(err, &ce) {
			// The list shows the order saved meanwhile; the boxes keep
			// what this editor typed, to save again over it (the form
			// now carries the current version).
			status = http.StatusConflict
			who := "Another editor"
			if len(ce.By) == 1 {
				if u, err := n.store.FindUserByID(r.Context(), ce.By[0]); err == nil {
					who = u.Name
				}
			}
			p.Error = fmt.Sprintf("%s saved the front page at %s, after you opened it. Nothing was saved. The list below is in their order; your places are kept in the boxes: save again to use yours.",
				who, ce.At.In(n.paper().Loc()).Format("15:04:05"))
			typed := map[int64]int{}
			for _, pl := range ps {
				typed[pl.id] = pl.pos
			}
			for i := range p.Rows {
				p.Rows[i].Typed = typed[p.Rows[i].A.ID]
			}
			p.Typed = true
		}
		n.render(w, r, c, status, "frontpage", p)
		return nil
	}
	http.Redirect(w, r, "/newsroom/frontpage?done=frontpage", http.StatusSeeOther)
	return nil
}

type auditRow struct {
	E   *news.AuditEntry
	Who string
}

type auditPage struct {
	base
	Entries []auditRow
}

func (n *Newsroom) auditLog(w http.ResponseWriter, r *http.Request, c *call) error {
	if !workflow.Can(c.user, workflow.ActAudit, nil) {
		return news.ErrForbidden
	}
	es, err := n.store.ListAudit(r.Context(), 500)
	if err != nil {
		return err
	}
	names, err := n.userNames(r)
	if err != nil {
		return err
	}
	p := &auditPage{}
	p.Title, p.Nav = "Audit log", "audit"
	for _, e := range es {
		who, ok := names[e.UserID]
		if !ok {
			who = "user " + strconv.FormatInt(e.UserID, 10)
		}
		p.Entries = append(p.Entries, auditRow{E: e, Who: who})
	}
	n.render(w, r, c, http.StatusOK, "audit", p)
	return nil
}

type sectionForm struct {
	Name, Slug, Description string
	Position                int
	ParentID                int64
	Layout                  string
}

type sectionsPage struct {
	base
	Sections []*news.Section
	Form     sectionForm
	Error    string
	// Layouts are the reader site's section layouts (news.SectionLayouts)
	// for the layout select.
	Layouts []sectionLayout
}

type sectionLayout struct{ Value, Name string }

var sectionLayouts = []sectionLayout{
	{news.LayoutNews, "News: lead story, grid, then a list"},
	{news.LayoutList, "List: headlines with thumbnails"},
}

// sectionTreeForm reads the parent and layout fields of a section form:
// "" or "0" is no parent; the store checks the rest (one level, no cycles).
func sectionTreeForm(r *http.Request) (parent int64, layout string, err error) {
	if v := strings.TrimSpace(r.PostFormValue("parent")); v != "" {
		if parent, err = strconv.ParseInt(v, 10, 64); err != nil || parent < 0 {
			return 0, "", news.Errorf(news.EINVALID, "Pick the parent section from the list.")
		}
	}
	layout = strings.TrimSpace(r.PostFormValue("layout"))
	if layout == news.LayoutNews {
		layout = "" // the default, stored as such so a new default reaches it
	}
	return parent, layout, nil
}

func (n *Newsroom) sectionsData(r *http.Request) (*sectionsPage, error) {
	ss, err := n.store.ListSections(r.Context())
	if err != nil {
		return nil, err
	}
	p := &sectionsPage{Sections: ss, Form: sectionForm{Position: len(ss) + 1}, Layouts: sectionLayouts}
	p.Title, p.Nav = "Sections", "sections"
	return p, nil
}

func (n *Newsroom) sections(w http.ResponseWriter, r *http.Request, c *call) error {
	p, err := n.sectionsData(r)
	if err != nil {
		return err
	}
	n.render(w, r, c, http.StatusOK, "sections", p)
	return nil
}

func (n *Newsroom) addSection(w http.ResponseWriter, r *http.Request, c *call) error {
	if !workflow.Can(c.user, workflow.ActSections, nil) {
		return news.ErrForbidden
	}
	f := sectionForm{
		Name:        strings.TrimSpace(r.PostFormValue("name")),
		Slug:        strings.TrimSpace(r.PostFormValue("slug")),
		Description: strings.TrimSpace(r.PostFormValue("description")),
	}
	var err error
	if v := strings.TrimSpace(r.PostFormValue("position")); v != "" {
		if f.Position, err = strconv.Atoi(v); err != nil {
			err = news.Errorf(news.EINVALID, "The position is a whole number.")
		}
	}
	slug := news.Slugify(f.Slug)
	if f.Slug == "" {
		slug = news.Slugify(f.Name)
	}
	if err == nil {
		f.ParentID, f.Layout, err = sectionTreeForm(r)
	}
	switch {
	case err != nil:
	case f.Name == "" || len(f.Name) > 100:
		err = news.Errorf(news.EINVALID, "A section needs a name of at most 100 characters.")
	case slug == "":
		err = news.Errorf(news.EINVALID, "The slug needs at least one letter or digit.")
	default:
		s := &news.Section{Name: f.Name, Slug: slug, Description: f.Description, Position: f.Position, ParentID: f.ParentID, Layout: f.Layout}
		err = n.store.Update(r.Context(), func(tx news.Tx) error {
			if err := tx.CreateSection(r.Context(), s); err != nil {
				return err
			}
			return workflow.Audit(r.Context(), tx, n.clock, c.user, "section", 0, slug)
		})
		if errors.Is(err, news.ErrConflict) {
			err = news.Errorf(news.ECONFLICT, "A section with the slug %q exists.", slug)
		}
	}
	if err != nil {
		if code := news.ErrorCode(err); code != news.EINVALID && code != news.ECONFLICT {
			return err
		}
		p, perr := n.sectionsData(r)
		if perr != nil {
			return perr
		}
		p.Form, p.Error = f, news.ErrorMessage(err)
		n.render(w, r, c, http.StatusUnprocessableEntity, "sections", p)
		return nil
	}
	http.Redirect(w, r, "/newsroom/sections?done=section", http.StatusSeeOther)
	return nil
}
