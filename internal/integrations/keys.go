// Package integrations lets other programs in: it makes an integration's
// keys (shown once, stored as their SHA-256), checks a request's key against
// the store, holds each key to its rate limit, records when keys were last
// used and audits every call under the integration's name. The Content API
// (internal/ghostapi) and the Admin API (internal/adminapi) both ask it who
// is calling.
package integrations

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"masthead/internal/httpx"
	"masthead/internal/news"
)

// Key forms. A content key is 26 lower-case hex characters: the form Ghost's
// Content API clients check before they send one. An admin key is the
// prefix and 48 hex characters (192 random bits); the prefix lets secret
// scanners and people tell it for what it is.
const (
	ContentKeyLen  = 26
	AdminKeyPrefix = "mhk_"
	adminKeyHex    = 48
)

// NewContentKey returns a fresh content key (104 random bits).
func NewContentKey() string { return randHex(ContentKeyLen) }

// NewAdminKey returns a fresh admin key.
func NewAdminKey() string { return AdminKeyPrefix + randHex(adminKeyHex) }

func randHex(n int) string {
	b := make([]byte, (n+1)/2)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return hex.EncodeToString(b)[:n]
}

// Hash is what the store keeps of a key.
func Hash(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])
}

// hint is the last four characters, for telling keys apart on a page.
func hint(key string) string { return key[len(key)-4:] }

// KindOf tells which kind of key s looks like ("" for neither).
func KindOf(s string) news.KeyKind {
	switch {
	case len(s) == ContentKeyLen && isHex(s):
		return news.KeyContent
	case strings.HasPrefix(s, AdminKeyPrefix) && len(s) == len(AdminKeyPrefix)+adminKeyHex && isHex(s[len(AdminKeyPrefix):]):
		return news.KeyAdmin
	}
	return ""
}

func isHex(s string) bool {
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Created is a new integration and its keys, which exist only here: the
// store has their hashes.
type Created struct {
	Integration *news.Integration
	ContentKey  string
	AdminKey    string
}

// Create makes an integration with a content key and an admin key. The
// content key answers only if the integration has content:read; the admin
// key only for its other scopes.
func Create(ctx context.Context, st news.IntegrationWriter, name string, scopes []news.Scope, rateLimit int, now time.Time) (*Created, error) {
	in := &news.Integration{Name: strings.TrimSpace(name), Scopes: scopes, RateLimit: rateLimit, CreatedAt: now}
	ck, ak := NewContentKey(), NewAdminKey()
	keys := []*news.APIKey{
		{Kind: news.KeyContent, Hash: Hash(ck), Hint: hint(ck), CreatedAt: now},
		{Kind: news.KeyAdmin, Hash: Hash(ak), Hint: hint(ak), CreatedAt: now},
	}
	if err := st.CreateIntegration(ctx, in, keys); err != nil {
		return nil, err
	}
	return &Created{Integration: in, ContentKey: ck, AdminKey: ak}, nil
}

// Rotate gives the integration a new key of kind and revokes its old ones
// of that kind, in one transaction; it returns the new key.
func Rotate(ctx context.Context, st news.IntegrationWriter, integrationID int64, kind news.KeyKind, now time.Time) (string, error) {
	var key string
	switch kind {
	case news.KeyContent:
		key = NewContentKey()
	case news.KeyAdmin:
		key = NewAdminKey()
	default:
		return "", news.Errorf(news.EINVALID, "unknown key kind %q", kind)
	}
	k := &news.APIKey{IntegrationID: integrationID, Kind: kind, Hash: Hash(key), Hint: hint(key), CreatedAt: now}
	if err := st.AddAPIKey(ctx, k, true); err != nil {
		return "", err
	}
	return key, nil
}

// Caller is who made a request: the integration and the key it used.
type Caller struct {
	Integration *news.Integration
	Key         *news.APIKey
}

// Gate checks keys, limits their rate and records their use. One per node.
type Gate struct {
	store news.IntegrationStore
	clock news.Clock
	log   *slog.Logger

	mu      sync.Mutex
	buckets map[int64]*bucket
	uses    map[int64]*news.KeyUse
}

// NewGate returns a Gate over st; Run flushes what it records.
func NewGate(st news.IntegrationStore, clock news.Clock, log *slog.Logger) *Gate {
	if clock == nil {
		clock = news.SystemClock{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Gate{store: st, clock: clock, log: log, buckets: map[int64]*bucket{}, uses: map[int64]*news.KeyUse{}}
}

// ErrUnknownKey is the answer for a key that is not one of ours, or is
// revoked: the same answer for both, so a stolen revoked key learns nothing.
var ErrUnknownKey = news.Errorf(news.EUNAUTHORIZED, "Unknown API key.")

// LimitError is a key over its rate limit. It answers 429 through httpx;
// RetryAfter says when the next request will be let through.
type LimitError struct{ RetryAfter time.Duration }

func (e *LimitError) Error() string { return "rate limit exceeded" }

// Unwrap gives the HTTP condition, so httpx.ProblemOf answers 429.
func (e *LimitError) Unwrap() error {
	return &httpx.StatusError{Status: http.StatusTooManyRequests,
		Message: fmt.Sprintf("This key is over its rate limit. Try again in %d s.", retrySeconds(e.RetryAfter))}
}

func retrySeconds(d time.Duration) int { return max(1, int((d+time.Second-1)/time.Second)) }

// SetRetryAfter sets the Retry-After header when err is a LimitError.
func SetRetryAfter(w http.ResponseWriter, err error) {
	var le *LimitError
	if errors.As(err, &le) {
		w.Header().Set("Retry-After", fmt.Sprint(retrySeconds(le.RetryAfter)))
	}
}

// Check finds the caller of key, which must be of kind and allow scope: an
// unknown, revoked or wrong-kind key is ErrUnknownKey, a missing scope
// EFORBIDDEN, a key over its rate a *LimitError. Content reads are counted;
// admin calls are audited one by one by the caller (Audit). A known key
// refused for its scope or its rate comes back with its Caller, so the
// refusal can be audited too.
func (g *Gate) Check(ctx context.Context, key string, kind news.KeyKind, scopes ...news.Scope) (*Caller, error) {
	if KindOf(key) != kind {
		return nil, ErrUnknownKey
	}
	k, in, err := g.store.FindAPIKey(ctx, Hash(key))
	if errors.Is(err, news.ErrNotFound) {
		return nil, ErrUnknownKey
	} else if err != nil {
		return nil, err
	}
	if k.Kind != kind || !k.Active() || !in.Active() {
		return nil, ErrUnknownKey
	}
	caller := &Caller{Integration: in, Key: k}
	if !slices.ContainsFunc(scopes, in.Has) {
		return caller, news.Errorf(news.EFORBIDDEN, "This integration does not have the %s scope.", news.JoinScopes(scopes))
	}
	now := g.clock.Now()
	if wait := g.take(k.ID, in.Limit(), now); wait > 0 {
		return caller, &LimitError{RetryAfter: wait}
	}
	g.mu.Lock()
	u := g.uses[k.ID]
	if u == nil {
		u = &news.KeyUse{KeyID: k.ID, IntegrationID: in.ID, Name: in.Name}
		g.uses[k.ID] = u
	}
	if now.After(u.At) {
		u.At = now
	}
	if kind == news.KeyContent {
		u.Calls++
	}
	g.mu.Unlock()
	return caller, nil
}

// Audit records one call of an admin key. It is written at once: an
// audited write must be in the log even if the node dies after it.
func (g *Gate) Audit(ctx context.Context, c *Caller, r *http.Request, status int, articleID int64, detail string) {
	route := r.Pattern
	if route == "" {
		route = r.Method + " " + r.URL.Path
	}
	err := g.store.AddIntegrationCall(context.WithoutCancel(ctx), &news.IntegrationCall{
		IntegrationID: c.Integration.ID, Name: c.Integration.Name, KeyID: c.Key.ID, Method: r.Method, Route: route,
		Status: status, ArticleID: articleID, Detail: detail, CreatedAt: g.clock.Now(),
	})
	if err != nil {
		g.log.ErrorContext(ctx, "audit integration call", "integration", c.Integration.Name, "err", err)
	}
}

// Run writes recorded key use every interval until ctx ends, then once
// more.
func (g *Gate) Run(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		interval = 10 * time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return g.Flush(context.WithoutCancel(ctx))
		case <-t.C:
			if err := g.Flush(ctx); err != nil {
				g.log.Warn("record API key use", "err", err)
			}
			g.sweep(g.clock.Now())
		}
	}
}

// Flush writes the recorded use now. On failure the use is kept for the
// next flush.
func (g *Gate) Flush(ctx context.Context) error {
	g.mu.Lock()
	uses := make([]news.KeyUse, 0, len(g.uses))
	for _, u := range g.uses {
		uses = append(uses, *u)
	}
	g.uses = map[int64]*news.KeyUse{}
	g.mu.Unlock()
	if err := g.store.RecordKeyUse(ctx, uses); err != nil {
		g.mu.Lock()
		for _, u := range uses {
			if cur := g.uses[u.KeyID]; cur != nil {
				cur.Calls += u.Calls
				if u.At.After(cur.At) {
					cur.At = u.At
				}
			} else {
				u := u
				g.uses[u.KeyID] = &u
			}
		}
		g.mu.Unlock()
		return err
	}
	return nil
}

// bucket is a token bucket: limit tokens a minute, at most limit held.
type bucket struct {
	tokens float64
	at     time.Time
}

// take spends a token of key's bucket, or says how long until one is there.
func (g *Gate) take(keyID int64, limit int, now time.Time) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	b := g.buckets[keyID]
	rate := float64(limit) / 60 // tokens per second
	if b == nil {
		b = &bucket{tokens: float64(limit), at: now}
		g.buckets[keyID] = b
	}
	if el := now.Sub(b.at).Seconds(); el > 0 {
		b.tokens = min(float64(limit), b.tokens+el*rate)
		b.at = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return 0
	}
	return time.Duration((1 - b.tokens) / rate * float64(time.Second))
}

// sweep forgets buckets that have been full for a while.
func (g *Gate) sweep(now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for id, b := range g.buckets {
		if now.Sub(b.at) > 5*time.Minute {
			delete(g.buckets, id)
		}
	}
}
