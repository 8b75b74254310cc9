package pagecache

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"
)

// maxKeys bounds one notification: beyond it a purge of everything is
// cheaper for the receiver than a long list.
const maxKeys = 256

// Webhook tells a CDN (or a small relay to its purge API) which pages to
// drop: after each purge it POSTs {"keys":[...]} or {"all":true} to a URL.
// Purge never blocks: purges are merged while a notification is in flight
// or waiting to be retried, and Run sends them from its own goroutine with
// exponential backoff. A receiver that stays down for all attempts loses
// that batch (logged); the CDN then serves those pages until their
// s-maxage runs out.
type Webhook struct {
	url    string
	client *http.Client
	log    *slog.Logger

	mu   sync.Mutex
	all  bool
	keys map[string]struct{}
	wake chan struct{}

	minBackoff, maxBackoff time.Duration
	attempts               int
}

// NewWebhook returns a webhook posting to rawURL (http or https). The URL
// may carry a token; it is never logged beyond its host.
func NewWebhook(rawURL string, log *slog.Logger) (*Webhook, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("purge webhook %q: want an http:// or https:// URL", redact(rawURL))
	}
	if log == nil {
		log = slog.Default()
	}
	return &Webhook{url: rawURL, client: &http.Client{Timeout: 10 * time.Second}, log: log,
		keys: make(map[string]struct{}), wake: make(chan struct{}, 1),
		minBackoff: time.Second, maxBackoff: time.Minute, attempts: 8}, nil
}

// redact keeps only the scheme and host of a URL for messages.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Scheme + "://" + u.Host + "/…"
}

// Purge queues a notification naming keys, or everything when there are
// none. It returns at once.
func (w *Webhook) Purge(keys ...string) {
	w.mu.Lock()
	if len(keys) == 0 {
		w.all = true
	}
	if !w.all {
		for _, k := range keys {
			w.keys[k] = struct{}{}
		}
		if len(w.keys) > maxKeys {
			w.all = true
		}
	}
	if w.all {
		clear(w.keys)
	}
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// take empties the queue into one notification body; nil when empty.
func (w *Webhook) take() []byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	var body []byte
	switch {
	case w.all:
		body = []byte(`{"all":true}`)
	case len(w.keys) > 0:
		ks := make([]string, 0, len(w.keys))
		for k := range w.keys {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		body, _ = json.Marshal(struct {
			Keys []string `json:"keys"`
		}{ks})
	}
	w.all = false
	clear(w.keys)
	return body
}

// requeue puts back a notification that could not be delivered, merged
// with whatever came since.
func (w *Webhook) requeue(body []byte) {
	var n struct {
		All  bool     `json:"all"`
		Keys []string `json:"keys"`
	}
	_ = json.Unmarshal(body, &n)
	if n.All {
		w.Purge()
	} else {
		w.Purge(n.Keys...)
	}
}

// Run delivers notifications until ctx ends; then it makes one last
// attempt for anything still queued, so a clean shutdown right after a
// publish still tells the CDN.
func (w *Webhook) Run(ctx context.Context) {
	failures := 0
	for {
		select {
		case <-ctx.Done():
			if body := w.take(); body != nil {
				last, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				if err := w.send(last, body); err != nil {
					w.log.Warn("purge webhook: last notification not delivered", "to", redact(w.url), "err", err)
				}
				cancel()
			}
			return
		case <-w.wake:
		}
		body := w.take()
		if body == nil {
			continue
		}
		err := w.send(ctx, body)
		if err == nil {
			failures = 0
			continue
		}
		if ctx.Err() != nil {
			w.requeue(body)
			continue
		}
		failures++
		if failures >= w.attempts {
			w.log.Error("purge webhook: giving up on a notification", "to", redact(w.url), "attempts", failures,
				"body", string(body), "err", err)
			failures = 0
			continue
		}
		w.log.Warn("purge webhook: will retry", "to", redact(w.url), "attempt", failures, "err", err)
		w.requeue(body)
		wait := w.minBackoff << (failures - 1)
		if wait > w.maxBackoff || wait <= 0 {
			wait = w.maxBackoff
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
}

// Deliver sends one notification now and reports whether the receiver
// took it (a 2xx): for a caller that keeps its own place in a log of
// changes and moves it only past what was delivered. No keys, or more
// than the notification limit, means everything.
func (w *Webhook) Deliver(ctx context.Context, keys []string, all bool) error {
	body := []byte(`{"all":true}`)
	if !all && len(keys) > 0 && len(keys) <= maxKeys {
		ks := slices.Clone(keys)
		slices.Sort(ks)
		body, _ = json.Marshal(struct {
			Keys []string `json:"keys"`
		}{slices.Compact(ks)})
	}
	return w.send(ctx, body)
}

func (w *Webhook) send(ctx context.Context, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "masthead-purge")
	resp, err := w.client.Do(req)
	if err != nil {
		// The client's error quotes the URL, token and all.
		if ue, ok := err.(*url.Error); ok {
			return fmt.Errorf("%s: %w", ue.Op, ue.Err)
		}
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}
