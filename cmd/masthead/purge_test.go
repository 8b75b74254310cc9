package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"masthead/internal/news"
	"masthead/internal/pagecache"
	"masthead/internal/store/sqlite"
)

func TestStoryID(t *testing.T) {
	for path, want := range map[string]int64{
		"/newsroom/stories/12":         12,
		"/newsroom/stories/12/publish": 12,
		"/newsroom/stories":            0,
		"/newsroom/stories/x/publish":  0,
		"/newsroom/stories/-1":         0,
		"/newsroom/frontpage":          0,
	} {
		if got, _ := storyID(path); got != want {
			t.Errorf("storyID(%q) = %d, want %d", path, got, want)
		}
	}
}

// A story moved to another section purges both sections' pages at the
// CDN, with the story, the front page and the untagged lists.
func TestCDNPurgeKeys(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "purge.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a1, a2 := &news.Section{Slug: "world", Name: "World"}, &news.Section{Slug: "sport", Name: "Sport"}
	for _, s := range []*news.Section{a1, a2} {
		if err := st.CreateSection(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now().UTC()
	art := &news.Article{Slug: "s", Headline: "S", BodyHTML: "<p>x</p>", Lang: "en", Status: news.StatusPublished,
		SectionID: a1.ID, CreatedAt: now, PublishedAt: now, UpdatedAt: now}
	if err := st.CreateArticle(ctx, art); err != nil {
		t.Fatal(err)
	}

	got := make(chan []string, 4)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n struct {
			All  bool
			Keys []string
		}
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &n)
		if n.All {
			n.Keys = []string{"ALL"}
		}
		got <- n.Keys
	}))
	defer recv.Close()
	log := slog.New(slog.DiscardHandler)
	hook, err := pagecache.NewWebhook(recv.URL, log)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { hook.Run(runCtx); close(done) }()
	defer func() { cancel(); <-done }()
	p := &cdnPurger{st: st, hook: hook, log: log}

	r := httptest.NewRequest("POST", "/newsroom/stories/1", nil)
	r.URL.Path = "/newsroom/stories/" + itoa(art.ID)
	before := p.before(r)
	art.SectionID = a2.ID
	if err := st.UpdateArticle(ctx, art); err != nil {
		t.Fatal(err)
	}
	p.after(r, before)
	var keys []string
	select {
	case keys = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("no notification")
	}
	for _, k := range []string{"article-" + itoa(art.ID), "section-" + itoa(a1.ID), "section-" + itoa(a2.ID), "front", pagecache.UntaggedKey} {
		if !slices.Contains(keys, k) {
			t.Errorf("keys %v lack %q", keys, k)
		}
	}
	// The watcher then sees our own write: no purge of everything.
	p.remote(ctx)
	// Another process's change is announced as everything.
	if err := st.Update(ctx, func(tx news.Tx) error { tx.Announce(news.Change{All: true}); return nil }); err != nil {
		t.Fatal(err)
	}
	p.remote(ctx)
	select {
	case keys = <-got:
		if !slices.Equal(keys, []string{"ALL"}) {
			t.Errorf("after an outside change: %v, want everything", keys)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no notification for the outside change")
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }
