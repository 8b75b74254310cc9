package newsroom

import (
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"masthead/internal/news"
)

// Notes on a story between editors and reporters: in the newsroom only,
// never on the site, in feeds or in the APIs.

type noteRow struct {
	N    *news.Note
	Who  string
	When string
}

// notes loads the story's notes for the editor page; a store without
// notes shows none.
func (n *Newsroom) notes(r *http.Request, a *news.Article) ([]noteRow, bool, error) {
	ns, ok := n.store.(news.NoteStore)
	if !ok || a == nil {
		return nil, false, nil
	}
	list, err := ns.ListNotes(r.Context(), a.ID)
	if err != nil {
		return nil, true, err
	}
	names := map[int64]string{}
	out := make([]noteRow, 0, len(list))
	for _, nt := range list {
		who, ok := names[nt.UserID]
		if !ok {
			who = "someone"
			if u, err := n.store.FindUserByID(r.Context(), nt.UserID); err == nil {
				who = u.Name
			}
			names[nt.UserID] = who
		}
		out = append(out, noteRow{N: nt, Who: who, When: nt.CreatedAt.In(n.paper().Loc()).Format("2006-01-02 15:04")})
	}
	return out, true, nil
}

const maxNote = 4000

func (n *Newsroom) addNote(w http.ResponseWriter, r *http.Request, c *call) error {
	a, err := n.story(r, c)
	if err != nil {
		return err
	}
	ns, ok := n.store.(news.NoteStore)
	if !ok {
		return news.Errorf(news.ENOTFOUND, "Notes are not available here.")
	}
	text := strings.TrimSpace(strings.ReplaceAll(r.PostFormValue("note"), "\r\n", "\n"))
	switch {
	case text == "":
		return news.Errorf(news.EINVALID, "Write the note first.")
	case utf8.RuneCountInString(text) > maxNote || !utf8.ValidString(text):
		return news.Errorf(news.EINVALID, "A note is at most %d characters.", maxNote)
	}
	if err := ns.AddNote(r.Context(), &news.Note{ArticleID: a.ID, UserID: c.user.ID, Text: text, CreatedAt: n.clock.Now()}); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/newsroom/stories/%d?done=note#notes", a.ID), http.StatusSeeOther)
	return nil
}
