package newsroom

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"masthead/internal/news"
	"masthead/internal/workflow"
)

// Tags: rename (the address stays) and merge (the stories of one tag move
// to another; the merged tag's address answers 404 until the redirects
// table of issue 12 can send it on).

type tagsPage struct {
	base
	Tags  []*news.Tag
	Error string
}

func (n *Newsroom) tagEditor() (news.TagEditor, error) {
	te, ok := n.store.(news.TagEditor)
	if !ok {
		return nil, news.Errorf(news.ENOTFOUND, "Tags cannot be edited here.")
	}
	return te, nil
}

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

func (n *Newsroom) renameTag(w http.ResponseWriter, r *http.Request, c *call) error {
	te, err := n.tagEditor()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	name := strings.Join(strings.Fields(r.PostFormValue("name")), " ")
	if name == "" || utf8.RuneCountInString(name) > 100 || !utf8.ValidString(name) {
		return n.tagsPage(w, r, c, http.StatusUnprocessableEntity, "A tag needs a name of at most 100 characters.")
	}
	if err := te.RenameTag(r.Context(), id, name); err != nil {
		return err
	}
	_ = workflow.Audit(r.Context(), n.store, n.clock, c.user, "tag", 0, fmt.Sprintf("tag %d renamed %q", id, name))
	http.Redirect(w, r, "/newsroom/tags?done=tag", http.StatusSeeOther)
	return nil
}

func (n *Newsroom) mergeTag(w http.ResponseWriter, r *http.Request, c *call) error {
	te, err := n.tagEditor()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	into, err := strconv.ParseInt(r.PostFormValue("into"), 10, 64)
	if err != nil || into == id {
		return n.tagsPage(w, r, c, http.StatusUnprocessableEntity, "Pick another tag to merge into.")
	}
	if err := te.MergeTags(r.Context(), id, into); err != nil {
		return err
	}
	_ = workflow.Audit(r.Context(), n.store, n.clock, c.user, "tag", 0, fmt.Sprintf("tag %d merged into %d", id, into))
	http.Redirect(w, r, "/newsroom/tags?done=tag-merged", http.StatusSeeOther)
	return nil
}
