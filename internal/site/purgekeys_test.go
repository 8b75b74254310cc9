package site

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"masthead/internal/pagecache"
	"masthead/internal/purge"
)

// Behind the page cache every page names what it shows, so a CDN can
// purge by story, section, author or tag.
func TestPurgeKeys(t *testing.T) {
	e := makeEnv(t, nil, "")
	c := pagecache.New(1<<20, time.Minute)
	if err := c.SetKeyHeader("Surrogate-Key"); err != nil {
		t.Fatal(err)
	}
	h := c.Middleware(e.h)
	d := e.d
	art := []string{ArticleKey(d.seed.ID)}
	for _, au := range d.seed.Authors {
		art = append(art, purge.Byline(au.ID))
	}
	for _, tc := range []struct {
		path string
		want []string
	}{
		{e.paper.ArticlePath(d.seed), art},
		{"/", []string{FrontKey}},
		{e.paper.SectionPath(d.nk), []string{SectionKey(d.nk.ID)}},
		{e.paper.AuthorPath(d.kang), []string{AuthorKey(d.kang.ID)}},
		{e.paper.TagPath(d.trump), []string{TagKey(d.trump.ID)}},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", tc.path, nil))
		if rec.Code != 200 {
			t.Fatalf("GET %s: %d", tc.path, rec.Code)
		}
		got := " " + rec.Header().Get("Surrogate-Key") + " "
		for _, k := range tc.want {
			if !strings.Contains(got, " "+k+" ") {
				t.Errorf("GET %s: Surrogate-Key %q lacks %q", tc.path, got, k)
			}
		}
	}
	if len(art) < 2 {
		t.Errorf("the seed story should have an author: keys %v", art)
	}
}
