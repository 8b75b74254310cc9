package mail

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Setting keys: where the newsroom's paper settings keep the SMTP settings
// (news.Store settings). `serve --smtp` and `--mail-from` override the
// first two.
const (
	KeyURL          = "mail.smtp_url"      // smtp://USER:PASS@HOST:PORT or smtps://...
	KeyFrom         = "mail.from"          // "The Times <news@example.com>"
	KeyReturnPath   = "mail.return_path"   // bounce address (MAIL FROM); empty: From
	KeyDKIMDomain   = "mail.dkim_domain"   // d=
	KeyDKIMSelector = "mail.dkim_selector" // s=
	KeyDKIMKey      = "mail.dkim_key"      // PEM private key
	KeyRate         = "mail.rate"          // messages per second to the server
	KeyConnections  = "mail.connections"   // sessions kept open at once (default 4)
)

// FromSettings builds a Config from the paper's settings. get returns ""
// for an unset key. Non-empty URL and From in override win (the flags);
// override's other fields (Logger, TLSConfig, tuning) are kept as given.
func FromSettings(ctx context.Context, get func(ctx context.Context, key string) (string, error), override Config) (Config, error) {
	cfg := override
	val := func(key string) (string, error) {
		v, err := get(ctx, key)
		if err != nil {
			return "", fmt.Errorf("mail settings: read %s: %w", key, err)
		}
		return strings.TrimSpace(v), nil
	}
	var err error
	if cfg.URL == "" {
		if cfg.URL, err = val(KeyURL); err != nil {
			return cfg, err
		}
	}
	if cfg.From == "" {
		if cfg.From, err = val(KeyFrom); err != nil {
			return cfg, err
		}
	}
	if cfg.ReturnPath == "" {
		if cfg.ReturnPath, err = val(KeyReturnPath); err != nil {
			return cfg, err
		}
	}
	if r, err := val(KeyRate); err != nil {
		return cfg, err
	} else if r != "" && cfg.Rate == 0 {
		if cfg.Rate, err = strconv.ParseFloat(r, 64); err != nil {
			return cfg, fmt.Errorf("mail settings: %s=%q: not a number", KeyRate, r)
		}
	}
	if c, err := val(KeyConnections); err != nil {
		return cfg, err
	} else if c != "" && cfg.Connections == 0 {
		if cfg.Connections, err = strconv.Atoi(c); err != nil || cfg.Connections < 1 || cfg.Connections > 100 {
			return cfg, fmt.Errorf("mail settings: %s=%q: want 1 to 100", KeyConnections, c)
		}
	}
	if cfg.DKIM == nil {
		domain, err := val(KeyDKIMDomain)
		if err != nil {
			return cfg, err
		}
		if domain != "" {
			sel, err := val(KeyDKIMSelector)
			if err != nil {
				return cfg, err
			}
			pemText, err := val(KeyDKIMKey)
			if err != nil {
				return cfg, err
			}
			key, err := ParseDKIMKey([]byte(pemText))
			if err != nil {
				return cfg, err
			}
			cfg.DKIM = &DKIM{Domain: domain, Selector: sel, Key: key}
		}
	}
	return cfg, nil
}

// Dynamic is a Sender that follows settings that change while the server
// runs: it reloads them at most every few seconds and makes a new Mailer
// when they changed. Without a server configured, Send returns
// ErrNotConfigured.
type Dynamic struct {
	load func(ctx context.Context) (Config, error)
	ttl  time.Duration

	mu      sync.Mutex
	cur     *Mailer
	curKey  string
	loaded  time.Time
	loadErr error
}

// NewDynamic returns a Sender whose Config comes from load (FromSettings
// bound to the store and the flags, usually).
func NewDynamic(load func(ctx context.Context) (Config, error)) *Dynamic {
	return &Dynamic{load: load, ttl: 5 * time.Second}
}

// SetTTL sets how long loaded settings are trusted (default 5 s; tests use 0).
func (d *Dynamic) SetTTL(ttl time.Duration) {
	d.mu.Lock()
	d.ttl = ttl
	d.mu.Unlock()
}

// Reload makes the next Mailer call read the settings again (the
// newsroom calls it when an admin saves them, so the next mail, a test
// mail first of all, uses what was saved on this node; other nodes follow
// within the TTL).
func (d *Dynamic) Reload() {
	d.mu.Lock()
	d.loaded = time.Time{}
	d.mu.Unlock()
}

// Mailer returns the Mailer for the current settings.
func (d *Dynamic) Mailer(ctx context.Context) (*Mailer, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.loaded.IsZero() && time.Since(d.loaded) < d.ttl {
		return d.cur, d.loadErr
	}
	cfg, err := d.load(ctx)
	d.loaded = time.Now()
	if err != nil {
		// Keep the last good Mailer through a passing read failure.
		if d.cur != nil {
			return d.cur, nil
		}
		d.loadErr = err
		return nil, err
	}
	key := fingerprint(cfg)
	if d.cur != nil && key == d.curKey {
		return d.cur, nil
	}
	m, err := New(cfg)
	if d.cur != nil {
		_ = d.cur.Close()
	}
	d.cur, d.curKey, d.loadErr = m, key, err
	return m, err
}

// Send sends through the current settings' Mailer.
func (d *Dynamic) Send(ctx context.Context, msg *Message) error {
	m, err := d.Mailer(ctx)
	if err != nil {
		return err
	}
	return m.Send(ctx, msg)
}

// Close closes the current Mailer.
func (d *Dynamic) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cur != nil {
		return d.cur.Close()
	}
	return nil
}

func fingerprint(c Config) string {
	var dk string
	if c.DKIM != nil {
		dk = fmt.Sprintf("%s|%s|%v", c.DKIM.Domain, c.DKIM.Selector, c.DKIM.Key.Public())
	}
	return fmt.Sprintf("%s|%s|%s|%s|%g|%d|%d", c.URL, c.From, c.ReturnPath, dk, c.Rate, c.Burst, c.Connections)
}
