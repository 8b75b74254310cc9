package newsroom

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"masthead/internal/news"
	"masthead/internal/workflow"
)

// Section edits: the name and description readers see, the address (a new
// slug leaves a 301 from the old address, in the same transaction), and the
// order of the navigation, the parent (a sub-section, one level deep) and
// the layout of the section's page. Hiding from the navigation, merging and
// deleting are not built yet.

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
	old, oldSlug := s.Name, s.Slug
	slug := s.Slug
	if v := strings.TrimSpace(r.PostFormValue("slug")); v != "" {
		slug = news.Slugify(v)
	}
	if slug == "" {
		p, perr := n.sectionsData(r)
		if perr != nil {
			return perr
		}
		p.Error = "The address needs at least one letter or digit."
		n.render(w, r, c, http.StatusUnprocessableEntity, "sections", p)
		return nil
	}
	parent, layout, ferr := sectionTreeForm(r)
	if ferr != nil {
		return n.sectionError(w, r, c, ferr)
	}
	s.Name, s.Description, s.Slug, s.ParentID, s.Layout = name, desc, slug, parent, layout
	err = n.store.Update(r.Context(), func(tx news.Tx) error {
		if err := tx.UpdateSection(r.Context(), s); err != nil {
			return err
		}
		if slug == oldSlug {
			return nil
		}
		// Readers' links and search engines follow the old address to
		// the new one; a redirect from the new address (an earlier
		// rename back) would loop, so it goes.
		if err := tx.DeleteRedirect(r.Context(), n.paper.SectionPath(s)); err != nil && news.ErrorCode(err) != news.ENOTFOUND {
			return err
		}
		return tx.PutRedirect(r.Context(), &news.Redirect{From: "/section/" + oldSlug, To: n.paper.SectionPath(s), Code: http.StatusMovedPermanently, CreatedAt: n.clock.Now()})
	})
	if errors.Is(err, news.ErrConflict) && slug != oldSlug {
		p, perr := n.sectionsData(r)
		if perr != nil {
			return perr
		}
		p.Error = fmt.Sprintf("Another section has the address /section/%s.", slug)
		n.render(w, r, c, http.StatusConflict, "sections", p)
		return nil
	} else if news.ErrorCode(err) == news.EINVALID {
		return n.sectionError(w, r, c, err)
	} else if err != nil {
		return err
	}
	_ = workflow.Audit(r.Context(), n.store, n.clock, c.user, "section", 0, fmt.Sprintf("%s: %q → %q, /section/%s", oldSlug, old, name, slug))
	http.Redirect(w, r, "/newsroom/sections?done=section-saved", http.StatusSeeOther)
	return nil
}

// sectionError shows the sections page again with the write path's
// message (a parent that would nest two levels, an unknown layout); nothing
// was saved.
func (n *Newsroom) sectionError(w http.ResponseWriter, r *http.Request, c *call, err error) error {
	p, perr := n.sectionsData(r)
	if perr != nil {
		return perr
	}
	p.Error = news.ErrorMessage(err)
	n.render(w, r, c, http.StatusUnprocessableEntity, "sections", p)
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
