package nodecache

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"masthead/internal/news"
)

// MaxBoxes bounds the boxes' lists kept; past it they are all dropped and
// kept anew (as the bodies are).
const MaxBoxes = 1024

// boxes are the lists a page reads together beside its own stories
// (FindArticleLists: a story page's language versions and its section's
// other stories, the front page's section blocks), kept by their filters
// until a change could have moved them. Each story page read them again
// on every render: on PostgreSQL two of its three round trips when its
// story had just changed, and both of them every minute the page is read
// (the page cache's TTL, for its boxes).
//
// A list holds stories other than the ones its filter excludes, so a
// change that names only excluded stories leaves it as it is: a story's
// own edit leaves its page's boxes, which list the other stories of its
// section and its translations (the site excludes the story from both).
// Every other change drops them: any other story may join, leave or be
// shown differently in a list (its Stories, Sections, Authors and Tags
// name the stories and lists it moved), and a paper-wide, byline, front
// page or static page change may show in any card.
type boxes struct {
	mu sync.RWMutex
	m  map[string]keptBoxes
	// changes counts Changed calls (moved under mu, read without it): a
	// read begun before one is not kept.
	changes atomic.Uint64
}

type keptBoxes struct {
	publicAt time.Time // the PublicAt the lists were read for
	at       time.Time // when, for the TTL
	lists    [][]*news.Article
	// excluded are the stories every filter excludes: a change naming
	// only these leaves the lists.
	excluded []int64
}

// FindArticleLists answers lists of public stories without bodies or
// totals (see boxes) from their copy while it holds; others are the
// store's. The lists are shared: callers only read them.
func (s *Store) FindArticleLists(ctx context.Context, fs []news.ArticleFilter) ([][]*news.Article, error) {
	key, ok := boxesKey(fs)
	if !ok {
		return s.Store.FindArticleLists(ctx, fs)
	}
	return s.boxed(key, fs, func() ([][]*news.Article, error) { return s.Store.FindArticleLists(ctx, fs) })
}

// byIDs answers a list of given public stories without bodies or total
// (the curated front page's, the corrections page's) as a box of its own:
// kept until a change to any story (none is excluded). ok is false for
// other lists.
func (s *Store) byIDs(ctx context.Context, f news.ArticleFilter) (arts []*news.Article, ok bool, err error) {
	rest := f
	rest.IDs = nil
	key, ok := boxesKey([]news.ArticleFilter{rest})
	if len(f.IDs) == 0 || !ok {
		return nil, false, nil
	}
	lists, err := s.boxed(string(appendIDs([]byte("ids "), f.IDs))+" "+key, []news.ArticleFilter{f}, func() ([][]*news.Article, error) {
		arts, _, err := s.Store.FindArticles(ctx, f)
		return [][]*news.Article{arts}, err
	})
	if err != nil {
		return nil, true, err
	}
	return lists[0], true, nil
}

// boxed is the lists fs ask for, named key, from their copy while it
// holds, else read's, kept.
func (s *Store) boxed(key string, fs []news.ArticleFilter, read func() ([][]*news.Article, error)) ([][]*news.Article, error) {
	at, now := fs[0].PublicAt, s.clock.Now()
	s.boxes.mu.RLock()
	k, kept := s.boxes.m[key]
	s.boxes.mu.RUnlock()
	// A copy read for a later time than asked may hold stories not public
	// yet at this one; one older than the TTL may miss a story whose time
	// came (the change feed says so at once; this is a safety net).
	if kept && !at.Before(k.publicAt) && young(k.at, now, s.ttl) && stillPublic(k.lists, at) {
		return slices.Clone(k.lists), nil
	}
	g := s.boxes.changes.Load()
	lists, err := read()
	if err != nil {
		return nil, err
	}
	s.boxes.put(g, key, keptBoxes{publicAt: at, at: now, lists: slices.Clone(lists), excluded: excludedByAll(fs)})
	return lists, nil
}

// stillPublic says every story of lists is public at t: one that is not
// (a change that withdrew it is on its way) sends the read to the store.
func stillPublic(lists [][]*news.Article, t time.Time) bool {
	for _, l := range lists {
		for _, a := range l {
			if !a.IsPublicAt(t) {
				return false
			}
		}
	}
	return true
}

// put keeps k as key's, read after changes was g: unless a change came
// between (the read may predate it).
func (b *boxes) put(g uint64, key string, k keptBoxes) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if g != b.changes.Load() {
		return
	}
	if b.m == nil || len(b.m) >= MaxBoxes {
		b.m = map[string]keptBoxes{}
	}
	b.m[key] = k
}

// drop drops the lists change c may have moved (see boxes).
func (b *boxes) drop(c news.Change) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.changes.Add(1)
	if len(b.m) == 0 {
		return
	}
	if c.All || c.Front || c.Footer || len(c.Bylines) > 0 || len(c.Pages) > 0 || len(c.Stories) == 0 {
		b.m = nil
		return
	}
	for key, k := range b.m {
		for _, id := range c.Stories {
			if !slices.Contains(k.excluded, id) {
				delete(b.m, key)
				break
			}
		}
	}
}

// excludedByAll is the stories every filter of fs excludes.
func excludedByAll(fs []news.ArticleFilter) []int64 {
	var out []int64
	for _, id := range fs[0].ExcludeIDs {
		all := true
		for _, f := range fs[1:] {
			all = all && slices.Contains(f.ExcludeIDs, id)
		}
		if all {
			out = append(out, id)
		}
	}
	return out
}

// boxesKey names the lists fs ask for, all at one PublicAt, without it;
// ok is false for lists that are not kept: a reader's lists (PublicAt)
// without bodies or totals, from their start, not bounded by date or ids.
// It is built without fmt's reflection: the front page asks for a list
// per section on every render. (TestBoxesKeyCoversTheFilter holds it to
// ArticleFilter's fields.)
func boxesKey(fs []news.ArticleFilter) (string, bool) {
	if len(fs) == 0 || fs[0].PublicAt.IsZero() {
		return "", false
	}
	b := make([]byte, 0, 32*len(fs))
	for _, f := range fs {
		if !f.PublicAt.Equal(fs[0].PublicAt) || !f.NoTotal || !f.NoBody || f.Offset != 0 || f.KnownTotal > 0 ||
			f.Status != "" || !f.PublishedFrom.IsZero() || !f.PublishedTo.IsZero() || len(f.IDs) > 0 {
			return "", false
		}
		b = strconv.AppendInt(b, f.SectionID, 10)
		b = appendIDs(append(b, '/'), f.SectionIDs)
		b = strconv.AppendInt(append(b, '/'), f.AuthorID, 10)
		b = strconv.AppendInt(append(b, '/'), f.TagID, 10)
		b = appendIDs(append(b, '/'), f.ExcludeIDs)
		b = strconv.AppendInt(append(b, '/'), f.TranslationOf, 10)
		b = append(append(b, '/'), f.Order...)
		b = strconv.AppendInt(append(b, '/'), int64(f.Limit), 10)
		b = strconv.AppendBool(append(b, '/'), f.NoMarkdown)
		b = append(b, ';')
	}
	return string(b), true
}

// appendIDs appends a set of ids in order: a set built from a map (the
// front page's stories shown above the blocks) comes in any order, and
// must name one copy.
func appendIDs(b []byte, ids []int64) []byte {
	if !slices.IsSorted(ids) {
		ids = slices.Sorted(slices.Values(ids))
	}
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return b
}
