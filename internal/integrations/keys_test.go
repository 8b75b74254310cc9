package integrations_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"masthead/internal/httpx"
	"masthead/internal/integrations"
	"masthead/internal/news"
	"masthead/internal/store/sqlite"
)

type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

func openStore(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Ghost's clients refuse a key that is not 26 hex characters before they
// send it (/[0-9a-f]{26}/ in @tryghost/content-api).
func TestKeyForms(t *testing.T) {
	ghost := regexp.MustCompile(`^[0-9a-f]{26}$`)
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		ck, ak := integrations.NewContentKey(), integrations.NewAdminKey()
		if !ghost.MatchString(ck) || integrations.KindOf(ck) != news.KeyContent {
			t.Fatalf("content key %q", ck)
		}
		if integrations.KindOf(ak) != news.KeyAdmin || integrations.KindOf(ak[:len(ak)-1]) != "" {
			t.Fatalf("admin key %q", ak)
		}
		if seen[ck] || seen[ak] {
			t.Fatal("a key came out twice")
		}
		seen[ck], seen[ak] = true, true
	}
}

func TestGate(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	clk := &clock{t: time.Date(2026, 3, 22, 9, 0, 0, 0, time.UTC)}
	cr, err := integrations.Create(ctx, st, "Front end", []news.Scope{news.ScopeContentRead}, 3, clk.t)
	if err != nil {
		t.Fatal(err)
	}
	g := integrations.NewGate(st, clk, nil)
	c, err := g.Check(ctx, cr.ContentKey, news.KeyContent, news.ScopeContentRead)
	if err != nil || c.Integration.ID != cr.Integration.ID {
		t.Fatalf("Check(content key) = %v, %v", c, err)
	}
	// The admin key is no content key, and this integration may not write.
	if _, err := g.Check(ctx, cr.AdminKey, news.KeyContent, news.ScopeContentRead); !errors.Is(err, news.ErrUnauthorized) {
		t.Errorf("admin key as content key: %v", err)
	}
	if _, err := g.Check(ctx, cr.AdminKey, news.KeyAdmin, news.ScopeStoriesWrite); !errors.Is(err, news.ErrForbidden) {
		t.Errorf("admin key without stories:write: %v", err)
	}
	if _, err := g.Check(ctx, integrations.NewContentKey(), news.KeyContent, news.ScopeContentRead); !errors.Is(err, news.ErrUnauthorized) {
		t.Errorf("unknown key: %v", err)
	}
	// A limit of 3 a minute: the burst is 3, then 20 s per request.
	g.Check(ctx, cr.ContentKey, news.KeyContent, news.ScopeContentRead)
	g.Check(ctx, cr.ContentKey, news.KeyContent, news.ScopeContentRead)
	_, err = g.Check(ctx, cr.ContentKey, news.KeyContent, news.ScopeContentRead)
	var le *integrations.LimitError
	if !errors.As(err, &le) || le.RetryAfter != 20*time.Second || httpx.StatusOf(err) != http.StatusTooManyRequests {
		t.Fatalf("fourth call in a minute: %v (status %d)", err, httpx.StatusOf(err))
	}
	clk.t = clk.t.Add(20 * time.Second)
	if _, err := g.Check(ctx, cr.ContentKey, news.KeyContent, news.ScopeContentRead); err != nil {
		t.Fatalf("after the wait: %v", err)
	}
	if err := g.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	in, _ := st.FindIntegrationByID(ctx, cr.Integration.ID)
	var content *news.APIKey
	for _, k := range in.Keys {
		if k.Kind == news.KeyContent {
			content = k
		}
	}
	if !content.LastUsedAt.Equal(clk.t) {
		t.Errorf("last used %v, want %v", content.LastUsedAt, clk.t)
	}
	calls, _ := st.ListIntegrationCalls(ctx, in.ID, 10)
	if len(calls) != 1 || calls[0].Calls != 4 {
		t.Fatalf("counted calls = %+v, want one hour with the 4 let through", calls)
	}
	// Rotation: the old key stops at once, the new one works.
	clk.t = clk.t.Add(time.Hour)
	nk, err := integrations.Rotate(ctx, st, in.ID, news.KeyContent, clk.t)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Check(ctx, cr.ContentKey, news.KeyContent, news.ScopeContentRead); !errors.Is(err, news.ErrUnauthorized) {
		t.Errorf("rotated-out key: %v", err)
	}
	if _, err := g.Check(ctx, nk, news.KeyContent, news.ScopeContentRead); err != nil {
		t.Errorf("new key: %v", err)
	}
	if err := st.RevokeIntegration(ctx, in.ID, clk.t); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Check(ctx, nk, news.KeyContent, news.ScopeContentRead); !errors.Is(err, news.ErrUnauthorized) {
		t.Errorf("key of a revoked integration: %v", err)
	}
}
