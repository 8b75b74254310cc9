package content

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"inline outside a block", `Hello <b>world</b>`, `<p>Hello <strong>world</strong></p>`},
		{"marks nest one way", `<p><em><strong>a</strong></em><strong>b</strong></p>`, `<p><strong><em>a</em>b</strong></p>`},
		{"white space", "<p>  a \n\t b  <br>  c </p>", `<p>a b<br>c</p>`},
		{"empty blocks go", `<p> </p><h2></h2><ul><li></li></ul><blockquote> </blockquote><p>x</p>`, `<p>x</p>`},
		{"headings clamped", `<h1>a</h1><h5>b</h5><h6>c</h6>`, `<h2>a</h2><h4>b</h4><h4>c</h4>`},
		{"list items hold paragraphs", `<ul><li>a<ul><li>b</li></ul></li></ul>`, `<ul><li><p>a</p><ul><li><p>b</p></li></ul></li></ul>`},
		{"ordered start", `<ol start="4"><li>d</li></ol><ol start="1"><li>a</li></ol>`, `<ol start="4"><li><p>d</p></li></ol><ol><li><p>a</p></li></ol>`},
		{"div and span are dropped, text stays", `<div class="x"><span style="color:red">red</span></div><section><p>s</p></section>`, `<p>red</p><p>s</p>`},
		{"image in a paragraph becomes a figure", `<p>before <img src="/media/3/800.jpg" alt="A"> after</p>`,
			`<p>before</p><figure class="photo"><img src="/media/3/800.jpg" alt="A" loading="lazy"></figure><p>after</p>`},
		{"wordpress figure", `<figure class="wp-block-image size-large"><a href="/x.jpg"><img src="https://old.example/x.jpg" alt="" width="1024" height="683" class="wp-image-5" srcset="a 1x"></a><figcaption class="wp-element-caption">Kim Jong-un <span class="credit">Yonhap</span></figcaption></figure>`,
			`<figure class="photo"><img src="https://old.example/x.jpg" alt="" width="1024" height="683" loading="lazy"><figcaption>Kim Jong-un <span class="credit">Yonhap</span></figcaption></figure>`},
		{"pull quote", `<aside class="pullquote"><p>We will <em>not</em> go</p></aside>`, `<aside class="pullquote">We will <em>not</em> go</aside>`},
		{"wordpress pull quote", `<figure class="wp-block-pullquote"><blockquote><p>Words</p><cite>Kim</cite></blockquote></figure>`, `<aside class="pullquote">Words<br>Kim</aside>`},
		{"youtube iframe", `<iframe width="560" height="315" src="https://www.youtube.com/embed/dQw4w9WgXcQ?si=abc" allowfullscreen></iframe>`,
			`<figure class="embed" data-provider="youtube" data-id="dQw4w9WgXcQ"><a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ" rel="noopener nofollow">YouTube video: youtube.com/watch?v=dQw4w9WgXcQ</a></figure>`},
		{"other iframe dropped", `<iframe src="https://evil.example/"></iframe><p>x</p>`, `<p>x</p>`},
		{"tweet embed code", `<blockquote class="twitter-tweet"><p lang="en">Hi <a href="https://twitter.com/hashtag/x">#x</a></p>&mdash; K (@kim) <a href="https://twitter.com/kim/status/1234567890?ref_src=twsrc">June 1</a></blockquote><script async src="https://platform.twitter.com/widgets.js"></script>`,
			`<figure class="embed" data-provider="x" data-id="1234567890"><a href="https://x.com/kim/status/1234567890" rel="noopener nofollow">Post on X: x.com/kim/status/1234567890</a></figure>`},
		{"instagram embed code", `<blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/reel/Cabc_12/?utm_source=ig"><a href="https://www.instagram.com/reel/Cabc_12/">View</a></blockquote>`,
			`<figure class="embed" data-provider="instagram" data-id="Cabc_12"><a href="https://www.instagram.com/reel/Cabc_12/" rel="noopener nofollow">Instagram post: instagram.com/reel/Cabc_12/</a></figure>`},
		{"bare link becomes an embed", `<p><a href="https://youtu.be/dQw4w9WgXcQ">https://youtu.be/dQw4w9WgXcQ</a></p>`,
			`<figure class="embed" data-provider="youtube" data-id="dQw4w9WgXcQ"><a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ" rel="noopener nofollow">YouTube video: youtube.com/watch?v=dQw4w9WgXcQ</a></figure>`},
		{"a link in a sentence stays a link", `<p>See <a href="https://youtu.be/dQw4w9WgXcQ">this</a></p>`, `<p>See <a href="https://youtu.be/dQw4w9WgXcQ" rel="noopener nofollow">this</a></p>`},
		{"embed with caption", `<figure class="embed" data-provider="x" data-id="9"><a href="https://x.com/kim/status/9">whatever</a><figcaption>The  post</figcaption></figure>`,
			`<figure class="embed" data-provider="x" data-id="9"><a href="https://x.com/kim/status/9" rel="noopener nofollow">Post on X: x.com/kim/status/9</a><figcaption>The post</figcaption></figure>`},
		{"code excludes marks", `<p><strong>a <code>b</code></strong></p>`, `<p><strong>a </strong><code>b</code></p>`},
		{"code block keeps lines", "<pre><code class=\"language-go\">a\n  b &lt; c\n</code></pre>", "<pre><code class=\"language-go\">a\n  b &lt; c</code></pre>"},
		{"blockquote holds blocks", `<blockquote>said<h3>x</h3><img src="/a.jpg"></blockquote>`, `<blockquote><p>said</p><h3>x</h3></blockquote>`},
		{"bad links lose the link, keep the text", `<p><a href="javascript:alert(1)">a</a><a href="data:x">b</a><a href="x:y">c</a><a href="notes#a:b">d</a></p>`, `<p>abc<a href="notes#a:b">d</a></p>`},
		{"table", `<table><tr><th>a</th><td><p>b</p><p>c</p></td></tr></table>`, `<table><tbody><tr><th>a</th><td>b<br>c</td></tr></tbody></table>`},
		{"nbsp kept", "<p>a\u00a0b</p>", `<p>a&nbsp;b</p>`},
		{"controls dropped", "<p>a\x01b\x7f</p>", `<p>ab</p>`},
		{"strike", `<p><del>x</del> <s>y</s></p>`, `<p><s>x</s> <s>y</s></p>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Normalize(tt.in)
			if got != tt.want {
				t.Errorf("Normalize(%s)\n got %s\nwant %s", tt.in, got, tt.want)
			}
			if again := Normalize(got); again != got {
				t.Errorf("not a fixed point:\n%s\n%s", got, again)
			}
			assertSchema(t, got)
		})
	}
}

func TestEmbedOf(t *testing.T) {
	tests := []struct{ in, provider, id, url string }{
		{"https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=10", "youtube", "dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"},
		{"https://m.youtube.com/shorts/dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"},
		{"//www.youtube-nocookie.com/embed/dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"},
		{"https://twitter.com/Kim_J/status/1700000000000000000/photo/1", "x", "1700000000000000000", "https://x.com/Kim_J/status/1700000000000000000"},
		{"https://x.com/i/web/status/42", "x", "42", "https://x.com/i/status/42"},
		{"https://www.instagram.com/p/C1a-b_c/", "instagram", "C1a-b_c", "https://www.instagram.com/p/C1a-b_c/"},
	}
	for _, tt := range tests {
		e, ok := EmbedOf(tt.in)
		if !ok || e.Provider != tt.provider || e.ID != tt.id || e.URL != tt.url {
			t.Errorf("EmbedOf(%q) = %+v, %v; want %s %s %s", tt.in, e, ok, tt.provider, tt.id, tt.url)
		}
	}
	for _, bad := range []string{"https://www.youtube.com/watch?v=short", "https://youtu.be/dQw4w9WgXcQ/x", "javascript:alert(1)//youtu.be/dQw4w9WgXcQ",
		"https://x.com/kim", "https://x.com/kim/status/12ab", "https://evil.example/embed/dQw4w9WgXcQ", "https://www.instagram.com/kim/", "ftp://youtu.be/dQw4w9WgXcQ"} {
		if e, ok := EmbedOf(bad); ok {
			t.Errorf("EmbedOf(%q) = %+v, want no embed", bad, e)
		}
	}
}

// FuzzNormalize: whatever comes in, the body that comes out is inert, in
// the schema, and a fixed point of Normalize.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		`<p>x</p>`, `<a href="javascript:x">a</a>`, `<img src=x onerror=y>`, `<table><tr><td>`, `<svg><script>x</script>`,
		`<ul><li>a<ol><li>b</ol></ul>`, `<figure class="photo"><img src="/media/1/2.jpg" alt="a"><figcaption>c <span class="credit">d</span></figcaption></figure>`,
		`<figure class="embed"><a href="https://youtu.be/dQw4w9WgXcQ">x</a></figure>`, `<aside class="pullquote"><p>a</p><p>b</p></aside>`,
		`<pre>  a</pre>`, "<pre>\n\nx</pre>", `<p><a href="https://x"><strong>a</strong></a><strong>b</strong></p>`, `<blockquote class="twitter-tweet"><a href="https://x.com/a/status/1">x</a></blockquote>`,
		`<h1>a<p>b</p></h1>`, `<li>stray</li>`, `a<br><br>b`, "<p>a&nbsp; b</p>", `<table><caption>c</caption><thead><tr><th scope="col" colspan="2">h</th></tr></thead></table>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Normalize(in)
		assertInert(t, out)
		assertSchema(t, out)
		if again := Normalize(out); again != out {
			t.Errorf("not a fixed point for %q:\n%s\n%s", in, out, again)
		}
	})
}

// assertSchema fails when out holds an element or attribute the body
// schema does not have, or one in a place the schema does not allow.
func assertSchema(t *testing.T, out string) {
	t.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(out), bodyContext)
	if err != nil {
		t.Fatal(err)
	}
	inline := map[string]bool{"strong": true, "em": true, "s": true, "code": true, "a": true, "br": true}
	blocks := map[string]map[string]bool{
		"body":       {"p": true, "h2": true, "h3": true, "h4": true, "ul": true, "ol": true, "blockquote": true, "pre": true, "hr": true, "table": true, "figure": true, "aside": true},
		"li":         {"p": true, "ul": true, "ol": true},
		"blockquote": {"p": true, "h2": true, "h3": true, "h4": true, "ul": true, "ol": true, "pre": true, "hr": true},
	}
	attrs := map[string]map[string]bool{
		"a": {"href": true, "rel": true}, "ol": {"start": true}, "img": {"src": true, "alt": true, "width": true, "height": true, "loading": true},
		"figure": {"class": true, "data-provider": true, "data-id": true}, "aside": {"class": true}, "span": {"class": true},
		"code": {"class": true}, "th": {"scope": true, "colspan": true, "rowspan": true}, "td": {"colspan": true, "rowspan": true},
	}
	var checkAttrs func(n *html.Node)
	checkAttrs = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				if !attrs[n.Data][a.Key] {
					t.Errorf("attribute %s on <%s>: %s", a.Key, n.Data, out)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			checkAttrs(c)
		}
	}
	var inl func(n *html.Node)
	inl = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode {
				if !inline[c.Data] {
					t.Errorf("<%s> inside <%s>: %s", c.Data, n.Data, out)
				}
				inl(c)
			}
		}
	}
	var blk func(ctx string, ns []*html.Node)
	blk = func(ctx string, ns []*html.Node) {
		for _, n := range ns {
			if n.Type == html.TextNode {
				t.Errorf("text %q directly in <%s>: %s", n.Data, ctx, out)
				continue
			}
			if n.Type != html.ElementNode {
				continue
			}
			if !blocks[ctx][n.Data] {
				t.Errorf("<%s> inside <%s>: %s", n.Data, ctx, out)
				continue
			}
			switch n.Data {
			case "p", "h2", "h3", "h4", "aside":
				inl(n)
			case "ul", "ol":
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					if c.Data != "li" {
						t.Errorf("<%s> inside <%s>: %s", c.Data, n.Data, out)
					}
					blk("li", kids(c))
				}
			case "blockquote":
				blk("blockquote", kids(n))
			case "figure":
				if cl := attrOf(n, "class"); cl != "photo" && cl != "embed" {
					t.Errorf("figure class %q: %s", cl, out)
				}
			case "pre":
				if c := n.FirstChild; c == nil || c.Data != "code" || c.NextSibling != nil || (c.FirstChild != nil && c.FirstChild.Type != html.TextNode) {
					t.Errorf("pre without one code of text: %s", out)
				}
			}
		}
	}
	for _, n := range nodes {
		checkAttrs(n)
	}
	blk("body", nodes)
}

func kids(n *html.Node) []*html.Node {
	var out []*html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		out = append(out, c)
	}
	return out
}

func attrOf(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// TestToMarkdownRoundTrip: the Markdown export of a body reads back as the
// same body, for everything Markdown can say.
func TestToMarkdownRoundTrip(t *testing.T) {
	for _, in := range []string{
		`<h2>Talks</h2><p>Kim said <strong>no</strong>, <em>twice</em> and <s>thrice</s>; see <a href="https://example.com/a_b">the *report*</a> and <code>x` + "`" + `y</code>.</p>`,
		`<ul><li><p>one</p><ul><li><p>nested</p></li></ul></li><li><p>two</p></li></ul><ol start="3"><li><p>three</p></li></ol>`,
		`<blockquote><p>quoted</p><p>again</p></blockquote><hr><pre><code class="language-go">a := 1
b := "<x>"</code></pre>`,
		`<p>1. not a list # nor a heading</p><p>line<br>break</p>`,
		`<figure class="embed" data-provider="youtube" data-id="dQw4w9WgXcQ"><a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ" rel="noopener nofollow">YouTube video: youtube.com/watch?v=dQw4w9WgXcQ</a></figure>`,
		`<table><tbody><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2 | 3</td></tr></tbody></table>`,
	} {
		body := Normalize(in)
		md := ToMarkdown(body)
		back, err := BodyFromMarkdown(md)
		if err != nil {
			t.Fatal(err)
		}
		// goldmark makes header cells of the first row; a body table's
		// first row of th cells comes back in thead.
		back = strings.Replace(strings.Replace(back, "<thead>", "<tbody>", 1), "</thead><tbody>", "", 1)
		if back != body {
			t.Errorf("round trip through Markdown:\n body %s\n md   %q\n back %s", body, md, back)
		}
	}
	photo := `<figure class="photo"><img src="/media/4/800.jpg" alt="Kim at the talks" loading="lazy"><figcaption>Kim in Hanoi <span class="credit">Yonhap</span></figcaption></figure><aside class="pullquote">We will not</aside>`
	md := ToMarkdown(photo)
	for _, want := range []string{"![Kim at the talks](</media/4/800.jpg>)", "*Kim in Hanoi (Yonhap)*", "> **Pull quote:** We will not"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown of a photo and a pull quote lacks %q:\n%s", want, md)
		}
	}
}
