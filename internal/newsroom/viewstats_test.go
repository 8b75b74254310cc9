package newsroom

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"masthead/internal/news"
	"masthead/internal/views"
)

// addViews stores counts for a story at hours relative to t0.
func (h *harness) addViews(id int64, counts map[int]int64) {
	h.t.Helper()
	var vc []news.ViewCount
	for rel, n := range counts {
		vc = append(vc, news.ViewCount{ArticleID: id, Hour: t0.Add(time.Duration(rel) * time.Hour), Count: n})
	}
	if err := h.st.AddViews(h.ctx, vc); err != nil {
		h.t.Fatal(err)
	}
}

var (
	rectRe  = regexp.MustCompile(`<rect class="bar[^"]*"[^>]*height="([0-9.]+)"[^>]*><title>([^<]*)</title>`)
	tableRe = regexp.MustCompile(`(?s)<table class="views-table">.*?</table>`)
	rowRe   = regexp.MustCompile(`<tr><td>([^<]*)</td><td class="num">(\d+)</td></tr>`)
)

// TestStoryViewChart: a published story's page shows its last 48 hours as
// 48 SVG bars, the totals and busiest hour as text, and the same numbers in
// a table; hours outside the window are left out; nothing is styled inline.
func TestStoryViewChart(t *testing.T) {
	h := newHarness(t)
	rep := h.users[news.RoleReporter]
	a := h.story(rep, "Counted story", news.StatusPublished)
	b := h.story(rep, "Another story", news.StatusPublished)
	// t0 is 00:00 UTC (09:00 KST); the clock runs half an hour into it.
	h.clock.Set(t0.Add(30 * time.Minute))
	h.addViews(a.ID, map[int]int64{-60: 1000, -48: 500, -47: 5, -30: 6, -23: 3, -2: 40, 0: 7})
	h.addViews(b.ID, map[int]int64{-2: 999}) // another story's views stay its own

	for _, role := range []news.Role{news.RoleEditor, news.RoleAdmin, news.RoleReporter} {
		res, body := h.do(role, "GET", storyPath(a, ""), nil)
		wantStatus(t, string(role)+" story page", res, body, http.StatusOK)
		// 48 hours: -47 .. 0; last 24: from the start of the hour that
		// holds now-24h (-24) on.
		wantSummary := "61 views in the last 48 hours, 50 in the last 24. Busiest hour: 2026-03-22 07:00 KST, with 40."
		if !strings.Contains(body, wantSummary) {
			t.Fatalf("%s: no summary %q in\n%s", role, wantSummary, section(body, `id="views"`))
		}
		bars := rectRe.FindAllStringSubmatch(body, -1)
		if len(bars) != chartHours {
			t.Fatalf("%s: %d bars, want %d", role, len(bars), chartHours)
		}
		if bars[0][2] != "03-20 10:00: 5 views" || bars[47][2] != "03-22 09:00: 7 views" || bars[45][2] != "03-22 07:00: 40 views" {
			t.Errorf("%s: bar labels %q, %q, %q", role, bars[0][2], bars[45][2], bars[47][2])
		}
		// The peak (40) reaches the top of a 50-view scale: 120*40/50.
		if bars[45][1] != "96" || bars[1][1] != "0" {
			t.Errorf("%s: bar heights %s (peak), %s (empty)", role, bars[45][1], bars[1][1])
		}
		if !strings.Contains(bars[47][0], `class="bar current"`) {
			t.Errorf("%s: the running hour is not marked: %s", role, bars[47][0])
		}
		rows := rowRe.FindAllStringSubmatch(tableRe.FindString(body), -1)
		if len(rows) != chartHours {
			t.Fatalf("%s: table has %d rows, want %d", role, len(rows), chartHours)
		}
		var sum int
		for _, r := range rows {
			var n int
			fmt.Sscan(r[2], &n)
			sum += n
		}
		if sum != 61 || rows[47][1] != "03-22 09:00 (so far)" {
			t.Errorf("%s: table sums to %d, last row %q", role, sum, rows[47][1])
		}
		if strings.Contains(body, "style=") {
			t.Errorf("%s: inline style on the page (the CSP forbids it)", role)
		}
		if !strings.Contains(body, `<details>`) || !strings.Contains(body, `role="img" aria-labelledby="views-title views-summary"`) {
			t.Errorf("%s: chart without its text alternative or table fallback", role)
		}
		if csp := res.Header.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP allows unsafe-inline: %s", csp)
		}
	}
	// Another writer may not open the story at all.
	res, _ := h.do(news.RoleContributor, "GET", storyPath(a, ""), nil)
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("contributor opened another writer's story: %d", res.StatusCode)
	}

	// A draft has no readers: no chart.
	d := h.story(rep, "Unseen draft", news.StatusDraft)
	_, body := h.do(news.RoleEditor, "GET", storyPath(d, ""), nil)
	if strings.Contains(body, `id="views"`) {
		t.Error("a draft shows a views chart")
	}
	// A published story nobody read says so, without an empty chart.
	c := h.story(rep, "Unread story", news.StatusPublished)
	_, body = h.do(news.RoleEditor, "GET", storyPath(c, ""), nil)
	if !strings.Contains(body, "No views counted in the last 48 hours.") || strings.Contains(body, "<svg") {
		t.Errorf("unread story:\n%s", section(body, `id="views"`))
	}
	// An unpublished story keeps its history.
	if err := h.flow.Unpublish(h.ctx, h.users[news.RoleEditor], b.ID); err != nil {
		t.Fatal(err)
	}
	_, body = h.do(news.RoleEditor, "GET", storyPath(b, ""), nil)
	if !strings.Contains(body, "999 views in the last 48 hours") {
		t.Errorf("unpublished story:\n%s", section(body, `id="views"`))
	}
}

// TestStoryViewChartCounter: with the views counter wired in, the chart
// includes beacons not yet written to the store.
func TestStoryViewChartCounter(t *testing.T) {
	h := newHarness(t)
	a := h.story(h.users[news.RoleReporter], "Being read", news.StatusPublished)
	h.clock.Set(t0.Add(10 * time.Minute))
	h.addViews(a.ID, map[int]int64{-1: 4})
	c, err := views.New(views.Config{Store: h.st, Clock: h.clock, Paper: h.nr.paper()})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	c.Register(mux)
	for i := range 3 {
		r := httptest.NewRequest("POST", "/api/v1/views", strings.NewReader(fmt.Sprintf(`{"article_id": %d}`, a.ID)))
		r.Header.Set("Content-Type", "text/plain;charset=UTF-8")
		r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36")
		r.RemoteAddr = fmt.Sprintf("198.51.100.%d:4000", i+1)
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		if w.Code != http.StatusNoContent {
			t.Fatalf("beacon: %d %s", w.Code, w.Body)
		}
	}
	h.nr.cfg.Views = c
	_, body := h.do(news.RoleEditor, "GET", storyPath(a, ""), nil)
	if !strings.Contains(body, "7 views in the last 48 hours, 7 in the last 24.") {
		t.Fatalf("unwritten beacons missing:\n%s", section(body, `id="views"`))
	}
}

// TestStoryListViews: the story list shows each story's last-24-hours
// count, a dash for stories never on the site, and right counts for stories
// beyond the single ranking query (the long tail, counted one by one).
func TestStoryListViews(t *testing.T) {
	h := newHarness(t)
	rep := h.users[news.RoleReporter]
	a := h.story(rep, "Read story", news.StatusPublished)
	d := h.story(rep, "Draft story", news.StatusDraft)
	h.clock.Set(t0.Add(30 * time.Minute))
	h.addViews(a.ID, map[int]int64{-30: 100, -24: 2, -1: 3, 0: 4})

	for _, role := range []news.Role{news.RoleEditor, news.RoleReporter} {
		res, body := h.do(role, "GET", "/newsroom/stories", nil)
		wantStatus(t, "list", res, body, http.StatusOK)
		if got := listCount(body, a.ID); got != "9" {
			t.Errorf("%s: read story shows %q, want 9", role, got)
		}
		if got := listCount(body, d.ID); !strings.Contains(got, "–") {
			t.Errorf("%s: draft shows %q, want a dash", role, got)
		}
	}

	// More stories with views than the ranking query returns: the least
	// read are the newest, so they are on the first page.
	var tail []*news.Article
	for i := range topScan + 5 {
		x := &news.Article{Headline: fmt.Sprintf("Tail %d", i), Slug: fmt.Sprintf("tail-%d", i), Status: news.StatusPublished,
			PublishedAt: t0.Add(-time.Hour), UpdatedAt: t0.Add(time.Duration(i) * time.Second), Lang: "en"}
		if err := h.st.CreateArticle(h.ctx, x); err != nil {
			t.Fatal(err)
		}
		h.addViews(x.ID, map[int]int64{-1: int64(1000 - i)})
		tail = append(tail, x)
	}
	_, body := h.do(news.RoleEditor, "GET", "/newsroom/stories", nil)
	for i := len(tail) - 10; i < len(tail); i++ {
		x, want := tail[i], fmt.Sprint(1000-i)
		if got := listCount(body, x.ID); got != want {
			t.Errorf("%s: %q, want %s", x.Headline, got, want)
		}
	}
}

// listCount is the views cell of a story's row in the list.
func listCount(body string, id int64) string {
	re := regexp.MustCompile(`(?s)<a href="/newsroom/stories/` + fmt.Sprint(id) + `">.*?<td class="num"[^>]*>(.*?)</td>`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		return "(no row)"
	}
	return m[1]
}

// section is the part of a page from marker on, for failure messages.
func section(body, marker string) string {
	if i := strings.Index(body, marker); i >= 0 {
		body = body[i:]
	}
	if len(body) > 1500 {
		body = body[:1500]
	}
	return body
}

// BenchmarkStoryList is the story list page (50 rows) on a paper with 500
// stories read in the last day: the one ranking query against the same
// page with every row's count missing from it (the long tail, per row).
func BenchmarkStoryList(b *testing.B) {
	h := newHarness(b)
	var vc []news.ViewCount
	for i := range 500 {
		x := &news.Article{Headline: fmt.Sprintf("Story %d", i), Slug: fmt.Sprintf("story-%d", i), Status: news.StatusPublished,
			PublishedAt: t0.Add(-time.Hour), UpdatedAt: t0.Add(time.Duration(i) * time.Second), Lang: "en",
			BodyHTML: strings.Repeat("<p>A paragraph of a story of ordinary length.</p>", 40)}
		if err := h.st.CreateArticle(h.ctx, x); err != nil {
			b.Fatal(err)
		}
		for hr := range 24 {
			vc = append(vc, news.ViewCount{ArticleID: x.ID, Hour: t0.Add(-time.Duration(hr) * time.Hour), Count: int64(i + 1)})
		}
	}
	if err := h.st.AddViews(h.ctx, vc); err != nil {
		b.Fatal(err)
	}
	h.clock.Set(t0.Add(30 * time.Minute))
	for _, c := range []struct {
		name  string
		order string // the newest stories are the most read, or the least
	}{{"newest-most-read", ""}, {"long-tail", "tail"}} {
		b.Run(c.name, func(b *testing.B) {
			if c.order == "tail" {
				// Reverse: the newest-updated are now the least read.
				for i := range 500 {
					a, err := h.st.FindArticleByID(h.ctx, int64(i+1))
					if err != nil {
						continue
					}
					a.UpdatedAt = t0.Add(-time.Duration(i) * time.Second)
					if err := h.st.UpdateArticle(h.ctx, a); err != nil {
						b.Fatal(err)
					}
				}
			}
			for b.Loop() {
				res, _ := h.do(news.RoleEditor, "GET", "/newsroom/stories", nil)
				if res.StatusCode != http.StatusOK {
					b.Fatal(res.Status)
				}
			}
		})
	}
}
