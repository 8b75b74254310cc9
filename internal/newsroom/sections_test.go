package newsroom

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"masthead/internal/feed"
	"masthead/internal/news"
	"masthead/internal/workflow"
)

func (h *harness) section(slug, name string, pos int) *news.Section {
	h.t.Helper()
	s := &news.Section{Slug: slug, Name: name, Position: pos}
	if err := h.st.CreateSection(h.ctx, s); err != nil {
		h.t.Fatal(err)
	}
	return s
}

func (h *harness) inSection(a *news.Article, s *news.Section) *news.Article {
	h.t.Helper()
	d := workflow.DraftOf(a)
	d.SectionID = s.ID
	a, err := h.flow.Save(h.ctx, h.users[news.RoleEditor], a.ID, d, "")
	if err != nil {
		h.t.Fatal(err)
	}
	return a
}

func secForm(s *news.Section, kv ...string) url.Values {
	f := url.Values{"version": {fmt.Sprint(s.Version)}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return f
}

// TestSectionMerge: merging asks first, then moves every story of the
// section (published, draft) to the other, removes it from the navigation,
// and its old address answers 301 to the other section's; an editor may
// not merge, and a merge against an old version changes nothing.
func TestSectionMerge(t *testing.T) {
	h := newHarness(t)
	typo := h.section("nort-korea", "Nort Korea", 1)
	nk := h.section("north-korea", "North Korea", 2)
	pub := h.inSection(h.story(h.users[news.RoleEditor], "Summit set", news.StatusPublished), typo)
	draft := h.inSection(h.story(h.users[news.RoleReporter], "Draft on the summit", news.StatusDraft), typo)
	typo, _ = h.st.FindSectionByID(h.ctx, typo.ID)
	path := fmt.Sprintf("/newsroom/sections/%d/merge", typo.ID)

	if res, _ := h.do(news.RoleEditor, "POST", path, secForm(typo, "into", fmt.Sprint(nk.ID), "confirm", "yes")); res.StatusCode != 403 {
		t.Errorf("an editor merged sections: %d", res.StatusCode)
	}
	res, body := h.do(news.RoleAdmin, "POST", path, secForm(typo, "into", fmt.Sprint(nk.ID)))
	wantStatus(t, "merge, unconfirmed", res, body, 200)
	if !strings.Contains(body, "Merge Nort Korea into North Korea?") || !strings.Contains(body, `name="confirm" value="yes"`) {
		t.Errorf("the merge does not ask first:\n%s", body)
	}
	if got := h.find(pub.ID); got.SectionID != typo.ID {
		t.Fatal("an unconfirmed merge moved a story")
	}
	// Another admin saves the section meanwhile.
	stale := *typo
	typo.Description = "Misspelt by an import"
	if err := h.st.UpdateSection(h.ctx, typo); err != nil {
		t.Fatal(err)
	}
	res, body = h.do(news.RoleAdmin, "POST", path, secForm(&stale, "into", fmt.Sprint(nk.ID), "confirm", "yes"))
	wantStatus(t, "stale merge", res, body, 409)
	if got := h.find(pub.ID); got.SectionID != typo.ID {
		t.Fatal("a stale merge moved a story")
	}
	res, body = h.do(news.RoleAdmin, "POST", path, secForm(typo, "into", fmt.Sprint(nk.ID), "confirm", "yes"))
	wantStatus(t, "merge", res, body, 303)
	for _, a := range []*news.Article{pub, draft} {
		if got := h.find(a.ID); got.SectionID != nk.ID {
			t.Errorf("%q is in section %d after the merge, want %d", got.Headline, got.SectionID, nk.ID)
		}
	}
	if _, err := h.st.FindSectionByID(h.ctx, typo.ID); err == nil {
		t.Error("the merged section is still there")
	}
	res, _ = h.do("", "GET", "/section/nort-korea", nil)
	if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/section/north-korea" {
		t.Errorf("the merged section's address: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, front := h.do("", "GET", "/", nil)
	if strings.Contains(front, "Nort Korea") {
		t.Error("the merged section is still in the navigation")
	}
	audit, _ := h.st.ListAudit(h.ctx, 5)
	if len(audit) == 0 || !strings.Contains(audit[0].Detail, "merged /section/nort-korea into /section/north-korea (2 stories)") {
		t.Errorf("audit after the merge: %+v", audit)
	}
}

// TestSectionDeleteWhenEmpty: a section with stories (a trashed one
// counts) cannot be deleted and the page says why; an empty one (the typo
// an import made) can, after a confirmation, and its address is a 404.
func TestSectionDeleteWhenEmpty(t *testing.T) {
	h := newHarness(t)
	used := h.section("world", "World", 1)
	empty := h.section("wrold", "Wrold", 2)
	h.inSection(h.story(h.users[news.RoleEditor], "Elsewhere", news.StatusDraft), used)
	used, _ = h.st.FindSectionByID(h.ctx, used.ID)
	res, body := h.do(news.RoleAdmin, "POST", fmt.Sprintf("/newsroom/sections/%d/delete", used.ID), secForm(used, "confirm", "yes"))
	wantStatus(t, "delete a section with stories", res, body, 422)
	if !strings.Contains(body, "World has 1 story") || !strings.Contains(body, "merge it into another section") {
		t.Errorf("the refusal does not say why:\n%s", body)
	}
	if _, err := h.st.FindSectionByID(h.ctx, used.ID); err != nil {
		t.Fatalf("a refused delete removed the section: %v", err)
	}
	res, body = h.do(news.RoleAdmin, "POST", fmt.Sprintf("/newsroom/sections/%d/delete", empty.ID), secForm(empty))
	wantStatus(t, "delete, unconfirmed", res, body, 200)
	if !strings.Contains(body, "Delete the section Wrold?") {
		t.Error("the delete does not ask first")
	}
	res, body = h.do(news.RoleAdmin, "POST", fmt.Sprintf("/newsroom/sections/%d/delete", empty.ID), secForm(empty, "confirm", "yes"))
	wantStatus(t, "delete", res, body, 303)
	if _, err := h.st.FindSectionByID(h.ctx, empty.ID); err == nil {
		t.Error("the empty section is still there")
	}
	if res, _ := h.do("", "GET", "/section/wrold", nil); res.StatusCode != 404 {
		t.Errorf("the deleted section's address: %d", res.StatusCode)
	}
	if res, _ := h.do(news.RoleAdmin, "POST", fmt.Sprintf("/newsroom/sections/%d/delete", used.ID), url.Values{"confirm": {"yes"}}); res.StatusCode != 422 {
		t.Errorf("a delete without a version: %d", res.StatusCode)
	}
}

// TestSectionHideAndVersions: a hidden section leaves the navigation but
// keeps its page; a save against an old version is refused and changes
// nothing; a rename to a Korean address redirects from the old one.
func TestSectionHideAndVersions(t *testing.T) {
	h := newHarness(t)
	s := h.section("obits", "Obituaries", 1)
	h.section("world", "World", 2)
	res, body := h.do(news.RoleAdmin, "POST", fmt.Sprintf("/newsroom/sections/%d", s.ID), secForm(s, "name", "Obituaries", "hidden", "on"))
	wantStatus(t, "hide", res, body, 303)
	_, front := h.do("", "GET", "/", nil)
	if strings.Contains(front, `href="/section/obits"`) || !strings.Contains(front, `href="/section/world"`) {
		t.Error("the navigation shows the hidden section, or lost the other")
	}
	if res, _ := h.do("", "GET", "/section/obits", nil); res.StatusCode != 200 {
		t.Errorf("a hidden section's page: %d", res.StatusCode)
	}
	_, page := h.do(news.RoleAdmin, "GET", "/newsroom/sections", nil)
	if !strings.Contains(page, `name="hidden" checked`) {
		t.Error("the sections page does not show the section as hidden")
	}
	// s is at version 1; the store is at 2.
	res, body = h.do(news.RoleAdmin, "POST", fmt.Sprintf("/newsroom/sections/%d", s.ID), secForm(s, "name", "Deaths"))
	wantStatus(t, "stale save", res, body, 409)
	if got, _ := h.st.FindSectionByID(h.ctx, s.ID); got.Name != "Obituaries" || !got.Hidden {
		t.Errorf("a stale save changed the section: %+v", got)
	}
	res, body = h.do(news.RoleAdmin, "POST", fmt.Sprintf("/newsroom/sections/%d/move", s.ID), secForm(s, "dir", "down"))
	wantStatus(t, "stale move", res, body, 409)
	cur, _ := h.st.FindSectionByID(h.ctx, s.ID)
	res, body = h.do(news.RoleAdmin, "POST", fmt.Sprintf("/newsroom/sections/%d", s.ID), secForm(cur, "name", "부고", "slug", "부고"))
	wantStatus(t, "Korean address", res, body, 303)
	res, _ = h.do("", "GET", "/section/obits", nil)
	if loc := res.Header.Get("Location"); res.StatusCode != 301 || loc != "/section/%EB%B6%80%EA%B3%A0" {
		t.Errorf("the old address: %d → %q", res.StatusCode, loc)
	}
	if res, _ := h.do("", "GET", "/section/%EB%B6%80%EA%B3%A0", nil); res.StatusCode != 200 {
		t.Errorf("the new address: %d", res.StatusCode)
	}
}

// TestStoryListCommentCounts: the story list counts each story's
// published comments (held and rejected ones do not count).
func TestStoryListCommentCounts(t *testing.T) {
	h := newHarness(t)
	cs, ok := h.st.(news.CommentStore)
	if !ok {
		t.Fatal("the store keeps no comments")
	}
	a := h.story(h.users[news.RoleEditor], "Much discussed", news.StatusPublished)
	h.story(h.users[news.RoleEditor], "Quiet story", news.StatusPublished)
	for i, status := range []string{news.CommentApproved, news.CommentApproved, news.CommentPending, news.CommentRejected} {
		c := &news.Comment{ArticleID: a.ID, AuthorName: fmt.Sprintf("Reader %d", i), Body: "A thought.", Status: status, CreatedAt: t0}
		if err := cs.CreateComment(h.ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	res, body := h.do(news.RoleEditor, "GET", "/newsroom/stories", nil)
	wantStatus(t, "story list", res, body, 200)
	if !strings.Contains(body, `<th scope="col" class="num">Comments</th>`) {
		t.Fatal("the story list has no comments column")
	}
	if !strings.Contains(body, `aria-label="2 comments on Much discussed">2</a>`) {
		t.Errorf("the story list does not count 2 published comments:\n%s", body)
	}
}

// TestDashboardListGrowth: an editor's dashboard draws each newsletter
// list's subscribers over the last 30 days, as SVG and as a table, from
// the confirmations and departures the store counted; a reporter's does
// not show it.
func TestDashboardListGrowth(t *testing.T) {
	h := newHarness(t)
	ns, ok := h.st.(news.NewsletterStore)
	if !ok {
		t.Fatal("the store keeps no newsletters")
	}
	l := &news.NewsletterList{Slug: "daily", Name: "The Daily", Kind: news.ListDigest, CreatedAt: t0.AddDate(0, 0, -40)}
	if err := ns.CreateNewsletterList(h.ctx, l); err != nil {
		t.Fatal(err)
	}
	join := func(addr string, at time.Time) *news.Subscription {
		s, err := ns.Subscribe(h.ctx, l.ID, 0, addr, at)
		if err != nil {
			t.Fatal(err)
		}
		if err := ns.SetSubscriptionStatus(h.ctx, s.ID, news.SubActive, at); err != nil {
			t.Fatal(err)
		}
		return s
	}
	join("a@readers.test", t0.AddDate(0, 0, -35)) // before the window
	join("b@readers.test", t0.AddDate(0, 0, -10))
	join("c@readers.test", t0.AddDate(0, 0, -2))
	gone := join("d@readers.test", t0.AddDate(0, 0, -2))
	if err := ns.SetSubscriptionStatus(h.ctx, gone.ID, news.SubUnsubscribed, t0.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	res, body := h.do(news.RoleEditor, "GET", "/newsroom/", nil)
	wantStatus(t, "dashboard", res, body, 200)
	for _, want := range []string{
		"Newsletter subscribers, last 30 days",
		"The Daily: 3 subscribers today; 3 joined and 1 left in the last 30 days.",
		`<title id="growth-1-t">Subscribers of The Daily per day (UTC)</title>`,
		// 30 days back: only a; 10 days back: b joined; 2 days back: c and d.
		"<tr><td>02-21</td><td class=\"num\">1</td>",
		"<tr><td>03-12</td><td class=\"num\">2</td><td class=\"num\">1</td>",
		"<tr><td>03-20</td><td class=\"num\">4</td><td class=\"num\">2</td>",
		"<tr><td>03-21</td><td class=\"num\">3</td><td class=\"num\">0</td><td class=\"num\">1</td>",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the dashboard lacks %s", want)
		}
	}
	if n := strings.Count(body, `<rect class="bar`); n != 30 {
		t.Errorf("%d bars, want 30", n)
	}
	_, rep := h.do(news.RoleReporter, "GET", "/newsroom/", nil)
	if strings.Contains(rep, "Newsletter subscribers") {
		t.Error("a reporter's dashboard shows newsletter growth")
	}
}

// TestRenamedFeedsRedirect: the feeds of a renamed section and of a merged
// tag answer 301 to the feeds of their new addresses (feed readers keep
// the new one); an address that never existed is still a 404.
func TestRenamedFeedsRedirect(t *testing.T) {
	h := newHarness(t)
	feed.New(feed.Config{Paper: h.nr.paper(), Store: h.st, Clock: h.clock}).Register(h.mux)
	s := h.section("nk", "NK", 1)
	ed := h.users[news.RoleEditor]
	a, err := h.flow.Create(h.ctx, ed, workflow.Draft{Headline: "Feeds follow", BodyMarkdown: "x", SectionID: s.ID, Tags: []string{"DPRK", "North Korea"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.flow.Publish(h.ctx, ed, a.ID, h.find(a.ID).Version); err != nil {
		t.Fatal(err)
	}
	s, _ = h.st.FindSectionByID(h.ctx, s.ID)
	res, body := h.do(news.RoleAdmin, "POST", fmt.Sprintf("/newsroom/sections/%d", s.ID), secForm(s, "name", "북한", "slug", "북한"))
	wantStatus(t, "rename", res, body, 303)
	dprk, _ := h.st.FindTagBySlug(h.ctx, "dprk")
	nk, _ := h.st.FindTagBySlug(h.ctx, "north-korea")
	res, body = h.do(news.RoleEditor, "POST", fmt.Sprintf("/newsroom/tags/%d/merge", dprk.ID), url.Values{"into": {fmt.Sprint(nk.ID)}, "confirm": {"yes"}, "version": {fmt.Sprint(dprk.Version)}})
	wantStatus(t, "merge", res, body, 303)
	for from, to := range map[string]string{
		"/section/nk/feed.xml":  "/section/%EB%B6%81%ED%95%9C/feed.xml",
		"/section/nk/feed.json": "/section/%EB%B6%81%ED%95%9C/feed.json",
		"/tag/dprk/atom.xml":    "/tag/north-korea/atom.xml",
	} {
		res, _ := h.do("", "GET", from, nil)
		if res.StatusCode != 301 || res.Header.Get("Location") != to {
			t.Errorf("%s: %d → %q, want 301 → %s", from, res.StatusCode, res.Header.Get("Location"), to)
		}
		if res, body := h.do("", "GET", to, nil); res.StatusCode != 200 || !strings.Contains(body, "Feeds follow") {
			t.Errorf("%s: %d", to, res.StatusCode)
		}
	}
	if res, _ := h.do("", "GET", "/section/never/feed.xml", nil); res.StatusCode != 404 {
		t.Errorf("a feed that never existed: %d", res.StatusCode)
	}
}
