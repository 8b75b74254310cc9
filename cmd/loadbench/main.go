// Command loadbench measures masthead's reader pages against a plain Go
// static file server serving the very same bytes, on loopback, for a
// bounded time (issue 8).
//
//	go run ./cmd/loadbench                       # builds and starts masthead on a temp demo paper
//	go run ./cmd/loadbench -data /tmp/paper      # reuse a data directory (photos drawn once)
//	go run ./cmd/loadbench -url http://127.0.0.1:8080 [-pid N]
//	go run ./cmd/loadbench -d 5s -conns 1,64 -- --access-log=false
//
// In one run it fetches the article and front pages from masthead, writes
// those bytes into a temporary directory, starts http.FileServer over it in
// a child process, and loads both servers in turn with keep-alive
// connections: identity encoding for the same-bytes comparison, and
// masthead again with Accept-Encoding: br. It prints requests per second,
// p50 and p99 latency, the servers' CPU time per request when it knows
// their process ids, and the ratios masthead/static.
//
// The client is a minimal HTTP/1.1 reader (pre-built request, Content-Length
// body discarded), so that as much of the two shared cores as possible goes
// to the server under test; both servers are measured with the same client.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
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
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// maxDuration bounds each case: the tool can never become a flood.
const maxDuration = 60 * time.Second

func main() {
	if len(os.Args) > 2 && os.Args[1] == "-static-serve" {
		if err := serveStatic(os.Args[2]); err != nil {
			fmt.Fprintln(os.Stderr, "loadbench static:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		os.Exit(1)
	}
}

type config struct {
	url     string
	pid     int
	bin     string
	data    string
	dur     time.Duration
	conns   []int
	article string
	pages   []string
	serve   []string // extra flags for masthead serve
	noBr    bool
	rounds  int
	crawl   int
}

func run() error {
	var c config
	var conns string
	flag.StringVar(&c.url, "url", "", "a running masthead on loopback (default: start one)")
	flag.IntVar(&c.pid, "pid", 0, "with -url: the server's process id, to report its CPU per request")
	flag.StringVar(&c.bin, "masthead", "", "masthead binary to start (default: go build ./cmd/masthead)")
	flag.StringVar(&c.data, "data", "", "data directory for the started masthead (default: a temporary one)")
	flag.DurationVar(&c.dur, "d", 10*time.Second, "length of each case (at most 60s)")
	flag.StringVar(&conns, "conns", "1,64", "comma-separated connection counts")
	flag.StringVar(&c.article, "article", "", "article path (default: story 1's URL from /api/v1/articles/1)")
	flag.BoolVar(&c.noBr, "no-br", false, "skip the brotli cases")
	flag.IntVar(&c.rounds, "rounds", 1, "split each case into this many turns, alternating the servers (the machine's other load drifts)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: loadbench [flags] [-- masthead serve flags]")
		flag.PrintDefaults()
	}
	gen := flag.Int("generate", 0, "write a generated paper of this many stories into -data and exit")
	views := flag.Int64("views", 1_000_000, "with -generate: counted views to spread over the last week")
	flag.IntVar(&c.crawl, "crawl", 0, "after the cases, fetch this many distinct stories (by id) and report the server's RSS")
	flag.Parse()
	c.serve = flag.Args()
	if *gen > 0 {
		if c.data == "" {
			return errors.New("-generate needs -data DIR")
		}
		return generate(c.data, *gen, *views)
	}
	if c.rounds < 1 || c.rounds > 10 {
		return errors.New("-rounds must be between 1 and 10")
	}
	if c.dur <= 0 || c.dur > maxDuration {
		return fmt.Errorf("-d must be between 0 and %s", maxDuration)
	}
	for _, s := range strings.Split(conns, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 512 {
			return fmt.Errorf("-conns: %q is not a number between 1 and 512", s)
		}
		c.conns = append(c.conns, n)
	}

	ctx := context.Background()
	var stops []func()
	defer func() {
		for _, f := range slices.Backward(stops) {
			f()
		}
	}()

	base := c.url
	mpid := c.pid
	if base == "" {
		b, pid, stop, err := startMasthead(ctx, c)
		if err != nil {
			return err
		}
		stops = append(stops, stop)
		base, mpid = b, pid
	} else {
		var err error
		if base, err = loopbackURL(base); err != nil {
			return err
		}
	}
	host := strings.TrimPrefix(base, "http://")

	if c.article == "" {
		p, err := storyPath(base, 1)
		if err != nil {
			return err
		}
		c.article = p
	}
	pages := []struct{ name, path string }{{"article", c.article}, {"front", "/"}}

	// The same bytes, identity-encoded, into the static server's tree.
	dir, err := os.MkdirTemp("", "loadbench-static-")
	if err != nil {
		return err
	}
	stops = append(stops, func() { os.RemoveAll(dir) })
	sizes := map[string]int{}
	for _, p := range pages {
		body, hdr, err := fetch(base+p.path, "identity")
		if err != nil {
			return err
		}
		brBody, _, err := fetch(base+p.path, "br")
		if err != nil {
			return err
		}
		file := filepath.Join(dir, filepath.FromSlash(p.path))
		if p.path == "/" {
			file = filepath.Join(dir, "index.html")
		}
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(file, body, 0o644); err != nil {
			return err
		}
		sizes[p.name] = len(body)
		fmt.Printf("%-8s %s: %d bytes, %d with brotli; Cache-Control %q; Surrogate-Key %q\n",
			p.name, p.path, len(body), len(brBody), hdr.Get("Cache-Control"), hdr.Get("Surrogate-Key"))
	}
	shost, spid, stop, err := startStatic(dir)
	if err != nil {
		return err
	}
	stops = append(stops, stop)

	fmt.Printf("masthead http://%s (pid %d), static http://%s (pid %d), %s per case, GOMAXPROCS of the client %d\n",
		host, mpid, shost, spid, c.dur, runtimeProcs())
	fmt.Printf("%-8s %5s %-18s %10s %9s %9s %10s\n", "page", "conns", "server", "req/s", "p50", "p99", "cpu/req")
	type row struct{ m, s, b result }
	var summary []string
	for _, p := range pages {
		for _, n := range c.conns {
			// Warm both (page cache filled, connections made) outside
			// the measurement.
			load(host, p.path, "", 2, 300*time.Millisecond, 0)
			load(shost, p.path, "", 2, 300*time.Millisecond, 0)
			var r row
			turn := c.dur / time.Duration(c.rounds)
			for range c.rounds {
				r.m.add(load(host, p.path, "", n, turn, mpid))
				r.s.add(load(shost, p.path, "", n, turn, spid))
				if !c.noBr {
					r.b.add(load(host, p.path, "br", n, turn, mpid))
				}
			}
			r.m.finish()
			r.s.finish()
			r.b.finish()
			print(p.name, n, "masthead identity", r.m)
			print(p.name, n, "static identity", r.s)
			if !c.noBr {
				print(p.name, n, "masthead br", r.b)
			}
			for _, x := range []result{r.m, r.s} {
				if x.errs > 0 {
					fmt.Printf("    %d failed requests: %v\n", x.errs, x.firstErr)
				}
			}
			line := fmt.Sprintf("%-8s %3d conns: throughput %.2f× static, p99 %.2f× static",
				p.name, n, r.m.rps()/r.s.rps(), float64(r.m.p(99))/float64(r.s.p(99)))
			if r.m.cpuPerReq > 0 && r.s.cpuPerReq > 0 {
				line += fmt.Sprintf(", server cpu/req %.2f× static", float64(r.m.cpuPerReq)/float64(r.s.cpuPerReq))
			}
			if !c.noBr {
				line += fmt.Sprintf("; br %.2f× static identity", r.b.rps()/r.s.rps())
			}
			summary = append(summary, line)
		}
	}
	fmt.Println("ratios masthead/static (targets for the article: throughput ≥ 0.90×, p99 ≤ 2.00×):")
	for _, l := range summary {
		fmt.Println("  " + l)
	}
	if mpid > 0 {
		fmt.Printf("masthead after the cases: %s\n", memory(mpid))
	}
	if c.crawl > 0 {
		return crawl(base, c.crawl, mpid)
	}
	return nil
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

func print(page string, conns int, server string, r result) {
	cpu := "-"
	if r.cpuPerReq > 0 {
		cpu = fmt.Sprintf("%.1fµs", float64(r.cpuPerReq)/1e3)
	}
	fmt.Printf("%-8s %5d %-18s %10.0f %9s %9s %10s\n", page, conns, server, r.rps(), dur(r.p(50)), dur(r.p(99)), cpu)
}

func dur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.0fµs", float64(d)/1e3)
	default:
		return fmt.Sprintf("%.2fms", float64(d)/1e6)
	}
}

// startMasthead builds (unless -masthead) and starts masthead serve on a
// free loopback port and waits until it is ready.
func startMasthead(ctx context.Context, c config) (base string, pid int, stop func(), err error) {
	tmp, err := os.MkdirTemp("", "loadbench-")
	if err != nil {
		return "", 0, nil, err
	}
	cleanup := func() { os.RemoveAll(tmp) }
	bin := c.bin
	if bin == "" {
		bin = filepath.Join(tmp, "masthead")
		fmt.Println("building masthead ...")
		out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/masthead").CombinedOutput()
		if err != nil {
			cleanup()
			return "", 0, nil, fmt.Errorf("go build ./cmd/masthead (run loadbench from the repository root): %v\n%s", err, out)
		}
	}
	data := c.data
	if data == "" {
		data = filepath.Join(tmp, "data")
	}
	args := append([]string{"serve", "--data", data, "--addr", "127.0.0.1:0"}, c.serve...)
	cmd := exec.Command(bin, args...)
	logf, err := os.Create(filepath.Join(tmp, "masthead.log"))
	if err != nil {
		cleanup()
		return "", 0, nil, err
	}
	cmd.Stderr = logf
	out, err := cmd.StdoutPipe()
	if err != nil {
		cleanup()
		return "", 0, nil, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		cleanup()
		return "", 0, nil, err
	}
	stop = func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		logf.Close()
		cleanup()
	}
	fmt.Printf("starting %s %s (the first start draws the demo photos) ...\n", bin, strings.Join(args, " "))
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
	select {
	case u, ok := <-found:
		if !ok {
			stop()
			return "", 0, nil, fmt.Errorf("masthead exited before listening; see its log")
		}
		base = u
	case <-time.After(3 * time.Minute):
		stop()
		return "", 0, nil, errors.New("masthead did not start within 3 minutes")
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
	fmt.Printf("masthead ready after %s, %s\n", time.Since(start).Round(time.Millisecond), memory(cmd.Process.Pid))
	return base, cmd.Process.Pid, stop, nil
}

// startStatic runs this program again as a plain http.FileServer over dir,
// in its own process like masthead, so both servers are measured alike.
func startStatic(dir string) (host string, pid int, stop func(), err error) {
	self, err := os.Executable()
	if err != nil {
		return "", 0, nil, err
	}
	cmd := exec.Command(self, "-static-serve", dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", 0, nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", 0, nil, err
	}
	stop = func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		stop()
		return "", 0, nil, fmt.Errorf("static server: %v", err)
	}
	return strings.TrimSpace(line), cmd.Process.Pid, stop, nil
}

// serveStatic is the baseline: the standard library's file server, nothing
// else, with the same server timeouts masthead uses.
func serveStatic(dir string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Println(ln.Addr().String())
	srv := &http.Server{Handler: http.FileServer(http.Dir(dir)), ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	return srv.Serve(ln)
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

type result struct {
	n, errs   int
	elapsed   time.Duration
	lat       []time.Duration // sorted
	cpu       time.Duration   // server's, when its pid is known
	cpuPerReq time.Duration
	firstErr  error
}

// add merges another turn of the same case into r.
func (r *result) add(o result) {
	r.n += o.n
	r.errs += o.errs
	r.elapsed += o.elapsed
	r.lat = append(r.lat, o.lat...)
	r.cpu += o.cpu
	if r.firstErr == nil {
		r.firstErr = o.firstErr
	}
}

// finish sorts the latencies and derives CPU per request.
func (r *result) finish() {
	slices.Sort(r.lat)
	if r.n > 0 {
		r.cpuPerReq = r.cpu / time.Duration(r.n)
	}
}

func (r result) rps() float64 { return float64(r.n) / r.elapsed.Seconds() }

func (r result) p(q int) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	return r.lat[min(len(r.lat)-1, len(r.lat)*q/100)] // r.lat is sorted by finish
}

// load keeps conns connections busy with GET path for d and records every
// response's latency.
func load(host, path, enc string, conns int, d time.Duration, pid int) result {
	req := "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: loadbench\r\n"
	if enc != "" {
		req += "Accept-Encoding: " + enc + "\r\n"
	}
	req += "\r\n"
	deadline := time.Now().Add(d)
	lats := make([][]time.Duration, conns)
	errs := make([]error, conns)
	nerr := make([]int, conns)
	var wg sync.WaitGroup
	cpu0 := procCPU(pid)
	start := time.Now()
	for i := range conns {
		wg.Go(func() {
			lats[i] = make([]time.Duration, 0, 1<<16)
			for time.Now().Before(deadline) {
				err := conn(host, req, deadline, &lats[i])
				if err != nil && time.Now().Before(deadline) {
					nerr[i]++
					if errs[i] == nil {
						errs[i] = err
					}
					time.Sleep(10 * time.Millisecond)
				}
			}
		})
	}
	wg.Wait()
	r := result{elapsed: time.Since(start)}
	cpu := procCPU(pid) - cpu0
	for i := range conns {
		r.lat = append(r.lat, lats[i]...)
		r.errs += nerr[i]
		if r.firstErr == nil {
			r.firstErr = errs[i]
		}
	}
	r.n = len(r.lat)
	if pid > 0 {
		r.cpu = cpu
	}
	return r
}

// conn sends req over one keep-alive connection until deadline.
func conn(host, req string, deadline time.Time, lat *[]time.Duration) error {
	c, err := net.Dial("tcp", host)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(deadline.Add(5 * time.Second))
	br := bufio.NewReaderSize(c, 64<<10)
	wb := []byte(req)
	for time.Now().Before(deadline) {
		t0 := time.Now()
		if _, err := c.Write(wb); err != nil {
			return err
		}
		if err := readResponse(br); err != nil {
			return err
		}
		*lat = append(*lat, time.Since(t0))
	}
	return nil
}

// readResponse reads one 200 response with a Content-Length body and
// discards it.
func readResponse(br *bufio.Reader) error {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return err
	}
	if len(line) < 12 || string(line[9:12]) != "200" {
		return fmt.Errorf("status line %q", strings.TrimSpace(string(line)))
	}
	length := -1
	for {
		line, err = br.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) <= 2 {
			break
		}
		if len(line) > 16 && (line[0] == 'C' || line[0] == 'c') && strings.EqualFold(string(line[:15]), "content-length:") {
			length, err = strconv.Atoi(strings.TrimSpace(string(line[15:])))
			if err != nil {
				return fmt.Errorf("bad Content-Length %q", line)
			}
		}
	}
	if length < 0 {
		return errors.New("response without Content-Length")
	}
	_, err = br.Discard(length)
	return err
}
