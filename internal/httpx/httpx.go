// Package httpx holds the HTTP plumbing every masthead server shares: request
// ids, access logs, panic recovery and security headers. It knows nothing of
// pages; adapters (site, newsroom, api) set their own stricter headers.
package httpx

import (
	"context"
	"encoding/json"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"runtime/debug"
	"time"
)

type ctxKey int

const stateKey ctxKey = 0

// reqState is what the middleware learns about one request while it runs,
// and the response writer that learns it: one allocation per request, and
// one value in the context, so a request is copied once.
type reqState struct {
	id    string
	route string // the ServeMux pattern that matched, set by Route
	// req is the request Route hands the mux, which sets its Pattern
	// before the handler runs: log lines written meanwhile read the route
	// there (route itself is written only after the handler returns).
	req   *http.Request
	idHdr [1]string // the X-Request-Id header value, without a slice of its own
	sw    statusWriter
}

// RequestID returns the id Middleware gave the request, or "".
func RequestID(ctx context.Context) string {
	if st, ok := ctx.Value(stateKey).(*reqState); ok {
		return st.id
	}
	return ""
}

// Route wraps the ServeMux so the middleware learns which pattern matched.
// Handlers in between (the page cache) may give the mux a copy of the
// request, so r.Pattern does not travel back out by itself.
func Route(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st, _ := r.Context().Value(stateKey).(*reqState)
		if st != nil {
			st.req = r
		}
		mux.ServeHTTP(w, r)
		if st != nil {
			st.route = r.Pattern // set by the mux on the request it was given
		}
	})
}

// Observer is told how every request went: route is the matched pattern,
// or "" when no mux saw the request (a page-cache hit).
type Observer func(r *http.Request, route string, status int, d time.Duration)

// Options says where Wrap reports.
type Options struct {
	Log     *slog.Logger // panics and errors
	Access  *AccessLog   // one line per request; nil writes none
	Observe Observer     // e.g. metrics; nil for none
}

// DefaultCSP is the policy for responses whose handler set none: nothing may
// load from elsewhere, nothing inline may run, and nobody may frame us.
// frame-ancestors 'none' is the whole of the framing defence: every
// browser masthead supports has honoured it for years (Chrome 40, Firefox
// 33, Safari 10, Edge 15), so the older X-Frame-Options: DENY, which said
// the same, is no longer sent on every response (docs/performance.md).
const DefaultCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// Header values every response carries. The header map of a response
// shares them rather than allocating a slice per header per request:
// net/http only reads them, and Set, Add and Del replace a slice, never
// write into it.
//
// Each header field costs net/http about half a microsecond per response
// (docs/performance.md), so only what a header alone can do is here.
// Referrer-Policy is not: the reader pages carry the same policy
// (strict-origin-when-cross-origin, also every current browser's default)
// in <meta name="referrer">, and pages that need another (the newsroom,
// token links) set theirs.
var (
	nosniffHdr     = []string{"nosniff"}
	permissionsHdr = []string{"interest-cohort=(), camera=(), microphone=(), geolocation=()"}
	hstsHdr        = []string{"max-age=31536000"}
	defaultCSPHdr  = []string{DefaultCSP}
)

// Middleware wraps h with a request id, recovery from panics (logged with
// the stack, answered with a plain 500) and security headers on every
// response; Wrap adds an access log and an observer.
func Middleware(h http.Handler, log *slog.Logger) http.Handler {
	return Wrap(h, Options{Log: log})
}

// Wrap is Middleware with an access log and an observer. It is on the path
// of every request, a page-cache hit included, so it allocates one state
// per request and formats the access log line without allocating
// (docs/performance.md). The observer gets the status and duration
// measured here, so metrics need no wrapper of their own.
func Wrap(h http.Handler, o Options) http.Handler {
	log, access, observe := o.Log, o.Access, o.Observe
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		st := &reqState{}
		st.id = clientID(r.Header["X-Request-Id"])
		if st.id == "" {
			st.id = newID()
		}
		st.idHdr[0] = st.id
		ctx := context.WithValue(r.Context(), stateKey, st)
		r = r.WithContext(ctx)
		sw := &st.sw
		sw.ResponseWriter, sw.status = w, http.StatusOK
		sw.conn, _ = ctx.Value(connKey{}).(*conn)
		hdr := w.Header()
		hdr["X-Request-Id"] = st.idHdr[:]
		hdr["X-Content-Type-Options"] = nosniffHdr
		hdr["Permissions-Policy"] = permissionsHdr
		if r.TLS != nil {
			hdr["Strict-Transport-Security"] = hstsHdr
		}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(ctx, "panic", "request_id", st.id, "method", r.Method, "path", r.URL.Path,
					"panic", v, "stack", string(debug.Stack()))
				if !sw.wrote {
					http.Error(sw, "Internal error.", http.StatusInternalServerError)
				}
			}
			d := time.Since(start)
			if observe != nil {
				observe(r, st.route, sw.status, d)
			}
			// Query strings stay out of the log: search terms are the
			// readers' business and tokens may travel in them.
			if access != nil {
				access.Log(start.Add(d), st.id, r.Method, r.URL.Path, sw.status, sw.bytes, d)
			}
		}()
		h.ServeHTTP(sw, r)
	})
}

// statusWriter remembers the status and size for the access log and sets the
// default CSP just before the header goes out, so a handler's own policy wins.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
	conn   *conn // the connection, when SecureErrors accepted it and ConnContext passed it on
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		w.status = code
		if h := w.Header(); len(h["Content-Security-Policy"]) == 0 {
			h["Content-Security-Policy"] = defaultCSPHdr
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	// Writes smaller than net/http's 2 KB response buffer only fill it;
	// a larger one makes net/http write to the connection, which then
	// sends the response in one system call (conn).
	c := w.conn
	if c == nil || len(b) < 2<<10 {
		n, err := w.ResponseWriter.Write(b)
		w.bytes += int64(n)
		return n, err
	}
	c.hold = true
	n, err := w.ResponseWriter.Write(b)
	if rerr := c.release(); err == nil && rerr != nil {
		n, err = 0, rerr // the start of the response was not sent after all
	}
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer (flush, deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// clientID is the request id a proxy in front sent (X-Request-Id), so one
// id follows the request through both logs, or "" when there is none or
// it is not a short run of visible ASCII.
func clientID(v []string) string {
	if len(v) != 1 || len(v[0]) == 0 || len(v[0]) > 64 {
		return ""
	}
	for i := 0; i < len(v[0]); i++ {
		if c := v[0][i]; c <= ' ' || c > '~' || c == '"' || c == '\\' {
			return ""
		}
	}
	return v[0]
}

// newID is 64 random bits in hex. The runtime's generator (ChaCha8, seeded
// by the kernel, one state per thread) needs no system call or lock per
// request; the id names a request in the logs and guards nothing.
func newID() string {
	const digits = "0123456789abcdef"
	var b [16]byte
	u := rand.Uint64()
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = digits[u&0xf]
		u >>= 4
	}
	return string(b[:])
}

// WriteJSON writes v as JSON with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"error":"internal error"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// Detach returns a context for work that outlives the request of ctx (the
// page cache's background refresh): the same request id, so its log lines
// still name the request that caused it, but state of its own, so Route
// writing the route it matches cannot race with the request's own end.
func Detach(ctx context.Context) context.Context {
	ctx = context.WithoutCancel(ctx)
	st, ok := ctx.Value(stateKey).(*reqState)
	if !ok {
		return ctx
	}
	return context.WithValue(ctx, stateKey, &reqState{id: st.id})
}
