package views

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// FuzzBeaconHandler sends any Content-Type and body to POST /api/v1/views
// on a Counter over a real SQLite file. The answer is 204 exactly when the
// body is JSON naming a positive article_id (as encoding/json reads it),
// sent as JSON or text, within 1 KB; otherwise a 4xx with a JSON error
// that says what was wrong. A counted view of the story is stored on flush.
func FuzzBeaconHandler(f *testing.F) {
	e := newEnv(f, nil)
	story := e.story("fuzzed-story", nil)
	for _, s := range []struct{ ct, body string }{
		{"text/plain;charset=UTF-8", fmt.Sprintf(`{"article_id":%d}`, story.ID)},
		{"application/json", fmt.Sprintf(` { "article_id" : %d } `, story.ID)},
		{"", `{"article_id":1}`},
		{"text/plain; charset=utf-8", `{"article_id":0}`},
		{"application/json", `{"article_id":-5}`},
		{"application/json", `{"article_id":1.5}`},
		{"application/json", `{"article_id":"1"}`},
		{"application/json", `{"ARTICLE_ID":1}`},
		{"application/json", `{"article_id":1,"article_id":2}`},
		{"application/json", `{"article_id":99999999999999999999}`},
		{"application/json", `[]`},
		{"application/json", `null`},
		{"application/x-www-form-urlencoded", `article_id=1`},
		{"text/html", `{"article_id":1}`},
		{"application/json; charset=", `{"article_id":1}`},
		{"text/plain", strings.Repeat(" ", 1100) + `{"article_id":1}`},
		{"text/plain", "{\"article_id\":1}\x00"},
		{"text/plain", "\xef\xbb\xbf{\"article_id\":1}"},
	} {
		f.Add(s.ct, []byte(s.body))
	}
	var reader atomic.Int64
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		// The env's helpers report to this run (fuzz targets run one at
		// a time in each worker).
		e.t = t
		r := httptest.NewRequest("POST", "/api/v1/views", strings.NewReader(string(body)))
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		n := reader.Add(1)
		r.Header.Set("User-Agent", fmt.Sprintf("%s Fuzz/%d", firefox, n))
		r.RemoteAddr = readerAt(int(n))
		before := e.views(story.ID)
		w := e.serve(r)

		var req struct {
			ArticleID *int64 `json:"article_id"`
		}
		want := len(body) <= maxBeaconBody && json.Unmarshal(body, &req) == nil && req.ArticleID != nil && *req.ArticleID > 0
		if ct != "" {
			mt, _, err := mime.ParseMediaType(ct)
			if !commonType(ct) && (err != nil || (mt != "application/json" && mt != "text/plain")) {
				want = false
			}
		}
		switch {
		case want && w.Code != http.StatusNoContent:
			t.Fatalf("Content-Type %q, body %q: %d %s, want 204", ct, body, w.Code, w.Body)
		case !want && w.Code == http.StatusNoContent:
			t.Fatalf("Content-Type %q, body %q: 204 for a beacon that is not one", ct, body)
		case !want:
			var msg struct{ Error string }
			if w.Code < 400 || w.Code >= 500 || json.Unmarshal(w.Body.Bytes(), &msg) != nil || len(msg.Error) < 10 {
				t.Fatalf("Content-Type %q, body %q: %d %q, want a 4xx with a JSON error", ct, body, w.Code, w.Body)
			}
		}
		e.flush()
		counted := want && *req.ArticleID == story.ID
		if got := e.views(story.ID) - before; (counted && got != 1) || (!counted && got != 0) {
			t.Fatalf("Content-Type %q, body %q: %d views stored, counted %v", ct, body, got, counted)
		}
	})
}
