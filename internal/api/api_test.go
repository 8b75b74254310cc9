package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"masthead/internal/news"
	"masthead/internal/store/sqlite"
)

func TestArticleJSON(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "api.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	seoul, _ := time.LoadLocation("Asia/Seoul")
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	pub := time.Date(2020, 3, 22, 9, 0, 0, 0, seoul)

	sec := &news.Section{Slug: "north-korea", Name: "North Korea"}
	au := &news.Author{Slug: "kang-seung-woo", Name: "Kang Seung-woo", Email: "ksw@koreatimes.co.kr"}
	au2 := &news.Author{Slug: "김민지", Name: "김민지"}
	tag := &news.Tag{Slug: "북한", Name: "북한"}
	ph := &news.Photo{Key: "a.jpg", ContentType: "image/jpeg", Width: 1600, Height: 1067, Caption: "Cap", Credit: "Korea Times file", Alt: "Alt", Widths: []int{640}}
	for _, err := range []error{db.CreateSection(ctx, sec), db.CreateAuthor(ctx, au), db.CreateAuthor(ctx, au2), db.EnsureTag(ctx, tag), db.CreatePhoto(ctx, ph)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	mk := func(slug string, mod func(a *news.Article)) *news.Article {
		a := &news.Article{Slug: slug, Headline: "Headline " + slug, Deck: "Deck", BodyHTML: "<p>Body &amp; more</p>", Lang: "en",
			Status: news.StatusPublished, SectionID: sec.ID, Authors: []*news.Author{au, au2}, Tags: []*news.Tag{tag},
			PhotoID: ph.ID, PublishedAt: pub, UpdatedAt: pub.Add(time.Hour), CreatedAt: pub}
		if mod != nil {
			mod(a)
		}
		if err := db.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	public := mk("public", nil)
	hidden := []*news.Article{
		mk("draft", func(a *news.Article) { a.Status = news.StatusDraft }),
		mk("future", func(a *news.Article) { a.Status = news.StatusScheduled; a.PublishedAt = now.Add(time.Hour) }),
		mk("embargo", func(a *news.Article) { a.EmbargoUntil = now.Add(time.Hour) }),
		mk("gone", func(a *news.Article) { a.Status = news.StatusUnpublished }),
	}
	paper := &news.Paper{Name: "P", BaseURL: "https://news.example.com", Language: "en", Location: seoul}
	mux := http.NewServeMux()
	New(Config{Paper: paper, Store: db, Clock: news.NewFixedClock(now), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Register(mux)
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec
	}

	rec := get("/api/v1/articles/" + strconv.FormatInt(public.ID, 10))
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("%d %q %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	var got map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"id":           float64(public.ID),
		"url":          "https://news.example.com/2020/03/22/public",
		"headline":     "Headline public",
		"deck":         "Deck",
		"byline":       "Kang Seung-woo and 김민지",
		"published_at": "2020-03-22T09:00:00+09:00",
		"updated_at":   "2020-03-22T10:00:00+09:00",
		"body_html":    "<p>Body &amp; more</p>",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %#v, want %#v", k, got[k], v)
		}
	}
	authors := got["authors"].([]any)
	if len(authors) != 2 || authors[1].(map[string]any)["url"] != "https://news.example.com/author/%EA%B9%80%EB%AF%BC%EC%A7%80" {
		t.Errorf("authors %v", authors)
	}
	photo := got["photo"].(map[string]any)
	if photo["url"] != "https://news.example.com/media/"+strconv.FormatInt(ph.ID, 10)+"/"+ph.URLToken()+"/original" || photo["width"] != 1600.0 ||
		photo["height"] != 1067.0 || photo["caption"] != "Cap" || photo["credit"] != "Korea Times file" || photo["alt"] != "Alt" {
		t.Errorf("photo %v", photo)
	}
	if s := got["section"].(map[string]any); s["name"] != "North Korea" || s["url"] != "https://news.example.com/section/north-korea" {
		t.Errorf("section %v", s)
	}
	if tags := got["tags"].([]any); len(tags) != 1 || tags[0].(map[string]any)["name"] != "북한" {
		t.Errorf("tags %v", tags)
	}

	for _, a := range hidden {
		rec := get("/api/v1/articles/" + strconv.FormatInt(a.ID, 10))
		var e map[string]string
		if rec.Code != 404 || json.Unmarshal(rec.Body.Bytes(), &e) != nil || e["code"] != news.ENOTFOUND {
			t.Errorf("%s: %d %s", a.Slug, rec.Code, rec.Body)
		}
	}
	for _, p := range []string{"/api/v1/articles/999999", "/api/v1/articles/abc", "/api/v1/articles/-1"} {
		if rec := get(p); rec.Code != 404 || rec.Header().Get("Content-Type") != "application/json; charset=utf-8" {
			t.Errorf("%s: %d", p, rec.Code)
		}
	}
}
