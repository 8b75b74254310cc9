package webhooks_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/internal/news"
	"masthead/internal/store/sqlite"
	"masthead/internal/webhooks"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func (c *clock) Set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }

var t0 = time.Date(2026, 3, 22, 9, 0, 0, 0, time.UTC)

// received is one request the receiver saw.
type received struct {
	header http.Header
	body   []byte
	at     time.Time
}

func TestNextAttempt(t *testing.T) {
	var got []time.Duration
	at := t0
	for n := 1; ; n++ {
		next := webhooks.NextAttempt(t0, at, n)
		if next.IsZero() {
			break
		}
		got = append(got, next.Sub(at))
		at = next
	}
	want := []time.Duration{5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute, 30 * time.Minute, time.Hour}
	for i, d := range want {
		if got[i] != d {
			t.Fatalf("delay %d = %v, want %v (all: %v)", i+1, got[i], d, got)
		}
	}
	for _, d := range got[len(want):] {
		if d != time.Hour {
			t.Fatalf("after the schedule: %v, want hourly", d)
		}
	}
	if last := at.Sub(t0); last > 24*time.Hour || last < 23*time.Hour {
		t.Fatalf("last attempt %v after the first, want within the 24 h", last)
	}
}

func TestSignVerify(t *testing.T) {
	// Standard Webhooks' published test vector.
	sig, err := webhooks.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0),
		[]byte(`{"test": 2432232314}`))
	if err != nil || sig != "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" {
		t.Fatalf("Sign = %q, %v", sig, err)
	}
}

// A receiver that fails the first 3 attempts gets the delivery on the
// 4th, each time with the same webhook-id and a valid signature, after the
// schedule's delays; the delivery log has every answer.
func TestDeliveryRetries(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clk := &clock{t: t0}
	var mu sync.Mutex
	var got []received
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, received{r.Header.Clone(), b, clk.Now()})
		n := len(got)
		mu.Unlock()
		if n <= 3 {
			http.Error(w, "not now", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	in := &news.Integration{Name: "Receiver", Scopes: []news.Scope{news.ScopeWebhooksManage}}
	if err := st.CreateIntegration(ctx, in, nil); err != nil {
		t.Fatal(err)
	}
	wh := &news.Webhook{IntegrationID: in.ID, URL: srv.URL + "/hook", Events: []string{"story.published"}, Secret: webhooks.NewSecret()}
	if err := st.CreateWebhook(ctx, wh); err != nil {
		t.Fatal(err)
	}
	payload := []byte(`{"type":"story.published","timestamp":"2026-03-22T09:00:00Z","data":{"id":7}}`)
	if _, err := st.EnqueueWebhookEvent(ctx, news.WebhookEvent{Type: "story.published", Payload: payload, At: t0, ArticleID: 7}, webhooks.NewMsgID); err != nil {
		t.Fatal(err)
	}
	d := webhooks.New(webhooks.Config{Store: st, Clock: clk, Node: "test", AllowPrivate: true})
	run := func() int {
		t.Helper()
		n, err := d.RunOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := run(); n != 1 {
		t.Fatalf("first run made %d attempts", n)
	}
	for i, delay := range []time.Duration{5 * time.Second, 30 * time.Second, 2 * time.Minute} {
		clk.Add(delay - time.Second)
		if n := run(); n != 0 {
			t.Fatalf("retry %d tried %v early", i+1, time.Second)
		}
		clk.Add(time.Second)
		if n := run(); n != 1 {
			t.Fatalf("retry %d not made after %v", i+1, delay)
		}
	}
	clk.Add(24 * time.Hour)
	if n := run(); n != 0 {
		t.Fatalf("a delivered message was tried again")
	}
	if len(got) != 4 {
		t.Fatalf("receiver saw %d requests, want 4", len(got))
	}
	id := got[0].header.Get("webhook-id")
	for i, r := range got {
		if r.header.Get("webhook-id") != id || !strings.HasPrefix(id, "msg_") {
			t.Errorf("attempt %d: webhook-id %q, first was %q", i+1, r.header.Get("webhook-id"), id)
		}
		if string(r.body) != string(payload) || r.header.Get("Content-Type") != "application/json" {
			t.Errorf("attempt %d: body %s", i+1, r.body)
		}
		if err := webhooks.Verify(wh.Secret, r.header, r.body, r.at, 5*time.Minute); err != nil {
			t.Errorf("attempt %d: signature: %v", i+1, err)
		}
		if err := webhooks.Verify(webhooks.NewSecret(), r.header, r.body, r.at, 5*time.Minute); err == nil {
			t.Errorf("attempt %d verified with another secret", i+1)
		}
	}
	ds, _ := st.ListWebhookDeliveries(ctx, wh.ID, 10)
	if len(ds) != 1 || ds[0].State != news.WebhookDelivered || ds[0].Attempts != 4 || ds[0].LastStatus != 204 {
		t.Fatalf("delivery = %+v", ds[0])
	}
	as, _ := st.ListWebhookAttempts(ctx, ds[0].ID)
	var statuses []int
	for _, a := range as {
		statuses = append(statuses, a.Status)
	}
	if b, _ := json.Marshal(statuses); string(b) != "[503,503,503,204]" {
		t.Fatalf("delivery log statuses = %s", b)
	}
}

// Without --webhook-allow-private a URL on the paper's own network is
// refused at the dial, after DNS.
func TestPrivateAddressRefused(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	hit := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hit = true }))
	defer srv.Close()
	in := &news.Integration{Name: "x", Scopes: []news.Scope{news.ScopeWebhooksManage}}
	st.CreateIntegration(ctx, in, nil)
	wh := &news.Webhook{IntegrationID: in.ID, URL: strings.Replace(srv.URL, "127.0.0.1", "localhost", 1), Events: []string{"photo.created"}, Secret: webhooks.NewSecret()}
	st.CreateWebhook(ctx, wh)
	st.EnqueueWebhookEvent(ctx, news.WebhookEvent{Type: "photo.created", Payload: []byte(`{}`), At: t0}, webhooks.NewMsgID)
	d := webhooks.New(webhooks.Config{Store: st, Clock: &clock{t: t0}, Node: "test"})
	if _, err := d.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	ds, _ := st.ListWebhookDeliveries(ctx, wh.ID, 1)
	if hit || ds[0].LastStatus != 0 || !strings.Contains(ds[0].LastError, "private") {
		t.Fatalf("private address: hit %v, delivery %+v", hit, ds[0])
	}
}
