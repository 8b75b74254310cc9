package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"masthead/internal/news"
)

func keyHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func testIntegrations(t *testing.T, open func(t *testing.T) news.Store) {
	t.Run("CreateFindRotateRevoke", func(t *testing.T) {
		f := newFixture(t, open)
		g0, _ := f.s.Generation(f.ctx)
		in := &news.Integration{Name: "Wire desk", Scopes: []news.Scope{news.ScopeContentRead, news.ScopeStoriesWrite}, RateLimit: 120}
		content := &news.APIKey{Kind: news.KeyContent, Hash: keyHash("c1"), Hint: "c1c1"}
		admin := &news.APIKey{Kind: news.KeyAdmin, Hash: keyHash("a1"), Hint: "a1a1"}
		noErr(t, "CreateIntegration", f.s.CreateIntegration(f.ctx, in, []*news.APIKey{content, admin}))
		if in.ID == 0 || content.ID == 0 || admin.ID == 0 || content.IntegrationID != in.ID || in.CreatedAt.IsZero() {
			t.Fatalf("ids not set: %+v %+v %+v", in, content, admin)
		}
		if g1, _ := f.s.Generation(f.ctx); g1 != g0 {
			t.Errorf("an integration moved the generation %d → %d: readers see nothing of it", g0, g1)
		}
		got, err := f.s.FindIntegrationByID(f.ctx, in.ID)
		noErr(t, "FindIntegrationByID", err)
		if got.Name != "Wire desk" || news.JoinScopes(got.Scopes) != "content:read,stories:write" || got.RateLimit != 120 || len(got.Keys) != 2 {
			t.Fatalf("found %+v with %d keys", got, len(got.Keys))
		}
		k, gi, err := f.s.FindAPIKey(f.ctx, keyHash("a1"))
		noErr(t, "FindAPIKey", err)
		if k.ID != admin.ID || k.Kind != news.KeyAdmin || k.Hint != "a1a1" || gi.ID != in.ID || gi.Name != "Wire desk" || !gi.Has(news.ScopeStoriesWrite) || !k.Active() {
			t.Fatalf("FindAPIKey = %+v, %+v", k, gi)
		}
		_, _, err = f.s.FindAPIKey(f.ctx, keyHash("nope"))
		wantErr(t, "FindAPIKey(unknown)", err, news.ErrNotFound)

		// The same key twice is a clash (a 256-bit collision is not
		// going to happen; a bug storing one key twice might).
		err = f.s.AddAPIKey(f.ctx, &news.APIKey{IntegrationID: in.ID, Kind: news.KeyAdmin, Hash: keyHash("a1")}, false)
		wantErr(t, "AddAPIKey(duplicate hash)", err, news.ErrConflict)

		// Rotation: a new admin key replaces the old one; the content key stays.
		admin2 := &news.APIKey{IntegrationID: in.ID, Kind: news.KeyAdmin, Hash: keyHash("a2"), Hint: "a2a2", CreatedAt: T0}
		noErr(t, "AddAPIKey(rotate)", f.s.AddAPIKey(f.ctx, admin2, true))
		k, _, _ = f.s.FindAPIKey(f.ctx, keyHash("a1"))
		if k.Active() {
			t.Error("the rotated-out admin key is still active")
		}
		sameTime(t, "revoked_at of the old key", k.RevokedAt, T0)
		if k, _, _ = f.s.FindAPIKey(f.ctx, keyHash("c1")); !k.Active() {
			t.Error("rotating the admin key revoked the content key")
		}
		if k, _, _ = f.s.FindAPIKey(f.ctx, keyHash("a2")); !k.Active() || k.ID != admin2.ID {
			t.Errorf("new key: %+v", k)
		}

		noErr(t, "RevokeAPIKey", f.s.RevokeAPIKey(f.ctx, content.ID, T0.Add(time.Hour)))
		if k, _, _ = f.s.FindAPIKey(f.ctx, keyHash("c1")); k.Active() {
			t.Error("revoked content key is active")
		}
		wantErr(t, "RevokeAPIKey(missing)", f.s.RevokeAPIKey(f.ctx, 987654, T0), news.ErrNotFound)

		in.Name, in.Scopes = "AP wire", []news.Scope{news.ScopeStoriesWrite}
		noErr(t, "UpdateIntegration", f.s.UpdateIntegration(f.ctx, in))
		noErr(t, "RevokeIntegration", f.s.RevokeIntegration(f.ctx, in.ID, T0.Add(2*time.Hour)))
		got, _ = f.s.FindIntegrationByID(f.ctx, in.ID)
		if got.Active() || got.Name != "AP wire" || len(got.Scopes) != 1 {
			t.Errorf("after revoke: %+v", got)
		}
		for _, k := range got.Keys {
			if k.Active() {
				t.Errorf("key %d of a revoked integration is active", k.ID)
			}
		}
		err = f.s.AddAPIKey(f.ctx, &news.APIKey{IntegrationID: in.ID, Kind: news.KeyAdmin, Hash: keyHash("a3")}, false)
		wantErr(t, "AddAPIKey(revoked integration)", err, news.ErrInvalid)
		wantErr(t, "FindIntegrationByID(missing)", func() error { _, err := f.s.FindIntegrationByID(f.ctx, 987654); return err }(), news.ErrNotFound)
	})

	t.Run("Validation", func(t *testing.T) {
		f := newFixture(t, open)
		for _, in := range []*news.Integration{
			{Name: "", Scopes: []news.Scope{news.ScopeContentRead}},
			{Name: "x", Scopes: nil},
			{Name: "x", Scopes: []news.Scope{"stories:delete"}},
			{Name: "x", Scopes: []news.Scope{news.ScopeContentRead}, RateLimit: -1},
		} {
			wantErr(t, fmt.Sprintf("CreateIntegration(%+v)", in), f.s.CreateIntegration(f.ctx, in, nil), news.ErrInvalid)
		}
		in := &news.Integration{Name: "ok", Scopes: []news.Scope{news.ScopeContentRead}}
		err := f.s.CreateIntegration(f.ctx, in, []*news.APIKey{{Kind: "root", Hash: keyHash("x")}})
		wantErr(t, "CreateIntegration(bad key kind)", err, news.ErrInvalid)
		list, err := f.s.ListIntegrations(f.ctx)
		noErr(t, "ListIntegrations", err)
		if len(list) != 0 {
			t.Errorf("refused integrations were stored: %d", len(list))
		}
	})

	t.Run("UseAndAudit", func(t *testing.T) {
		f := newFixture(t, open)
		in := &news.Integration{Name: "Front end", Scopes: []news.Scope{news.ScopeContentRead}}
		k := &news.APIKey{Kind: news.KeyContent, Hash: keyHash("fe")}
		noErr(t, "CreateIntegration", f.s.CreateIntegration(f.ctx, in, []*news.APIKey{k}))
		use := func(at time.Time, calls int64) {
			t.Helper()
			noErr(t, "RecordKeyUse", f.s.RecordKeyUse(f.ctx, []news.KeyUse{{KeyID: k.ID, IntegrationID: in.ID, Name: in.Name, At: at, Calls: calls}}))
		}
		use(T0.Add(10*time.Minute), 5)
		use(T0.Add(20*time.Minute), 7)
		use(T0.Add(5*time.Minute), 1) // a slower node's older flush
		use(T0.Add(70*time.Minute), 2)
		got, _, _ := f.s.FindAPIKey(f.ctx, k.Hash)
		sameTime(t, "LastUsedAt", got.LastUsedAt, T0.Add(70*time.Minute))
		calls, err := f.s.ListIntegrationCalls(f.ctx, in.ID, 10)
		noErr(t, "ListIntegrationCalls", err)
		if len(calls) != 2 || calls[0].Calls != 2 || calls[1].Calls != 13 || calls[1].Name != "Front end" {
			t.Fatalf("counted hours = %+v", calls)
		}
		c := &news.IntegrationCall{IntegrationID: in.ID, Name: in.Name, KeyID: k.ID, Method: "POST", Route: "POST /api/admin/v1/stories",
			Status: 201, ArticleID: 7, CreatedAt: T0.Add(3 * time.Hour)}
		noErr(t, "AddIntegrationCall", f.s.AddIntegrationCall(f.ctx, c))
		calls, _ = f.s.ListIntegrationCalls(f.ctx, 0, 1)
		if len(calls) != 1 || calls[0].ID != c.ID || calls[0].Route != c.Route || calls[0].Status != 201 || calls[0].ArticleID != 7 || calls[0].Calls != 1 {
			t.Fatalf("latest call = %+v", calls)
		}
	})

	// Inside a command (the newsroom's, with its audit row): what the
	// command rolls back stays as it was; what it commits is there, and
	// records no change readers would see.
	t.Run("InATransaction", func(t *testing.T) {
		f := newFixture(t, open)
		in := &news.Integration{Name: "Front end", Scopes: []news.Scope{news.ScopeContentRead}}
		k := &news.APIKey{Kind: news.KeyContent, Hash: keyHash("tx1")}
		noErr(t, "CreateIntegration", f.s.CreateIntegration(f.ctx, in, []*news.APIKey{k}))
		g0, _ := f.s.Generation(f.ctx)
		boom := errors.New("the audit row could not be written")
		err := f.s.Update(f.ctx, func(tx news.Tx) error {
			if err := tx.CreateIntegration(f.ctx, &news.Integration{Name: "Rolled back", Scopes: []news.Scope{news.ScopeContentRead}},
				[]*news.APIKey{{Kind: news.KeyContent, Hash: keyHash("tx2")}}); err != nil {
				return err
			}
			if err := tx.AddAPIKey(f.ctx, &news.APIKey{IntegrationID: in.ID, Kind: news.KeyContent, Hash: keyHash("tx3")}, true); err != nil {
				return err
			}
			if err := tx.RevokeAPIKey(f.ctx, k.ID, T0); err != nil {
				return err
			}
			if err := tx.RevokeIntegration(f.ctx, in.ID, T0); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("a rolled-back command: %v", err)
		}
		list, err := f.s.ListIntegrations(f.ctx)
		noErr(t, "ListIntegrations", err)
		got, err := f.s.FindIntegrationByID(f.ctx, in.ID)
		noErr(t, "FindIntegrationByID", err)
		if len(list) != 1 || len(got.Keys) != 1 || !got.Keys[0].Active() || !got.RevokedAt.IsZero() {
			t.Errorf("after a rolled-back command: %d integrations, %+v", len(list), got)
		}
		noErr(t, "RevokeIntegration in a command", f.s.Update(f.ctx, func(tx news.Tx) error { return tx.RevokeIntegration(f.ctx, in.ID, T0) }))
		if got, _ := f.s.FindIntegrationByID(f.ctx, in.ID); got.RevokedAt.IsZero() || got.Keys[0].Active() {
			t.Errorf("a committed revocation: %+v", got)
		}
		if g1, _ := f.s.Generation(f.ctx); g1 != g0 {
			t.Errorf("integration writes in a command moved the generation %d → %d", g0, g1)
		}
	})
}

func testWebhooks(t *testing.T, open func(t *testing.T) news.Store) {
	setup := func(t *testing.T) (*fixture, *news.Integration) {
		f := newFixture(t, open)
		in := &news.Integration{Name: "Hooks", Scopes: []news.Scope{news.ScopeWebhooksManage}}
		noErr(t, "CreateIntegration", f.s.CreateIntegration(f.ctx, in, nil))
		return f, in
	}
	var msg int
	var mu sync.Mutex
	msgID := func() string {
		mu.Lock()
		defer mu.Unlock()
		msg++
		return fmt.Sprintf("msg_%d_%d", time.Now().UnixNano(), msg)
	}

	// The Admin API creates a webhook and stores its Idempotency-Key
	// answer in one transaction: both commit, or neither.
	t.Run("CreateInTransaction", func(t *testing.T) {
		f, in := setup(t)
		w := &news.Webhook{IntegrationID: in.ID, URL: "https://tx.example/hook", Events: []string{"story.published"}, Secret: "whsec_tx"}
		boom := errors.New("the rest of the change failed")
		err := f.s.Update(f.ctx, func(tx news.Tx) error {
			if err := tx.CreateWebhook(f.ctx, w); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Update = %v", err)
		}
		if ws, _ := f.s.ListWebhooks(f.ctx, in.ID); len(ws) != 0 {
			t.Fatalf("a rolled-back create left %+v", ws)
		}
		if err := f.s.Update(f.ctx, func(tx news.Tx) error {
			return tx.CreateWebhook(f.ctx, &news.Webhook{IntegrationID: in.ID, URL: "ftp://x", Events: []string{"story.published"}, Secret: "s"})
		}); !errors.Is(err, news.ErrInvalid) {
			t.Fatalf("an invalid webhook in a transaction: %v", err)
		}
		noErr(t, "Update", f.s.Update(f.ctx, func(tx news.Tx) error { return tx.CreateWebhook(f.ctx, w) }))
		if ws, _ := f.s.ListWebhooks(f.ctx, in.ID); len(ws) != 1 || ws[0].ID != w.ID || w.ID == 0 {
			t.Fatalf("after the committed create: %+v (id %d)", ws, w.ID)
		}
		wantErr(t, "RedeliverWebhook of no delivery", f.s.Update(f.ctx, func(tx news.Tx) error { return tx.RedeliverWebhook(f.ctx, 999999, T0) }), news.ErrNotFound)
	})

	t.Run("EnqueueClaimFinish", func(t *testing.T) {
		f, in := setup(t)
		for _, w := range []*news.Webhook{
			{IntegrationID: in.ID, URL: "ftp://x", Events: []string{"story.published"}, Secret: "s"},
			{IntegrationID: in.ID, URL: "https://x", Events: nil, Secret: "s"},
			{IntegrationID: in.ID, URL: "https://x", Events: []string{"story.exploded"}, Secret: "s"},
			{IntegrationID: in.ID, URL: "https://x", Events: []string{"story.published"}},
		} {
			wantErr(t, fmt.Sprintf("CreateWebhook(%+v)", w), f.s.CreateWebhook(f.ctx, w), news.ErrInvalid)
		}
		pub := &news.Webhook{IntegrationID: in.ID, URL: "https://a.example/hook", Events: []string{"story.published", "story.updated"}, Secret: "whsec_a"}
		upd := &news.Webhook{IntegrationID: in.ID, URL: "https://b.example/hook", Events: []string{"story.updated"}, Secret: "whsec_b"}
		off := &news.Webhook{IntegrationID: in.ID, URL: "https://c.example/hook", Events: []string{"story.published"}, Secret: "whsec_c", DisabledAt: T0}
		for _, w := range []*news.Webhook{pub, upd, off} {
			noErr(t, "CreateWebhook", f.s.CreateWebhook(f.ctx, w))
		}
		ws, err := f.s.ListWebhooks(f.ctx, in.ID)
		noErr(t, "ListWebhooks", err)
		if len(ws) != 3 || ws[0].ID != pub.ID || ws[0].Secret != "whsec_a" || len(ws[0].Events) != 2 || !ws[0].Wants("story.updated") || ws[2].Wants("story.published") {
			t.Fatalf("ListWebhooks = %+v", ws)
		}
		n, err := f.s.EnqueueWebhookEvent(f.ctx, news.WebhookEvent{Type: "story.published", Payload: []byte(`{"type":"story.published"}`), At: T0, ArticleID: 3}, msgID)
		noErr(t, "Enqueue", err)
		if n != 1 {
			t.Fatalf("story.published queued for %d webhooks, want 1 (the disabled one and the one not subscribed get nothing)", n)
		}
		n, _ = f.s.EnqueueWebhookEvent(f.ctx, news.WebhookEvent{Type: "story.updated", Payload: []byte(`{}`), At: T0.Add(time.Second)}, msgID)
		if n != 2 {
			t.Fatalf("story.updated queued for %d, want 2", n)
		}
		_, err = f.s.EnqueueWebhookEvent(f.ctx, news.WebhookEvent{Type: "nope"}, msgID)
		wantErr(t, "Enqueue(unknown)", err, news.ErrInvalid)

		// Not due yet.
		ds, err := f.s.ClaimWebhookDeliveries(f.ctx, "node-a", T0.Add(-time.Second), time.Minute, 10)
		noErr(t, "Claim", err)
		if len(ds) != 0 {
			t.Fatalf("claimed %d deliveries before they were due", len(ds))
		}
		ds, _ = f.s.ClaimWebhookDeliveries(f.ctx, "node-a", T0.Add(time.Minute), time.Hour, 2)
		if len(ds) != 2 || ds[0].WebhookID != pub.ID || ds[0].EventType != "story.published" || string(ds[0].Payload) != `{"type":"story.published"}` ||
			ds[0].ArticleID != 3 || ds[0].Claim != "node-a" || ds[0].MsgID == "" {
			t.Fatalf("claimed %+v", ds)
		}
		// The claim holds: node b gets only the third.
		others, _ := f.s.ClaimWebhookDeliveries(f.ctx, "node-b", T0.Add(time.Minute), time.Hour, 10)
		if len(others) != 1 || others[0].ID == ds[0].ID || others[0].ID == ds[1].ID {
			t.Fatalf("node b claimed %+v", others)
		}
		// A failure with a retry: pending again, not claimable before then.
		first := ds[0]
		noErr(t, "Finish(500)", f.s.FinishWebhookAttempt(f.ctx, first.ID, "node-a", news.WebhookAttempt{At: T0.Add(time.Minute), Status: 500, Error: "HTTP 500", Duration: 3 * time.Millisecond}, T0.Add(2*time.Minute)))
		err = f.s.FinishWebhookAttempt(f.ctx, first.ID, "node-a", news.WebhookAttempt{At: T0.Add(time.Minute), Status: 200}, time.Time{})
		wantErr(t, "Finish(claim already released)", err, news.ErrConflict)
		if again, _ := f.s.ClaimWebhookDeliveries(f.ctx, "node-c", T0.Add(90*time.Second), time.Minute, 10); len(again) != 0 {
			t.Fatalf("claimed %d before the retry time", len(again))
		}
		again, _ := f.s.ClaimWebhookDeliveries(f.ctx, "node-c", T0.Add(2*time.Minute), time.Minute, 10)
		if len(again) != 1 || again[0].ID != first.ID || again[0].Attempts != 1 || again[0].LastStatus != 500 || again[0].MsgID != first.MsgID {
			t.Fatalf("retry claim = %+v", again)
		}
		noErr(t, "Finish(200)", f.s.FinishWebhookAttempt(f.ctx, first.ID, "node-c", news.WebhookAttempt{At: T0.Add(2 * time.Minute), Status: 204}, time.Time{}))
		d, err := f.s.FindWebhookDelivery(f.ctx, first.ID)
		noErr(t, "FindWebhookDelivery", err)
		if d.State != news.WebhookDelivered || d.Attempts != 2 || d.LastStatus != 204 || d.Claim != "" {
			t.Fatalf("delivered = %+v", d)
		}
		sameTime(t, "DeliveredAt", d.DeliveredAt, T0.Add(2*time.Minute))
		as, err := f.s.ListWebhookAttempts(f.ctx, first.ID)
		noErr(t, "ListWebhookAttempts", err)
		if len(as) != 2 || as[0].Status != 500 || as[0].Error != "HTTP 500" || as[0].Duration != 3*time.Millisecond || as[1].Status != 204 {
			t.Fatalf("attempts = %+v", as)
		}
		// Giving up: failed, never claimed again until redelivered.
		noErr(t, "Finish(give up)", f.s.FinishWebhookAttempt(f.ctx, ds[1].ID, "node-a", news.WebhookAttempt{At: T0.Add(time.Minute)}, time.Time{}))
		if d, _ := f.s.FindWebhookDelivery(f.ctx, ds[1].ID); d.State != news.WebhookFailed {
			t.Fatalf("state = %s, want failed", d.State)
		}
		if c, _ := f.s.ClaimWebhookDeliveries(f.ctx, "node-d", T0.Add(48*time.Hour), time.Minute, 10); len(c) != 1 || c[0].ID != others[0].ID {
			// Only node b's, whose claim lapsed.
			t.Fatalf("after a lapse: %+v", c)
		}
		noErr(t, "Redeliver", f.s.RedeliverWebhook(f.ctx, ds[1].ID, T0.Add(3*time.Hour)))
		c, _ := f.s.ClaimWebhookDeliveries(f.ctx, "node-e", T0.Add(3*time.Hour), time.Minute, 10)
		if len(c) != 1 || c[0].ID != ds[1].ID || c[0].MsgID != ds[1].MsgID {
			t.Fatalf("redelivered claim = %+v", c)
		}
		list, err := f.s.ListWebhookDeliveries(f.ctx, pub.ID, 10)
		noErr(t, "ListWebhookDeliveries", err)
		if len(list) != 2 || list[0].ID < list[1].ID || list[0].Payload != nil {
			t.Fatalf("deliveries = %+v", list)
		}
		noErr(t, "DeleteWebhook", f.s.DeleteWebhook(f.ctx, pub.ID))
		_, err = f.s.FindWebhookDelivery(f.ctx, first.ID)
		wantErr(t, "delivery of a deleted webhook", err, news.ErrNotFound)
		wantErr(t, "DeleteWebhook(again)", f.s.DeleteWebhook(f.ctx, pub.ID), news.ErrNotFound)

		// A revoked integration's webhooks get nothing new.
		noErr(t, "RevokeIntegration", f.s.RevokeIntegration(f.ctx, in.ID, T0))
		if n, _ := f.s.EnqueueWebhookEvent(f.ctx, news.WebhookEvent{Type: "story.updated", Payload: []byte(`{}`)}, msgID); n != 0 {
			t.Errorf("a revoked integration's webhook got %d deliveries", n)
		}
	})

	t.Run("ConcurrentClaims", func(t *testing.T) {
		f, in := setup(t)
		w := &news.Webhook{IntegrationID: in.ID, URL: "https://a.example/", Events: []string{"photo.created"}, Secret: "whsec_x"}
		noErr(t, "CreateWebhook", f.s.CreateWebhook(f.ctx, w))
		const total = 24
		for i := 0; i < total; i++ {
			if _, err := f.s.EnqueueWebhookEvent(f.ctx, news.WebhookEvent{Type: "photo.created", Payload: []byte(`{}`), At: T0, PhotoID: int64(i + 1)}, msgID); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		seen := map[int64]string{}
		start := make(chan struct{})
		for n := 0; n < 4; n++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				claim := fmt.Sprintf("node-%d", n)
				for {
					ds, err := f.s.ClaimWebhookDeliveries(f.ctx, claim, T0.Add(time.Minute), time.Hour, 3)
					if err != nil {
						t.Error(err)
						return
					}
					if len(ds) == 0 {
						return
					}
					mu.Lock()
					for _, d := range ds {
						if prev, dup := seen[d.ID]; dup {
							t.Errorf("delivery %d claimed by %s and %s", d.ID, prev, claim)
						}
						seen[d.ID] = claim
					}
					mu.Unlock()
				}
			}()
		}
		close(start)
		wg.Wait()
		if len(seen) != total {
			t.Fatalf("%d deliveries claimed, want %d", len(seen), total)
		}
	})

	t.Run("Idempotency", func(t *testing.T) {
		f, in := setup(t)
		rec := func(key string, at time.Time) *news.IdempotencyRecord {
			return &news.IdempotencyRecord{IntegrationID: in.ID, Key: key, Fingerprint: "fp-" + key, CreatedAt: at}
		}
		got, err := f.s.BeginIdempotent(f.ctx, rec("k1", T0), time.Minute)
		if err != nil || got != nil {
			t.Fatalf("first Begin = %+v, %v; want a reservation", got, err)
		}
		got, err = f.s.BeginIdempotent(f.ctx, rec("k1", T0.Add(time.Second)), time.Minute)
		if err != nil || got == nil || got.Status != 0 || got.Fingerprint != "fp-k1" {
			t.Fatalf("second Begin while running = %+v, %v", got, err)
		}
		noErr(t, "FinishIdempotent", f.s.FinishIdempotent(f.ctx, in.ID, "k1", 201, []byte(`{"id":1}`)))
		got, _ = f.s.BeginIdempotent(f.ctx, rec("k1", T0.Add(time.Hour)), time.Minute)
		if got == nil || got.Status != 201 || string(got.Body) != `{"id":1}` {
			t.Fatalf("Begin after finish = %+v", got)
		}
		// A reservation whose node died is taken over once stale.
		f.s.BeginIdempotent(f.ctx, rec("k2", T0), time.Minute)
		if got, _ := f.s.BeginIdempotent(f.ctx, rec("k2", T0.Add(2*time.Minute)), time.Minute); got != nil {
			t.Fatalf("stale reservation not taken over: %+v", got)
		}
		// Abandoned: the retry runs again.
		noErr(t, "AbandonIdempotent", f.s.AbandonIdempotent(f.ctx, in.ID, "k2"))
		if got, _ := f.s.BeginIdempotent(f.ctx, rec("k2", T0.Add(3*time.Minute)), time.Minute); got != nil {
			t.Fatalf("abandoned key still reserved: %+v", got)
		}
		_, err = f.s.BeginIdempotent(f.ctx, rec("", T0), time.Minute)
		wantErr(t, "Begin(empty key)", err, news.ErrInvalid)

		// Concurrent first requests: exactly one reserves.
		var wg sync.WaitGroup
		var mu sync.Mutex
		reserved := 0
		start := make(chan struct{})
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				got, err := f.s.BeginIdempotent(f.ctx, rec("race", T0), time.Minute)
				if err != nil {
					t.Error(err)
					return
				}
				if got == nil {
					mu.Lock()
					reserved++
					mu.Unlock()
				}
			}()
		}
		close(start)
		wg.Wait()
		if reserved != 1 {
			t.Fatalf("%d concurrent requests reserved the same key, want 1", reserved)
		}
		noErr(t, "PruneIdempotency", f.s.PruneIdempotency(f.ctx, T0.Add(24*time.Hour)))
		if got, _ := f.s.BeginIdempotent(f.ctx, rec("k1", T0.Add(25*time.Hour)), time.Minute); got != nil {
			t.Fatalf("pruned key still answered: %+v", got)
		}
	})
}

func testWire(t *testing.T, open func(t *testing.T) news.Store) {
	f := newFixture(t, open)
	a := f.article(nil)
	put := func(w news.WireItem) bool {
		t.Helper()
		ok, err := f.s.PutWireItem(f.ctx, &w)
		noErr(t, "PutWireItem", err)
		return ok
	}
	uri := "urn:newsml:apnews.example:20260322:story01"
	if !put(news.WireItem{URI: uri, ArticleID: a.ID, Version: 1, VersionCreated: T0, PubStatus: "usable", Distributor: "The Associated Press",
		Credit: "By KIM TONG-HYUNG, Associated Press", Rights: "Copyright 2026 AP.", IntegrationID: 3, UpdatedAt: T0}) {
		t.Fatal("first version not stored")
	}
	if !put(news.WireItem{URI: uri, Version: 3, VersionCreated: T0.Add(time.Hour), PubStatus: "usable", Credit: "By A", Rights: "R3", UpdatedAt: T0.Add(time.Hour)}) {
		t.Fatal("version 3 not stored")
	}
	// A late version 2, and a repeat of 3: nothing changes.
	if put(news.WireItem{URI: uri, Version: 2, Credit: "late", UpdatedAt: T0.Add(2 * time.Hour)}) || put(news.WireItem{URI: uri, Version: 3, Credit: "again", UpdatedAt: T0.Add(2 * time.Hour)}) {
		t.Fatal("an older or equal version was stored")
	}
	w, err := f.s.FindWireItem(f.ctx, uri)
	noErr(t, "FindWireItem", err)
	if w.Version != 3 || w.Credit != "By A" || w.Rights != "R3" || w.ArticleID != a.ID {
		t.Fatalf("wire item = %+v (the story is kept when an update names none)", w)
	}
	sameTime(t, "VersionCreated", w.VersionCreated, T0.Add(time.Hour))
	w, err = f.s.FindWireItemByArticle(f.ctx, a.ID)
	if err != nil || w.URI != uri {
		t.Fatalf("FindWireItemByArticle = %+v, %v", w, err)
	}
	// A kill of a story never had is remembered with no story.
	if !put(news.WireItem{URI: "urn:x:killed", Version: 2, PubStatus: "canceled", EdNote: "Withdrawn."}) {
		t.Fatal("kill not stored")
	}
	if w, _ := f.s.FindWireItem(f.ctx, "urn:x:killed"); w.ArticleID != 0 || w.PubStatus != "canceled" || w.EdNote != "Withdrawn." {
		t.Fatalf("kill = %+v", w)
	}
	_, err = f.s.FindWireItem(f.ctx, "urn:x:none")
	wantErr(t, "FindWireItem(missing)", err, news.ErrNotFound)
	_, err = f.s.PutWireItem(f.ctx, &news.WireItem{URI: "urn:x:v0"})
	wantErr(t, "PutWireItem(no version)", err, news.ErrInvalid)
}
