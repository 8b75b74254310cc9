package newsroom

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"masthead/internal/news"
	"masthead/internal/workflow"
)

// Section edits: the name and description readers see, the address (a new
// slug leaves a 301 from the old address, in the same transaction), hiding
// from the navigation, the order of the navigation, the parent (a
// sub-section, one level deep), the layout of the section's page, merging
// one section into another (its stories move and its address answers 301
// to the other's) and deleting a section nothing uses. Every form carries
// the section's version: an edit made against an older one changes
// nothing.

// sectionPath is a section's address as readers' browsers ask for it,
// decoded: what redirects are keyed by (news.Redirect.From and To).
func sectionPath(slug string) string { return "/section/" + slug }

// sectionVersion reads the version a section form was made against: a
// section form without one is refused (it would write unguarded).
func sectionVersion(r *http.Request) (int64, error) {
	v, err := formVersion(r)
	if err == nil && v == 0 {
		err = news.Errorf(news.EINVALID, "The form has no version: reload the page and try again.")
	}
	return v, err
}

// sectionsError shows the Sections page again with a message.
func (n *Newsroom) sectionsError(w http.ResponseWriter, r *http.Request, c *call, status int, msg string) error {
	p, err := n.sectionsData(r)
	if err != nil {
		return err
	}
	p.Error = msg
	n.render(w, r, c, status, "sections", p)
	return nil
}

// sectionFailure turns a refused section write into the page's message.
func (n *Newsroom) sectionFailure(w http.ResponseWriter, r *http.Request, c *call, err error) error {
	var ce *news.ConflictError
	switch {
	case errors.As(err, &ce):
		return n.sectionsError(w, r, c, http.StatusConflict, ce.Message()+" Nothing was changed; the page now shows the section as it is.")
	case news.ErrorCode(err) == news.EINVALID:
		return n.sectionsError(w, r, c, http.StatusUnprocessableEntity, news.ErrorMessage(err))
	}
	return err
}

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
	version, err := sectionVersion(r)
	if err != nil {
		return n.sectionFailure(w, r, c, err)
	}
	name, desc := strings.TrimSpace(r.PostFormValue("name")), strings.TrimSpace(r.PostFormValue("description"))
	if name == "" || utf8.RuneCountInString(name) > 100 || utf8.RuneCountInString(desc) > 500 || !utf8.ValidString(name+desc) {
		return n.sectionsError(w, r, c, http.StatusUnprocessableEntity, "A section needs a name of at most 100 characters (and a description of at most 500).")
	}
	old, oldSlug := s.Name, s.Slug
	slug := s.Slug
	if v := strings.TrimSpace(r.PostFormValue("slug")); v != "" {
		slug = news.Slugify(v)
	}
	if slug == "" {
		return n.sectionsError(w, r, c, http.StatusUnprocessableEntity, "The address needs at least one letter or digit.")
	}
	parent, layout, ferr := sectionTreeForm(r)
	if ferr != nil {
		return n.sectionError(w, r, c, ferr)
	}
	s.Name, s.Description, s.Slug, s.ParentID, s.Layout = name, desc, slug, parent, layout
	s.Version, s.UpdatedBy = version, c.user.ID
	s.Hidden = r.PostFormValue("hidden") == "on"
	hidden := ""
	if s.Hidden {
		hidden = ", hidden from the navigation"
	}
	err = n.store.Update(r.Context(), func(tx news.Tx) error {
		if err := tx.UpdateSection(r.Context(), s); err != nil {
			return err
		}
		// Readers' links and search engines follow the old address to
		// the new one.
		if err := news.MoveAddress(r.Context(), tx, sectionPath(oldSlug), sectionPath(slug), n.clock.Now()); err != nil {
			return err
		}
		return workflow.Audit(r.Context(), tx, n.clock, c.user, "section", 0, fmt.Sprintf("%s: %q → %q, /section/%s%s", oldSlug, old, name, slug, hidden))
	})
	var ce *news.ConflictError
	if errors.Is(err, news.ErrConflict) && !errors.As(err, &ce) && slug != oldSlug {
		return n.sectionsError(w, r, c, http.StatusConflict, fmt.Sprintf("Another section has the address /section/%s.", slug))
	} else if err != nil {
		return n.sectionFailure(w, r, c, err)
	}
	http.Redirect(w, r, "/newsroom/sections?done=section-saved", http.StatusSeeOther)
	return nil
}

// sectionError shows the sections page again with the write path's
// message (a parent that would nest two levels, an unknown layout); nothing
// was saved.
func (n *Newsroom) sectionError(w http.ResponseWriter, r *http.Request, c *call, err error) error {
	return n.sectionsError(w, r, c, http.StatusUnprocessableEntity, news.ErrorMessage(err))
}

// moveSection moves a section one place up or down the navigation,
// renumbering all of them 1, 2, 3… so that ties from old data go away, in
// one transaction: against the version of the section the form showed.
func (n *Newsroom) moveSection(w http.ResponseWriter, r *http.Request, c *call) error {
	if !workflow.Can(c.user, workflow.ActSections, nil) {
		return news.ErrForbidden
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	version, err := sectionVersion(r)
	if err != nil {
		return n.sectionFailure(w, r, c, err)
	}
	dir := r.PostFormValue("dir")
	if dir != "up" && dir != "down" {
		return news.Errorf(news.EINVALID, "Move a section up or down.")
	}
	err = n.store.Update(r.Context(), func(tx news.Tx) error {
		ss, err := tx.ListSections(r.Context())
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
		if ss[i].Version != version {
			return news.Stale("section", id, version, ss[i].Version)
		}
		switch {
		case dir == "up" && i > 0:
			ss[i-1], ss[i] = ss[i], ss[i-1]
		case dir == "down" && i < len(ss)-1:
			ss[i+1], ss[i] = ss[i], ss[i+1]
		}
		for k, s := range ss {
			if s.Position != k+1 {
				s.Position, s.UpdatedBy = k+1, c.user.ID
				if err := tx.UpdateSection(r.Context(), s); err != nil {
					return err
				}
			}
		}
		return workflow.Audit(r.Context(), tx, n.clock, c.user, "section", 0, "order")
	})
	if err != nil {
		return n.sectionFailure(w, r, c, err)
	}
	http.Redirect(w, r, "/newsroom/sections?done=section-saved", http.StatusSeeOther)
	return nil
}

// mergeSection moves every story of a section to another and removes it;
// its address answers 301 to the other's. It asks
// first: readers see the change at once and it cannot be undone.
func (n *Newsroom) mergeSection(w http.ResponseWriter, r *http.Request, c *call) error {
	if !workflow.Can(c.user, workflow.ActSections, nil) {
		return news.ErrForbidden
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	version, err := sectionVersion(r)
	if err != nil {
		return n.sectionFailure(w, r, c, err)
	}
	into, err := strconv.ParseInt(r.PostFormValue("into"), 10, 64)
	if err != nil || into == id {
		return n.sectionsError(w, r, c, http.StatusUnprocessableEntity, "Choose another section to merge into.")
	}
	from, err := n.store.FindSectionByID(r.Context(), id)
	if err != nil {
		return err
	}
	target, err := n.store.FindSectionByID(r.Context(), into)
	if errors.Is(err, news.ErrNotFound) {
		return n.sectionsError(w, r, c, http.StatusUnprocessableEntity, "The section to merge into is gone: choose another.")
	} else if err != nil {
		return err
	}
	cp := &confirmPage{
		Question: fmt.Sprintf("Merge %s into %s?", from.Name, target.Name),
		Detail: fmt.Sprintf("Every story of %s moves to %s, %s leaves the navigation, and /section/%s answers 301 to /section/%s. This cannot be undone.",
			from.Name, target.Name, from.Name, from.Slug, target.Slug),
		Yes: "Merge", Back: "/newsroom/sections",
		Fields: []field{{"into", strconv.FormatInt(into, 10)}, {"version", strconv.FormatInt(version, 10)}},
	}
	cp.Title, cp.Nav = "Merge sections?", "sections"
	if !n.confirmed(w, r, c, cp) {
		return nil
	}
	var moved []int64
	err = n.store.Update(r.Context(), func(tx news.Tx) error {
		cur, err := tx.FindSectionByID(r.Context(), id)
		if err != nil {
			return err
		}
		if cur.Version != version {
			return news.Stale("section", id, version, cur.Version)
		}
		to, err := tx.FindSectionByID(r.Context(), into)
		if err != nil {
			return err
		}
		if moved, err = tx.MergeSection(r.Context(), id, into); err != nil {
			return err
		}
		// The merged section's address sends readers on.
		if err := news.MoveAddress(r.Context(), tx, sectionPath(cur.Slug), sectionPath(to.Slug), n.clock.Now()); err != nil {
			return err
		}
		return workflow.Audit(r.Context(), tx, n.clock, c.user, "section", 0,
			fmt.Sprintf("merged /section/%s into /section/%s (%d stories)", cur.Slug, to.Slug, len(moved)))
	})
	if errors.Is(err, news.ErrNotFound) {
		return n.sectionsError(w, r, c, http.StatusConflict, "One of the two sections is gone: nothing was merged.")
	} else if err != nil {
		return n.sectionFailure(w, r, c, err)
	}
	http.Redirect(w, r, "/newsroom/sections?done=section-merged", http.StatusSeeOther)
	return nil
}

// deleteSection removes a section no story uses (a typo of an import, a
// desk that never published). One with stories is refused, saying so.
func (n *Newsroom) deleteSection(w http.ResponseWriter, r *http.Request, c *call) error {
	if !workflow.Can(c.user, workflow.ActSections, nil) {
		return news.ErrForbidden
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	version, err := sectionVersion(r)
	if err != nil {
		return n.sectionFailure(w, r, c, err)
	}
	s, err := n.store.FindSectionByID(r.Context(), id)
	if err != nil {
		return err
	}
	cp := &confirmPage{
		Question: fmt.Sprintf("Delete the section %s?", s.Name),
		Detail:   fmt.Sprintf("/section/%s will answer 404. A section with stories cannot be deleted: merge it instead.", s.Slug),
		Yes:      "Delete", Back: "/newsroom/sections",
		Fields: []field{{"version", strconv.FormatInt(version, 10)}},
	}
	cp.Title, cp.Nav = "Delete a section?", "sections"
	if !n.confirmed(w, r, c, cp) {
		return nil
	}
	err = n.store.Update(r.Context(), func(tx news.Tx) error {
		cur, err := tx.FindSectionByID(r.Context(), id)
		if err != nil {
			return err
		}
		if cur.Version != version {
			return news.Stale("section", id, version, cur.Version)
		}
		if err := tx.DeleteSection(r.Context(), id); err != nil {
			return err
		}
		return workflow.Audit(r.Context(), tx, n.clock, c.user, "section", 0, fmt.Sprintf("deleted /section/%s", cur.Slug))
	})
	if errors.Is(err, news.ErrNotFound) {
		return n.sectionsError(w, r, c, http.StatusConflict, "That section is gone already.")
	} else if err != nil {
		return n.sectionFailure(w, r, c, err)
	}
	http.Redirect(w, r, "/newsroom/sections?done=section-deleted", http.StatusSeeOther)
	return nil
}
