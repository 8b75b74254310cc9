package httpx

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"
)

// TestSecureErrors: net/http's own 400 (a request it cannot parse) and 431
// (headers over MaxHeaderBytes) went out without security headers. Through
// SecureErrors they carry them, and handlers' responses pass unchanged.
func TestSecureErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("Connection", "close")
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte("handler 404"))
		}),
		MaxHeaderBytes: 1 << 10,
	}
	go srv.Serve(SecureErrors(ln))
	defer srv.Close()

	send := func(raw string) *http.Response {
		t.Helper()
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Write([]byte(raw)); err != nil {
			t.Fatal(err)
		}
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("reading the answer to %.40q: %v", raw, err)
		}
		return res
	}
	for name, raw := range map[string]string{
		"400 bad request line":  "GARBAGE\r\n\r\n",
		"400 bad header":        "GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
		"431 headers too large": "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 8<<10) + "\r\n\r\n",
	} {
		res := send(raw)
		if res.StatusCode != 400 && res.StatusCode != 431 {
			t.Errorf("%s: status %d", name, res.StatusCode)
		}
		for _, h := range []string{"X-Content-Type-Options", "Content-Security-Policy", "Cache-Control"} {
			if res.Header.Get(h) == "" {
				t.Errorf("%s: no %s (headers %v)", name, h, res.Header)
			}
		}
	}
	// A handler's own answer is untouched.
	res := send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if res.StatusCode != 404 || res.Header.Get("Content-Security-Policy") != "" {
		t.Errorf("handler's answer changed: %d %v", res.StatusCode, res.Header)
	}
}
