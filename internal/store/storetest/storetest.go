// Package storetest is the conformance suite every news.Store must pass. It
// defines what a correct store does in terms of behaviour only (never SQL), so
// the SQLite and PostgreSQL stores are held to exactly the same rules:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) news.Store { return openEmptyStore(t) })
//	}
//
// open is called once per subtest and must return an EMPTY store (no
// sections, articles, users, settings...) that it closes itself when the test
// ends (t.Cleanup). Subtests do not run in parallel.
//
// Conventions the suite relies on, beyond the comments in news/store.go:
//   - Times come back in UTC (Location() == time.UTC) and equal to what was
//     stored to at least the second; zero times come back zero.
//   - Articles: SectionID, PhotoID and TranslationOf may be 0 (none). Authors
//     keep the order they were given in; tags are a set. Tags and authors are
//     referenced by ID.
//   - Slugs are compared byte for byte (callers normalise); a former slug
//     still resolves through FindArticleBySlug, but a current slug wins over
//     another story's former slug. A non-empty SourceKey is unique.
//   - Lists: sections and authors by Position then name; tags by name;
//     revisions, corrections and audit entries newest first; sessions of a
//     user newest first; DueScheduled oldest PublishedAt first; ArticleViews
//     by hour ascending; TopArticles by views descending.
//   - User e-mail and author e-mail look-ups are case-insensitive, and user
//     e-mails are unique regardless of case.
//   - DeleteExpiredSessions(t) removes sessions whose ExpiresAt <= t.
//   - AddViews truncates Hour to the hour (UTC) and adds; it does not need
//     to bump the generation (view counts are not cached by generation).
//   - SearchArticles: all words of the query must match (AND); punctuation
//     and query-language operators typed by readers are plain text and never
//     an error; an empty query returns no hits and no error. Snippets come
//     from the deck and body text, with matches between news.MarkStart and
//     news.MarkEnd (textsearch.Snippet does this for both stores).
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"masthead/internal/news"
)

// Run runs the whole conformance suite against stores made by open.
func Run(t *testing.T, open func(t *testing.T) news.Store) {
	t.Helper()
	groups := []struct {
		name string
		fn   func(t *testing.T, open func(t *testing.T) news.Store)
	}{
		{"Articles", testArticles},
		{"FindArticles", testFindArticles},
		{"FindArticleLists", testFindArticleLists},
		{"NoBody", testNoBody},
		{"KnownTotal", testKnownTotal},
		{"Workflow", testWorkflow},
		{"Catalog", testCatalog},
		{"People", testPeople},
		{"Settings", testSettings},
		{"Changes", testChanges},
		{"Versions", testVersions},
		{"Validation", testValidation},
		{"Transactions", testTransactions},
		{"Leases", testLeases},
		{"Redirects", testRedirects},
		{"Views", testViews},
		{"Search", testSearch},
		{"Translations", testTranslations},
		{"Integrations", testIntegrations},
		{"Webhooks", testWebhooks},
		{"ArticleQuery", testArticleQuery},
		{"Wire", testWire},
		{"PhotoLibrary", testPhotoLibrary},
		{"Notes", testNotes},
		{"Tokens", testTokens},
		{"TagEditor", testTagEditor},
		{"Trash", testTrash},
		{"WorkingCopies", testWorkingCopies},
		{"ListCounts", testListCounts},
		{"ListCountsConcurrent", testListCountsConcurrent},
		{"CatalogTx", testCatalogTx},
		{"AuthorLinks", testAuthorLinks},
		{"Pages", testPages},
		{"Messages", testMessages},
		{"Names", testNames},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) { g.fn(t, open) })
	}
}

// T0 is the suite's reference instant: every fixture time is relative to it.
var T0 = time.Date(2026, 3, 22, 0, 0, 0, 0, time.UTC)

// fixture wraps a store under test with helpers that fail the test on error.
type fixture struct {
	t   *testing.T
	s   news.Store
	ctx context.Context
}

var seq atomic.Int64

func newFixture(t *testing.T, open func(t *testing.T) news.Store) *fixture {
	t.Helper()
	s := open(t)
	if s == nil {
		t.Fatal("open returned a nil store")
	}
	return &fixture{t: t, s: s, ctx: context.Background()}
}

func (f *fixture) section(slug, name string, pos int) *news.Section {
	f.t.Helper()
	s := &news.Section{Slug: slug, Name: name, Position: pos, Description: "About " + name}
	if err := f.s.CreateSection(f.ctx, s); err != nil {
		f.t.Fatalf("CreateSection(%q): %v", slug, err)
	}
	if s.ID == 0 {
		f.t.Fatalf("CreateSection(%q) did not set ID", slug)
	}
	return s
}

func (f *fixture) author(slug, name string) *news.Author {
	f.t.Helper()
	a := &news.Author{Slug: slug, Name: name, Email: slug + "@example.com", Title: "Staff reporter", Bio: name + " writes."}
	if err := f.s.CreateAuthor(f.ctx, a); err != nil {
		f.t.Fatalf("CreateAuthor(%q): %v", slug, err)
	}
	if a.ID == 0 {
		f.t.Fatalf("CreateAuthor(%q) did not set ID", slug)
	}
	return a
}

func (f *fixture) tag(slug, name string) *news.Tag {
	f.t.Helper()
	tg := &news.Tag{Slug: slug, Name: name}
	if err := f.s.EnsureTag(f.ctx, tg); err != nil {
		f.t.Fatalf("EnsureTag(%q): %v", slug, err)
	}
	if tg.ID == 0 {
		f.t.Fatalf("EnsureTag(%q) did not set ID", slug)
	}
	return tg
}

func (f *fixture) photo(caption string) *news.Photo {
	f.t.Helper()
	p := &news.Photo{
		Key: fmt.Sprintf("2026/03/p%d.jpg", seq.Add(1)), ContentType: "image/jpeg",
		Width: 1600, Height: 900, Caption: caption, Credit: "Korea Times file",
		Alt: "Alt: " + caption, FocalX: 0.25, FocalY: 0.75, Widths: []int{320, 640, 1280},
	}
	if err := f.s.CreatePhoto(f.ctx, p); err != nil {
		f.t.Fatalf("CreatePhoto: %v", err)
	}
	if p.ID == 0 {
		f.t.Fatal("CreatePhoto did not set ID")
	}
	return p
}

// article creates a published story (PublishedAt T0, unique slug) after mod
// has changed what the test cares about.
func (f *fixture) article(mod func(a *news.Article)) *news.Article {
	f.t.Helper()
	n := seq.Add(1)
	a := &news.Article{
		Slug:        fmt.Sprintf("story-%d", n),
		Headline:    fmt.Sprintf("Story %d", n),
		BodyHTML:    "<p>Body.</p>",
		Lang:        "en",
		Status:      news.StatusPublished,
		CreatedAt:   T0.Add(-time.Hour),
		PublishedAt: T0,
		UpdatedAt:   T0,
	}
	if mod != nil {
		mod(a)
	}
	if err := f.s.CreateArticle(f.ctx, a); err != nil {
		f.t.Fatalf("CreateArticle(%q): %v", a.Slug, err)
	}
	if a.ID == 0 {
		f.t.Fatalf("CreateArticle(%q) did not set ID", a.Slug)
	}
	return a
}

func (f *fixture) find(id int64) *news.Article {
	f.t.Helper()
	a, err := f.s.FindArticleByID(f.ctx, id)
	if err != nil {
		f.t.Fatalf("FindArticleByID(%d): %v", id, err)
	}
	return a
}

func (f *fixture) update(a *news.Article) {
	f.t.Helper()
	if err := f.s.UpdateArticle(f.ctx, a); err != nil {
		f.t.Fatalf("UpdateArticle(%d): %v", a.ID, err)
	}
}

// ids runs FindArticles and returns the IDs in order and the total.
func (f *fixture) ids(filter news.ArticleFilter) ([]int64, int) {
	f.t.Helper()
	as, total, err := f.s.FindArticles(f.ctx, filter)
	if err != nil {
		f.t.Fatalf("FindArticles(%+v): %v", filter, err)
	}
	out := make([]int64, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out, total
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want %v", what, err, target)
	}
}

func noErr(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// sameTime checks a stored time came back equal (to the second) and in UTC.
func sameTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if want.IsZero() {
		if !got.IsZero() {
			t.Errorf("%s = %v, want zero time", what, got)
		}
		return
	}
	if got.Location() != time.UTC {
		t.Errorf("%s location = %v, want UTC", what, got.Location())
	}
	if !got.Truncate(time.Second).Equal(want.Truncate(time.Second)) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func eqIDs(t *testing.T, what string, got, want []int64) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func tagSlugs(tags []*news.Tag) string {
	var s []string
	for _, tg := range tags {
		s = append(s, tg.Slug)
	}
	sort.Strings(s)
	return strings.Join(s, ",")
}

func authorSlugs(as []*news.Author) string {
	var s []string
	for _, a := range as {
		s = append(s, a.Slug)
	}
	return strings.Join(s, ",")
}
