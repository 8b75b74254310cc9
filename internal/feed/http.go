package feed

import (
	"net/http"
	"time"

	"masthead/internal/httpx"
)

// serve writes body with its validators. Five minutes is short enough that
// a story published (or pulled) shows up soon; conditional requests make
// revalidation cheap.
func serve(w http.ResponseWriter, r *http.Request, contentType string, modified time.Time, body []byte) {
	httpx.ServeBytes(w, r, contentType, "public, max-age=300", modified, body)
}
