package httpx

import (
	"context"
	"log/slog"
)

// NewLogHandler wraps h so that every record logged with a request's
// context carries the request's id and, once the router has matched it,
// its route pattern: log.InfoContext(r.Context(), ...) in any package is
// enough, and a request's lines can be found from the X-Request-Id its
// response carries. A record that names its request_id or route itself
// keeps its own. Records logged without a request's context (jobs, start
// and stop) pass through as they are.
//
// The access log does not need it: Wrap writes the id on each line.
func NewLogHandler(h slog.Handler) slog.Handler { return ctxHandler{h} }

type ctxHandler struct{ next slog.Handler }

func (h ctxHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h ctxHandler) Handle(ctx context.Context, r slog.Record) error {
	st, ok := ctx.Value(stateKey).(*reqState)
	if !ok {
		return h.next.Handle(ctx, r)
	}
	hasID, hasRoute := false, false
	r.Attrs(func(a slog.Attr) bool {
		hasID = hasID || a.Key == "request_id"
		hasRoute = hasRoute || a.Key == "route"
		return !(hasID && hasRoute)
	})
	if !hasID {
		r.AddAttrs(slog.String("request_id", st.id))
	}
	if route := st.currentRoute(); route != "" && !hasRoute {
		r.AddAttrs(slog.String("route", route))
	}
	return h.next.Handle(ctx, r)
}

func (h ctxHandler) WithAttrs(as []slog.Attr) slog.Handler { return ctxHandler{h.next.WithAttrs(as)} }

func (h ctxHandler) WithGroup(name string) slog.Handler { return ctxHandler{h.next.WithGroup(name)} }

// currentRoute is the pattern the mux matched, or "" before it has (and
// for page-cache hits, which no mux sees).
func (st *reqState) currentRoute() string {
	if st.req != nil {
		return st.req.Pattern
	}
	return ""
}
