package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDrain: on SIGTERM serve keeps serving for --drain with /readyz
// answering 503, then closes the listener; a request in flight since before
// the signal still finishes after that, and every view acknowledged (before,
// during and at the very end of the drain) is in the database after exit.
func TestDrain(t *testing.T) {
	masthead(t)
	const drain = 3 * time.Second
	s, err := launch(t.TempDir(), "--no-demo", "--drain", drain.String(), "--views-flush", "1h", "--trusted-proxies", "127.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	t.Cleanup(func() {
		select {
		case <-exited:
		default:
			s.kill()
		}
		if t.Failed() {
			t.Logf("serve log (tail):\n%s", tail(s.logs.String(), 4000))
		}
	})
	out := importTo(t, "", s.Data, writeStory(t, "Ferries return to the Han River", time.Now().Add(-time.Hour)))
	var story struct{ ID int64 }
	first, _, _ := strings.Cut(out, "\n") // the story's line; the summary follows
	if err := json.Unmarshal([]byte(first), &story); err != nil || story.ID == 0 {
		t.Fatalf("import --json: %q %v", out, err)
	}
	c := &http.Client{Timeout: 10 * time.Second}
	acked := 0
	view := func(reader int) {
		t.Helper()
		ok, err := beacon(c, s.URL, story.ID, reader)
		if err != nil || !ok {
			t.Fatalf("beacon %d: ok %v, %v", reader, ok, err)
		}
		acked++
	}
	for i := range 3 {
		view(i)
	}

	// A beacon whose body is still on its way when the signal comes.
	u, _ := url.Parse(s.URL)
	slow, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	body := fmt.Sprintf(`{"article_id":%d}`, story.ID)
	fmt.Fprintf(slow, "POST /api/v1/views HTTP/1.1\r\nHost: %s\r\nContent-Type: text/plain;charset=UTF-8\r\n"+
		"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.slow\r\n"+
		"Sec-Fetch-Site: same-origin\r\nX-Forwarded-For: %s\r\nContent-Length: %d\r\n\r\n%s", u.Host, readerIP(999_999), len(body), body[:5])
	time.Sleep(100 * time.Millisecond) // the server is reading the body now

	signalled := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	go func() { exited <- s.cmd.Wait() }()

	// During the drain: /readyz says 503, everything else still works.
	deadline := time.Now().Add(drain / 2)
	for {
		resp, err := c.Get(s.URL + "/readyz")
		if err != nil {
			t.Fatalf("/readyz during the drain: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still answers %d after SIGTERM", resp.StatusCode)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code, _ := get(t, s.URL+"/"); code != http.StatusOK {
		t.Errorf("front page during the drain: %d", code)
	}
	if code, _ := get(t, s.URL+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz during the drain: %d (the process is alive)", code)
	}
	view(100)

	// Then the listener closes, no sooner than the drain allows.
	for {
		conn, err := net.DialTimeout("tcp", u.Host, time.Second)
		if err != nil {
			break
		}
		conn.Close()
		if time.Since(signalled) > drain+20*time.Second {
			t.Fatal("the listener is still open 20 s after the drain")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if d := time.Since(signalled); d < drain {
		t.Errorf("the listener closed %v after SIGTERM, before the %v drain", d, drain)
	}

	// The request in flight since before the signal still gets its answer.
	if _, err := slow.Write([]byte(body[5:])); err != nil {
		t.Fatalf("finish the slow beacon: %v", err)
	}
	slow.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(slow), nil)
	if err != nil {
		t.Fatalf("the slow beacon got no answer: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("the slow beacon: %d", resp.StatusCode)
	}
	acked++

	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("serve exited with %v after SIGTERM", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not exit after the drain")
	}
	logs := s.logs.String()
	if !strings.Contains(logs, "draining") {
		t.Errorf("the log does not say serve is draining")
	}
	db := openRaw(t, filepath.Join(s.Data, "masthead.db"))
	if got := viewsTotal(t, db); got != int64(acked) {
		t.Errorf("%d views in the database, %d acknowledged", got, acked)
	}
}
