package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserNewsroomWorkflow is the newsroom end to end, on the real
// binary, in Chromium: the admin adds a section and a reporter in the
// browser and an editor with the CLI; the reporter writes a story with a
// photo and submits it; the editor schedules it a few seconds ahead; the
// reader site shows it when its time comes, not before; the editor appends
// a correction and readers see it.
func TestBrowserNewsroomWorkflow(t *testing.T) {
	chromium(t)
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	start := time.Now()
	bin := masthead(t)
	s := startServer(t, "--no-demo")
	adminEmail, adminPassword := adminLogin(t, s)
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}

	// The editor comes from the command line, beside the running server.
	const edEmail, edPassword = "editor@example.com", "a long editor password 2026"
	cmd := exec.Command(bin, "user", "add", "--data", s.Data, "--email", edEmail, "--name", "Han Ji-min", "--role", "editor", "--password-stdin")
	cmd.Env = cleanEnv()
	cmd.Stdin = strings.NewReader(edPassword + "\n")
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "as editor") {
		t.Fatalf("user add: %v\n%s", err, out)
	}

	ctx := newBrowser(t, 1280, 1000)
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v (after %s)", what, err, time.Since(start).Round(time.Millisecond))
		}
	}
	// A click that sends a form is followed by a wait on the next page:
	// the condition must be false on the page the click left.
	submit := func(what, sel, cond string) {
		t.Helper()
		step(what, chromedp.Click(chromedp.CSS(sel)), until(cond))
	}
	signIn := func(email, password string) {
		t.Helper()
		step("sign in as "+email,
			chromedp.Navigate(s.URL+"/newsroom/signin"),
			chromedp.WaitVisible(chromedp.CSS("#password")),
			chromedp.SendKeys(chromedp.CSS("#email"), email),
			chromedp.SendKeys(chromedp.CSS("#password"), password),
		)
		submit("sign in as "+email, `main form button[type=submit]`, `!!document.querySelector('nav[aria-label="Newsroom"]')`)
	}
	signOut := func() {
		t.Helper()
		submit("sign out", `header form[action="/newsroom/signout"] button`, `location.pathname === "/newsroom/signin"`)
	}
	text := func(sel string) string {
		t.Helper()
		return eval[string](ctx, t, `(document.querySelector(`+strconv.Quote(sel)+`) || {textContent: ""}).textContent`)
	}

	// The admin: a section and a reporter, in the browser.
	signIn(adminEmail, adminPassword)
	step("sections page", chromedp.Navigate(s.URL+"/newsroom/sections"), chromedp.WaitVisible(chromedp.CSS("#s-name")),
		chromedp.SendKeys(chromedp.CSS("#s-name"), "Metro"))
	submit("add section", `form[action="/newsroom/sections"] button`, `document.body.textContent.includes("Section added.")`)
	step("users page", chromedp.Navigate(s.URL+"/newsroom/users"), chromedp.WaitVisible(chromedp.CSS("#nu-email")),
		chromedp.SendKeys(chromedp.CSS("#nu-email"), "reporter@example.com"),
		chromedp.SendKeys(chromedp.CSS("#nu-name"), "Kim Min-seo"),
		chromedp.SetValue(chromedp.CSS("#nu-role"), "reporter"),
	)
	submit("add reporter", `form[action="/newsroom/users"] button`, `!!document.querySelector("code.secret")`)
	repPassword := strings.TrimSpace(text("code.secret"))
	if len(repPassword) < 10 {
		t.Fatalf("the new reporter's password shown is %q", repPassword)
	}
	signOut()

	// The reporter writes the story, adds a photo and submits it.
	headline := fmt.Sprintf("Night buses return to Jongno %d", time.Now().UnixNano()%100000)
	const body = "The city brings back **four night routes** from Monday.\n\nRiders asked for them in a survey."
	signIn("reporter@example.com", repPassword)
	step("new story", chromedp.Navigate(s.URL+"/newsroom/stories/new"), chromedp.WaitVisible(chromedp.CSS("#headline")),
		chromedp.SendKeys(chromedp.CSS("#headline"), headline),
		chromedp.WaitVisible(chromedp.CSS("#body-rich .editable")),
		chromedp.Click(chromedp.CSS("#body-rich .editable")),
		chromedp.SendKeys(chromedp.CSS("#body-rich .editable"), body),
		// The rich editor runs under the strict CSP and turns the typed
		// Markdown marks into bold as it goes.
		until(`!!document.querySelector("#body-rich .editable strong")`),
	)
	metro := eval[string](ctx, t, `[...document.querySelectorAll("#section option")].find(o => o.textContent === "Metro").value`)
	step("pick section", chromedp.SetValue(chromedp.CSS("#section"), metro))
	submit("save draft", `#story-form button[value=save]`, `location.search.includes("done=created")`)
	m := regexp.MustCompile(`/newsroom/stories/(\d+)`).FindStringSubmatch(eval[string](ctx, t, `location.pathname`))
	if m == nil {
		t.Fatal("no story id in the editor's address")
	}
	storyPath := "/newsroom/stories/" + m[1]

	photo := filepath.Join(t.TempDir(), "buses.jpg")
	if err := os.WriteFile(photo, testJPEG(t, 960, 640), 0o600); err != nil {
		t.Fatal(err)
	}
	step("photo form", chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{photo}),
		chromedp.SendKeys(chromedp.CSS("#caption"), "A night bus at Jongno 3-ga."),
		chromedp.SendKeys(chromedp.CSS("#credit"), "Kim Min-seo / Herald"),
		chromedp.SendKeys(chromedp.CSS("#alt"), "A green bus at a lit stop at night"),
	)
	// The photo form is sent in the background (the story's unsaved text
	// stays on the page); the photo appears in the panel.
	step("upload photo", chromedp.Click(chromedp.CSS(`.photo-form button[value=save]`)),
		until(`(() => { const i = document.querySelector(".lead-photo img"); return !!i && i.complete && i.naturalWidth > 0 })()`))
	// A draft's photo is shown to staff through the newsroom; readers get
	// 404 for it at its public URL until the story is published.
	src := eval[string](ctx, t, `(document.querySelector(".lead-photo img") || {}).getAttribute?.("src") || ""`)
	if !strings.HasPrefix(src, "/newsroom/media/") {
		t.Fatalf("no lead photo in the editor after upload (src %q)", src)
	}
	if loaded := eval[bool](ctx, t, `document.querySelector(".lead-photo img").complete && document.querySelector(".lead-photo img").naturalWidth > 0`); !loaded {
		t.Fatalf("the editor's photo %s did not load", src)
	}
	submit("submit for review", `form[action$="/submit"] button`, `location.search.includes("done=submit")`)
	if st := text(".meta .status"); st != "review" {
		t.Fatalf("after submit the story is %q", st)
	}
	// A reporter cannot publish or schedule: the buttons are not there.
	if n := eval[int](ctx, t, `document.querySelectorAll('form[action$="/publish"], form[action$="/schedule"]').length`); n != 0 {
		t.Fatalf("the reporter sees %d publish/schedule forms", n)
	}
	signOut()

	// The editor finds it in review and schedules it a few seconds ahead.
	signIn(edEmail, edPassword)
	step("dashboard", chromedp.Navigate(s.URL+"/newsroom/"), chromedp.WaitVisible(chromedp.CSS("main")))
	if !strings.Contains(text("main"), headline) {
		t.Fatalf("the story is not on the editor's dashboard:\n%s", text("main"))
	}
	step("open story", chromedp.Navigate(s.URL+storyPath), chromedp.WaitVisible(chromedp.CSS("#at")))
	if body := text("#body-rich .editable"); !strings.Contains(body, "four night routes") {
		t.Fatalf("the editor shows %q", body)
	}
	at := time.Now().Add(8 * time.Second).Truncate(time.Second)
	// SetValue reads the value back and fails when the field changed it:
	// a whole minute (1 run in 60 of the one above) checks datetimeLocal
	// writes it as the browser does.
	step("whole minute", chromedp.SetValue(chromedp.CSS("#at"), datetimeLocal(at.Truncate(time.Minute).In(seoul))))
	// The field takes minutes; seconds are a valid value but not a step
	// of it, so the form is sent by script, past the browser's step check
	// (the server reads both forms).
	step("schedule", chromedp.SetValue(chromedp.CSS("#at"), datetimeLocal(at.In(seoul))),
		evalVoid(`HTMLFormElement.prototype.submit.call(document.querySelector('form[action$="/schedule"]'))`),
		until(`location.search.includes("done=schedule")`))
	if st := text(".meta .status"); st != "scheduled" {
		t.Fatalf("after scheduling the story is %q:\n%s", st, text("main"))
	}

	// Readers: nothing before its time (checked only when the answer
	// surely came before it), then the story on the front page.
	before := time.Now()
	_, front := get(t, s.URL+"/")
	if time.Now().Before(at.Add(-500*time.Millisecond)) && strings.Contains(front, headline) {
		t.Fatalf("the front page shows the story %v before its time", at.Sub(before))
	}
	var articleURL string
	linkRE := regexp.MustCompile(`href="([^"]*/[0-9]{4}/[0-9]{2}/[0-9]{2}/[^"]+)"[^>]*>\s*` + regexp.QuoteMeta(headline))
	deadline := at.Add(30 * time.Second)
	for articleURL == "" {
		_, front = get(t, s.URL+"/")
		if m := linkRE.FindStringSubmatch(front); m != nil {
			articleURL = strings.TrimPrefix(m[1], s.URL)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the story was not on the front page 30 s after its time")
		}
		time.Sleep(200 * time.Millisecond)
	}
	live := time.Since(at)
	t.Logf("on the front page %v after its scheduled time", live.Round(10*time.Millisecond))
	if time.Now().Before(at) {
		t.Fatalf("the story went live before its time")
	}
	code, page := get(t, s.URL+articleURL)
	if code != http.StatusOK || !strings.Contains(page, headline) || !strings.Contains(page, "<strong>four night routes</strong>") ||
		!strings.Contains(page, "A night bus at Jongno 3-ga.") || !strings.Contains(page, `alt="A green bus at a lit stop at night"`) {
		t.Fatalf("story page %s: %d, headline, body, caption or alt missing", articleURL, code)
	}

	// The editor appends a correction; readers see it.
	const note = "An earlier version gave the wrong number of routes."
	step("story page", chromedp.Navigate(s.URL+storyPath), chromedp.WaitVisible(chromedp.CSS("#note")),
		chromedp.SetValue(chromedp.CSS("#kind"), "correction"),
		chromedp.SendKeys(chromedp.CSS("#note"), note))
	submit("append correction", `form[action$="/corrections"] button`, `location.search.includes("done=corrected")`)
	if !strings.Contains(text("#corrections"), note) {
		t.Fatalf("the correction is not listed in the newsroom:\n%s", text("#corrections"))
	}
	code, page = get(t, s.URL+articleURL)
	if code != http.StatusOK || !strings.Contains(page, note) {
		t.Fatalf("story page after the correction: %d, note shown: %v", code, strings.Contains(page, note))
	}
	if code, list := get(t, s.URL+"/corrections"); code == http.StatusOK {
		if !strings.Contains(list, note) || !strings.Contains(list, articleURL) {
			t.Errorf("/corrections does not list the note with a link to the story")
		}
	} else {
		t.Logf("GET /corrections answered %d: not checked", code)
	}

	// A reader's view shows in the editor's chart (the counter's unwritten
	// counts included).
	id, _ := strconv.ParseInt(m[1], 10, 64)
	if ok, err := beacon(http.DefaultClient, s.URL, id, 1); err != nil || !ok {
		t.Fatalf("beacon: %v %v", ok, err)
	}
	step("chart", chromedp.Navigate(s.URL+storyPath), chromedp.WaitVisible(chromedp.CSS("#views-summary")))
	if sum := text("#views-summary"); !strings.HasPrefix(sum, "1 view in the last 48 hours") {
		t.Errorf("views summary: %q", sum)
	}
	if n := eval[int](ctx, t, `document.querySelectorAll("#views svg rect.bar").length`); n != 48 {
		t.Errorf("the chart has %d bars, want 48", n)
	}
	t.Logf("whole flow in %v", time.Since(start).Round(time.Millisecond))
}

// until polls a JavaScript condition on a loaded page, across page loads:
// a form's navigation destroys the page being polled, which chromedp.Poll
// reports as an error, so errors here only mean "not yet".
func until(cond string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		deadline := time.Now().Add(20 * time.Second)
		for {
			// The new page's address is there before its body: wait for
			// the whole document.
			ok, err := chromedp.Evaluate[bool](`document.readyState === "complete" && (`+cond+`)`)(ctx, t)
			if err == nil && ok {
				return chromedp.Void{}, nil
			}
			if time.Now().After(deadline) {
				return chromedp.Void{}, fmt.Errorf("%s still false after 20 s (last error: %v)", cond, err)
			}
			select {
			case <-ctx.Done():
				return chromedp.Void{}, ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
}

// datetimeLocal is t, to the second, as a datetime-local field holds it:
// HTML's normalized form, which leaves out the seconds when they are zero
// (Chromium turns "15:04:00" into "15:04" as the value is set).
func datetimeLocal(t time.Time) string {
	if t.Second() == 0 {
		return t.Format("2006-01-02T15:04")
	}
	return t.Format("2006-01-02T15:04:05")
}

// evalVoid runs a script for its effect.
func evalVoid(expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool](expr+"; true")(ctx, t)
		return chromedp.Void{}, err
	}
}

// testJPEG draws a small photo: a gradient, so it is a real image with
// real content for the renditions.
func testJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 120, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
