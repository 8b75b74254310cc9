package newsroom

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"masthead/internal/news"
	"masthead/internal/workflow"
)

// matrixCase is one action tried by every role through HTTP with a real
// session: run does it and reports whether the store changed.
type matrixCase struct {
	name    string
	allowed []news.Role
	// okStatus is the status of an allowed request (303 for form posts).
	okStatus int
	run      func(h *harness, role news.Role) (res *http.Response, body string, changed bool)
}

var (
	everyone = []news.Role{news.RoleContributor, news.RoleReporter, news.RoleEditor, news.RoleAdmin}
	writers  = []news.Role{news.RoleReporter, news.RoleEditor, news.RoleAdmin}
	editors  = []news.Role{news.RoleEditor, news.RoleAdmin}
	admins   = []news.Role{news.RoleAdmin}
)

func storyPath(a *news.Article, suffix string) string {
	return fmt.Sprintf("/newsroom/stories/%d%s", a.ID, suffix)
}

// saveForm is the editor form for a with a new headline.
func saveForm(a *news.Article, headline string) url.Values {
	v := url.Values{"headline": {headline}, "body": {a.BodyMarkdown}, "slug": {a.Slug}}
	for _, au := range a.Authors {
		v.Add("authors", fmt.Sprint(au.ID))
	}
	return v
}

func (h *harness) statusOf(a *news.Article) news.Status { return h.find(a.ID).Status }

var matrix = []matrixCase{
	{"create a story", everyone, 303, func(h *harness, r news.Role) (*http.Response, string, bool) {
		hl := "New by " + string(r)
		res, body := h.do(r, "POST", "/newsroom/stories", url.Values{"headline": {hl}, "body": {"Text."}})
		_, n, _ := h.st.FindArticles(h.ctx, news.ArticleFilter{AuthorID: h.users[r].AuthorID, Limit: 100})
		return res, body, n == 1
	}},
	{"edit own draft", everyone, 303, func(h *harness, r news.Role) (*http.Response, string, bool) {
		a := h.story(h.users[r], "Own draft", news.StatusDraft)
		res, body := h.do(r, "POST", storyPath(a, ""), saveForm(a, "Own draft, edited"))
		return res, body, h.find(a.ID).Headline == "Own draft, edited"
	}},
	{"edit own story in review", writers, 303, func(h *harness, r news.Role) (*http.Response, string, bool) {
		a := h.story(h.users[r], "Own review", news.StatusReview)
		res, body := h.do(r, "POST", storyPath(a, ""), saveForm(a, "Own review, edited"))
		return res, body, h.find(a.ID).Headline == "Own review, edited"
	}},
	{"edit own published story", editors, 303, func(h *harness, r news.Role) (*http.Response, string, bool) {
		a := h.story(h.users[r], "Own published", news.StatusPublished)
		res, body := h.do(r, "POST", storyPath(a, ""), saveForm(a, "Own published, edited"))
		return res, body, h.find(a.ID).Headline == "Own published, edited"
	}},
	{"open another's draft", editors, 200, func(h *harness, r news.Role) (*http.Response, string, bool) {
		a := h.story(h.other, "Secret draft", news.StatusDraft)
		res, body := h.do(r, "GET", storyPath(a, ""), nil)
		return res, body, strings.Contains(body, "Secret draft")
	}},
	{"edit another's draft", editors, 303, func(h *harness, r news.Role) (*http.Response, string, bool) {
		a := h.story(h.other, "Their draft", news.StatusDraft)
		res, body := h.do(r, "POST", storyPath(a, ""), saveForm(a, "Their draft, edited"))
		return res, body, h.find(a.ID).Headline == "Their draft, edited"
	}},
	{"submit own draft", everyone, 303, func(h *harness, r news.Role) (*http.Response, string, bool) {
		a := h.story(h.users[r], "To submit", news.StatusDraft)
		res, body := h.do(r, "POST", storyPath(a, "/submit"), nil)
		return res, body, h.statusOf(a) == news.StatusReview
	}},
	{"submit another's draft", editors, 303, func(h *harness, r news.Role) (*http.Response, string, bool) {
		a := h.story(h.other, "Theirs to submit", news.StatusDraft)
		res, body := h.do(r, "POST", storyPath(a, "/submit"), nil)
		return res, body, h.statusOf(a) == news.StatusReview
	}},
	{"publish own story", editors, 303, func(h *harness, r news.Role) (*http.Response, string, bool) {
		a := h.story(h.users[r], "To publish", news.StatusReview)
		res, body := h.do(r, "POST", storyPath(a, "/publish"), nil)
		return res, body, h.statusOf(a) == news.StatusPublished
	}},
	{"schedule", editors, 303, func(h *harness, r news.Role) (*http.Response, string, bool) {
		a := h.story(h.other, "To schedule", news.StatusReview)
		res, body := h.do(r, "POST", storyPath(a, "/schedule"), url.Values{"at": {"2026-03-22T10:30"}})
		return res, body, h.statusOf(a) == news.StatusScheduled
	}},
	{"unpublish", editors, 303, func(h *harness, r news.Role) (*http.Response, string, bool) {
		a := h.story(h.other, "To unpublish", news.StatusPublished)
		res, body := h.do(r, "POST", storyPath(a, "/unpublish"), url.Values{"confirm": {"yes"}})
		return res, body, h.statusOf(a) == news.StatusUnpublished
	}},
	{"unschedule", editors, 303, func(h *harness, r news.Role) (*http.Response, string, bool) {
		a := h.story(h.users[r], "Own scheduled", news.StatusScheduled)
		res, body := h.do(r, "POST", storyPath(a, "/withdraw"), nil)
		return res, body, h.statusOf(a) == news.StatusDraft
	}},
	{"correct", editors, 303, func(h *harness, r news.Role) (*http.Response, string, bool) {
		a := h.story(h.users[r], "To correct", news.StatusPublished)
		res, body := h.do(r, "POST", storyPath(a, "/corrections"), url.Values{"kind": {"correction"}, "text": {"Fixed a name."}})
		return res, body, len(h.find(a.ID).Corrections) == 1
	}},
	{"restore a revision of a published story", editors, 303, func(h *harness, r news.Role) (*http.Response, string, bool) {
		a := h.story(h.users[r], "Before", news.StatusPublished)
		revs, _ := h.st.FindRevisions(h.ctx, a.ID)
		if _, err := h.flow.Save(h.ctx, h.users[news.RoleEditor], a.ID, workflow.Draft{Headline: "After", AuthorIDs: []int64{h.users[r].AuthorID}}, ""); err != nil {
			h.t.Fatal(err)
		}
		res, body := h.do(r, "POST", storyPath(a, fmt.Sprintf("/revisions/%d/restore", revs[len(revs)-1].ID)), url.Values{"confirm": {"yes"}})
		return res, body, h.find(a.ID).Headline == "Before"
	}},
	{"curate the front page", editors, 303, func(h *harness, r news.Role) (*http.Response, string, bool) {
		a := h.story(h.other, "Front", news.StatusPublished)
		_ = h.st.PutSetting(h.ctx, news.FrontPageKey, "[]")
		_, version, _ := workflow.FrontPage(h.ctx, h.st)
		res, body := h.do(r, "POST", "/newsroom/frontpage", url.Values{fmt.Sprintf("pos_%d", a.ID): {"1"}, "version": {fmt.Sprint(version)}})
		ids, _, _ := workflow.FrontPage(h.ctx, h.st)
		return res, body, len(ids) == 1 && ids[0] == a.ID
	}},
	{"read the audit log", editors, 200, func(h *harness, r news.Role) (*http.Response, string, bool) {
		res, body := h.do(r, "GET", "/newsroom/audit", nil)
		return res, body, strings.Contains(body, "<h1>Audit log</h1>")
	}},
	{"add a user", admins, 200, func(h *harness, r news.Role) (*http.Response, string, bool) {
		email := "new-" + string(r) + "@example.com"
		res, body := h.do(r, "POST", "/newsroom/users", url.Values{"email": {email}, "name": {"New " + string(r)}, "role": {"editor"}})
		_, err := h.st.FindUserByEmail(h.ctx, email)
		return res, body, err == nil
	}},
	{"change a role", admins, 303, func(h *harness, r news.Role) (*http.Response, string, bool) {
		u := h.user("promote-"+string(r), news.RoleContributor)
		res, body := h.do(r, "POST", fmt.Sprintf("/newsroom/users/%d/role", u.ID), url.Values{"role": {"admin"}})
		got, _ := h.st.FindUserByID(h.ctx, u.ID)
		return res, body, got.Role == news.RoleAdmin
	}},
	{"reset a password", admins, 200, func(h *harness, r news.Role) (*http.Response, string, bool) {
		u := h.user("reset-"+string(r), news.RoleReporter)
		res, body := h.do(r, "POST", fmt.Sprintf("/newsroom/users/%d/password", u.ID), nil)
		got, _ := h.st.FindUserByID(h.ctx, u.ID)
		return res, body, got.PasswordHash != u.PasswordHash
	}},
	{"disable a user", admins, 303, func(h *harness, r news.Role) (*http.Response, string, bool) {
		u := h.user("disable-"+string(r), news.RoleReporter)
		res, body := h.do(r, "POST", fmt.Sprintf("/newsroom/users/%d/disable", u.ID), nil)
		got, _ := h.st.FindUserByID(h.ctx, u.ID)
		return res, body, got.Disabled
	}},
	{"add a section", admins, 303, func(h *harness, r news.Role) (*http.Response, string, bool) {
		slug := "desk-" + string(r)
		res, body := h.do(r, "POST", "/newsroom/sections", url.Values{"name": {"Desk " + string(r)}, "slug": {slug}})
		_, err := h.st.FindSectionBySlug(h.ctx, slug)
		return res, body, err == nil
	}},
}

// TestRoleMatrix tries every action as every role, through HTTP with real
// sessions, and checks both the answer and the store.
func TestRoleMatrix(t *testing.T) {
	h := newHarness(t)
	for _, c := range matrix {
		for _, r := range roles {
			allowed := false
			for _, a := range c.allowed {
				allowed = allowed || a == r
			}
			t.Run(c.name+"/"+string(r), func(t *testing.T) {
				h.t = t
				res, body, changed := c.run(h, r)
				if allowed {
					wantStatus(t, "allowed", res, body, c.okStatus)
					if !changed {
						t.Fatal("allowed, but the store did not change")
					}
				} else {
					wantStatus(t, "forbidden", res, body, http.StatusForbidden)
					if changed {
						t.Fatal("forbidden, but the store changed")
					}
				}
			})
		}
	}
}
