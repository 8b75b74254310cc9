package site

import (
	"html/template"
	"net/http"
	"time"

	"masthead/internal/httpx"
)

// ShellPage is a page whose body another package rendered (the reader
// account and newsletter pages of internal/readers), shown in the site's
// layout.
type ShellPage struct {
	Base
	Body template.HTML
}

// Shell writes body in the site's layout with the site's CSP. The page is
// per reader: it is marked noindex, and the caller sets its Cache-Control
// (the default here is private, no-store).
func (s *Site) Shell(w http.ResponseWriter, r *http.Request, status int, title string, body template.HTML) {
	p := &ShellPage{Base: s.base(r.Context(), title, "", r.URL.EscapedPath()), Body: body}
	p.Robots = "noindex"
	out, err := s.r.Render("shell", p)
	if err != nil {
		s.log.ErrorContext(r.Context(), "render shell", "request_id", httpx.RequestID(r.Context()), "err", err)
		http.Error(w, "Something went wrong.", http.StatusInternalServerError)
		return
	}
	cache := w.Header().Get("Cache-Control")
	if cache == "" {
		cache = "private, no-store"
	}
	s.writeHTML(w, r, status, out, time.Time{}, cache)
}
