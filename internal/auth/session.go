package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"masthead/internal/news"
)

// CookieName is the newsroom session cookie.
const CookieName = "masthead_session"

// Session lifetimes: a session ends after IdleTimeout without a request or
// AbsoluteTimeout after sign-in, whichever comes first.
const (
	IdleTimeout     = 14 * 24 * time.Hour
	AbsoluteTimeout = 30 * 24 * time.Hour
	// touchEvery limits LastSeen writes to one a minute per session, so a
	// busy editor does not turn every page view into an UPDATE.
	touchEvery = time.Minute
)

// Sessions creates, finds and ends server-side sessions. The browser holds a
// random token; the store holds only its SHA-256, so a leaked database or
// backup cannot be replayed as cookies.
type Sessions struct {
	Store SessionStore
	Clock news.Clock
}

// SessionStore is what sessions need of the store.
type SessionStore interface {
	news.SessionStore
	news.UserReader
}

// NewSessions returns a session manager over st.
func NewSessions(st SessionStore, clock news.Clock) *Sessions {
	if clock == nil {
		clock = news.SystemClock{}
	}
	return &Sessions{Store: st, Clock: clock}
}

// HashToken is the store ID of a session token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Create starts a session for userID and returns the token to put in the
// cookie (never stored) and the stored session.
func (m *Sessions) Create(ctx context.Context, userID int64, userAgent string) (string, *news.Session, error) {
	now := m.Clock.Now()
	token := randomToken(32)
	if len(userAgent) > 200 {
		userAgent = userAgent[:200]
	}
	s := &news.Session{
		ID:        HashToken(token),
		UserID:    userID,
		CSRFToken: randomToken(32),
		CreatedAt: now,
		ExpiresAt: now.Add(AbsoluteTimeout),
		LastSeen:  now,
		UserAgent: userAgent,
	}
	if err := m.Store.CreateSession(ctx, s); err != nil {
		return "", nil, fmt.Errorf("create session: %w", err)
	}
	return token, s, nil
}

// Lookup returns the live session for a cookie token and its user. An
// expired, idle, unknown or disabled-user session is news.ErrUnauthorized
// (and an expired one is deleted).
func (m *Sessions) Lookup(ctx context.Context, token string) (*news.Session, *news.User, error) {
	if token == "" || len(token) > 100 {
		return nil, nil, news.ErrUnauthorized
	}
	id := HashToken(token)
	s, err := m.Store.FindSession(ctx, id)
	if errors.Is(err, news.ErrNotFound) {
		return nil, nil, news.ErrUnauthorized
	} else if err != nil {
		return nil, nil, fmt.Errorf("find session: %w", err)
	}
	now := m.Clock.Now()
	if !now.Before(s.ExpiresAt) || !now.Before(s.LastSeen.Add(IdleTimeout)) {
		_ = m.Store.DeleteSession(ctx, id)
		return nil, nil, news.ErrUnauthorized
	}
	u, err := m.Store.FindUserByID(ctx, s.UserID)
	if errors.Is(err, news.ErrNotFound) {
		_ = m.Store.DeleteSession(ctx, id)
		return nil, nil, news.ErrUnauthorized
	} else if err != nil {
		return nil, nil, fmt.Errorf("find session user: %w", err)
	}
	if u.Disabled {
		return nil, nil, news.ErrUnauthorized
	}
	if now.Sub(s.LastSeen) >= touchEvery {
		if err := m.Store.TouchSession(ctx, id, now); err != nil {
			return nil, nil, fmt.Errorf("touch session: %w", err)
		}
		s.LastSeen = now
	}
	return s, u, nil
}

// Revoke ends one session of userID. Another user's session is
// news.ErrNotFound, so nobody can end (or probe) sessions that are not theirs.
func (m *Sessions) Revoke(ctx context.Context, userID int64, id string) error {
	s, err := m.Store.FindSession(ctx, id)
	if err != nil {
		return err
	}
	if s.UserID != userID {
		return news.Errorf(news.ENOTFOUND, "No such session.")
	}
	return m.Store.DeleteSession(ctx, id)
}

// RevokeAll ends every session of userID except the one with ID except
// (pass "" to end them all): after a password change, a reset or disabling.
func (m *Sessions) RevokeAll(ctx context.Context, userID int64, except string) error {
	ss, err := m.Store.ListSessions(ctx, userID)
	if err != nil {
		return fmt.Errorf("list sessions: %w", err)
	}
	for _, s := range ss {
		if s.ID == except {
			continue
		}
		if err := m.Store.DeleteSession(ctx, s.ID); err != nil && !errors.Is(err, news.ErrNotFound) {
			return fmt.Errorf("delete session: %w", err)
		}
	}
	return nil
}

// List returns the live sessions of userID, newest first.
func (m *Sessions) List(ctx context.Context, userID int64) ([]*news.Session, error) {
	ss, err := m.Store.ListSessions(ctx, userID)
	if err != nil {
		return nil, err
	}
	now := m.Clock.Now()
	out := ss[:0]
	for _, s := range ss {
		if now.Before(s.ExpiresAt) && now.Before(s.LastSeen.Add(IdleTimeout)) {
			out = append(out, s)
		}
	}
	return out, nil
}

// ValidCSRF reports whether token is the session's CSRF token, in constant
// time.
func ValidCSRF(s *news.Session, token string) bool {
	if s == nil || s.CSRFToken == "" || token == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(s.CSRFToken), []byte(token)) == 1
}

// SetCookie puts the session token in the browser: HttpOnly (no script can
// read it), SameSite=Lax (no cross-site POST carries it), scoped to
// /newsroom, and Secure when served over TLS.
func SetCookie(w http.ResponseWriter, token string, expires time.Time, secure bool) {
	http.SetCookie(w, &http.Cookie{
		Name:     CookieName,
		Value:    token,
		Path:     "/newsroom",
		Expires:  expires,
		MaxAge:   int(AbsoluteTimeout / time.Second),
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
	})
}

// ClearCookie removes the session cookie.
func ClearCookie(w http.ResponseWriter, secure bool) {
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: "", Path: "/newsroom", MaxAge: -1,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
	})
}
