package newsroom

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"masthead/internal/browsertest"
	"masthead/internal/content"
	"masthead/internal/news"
)

// auditStaticPage is a published page for the audits, with a message in the
// inbox beside it; made once per harness.
func auditStaticPage(t *testing.T, h *harness) *news.Page {
	t.Helper()
	if p, err := h.st.FindPageBySlug(h.ctx, "about"); err == nil {
		return p
	}
	body, err := content.BodyFromMarkdown("We are an **independent** daily.\n\n## Who pays\n\n- Readers\n- Advertisers\n\nWrite to us on the [contact page](/contact).")
	if err != nil {
		t.Fatal(err)
	}
	p := &news.Page{Slug: "about", Title: "About us", Description: "Who we are.", Body: body, Status: news.StatusPublished, InFooter: true, Position: 1}
	c := &news.Page{Slug: "contact", Title: "Contact the newsroom", Body: "<p>Write to the editors.</p>", Status: news.StatusPublished, InFooter: true, Position: 2}
	for _, x := range []*news.Page{p, c} {
		if err := h.st.CreatePage(h.ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []*news.ReaderMessage{
		{Kind: news.MessageError, URL: "/2026/03/22/x", Email: "reader@example.com", Name: "A reader", Text: "The date is wrong."},
		{Kind: news.MessageContact, Text: "Thank you for the story."},
	} {
		if err := h.st.AddMessage(h.ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	ms, _ := h.st.ListMessages(h.ctx, news.MessageFilter{})
	if err := h.st.HandleMessage(h.ctx, ms[0].ID, h.users[news.RoleEditor].ID, h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	return p
}

// readerAuditPages are the reader pages of issue 15's static pages: a
// page, the contact page, the contact page naming a story, and the
// contact form's answers (check and send again; an error), as HTML.
func readerAuditPages(t *testing.T, h *harness) map[string]string {
	t.Helper()
	auditStaticPage(t, h)
	out := map[string]string{}
	for _, p := range []string{"/about", "/contact", "/contact?story=%2F2026%2F03%2F22%2Fx"} {
		rec := h.reader(p)
		if rec.Code != 200 {
			t.Fatalf("GET %s: %d", p, rec.Code)
		}
		out[p] = rec.Body.String()
	}
	post := func(form url.Values) string {
		r := httptest.NewRequest("POST", "http://news.test/contact-form", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		w := httptest.NewRecorder()
		h.mux.ServeHTTP(w, r)
		if w.Code != http.StatusOK && w.Code != http.StatusUnprocessableEntity {
			t.Fatalf("contact post: %d", w.Code)
		}
		return w.Body.String()
	}
	out["POST /contact-form (no token)"] = post(url.Values{"kind": {"contact"}, "message": {"Hello."}})
	out["POST /contact-form (bad e-mail)"] = post(url.Values{"kind": {"contact"}, "message": {"Hello."}, "email": {"nope"}})
	return out
}

// TestReaderPagesNuChecker: the static page, the contact page and the
// contact form's answers have no Nu checker error.
func TestReaderPagesNuChecker(t *testing.T) {
	if testing.Short() {
		t.Skip("vnu is slow to start")
	}
	h := newHarness(t)
	var names, bodies []string
	for p, body := range readerAuditPages(t, h) {
		names = append(names, p)
		bodies = append(bodies, body)
	}
	browsertest.NuCheck(t, names, bodies)
}

// TestReaderPagesAxe: axe-core in Chromium on the static page and the
// contact page (after site.js fetched the form's token), at 1280 and 390
// px: no serious or critical violation, nothing wider than the screen.
func TestReaderPagesAxe(t *testing.T) {
	src := browsertest.AxeSource(t)
	h := newHarness(t)
	auditStaticPage(t, h)
	b := newBrowser(t, h, 1280, 900)
	for _, width := range []int{1280, 390} {
		b.run("width", chromedp.EmulateViewport(int64(width), 900))
		for _, p := range []string{"/about", "/contact"} {
			b.run(p, chromedp.Navigate(b.url+p), chromedp.WaitVisible(chromedp.CSS("main h1")))
			if p == "/contact" {
				// site.js fills the token from /contact-form/token.
				b.run("token", until(`document.querySelector("form[data-contact] input[name=t]").value !== ""`))
			}
			if w := evalIn[int](b, `document.documentElement.scrollWidth`); w > width {
				t.Errorf("%s at %d px: the page is %d px wide", p, width, w)
			}
			// NEWSROOM_SCREENSHOTS=docs writes the README's pictures.
			if dir := os.Getenv("NEWSROOM_SCREENSHOTS"); dir != "" {
				png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatal(err)
				}
				name := fmt.Sprintf("page-%s-%d.png", strings.TrimPrefix(p, "/"), width)
				if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			vs, err := browsertest.Axe(b.ctx, src)
			if err != nil {
				t.Fatalf("axe on %s: %v", p, err)
			}
			for _, v := range vs {
				if v.Serious() {
					t.Errorf("%s at %d px: %s", p, width, v)
				}
			}
		}
	}
	// The form sends from the browser with the fetched token (and its
	// cookie) once the minimum fill time has passed on the site's clock:
	// the message reaches the inbox.
	b.run("fill", chromedp.SetValue("#contact-message", "Sent from a real browser."))
	h.clock.Add(5 * time.Second)
	b.run("send", chromedp.Click(`#contact-form button[type=submit]`), chromedp.WaitVisible(chromedp.CSS("#contact-form .notice")))
	if got := evalIn[string](b, `document.querySelector("#contact-form .notice").textContent`); !strings.Contains(got, "reached the editors") {
		t.Errorf("after sending: %q", got)
	}
	ms, _ := h.st.ListMessages(h.ctx, news.MessageFilter{Limit: 10})
	if len(ms) == 0 || ms[0].Text != "Sent from a real browser." {
		t.Errorf("the browser's message was not stored: %+v", ms)
	}
	for _, e := range b.pageErrors() {
		t.Errorf("a page logged an error: %s", e)
	}
}
