package newsroom

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"masthead/internal/auth"
	"masthead/internal/mail"
	"masthead/internal/mail/mailpit"
	"masthead/internal/news"
)

var resetLinkRe = regexp.MustCompile(`https?://\S+/newsroom/reset/[A-Za-z0-9_-]+`)

// TestPasswordResetByMailInChromium: a reporter who forgot their password
// asks for a link on the sign-in page, the newsroom mails it through the
// paper's SMTP settings (a real Mailpit), the link opens the form in the
// browser, the new password is set, and the reporter signs in with it; the
// link then works no more.
func TestPasswordResetByMailInChromium(t *testing.T) {
	mp := mailpit.FromEnv(t)
	var m dynamicMail
	h := newHarness(t, func(c *Config) {
		m = settingsMail(c.Store)
		c.Mail = m
	})
	t.Cleanup(func() { m.d.Close() })
	for k, v := range map[string]string{mail.KeyURL: mp.URL(), mail.KeyFrom: "Test Desk <desk@news.test>"} {
		if err := h.st.PutSetting(h.ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	rep := h.users[news.RoleReporter]
	addr := mailpit.Address("reset")
	if _, err := h.st.UpdateUser(h.ctx, rep.ID, news.UserUpdate{Email: &addr}); err != nil {
		t.Fatal(err)
	}
	if err := auth.SetPassword(h.ctx, h.st, rep, 0, "an old password 1"); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, h, 390, 844)
	b.run("ask for a link",
		chromedp.Navigate(b.url+"/newsroom/signin"),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/newsroom/forgot"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/newsroom/forgot"]`)),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), addr),
		chromedp.Click(chromedp.CSS("form.narrow button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`p[role=status]`)),
	)
	got := mp.Wait(t, addr, 1)
	msg, err := mp.Message(h.ctx, got[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg.Subject, "Reset your The Test Times newsroom password") || msg.From == nil || msg.From.Address != "desk@news.test" {
		t.Errorf("the reset mail: %q from %+v", msg.Subject, msg.From)
	}
	link := resetLinkRe.FindString(msg.Text)
	if link == "" {
		t.Fatalf("no reset link in the mail:\n%s", msg.Text)
	}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	// The paper's address is news.test; the test server is elsewhere.
	b.run("set the password",
		chromedp.Navigate(b.url+u.Path),
		chromedp.WaitVisible(chromedp.CSS("#password")),
		chromedp.SendKeys(chromedp.CSS("#password"), "a brand new password 2"),
		chromedp.SendKeys(chromedp.CSS("#again"), "a brand new password 2"),
		chromedp.Click(chromedp.CSS("form.narrow button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("main > p.flash")),
	)
	if flash := evalIn[string](b, `document.querySelector("main > p.flash").textContent`); !strings.Contains(flash, "Your password is set") {
		t.Errorf("after setting the password the page says %q", flash)
	}
	// The sign-in page has an h1 too: wait for the newsroom's menu.
	b.signIn("/newsroom/", addr, "a brand new password 2", `nav[aria-label="Newsroom"]`)
	if h1 := evalIn[string](b, `document.querySelector("h1").textContent`); h1 != "Dashboard" {
		t.Errorf("signed in with the new password, the page is %q", h1)
	}
	if _, err := auth.Authenticate(h.ctx, h.st, addr, "an old password 1"); err == nil {
		t.Error("the old password still works")
	}
	if errs := b.pageErrors(); len(errs) > 0 {
		t.Errorf("the pages logged errors: %v", errs)
	}
	// A spent link is a 404 page (which the browser logs as an error).
	b.run("the link again", chromedp.Navigate(b.url+u.Path), chromedp.WaitVisible(chromedp.CSS("h1")))
	if h1 := evalIn[string](b, `document.querySelector("h1").textContent`); strings.Contains(h1, "Choose a new password") {
		t.Error("the reset link works twice")
	}
}
