package newsroom

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"masthead/internal/content"
	"masthead/internal/httpx"
	"masthead/internal/news"
	"masthead/internal/workflow"
)

// Autosave: the editor sends its fields every few seconds and when it loses
// the focus. They are kept as the user's working copy of the story (one per
// user, replaced each time; not a revision, never published) until the
// story is saved; reopening the story shows them. The same requests are the
// presence heartbeat: the answer names who else has the story open.

// presenceWindow is how recently someone must have been seen to be "also
// editing" (the editor beats every 10 s): three missed heartbeats and they are gone.
const presenceWindow = 35 * time.Second

type workingFields struct {
	Headline string `json:"headline"`
	Deck     string `json:"deck"`
	BodyHTML string `json:"body_html"`
}

func (n *Newsroom) workingCopies() (news.WorkingCopies, bool) {
	wcs, ok := n.store.(news.WorkingCopies)
	return wcs, ok
}

// others are the names of the other users seen on the story lately.
func (n *Newsroom) others(r *http.Request, a *news.Article, me int64) ([]string, error) {
	wcs, ok := n.workingCopies()
	if !ok {
		return nil, nil
	}
	seen, err := wcs.Editing(r.Context(), a.ID, n.clock.Now().Add(-presenceWindow))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, s := range seen {
		if s.UserID == me {
			continue
		}
		if u, err := n.store.FindUserByID(r.Context(), s.UserID); err == nil {
			names = append(names, u.Name)
		}
	}
	return names, nil
}

func presenceText(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0] + " is also editing this story."
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1] + " are also editing this story."
}

func (n *Newsroom) autosave(w http.ResponseWriter, r *http.Request, c *call) error {
	wcs, ok := n.workingCopies()
	if !ok {
		return news.Errorf(news.ENOTFOUND, "Autosave is not available here.")
	}
	a, err := n.story(r, c)
	if err != nil {
		return err
	}
	if !workflow.Can(c.user, workflow.ActEdit, a) {
		return news.Errorf(news.EFORBIDDEN, "Your role (%s) may not edit this story.", c.user.Role)
	}
	now := n.clock.Now()
	wc := &news.WorkingCopy{ArticleID: a.ID, UserID: c.user.ID, SeenAt: now}
	saved := ""
	if r.PostFormValue("ping") != "1" {
		f := workingFields{Headline: r.PostFormValue("headline"), Deck: r.PostFormValue("deck"), BodyHTML: r.PostFormValue("body_html")}
		if len(f.Headline)+len(f.Deck)+len(f.BodyHTML) > workflow.MaxBody+workflow.MaxDeck*4+workflow.MaxHeadline*4 {
			return news.Errorf(news.EINVALID, "The story is too long to autosave.")
		}
		b, err := json.Marshal(f)
		if err != nil {
			return err
		}
		wc.Data, wc.SavedAt = string(b), now
		saved = now.In(n.paper().Loc()).Format("15:04:05")
	}
	if err := wcs.PutWorkingCopy(r.Context(), wc); err != nil {
		return err
	}
	names, err := n.others(r, a, c.user.ID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"saved": saved, "presence": presenceText(names)})
	return nil
}

// discardWorkingCopy drops the user's autosaved copy: the story as saved
// is what the editor shows again.
func (n *Newsroom) discardWorkingCopy(w http.ResponseWriter, r *http.Request, c *call) error {
	wcs, ok := n.workingCopies()
	if !ok {
		return news.ErrNotFound
	}
	a, err := n.story(r, c)
	if err != nil {
		return err
	}
	if err := wcs.DeleteWorkingCopy(r.Context(), a.ID, c.user.ID); err != nil {
		return err
	}
	http.Redirect(w, r, "/newsroom/stories/"+strconv.FormatInt(a.ID, 10)+"?done=discarded", http.StatusSeeOther)
	return nil
}

// applyWorkingCopy puts the user's autosaved fields on the draft when they
// are newer than the story, and says when they were saved.
func (n *Newsroom) applyWorkingCopy(r *http.Request, c *call, a *news.Article, d *workflow.Draft) (string, error) {
	wcs, ok := n.workingCopies()
	if !ok {
		return "", nil
	}
	wc, err := wcs.GetWorkingCopy(r.Context(), a.ID, c.user.ID)
	if err != nil {
		if news.ErrorCode(err) == news.ENOTFOUND {
			return "", nil
		}
		return "", err
	}
	if !wc.SavedAt.After(a.UpdatedAt) {
		// Saved since (here or elsewhere): the copy is stale.
		return "", wcs.DeleteWorkingCopy(r.Context(), a.ID, c.user.ID)
	}
	var f workingFields
	if err := json.Unmarshal([]byte(wc.Data), &f); err != nil {
		return "", nil
	}
	if strings.TrimSpace(f.Headline) == a.Headline && strings.TrimSpace(f.Deck) == a.Deck && content.Normalize(f.BodyHTML) == a.BodyHTML {
		// Nothing readers would see differs (the editor only tidied the
		// markup it loaded): no copy to offer.
		return "", wcs.DeleteWorkingCopy(r.Context(), a.ID, c.user.ID)
	}
	d.Headline, d.Deck, d.BodyHTML, d.HTMLBody = f.Headline, f.Deck, f.BodyHTML, true
	return wc.SavedAt.In(n.paper().Loc()).Format("2006-01-02 15:04:05"), nil
}
