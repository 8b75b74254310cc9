package newsroom

import (
	"context"
	"fmt"
	"sync"
	"time"

	"masthead/internal/news"
	"masthead/internal/workflow"
)

// Failed and throttled sign-ins come from anyone, so the rows they add to
// the audit log are bounded twice: each row is short (auditEmail), and the
// rows themselves are rate-limited — a burst of auditBurst, then one per
// auditEvery, and a throttled address is recorded once per
// auditThrottledEvery however often it knocks. What is not written is
// counted, and the next row written says how many were left out.
const (
	auditBurst          = 60
	auditEvery          = 10 * time.Second
	auditThrottledEvery = 5 * time.Minute
)

type signinAuditLimiter struct {
	mu         sync.Mutex
	tokens     float64
	at         time.Time
	throttled  map[string]time.Time // address → last signin_throttled row
	suppressed int
}

// allow reports whether a row for action from addr may be written now, and
// how many rows were left out before it.
func (l *signinAuditLimiter) allow(now time.Time, action, addr string) (ok bool, skipped int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.throttled == nil {
		l.throttled = map[string]time.Time{}
		l.tokens, l.at = auditBurst, now
	}
	l.tokens = min(auditBurst, l.tokens+now.Sub(l.at).Seconds()/auditEvery.Seconds())
	l.at = now
	if action == "signin_throttled" {
		if last, seen := l.throttled[addr]; seen && now.Sub(last) < auditThrottledEvery {
			l.suppressed++
			return false, 0
		}
	}
	if l.tokens < 1 {
		l.suppressed++
		return false, 0
	}
	l.tokens--
	if action == "signin_throttled" {
		if len(l.throttled) > 10000 {
			for a, t := range l.throttled {
				if now.Sub(t) >= auditThrottledEvery {
					delete(l.throttled, a)
				}
			}
		}
		l.throttled[addr] = now
	}
	skipped, l.suppressed = l.suppressed, 0
	return true, skipped
}

// auditSignin records an unauthenticated sign-in event, bounded as above.
func (n *Newsroom) auditSignin(ctx context.Context, u *news.User, action, email, addr string) {
	ok, skipped := n.signinAudit.allow(n.clock.Now(), action, addr)
	if !ok {
		return
	}
	detail := "email=" + auditEmail(email) + " addr=" + addr
	if skipped > 0 {
		detail += fmt.Sprintf(" (%d earlier failed or throttled sign-ins not recorded)", skipped)
	}
	_ = workflow.Audit(ctx, n.store, n.clock, u, action, 0, detail)
}
