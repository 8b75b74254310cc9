package newsroom

import (
	"fmt"
	"masthead/internal/content"
	"net/http"
	"strconv"

	"masthead/internal/news"
	"masthead/internal/workflow"
)

type revisionsPage struct {
	base
	Article   *news.Article
	Revisions []*news.Revision
	UserNames map[int64]string
	Error     string
}

func (n *Newsroom) userNames(r *http.Request) (map[int64]string, error) {
	users, err := n.store.ListUsers(r.Context())
	if err != nil {
		return nil, err
	}
	m := map[int64]string{0: "system"}
	for _, u := range users {
		m[u.ID] = u.Name
	}
	return m, nil
}

func (n *Newsroom) revisions(w http.ResponseWriter, r *http.Request, c *call) error {
	a, err := n.story(r, c)
	if err != nil {
		return err
	}
	p := &revisionsPage{Article: a}
	p.Title, p.Nav = "Revisions", "stories"
	if p.Revisions, err = n.store.FindRevisions(r.Context(), a.ID); err != nil {
		return err
	}
	if p.UserNames, err = n.userNames(r); err != nil {
		return err
	}
	n.render(w, r, c, http.StatusOK, "revisions", p)
	return nil
}

type diffPart struct {
	Name    string
	Rows    []workflow.DiffRow
	Changed bool
}

type diffPage struct {
	base
	Article *news.Article
	A, B    *news.Revision
	Parts   []diffPart
}

func (n *Newsroom) diff(w http.ResponseWriter, r *http.Request, c *call) error {
	a, err := n.story(r, c)
	if err != nil {
		return err
	}
	rev := func(name string) (*news.Revision, error) {
		id, err := strconv.ParseInt(r.URL.Query().Get(name), 10, 64)
		if err != nil {
			return nil, news.Errorf(news.EINVALID, "Pick two revisions to compare.")
		}
		v, err := n.store.FindRevisionByID(r.Context(), id)
		if err != nil || v.ArticleID != a.ID {
			return nil, news.Errorf(news.ENOTFOUND, "No such revision of this story.")
		}
		return v, nil
	}
	p := &diffPage{Article: a}
	p.Title, p.Nav = "Changes", "stories"
	if p.A, err = rev("a"); err != nil {
		return err
	}
	if p.B, err = rev("b"); err != nil {
		return err
	}
	// Bodies are compared as Markdown made from the stored HTML: one line
	// a paragraph, the same for revisions saved from Markdown, from the rich
	// editor or by an import, and readable where HTML is not.
	bodyA, bodyB := content.ToMarkdown(p.A.BodyHTML), content.ToMarkdown(p.B.BodyHTML)
	for _, part := range []struct{ name, a, b string }{
		{"Headline", p.A.Headline, p.B.Headline},
		{"Deck", p.A.Deck, p.B.Deck},
		{"Body", bodyA, bodyB},
	} {
		rows := workflow.DiffLines(part.a, part.b)
		p.Parts = append(p.Parts, diffPart{Name: part.name, Rows: rows, Changed: workflow.Changed(rows)})
	}
	n.render(w, r, c, http.StatusOK, "diff", p)
	return nil
}

func (n *Newsroom) restore(w http.ResponseWriter, r *http.Request, c *call) error {
	a, err := n.story(r, c)
	if err != nil {
		return err
	}
	revID, err := pathID(r, "rev")
	if err != nil {
		return err
	}
	if (a.Status == news.StatusPublished || a.Status == news.StatusScheduled) && workflow.Can(c.user, workflow.ActEdit, a) {
		rev, err := n.store.FindRevisionByID(r.Context(), revID)
		if err != nil || rev.ArticleID != a.ID {
			return news.Errorf(news.ENOTFOUND, "No such revision of this story.")
		}
		p := &confirmPage{Yes: "Restore this revision", Back: fmt.Sprintf("/newsroom/stories/%d/revisions", a.ID)}
		p.Title, p.Nav = "Restore a revision?", "stories"
		p.Question = fmt.Sprintf("Restore the revision of %s (%q) of this %s story?", rev.CreatedAt.In(n.paper().Loc()).Format("2006-01-02 15:04"), rev.Headline, a.Status)
		p.Detail = "Readers see the restored headline, deck and body as soon as you confirm. The current text stays in the revisions."
		if a.Status == news.StatusScheduled {
			p.Detail = "The restored text goes live at the scheduled time. The current text stays in the revisions."
		}
		if !n.confirmed(w, r, c, p) {
			return nil
		}
	}
	if _, err := n.flow.Restore(r.Context(), c.user, a.ID, revID); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/newsroom/stories/%d?done=restored", a.ID), http.StatusSeeOther)
	return nil
}
