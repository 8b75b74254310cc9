// Package adminapi is the Admin API v1 under /api/admin/v1/: JSON for wire
// desks, apps and automations, opened by an integration's admin key
// (Authorization: Bearer ...) within its scopes. Every call is audited under
// the integration's name; every POST may carry an Idempotency-Key, so a
// retry gets the first answer instead of doing the work twice; every error
// is {"error": {"code", "message", "field"}}. The OpenAPI 3.1 document at
// /api/admin/v1/openapi.json describes it (openapi.go).
package adminapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"masthead/internal/httpx"
	"masthead/internal/integrations"
	"masthead/internal/news"
	"masthead/internal/wire"
	"masthead/internal/workflow"
)

// Prefix is where the API lives.
const Prefix = "/api/admin/v1"

// maxBody bounds a JSON body (a story's body is at most 1 MiB of Markdown).
const maxBody = 4 << 20

// idemStale is how long a reserved Idempotency-Key waits for its first
// request before another may take it over (its node died mid-request).
const idemStale = 5 * time.Minute

// Config is what the API needs.
type Config struct {
	Paper  *news.Paper
	Store  news.Store
	Clock  news.Clock
	Gate   *integrations.Gate
	Logger *slog.Logger
	// Media stores uploaded photos (internal/media.Library); nil answers
	// photo uploads 503.
	Media PhotoSaver
	// MaxUploadBytes bounds a photo upload (default 20 MiB).
	MaxUploadBytes int64
	// WireFetch reads wire pictures (wire.HTTPFetch over a client that
	// refuses private addresses); nil leaves pictures out.
	WireFetch func(ctx context.Context, href string) ([]byte, error)
}

// PhotoSaver stores an uploaded image: it checks and strips the file,
// makes the renditions, and creates (p.ID == 0) or updates the Photo row;
// PreparePhoto does all but the row, which the caller writes in its own
// transaction (undo removes the files when that fails).
type PhotoSaver interface {
	SavePhoto(ctx context.Context, p *news.Photo, data []byte) error
	PreparePhoto(ctx context.Context, p *news.Photo, data []byte) (undo func(), err error)
}

// API serves /api/admin/v1/.
type API struct {
	cfg   Config
	store news.Store
	clock news.Clock
	log   *slog.Logger
	doc   doc
	flow  *workflow.Service
	wire  *wire.Ingester
}

// New builds the API.
func New(cfg Config) *API {
	if cfg.Clock == nil {
		cfg.Clock = news.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = 20 << 20
	}
	flow := workflow.New(cfg.Store, cfg.Clock)
	flow.Paper = cfg.Paper
	api := &API{cfg: cfg, store: cfg.Store, clock: cfg.Clock, log: cfg.Logger, flow: flow}
	api.wire = &wire.Ingester{Store: cfg.Store, Flow: flow, Clock: cfg.Clock, Logger: cfg.Logger, Fetch: cfg.WireFetch}
	if cfg.Media != nil {
		api.wire.Photos = cfg.Media
	}
	return api
}

// route is one endpoint: the scopes that open it (any one) and its
// handler.
type route struct {
	pattern string
	scopes  []news.Scope
	h       handler
}

// Scope sets.
var (
	hooksScope   = []news.Scope{news.ScopeWebhooksManage}
	writeScope   = []news.Scope{news.ScopeStoriesWrite}
	publishScope = []news.Scope{news.ScopeStoriesPublish}
	storyScope   = []news.Scope{news.ScopeStoriesWrite, news.ScopeStoriesPublish}
	photoScope   = []news.Scope{news.ScopePhotosWrite}
	readScope    = []news.Scope{news.ScopeStoriesWrite, news.ScopeStoriesPublish, news.ScopePhotosWrite}
)

// handler answers one call. It returns the status and value to send, or an
// error; the article ID (if any) goes into the audit.
type handler func(r *http.Request, c *call) (int, any, error)

// call is what the wrapper learned about a request.
type call struct {
	caller    *integrations.Caller
	body      []byte
	articleID int64
	// idemKey is the request's Idempotency-Key once reserved: a command
	// stores its answer in its own transaction (see within, answerIn).
	idemKey string
	// answered: the answer is stored already, in the change's transaction.
	answered bool
}

// routes is the table of contents of the API. Every route is also in the
// OpenAPI document (a test holds them together).
func (a *API) routes() []route {
	return []route{
		{"POST " + Prefix + "/stories", writeScope, a.createStory},
		{"GET " + Prefix + "/stories/{id}", storyScope, a.getStory},
		{"PATCH " + Prefix + "/stories/{id}", writeScope, a.patchStory},
		{"POST " + Prefix + "/stories/{id}/submit", writeScope, a.move("submit")},
		{"POST " + Prefix + "/stories/{id}/withdraw", writeScope, a.move("withdraw")},
		{"POST " + Prefix + "/stories/{id}/publish", publishScope, a.move("publish")},
		{"POST " + Prefix + "/stories/{id}/schedule", publishScope, a.move("schedule")},
		{"POST " + Prefix + "/stories/{id}/unpublish", publishScope, a.move("unpublish")},
		{"POST " + Prefix + "/stories/{id}/embargo", publishScope, a.embargo},
		{"POST " + Prefix + "/stories/{id}/corrections", publishScope, a.correct},
		{"POST " + Prefix + "/wire", writeScope, a.ingestWire},
		{"POST " + Prefix + "/photos", photoScope, a.uploadPhoto},
		{"GET " + Prefix + "/photos/{id}", readScope, a.getPhoto},
		{"PATCH " + Prefix + "/photos/{id}", photoScope, a.patchPhoto},
		{"GET " + Prefix + "/sections", readScope, a.listSections},
		{"GET " + Prefix + "/authors", readScope, a.listAuthors},
		{"POST " + Prefix + "/authors", writeScope, a.createAuthor},
		{"GET " + Prefix + "/tags", readScope, a.listTags},
		{"GET " + Prefix + "/webhooks", hooksScope, a.listWebhooks},
		{"POST " + Prefix + "/webhooks", hooksScope, a.createWebhook},
		{"DELETE " + Prefix + "/webhooks/{id}", hooksScope, a.deleteWebhook},
		{"GET " + Prefix + "/webhooks/{id}/deliveries", hooksScope, a.listDeliveries},
		{"POST " + Prefix + "/webhooks/{id}/deliveries/{delivery}/redeliver", hooksScope, a.redeliver},
	}
}

// Routes lists the API's routes as "METHOD /path", as the OpenAPI
// document names them (its test holds the two together).
func Routes() []string {
	var out []string
	for _, rt := range (&API{}).routes() {
		out = append(out, rt.pattern)
	}
	return out
}

// Register adds the routes.
func (a *API) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET "+Prefix+"/openapi.json", a.openapi)
	for _, rt := range a.routes() {
		mux.Handle(rt.pattern, a.wrap(rt.scopes, rt.h))
	}
	mux.Handle(Prefix+"/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.fail(w, r, news.Errorf(news.ENOTFOUND, "There is no such endpoint: see %s/openapi.json.", Prefix))
	}))
}

// wrap authenticates, limits, reads the body, honours Idempotency-Key,
// runs h, answers, and audits the call.
func (a *API) wrap(scopes []news.Scope, h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || key == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="masthead admin api"`)
			a.fail(w, r, news.Errorf(news.EUNAUTHORIZED, "An admin key is required: Authorization: Bearer KEY."))
			return
		}
		if a.cfg.Gate == nil {
			a.fail(w, r, integrations.ErrUnknownKey)
			return
		}
		caller, err := a.cfg.Gate.Check(r.Context(), strings.TrimSpace(key), news.KeyAdmin, scopes...)
		if err != nil {
			integrations.SetRetryAfter(w, err)
			a.fail(w, r, err)
			if caller != nil {
				// A known key refused (scope, rate): audited, for whoever
				// reviews what an integration tried.
				a.cfg.Gate.Audit(r.Context(), caller, r, httpx.StatusOf(err), 0, news.ErrorMessage(err))
			}
			return
		}
		c := &call{caller: caller}
		rec := &recorder{ResponseWriter: w}
		defer func() { a.cfg.Gate.Audit(r.Context(), caller, r, rec.status, c.articleID, "") }()
		if r.Method == http.MethodPost || r.Method == http.MethodPatch {
			limit := int64(maxBody)
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
				limit = a.cfg.MaxUploadBytes + 1<<20
			}
			c.body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
			if err != nil {
				a.fail(rec, r, err)
				return
			}
		}
		if r.Method == http.MethodPost {
			if idem := r.Header.Get("Idempotency-Key"); idem != "" {
				a.idempotent(rec, r, c, idem, h)
				return
			}
		}
		status, v, err := h(r, c)
		if err != nil {
			a.fail(rec, r, err)
			return
		}
		a.reply(rec, status, v)
	})
}

// idempotent runs h once per (integration, key): the first request does the
// work and its answer is stored; a retry with the same request gets that
// answer (Idempotent-Replayed: true); one sent while the first still runs
// is told to retry (409, Retry-After); the same key on a different request
// is refused.
func (a *API) idempotent(w http.ResponseWriter, r *http.Request, c *call, key string, h handler) {
	ctx := r.Context()
	sum := sha256.New()
	io.WriteString(sum, r.Method+" "+r.URL.Path+"\n")
	sum.Write(c.body)
	fp := hex.EncodeToString(sum.Sum(nil))
	in := c.caller.Integration
	prev, err := a.store.BeginIdempotent(ctx, &news.IdempotencyRecord{IntegrationID: in.ID, Key: key, Fingerprint: fp, CreatedAt: a.clock.Now()}, idemStale)
	if err != nil {
		a.fail(w, r, fieldErr(err, "Idempotency-Key"))
		return
	}
	c.idemKey = key
	if prev != nil {
		switch {
		case prev.Fingerprint != fp:
			a.fail(w, r, fieldErr(news.Errorf(news.EINVALID, "This Idempotency-Key was used for a different request."), "Idempotency-Key"))
		case prev.Status == 0:
			w.Header().Set("Retry-After", "1")
			a.fail(w, r, fieldErr(news.Errorf(news.ECONFLICT, "A request with this Idempotency-Key is still being answered; retry in a moment."), "Idempotency-Key"))
		default:
			w.Header().Set("Idempotent-Replayed", "true")
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(prev.Status)
			w.Write(prev.Body)
		}
		return
	}
	status, v, err := h(r, c)
	bg := context.WithoutCancel(ctx)
	if err != nil {
		p := httpx.ProblemOf(err)
		if p.Status >= 500 {
			// Ours, and maybe nothing was done: let a retry run again.
			if aerr := a.store.AbandonIdempotent(bg, in.ID, key); aerr != nil {
				a.log.ErrorContext(ctx, "abandon idempotency key", "err", aerr)
			}
			a.fail(w, r, err)
			return
		}
		// A refusal is an answer: the same request is refused the same way.
		var buf bytes.Buffer
		fw := &bufWriter{header: http.Header{}, buf: &buf}
		a.fail(fw, r, err)
		a.finishIdem(ctx, in.ID, key, fw.status, buf.Bytes())
		copyHeader(w.Header(), fw.header)
		w.WriteHeader(fw.status)
		w.Write(buf.Bytes())
		return
	}
	b, err := marshal(v)
	if err != nil {
		a.store.AbandonIdempotent(bg, in.ID, key)
		a.fail(w, r, err)
		return
	}
	if !c.answered {
		a.finishIdem(ctx, in.ID, key, status, b)
	}
	writeRaw(w, status, b)
}

// answerIn stores the answer v of a request with an Idempotency-Key in
// tx, the transaction of the change it answers: a crash after the commit
// then cannot leave the change made and the key open, for a retry (after
// idemStale) to make the change a second time. Without a key it does
// nothing.
func (a *API) answerIn(ctx context.Context, tx news.Tx, c *call, status int, v any) error {
	if c.idemKey == "" {
		return nil
	}
	b, err := marshal(v)
	if err != nil {
		return err
	}
	if err := tx.FinishIdempotent(ctx, c.caller.Integration.ID, c.idemKey, status, b); err != nil {
		return err
	}
	c.answered = true
	return nil
}

func (a *API) finishIdem(ctx context.Context, integrationID int64, key string, status int, body []byte) {
	if err := a.store.FinishIdempotent(context.WithoutCancel(ctx), integrationID, key, status, body); err != nil {
		a.log.ErrorContext(ctx, "store idempotent answer", "err", err)
	}
}

func copyHeader(dst, src http.Header) {
	for k, v := range src {
		dst[k] = v
	}
}

// bufWriter captures an error answer for the idempotency record.
type bufWriter struct {
	header http.Header
	buf    *bytes.Buffer
	status int
}

func (b *bufWriter) Header() http.Header         { return b.header }
func (b *bufWriter) Write(p []byte) (int, error) { return b.buf.Write(p) }
func (b *bufWriter) WriteHeader(s int)           { b.status = s }

// recorder remembers the status for the audit.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(s int) {
	if r.status == 0 {
		r.status = s
	}
	r.ResponseWriter.WriteHeader(s)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func marshal(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func (a *API) reply(w http.ResponseWriter, status int, v any) {
	b, err := marshal(v)
	if err != nil {
		http.Error(w, `{"error":{"code":"internal","message":"internal error"}}`, http.StatusInternalServerError)
		return
	}
	writeRaw(w, status, b)
}

func writeRaw(w http.ResponseWriter, status int, b []byte) {
	if b != nil {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(status)
	w.Write(b)
}

// FieldError is an error about one field of the request.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

func fieldErr(err error, field string) error {
	if err == nil {
		return nil
	}
	return &FieldError{Field: field, Err: err}
}

// errorBody is the one error shape of the API.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Field is the request field at fault ("" when none).
	Field string `json:"field,omitempty"`
	// Fields are the fields changed since the version a stale write
	// started from (409 conflict).
	Fields *[]string `json:"fields,omitempty"`
}

// fail answers err in the API's shape: status, code and message are
// httpx's, which also logs what is our fault.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	p := httpx.Fail(a.log, r, err)
	d := errorDetail{Code: p.Code, Message: p.Message}
	if p.Status == http.StatusTooManyRequests {
		d.Code = "rate_limited"
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		d.Field = fe.Field
	}
	if f, ok := conflictFields(err); ok {
		d.Fields = &f
	}
	if p.Status >= 500 {
		w.Header().Set("Cache-Control", "no-store")
	}
	httpx.WriteJSON(w, p.Status, errorBody{Error: d})
}

// conflictFields are the fields a stale write names.
func conflictFields(err error) ([]string, bool) {
	var ce *news.ConflictError
	if errors.As(err, &ce) {
		if ce.Fields == nil {
			return []string{}, true
		}
		return ce.Fields, true
	}
	return nil, false
}

// pathID reads a positive integer path value.
func pathID(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, news.Errorf(news.ENOTFOUND, "No such %s.", name)
	}
	return n, nil
}

// decode reads a JSON body strictly: unknown fields are an error naming
// them, so a typo is not silently ignored.
func decode(c *call, v any) error {
	if len(bytes.TrimSpace(c.body)) == 0 {
		return news.Errorf(news.EINVALID, "The request needs a JSON body.")
	}
	dec := json.NewDecoder(bytes.NewReader(c.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			return fieldErr(news.Errorf(news.EINVALID, "%s has the wrong type (want %s).", ute.Field, ute.Type), ute.Field)
		}
		if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			f = strings.Trim(f, `"`)
			return fieldErr(news.Errorf(news.EINVALID, "Unknown field %q.", f), f)
		}
		return news.Errorf(news.EINVALID, "The body is not valid JSON: %v.", err)
	}
	if dec.More() {
		return news.Errorf(news.EINVALID, "The body holds more than one JSON value.")
	}
	return nil
}

// apiTime writes times as RFC 3339 in UTC (null when unset).
func apiTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}
