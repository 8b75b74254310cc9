package newsroom

import (
	"net/http"
	"sync"
	"time"

	"masthead/internal/httpx"
)

// Rendering Markdown is bounded per body (internal/content's limits), but
// a writer sending previews back to back could still keep a core busy. The
// gate lets each user run one render at a time and spend, on average, at
// most half a core on them: a burst of up to renderBurst of render time,
// paid back at half a second per second.
const (
	renderBurst   = 3 * time.Second
	renderPayback = 2 // seconds of clock per second of render time
)

type renderGate struct {
	mu    sync.Mutex
	users map[int64]*renderAccount
	now   func() time.Time
}

type renderAccount struct {
	busy bool
	debt time.Duration // render time not yet paid back
	at   time.Time     // when debt was last brought up to date
}

func newRenderGate(now func() time.Time) *renderGate {
	return &renderGate{users: map[int64]*renderAccount{}, now: now}
}

// acquire reserves user's render slot; ok is false while another render of
// theirs runs or their debt is over the burst. release records what the
// render cost.
func (g *renderGate) acquire(user int64) (release func(cost time.Duration), ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	a := g.users[user]
	if a == nil {
		a = &renderAccount{at: now}
		g.users[user] = a
	}
	a.debt = max(0, a.debt-now.Sub(a.at)/renderPayback)
	a.at = now
	if a.busy || a.debt >= renderBurst {
		return nil, false
	}
	a.busy = true
	return func(cost time.Duration) {
		g.mu.Lock()
		defer g.mu.Unlock()
		a.busy = false
		a.debt += cost
		// Forget accounts that are paid up, so the map stays small.
		if len(g.users) > 1000 {
			for id, o := range g.users {
				if !o.busy && o.debt-g.now().Sub(o.at)/renderPayback <= 0 {
					delete(g.users, id)
				}
			}
		}
	}, true
}

// gated runs h (a handler that renders Markdown) inside the user's render
// slot, and answers 429 when the user has none free.
func (n *Newsroom) gated(h handler) handler {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		release, ok := n.renders.acquire(c.user.ID)
		if !ok {
			w.Header().Set("Retry-After", "2")
			return httpx.Status(http.StatusTooManyRequests,
				"You are sending previews and saves faster than they can be made. Wait a moment and try again.")
		}
		start := time.Now()
		defer func() { release(time.Since(start)) }()
		return h(w, r, c)
	}
}
