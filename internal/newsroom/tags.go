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

// Tags: rename (the address follows the new name, and the old address
// answers 301 to the new one) and merge (the stories of one tag move to
// another, and the merged tag's address answers 301 to the other's). The
// redirects commit in the same transaction as the change. Both forms carry
// the tag's version: a rename or merge made from an older one (another
// editor renamed the tag meanwhile) changes nothing.

type tagsPage struct {
	base
	Tags  []*news.Tag
	Error string
}

// tagPath is a tag's address as browsers ask for it, decoded (the
// redirects' key).
func tagPath(slug string) string { return "/tag/" + slug }

func (n *Newsroom) tagsPage(w http.ResponseWriter, r *http.Request, c *call, status int, msg string) error {
	ts, err := n.store.ListTags(r.Context())
	if err != nil {
		return err
	}
	p := &tagsPage{Tags: ts, Error: msg}
	p.Title, p.Nav = "Tags", "tags"
	n.render(w, r, c, status, "tags", p)
	return nil
}

func (n *Newsroom) tags(w http.ResponseWriter, r *http.Request, c *call) error {
	return n.tagsPage(w, r, c, http.StatusOK, "")
}

// moveTagAddress leaves a 301 from a tag's old address to its new one.
func (n *Newsroom) moveTagAddress(r *http.Request, tx news.Tx, from, to string) error {
	return news.MoveAddress(r.Context(), tx, tagPath(from), tagPath(to), n.clock.Now())
}

// requiredVersion reads the version a tag or author form was made
// against: a form without one is refused (it would write unguarded).
func requiredVersion(r *http.Request) (int64, error) {
	v, err := formVersion(r)
	if err == nil && v == 0 {
		err = news.Errorf(news.EINVALID, "The form has no version: reload the page and try again.")
	}
	return v, err
}

// tagConflict is the page's message for a stale tag form.
func tagConflict(ce *news.ConflictError, lost string) string {
	msg := ce.Message()
	if lost != "" {
		msg += " " + lost
	}
	return msg + " The page now shows the tags as they are."
}

func (n *Newsroom) renameTag(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	version, err := requiredVersion(r)
	if err != nil {
		return n.tagsPage(w, r, c, http.StatusUnprocessableEntity, news.ErrorMessage(err))
	}
	name := strings.Join(strings.Fields(r.PostFormValue("name")), " ")
	if name == "" || utf8.RuneCountInString(name) > 100 || !utf8.ValidString(name) {
		return n.tagsPage(w, r, c, http.StatusUnprocessableEntity, "A tag needs a name of at most 100 characters.")
	}
	slug := news.Slugify(name)
	if slug == "" {
		return n.tagsPage(w, r, c, http.StatusUnprocessableEntity, "A tag's name needs at least one letter or digit.")
	}
	var old string
	err = n.store.Update(r.Context(), func(tx news.Tx) error {
		tg, err := tx.FindTagByID(r.Context(), id)
		if err != nil {
			return err
		}
		old = tg.Slug
		tg.Name, tg.Slug, tg.Version, tg.UpdatedBy = name, slug, version, c.user.ID
		if err := tx.UpdateTag(r.Context(), tg); err != nil {
			return err
		}
		if err := n.moveTagAddress(r, tx, old, slug); err != nil {
			return err
		}
		return workflow.Audit(r.Context(), tx, n.clock, c.user, "tag", 0, fmt.Sprintf("tag %d renamed %q (/tag/%s → /tag/%s)", id, name, old, slug))
	})
	var ce *news.ConflictError
	if errors.As(err, &ce) {
		return n.tagsPage(w, r, c, http.StatusConflict, tagConflict(ce, fmt.Sprintf("Your name %q was not saved.", name)))
	} else if errors.Is(err, news.ErrConflict) {
		return n.tagsPage(w, r, c, http.StatusConflict, fmt.Sprintf("Another tag has the address /tag/%s: merge the two instead.", slug))
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/newsroom/tags?done=tag", http.StatusSeeOther)
	return nil
}

func (n *Newsroom) mergeTag(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	version, err := requiredVersion(r)
	if err != nil {
		return n.tagsPage(w, r, c, http.StatusUnprocessableEntity, news.ErrorMessage(err))
	}
	into, err := strconv.ParseInt(r.PostFormValue("into"), 10, 64)
	if err != nil || into == id {
		return n.tagsPage(w, r, c, http.StatusUnprocessableEntity, "Pick another tag to merge into.")
	}
	if r.PostFormValue("confirm") != "yes" {
		// Readers see a merge at once and it cannot be undone: ask.
		var a, b *news.Tag
		for _, t := range mustTags(n, r) {
			switch t.ID {
			case id:
				a = t
			case into:
				b = t
			}
		}
		if a == nil || b == nil {
			return n.tagsPage(w, r, c, http.StatusConflict, "One of the two tags is gone: nothing was merged.")
		}
		cp := &confirmPage{Question: fmt.Sprintf("Merge the tag %s into %s?", a.Name, b.Name),
			Detail: fmt.Sprintf("Every story tagged %s is tagged %s instead, %s goes, and /tag/%s answers 301 to /tag/%s. This cannot be undone.", a.Name, b.Name, a.Name, a.Slug, b.Slug),
			Yes:    "Merge", Back: "/newsroom/tags",
			Fields: []field{{"into", strconv.FormatInt(into, 10)}, {"version", strconv.FormatInt(version, 10)}}}
		cp.Title, cp.Nav = "Merge tags?", "tags"
		n.confirmed(w, r, c, cp)
		return nil
	}
	var from, to *news.Tag
	err = n.store.Update(r.Context(), func(tx news.Tx) error {
		if from, err = tx.FindTagByID(r.Context(), id); err != nil {
			return err
		}
		// The question named the tag as the form showed it: a tag
		// renamed since is not what the editor agreed to merge.
		if err := news.CheckVersion("tag", id, version, from.Version, from.UpdatedBy, from.UpdatedAt); err != nil {
			return err
		}
		if to, err = tx.FindTagByID(r.Context(), into); err != nil {
			return err
		}
		if err := tx.MergeTags(r.Context(), id, into); err != nil {
			return err
		}
		if err := n.moveTagAddress(r, tx, from.Slug, to.Slug); err != nil {
			return err
		}
		return workflow.Audit(r.Context(), tx, n.clock, c.user, "tag", 0, fmt.Sprintf("tag /tag/%s merged into /tag/%s", from.Slug, to.Slug))
	})
	var ce *news.ConflictError
	if errors.As(err, &ce) {
		ce.Refused = "merged"
		return n.tagsPage(w, r, c, http.StatusConflict, tagConflict(ce, ""))
	} else if errors.Is(err, news.ErrNotFound) {
		return n.tagsPage(w, r, c, http.StatusConflict, "One of the two tags is gone: nothing was merged.")
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/newsroom/tags?done=tag-merged", http.StatusSeeOther)
	return nil
}

// mustTags lists the tags for the merge question (none on a store error:
// the question then says a tag is gone, and nothing changes).
func mustTags(n *Newsroom, r *http.Request) []*news.Tag {
	ts, err := n.store.ListTags(r.Context())
	if err != nil {
		n.log.ErrorContext(r.Context(), "newsroom: list tags", "err", err)
	}
	return ts
}
