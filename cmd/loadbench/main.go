// Command loadbench measures masthead's reader pages against two baselines
// serving the very same bytes, on loopback, for a bounded time (issues 8
// and 20):
//
//   - go-memory: net/http writing the bytes from memory (Content-Type,
//     Content-Length, one Write) — what net/http itself costs here;
//   - nginx: Debian's nginx, started with a generated config, serving the
//     bytes as files with sendfile, keep-alive, its default access log and
//     two workers — a static file server as papers run one.
//
// Usage:
//
//	go run ./cmd/loadbench                        # builds and starts masthead on a temporary demo paper
//	go run ./cmd/loadbench -d 5s -rounds 3        # the defaults
//	go run ./cmd/loadbench -data /tmp/paper       # reuse a data directory (photos drawn once)
//	go run ./cmd/loadbench -url http://127.0.0.1:8080 -pid N
//	go run ./cmd/loadbench -profile cpu.pprof     # a CPU profile of masthead under wrk
//	go run ./cmd/loadbench -syscalls              # also system calls per response (strace -c -f)
//	go run ./cmd/loadbench -- --access-log=false  # flags after -- go to masthead serve
//
// The load comes from wrk (Debian's package), not from a Go client in this
// process: for each page and connection count it runs rounds, and in each
// round every server in turn (the order rotated from round to round), so
// that the other load on a shared machine hits all alike. It prints the
// median over the rounds of requests per second, p50 and p99 latency (wrk's)
// and server CPU time per request (from /proc, every process of the
// server; the kernel's share of it beside), with the machine's load
// average over the rounds, and each as a ratio of masthead to both
// baselines. Masthead is also measured with a browser's Accept-Encoding
// (the stored brotli page) and with If-None-Match (a 304 from the page
// cache).
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxDuration bounds each wrk run: the tool can never become a flood.
const maxDuration = 60 * time.Second

// browserEncoding is what Chrome and Firefox send.
const browserEncoding = "Accept-Encoding: gzip, deflate, br, zstd"

func main() {
	if len(os.Args) > 3 && os.Args[1] == "-memory-serve" {
		if err := serveMemory(os.Args[2], os.Args[3]); err != nil {
			fmt.Fprintln(os.Stderr, "loadbench memory server:", err)
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
	serve   []string // extra flags for masthead serve
	extras  bool
	rounds  int
	crawl   int
	wrk     string
	nginx   string
	profile string
	before  string
	hdrBase bool
	strace  bool
}

func run() error {
	var c config
	var conns string
	flag.StringVar(&c.url, "url", "", "a running masthead on loopback (default: start one)")
	flag.IntVar(&c.pid, "pid", 0, "with -url: the server's process id, to report its CPU per request")
	flag.StringVar(&c.bin, "masthead", "", "masthead binary to start (default: go build ./cmd/masthead)")
	flag.StringVar(&c.data, "data", "", "data directory for the started masthead (default: a temporary one)")
	flag.DurationVar(&c.dur, "d", 5*time.Second, "length of each wrk run, whole seconds (at most 60s)")
	flag.StringVar(&conns, "conns", "1,64", "comma-separated connection counts")
	flag.StringVar(&c.article, "article", "", "article path (default: story 1's URL from /api/v1/articles/1)")
	flag.BoolVar(&c.extras, "extras", true, "also measure masthead with a browser's Accept-Encoding and with If-None-Match")
	flag.IntVar(&c.rounds, "rounds", 3, "rounds per case; every server runs once per round, in rotated order")
	flag.StringVar(&c.wrk, "wrk", "wrk", "wrk binary")
	flag.StringVar(&c.nginx, "nginx", "nginx", "nginx binary (Debian: nginx-light; /usr/sbin/nginx is tried too)")
	flag.StringVar(&c.before, "before", "", "also measure this other masthead `binary` (on a copy of the data), alternating with the rest: before and after a change in one run")
	flag.BoolVar(&c.hdrBase, "header-baseline", false, "also measure go-memory sending masthead's response headers (what net/http's header handling costs)")
	flag.BoolVar(&c.strace, "syscalls", false, "after the cases, count each server's system calls per response with strace -c -f (article page, the last of -conns, 3 s each)")
	flag.StringVar(&c.profile, "profile", "", "instead of comparing: write a CPU profile of masthead serving the article to `file` under wrk (-d, the last of -conns)")
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
	if c.dur < time.Second || c.dur > maxDuration {
		return fmt.Errorf("-d must be between 1s and %s", maxDuration)
	}
	for _, s := range strings.Split(conns, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 512 {
			return fmt.Errorf("-conns: %q is not a number between 1 and 512", s)
		}
		c.conns = append(c.conns, n)
	}
	if c.profile != "" && c.url != "" {
		return errors.New("-profile starts its own masthead; leave out -url")
	}
	if c.before != "" && c.url != "" {
		return errors.New("-before starts both mastheads; leave out -url")
	}

	tmp, err := os.MkdirTemp("", "loadbench-")
	if err != nil {
		return err
	}
	var stops []func()
	defer func() {
		for _, f := range slices.Backward(stops) {
			f()
		}
		os.RemoveAll(tmp)
	}()
	w, err := newWrk(c.wrk, tmp)
	if err != nil {
		return err
	}
	if c.data == "" {
		c.data = filepath.Join(tmp, "data")
	}
	if c.profile != "" {
		return profile(c, tmp, w)
	}

	load0 := loadAvg()
	var before *server
	if c.before != "" {
		// The data is copied while no masthead has it open: a paper is
		// made first if there is none.
		if _, err := os.Stat(c.data); err != nil {
			m, err := startMasthead(c, tmp, nil)
			if err != nil {
				return err
			}
			m.stop()
		}
		bc := c
		bc.bin, bc.data = c.before, filepath.Join(tmp, "data-before")
		if out, err := exec.Command("cp", "-a", c.data, bc.data).CombinedOutput(); err != nil {
			return fmt.Errorf("copy the data for -before: %v: %s", err, out)
		}
		if before, err = startMasthead(bc, tmp, nil); err != nil {
			return err
		}
		before.name = "before"
		stops = append(stops, before.stop)
	}
	var m *server
	if c.url == "" {
		if m, err = startMasthead(c, tmp, nil); err != nil {
			return err
		}
		stops = append(stops, m.stop)
	} else {
		base, err := loopbackURL(c.url)
		if err != nil {
			return err
		}
		pid := c.pid
		m = &server{name: "masthead", host: strings.TrimPrefix(base, "http://"), pids: func() []int {
			if pid > 0 {
				return []int{pid}
			}
			return nil
		}}
	}
	base := "http://" + m.host
	if c.article == "" {
		if c.article, err = storyPath(base, 1); err != nil {
			return err
		}
	}
	pages := []page{{name: "article", path: c.article}, {name: "front", path: "/"}}

	headers := map[string]http.Header{} // masthead's, by path, for -header-baseline
	// The same bytes, identity-encoded, into the baselines' tree: a
	// directory of its own that others may read, since nginx started as
	// root runs its workers as nobody.
	root, err := os.MkdirTemp("", "loadbench-root-")
	if err != nil {
		return err
	}
	stops = append(stops, func() { os.RemoveAll(root) })
	if err := os.Chmod(root, 0o755); err != nil {
		return err
	}
	for i, p := range pages {
		body, hdr, err := fetch(base+p.path, "identity")
		if err != nil {
			return err
		}
		brBody, _, err := fetch(base+p.path, "br")
		if err != nil {
			return err
		}
		file := filepath.Join(root, filepath.FromSlash(p.path))
		if p.path == "/" {
			file = filepath.Join(root, "index.html")
		}
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(file, body, 0o644); err != nil {
			return err
		}
		pages[i].etag = hdr.Get("ETag")
		headers[p.path] = hdr
		fmt.Printf("%-8s %s: %d bytes, %d with brotli; ETag %s; Cache-Control %q\n",
			p.name, p.path, len(body), len(brBody), hdr.Get("ETag"), hdr.Get("Cache-Control"))
	}
	hdrFile := filepath.Join(tmp, "headers.json")
	if err := writeJSON(hdrFile, headers); err != nil {
		return err
	}
	mem, err := startMemory(root, hdrFile)
	if err != nil {
		return err
	}
	stops = append(stops, mem.stop)
	ngx, err := startNginx(c.nginx, root)
	if err != nil {
		return err
	}
	stops = append(stops, ngx.stop)
	for _, p := range pages {
		for _, s := range []*server{mem, ngx} {
			if _, _, err := fetch("http://"+s.host+p.path, "identity"); err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
		}
	}

	fmt.Printf("masthead %s (pids %v), go-memory %s (pid %v), nginx %s (pids %v)\n",
		m.host, m.pids(), mem.host, mem.pids(), ngx.host, ngx.pids())
	if before != nil {
		fmt.Printf("before: %s %s (pid %v)\n", c.before, before.host, before.pids())
	}
	fmt.Printf("wrk %s runs, %d rounds, load average %s at the start\n", c.dur, c.rounds, load0)

	var cases []*benchCase
	for _, p := range pages {
		for _, n := range c.conns {
			bc := &benchCase{page: p, conns: n}
			bc.variants = []*variant{
				{label: "masthead", srv: m},
				{label: "go-memory", srv: mem},
				{label: "nginx", srv: ngx},
			}
			if before != nil {
				bc.variants = append(bc.variants, &variant{label: "before", srv: before})
			}
			if c.hdrBase {
				bc.variants = append(bc.variants, &variant{label: "go+headers", srv: mem, query: "?" + withHeadersQuery})
			}
			bc.compared = len(bc.variants)
			if c.extras {
				bc.variants = append(bc.variants,
					&variant{label: "masthead br", srv: m, headers: []string{browserEncoding}},
					&variant{label: "masthead 304", srv: m, headers: []string{browserEncoding, "If-None-Match: " + p.etag}})
			}
			// Warm every server for this case (page cache filled,
			// connections made, heaps grown) outside the measurement.
			for _, v := range bc.variants[:bc.compared] {
				if _, err := w.run("http://"+v.srv.host+p.path+v.query, n, time.Second, v.headers); err != nil {
					return err
				}
			}
			for r := range c.rounds {
				order := rotate(bc.variants, bc.compared, r)
				for _, v := range order {
					if err := v.measure(w, p.path, n, c.dur); err != nil {
						return err
					}
				}
			}
			bc.print()
			cases = append(cases, bc)
		}
	}
	fmt.Printf("load average %s at the start, %s at the end\n", load0, loadAvg())
	fmt.Println("ratios, medians of the rounds (target: masthead ≥ 0.90× go-memory's throughput, p99 ≤ 2.00× go-memory's):")
	for _, bc := range cases {
		bc.printRatios()
	}
	if c.url == "" {
		fmt.Printf("masthead after the cases: %s\n", memory(m.pids()[0]))
	}
	if c.strace {
		if err := countSyscalls(w, tmp, []*server{m, mem, ngx}, pages[0].path, c.conns[len(c.conns)-1], 3*time.Second); err != nil {
			return err
		}
	}
	if c.crawl > 0 {
		pid := 0
		if ps := m.pids(); len(ps) > 0 {
			pid = ps[0]
		}
		return crawl(base, c.crawl, pid)
	}
	return nil
}

type page struct {
	name, path, etag string
}

// rotate returns vs with its first n (the servers compared) turned by r
// places: every round starts with another; the extra masthead cases stay
// after them.
func rotate(vs []*variant, n, r int) []*variant {
	out := make([]*variant, 0, len(vs))
	for i := range n {
		out = append(out, vs[(i+r)%n])
	}
	return append(out, vs[n:]...)
}

type benchCase struct {
	page     page
	conns    int
	variants []*variant // masthead, the baselines, -before; then the extras
	compared int        // how many of variants rotate
}

// variant is one server with one kind of request, and its rounds.
type variant struct {
	label   string
	srv     *server
	query   string // appended to the page's path
	headers []string
	rounds  []round
}

type round struct {
	rps      float64
	p50, p99 time.Duration
	cpuPer   time.Duration // 0 when unknown
	sysShare float64       // the kernel's part of cpuPer
	errs     int64
	load     float64 // the 1-minute load average at the end of the run
}

func (v *variant) measure(w *wrk, path string, conns int, d time.Duration) error {
	pids := v.srv.pids()
	u0, s0 := procsUserSys(pids)
	res, err := w.run("http://"+v.srv.host+path+v.query, conns, d, v.headers)
	if err != nil {
		return fmt.Errorf("%s: %w", v.label, err)
	}
	u1, s1 := procsUserSys(pids)
	cpu := u1 - u0 + s1 - s0
	r := round{
		rps:  float64(res.Requests) / (float64(res.DurationUS) / 1e6),
		p50:  time.Duration(res.P50US) * time.Microsecond,
		p99:  time.Duration(res.P99US) * time.Microsecond,
		errs: res.Errors + res.StatusErrors,
		load: load1(),
	}
	if len(pids) > 0 && res.Requests > 0 {
		r.cpuPer = cpu / time.Duration(res.Requests)
		if cpu > 0 {
			r.sysShare = float64(s1-s0) / float64(cpu)
		}
	}
	v.rounds = append(v.rounds, r)
	return nil
}

// median of one measure over the rounds.
func (v *variant) median(f func(round) float64) float64 {
	xs := make([]float64, len(v.rounds))
	for i, r := range v.rounds {
		xs[i] = f(r)
	}
	slices.Sort(xs)
	if len(xs) == 0 {
		return 0
	}
	if len(xs)%2 == 1 {
		return xs[len(xs)/2]
	}
	return (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
}

func (v *variant) rps() float64 { return v.median(func(r round) float64 { return r.rps }) }
func (v *variant) p50() time.Duration {
	return time.Duration(v.median(func(r round) float64 { return float64(r.p50) }))
}
func (v *variant) p99() time.Duration {
	return time.Duration(v.median(func(r round) float64 { return float64(r.p99) }))
}
func (v *variant) cpu() time.Duration {
	return time.Duration(v.median(func(r round) float64 { return float64(r.cpuPer) }))
}

func (bc *benchCase) print() {
	fmt.Printf("\n%s %s, %d connection(s): medians of %d rounds\n", bc.page.name, bc.page.path, bc.conns, len(bc.variants[0].rounds))
	fmt.Printf("  %-13s %9s %17s %9s %9s %10s %6s %11s\n", "server", "req/s", "(range)", "p50", "p99", "cpu/req", "kernel", "load")
	for _, v := range bc.variants {
		lo, hi := v.rounds[0].rps, v.rounds[0].rps
		var errs int64
		for _, r := range v.rounds {
			lo, hi = min(lo, r.rps), max(hi, r.rps)
			errs += r.errs
		}
		cpu := "-"
		if c := v.cpu(); c > 0 {
			cpu = fmt.Sprintf("%.1fµs", float64(c)/1e3)
		}
		llo, lhi := v.rounds[0].load, v.rounds[0].load
		for _, r := range v.rounds {
			llo, lhi = min(llo, r.load), max(lhi, r.load)
		}
		sys := v.median(func(r round) float64 { return r.sysShare })
		fmt.Printf("  %-13s %9.0f %17s %9s %9s %10s %5.0f%% %11s", v.label, v.rps(), fmt.Sprintf("(%.0f–%.0f)", lo, hi), dur(v.p50()), dur(v.p99()), cpu,
			100*sys, fmt.Sprintf("%.1f–%.1f", llo, lhi))
		if errs > 0 {
			fmt.Printf("  %d errors or non-2xx/3xx responses", errs)
		}
		fmt.Println()
	}
}

func (bc *benchCase) printRatios() {
	m := bc.variants[0]
	for _, b := range bc.variants[1:bc.compared] {
		line := fmt.Sprintf("  %-7s %2d conns, masthead/%-9s throughput %5.2f×  p50 %5.2f×  p99 %5.2f×",
			bc.page.name, bc.conns, b.label, m.rps()/b.rps(), float64(m.p50())/float64(b.p50()), float64(m.p99())/float64(b.p99()))
		if m.cpu() > 0 && b.cpu() > 0 {
			line += fmt.Sprintf("  cpu/req %5.2f×", float64(m.cpu())/float64(b.cpu()))
		}
		if b.label == "go-memory" {
			if m.rps() >= 0.9*b.rps() && m.p99() <= 2*b.p99() {
				line += "  target met"
			} else {
				line += "  TARGET MISSED"
			}
		}
		fmt.Println(line)
	}
	if len(bc.variants) >= bc.compared+2 {
		full, cond := bc.variants[bc.compared], bc.variants[bc.compared+1]
		line := fmt.Sprintf("  %-7s %2d conns, masthead 304/br: throughput %5.2f×", bc.page.name, bc.conns, cond.rps()/full.rps())
		if full.cpu() > 0 {
			line += fmt.Sprintf("  cpu/req %5.2f×", float64(cond.cpu())/float64(full.cpu()))
		}
		fmt.Println(line)
	}
}

func dur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.0fµs", float64(d)/1e3)
	default:
		return fmt.Sprintf("%.2fms", float64(d)/1e6)
	}
}

// profile runs masthead with MASTHEAD_CPU_PROFILE set, loads the article
// with wrk, stops masthead (which writes the profile on the way out) and
// prints the top of it. The paper is made first by a run without the
// profile, so drawing the demo photos stays out of it.
func profile(c config, tmp string, w *wrk) error {
	out, err := filepath.Abs(c.profile)
	if err != nil {
		return err
	}
	m, err := startMasthead(c, tmp, nil)
	if err != nil {
		return err
	}
	if c.article == "" {
		c.article, err = storyPath("http://"+m.host, 1)
	}
	m.stop()
	if err != nil {
		return err
	}
	m, err = startMasthead(c, tmp, []string{"MASTHEAD_CPU_PROFILE=" + out})
	if err != nil {
		return err
	}
	n := c.conns[len(c.conns)-1]
	u := "http://" + m.host + c.article
	if _, err := w.run(u, n, time.Second, nil); err != nil {
		m.stop()
		return err
	}
	res, err := w.run(u, n, c.dur, nil)
	m.stop()
	if err != nil {
		return err
	}
	fmt.Printf("profiled %d requests (%.0f/s) of %s at %d connections into %s\n",
		res.Requests, float64(res.Requests)/(float64(res.DurationUS)/1e6), c.article, n, out)
	top := exec.Command("go", "tool", "pprof", "-top", "-nodecount=40", m.bin, out)
	top.Stdout, top.Stderr = os.Stdout, os.Stderr
	return top.Run()
}

// load1 is the 1-minute load average, 0 when unknown.
func load1() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

// loadAvg is the 1, 5 and 15 minute load averages.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func writeJSON(file string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(file, b, 0o644)
}
