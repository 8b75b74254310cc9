package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"masthead/internal/browsertest"
)

// chromium finds Debian's Chromium (internal/browsertest: skipped locally
// without one, a failure under CI).
func chromium(t *testing.T) string { return browsertest.Path(t) }

// newBrowser starts headless Chromium and returns a tab context.
func newBrowser(t *testing.T, width, height int) context.Context {
	return browsertest.New(t, width, height)
}

func fontSize(ctx context.Context, sel string) (float64, error) {
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`getComputedStyle(document.querySelector(`+strconv.Quote(sel)+`)).fontSize`))
	if err != nil {
		return 0, err
	}
	return strconv.ParseFloat(strings.TrimSuffix(s, "px"), 64)
}

// waitTrue polls a JavaScript expression until it is true.
func waitTrue(expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(10*time.Second),
			chromedp.WithPollingInterval(50*time.Millisecond))(ctx, t)
		return chromedp.Void{}, err
	}
}

func eval[T any](ctx context.Context, t *testing.T, expr string, opts ...chromedp.EvaluateOption) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func TestBrowserArticlePage(t *testing.T) {
	chromium(t)
	s := demoServer(t)
	ctx := newBrowser(t, 390, 844)
	url := s.URL + seedPath
	const para = ".article .body p"

	if err := chromedp.Do(ctx,
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS(para)),
	); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name}, Setting: browser.PermissionSettingGranted, Origin: s.URL,
		}); err != nil {
			t.Fatalf("grant %s: %v", name, err)
		}
	}
	before, err := fontSize(ctx, para)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("largest text size grows the body and is kept on reload", func(t *testing.T) {
		if err := chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`[aria-controls="settings-panel"]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-size-set="2"]`)),
			chromedp.Click(chromedp.CSS(`[data-size-set="2"]`)),
			waitTrue(`document.querySelector('[data-size-set="2"]').getAttribute("aria-pressed") === "true"`),
		); err != nil {
			t.Fatal(err)
		}
		after, err := fontSize(ctx, para)
		if err != nil {
			t.Fatal(err)
		}
		if after <= before {
			t.Fatalf("body text %vpx after +2, was %vpx: it did not grow", after, before)
		}
		if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(para))); err != nil {
			t.Fatal(err)
		}
		size := eval[string](ctx, t, `document.documentElement.getAttribute("data-size")`)
		kept, err := fontSize(ctx, para)
		if err != nil {
			t.Fatal(err)
		}
		if size != "2" || kept != after {
			t.Fatalf("after reload data-size=%q and text %vpx, want 2 and %vpx", size, kept, after)
		}
	})

	t.Run("share panel opens and closes with Esc", func(t *testing.T) {
		if err := chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`[aria-controls="share-panel"]`)),
			waitTrue(`document.getElementById("share-panel").classList.contains("open")`),
			chromedp.WaitVisible(chromedp.CSS(`#share-panel [data-copy]`)),
			chromedp.KeyEvent("\u001b"), // Escape
			waitTrue(`!document.getElementById("share-panel").classList.contains("open")`),
		); err != nil {
			t.Fatal(err)
		}
		if v := eval[string](ctx, t, `document.querySelector('[aria-controls="share-panel"]').getAttribute("aria-expanded")`); v != "false" {
			t.Fatalf("aria-expanded=%q after Esc", v)
		}
		if f := eval[string](ctx, t, `document.activeElement.getAttribute("aria-controls") || ""`); f != "share-panel" {
			t.Errorf("focus did not return to the Share button (on %q)", f)
		}
	})

	t.Run("copy link", func(t *testing.T) {
		if err := chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`[aria-controls="share-panel"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#share-panel a[data-copy]`)),
			chromedp.Click(chromedp.CSS(`#share-panel a[data-copy]`)),
			waitTrue(`document.getElementById("share-status").textContent.length > 0`),
		); err != nil {
			t.Fatal(err)
		}
		if status := eval[string](ctx, t, `document.getElementById("share-status").textContent`); status != "Link copied" {
			t.Fatalf("status after copy: %q", status)
		}
		if clip := eval[string](ctx, t, `navigator.clipboard.readText()`, chromedp.EvalAwaitPromise); clip != url {
			t.Fatalf("clipboard holds %q, want %q", clip, url)
		}
		_ = chromedp.Do(ctx, chromedp.KeyEvent("\u001b"))
	})

	t.Run("scroll down and back to top", func(t *testing.T) {
		// A panel left open by the step before (its Escape lost on a busy
		// machine) lies over the corner the button is in: close it first,
		// so the click below is the button's.
		if err := chromedp.Do(ctx, chromedp.KeyEvent("\u001b"), waitTrue(`!document.querySelector(".panel.open")`)); err != nil {
			t.Fatalf("a panel is still open: %v", err)
		}
		y := eval[float64](ctx, t, `window.scrollTo(0, document.body.scrollHeight); window.scrollY`)
		if y < 600 {
			t.Fatalf("the page scrolled only to %v px; too short to test back-to-top", y)
		}
		if err := chromedp.Do(ctx, waitTrue(`document.querySelector(".to-top").classList.contains("show")`)); err != nil {
			t.Fatalf("the back-to-top button was not shown at %v px: %v", y, err)
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.to-top`)), waitTrue(`window.scrollY === 0`)); err != nil {
			// What the click hit, and where the page stopped.
			at := eval[string](ctx, t, `(function () {
				var r = document.querySelector(".to-top").getBoundingClientRect();
				var e = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
				return "scrollY " + window.scrollY + ", the button's centre is on " + (e ? e.outerHTML.slice(0, 120) : "nothing");
			})()`)
			t.Fatalf("back to top: %v (%s)", err, at)
		}
	})
}
