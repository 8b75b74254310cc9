package newsroom

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"masthead/internal/auth"
	"masthead/internal/news"
)

// TestLivePreviewInChromium drives a real browser: the editor's preview
// script must work under the newsroom's strict CSP (no inline script) and
// show sanitized HTML as the reporter types. Skipped without Chromium.
// NEWSROOM_SCREENSHOTS=dir saves screenshots of the main pages there.
func TestLivePreviewInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	var browser string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		t.Skip("no Chromium on PATH")
	}
	h := newHarness(t)
	h.clock.Set(time.Now().UTC()) // the browser's cookies live in real time
	srv := httptest.NewServer(h.mux)
	defer srv.Close()
	rep, err := auth.CreateUser(h.ctx, h.st, auth.NewUser{Email: "kang@example.com", Name: "Kang Seung-woo", Role: news.RoleReporter, Password: "correct horse 42"})
	if err != nil {
		t.Fatal(err)
	}
	a := h.story(rep, "Preview in a browser", news.StatusDraft)

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser),
		chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.WindowSize(1280, 1000))
	actx, cancel := chromedp.NewExecAllocator(h.ctx, opts...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(bctx); err != nil { // start the browser without a timeout
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(bctx, 60*time.Second)
	defer cancel()

	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+storyPath(a, "")),
		// Not signed in: the newsroom sends the browser to sign in and back.
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "kang@example.com"),
		chromedp.SendKeys(chromedp.ID("password"), "correct horse 42"),
		chromedp.Click(chromedp.CSS("form.narrow button[type=submit]")),
		chromedp.WaitVisible(chromedp.ID("body")),
		chromedp.Clear(chromedp.ID("body")),
		chromedp.SendKeys(chromedp.ID("body"), "Hello **bold** <script>alert(1)</script>"),
		chromedp.Poll[chromedp.Void](`document.querySelector("#preview strong") !== null`, chromedp.WithPollingTimeout(20*time.Second)),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	preview, err := chromedp.Run(ctx, chromedp.InnerHTML(chromedp.ID("preview")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(preview, "<strong>bold</strong>") || strings.Contains(preview, "<script") {
		t.Errorf("live preview = %q", preview)
	}
	// Typing did not save anything.
	if got := h.find(a.ID); got.BodyMarkdown != a.BodyMarkdown {
		t.Errorf("the preview saved the story: %q", got.BodyMarkdown)
	}

	if dir := os.Getenv("NEWSROOM_SCREENSHOTS"); dir != "" {
		for name, path := range map[string]string{"editor": storyPath(a, ""), "dashboard": "/newsroom/", "account": "/newsroom/account", "stories": "/newsroom/stories"} {
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+path)); err != nil {
				t.Fatal(err)
			}
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			_ = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
		}
	}
}
