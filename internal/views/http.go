package views

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"masthead/internal/httpx"
	"masthead/internal/news"
)

// maxBeaconBody is the largest beacon body read; {"article_id": N} needs
// about 30 bytes.
const maxBeaconBody = 1 << 10

// Register adds the counter's routes to mux. All are public: the beacon and
// the image are fired by readers' pages, the ranking is what the site shows.
func (c *Counter) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/views", c.handleBeacon)
	mux.HandleFunc("GET /api/v1/views.gif", c.handleGIF)
	mux.HandleFunc("GET /api/v1/top", c.handleTop)
}

// handleBeacon takes {"article_id": ID}. navigator.sendBeacon sends a string
// as text/plain (which also spares a CORS preflight), so text/plain is JSON
// here too.
func (c *Counter) handleBeacon(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); ct != "" && !commonType(ct) {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && mt != "text/plain") {
			jsonError(w, http.StatusUnsupportedMediaType, "send application/json or text/plain")
			return
		}
	}
	body, status, msg := readBody(r.Body)
	if status != 0 {
		jsonError(w, status, msg)
		return
	}
	id, ok := parseBeaconFast(body)
	if !ok {
		// Anything but the exact shape the page sends (extra fields,
		// escapes, odd spacing) goes through the real decoder.
		var req struct {
			ArticleID *int64 `json:"article_id"`
		}
		if err := json.Unmarshal(body, &req); err != nil || req.ArticleID == nil {
			jsonError(w, http.StatusBadRequest, `body must be {"article_id": ID}`)
			return
		}
		id = *req.ArticleID
	}
	if id <= 0 {
		jsonError(w, http.StatusBadRequest, "article_id must be a positive integer")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	c.record(r, id)
}

// readBody reads a beacon body of at most maxBeaconBody bytes. Beacons
// are about 20 bytes: a small buffer on the stack takes them, and only a
// longer body costs an allocation. A non-zero status is the answer to send.
func readBody(rd io.Reader) (body []byte, status int, msg string) {
	var small [64]byte
	n, err := io.ReadFull(rd, small[:])
	if n < len(small) {
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return nil, http.StatusBadRequest, "cannot read body"
		}
		return small[:n:n], 0, ""
	}
	big := make([]byte, maxBeaconBody+1)
	copy(big, small[:])
	m, err := io.ReadFull(rd, big[n:])
	n += m
	switch {
	case n > maxBeaconBody:
		return nil, http.StatusRequestEntityTooLarge, "body larger than 1 KB"
	case err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF):
		return nil, http.StatusBadRequest, "cannot read body"
	}
	return big[:n], 0, ""
}

// parseBeaconFast parses exactly what site.js sends, {"article_id":N}
// (spaces allowed around the tokens), without reflection. ok is false for
// anything else, which the caller hands to encoding/json.
func parseBeaconFast(b []byte) (id int64, ok bool) {
	const key = `"article_id"`
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return 0, false
	}
	i = skipSpace(b, i+1)
	if len(b)-i < len(key) || string(b[i:i+len(key)]) != key {
		return 0, false
	}
	i = skipSpace(b, i+len(key))
	if i >= len(b) || b[i] != ':' {
		return 0, false
	}
	i = skipSpace(b, i+1)
	start := i
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	// 1 to 18 digits: always fits in an int64; a leading zero is not JSON.
	if i == start || i-start > 18 || (b[start] == '0' && i-start > 1) {
		return 0, false
	}
	for _, d := range b[start:i] {
		id = id*10 + int64(d-'0')
	}
	i = skipSpace(b, i)
	if i >= len(b) || b[i] != '}' || skipSpace(b, i+1) != len(b) {
		return 0, false
	}
	return id, true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// commonType reports whether ct is one of the exact Content-Type values
// browsers send with a beacon, sparing the general parser (and its
// allocations) on nearly every request.
func commonType(ct string) bool {
	switch ct {
	case "text/plain;charset=UTF-8", "text/plain; charset=UTF-8", "text/plain", "application/json",
		"application/json; charset=utf-8", "application/json;charset=UTF-8":
		return true
	}
	return false
}

// pixel is a transparent 1x1 GIF.
var pixel = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff" +
	"!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

// handleGIF is the <noscript> fallback: <img src="/api/v1/views.gif?article_id=ID">.
// no-store, or a browser would count a story once ever.
func (c *Counter) handleGIF(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.URL.Query().Get("article_id"), 10, 64)
	if err != nil || id <= 0 {
		jsonError(w, http.StatusBadRequest, "article_id must be a positive integer")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "image/gif")
	h.Set("Content-Length", strconv.Itoa(len(pixel)))
	h.Set("Cache-Control", "no-store")
	c.record(r, id) // HEAD is served but not counted
	if r.Method != http.MethodHead {
		_, _ = w.Write(pixel)
	}
}

// windows are the rankings /api/v1/top offers.
var windows = map[string]time.Duration{
	"1h":  time.Hour,
	"24h": 24 * time.Hour,
	"7d":  7 * 24 * time.Hour,
}

// TopItem is one line of GET /api/v1/top.
type TopItem struct {
	ID       int64  `json:"id"`
	URL      string `json:"url"`
	Headline string `json:"headline"`
	Views    int64  `json:"views"`
}

// handleTop serves GET /api/v1/top?window=1h|24h|7d&section=slug.
func (c *Counter) handleTop(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	name := q.Get("window")
	if name == "" {
		name = "24h"
	}
	window, ok := windows[name]
	if !ok {
		jsonError(w, http.StatusBadRequest, "window must be 1h, 24h or 7d")
		return
	}
	var sectionID int64
	if slug := q.Get("section"); slug != "" {
		s, err := c.store.FindSectionBySlug(r.Context(), slug)
		if err != nil {
			if errors.Is(err, news.ErrNotFound) {
				err = news.Errorf(news.ENOTFOUND, "no section %q", slug)
			}
			httpx.WriteJSONError(w, r, c.log, err)
			return
		}
		sectionID = s.ID
	}
	top, err := c.TopStories(r.Context(), window, sectionID, 10)
	if err != nil {
		httpx.WriteJSONError(w, r, c.log, err)
		return
	}
	items := make([]TopItem, 0, len(top))
	for _, e := range top {
		items = append(items, TopItem{
			ID:       e.Article.ID,
			URL:      c.paper().AbsURL(c.paper().ArticlePath(e.Article)),
			Headline: e.Article.Headline,
			Views:    e.Views,
		})
	}
	// Short: the ranking itself changes every flush interval, and an
	// unpublished story must leave shared caches quickly.
	w.Header().Set("Cache-Control", "public, max-age=10")
	httpx.WriteJSON(w, http.StatusOK, items)
}

// jsonError answers a client's mistake in the shape httpx uses for domain
// errors.
func jsonError(w http.ResponseWriter, status int, msg string) {
	httpx.WriteProblemJSON(w, httpx.ProblemOf(httpx.Status(status, msg)))
}
