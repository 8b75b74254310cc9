// Package mailpit lets tests read what a real SMTP server received: the
// Mailpit that .ci/run starts (MASTHEAD_TEST_SMTP is its SMTP address,
// MASTHEAD_TEST_MAILPIT its HTTP API). Without those variables a test is
// skipped with a message; under CI it fails, because CI must run the mail
// tests.
//
// Tests share one Mailpit, so each test mails its own fresh addresses
// (Address) and reads only those.
package mailpit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// The environment variables .ci/run sets.
const (
	EnvSMTP = "MASTHEAD_TEST_SMTP"    // host:port
	EnvAPI  = "MASTHEAD_TEST_MAILPIT" // http://host:port
)

// Server is a running Mailpit.
type Server struct {
	SMTP string // host:port
	API  string // http://host:port
}

// FromEnv returns the Mailpit the environment names, or skips t (fails it
// under CI) when there is none.
func FromEnv(t testing.TB) *Server {
	t.Helper()
	smtp, api := os.Getenv(EnvSMTP), os.Getenv(EnvAPI)
	if smtp == "" || api == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s and %s are unset; CI must run the mail tests (.ci/run starts Mailpit)", EnvSMTP, EnvAPI)
		}
		t.Skipf("mail test skipped: set %s=HOST:PORT and %s=http://HOST:PORT to a Mailpit (go install github.com/axllent/mailpit@v1.33.1; see .ci/run)", EnvSMTP, EnvAPI)
	}
	return &Server{SMTP: smtp, API: strings.TrimRight(api, "/")}
}

// URL is the SMTP URL of the server, for mail.Config or --smtp.
func (s *Server) URL() string { return "smtp://" + s.SMTP }

// Address returns a new recipient address nobody else uses: tag names the
// test, for reading Mailpit's UI.
func Address(tag string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	tag = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, strings.ToLower(tag))
	return tag + "-" + hex.EncodeToString(b[:]) + "@readers.masthead.test"
}

// Addr is a mailbox in Mailpit's JSON.
type Addr struct {
	Name    string
	Address string
}

// Summary is one message in a search result.
type Summary struct {
	ID        string
	MessageID string
	From      *Addr
	To        []*Addr
	Subject   string
	Created   time.Time
	Snippet   string
}

// Message is one message in full.
type Message struct {
	ID              string
	MessageID       string
	From            *Addr
	To              []*Addr
	ReturnPath      string
	Subject         string
	Date            time.Time
	Text            string
	HTML            string
	ListUnsubscribe struct {
		Header     string
		Links      []string
		Errors     string
		HeaderPost string
	}
}

// HTMLCheck is Mailpit's caniemail.com report on a message's HTML part:
// how much of what it uses the common mail clients support.
type HTMLCheck struct {
	Warnings []struct {
		Slug, Title, Category string
		Score                 struct {
			Found                           int
			Supported, Partial, Unsupported float32
		}
	}
	Total struct {
		Tests, Nodes                    int
		Supported, Partial, Unsupported float32
	}
}

func (s *Server) get(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, "GET", s.API+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("mailpit GET %s: %s: %s", path, resp.Status, body)
	}
	if raw, ok := v.(*[]byte); ok {
		*raw = body
		return nil
	}
	return json.Unmarshal(body, v)
}

// To lists the messages received for addr, oldest first.
func (s *Server) To(ctx context.Context, addr string) ([]Summary, error) {
	var all []Summary
	for start := 0; ; {
		var res struct {
			Messages      []Summary `json:"messages"`
			MessagesCount int       `json:"messages_count"`
		}
		q := url.Values{"query": {`to:"` + addr + `"`}, "start": {fmt.Sprint(start)}, "limit": {"1000"}}
		if err := s.get(ctx, "/api/v1/search?"+q.Encode(), &res); err != nil {
			return nil, err
		}
		all = append(all, res.Messages...)
		start += len(res.Messages)
		if len(res.Messages) == 0 || start >= res.MessagesCount {
			break
		}
	}
	// Mailpit lists newest first.
	for i, j := 0, len(all)-1; i < j; i, j = i+1, j-1 {
		all[i], all[j] = all[j], all[i]
	}
	return all, nil
}

// Wait polls until at least n messages for addr arrived (or 20 s passed,
// failing t) and returns them all, oldest first.
func (s *Server) Wait(t testing.TB, addr string, n int) []Summary {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		got, err := s.To(ctx, addr)
		if err == nil && len(got) >= n {
			return got
		}
		select {
		case <-ctx.Done():
			t.Fatalf("mailpit: %d message(s) to %s after 20 s, want %d (last error: %v)", len(got), addr, n, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Message reads one message.
func (s *Server) Message(ctx context.Context, id string) (*Message, error) {
	var m Message
	return &m, s.get(ctx, "/api/v1/message/"+url.PathEscape(id), &m)
}

// Raw is the message as the server received it.
func (s *Server) Raw(ctx context.Context, id string) ([]byte, error) {
	var b []byte
	return b, s.get(ctx, "/api/v1/message/"+url.PathEscape(id)+"/raw", &b)
}

// Headers are the message's header fields.
func (s *Server) Headers(ctx context.Context, id string) (map[string][]string, error) {
	var h map[string][]string
	return h, s.get(ctx, "/api/v1/message/"+url.PathEscape(id)+"/headers", &h)
}

// HTMLCheck asks Mailpit how well the HTML part renders in mail clients.
func (s *Server) HTMLCheck(ctx context.Context, id string) (*HTMLCheck, error) {
	var h HTMLCheck
	return &h, s.get(ctx, "/api/v1/message/"+url.PathEscape(id)+"/html-check", &h)
}

// Count counts, for each of addrs, the messages received: the exactly-once
// proof of a newsletter send.
func (s *Server) Count(ctx context.Context, addrs []string) (map[string]int, error) {
	counts := make(map[string]int, len(addrs))
	for _, a := range addrs {
		got, err := s.To(ctx, a)
		if err != nil {
			return nil, err
		}
		counts[a] = len(got)
	}
	return counts, nil
}
