package comments

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"masthead/internal/browsertest"
)

// TestHostileCommentsInertInChromium renders the hostile comments into a
// page with no Content-Security-Policy (so the renderer alone must hold),
// loads it in Chromium, hovers and clicks every link, and checks that no
// script ran, no dialog opened, nothing was fetched, and the comments' DOM
// holds only paragraphs, line breaks and http(s) links.
func TestHostileCommentsInertInChromium(t *testing.T) {
	ctx := browsertest.New(t, 1000, 800)
	var doc strings.Builder
	doc.WriteString(`<!doctype html><html><head><meta charset="utf-8"><title>comments</title></head><body><div id="c">`)
	for _, h := range hostile {
		fmt.Fprintf(&doc, "<article>%s</article>", Render(Clean(h)))
	}
	doc.WriteString(`</div><p id="end">end</p></body></html>`)
	var other atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/favicon.ico" { // the browser's own
			http.NotFound(w, r)
			return
		}
		if r.URL.Path != "/" {
			other.Add(1) // a payload made the browser fetch something
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, doc.String())
	}))
	defer srv.Close()

	var dialogs atomic.Int64
	chromedp.Listen(ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			dialogs.Add(1)
		}
	})
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.readyState === 'complete'`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatal(err)
	}
	// Hover and click each link without leaving the page: any handler a
	// payload smuggled in would run now.
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(() => {
		const links = document.querySelectorAll('#c a');
		for (const a of links) {
			for (const type of ['mouseover', 'mouseenter', 'focus', 'click']) {
				a.addEventListener('click', e => e.preventDefault(), {once: true});
				a.dispatchEvent(new MouseEvent(type, {bubbles: true, cancelable: true}));
			}
		}
		return links.length;
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	bad, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
		const bad = [];
		if (location.href !== `+strconv.Quote(srv.URL+"/")+`) bad.push('navigated away to ' + location.href);
		if (window.__pwned !== undefined || window.top.__pwned !== undefined) bad.push('window.__pwned is set');
		for (const el of document.querySelectorAll('#c *')) {
			const tag = el.tagName.toLowerCase();
			if (!['article', 'p', 'br', 'a'].includes(tag)) bad.push('element ' + tag);
			for (const at of el.attributes) {
				if (tag === 'a' && (at.name === 'href' || at.name === 'rel')) continue;
				bad.push(tag + ' attribute ' + at.name);
			}
			if (tag === 'a') {
				if (el.protocol !== 'http:' && el.protocol !== 'https:') bad.push('link protocol ' + el.protocol);
				if (el.rel !== 'nofollow ugc') bad.push('rel ' + el.rel);
			}
		}
		if (document.querySelector('base, meta[http-equiv], style:not(head style), script')) bad.push('active element in the document');
		if (getComputedStyle(document.body).display === 'none') bad.push('a style applied');
		return bad;
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bad {
		t.Error(b)
	}
	if n == 0 {
		t.Error("no links rendered: the hostile set has linkable URLs")
	}
	if d := dialogs.Load(); d != 0 {
		t.Errorf("%d dialogs opened", d)
	}
	if o := other.Load(); o != 0 {
		t.Errorf("the page fetched %d other URLs from our server", o)
	}
}
