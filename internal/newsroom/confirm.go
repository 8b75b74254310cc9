package newsroom

import (
	"net/http"
)

// confirmPage asks before an action that readers would see at once
// (restoring an old revision of a live story, unpublishing, deleting). The
// action's form posts here first; the page posts it again with
// confirm=yes. It works without JavaScript, and a stray click or a
// replayed form does nothing on its own.
type confirmPage struct {
	base
	Question, Detail string
	Action, Yes      string
	Back             string
	Fields           []field
}

type field struct{ Name, Value string }

// confirmed reports whether the form carries the confirmation; if not, it
// shows the question and the caller stops.
func (n *Newsroom) confirmed(w http.ResponseWriter, r *http.Request, c *call, p *confirmPage) bool {
	if r.PostFormValue("confirm") == "yes" {
		return true
	}
	p.Action = r.URL.Path
	n.render(w, r, c, http.StatusOK, "confirm", p)
	return false
}
