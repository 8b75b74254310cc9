package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"masthead/internal/api"
	"masthead/internal/auth"
	"masthead/internal/demo"
	"masthead/internal/feed"
	"masthead/internal/httpx"
	"masthead/internal/media"
	"masthead/internal/metrics"
	"masthead/internal/news"
	"masthead/internal/newsroom"
	"masthead/internal/pagecache"
	"masthead/internal/site"
	"masthead/internal/sitemap"
	"masthead/internal/store/sqlite"
	"masthead/internal/views"
	"masthead/internal/workflow"
)

type serveFlags struct {
	common
	paperFlags
	Addr           string
	NoDemo         bool
	TrustedProxies string
	LogFormat      string
	MaxUpload      int64
	Media          string
	CacheBytes     int64
	ViewsFlush     time.Duration
	AccessLog      bool
	PurgeWebhook   string
	tlsFlags
}

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f serveFlags
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	f.common.register(fs)
	f.paperFlags.register(fs)
	fs.StringVar(&f.Addr, "addr", "127.0.0.1:8080", "listen `address` (port 0 picks a free port)")
	fs.BoolVar(&f.NoDemo, "no-demo", false, "do not create the demo paper on an empty database")
	fs.StringVar(&f.TrustedProxies, "trusted-proxies", "", "comma-separated `CIDRs` of proxies whose X-Forwarded-For / Forwarded headers are believed")
	fs.StringVar(&f.LogFormat, "log-format", "text", "log `format`: text or json")
	fs.Int64Var(&f.MaxUpload, "max-upload", 20<<20, "largest photo upload in `bytes`")
	registerMedia(fs, &f.Media)
	fs.Int64Var(&f.CacheBytes, "cache-bytes", 64<<20, "memory for rendered pages, in `bytes`")
	fs.StringVar(&f.PurgeWebhook, "purge-webhook", "", "after each change readers can see, POST {\"keys\":[...]} or {\"all\":true} to this `URL` (a CDN purge relay); pages then let shared caches keep them 5 minutes instead of 1")
	fs.BoolVar(&f.AccessLog, "access-log", true, "log a line per request, written in batches within a second (false: only warnings and errors; see docs/performance.md)")
	fs.DurationVar(&f.ViewsFlush, "views-flush", 5*time.Second, "how often counted page views are written to the database (`duration`); a crash loses at most this much counting, a clean stop none")
	fs.StringVar(&f.Cert, "tls-cert", "", "serve HTTPS with this certificate `file` (PEM, full chain); needs --tls-key")
	fs.StringVar(&f.Key, "tls-key", "", "private key `file` (PEM) for --tls-cert")
	fs.StringVar(&f.ACMEDomain, "acme-domain", "", "serve HTTPS with a certificate obtained automatically from Let's Encrypt for this `domain` (needs --addr :443 reachable from the internet; cached in DATA/acme)")
	fs.StringVar(&f.ACMEEmail, "acme-email", "", "contact `address` given to Let's Encrypt with --acme-domain (optional)")
	fs.Usage = usageFor(fs, "masthead serve [flags]")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve takes no arguments, got %q", fs.Args())
	}
	log := newLogger(f.LogFormat, stderr)
	var accessLog *slog.Logger
	var accessBuf *lineBuffer
	if f.AccessLog {
		accessBuf = newLineBuffer(stderr)
		accessLog = newLogger(f.LogFormat, accessBuf)
	}
	proxies, err := parsePrefixes(f.TrustedProxies)
	if err != nil {
		return err
	}
	tlsCfg, err := f.tlsConfig(f.Data)
	if err != nil {
		return err
	}

	st, err := openStore(ctx, f.common)
	if err != nil {
		return err
	}
	defer st.Close()

	ln, err := net.Listen("tcp", f.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", f.Addr, err)
	}
	// serve never reuses a stored base URL (the last run may have listened
	// elsewhere); it records its own, for commands run beside it.
	if f.BaseURL == "" {
		f.BaseURL = "http://" + ln.Addr().String()
		if tlsCfg != nil {
			f.BaseURL = "https://" + ln.Addr().String()
			if f.ACMEDomain != "" {
				f.BaseURL = "https://" + f.ACMEDomain
			}
		}
	}
	paper, err := f.paper(ctx, st, "")
	if err != nil {
		ln.Close()
		return err
	}
	if err := st.PutSetting(ctx, "base_url", paper.BaseURL); err != nil {
		ln.Close()
		return err
	}
	clock := news.SystemClock{}

	blobs, err := openBlobs(ctx, f.Media, f.Data)
	if err != nil {
		ln.Close()
		return err
	}
	lib := media.New(media.Config{Store: st, Blobs: blobs, Paper: paper, MaxBytes: f.MaxUpload, Logger: log})

	if !f.NoDemo {
		res, err := demo.Seed(ctx, st, lib, paper, clock.Now())
		if err != nil {
			ln.Close()
			return fmt.Errorf("create the demo paper: %w", err)
		}
		if res.Articles > 0 {
			fmt.Fprintf(stdout, "created the demo paper: %d stories\n", res.Articles)
		}
	}
	email, password, created, err := auth.EnsureAdmin(ctx, st)
	if err != nil {
		ln.Close()
		return err
	}
	if created {
		// Printed once, on the terminal of whoever started the first run;
		// never logged.
		fmt.Fprintf(stdout, "newsroom: sign in at %s/newsroom/ as %s with password %s (change it under My account)\n",
			paper.BaseURL, email, password)
	}

	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBG()
	var wg sync.WaitGroup
	if accessBuf != nil {
		wg.Add(1)
		go func() { defer wg.Done(); accessBuf.run(bg) }()
	}

	counter, err := views.New(views.Config{Store: st, Clock: clock, Logger: log, TrustedProxies: proxies, Paper: paper, FlushInterval: f.ViewsFlush})
	if err != nil {
		ln.Close()
		return err
	}
	wg.Add(1)
	go func() { defer wg.Done(); _ = counter.Run(bg) }()

	sched := workflow.NewScheduler(st, clock, log)
	wg.Add(1)
	go func() { defer wg.Done(); sched.Run(bg) }()

	nr, err := newsroom.New(newsroom.Config{Paper: paper, Store: st, Clock: clock, Logger: log, Media: lib,
		MaxUploadBytes: lib.MaxBytes(), Secure: strings.HasPrefix(paper.BaseURL, "https://"), Views: counter})
	if err != nil {
		ln.Close()
		return err
	}

	cache := pagecache.New(f.CacheBytes, time.Minute)
	// Shared caches may keep a page as long as we do, or 5 minutes when
	// the webhook purges them on every change; they may serve it stale a
	// minute while refetching and a day while masthead is down.
	cache.SetShared(time.Minute, time.Minute, 24*time.Hour)
	var cdn *cdnPurger
	if f.PurgeWebhook != "" {
		hook, err := pagecache.NewWebhook(f.PurgeWebhook, log)
		if err != nil {
			ln.Close()
			return err
		}
		cache.SetShared(5*time.Minute, time.Minute, 24*time.Hour)
		cdn = &cdnPurger{st: st, hook: hook, log: log}
		wg.Add(1)
		go func() { defer wg.Done(); hook.Run(bg) }()
	}
	purgeAll := func() { cache.Purge(); cdn.remote(bg) }
	wg.Add(1)
	go func() { defer wg.Done(); watchGeneration(bg, st, log, purgeAll) }()
	// PostgreSQL also pushes changes (LISTEN/NOTIFY), so other nodes drop
	// their caches at once instead of at the next poll; the poll stays as
	// the safety net for a lost notification connection.
	if l, ok := st.(interface {
		Listen(context.Context, func()) error
	}); ok {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.Listen(bg, purgeAll); err != nil && bg.Err() == nil {
				log.Warn("listen for changes", "err", err)
			}
		}()
	}

	met := metrics.New()
	met.WatchCache(cache)
	if sq, ok := st.(*sqlite.DB); ok {
		w, r := sq.Pools()
		met.WatchDB("sqlite_write", w)
		met.WatchDB("sqlite_read", r)
	}
	var shuttingDown atomic.Bool

	mux := http.NewServeMux()
	// /readyz turns 503 as soon as shutdown begins, so a load balancer
	// stops sending new requests while the last ones drain.
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if shuttingDown.Load() {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		if err := st.Ping(r.Context()); err != nil {
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ready\n")
	})
	// Metrics name routes and pool sizes: for operators, so only loopback
	// and trusted proxies' networks may read them.
	mux.Handle("GET /metrics", onlyFrom(proxies, met.Handler()))
	site.New(site.Config{Paper: paper, Store: st, Clock: clock, Top: counter, Logger: log}).Register(mux)
	api.New(api.Config{Paper: paper, Store: st, Clock: clock, Logger: log}).Register(mux)
	feed.New(feed.Config{Paper: paper, Store: st, Clock: clock, Logger: log}).Register(mux)
	sitemap.New(sitemap.Config{Paper: paper, Store: st, Clock: clock, Logger: log}).Register(mux)
	counter.Register(mux)
	lib.Register(mux)
	nr.Register(mux)

	srv := &http.Server{
		Handler:   httpx.Wrap(limitBodies(route(httpx.Route(mux), cache, cdn), f.MaxUpload), httpx.Options{Log: log, Access: accessLog, Observe: met.Observe}),
		TLSConfig: tlsCfg,
		// Slow clients must not hold connections: headers within 5 s,
		// the whole request within 30 s (uploads included).
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return bg },
	}
	scheme := "http"
	if tlsCfg != nil {
		scheme = "https"
	}
	fmt.Fprintf(stdout, "masthead %s: %s listening on %s://%s\n", version, paper.Name, scheme, ln.Addr())
	log.Info("serving", "addr", ln.Addr().String(), "base_url", paper.BaseURL, "db", dbKind(f.common))

	errc := make(chan error, 1)
	go func() {
		if tlsCfg != nil {
			// The certificates are in TLSConfig already.
			errc <- srv.ServeTLS(ln, "", "")
			return
		}
		errc <- srv.Serve(ln)
	}()
	select {
	case err := <-errc:
		stopBG()
		wg.Wait()
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shuttingDown.Store(true)
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("shutdown", "err", err)
	}
	// Stop the jobs only after the last request: the counter flushes
	// everything it acknowledged on the way out.
	stopBG()
	wg.Wait()
	return nil
}

func dbKind(c common) string {
	if c.isPostgres() {
		return "postgres"
	}
	return "sqlite:" + c.sqlitePath()
}

func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

func parsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			a, err := netip.ParseAddr(part)
			if err != nil {
				return nil, fmt.Errorf("--trusted-proxies: %q is not an address or CIDR", part)
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("--trusted-proxies: %q is not a CIDR", part)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// route sends reader pages, feeds and sitemaps through the page cache and
// everything else straight to mux: the newsroom is per-user, media and
// static files are files already, beacons must not be cached. A write in the
// newsroom purges the cache before its response leaves, so the editor who
// just published never sees the old page.
func route(mux http.Handler, cache *pagecache.Cache, cdn *cdnPurger) http.Handler {
	cached := cache.Middleware(mux)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case strings.HasPrefix(p, "/newsroom/") || p == "/newsroom":
			write := r.Method != http.MethodGet && r.Method != http.MethodHead
			var before []string
			if write {
				before = cdn.before(r)
			}
			mux.ServeHTTP(w, r)
			if write {
				cache.Purge()
				cdn.after(r, before)
			}
		case strings.HasPrefix(p, "/media/"), strings.HasPrefix(p, "/static/"), strings.HasPrefix(p, "/api/"),
			p == "/healthz", p == "/readyz", p == "/metrics":
			mux.ServeHTTP(w, r)
		default:
			cached.ServeHTTP(w, r)
		}
	})
}

// watchGeneration calls onChange whenever the store's generation moves:
// another process (masthead import, another node, the scheduler) changed
// what readers see. Polling a one-row counter every 200 ms costs nothing and
// keeps every node within a second of the truth.
func watchGeneration(ctx context.Context, st news.Store, log *slog.Logger, onChange func()) {
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	last, err := st.Generation(ctx)
	if err != nil {
		log.Warn("read generation", "err", err)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		g, err := st.Generation(ctx)
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("read generation", "err", err)
			}
			continue
		}
		if g != last {
			last = g
			onChange()
		}
	}
}

// onlyFrom lets requests from loopback or the given networks through and
// answers 404 to everyone else (not 403: no need to advertise the route).
func onlyFrom(nets []netip.Prefix, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ap, err := netip.ParseAddrPort(r.RemoteAddr)
		if err == nil {
			a := ap.Addr().Unmap()
			ok := a.IsLoopback()
			for _, n := range nets {
				ok = ok || n.Contains(a)
			}
			if ok {
				h.ServeHTTP(w, r)
				return
			}
		}
		http.NotFound(w, r)
	})
}
