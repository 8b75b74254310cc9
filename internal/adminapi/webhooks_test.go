package adminapi_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/internal/adminapi"
	"masthead/internal/news"
	"masthead/internal/webhooks"
)

func TestWebhookEndpoints(t *testing.T) {
	p := newPaper(t)
	key := p.hooks.AdminKey
	var e apiErr
	// Keys: none, unknown, content key, wrong scope.
	for _, tc := range []struct {
		key    string
		status int
		code   string
	}{
		{"", 401, "unauthorized"},
		{"mhk_" + strings.Repeat("0", 48), 401, "unauthorized"},
		{p.hooks.ContentKey, 401, "unauthorized"},
		{p.reader.AdminKey, 403, "forbidden"},
	} {
		e = apiErr{}
		if st := p.do(t, "GET", "/api/admin/v1/webhooks", tc.key, nil, &e); st != tc.status || e.Error.Code != tc.code || e.Error.Message == "" {
			t.Errorf("key %q: %d %+v, want %d %s", tc.key, st, e, tc.status, tc.code)
		}
	}
	// Bad input names the field and stores nothing.
	for _, tc := range []struct {
		body  any
		field string
	}{
		{map[string]any{"url": "ftp://x.example/", "events": []string{"story.published"}}, "url"},
		{map[string]any{"url": "https://u:p@x.example/", "events": []string{"story.published"}}, "url"},
		{map[string]any{"url": "https://x.example/", "events": []string{}}, "events"},
		{map[string]any{"url": "https://x.example/", "events": []string{"story.exploded"}}, "events"},
		{map[string]any{"url": "https://x.example/", "events": []string{"story.published"}, "secret": "mine"}, "secret"},
		{map[string]any{"url": 5, "events": []string{"story.published"}}, "url"},
		{`{"url": "https://x.example/",`, ""},
	} {
		e = apiErr{}
		if st := p.do(t, "POST", "/api/admin/v1/webhooks", key, tc.body, &e); st != 400 || e.Error.Code != "invalid" || e.Error.Field != tc.field {
			t.Errorf("POST %v: %d %+v, want 400 on %q", tc.body, st, e, tc.field)
		}
	}
	var ws struct{ Webhooks []adminapi.WebhookOut }
	p.do(t, "GET", "/api/admin/v1/webhooks", key, nil, &ws)
	if len(ws.Webhooks) != 0 {
		t.Fatalf("refused webhooks were stored: %+v", ws)
	}

	var w adminapi.WebhookOut
	if st := p.do(t, "POST", "/api/admin/v1/webhooks", key, map[string]any{"url": "https://hooks.example/in", "events": []string{"story.published", "story.published", "photo.created"}}, &w); st != 201 {
		t.Fatalf("create: %d", st)
	}
	if w.ID == 0 || !strings.HasPrefix(w.Secret, webhooks.SecretPrefix) || strings.Join(w.Events, ",") != "story.published,photo.created" {
		t.Fatalf("created %+v", w)
	}
	p.do(t, "GET", "/api/admin/v1/webhooks", key, nil, &ws)
	if len(ws.Webhooks) != 1 || ws.Webhooks[0].Secret != "" {
		t.Fatalf("list %+v (the secret is shown once)", ws)
	}
	// Another integration sees none of it.
	path := fmt.Sprintf("/api/admin/v1/webhooks/%d", w.ID)
	if st := p.do(t, "GET", path+"/deliveries", p.other.AdminKey, nil, &e); st != 404 {
		t.Errorf("another integration's deliveries: %d", st)
	}
	if st := p.do(t, "DELETE", path, p.other.AdminKey, nil, &e); st != 404 {
		t.Errorf("another integration's delete: %d", st)
	}

	// A delivery, its log and a redelivery.
	ctx := context.Background()
	if _, err := p.st.EnqueueWebhookEvent(ctx, news.WebhookEvent{Type: "photo.created", Payload: []byte(`{}`), At: now, PhotoID: 3}, webhooks.NewMsgID); err != nil {
		t.Fatal(err)
	}
	ds, _ := p.st.ClaimWebhookDeliveries(ctx, "n", now, 60e9, 1)
	p.st.FinishWebhookAttempt(ctx, ds[0].ID, "n", news.WebhookAttempt{At: now, Status: 500, Error: "HTTP 500"}, time.Time{})
	var dl struct{ Deliveries []adminapi.DeliveryOut }
	p.do(t, "GET", path+"/deliveries", key, nil, &dl)
	if len(dl.Deliveries) != 1 || dl.Deliveries[0].State != "failed" || dl.Deliveries[0].LastStatus != 500 || dl.Deliveries[0].Event != "photo.created" {
		t.Fatalf("deliveries %+v", dl)
	}
	var rd map[string]any
	if st := p.do(t, "POST", fmt.Sprintf("%s/deliveries/%d/redeliver", path, ds[0].ID), key, nil, &rd); st != 202 || rd["msg_id"] != ds[0].MsgID {
		t.Fatalf("redeliver: %d %v", st, rd)
	}
	if d, _ := p.st.FindWebhookDelivery(ctx, ds[0].ID); d.State != news.WebhookPending {
		t.Fatalf("after redeliver: %s", d.State)
	}
	if st := p.do(t, "DELETE", path, key, nil, nil); st != 204 {
		t.Fatalf("delete: %d", st)
	}
	if st := p.do(t, "DELETE", path, key, nil, &e); st != 404 || e.Error.Code != "not_found" {
		t.Fatalf("delete again: %d %+v", st, e)
	}

	// Every call with a valid key is audited under the integration's name.
	calls, _ := p.st.ListIntegrationCalls(ctx, p.hooks.Integration.ID, 100)
	var created int
	for _, c := range calls {
		if c.Name != "Zapier" || c.Route == "" {
			t.Errorf("audit row %+v", c)
		}
		if c.Route == "POST /api/admin/v1/webhooks" && c.Status == 201 {
			created++
		}
	}
	if created != 1 || len(calls) < 10 {
		t.Errorf("audit: %d calls, %d creations", len(calls), created)
	}
	rc, _ := p.st.ListIntegrationCalls(ctx, p.reader.Integration.ID, 10)
	if len(rc) != 1 || rc[0].Status != 403 || rc[0].Name != "Front end" {
		// A known key refused for its scope is audited as such.
		t.Errorf("refused call audit: %+v", rc)
	}
}

// A create retried with the same Idempotency-Key makes one webhook, however
// the retries interleave: concurrent retries are told to wait (409 with
// Retry-After) until the first answer is stored, then get it replayed.
func TestIdempotentCreate(t *testing.T) {
	p := newPaper(t)
	key := p.hooks.AdminKey
	body := map[string]any{"url": "https://hooks.example/in", "events": []string{"story.published"}}
	var wg sync.WaitGroup
	start := make(chan struct{})
	ids := make([]int64, 8)
	secrets := make([]string, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for try := 0; try < 200; try++ {
				var w adminapi.WebhookOut
				st, hdr := p.doH(t, "POST", "/api/admin/v1/webhooks", key, body, &w, "Idempotency-Key", "create-hook-1")
				switch st {
				case 201:
					ids[i], secrets[i] = w.ID, w.Secret
					return
				case 409:
					if hdr.Get("Retry-After") == "" {
						t.Errorf("409 without Retry-After")
						return
					}
					continue
				default:
					t.Errorf("status %d", st)
					return
				}
			}
			t.Error("never answered")
		}()
	}
	close(start)
	wg.Wait()
	for i := range ids {
		if ids[i] == 0 || ids[i] != ids[0] || secrets[i] != secrets[0] {
			t.Fatalf("answers differ: ids %v", ids)
		}
	}
	ws, _ := p.st.ListWebhooks(context.Background(), p.hooks.Integration.ID)
	if len(ws) != 1 {
		t.Fatalf("%d webhooks made by one create retried 8 times at once", len(ws))
	}
	// The same key on another request is refused, naming the header.
	var e apiErr
	body["url"] = "https://hooks.example/other"
	if st := p.do(t, "POST", "/api/admin/v1/webhooks", key, body, &e, "Idempotency-Key", "create-hook-1"); st != 400 || e.Error.Field != "Idempotency-Key" {
		t.Fatalf("key reused for another body: %d %+v", st, e)
	}
	// A refusal is remembered too: the same bad request, the same answer.
	bad := map[string]any{"url": "ftp://x", "events": []string{"story.published"}}
	for i := 0; i < 2; i++ {
		st, hdr := p.doH(t, "POST", "/api/admin/v1/webhooks", key, bad, &e, "Idempotency-Key", "bad-1")
		if st != 400 || e.Error.Field != "url" || (i == 1) != (hdr.Get("Idempotent-Replayed") == "true") {
			t.Fatalf("bad request %d: %d %+v %v", i, st, e, hdr)
		}
	}
}
