// Package nodecache keeps, on one node, the reads that reader pages make
// whatever their address: the sections (every page's navigation, a section
// page's lookup by slug), the footer's pages, the bylines (the search form,
// an author page's lookup by slug), the tags tag pages were asked for, the
// paper's logo and share photos, the curated front page's order, the
// latest stories (the front page's column, the Top 10 before anything was
// read, the 404 page's suggestions), and the totals of the lists read (a
// section's, an author's, a tag's; handed to the store with the filter,
// see ArticleFilter.KnownTotal). Without it each page asked the store for them
// again: on PostgreSQL five of a section page's seven round trips, and a
// total whose statement is planned anew on every render.
//
// Store wraps a news.Store and answers those reads from its copy until
// Changed reports a change that makes it stale (any change, for most; a
// paper-wide one for the sections and tags; a static page's for the
// footer: see dropOn); every other read, and every write, is the wrapped
// store's. The node's change feed calls Changed for each committed change
// readers can see (from any node, the scheduler or an import) before it
// purges the page cache for it, so a page rendered after the purge never
// comes from a copy older than the change; a node that wrote catches up
// before its answer leaves, as it does for the page cache. TTL bounds what
// time alone changes (the feed announces ends of embargoes and scheduled
// publications, so this is a safety net).
//
// It also keeps the rendered bodies of the stories feeds carry, by the
// version they were saved at (see BodyBytes): a body never changes within
// a version, so those need no change to drop them. And it keeps the
// published stories read one at a time (a story page's, the article
// API's) until a change names them, as the page cache keeps their pages
// (see stories): a story page is rendered again every minute it is read
// (the page cache's TTL, for its boxes) and its story had not changed.
// And it keeps the lists pages read together beside their own stories (a
// story page's boxes, the front page's section blocks) until a change
// other than to the stories they exclude (see boxes). For the sitemaps it
// keeps the index's reads, the archive's months, the news window's count
// and the published pages, until the next change (see Aggregates).
//
// A Store that nothing calls Changed on is only right while nothing
// writes: wrap a store only where a change feed runs.
package nodecache

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"masthead/internal/news"
	"masthead/internal/store/keptlist"
)

// Latest is how many of the newest public stories are kept: the front
// page's column (20); shorter lists (10, 5) are its first stories.
const Latest = 20

// Config tunes a Store; zero values take the defaults.
type Config struct {
	// TTL bounds a copy's age; 10 s when zero.
	TTL time.Duration
	// Clock times the copies; the system clock when nil.
	Clock news.Clock
	// BodyBytes bounds the bodies kept; BodyBytes when zero.
	BodyBytes int
	// StoryBytes bounds the stories kept; StoryBytes when zero.
	StoryBytes int
	// StoryTTL bounds a kept story's age; 10 minutes when zero. A
	// safety net for a change made past the change log (an operator's
	// SQL): a story needs no other, as readers' pages test IsPublicAt
	// themselves.
	StoryTTL time.Duration
}

// BodyBytes is how many bytes of story bodies a Store keeps by default:
// some 5,000 bodies of a generated paper's 1.4 KB, the 30 of every feed
// a paper's readers follow.
const BodyBytes = 8 << 20

// StoryBytes is how many bytes of stories read one at a time a Store
// keeps by default (their Markdown and rendered bodies, counted with the
// rest): some 2,000 stories of 8 KB.
const StoryBytes = 16 << 20

// Store is a news.Store whose page-independent reads come from a copy
// kept until the next change.
type Store struct {
	news.Store
	ttl   time.Duration
	clock news.Clock
	// gens count the Changed calls that drop each kind of copy (dropOn);
	// a copy is good while it was read at its kind's current count.
	gens [dropKinds]atomic.Uint64

	sections kept[[]*news.Section]
	front    kept[frontSetting]
	footer   kept[[]*news.Page]
	// published is every published static page (the sitemaps').
	published kept[[]*news.Page]
	authors   kept[[]*news.Author]
	latest    kept[latestList]
	tags      kept[*found[string, *news.Tag]]
	photos    kept[*found[int64, *news.Photo]]
	totals    kept[*found[string, keptTotal]]
	bodies    bodies
	stories   stories
	boxes     boxes
}

// MaxFound bounds the tags, photos and totals kept by key between two changes;
// past it one is asked of the store each time (a crawler walking every
// tag must not grow the node without bound).
const MaxFound = 4096

// found is what was found by key since the last change.
type found[K comparable, V any] struct {
	mu sync.RWMutex
	m  map[K]V
}

type latestList struct {
	at   time.Time // the PublicAt it was read for
	arts []*news.Article
}

// New wraps st.
func New(st news.Store, cfg Config) *Store {
	if cfg.TTL <= 0 {
		cfg.TTL = 10 * time.Second
	}
	if cfg.Clock == nil {
		cfg.Clock = news.SystemClock{}
	}
	if cfg.BodyBytes <= 0 {
		cfg.BodyBytes = BodyBytes
	}
	if cfg.StoryBytes <= 0 {
		cfg.StoryBytes = StoryBytes
	}
	if cfg.StoryTTL <= 0 {
		cfg.StoryTTL = 10 * time.Minute
	}
	s := &Store{Store: st, ttl: cfg.TTL, clock: cfg.Clock, bodies: bodies{max: cfg.BodyBytes},
		stories: stories{max: cfg.StoryBytes, ttl: cfg.StoryTTL}}
	s.sections.on, s.tags.on, s.footer.on, s.published.on, s.front.on = paperWide, paperWide, pageChange, pageChange, frontChange
	return s
}

// dropOn names the changes that drop a kind of copy.
type dropOn uint8

const (
	// anyChange: every change (the latest stories, the totals, the
	// bylines, which every story's change names, and the photos).
	anyChange dropOn = iota
	// paperWide: changes to the whole paper (All), which every section's
	// and tag's write is: the sections and the tags.
	paperWide
	// pageChange: those and changes to the static pages (Pages, Footer):
	// the footer and the published pages.
	pageChange
	// frontChange: paper-wide changes and the curated front page's
	// (Front): its order.
	frontChange
	dropKinds
)

// Changed drops the copies change c makes stale: change c, which readers
// can see, has committed. A story's change (the most common) leaves the
// sections, the footer, the tags and the other stories, as the page cache
// leaves the pages that show only them; every page's navigation and
// footer are then not read again after each publish. Call it before
// purging pages for the change; a node that missed changes (the log was
// pruned past it) calls it with news.Change{All: true}.
func (s *Store) Changed(c news.Change) {
	s.gens[anyChange].Add(1)
	if c.All {
		s.gens[paperWide].Add(1)
	}
	if c.All || c.Footer || len(c.Pages) > 0 {
		s.gens[pageChange].Add(1)
	}
	if c.All || c.Front {
		s.gens[frontChange].Add(1)
	}
	s.stories.drop(c)
	s.boxes.drop(c)
}

// kept is one read and the change count it was read at; on is what drops
// it (the zero value: any change).
type kept[T any] struct {
	on dropOn
	p  atomic.Pointer[entry[T]]
}

type entry[T any] struct {
	gen uint64
	at  time.Time
	v   T
}

// get returns the kept value if it is current, else load's, kept. The
// count is read before loading: a change that commits while load runs
// moves it past the kept entry's, so that entry is never used and the next
// call loads again (a load that saw the change only costs a read more).
func (c *kept[T]) get(s *Store, load func() (T, error)) (T, error) {
	g, now := s.gens[c.on].Load(), s.clock.Now()
	if v, ok := c.current(g, now, s.ttl); ok {
		return v, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	c.put(g, now, v)
	return v, nil
}

// current is the kept value, if it was read at change count g (no change
// dropped it since) and is within ttl at now.
func (c *kept[T]) current(g uint64, now time.Time, ttl time.Duration) (T, bool) {
	if e := c.p.Load(); e != nil && e.gen == g && young(e.at, now, ttl) {
		return e.v, true
	}
	var zero T
	return zero, false
}

// put keeps v, read from the store after the change count was g and the
// clock said now (as get does).
func (c *kept[T]) put(g uint64, now time.Time, v T) {
	c.p.Store(&entry[T]{gen: g, at: now, v: v})
}

// young says a copy made at at is still within ttl at now (a clock that
// went back makes it old).
func young(at, now time.Time, ttl time.Duration) bool {
	return now.Sub(at) < ttl && !now.Before(at)
}

// ListSections is the wrapped store's, kept. The slice is shared: callers
// only read it.
func (s *Store) ListSections(ctx context.Context) ([]*news.Section, error) {
	return s.sections.get(s, func() ([]*news.Section, error) { return s.Store.ListSections(ctx) })
}

// FindSectionBySlug looks in the kept sections; a slug that is not there
// is asked of the store (it answers ENOTFOUND, in its words).
func (s *Store) FindSectionBySlug(ctx context.Context, slug string) (*news.Section, error) {
	secs, err := s.ListSections(ctx)
	return bySlug(secs, err, slug, func(x *news.Section) string { return x.Slug },
		func() (*news.Section, error) { return s.Store.FindSectionBySlug(ctx, slug) })
}

// ListAuthors is the wrapped store's, kept (shared, as ListSections).
func (s *Store) ListAuthors(ctx context.Context) ([]*news.Author, error) {
	return s.authors.get(s, func() ([]*news.Author, error) { return s.Store.ListAuthors(ctx) })
}

// FindAuthorBySlug looks in the kept bylines, then asks the store.
func (s *Store) FindAuthorBySlug(ctx context.Context, slug string) (*news.Author, error) {
	list, err := s.ListAuthors(ctx)
	return bySlug(list, err, slug, func(x *news.Author) string { return x.Slug },
		func() (*news.Author, error) { return s.Store.FindAuthorBySlug(ctx, slug) })
}

// bySlug finds slug in a kept list (or fails with the error reading it
// did), else asks the store.
func bySlug[T any](list []T, err error, slug string, slugOf func(T) string, ask func() (T, error)) (T, error) {
	if err != nil {
		var zero T
		return zero, err
	}
	for _, x := range list {
		if slugOf(x) == slug {
			return x, nil
		}
	}
	return ask()
}

// FindTagBySlug answers a tag asked for before since the last change from
// the copy; others are the store's, kept when found. A tag page reads its
// tag on every render, and there may be too many tags to list.
func (s *Store) FindTagBySlug(ctx context.Context, slug string) (*news.Tag, error) {
	return lookup(s, &s.tags, slug, func() (*news.Tag, error) { return s.Store.FindTagBySlug(ctx, slug) })
}

// FindPhotoByID answers as FindTagBySlug does: every page reads the
// paper's logo photo (and pages without a photo of their own its share
// image).
func (s *Store) FindPhotoByID(ctx context.Context, id int64) (*news.Photo, error) {
	return lookup(s, &s.photos, id, func() (*news.Photo, error) { return s.Store.FindPhotoByID(ctx, id) })
}

// foundSet is the set of what was found by key since the last change.
func foundSet[K comparable, V any](s *Store, k *kept[*found[K, V]]) *found[K, V] {
	set, _ := k.get(s, func() (*found[K, V], error) { return &found[K, V]{m: map[K]V{}}, nil })
	return set
}

// lookup answers key from the set kept since the last change, or load's
// answer, kept when found (while the set holds fewer than MaxFound).
func lookup[K comparable, V any](s *Store, k *kept[*found[K, V]], key K, load func() (V, error)) (V, error) {
	set := foundSet(s, k)
	set.mu.RLock()
	v, ok := set.m[key]
	set.mu.RUnlock()
	if ok {
		return v, nil
	}
	// A change that commits while this reads makes a new set: this one,
	// and what goes into it, is not used again.
	v, err := load()
	if err != nil {
		return v, err
	}
	set.mu.Lock()
	if len(set.m) < MaxFound {
		set.m[key] = v
	}
	set.mu.Unlock()
	return v, nil
}

// frontSetting is the curated front page's setting, or that there is none
// (an ENOTFOUND error): a paper that never curated it asks on every render
// too.
type frontSetting struct {
	st  *news.Setting
	err error
}

// FindSetting keeps the curated front page's order (news.FrontPageKey),
// which the front page reads on every render, until the order or the whole
// paper changes; other settings are the store's. The setting is shared:
// callers only read it.
func (s *Store) FindSetting(ctx context.Context, key string) (*news.Setting, error) {
	if key != news.FrontPageKey {
		return s.Store.FindSetting(ctx, key)
	}
	f, err := s.front.get(s, func() (frontSetting, error) {
		st, err := s.Store.FindSetting(ctx, key)
		if news.ErrorCode(err) == news.ENOTFOUND {
			return frontSetting{err: err}, nil
		}
		return frontSetting{st: st}, err
	})
	if err != nil {
		return nil, err
	}
	return f.st, f.err
}

// footerFilter is the reader site's footer: its published footer pages.
var footerFilter = news.PageFilter{Published: true, InFooter: true}

// publishedFilter is the pages sitemap's and the sitemap index's list.
var publishedFilter = news.PageFilter{Published: true}

// ListPages keeps the footer's pages and the published ones; other lists
// are the store's.
func (s *Store) ListPages(ctx context.Context, f news.PageFilter) ([]*news.Page, error) {
	load := func() ([]*news.Page, error) { return s.Store.ListPages(ctx, f) }
	switch f {
	case footerFilter:
		return s.footer.get(s, load)
	case publishedFilter:
		return s.published.get(s, load)
	}
	return load()
}

// FindArticles answers the newest public stories without their bodies, at
// most Latest of them and no total (the front page's column, the Top 10's
// stand-in, the 404 page's), from the kept list: its stories still public
// at f.PublicAt, when they are enough. A reader list with rendered bodies
// is read as cards, with the bodies kept (withBodies), and given public
// stories without bodies as a box (byIDs). Every other filter is the
// store's.
func (s *Store) FindArticles(ctx context.Context, f news.ArticleFilter) ([]*news.Article, int, error) {
	if f.NoMarkdown && !f.NoBody && !f.PublicAt.IsZero() {
		return s.withBodies(ctx, f)
	}
	if kind, ids, ok := keptlist.Of(f.Simplified()); ok && !f.NoTotal && f.KnownTotal <= 0 {
		return s.keptList(ctx, f, listKey(kind, ids))
	}
	if arts, ok, err := s.byIDs(ctx, f); ok {
		return arts, -1, err
	}
	limit := f.Limit
	if limit == 0 {
		limit = Latest
	}
	if !isLatest(f) || limit > Latest {
		return s.Store.FindArticles(ctx, f)
	}
	l, err := s.latest.get(s, func() (latestList, error) {
		at := f.PublicAt
		arts, _, err := s.Store.FindArticles(ctx, news.ArticleFilter{PublicAt: at, Limit: Latest, NoTotal: true, NoBody: true})
		return latestList{at: at, arts: arts}, err
	})
	if err != nil {
		return nil, 0, err
	}
	// A list read for a later time than asked (another request's clock
	// ran ahead) may hold stories not public yet at f.PublicAt: ask the
	// store. At a later time a story may have stopped being public (the
	// change feed says so at once; this is for the TTL's stretch).
	if f.PublicAt.Before(l.at) {
		return s.Store.FindArticles(ctx, f)
	}
	out := make([]*news.Article, 0, min(limit, len(l.arts)))
	for _, a := range l.arts {
		if len(out) == limit {
			break
		}
		if a.IsPublicAt(f.PublicAt) {
			out = append(out, a)
		}
	}
	// Too few left of a full list: the stories after it are not kept.
	if len(out) < limit && len(l.arts) == Latest {
		return s.Store.FindArticles(ctx, f)
	}
	return out, -1, nil
}

// listKey names a kept list: its kind and ids ("1:3,4"), built on every
// list page without fmt's reflection.
func listKey(kind keptlist.Kind, ids []int64) string {
	b := strconv.AppendInt(make([]byte, 0, 24), int64(kind), 10)
	for i, id := range ids {
		if i == 0 {
			b = append(b, ':')
		} else {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(b)
}

// keptTotal is a list's total and the time it was read for.
type keptTotal struct {
	n  int
	at time.Time
}

// keptList reads a page of a kept list (a section's, an author's, a
// tag's) handing the store the list's total when it was read since the
// last change (ArticleFilter.KnownTotal): on PostgreSQL the total's
// statement is planned anew on every render, half of a list page's
// server time, and a page past the end then reads nothing. A total read
// for a later time than asked is not used.
func (s *Store) keptList(ctx context.Context, f news.ArticleFilter, key string) ([]*news.Article, int, error) {
	set := foundSet(s, &s.totals)
	set.mu.RLock()
	total, ok := set.m[key]
	set.mu.RUnlock()
	if ok && !f.PublicAt.Before(total.at) {
		f.KnownTotal = total.n
	}
	arts, n, err := s.Store.FindArticles(ctx, f)
	if err != nil || ok || n <= 0 {
		return arts, n, err
	}
	// As in lookup: a change while this read makes a new set.
	set.mu.Lock()
	if len(set.m) < MaxFound {
		set.m[key] = keptTotal{n: n, at: f.PublicAt}
	}
	set.mu.Unlock()
	return arts, n, nil
}

// isLatest says f asks for the newest public stories without bodies and
// with no total, and for nothing else.
func isLatest(f news.ArticleFilter) bool {
	return !f.PublicAt.IsZero() && f.NoTotal && f.NoBody && f.Offset == 0 && f.Limit >= 0 &&
		(f.Order == "" || f.Order == "newest") && f.Status == "" &&
		f.SectionID == 0 && len(f.SectionIDs) == 0 && f.AuthorID == 0 && f.TagID == 0 &&
		f.PublishedFrom.IsZero() && f.PublishedTo.IsZero() && len(f.IDs) == 0 &&
		len(f.ExcludeIDs) == 0 && f.TranslationOf == 0
}

// bodyKey names a story's body as saved: its id, the version it was saved
// at and the story's creation time (SQLite gives the id of a deleted
// newest story to the next one made, whose version starts again at 1).
type bodyKey struct{ id, version, created int64 }

func bodyKeyOf(a *news.Article) bodyKey {
	return bodyKey{a.ID, a.Version, a.CreatedAt.UnixMicro()}
}

// bodies are rendered bodies by bodyKey, up to max bytes; past it they
// are all dropped and kept anew (a paper's feeds read the same few
// hundred stories again and again; an LRU's bookkeeping would cost more
// than the rare reread).
type bodies struct {
	mu    sync.Mutex
	m     map[bodyKey]string
	bytes int
	max   int
}

func (b *bodies) put(k bodyKey, body string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil || b.bytes+len(body) > b.max {
		b.m, b.bytes = map[bodyKey]string{}, 0
	}
	if _, ok := b.m[k]; !ok && len(body) <= b.max {
		b.m[k] = body
		b.bytes += len(body)
	}
}

// withBodies answers a reader list with rendered bodies (a feed's:
// NoMarkdown) as cards, through the node's copies, each given the body
// kept for its version; only the bodies not kept are read, by id. On
// PostgreSQL a feed's 30 bodies were half its page statement's time and
// most of the bytes it sent (detoasted, pglz-decompressed and copied), read
// again after every publish for stories whose bodies had not changed.
// Should a story change between the two reads, the list is the store's
// own, read at once.
func (s *Store) withBodies(ctx context.Context, f news.ArticleFilter) ([]*news.Article, int, error) {
	cf := f
	cf.NoBody, cf.NoMarkdown = true, false
	cards, total, err := s.FindArticles(ctx, cf)
	if err != nil || len(cards) == 0 {
		return cards, total, err
	}
	out := make([]*news.Article, len(cards))
	var missAt []int // indexes in out of the stories whose bodies are not kept
	var miss []int64
	s.bodies.mu.Lock() // one lock for the page's lookups
	for i, c := range cards {
		a := *c // cards may be kept copies, shared
		out[i] = &a
		if body, ok := s.bodies.m[bodyKeyOf(c)]; ok {
			a.BodyHTML = body
		} else {
			missAt, miss = append(missAt, i), append(miss, c.ID)
		}
	}
	s.bodies.mu.Unlock()
	if len(miss) == 0 {
		return out, total, nil
	}
	full, _, err := s.Store.FindArticles(ctx, news.ArticleFilter{IDs: miss, Limit: len(miss), NoTotal: true, NoMarkdown: true})
	if err != nil {
		return nil, 0, err
	}
	read := make(map[int64]*news.Article, len(full))
	for _, a := range full {
		read[a.ID] = a
	}
	for _, i := range missAt {
		a := out[i]
		got, ok := read[a.ID]
		if !ok || bodyKeyOf(got) != bodyKeyOf(a) {
			return s.Store.FindArticles(ctx, f) // deleted or saved again since
		}
		a.BodyHTML = got.BodyHTML
		s.bodies.put(bodyKeyOf(got), got.BodyHTML)
	}
	return out, total, nil
}

// FindArticleByID answers a published story read since the change that
// last named it from its copy; others are the store's, and kept when
// published (see stories).
func (s *Store) FindArticleByID(ctx context.Context, id int64) (*news.Article, error) {
	return s.story(s.stories.byID(id, s.clock.Now()), func() (*news.Article, error) { return s.Store.FindArticleByID(ctx, id) })
}

// FindArticleBySlug answers as FindArticleByID does, by the story's
// current slug (the one it is kept by): a former slug (a redirect) is the
// store's each time, since another story may take it as its own in a
// write that names only that one.
func (s *Store) FindArticleBySlug(ctx context.Context, slug string) (*news.Article, error) {
	return s.story(s.stories.bySlug(slug, s.clock.Now()), func() (*news.Article, error) { return s.Store.FindArticleBySlug(ctx, slug) })
}

// story is the kept copy when there is one, else read's answer, kept.
func (s *Store) story(kept *news.Article, read func() (*news.Article, error)) (*news.Article, error) {
	if kept != nil {
		return kept, nil
	}
	g := s.stories.drops.Load()
	a, err := read()
	if err == nil {
		s.stories.put(g, a, s.clock.Now())
	}
	return a, err
}

// stories are published stories as read one at a time, with their
// section, bylines, tags, photo and corrections, up to max bytes (past
// it they are all dropped and kept anew, as bodies are). A story is
// dropped when a change names it (Stories: any write to it, a correction,
// an edit of its photo) or one of its bylines (Bylines), or is paper-wide
// (All: a section's or tag's rename, the trash, settings): the changes
// that purge its page from the page cache, so a page rendered again is
// never older with the copy than without. Stories not published (drafts,
// scheduled) are not kept: readers are only told they are not there, and
// a draft's writes name no story.
//
// The slugs kept are current ones, unique among stories: a story's slug
// moves only in a write that names it.
type stories struct {
	mu    sync.Mutex
	ids   map[int64]keptStory
	slugs map[string]int64
	bytes int
	max   int
	ttl   time.Duration
	// drops counts drops (moved under mu, read without it): a read begun
	// before one is not kept.
	drops atomic.Uint64
}

type keptStory struct {
	a    *news.Article
	at   time.Time
	size int
}

func (st *stories) byID(id int64, now time.Time) *news.Article {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.fresh(id, now)
}

func (st *stories) bySlug(slug string, now time.Time) *news.Article {
	st.mu.Lock()
	defer st.mu.Unlock()
	id, ok := st.slugs[slug]
	if !ok {
		return nil
	}
	return st.fresh(id, now)
}

// fresh is story id's copy if it is younger than the TTL; st.mu is held.
func (st *stories) fresh(id int64, now time.Time) *news.Article {
	k, ok := st.ids[id]
	if !ok {
		return nil
	}
	if !young(k.at, now, st.ttl) {
		st.remove(id)
		return nil
	}
	return k.a
}

// put keeps a, read after drops was g: unless a drop came between (the
// read may predate the change that caused it).
func (st *stories) put(g uint64, a *news.Article, now time.Time) {
	if a.Status != news.StatusPublished {
		return
	}
	size := storySize(a)
	st.mu.Lock()
	defer st.mu.Unlock()
	if g != st.drops.Load() || size > st.max {
		return
	}
	if st.ids == nil || st.bytes+size > st.max {
		st.ids, st.slugs, st.bytes = map[int64]keptStory{}, map[string]int64{}, 0
	}
	st.remove(a.ID)
	st.ids[a.ID] = keptStory{a: a, at: now, size: size}
	st.slugs[a.Slug] = a.ID
	st.bytes += size
}

// remove drops story id's copy; st.mu is held.
func (st *stories) remove(id int64) {
	k, ok := st.ids[id]
	if !ok {
		return
	}
	delete(st.ids, id)
	if st.slugs[k.a.Slug] == id {
		delete(st.slugs, k.a.Slug)
	}
	st.bytes -= k.size
}

// drop drops the copies change c makes stale (see stories).
func (st *stories) drop(c news.Change) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.drops.Add(1)
	if c.All {
		st.ids, st.slugs, st.bytes = nil, nil, 0
		return
	}
	for _, id := range c.Stories {
		st.remove(id)
	}
	if len(c.Bylines) == 0 {
		return
	}
	for id, k := range st.ids {
		for _, au := range k.a.Authors {
			if au != nil && slices.Contains(c.Bylines, au.ID) {
				st.remove(id)
				break
			}
		}
	}
}

// storySize is about what a kept story holds: its texts, and a few
// hundred bytes for the rest.
func storySize(a *news.Article) int {
	n := 512 + len(a.Slug) + len(a.Headline) + len(a.Deck) + len(a.BodyMarkdown) + len(a.BodyHTML) +
		len(a.SEOTitle) + len(a.SEODescription)
	for _, au := range a.Authors {
		n += 128 + len(au.Name) + len(au.Bio) + len(au.Title)
	}
	for _, c := range a.Corrections {
		n += 64 + len(c.Text)
	}
	return n + 64*len(a.Tags)
}
