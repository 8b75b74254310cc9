// Package webhooks delivers the outbox: every pending delivery the store
// holds (written in the same transaction as the change it announces) is
// claimed by one node, POSTed with Standard Webhooks headers and signature,
// and retried on failure after about 5 s, 30 s, 2 min, 10 min, 30 min, 1 h
// and then hourly for 24 h, with the same webhook-id every time.
package webhooks

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"masthead/internal/news"
)

// SecretPrefix starts every signing secret, as Standard Webhooks writes
// them: the rest is the base64 of the key.
const SecretPrefix = "whsec_"

// NewSecret returns a fresh signing secret (192 random bits).
func NewSecret() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// NewMsgID returns a message id: the webhook-id a receiver drops repeats by.
func NewMsgID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return "msg_" + hex.EncodeToString(b)
}

// Sign returns the webhook-signature value for a message: "v1," and the
// base64 of HMAC-SHA256 over "id.timestamp.body", keyed by the secret's
// decoded bytes (Standard Webhooks).
func Sign(secret, msgID string, ts time.Time, body []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil {
		return "", fmt.Errorf("webhook secret: %w", err)
	}
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%d.", msgID, ts.Unix())
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

// Verify checks a delivery as a receiver would: the signature matches one
// of the header's and the timestamp is within tolerance of now.
func Verify(secret string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	id, tsS, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	sec, err := strconv.ParseInt(tsS, 10, 64)
	if id == "" || err != nil || sigs == "" {
		return errors.New("missing webhook headers")
	}
	ts := time.Unix(sec, 0)
	if d := now.Sub(ts); d > tolerance || d < -tolerance {
		return errors.New("timestamp out of tolerance")
	}
	want, err := Sign(secret, id, ts, body)
	if err != nil {
		return err
	}
	for _, s := range strings.Fields(sigs) {
		if hmac.Equal([]byte(s), []byte(want)) {
			return nil
		}
	}
	return errors.New("no matching signature")
}

// Schedule is the delays between attempts; after the last, hourly, for
// 24 h after the delivery was made.
var Schedule = []time.Duration{5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute, 30 * time.Minute, time.Hour}

// GiveUpAfter is how long a delivery is retried.
const GiveUpAfter = 24 * time.Hour

// NextAttempt returns when to try again after the attempts-th attempt
// failed at t, or the zero time when it is time to give up.
func NextAttempt(created, t time.Time, attempts int) time.Time {
	d := time.Hour
	if attempts >= 1 && attempts <= len(Schedule) {
		d = Schedule[attempts-1]
	}
	next := t.Add(d)
	if next.Sub(created) > GiveUpAfter {
		return time.Time{}
	}
	return next
}

// Config is what the deliverer needs.
type Config struct {
	Store  news.WebhookStore
	Clock  news.Clock
	Logger *slog.Logger
	// Node names this process in claims (several nodes deliver side by
	// side); a random suffix keeps a restarted node's claims apart.
	Node string
	// Poll is how often due deliveries are looked for (default 1 s).
	Poll time.Duration
	// Timeout bounds one attempt (default 15 s); a claim lasts longer.
	Timeout time.Duration
	// Workers is how many attempts run at once (default 4).
	Workers int
	// AllowPrivate lets deliveries go to loopback and private addresses.
	// Off by default: a webhook URL is typed by an integration, and must
	// not reach the paper's own network (SSRF).
	AllowPrivate bool
	// Client overrides the HTTP client (tests).
	Client *http.Client
}

// Deliverer runs the outbox.
type Deliverer struct {
	cfg    Config
	client *http.Client
	claim  string
}

// New returns a deliverer.
func New(cfg Config) *Deliverer {
	if cfg.Clock == nil {
		cfg.Clock = news.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 15 * time.Second
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	d := &Deliverer{cfg: cfg, client: cfg.Client, claim: cfg.Node + "/" + NewMsgID()[4:16]}
	if d.client == nil {
		d.client = Client(cfg.AllowPrivate, cfg.Timeout)
	}
	return d
}

// Client is an HTTP client for URLs that integrations supply (webhook
// receivers, wire pictures): addresses on loopback, private, link-local or
// CGNAT networks are refused at the dial, after DNS, unless allowPrivate;
// redirects are not followed (one could lead there); timeout bounds a
// request.
func Client(allowPrivate bool, timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	if !allowPrivate {
		dialer.Control = refusePrivate
	}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{DialContext: dialer.DialContext, Proxy: nil, MaxIdleConnsPerHost: 2,
			TLSHandshakeTimeout: 10 * time.Second, ResponseHeaderTimeout: timeout},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// refusePrivate is checked on the address actually dialled, after DNS, so
// a name that resolves to a private address is refused too.
func refusePrivate(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return err
	}
	ip = ip.Unmap()
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified() || ip.IsMulticast() ||
		netip.MustParsePrefix("100.64.0.0/10").Contains(ip) {
		return fmt.Errorf("webhook address %s is private: refused (serve --webhook-allow-private allows it)", ip)
	}
	return nil
}

// Run delivers until ctx ends.
func (d *Deliverer) Run(ctx context.Context) error {
	t := time.NewTicker(d.cfg.Poll)
	defer t.Stop()
	for {
		n, err := d.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			d.cfg.Logger.Warn("webhook deliveries", "err", err)
		}
		if n == d.cfg.Workers && err == nil && ctx.Err() == nil {
			// A full batch: more may be due; do not wait for the tick.
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// RunOnce claims what is due and attempts it, returning how many attempts
// were made.
func (d *Deliverer) RunOnce(ctx context.Context) (int, error) {
	now := d.cfg.Clock.Now()
	// One attempt per worker, so a claim need outlive one attempt only;
	// if this node dies, another takes its deliveries over when it lapses.
	ds, err := d.cfg.Store.ClaimWebhookDeliveries(ctx, d.claim, now, 2*d.cfg.Timeout+2*time.Second, d.cfg.Workers)
	if err != nil || len(ds) == 0 {
		return 0, err
	}
	hooks := map[int64]*news.Webhook{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, d.cfg.Workers)
	var errs []error
	for _, dl := range ds {
		w := hooks[dl.WebhookID]
		if w == nil {
			if w, err = d.cfg.Store.FindWebhook(ctx, dl.WebhookID); err != nil {
				errs = append(errs, err)
				continue
			}
			hooks[w.ID] = w
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := d.attempt(ctx, w, dl); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return len(ds), errors.Join(errs...)
}

// attempt POSTs one delivery and records the answer.
func (d *Deliverer) attempt(ctx context.Context, w *news.Webhook, dl *news.WebhookDelivery) error {
	start := d.cfg.Clock.Now()
	status, errText := d.post(ctx, w, dl, start)
	a := news.WebhookAttempt{At: start, Status: status, Error: errText, Duration: d.cfg.Clock.Now().Sub(start)}
	var next time.Time
	ok := status >= 200 && status < 300
	if !ok {
		next = NextAttempt(dl.CreatedAt, start, dl.Attempts+1)
	}
	log := d.cfg.Logger.With("webhook", w.ID, "delivery", dl.ID, "event", dl.EventType, "attempt", dl.Attempts+1, "status", status)
	switch {
	case ok:
		log.Info("webhook delivered")
	case next.IsZero():
		log.Warn("webhook delivery failed for 24 h: giving up", "err", errText)
	default:
		log.Info("webhook delivery failed; will retry", "err", errText, "next", next)
	}
	if err := d.cfg.Store.FinishWebhookAttempt(context.WithoutCancel(ctx), dl.ID, dl.Claim, a, next); err != nil {
		return fmt.Errorf("record attempt of delivery %d: %w", dl.ID, err)
	}
	return nil
}

func (d *Deliverer) post(ctx context.Context, w *news.Webhook, dl *news.WebhookDelivery, at time.Time) (int, string) {
	sig, err := Sign(w.Secret, dl.MsgID, at, dl.Payload)
	if err != nil {
		return 0, err.Error()
	}
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(dl.Payload))
	if err != nil {
		return 0, "bad URL: " + err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "masthead-webhooks/1")
	req.Header.Set("webhook-id", dl.MsgID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(at.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	res, err := d.client.Do(req)
	if err != nil {
		return 0, shortErr(err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		return res.StatusCode, ""
	}
	return res.StatusCode, "HTTP " + strconv.Itoa(res.StatusCode)
}

// shortErr keeps an attempt's error readable in the delivery log.
func shortErr(err error) string {
	s := err.Error()
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}
