//go:build soak

// The soak test holds thousands of connections open and takes about 30 s
// of both cores, so it runs only when asked:
//
//	go test -tags soak -run TestSoak -v ./cmd/masthead
//
// It logs the latency percentiles and the server's memory; it asserts only
// that every page was served and that memory stayed within a generous bound.

package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func TestSoak(t *testing.T) {
	const (
		keepAlive  = 3000
		slowHeader = 300
		slowBody   = 300
		samples    = 2000
		maxRSS     = 1 << 30 // generous: the server idles at well under 100 MiB
	)
	// Every connection is a descriptor on both ends; serve inherits the
	// raised limit from the test process.
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	need := uint64(2*(keepAlive+slowHeader+slowBody) + 1000)
	if lim.Cur < need {
		lim.Cur = min(need, lim.Max)
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur < need {
			t.Skipf("open-files limit %d is below the %d this test needs (%v)", lim.Cur, need, err)
		}
	}

	bin := masthead(t)
	s := startServer(t, "--no-demo")
	for i := range 5 {
		if err := runImport(bin, s.Data, t.TempDir(), fmt.Sprintf("Soak story %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	addr := strings.TrimPrefix(s.URL, "http://")
	rssBefore := rss(t, s.cmd.Process.Pid)

	// Keep-alive readers: each connection asks for the front page once
	// and stays open.
	conns := make([]net.Conn, keepAlive)
	readers := make([]*bufio.Reader, keepAlive)
	var wg sync.WaitGroup
	var openErrs atomic.Int64
	sem := make(chan struct{}, 64)
	for i := range conns {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := net.DialTimeout("tcp", addr, 10*time.Second)
			if err != nil {
				openErrs.Add(1)
				return
			}
			br := bufio.NewReader(c)
			if err := roundTrip(c, br, addr, "/"); err != nil {
				openErrs.Add(1)
				c.Close()
				return
			}
			conns[i], readers[i] = c, br
		}()
	}
	wg.Wait()
	t.Cleanup(func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	})
	if n := openErrs.Load(); n > 0 {
		t.Errorf("%d of %d keep-alive connections failed", n, keepAlive)
	}

	// Slow clients: headers one byte a second, bodies one byte a second.
	stop := make(chan struct{})
	var slowWG sync.WaitGroup
	var headerClosed, bodyClosed atomic.Int64
	dribble := func(prefix, trickle string, closed *atomic.Int64) {
		defer slowWG.Done()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return
		}
		defer c.Close()
		// The server closing the connection shows as the end of what
		// it sends (a write may still succeed into the socket buffer).
		gone := make(chan struct{})
		go func() { io.Copy(io.Discard, c); close(gone) }()
		if _, err := io.WriteString(c, prefix); err != nil {
			closed.Add(1)
			return
		}
		tk := time.NewTicker(time.Second)
		defer tk.Stop()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-gone:
				closed.Add(1)
				return
			case <-tk.C:
			}
			if _, err := io.WriteString(c, trickle[i%len(trickle):i%len(trickle)+1]); err != nil {
				closed.Add(1)
				return
			}
		}
	}
	for range slowHeader {
		slowWG.Add(1)
		go dribble("GET / HTTP/1.1\r\nHost: "+addr+"\r\n", "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n", &headerClosed)
	}
	for range slowBody {
		slowWG.Add(1)
		go dribble("POST /api/v1/views HTTP/1.1\r\nHost: "+addr+"\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n", `{"article_id": 1`, &bodyClosed)
	}
	time.Sleep(time.Second)

	// While all of that is held open, fresh readers ask for pages.
	paths := []string{"/", "/feed.xml", "/search?q=soak", "/section/national", "/api/v1/top", "/healthz"}
	lat := make([]time.Duration, samples)
	var failures atomic.Int64
	var next atomic.Int64
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	begin := time.Now()
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= samples {
					return
				}
				start := time.Now()
				resp, err := client.Get(s.URL + paths[i%len(paths)])
				if err != nil {
					failures.Add(1)
					lat[i] = 30 * time.Second
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat[i] = time.Since(start)
				if resp.StatusCode >= 500 || (resp.StatusCode != 200 && paths[i%len(paths)] != "/section/national") {
					failures.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(begin)
	if n := failures.Load(); n > 0 {
		t.Errorf("%d of %d page requests failed under load", n, samples)
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[int(float64(len(lat)-1)*p)] }
	t.Logf("%d pages with %d keep-alive, %d slow-header, %d slow-body connections open: %.0f req/s, p50 %v, p90 %v, p99 %v, max %v",
		samples, keepAlive, slowHeader, slowBody, float64(samples)/elapsed.Seconds(), pct(0.5), pct(0.9), pct(0.99), lat[len(lat)-1])

	// The keep-alive connections still work.
	var reuseErrs int
	for i := 0; i < keepAlive; i += 30 {
		if conns[i] == nil {
			continue
		}
		if err := roundTrip(conns[i], readers[i], addr, "/healthz"); err != nil {
			reuseErrs++
		}
	}
	if reuseErrs > 0 {
		t.Errorf("%d idle keep-alive connections could not be reused", reuseErrs)
	}

	// ReadHeaderTimeout (5 s) has passed for the slow-header clients.
	time.Sleep(6 * time.Second)
	peak := rss(t, s.cmd.Process.Pid)
	close(stop)
	slowWG.Wait()
	t.Logf("slow-header connections closed by the server: %d of %d; slow-body connections closed so far: %d of %d (ReadTimeout is 30 s)",
		headerClosed.Load(), slowHeader, bodyClosed.Load(), slowBody)
	t.Logf("server RSS: %d MiB before, %d MiB with every connection open", rssBefore>>20, peak>>20)
	if headerClosed.Load() < slowHeader*9/10 {
		t.Errorf("only %d of %d slow-header connections were closed after 7 s", headerClosed.Load(), slowHeader)
	}
	if peak > maxRSS {
		t.Errorf("server RSS %d MiB exceeds %d MiB", peak>>20, maxRSS>>20)
	}
}

// roundTrip sends one GET on a raw keep-alive connection and reads the
// whole response.
func roundTrip(c net.Conn, br *bufio.Reader, host, path string) error {
	c.SetDeadline(time.Now().Add(30 * time.Second))
	defer c.SetDeadline(time.Time{})
	if _, err := fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: soak\r\n\r\n", path, host); err != nil {
		return err
	}
	req, _ := http.NewRequest("GET", path, nil)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("%s: %d", path, resp.StatusCode)
	}
	return err
}

// rss is a process's resident memory in bytes, from /proc.
func rss(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
