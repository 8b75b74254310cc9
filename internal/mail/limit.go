package mail

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// limiter is a token bucket: rate tokens a second, at most burst saved up.
// One per SMTP server (host:port) in the process, however many Mailers
// send through it, since the server's limit is per client, not per caller.
type limiter struct {
	mu     sync.Mutex
	rate   float64 // tokens per second; <= 0: unlimited
	burst  float64
	tokens float64
	last   time.Time
}

var limiters sync.Map // host:port → *limiter

// limiterFor returns the process's limiter for addr, set to the latest rate
// asked for.
func limiterFor(addr string, rate float64, burst int) *limiter {
	v, _ := limiters.LoadOrStore(addr, &limiter{})
	l := v.(*limiter)
	l.mu.Lock()
	defer l.mu.Unlock()
	if burst < 1 {
		burst = 1
	}
	if l.last.IsZero() || l.rate != rate || l.burst != float64(burst) {
		l.rate, l.burst = rate, float64(burst)
		if l.last.IsZero() {
			l.tokens, l.last = float64(burst), time.Now()
		}
		l.tokens = min(l.tokens, l.burst)
	}
	return l
}

// wait takes a token, sleeping until one is there or ctx ends.
func (l *limiter) wait(ctx context.Context) error {
	for {
		d := l.reserve()
		if d <= 0 {
			return nil
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// reserve takes a token and returns 0, or returns how long until one is due.
func (l *limiter) reserve() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rate <= 0 {
		return 0
	}
	now := time.Now()
	l.tokens = min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.rate)
	l.last = now
	if l.tokens >= 1 {
		l.tokens--
		return 0
	}
	return time.Duration((1 - l.tokens) / l.rate * float64(time.Second))
}

// Backoff is the wait before retry number attempt (1 is the first retry):
// base·4^(attempt-1), capped at max, less up to a fifth at random so that
// many senders retrying the same outage do not all come back at once.
func Backoff(attempt int, base, max time.Duration) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := base
	for i := 1; i < attempt && d < max; i++ {
		d *= 4
	}
	if d > max {
		d = max
	}
	return d - time.Duration(rand.Int64N(int64(d)/5+1))
}
