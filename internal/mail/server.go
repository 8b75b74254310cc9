package mail

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// TLS modes of a server. Implicit TLS (smtps://, usually port 465) wraps the
// whole connection; STARTTLS upgrades a plain one (smtp://, usually 587).
const (
	TLSImplicit      = "implicit"      // smtps://
	TLSOpportunistic = "opportunistic" // smtp://: STARTTLS when offered (the default)
	TLSRequired      = "required"      // smtp://...?starttls=required: refuse a plain session
	TLSNone          = "none"          // smtp://...?starttls=none: never upgrade (a local relay)
)

// Server is a parsed SMTP URL: smtp://USER:PASS@HOST:PORT or smtps://...
//
// Query options: starttls=opportunistic|required|none (smtp:// only) and
// helo=NAME (the name we greet with; default the local host name).
type Server struct {
	Host     string
	Port     int
	Username string
	Password string
	TLS      string // one of the TLS* constants
	HELO     string
}

// ParseURL reads an SMTP URL. The password may be percent-encoded.
func ParseURL(raw string) (Server, error) {
	var s Server
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		// url.Parse repeats the whole URL, password included: say less.
		return s, errors.New("SMTP URL: not a URL (want smtp://USER:PASS@HOST:PORT or smtps://...)")
	}
	switch u.Scheme {
	case "smtp":
		s.TLS, s.Port = TLSOpportunistic, 587
	case "smtps":
		s.TLS, s.Port = TLSImplicit, 465
	default:
		return s, fmt.Errorf("SMTP URL: scheme %q: want smtp:// or smtps://", u.Scheme)
	}
	s.Host = u.Hostname()
	if s.Host == "" {
		return s, errors.New("SMTP URL: no host (want smtp://USER:PASS@HOST:PORT)")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			return s, fmt.Errorf("SMTP URL: bad port %q", p)
		}
		s.Port = n
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	if u.Path != "" && u.Path != "/" {
		return s, fmt.Errorf("SMTP URL: unexpected path %q", u.Path)
	}
	q := u.Query()
	for k := range q {
		switch k {
		case "starttls", "helo":
		default:
			return s, fmt.Errorf("SMTP URL: unknown option %q (known: starttls, helo)", k)
		}
	}
	if v := q.Get("starttls"); v != "" {
		if s.TLS == TLSImplicit {
			return s, errors.New("SMTP URL: starttls does not apply to smtps:// (already TLS)")
		}
		switch v {
		case TLSOpportunistic, TLSRequired, TLSNone:
			s.TLS = v
		default:
			return s, fmt.Errorf("SMTP URL: starttls=%q: want opportunistic, required or none", v)
		}
	}
	s.HELO = q.Get("helo")
	return s, nil
}

// Addr is host:port, the key rate limits are kept under.
func (s Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// String is the URL with the password hidden: safe for logs and pages.
func (s Server) String() string {
	scheme := "smtp"
	if s.TLS == TLSImplicit {
		scheme = "smtps"
	}
	u := url.URL{Scheme: scheme, Host: s.Addr()}
	if s.Username != "" {
		if s.Password != "" {
			u.User = url.UserPassword(s.Username, "xxxxx")
		} else {
			u.User = url.User(s.Username)
		}
	}
	q := url.Values{}
	if s.TLS == TLSRequired || s.TLS == TLSNone {
		q.Set("starttls", s.TLS)
	}
	if s.HELO != "" {
		q.Set("helo", s.HELO)
	}
	u.RawQuery = q.Encode()
	return u.String()
}
