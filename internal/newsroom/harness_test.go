package newsroom

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/internal/auth"
	"masthead/internal/media"
	"masthead/internal/news"
	"masthead/internal/site"
	"masthead/internal/store/sqlite"
	"masthead/internal/workflow"
)

// t0 is 09:00 in Seoul.
var t0 = time.Date(2026, 3, 22, 0, 0, 0, 0, time.UTC)

var roles = []news.Role{news.RoleContributor, news.RoleReporter, news.RoleEditor, news.RoleAdmin}

// harness is a newsroom over a real SQLite file, with one signed-in user
// per role (real sessions in the store) and a fixed clock.
type harness struct {
	t     testing.TB
	ctx   context.Context
	st    news.Store
	clock *news.FixedClock
	nr    *Newsroom
	mux   *http.ServeMux
	flow  *workflow.Service
	users map[news.Role]*news.User
	token map[news.Role]string
	csrf  map[news.Role]string
	// other is a reporter whose stories belong to nobody above.
	other *news.User
	// mail keeps what the newsroom sent (resets, invitations).
	mail *testMail
	// dbPath is the SQLite file under st (for a test that changes its
	// schema, as TestChangesCommitWithTheirAudit does).
	dbPath string
}

// testMail stands in for the SMTP sender (internal/mail, issue 16, not yet
// in this tree): it keeps each message for the test to read.
type testMail struct {
	mu   sync.Mutex
	sent []sentMail
}

type sentMail struct{ To, Subject, Body string }

func (m *testMail) Send(_ context.Context, to, subject, body string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, sentMail{to, subject, body})
	return nil
}

func (m *testMail) all() []sentMail {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]sentMail(nil), m.sent...)
}

// newHarness builds the harness; opts may change the newsroom's Config
// (a real mail sender, overrides) before it is made.
func newHarness(t testing.TB, opts ...func(*Config)) *harness {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "newsroom.db")
	st, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	paper := &news.Paper{Name: "The Test Times", BaseURL: "http://news.test", Language: "en", Location: seoul}
	clock := news.NewFixedClock(t0)
	blobs, err := media.NewDirBlobs(filepath.Join(dir, "media"))
	if err != nil {
		t.Fatal(err)
	}
	lib := media.New(media.Config{Store: st, Blobs: blobs, Paper: paper, Logger: slog.New(slog.DiscardHandler)})
	reader := site.New(site.Config{Paper: paper, Store: st, Clock: clock, Logger: slog.New(slog.DiscardHandler)})
	mail := &testMail{}
	cfg := Config{Paper: paper, Store: st, Clock: clock, Media: lib, MediaFiles: lib.StaffHandler(), MaxUploadBytes: 2 << 20, Preview: reader.Preview, Mail: mail}
	for _, o := range opts {
		o(&cfg)
	}
	nr, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	nr.Register(mux)
	lib.Register(mux)    // photos, for the pages a browser test shows
	reader.Register(mux) // the reader site, for previews and their assets
	h := &harness{t: t, ctx: ctx, st: st, clock: clock, nr: nr, mux: mux, flow: nr.flow, mail: mail, dbPath: dbPath,
		users: map[news.Role]*news.User{}, token: map[news.Role]string{}, csrf: map[news.Role]string{}}
	sessions := auth.NewSessions(st, clock)
	for _, r := range roles {
		u := h.user(string(r), r)
		tok, s, err := sessions.Create(ctx, u.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		h.users[r], h.token[r], h.csrf[r] = u, tok, s.CSRFToken
	}
	h.other = h.user("other", news.RoleReporter)
	return h
}

// user makes an account without a usable password (hashing is slow and
// these users sign in through sessions made directly).
func (h *harness) user(name string, role news.Role) *news.User {
	h.t.Helper()
	au := &news.Author{Slug: name, Name: "Byline " + name, Email: name + "@example.com"}
	if err := h.st.CreateAuthor(h.ctx, au); err != nil {
		h.t.Fatal(err)
	}
	u := &news.User{Email: name + "@example.com", Name: "User " + name, Role: role, PasswordHash: "-", AuthorID: au.ID}
	if err := h.st.CreateUser(h.ctx, u); err != nil {
		h.t.Fatal(err)
	}
	return u
}

type reqOpt func(*http.Request)

func noCSRF(r *http.Request) { r.Form.Del("csrf"); r.PostForm.Del("csrf") }

func header(k, v string) reqOpt { return func(r *http.Request) { r.Header.Set(k, v) } }

// do sends a request as role ("" for nobody) and returns the response and
// its body. POSTs carry the role's CSRF token unless an option removes it.
func (h *harness) do(role news.Role, method, path string, form url.Values, opts ...reqOpt) (*http.Response, string) {
	h.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	var body io.Reader
	if method == http.MethodPost {
		if role != "" && !form.Has("csrf") {
			form.Set("csrf", h.csrf[role])
		}
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, "http://news.test"+path, body)
	if method == http.MethodPost {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if role != "" {
		r.AddCookie(&http.Cookie{Name: auth.CookieName, Value: h.token[role]})
	}
	if len(opts) > 0 {
		// Options may edit the parsed form, so parse it here and send that.
		if method == http.MethodPost {
			if err := r.ParseForm(); err != nil {
				h.t.Fatal(err)
			}
		}
		for _, o := range opts {
			o(r)
		}
		if method == http.MethodPost {
			r.Body = io.NopCloser(strings.NewReader(r.PostForm.Encode()))
			r.Form, r.PostForm = nil, nil
		}
	}
	w := httptest.NewRecorder()
	h.mux.ServeHTTP(w, r)
	res := w.Result()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func (h *harness) find(id int64) *news.Article {
	h.t.Helper()
	a, err := h.st.FindArticleByID(h.ctx, id)
	if err != nil {
		h.t.Fatal(err)
	}
	return a
}

// story makes a story by u in status st (published at t0 when it needs a
// time).
func (h *harness) story(u *news.User, headline string, st news.Status) *news.Article {
	h.t.Helper()
	a, err := h.flow.Create(h.ctx, u, workflow.Draft{Headline: headline, BodyMarkdown: "Body of " + headline})
	if err != nil {
		h.t.Fatal(err)
	}
	ed := h.users[news.RoleEditor]
	switch st {
	case news.StatusDraft:
	case news.StatusReview:
		err = h.flow.Submit(h.ctx, ed, a.ID)
	case news.StatusPublished:
		err = h.flow.Publish(h.ctx, ed, a.ID, 0)
	case news.StatusScheduled:
		err = h.flow.Schedule(h.ctx, ed, a.ID, h.clock.Now().Add(time.Hour), 0)
	case news.StatusUnpublished:
		if err = h.flow.Publish(h.ctx, ed, a.ID, 0); err == nil {
			err = h.flow.Unpublish(h.ctx, ed, a.ID)
		}
	}
	if err != nil {
		h.t.Fatal(err)
	}
	return h.find(a.ID)
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func wantStatus(t *testing.T, what string, res *http.Response, body string, code int) {
	t.Helper()
	if res.StatusCode != code {
		if len(body) > 600 {
			body = body[:600]
		}
		t.Fatalf("%s: status %d, want %d\n%s", what, res.StatusCode, code, body)
	}
}
