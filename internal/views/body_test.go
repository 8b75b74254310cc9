package views

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// FuzzParseBeaconFast holds the fast parser to encoding/json: whatever it
// accepts, the real decoder reads the same id from.
func FuzzParseBeaconFast(f *testing.F) {
	for _, s := range []string{
		`{"article_id":1}`, `{"article_id": 42}`, ` { "article_id" : 7 } `, "{\"article_id\":\n9}",
		`{"article_id":0}`, `{"article_id":01}`, `{"article_id":-1}`, `{"article_id":1.5}`,
		`{"article_id":1e3}`, `{"article_id":"1"}`, `{"article_id":1,"x":2}`, `{"article_id":1}}`,
		`{"article_id":999999999999999999}`, `{"article_id":9999999999999999999}`, `{"article\u005fid":3}`,
		`{"ARTICLE_ID":3}`, `[1]`, ``, `{}`, `{"article_id":}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := parseBeaconFast([]byte(s))
		if !ok {
			return
		}
		var req struct {
			ArticleID *int64 `json:"article_id"`
		}
		if err := json.Unmarshal([]byte(s), &req); err != nil || req.ArticleID == nil || *req.ArticleID != id {
			t.Errorf("fast parser read %d from %q; encoding/json: %v %v", id, s, req.ArticleID, err)
		}
	})
}

func TestParseBeaconFast(t *testing.T) {
	for s, want := range map[string]int64{`{"article_id":1}`: 1, ` { "article_id" : 42 } `: 42, `{"article_id":999999999999999999}`: 999999999999999999} {
		if id, ok := parseBeaconFast([]byte(s)); !ok || id != want {
			t.Errorf("parseBeaconFast(%q) = %d, %v; want %d", s, id, ok, want)
		}
	}
	// Left to encoding/json (which may still accept some of them).
	for _, s := range []string{`{"article_id":01}`, `{"article_id":1,"x":2}`, `{"article\u005fid":3}`, `{"ARTICLE_ID":3}`, `{"article_id":1}}`, `{"article_id":9999999999999999999}`} {
		if _, ok := parseBeaconFast([]byte(s)); ok {
			t.Errorf("parseBeaconFast(%q) accepted", s)
		}
	}
}

func TestReadBody(t *testing.T) {
	for _, tt := range []struct {
		size   int
		status int
	}{{0, 0}, {63, 0}, {64, 0}, {65, 0}, {1024, 0}, {1025, http.StatusRequestEntityTooLarge}, {5000, http.StatusRequestEntityTooLarge}} {
		in := strings.Repeat("x", tt.size)
		body, status, _ := readBody(strings.NewReader(in))
		if status != tt.status || (status == 0 && string(body) != in) {
			t.Errorf("readBody(%d bytes) = %d bytes, status %d; want status %d", tt.size, len(body), status, tt.status)
		}
	}
}
