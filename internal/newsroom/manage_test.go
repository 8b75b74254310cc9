package newsroom

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"masthead/internal/auth"
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
	day := a.PublishedAt.In(h.nr.paper().Loc()).Format("2006-01-02")
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

// uploadTo posts an image as role to path (multipart, with extra fields).
func (h *harness) uploadTo(role news.Role, path, file string, data []byte, fields url.Values) (*http.Response, string) {
	h.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf", h.csrf[role])
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	hdr := textproto.MIMEHeader{}
	hdr.Set("Content-Disposition", `form-data; name="file"; filename="`+file+`"`)
	hdr.Set("Content-Type", "image/jpeg")
	fw, _ := mw.CreatePart(hdr)
	_, _ = fw.Write(data)
	_ = mw.Close()
	r := httptest.NewRequest("POST", "http://news.test"+path, &buf)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.Header.Set("X-Requested-With", "fetch")
	r.AddCookie(&http.Cookie{Name: auth.CookieName, Value: h.token[role]})
	w := httptest.NewRecorder()
	h.mux.ServeHTTP(w, r)
	b, _ := io.ReadAll(w.Result().Body)
	return w.Result(), string(b)
}

func jpegBytes(t *testing.T, w, h int, c uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{c, uint8(x), uint8(y), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestMediaLibrary: every photo is listed with its caption, credit and the
// stories that use it; search finds it; a story reuses one as its lead
// photo; replacing a photo puts the new image in every story that showed
// the old one (lead and body) and removes the old files.
func TestMediaLibrary(t *testing.T) {
	h := newHarness(t)
	ed := news.RoleEditor
	var photos []inlinePhoto
	for i, capt := range []string{"Envoys meet at Panmunjom", "Rain over Seoul"} {
		res, body := h.uploadTo(ed, "/newsroom/photos", "p.jpg", jpegBytes(t, 800, 500, uint8(40*i)), url.Values{"caption": {capt}, "credit": {"Yonhap"}, "alt": {"A photo"}})
		wantStatus(t, "upload", res, body, 201)
		var p inlinePhoto
		if err := json.Unmarshal([]byte(body), &p); err != nil || p.ID == 0 || !strings.HasPrefix(p.Src, "/media/") {
			t.Fatalf("upload answer %s: %v", body, err)
		}
		photos = append(photos, p)
	}
	envoys, rain := photos[0], photos[1]
	a := h.story(h.users[ed], "Talks", news.StatusDraft)
	res, body := h.do(ed, "POST", storyPath(a, "/photo"), url.Values{"op": {"use"}, "photo_id": {fmt.Sprint(envoys.ID)}})
	wantStatus(t, "use as lead", res, body, 303)
	if h.find(a.ID).PhotoID != envoys.ID {
		t.Fatal("the library photo is not the lead photo")
	}
	form := saveForm(h.find(a.ID), "Talks")
	form.Del("body")
	form.Set("body_html", fmt.Sprintf(`<p>Text</p><figure class="photo"><img src="%s" alt="Rain" width="%d" height="%d"><figcaption>In the body <span class="credit">Yonhap</span></figcaption></figure>`, rain.Src, rain.Width, rain.Height))
	res, body = h.do(ed, "POST", storyPath(a, ""), form)
	wantStatus(t, "save with a body photo", res, body, 303)

	res, body = h.do(news.RoleReporter, "GET", "/newsroom/media", nil)
	wantStatus(t, "library", res, body, 200)
	for _, want := range []string{"Envoys meet at Panmunjom", "Rain over Seoul", "Yonhap", `Talks</a> (lead)`, "2 photos"} {
		if !strings.Contains(body, want) {
			t.Errorf("library lacks %q", want)
		}
	}
	_, body = h.do(news.RoleReporter, "GET", "/newsroom/media?q=seoul", nil)
	if !strings.Contains(body, "Rain over Seoul") || strings.Contains(body, "Envoys meet") {
		t.Error("search does not narrow the library")
	}

	// Replace the rain photo: the body figure shows the new one.
	res, body = h.uploadTo(ed, fmt.Sprintf("/newsroom/media/%d/replace", rain.ID), "new.jpg", jpegBytes(t, 600, 400, 200), nil)
	wantStatus(t, "replace", res, body, 303)
	got := h.find(a.ID)
	if strings.Contains(got.BodyHTML, fmt.Sprintf("/media/%d/", rain.ID)) || !strings.Contains(got.BodyHTML, `alt="Rain"`) || !strings.Contains(got.BodyHTML, "In the body") {
		t.Errorf("the body still shows the old photo, or lost its caption: %s", got.BodyHTML)
	}
	if res, _ := h.do("", "GET", rain.Src, nil); res.StatusCode != 404 {
		t.Errorf("the replaced photo's file still answers %d", res.StatusCode)
	}
	_, body = h.do(news.RoleReporter, "GET", "/newsroom/media", nil)
	if strings.Count(body, `<li>`) < 2 || !strings.Contains(body, "2 photos") && !strings.Contains(body, "3 photos") {
		t.Errorf("library after the replace:\n%s", body)
	}
	// Replacing the lead photo re-points the lead.
	res, body = h.uploadTo(ed, fmt.Sprintf("/newsroom/media/%d/replace", envoys.ID), "new2.jpg", jpegBytes(t, 600, 400, 90), nil)
	wantStatus(t, "replace lead", res, body, 303)
	if pid := h.find(a.ID).PhotoID; pid == envoys.ID || pid == 0 {
		t.Errorf("lead photo after replace: %d", pid)
	}
	// A reporter may not change the library's captions.
	res, _ = h.do(news.RoleReporter, "POST", fmt.Sprintf("/newsroom/media/%d", envoys.ID), url.Values{"caption": {"x"}})
	if res.StatusCode != 403 {
		t.Errorf("a reporter's caption edit: %d", res.StatusCode)
	}
}

// TestMediaLibraryAwaitingFile: an imported photo whose file was not at
// hand is flagged in the media library with the address it came from, has
// no image to show (no thumbnail, no broken <img>), and takes its image by
// Replace, which moves the story's lead to the photo with the file.
func TestMediaLibraryAwaitingFile(t *testing.T) {
	h := newHarness(t)
	ed := news.RoleEditor
	ph := &news.Photo{Key: news.AwaitingKey("https://old.example/wp-content/uploads/2019/05/summit.jpg"), Caption: "Leaders at the summit",
		Credit: "Pool", Alt: "Two men shake hands", CreatedAt: h.clock.Now()}
	if err := h.st.CreatePhoto(h.ctx, ph); err != nil {
		t.Fatal(err)
	}
	a := h.story(h.users[ed], "Summit", news.StatusDraft)
	res, body := h.do(ed, "POST", storyPath(a, "/photo"), url.Values{"op": {"use"}, "photo_id": {fmt.Sprint(ph.ID)}})
	wantStatus(t, "use as lead", res, body, 303)

	res, body = h.do(news.RoleReporter, "GET", "/newsroom/media", nil)
	wantStatus(t, "library", res, body, 200)
	if !strings.Contains(body, "Awaiting its file") || !strings.Contains(body, "https://old.example/wp-content/uploads/2019/05/summit.jpg") ||
		!strings.Contains(body, "Leaders at the summit") || strings.Contains(body, fmt.Sprintf(`src="/newsroom/media/%d/`, ph.ID)) {
		t.Errorf("library does not flag the photo awaiting its file:\n%s", body)
	}
	res, body = h.do(news.RoleReporter, "GET", fmt.Sprintf("/newsroom/media/%d", ph.ID), nil)
	wantStatus(t, "photo page", res, body, 200)
	if !strings.Contains(body, "Awaiting its file") || strings.Contains(body, "<img") {
		t.Errorf("photo page:\n%s", body)
	}
	if res, _ := h.do("", "GET", h.nr.paper().PhotoPath(ph, 0), nil); res.StatusCode != 404 {
		t.Errorf("a photo awaiting its file answers %d", res.StatusCode)
	}
	res, body = h.uploadTo(ed, fmt.Sprintf("/newsroom/media/%d/replace", ph.ID), "summit.jpg", jpegBytes(t, 600, 400, 120), nil)
	wantStatus(t, "replace", res, body, 303)
	got := h.find(a.ID)
	if got.PhotoID == ph.ID || got.Photo == nil || !got.Photo.HasFile() || got.Photo.Caption != "Leaders at the summit" || got.Photo.Credit != "Pool" {
		t.Errorf("lead photo after the file arrived: %+v", got.Photo)
	}
}

// TestStoryNotes: an editor and the reporter leave notes on a story; both
// see them in the editor, readers never do (not on the preview, which is
// the reader page).
func TestStoryNotes(t *testing.T) {
	h := newHarness(t)
	a := h.story(h.users[news.RoleReporter], "Noted story", news.StatusReview)
	res, body := h.do(news.RoleEditor, "POST", storyPath(a, "/notes"), url.Values{"note": {"Second quote needs a source."}})
	wantStatus(t, "editor's note", res, body, 303)
	res, body = h.do(news.RoleReporter, "POST", storyPath(a, "/notes"), url.Values{"note": {"Added: the ministry's statement."}})
	wantStatus(t, "reporter's note", res, body, 303)
	res, body = h.do(news.RoleReporter, "POST", storyPath(a, "/notes"), url.Values{"note": {"   "}})
	if res.StatusCode != 422 && res.StatusCode != 400 {
		t.Errorf("an empty note: %d", res.StatusCode)
	}
	// Another reporter's story is not theirs to note.
	b := h.story(h.other, "Not mine", news.StatusDraft)
	if res, _ := h.do(news.RoleReporter, "POST", storyPath(b, "/notes"), url.Values{"note": {"x"}}); res.StatusCode != 403 && res.StatusCode != 404 {
		t.Errorf("a note on another's story: %d", res.StatusCode)
	}
	_, page := h.do(news.RoleReporter, "GET", storyPath(a, ""), nil)
	i, j := strings.Index(page, "Second quote needs a source."), strings.Index(page, "Added: the ministry&#39;s statement.")
	if i < 0 || j < 0 || j < i || !strings.Contains(page, "User editor") {
		t.Errorf("the editor page does not show both notes in order")
	}
	_, pv := h.do(news.RoleReporter, "GET", storyPath(a, "/preview/page"), nil)
	if strings.Contains(pv, "Second quote") || !strings.Contains(pv, "Noted story") {
		t.Error("the reader page shows a newsroom note")
	}
}

// TestBylinesAreWriters: an admin account is not a byline, and a writer's
// new profile does not show the sign-in e-mail to readers (before, every
// account was offered as a byline, "Administrator" included, and the
// signature printed the sign-in e-mail).
func TestBylinesAreWriters(t *testing.T) {
	h := newHarness(t)
	boss, err := auth.CreateUser(h.ctx, h.st, auth.NewUser{Email: "boss@example.com", Name: "Chief Admin", Role: news.RoleAdmin, Password: "correct horse 42"})
	if err != nil {
		t.Fatal(err)
	}
	kim, err := auth.CreateUser(h.ctx, h.st, auth.NewUser{Email: "kim.signin@example.com", Name: "Kim Min-seo", Role: news.RoleReporter, Password: "correct horse 42"})
	if err != nil {
		t.Fatal(err)
	}
	if boss.AuthorID != 0 {
		t.Errorf("an admin account got a byline (author %d)", boss.AuthorID)
	}
	au, err := h.st.FindAuthorByID(h.ctx, kim.AuthorID)
	if err != nil || au.Name != "Kim Min-seo" || au.Email != "" {
		t.Fatalf("the reporter's profile: %+v, %v", au, err)
	}
	_, page := h.do(news.RoleEditor, "GET", "/newsroom/stories/new", nil)
	if !strings.Contains(page, ">Kim Min-seo</option>") || strings.Contains(page, ">Chief Admin</option>") {
		t.Error("the byline list offers an admin account, or lacks the reporter")
	}
	a, err := h.flow.Create(h.ctx, kim, workflow.Draft{Headline: "Signed story", BodyMarkdown: "Text."})
	if err != nil {
		t.Fatal(err)
	}
	_, pv := h.do(news.RoleEditor, "GET", storyPath(a, "/preview/page"), nil)
	if !strings.Contains(pv, "Kim Min-seo") || strings.Contains(pv, "kim.signin@example.com") {
		t.Error("the reader page lacks the byline or shows the sign-in e-mail")
	}
}

// TestPaperSettings: an admin saves the paper settings (stored for every
// node to read at start); bad input is refused and changes nothing; an
// editor may not open them.
func TestPaperSettings(t *testing.T) {
	h := newHarness(t)
	res, body := h.do(news.RoleAdmin, "GET", "/newsroom/settings", nil)
	wantStatus(t, "settings page", res, body, 200)
	if !strings.Contains(body, `value="The Test Times"`) || !strings.Contains(body, `value="Asia/Seoul"`) {
		t.Error("the settings page does not show what the paper runs with")
	}
	form := url.Values{"name": {"The Seoul Ledger"}, "tagline": {"Since 2026"}, "time_zone": {"Asia/Tokyo"}, "languages": {"ko, en"},
		"nav": {"Politics | /section/politics\nAbout | https://example.com/about"}, "footer": {"Contact | mailto:desk@example.com"},
		"kakao": {"abc123"}, "feeds": {"summary"}}
	res, body = h.do(news.RoleAdmin, "POST", "/newsroom/settings", form)
	wantStatus(t, "save settings", res, body, 303)
	v, err := h.st.GetSetting(h.ctx, news.PaperSettingsKey)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := news.ParsePaperSettings(v)
	if err != nil || ps.Name != "The Seoul Ledger" || ps.TimeZone != "Asia/Tokyo" || fmt.Sprint(ps.Languages) != "[ko en]" ||
		len(ps.Nav) != 2 || ps.Nav[1].URL != "https://example.com/about" || ps.FullTextFeeds == nil || *ps.FullTextFeeds || ps.KakaoAppKey != "abc123" {
		t.Fatalf("stored settings: %+v, %v", ps, err)
	}
	for _, bad := range []url.Values{
		{"name": {"x"}, "time_zone": {"Mars/Olympus"}, "feeds": {"full"}},
		{"name": {"x"}, "nav": {"Evil | javascript:alert(1)"}, "feeds": {"full"}},
		{"name": {"x"}, "nav": {"no bar here"}, "feeds": {"full"}},
		{"name": {"x"}, "languages": {"english!"}, "feeds": {"full"}},
		{"name": {"x"}, "logo": {"999"}, "feeds": {"full"}},
	} {
		res, _ := h.do(news.RoleAdmin, "POST", "/newsroom/settings", bad)
		if res.StatusCode != 422 {
			t.Errorf("bad settings %v: status %d", bad, res.StatusCode)
		}
	}
	if again, _ := h.st.GetSetting(h.ctx, news.PaperSettingsKey); again != v {
		t.Error("refused settings changed the stored ones")
	}
	if res, _ := h.do(news.RoleEditor, "GET", "/newsroom/settings", nil); res.StatusCode != 403 {
		t.Errorf("an editor opened the settings: %d", res.StatusCode)
	}
}

var linkRe = regexp.MustCompile(`http://news\.test(/newsroom/reset/[A-Za-z0-9_-]+(\?invite=1)?)`)

// TestPasswordResetByMail: "forgot" mails a link for an existing account
// and says the same for an unknown address; the link sets the password
// once, signs out the account's sessions, and then no more; an expired
// link does nothing.
func TestPasswordResetByMail(t *testing.T) {
	h := newHarness(t)
	rep := h.users[news.RoleReporter]
	res, body := h.do("", "POST", "/newsroom/forgot", url.Values{"email": {"nobody@example.com"}})
	wantStatus(t, "forgot, unknown", res, body, 200)
	unknownAnswer := body
	res, body = h.do("", "POST", "/newsroom/forgot", url.Values{"email": {rep.Email}})
	wantStatus(t, "forgot", res, body, 200)
	if body != unknownAnswer {
		t.Error("the answer tells whether an account exists")
	}
	sent := h.mail.all()
	if len(sent) != 1 || sent[0].To != rep.Email {
		t.Fatalf("mail sent: %+v", sent)
	}
	m := linkRe.FindStringSubmatch(sent[0].Body)
	if m == nil {
		t.Fatalf("no link in the mail:\n%s", sent[0].Body)
	}
	link := m[1]
	res, body = h.do("", "GET", link, nil)
	wantStatus(t, "reset form", res, body, 200)
	res, body = h.do("", "POST", link, url.Values{"password": {"short"}, "again": {"short"}})
	wantStatus(t, "too short", res, body, 422)
	res, body = h.do("", "POST", link, url.Values{"password": {"a brand new password"}, "again": {"a brand new password"}})
	wantStatus(t, "reset", res, body, 303)
	u, _ := h.st.FindUserByID(h.ctx, rep.ID)
	if !auth.CheckPassword(u.PasswordHash, "a brand new password") {
		t.Fatal("the password was not set")
	}
	if res, _ := h.do(news.RoleReporter, "GET", "/newsroom/", nil); res.StatusCode != 303 {
		t.Errorf("the old session still works after a reset: %d", res.StatusCode)
	}
	res, _ = h.do("", "POST", link, url.Values{"password": {"another new password"}, "again": {"another new password"}})
	if res.StatusCode != 404 {
		t.Errorf("the link worked twice: %d", res.StatusCode)
	}
	// An expired link.
	h.do("", "POST", "/newsroom/forgot", url.Values{"email": {rep.Email}})
	sent = h.mail.all()
	link2 := linkRe.FindStringSubmatch(sent[len(sent)-1].Body)[1]
	h.clock.Set(h.clock.Now().Add(2 * time.Hour))
	if res, _ := h.do("", "GET", link2, nil); res.StatusCode != 404 {
		t.Errorf("an expired link: %d", res.StatusCode)
	}
}

// TestInvitation: an admin adds a colleague with an invitation; the mail's
// link lets them choose a password and sign in; no password is shown.
func TestInvitation(t *testing.T) {
	h := newHarness(t)
	res, body := h.do(news.RoleAdmin, "POST", "/newsroom/users", url.Values{"email": {"new@example.com"}, "name": {"Lee Ji-eun"}, "role": {"reporter"}, "invite": {"1"}})
	wantStatus(t, "invite", res, body, 303)
	sent := h.mail.all()
	if len(sent) != 1 || sent[0].To != "new@example.com" || !strings.Contains(sent[0].Subject, "invited") {
		t.Fatalf("mail sent: %+v", sent)
	}
	m := linkRe.FindStringSubmatch(sent[0].Body)
	if m == nil || m[2] == "" {
		t.Fatalf("no invitation link:\n%s", sent[0].Body)
	}
	res, body = h.do("", "GET", m[1], nil)
	wantStatus(t, "invitation form", res, body, 200)
	if !strings.Contains(body, "Welcome, Lee Ji-eun") {
		t.Error("the invitation page does not greet the new colleague")
	}
	res, body = h.do("", "POST", m[1], url.Values{"invite": {"1"}, "password": {"my own password 1"}, "again": {"my own password 1"}})
	wantStatus(t, "accept", res, body, 303)
	if _, err := auth.Authenticate(h.ctx, h.st, "new@example.com", "my own password 1"); err != nil {
		t.Errorf("cannot sign in with the chosen password: %v", err)
	}
	// An invitation link is not a reset link.
	if res, _ := h.do("", "GET", strings.TrimSuffix(m[1], "?invite=1"), nil); res.StatusCode != 404 {
		t.Errorf("the invitation link worked as a reset link: %d", res.StatusCode)
	}
}

// TestAuthorProfiles: an editor adds a writer without an account; a
// reporter sets the public e-mail of their own profile, which readers see
// under their stories, and may not edit anyone else's.
func TestAuthorProfiles(t *testing.T) {
	h := newHarness(t)
	res, body := h.do(news.RoleEditor, "POST", "/newsroom/authors", url.Values{"name": {"Wire Desk"}, "title": {"Yonhap"}, "email": {""}})
	wantStatus(t, "add author", res, body, 303)
	as, _ := h.st.ListAuthors(h.ctx)
	var wire *news.Author
	for _, a := range as {
		if a.Name == "Wire Desk" {
			wire = a
		}
	}
	if wire == nil || wire.Title != "Yonhap" {
		t.Fatalf("no writer without an account: %+v", as)
	}
	_, page := h.do(news.RoleEditor, "GET", "/newsroom/authors", nil)
	if !strings.Contains(page, "writes without an account") {
		t.Error("the authors page does not tell writers without accounts apart")
	}
	rep := h.users[news.RoleReporter]
	mine := fmt.Sprintf("/newsroom/authors/%d", rep.AuthorID)
	res, body = h.do(news.RoleReporter, "POST", mine, url.Values{"name": {"Byline reporter"}, "title": {"Staff reporter"}, "email": {"not an address"}, "version": {"1"}})
	wantStatus(t, "bad e-mail", res, body, 422)
	res, body = h.do(news.RoleReporter, "POST", mine, url.Values{"name": {"Byline reporter"}, "title": {"Staff reporter"}, "email": {"desk.reporter@example.com"}, "bio": {"Covers transport."}, "version": {"1"}})
	wantStatus(t, "own profile", res, body, 303)
	if res, _ := h.do(news.RoleReporter, "POST", fmt.Sprintf("/newsroom/authors/%d", wire.ID), url.Values{"name": {"Hijack"}}); res.StatusCode != 403 {
		t.Errorf("a reporter edited another profile: %d", res.StatusCode)
	}
	a := h.story(rep, "Buses", news.StatusDraft)
	_, pv := h.do(news.RoleReporter, "GET", storyPath(a, "/preview/page"), nil)
	if !strings.Contains(pv, "desk.reporter@example.com") || strings.Contains(pv, ">"+rep.Email+"<") {
		t.Error("the reader page does not show the public e-mail (or shows the sign-in one)")
	}
}

// TestSectionsRenameReorder: an admin renames a section (its address
// stays) and moves sections up and down the navigation.
func TestSectionsRenameReorder(t *testing.T) {
	h := newHarness(t)
	var ids []int64
	for i, n := range []string{"National", "Business", "Sports"} {
		s := &news.Section{Slug: news.Slugify(n), Name: n, Position: i + 1}
		if err := h.st.CreateSection(h.ctx, s); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID)
	}
	res, body := h.do(news.RoleAdmin, "POST", fmt.Sprintf("/newsroom/sections/%d", ids[1]), url.Values{"name": {"Economy"}, "description": {"Money"}, "version": {"1"}})
	wantStatus(t, "rename", res, body, 303)
	if s, _ := h.st.FindSectionByID(h.ctx, ids[1]); s.Name != "Economy" || s.Slug != "business" || s.Description != "Money" {
		t.Errorf("after renaming: %+v", s)
	}
	res, body = h.do(news.RoleAdmin, "POST", fmt.Sprintf("/newsroom/sections/%d/move", ids[2]), url.Values{"dir": {"up"}, "version": {"1"}})
	wantStatus(t, "move", res, body, 303)
	ss, _ := h.st.ListSections(h.ctx)
	var order []string
	for _, s := range ss {
		order = append(order, s.Name)
	}
	if strings.Join(order, ",") != "National,Sports,Economy" {
		t.Errorf("order after moving Sports up: %v", order)
	}
	if res, _ := h.do(news.RoleEditor, "POST", fmt.Sprintf("/newsroom/sections/%d", ids[0]), url.Values{"name": {"x"}, "version": {"1"}}); res.StatusCode != 403 {
		t.Errorf("an editor renamed a section: %d", res.StatusCode)
	}
	res, _ = h.do(news.RoleAdmin, "POST", fmt.Sprintf("/newsroom/sections/%d", ids[0]), url.Values{"name": {""}, "version": {"1"}})
	if res.StatusCode != 422 {
		t.Errorf("an empty name: %d", res.StatusCode)
	}
}

// TestSectionsParentAndLayout: an admin makes a section a sub-section and
// picks its page layout; a second level and an unknown layout are refused
// with the page's error and change nothing.
func TestSectionsParentAndLayout(t *testing.T) {
	h := newHarness(t)
	var ids []int64
	for i, n := range []string{"National", "Politics", "Sports"} {
		s := &news.Section{Slug: news.Slugify(n), Name: n, Position: i + 1}
		if err := h.st.CreateSection(h.ctx, s); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID)
	}
	res, body := h.do(news.RoleAdmin, "GET", "/newsroom/sections", nil)
	wantStatus(t, "sections page", res, body, 200)
	for _, want := range []string{`<select name="parent" aria-label="Parent of Politics">`, `<select name="layout" aria-label="Page layout of Politics">`,
		fmt.Sprintf(`<option value="%d">Under National</option>`, ids[0]), `<option value="list">List: headlines with thumbnails</option>`} {
		if !strings.Contains(body, want) {
			t.Errorf("sections page lacks %s", want)
		}
	}
	res, body = h.do(news.RoleAdmin, "POST", fmt.Sprintf("/newsroom/sections/%d", ids[1]),
		url.Values{"name": {"Politics"}, "parent": {fmt.Sprint(ids[0])}, "layout": {"list"}, "version": {"1"}})
	wantStatus(t, "make a sub-section", res, body, 303)
	pol, _ := h.st.FindSectionByID(h.ctx, ids[1])
	if pol.ParentID != ids[0] || pol.Layout != news.LayoutList {
		t.Fatalf("after saving: parent %d layout %q", pol.ParentID, pol.Layout)
	}
	// National has a sub-section now: it cannot go under Sports.
	res, body = h.do(news.RoleAdmin, "POST", fmt.Sprintf("/newsroom/sections/%d", ids[0]),
		url.Values{"name": {"National"}, "parent": {fmt.Sprint(ids[2])}, "version": {"1"}})
	wantStatus(t, "two levels", res, body, 422)
	if !strings.Contains(body, "has sub-sections") {
		t.Errorf("no message about the sub-sections in the page")
	}
	res, body = h.do(news.RoleAdmin, "POST", fmt.Sprintf("/newsroom/sections/%d", ids[2]),
		url.Values{"name": {"Sports"}, "layout": {"magazine"}, "version": {"1"}})
	wantStatus(t, "unknown layout", res, body, 422)
	for i, id := range []int64{ids[0], ids[2]} {
		if s, _ := h.st.FindSectionByID(h.ctx, id); s.ParentID != 0 || s.Layout != "" || s.Version != 1 {
			t.Errorf("refused edit %d changed the section: %+v", i, s)
		}
	}
	res, body = h.do(news.RoleAdmin, "POST", "/newsroom/sections", url.Values{"name": {"Elections"}, "parent": {fmt.Sprint(ids[1])}})
	wantStatus(t, "add under a sub-section", res, body, 422)
	res, body = h.do(news.RoleAdmin, "POST", "/newsroom/sections", url.Values{"name": {"Baseball"}, "parent": {fmt.Sprint(ids[2])}})
	wantStatus(t, "add a sub-section", res, body, 303)
	if s, err := h.st.FindSectionBySlug(h.ctx, "baseball"); err != nil || s.ParentID != ids[2] {
		t.Errorf("added sub-section: %+v, %v", s, err)
	}
}

// TestTagsRenameMerge: an editor renames a tag (its address follows the
// name, and the old one answers 301) and merges two, whose stories then
// carry the one left and whose old address answers 301 to it.
func TestTagsRenameMerge(t *testing.T) {
	h := newHarness(t)
	ed := h.users[news.RoleEditor]
	a, err := h.flow.Create(h.ctx, ed, workflow.Draft{Headline: "One", BodyMarkdown: "x", Tags: []string{"DPRK"}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := h.flow.Create(h.ctx, ed, workflow.Draft{Headline: "Two", BodyMarkdown: "x", Tags: []string{"North Korea"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*news.Article{a, b} {
		if err := h.flow.Publish(h.ctx, ed, s.ID, h.find(s.ID).Version); err != nil {
			t.Fatal(err)
		}
	}
	dprk, _ := h.st.FindTagBySlug(h.ctx, "dprk")
	nk, _ := h.st.FindTagBySlug(h.ctx, "north-korea")
	res, body := h.do(news.RoleEditor, "POST", fmt.Sprintf("/newsroom/tags/%d", nk.ID), url.Values{"name": {"N. Korea"}, "version": {"1"}})
	wantStatus(t, "rename", res, body, 303)
	renamed, err := h.st.FindTagBySlug(h.ctx, news.Slugify("N. Korea"))
	if err != nil || renamed.ID != nk.ID || renamed.Name != "N. Korea" {
		t.Fatalf("the renamed tag: %+v, %v", renamed, err)
	}
	res, _ = h.do("", "GET", "/tag/north-korea", nil)
	if loc := res.Header.Get("Location"); res.StatusCode != 301 || loc != "/tag/"+renamed.Slug {
		t.Errorf("the renamed tag's old address: %d → %q", res.StatusCode, loc)
	}
	res, body = h.do(news.RoleEditor, "POST", fmt.Sprintf("/newsroom/tags/%d/merge", dprk.ID), url.Values{"into": {fmt.Sprint(nk.ID)}, "version": {"1"}})
	wantStatus(t, "merge, unconfirmed", res, body, 200)
	if !strings.Contains(body, "Merge the tag DPRK into N. Korea?") || len(h.find(a.ID).Tags) != 1 || h.find(a.ID).Tags[0].ID != dprk.ID {
		t.Fatal("the merge does not ask first, or merged without asking")
	}
	res, body = h.do(news.RoleEditor, "POST", fmt.Sprintf("/newsroom/tags/%d/merge", dprk.ID), url.Values{"into": {fmt.Sprint(nk.ID)}, "confirm": {"yes"}, "version": {"1"}})
	wantStatus(t, "merge", res, body, 303)
	got := h.find(a.ID)
	if len(got.Tags) != 1 || got.Tags[0].ID != nk.ID || got.Tags[0].Name != "N. Korea" {
		t.Errorf("the story's tags after the merge: %+v", got.Tags)
	}
	res, _ = h.do("", "GET", "/tag/dprk", nil)
	if loc := res.Header.Get("Location"); res.StatusCode != 301 || loc != "/tag/"+renamed.Slug {
		t.Errorf("the merged tag's address: %d → %q", res.StatusCode, loc)
	}
	if res, body := h.do("", "GET", "/tag/"+renamed.Slug, nil); res.StatusCode != 200 || !strings.Contains(body, "One") || !strings.Contains(body, "Two") {
		t.Errorf("the tag left: %d", res.StatusCode)
	}
	_, page := h.do(news.RoleEditor, "GET", "/newsroom/tags", nil)
	if strings.Contains(page, ">DPRK<") || !strings.Contains(page, "/tag/"+renamed.Slug) {
		t.Error("the tags page still lists the merged tag, or lost the other")
	}
	// Renaming back: the address returns and nothing loops.
	res, body = h.do(news.RoleEditor, "POST", fmt.Sprintf("/newsroom/tags/%d", nk.ID), url.Values{"name": {"North Korea"}, "version": {"2"}})
	wantStatus(t, "rename back", res, body, 303)
	if res, _ := h.do("", "GET", "/tag/north-korea", nil); res.StatusCode != 200 {
		t.Errorf("the address after renaming back: %d", res.StatusCode)
	}
	if res, _ := h.do("", "GET", "/tag/"+renamed.Slug, nil); res.StatusCode != 301 || res.Header.Get("Location") != "/tag/north-korea" {
		t.Errorf("the in-between address: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	other, err := h.flow.Create(h.ctx, ed, workflow.Draft{Headline: "Three", BodyMarkdown: "x", Tags: []string{"Seoul"}})
	if err != nil {
		t.Fatal(err)
	}
	seoul := h.find(other.ID).Tags[0]
	res, body = h.do(news.RoleEditor, "POST", fmt.Sprintf("/newsroom/tags/%d", seoul.ID), url.Values{"name": {"North Korea"}, "version": {"1"}})
	wantStatus(t, "rename onto another tag's address", res, body, 409)
	if !strings.Contains(body, "merge the two instead") {
		t.Error("the clash does not say what to do")
	}
	if res, _ := h.do(news.RoleReporter, "POST", fmt.Sprintf("/newsroom/tags/%d", nk.ID), url.Values{"name": {"x"}}); res.StatusCode != 403 {
		t.Errorf("a reporter renamed a tag: %d", res.StatusCode)
	}
}

// TestReplaceLogoPhoto: replacing the photo the paper settings name as the
// logo (or the default share image) puts the replacement in the settings,
// announced as a settings change so every page shows it; before, the
// settings kept the old id, whose files the replace removes, and the logo
// vanished from the site.
func TestReplaceLogoPhoto(t *testing.T) {
	h := newHarness(t)
	ph := &news.Photo{Key: news.AwaitingKey("https://old.example/logo.png"), Caption: "Logo", Alt: "The paper's logo", CreatedAt: h.clock.Now()}
	if err := h.st.CreatePhoto(h.ctx, ph); err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprint(ph.ID)
	res, body := h.do(news.RoleAdmin, "POST", "/newsroom/settings", url.Values{"version": {"0"}, "name": {"The Seoul Ledger"},
		"logo": {id}, "share_image": {id}, "feeds": {"full"}})
	wantStatus(t, "settings with a logo", res, body, 303)
	before, err := h.st.LastChange(h.ctx)
	if err != nil {
		t.Fatal(err)
	}
	res, body = h.uploadTo(news.RoleEditor, "/newsroom/media/"+id+"/replace", "logo.jpg", jpegBytes(t, 600, 200, 40), nil)
	wantStatus(t, "replace", res, body, 303)
	ps, err := news.ParsePaperSettings(mustSetting(t, h, news.PaperSettingsKey))
	if err != nil {
		t.Fatal(err)
	}
	if ps.LogoPhotoID == ph.ID || ps.ShareImagePhotoID != ps.LogoPhotoID || ps.Name != "The Seoul Ledger" {
		t.Fatalf("settings after the replace: logo %d, share image %d (old %d), name %q", ps.LogoPhotoID, ps.ShareImagePhotoID, ph.ID, ps.Name)
	}
	next, err := h.st.FindPhotoByID(h.ctx, ps.LogoPhotoID)
	if err != nil || !next.HasFile() {
		t.Fatalf("the new logo photo: %+v, %v", next, err)
	}
	cs, err := h.st.Changes(h.ctx, before, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(cs, func(c news.ChangeRecord) bool { return c.All }) {
		t.Errorf("the replace announced no settings change: %+v", cs)
	}
}

// TestLanguageChoices: the story and page forms offer the languages the
// paper settings list (a datalist on the language field), and none when
// the paper lists none.
func TestLanguageChoices(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/newsroom/stories/new", "/newsroom/pages/new"} {
		_, body := h.do(news.RoleAdmin, "GET", path, nil)
		if strings.Contains(body, "<datalist") {
			t.Errorf("%s offers languages the paper does not list", path)
		}
	}
	h.nr.live.Languages = []string{"en", "ko"}
	for _, path := range []string{"/newsroom/stories/new", "/newsroom/pages/new"} {
		res, body := h.do(news.RoleAdmin, "GET", path, nil)
		wantStatus(t, path, res, body, 200)
		if !strings.Contains(body, `list="paper-langs"`) || !strings.Contains(body, `<datalist id="paper-langs"><option value="en"><option value="ko"></datalist>`) {
			t.Errorf("%s does not offer the paper's languages", path)
		}
	}
}
