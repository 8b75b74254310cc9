// Package mailtmpl writes the paper's e-mails: a plain-text part and an HTML
// part for each, from embedded templates. The HTML is the kind mail clients
// render alike — one 600px column of tables with inline styles, no
// scripts, no web fonts, no CSS the big clients drop — and the text part
// says everything the HTML does, links on lines of their own.
//
// Two kinds: a Notice (one message and at most one button: sign-in links,
// confirmations, password resets, invitations) and an Issue (a newsletter:
// one story, or a digest of several).
package mailtmpl

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"unicode/utf8"
)

//go:embed templates
var files embed.FS

var (
	htmlT = htmltemplate.Must(htmltemplate.New("").Funcs(htmltemplate.FuncMap{"join": strings.Join}).ParseFS(files, "templates/*.html"))
	textT = texttemplate.Must(texttemplate.New("").Funcs(texttemplate.FuncMap{"wrap": wrap, "join": strings.Join}).ParseFS(files, "templates/*.txt"))
)

// Paper is what every mail shows of the paper.
type Paper struct {
	Name    string
	BaseURL string // absolute, no trailing slash
	Lang    string // BCP 47, the mail's lang attribute
	// Address is the paper's postal address: the footer of every
	// newsletter carries it (CAN-SPAM asks for one). Optional.
	Address string
}

// Action is the one button of a Notice.
type Action struct {
	Label string
	URL   string
}

// Notice is a transactional mail.
type Notice struct {
	Paper   Paper
	Subject string
	// Preheader is the line mail clients show after the subject in the
	// inbox; hidden in the body.
	Preheader  string
	Heading    string
	Paragraphs []string
	Action     *Action
	// After are paragraphs below the button ("If you did not ask...").
	After []string
}

// Story is one story in an Issue.
type Story struct {
	Headline string
	Deck     string
	URL      string // absolute
	Byline   string // "By Kang Seung-woo"
	Section  string
	Date     string // as the paper writes it
	// PhotoURL (absolute) and PhotoAlt: the lead photo, for the first
	// story of an issue only.
	PhotoURL string
	PhotoAlt string
}

// Issue is one newsletter mail.
type Issue struct {
	Paper     Paper
	List      string // "Daily digest"
	Subject   string
	Preheader string
	Intro     string // a line above the stories; optional
	Stories   []Story
	// Why is the footer's reason: "You get this because you signed up for
	// the Daily digest at news.example.com."
	Why            string
	UnsubscribeURL string // the one-click page; also in the List-Unsubscribe header
	PreferencesURL string
	// OpenPixelURL is an open-tracking image: empty (the default) sends
	// none. The paper turns it on in its newsletter settings.
	OpenPixelURL string
}

// Rendered is a mail's two parts.
type Rendered struct {
	Subject string
	Text    string
	HTML    string
}

// RenderNotice writes a Notice.
func RenderNotice(n Notice) (Rendered, error) {
	if n.Subject == "" || n.Paper.Name == "" {
		return Rendered{}, fmt.Errorf("mailtmpl: a notice needs a subject and the paper's name")
	}
	if n.Action != nil && !isHTTP(n.Action.URL) {
		return Rendered{}, fmt.Errorf("mailtmpl: action URL %q is not http(s)", n.Action.URL)
	}
	return render("notice", n, n.Subject)
}

// RenderIssue writes an Issue.
func RenderIssue(is Issue) (Rendered, error) {
	if is.Subject == "" || is.Paper.Name == "" || len(is.Stories) == 0 {
		return Rendered{}, fmt.Errorf("mailtmpl: an issue needs a subject, the paper's name and a story")
	}
	if !isHTTP(is.UnsubscribeURL) {
		return Rendered{}, fmt.Errorf("mailtmpl: an issue needs an unsubscribe URL")
	}
	for _, s := range is.Stories {
		if !isHTTP(s.URL) || (s.PhotoURL != "" && !isHTTP(s.PhotoURL)) {
			return Rendered{}, fmt.Errorf("mailtmpl: story %q: URLs must be absolute http(s)", s.Headline)
		}
	}
	return render("issue", is, is.Subject)
}

func isHTTP(u string) bool {
	return strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")
}

func render(name string, data any, subject string) (Rendered, error) {
	var h, t bytes.Buffer
	if err := htmlT.ExecuteTemplate(&h, name+".html", data); err != nil {
		return Rendered{}, fmt.Errorf("mailtmpl: %s.html: %w", name, err)
	}
	if err := textT.ExecuteTemplate(&t, name+".txt", data); err != nil {
		return Rendered{}, fmt.Errorf("mailtmpl: %s.txt: %w", name, err)
	}
	return Rendered{Subject: subject, Text: tidyText(t.String()), HTML: h.String()}, nil
}

// tidyText drops the templates' blank-line runs and trailing spaces.
func tidyText(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			blank++
			if blank > 1 || len(out) == 0 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n")) + "\n"
}

// wrap folds text at 72 columns on spaces (format=flowed is not needed: a
// line break every 72 characters reads fine everywhere). URLs are never
// broken.
func wrap(s string) string {
	var b strings.Builder
	for pi, para := range strings.Split(s, "\n") {
		if pi > 0 {
			b.WriteString("\n")
		}
		col := 0
		for i, w := range strings.Fields(para) {
			n := utf8.RuneCountInString(w)
			if i > 0 {
				if col+1+n > 72 {
					b.WriteString("\n")
					col = 0
				} else {
					b.WriteString(" ")
					col++
				}
			}
			b.WriteString(w)
			col += n
		}
	}
	return b.String()
}
