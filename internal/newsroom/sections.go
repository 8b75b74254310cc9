package newsroom

import (
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"masthead/internal/news"
	"masthead/internal/workflow"
)

// Section edits that keep every address: the name and description readers
// see, and the order of the navigation. A new slug (with a 301 from the old
// one), nesting, hiding from the navigation, merging and deleting wait for
// the redirects table (issue 12) and the parent column (issue 15).

func (n *Newsroom) editSection(w http.ResponseWriter, r *http.Request, c *call) error {
	if !workflow.Can(c.user, workflow.ActSections, nil) {
		return news.ErrForbidden
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	s, err := n.store.FindSectionByID(r.Context(), id)
	if err != nil {
		return err
	}
	name, desc := strings.TrimSpace(r.PostFormValue("name")), strings.TrimSpace(r.PostFormValue("description"))
	if name == "" || utf8.RuneCountInString(name) > 100 || utf8.RuneCountInString(desc) > 500 || !utf8.ValidString(name+desc) {
		p, perr := n.sectionsData(r)
		if perr != nil {
			return perr
		}
		p.Error = "A section needs a name of at most 100 characters (and a description of at most 500)."
		n.render(w, r, c, http.StatusUnprocessableEntity, "sections", p)
		return nil
	}
	old := s.Name
	s.Name, s.Description = name, desc
	if err := n.store.UpdateSection(r.Context(), s); err != nil {
		return err
	}
	_ = workflow.Audit(r.Context(), n.store, n.clock, c.user, "section", 0, fmt.Sprintf("%s: %q → %q", s.Slug, old, name))
	http.Redirect(w, r, "/newsroom/sections?done=section-saved", http.StatusSeeOther)
	return nil
}

// moveSection moves a section one place up or down the navigation,
// renumbering all of them 1, 2, 3… so that ties from old data go away.
func (n *Newsroom) moveSection(w http.ResponseWriter, r *http.Request, c *call) error {
	if !workflow.Can(c.user, workflow.ActSections, nil) {
		return news.ErrForbidden
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ss, err := n.store.ListSections(r.Context())
	if err != nil {
		return err
	}
	i := -1
	for k, s := range ss {
		if s.ID == id {
			i = k
		}
	}
	if i < 0 {
		return news.ErrNotFound
	}
	switch r.PostFormValue("dir") {
	case "up":
		if i > 0 {
			ss[i-1], ss[i] = ss[i], ss[i-1]
		}
	case "down":
		if i < len(ss)-1 {
			ss[i+1], ss[i] = ss[i], ss[i+1]
		}
	default:
		return news.Errorf(news.EINVALID, "Move a section up or down.")
	}
	for k, s := range ss {
		if s.Position != k+1 {
			s.Position = k + 1
			if err := n.store.UpdateSection(r.Context(), s); err != nil {
				return err
			}
		}
	}
	_ = workflow.Audit(r.Context(), n.store, n.clock, c.user, "section", 0, "order")
	http.Redirect(w, r, "/newsroom/sections?done=section-saved", http.StatusSeeOther)
	return nil
}
