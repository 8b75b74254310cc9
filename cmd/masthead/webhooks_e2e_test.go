package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"masthead/internal/webhooks"
)

// receiver is a local webhook endpoint whose answers the test scripts.
type receiver struct {
	mu   sync.Mutex
	got  []receivedHook
	next func(n int) int // status for the n-th request (1-based); 0 hangs until release
	hold chan struct{}
	srv  *httptest.Server
}

type receivedHook struct {
	header http.Header
	body   []byte
	status int
	at     time.Time
}

func newReceiver(t *testing.T, next func(n int) int) *receiver {
	rc := &receiver{next: next, hold: make(chan struct{})}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		n := len(rc.got) + 1
		st := rc.next(n)
		rc.got = append(rc.got, receivedHook{r.Header.Clone(), b, st, time.Now()})
		rc.mu.Unlock()
		if st == 0 {
			select {
			case <-rc.hold:
			case <-r.Context().Done():
			}
			return
		}
		w.WriteHeader(st)
	}))
	t.Cleanup(func() { close(rc.hold); rc.srv.Close() })
	return rc
}

func (rc *receiver) requests() []receivedHook {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]receivedHook(nil), rc.got...)
}

func (rc *receiver) waitFor(t *testing.T, n int, within time.Duration) []receivedHook {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if got := rc.requests(); len(got) >= n {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("receiver saw %d requests within %v, want %d", len(rc.requests()), within, n)
	return nil
}

// A receiver that fails the first 3 attempts, and a server killed between
// the commit and the delivery: the event is written with the publication
// (by `masthead import --publish` beside serve); serve's first attempt
// hangs and serve is killed with SIGKILL while it waits; the next serve
// takes the delivery over when the dead one's claim lapses, the receiver
// fails that attempt and the retry 5 s later, and the retry 30 s after that
// delivers it. Every attempt carries the same webhook-id and a valid
// signature; the delivery log has every answer. (About 45 s, mostly the
// schedule's waits.)
func TestWebhookSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts serve")
	}
	rc := newReceiver(t, func(n int) int {
		switch n {
		case 1:
			return 0 // hang: serve dies with the attempt in flight
		case 2, 3:
			return http.StatusBadGateway
		}
		return http.StatusNoContent
	})
	bin := masthead(t)
	data := t.TempDir()
	flags := []string{"--no-demo", "--webhook-allow-private", "--webhook-timeout", "2s"}
	a, err := launch(data, flags...)
	if err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			a.kill()
		}
	}()
	_, _, adminKey := integrationAdd(t, a, "Receiver", "webhooks:manage")
	body, _ := json.Marshal(map[string]any{"url": rc.srv.URL + "/hook", "events": []string{"story.published"}})
	req, _ := http.NewRequest("POST", a.URL+"/api/admin/v1/webhooks", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+adminKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var hook struct {
		ID     int64  `json:"id"`
		Secret string `json:"secret"`
	}
	json.NewDecoder(res.Body).Decode(&hook)
	res.Body.Close()
	if res.StatusCode != 201 || hook.Secret == "" {
		t.Fatalf("create webhook: %d %+v", res.StatusCode, hook)
	}

	if err := runImport(bin, data, t.TempDir(), "Wire story survives"); err != nil {
		t.Fatal(err)
	}
	first := rc.waitFor(t, 1, 20*time.Second)
	// serve's attempt is in flight, held by the receiver: kill it now.
	a.kill()
	killed = true

	b, err := launch(data, flags...)
	if err != nil {
		t.Fatal(err)
	}
	defer b.stop()
	got := rc.waitFor(t, 4, 90*time.Second)
	id := first[0].header.Get("webhook-id")
	for i, r := range got[:4] {
		if r.header.Get("webhook-id") != id {
			t.Errorf("attempt %d: webhook-id %q, first was %q", i+1, r.header.Get("webhook-id"), id)
		}
		if err := webhooks.Verify(hook.Secret, r.header, r.body, time.Now(), 5*time.Minute); err != nil {
			t.Errorf("attempt %d: %v", i+1, err)
		}
		var p struct {
			Type string
			Data struct {
				Headline string
				Status   string
			}
		}
		if err := json.Unmarshal(r.body, &p); err != nil || p.Type != "story.published" || p.Data.Headline != "Wire story survives" || p.Data.Status != "published" {
			t.Errorf("attempt %d body: %s", i+1, r.body)
		}
	}
	// The retries keep the schedule (lower bounds only: a slow machine
	// may be late, never early).
	if d := got[2].at.Sub(got[1].at); d < 5*time.Second-500*time.Millisecond {
		t.Errorf("second retry %v after the first failure, want about 5 s", d)
	}
	if d := got[3].at.Sub(got[2].at); d < 30*time.Second-500*time.Millisecond {
		t.Errorf("third retry %v after the second failure, want about 30 s", d)
	}
	// The log, through the Admin API of the new serve.
	time.Sleep(300 * time.Millisecond)
	req, _ = http.NewRequest("GET", b.URL+"/api/admin/v1/webhooks/"+jsonInt(hook.ID)+"/deliveries", nil)
	req.Header.Set("Authorization", "Bearer "+adminKey)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Deliveries []struct {
			State      string `json:"state"`
			Attempts   int    `json:"attempts"`
			LastStatus int    `json:"last_status"`
			MsgID      string `json:"msg_id"`
		} `json:"deliveries"`
	}
	json.NewDecoder(res.Body).Decode(&log)
	res.Body.Close()
	if len(log.Deliveries) != 1 || log.Deliveries[0].State != "delivered" || log.Deliveries[0].LastStatus != 204 || log.Deliveries[0].MsgID != id {
		t.Fatalf("delivery log: %+v", log)
	}
	// The killed attempt was never recorded (its node died with it); the
	// three after it were.
	if log.Deliveries[0].Attempts != 3 {
		t.Errorf("attempts recorded = %d, want 3 (the killed one has no answer to record)", log.Deliveries[0].Attempts)
	}
	if n := len(rc.requests()); n != 4 {
		t.Errorf("receiver saw %d requests, want 4", n)
	}
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }
