// Command viewsbench measures the view beacon on loopback, for a bounded time.
//
//	go run ./cmd/viewsbench [-d 5s] [-c 32] [-rounds 3]
//	go run ./cmd/viewsbench -target http://127.0.0.1:8080 -article 1 [-beacon-rate 1000]
//
// It always starts its own server on 127.0.0.1 (a views.Counter on a
// temporary SQLite file, plus an empty 204 handler on the same mux and
// listener) and reports requests per second for the empty handler and the
// beacon: the target is the beacon at 0.8× the empty handler or better.
//
// With -target (a running masthead, loopback only) it also measures, on
// that server, the beacon and the article page (-page, or the url of
// -article from /api/v1/articles/{id}) alone and then under a concurrent
// beacon load. The beacons count: start that server with
// --trusted-proxies 127.0.0.1/32 so that every beacon is a new reader (as
// in the in-process server), and point it at a demo database.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"masthead/internal/news"
	"masthead/internal/store/sqlite"
	"masthead/internal/views"
)

// maxDuration bounds each phase, so the tool can never become a flood.
const maxDuration = 60 * time.Second

// agents are common browsers' user agents: readers share a few, which is
// what the counter's per-agent verdict cache relies on.
var agents = []string{
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Linux; Android 14; SM-S918N) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
	"Mozilla/5.0 (Linux; Android 13; SM-S918N Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0 Mobile Safari/537.36;KAKAOTALK 2410470",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Whale/3.24",
	"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "viewsbench:", err)
		os.Exit(1)
	}
}

func run() error {
	dur := flag.Duration("d", 5*time.Second, "length of each phase (at most 60s)")
	workers := flag.Int("c", 32, "concurrent client connections per load")
	target := flag.String("target", "", "a running masthead on loopback, e.g. http://127.0.0.1:8080")
	article := flag.Int64("article", 0, "with -target: the public story the beacons name")
	page := flag.String("page", "", "with -target: the page path to load (default: the story's url)")
	rounds := flag.Int("rounds", 3, "repeat each comparison this many times, alternating phases (the machine's other load drifts)")
	newAgents := flag.Bool("new-agents", false, "give every beacon a never-seen user agent (the worst case)")
	rate := flag.Int("beacon-rate", 1000, "with -target: beacons per second during the page-under-load phase (0: as fast as possible)")
	flag.Parse()
	if *dur <= 0 || *dur > maxDuration {
		return fmt.Errorf("-d must be between 0 and %s", maxDuration)
	}
	if *workers < 1 || *workers > 512 {
		return errors.New("-c must be between 1 and 512")
	}
	ctx := context.Background()

	fmt.Printf("in-process server on 127.0.0.1, %d connections, %s per phase\n", *workers, *dur)
	base, articleID, stop, err := startLocal(ctx)
	if err != nil {
		return err
	}
	if *rounds < 1 || *rounds > 10 {
		return errors.New("-rounds must be between 1 and 10")
	}
	var empty, beacon result
	for i := range *rounds {
		e := load(ctx, *dur, *workers, 0, post(base+"/empty", articleID, *newAgents))
		b := load(ctx, *dur, *workers, 0, post(base+"/api/v1/views", articleID, *newAgents))
		fmt.Printf("  round %d: empty %7.0f req/s %6s cpu/req, beacon %7.0f req/s %6s cpu/req (%.2f×)\n",
			i+1, e.rps(), us(e.cpuPerReq()), b.rps(), us(b.cpuPerReq()), b.rps()/e.rps())
		empty.add(e)
		beacon.add(b)
	}
	stop()
	fmt.Printf("  all rounds:\n")
	fmt.Printf("  empty 204 handler   %9.0f req/s  %6s cpu/req (client and server)\n", empty.rps(), us(empty.cpuPerReq()))
	fmt.Printf("  beacon              %9.0f req/s  %6s cpu/req  (%.2f× empty by req/s, %.2f× by cpu/req; target ≥ 0.80)\n",
		beacon.rps(), us(beacon.cpuPerReq()), beacon.rps()/empty.rps(), float64(empty.cpuPerReq())/float64(beacon.cpuPerReq()))
	for _, r := range []result{empty, beacon} {
		if r.errs > 0 {
			fmt.Printf("  (%d failed requests: %v)\n", r.errs, r.firstErr)
		}
	}

	if *target == "" {
		return nil
	}
	t, err := loopbackURL(*target)
	if err != nil {
		return err
	}
	if *article <= 0 {
		return errors.New("-target needs -article ID (a public story)")
	}
	p := *page
	if p == "" {
		if p, err = storyPath(ctx, t, *article); err != nil {
			return err
		}
	}
	fmt.Printf("target %s, page %s\n", t, p)
	// Each round measures the page alone, under beacons, and under the
	// same rate of a trivial request (GET /robots.txt) as a control: the
	// client shares the machine's cores with the server, so any second
	// load costs page throughput; what the beacon must not add is more
	// than the control does. The order rotates so drift favours none.
	var tb, alone, under, ctl, bg, bgCtl result
	for i := range *rounds {
		b := load(ctx, *dur, *workers, 0, post(t+"/api/v1/views", *article, *newAgents))
		var a, u, c, bb, bc result
		phases := []func(){
			func() { a = load(ctx, *dur, *workers, 0, get(t+p)) },
			func() {
				u, bb = loadWith(ctx, *dur, *workers, *rate, get(t+p), post(t+"/api/v1/views", *article, *newAgents))
			},
			func() { c, bc = loadWith(ctx, *dur, *workers, *rate, get(t+p), get(t+"/robots.txt")) },
		}
		for j := range phases {
			phases[(i+j)%len(phases)]()
		}
		fmt.Printf("  round %d: beacon %6.0f req/s; page alone %6.0f, + %.0f beacons/s %6.0f (%+.1f%%), + %.0f control/s %6.0f (%+.1f%%)\n",
			i+1, b.rps(), a.rps(), bb.rps(), u.rps(), 100*(u.rps()/a.rps()-1), bc.rps(), c.rps(), 100*(c.rps()/a.rps()-1))
		tb.add(b)
		alone.add(a)
		under.add(u)
		ctl.add(c)
		bg.add(bb)
		bgCtl.add(bc)
	}
	fmt.Printf("  all rounds:\n")
	fmt.Printf("  beacon              %9.0f req/s\n", tb.rps())
	fmt.Printf("  page alone          %9.0f req/s\n", alone.rps())
	fmt.Printf("  page + beacons      %9.0f req/s  (%+.1f%%; %.0f beacons/s alongside; target within 10%%)\n",
		under.rps(), 100*(under.rps()/alone.rps()-1), bg.rps())
	fmt.Printf("  page + control      %9.0f req/s  (%+.1f%%; %.0f GET /robots.txt/s alongside)\n",
		ctl.rps(), 100*(ctl.rps()/alone.rps()-1), bgCtl.rps())
	for _, r := range []result{tb, alone, under, ctl, bg, bgCtl} {
		if r.errs > 0 {
			fmt.Printf("  (%d failed requests: %v)\n", r.errs, r.firstErr)
		}
	}
	return nil
}

// loadWith runs the main load and a paced background load at once.
func loadWith(ctx context.Context, d time.Duration, workers, rate int, main, background request) (result, result) {
	var bg result
	var wg sync.WaitGroup
	// A paced load needs few connections; more would only add threads
	// competing with the server for the cores.
	wg.Go(func() { bg = load(ctx, d, min(workers, 4), rate, background) })
	r := load(ctx, d, workers, 0, main)
	wg.Wait()
	return r, bg
}

// startLocal serves a Counter and an empty handler on one loopback listener.
func startLocal(ctx context.Context) (base string, articleID int64, stop func(), err error) {
	dir, err := os.MkdirTemp("", "masthead-viewsbench-")
	if err != nil {
		return "", 0, nil, err
	}
	st, err := sqlite.Open(ctx, filepath.Join(dir, "load.db"))
	if err != nil {
		os.RemoveAll(dir)
		return "", 0, nil, err
	}
	now := time.Now().UTC()
	a := &news.Article{Slug: "load", Headline: "Load", BodyHTML: "<p>x</p>", Lang: "en", Status: news.StatusPublished,
		CreatedAt: now.Add(-time.Hour), PublishedAt: now.Add(-time.Hour), UpdatedAt: now.Add(-time.Hour)}
	if err := st.CreateArticle(ctx, a); err != nil {
		st.Close()
		os.RemoveAll(dir)
		return "", 0, nil, err
	}
	c, err := views.New(views.Config{Store: st, Paper: &news.Paper{BaseURL: "http://127.0.0.1"},
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		Logger:         slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		st.Close()
		os.RemoveAll(dir)
		return "", 0, nil, err
	}
	mux := http.NewServeMux()
	c.Register(mux)
	mux.HandleFunc("POST /empty", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		st.Close()
		os.RemoveAll(dir)
		return "", 0, nil, err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- c.Run(runCtx) }()
	return "http://" + ln.Addr().String(), a.ID, func() {
		srv.Close()
		cancel()
		if err := <-done; err != nil {
			fmt.Fprintln(os.Stderr, "viewsbench: counter:", err)
		}
		st.Close()
		os.RemoveAll(dir)
	}, nil
}

// loopbackURL refuses anything but a loopback address: this tool is not for
// other people's servers.
func loopbackURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("-target %q: want http://127.0.0.1:PORT", raw)
	}
	addrs, err := net.LookupHost(u.Hostname())
	if err != nil {
		return "", fmt.Errorf("-target: %w", err)
	}
	for _, s := range addrs {
		a, err := netip.ParseAddr(s)
		if err != nil || !a.IsLoopback() {
			return "", fmt.Errorf("-target %s is not loopback (%s): refusing", u.Host, s)
		}
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host, "/"), nil
}

// storyPath asks the article API for the story's canonical URL.
func storyPath(ctx context.Context, base string, id int64) (string, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/api/v1/articles/%d", base, id), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var a struct{ URL string }
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&a) != nil || a.URL == "" {
		return "", fmt.Errorf("GET /api/v1/articles/%d: status %d; pass -page", id, resp.StatusCode)
	}
	u, err := url.Parse(a.URL)
	if err != nil {
		return "", err
	}
	return u.EscapedPath(), nil
}

// request makes the n-th request of a load.
type request func(ctx context.Context, n int64) *http.Request

// post is a beacon as navigator.sendBeacon sends it, from the n-th reader:
// a new address in X-Forwarded-For (believed when the server trusts its
// loopback proxy) and a common user agent, or a new one with newAgents.
func post(u string, id int64, newAgents bool) request {
	body := fmt.Sprintf(`{"article_id":%d}`, id)
	return func(ctx context.Context, n int64) *http.Request {
		r, _ := http.NewRequestWithContext(ctx, "POST", u, strings.NewReader(body))
		r.Header.Set("Content-Type", "text/plain;charset=UTF-8")
		r.Header.Set("X-Forwarded-For", netip.AddrFrom4([4]byte{100, byte(n >> 16), byte(n >> 8), byte(n)}).String())
		if newAgents {
			r.Header.Set("User-Agent", fmt.Sprint(agents[0], " LoadTest/", n))
		} else {
			r.Header.Set("User-Agent", agents[n%int64(len(agents))])
		}
		return r
	}
}

// get is a page load asking for compression, as a browser does; setting
// Accept-Encoding ourselves keeps the client from spending CPU inflating.
func get(u string) request {
	return func(ctx context.Context, n int64) *http.Request {
		r, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
		r.Header.Set("User-Agent", agents[0])
		r.Header.Set("Accept-Encoding", "gzip")
		return r
	}
}

type result struct {
	n, errs  int64
	elapsed  time.Duration
	cpu      time.Duration // this process's CPU time (client, and the in-process server)
	firstErr error
}

// cpuPerReq is the CPU time this process spent per request. On a shared,
// overloaded machine requests per second measure the scheduler's luck;
// CPU per request measures the cost, and at saturation throughput is
// cores / cost.
func (r result) cpuPerReq() time.Duration {
	if r.n == 0 {
		return 0
	}
	return r.cpu / time.Duration(r.n)
}

func us(d time.Duration) string { return fmt.Sprintf("%.0fµs", float64(d)/float64(time.Microsecond)) }

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func (r result) rps() float64 { return float64(r.n) / r.elapsed.Seconds() }

func (r *result) add(o result) {
	r.n += o.n
	r.errs += o.errs
	r.elapsed += o.elapsed
	r.cpu += o.cpu
	if r.firstErr == nil {
		r.firstErr = o.firstErr
	}
}

// load runs workers keep-alive clients for d; with rate > 0 the whole load
// is paced to about rate requests per second.
func load(ctx context.Context, d time.Duration, workers, rate int, mk request) result {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	tr := &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var tick <-chan time.Time
	if rate > 0 {
		t := time.NewTicker(time.Second / time.Duration(rate))
		defer t.Stop()
		tick = t.C
	}
	var n, errs, seq atomic.Int64
	var once sync.Once
	var firstErr error
	var wg sync.WaitGroup
	start, cpu0 := time.Now(), processCPU()
	for range workers {
		wg.Go(func() {
			for {
				if tick != nil {
					select {
					case <-tick:
					case <-ctx.Done():
						return
					}
				}
				if ctx.Err() != nil {
					return
				}
				resp, err := client.Do(mk(ctx, seq.Add(1)))
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode >= 300 {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				if ctx.Err() != nil {
					return // cut off by the deadline: not a failure
				}
				if err != nil {
					errs.Add(1)
					once.Do(func() { firstErr = err })
					continue
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	return result{n: n.Load(), errs: errs.Load(), elapsed: time.Since(start), cpu: processCPU() - cpu0, firstErr: firstErr}
}
