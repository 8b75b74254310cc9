package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"masthead/internal/news"
	"masthead/internal/store/sqlite"
)

func TestArticlesList(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "api.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	seoul, _ := time.LoadLocation("Asia/Seoul")
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	nk := &news.Section{Slug: "north-korea", Name: "North Korea"}
	biz := &news.Section{Slug: "business", Name: "Business"}
	kang := &news.Author{Slug: "kang-seung-woo", Name: "Kang Seung-woo"}
	kim := &news.Author{Slug: "김민지", Name: "김민지"}
	for _, err := range []error{db.CreateSection(ctx, nk), db.CreateSection(ctx, biz), db.CreateAuthor(ctx, kang), db.CreateAuthor(ctx, kim)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	var public []*news.Article // newest last
	for i := range 30 {
		sec, au := biz, kim
		if i%3 == 0 {
			sec, au = nk, kang
		}
		pub := time.Date(2021, 1, 1+i, 10, 0, 0, 0, seoul)
		a := &news.Article{Slug: fmt.Sprintf("missile-%d", i), Headline: fmt.Sprintf("Missile story %d", i), Deck: "A <b>deck</b>",
			BodyHTML: "<p>Missiles were launched.</p>", Lang: "en", Status: news.StatusPublished, SectionID: sec.ID,
			Authors: []*news.Author{au}, PublishedAt: pub, UpdatedAt: pub}
		if err := db.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		public = append(public, a)
	}
	for i, mod := range []func(a *news.Article){
		func(a *news.Article) { a.Status = news.StatusDraft },
		func(a *news.Article) { a.Status = news.StatusScheduled; a.PublishedAt = now.Add(time.Hour) },
		func(a *news.Article) { a.EmbargoUntil = now.Add(time.Hour) },
		func(a *news.Article) { a.Status = news.StatusUnpublished },
	} {
		a := &news.Article{Slug: fmt.Sprintf("hidden-%d", i), Headline: "Missile secret", BodyHTML: "<p>Missile secret.</p>", Lang: "en",
			Status: news.StatusPublished, SectionID: nk.ID, Authors: []*news.Author{kang}, PublishedAt: time.Date(2021, 1, 5, 0, 0, 0, 0, seoul)}
		mod(a)
		if err := db.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	paper := &news.Paper{Name: "P", BaseURL: "https://news.example.com", Language: "en", Location: seoul}
	mux := http.NewServeMux()
	New(Config{Paper: paper, Store: db, Clock: news.NewFixedClock(now), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Register(mux)
	list := func(query string) ListResult {
		t.Helper()
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/articles?"+query, nil))
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json; charset=utf-8" {
			t.Fatalf("?%s: %d %s", query, rec.Code, rec.Body)
		}
		var out ListResult
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatal(err)
		}
		for _, it := range out.Items {
			if strings.Contains(it.Headline, "secret") {
				t.Errorf("?%s: hidden story %s", query, it.URL)
			}
		}
		return out
	}
	headlines := func(r ListResult) string {
		var hs []string
		for _, it := range r.Items {
			hs = append(hs, strings.TrimPrefix(it.Headline, "Missile story "))
		}
		return strings.Join(hs, ",")
	}

	// Without q: the newest public stories.
	r := list("")
	if r.Total != 30 || r.Page != 1 || r.PerPage != 20 || len(r.Items) != 20 || r.Items[0].ID != public[29].ID {
		t.Fatalf("latest: total %d page %d items %d", r.Total, r.Page, len(r.Items))
	}
	it := r.Items[0]
	if it.URL != "https://news.example.com/2021/01/30/missile-29" || it.PublishedAt != "2021-01-30T10:00:00+09:00" ||
		it.Deck != "A <b>deck</b>" || it.Section == nil || it.Section.Name != "Business" || len(it.Authors) != 1 || it.SnippetHTML != "" {
		t.Errorf("item %+v", it)
	}
	if r := list("page=2"); len(r.Items) != 10 || r.Items[9].ID != public[0].ID {
		t.Errorf("page 2: %s", headlines(r))
	}
	if r := list("per_page=5&page=6"); len(r.Items) != 5 || r.Page != 6 {
		t.Errorf("per_page: %s", headlines(r))
	}
	if r := list("page=9"); len(r.Items) != 0 || r.Total != 30 {
		t.Errorf("past the end: %+v", r)
	}
	// Filters without q.
	if r := list("section=north-korea&from=2021-01-01&to=2021-01-10"); headlines(r) != "9,6,3,0" {
		t.Errorf("section+dates: %s", headlines(r))
	}
	if r := list("author=" + url.QueryEscape("김민지") + "&to=2021-01-03"); headlines(r) != "2,1" {
		t.Errorf("author+to: %s", headlines(r))
	}
	// With q: search, snippets marked and escaped.
	r = list("q=missiles&section=north-korea&order=newest&per_page=3")
	if r.Total != 10 || headlines(r) != "27,24,21" {
		t.Errorf("search newest: total %d, %s", r.Total, headlines(r))
	}
	if s := r.Items[0].SnippetHTML; !strings.Contains(s, "<mark>") || strings.ContainsAny(s, "\ue000\ue001") {
		t.Errorf("snippet_html %q", s)
	}
	if r := list("q=missile&from=2021-01-05&to=2021-01-05"); headlines(r) != "4" {
		t.Errorf("search one day: %s", headlines(r))
	}
	if r := list("q=secret"); r.Total != 0 {
		t.Errorf("hidden stories found: %+v", r)
	}

	// Bad parameters: 400 naming the parameter, JSON.
	for query, param := range map[string]string{
		"from=2021-02-30": "from", "to=yesterday": "to", "from=2021-02-01&to=2021-01-01": "to",
		"order=best": "order", "page=0": "page", "page=x": "page", "per_page=1000": "per_page",
		"section=nope": "section", "author=nobody": "author", "section=a%2Fb": "section",
	} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/articles?"+query, nil))
		var e map[string]string
		if rec.Code != 400 || json.Unmarshal(rec.Body.Bytes(), &e) != nil || e["param"] != param || e["code"] != news.EINVALID || e["error"] == "" {
			t.Errorf("?%s: %d %s, want 400 naming %s", query, rec.Code, rec.Body, param)
		}
	}
}
