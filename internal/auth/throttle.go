package auth

import (
	"sync"
	"time"

	"masthead/internal/news"
)

// Throttle counts failed sign-ins per key (an account or a client address)
// in memory and refuses a key after Limit failures within Window. Memory is
// enough: a restart forgiving a few attempts costs little, and a shared
// table would turn every failed guess into a database write.
type Throttle struct {
	Limit  int
	Window time.Duration
	clock  news.Clock

	mu   sync.Mutex
	fail map[string][]time.Time
}

// NewThrottle returns a throttle allowing limit failures per window.
func NewThrottle(clock news.Clock, limit int, window time.Duration) *Throttle {
	if clock == nil {
		clock = news.SystemClock{}
	}
	return &Throttle{Limit: limit, Window: window, clock: clock, fail: map[string][]time.Time{}}
}

// Allow reports whether key may try again and, if not, how long until it may.
func (t *Throttle) Allow(key string) (bool, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.clock.Now()
	f := t.prune(key, now)
	if len(f) < t.Limit {
		return true, 0
	}
	return false, f[0].Add(t.Window).Sub(now)
}

// Fail records a failed attempt for key.
func (t *Throttle) Fail(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.clock.Now()
	t.fail[key] = append(t.prune(key, now), now)
	// Bound memory under a spray of addresses: drop stale keys now and then.
	if len(t.fail) > 10000 {
		for k := range t.fail {
			t.prune(k, now)
		}
	}
}

// Reset forgets key's failures (after a successful sign-in of the account).
func (t *Throttle) Reset(key string) {
	t.mu.Lock()
	delete(t.fail, key)
	t.mu.Unlock()
}

// prune drops failures older than the window; t.mu must be held.
func (t *Throttle) prune(key string, now time.Time) []time.Time {
	f := t.fail[key]
	i := 0
	for i < len(f) && !f[i].After(now.Add(-t.Window)) {
		i++
	}
	f = f[i:]
	if len(f) == 0 {
		delete(t.fail, key)
		return nil
	}
	t.fail[key] = f
	return f
}
