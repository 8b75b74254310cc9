package newsroom

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"masthead/internal/auth"
	"masthead/internal/news"
	"masthead/internal/workflow"
)

// browser is a headless Chromium on a test newsroom, recording what the
// page logs as errors (a CSP violation is one).
type browser struct {
	t      *testing.T
	ctx    context.Context
	url    string
	mu     sync.Mutex
	errors []string
}

func chromium(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	for _, name := range []string{os.Getenv("MASTHEAD_CHROMIUM"), "/usr/bin/chromium", "chromium", "chromium-browser"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chromium on PATH (CI must run the browser tests)")
	}
	t.Skip("no Chromium on PATH")
	return ""
}

// newBrowser starts Chromium on a test server of h's newsroom.
func newBrowser(t *testing.T, h *harness, width, height int) *browser {
	t.Helper()
	exe := chromium(t)
	h.clock.Set(time.Now().UTC()) // the browser's cookies live in real time
	srv := httptest.NewServer(h.mux)
	t.Cleanup(srv.Close)
	return openBrowser(t, exe, srv.URL, width, height)
}

func openBrowser(t *testing.T, exe, base string, width, height int) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	b := &browser{t: t, url: base, ctx: ctx}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			// The test server has no favicon, and no readers' comments
			// (issue 16), whose script the reader page asks for.
			if (m.IsException() || m.Type == "error") && !strings.HasSuffix(m.URL, "/favicon.ico") && !strings.HasSuffix(m.URL, "/comments/app.js") {
				b.mu.Lock()
				b.errors = append(b.errors, m.String()+" "+m.URL)
				b.mu.Unlock()
			}
		}
	}()
	return b
}

func (b *browser) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

func evalIn[T any](b *browser, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// until waits for a JavaScript condition.
func until(cond string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingTimeout(20*time.Second))
}

// pageErrors are the errors the page logged so far.
func (b *browser) pageErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

// signIn goes to path, signs in on the way, and waits for sel.
func (b *browser) signIn(path, email, password, sel string) {
	b.t.Helper()
	b.run("sign in",
		chromedp.Navigate(b.url+path),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("form.narrow button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(sel)),
	)
}

// testJPEG writes a small photo to upload.
func testJPEG(t *testing.T, name string) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 640, 427))
	for y := 0; y < 427; y++ {
		for x := 0; x < 640; x++ {
			img.Set(x, y, color.RGBA{uint8(x / 3), uint8(y / 2), 120, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRichEditorInChromium writes a story with the rich editor as a
// reporter would: bold by shortcut, a link through its dialog, an inline
// photo through the picker with caption and credit, a YouTube embed by
// address; saves; and finds all of it in the stored body, in the body
// schema. The editor runs under the newsroom's CSP and must log no error.
// NEWSROOM_SCREENSHOTS=dir saves screenshots of the main pages there.
func TestRichEditorInChromium(t *testing.T) {
	h := newHarness(t)
	b := newBrowser(t, h, 1280, 1000)
	rep, err := auth.CreateUser(h.ctx, h.st, auth.NewUser{Email: "kang@example.com", Name: "Kang Seung-woo", Role: news.RoleReporter, Password: "correct horse 42"})
	if err != nil {
		t.Fatal(err)
	}
	a := h.story(rep, "Talks resume", news.StatusDraft)
	photo := testJPEG(t, "talks.jpg")

	ed := `#body-rich .editable`
	b.signIn(storyPath(a, ""), "kang@example.com", "correct horse 42", ed)
	b.run("type with bold",
		chromedp.Click(chromedp.CSS(ed)),
		chromedp.KeyEvent(kb.End, chromedp.KeyModifiers(chromedp.ModifierCtrl)), // the end of the body
		chromedp.KeyEvent(kb.Enter),
		chromedp.SendKeys(chromedp.CSS(ed), "The envoy said "),
		chromedp.KeyEvent("b", chromedp.KeyModifiers(chromedp.ModifierCtrl)), // ctrl+B
		chromedp.SendKeys(chromedp.CSS(ed), "nothing"),
		chromedp.KeyEvent("b", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.SendKeys(chromedp.CSS(ed), " about the "),
		chromedp.WaitVisible(chromedp.CSS(`button[data-tool=bold][aria-pressed=false]`)),
	)
	// A link: ctrl+K opens the dialog, the address goes in as linked text.
	b.run("link",
		chromedp.KeyEvent("k", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.WaitVisible(chromedp.CSS(`dialog.editor-dialog input`)),
		chromedp.SendKeys(chromedp.CSS(`dialog.editor-dialog input`), "https://example.com/summit"),
		chromedp.Click(chromedp.CSS(`dialog.editor-dialog button[type=submit]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`dialog.editor-dialog`)),
		chromedp.SendKeys(chromedp.CSS(ed), " meeting."),
	)
	// A photo through the picker: it goes through the photo desk and comes
	// back as a figure whose caption field takes the focus.
	b.run("photo",
		chromedp.SetUploadFiles(chromedp.CSS(`#body-rich input[type=file]`), []string{photo}),
		chromedp.WaitVisible(chromedp.CSS(`#body-rich figure.photo img`)),
		until(`document.activeElement && document.activeElement.closest("figure.photo") !== null`),
		chromedp.SendKeys(chromedp.CSS(`#body-rich figure.photo .nv-field:nth-child(1) input`), "Envoys meet in Panmunjom"),
		chromedp.SendKeys(chromedp.CSS(`#body-rich figure.photo .nv-field:nth-child(2) input`), "Yonhap"),
		chromedp.SendKeys(chromedp.CSS(`#body-rich figure.photo .nv-field:nth-child(3) input`), "Two envoys shake hands"),
	)
	// The same photo again, from the media library.
	b.run("library",
		chromedp.Click(chromedp.CSS(`button[data-tool=library]`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog.lib .lib-item`)),
		chromedp.Click(chromedp.CSS(`dialog.lib .lib-item`)),
		chromedp.WaitNotPresent(chromedp.CSS(`dialog.lib`)),
		until(`document.querySelectorAll("#body-rich figure.photo").length === 2`),
	)
	// An embed by address, from the toolbar.
	b.run("embed",
		chromedp.Click(chromedp.CSS(`button[data-tool=embed]`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog.editor-dialog input`)),
		chromedp.SendKeys(chromedp.CSS(`dialog.editor-dialog input`), "https://youtu.be/dQw4w9WgXcQ"),
		chromedp.Click(chromedp.CSS(`dialog.editor-dialog button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#body-rich figure.embed`)),
	)
	words := evalIn[string](b, `document.querySelector("#body-rich .word-count").textContent`)
	if !strings.HasSuffix(words, "words") || words == "0 words" {
		t.Errorf("word count = %q", words)
	}
	if dir := os.Getenv("NEWSROOM_SCREENSHOTS"); dir != "" {
		b.run("scroll up", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
		png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		_ = os.WriteFile(filepath.Join(dir, "newsroom-editor.png"), png, 0o644)
	}
	b.run("save",
		chromedp.Click(chromedp.CSS(`#story-form button[value=save]`)),
		chromedp.WaitVisible(chromedp.CSS(`main > p.flash`)),
	)
	got := h.find(a.ID)
	for _, want := range []string{
		"<strong>nothing</strong>",
		`<a href="https://example.com/summit" rel="noopener nofollow">https://example.com/summit</a>`,
		`<figure class="photo"><img src="/media/`,
		`<figcaption>Envoys meet in Panmunjom <span class="credit">Yonhap</span></figcaption>`,
		`alt="Two envoys shake hands"`,
		`<figure class="embed" data-provider="youtube" data-id="dQw4w9WgXcQ"><a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"`,
		"Body of Talks resume", // the text that was there stays
	} {
		if want == `<figure class="photo"><img src="/media/` && strings.Count(got.BodyHTML, want) != 2 {
			t.Errorf("the body has %d photos, want the uploaded one and the library's", strings.Count(got.BodyHTML, want))
		}
		if !strings.Contains(got.BodyHTML, want) {
			t.Errorf("stored body lacks %s:\n%s", want, got.BodyHTML)
		}
	}
	if got.BodyMarkdown != "" {
		t.Errorf("a body saved from the editor kept a Markdown source: %q", got.BodyMarkdown)
	}
	if errs := b.pageErrors(); len(errs) > 0 {
		t.Errorf("the page logged errors: %q", errs)
	}
}

// TestImportedHTMLOpensInEditor: a story imported as HTML (no Markdown)
// opens in the editor with its body, and a save that changes one word
// keeps the rest (before the rich editor it showed an empty Markdown box,
// and typing there replaced the whole body).
func TestImportedHTMLOpensInEditor(t *testing.T) {
	h := newHarness(t)
	b := newBrowser(t, h, 1280, 900)
	ed := h.users[news.RoleEditor]
	a := &news.Article{Slug: "imported", Headline: "Imported", Status: news.StatusDraft, Lang: "en",
		BodyHTML:  `<p>First paragraph of the import.</p><h2>Later</h2><ul><li>one</li><li>two</li></ul>`,
		CreatedAt: h.clock.Now(), UpdatedAt: h.clock.Now(), Authors: []*news.Author{{ID: ed.AuthorID}}}
	if err := h.st.CreateArticle(h.ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := auth.SetPassword(h.ctx, h.st, ed, 0, "correct horse 42"); err != nil {
		t.Fatal(err)
	}
	sel := `#body-rich .editable h2`
	b.signIn(storyPath(a, ""), ed.Email, "correct horse 42", sel)
	text := evalIn[string](b, `document.querySelector("#body-rich .editable").textContent`)
	if !strings.Contains(text, "First paragraph of the import.") || !strings.Contains(text, "two") {
		t.Fatalf("the editor shows %q", text)
	}
	b.run("edit and save",
		chromedp.Click(chromedp.CSS(sel)),
		chromedp.KeyEvent(kb.End),
		chromedp.SendKeys(chromedp.CSS(`#body-rich .editable`), " now"),
		chromedp.Click(chromedp.CSS(`#story-form button[value=save]`)),
		chromedp.WaitVisible(chromedp.CSS(`main > p.flash`)),
	)
	got := h.find(a.ID).BodyHTML
	want := `<p>First paragraph of the import.</p><h2>Later now</h2><ul><li><p>one</p></li><li><p>two</p></li></ul>`
	if got != want {
		t.Errorf("body after the edit:\n got %s\nwant %s", got, want)
	}
}

// TestPreviewAt390InChromium: the preview page shows the story as its
// reader page in a frame; at the phone width the frame is 390 px wide and
// the page in it fits; the preview link opens on a 390 px phone without
// a session and fits the screen too.
func TestPreviewAt390InChromium(t *testing.T) {
	h := newHarness(t)
	ed := h.users[news.RoleEditor]
	a, err := h.flow.Create(h.ctx, ed, workflow.Draft{Headline: "Ferry service resumes to Ulleung Island", HTMLBody: true,
		BodyHTML: `<p>The ferry runs again from Monday.</p><aside class="pullquote">We waited three weeks</aside><p>More text.</p>`})
	if err != nil {
		t.Fatal(err)
	}
	if err := auth.SetPassword(h.ctx, h.st, ed, 0, "correct horse 42"); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, h, 1280, 900)
	b.signIn(storyPath(a, "/preview"), ed.Email, "correct horse 42", "iframe.preview-frame")
	b.run("phone width",
		chromedp.Click(chromedp.CSS(`label[for=w-phone]`)),
		until(`document.querySelector("iframe.preview-frame").getBoundingClientRect().width === 390`),
		until(`(() => { const d = document.querySelector("iframe.preview-frame").contentDocument; return d && d.querySelector("h1") && d.querySelector("h1").textContent.includes("Ferry service") })()`),
	)
	if w := evalIn[int](b, `document.querySelector("iframe.preview-frame").contentDocument.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the story page is %d px wide in a 390 px frame", w)
	}
	if dir := os.Getenv("NEWSROOM_SCREENSHOTS"); dir != "" {
		png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		_ = os.WriteFile(filepath.Join(dir, "newsroom-preview.png"), png, 0o644)
	}
	b.run("make a link", chromedp.Click(chromedp.CSS(`form[action$="/share"] button`)), chromedp.WaitVisible(chromedp.CSS("#share-url")))
	link := evalIn[string](b, `document.querySelector("#share-url").value`)
	link = b.url + link[strings.Index(link, "/preview/"):]

	// A reviewer outside the newsroom, on a phone.
	phone := openBrowser(t, chromium(t), b.url, 390, 844)
	phone.run("open the link", chromedp.EmulateViewport(390, 844), chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("article h1")))
	if w := evalIn[int](phone, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the preview link's page is %d px wide on a 390 px phone", w)
	}
	if txt := evalIn[string](phone, `document.querySelector("article").textContent`); !strings.Contains(txt, "We waited three weeks") {
		t.Errorf("the preview link shows %q", txt)
	}
	if errs := phone.pageErrors(); len(errs) > 0 {
		t.Errorf("the preview page logged errors: %q", errs)
	}
}

// TestLeadPhotoKeepsUnsavedText: a reporter types in the story, uploads a
// lead photo without saving first, and the typed text is still there; the
// story then saves with the text and the photo (before, the photo form
// reloaded the page and the text was lost).
func TestLeadPhotoKeepsUnsavedText(t *testing.T) {
	h := newHarness(t)
	rep := h.users[news.RoleReporter]
	a := h.story(rep, "Night buses", news.StatusDraft)
	if err := auth.SetPassword(h.ctx, h.st, rep, 0, "correct horse 42"); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, h, 1280, 1000)
	ed := `#body-rich .editable`
	b.signIn(storyPath(a, ""), rep.Email, "correct horse 42", ed)
	photo := testJPEG(t, "bus.jpg")
	b.run("type, then upload a lead photo",
		chromedp.Click(chromedp.CSS(ed)),
		chromedp.KeyEvent(kb.End, chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.SendKeys(chromedp.CSS(ed), " Routes N13 and N16 return on Monday"),
		chromedp.Click(chromedp.CSS("#headline")),
		chromedp.KeyEvent(kb.End),
		chromedp.SendKeys(chromedp.CSS("#headline"), " return"),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{photo}),
		chromedp.SendKeys(chromedp.CSS("#caption"), "A night bus at Jongno"),
		chromedp.SendKeys(chromedp.CSS("#credit"), "Kim Min-seo"),
		chromedp.SendKeys(chromedp.CSS("#alt"), "A green bus at night"),
		chromedp.Click(chromedp.CSS(`.photo-form button[value=save]`)),
		until(`!!document.querySelector(".lead-photo img")`),
	)
	if txt := evalIn[string](b, `document.querySelector("#body-rich .editable").textContent`); !strings.Contains(txt, "Routes N13 and N16 return on Monday") {
		t.Fatalf("the unsaved text is gone after the upload: %q", txt)
	}
	if hl := evalIn[string](b, `document.querySelector("#headline").value`); hl != "Night buses return" {
		t.Fatalf("the unsaved headline is gone: %q", hl)
	}
	got := h.find(a.ID)
	if got.PhotoID == 0 {
		t.Fatal("the lead photo was not stored")
	}
	if v := evalIn[string](b, `document.querySelector("#story-form input[name=version]").value`); v != fmt.Sprint(got.Version) {
		t.Errorf("the story form carries version %s after the upload, want %d", v, got.Version)
	}
	b.run("save", chromedp.Click(chromedp.CSS(`#story-form button[value=save]`)), chromedp.WaitVisible(chromedp.CSS(`main > p.flash`)))
	got = h.find(a.ID)
	if got.Headline != "Night buses return" || !strings.Contains(got.BodyHTML, "Routes N13 and N16 return on Monday") || got.PhotoID == 0 {
		t.Errorf("after saving: headline %q, photo %d, body %s", got.Headline, got.PhotoID, got.BodyHTML)
	}
	if errs := b.pageErrors(); len(errs) > 0 {
		t.Errorf("the page logged errors: %q", errs)
	}
}

// TestNewsroomScreenshots saves the README's screenshots of the editor, the
// story list (desktop and phone), the media library and the paper
// settings, on a small realistic newsroom. It runs only when asked:
//
//	NEWSROOM_SCREENSHOTS=$PWD/docs go test ./internal/newsroom -run TestNewsroomScreenshots
func TestNewsroomScreenshots(t *testing.T) {
	dir := os.Getenv("NEWSROOM_SCREENSHOTS")
	if dir == "" {
		t.Skip("set NEWSROOM_SCREENSHOTS=DIR to save the newsroom's screenshots")
	}
	dir, _ = filepath.Abs(dir)
	h := newHarness(t)
	ed := h.users[news.RoleEditor]
	var secs []*news.Section
	for i, name := range []string{"North Korea", "National", "Business"} {
		s := &news.Section{Slug: news.Slugify(name), Name: name, Position: i + 1}
		if err := h.st.CreateSection(h.ctx, s); err != nil {
			t.Fatal(err)
		}
		secs = append(secs, s)
	}
	var photos []inlinePhoto
	for i, capt := range []string{"Envoys shake hands at Panmunjom", "A night bus on Jongno", "Container cranes at Busan port"} {
		res, body := h.uploadTo(news.RoleEditor, "/newsroom/photos", "p.jpg", jpegBytes(t, 960, 640, uint8(60*i)), url.Values{"caption": {capt}, "credit": {"Yonhap"}, "alt": {capt}})
		wantStatus(t, "upload", res, body, 201)
		var p inlinePhoto
		_ = json.Unmarshal([]byte(body), &p)
		photos = append(photos, p)
	}
	mk := func(u *news.User, headline string, sec int, st news.Status, body string) *news.Article {
		a, err := h.flow.Create(h.ctx, u, workflow.Draft{Headline: headline, SectionID: secs[sec].ID, HTMLBody: true, BodyHTML: body})
		if err != nil {
			t.Fatal(err)
		}
		switch st {
		case news.StatusReview:
			err = h.flow.Submit(h.ctx, u, a.ID)
		case news.StatusPublished:
			err = h.flow.Publish(h.ctx, ed, a.ID, 0)
		}
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	rep := h.users[news.RoleReporter]
	mk(ed, "Seoul and Tokyo agree on a new hotline", 0, news.StatusPublished, "<p>Text.</p>")
	mk(rep, "Night buses return to Jongno on Monday", 1, news.StatusReview, fmt.Sprintf(`<p>Text.</p><figure class="photo"><img src="%s" alt="A bus"><figcaption>A night bus <span class="credit">Yonhap</span></figcaption></figure>`, photos[1].Src))
	mk(rep, "Chip exports climb for a fifth month", 2, news.StatusPublished, fmt.Sprintf(`<figure class="photo"><img src="%s" alt="Cranes"></figure>`, photos[2].Src))
	mk(rep, "Rain to ease by the weekend", 1, news.StatusDraft, "<p>Text.</p>")
	body := fmt.Sprintf(`<p>North Korea's envoy said on Friday that talks could resume <strong>within weeks</strong>, in the clearest sign yet that Pyongyang is <a href="https://example.com/statement">open to dialogue</a>.</p>`+
		`<h2>What the letter says</h2><ul><li><p>A meeting in the spring</p></li><li><p>Working-level talks first</p></li></ul>`+
		`<aside class="pullquote">“We are ready to talk, but not to be talked down to.”</aside>`+
		`<figure class="photo"><img src="%s" alt="Two envoys shake hands in front of blue huts" width="%d" height="%d"><figcaption>Envoys shake hands at Panmunjom <span class="credit">Yonhap</span></figcaption></figure>`+
		`<figure class="embed" data-provider="youtube" data-id="dQw4w9WgXcQ"><a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">YouTube video</a></figure>`, photos[0].Src, photos[0].Width, photos[0].Height)
	a := mk(ed, "Is Trump's second letter to NK leader for dialogue or status quo?", 0, news.StatusDraft, body)
	if err := auth.SetPassword(h.ctx, h.st, h.users[news.RoleAdmin], 0, "correct horse 42"); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, h, 1280, 900)
	b.signIn("/newsroom/", h.users[news.RoleAdmin].Email, "correct horse 42", `nav[aria-label="Newsroom"]`)
	shot := func(name, path, wait string, width int, full bool) {
		t.Helper()
		height := int64(900)
		if strings.Contains(name, "editor") {
			height = 1500
		}
		b.run(name, chromedp.EmulateViewport(int64(width), height), chromedp.Navigate(b.url+path), chromedp.WaitVisible(chromedp.CSS(wait)))
		var png []byte
		var err error
		if full {
			png, err = chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
		} else {
			png, err = chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	shot("newsroom-editor", storyPath(a, ""), "#body-rich figure.embed", 1280, false)
	shot("newsroom-stories", "/newsroom/stories", "table.stories", 1280, false)
	shot("newsroom-stories-390", "/newsroom/stories", "table.stories", 390, true)
	shot("newsroom-media", "/newsroom/media", ".media-grid", 1280, false)
	shot("newsroom-settings", "/newsroom/settings", "#st-name", 1280, true)
}

// TestTrashInChromium: an editor deletes a published story (confirming),
// finds it in the trash while its public address answers 410, and
// restores it (confirming again, as it goes back on the site).
func TestTrashInChromium(t *testing.T) {
	h := newHarness(t)
	ed := h.users[news.RoleEditor]
	a := h.story(ed, "Ferry timetable changes", news.StatusPublished)
	public := h.nr.paper().ArticlePath(a)
	if res, _ := h.do("", "GET", public, nil); res.StatusCode != 200 {
		t.Fatalf("the story's page before: %d", res.StatusCode)
	}
	if err := auth.SetPassword(h.ctx, h.st, ed, 0, "correct horse 42"); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, h, 1280, 900)
	b.signIn(storyPath(a, ""), ed.Email, "correct horse 42", `form[action$="/delete"] button`)
	b.run("delete",
		chromedp.Click(chromedp.CSS(`form[action$="/delete"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form.confirm button.danger`)),
		chromedp.Click(chromedp.CSS(`form.confirm button.danger`)),
		chromedp.WaitVisible(chromedp.CSS(`main > p.flash`)),
	)
	if txt := evalIn[string](b, `document.querySelector("main").textContent`); !strings.Contains(txt, "Ferry timetable changes") || !strings.Contains(txt, "published") {
		t.Fatalf("the trash page: %q", txt)
	}
	if res, _ := h.do("", "GET", public, nil); res.StatusCode != http.StatusGone {
		t.Errorf("a deleted public story answers %d, want 410", res.StatusCode)
	}
	_, list := h.do(news.RoleEditor, "GET", "/newsroom/stories", nil)
	if strings.Contains(list, "Ferry timetable changes") {
		t.Error("a deleted story is still in the story list")
	}
	b.run("restore",
		chromedp.Click(chromedp.CSS(`form[action$="/restore"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form.confirm button.danger`)),
		chromedp.Click(chromedp.CSS(`form.confirm button.danger`)),
		chromedp.WaitVisible(chromedp.CSS(`#body-rich .editable`)),
	)
	if st := h.statusOf(a); st != news.StatusPublished {
		t.Errorf("the restored story is %s", st)
	}
	if res, _ := h.do("", "GET", public, nil); res.StatusCode != 200 {
		t.Errorf("the restored story's page: %d", res.StatusCode)
	}
}

// TestAutosaveSurvivesClosedTab: a reporter types mid-sentence, the
// editor autosaves the working copy (not a revision, not published), the
// tab is closed without saving, and reopening the story shows the text.
func TestAutosaveSurvivesClosedTab(t *testing.T) {
	h := newHarness(t)
	rep := h.users[news.RoleReporter]
	a := h.story(rep, "Subway fares", news.StatusDraft)
	revsBefore, _ := h.st.FindRevisions(h.ctx, a.ID)
	if err := auth.SetPassword(h.ctx, h.st, rep, 0, "correct horse 42"); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, h, 1280, 900)
	ed := `#body-rich .editable`
	b.signIn("/newsroom/", rep.Email, "correct horse 42", `nav[aria-label="Newsroom"]`)
	// The writing happens in a second tab of the same browser.
	tab, cancel := chromedp.NewContext(b.ctx)
	defer cancel()
	if err := chromedp.Do(tab,
		chromedp.Navigate(b.url+storyPath(a, "")),
		chromedp.WaitVisible(chromedp.CSS(ed)),
		chromedp.Click(chromedp.CSS(ed)),
		chromedp.KeyEvent(kb.End, chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.SendKeys(chromedp.CSS(ed), " Fares rise by 150 won from Octo"),
		chromedp.Poll[chromedp.Void](`document.querySelector(".autosave-status").textContent.startsWith("Autosaved")`, chromedp.WithPollingTimeout(30*time.Second)),
	); err != nil {
		t.Fatalf("type mid-sentence and wait for the autosave: %v", err)
	}
	// Kill the tab: no save, no unload handler to rely on.
	if err := chromedp.Cancel(tab); err != nil {
		t.Fatal(err)
	}
	tab2 := b.ctx
	got := h.find(a.ID)
	if strings.Contains(got.BodyHTML, "Octo") {
		t.Fatal("the autosave changed the story itself")
	}
	if revs, _ := h.st.FindRevisions(h.ctx, a.ID); len(revs) != len(revsBefore) {
		t.Errorf("the autosave made a revision (%d → %d)", len(revsBefore), len(revs))
	}
	if err := chromedp.Do(tab2, chromedp.Navigate(b.url+storyPath(a, "")), chromedp.WaitVisible(chromedp.CSS(ed))); err != nil {
		t.Fatal(err)
	}
	txt, err := chromedp.Run(tab2, chromedp.Evaluate[string](`document.querySelector("#body-rich .editable").textContent + " | " + (document.querySelector(".restored") || {textContent: ""}).textContent`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(txt, "Fares rise by 150 won from Octo") || !strings.Contains(txt, "were autosaved") {
		t.Errorf("the reopened story shows %q", txt)
	}
}

// TestPresenceAndStaleSave: two editors open the same story in two
// browsers; each is told the other is editing it; when one saves, the
// other's save is refused as stale instead of overwriting it.
func TestPresenceAndStaleSave(t *testing.T) {
	h := newHarness(t)
	ed, admin := h.users[news.RoleEditor], h.users[news.RoleAdmin]
	a := h.story(ed, "Budget vote", news.StatusDraft)
	for _, u := range []*news.User{ed, admin} {
		if err := auth.SetPassword(h.ctx, h.st, u, 0, "correct horse 42"); err != nil {
			t.Fatal(err)
		}
	}
	one := newBrowser(t, h, 1280, 900)
	two := openBrowser(t, chromium(t), one.url, 1280, 900)
	sel := `#body-rich .editable`
	one.signIn(storyPath(a, ""), ed.Email, "correct horse 42", sel)
	two.signIn(storyPath(a, ""), admin.Email, "correct horse 42", sel)
	wait := func(b *browser, who string) {
		t.Helper()
		b.run("presence of "+who, chromedp.Poll[chromedp.Void](`document.getElementById("presence").textContent.includes(`+"`"+who+` is also editing`+"`"+`)`,
			chromedp.WithPollingTimeout(40*time.Second)))
	}
	wait(two, ed.Name)
	wait(one, admin.Name)
	// The first saves; the second's save, from the older version, is refused.
	one.run("first save",
		chromedp.Click(chromedp.CSS("#headline")), chromedp.KeyEvent(kb.End), chromedp.SendKeys(chromedp.CSS("#headline"), " passes"),
		chromedp.Click(chromedp.CSS(`#story-form button[value=save]`)), chromedp.WaitVisible(chromedp.CSS(`main > p.flash`)))
	two.run("second save",
		chromedp.Click(chromedp.CSS("#headline")), chromedp.KeyEvent(kb.End), chromedp.SendKeys(chromedp.CSS("#headline"), " fails"),
		chromedp.Click(chromedp.CSS(`#story-form button[value=save]`)), chromedp.WaitVisible(chromedp.CSS(`#form-error`)))
	// The write path's conflict screen: who saved, and the fields to merge.
	if msg := evalIn[string](two, `document.querySelector("#form-error").textContent`); !strings.Contains(msg, "after you opened it") || !strings.Contains(msg, "Nothing was saved") {
		t.Errorf("the stale save says %q", msg)
	}
	if got := h.find(a.ID); got.Headline != "Budget vote passes" {
		t.Errorf("headline after both saves: %q", got.Headline)
	}
}

// TestSectionRenameRedirectsInChromium: an admin gives a section a new name
// and address on the Sections page; the old address answers 301 and the
// browser lands on the section's new page.
func TestSectionRenameRedirectsInChromium(t *testing.T) {
	h := newHarness(t)
	s := &news.Section{Slug: "nk", Name: "NK", Position: 1}
	if err := h.st.CreateSection(h.ctx, s); err != nil {
		t.Fatal(err)
	}
	admin := h.users[news.RoleAdmin]
	if err := auth.SetPassword(h.ctx, h.st, admin, 0, "correct horse 42"); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, h, 1280, 900)
	b.signIn("/newsroom/sections", admin.Email, "correct horse 42", `form.section-edit input[name=slug]`)
	b.run("rename",
		chromedp.SetValue(chromedp.CSS(`form.section-edit input[name=name]`), "North Korea"),
		chromedp.SetValue(chromedp.CSS(`form.section-edit input[name=slug]`), "north-korea"),
		chromedp.Click(chromedp.CSS(`form.section-edit button`)),
		chromedp.WaitVisible(chromedp.CSS(`main > p.flash`)),
	)
	res, _ := h.do("", "GET", "/section/nk", nil)
	if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/section/north-korea" {
		t.Errorf("the old address: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	b.run("follow", chromedp.Navigate(b.url+"/section/nk"), chromedp.WaitVisible(chromedp.CSS("h1")))
	if path := evalIn[string](b, `location.pathname`); path != "/section/north-korea" {
		t.Errorf("the browser ended at %s", path)
	}
	if h1 := evalIn[string](b, `document.querySelector("h1").textContent`); !strings.Contains(h1, "North Korea") {
		t.Errorf("the section page says %q", h1)
	}
}
