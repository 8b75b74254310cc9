package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"masthead/internal/news"
	"masthead/internal/store/sqlite"
)

// TestPagesAndNames: /api/v1/pages lists the published pages (not drafts),
// /api/v1/pages/{slug} reads one, and a search answers with the matching
// section, author and tag pages beside the stories.
func TestPagesAndNames(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "api.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	tag := &news.Tag{Slug: "북한", Name: "북한"}
	kang := &news.Author{Slug: "kang-seung-woo", Name: "Kang Seung-woo"}
	for _, err := range []error{db.EnsureTag(ctx, tag), db.CreateAuthor(ctx, kang),
		db.CreateArticle(ctx, &news.Article{Slug: "a", Headline: "북한은 발사", BodyHTML: "<p>북한은.</p>", Status: news.StatusPublished,
			Authors: []*news.Author{kang}, Tags: []*news.Tag{tag}, PublishedAt: now.Add(-time.Hour)}),
		db.CreatePage(ctx, &news.Page{Slug: "about", Title: "About", Body: "<p>Us.</p>", Status: news.StatusPublished}),
		db.CreatePage(ctx, &news.Page{Slug: "draft", Title: "Draft", Status: news.StatusDraft})} {
		if err != nil {
			t.Fatal(err)
		}
	}
	paper := &news.Paper{Name: "T", BaseURL: "https://news.example.com", Language: "en", Location: time.UTC}
	mux := http.NewServeMux()
	New(Config{Paper: paper, Store: db, Clock: news.NewFixedClock(now), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Register(mux)
	get := func(path string, v any) int {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if v != nil && rec.Code == 200 {
			if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
				t.Fatal(err)
			}
		}
		return rec.Code
	}
	var list struct{ Items []Page }
	if get("/api/v1/pages", &list); len(list.Items) != 1 || list.Items[0].Slug != "about" || list.Items[0].URL != "https://news.example.com/about" || list.Items[0].BodyHTML != "<p>Us.</p>" {
		t.Errorf("pages %+v", list)
	}
	if code := get("/api/v1/pages/draft", nil); code != 404 {
		t.Errorf("a draft: %d", code)
	}
	var res ListResult
	get("/api/v1/articles?q="+url.QueryEscape("북한"), &res)
	if res.Names == nil || len(res.Names.Tags) != 1 || res.Names.Tags[0].URL != "https://news.example.com/tag/%EB%B6%81%ED%95%9C" || res.Total != 1 {
		t.Errorf("search 북한: %+v names %+v", res, res.Names)
	}
	get("/api/v1/articles?q=kang", &res)
	if res.Names == nil || len(res.Names.Authors) != 1 || res.Names.Authors[0].Name != "Kang Seung-woo" {
		t.Errorf("search kang: names %+v", res.Names)
	}
	res = ListResult{}
	if get("/api/v1/articles", &res); res.Names != nil {
		t.Error("a list without q has names")
	}
}
