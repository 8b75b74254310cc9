// Package smtpsink is a real SMTP server (github.com/emersion/go-smtp on a
// TCP port) that keeps what it receives in memory. Tests and benchmarks use
// it where Mailpit cannot do what they need: answer 4xx or 5xx on cue, take
// a set time per message, count sessions, or take 10,000 messages without
// storing them.
package smtpsink

import (
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Received is one accepted message.
type Received struct {
	From, To  string // envelope, without brackets
	MessageID string
	Data      []byte // nil when Config.Discard
}

// Config says how the sink behaves.
type Config struct {
	// Delay is how long each message takes, after its data arrived and
	// before the 250 reply: a slow server's processing.
	Delay time.Duration
	// Refuse, when it returns an error, refuses that delivery at the end of
	// DATA: return Temp(...) or Perm(...). n counts the deliveries tried
	// for this recipient, from 1.
	Refuse func(rcpt string, n int) error
	// Discard keeps only envelopes and Message-IDs (benchmarks).
	Discard bool
	// TLS, when set, serves implicit TLS (smtps) with this config.
	TLS *tls.Config
	// Auth requires AUTH PLAIN with this user and password.
	User, Password string
}

// Sink is a running server.
type Sink struct {
	Addr string // 127.0.0.1:port
	cfg  Config
	srv  *smtp.Server

	mu       sync.Mutex
	received []Received
	tries    map[string]int
	sessions int
}

// Temp is a 451 refusal (try again later); Perm a 550 (no such mailbox).
func Temp(msg string) error {
	return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: msg}
}

// Perm is a 550 refusal.
func Perm(msg string) error {
	return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: msg}
}

// Start listens on a free local port. Close stops it.
func Start(cfg Config) (*Sink, error) { return StartAt("127.0.0.1:0", cfg) }

// StartAt listens on addr (a server coming back on the port it had).
func StartAt(addr string, cfg Config) (*Sink, error) {
	var ln net.Listener
	var err error
	if cfg.TLS != nil {
		ln, err = tls.Listen("tcp", addr, cfg.TLS)
	} else {
		ln, err = net.Listen("tcp", addr)
	}
	if err != nil {
		return nil, err
	}
	s := &Sink{Addr: ln.Addr().String(), cfg: cfg, tries: map[string]int{}}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		s.mu.Lock()
		s.sessions++
		s.mu.Unlock()
		return &session{s: s}, nil
	}))
	s.srv.Domain = "sink.masthead.test"
	s.srv.AllowInsecureAuth = true
	s.srv.MaxMessageBytes = 10 << 20
	s.srv.ReadTimeout = time.Minute
	s.srv.WriteTimeout = time.Minute
	go s.srv.Serve(ln)
	return s, nil
}

// Close stops the server and drops open sessions.
func (s *Sink) Close() error { return s.srv.Close() }

// Received returns what was accepted so far.
func (s *Sink) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// Sessions is how many SMTP sessions were opened.
func (s *Sink) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

// Counts is the number of accepted messages per recipient.
func (s *Sink) Counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := map[string]int{}
	for _, r := range s.received {
		c[r.To]++
	}
	return c
}

type session struct {
	s      *Sink
	from   string
	rcpts  []string
	authed bool
}

func (se *session) AuthMechanisms() []string {
	if se.s.cfg.User == "" {
		return nil
	}
	return []string{"PLAIN"}
}

func (se *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != se.s.cfg.User || pass != se.s.cfg.Password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		se.authed = true
		return nil
	}), nil
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	if se.s.cfg.User != "" && !se.authed {
		return smtp.ErrAuthRequired
	}
	se.from = from
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	se.rcpts = append(se.rcpts, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if d := se.s.cfg.Delay; d > 0 {
		time.Sleep(d)
	}
	id := ""
	if m, err := mail.ReadMessage(bytes.NewReader(data)); err == nil {
		id = strings.Trim(m.Header.Get("Message-Id"), "<>")
	}
	se.s.mu.Lock()
	defer se.s.mu.Unlock()
	for _, to := range se.rcpts {
		se.s.tries[to]++
		if f := se.s.cfg.Refuse; f != nil {
			if err := f(to, se.s.tries[to]); err != nil {
				return err
			}
		}
	}
	if se.s.cfg.Discard {
		data = nil
	}
	for _, to := range se.rcpts {
		se.s.received = append(se.s.received, Received{From: se.from, To: to, MessageID: id, Data: data})
	}
	return nil
}

func (se *session) Reset()        { se.from, se.rcpts = "", nil }
func (se *session) Logout() error { return nil }
