package newsroom

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"masthead/internal/auth"
	"masthead/internal/browsertest"
	"masthead/internal/news"
	"masthead/internal/readers"
	"masthead/internal/site"
	"masthead/internal/workflow"
)

// auditPages is every newsroom page, with data on it: stories in each
// state, a photo, revisions, a correction.
func auditPages(t *testing.T, h *harness) []string {
	t.Helper()
	ed := h.users[news.RoleEditor]
	for i, n := range []string{"National", "Business"} {
		if err := h.st.CreateSection(h.ctx, &news.Section{Slug: news.Slugify(n), Name: n, Position: i + 1}); err != nil {
			t.Fatal(err)
		}
	}
	a := h.story(ed, "Audited story", news.StatusPublished)
	if _, err := h.flow.Create(h.ctx, ed, workflow.Draft{Headline: "Tagged", BodyMarkdown: "x", Tags: []string{"Seoul", "Busan"}}); err != nil {
		t.Fatal(err)
	}
	h.story(ed, "In review", news.StatusReview)
	d := h.story(h.users[news.RoleReporter], "A draft", news.StatusDraft)
	gone := h.story(ed, "Deleted story", news.StatusDraft)
	if err := h.st.(news.Trash).TrashArticle(h.ctx, news.TrashEntry{ArticleID: gone.ID, DeletedAt: h.clock.Now(), DeletedBy: ed.ID, Status: news.StatusDraft}); err != nil {
		t.Fatal(err)
	}
	res, body := h.do(news.RoleEditor, "POST", storyPath(a, "/corrections"), url.Values{"kind": {"correction"}, "text": {"A name was misspelled."}})
	wantStatus(t, "correction", res, body, 303)
	revs, _ := h.st.FindRevisions(h.ctx, a.ID)
	res, body = h.uploadTo(news.RoleEditor, "/newsroom/photos", "p.jpg", jpegBytes(t, 640, 400, 10), url.Values{"caption": {"A caption"}, "credit": {"Yonhap"}, "alt": {"Alt"}})
	wantStatus(t, "upload", res, body, 201)
	var ph inlinePhoto
	if err := json.Unmarshal([]byte(body), &ph); err != nil {
		t.Fatal(err)
	}
	// Profile links, a hidden section, a newsletter list with subscribers
	// (the dashboard's growth chart) and comments (the story list's
	// column), as the pages of issue 13's second round show them.
	au, _ := h.st.FindAuthorByID(h.ctx, ed.AuthorID)
	au.Links = []news.AuthorLink{{Kind: "website", URL: "https://ed.example/"}, {Kind: "x", URL: "https://x.com/ed"}}
	if err := h.st.UpdateAuthor(h.ctx, au); err != nil {
		t.Fatal(err)
	}
	if s, err := h.st.FindSectionBySlug(h.ctx, "business"); err == nil {
		s.Hidden = true
		if err := h.st.UpdateSection(h.ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	ns := h.st.(news.NewsletterStore)
	l := &news.NewsletterList{Slug: "audit-daily", Name: "The Audit Daily", Kind: news.ListDigest, CreatedAt: h.clock.Now()}
	if err := ns.CreateNewsletterList(h.ctx, l); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		sub, err := ns.Subscribe(h.ctx, l.ID, 0, fmt.Sprintf("r%d@readers.test", i), h.clock.Now().AddDate(0, 0, -i*5))
		if err != nil {
			t.Fatal(err)
		}
		if err := ns.SetSubscriptionStatus(h.ctx, sub.ID, news.SubActive, h.clock.Now().AddDate(0, 0, -i*5)); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.st.(news.CommentStore).CreateComment(h.ctx, &news.Comment{ArticleID: a.ID, AuthorName: "Reader", Body: "Good.", Status: news.CommentApproved, CreatedAt: h.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	// The newsletters desk (internal/readers, on the same mux as serve
	// puts it) with a send in progress: its progress table and the open
	// tracking switch.
	rs, ok := h.st.(readers.Store)
	if !ok {
		t.Fatal("the store is not a readers.Store")
	}
	rd, err := readers.New(h.ctx, readers.Config{Paper: h.nr.paper(), Store: rs, Clock: h.clock,
		Shell: site.New(site.Config{Paper: h.nr.paper(), Store: h.st, Clock: h.clock, Logger: slog.New(slog.DiscardHandler)})})
	if err != nil {
		t.Fatal(err)
	}
	rd.Register(h.mux)
	if _, err := readers.SendStory(h.ctx, rs, a.ID, l.ID, ed.ID, h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	return []string{"/newsroom/media", fmt.Sprintf("/newsroom/media/%d", ph.ID), fmt.Sprintf("/newsroom/media?for=%d", a.ID),
		"/newsroom/", "/newsroom/stories", "/newsroom/stories?status=published", "/newsroom/stories/new",
		storyPath(a, ""), storyPath(d, ""), storyPath(a, "/revisions"),
		storyPath(a, fmt.Sprintf("/diff?a=%d&b=%d", revs[len(revs)-1].ID, revs[0].ID)), storyPath(d, "/preview"),
		"/newsroom/frontpage", "/newsroom/audit", "/newsroom/users", "/newsroom/sections", "/newsroom/settings", "/newsroom/account",
		"/newsroom/trash", "/newsroom/tags", "/newsroom/authors", fmt.Sprintf("/newsroom/authors/%d", ed.AuthorID), "/newsroom/forgot", "/newsroom/no-such-page",
		"/newsroom/newsletters", "/newsroom/comments",
		"/newsroom/pages", "/newsroom/pages/new", fmt.Sprintf("/newsroom/pages/%d", auditStaticPage(t, h).ID), "/newsroom/inbox", "/newsroom/inbox?all=1",
	}
}

// TestNewsroomPagesAxe runs axe-core in Chromium on every newsroom page, as
// an admin sees it once its scripts ran (the rich editor's toolbar and
// fields included): no serious or critical violation, at desktop width and
// at 390 px, where no page may be wider than the screen (the story list
// overflowed there).
func TestNewsroomPagesAxe(t *testing.T) {
	src := browsertest.AxeSource(t)
	h := newHarness(t)
	pages := auditPages(t, h)
	b := newBrowser(t, h, 1280, 900)
	admin := h.users[news.RoleAdmin]
	if err := auth.SetPassword(h.ctx, h.st, admin, 0, "correct horse 42"); err != nil {
		t.Fatal(err)
	}
	b.signIn("/newsroom/", admin.Email, "correct horse 42", `nav[aria-label="Newsroom"]`)
	for _, width := range []int{1280, 390} {
		b.run("width", chromedp.EmulateViewport(int64(width), 900))
		for _, p := range pages {
			b.run(p, chromedp.Navigate(b.url+p), chromedp.WaitVisible(chromedp.CSS("main")))
			if strings.Contains(p, "/stories/") && !strings.HasSuffix(p, "/revisions") && !strings.Contains(p, "/diff") && !strings.HasSuffix(p, "/preview") ||
				strings.HasPrefix(p, "/newsroom/pages/") {
				b.run(p, chromedp.WaitVisible(chromedp.CSS("#body-rich .editable")))
			}
			// The newsroom works on a phone: nothing is wider than the screen.
			if w := evalIn[int](b, `document.documentElement.scrollWidth`); w > width {
				t.Errorf("%s at %d px: the page is %d px wide", p, width, w)
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
	for _, e := range b.pageErrors() {
		if !strings.Contains(e, "/newsroom/no-such-page") { // the 404 page is meant to be one
			t.Errorf("a page logged an error: %s", e)
		}
	}
}

// TestNewsroomPagesNuChecker saves every newsroom page as the server sends
// it and runs the W3C Nu checker (vnu) on the files: no errors.
func TestNewsroomPagesNuChecker(t *testing.T) {
	if testing.Short() {
		t.Skip("vnu is slow to start")
	}
	h := newHarness(t)
	pages := append(auditPages(t, h), "/newsroom/signin")
	var bodies []string
	for _, p := range pages {
		role := news.RoleAdmin
		if p == "/newsroom/signin" {
			role = ""
		}
		_, body := h.do(role, "GET", p, nil)
		bodies = append(bodies, body)
	}
	browsertest.NuCheck(t, pages, bodies)
}
