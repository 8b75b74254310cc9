package main

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestServeHelp: --help explains every flag and the MASTHEAD_* rule, and
// the environment rule works (and names the variable when its value is bad).
func TestServeHelp(t *testing.T) {
	out, err := runCLI(t, "serve", "--help")
	if err != nil {
		t.Fatalf("serve --help: %v\n%s", err, out)
	}
	if !strings.Contains(out, "MASTHEAD_") || !strings.Contains(out, "MASTHEAD_BASE_URL") {
		t.Errorf("serve --help does not explain the MASTHEAD_* environment rule:\n%s", out)
	}
	lines := strings.Split(out, "\n")
	flagLine := regexp.MustCompile(`^  -([a-z0-9-]+)`)
	seen := map[string]bool{}
	for i, line := range lines {
		m := flagLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		seen[m[1]] = true
		if i+1 >= len(lines) || len(strings.TrimSpace(lines[i+1])) < 10 || !strings.HasPrefix(lines[i+1], "    \t") {
			t.Errorf("flag --%s has no explanation", m[1])
		}
	}
	for _, f := range []string{"addr", "data", "db", "base-url", "no-demo", "trusted-proxies", "log-format", "max-upload",
		"cache-bytes", "views-flush", "tls-cert", "tls-key", "acme-domain", "acme-email", "paper-name", "timezone", "drain", "metrics-addr"} {
		if !seen[f] {
			t.Errorf("serve --help does not list --%s", f)
		}
	}

	cmd := exec.Command(masthead(t), "serve", "--data", t.TempDir())
	cmd.Env = append(cleanEnv(), "MASTHEAD_MAX_UPLOAD=lots")
	b, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(b), "MASTHEAD_MAX_UPLOAD") {
		t.Errorf("a bad MASTHEAD_MAX_UPLOAD: %v %q", err, b)
	}
}

// TestOperations runs one plain serve and checks what an operator relies
// on: file modes, security headers on every kind of response, body limits,
// and that no secret reaches the log.
func TestOperations(t *testing.T) {
	// A data folder serve creates itself (t.TempDir's exists, 0755).
	masthead(t)
	data := filepath.Join(t.TempDir(), "data")
	s := startServer(t, "--no-demo", "--log-format", "json", "--data", data)
	s.Data = data
	email, password := adminLogin(t, s)

	t.Run("file modes", func(t *testing.T) {
		for path, want := range map[string]os.FileMode{
			s.Data:                                   0o700,
			filepath.Join(s.Data, "masthead.db"):     0o600,
			filepath.Join(s.Data, "masthead.db-wal"): 0o600,
		} {
			st, err := os.Stat(path)
			if err != nil {
				t.Errorf("%v", err)
			} else if st.Mode().Perm() != want {
				t.Errorf("%s has mode %v, want %v", filepath.Base(path), st.Mode().Perm(), want)
			}
		}
	})

	t.Run("security headers", func(t *testing.T) {
		bigBody := strings.Repeat("x", 2<<20)
		for _, tc := range []struct{ method, path, body string }{
			{"GET", "/", ""},
			{"GET", "/no/such/page", ""},
			{"GET", "/feed.xml", ""},
			{"GET", "/sitemap.xml", ""},
			{"GET", "/healthz", ""},
			{"GET", "/api/v1/top", ""},
			{"GET", "/media/999/original", ""},
			{"GET", "/newsroom/signin", ""},
			{"GET", "/newsroom/stories", ""},
			{"POST", "/api/v1/views", `{"article_id": 1}`},
			{"POST", "/api/v1/views", "not json"},
			{"POST", "/api/v1/views", bigBody},
			{"POST", "/search", bigBody},
		} {
			req, _ := http.NewRequest(tc.method, s.URL+tc.path, strings.NewReader(tc.body))
			if tc.body != "" {
				req.Header.Set("Content-Type", "text/plain")
			}
			resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
			if err != nil {
				t.Errorf("%s %s: %v", tc.method, tc.path, err)
				continue
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			h := resp.Header
			// frame-ancestors is the framing defence (X-Frame-Options is
			// no longer sent by default); reader pages carry their
			// referrer policy in <meta name="referrer"> (TestReferrerMeta).
			csp := h.Get("Content-Security-Policy")
			if h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(csp, "default-src") ||
				!strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("%s %s (%d): security headers missing: %v", tc.method, tc.path, resp.StatusCode, h)
			}
			if !strings.HasPrefix(tc.path, "/newsroom/") {
				for _, k := range []string{"X-Frame-Options", "Referrer-Policy", "Surrogate-Key", "Cache-Tag"} {
					if v := h.Get(k); v != "" {
						t.Errorf("%s %s: %s %q sent by default", tc.method, tc.path, k, v)
					}
				}
			}
			if len(tc.body) > 1<<20 && resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("%s %s with a 2 MiB body: %d, want 413", tc.method, tc.path, resp.StatusCode)
			}
		}
	})

	t.Run("body limit without Content-Length", func(t *testing.T) {
		// A chunked body declares no length: the limit applies while
		// reading.
		pr, pw := io.Pipe()
		go func() {
			chunk := []byte(strings.Repeat("y", 64<<10))
			for range 100 { // 6.4 MiB, more than any newsroom limit
				if _, err := pw.Write(chunk); err != nil {
					return
				}
			}
			pw.Close()
		}()
		req, _ := http.NewRequest("POST", s.URL+"/newsroom/signin", pr)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			// The server may close the connection once it stops reading.
			return
		}
		resp.Body.Close()
		if resp.StatusCode < 400 {
			t.Errorf("a 6 MiB chunked form: %d", resp.StatusCode)
		}
		pr.Close()
	})

	t.Run("header limit", func(t *testing.T) {
		req, _ := http.NewRequest("GET", s.URL+"/", nil)
		req.Header.Set("X-Big", strings.Repeat("h", 100<<10))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return // the server may close the connection instead
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("100 KiB of headers: %d, want 431", resp.StatusCode)
		}
	})

	t.Run("request id on every line of a request", func(t *testing.T) {
		// A failed sign-in logs a warning from deep in the newsroom; the
		// line names the request the response names.
		resp, err := http.Get(s.URL + "/newsroom/signin")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := csrfRE.FindSubmatch(page)
		if m == nil {
			t.Fatal("no CSRF field on the sign-in page")
		}
		form := url.Values{"csrf": {string(m[1])}, "email": {"nobody@example.com"}, "password": {"wrong-password"}}
		req, _ := http.NewRequest("POST", s.URL+"/newsroom/signin", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Request-Id", "ops-signin-1")
		for _, c := range resp.Cookies() {
			req.AddCookie(c)
		}
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("X-Request-Id") != "ops-signin-1" {
			t.Fatalf("failed sign-in: %d, X-Request-Id %q", resp.StatusCode, resp.Header.Get("X-Request-Id"))
		}
		// The process writes its log through a pipe that the test reads
		// on its own goroutine: the line may arrive after the response.
		var found bool
		for deadline := time.Now().Add(10 * time.Second); !found && time.Now().Before(deadline); {
			for _, line := range strings.Split(s.logs.String(), "\n") {
				var v map[string]any
				if json.Unmarshal([]byte(line), &v) != nil || v["msg"] != "newsroom: sign-in failed" {
					continue
				}
				found = true
				if v["request_id"] != "ops-signin-1" || v["route"] != "POST /newsroom/signin" {
					t.Errorf("the newsroom's warning does not name its request: %s", line)
				}
			}
			if !found {
				time.Sleep(50 * time.Millisecond)
			}
		}
		if !found {
			t.Errorf("no sign-in warning in the log:\n%s", tail(s.logs.String(), 2000))
		}
	})

	t.Run("no secrets in the log", func(t *testing.T) {
		nc := newNewsroomClient()
		if err := nc.signIn(s.URL, email, password); err != nil {
			t.Fatal(err)
		}
		// A failed sign-in too: the wrong password must not be logged.
		wrong := "Wrong-Password-" + password
		nc2 := newNewsroomClient()
		_ = nc2.signIn(s.URL, email, wrong)
		// Tokens in a query string.
		get(t, s.URL+"/search?q=secret-query-term&token=query-token-value")
		id, err := nc.createStory(s.URL, "Log check", "Body.")
		if err != nil {
			t.Fatal(err)
		}
		_ = id
		u, _ := url.Parse(s.URL + "/newsroom/")
		var session string
		for _, c := range nc.c.Jar.Cookies(u) {
			if c.Name == "masthead_session" {
				session = c.Value
			}
		}
		if session == "" {
			t.Fatal("no session cookie after sign-in")
		}
		time.Sleep(200 * time.Millisecond)
		logs := s.logs.String()
		for what, secret := range map[string]string{
			"admin password": password, "wrong password": wrong, "session cookie": session,
			"CSRF token": nc.csrf, "query token": "query-token-value", "search terms": "secret-query-term",
		} {
			if strings.Contains(logs, secret) {
				t.Errorf("the log holds the %s", what)
			}
		}
		if !strings.Contains(s.out.String(), password) {
			t.Errorf("stdout lost the first-run password")
		}
		// --log-format json: every line is one JSON object.
		sc := bufio.NewScanner(strings.NewReader(logs))
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var v map[string]any
			if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
				t.Errorf("log line is not JSON: %.200q", sc.Text())
				break
			}
		}
	})
}

// TestServeTLS serves HTTPS from certificate files (a self-signed one made
// here). Automatic certificates (--acme-domain) need Let's Encrypt to reach
// this machine on port 443, which a test cannot arrange.
func TestServeTLS(t *testing.T) {
	masthead(t)
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)

	s := startServer(t, "--no-demo", "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(s.URL, "https://") {
		t.Fatalf("serve with --tls-cert listens on %s", s.URL)
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	resp, err := c.Get(s.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("GET / over TLS: %d, HSTS %q", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
	}
	if resp.ProtoMajor != 2 {
		t.Errorf("GET / over TLS spoke %s, want HTTP/2", resp.Proto)
	}
	// Plain HTTP to the TLS port is not served.
	if resp, err := http.Get("http://" + strings.TrimPrefix(s.URL, "https://") + "/"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Errorf("plain HTTP answered 200 on the TLS port")
		}
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--tls-cert", certFile}, "go together"},
		{[]string{"--tls-cert", certFile, "--tls-key", certFile}, "load TLS certificate"},
		{[]string{"--tls-cert", filepath.Join(dir, "none.pem"), "--tls-key", keyFile}, "load TLS certificate"},
		{[]string{"--acme-domain", "news.example.com", "--tls-cert", certFile, "--tls-key", keyFile}, "exclude each other"},
	} {
		out, err := runCLI(t, append([]string{"serve", "--no-demo", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, tc.args...)...)
		if err == nil || !strings.Contains(out, tc.want) {
			t.Errorf("serve %v: %v %q, want %q", tc.args, err, out, tc.want)
		}
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "masthead test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}
