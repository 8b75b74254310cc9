package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// startMasthead builds masthead into tmp (once; unless -masthead) and
// starts masthead serve on a free loopback port with c.data, the extra
// environment and c.serve's flags, and waits until it is ready.
func startMasthead(c config, tmp string, env []string) (*server, error) {
	bin := c.bin
	if bin == "" {
		bin = filepath.Join(tmp, "masthead")
		if _, err := os.Stat(bin); err != nil {
			fmt.Println("building masthead ...")
			out, err := exec.Command("go", "build", "-o", bin, "./cmd/masthead").CombinedOutput()
			if err != nil {
				return nil, fmt.Errorf("go build ./cmd/masthead (run loadbench from the repository root): %v\n%s", err, out)
			}
		}
	}
	args := append([]string{"serve", "--data", c.data, "--addr", "127.0.0.1:0"}, c.serve...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	logf, err := os.CreateTemp(tmp, "masthead-*.log")
	if err != nil {
		return nil, err
	}
	cmd.Stderr = logf
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		logf.Close()
	}
	fmt.Printf("starting %s %s %s(the first start draws the demo photos) ...\n", bin, strings.Join(args, " "), strings.Join(env, " ")+" ")
	re := regexp.MustCompile(`listening on (http://\S+)`)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		sent := false
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
		if !sent {
			close(found)
		}
	}()
	var base string
	select {
	case u, ok := <-found:
		if !ok {
			stop()
			return nil, fmt.Errorf("masthead exited before listening; its log: %s", logf.Name())
		}
		base = u
	case <-time.After(3 * time.Minute):
		stop()
		return nil, errors.New("masthead did not start within 3 minutes")
	}
	for range 100 {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	pid := cmd.Process.Pid
	fmt.Printf("masthead ready after %s, %s\n", time.Since(start).Round(time.Millisecond), memory(pid))
	return &server{name: "masthead", host: strings.TrimPrefix(base, "http://"), bin: bin,
		pids: func() []int { return []int{pid} }, stop: stop}, nil
}

// crawl fetches stories 1..n (the API for each URL, then the page) with 8
// connections, for at most maxDuration, reporting the server's RSS as it
// goes: the page cache is bounded by bytes, so memory must level off
// however many distinct stories are read.
func crawl(base string, n, pid int) error {
	fmt.Printf("crawl: %d distinct stories, 8 connections\n", n)
	deadline := time.Now().Add(maxDuration)
	var next atomic.Int64
	var pages, failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				fmt.Printf("  %6d pages  %s\n", pages.Load(), memory(pid))
			}
		}
	}()
	for range 8 {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				id := next.Add(1)
				if id > int64(n) {
					return
				}
				p, err := storyPath(base, id)
				if err == nil {
					_, _, err = fetch(base+p, "br")
				}
				if err != nil {
					failed.Add(1)
					continue
				}
				pages.Add(1)
			}
		})
	}
	wg.Wait()
	close(done)
	el := time.Since(start)
	fmt.Printf("crawl: %d pages (%d failed) in %s, %.0f uncached pages/s (API lookup included); %s\n",
		pages.Load(), failed.Load(), el.Round(time.Millisecond), float64(pages.Load())/el.Seconds(), memory(pid))
	return nil
}

// fetch GETs u with the given Accept-Encoding and returns the raw bytes.
func fetch(u, enc string) ([]byte, http.Header, error) {
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Accept-Encoding", enc)
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != 200 {
		err = fmt.Errorf("GET %s: status %d", u, resp.StatusCode)
	}
	if err == nil && len(b) == 0 {
		err = fmt.Errorf("GET %s: empty body", u)
	}
	return b, resp.Header, err
}

// storyPath asks the article API for story id's URL path.
func storyPath(base string, id int64) (string, error) {
	b, _, err := fetch(fmt.Sprintf("%s/api/v1/articles/%d", base, id), "identity")
	if err != nil {
		return "", fmt.Errorf("%v (pass -article PATH)", err)
	}
	var a struct{ URL string }
	if err := json.Unmarshal(b, &a); err != nil || a.URL == "" {
		return "", errors.New("no url in /api/v1/articles/1; pass -article PATH")
	}
	u, err := url.Parse(a.URL)
	if err != nil {
		return "", err
	}
	return u.EscapedPath(), nil
}

// loopbackURL refuses anything but a loopback address: this tool is not for
// other people's servers.
func loopbackURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return "", fmt.Errorf("-url %q: want http://127.0.0.1:PORT", raw)
	}
	addrs, err := net.LookupHost(u.Hostname())
	if err != nil {
		return "", fmt.Errorf("-url: %w", err)
	}
	for _, s := range addrs {
		a, err := netip.ParseAddr(s)
		if err != nil || !a.IsLoopback() {
			return "", fmt.Errorf("-url %s is not loopback (%s): refusing", u.Host, s)
		}
	}
	return "http://" + u.Host, nil
}
