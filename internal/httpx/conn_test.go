package httpx

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
)

// pageBytes is n bytes that differ from place to place, so a byte out of
// order or left out shows.
func pageBytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + i*7%26)
	}
	return b
}

// startConnServer serves h under Wrap on loopback as serve does: the
// listener from SecureErrors and, when coalesce, ConnContext.
func startConnServer(t *testing.T, h http.Handler, coalesce bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: Wrap(h, Options{})}
	if coalesce {
		srv.ConnContext = ConnContext
	}
	go srv.Serve(SecureErrors(ln))
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// pageHandler answers /N with N bytes in one Write, /pieces/N with them in
// three, /flush/N with a Flush between two.
func pageHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
		n, err := strconv.Atoi(parts[len(parts)-1])
		if err != nil {
			http.NotFound(w, r)
			return
		}
		body := pageBytes(n)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch parts[0] {
		case "pieces":
			w.Header().Set("Content-Length", strconv.Itoa(n))
			for _, p := range [][]byte{body[:n/3], body[n/3 : 2*n/3], body[2*n/3:]} {
				w.Write(p)
			}
		case "flush":
			w.Write(body[:n/2])
			http.NewResponseController(w).Flush()
			w.Write(body[n/2:])
		default:
			w.Header().Set("Content-Length", strconv.Itoa(n))
			w.Write(body)
		}
	})
}

// Every response arrives whole and in order over one keep-alive
// connection, whatever its size against net/http's 2 KB and 4 KB buffers:
// the held start of a response is never left behind, also when the rest
// fitted in the buffer and no second write came.
func TestCoalescedResponsesWhole(t *testing.T) {
	addr := startConnServer(t, pageHandler(), true)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	var paths []string
	for _, n := range []int{0, 1, 2047, 2048, 2049, 5000, 8191, 8192, 8193, 28629, 100000, 1 << 20} {
		paths = append(paths, fmt.Sprint("/", n), fmt.Sprint("/pieces/", n), fmt.Sprint("/flush/", n))
	}
	// Header and body together around one and two buffers' worth.
	for n := 3000; n <= 4700; n++ {
		paths = append(paths, fmt.Sprint("/", n))
	}
	for n := 7700; n <= 8400; n += 3 {
		paths = append(paths, fmt.Sprint("/", n))
	}
	for _, p := range paths {
		if _, err := fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", p); err != nil {
			t.Fatal(err)
		}
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		got, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		n, _ := strconv.Atoi(p[strings.LastIndexByte(p, '/')+1:])
		if !bytes.Equal(got, pageBytes(n)) {
			t.Fatalf("%s: %d bytes, not the %d written", p, len(got), n)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("%s: headers %v", p, res.Header)
		}
	}
}

// A cached story page (28 KB) costs one write system call instead of
// net/http's two. Counted by the kernel (/proc/self/io syscw: every
// write and writev of this process, the client's request included), with
// the same server without ConnContext measured alongside as the baseline.
func TestOneWritePerResponse(t *testing.T) {
	if _, err := os.ReadFile("/proc/self/io"); err != nil {
		t.Skip("no /proc/self/io to count system calls:", err)
	}
	const requests = 200
	perResponse := func(addr string) float64 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		br := bufio.NewReader(c)
		get := func() {
			if _, err := io.WriteString(c, "GET /28629 HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
				t.Fatal(err)
			}
			res, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			if n, _ := io.Copy(io.Discard, res.Body); n != 28629 {
				t.Fatalf("%d bytes", n)
			}
			res.Body.Close()
		}
		get() // connection made, buffers allocated
		w0 := syscw(t)
		for range requests {
			get()
		}
		// Less the client's one write per request.
		return float64(syscw(t)-w0-requests) / requests
	}
	plain := perResponse(startConnServer(t, pageHandler(), false))
	one := perResponse(startConnServer(t, pageHandler(), true))
	t.Logf("write system calls per response: %.2f with ConnContext, %.2f without", one, plain)
	if plain < 1.8 {
		t.Fatalf("net/http alone made %.2f writes per response; the count cannot tell (want about 2)", plain)
	}
	if one > 1.3 {
		t.Errorf("%.2f write system calls per response, want 1", one)
	}
}

func syscw(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "syscw: "); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no syscw in /proc/self/io")
	return 0
}
