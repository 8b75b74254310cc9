package content

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// FuzzMarkdown follows a story body the whole way an editor's text goes:
// Markdown to HTML, then the sanitizer. Whatever was typed, rendering does
// not fail on valid UTF-8, and what reaches the page is inert (no script,
// no event handler, no javascript: URL) and stable under a second pass.
func FuzzMarkdown(f *testing.F) {
	for _, s := range []string{
		"# Title\n\nA *story* with a [link](https://example.com) and **bold**.",
		"<script>alert(1)</script>\n\ntext", "[x](javascript:alert(1))", "![img](data:text/html,<script>x</script>)",
		"| a | b |\n|---|---|\n| <img src=x onerror=y> | 2 |", "~~gone~~ https://example.com/auto",
		"> quote\n> <iframe src=//evil>", "```\n<script>\n```", "<a href=\"&#106;avascript:x\">a</a>",
		"[a](<javascript:x>)", "[a]: javascript:x\n\n[a]", "###### h6", "* a\n  * b\n    * c",
		strings.Repeat("[", 500), strings.Repeat("> ", 300) + "deep", "\x00\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		h, err := MarkdownToHTML(src)
		if err != nil {
			if utf8.ValidString(src) {
				t.Fatalf("MarkdownToHTML(%q): %v", src, err)
			}
			return
		}
		out := Sanitize(h)
		markdownInert(t, out)
		if again := Sanitize(out); again != out {
			t.Errorf("sanitized Markdown changes on a second pass, for %q:\n%s\n%s", src, out, again)
		}
	})
}

// markdownInert is assertInert with the scheme of a URL read as a browser
// reads it: the text before the first ':' only when no '/', '?' or '#'
// comes first. (assertInert refuses any ':' in a relative URL, so it
// rejects harmless links such as "notes#a:b".)
func markdownInert(t *testing.T, out string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader("<body>" + out))
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string]bool{"script": true, "style": true, "iframe": true, "object": true, "embed": true,
		"form": true, "input": true, "button": true, "svg": true, "math": true, "meta": true, "base": true, "link": true}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if bad[n.Data] {
				t.Errorf("element <%s> survived: %s", n.Data, out)
			}
			for _, a := range n.Attr {
				k := strings.ToLower(a.Key)
				switch {
				case strings.HasPrefix(k, "on"), k == "style", k == "srcset", k == "target":
					t.Errorf("attribute %s survived: %s", a.Key, out)
				case k == "href" || k == "src" || k == "cite" || k == "action" || k == "formaction":
					// Browsers drop tabs and newlines inside URLs and
					// trim spaces and controls around them.
					v := strings.Map(func(r rune) rune {
						if r == '\t' || r == '\n' || r == '\r' {
							return -1
						}
						return r
					}, strings.ToLower(strings.TrimFunc(a.Val, func(r rune) bool { return r <= ' ' })))
					if i := strings.IndexAny(v, ":/?#"); i >= 0 && v[i] == ':' {
						switch v[:i] {
						case "http", "https", "mailto":
						default:
							t.Errorf("URL %q with scheme %q survived: %s", a.Val, v[:i], out)
						}
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
}
