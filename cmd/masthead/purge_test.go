package main

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
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/internal/api"
	"masthead/internal/auth"
	"masthead/internal/feed"
	"masthead/internal/news"
	"masthead/internal/newsroom"
	"masthead/internal/nodecache"
	"masthead/internal/pagecache"
	"masthead/internal/purge"
	"masthead/internal/site"
	"masthead/internal/sitemap"
	"masthead/internal/store/sqlite"
)

// purgeStack is the reader site, feeds, sitemaps and newsroom behind the
// page cache and route, as serve assembles them, on a real SQLite file,
// with the CDN purge webhook pointed at a recorder.
type purgeStack struct {
	t       *testing.T
	ctx     context.Context
	st      *sqlite.DB
	paper   *news.Paper
	cache   *pagecache.Cache
	changes *changeFeed
	cdn     *cdnSender
	h       http.Handler
	editor  *http.Cookie
	csrf    string

	mu        sync.Mutex
	delivered [][]string // the webhook notifications ("ALL" for everything)
}

func newPurgeStack(t *testing.T) *purgeStack {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "purge.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	seoul, _ := time.LoadLocation("Asia/Seoul")
	paper := &news.Paper{Name: "The Purge Times", BaseURL: "http://news.test", Language: "en", Location: seoul}
	log := slog.New(slog.DiscardHandler)
	s := &purgeStack{t: t, ctx: ctx, st: st, paper: paper, cache: pagecache.New(64<<20, time.Hour)}
	if s.changes, err = newChangeFeed(ctx, st, s.cache, &news.Paper{Location: seoul}, log); err != nil {
		t.Fatal(err)
	}
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
		s.mu.Lock()
		s.delivered = append(s.delivered, n.Keys)
		s.mu.Unlock()
	}))
	t.Cleanup(recv.Close)
	hook, err := pagecache.NewWebhook(recv.URL, log)
	if err != nil {
		t.Fatal(err)
	}
	s.cdn = newCDNSender(st, hook, &news.Paper{Location: seoul}, log)
	l, ok, err := st.AcquireLease(ctx, cdnLease, s.cdn.holder, time.Minute)
	if err != nil || !ok {
		t.Fatalf("cdn lease: %v %v", ok, err)
	}
	s.cdn.lease = l

	mux := http.NewServeMux()
	clock := news.SystemClock{}
	// As serve does: readers' pages read through the node's copies, which
	// the change feed drops.
	shared := nodecache.New(st, nodecache.Config{Clock: clock})
	s.changes.changed = shared.Changed
	site.New(site.Config{Paper: paper, Store: shared, Clock: clock, Logger: log}).Register(mux)
	feed.New(feed.Config{Paper: paper, Store: shared, Clock: clock, Logger: log}).Register(mux)
	api.New(api.Config{Paper: paper, Store: shared, Clock: clock, Logger: log}).Register(mux)
	sitemap.New(sitemap.Config{Paper: paper, Store: st, Clock: clock, Logger: log}).Register(mux)
	nr, err := newsroom.New(newsroom.Config{Paper: paper, Store: st, Clock: clock, Logger: log, MaxUploadBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	nr.Register(mux)
	s.h = route(mux, s.cache, s.changes)

	au := &news.Author{Slug: "desk", Name: "Desk", Email: "desk@example.com"}
	if err := st.CreateAuthor(ctx, au); err != nil {
		t.Fatal(err)
	}
	u := &news.User{Email: "editor@example.com", Name: "Editor", Role: news.RoleEditor, PasswordHash: "-", AuthorID: au.ID}
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	tok, sess, err := auth.NewSessions(st, clock).Create(ctx, u.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	s.editor, s.csrf = &http.Cookie{Name: auth.CookieName, Value: tok}, sess.CSRFToken
	return s
}

// get fetches path and reports whether the page cache answered it.
func (s *purgeStack) get(path string) (status int, hit bool) {
	s.t.Helper()
	before := s.cache.Stats().Hits
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec.Code, s.cache.Stats().Hits > before
}

// post sends a newsroom form, as the editor when signed is set.
func (s *purgeStack) post(path string, form url.Values, signed bool) int {
	s.t.Helper()
	if signed {
		form.Set("csrf", s.csrf)
	}
	r := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", s.paper.BaseURL)
	if signed {
		r.AddCookie(s.editor)
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, r)
	return rec.Code
}

func (s *purgeStack) notifications() [][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.delivered)
}

// purgeFixture makes two desks with a story each, an old story, and a
// draft in the first desk ready to publish.
func purgeFixture(t *testing.T, s *purgeStack) (draft *news.Article, warm map[string]bool) {
	ctx := s.ctx
	now := time.Now().UTC().Add(-time.Minute)
	mk := func(v any) {
		var err error
		switch x := v.(type) {
		case *news.Section:
			err = s.st.CreateSection(ctx, x)
		case *news.Author:
			err = s.st.CreateAuthor(ctx, x)
		case *news.Tag:
			err = s.st.EnsureTag(ctx, x)
		case *news.Article:
			err = s.st.CreateArticle(ctx, x)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	nk, biz := &news.Section{Slug: "north-korea", Name: "North Korea"}, &news.Section{Slug: "business", Name: "Business"}
	kang, lee := &news.Author{Slug: "kang", Name: "Kang"}, &news.Author{Slug: "lee", Name: "Lee"}
	missile, economy := &news.Tag{Slug: "missile", Name: "Missile"}, &news.Tag{Slug: "economy", Name: "Economy"}
	for _, v := range []any{nk, biz, kang, lee, missile, economy} {
		mk(v)
	}
	story := func(slug string, sec *news.Section, au *news.Author, tg *news.Tag, status news.Status, at time.Time) *news.Article {
		a := &news.Article{Slug: slug, Headline: "Story " + slug, BodyMarkdown: "Text of " + slug + ".", BodyHTML: "<p>Text of " + slug + ".</p>",
			Lang: "en", Status: status, SectionID: sec.ID, Authors: []*news.Author{au}, Tags: []*news.Tag{tg}, CreatedAt: at, UpdatedAt: at}
		if status == news.StatusPublished {
			a.PublishedAt = at
		}
		mk(a)
		return a
	}
	sibling := story("sibling", nk, kang, missile, news.StatusPublished, now.Add(-time.Hour))
	other := story("other", biz, lee, economy, news.StatusPublished, now.Add(-2*time.Hour))
	old := story("old", biz, lee, economy, news.StatusPublished, now.AddDate(0, -2, 0))
	draft = story("fresh", nk, kang, missile, news.StatusDraft, now)
	loc := s.paper.Loc()
	month := func(t time.Time) string { return fmt.Sprintf("/sitemaps/articles-%s.xml", t.In(loc).Format("2006-01")) }
	day := func(t time.Time) string { return t.In(loc).Format("/2006/01/02/") }
	// Each page, and whether publishing the draft must purge it.
	warm = map[string]bool{
		"/": true, "/section/north-korea": true, "/author/kang": true, "/tag/missile": true,
		"/feed.xml": true, "/atom.xml": true, "/section/north-korea/feed.xml": true, "/author/kang/feed.xml": true,
		"/sitemap.xml": true, "/sitemaps/news.xml": true, month(now): true, day(now): true,

		s.paper.ArticlePath(sibling): false, s.paper.ArticlePath(other): false, s.paper.ArticlePath(old): false,
		"/section/business": false, "/author/lee": false, "/tag/economy": false,
		"/section/business/feed.xml": false, "/author/lee/feed.xml": false, "/tag/economy/feed.xml": false,
		month(old.PublishedAt): false, day(old.PublishedAt): false,
	}
	if month(other.PublishedAt) != month(now) {
		warm[month(other.PublishedAt)] = false
	}
	return draft, warm
}

// warmAll fetches every page twice and checks the second came from the
// cache.
func (s *purgeStack) warmAll(pages map[string]bool) {
	s.t.Helper()
	// The fixture's own changes (new sections purge everything) are
	// behind us before the pages are cached.
	if err := s.changes.CatchUp(s.ctx); err != nil {
		s.t.Fatal(err)
	}
	if err := s.cdn.send(s.ctx); err != nil {
		s.t.Fatal(err)
	}
	s.mu.Lock()
	s.delivered = nil
	s.mu.Unlock()
	for p := range pages {
		if code, _ := s.get(p); code != 200 {
			s.t.Fatalf("GET %s: %d", p, code)
		}
		if _, hit := s.get(p); !hit {
			s.t.Fatalf("GET %s again: not served from the cache", p)
		}
	}
}

// Anonymous POSTs to newsroom paths (refused with 401, 403 or 404) commit
// nothing, so they purge nothing and tell the CDN nothing. The old route
// purged the whole cache and sent the CDN a purge-all after any POST
// under /newsroom/.
func TestAnonymousPostsPurgeNothing(t *testing.T) {
	s := newPurgeStack(t)
	draft, warm := purgeFixture(t, s)
	s.warmAll(warm)
	before := s.cache.Stats()
	id := fmt.Sprint(draft.ID)
	for _, p := range []string{"/newsroom/stories/" + id + "/publish", "/newsroom/stories/" + id, "/newsroom/stories",
		"/newsroom/frontpage", "/newsroom/users", "/newsroom/nowhere", "/newsroom/signin"} {
		if code := s.post(p, url.Values{"headline": {"Defaced"}, "email": {"x@example.com"}, "password": {"wrong password"}}, false); code < 400 {
			t.Errorf("anonymous POST %s: %d, want it refused", p, code)
		}
	}
	if err := s.cdn.send(s.ctx); err != nil {
		t.Fatal(err)
	}
	if n := s.notifications(); len(n) != 0 {
		t.Errorf("the CDN was told to purge %v after refused POSTs", n)
	}
	st := s.cache.Stats()
	if st.Entries != before.Entries || st.Purges != before.Purges || st.KeyPurges != before.KeyPurges {
		t.Errorf("after refused POSTs: %d entries (was %d), %d purges, %d key purges", st.Entries, before.Entries, st.Purges-before.Purges, st.KeyPurges-before.KeyPurges)
	}
	for p := range warm {
		if _, hit := s.get(p); !hit {
			t.Errorf("%s was purged by a refused POST", p)
		}
	}
	if got, _ := s.st.FindArticleByID(s.ctx, draft.ID); got.Status != news.StatusDraft || got.Headline == "Defaced" {
		t.Fatalf("an anonymous POST changed the story: %+v", got)
	}
}

// A publish purges the story's pages and every list that may show it (its
// section, author and tag pages and feeds, the front page, the paper's
// feeds, the sitemaps of its month, the index and the news sitemap, its
// day's archive) and leaves every other cached page in place.
func TestPublishPurgesByKey(t *testing.T) {
	s := newPurgeStack(t)
	draft, warm := purgeFixture(t, s)
	s.warmAll(warm)
	purgesBefore := s.cache.Stats().Purges
	if code := s.post("/newsroom/stories/"+fmt.Sprint(draft.ID)+"/publish", url.Values{"version": {fmt.Sprint(draft.Version)}}, true); code != http.StatusSeeOther {
		t.Fatalf("publish: %d", code)
	}
	var purged, kept []string
	for p, want := range warm {
		_, hit := s.get(p)
		switch {
		case want && hit:
			t.Errorf("%s still served from the cache after the publish", p)
		case !want && !hit:
			t.Errorf("%s was purged, though it does not show the story", p)
		case want:
			purged = append(purged, p)
		default:
			kept = append(kept, p)
		}
	}
	t.Logf("purged %d pages, kept %d", len(purged), len(kept))
	if len(kept) < 10 {
		t.Errorf("only %d unrelated pages were kept: %v", len(kept), kept)
	}
	if st := s.cache.Stats(); st.Purges != purgesBefore {
		t.Errorf("the publish purged the whole cache %d times", st.Purges-purgesBefore)
	}
	code, _ := s.get(s.paper.ArticlePath(s.find(draft.ID)))
	if code != 200 {
		t.Errorf("the published story: %d", code)
	}

	// The CDN hears the same keys, once.
	if err := s.cdn.send(s.ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.cdn.send(s.ctx); err != nil {
		t.Fatal(err)
	}
	n := s.notifications()
	if len(n) != 1 {
		t.Fatalf("the CDN got %d notifications, want 1: %v", len(n), n)
	}
	a := s.find(draft.ID)
	for _, k := range []string{purge.Article(a.ID), purge.Section(a.SectionID), purge.Author(a.Authors[0].ID), purge.Tag(a.Tags[0].ID),
		purge.Front, purge.Feeds, purge.Sitemap, purge.SitemapNews, purge.SitemapMonth(a.PublishedAt, s.paper.Loc())} {
		if !slices.Contains(n[0], k) {
			t.Errorf("the CDN purge %v lacks %s", n[0], k)
		}
	}
	if slices.Contains(n[0], "ALL") {
		t.Error("the CDN was told to purge everything")
	}
}

// A story written by another process (masthead import) is found in the
// change log and purged by key too.
func TestOtherProcessPurgesByKey(t *testing.T) {
	s := newPurgeStack(t)
	draft, warm := purgeFixture(t, s)
	s.warmAll(warm)
	other, err := sqlite.Open(s.ctx, s.st.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	a, err := other.FindArticleByID(s.ctx, draft.ID)
	if err != nil {
		t.Fatal(err)
	}
	a.Status, a.PublishedAt = news.StatusPublished, time.Now().UTC().Add(-time.Minute)
	if err := other.UpdateArticle(s.ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := s.changes.CatchUp(s.ctx); err != nil {
		t.Fatal(err)
	}
	for p, want := range warm {
		if _, hit := s.get(p); hit == want {
			t.Errorf("%s: served from the cache %v, want %v", p, hit, !want)
		}
	}
}

// A story edited by another process reads as edited on this node's
// pages and API once the change feed has caught up: the feed drops the
// node's copy of the story (nodecache), which other stories' changes
// leave, before it purges the story's pages.
func TestOtherProcessEditReadsFresh(t *testing.T) {
	s := newPurgeStack(t)
	_, warm := purgeFixture(t, s)
	s.warmAll(warm)
	sibling, err := s.st.FindArticleBySlug(s.ctx, "sibling")
	if err != nil {
		t.Fatal(err)
	}
	api := fmt.Sprintf("/api/v1/articles/%d", sibling.ID)
	if body := s.body(api); !strings.Contains(body, sibling.Headline) {
		t.Fatalf("GET %s: %.300s", api, body)
	}
	other, err := sqlite.Open(s.ctx, s.st.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	sibling.Headline = "Sibling, edited elsewhere"
	if err := other.UpdateArticle(s.ctx, sibling); err != nil {
		t.Fatal(err)
	}
	if err := s.changes.CatchUp(s.ctx); err != nil {
		t.Fatal(err)
	}
	// The page's title, and the API's headline: the boxes list the story
	// too, read anew after any change.
	page, json := s.body(s.paper.ArticlePath(sibling)), s.body(api)
	if !strings.Contains(page, "<title>"+sibling.Headline) {
		t.Errorf("the story page after the edit is not the new one:\n%.300s", page)
	}
	if !strings.Contains(json, `"headline":"`+sibling.Headline) {
		t.Errorf("GET %s after the edit: not the new headline:\n%.300s", api, json)
	}
}

// The node keeps the curated front page's order (nodecache) until the
// order changes: an editor's new order is the front page's at once.
func TestFrontOrderReadsFresh(t *testing.T) {
	s := newPurgeStack(t)
	_, warm := purgeFixture(t, s)
	s.warmAll(warm)
	latest, _, err := s.st.FindArticles(s.ctx, news.ArticleFilter{PublicAt: time.Now(), Limit: 1, NoTotal: true})
	if err != nil || len(latest) != 1 {
		t.Fatalf("the newest story: %v %v", latest, err)
	}
	other, err := s.st.FindArticleBySlug(s.ctx, "other")
	if err != nil {
		t.Fatal(err)
	}
	if other.ID == latest[0].ID {
		t.Fatal("the fixture's other story is the newest: nothing to reorder")
	}
	before := func(page, a, b string) bool {
		i, j := strings.Index(page, a), strings.Index(page, b)
		return i >= 0 && (j < 0 || i < j)
	}
	if page := s.body("/"); !before(page, latest[0].Headline, other.Headline) {
		t.Fatalf("the front page does not lead with the newest story:\n%.500s", page)
	}
	if code := s.post("/newsroom/frontpage", url.Values{fmt.Sprintf("pos_%d", other.ID): {"1"}, "version": {"0"}}, true); code != http.StatusSeeOther {
		t.Fatalf("saving the front page's order: %d", code)
	}
	if page := s.body("/"); !before(page, other.Headline, latest[0].Headline) {
		t.Errorf("the front page after the editor's new order does not lead with it:\n%.500s", page)
	}
}

// body fetches path and returns the response's body.
func (s *purgeStack) body(path string) string {
	s.t.Helper()
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec.Body.String()
}

func (s *purgeStack) find(id int64) *news.Article {
	s.t.Helper()
	a, err := s.st.FindArticleByID(s.ctx, id)
	if err != nil {
		s.t.Fatal(err)
	}
	return a
}

// A node that fell behind a pruned change log cannot know what the lost
// records named: it purges every page and drops every copy the node keeps,
// the stories too, before it applies the records that are left.
func TestPrunedChangeLogDropsEveryCopy(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "pruned.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	feedOf, err := newChangeFeed(ctx, st, pagecache.New(1<<20, time.Hour), &news.Paper{Location: time.UTC}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	var got []news.Change
	feedOf.changed = func(c news.Change) { got = append(got, c) }
	publish := func(slug string) {
		t.Helper()
		at := time.Now().UTC().Add(-time.Minute)
		if err := st.CreateArticle(ctx, &news.Article{Slug: slug, Headline: slug, Lang: "en", Status: news.StatusPublished,
			CreatedAt: at, PublishedAt: at, UpdatedAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	publish("seen")
	if err := feedOf.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	publish("lost")
	if err := st.PruneChanges(ctx, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	publish("after")
	got = nil
	if err := feedOf.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got[0].All || got[1].All {
		t.Errorf("after a pruned record the node was handed %+v, want everything, then the record left", got)
	}
}
