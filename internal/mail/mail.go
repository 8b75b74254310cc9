// Package mail sends the paper's e-mail — sign-in links, newsletter issues,
// password resets, invitations — through any SMTP server.
//
// One Mailer per server: it renders a Message to MIME (plain text and, when
// given, an HTML alternative), signs it with DKIM when configured, waits
// for the server's rate limit, and delivers it over a small pool of kept
// connections, retrying temporary failures with back-off. A permanent
// refusal (5xx: no such mailbox, policy) comes back at once as a *SendError
// with Permanent set, so a newsletter can stop mailing that address.
//
//	m, err := mail.New(mail.Config{URL: "smtps://user:pass@smtp.example.com", From: "The Times <news@example.com>"})
//	err = m.Send(ctx, &mail.Message{To: "reader@example.org", Subject: "Sign in", Text: "..."})
//
// Nothing here adds tracking: no pixels, no rewritten links. A Message is
// sent as given.
package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	netmail "net/mail"
	"net/textproto"
	"sync"
	"syscall"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// Sender is what features that send mail depend on: a *Mailer, or a
// *Dynamic that follows the paper's settings.
type Sender interface {
	Send(ctx context.Context, m *Message) error
}

// ErrNotConfigured: the paper has no SMTP server set (neither --smtp nor
// the newsroom's settings). Features that need mail say so to the user.
var ErrNotConfigured = errors.New("mail: no SMTP server configured")

// Config is one SMTP server and how to use it.
type Config struct {
	// URL: smtp://USER:PASS@HOST:PORT (STARTTLS when offered; add
	// ?starttls=required to insist), or smtps://... for implicit TLS.
	URL string
	// From is the header sender: "The Masthead Times <news@example.com>".
	From string
	// ReturnPath is the envelope sender (MAIL FROM), where bounces go;
	// empty: the From address.
	ReturnPath string
	// DKIM signs every message when set.
	DKIM *DKIM

	// Rate is the most messages per second sent to this server by this
	// process (0: 10/s; negative: no limit). Burst is how many may go at
	// once after a quiet spell (0: Connections).
	Rate  float64
	Burst int
	// Connections is how many sessions are kept open at once (0: 4).
	Connections int
	// Attempts is how often a temporary failure is tried in all (0: 3);
	// Backoff the first wait between tries (0: 1s), growing fourfold up to
	// MaxBackoff (0: 1 min).
	Attempts   int
	Backoff    time.Duration
	MaxBackoff time.Duration
	// Timeout bounds each SMTP command and the dial (0: 30s).
	Timeout time.Duration
	// IdleTimeout closes a kept connection unused this long (0: 30s).
	IdleTimeout time.Duration

	// TLSConfig overrides the TLS settings (tests give their own CA); its
	// ServerName defaults to the host.
	TLSConfig *tls.Config
	Logger    *slog.Logger
	// Now is the clock for Date headers (nil: time.Now).
	Now func() time.Time
}

// Mailer sends through one SMTP server. It is safe for concurrent use.
type Mailer struct {
	cfg    Config
	server Server
	from   *netmail.Address
	client *gomail.Client // dials, greets, upgrades to TLS, authenticates
	lim    *limiter
	log    *slog.Logger

	slots chan struct{} // one per connection in use
	mu    sync.Mutex
	idle  []*conn
	done  bool
}

type conn struct {
	c        *smtp.Client
	lastUsed time.Time
}

// New checks cfg and returns a Mailer; it does not connect yet (Check does).
func New(cfg Config) (*Mailer, error) {
	if cfg.URL == "" {
		return nil, ErrNotConfigured
	}
	srv, err := ParseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	if cfg.From == "" {
		return nil, errors.New("mail: no sender address (--mail-from)")
	}
	from, err := netmail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("mail: sender %q: not an e-mail address", cfg.From)
	}
	if cfg.ReturnPath != "" {
		if _, err := netmail.ParseAddress(cfg.ReturnPath); err != nil {
			return nil, fmt.Errorf("mail: return path %q: not an e-mail address", cfg.ReturnPath)
		}
	}
	if srv.Username != "" && srv.TLS == TLSNone {
		return nil, errors.New("mail: credentials are sent only over TLS: drop starttls=none, or the user and password")
	}
	if d := cfg.DKIM; d != nil && (d.Domain == "" || d.Selector == "" || d.Key == nil) {
		return nil, errors.New("mail: DKIM needs a domain, a selector and a key")
	}
	if cfg.Connections <= 0 {
		cfg.Connections = 4
	}
	if cfg.Rate == 0 {
		cfg.Rate = 10
	}
	if cfg.Burst <= 0 {
		cfg.Burst = cfg.Connections
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 3
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = time.Second
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = time.Minute
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}

	opts := []gomail.Option{gomail.WithPort(srv.Port), gomail.WithTimeout(cfg.Timeout)}
	tlsCfg := cfg.TLSConfig
	if tlsCfg == nil {
		tlsCfg = &tls.Config{MinVersion: tls.VersionTLS12}
	} else {
		tlsCfg = tlsCfg.Clone()
	}
	if tlsCfg.ServerName == "" {
		tlsCfg.ServerName = srv.Host
	}
	opts = append(opts, gomail.WithTLSConfig(tlsCfg))
	switch srv.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case TLSRequired:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if srv.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(srv.Username), gomail.WithPassword(srv.Password))
	}
	if srv.HELO != "" {
		opts = append(opts, gomail.WithHELO(srv.HELO))
	}
	client, err := gomail.NewClient(srv.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: %s: %w", srv, err)
	}
	rate := cfg.Rate
	if rate < 0 {
		rate = 0
	}
	return &Mailer{
		cfg: cfg, server: srv, from: from, client: client,
		lim:   limiterFor(srv.Addr(), rate, cfg.Burst),
		log:   cfg.Logger.With("smtp", srv.String()),
		slots: make(chan struct{}, cfg.Connections),
	}, nil
}

// Server is the server this Mailer sends through (String hides the password).
func (m *Mailer) Server() Server { return m.server }

// From is the sender address.
func (m *Mailer) From() *netmail.Address { return m.from }

// SendError says why a message was not delivered.
type SendError struct {
	// Code is the SMTP reply code (550, 421…), 0 for a network or TLS failure.
	Code    int
	Message string // the server's reply text, or the network error
	// Permanent: the server refused for good (5xx). Trying again later
	// would fail again; a newsletter treats it as a hard bounce.
	Permanent bool
	// MaybeDelivered: the connection broke after the whole message was
	// sent, so the server may have taken it. A retry keeps the same
	// Message-ID, so receivers can drop the copy.
	MaybeDelivered bool
	Attempts       int
	Err            error
}

func (e *SendError) Error() string {
	kind := "temporary"
	if e.Permanent {
		kind = "permanent"
	}
	if e.Code != 0 {
		return fmt.Sprintf("mail: %s failure after %d attempt(s): %d %s", kind, e.Attempts, e.Code, e.Message)
	}
	return fmt.Sprintf("mail: %s failure after %d attempt(s): %s", kind, e.Attempts, e.Message)
}

func (e *SendError) Unwrap() error { return e.Err }

// IsPermanent reports whether err is a refusal that retrying will not fix:
// a permanent SMTP reply or an invalid message.
func IsPermanent(err error) bool {
	var se *SendError
	if errors.As(err, &se) {
		return se.Permanent
	}
	return errors.Is(err, ErrInvalid)
}

// Send delivers msg, retrying temporary failures (4xx replies, network
// errors) up to Config.Attempts with back-off. It returns nil once the
// server has accepted the message, ErrInvalid (wrapped) for a message that
// cannot be sent, a *SendError otherwise, or ctx's error.
func (m *Mailer) Send(ctx context.Context, msg *Message) error {
	raw, envFrom, rcpt, err := render(msg, m.from, m.cfg.ReturnPath, m.cfg.Now())
	if err != nil {
		return err
	}
	if m.cfg.DKIM != nil {
		if raw, err = m.cfg.DKIM.sign(raw); err != nil {
			return err
		}
	}
	var last *SendError
	for attempt := 1; attempt <= m.cfg.Attempts; attempt++ {
		if attempt > 1 {
			t := time.NewTimer(Backoff(attempt-1, m.cfg.Backoff, m.cfg.MaxBackoff))
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		}
		if err := m.lim.wait(ctx); err != nil {
			return err
		}
		se := m.attempt(ctx, raw, envFrom, rcpt)
		if se == nil {
			return nil
		}
		se.Attempts = attempt
		last = se
		if se.Permanent || ctx.Err() != nil {
			break
		}
		m.log.Warn("mail: temporary failure, will retry", "attempt", attempt, "code", se.Code, "error", se.Message, "to_domain", domainOf(rcpt))
	}
	if err := ctx.Err(); err != nil && !last.Permanent {
		return err
	}
	return last
}

// Check connects, greets and authenticates, then hangs up: the settings
// page's "send a test" step before it, and serve's start-up check.
func (m *Mailer) Check(ctx context.Context) error {
	c, err := m.client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return classify(err, false)
	}
	_ = c.Quit()
	return nil
}

// attempt is one try: take a connection, run one SMTP transaction.
func (m *Mailer) attempt(ctx context.Context, raw []byte, envFrom, rcpt string) *SendError {
	select {
	case m.slots <- struct{}{}:
	case <-ctx.Done():
		return &SendError{Message: ctx.Err().Error(), Err: ctx.Err()}
	}
	defer func() { <-m.slots }()

	c, reused, err := m.conn(ctx)
	if err != nil {
		return classify(err, false)
	}
	err, sentAll := m.transact(c, raw, envFrom, rcpt)
	if err != nil && reused && !sentAll && (!isReply(err) || replyCode(err) == 421) {
		// A kept connection the server had already dropped (or is closing,
		// 421): the message never left, so a fresh connection is not a retry.
		_ = c.c.Close()
		if c, err = m.dialConn(ctx); err != nil {
			return classify(err, false)
		}
		err, sentAll = m.transact(c, raw, envFrom, rcpt)
	}
	if err != nil {
		if isReply(err) && !sentAll {
			// The session is still in step: reset it and keep it.
			if c.c.Reset() == nil {
				m.release(c)
			} else {
				_ = c.c.Close()
			}
		} else {
			_ = c.c.Close()
		}
		return classify(err, sentAll)
	}
	m.release(c)
	return nil
}

// transact runs MAIL, RCPT, DATA. sentAll is true once the final dot has
// gone out: after that, a broken connection leaves the outcome unknown.
func (m *Mailer) transact(c *conn, raw []byte, envFrom, rcpt string) (err error, sentAll bool) {
	if err := c.c.UpdateDeadline(m.cfg.Timeout); err != nil {
		return err, false
	}
	if err := c.c.Mail(envFrom); err != nil {
		return err, false
	}
	if err := c.c.Rcpt(rcpt); err != nil {
		return err, false
	}
	w, err := c.c.Data()
	if err != nil {
		return err, false
	}
	if _, err := w.Write(raw); err != nil {
		return err, false
	}
	// Close writes the terminating dot, then reads the server's verdict.
	if err := w.Close(); err != nil {
		return err, !isReply(err)
	}
	return nil, false
}

// conn returns a kept connection (after RSET proves it alive) or a new one.
func (m *Mailer) conn(ctx context.Context) (*conn, bool, error) {
	now := time.Now()
	for {
		m.mu.Lock()
		n := len(m.idle)
		if n == 0 {
			m.mu.Unlock()
			break
		}
		c := m.idle[n-1]
		m.idle = m.idle[:n-1]
		m.mu.Unlock()
		if now.Sub(c.lastUsed) > m.cfg.IdleTimeout {
			_ = c.c.Close()
			continue
		}
		return c, true, nil
	}
	c, err := m.dialConn(ctx)
	return c, false, err
}

func (m *Mailer) dialConn(ctx context.Context) (*conn, error) {
	c, err := m.client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return nil, err
	}
	return &conn{c: c}, nil
}

// release keeps c for the next message (RSET'ing it first, the way every
// later transaction on a session should start).
func (m *Mailer) release(c *conn) {
	c.lastUsed = time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.done || len(m.idle) >= m.cfg.Connections {
		go c.c.Quit()
		return
	}
	m.idle = append(m.idle, c)
}

// Close hangs up the kept connections. Sends still running finish.
func (m *Mailer) Close() error {
	m.mu.Lock()
	idle := m.idle
	m.idle, m.done = nil, true
	m.mu.Unlock()
	for _, c := range idle {
		_ = c.c.Quit()
	}
	return nil
}

func isReply(err error) bool { return replyCode(err) != 0 }

// replyCode is the SMTP reply code in err, or 0.
func replyCode(err error) int {
	var tp *textproto.Error
	if errors.As(err, &tp) {
		return tp.Code
	}
	return 0
}

// classify turns an SMTP or network error into a *SendError.
func classify(err error, sentAll bool) *SendError {
	var tp *textproto.Error
	if errors.As(err, &tp) {
		return &SendError{Code: tp.Code, Message: tp.Msg, Permanent: tp.Code >= 500, Err: err}
	}
	se := &SendError{Message: err.Error(), MaybeDelivered: sentAll, Err: err}
	// A dropped or refused connection, a timeout: try again later.
	// Anything else on the way in (an untrusted certificate, no TLS where
	// it is required, no way to authenticate) stays wrong until the
	// settings change.
	var netErr net.Error
	temporary := errors.As(err, &netErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, context.DeadlineExceeded)
	var certErr *tls.CertificateVerificationError
	se.Permanent = !temporary || errors.As(err, &certErr)
	return se
}
