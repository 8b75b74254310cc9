package nodecache

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"masthead/internal/news"
	"masthead/internal/store/sqlite"
)

// counting counts the reads that reach the database, and can hold
// ListSections at a barrier.
type counting struct {
	news.Store
	sections, pages, authors, articles, tags, photos atomic.Int32
	stories                                          atomic.Int32 // FindArticleByID and FindArticleBySlug
	lists                                            atomic.Int32 // FindArticleLists
	settings                                         atomic.Int32 // FindSetting
	duringLists                                      func()       // called inside FindArticleLists, after the read
	hold                                             func()       // called inside ListSections, before the read
	afterStory                                       func()       // called inside the story reads, after the read
}

func (c *counting) ListSections(ctx context.Context) ([]*news.Section, error) {
	c.sections.Add(1)
	if c.hold != nil {
		c.hold()
	}
	return c.Store.ListSections(ctx)
}

func (c *counting) ListPages(ctx context.Context, f news.PageFilter) ([]*news.Page, error) {
	c.pages.Add(1)
	return c.Store.ListPages(ctx, f)
}

func (c *counting) ListAuthors(ctx context.Context) ([]*news.Author, error) {
	c.authors.Add(1)
	return c.Store.ListAuthors(ctx)
}

func (c *counting) FindTagBySlug(ctx context.Context, slug string) (*news.Tag, error) {
	c.tags.Add(1)
	return c.Store.FindTagBySlug(ctx, slug)
}

func (c *counting) FindPhotoByID(ctx context.Context, id int64) (*news.Photo, error) {
	c.photos.Add(1)
	return c.Store.FindPhotoByID(ctx, id)
}

func (c *counting) FindArticles(ctx context.Context, f news.ArticleFilter) ([]*news.Article, int, error) {
	c.articles.Add(1)
	return c.Store.FindArticles(ctx, f)
}

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type paperFixture struct {
	db      *sqlite.DB
	seq     int64 // the last change handed to Changed
	st      *counting
	c       *Store
	clock   *fakeClock
	section *news.Section
	now     time.Time
}

func newFixture(t *testing.T, stories int) *paperFixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &paperFixture{db: db, st: &counting{Store: db}, now: time.Now().UTC().Truncate(time.Second)}
	f.clock = &fakeClock{t: f.now}
	f.c = New(f.st, Config{Clock: f.clock})
	f.section = &news.Section{Slug: "politics", Name: "Politics"}
	if err := db.CreateSection(ctx, f.section); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateSection(ctx, &news.Section{Slug: "culture", Name: "Culture", Position: 1}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateAuthor(ctx, &news.Author{Slug: "kim", Name: "Kim Se-jeong", Email: "kim@example.com"}); err != nil {
		t.Fatal(err)
	}
	if err := db.EnsureTag(ctx, &news.Tag{Slug: "north-korea", Name: "North Korea"}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreatePage(ctx, &news.Page{Slug: "about", Title: "About us", Body: "We report.", Lang: "en", Status: news.StatusPublished, InFooter: true}); err != nil {
		t.Fatal(err)
	}
	for i := range stories {
		f.publish(t, fmt.Sprintf("story-%d", i), f.now.Add(-time.Duration(stories-i)*time.Minute))
	}
	if f.seq, err = db.LastChange(ctx); err != nil {
		t.Fatal(err)
	}
	return f
}

// changed hands c the changes the store recorded since the last call, as
// serve's change feed does, and says how many there were.
func (f *paperFixture) changed(t *testing.T, c *Store) int {
	t.Helper()
	recs, err := f.db.Changes(context.Background(), f.seq, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		c.Changed(r.Change)
		f.seq = r.Seq
	}
	return len(recs)
}

func (f *paperFixture) publish(t *testing.T, slug string, at time.Time) *news.Article {
	t.Helper()
	a := &news.Article{Slug: slug, Headline: "Headline " + slug, BodyHTML: "<p>Body.</p>", Lang: "en", SectionID: f.section.ID,
		Status: news.StatusPublished, CreatedAt: at, PublishedAt: at, UpdatedAt: at}
	if err := f.db.CreateArticle(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

func ids(arts []*news.Article) []int64 {
	out := make([]int64, len(arts))
	for i, a := range arts {
		out[i] = a.ID
	}
	return out
}

// TestCopiesUntilChanged: every reader page asked the store for the
// sections, the footer's pages and (the Top 10 before anything is read,
// the 404 page, the front page) the latest stories: on PostgreSQL five of
// a section page's seven round trips. The node keeps them until Changed,
// and what it answers is what the store answers.
func TestCopiesUntilChanged(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 25)
	c := f.c

	// Sections, and lookups by slug in them.
	for range 3 {
		secs, err := c.ListSections(ctx)
		if err != nil || len(secs) != 2 || secs[0].Slug != "politics" {
			t.Fatalf("sections: %v %v", secs, err)
		}
		sec, err := c.FindSectionBySlug(ctx, "culture")
		if err != nil || sec.Name != "Culture" {
			t.Fatalf("section by slug: %v %v", sec, err)
		}
	}
	if n := f.st.sections.Load(); n != 1 {
		t.Errorf("%d section lists reached the store, want 1", n)
	}
	if _, err := c.FindSectionBySlug(ctx, "sport"); news.ErrorCode(err) != news.ENOTFOUND {
		t.Errorf("an unknown section: %v, want ENOTFOUND", err)
	}

	// The footer's pages; any other list of pages is the store's.
	for range 3 {
		pages, err := c.ListPages(ctx, news.PageFilter{Published: true, InFooter: true})
		if err != nil || len(pages) != 1 || pages[0].Title != "About us" {
			t.Fatalf("footer pages: %v %v", pages, err)
		}
	}
	if _, err := c.ListPages(ctx, news.PageFilter{}); err != nil {
		t.Fatal(err)
	}
	if n := f.st.pages.Load(); n != 2 {
		t.Errorf("%d page lists reached the store, want 2 (the footer once, the newsroom's list)", n)
	}

	// Bylines, and an author page's lookup.
	for range 3 {
		au, err := c.FindAuthorBySlug(ctx, "kim")
		if err != nil || au.Name != "Kim Se-jeong" {
			t.Fatalf("author by slug: %v %v", au, err)
		}
	}
	if n := f.st.authors.Load(); n != 1 {
		t.Errorf("%d byline lists reached the store, want 1", n)
	}

	// Tags, by slug: those found are kept, a missing one is asked each
	// time (and answers ENOTFOUND).
	for range 3 {
		tg, err := c.FindTagBySlug(ctx, "north-korea")
		if err != nil || tg.Name != "North Korea" {
			t.Fatalf("tag by slug: %v %v", tg, err)
		}
		if _, err := c.FindTagBySlug(ctx, "south-korea"); news.ErrorCode(err) != news.ENOTFOUND {
			t.Fatalf("an unknown tag: %v, want ENOTFOUND", err)
		}
	}
	if n := f.st.tags.Load(); n != 4 {
		t.Errorf("%d tag reads reached the store, want 4 (the tag once, the unknown one three times)", n)
	}

	// The paper's photos (its logo), by id, the same way.
	logo := &news.Photo{Key: "2026/12/logo.png", ContentType: "image/png", Width: 600, Height: 120, Alt: "The Times", CreatedAt: f.now}
	if err := f.db.CreatePhoto(ctx, logo); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		ph, err := c.FindPhotoByID(ctx, logo.ID)
		if err != nil || ph.Key != logo.Key {
			t.Fatalf("photo by id: %v %v", ph, err)
		}
	}
	if n := f.st.photos.Load(); n != 1 {
		t.Errorf("%d photo reads reached the store, want 1", n)
	}

	// The latest stories, for every length the site asks, equal the
	// store's.
	f.clock.add(time.Second)
	at := f.clock.Now()
	for _, limit := range []int{5, 10, 20, 0} {
		want, _, err := f.db.FindArticles(ctx, news.ArticleFilter{PublicAt: at, Limit: limit, NoTotal: true, NoBody: true})
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := c.FindArticles(ctx, news.ArticleFilter{PublicAt: at, Limit: limit, NoTotal: true, NoBody: true})
		if err != nil || fmt.Sprint(ids(got)) != fmt.Sprint(ids(want)) {
			t.Fatalf("latest %d: %v, %v; the store says %v", limit, ids(got), err, ids(want))
		}
	}
	if n := f.st.articles.Load(); n != 1 {
		t.Errorf("%d latest lists reached the store, want 1", n)
	}
	// Any other list is the store's: a section's, one with bodies, with
	// a total, longer than kept, a later page.
	for _, other := range []news.ArticleFilter{
		{PublicAt: at, SectionID: f.section.ID, Limit: 5, NoTotal: true, NoBody: true},
		{PublicAt: at, Limit: 5, NoTotal: true},
		{PublicAt: at, Limit: 5, NoBody: true},
		{PublicAt: at, Limit: 21, NoTotal: true, NoBody: true},
		{PublicAt: at, Limit: 5, Offset: 5, NoTotal: true, NoBody: true},
		{PublicAt: at, Limit: 5, Order: "oldest", NoTotal: true, NoBody: true},
		{Limit: 5, NoTotal: true, NoBody: true},
	} {
		before := f.st.articles.Load()
		if _, _, err := c.FindArticles(ctx, other); err != nil {
			t.Fatal(err)
		}
		if f.st.articles.Load() != before+1 {
			t.Errorf("%+v was answered from the copy", other)
		}
	}

	// A change: the store changes, and until Changed the copies stand;
	// after it, every read is the store's new answer.
	f.section.Name = "Politics and Society"
	if err := f.db.UpdateSection(ctx, f.section); err != nil {
		t.Fatal(err)
	}
	fresh := f.publish(t, "story-new", at)
	f.clock.add(time.Second)
	if sec, _ := c.FindSectionBySlug(ctx, "politics"); sec.Name != "Politics" {
		t.Fatalf("before Changed: %q (the copy is what the test relies on)", sec.Name)
	}
	tags := f.st.tags.Load()
	f.changed(t, c)
	c.FindTagBySlug(ctx, "north-korea")
	if f.st.tags.Load() != tags+1 {
		t.Error("after Changed a tag came from the copy")
	}
	if sec, _ := c.FindSectionBySlug(ctx, "politics"); sec.Name != "Politics and Society" {
		t.Errorf("after Changed the section is %q", sec.Name)
	}
	latest, _, err := c.FindArticles(ctx, news.ArticleFilter{PublicAt: f.clock.Now(), Limit: 10, NoTotal: true, NoBody: true})
	if err != nil || len(latest) == 0 || latest[0].ID != fresh.ID {
		t.Errorf("after Changed the latest story is %v, want %d", ids(latest), fresh.ID)
	}

	// The TTL bounds a copy's age where no change is reported.
	n := f.st.sections.Load()
	f.clock.add(11 * time.Second)
	c.ListSections(ctx)
	if f.st.sections.Load() != n+1 {
		t.Error("a copy older than the TTL was used")
	}
}

// TestLatestAtAnEarlierTime: the copy read for a later time than asked
// may hold a story not public yet at the earlier one; the store answers.
func TestLatestAtAnEarlierTime(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 3)
	later := f.publish(t, "later", f.now.Add(30*time.Second))
	f.clock.add(time.Minute)
	f.c.FindArticles(ctx, news.ArticleFilter{PublicAt: f.clock.Now(), Limit: 5, NoTotal: true, NoBody: true})
	got, _, err := f.c.FindArticles(ctx, news.ArticleFilter{PublicAt: f.now, Limit: 5, NoTotal: true, NoBody: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range got {
		if a.ID == later.ID {
			t.Fatalf("at %v the list holds a story published at %v", f.now, later.PublishedAt)
		}
	}
	if len(got) != 3 {
		t.Fatalf("%d stories, want 3", len(got))
	}
}

// TestChangeWhileReading: a change that commits while the copy is being
// read must not leave that read kept as current (it may be from before
// the change), or a page rendered after the purge would show it. The
// barrier holds the read until Changed has run.
func TestChangeWhileReading(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 0)
	reading, changed := make(chan struct{}), make(chan struct{})
	f.st.hold = func() {
		close(reading)
		<-changed
	}
	done := make(chan []*news.Section)
	go func() {
		secs, _ := f.c.ListSections(ctx)
		done <- secs
	}()
	<-reading
	// The read has begun (with the old sections, as far as it knows); the
	// change commits and the feed reports it.
	f.section.Name = "Politics and Society"
	if err := f.db.UpdateSection(ctx, f.section); err != nil {
		t.Fatal(err)
	}
	f.changed(t, f.c)
	f.st.hold = nil
	close(changed)
	<-done
	secs, err := f.c.ListSections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := f.st.sections.Load(); n != 2 {
		t.Fatalf("%d reads reached the store, want 2: the read during the change was kept", n)
	}
	if secs[0].Name != "Politics and Society" {
		t.Errorf("section is %q after the change", secs[0].Name)
	}
}

// knownTotals records the KnownTotal of the list reads that reach the store.
type knownTotals struct {
	news.Store
	known []int
}

func (k *knownTotals) FindArticles(ctx context.Context, f news.ArticleFilter) ([]*news.Article, int, error) {
	k.known = append(k.known, f.KnownTotal)
	return k.Store.FindArticles(ctx, f)
}

// TestKeptTotals: a list page (section, author, tag) read its total on
// every render, a statement PostgreSQL plans anew each time; the node
// hands the store the total it read since the last change, never one read
// for a later time than asked, and the pages are the store's.
func TestKeptTotals(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 25)
	rec := &knownTotals{Store: f.db}
	c := New(rec, Config{Clock: f.clock})
	at := f.now.Add(time.Second)
	page := func(offset int, at time.Time) ([]*news.Article, int) {
		t.Helper()
		arts, total, err := c.FindArticles(ctx, news.ArticleFilter{PublicAt: at, SectionIDs: []int64{f.section.ID}, Offset: offset, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return arts, total
	}
	first, total := page(0, at)
	if total != 25 || len(first) != 10 {
		t.Fatalf("first page: %d stories of %d", len(first), total)
	}
	second, total2 := page(10, at.Add(time.Millisecond))
	past, total3 := page(9990, at.Add(time.Millisecond))
	want, _, _ := f.db.FindArticles(ctx, news.ArticleFilter{PublicAt: at, SectionID: f.section.ID, Offset: 10, Limit: 10})
	if total2 != 25 || total3 != 25 || len(past) != 0 || fmt.Sprint(ids(second)) != fmt.Sprint(ids(want)) {
		t.Fatalf("with the total known: page 2 %v of %d (want %v), past the end %d of %d", ids(second), total2, ids(want), len(past), total3)
	}
	if fmt.Sprint(rec.known) != "[0 25 25]" {
		t.Errorf("totals handed to the store: %v, want [0 25 25]", rec.known)
	}
	// Not for an earlier time than it was read for; not after a change.
	rec.known = nil
	page(0, at.Add(-time.Second))
	f.publish(t, "story-new", at)
	f.changed(t, c)
	if _, total := page(0, at.Add(time.Second)); total != 26 {
		t.Errorf("after a change the total is %d, want 26", total)
	}
	if fmt.Sprint(rec.known) != "[0 0]" {
		t.Errorf("totals handed to the store: %v, want [0 0]", rec.known)
	}
}

// bodyReads records the list reads that reach the store: bodies (false
// for cards) and the ids asked for; before runs inside a read by ids,
// before it (a write between the node's two reads).
type bodyReads struct {
	news.Store
	mu     sync.Mutex
	reads  []string
	before func()
}

func (b *bodyReads) FindArticles(ctx context.Context, f news.ArticleFilter) ([]*news.Article, int, error) {
	b.mu.Lock()
	b.reads = append(b.reads, fmt.Sprintf("bodies=%v ids=%v", !f.NoBody, f.IDs))
	hook := b.before
	b.mu.Unlock()
	if hook != nil && len(f.IDs) > 0 {
		hook()
	}
	return b.Store.FindArticles(ctx, f)
}

func (b *bodyReads) take() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	r := b.reads
	b.reads = nil
	return r
}

// TestKeptBodies: a feed read the rendered bodies of its 30 stories on
// every render, and again after every publish for the 29 that had not
// changed (on PostgreSQL half its page statement's time). The node reads
// cards and only the bodies it does not keep for a story's version; the
// answer is the store's, after an edit (no Changed needed), a write between
// the two reads, and a new story that SQLite gave a deleted one's id.
func TestKeptBodies(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 0)
	rec := &bodyReads{Store: f.db}
	c := New(rec, Config{Clock: f.clock})
	var stories []*news.Article
	for i := range 4 {
		a := f.publish(t, fmt.Sprintf("feed-%d", i), f.now.Add(-time.Duration(4-i)*time.Minute))
		a.BodyHTML = fmt.Sprintf("<p>Body of %d.</p>", i)
		if err := f.db.UpdateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		stories = append(stories, a)
	}
	feed := news.ArticleFilter{PublicAt: f.now, Limit: 30, Order: "newest", NoTotal: true, NoMarkdown: true}
	same := func(what string) []*news.Article {
		t.Helper()
		got, _, err := c.FindArticles(ctx, feed)
		if err != nil {
			t.Fatal(err)
		}
		want, _, err := f.db.FindArticles(ctx, feed)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d stories, the store has %d", what, len(got), len(want))
		}
		for i := range want {
			g, w := got[i], want[i]
			if g.ID != w.ID || g.Version != w.Version || g.BodyHTML != w.BodyHTML || g.BodyMarkdown != "" || g.Headline != w.Headline ||
				g.Section == nil || g.Section.ID != w.Section.ID {
				t.Fatalf("%s: story %d is %d v%d %q, the store's %d v%d %q", what, i, g.ID, g.Version, g.BodyHTML, w.ID, w.Version, w.BodyHTML)
			}
		}
		return got
	}
	same("first read")
	if r := rec.take(); len(r) != 2 || r[0] != "bodies=false ids=[]" || r[1] != fmt.Sprintf("bodies=true ids=%v", []int64{stories[3].ID, stories[2].ID, stories[1].ID, stories[0].ID}) {
		t.Fatalf("first read asked the store %q, want the cards, then the four bodies", r)
	}
	got := same("second read")
	if r := rec.take(); len(r) != 1 || r[0] != "bodies=false ids=[]" {
		t.Fatalf("second read asked the store %q, want the cards only", r)
	}
	got[0].BodyHTML = "<p>Changed by a caller.</p>" // callers get copies
	same("after a caller changed its copy")
	rec.take()

	// An edit: a new version, whose body is read; the others are kept.
	stories[1].BodyHTML = "<p>Corrected.</p>"
	if err := f.db.UpdateArticle(ctx, stories[1]); err != nil {
		t.Fatal(err)
	}
	same("after an edit")
	if r := rec.take(); len(r) != 2 || r[1] != fmt.Sprintf("bodies=true ids=[%d]", stories[1].ID) {
		t.Fatalf("after an edit the store was asked %q, want the cards and story %d's body", r, stories[1].ID)
	}

	// A save between the cards and the bodies: the store's own answer.
	stories[2].BodyHTML = "<p>Saved first.</p>"
	if err := f.db.UpdateArticle(ctx, stories[2]); err != nil {
		t.Fatal(err)
	}
	rec.before = func() {
		rec.before = nil
		stories[2].BodyHTML = "<p>Saved again while the feed was read.</p>"
		if err := f.db.UpdateArticle(ctx, stories[2]); err != nil {
			t.Error(err)
		}
	}
	got = same("after a save between the two reads")
	if got[1].BodyHTML != "<p>Saved again while the feed was read.</p>" {
		t.Fatalf("story %d's body is %q", got[1].ID, got[1].BodyHTML)
	}

	// The newest story deleted: SQLite may give its id to the next one.
	last := stories[3]
	if err := f.db.DeleteArticle(ctx, last.ID); err != nil {
		t.Fatal(err)
	}
	f.clock.add(time.Second)
	next := &news.Article{Slug: "after-delete", Headline: "Another story", BodyHTML: "<p>Another body.</p>", Lang: "en",
		SectionID: f.section.ID, Status: news.StatusPublished, PublishedAt: last.PublishedAt, UpdatedAt: last.PublishedAt}
	if err := f.db.CreateArticle(ctx, next); err != nil {
		t.Fatal(err)
	}
	next.BodyHTML = "<p>Another body.</p>" // saved again: the deleted story's version
	if err := f.db.UpdateArticle(ctx, next); err != nil {
		t.Fatal(err)
	}
	if next.ID != last.ID || next.Version != last.Version {
		t.Logf("the new story is %d v%d, the deleted one was %d v%d", next.ID, next.Version, last.ID, last.Version)
	}
	got = same("after the newest story was deleted and another made")
	if got[0].ID != next.ID || got[0].BodyHTML != "<p>Another body.</p>" {
		t.Fatalf("the newest story is %d %q", got[0].ID, got[0].BodyHTML)
	}
}

// TestKeptBodiesBound: the bodies kept stay within BodyBytes.
func TestKeptBodiesBound(t *testing.T) {
	b := bodies{max: 100}
	for i := range 30 {
		b.put(bodyKey{id: int64(i), version: 1}, "0123456789")
		if b.bytes > 100 || b.bytes != 10*len(b.m) {
			t.Fatalf("after %d bodies: %d bytes in %d", i+1, b.bytes, len(b.m))
		}
	}
	if _, ok := b.m[bodyKey{id: 29, version: 1}]; !ok {
		t.Error("the last body put is not kept")
	}
	b.put(bodyKey{id: 99}, string(make([]byte, 101)))
	if _, ok := b.m[bodyKey{id: 99}]; ok {
		t.Error("a body larger than the bound is kept")
	}
}

// TestCopiesAcrossStoryChanges: a story's change (the most common one)
// drops the latest stories and totals but not the sections, the footer or
// the tags: every page read the navigation and footer again after each
// publish though only a section's or page's write (paper-wide, or naming
// pages) changes them, as the page cache keeps the pages that show only
// them. A static page's change drops the footer; a section's, the
// sections.
func TestCopiesAcrossStoryChanges(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 3)
	c := f.c
	read := func() (secs []*news.Section, footer []*news.Page, latest []*news.Article) {
		t.Helper()
		secs, err := c.ListSections(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if footer, err = c.ListPages(ctx, footerFilter); err != nil {
			t.Fatal(err)
		}
		if _, err := c.FindTagBySlug(ctx, "north-korea"); err != nil {
			t.Fatal(err)
		}
		if latest, _, err = c.FindArticles(ctx, news.ArticleFilter{PublicAt: f.clock.Now(), Limit: 10, NoTotal: true, NoBody: true}); err != nil {
			t.Fatal(err)
		}
		return secs, footer, latest
	}
	read()
	counts := func() [4]int32 {
		return [4]int32{f.st.sections.Load(), f.st.pages.Load(), f.st.tags.Load(), f.st.articles.Load()}
	}
	before := counts()

	fresh := f.publish(t, "story-new", f.now)
	f.changed(t, c)
	_, _, latest := read()
	after := counts()
	if after[0] != before[0] || after[1] != before[1] || after[2] != before[2] {
		t.Errorf("after a story's change: %d section, %d footer and %d tag reads, want none", after[0]-before[0], after[1]-before[1], after[2]-before[2])
	}
	if len(latest) == 0 || latest[0].ID != fresh.ID {
		t.Errorf("after a story's change the latest stories are %v, want %d first", ids(latest), fresh.ID)
	}

	pages, err := f.db.ListPages(ctx, footerFilter)
	if err != nil || len(pages) != 1 {
		t.Fatalf("footer pages: %v, %v", pages, err)
	}
	pages[0].Title = "About The Herald"
	if err := f.db.UpdatePage(ctx, pages[0]); err != nil {
		t.Fatal(err)
	}
	f.changed(t, c)
	secsRead := f.st.sections.Load()
	if _, footer, _ := read(); len(footer) != 1 || footer[0].Title != "About The Herald" {
		t.Errorf("after a page's change the footer is %v", footer)
	}
	if f.st.sections.Load() != secsRead {
		t.Error("a page's change dropped the sections")
	}

	f.section.Name = "Politics and Society"
	if err := f.db.UpdateSection(ctx, f.section); err != nil {
		t.Fatal(err)
	}
	f.changed(t, c)
	if secs, _, _ := read(); len(secs) == 0 || secs[0].Name != "Politics and Society" {
		t.Errorf("after a section's change the sections are %v", secs)
	}
}
