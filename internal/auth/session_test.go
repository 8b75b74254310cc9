package auth_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"masthead/internal/auth"
	"masthead/internal/news"
	"masthead/internal/store/sqlite"
)

func openStore(t *testing.T) news.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "auth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestSessions(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	clock := news.NewFixedClock(time.Date(2026, 3, 22, 0, 0, 0, 0, time.UTC))
	u, err := auth.CreateUser(ctx, st, auth.NewUser{Email: "kim@example.com", Name: "Kim", Role: news.RoleReporter, Password: "a long password"})
	if err != nil {
		t.Fatal(err)
	}
	if u.AuthorID == 0 {
		t.Fatal("CreateUser made no byline")
	}
	m := auth.NewSessions(st, clock)
	tok, s, err := m.Create(ctx, u.ID, "test-agent")
	if err != nil {
		t.Fatal(err)
	}
	if s.ID == tok || strings.Contains(s.ID, tok) || s.ID != auth.HashToken(tok) {
		t.Fatal("the store holds the token, not its hash")
	}
	if _, err := st.FindSession(ctx, tok); !errors.Is(err, news.ErrNotFound) {
		t.Fatalf("session found by the raw token: %v", err)
	}
	if _, got, err := m.Lookup(ctx, tok); err != nil || got.ID != u.ID {
		t.Fatalf("Lookup = %v, %v", got, err)
	}
	for _, bad := range []string{"", "x", tok + "x", s.ID} {
		if _, _, err := m.Lookup(ctx, bad); !errors.Is(err, news.ErrUnauthorized) {
			t.Errorf("Lookup(%q) = %v, want unauthorized", bad, err)
		}
	}

	// Idle: alive at 13 days, and each use moves LastSeen.
	clock.Add(13 * 24 * time.Hour)
	if _, _, err := m.Lookup(ctx, tok); err != nil {
		t.Fatalf("13 days idle: %v", err)
	}
	clock.Add(13 * 24 * time.Hour)
	if _, _, err := m.Lookup(ctx, tok); err != nil {
		t.Fatalf("used again within 14 days: %v", err)
	}
	// Absolute: 30 days after sign-in it ends however busy.
	clock.Add(4 * 24 * time.Hour)
	if _, _, err := m.Lookup(ctx, tok); !errors.Is(err, news.ErrUnauthorized) {
		t.Fatalf("30 days after sign-in: %v", err)
	}

	tok2, _, _ := m.Create(ctx, u.ID, "phone")
	clock.Add(auth.IdleTimeout)
	if _, _, err := m.Lookup(ctx, tok2); !errors.Is(err, news.ErrUnauthorized) {
		t.Fatalf("14 days idle: %v", err)
	}

	// Revocation, listing, disabling.
	a, sa, _ := m.Create(ctx, u.ID, "a")
	clock.Add(time.Second)
	b, sb, _ := m.Create(ctx, u.ID, "b")
	other, err := auth.CreateUser(ctx, st, auth.NewUser{Email: "lee@example.com", Name: "Lee", Role: news.RoleEditor, Password: "another password"})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Revoke(ctx, other.ID, sa.ID); !errors.Is(err, news.ErrNotFound) {
		t.Fatalf("another user revoked my session: %v", err)
	}
	list, err := m.List(ctx, u.ID)
	if err != nil || len(list) != 2 || list[0].ID != sb.ID {
		t.Fatalf("List = %d sessions, %v", len(list), err)
	}
	if err := m.Revoke(ctx, u.ID, sa.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.Lookup(ctx, a); !errors.Is(err, news.ErrUnauthorized) {
		t.Fatal("revoked session still works")
	}
	off := true
	if _, err := st.UpdateUser(ctx, u.ID, news.UserUpdate{Disabled: &off}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.Lookup(ctx, b); !errors.Is(err, news.ErrUnauthorized) {
		t.Fatal("a disabled user's session still works")
	}
	if err := m.RevokeAll(ctx, u.ID, ""); err != nil {
		t.Fatal(err)
	}
	if list, _ := m.List(ctx, u.ID); len(list) != 0 {
		t.Fatalf("%d sessions after RevokeAll", len(list))
	}
	if _, err := auth.Authenticate(ctx, st, "kim@example.com", "a long password"); !errors.Is(err, news.ErrUnauthorized) {
		t.Fatal("a disabled user signed in")
	}
}

func TestEnsureAdminAndAuthenticate(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	email, pw, created, err := auth.EnsureAdmin(ctx, st)
	if err != nil || !created || email == "" || len(pw) < auth.MinPasswordLen {
		t.Fatalf("EnsureAdmin = %q, %q, %v, %v", email, pw, created, err)
	}
	if _, _, created, err := auth.EnsureAdmin(ctx, st); err != nil || created {
		t.Fatalf("second EnsureAdmin created = %v, %v", created, err)
	}
	u, err := auth.Authenticate(ctx, st, strings.ToUpper(email), pw)
	if err != nil || u.Role != news.RoleAdmin {
		t.Fatalf("Authenticate admin: %v %v", u, err)
	}
	if strings.Contains(u.PasswordHash, pw) {
		t.Fatal("password stored in clear")
	}
	for _, c := range [][2]string{{email, pw + "x"}, {"nobody@example.com", pw}, {email, ""}} {
		if _, err := auth.Authenticate(ctx, st, c[0], c[1]); !errors.Is(err, news.ErrUnauthorized) {
			t.Errorf("Authenticate(%q, %q) = %v", c[0], c[1], err)
		}
	}
	for _, nu := range []auth.NewUser{
		{Email: "not an email", Name: "X", Role: news.RoleReporter, Password: "long enough pw"},
		{Email: "x@example.com", Name: "", Role: news.RoleReporter, Password: "long enough pw"},
		{Email: "x@example.com", Name: "X", Role: "owner", Password: "long enough pw"},
		{Email: "x@example.com", Name: "X", Role: news.RoleReporter, Password: "short"},
		{Email: strings.ToUpper(email), Name: "X", Role: news.RoleReporter, Password: "long enough pw"},
	} {
		if _, err := auth.CreateUser(ctx, st, nu); err == nil {
			t.Errorf("CreateUser(%+v) accepted", nu)
		}
	}
	if us, _ := st.ListUsers(ctx); len(us) != 1 {
		t.Errorf("refused users were stored: %d users", len(us))
	}
}
