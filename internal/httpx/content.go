package httpx

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"time"
)

// ETag is the strong entity tag of body: a hash of the bytes, so identical
// output from any node, and from the page cache or a direct render, carries
// the same tag.
func ETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
}

// ServeBytes writes a generated document (a feed, a sitemap) with its
// validators. http.ServeContent does the conditional-request logic of RFC
// 9110 (If-None-Match before If-Modified-Since, HEAD, 304 without a body);
// we supply the strong ETag and the modification time.
func ServeBytes(w http.ResponseWriter, r *http.Request, contentType, cacheControl string, modified time.Time, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("ETag", ETag(body))
	h.Set("Cache-Control", cacheControl)
	http.ServeContent(w, r, "", modified.UTC(), bytes.NewReader(body))
}
