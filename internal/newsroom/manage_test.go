package newsroom

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"masthead/internal/news"
	"masthead/internal/workflow"
)

// TestDashboardShowsWhatNeedsMe: the editor's dashboard lists the stories
// in review, counts what goes live today, shows the latest correction and
// today's most read, and links to the site.
func TestDashboardShowsWhatNeedsMe(t *testing.T) {
	h := newHarness(t)
	ed := h.users[news.RoleEditor]
	h.story(h.users[news.RoleReporter], "Waiting for review", news.StatusReview)
	h.story(h.users[news.RoleReporter], "Goes live within the hour", news.StatusScheduled)
	pub := h.story(ed, "Read by many", news.StatusPublished)
	res, body := h.do(news.RoleEditor, "POST", storyPath(pub, "/corrections"), url.Values{"kind": {"correction"}, "text": {"The date was wrong."}})
	wantStatus(t, "correction", res, body, 303)
	hour := h.clock.Now().Truncate(time.Hour)
	if err := h.st.AddViews(h.ctx, []news.ViewCount{{ArticleID: pub.ID, Hour: hour, Count: 42}}); err != nil {
		t.Fatal(err)
	}
	res, body = h.do(news.RoleEditor, "GET", "/newsroom/", nil)
	wantStatus(t, "dashboard", res, body, 200)
	for _, want := range []string{"Waiting for review", "Goes live within the hour", "1 today, 1 in all",
		"The date was wrong.", "Read by many</a> <span class=\"muted\">42 views</span>", `href="http://news.test/">View the site</a>`} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
}

// TestStoryListSearchFiltersCounts: the story list finds stories by words,
// filters by status, section, author and date, sorts, and counts each
// status for the same filters.
func TestStoryListSearchFiltersCounts(t *testing.T) {
	h := newHarness(t)
	rep, ed := h.users[news.RoleReporter], h.users[news.RoleEditor]
	sec := &news.Section{Slug: "business", Name: "Business", Position: 1}
	if err := h.st.CreateSection(h.ctx, sec); err != nil {
		t.Fatal(err)
	}
	a := h.story(rep, "Chip exports climb", news.StatusPublished)
	d := workflow.DraftOf(a)
	d.SectionID = sec.ID
	if _, err := h.flow.Save(h.ctx, ed, a.ID, d, ""); err != nil {
		t.Fatal(err)
	}
	h.story(rep, "Chip plant delayed", news.StatusDraft)
	h.story(ed, "Rain expected", news.StatusReview)
	h.story(h.other, "Chip tariffs", news.StatusReview)

	list := func(role news.Role, q string) string {
		t.Helper()
		res, body := h.do(role, "GET", "/newsroom/stories?"+q, nil)
		wantStatus(t, "list "+q, res, body, 200)
		return body
	}
	has := func(body string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("list lacks %q", w)
			}
		}
	}
	hasNot := func(body string, not ...string) {
		t.Helper()
		for _, w := range not {
			if strings.Contains(body, w) {
				t.Errorf("list has %q", w)
			}
		}
	}
	body := list(news.RoleEditor, "q=chip")
	has(body, "Chip exports climb", "Chip plant delayed", "Chip tariffs", "3 stories matching “chip”",
		`draft <span class="count">1</span>`, `review <span class="count">1</span>`, `published <span class="count">1</span>`, `All <span class="count">3</span>`)
	hasNot(body, "Rain expected")
	body = list(news.RoleEditor, "q=chip&status=review")
	has(body, "Chip tariffs", "1 story matching")
	hasNot(body, "Chip plant delayed")
	body = list(news.RoleEditor, fmt.Sprintf("section=%d", sec.ID))
	has(body, "Chip exports climb", "1 story.")
	body = list(news.RoleEditor, fmt.Sprintf("author=%d", ed.AuthorID))
	has(body, "Rain expected")
	hasNot(body, "Chip tariffs")
	day := a.PublishedAt.In(h.nr.paper.Loc()).Format("2006-01-02")
	body = list(news.RoleEditor, "from="+day+"&to="+day)
	has(body, "Chip exports climb", "1 story.")
	// A writer's search finds only their own stories, whatever the form says.
	body = list(news.RoleReporter, fmt.Sprintf("q=chip&author=%d", h.other.AuthorID))
	has(body, "Chip exports climb", "Chip plant delayed")
	hasNot(body, "Chip tariffs")
	// Bad dates are an error, not an empty list.
	res, _ := h.do(news.RoleEditor, "GET", "/newsroom/stories?from=yesterday", nil)
	if res.StatusCode != 422 && res.StatusCode != 400 {
		t.Errorf("a bad date: status %d", res.StatusCode)
	}
	// Sorting by best match keeps the filters.
	body = list(news.RoleEditor, "q=chip+exports&sort=relevance")
	if i, j := strings.Index(body, "Chip exports climb"), strings.Index(body, "Chip tariffs"); i < 0 || (j >= 0 && j < i) {
		t.Errorf("best match is not first")
	}
}

// TestLiveChangesAskFirst: restoring an old revision of a published story
// and unpublishing one show a question first and change nothing until it
// is confirmed (before, both went live on one click).
func TestLiveChangesAskFirst(t *testing.T) {
	h := newHarness(t)
	ed := h.users[news.RoleEditor]
	a := h.story(ed, "Before", news.StatusPublished)
	revs, _ := h.st.FindRevisions(h.ctx, a.ID)
	d := workflow.DraftOf(h.find(a.ID))
	d.Headline = "After"
	if _, err := h.flow.Save(h.ctx, ed, a.ID, d, ""); err != nil {
		t.Fatal(err)
	}
	restore := storyPath(a, fmt.Sprintf("/revisions/%d/restore", revs[len(revs)-1].ID))
	res, body := h.do(news.RoleEditor, "POST", restore, nil)
	wantStatus(t, "restore without confirming", res, body, 200)
	if !strings.Contains(body, "Restore a revision?") || !strings.Contains(body, `name="confirm" value="yes"`) || h.find(a.ID).Headline != "After" {
		t.Fatalf("restore did not ask first (headline now %q)", h.find(a.ID).Headline)
	}
	res, body = h.do(news.RoleEditor, "POST", restore, url.Values{"confirm": {"yes"}})
	wantStatus(t, "restore confirmed", res, body, 303)
	if h.find(a.ID).Headline != "Before" {
		t.Fatal("the confirmed restore did nothing")
	}
	res, body = h.do(news.RoleEditor, "POST", storyPath(a, "/unpublish"), nil)
	wantStatus(t, "unpublish without confirming", res, body, 200)
	if !strings.Contains(body, "Unpublish?") || h.statusOf(a) != news.StatusPublished {
		t.Fatal("unpublish did not ask first")
	}
	res, body = h.do(news.RoleEditor, "POST", storyPath(a, "/unpublish"), url.Values{"confirm": {"yes"}})
	wantStatus(t, "unpublish confirmed", res, body, 303)
	if h.statusOf(a) != news.StatusUnpublished {
		t.Fatal("the confirmed unpublish did nothing")
	}
	// A draft's revisions restore at once: nothing readers see changes.
	dr := h.story(ed, "Draft", news.StatusDraft)
	drevs, _ := h.st.FindRevisions(h.ctx, dr.ID)
	res, body = h.do(news.RoleEditor, "POST", storyPath(dr, fmt.Sprintf("/revisions/%d/restore", drevs[0].ID)), nil)
	wantStatus(t, "restore a draft", res, body, 303)
}

// TestPreviewLinks: the editor's preview renders the unsaved form as the
// reader page without saving; a preview link works without a session
// until it expires, is never indexed, and a forged or expired one is a 404.
func TestPreviewLinks(t *testing.T) {
	h := newHarness(t)
	a := h.story(h.users[news.RoleReporter], "Embargoed scoop", news.StatusDraft)
	form := url.Values{"headline": {"Unsaved headline"}, "body_html": {"<p>Unsaved <strong>text</strong></p><script>x</script>"}, "slug": {a.Slug}}
	res, body := h.do(news.RoleReporter, "POST", storyPath(a, "/preview"), form)
	wantStatus(t, "draft preview", res, body, 200)
	if !strings.Contains(body, "Unsaved headline") || !strings.Contains(body, "Unsaved <strong>text</strong>") || strings.Contains(body, "<script>x") ||
		!strings.Contains(body, `<meta name="robots" content="noindex, nofollow">`) || res.Header.Get("X-Robots-Tag") == "" {
		t.Fatalf("draft preview:\n%s", body)
	}
	if h.find(a.ID).Headline != "Embargoed scoop" {
		t.Fatal("the preview saved the story")
	}
	res, body = h.do(news.RoleReporter, "POST", storyPath(a, "/share"), url.Values{"days": {"3"}})
	wantStatus(t, "share", res, body, 200)
	m := regexp.MustCompile(`value="http://news.test(/preview/[A-Za-z0-9_-]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no preview link on the page:\n%s", body)
	}
	link := m[1]
	res, body = h.do("", "GET", link, nil)
	wantStatus(t, "preview link", res, body, 200)
	if !strings.Contains(body, "Embargoed scoop") || !strings.Contains(res.Header.Get("X-Robots-Tag"), "noindex") || res.Header.Get("Cache-Control") != "private, no-store" {
		t.Errorf("preview link page: headers %v", res.Header)
	}
	tampered := link[:len(link)-2] + "AA"
	if res, _ := h.do("", "GET", tampered, nil); res.StatusCode != 404 {
		t.Errorf("a forged link: status %d", res.StatusCode)
	}
	h.clock.Set(h.clock.Now().Add(73 * time.Hour))
	res, body = h.do("", "GET", link, nil)
	if res.StatusCode != 404 || !strings.Contains(body, "expired") || !strings.Contains(res.Header.Get("X-Robots-Tag"), "noindex") {
		t.Errorf("an expired link: status %d", res.StatusCode)
	}
}
