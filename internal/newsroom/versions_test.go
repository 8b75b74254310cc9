package newsroom

import (
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"masthead/internal/news"
)

// versionRe finds the version a form carries.
var versionRe = regexp.MustCompile(`name="version" value="(\d+)"`)

// formVersionOf is the version in the first form of page that has one.
func formVersionOf(t *testing.T, page string) string {
	t.Helper()
	m := versionRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the form carries no version")
	}
	return m[1]
}

// TestAuthorProfileConflict: two editors open the same author profile and
// both save it. The first save lands; the second, made from the same
// version, is refused with the conflict (who, and that nothing was saved),
// shows the second editor's text again so nothing typed is lost, and
// leaves the first editor's bio in place. Before profiles had a version
// the second save silently overwrote the first.
func TestAuthorProfileConflict(t *testing.T) {
	h := newHarness(t)
	rep := h.users[news.RoleReporter]
	path := fmt.Sprintf("/newsroom/authors/%d", rep.AuthorID)
	_, formA := h.do(news.RoleEditor, "GET", path, nil)
	_, formB := h.do(news.RoleAdmin, "GET", path, nil)
	va, vb := formVersionOf(t, formA), formVersionOf(t, formB)
	if va != vb {
		t.Fatalf("the two editors' forms carry versions %s and %s", va, vb)
	}
	save := func(version, bio string) url.Values {
		return url.Values{"name": {"Byline reporter"}, "title": {"Staff reporter"}, "bio": {bio}, "version": {version}}
	}
	res, body := h.do(news.RoleEditor, "POST", path, save(va, "Covers the courts."))
	wantStatus(t, "first save", res, body, 303)
	res, body = h.do(news.RoleAdmin, "POST", path, save(vb, "Covers sport and weather."))
	wantStatus(t, "second save from the same version", res, body, 409)
	text := html.UnescapeString(body)
	if !strings.Contains(text, "This author profile was changed by someone else since you opened it") || !strings.Contains(text, "Nothing was saved.") {
		t.Errorf("the refused save does not show the conflict:\n%s", text)
	}
	if !strings.Contains(text, ">Covers sport and weather.</textarea>") {
		t.Error("the refused save does not give the second editor's text back")
	}
	if v := formVersionOf(t, body); v != vb {
		t.Errorf("the form shown again carries version %s, want %s (saving it again must be refused again)", v, vb)
	}
	au, err := h.st.FindAuthorByID(h.ctx, rep.AuthorID)
	if err != nil {
		t.Fatal(err)
	}
	if au.Bio != "Covers the courts." || au.Version != 2 || au.UpdatedBy != h.users[news.RoleEditor].ID {
		t.Errorf("after the refused save the profile is %+v, want the first editor's bio at version 2", au)
	}
	// Saving the shown form again is refused again; a fresh form saves.
	res, body = h.do(news.RoleAdmin, "POST", path, save(vb, "Covers sport and weather."))
	wantStatus(t, "the conflict form saved again", res, body, 409)
	_, fresh := h.do(news.RoleAdmin, "GET", path, nil)
	res, body = h.do(news.RoleAdmin, "POST", path, save(formVersionOf(t, fresh), "Covers sport."))
	wantStatus(t, "save from a fresh form", res, body, 303)
	// A form without a version would write unguarded: refused.
	res, body = h.do(news.RoleAdmin, "POST", path, url.Values{"name": {"Byline reporter"}, "bio": {"No version."}})
	wantStatus(t, "save without a version", res, body, 422)
	if au, _ := h.st.FindAuthorByID(h.ctx, rep.AuthorID); au.Bio != "Covers sport." {
		t.Errorf("the bio is %q, want the fresh form's", au.Bio)
	}
	// One audit row per save that landed, written with it.
	es, err := h.st.ListAudit(h.ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if e.Action == "author" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d audit rows for the profile, want 2 (the saves that landed)", n)
	}
}

// TestTagConflict: two editors rename the same tag from the tags page as
// they loaded it; the second rename is refused and changes nothing, and a
// merge confirmed from a page older than a rename is refused too.
func TestTagConflict(t *testing.T) {
	h := newHarness(t)
	for _, name := range []string{"DPRK", "North Korea"} {
		if err := h.st.EnsureTag(h.ctx, &news.Tag{Slug: news.Slugify(name), Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	dprk, err := h.st.FindTagBySlug(h.ctx, "dprk")
	if err != nil {
		t.Fatal(err)
	}
	nk, _ := h.st.FindTagBySlug(h.ctx, "north-korea")
	_, page := h.do(news.RoleEditor, "GET", "/newsroom/tags", nil)
	if !strings.Contains(page, fmt.Sprintf(`action="/newsroom/tags/%d" class="section-edit"><input type="hidden" name="csrf" value="%s"><input type="hidden" name="version" value="1">`, dprk.ID, h.csrf[news.RoleEditor])) {
		t.Fatal("the rename form does not carry the tag's version")
	}
	rename := func(role news.Role, name string) (int, string) {
		res, body := h.do(role, "POST", fmt.Sprintf("/newsroom/tags/%d", dprk.ID), url.Values{"name": {name}, "version": {"1"}})
		return res.StatusCode, body
	}
	if code, body := rename(news.RoleEditor, "D.P.R.K."); code != 303 {
		t.Fatalf("first rename: %d\n%s", code, body)
	}
	code, body := rename(news.RoleAdmin, "Pyongyang")
	if code != 409 || !strings.Contains(html.UnescapeString(body), `This tag was changed by someone else since you opened it`) ||
		!strings.Contains(html.UnescapeString(body), `Your name "Pyongyang" was not saved.`) {
		t.Errorf("second rename from the same version: %d, want 409 with the conflict", code)
	}
	got, err := h.st.FindTagBySlug(h.ctx, news.Slugify("D.P.R.K."))
	if err != nil || got.ID != dprk.ID || got.Name != "D.P.R.K." || got.Version != 2 {
		t.Errorf("after the refused rename: %+v, %v; want the first editor's name at version 2", got, err)
	}
	res, body := h.do(news.RoleEditor, "POST", fmt.Sprintf("/newsroom/tags/%d/merge", dprk.ID),
		url.Values{"into": {fmt.Sprint(nk.ID)}, "confirm": {"yes"}, "version": {"1"}})
	wantStatus(t, "merge from before the rename", res, body, 409)
	if !strings.Contains(body, "Nothing was merged.") {
		t.Error("the refused merge does not say nothing was merged")
	}
	if _, err := h.st.FindTagBySlug(h.ctx, got.Slug); err != nil {
		t.Errorf("a refused merge removed the tag: %v", err)
	}
}
