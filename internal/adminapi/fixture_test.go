package adminapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"masthead/internal/adminapi"
	"masthead/internal/httpx"
	"masthead/internal/integrations"
	"masthead/internal/media"
	"masthead/internal/news"
	"masthead/internal/store/sqlite"
	"masthead/internal/webhooks"
)

var now = time.Date(2026, 3, 22, 12, 0, 0, 0, time.UTC)

type paper struct {
	srv    *httptest.Server
	st     *sqlite.DB
	gate   *integrations.Gate
	hooks  *integrations.Created // webhooks:manage
	reader *integrations.Created // content:read only
	other  *integrations.Created // webhooks:manage, another integration
	writer *integrations.Created // stories:write: a reporter's rights
	editor *integrations.Created // stories:write, stories:publish, photos:write: an editor's
	clock  *news.FixedClock
}

func newPaper(t *testing.T) *paper { return newPaperWith(t, nil) }

// newPaperWith is newPaper with the API's store wrapped by wrap (nil: the
// store itself), for tests that make the store fail at a chosen point.
func newPaperWith(t *testing.T, wrap func(*sqlite.DB) news.Store) *paper {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "admin.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p := &paper{st: st}
	mk := func(name string, scopes ...news.Scope) *integrations.Created {
		c, err := integrations.Create(ctx, st, name, scopes, 0, now)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	p.hooks = mk("Zapier", news.ScopeWebhooksManage)
	p.reader = mk("Front end", news.ScopeContentRead)
	p.other = mk("Other", news.ScopeWebhooksManage)
	p.writer = mk("Wire desk", news.ScopeStoriesWrite)
	p.editor = mk("Desk app", news.ScopeStoriesWrite, news.ScopeStoriesPublish, news.ScopePhotosWrite)
	for _, err := range []error{
		st.CreateSection(ctx, &news.Section{Slug: "world", Name: "World"}),
		st.CreateAuthor(ctx, &news.Author{Slug: "kim-tong-hyung", Name: "Kim Tong-hyung"}),
		st.CreateAuthor(ctx, &news.Author{Slug: "jane-doe", Name: "Jane Doe"}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	mux := http.NewServeMux()
	p.srv = httptest.NewServer(httpx.Wrap(mux, httpx.Options{}))
	t.Cleanup(p.srv.Close)
	p.clock = news.NewFixedClock(now)
	p.gate = integrations.NewGate(st, p.clock, nil)
	pp := &news.Paper{Name: "P", BaseURL: p.srv.URL, Location: time.UTC}
	st.AddTxHook(webhooks.Hook(pp, p.clock))
	blobs, err := media.NewDirBlobs(filepath.Join(t.TempDir(), "media"))
	if err != nil {
		t.Fatal(err)
	}
	lib := media.New(media.Config{Store: st, Blobs: blobs, Paper: pp})
	var api news.Store = st
	if wrap != nil {
		api = wrap(st)
	}
	adminapi.New(adminapi.Config{Paper: pp, Store: api, Clock: p.clock, Gate: p.gate, Media: lib, MaxUploadBytes: 2 << 20}).Register(mux)
	return p
}

// do sends a request with an optional key and JSON body, decodes the
// answer into v and returns the status.
func (p *paper) do(t *testing.T, method, path, key string, body any, v any, hdr ...string) int {
	t.Helper()
	st, _ := p.doH(t, method, path, key, body, v, hdr...)
	return st
}

func (p *paper) doH(t *testing.T, method, path, key string, body any, v any, hdr ...string) (int, http.Header) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, p.srv.URL+path, rd)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if v != nil && len(b) > 0 {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, b)
		}
	}
	return res.StatusCode, res.Header
}

// apiErr is the error shape.
type apiErr struct {
	Error struct {
		Code, Message, Field string
		Fields               []string
	} `json:"error"`
}

func decodeJSON(res *http.Response, v any) {
	_ = json.NewDecoder(res.Body).Decode(v)
}
