package httpx

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"masthead/internal/news"
)

// Errors become HTTP answers here, once, for every package. A handler
// returns (or passes here) the error it got, wrapped with what it was doing;
// ProblemOf decides the status and what the user may read, and Fail logs
// what is the server's fault. Packages with their own error pages (the
// reader site, the newsroom) render the Problem themselves; everything else
// answers with WriteJSONError (APIs, beacons) or WriteTextError (feeds,
// sitemaps, media files).

// InternalMessage is all a user is told about a failure that is ours: the
// details are in the log, under the request id the response carries.
const InternalMessage = "Something went wrong on our side. Please try again in a moment."

// Problem is how a failed request is answered.
type Problem struct {
	Status  int    // HTTP status
	Code    string // the domain code (news.ENOTFOUND, ...); news.EINTERNAL for ours
	Message string // safe to show to whoever sent the request
}

// StatusError is a failure that is an HTTP condition rather than a domain
// one: 405 for a method a route does not answer, 415 for a body type.
type StatusError struct {
	Status  int
	Message string
}

func (e *StatusError) Error() string { return fmt.Sprintf("%d: %s", e.Status, e.Message) }

// Status returns a *StatusError.
func Status(status int, message string) error {
	return &StatusError{Status: status, Message: message}
}

// ProblemOf maps err to its answer. Domain codes map to their statuses;
// an HTTP condition keeps its own; a body over its limit is 413; a request
// that ran out of time (a database statement timeout, a deadline) is 503,
// which clients and load balancers may retry; anything else is a 500 whose
// details stay in the log.
func ProblemOf(err error) Problem {
	if err == nil {
		return Problem{Status: http.StatusOK}
	}
	var se *StatusError
	if errors.As(err, &se) {
		code := news.EINVALID
		if se.Status >= 500 {
			code = news.EINTERNAL
		}
		return Problem{Status: se.Status, Code: code, Message: se.Message}
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return Problem{Status: http.StatusRequestEntityTooLarge, Code: news.EINVALID,
			Message: fmt.Sprintf("The request is larger than the %s allowed.", humanBytes(mbe.Limit))}
	}
	code := news.ErrorCode(err)
	p := Problem{Code: code, Message: news.ErrorMessage(err)}
	switch code {
	case news.ENOTFOUND:
		p.Status = http.StatusNotFound
	case news.EINVALID:
		p.Status = http.StatusBadRequest
	case news.ECONFLICT:
		p.Status = http.StatusConflict
	case news.EUNAUTHORIZED:
		p.Status = http.StatusUnauthorized
	case news.EFORBIDDEN:
		p.Status = http.StatusForbidden
	default:
		p.Status, p.Code, p.Message = http.StatusInternalServerError, news.EINTERNAL, InternalMessage
		if errors.Is(err, context.DeadlineExceeded) {
			p.Status = http.StatusServiceUnavailable
			p.Message = "The server is busy and could not answer in time. Please try again in a moment."
		}
	}
	return p
}

// StatusOf is ProblemOf(err).Status.
func StatusOf(err error) int { return ProblemOf(err).Status }

// Fail returns the answer to err and logs err in full when it is the
// server's fault (5xx), with the request's context, so the line carries the
// request id (see NewLogHandler). A request its client abandoned is noted,
// not logged as an error: nobody is waiting for the answer.
func Fail(log *slog.Logger, r *http.Request, err error) Problem {
	p := ProblemOf(err)
	if p.Status < 500 || log == nil {
		return p
	}
	ctx := r.Context()
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		log.InfoContext(ctx, "request abandoned by the client", "method", r.Method, "path", r.URL.Path, "err", err)
		return p
	}
	log.ErrorContext(ctx, "request failed", "method", r.Method, "path", r.URL.Path, "status", p.Status, "err", err)
	return p
}

// WriteJSONError answers err as {"error": message, "code": code}, logging
// it first when it is ours.
func WriteJSONError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	WriteProblemJSON(w, Fail(log, r, err))
}

// WriteProblemJSON answers p as {"error": message, "code": code}.
func WriteProblemJSON(w http.ResponseWriter, p Problem) {
	noStoreFailures(w, p)
	WriteJSON(w, p.Status, map[string]string{"error": p.Message, "code": p.Code})
}

// WriteTextError answers err as a line of plain text, logging it first
// when it is ours: for responses that are files (feeds, sitemaps, photos),
// where an HTML page would be read by no one.
func WriteTextError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	p := Fail(log, r, err)
	noStoreFailures(w, p)
	http.Error(w, p.Message, p.Status)
}

// noStoreFailures keeps caches from holding on to our failures: an outage
// must end for readers when it ends for us.
func noStoreFailures(w http.ResponseWriter, p Problem) {
	if p.Status >= 500 {
		w.Header().Set("Cache-Control", "no-store")
	}
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
