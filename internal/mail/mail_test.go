//go:debug rsa1024min=0

package mail_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"masthead/internal/mail"
	"masthead/internal/mail/mailpit"
	"masthead/internal/mail/smtpsink"
)

func startSink(t *testing.T, cfg smtpsink.Config) *smtpsink.Sink {
	t.Helper()
	s, err := smtpsink.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newMailer(t *testing.T, cfg mail.Config) *mail.Mailer {
	t.Helper()
	if cfg.From == "" {
		cfg.From = "The Masthead Times <news@masthead.test>"
	}
	if cfg.Backoff == 0 {
		cfg.Backoff = time.Millisecond // retries without waiting in tests
	}
	if cfg.Rate == 0 {
		cfg.Rate = -1
	}
	m, err := mail.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want mail.Server
		err  string
	}{
		{in: "smtp://mail.example.com", want: mail.Server{Host: "mail.example.com", Port: 587, TLS: mail.TLSOpportunistic}},
		{in: "smtps://u%40x:p%2Fss@mail.example.com", want: mail.Server{Host: "mail.example.com", Port: 465, Username: "u@x", Password: "p/ss", TLS: mail.TLSImplicit}},
		{in: "smtp://USER:PASS@127.0.0.1:2525?starttls=required&helo=news.example.com", want: mail.Server{Host: "127.0.0.1", Port: 2525, Username: "USER", Password: "PASS", TLS: mail.TLSRequired, HELO: "news.example.com"}},
		{in: "smtp://[::1]:25?starttls=none", want: mail.Server{Host: "::1", Port: 25, TLS: mail.TLSNone}},
		{in: "http://mail.example.com", err: "scheme"},
		{in: "smtp://", err: "no host"},
		{in: "smtp://h:99999", err: "port"},
		{in: "smtps://h?starttls=required", err: "does not apply"},
		{in: "smtp://h?starttls=maybe", err: "starttls"},
		{in: "smtp://h?tls=1", err: "unknown option"},
		{in: "smtp://h/path", err: "path"},
	} {
		got, err := mail.ParseURL(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseURL(%q) = %v, want error containing %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseURL(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestServerStringHidesPassword(t *testing.T) {
	s, err := mail.ParseURL("smtps://alice:s3cret-pass@mail.example.com:465")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.String(); strings.Contains(got, "s3cret") || !strings.Contains(got, "alice") {
		t.Errorf("String() = %q: must name the user and hide the password", got)
	}
	// A URL too broken to parse must not be repeated in the error either.
	if _, err := mail.ParseURL("smtp://alice:s3cret%zz@host"); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("ParseURL error %v repeats the password", err)
	}
}

// TestSendThroughMailpit sends a newsletter-shaped message to the real
// server and reads it back through Mailpit's API.
func TestSendThroughMailpit(t *testing.T) {
	mp := mailpit.FromEnv(t)
	key := rsaKey(t)
	m := newMailer(t, mail.Config{
		URL:        mp.URL(),
		From:       "The Masthead Times <news@masthead.test>",
		ReturnPath: "bounces@masthead.test",
		DKIM:       &mail.DKIM{Domain: "masthead.test", Selector: "mh2026", Key: key},
	})
	to := mailpit.Address("send")
	err := m.Send(context.Background(), &mail.Message{
		To:      "Kim Reader <" + to + ">",
		Subject: "오늘의 뉴스:\r\nBcc: victim@example.com",
		Text:    "Today's stories.\n\nhttps://news.example.com/2026/12/03/story\n",
		HTML:    "<!doctype html><html><body><p>Today's <b>stories</b>.</p></body></html>",
		Bulk:    true, ListID: "Daily digest <daily.masthead.test>",
		UnsubscribeURL:    "https://news.example.com/newsletters/unsubscribe?t=abc",
		UnsubscribeMailto: "unsubscribe@masthead.test",
		MessageID:         "issue-7.sub-42@masthead.test",
		Headers:           map[string]string{"Feedback-ID": "7:daily:masthead"},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := mp.Wait(t, to, 1)
	if len(got) != 1 {
		t.Fatalf("%d messages, want 1", len(got))
	}
	ctx := context.Background()
	msg, err := mp.Message(ctx, got[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if msg.Subject != "오늘의 뉴스: Bcc: victim@example.com" {
		t.Errorf("Subject = %q: the line break must fold into one line (no header injection)", msg.Subject)
	}
	if !strings.Contains(msg.Text, "Today's stories.") || !strings.Contains(msg.HTML, "<b>stories</b>") {
		t.Errorf("parts: text %q, html %q", msg.Text, msg.HTML)
	}
	if msg.MessageID != "issue-7.sub-42@masthead.test" {
		t.Errorf("Message-ID = %q", msg.MessageID)
	}
	if msg.ReturnPath != "bounces@masthead.test" {
		t.Errorf("Return-Path = %q, want the bounce address", msg.ReturnPath)
	}
	lu := msg.ListUnsubscribe
	if lu.Errors != "" || lu.HeaderPost != "List-Unsubscribe=One-Click" || len(lu.Links) != 2 {
		t.Errorf("List-Unsubscribe as Mailpit reads it: %+v", lu)
	}
	h, err := mp.Headers(ctx, got[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if h["Precedence"] == nil || h["List-Id"] == nil || h["Auto-Submitted"] == nil {
		t.Errorf("bulk headers missing: %v", h)
	}
	if h["Bcc"] != nil {
		t.Errorf("a Bcc header was injected through the subject")
	}
	raw, err := mp.Raw(ctx, got[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	verifyDKIM(t, raw, "mh2026._domainkey.masthead.test", &mail.DKIM{Domain: "masthead.test", Selector: "mh2026", Key: key},
		"list-unsubscribe", "list-unsubscribe-post", "from", "subject")
}

// verifyDKIM checks raw's signature as a receiver would, with the public key
// the paper would publish (DKIM.DNSRecord), and that it covers the fields.
func verifyDKIM(t *testing.T, raw []byte, name string, d *mail.DKIM, covers ...string) {
	t.Helper()
	recName, recValue, err := d.DNSRecord()
	if err != nil {
		t.Fatal(err)
	}
	if recName != name {
		t.Errorf("DNS record name %q, want %q", recName, name)
	}
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{
		LookupTXT: func(domain string) ([]string, error) {
			if domain != recName {
				return nil, errors.New("no such record " + domain)
			}
			return []string{recValue}, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 || vs[0].Err != nil {
		t.Fatalf("DKIM verifications %+v: want one that passes", vs)
	}
	signed := strings.ToLower(strings.Join(vs[0].HeaderKeys, " "))
	for _, c := range covers {
		if !strings.Contains(signed, c) {
			t.Errorf("signature covers %q, not %s", signed, c)
		}
	}
}

func rsaKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestDKIMEd25519AndPEM(t *testing.T) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	key, err := mail.ParseDKIMKey(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if err != nil {
		t.Fatal(err)
	}
	sink := startSink(t, smtpsink.Config{})
	d := &mail.DKIM{Domain: "masthead.test", Selector: "ed", Key: key}
	m := newMailer(t, mail.Config{URL: "smtp://" + sink.Addr, DKIM: d})
	if err := m.Send(context.Background(), &mail.Message{To: "a@example.org", Subject: "Sign in", Text: "Your link: https://x.test/a"}); err != nil {
		t.Fatal(err)
	}
	got := sink.Received()
	if len(got) != 1 {
		t.Fatalf("%d received", len(got))
	}
	verifyDKIM(t, got[0].Data, "ed._domainkey.masthead.test", d, "from", "subject", "date")

	for _, bad := range []string{"", "not pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))} {
		if _, err := mail.ParseDKIMKey([]byte(bad)); err == nil {
			t.Errorf("ParseDKIMKey(%q) accepted", bad)
		}
	}
	small, err := rsa.GenerateKey(rand.Reader, 512) // allowed by the go:debug line at the top
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mail.ParseDKIMKey(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(small)})); err == nil {
		t.Error("a 512-bit RSA key was accepted")
	}
}

func TestTemporaryFailuresAreRetried(t *testing.T) {
	sink := startSink(t, smtpsink.Config{Refuse: func(rcpt string, n int) error {
		if n <= 2 {
			return smtpsink.Temp("greylisted, come back later")
		}
		return nil
	}})
	m := newMailer(t, mail.Config{URL: "smtp://" + sink.Addr, Attempts: 3})
	if err := m.Send(context.Background(), &mail.Message{To: "grey@example.org", Subject: "S", Text: "T"}); err != nil {
		t.Fatalf("Send after two 451s: %v", err)
	}
	if got := sink.Counts()["grey@example.org"]; got != 1 {
		t.Errorf("accepted %d copies, want 1", got)
	}

	// One attempt fewer than the server needs: a temporary SendError.
	sink2 := startSink(t, smtpsink.Config{Refuse: func(string, int) error { return smtpsink.Temp("busy") }})
	m2 := newMailer(t, mail.Config{URL: "smtp://" + sink2.Addr, Attempts: 2})
	err := m2.Send(context.Background(), &mail.Message{To: "busy@example.org", Subject: "S", Text: "T"})
	var se *mail.SendError
	if !errors.As(err, &se) || se.Permanent || se.Code != 451 || se.Attempts != 2 || mail.IsPermanent(err) {
		t.Errorf("err = %#v, want a temporary 451 after 2 attempts", err)
	}
}

func TestPermanentFailureIsNotRetried(t *testing.T) {
	sink := startSink(t, smtpsink.Config{Refuse: func(string, int) error { return smtpsink.Perm("no such mailbox") }})
	m := newMailer(t, mail.Config{URL: "smtp://" + sink.Addr, Attempts: 5})
	err := m.Send(context.Background(), &mail.Message{To: "gone@example.org", Subject: "S", Text: "T"})
	var se *mail.SendError
	if !errors.As(err, &se) || !se.Permanent || se.Code != 550 || se.Attempts != 1 || !mail.IsPermanent(err) {
		t.Fatalf("err = %#v, want a permanent 550 after 1 attempt", err)
	}
	// The session stays usable after a refusal: the next message goes
	// through the same connection.
	sink2 := startSink(t, smtpsink.Config{Refuse: func(rcpt string, _ int) error {
		if strings.HasPrefix(rcpt, "gone") {
			return smtpsink.Perm("no such mailbox")
		}
		return nil
	}})
	m2 := newMailer(t, mail.Config{URL: "smtp://" + sink2.Addr, Connections: 1})
	_ = m2.Send(context.Background(), &mail.Message{To: "gone@example.org", Subject: "S", Text: "T"})
	if err := m2.Send(context.Background(), &mail.Message{To: "here@example.org", Subject: "S", Text: "T"}); err != nil {
		t.Fatal(err)
	}
	if n := sink2.Sessions(); n != 1 {
		t.Errorf("%d sessions, want 1", n)
	}
}

func TestConnectionsAreKeptAndRedialed(t *testing.T) {
	sink := startSink(t, smtpsink.Config{})
	m := newMailer(t, mail.Config{URL: "smtp://" + sink.Addr, Connections: 2})
	for i := range 5 {
		if err := m.Send(context.Background(), &mail.Message{To: "r@example.org", Subject: "S", Text: strings.Repeat("x", i+1)}); err != nil {
			t.Fatal(err)
		}
	}
	if n := sink.Sessions(); n != 1 {
		t.Errorf("5 messages one after another opened %d sessions, want 1", n)
	}

	// The server goes away and comes back on the same port: the kept
	// session is dead, and the next send dials again without an error.
	addr := sink.Addr
	sink.Close()
	for range 50 { // the port may take a moment to free
		ln, err := net.Listen("tcp", addr)
		if err == nil {
			ln.Close()
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	sink2, err := smtpsink.StartAt(addr, smtpsink.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer sink2.Close()
	if err := m.Send(context.Background(), &mail.Message{To: "r@example.org", Subject: "S", Text: "after"}); err != nil {
		t.Fatalf("send after the server restarted: %v", err)
	}
	if n := len(sink2.Received()); n != 1 {
		t.Errorf("restarted server got %d messages, want 1", n)
	}
}

func TestImplicitTLSAndAuth(t *testing.T) {
	cert, pool := selfSigned(t)
	sink := startSink(t, smtpsink.Config{TLS: &tls.Config{Certificates: []tls.Certificate{cert}}, User: "desk", Password: "pa ss"})
	m := newMailer(t, mail.Config{URL: "smtps://desk:pa%20ss@" + sink.Addr, TLSConfig: &tls.Config{RootCAs: pool}})
	if err := m.Send(context.Background(), &mail.Message{To: "tls@example.org", Subject: "S", Text: "T"}); err != nil {
		t.Fatal(err)
	}
	if n := len(sink.Received()); n != 1 {
		t.Errorf("%d received", n)
	}
	bad := newMailer(t, mail.Config{URL: "smtps://desk:wrong@" + sink.Addr, TLSConfig: &tls.Config{RootCAs: pool}})
	err := bad.Send(context.Background(), &mail.Message{To: "tls@example.org", Subject: "S", Text: "T"})
	if !mail.IsPermanent(err) {
		t.Errorf("wrong password: %v, want a permanent failure", err)
	}
	if err != nil && strings.Contains(err.Error(), "wrong") {
		t.Errorf("error %q repeats the password", err)
	}
	// Without the CA the certificate is not trusted: refused for good.
	untrusted := newMailer(t, mail.Config{URL: "smtps://desk:pa%20ss@" + sink.Addr})
	if err := untrusted.Send(context.Background(), &mail.Message{To: "tls@example.org", Subject: "S", Text: "T"}); !mail.IsPermanent(err) {
		t.Errorf("untrusted certificate: %v, want a permanent failure", err)
	}
}

func TestRequiredSTARTTLSRefusesPlainServer(t *testing.T) {
	sink := startSink(t, smtpsink.Config{})
	m := newMailer(t, mail.Config{URL: "smtp://" + sink.Addr + "?starttls=required", Attempts: 1})
	if err := m.Send(context.Background(), &mail.Message{To: "x@example.org", Subject: "S", Text: "T"}); err == nil {
		t.Fatal("sent over a plain session although STARTTLS was required")
	}
	if n := len(sink.Received()); n != 0 {
		t.Errorf("%d received", n)
	}
}

func TestInvalidMessages(t *testing.T) {
	sink := startSink(t, smtpsink.Config{})
	m := newMailer(t, mail.Config{URL: "smtp://" + sink.Addr})
	for name, msg := range map[string]*mail.Message{
		"no recipient":      {Subject: "S", Text: "T"},
		"two recipients":    {To: "a@example.org, b@example.org", Subject: "S", Text: "T"},
		"recipient with LF": {To: "a@example.org\nRCPT TO:<b@example.org>", Subject: "S", Text: "T"},
		"no text":           {To: "a@example.org", Subject: "S", HTML: "<p>x</p>"},
		"no subject":        {To: "a@example.org", Subject: " \r\n", Text: "T"},
		"header name":       {To: "a@example.org", Subject: "S", Text: "T", Headers: map[string]string{"X-A: b\r\nBcc": "c"}},
		"message id":        {To: "a@example.org", Subject: "S", Text: "T", MessageID: "<x@y>"},
		"unsubscribe url":   {To: "a@example.org", Subject: "S", Text: "T", UnsubscribeURL: "javascript:alert(1)"},
	} {
		err := m.Send(context.Background(), msg)
		if !errors.Is(err, mail.ErrInvalid) || !mail.IsPermanent(err) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if n := len(sink.Received()); n != 0 {
		t.Errorf("%d invalid messages were sent", n)
	}
}

func TestNewChecksConfig(t *testing.T) {
	if _, err := mail.New(mail.Config{}); !errors.Is(err, mail.ErrNotConfigured) {
		t.Errorf("empty config: %v", err)
	}
	for _, cfg := range []mail.Config{
		{URL: "smtp://h"},
		{URL: "smtp://h", From: "not an address"},
		{URL: "smtp://h", From: "a@b.test", ReturnPath: "nope"},
		{URL: "smtp://h", From: "a@b.test", DKIM: &mail.DKIM{Domain: "b.test"}},
		{URL: "smtp://u:p@h?starttls=none", From: "a@b.test"},
	} {
		if _, err := mail.New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}

func TestDynamicFollowsSettings(t *testing.T) {
	sinkA := startSink(t, smtpsink.Config{})
	sinkB := startSink(t, smtpsink.Config{})
	settings := map[string]string{}
	get := func(_ context.Context, k string) (string, error) { return settings[k], nil }
	d := mail.NewDynamic(func(ctx context.Context) (mail.Config, error) {
		return mail.FromSettings(ctx, get, mail.Config{Rate: -1})
	})
	d.SetTTL(0)
	defer d.Close()
	msg := &mail.Message{To: "d@example.org", Subject: "S", Text: "T"}
	if err := d.Send(context.Background(), msg); !errors.Is(err, mail.ErrNotConfigured) {
		t.Fatalf("unset: %v, want ErrNotConfigured", err)
	}
	settings[mail.KeyURL], settings[mail.KeyFrom] = "smtp://"+sinkA.Addr, "News <news@masthead.test>"
	if err := d.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	settings[mail.KeyURL] = "smtp://" + sinkB.Addr
	if err := d.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	if a, b := len(sinkA.Received()), len(sinkB.Received()); a != 1 || b != 1 {
		t.Errorf("received A=%d B=%d, want 1 each (the second after the settings changed)", a, b)
	}
	// The flag overrides the setting.
	d2 := mail.NewDynamic(func(ctx context.Context) (mail.Config, error) {
		return mail.FromSettings(ctx, get, mail.Config{URL: "smtp://" + sinkA.Addr, Rate: -1})
	})
	defer d2.Close()
	if err := d2.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	if a := len(sinkA.Received()); a != 2 {
		t.Errorf("--smtp did not override the settings: A=%d", a)
	}
	if got, err := d2.Mailer(context.Background()); err != nil || got.From().Address != "news@masthead.test" {
		t.Errorf("From from the settings: %v %v", got, err)
	}
}

// selfSigned makes a certificate for 127.0.0.1 and the pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sink"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
