package main

import (
	"net/http"
	"strings"
)

// maxBodyBytes bounds the body of any request outside the newsroom: the
// largest legitimate one is a view beacon of a few dozen bytes.
const maxBodyBytes = 1 << 20

// maxNewsroomForm is what the newsroom's largest plain form (a 1 MiB story
// body, URL-encoded) may take.
const maxNewsroomForm = 4 << 20

// limitBodies caps every request body before any handler reads it, so no
// route forgets to: 1 MiB in general, and for the newsroom the larger of its
// form limit and a photo upload (--max-upload plus room for the other
// fields). The newsroom applies its own, finer limits inside this one. A
// request that declares a longer body is refused at once with 413.
func limitBodies(h http.Handler, maxUpload int64) http.Handler {
	newsroomLimit := max(int64(maxNewsroomForm), maxUpload+1<<20)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := int64(maxBodyBytes)
		if p := r.URL.Path; p == "/newsroom" || strings.HasPrefix(p, "/newsroom/") {
			limit = newsroomLimit
		}
		if r.ContentLength > limit {
			w.Header().Set("Connection", "close")
			http.Error(w, "Request body too large.", http.StatusRequestEntityTooLarge)
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		h.ServeHTTP(w, r)
	})
}
