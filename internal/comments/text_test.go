package comments

import (
	"strings"
	"testing"

	xhtml "golang.org/x/net/html"
)

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"  hello  ":                      "hello",
		"a\r\nb\rc":                      "a\nb\nc",
		"a\n\n\n\n\nb":                   "a\n\nb",
		"\n\n a \n\n":                    "a",
		"tab\there":                      "tab here",
		"bell\x07 nul\x00":               "bell nul",
		"safe\u202Egnp.exe":              "safegnp.exe",
		"iso\u2066late\u2069 mark\u200F": "isolate mark",
		"e\u0301":                        "é", // NFC
		"bad \xff utf8":                  "bad \uFFFD utf8",
		"한국어 댓글입니다.\n\n두 번째 문단":  "한국어 댓글입니다.\n\n두 번째 문단",
		"trailing   \nspaces   ": "trailing\nspaces",
		"\ufeffBOM":              "BOM",
	} {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRender(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "<p>plain</p>"},
		{"<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"},
		{"a & b \"q\" 'x'", "<p>a &amp; b &#34;q&#34; &#39;x&#39;</p>"},
		{"one\ntwo\n\nthree", "<p>one<br>\ntwo</p>\n<p>three</p>"},
		{"see https://example.com/a?b=1&c=2.", `<p>see <a href="https://example.com/a?b=1&amp;c=2" rel="nofollow ugc">https://example.com/a?b=1&amp;c=2</a>.</p>`},
		{"(www.example.org/x)", `<p>(<a href="https://www.example.org/x" rel="nofollow ugc">www.example.org/x</a>)</p>`},
		{"https://en.wikipedia.org/wiki/Seoul_(city)!", `<p><a href="https://en.wikipedia.org/wiki/Seoul_(city)" rel="nofollow ugc">https://en.wikipedia.org/wiki/Seoul_(city)</a>!</p>`},
		{`https://x.example/"onmouseover="alert(1)`, `<p><a href="https://x.example/" rel="nofollow ugc">https://x.example/</a>&#34;onmouseover=&#34;alert(1)</p>`},
		{"javascript:alert(1) data:text/html,x", "<p>javascript:alert(1) data:text/html,x</p>"},
		{"xhttp://example.com and mailto:a@b.c", "<p>xhttp://example.com and mailto:a@b.c</p>"},
		{"http://localhost/ http:// https://user:pw@example.com/", "<p>http://localhost/ http:// https://user:pw@example.com/</p>"},
		{"HTTPS://EXAMPLE.COM", `<p><a href="HTTPS://EXAMPLE.COM" rel="nofollow ugc">HTTPS://EXAMPLE.COM</a></p>`},
		{"기사 https://news.example.com/2026/12/03/한국 참고", `<p>기사 <a href="https://news.example.com/2026/12/03/한국" rel="nofollow ugc">https://news.example.com/2026/12/03/한국</a> 참고</p>`},
	} {
		if got := string(Render(Clean(tc.in))); got != tc.want {
			t.Errorf("Render(%q)\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
	if got := Links("a https://a.example/1 b www.b.example c http://nope"); len(got) != 2 || got[1] != "https://www.b.example" {
		t.Errorf("Links = %q", got)
	}
}

// checkRendered asserts what must hold for any input: the HTML has only
// <p>, <br> and <a href rel="nofollow ugc"> with http(s) hrefs, and its text
// is exactly the cleaned comment.
func checkRendered(t *testing.T, in string) {
	t.Helper()
	clean := Clean(in)
	if Clean(clean) != clean {
		t.Fatalf("Clean is not idempotent on %q", in)
	}
	out := string(Render(clean))
	z := xhtml.NewTokenizer(strings.NewReader(out))
	var text strings.Builder
	depthA := 0
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break
		}
		tok := z.Token()
		switch tt {
		case xhtml.TextToken:
			text.WriteString(tok.Data)
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken, xhtml.EndTagToken:
			switch tok.Data {
			case "p":
				if tt == xhtml.StartTagToken && text.Len() > 0 {
					// "\n" already written between paragraphs; a blank line
					// is the paragraph break.
					text.WriteString("\n")
				}
			case "br":
			case "a":
				if tt == xhtml.StartTagToken {
					depthA++
					if depthA > 1 {
						t.Fatalf("nested links for %q: %s", in, out)
					}
					if len(tok.Attr) != 2 || tok.Attr[0].Key != "href" || tok.Attr[1].Key != "rel" || tok.Attr[1].Val != "nofollow ugc" {
						t.Fatalf("link attributes %v for %q", tok.Attr, in)
					}
					h := strings.ToLower(tok.Attr[0].Val)
					if !strings.HasPrefix(h, "http://") && !strings.HasPrefix(h, "https://") {
						t.Fatalf("href %q for %q", tok.Attr[0].Val, in)
					}
				} else {
					depthA--
				}
			default:
				t.Fatalf("element <%s> in the rendering of %q: %s", tok.Data, in, out)
			}
		default:
			t.Fatalf("token %v in the rendering of %q: %s", tt, in, out)
		}
	}
	// The tokenizer's text is unescaped already.
	if got := text.String(); got != clean {
		t.Fatalf("text of the rendering differs from the comment:\n got %q\nwant %q", got, clean)
	}
}

func FuzzRender(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Add("see https://example.com/a_(b)?c=<d>&e. and www.x.org, ok")
	f.Add("HTTP://A.B/ https://ı.example/ www.İ.example")
	f.Fuzz(func(t *testing.T, s string) {
		checkRendered(t, s)
	})
}

func TestHostileTextIsEscaped(t *testing.T) {
	for _, s := range hostile {
		checkRendered(t, s)
	}
}

// hostile is comment text that tries to become markup: the fuzz corpus's
// seeds and what the browser test renders.
var hostile = []string{
	`<script>window.__pwned=1</script>`,
	`<img src=x onerror="window.__pwned=1">`,
	`<svg/onload=window.__pwned=1>`,
	`"><script>window.__pwned=1</script>`,
	`</p></div><iframe src="javascript:window.top.__pwned=1"></iframe>`,
	`<a href="javascript:window.__pwned=1">click</a>`,
	`javascript:window.__pwned=1`,
	`https://evil.example/"><img src=x onerror=window.__pwned=1>`,
	`https://evil.example/' onmouseover='window.__pwned=1`,
	"https://evil.example/`onmouseover=window.__pwned=1`",
	`www.evil.example/<script>window.__pwned=1</script>`,
	`<style>body{display:none}</style>`,
	`<form action=https://evil.example><input name=q></form>`,
	`&lt;script&gt;window.__pwned=1&lt;/script&gt;`,
	`<!-- comment --><![CDATA[x]]>`,
	"<math><mtext><table><mglyph><style><img src=x onerror=window.__pwned=1>",
	`<base href="https://evil.example/">`,
	`<meta http-equiv="refresh" content="0;url=https://evil.example/">`,
	"\u202Egnp.exe https://\u202Eevil.example/",
	"{{.}} ${alert(1)} #{x}",
}
