package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserEmbedConsent: a story with a YouTube embed (here from a
// Markdown import, whose bare address line becomes one) shows readers a link
// card and no frame; the provider's frame, under the page's CSP, appears only
// when the reader asks, and "always" is remembered for the next page.
func TestBrowserEmbedConsent(t *testing.T) {
	chromium(t)
	s := demoServer(t)
	md := filepath.Join(t.TempDir(), "embed.md")
	if err := os.WriteFile(md, []byte("---\nheadline: The envoy's video message\nsection: National\npublished: 2026-11-21T10:00:00+09:00\n---\nThe envoy posted a video on Friday.\n\nhttps://youtu.be/dQw4w9WgXcQ\n\nHe said more later.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(masthead(t), "import", "--create-sections", "--data", s.Data, "--publish", "--json", md)
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	var got struct{ URL string }
	// The story's line comes first, the summary after it.
	if err := json.Unmarshal([]byte(strings.SplitN(strings.TrimSpace(string(out)), "\n", 2)[0]), &got); err != nil {
		t.Fatalf("import --json printed %q: %v", out, err)
	}
	code, page := get(t, got.URL)
	if code != 200 || !strings.Contains(page, `<figure class="embed" data-provider="youtube" data-id="dQw4w9WgXcQ">`) || strings.Contains(page, "<iframe") {
		t.Fatalf("story page %d: want a link card and no frame:\n%s", code, page)
	}
	ctx := newBrowser(t, 390, 844)
	if err := chromedp.Do(ctx, chromedp.Navigate(got.URL), chromedp.WaitVisible(chromedp.CSS(".embed-consent button"))); err != nil {
		t.Fatal(err)
	}
	if n := eval[int](ctx, t, `document.querySelectorAll("iframe").length`); n != 0 {
		t.Fatalf("%d frames before the reader agreed", n)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(".embed-consent button:last-of-type")), until(`!!document.querySelector("figure.embed iframe")`)); err != nil {
		t.Fatal(err)
	}
	if src := eval[string](ctx, t, `document.querySelector("figure.embed iframe").src`); src != "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" {
		t.Errorf("frame src = %q", src)
	}
	// Remembered: the next visit loads it without asking.
	if err := chromedp.Do(ctx, chromedp.Navigate(got.URL), until(`!!document.querySelector("figure.embed iframe")`)); err != nil {
		t.Fatal(err)
	}
	if n := eval[int](ctx, t, `document.querySelectorAll(".embed-consent").length`); n != 0 {
		t.Errorf("the consent box is still there after 'always'")
	}
}

// TestImportDraftURL: a story imported as a draft is printed with the
// address of its newsroom editor, which exists (it was /newsroom/articles/N,
// a 404); a published one with its public address.
func TestImportDraftURL(t *testing.T) {
	s := demoServer(t)
	md := filepath.Join(t.TempDir(), "draft.md")
	if err := os.WriteFile(md, []byte("---\nheadline: A draft from the wire\nsection: National\n---\nNot yet.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(masthead(t), "import", "--create-sections", "--data", s.Data, "--json", md)
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	var got struct {
		ID     int64
		URL    string
		Status string
	}
	if err := json.Unmarshal([]byte(strings.SplitN(strings.TrimSpace(string(out)), "\n", 2)[0]), &got); err != nil {
		t.Fatalf("import --json printed %q: %v", out, err)
	}
	if got.Status != "draft" || got.URL != fmt.Sprintf("%s/newsroom/stories/%d", s.URL, got.ID) {
		t.Fatalf("draft import printed %+v", got)
	}
	res, err := noRedirect.Get(got.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/newsroom/signin") {
		t.Errorf("GET %s: %d %s, want the sign-in redirect", got.URL, res.StatusCode, res.Header.Get("Location"))
	}
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
