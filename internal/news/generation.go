package news

import (
	"context"
	"sync"
	"time"
)

// GenerationPoll is a store's generation (Store.Generation) read at most
// once a period. The caches in front of the store (the search cache, the
// Top 10, the sitemaps' survey) ask for it on every request to tell
// whether what they keep is stale; a period's delay in seeing a change
// costs them nothing, and on PostgreSQL each read is a round trip. The
// zero value is ready to use.
type GenerationPoll struct {
	mu  sync.Mutex
	gen int64
	at  time.Time
	ok  bool
}

// Get returns the generation read within every before now, or else
// read's answer, kept from now. An every of zero or less reads each time;
// a clock that went back reads again.
func (p *GenerationPoll) Get(ctx context.Context, now time.Time, every time.Duration, read func(context.Context) (int64, error)) (int64, error) {
	p.mu.Lock()
	if p.ok && now.Sub(p.at) < every && !now.Before(p.at) {
		g := p.gen
		p.mu.Unlock()
		return g, nil
	}
	p.mu.Unlock()
	g, err := read(ctx)
	if err != nil {
		return 0, err
	}
	p.mu.Lock()
	p.gen, p.at, p.ok = g, now, true
	p.mu.Unlock()
	return g, nil
}
