package sitemap

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"time"
)

// serve writes body with validators. http.ServeContent does the
// conditional-request logic of RFC 9110 (If-None-Match before
// If-Modified-Since, HEAD, 304 without a body); we only supply the strong
// ETag and the modification time.
func serve(w http.ResponseWriter, r *http.Request, contentType string, modified time.Time, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("ETag", etag(body))
	// Short enough that a story published (or pulled) shows up within
	// minutes; conditional requests make revalidation cheap.
	h.Set("Cache-Control", "public, max-age=300")
	http.ServeContent(w, r, "", modified.UTC(), bytes.NewReader(body))
}

// etag is the strong entity tag of body: a hash of the bytes, so identical
// output from any node gives the same tag. It is computed exactly as
// internal/pagecache computes its own, so a response served from that cache
// and one rendered here carry the same tag for the same bytes.
func etag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
}
