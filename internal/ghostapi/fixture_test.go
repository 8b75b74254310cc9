package ghostapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"masthead/internal/api"
	"masthead/internal/ghostapi"
	"masthead/internal/httpx"
	"masthead/internal/integrations"
	"masthead/internal/news"
	"masthead/internal/store/sqlite"
)

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// now is the fixture's present: stories are published before it.
var now = time.Date(2026, 3, 22, 12, 0, 0, 0, time.UTC)

// paper is a small real paper on SQLite behind a real HTTP server: the
// Ghost Content API and masthead's own JSON API on one mux.
type paper struct {
	srv        *httptest.Server
	st         *sqlite.DB
	key        string
	integ      *news.Integration
	front      []int64
	stories    []*news.Article
	hidden     []*news.Article
	pages      []*news.Page
	kang, kim  *news.Author
	nk, econ   *news.Section
	nkTag      *news.Tag
	rateLimit  int
	apiHandler http.Handler
}

func newPaper(t *testing.T, rateLimit int) *paper {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "ghost.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p := &paper{st: st, rateLimit: rateLimit}
	p.nk = &news.Section{Slug: "north-korea", Name: "North Korea", Description: "The peninsula.", Position: 1}
	p.econ = &news.Section{Slug: "economy", Name: "Economy", Position: 2}
	p.kang = &news.Author{Slug: "kang-seung-woo", Name: "Kang Seung-woo", Email: "ksw@example.com", Bio: "Covers the North."}
	p.kim = &news.Author{Slug: "김민지", Name: "김민지"}
	// A tag with a section's slug is the same Ghost tag; "sanctions" is
	// only a tag.
	p.nkTag = &news.Tag{Slug: "north-korea", Name: "North Korea"}
	sanctions := &news.Tag{Slug: "sanctions", Name: "Sanctions"}
	ph := &news.Photo{Key: "2026/03/a.jpg", ContentType: "image/jpeg", Width: 1600, Height: 900, Caption: "Leaders <meet>", Credit: "Pool photo", Alt: "Two men"}
	for _, err := range []error{st.CreateSection(ctx, p.nk), st.CreateSection(ctx, p.econ), st.CreateAuthor(ctx, p.kang), st.CreateAuthor(ctx, p.kim),
		st.EnsureTag(ctx, p.nkTag), st.EnsureTag(ctx, sanctions), st.CreatePhoto(ctx, ph)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	mk := func(i int, sec *news.Section, authors []*news.Author, tags []*news.Tag, mod func(a *news.Article)) *news.Article {
		at := time.Date(2019, 12, 30, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * 24 * time.Hour)
		a := &news.Article{Slug: fmt.Sprintf("story-%02d", i), Headline: fmt.Sprintf("Story %d about the peninsula", i),
			Deck: fmt.Sprintf("Deck %d.", i), BodyHTML: fmt.Sprintf("<p>Body of story %d &amp; more.</p><p>Second paragraph.</p>", i),
			Lang: "en", Status: news.StatusPublished, SectionID: sec.ID, Authors: authors, Tags: tags,
			CreatedAt: at.Add(-time.Hour), PublishedAt: at, UpdatedAt: at.Add(30 * time.Minute)}
		if mod != nil {
			mod(a)
		}
		if err := st.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	for i := 0; i < 14; i++ {
		sec, authors, tags := p.nk, []*news.Author{p.kang}, []*news.Tag{sanctions}
		switch i % 3 {
		case 1:
			sec, authors, tags = p.econ, []*news.Author{p.kim, p.kang}, nil
		case 2:
			sec, tags = p.econ, []*news.Tag{p.nkTag, sanctions}
		}
		p.stories = append(p.stories, mk(i, sec, authors, tags, func(a *news.Article) {
			if i == 5 {
				a.PhotoID = ph.ID
			}
		}))
	}
	p.hidden = []*news.Article{
		mk(20, p.nk, []*news.Author{p.kang}, nil, func(a *news.Article) { a.Status = news.StatusDraft }),
		mk(21, p.nk, []*news.Author{p.kang}, nil, func(a *news.Article) { a.Status = news.StatusScheduled; a.PublishedAt = now.Add(time.Hour) }),
		mk(22, p.nk, []*news.Author{p.kang}, nil, func(a *news.Article) { a.EmbargoUntil = now.Add(time.Hour) }),
		mk(23, p.nk, []*news.Author{p.kang}, nil, func(a *news.Article) { a.Status = news.StatusUnpublished }),
	}
	p.front = []int64{p.stories[3].ID, p.stories[7].ID, p.hidden[0].ID}
	// Static pages: two published (one Korean), one draft.
	for _, pg := range []*news.Page{
		{Slug: "about", Title: "About us", Description: "Who we are.", Body: "<p>An <strong>independent</strong> daily &amp; more.</p>",
			Status: news.StatusPublished, Position: 1, InFooter: true, CreatedAt: now.Add(-48 * time.Hour), PublishedAt: now.Add(-47 * time.Hour)},
		{Slug: "회사-소개", Title: "회사 소개", Body: "<p>소개합니다.</p>", Lang: "ko", Status: news.StatusPublished, Position: 2, CreatedAt: now.Add(-24 * time.Hour), PublishedAt: now.Add(-24 * time.Hour)},
		{Slug: "ethics", Title: "Ethics (draft)", Body: "<p>Not yet.</p>", Status: news.StatusDraft, Position: 3},
	} {
		if err := st.CreatePage(ctx, pg); err != nil {
			t.Fatal(err)
		}
		p.pages = append(p.pages, pg)
	}
	cr, err := integrations.Create(ctx, st, "Ghost front end", []news.Scope{news.ScopeContentRead}, rateLimit, now)
	if err != nil {
		t.Fatal(err)
	}
	p.key, p.integ = cr.ContentKey, cr.Integration

	clock := fixedClock{now}
	mux := http.NewServeMux()
	srv := httptest.NewUnstartedServer(httpx.Wrap(mux, httpx.Options{}))
	srv.Start()
	t.Cleanup(srv.Close)
	p.srv = srv
	pp := &news.Paper{Name: "The Masthead Times", Tagline: "News of the peninsula", BaseURL: srv.URL, Language: "en", Location: time.UTC}
	gate := integrations.NewGate(st, clock, nil)
	ghostapi.New(ghostapi.Config{Paper: pp, Store: st, Clock: clock, Gate: gate,
		FrontPage: func(context.Context) ([]int64, error) { return p.front, nil }}).Register(mux)
	api.New(api.Config{Paper: pp, Store: st, Clock: clock}).Register(mux)
	return p
}

// get fetches a URL of the paper into v and returns the status.
func (p *paper) get(t *testing.T, path string, v any) int {
	t.Helper()
	res, err := http.Get(p.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if v != nil {
		if err := json.NewDecoder(res.Body).Decode(v); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
	return res.StatusCode
}
