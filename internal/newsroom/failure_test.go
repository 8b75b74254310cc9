package newsroom

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"masthead/internal/news"
)

// failingStore is the harness's store with writes, or story reads too,
// failing as a database does (a timeout, a killed connection).
type failingStore struct {
	news.Store
	writes, reads atomic.Pointer[error]
}

func (f *failingStore) Update(ctx context.Context, fn func(tx news.Tx) error) error {
	if err := f.writes.Load(); err != nil {
		return *err
	}
	return f.Store.Update(ctx, fn)
}

func (f *failingStore) FindArticleByID(ctx context.Context, id int64) (*news.Article, error) {
	if err := f.reads.Load(); err != nil {
		return nil, *err
	}
	return f.Store.FindArticleByID(ctx, id)
}

func (f *failingStore) ListSections(ctx context.Context) ([]*news.Section, error) {
	if err := f.reads.Load(); err != nil {
		return nil, *err
	}
	return f.Store.ListSections(ctx)
}

// An editor whose save fails for any reason gets the editor back with
// their text and a message saying nothing was saved, never a bare error
// page that loses what they typed.
func TestSaveFailureKeepsText(t *testing.T) {
	h := newHarness(t)
	fs := &failingStore{Store: h.st}
	nr, err := New(Config{Paper: h.nr.paper(), Store: fs, Clock: h.clock, MaxUploadBytes: 2 << 20})
	if err != nil {
		t.Fatal(err)
	}
	h.mux = http.NewServeMux()
	nr.Register(h.mux)
	a := h.story(h.users[news.RoleReporter], "Draft to save", news.StatusDraft)
	typed := "Three hours of careful work, typed and not yet saved."
	killed := error(errors.New("FATAL: terminating connection due to administrator command (SQLSTATE 57P01)"))
	timeout := error(fmt.Errorf("sqlite: begin: %w", context.DeadlineExceeded))
	for _, c := range []struct {
		name        string
		write, read *error
		status      int
		msg         string
	}{
		{"timeout", &timeout, nil, http.StatusServiceUnavailable, "did not answer in time"},
		{"killed connection", &killed, nil, http.StatusServiceUnavailable, "could not be saved"},
		{"database gone", &killed, &killed, http.StatusServiceUnavailable, "could not be saved"},
	} {
		fs.writes.Store(c.write)
		fs.reads.Store(c.read)
		form := saveForm(a, "Headline typed")
		form.Set("body", typed)
		form.Set("version", fmt.Sprint(a.Version))
		res, body := h.do(news.RoleReporter, "POST", storyPath(a, ""), form)
		if res.StatusCode != c.status || !strings.Contains(body, typed) || !strings.Contains(body, "Headline typed") || !strings.Contains(body, c.msg) {
			t.Errorf("%s: status %d, text kept %v, message %q found %v", c.name, res.StatusCode, strings.Contains(body, typed), c.msg, strings.Contains(body, c.msg))
		}
		if strings.Contains(body, "Internal error.") {
			t.Errorf("%s: a bare error page", c.name)
		}
		// The page sends the text again.
		// (the editor's body field is body_html, the rich editor's HTML)
		if !(strings.Contains(body, `name="body"`) || strings.Contains(body, `name="body_html"`)) || !strings.Contains(body, `name="version"`) {
			t.Errorf("%s: the page has no form to save again", c.name)
		}
	}
	fs.writes.Store(nil)
	fs.reads.Store(nil)
	if got := h.find(a.ID); got.BodyMarkdown == typed {
		t.Fatal("a failed save was saved")
	}
	// The correction note comes back too.
	pub := h.story(h.users[news.RoleReporter], "Published", news.StatusPublished)
	fs.writes.Store(&timeout)
	res, body := h.do(news.RoleEditor, "POST", storyPath(pub, "/corrections"), map[string][]string{"kind": {"correction"}, "text": {"A note typed by hand."}})
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "A note typed by hand.") {
		t.Errorf("correction: status %d, note kept %v", res.StatusCode, strings.Contains(body, "A note typed by hand."))
	}
}
