package content

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

func TestMarkdownToHTML(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string // substrings of the sanitized output
		not      []string
	}{
		{"paragraph", "Hello *world*.", []string{"<p>Hello <em>world</em>.</p>"}, nil},
		{"headings clamped", "# Top\n\n## Next\n\n### Third\n\n##### Deep", []string{"<h2>Top</h2>", "<h2>Next</h2>", "<h3>Third</h3>", "<h4>Deep</h4>"}, []string{"<h1", "<h5"}},
		{"table", "| a | b |\n|:--|--:|\n| 1 | 2 |", []string{"<table>", "<th>a</th>", "<td>2</td>"}, []string{"style=", "align="}},
		{"strikethrough", "~~gone~~", []string{"<s>gone</s>"}, nil},
		{"linkify", "See https://example.com/x now", []string{`<a href="https://example.com/x" rel="noopener nofollow">https://example.com/x</a>`}, nil},
		{"no typographer", `He said "no" -- twice... ― yes`, []string{`He said "no" -- twice... ― yes`}, []string{"“", "…", "–"}},
		{"korean", "북한은 **일요일** 성명을 냈다.", []string{"<p>북한은 <strong>일요일</strong> 성명을 냈다.</p>"}, nil},
		{"raw html omitted", "<script>alert(1)</script>\n\nok <b onclick=x>b</b>", []string{"ok"}, []string{"<script", "alert", "onclick"}},
		{"javascript link", "[click](javascript:alert(1))", []string{"click"}, []string{"javascript", "href"}},
		{"image", `![a photo](https://img.example/p.jpg "t")`, []string{`<figure class="photo"><img src="https://img.example/p.jpg" alt="a photo" loading="lazy"></figure>`}, []string{"title="}},
		{"code fence", "```go\nx := 1 < 2\n```", []string{`<pre><code class="language-go">x := 1 &lt; 2`}, nil},
		{"relative link", "[about](/about)", []string{`<a href="/about">about</a>`}, []string{"rel="}},
		{"mailto", "<mailto:ksw@koreatimes.co.kr>", []string{`href="mailto:ksw@koreatimes.co.kr"`}, []string{"rel="}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := MarkdownToHTML(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got := Sanitize(h)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %q:\n%s", w, got)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(got, n) {
					t.Errorf("output contains %q:\n%s", n, got)
				}
			}
		})
	}
}

// TestSanitizeHostile feeds the sanitizer what attackers send and checks the
// output is inert: parsed as a browser would, no element may run script or
// load active content.
func TestSanitizeHostile(t *testing.T) {
	tests := []struct {
		name, in string
		keep     string // visible text that must survive ("" for none)
	}{
		{"script", `<p>a<script>alert(1)</script>b</p>`, "ab"},
		{"script unclosed", `<script>alert(1)`, ""},
		{"style", `<style>body{display:none}</style><p>x</p>`, "x"},
		{"onerror", `<img src=x onerror=alert(1)>`, ""},
		{"onclick upper", `<P ONCLICK="alert(1)">hi</P>`, "hi"},
		{"javascript href", `<a href="javascript:alert(1)">click</a>`, "click"},
		{"javascript entity", `<a href="jav&#x09;ascript:alert(1)">click</a>`, "click"},
		{"javascript spaces", `<a href="  JaVaScRiPt:alert(1)">click</a>`, "click"},
		{"vbscript", `<a href="vbscript:msgbox(1)">v</a>`, "v"},
		{"data link", `<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">d</a>`, "d"},
		{"data img", `<img src="data:image/svg+xml,<svg onload=alert(1)>">`, ""},
		{"iframe", `<iframe src="https://evil.example"></iframe><p>after</p>`, "after"},
		{"object", `<object data="evil.swf"><param name=x value=y></object>`, ""},
		{"embed", `<embed src="evil.swf">`, ""},
		{"form", `<form action="https://evil.example"><input name=p><button>go</button></form>`, ""},
		{"svg", `<svg><script>alert(1)</script></svg>`, ""},
		{"math", `<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`, ""},
		{"style attr", `<p style="background:url(javascript:alert(1))">s</p>`, "s"},
		{"meta refresh", `<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`, ""},
		{"base", `<base href="https://evil.example/">`, ""},
		{"link css", `<link rel=stylesheet href="https://evil.example/x.css">`, ""},
		{"srcset", `<img src="/a.jpg" srcset="javascript:alert(1) 1x">`, ""},
		{"rel override", `<a href="https://x.example" rel="opener" target="_blank">x</a>`, "x"},
		{"comment", `<!--<script>alert(1)</script>--><p>c</p>`, "c"},
		{"unclosed table", `<table><tr><td>x`, "x"},
		{"unclosed em", `<p><em>x</p><p>y`, "xy"},
		{"nested quotes", `<img src="x" alt="a" title="" onerror="alert(1)"//>`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := Sanitize(tt.in)
			assertInert(t, out)
			if got := strings.ReplaceAll(PlainText(out), "\n\n", ""); tt.keep != "" && got != tt.keep {
				t.Errorf("text = %q, want %q (output %s)", got, tt.keep, out)
			}
			// Sanitizing is idempotent: a stored body re-sanitized after
			// an edit comes out the same.
			if again := Sanitize(out); again != out {
				t.Errorf("not idempotent:\n%s\n%s", out, again)
			}
		})
	}
}

// assertInert fails when out holds anything that could run or load in a
// reader's browser. A URL's scheme is read as a browser reads it: tabs and
// newlines dropped, spaces and controls trimmed, and the text before the
// first ':' counts only when no '/', '?' or '#' comes first (so "notes#a:b"
// is a harmless relative link, and "java\tscript:x" is not).
func assertInert(t *testing.T, out string) {
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
				case k == "rel" && a.Val != "noopener nofollow":
					t.Errorf("rel %q survived: %s", a.Val, out)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
}

// TestSanitizeKeeps: canonical bodies pass through unchanged, and the
// forms imports bring (a bare figure, tight lists, a bare <pre>) become the
// canonical ones.
func TestSanitizeKeeps(t *testing.T) {
	in := `<figure><img src="https://cdn.example/a.jpg" alt="Kim and Trump" width="1200" height="800"><figcaption>Caption <span class="credit">Korea Times file</span></figcaption></figure>` +
		`<blockquote><p>quote</p></blockquote><ul><li>one</li></ul><ol start="3"><li>three</li></ol>` +
		`<table><thead><tr><th scope="col">h</th></tr></thead><tbody><tr><td colspan="2">d</td></tr></tbody></table>` +
		`<p><a href="https://example.com">ext</a> <a href="/2020/03/22/x">int</a> <a href="mailto:a@b.c">m</a> <code>c</code></p><pre>p</pre><h2>h</h2>`
	want := `<figure class="photo"><img src="https://cdn.example/a.jpg" alt="Kim and Trump" width="1200" height="800" loading="lazy"><figcaption>Caption <span class="credit">Korea Times file</span></figcaption></figure>` +
		`<blockquote><p>quote</p></blockquote><ul><li><p>one</p></li></ul><ol start="3"><li><p>three</p></li></ol>` +
		`<table><thead><tr><th scope="col">h</th></tr></thead><tbody><tr><td colspan="2">d</td></tr></tbody></table>` +
		`<p><a href="https://example.com" rel="noopener nofollow">ext</a> <a href="/2020/03/22/x">int</a> <a href="mailto:a@b.c">m</a> <code>c</code></p><pre><code>p</code></pre><h2>h</h2>`
	if out := Sanitize(in); out != want {
		t.Errorf("Sanitize:\n got %s\nwant %s", out, want)
	}
	if again := Sanitize(want); again != want {
		t.Errorf("a canonical body changed:\n got %s\nwant %s", again, want)
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"<p>One  <em>two</em>\nthree</p><p>Four &amp; five</p>", "One two three\n\nFour & five"},
		{"<h2>T</h2><ul><li>a</li><li>b</li></ul>", "T\n\na\n\nb"},
		{"<p>x<script>var s='<p>'</script>y</p>", "xy"},
		{"a<br>b", "a\n\nb"},
		{"<p>북한 &lt;성명&gt;</p>", "북한 <성명>"},
	}
	for _, tt := range tests {
		if got := PlainText(tt.in); got != tt.want {
			t.Errorf("PlainText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestExcerpt(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"<p>Short text.</p>", 50, "Short text."},
		{"<p>The quick brown fox jumps over the lazy dog</p>", 20, "The quick brown fox…"},
		{"<p>The quick brown fox jumps</p>", 19, "The quick brown fox…"},
		{"<p>One, two, three</p>", 9, "One, two…"},
		{"<p>First para.</p><p>Second para.</p>", 100, "First para. Second para."},
		{"<p>북한은 일요일 성명을 냈다</p>", 8, "북한은 일요일…"},
		{"<p>汉字汉字汉字汉字</p>", 4, "汉字汉字…"},
		{"<p>abc</p>", 0, ""},
	}
	for _, tt := range tests {
		if got := Excerpt(tt.in, tt.n); got != tt.want {
			t.Errorf("Excerpt(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestReadingTime(t *testing.T) {
	words := strings.Repeat("word ", 230)
	hangul := strings.Repeat("가", 500)
	tests := []struct {
		name, in string
		want     time.Duration
	}{
		{"empty", "", 0},
		{"punctuation only", "... --- !!!", 0},
		{"230 english words", words, time.Minute},
		{"hyphens and apostrophes", strings.Repeat("Jong-un's ", 115), 30 * time.Second},
		{"500 hangul", hangul, time.Minute},
		{"korean with spaces", strings.Repeat("가나다라 ", 125), time.Minute},
		{"mixed", words + hangul, 2 * time.Minute},
		{"han", strings.Repeat("漢", 250), 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ReadingTime(tt.in); got != tt.want {
				t.Errorf("ReadingTime = %v, want %v", got, tt.want)
			}
		})
	}
}

func BenchmarkMarkdownSanitize(b *testing.B) {
	src := strings.Repeat("A paragraph with *emphasis*, a [link](https://example.com) and more words.\n\n", 40)
	for b.Loop() {
		h, err := MarkdownToHTML(src)
		if err != nil {
			b.Fatal(err)
		}
		_ = Sanitize(h)
	}
}

func TestSanitizeBalanced(t *testing.T) {
	tests := []struct{ in, want string }{
		{`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`, ``},
		{`<p><em>open`, `<p><em>open</em></p>`},
		{`<table><tr><td>x`, `<table><tbody><tr><td>x</td></tr></tbody></table>`},
		{`</p></div></body>text`, `<p>text</p>`},
		{"  ", ""},
	}
	for _, tt := range tests {
		if got := Sanitize(tt.in); got != tt.want {
			t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{`<p>x</p>`, `<a href="javascript:x">a</a>`, `<img src=x onerror=y>`, `<table><tr><td>`, `<svg><script>x</script>`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Sanitize(in)
		assertInert(t, out)
		if again := Sanitize(out); again != out {
			t.Errorf("not idempotent for %q:\n%s\n%s", in, out, again)
		}
	})
}
