package feed

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"

	"masthead/internal/news"
)

// feedBody is a story body as it goes into a feed. An image in a body is
// loaded by the feed reader the moment the item is shown, so an image on
// another site is a tracking pixel: that site learns who read the story and
// when. The paper's own pages do not load them (their CSP allows images
// from the paper only), and neither do its feeds: an external image becomes
// a link to it, which loads nothing until followed. The paper's own
// images, which bodies name by path, get absolute URLs, since a feed is
// read away from the site.
func feedBody(p *news.Paper, body string) string {
	if !strings.Contains(body, "<img") {
		return body
	}
	base, _ := url.Parse(p.BaseURL)
	var b strings.Builder
	b.Grow(len(body))
	z := html.NewTokenizer(strings.NewReader(body))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return b.String()
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			b.Write(z.Raw())
			continue
		}
		tok := z.Token()
		if tok.Data != "img" {
			b.WriteString(tok.String())
			continue
		}
		var src, alt string
		for _, a := range tok.Attr {
			switch a.Key {
			case "src":
				src = a.Val
			case "alt":
				alt = a.Val
			}
		}
		abs, own := ownImage(base, src)
		if own {
			for i, a := range tok.Attr {
				if a.Key == "src" {
					tok.Attr[i].Val = abs
				}
			}
			b.WriteString(tok.String())
			continue
		}
		if abs == "" { // no usable address: nothing to link to
			continue
		}
		if alt == "" {
			alt = "Image"
		}
		b.WriteString(`<a href="` + html.EscapeString(abs) + `">` + html.EscapeString(alt) + `</a>`)
	}
}

// ownImage resolves src against the paper's base URL and reports whether
// it is on the paper's own site.
func ownImage(base *url.URL, src string) (abs string, own bool) {
	u, err := url.Parse(strings.TrimSpace(src))
	if err != nil || base == nil {
		return "", false
	}
	r := base.ResolveReference(u)
	if r.Scheme != "http" && r.Scheme != "https" {
		return "", false
	}
	return r.String(), strings.EqualFold(r.Host, base.Host)
}
