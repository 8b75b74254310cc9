// Package httpx holds the HTTP plumbing every masthead server shares: request
// ids, access logs, panic recovery and security headers. It knows nothing of
// pages; adapters (site, newsroom, api) set their own stricter headers.
package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"
)

type ctxKey int

const stateKey ctxKey = 0

// reqState is what the middleware learns about one request while it runs.
// One value in the context carries both, so a request is copied once.
type reqState struct {
	id    string
	route string // the ServeMux pattern that matched, set by Route
	// req is the request Route hands the mux, which sets its Pattern
	// before the handler runs: log lines written meanwhile read the route
	// there (route itself is written only after the handler returns).
	req *http.Request
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
	Access  *slog.Logger // one line per request; nil writes none
	Observe Observer     // e.g. metrics; nil for none
}

// DefaultCSP is the policy for responses whose handler set none: nothing may
// load from elsewhere, nothing inline may run, and nobody may frame us.
const DefaultCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// Middleware wraps h with a request id, an access log line, recovery from
// panics (logged with the stack, answered with a plain 500) and security
// headers on every response.
func Middleware(h http.Handler, log *slog.Logger) http.Handler {
	return Wrap(h, Options{Log: log, Access: log})
}

// Wrap is Middleware with the access log and an observer chosen apart. A
// log line per request is a formatted write per request: on a page served
// from memory it is a measurable share of the cost (docs/performance.md).
// The observer gets the status and duration measured here, so metrics need
// no wrapper of their own on the hot path.
func Wrap(h http.Handler, o Options) http.Handler {
	log, access, observe := o.Log, o.Access, o.Observe
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			id = newID()
		}
		st := &reqState{id: id}
		ctx := context.WithValue(r.Context(), stateKey, st)
		r = r.WithContext(ctx)
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		hdr := w.Header()
		hdr.Set("X-Request-Id", id)
		hdr.Set("X-Content-Type-Options", "nosniff")
		hdr.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		hdr.Set("X-Frame-Options", "DENY")
		hdr.Set("Permissions-Policy", "interest-cohort=(), camera=(), microphone=(), geolocation=()")
		if r.TLS != nil {
			hdr.Set("Strict-Transport-Security", "max-age=31536000")
		}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(ctx, "panic", "request_id", id, "method", r.Method, "path", r.URL.Path,
					"panic", v, "stack", string(debug.Stack()))
				if !sw.wrote {
					http.Error(sw, "Internal error.", http.StatusInternalServerError)
				}
			}
			d := time.Since(start)
			if observe != nil {
				observe(r, st.route, sw.status, d)
			}
			if access == nil {
				return
			}
			// Query strings stay out of the log: search terms are the
			// readers' business and tokens may travel in them.
			access.LogAttrs(ctx, slog.LevelInfo, "request",
				slog.String("request_id", id),
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", sw.status),
				slog.Int64("bytes", sw.bytes),
				slog.Duration("duration", d))
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
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		w.status = code
		if w.Header().Get("Content-Security-Policy") == "" {
			w.Header().Set("Content-Security-Policy", DefaultCSP)
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer (flush, deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
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
