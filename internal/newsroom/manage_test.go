package newsroom

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"masthead/internal/news"
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
