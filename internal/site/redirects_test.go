package site

import (
	"context"
	"net/http"
	"testing"

	"masthead/internal/news"
)

// A path with no page answers with its stored redirect (301 or 308); a
// path that has a page keeps it, and the rest still get the 404 page.
func TestStoredRedirects(t *testing.T) {
	e := makeEnv(t, nil, "")
	for _, r := range []*news.Redirect{
		{From: "/section/old-desk", To: "/section/north-korea"},
		{From: "/2019/05/old-permalink", To: "/2019/05/new-permalink", Code: http.StatusPermanentRedirect},
		{From: "/section/북한-옛날", To: "/section/북한"},
		{From: "/", To: "/elsewhere"}, // the front page exists: never redirected
	} {
		if err := e.db.PutRedirect(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		path, loc string
		code      int
	}{
		{"/section/old-desk", "/section/north-korea", 301},
		{"/section/old-desk/", "/section/north-korea", 301},
		{"/2019/05/old-permalink?page=2", "/2019/05/new-permalink?page=2", 308},
		{"/section/%EB%B6%81%ED%95%9C-%EC%98%9B%EB%82%A0", "/section/%EB%B6%81%ED%95%9C", 301},
		{"/no-such-page", "", 404},
		{"/", "", 200},
	} {
		rec := e.get(c.path)
		if rec.Code != c.code || rec.Header().Get("Location") != c.loc {
			t.Errorf("GET %s: %d %q, want %d %q", c.path, rec.Code, rec.Header().Get("Location"), c.code, c.loc)
		}
	}
}
