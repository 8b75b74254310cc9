package main

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"masthead/internal/news"
)

// koreanPath is the demo paper's Korean story (content/04-nk-launch-ko.md).
var koreanPath = "/2020/03/21/" + url.PathEscape(news.Slugify("북한, 동해상으로 단거리 발사체 2발 발사"))

// readerPages are the page types the layouts changed, by name.
var readerPages = []struct{ name, path string }{
	{"front", "/"},
	{"section", "/section/national"},
	{"tag", "/tag/" + url.PathEscape("북한")},
	{"author", "/author/kang-seung-woo"},
	{"story-ko", koreanPath},
}

// box is an element's page coordinates, as measured in the browser.
type box struct{ Top, Bottom, Left, Width, Height float64 }

const boxJS = `(function(sel){var e=document.querySelector(sel);if(!e)return null;var r=e.getBoundingClientRect();
return {Top:r.top+scrollY,Bottom:r.bottom+scrollY,Left:r.left,Width:r.width,Height:r.height}})`

func measure(ctx context.Context, t *testing.T, sel string) box {
	t.Helper()
	raw := eval[json.RawMessage](ctx, t, boxJS+`(`+jsString(sel)+`)`)
	var b *box
	if err := json.Unmarshal(raw, &b); err != nil || b == nil {
		t.Fatalf("%s: no such element (%s)", sel, raw)
	}
	return *b
}

func jsString(s string) string { b, _ := json.Marshal(s); return string(b) }

func visit(ctx context.Context, t *testing.T, u, waitSel string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(u), chromedp.WaitVisible(chromedp.CSS(waitSel))); err != nil {
		t.Fatalf("open %s: %v", u, err)
	}
}

// wideImages counts the images in main at least 60% of the viewport wide.
const wideImagesJS = `[...document.querySelectorAll("main img")].filter(function(i){return i.getBoundingClientRect().width>=innerWidth*0.6}).length`

// TestBrowserPhoneLayouts measures the reader pages on a 390 x 844 phone:
// the front page reaches its first section block within five screens, only
// the lead story has a full-width photo, the section bar shows that it
// scrolls and folds into a menu, and no page scrolls sideways.
func TestBrowserPhoneLayouts(t *testing.T) {
	chromium(t)
	s := demoServer(t)
	ctx := newBrowser(t, 390, 844)
	// The window has a minimum width; the emulated viewport has not.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}

	visit(ctx, t, s.URL+"/", ".front-blocks .block")
	vh := eval[float64](ctx, t, `innerHeight`)
	first := measure(ctx, t, ".front-blocks .block")
	total := eval[float64](ctx, t, `document.documentElement.scrollHeight`)
	t.Logf("phone front page: first section block at %.0f px (%.2f screens of %.0f px), page %.0f px", first.Top, first.Top/vh, vh, total)
	if first.Top > 5*vh {
		t.Errorf("the first section block starts at %.0f px, more than 5 screens (%.0f px)", first.Top, 5*vh)
	}
	if n := eval[int](ctx, t, wideImagesJS); n != 1 {
		t.Errorf("%d full-width photos on the phone front page, want 1 (the lead)", n)
	}

	// The section bar: it overflows, its edge shadow says so, and the
	// menu holds every section (Politics under National) in the screen.
	if !eval[bool](ctx, t, `(function(u){return u.scrollWidth>u.clientWidth})(document.querySelector(".nav-scroll"))`) {
		t.Error("the section bar fits at 390 px: the demo paper should overflow it")
	}
	if n := eval[int](ctx, t, `(getComputedStyle(document.querySelector(".nav-scroll")).backgroundImage.match(/linear-gradient/g)||[]).length`); n != 4 {
		t.Errorf("section bar has %d gradients, want 4 (two shadows, two covers)", n)
	}
	sum := measure(ctx, t, ".nav-all summary")
	if sum.Left+sum.Width > 390 || sum.Width == 0 {
		t.Errorf("the All sections button is off the screen: %+v", sum)
	}

	// Without JavaScript: the menu is <details>, so it opens by itself.
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	visit(ctx, t, s.URL+"/section/north-korea", ".nav-all summary")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(".nav-all summary")),
		chromedp.WaitVisible(chromedp.CSS(`.nav-all a[href="/section/politics"]`)),
	); err != nil {
		t.Fatalf("All sections menu without JavaScript: %v", err)
	}
	if eval[string](ctx, t, `document.documentElement.className`) != "no-js" {
		t.Error("scripts ran: the menu was not tested without JavaScript")
	}
	pol := measure(ctx, t, `.nav-all a[href="/section/politics"]`)
	if pol.Left+pol.Width > 390 {
		t.Errorf("the menu runs off the screen: %+v", pol)
	}
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false}); err != nil {
		t.Fatal(err)
	}

	for _, p := range readerPages {
		visit(ctx, t, s.URL+p.path, "main h1")
		h := eval[float64](ctx, t, `document.documentElement.scrollHeight`)
		t.Logf("phone %s: %.0f px", p.name, h)
		if w := eval[float64](ctx, t, `document.documentElement.scrollWidth`); w > 390 {
			t.Errorf("%s scrolls sideways at 390 px (%.0f px wide)", p.name, w)
		}
		if p.name != "story-ko" && p.name != "front" {
			// List pages: only the lead's photo is full width.
			if n := eval[int](ctx, t, wideImagesJS); n != 1 {
				t.Errorf("%s: %d full-width photos, want 1 (the lead)", p.name, n)
			}
		}
	}
	screenshots(ctx, t, s.URL, 390)
}

// TestBrowserDesktopLayouts measures the reader pages at 1280 x 900: the
// front page's section blocks use the whole width in columns, and neither
// column beside the Top 10 runs on empty for long.
func TestBrowserDesktopLayouts(t *testing.T) {
	chromium(t)
	s := demoServer(t)
	ctx := newBrowser(t, 1280, 900)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}

	visit(ctx, t, s.URL+"/", ".front-blocks .block")
	top, mainCol, aside := measure(ctx, t, ".front-top"), measure(ctx, t, ".front-main > :last-child"), measure(ctx, t, ".front-top > aside > :last-child")
	blocks := measure(ctx, t, ".front-blocks")
	t.Logf("desktop front page: top area %.0f px tall, its main column ends at %.0f px, the Top 10 column at %.0f px; blocks %.0f px wide of %.0f",
		top.Height, mainCol.Bottom, aside.Bottom, blocks.Width, top.Width)
	// The shorter column leaves a gap beside the longer one; the old
	// front page left 3,000 px under the Top 10.
	if gap := max(mainCol.Bottom, aside.Bottom) - min(mainCol.Bottom, aside.Bottom); gap > 450 {
		t.Errorf("%.0f px of empty column beside the top stories (main ends %.0f, Top 10 ends %.0f)", gap, mainCol.Bottom, aside.Bottom)
	}
	if blocks.Width < top.Width-1 {
		t.Errorf("section blocks %.0f px wide, not the page's %.0f", blocks.Width, top.Width)
	}
	if blocks.Top < aside.Bottom {
		t.Errorf("section blocks start at %.0f, beside the Top 10 (ends %.0f)", blocks.Top, aside.Bottom)
	}
	cols := eval[int](ctx, t, `new Set([...document.querySelectorAll(".front-blocks .block")].map(function(b){return Math.round(b.getBoundingClientRect().left)})).size`)
	if cols < 3 {
		t.Errorf("section blocks in %d columns at 1280 px, want at least 3", cols)
	}
	// Secondary stories: in a row of four with small photos.
	if n := eval[int](ctx, t, `new Set([...document.querySelectorAll(".picks .row")].map(function(b){return Math.round(b.getBoundingClientRect().top)})).size`); n != 1 {
		t.Errorf("the top stories are in %d rows, want one row", n)
	}

	for _, p := range readerPages {
		visit(ctx, t, s.URL+p.path, "main h1")
		h := eval[float64](ctx, t, `document.documentElement.scrollHeight`)
		t.Logf("desktop %s: %.0f px", p.name, h)
		if p.name == "section" || p.name == "tag" || p.name == "author" {
			// The right column holds the Top 10 rather than nothing.
			if a := measure(ctx, t, "main aside"); a.Height < 300 || a.Left < 800 {
				t.Errorf("%s: right column %+v, want the Top 10 beside the stories", p.name, a)
			}
		}
	}

	// Printed, a story is the story: no navigation, boxes, share bar or
	// footer, and the body's links spelled out.
	visit(ctx, t, s.URL+seedPath, ".article .body")
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	for sel, want := range map[string]string{
		"nav.sections": "none", ".tools": "none", "#share-panel": "none", "main aside": "none", ".site-footer": "none",
		".comments": "none", ".article .body": "block", ".article h1": "block",
	} {
		if got := eval[string](ctx, t, `getComputedStyle(document.querySelector(`+jsString(sel)+`)).display`); got != want {
			t.Errorf("printed, %s has display %s, want %s", sel, got, want)
		}
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""}); err != nil {
		t.Fatal(err)
	}
	screenshots(ctx, t, s.URL, 1280)
}

// screenshots saves JPEGs of the reader pages for the README when
// READER_SCREENSHOTS names a folder:
//
//	READER_SCREENSHOTS=$PWD/docs/screens go test ./cmd/masthead -run 'TestBrowser(Phone|Desktop)Layouts'
func screenshots(ctx context.Context, t *testing.T, base string, width int) {
	dir := os.Getenv("READER_SCREENSHOTS")
	if dir == "" {
		return
	}
	for _, p := range readerPages {
		visit(ctx, t, base+p.path, "main h1")
		// Lazy images below the fold load as they scroll into view.
		if err := chromedp.Do(ctx, waitTrue(`(function(){window.__y=(window.__y||0)+innerHeight/2;scrollTo(0,__y);return __y>=document.body.scrollHeight&&[...document.images].every(function(i){return i.complete})})()`),
			chromedp.Evaluate[chromedp.Void](`scrollTo(0,0)`)); err != nil {
			t.Fatal(err)
		}
		// JPEG keeps the committed pictures small; READER_SCREENSHOTS_PNG=1
		// makes lossless ones for a closer look.
		quality, ext := 45, ".jpg"
		if os.Getenv("READER_SCREENSHOTS_PNG") != "" {
			quality, ext = 100, ".png"
		}
		// The top of the page, at most about three phone screens or two
		// desktop ones: what a reader sees first, at a size a README can
		// carry.
		h := min(eval[float64](ctx, t, `document.documentElement.scrollHeight`), float64(map[int]int{390: 2600, 1280: 1900}[width]))
		format := page.CaptureScreenshotFormatJpeg
		if ext == ".png" {
			format = page.CaptureScreenshotFormatPng
		}
		q := int64(quality)
		shot, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format: format, Quality: &q, CaptureBeyondViewport: ptrTo(true), FromSurface: ptrTo(true),
			Clip: &page.Viewport{X: 0, Y: 0, Width: float64(width), Height: h, Scale: 1}})
		if err != nil {
			t.Fatal(err)
		}
		img := shot.Data
		name := filepath.Join(dir, p.name+"-"+itoa(width)+ext)
		if err := os.WriteFile(name, img, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d KB", name, len(img)/1024)
	}
}

func ptrTo[T any](v T) *T { return &v }

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
