// Package searchcache keeps recent search answers. A search costs 11–18 ms
// of CPU on a 100,000-story archive and the page cache does not keep search
// pages (their query strings are anyone's to vary); readers repeat the same
// few queries (a name in the news), and a flood of one query should cost
// one search, not one per request.
//
// Store wraps a news.Store: SearchArticles answers come from the cache
// while the store's generation (bumped by every visible change, from any
// node) is the one they were computed at and they are younger than TTL,
// which bounds what time alone changes (an embargo that ends). Every other
// method is the wrapped store's.
package searchcache

import (
	"container/list"
	"context"
	"sync"
	"time"

	"masthead/internal/news"
)

// Config tunes a Store; zero values take the defaults.
type Config struct {
	// Entries bounds the answers kept; 256 when zero. A hit is about 1 KB
	// (stories are kept without their bodies), a page of 20 about 20 KB.
	Entries int
	// TTL bounds an answer's age; 1 minute when zero.
	TTL time.Duration
	// GenPoll is how often Store.Generation is read; 1 s when zero
	// (negative: every search).
	GenPoll time.Duration
}

// Store is a news.Store whose SearchArticles answers are cached.
type Store struct {
	news.Store
	cfg Config

	mu  sync.Mutex
	lru *list.List // of *entry, most recent first
	m   map[key]*list.Element
	gen news.GenerationPoll
}

type key struct {
	text            string
	section, author int64
	from, to        int64 // UnixNano, 0 for none
	order           string
	offset, limit   int
}

type entry struct {
	k     key
	gen   int64
	at    time.Time
	hits  []news.SearchHit
	total int
}

// New wraps st.
func New(st news.Store, cfg Config) *Store {
	if cfg.Entries <= 0 {
		cfg.Entries = 256
	}
	if cfg.TTL <= 0 {
		cfg.TTL = time.Minute
	}
	if cfg.GenPoll == 0 {
		cfg.GenPoll = time.Second
	}
	return &Store{Store: st, cfg: cfg, lru: list.New(), m: map[key]*list.Element{}}
}

func keyOf(q news.SearchQuery) key {
	k := key{text: q.Text, section: q.SectionID, author: q.AuthorID, order: q.Order, offset: q.Offset, limit: q.Limit}
	if !q.From.IsZero() {
		k.from = q.From.UnixNano()
	}
	if !q.To.IsZero() {
		k.to = q.To.UnixNano()
	}
	return k
}

// SearchArticles answers from the cache when it can. The stories come
// without BodyHTML and BodyMarkdown, cached or not. Only reader searches
// (PublicAt set) are cached: the newsroom's see drafts change with every
// save.
func (s *Store) SearchArticles(ctx context.Context, q news.SearchQuery) ([]news.SearchHit, int, error) {
	if q.PublicAt.IsZero() {
		return s.Store.SearchArticles(ctx, q)
	}
	gen, err := s.generation(ctx)
	if err != nil {
		return nil, 0, err
	}
	k := keyOf(q)
	now := time.Now()
	s.mu.Lock()
	if el, ok := s.m[k]; ok {
		e := el.Value.(*entry)
		if e.gen == gen && now.Sub(e.at) < s.cfg.TTL {
			s.lru.MoveToFront(el)
			hits, total := e.hits, e.total
			s.mu.Unlock()
			return publicHits(hits, q.PublicAt), total, nil
		}
		s.lru.Remove(el)
		delete(s.m, k)
	}
	s.mu.Unlock()

	hits, total, err := s.Store.SearchArticles(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	// The stories come without their bodies (news.ArticleSearcher), so
	// what is kept is the snippets and cards the page shows. The answer
	// is shared with every caller that gets it from here: they only read.
	s.mu.Lock()
	if _, ok := s.m[k]; !ok {
		s.m[k] = s.lru.PushFront(&entry{k: k, gen: gen, at: now, hits: hits, total: total})
		for s.lru.Len() > s.cfg.Entries {
			old := s.lru.Remove(s.lru.Back()).(*entry)
			delete(s.m, old.k)
		}
	}
	s.mu.Unlock()
	return hits, total, nil
}

// publicHits drops, from a cached answer, a story that is no longer public
// at t (its publication time is a bound the cache cannot know of).
func publicHits(hits []news.SearchHit, t time.Time) []news.SearchHit {
	out := make([]news.SearchHit, 0, len(hits))
	for _, h := range hits {
		if h.Article == nil || h.Article.IsPublicAt(t) {
			out = append(out, h)
		}
	}
	return out
}

// generation returns the store's generation, read at most once per GenPoll.
func (s *Store) generation(ctx context.Context) (int64, error) {
	return s.gen.Get(ctx, time.Now(), s.cfg.GenPoll, s.Store.Generation)
}
