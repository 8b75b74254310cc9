package newsroom

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/internal/news"
)

// TestHostileMarkdownIsRefused: "[a](" × 150,000 (600 KB) ran 195 s on one
// core in a preview. Now the preview and the save answer 400 at once with
// the line at fault, and the save (the editor again, 422) changes nothing.
func TestHostileMarkdownIsRefused(t *testing.T) {
	h := newHarness(t)
	r := news.RoleReporter
	hostile := "Intro.\n\n" + strings.Repeat("[a](", 150_000)
	res, body := h.do(r, "POST", "/newsroom/preview", url.Values{"body": {hostile}})
	wantStatus(t, "preview", res, body, http.StatusBadRequest)
	if !strings.Contains(body, "could not be rendered: line 3") {
		t.Errorf("preview error does not name the line: %.300s", body)
	}
	a := h.story(h.users[r], "Calm", news.StatusDraft)
	res, body = h.do(r, "POST", storyPath(a, ""), url.Values{"headline": {"Calm"}, "body": {hostile}})
	wantStatus(t, "save", res, body, http.StatusUnprocessableEntity)
	if !strings.Contains(body, "could not be rendered: line 3") {
		t.Errorf("the editor does not say why: %.300s", body)
	}
	got, err := h.st.FindArticleByID(h.ctx, a.ID)
	if err != nil || got.BodyMarkdown == hostile {
		t.Fatalf("the refused body was stored (err %v)", err)
	}
}

// TestRenderGate: one render at a time per user, and no more than the
// burst of render time until it is paid back at half a second per second.
func TestRenderGate(t *testing.T) {
	now := time.Unix(1000, 0)
	var mu sync.Mutex
	g := newRenderGate(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

	release, ok := g.acquire(1)
	if !ok {
		t.Fatal("first render refused")
	}
	if _, ok := g.acquire(1); ok {
		t.Fatal("a second concurrent render of the same user was let in")
	}
	if rel2, ok := g.acquire(2); !ok {
		t.Fatal("another user's render was refused")
	} else {
		rel2(time.Millisecond)
	}
	release(4 * time.Second) // over the burst
	if _, ok := g.acquire(1); ok {
		t.Fatal("a user over the burst was let in")
	}
	advance(2 * time.Second) // pays back 1 s: 3 s of debt left, still at the burst
	if _, ok := g.acquire(1); ok {
		t.Fatal("let in before the debt fell under the burst")
	}
	advance(time.Second)
	release, ok = g.acquire(1)
	if !ok {
		t.Fatal("refused after paying back")
	}
	release(0)
}

// TestPreviewsOfOneUserDoNotRunTogether: while one preview of a user is
// being made, the next answers 429; another user is not held up.
func TestPreviewsOfOneUserDoNotRunTogether(t *testing.T) {
	h := newHarness(t)
	r := news.RoleReporter
	release, ok := h.nr.renders.acquire(h.users[r].ID) // a preview in flight
	if !ok {
		t.Fatal("acquire")
	}
	res, body := h.do(r, "POST", "/newsroom/preview", url.Values{"body": {"*hi*"}})
	wantStatus(t, "second preview", res, body, http.StatusTooManyRequests)
	if res.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	res, body = h.do(news.RoleEditor, "POST", "/newsroom/preview", url.Values{"body": {"*hi*"}})
	wantStatus(t, "other user's preview", res, body, http.StatusOK)
	release(0)
	res, body = h.do(r, "POST", "/newsroom/preview", url.Values{"body": {"*hi*"}})
	wantStatus(t, "preview after the first ended", res, body, http.StatusOK)
}
