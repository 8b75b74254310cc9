package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"masthead/internal/mail/mailpit"
)

// TestBrowserReaderJourney is issue 16's end-to-end test in Chromium, with
// real mail through Mailpit: a reader subscribes from the front page,
// confirms from the mail, gets a story an editor sends, unsubscribes in one
// click, signs in by e-mailed link, comments (held, as a first comment is),
// and sees the comment once an editor approved it. A hostile comment stays
// inert on the real story page.
func TestBrowserReaderJourney(t *testing.T) {
	chromium(t)
	mp := mailpit.FromEnv(t)
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	masthead(t)
	s := startServer(t, "--smtp", mp.URL(), "--mail-from", "The Masthead Herald <news@masthead.test>")
	adminEmail, adminPassword := adminLogin(t, s)
	addr := mailpit.Address("journey")
	ctx := newBrowser(t, 1200, 1000)
	start := time.Now()
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v (after %s)", what, err, time.Since(start).Round(time.Millisecond))
		}
	}
	text := func(sel string) string {
		t.Helper()
		return eval[string](ctx, t, `(document.querySelector(`+strconv.Quote(sel)+`) || {textContent: ""}).textContent`)
	}
	linkIn := func(n int, path string) string {
		t.Helper()
		got := mp.Wait(t, addr, n)
		m, err := mp.Message(context.Background(), got[n-1].ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range regexp.MustCompile(`https?://\S+`).FindAllString(m.Text, -1) {
			if u, err := url.Parse(l); err == nil && u.Path == path {
				return l
			}
		}
		t.Fatalf("mail %d has no %s link:\n%s", n, path, m.Text)
		return ""
	}

	// 1. Subscribe from the front page's form (no script involved).
	step("front page sign-up",
		chromedp.Navigate(s.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#signup-email")),
		chromedp.SendKeys(chromedp.CSS("#signup-email"), addr),
		chromedp.Click(chromedp.CSS(`form[action="/newsletters/subscribe"] button`)),
		until(`document.title.startsWith("Check your inbox")`))

	// 2. Confirm from the mail.
	step("confirm", chromedp.Navigate(linkIn(1, "/newsletters/confirm")),
		chromedp.WaitVisible(chromedp.CSS("#confirm-subscription")),
		chromedp.Click(chromedp.CSS("#confirm-subscription")),
		until(`document.title.startsWith("You are subscribed")`))

	// 3. An editor sends a story to the list; the reader gets it.
	ed := newNewsroomClient()
	if err := ed.signIn(s.URL, adminEmail, adminPassword); err != nil {
		t.Fatal(err)
	}
	page := ed.get(t, s.URL+"/newsroom/newsletters")
	// The newest story (the first offered): comments on it are open; the
	// demo's older stories are past the 14 days.
	story := regexp.MustCompile(`<select id="send-story" name="article"><option value="(\d+)">([^<]+)</option>`).FindStringSubmatch(page)
	list := regexp.MustCompile(`<select id="send-list" name="list"><option value="(\d+)">`).FindStringSubmatch(page)
	if story == nil || list == nil {
		t.Fatalf("newsletter desk has no story or list to send:\n%s", page)
	}
	if code, _, err := ed.post(s.URL, "/newsroom/newsletters/send", url.Values{"article": {story[1]}, "list": {list[1]}}); err != nil || code != http.StatusSeeOther {
		t.Fatalf("send story: %d %v", code, err)
	}
	issue := mp.Wait(t, addr, 2)[1]
	full, err := mp.Message(context.Background(), issue.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(full.HTML, "Read the story") || full.ListUnsubscribe.HeaderPost != "List-Unsubscribe=One-Click" || full.ListUnsubscribe.Errors != "" {
		t.Fatalf("the story mail: subject %q, unsubscribe %+v", full.Subject, full.ListUnsubscribe)
	}
	if desk := ed.get(t, s.URL+"/newsroom/newsletters"); !strings.Contains(desk, "1 sent, 0 failed, 0 queued") {
		t.Errorf("send progress in the newsroom does not show the sent issue")
	}

	// 4. One click in the mailbox: its server POSTs to the header's URL.
	var unsub string
	for _, l := range full.ListUnsubscribe.Links {
		if strings.HasPrefix(l, "http") {
			unsub = l
		}
	}
	resp, err := http.Post(unsub, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Unsubscribed") {
		t.Fatalf("one-click unsubscribe: %d", resp.StatusCode)
	}

	// 5. Sign in by e-mailed link.
	step("ask for a sign-in link",
		chromedp.Navigate(s.URL+"/account"),
		chromedp.WaitVisible(chromedp.CSS("#signin-email")),
		chromedp.SendKeys(chromedp.CSS("#signin-email"), addr),
		chromedp.Click(chromedp.CSS(`form[action="/account/signin"] button`)),
		until(`document.title.startsWith("Check your inbox")`))
	step("sign in", chromedp.Navigate(linkIn(3, "/account/signin")),
		chromedp.WaitVisible(chromedp.CSS("#signin-confirm")),
		chromedp.Click(chromedp.CSS("#signin-confirm")),
		until(`!!document.querySelector("#signout")`))
	if got := text("main"); !strings.Contains(got, "Your newsletters") || strings.Contains(got, addr) {
		t.Errorf("account page: %q", got)
	}
	if checked := eval[int](ctx, t, `document.querySelectorAll('input[name=list]:checked').length`); checked != 0 {
		t.Errorf("after the one-click unsubscribe the account shows %d newsletters", checked)
	}

	// 6. Comment on the story; a first comment is held for review.
	sm := regexp.MustCompile(`https?://[^/\s]+(/\d{4}/\d{2}/\d{2}/\S+)`).FindStringSubmatch(full.Text)
	if sm == nil {
		t.Fatalf("the story mail has no story link:\n%s", full.Text)
	}
	storyURL := s.URL + sm[1]
	comment := "Thoughtful reporting, thank you. More at https://example.org/context."
	step("comment", chromedp.Navigate(storyURL),
		until(`document.querySelector("#comments").getAttribute("data-loaded") === "true"`),
		chromedp.WaitVisible(chromedp.CSS("#comments textarea")),
		chromedp.SendKeys(chromedp.CSS("#comments textarea"), comment),
		chromedp.Click(chromedp.CSS("#comments form.comment-form button")),
		until(`!!document.querySelector("#comments li.comment.pending")`))
	if got := text("#comments li.comment.pending"); !strings.Contains(got, "Waiting for review") || !strings.Contains(got, "Thoughtful reporting") {
		t.Errorf("held comment as its author sees it: %q", got)
	}
	if l := eval[string](ctx, t, `document.querySelector('#comments li.comment.pending a').rel`); l != "nofollow ugc" {
		t.Errorf("comment link rel = %q", l)
	}
	// Nobody else sees it yet: the public thread is empty.
	pub := publicThread(t, s.URL, storyURL, 0)
	if pub.Count != 0 {
		t.Errorf("a held comment is public: %+v", pub)
	}

	// 7. The editor approves it from the queue.
	queue := ed.get(t, s.URL+"/newsroom/comments")
	cid := regexp.MustCompile(`data-comment="(\d+)"`).FindStringSubmatch(queue)
	if cid == nil || !strings.Contains(queue, "Thoughtful reporting") {
		t.Fatalf("moderation queue:\n%s", queue)
	}
	if code, _, err := ed.post(s.URL, "/newsroom/comments/"+cid[1]+"/reply", url.Values{"body": {"Thank you for reading."}}); err != nil || code != http.StatusSeeOther {
		t.Fatalf("approve and answer: %d %v", code, err)
	}
	step("see it approved", chromedp.Navigate(storyURL),
		until(`document.querySelector("#comments").getAttribute("data-loaded") === "true"`))
	if n := eval[int](ctx, t, `document.querySelectorAll('#comments li.comment.pending').length`); n != 0 {
		t.Errorf("the approved comment still shows as held")
	}
	if got := text("#comments"); !strings.Contains(got, "Thoughtful reporting") || !strings.Contains(got, "Staff") || !strings.Contains(got, "Thank you for reading.") {
		t.Errorf("thread after approval: %q", got)
	}
	if pub := publicThread(t, s.URL, storyURL, 2); pub.Count != 2 {
		t.Errorf("public thread has %d comments, want the reader's and the paper's answer", pub.Count)
	}

	// 8. Hostile text on the real page, through the real script: inert.
	hostile := `<img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script> https://evil.example/"><svg onload=window.__pwned=3>`
	step("hostile comment", chromedp.SendKeys(chromedp.CSS("#comments > form.comment-form textarea"), hostile),
		chromedp.Click(chromedp.CSS("#comments > form.comment-form button")),
		until(`document.querySelectorAll("#comments li.comment").length >= 3`))
	time.Sleep(300 * time.Millisecond) // let an onerror fire if one had got through
	if bad := eval[string](ctx, t, `(() => {
		if (window.__pwned !== undefined) return 'script ran: ' + window.__pwned;
		const el = document.querySelector('#comments img, #comments script, #comments svg, #comments [onerror], #comments [onload]');
		return el ? 'element survived: ' + el.outerHTML : '';
	})()`); bad != "" {
		t.Error(bad)
	}

	// The story page itself is the same document for a signed-in reader
	// and for anyone else.
	anon := getBody(t, storyURL)
	signed := eval[string](ctx, t, `fetch(location.href, {cache: "no-store"}).then(r => r.text())`, chromedp.EvalAwaitPromise)
	if anon != signed {
		t.Errorf("the story page differs for a signed-in reader (%d vs %d bytes)", len(signed), len(anon))
	}
}

type threadJSON struct {
	Count    int `json:"count"`
	Comments []struct {
		HTML string `json:"html"`
	} `json:"comments"`
}

// publicThread reads the story's public comment JSON as any reader would,
// waiting up to 8 s (the endpoint is cached for a few seconds) for want.
func publicThread(t *testing.T, base, storyURL string, want int) threadJSON {
	t.Helper()
	m := regexp.MustCompile(`data-article="(\d+)"`).FindStringSubmatch(getBody(t, storyURL))
	if m == nil {
		t.Fatal("story page has no comments section")
	}
	var th threadJSON
	for deadline := time.Now().Add(8 * time.Second); ; {
		if err := json.Unmarshal([]byte(getBody(t, base+"/api/v1/articles/"+m[1]+"/comments")), &th); err != nil {
			t.Fatal(err)
		}
		if th.Count == want || time.Now().After(deadline) {
			return th
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func getBody(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// get reads a newsroom page as the signed-in editor.
func (n *newsroomClient) get(t *testing.T, u string) string {
	t.Helper()
	resp, err := n.c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s\n%s", u, resp.Status, b)
	}
	return string(b)
}
