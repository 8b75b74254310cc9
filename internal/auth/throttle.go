package auth

import (
	"sync"
	"time"

	"masthead/internal/news"
)

// Throttle counts failed sign-ins per key (an account, an account on a
// known device, a client address) in memory. Memory is enough: a restart
// forgiving a few attempts costs little, and a shared table would turn
// every failed guess into a database write.
//
// A key has Free attempts; after that it backs off rather than locking
// out: each further attempt must wait Base after the last failure, doubling
// with every failure up to Max. Failures are forgotten Memory after they
// happened. The right password is never refused for longer than Max, and a
// guesser gets a handful of tries an hour.
//
// Begin checks and counts an attempt in one step, under the lock: an
// attempt is a failure until Succeeded says otherwise, so parallel guesses
// cannot all pass the check before any of them is counted.
type Throttle struct {
	Free   int
	Base   time.Duration
	Max    time.Duration
	Memory time.Duration
	clock  news.Clock

	mu   sync.Mutex
	fail map[string][]time.Time
}

// NewThrottle returns a throttle allowing free attempts, then backing off
// from base up to max; failures are remembered for memory.
func NewThrottle(clock news.Clock, free int, base, max, memory time.Duration) *Throttle {
	if clock == nil {
		clock = news.SystemClock{}
	}
	return &Throttle{Free: free, Base: base, Max: max, Memory: memory, clock: clock, fail: map[string][]time.Time{}}
}

// maxKeys bounds the keys remembered under a spray of made-up accounts or
// addresses; past it the stalest are dropped.
const maxKeys = 10000

// Begin reports whether key may try now and, if it may, counts the attempt
// as a failure (undone by Succeeded). If not, wait says how long until it
// may.
func (t *Throttle) Begin(key string) (ok bool, wait time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.clock.Now()
	f := t.prune(key, now)
	if next := t.nextAllowed(f); now.Before(next) {
		return false, next.Sub(now)
	}
	t.fail[key] = append(f, now)
	if len(t.fail) > maxKeys {
		for k := range t.fail {
			t.prune(k, now)
		}
	}
	return true, 0
}

// nextAllowed is when a key with failures f may try again; t.mu held.
func (t *Throttle) nextAllowed(f []time.Time) time.Time {
	over := len(f) - t.Free
	if over < 0 {
		return time.Time{}
	}
	d := t.Base
	for range over {
		d *= 2
		if d >= t.Max {
			d = t.Max
			break
		}
	}
	return f[len(f)-1].Add(min(d, t.Max))
}

// Succeeded takes back the attempt Begin counted for key, which did not
// fail. A successful sign-in of an account forgets its failures with Reset;
// a client address only gets its one attempt back.
func (t *Throttle) Succeeded(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if f := t.fail[key]; len(f) > 0 {
		if len(f) == 1 {
			delete(t.fail, key)
		} else {
			t.fail[key] = f[:len(f)-1]
		}
	}
}

// Reset forgets key's failures (after a successful sign-in of the account).
func (t *Throttle) Reset(key string) {
	t.mu.Lock()
	delete(t.fail, key)
	t.mu.Unlock()
}

// Failures is how many failures of key are remembered.
func (t *Throttle) Failures(key string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.prune(key, t.clock.Now()))
}

// prune drops failures older than Memory; t.mu must be held.
func (t *Throttle) prune(key string, now time.Time) []time.Time {
	f := t.fail[key]
	i := 0
	for i < len(f) && !f[i].After(now.Add(-t.Memory)) {
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
