package main

import (
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"

	"masthead/internal/browsertest"
)

// auditPages are the reader page types, with the demo paper's data: the
// layouts, the sub-section, both languages of story, and the rest of the
// chrome the catalog translates.
var auditPages = []string{
	"/", "/section/national", "/section/politics", "/tag/" + url.PathEscape("북한"), "/author/kang-seung-woo",
	seedPath, koreanPath, "/search?q=" + url.QueryEscape("북한"), "/corrections", "/2020/03/", "/no-such-page",
}

// TestReaderPagesAxe runs axe-core on every reader page type at 1280 and
// 390 px, the phone with the All sections menu open too: no serious or
// critical violation.
func TestReaderPagesAxe(t *testing.T) {
	src := browsertest.AxeSource(t)
	chromium(t)
	s := demoServer(t)
	ctx := newBrowser(t, 1280, 900)
	for _, width := range []int64{1280, 390} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900)); err != nil {
			t.Fatal(err)
		}
		for _, p := range auditPages {
			steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(s.URL + p), chromedp.WaitVisible(chromedp.CSS("main h1"))}
			if width == 390 && p == "/section/national" {
				steps = append(steps, chromedp.Click(chromedp.CSS(".nav-all summary")), chromedp.WaitVisible(chromedp.CSS(".nav-all > ul")))
			}
			if err := chromedp.Do(ctx, steps...); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			vs, err := browsertest.Axe(ctx, src)
			if err != nil {
				t.Fatalf("axe on %s: %v", p, err)
			}
			for _, v := range vs {
				if v.Serious() {
					t.Errorf("%s at %d px: %s", p, width, v)
				} else {
					t.Logf("%s at %d px: %s", p, width, v)
				}
			}
		}
	}
}

// TestReaderPagesNuChecker saves every reader page type as the server
// sends it and runs the W3C Nu checker on the files: no errors.
func TestReaderPagesNuChecker(t *testing.T) {
	if testing.Short() {
		t.Skip("vnu is slow to start")
	}
	s := demoServer(t)
	var bodies []string
	for _, p := range auditPages {
		_, body := get(t, s.URL+p)
		bodies = append(bodies, body)
	}
	browsertest.NuCheck(t, auditPages, bodies)
}
