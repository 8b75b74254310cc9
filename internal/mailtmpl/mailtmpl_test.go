package mailtmpl_test

import (
	"context"
	"strings"
	"testing"

	"masthead/internal/mail"
	"masthead/internal/mail/mailpit"
	"masthead/internal/mailtmpl"
)

var paper = mailtmpl.Paper{Name: "The Masthead Herald", BaseURL: "https://news.example.com", Lang: "en", Address: "1 Sejong-daero, Jung-gu, Seoul"}

func issue() mailtmpl.Issue {
	return mailtmpl.Issue{
		Paper: paper, List: "Daily digest", Subject: "Today: Trump's second letter to Kim",
		Preheader: "Dialogue or status quo? And four more stories.",
		Stories: []mailtmpl.Story{
			{Headline: "Is Trump's second letter to NK leader for dialogue or status quo?", Deck: "Experts are split on what the letter means <for> talks.",
				URL: "https://news.example.com/2026/12/03/trump-letter", Byline: "By Kang Seung-woo", Section: "North Korea", Date: "Dec. 3, 2026",
				PhotoURL: "https://news.example.com/media/1/640.jpg", PhotoAlt: "Kim Jong-un at a meeting"},
			{Headline: "Won falls & stocks rise", URL: "https://news.example.com/2026/12/03/won", Byline: "By Lee Hyo-jin", Date: "Dec. 3, 2026"},
		},
		Why:            "You get this because you signed up for the Daily digest at news.example.com.",
		UnsubscribeURL: "https://news.example.com/newsletters/unsubscribe?t=tok",
		PreferencesURL: "https://news.example.com/account/newsletters",
	}
}

func TestRenderIssue(t *testing.T) {
	r, err := mailtmpl.RenderIssue(issue())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Daily digest", "Is Trump&#39;s second letter", "Experts are split on what the letter means &lt;for&gt; talks.",
		`href="https://news.example.com/2026/12/03/trump-letter"`, `alt="Kim Jong-un at a meeting"`, "Won falls &amp; stocks rise",
		`href="https://news.example.com/newsletters/unsubscribe?t=tok"`, "1 Sejong-daero"} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "<style", "width=\"1\" height=\"1\""} {
		if strings.Contains(r.HTML, bad) {
			t.Errorf("HTML has %q (no scripts, no style blocks, no tracking pixel unless asked)", bad)
		}
	}
	for _, want := range []string{"The Masthead Herald — Daily digest", "North Korea: Is Trump's second letter", "https://news.example.com/2026/12/03/trump-letter\n",
		"Unsubscribe: https://news.example.com/newsletters/unsubscribe?t=tok", "Won falls & stocks rise"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, r.Text)
		}
	}
	for _, l := range strings.Split(r.Text, "\n") {
		if len([]rune(l)) > 72 && !strings.Contains(l, "https://") {
			t.Errorf("text line over 72 characters: %q", l)
		}
	}
	is := issue()
	is.OpenPixelURL = "https://news.example.com/newsletters/o/abc.gif"
	r2, _ := mailtmpl.RenderIssue(is)
	if !strings.Contains(r2.HTML, `src="https://news.example.com/newsletters/o/abc.gif"`) {
		t.Error("the pixel the paper turned on is missing")
	}
	is.Stories[0].URL = "javascript:alert(1)"
	if _, err := mailtmpl.RenderIssue(is); err == nil {
		t.Error("a javascript: story URL was accepted")
	}
	if _, err := mailtmpl.RenderIssue(mailtmpl.Issue{Paper: paper, Subject: "x", UnsubscribeURL: "https://x.test/u"}); err == nil {
		t.Error("an issue without stories was accepted")
	}
}

func TestRenderNotice(t *testing.T) {
	r, err := mailtmpl.RenderNotice(mailtmpl.Notice{
		Paper: paper, Subject: "Sign in to The Masthead Herald", Heading: "Sign in",
		Paragraphs: []string{"Use the button below within 15 minutes to sign in. It works once."},
		Action:     &mailtmpl.Action{Label: "Sign in", URL: "https://news.example.com/account/signin?t=a&b=c"},
		After:      []string{"If you did not ask for this, ignore this mail: nobody can sign in without the link."},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.HTML, `href="https://news.example.com/account/signin?t=a&amp;b=c"`) {
		t.Errorf("HTML link: %s", r.HTML)
	}
	if !strings.Contains(r.Text, "Sign in:\nhttps://news.example.com/account/signin?t=a&b=c\n") {
		t.Errorf("text:\n%s", r.Text)
	}
	if _, err := mailtmpl.RenderNotice(mailtmpl.Notice{Paper: paper, Subject: "S", Action: &mailtmpl.Action{Label: "x", URL: "data:x"}}); err == nil {
		t.Error("a data: action URL was accepted")
	}
}

// TestMailClientsRenderIssue sends an issue through Mailpit and reads its
// caniemail.com check: how many of the HTML and CSS features used are
// unsupported in the common clients (Gmail, Outlook, Apple Mail, Yahoo...).
func TestMailClientsRenderIssue(t *testing.T) {
	mp := mailpit.FromEnv(t)
	m, err := mail.New(mail.Config{URL: mp.URL(), From: "News <news@masthead.test>", Rate: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for name, r := range map[string]func() (mailtmpl.Rendered, error){
		"issue": func() (mailtmpl.Rendered, error) { return mailtmpl.RenderIssue(issue()) },
		"notice": func() (mailtmpl.Rendered, error) {
			return mailtmpl.RenderNotice(mailtmpl.Notice{Paper: paper, Subject: "Confirm", Heading: "Confirm", Paragraphs: []string{"p"},
				Action: &mailtmpl.Action{Label: "Confirm", URL: "https://news.example.com/c"}, After: []string{"a"}})
		},
	} {
		r, err := r()
		if err != nil {
			t.Fatal(err)
		}
		to := mailpit.Address("mailtmpl-" + name)
		if err := m.Send(context.Background(), &mail.Message{To: to, Subject: r.Subject, Text: r.Text, HTML: r.HTML}); err != nil {
			t.Fatal(err)
		}
		got := mp.Wait(t, to, 1)
		check, err := mp.HTMLCheck(context.Background(), got[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d tests, supported %.1f%%, partial %.1f%%, unsupported %.1f%%", name, check.Total.Tests, check.Total.Supported, check.Total.Partial, check.Total.Unsupported)
		// What the layout stands on must work everywhere; the rest (rounded
		// buttons, the hidden preheader's opacity) may fall back.
		for _, w := range check.Warnings {
			t.Logf("  %s (%s): supported %.0f%% partial %.0f%% unsupported %.0f%%", w.Title, w.Slug, w.Score.Supported, w.Score.Partial, w.Score.Unsupported)
			switch w.Slug {
			case "css-width", "css-padding", "css-background-color", "css-border", "html-table", "html-img", "html-a":
				if w.Score.Unsupported > 0 {
					t.Errorf("%s: %s is unsupported in %.0f%% of clients", name, w.Title, w.Score.Unsupported)
				}
			}
			if strings.HasPrefix(w.Slug, "html-style") || strings.HasPrefix(w.Slug, "css-position") || w.Slug == "html-svg" {
				t.Errorf("%s uses %s", name, w.Title)
			}
		}
		if check.Total.Unsupported > 2 {
			t.Errorf("%s: %.1f%% of the features used are unsupported across clients, want at most 2%%", name, check.Total.Unsupported)
		}
	}
}
