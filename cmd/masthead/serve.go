package main

import (
	"context"
	"crypto/tls"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"masthead/internal/api"
	"masthead/internal/auth"
	"masthead/internal/demo"
	"masthead/internal/feed"
	"masthead/internal/gctune"
	"masthead/internal/httpx"
	"masthead/internal/integrations"
	"masthead/internal/mail"
	"masthead/internal/media"
	"masthead/internal/metrics"
	"masthead/internal/news"
	"masthead/internal/newsroom"
	"masthead/internal/nodecache"
	"masthead/internal/pagecache"
	"masthead/internal/searchcache"
	"masthead/internal/site"
	"masthead/internal/sitemap"
	"masthead/internal/views"
	"masthead/internal/workflow"
)

type serveFlags struct {
	common
	paperFlags
	Addr           string
	NoDemo         bool
	DemoPhotoWidth int
	TrustedProxies string
	LogFormat      string
	MaxUpload      int64
	Media          string
	CacheBytes     int64
	ViewsFlush     time.Duration
	AccessLog      bool
	PurgeWebhook   string
	CDNKeyHeader   string
	Drain          time.Duration
	MetricsAddr    string
	WebhookPrivate bool
	WebhookTimeout time.Duration
	tlsFlags
	mailFlags
}

// serveNode is a node with the parts of the newspaper: what serve's steps
// build and the later steps use.
type serveNode struct {
	node
	f      serveFlags
	stdout io.Writer

	access    *httpx.AccessLog // nil: no access log
	accessBuf *lineBuffer
	proxies   []netip.Prefix
	tlsCfg    *tls.Config

	lock    *dataLock // SQLite only
	st      news.Store
	public  net.Listener
	paper   *news.Paper
	clock   news.Clock
	lib     *media.Library
	counter *views.Counter
	cache   *pagecache.Cache
	changes *changeFeed
	met     *metrics.Metrics
	mailer  *mail.Dynamic
	gate    *integrations.Gate
}

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseServeFlags(args, stderr)
	if err != nil {
		return err
	}
	gctune.Apply(f.CacheBytes)
	n, err := assemble(ctx, f, stdout, stderr)
	if err != nil {
		return err
	}
	return n.run(ctx)
}

// assemble builds a node step by step, each step using what the ones
// before it made: configuration, the database, the public listener (the
// base URL defaults to its address), the paper, photos, the demo paper and
// first admin, the background jobs, the page cache, metrics and last the
// HTTP handlers. A step that fails closes what the earlier ones opened.
func assemble(ctx context.Context, f serveFlags, stdout, stderr io.Writer) (*serveNode, error) {
	n := &serveNode{f: f, stdout: stdout, clock: news.SystemClock{}}
	// Every line logged with a request's context names the request (its
	// id and route), whichever package writes it.
	n.log = slog.New(httpx.NewLogHandler(newLogger(f.LogFormat, stderr).Handler()))
	n.drain = f.Drain
	// As long as a request may take to read (ReadTimeout): an upload that
	// started before the signal can still finish.
	n.shutdownTimeout = 30 * time.Second
	n.bg, n.stopBG = context.WithCancel(context.WithoutCancel(ctx))
	n.onClose(n.stopBG)
	if f.AccessLog {
		n.accessBuf = newLineBuffer(stderr)
		n.access = httpx.NewAccessLog(n.accessBuf, f.LogFormat)
		n.addJob("access log", func(ctx context.Context) error { n.accessBuf.run(ctx); return nil })
	}
	for _, step := range []func(context.Context) error{
		n.configure,
		n.lockData,
		n.openStore,
		n.listen,
		n.openPaper,
		n.startMail,
		n.openMedia,
		n.seed,
		n.startViews,
		n.startScheduler,
		n.startCache,
		n.startMetrics,
		n.startIntegrations,
		n.startPublic,
	} {
		if err := step(ctx); err != nil {
			n.close()
			return nil, err
		}
	}
	return n, nil
}

func parseServeFlags(args []string, stderr io.Writer) (serveFlags, error) {
	var f serveFlags
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	f.common.register(fs)
	f.paperFlags.register(fs)
	f.mailFlags.register(fs)
	fs.StringVar(&f.Addr, "addr", "127.0.0.1:8080", "listen `address` (port 0 picks a free port)")
	fs.BoolVar(&f.NoDemo, "no-demo", false, "do not create the demo paper on an empty database")
	fs.IntVar(&f.DemoPhotoWidth, "demo-photo-width", demo.DefaultPhotoWidth, "width in `pixels` of the demo paper's drawn photos; smaller makes the first start quicker (the test suite uses 480)")
	fs.StringVar(&f.TrustedProxies, "trusted-proxies", "", "comma-separated `CIDRs` of proxies whose X-Forwarded-For / Forwarded headers are believed")
	fs.StringVar(&f.LogFormat, "log-format", "text", "log `format`: text or json")
	fs.Int64Var(&f.MaxUpload, "max-upload", 20<<20, "largest photo upload in `bytes`")
	registerMedia(fs, &f.Media)
	fs.Int64Var(&f.CacheBytes, "cache-bytes", gctune.ServeCacheBytes, "memory for rendered pages, in `bytes`")
	fs.StringVar(&f.PurgeWebhook, "purge-webhook", "", "after each change readers can see, POST {\"keys\":[...]} or {\"all\":true} to this `URL` (a CDN purge relay); pages then let shared caches keep them 5 minutes instead of 1")
	fs.StringVar(&f.CDNKeyHeader, "cdn-key-header", "Surrogate-Key", "with --purge-webhook, the `header` that names each cached page's purge keys for the CDN: "+strings.Join(pagecache.KeyHeaders(), ", ")+" (any case), or empty for none; without --purge-webhook no page carries its keys (the page cache purges by its own)")
	fs.BoolVar(&f.AccessLog, "access-log", true, "log a line per request, written in batches within a second (false: only warnings and errors; see docs/performance.md)")
	fs.DurationVar(&f.ViewsFlush, "views-flush", 5*time.Second, "how often counted page views are written to the database (`duration`); a crash loses at most this much counting, a clean stop none")
	fs.DurationVar(&f.Drain, "drain", 5*time.Second, "on SIGTERM or SIGINT, keep serving this long (`duration`) with /readyz answering 503 before the listener closes, so a load balancer stops sending requests first; then requests in flight finish (up to 30 s) and counted views are written")
	fs.StringVar(&f.MetricsAddr, "metrics-addr", "", "serve Prometheus metrics at http://`ADDR`/metrics, on that listener only (never on the public one); empty serves no metrics. Keep ADDR private: loopback, or a network only the monitoring reaches")
	fs.BoolVar(&f.WebhookPrivate, "webhook-allow-private", false, "let webhook deliveries and wire pictures reach loopback and private addresses (off: those URLs come from integrations and must not reach the paper's own network)")
	fs.DurationVar(&f.WebhookTimeout, "webhook-timeout", 15*time.Second, "how long a webhook receiver may take to answer (`duration`) before the attempt counts as failed and is retried")
	fs.StringVar(&f.Cert, "tls-cert", "", "serve HTTPS with this certificate `file` (PEM, full chain); needs --tls-key")
	fs.StringVar(&f.Key, "tls-key", "", "private key `file` (PEM) for --tls-cert")
	fs.StringVar(&f.ACMEDomain, "acme-domain", "", "serve HTTPS with a certificate obtained automatically from Let's Encrypt for this `domain` (needs --addr :443 reachable from the internet; cached in DATA/acme)")
	fs.StringVar(&f.ACMEEmail, "acme-email", "", "contact `address` given to Let's Encrypt with --acme-domain (optional)")
	fs.Usage = usageFor(fs, "masthead serve [flags]")
	if err := parse(fs, args, stderr); err != nil {
		return f, err
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("serve takes no arguments, got %q", fs.Args())
	}
	return f, nil
}

// configure checks the flags that need more than parsing.
func (n *serveNode) configure(context.Context) error {
	var err error
	if n.proxies, err = parsePrefixes(n.f.TrustedProxies); err != nil {
		return err
	}
	if _, err := pagecache.ParseKeyHeader(n.f.CDNKeyHeader); err != nil {
		return fmt.Errorf("--cdn-key-header: %w", err)
	}
	n.tlsCfg, err = n.f.tlsConfig(n.f.Data)
	return err
}

// lockData makes this the only serve on its SQLite database (see
// dataLock). PostgreSQL nodes share a database by design; they elect one
// scheduler among themselves.
func (n *serveNode) lockData(context.Context) error {
	if n.f.isPostgres() {
		return nil
	}
	l, err := lockData(n.f.sqlitePath())
	if errors.Is(err, errLocked) {
		return fmt.Errorf("%w: stop it first, or give this one its own --data; commands such as import, user add and backup work beside it", err)
	} else if err != nil {
		return err
	}
	n.lock = l
	n.onClose(l.release)
	return nil
}

func (n *serveNode) openStore(ctx context.Context) error {
	st, err := openStore(ctx, n.f.common)
	if err != nil {
		return err
	}
	n.st = st
	n.onClose(func() { st.Close() })
	return nil
}

// listen opens the public listener; it is served only once the node runs.
func (n *serveNode) listen(context.Context) error {
	ln, err := net.Listen("tcp", n.f.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", n.f.Addr, err)
	}
	n.public = ln
	n.onClose(func() { ln.Close() })
	if n.lock != nil {
		n.lock.announce(n.scheme() + "://" + ln.Addr().String())
	}
	return nil
}

// scheme is how readers reach the public listener.
func (n *serveNode) scheme() string {
	if n.tlsCfg != nil {
		return "https"
	}
	return "http"
}

// openPaper makes the paper and records its base URL. serve never reuses
// a stored base URL (the last run may have listened elsewhere); it records
// its own, for commands run beside it.
func (n *serveNode) openPaper(ctx context.Context) error {
	if n.f.BaseURL == "" {
		n.f.BaseURL = n.scheme() + "://" + n.public.Addr().String()
		if n.f.ACMEDomain != "" {
			n.f.BaseURL = "https://" + n.f.ACMEDomain
		}
	}
	paper, err := n.f.paper(ctx, n.st, "")
	if err != nil {
		return err
	}
	// Every part holds this paper and reads its settings through
	// Current(), so reloadPaper can change them all at once.
	n.paper = news.Live(paper)
	fillOutbox(n.st, n.paper)
	return n.st.PutSetting(ctx, "base_url", paper.BaseURL)
}

// reloadPaper makes the stored paper settings current on this node: the
// change feed calls it when any node (or a command) commits a settings
// save, before it purges the page cache, so every page rendered after the
// purge has the new name, menu, time zone... and none waits for a restart.
// Flags given on the command line stay overrides, as at the start.
//
// A database error is returned, and the change feed tries again at its next
// poll. Settings that do not apply (checked when saved, so only a defect or
// a hand-edited row) are logged and the current ones kept: they must not
// hold back every purge behind them.
func (n *serveNode) reloadPaper(ctx context.Context) error {
	flags, err := n.f.flagsPaper(ctx, n.st, "")
	if err != nil {
		return err
	}
	stored, err := n.st.GetSetting(ctx, news.PaperSettingsKey)
	if err != nil && !errors.Is(err, news.ErrNotFound) {
		return err
	}
	next, err := n.f.withSettings(flags, stored)
	if err != nil {
		n.log.ErrorContext(ctx, "paper settings not applied; the node keeps its current ones", "err", err)
		return nil
	}
	was := n.paper.Current()
	n.paper.Swap(next)
	n.log.InfoContext(ctx, "paper settings applied", "name", next.Name, "was", was.Name)
	return nil
}

func (n *serveNode) openMedia(ctx context.Context) error {
	blobs, err := openBlobs(ctx, n.f.Media, n.f.Data)
	if err != nil {
		return err
	}
	n.lib = media.New(media.Config{Store: n.st, Blobs: blobs, Paper: n.paper, MaxBytes: n.f.MaxUpload, Logger: n.log, Clock: n.clock})
	return nil
}

// seed creates the demo paper on an empty database (unless --no-demo) and
// the first admin.
func (n *serveNode) seed(ctx context.Context) error {
	if !n.f.NoDemo {
		res, err := demo.SeedWith(ctx, n.st, n.lib, n.paper, n.clock.Now(), demo.Options{PhotoWidth: n.f.DemoPhotoWidth})
		if err != nil {
			return fmt.Errorf("create the demo paper: %w", err)
		}
		if res.Articles > 0 {
			fmt.Fprintf(n.stdout, "created the demo paper: %d stories\n", res.Articles)
		}
	}
	email, password, created, err := auth.EnsureAdmin(ctx, n.st)
	if err != nil {
		return err
	}
	if created {
		// Printed once, on the terminal of whoever started the first run;
		// never logged.
		fmt.Fprintf(n.stdout, "newsroom: sign in at %s/newsroom/ as %s with password %s (change it under My account)\n",
			n.paper.BaseURL, email, password)
	}
	return nil
}

func (n *serveNode) startViews(context.Context) error {
	counter, err := views.New(views.Config{Store: n.st, Clock: n.clock, Logger: n.log, TrustedProxies: n.proxies,
		Paper: n.paper, FlushInterval: n.f.ViewsFlush})
	if err != nil {
		return err
	}
	n.counter = counter
	n.addJob("views", counter.Run)
	return nil
}

func (n *serveNode) startScheduler(context.Context) error {
	sched := workflow.NewScheduler(n.st, n.clock, n.log)
	n.addJob("scheduler", func(ctx context.Context) error { sched.Run(ctx); return nil })
	// Stories deleted more than news.TrashDays ago go for good, hourly.
	n.addJob("trash", func(ctx context.Context) error {
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			if k, err := newsroom.PurgeTrash(ctx, n.st, n.clock.Now()); err != nil {
				n.log.ErrorContext(ctx, "purge trash", "err", err)
			} else if k > 0 {
				n.log.InfoContext(ctx, "purged trash", "stories", k)
			}
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
		}
	})
	return nil
}

// changeListener is a store that pushes changes as they commit, from any
// node (PostgreSQL's LISTEN/NOTIFY).
type changeListener interface {
	Listen(ctx context.Context, onChange func()) error
}

// newPageCache makes the page cache as the flags say. Shared caches may
// keep a page as long as we do, or 5 minutes when the webhook purges them
// on every change; they may serve it stale a minute while refetching and a
// day while masthead is down. Pages name their purge keys in a header only
// for a CDN that is told what to purge (--purge-webhook): every header
// field costs every response (docs/performance.md), and the page cache
// purges by the keys it keeps itself.
func newPageCache(f serveFlags) (*pagecache.Cache, error) {
	cache := pagecache.New(f.CacheBytes, time.Minute)
	cache.SetShared(time.Minute, time.Minute, 24*time.Hour)
	if f.PurgeWebhook != "" {
		cache.SetShared(5*time.Minute, time.Minute, 24*time.Hour)
		if err := cache.SetKeyHeader(f.CDNKeyHeader); err != nil {
			return nil, fmt.Errorf("--cdn-key-header: %w", err)
		}
	}
	return cache, nil
}

// startCache makes the page cache and what keeps it true: the store's
// change log, tailed (polled, and woken by notifications where the store
// pushes them), purging by key; and, with --purge-webhook, the CDN sender
// (purge.go).
func (n *serveNode) startCache(ctx context.Context) error {
	cache, err := newPageCache(n.f)
	if err != nil {
		return err
	}
	n.cache = cache
	changes, err := newChangeFeed(ctx, n.st, cache, n.paper, n.log)
	if err != nil {
		return err
	}
	changes.reload = n.reloadPaper
	n.changes = changes
	n.addJob("change log", func(ctx context.Context) error { changes.Run(ctx); return nil })
	if n.f.PurgeWebhook != "" {
		hook, err := pagecache.NewWebhook(n.f.PurgeWebhook, n.log)
		if err != nil {
			return err
		}
		sender := newCDNSender(n.st, hook, n.paper, n.log)
		n.addJob("purge webhook", func(ctx context.Context) error { sender.Run(ctx, nil); return nil })
	}
	// Other nodes' changes are then read at once instead of at the next
	// poll; the poll stays as the safety net for a lost notification
	// connection.
	if l, ok := n.st.(changeListener); ok {
		n.addJob("change notifications", func(ctx context.Context) error {
			if err := l.Listen(ctx, changes.Wake); err != nil && ctx.Err() == nil {
				return fmt.Errorf("listen for changes: %w", err)
			}
			return nil
		})
	}
	return nil
}

// pooled is a store with database/sql pools worth watching: the SQLite
// store's writer and readers.
type pooled interface {
	Pools() (write, read *sql.DB)
}

// startMetrics serves /metrics on its own listener, when --metrics-addr
// names one. Metrics name routes, pool sizes and memory: for operators, so
// they are never on the public listener, where a reverse proxy on the same
// machine would pass anyone's request on from a loopback address.
func (n *serveNode) startMetrics(context.Context) error {
	if n.f.MetricsAddr == "" {
		return nil
	}
	n.met = metrics.New()
	n.met.WatchCache(n.cache)
	if p, ok := n.st.(pooled); ok {
		w, r := p.Pools()
		kind, _, _ := strings.Cut(dbKind(n.f.common), ":")
		n.met.WatchDB(kind+"_write", w)
		n.met.WatchDB(kind+"_read", r)
	}
	ln, err := net.Listen("tcp", n.f.MetricsAddr)
	if err != nil {
		return fmt.Errorf("--metrics-addr: listen on %s: %w", n.f.MetricsAddr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", n.met.Handler())
	n.addServer("metrics", ln, n.newServer(httpx.Wrap(mux, httpx.Options{Log: n.log}), nil))
	fmt.Fprintf(n.stdout, "metrics on http://%s/metrics\n", ln.Addr())
	return nil
}

// startPublic builds the reader site, APIs, newsroom and operator
// endpoints on the public listener.
func (n *serveNode) startPublic(ctx context.Context) error {
	// The reader site asks the store itself whether a story is in the
	// trash (410 Gone): the search cache in front does not pass that on.
	trash, _ := n.st.(news.Trash)
	// What every reader page reads whatever its address (the sections,
	// the footer, the bylines, the latest stories) is kept on the node
	// until the change feed reports the next change (nodecache).
	shared := nodecache.New(n.st, nodecache.Config{Clock: n.clock})
	n.changes.changed = shared.Changed
	reader := site.New(site.Config{Paper: n.paper, Store: searchcache.New(shared, searchcache.Config{}), Clock: n.clock, Top: n.counter, Logger: n.log,
		Trash: trash, TrustedProxies: n.proxies})
	smtpOverride, fromOverride := n.f.mailFlags.overrides()
	nr, err := newsroom.New(newsroom.Config{Paper: n.paper, Store: n.st, Clock: n.clock, Logger: n.log, Media: n.lib, MediaFiles: n.lib.StaffHandler(),
		MaxUploadBytes: n.lib.MaxBytes(), Secure: strings.HasPrefix(n.paper.BaseURL, "https://"), Views: n.counter,
		TrustedProxies: n.proxies, Preview: reader.Preview, Mail: n.newsroomMail(),
		SMTPOverride: smtpOverride, MailFromOverride: fromOverride})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /readyz", n.readyz)
	// The reader site's searches are cached (searchcache); everything else
	// it asks goes to the store as is.
	pages := reader
	pages.Register(mux)
	if err := n.startReaders(ctx, mux, pages); err != nil {
		return err
	}
	api.New(api.Config{Paper: n.paper, Store: shared, Clock: n.clock, Logger: n.log}).Register(mux)
	n.registerIntegrations(mux)
	feed.New(feed.Config{Paper: n.paper, Store: shared, Clock: n.clock, Logger: n.log}).Register(mux)
	// The sitemaps read through the node's copies too: the index's
	// months, news window and pages are kept until the next change.
	maps := sitemap.New(sitemap.Config{Paper: n.paper, Store: shared.ForSitemaps(), Clock: n.clock, Logger: n.log})
	maps.Register(mux)
	// Build the archive survey behind the sitemaps now, so the first
	// crawler after a start or deploy does not wait for it (seconds on a
	// large archive).
	n.addJob("sitemap survey", func(ctx context.Context) error {
		start := time.Now()
		if err := maps.Warm(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		n.log.Info("sitemap survey warmed", "duration", time.Since(start).Round(time.Millisecond))
		return nil
	})
	n.counter.Register(mux)
	n.lib.Register(mux)
	nr.Register(mux)

	var observe httpx.Observer
	if n.met != nil {
		observe = n.met.Observe
	}
	h := httpx.Wrap(limitBodies(route(httpx.Route(mux), n.cache, n.changes), n.f.MaxUpload),
		httpx.Options{Log: n.log, Access: n.access, Observe: observe})
	n.addServer("public", n.public, n.newServer(h, n.tlsCfg))
	fmt.Fprintf(n.stdout, "masthead %s: %s listening on %s://%s\n", version, n.paper.Current().Name, n.scheme(), n.public.Addr())
	n.log.Info("serving", "addr", n.public.Addr().String(), "base_url", n.paper.BaseURL, "db", dbKind(n.f.common))
	return nil
}

// readyz tells a load balancer whether to send this node requests: 503
// once shutdown begins, so it stops sending new ones while the last ones
// finish, and while the database does not answer.
func (n *serveNode) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if n.draining.Load() {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	if err := n.st.Ping(r.Context()); err != nil {
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	io.WriteString(w, "ready\n")
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
// static files are files already, beacons must not be cached. A request
// that may have written (a newsroom or API POST) reads the change log
// before its response leaves: whatever it committed is purged by key, so
// the editor who just published never sees the old page, and a request
// that committed nothing (an anonymous POST refused with 403 or 404)
// purges nothing.
func route(mux http.Handler, cache *pagecache.Cache, changes *changeFeed) http.Handler {
	cached := cache.Middleware(mux)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case strings.HasPrefix(p, "/newsroom/") || p == "/newsroom" ||
			(strings.HasPrefix(p, "/api/") && p != "/api/v1/views"):
			mux.ServeHTTP(w, r)
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				if err := changes.CatchUp(context.WithoutCancel(r.Context())); err != nil {
					// The poll catches up within a second.
					slog.Default().Warn("read the change log after a write", "path", p, "err", err)
				}
			}
		case strings.HasPrefix(p, "/media/"), strings.HasPrefix(p, "/static/"), strings.HasPrefix(p, "/api/"),
			p == "/healthz", p == "/readyz", p == "/metrics",
			// Reader accounts, newsletters and comments: per reader, or
			// cached by internal/comments itself.
			p == "/account" || strings.HasPrefix(p, "/account/"), strings.HasPrefix(p, "/newsletters/"), strings.HasPrefix(p, "/comments/"),
			// The contact form's token and answers are per reader.
			p == "/contact-form" || strings.HasPrefix(p, "/contact-form/"),
			// Every Content API request must meet its key check, rate
			// limit and count, so none is answered from the page cache.
			strings.HasPrefix(p, "/ghost/"):
			mux.ServeHTTP(w, r)
		default:
			cached.ServeHTTP(w, r)
		}
	})
}

// newsroomMail is what the newsroom sends resets and invitations with; nil
// (no sender) turns both off.
func (n *serveNode) newsroomMail() newsroom.Mailer {
	if n.mailer == nil {
		return nil
	}
	return newsroomMail{n.mailer}
}
