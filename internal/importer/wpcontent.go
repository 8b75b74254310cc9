package importer

import (
	"fmt"
	"html"
	"image"
	"io"
	"regexp"
	"sort"
	"strings"
)

// WordPress post bodies: Gutenberg block markup (HTML between
// <!-- wp:name {...} --> comments), shortcodes ([caption], [gallery],
// [embed]...), and classic-editor text whose paragraphs are blank lines
// (wpautop makes them <p> on WordPress's pages). wpConverter turns them
// into plain story HTML for the sanitizer: blocks give up their comments
// and keep their saved HTML; dynamic blocks that WordPress renders at
// view time (latest posts, archives, search) have no content of their own
// and are left out with a note; known shortcodes become figures, links
// and code; unknown ones keep their inner text.

type wpConverter struct {
	attachment func(id string) *PhotoRef // by attachment post id
	children   func() []*PhotoRef        // the post's attachments, for [gallery] without ids
	uploadFile func(url string) string   // the local file of an uploads URL, or ""
	images     []*PhotoRef
	notes      []string
	dynamic    map[string]int
	unknown    map[string]int
}

var (
	blockComment = regexp.MustCompile(`<!--\s+(/?)wp:([a-z0-9-]+(?:/[a-z0-9-]+)?)(\s+\{.*?\})?\s*(/?)-->`)
	// Self-closing blocks WordPress renders at view time.
	dynamicBlocks = map[string]bool{"latest-posts": true, "archives": true, "categories": true, "calendar": true, "tag-cloud": true,
		"search": true, "rss": true, "latest-comments": true, "page-list": true, "navigation": true, "query": true, "template-part": true,
		"post-title": true, "post-content": true, "post-date": true, "post-excerpt": true, "post-featured-image": true, "site-title": true,
		"site-logo": true, "site-tagline": true, "loginout": true, "social-links": true, "more": true, "nextpage": true, "spacer": true,
		"comments": true, "post-comments": true, "block": true, "widget-group": true, "legacy-widget": true, "shortcode": false}
	shortcodeRe = regexp.MustCompile(`\[(\[?)([A-Za-z][\w-]*)((?:\s+[^\]]*?)?)(/?)\](?:((?s:.*?))\[/([A-Za-z][\w-]*)\])?(\]?)`)
	imgTag      = regexp.MustCompile(`(?is)<img\b[^>]*>`)
	imgAttr     = regexp.MustCompile(`(?i)\b(src|alt|class|width|height)\s*=\s*(?:"([^"]*)"|'([^']*)')`)
	wpImageID   = regexp.MustCompile(`\bwp-image-(\d+)\b`)
)

func (c *wpConverter) convert(body string) string {
	c.dynamic, c.unknown = map[string]int{}, map[string]int{}
	body = strings.ReplaceAll(body, "\r\n", "\n")
	hasBlocks := strings.Contains(body, "<!-- wp:")
	if hasBlocks {
		body = c.blocks(body)
	} else {
		body = wpautop(body)
	}
	body = c.shortcodes(body)
	body = strings.ReplaceAll(body, "<!--more-->", "")
	body = strings.ReplaceAll(body, "<!--nextpage-->", "")
	c.collectImages(body)
	if len(c.dynamic) > 0 {
		c.notes = append(c.notes, "blocks WordPress draws at view time were left out: "+countList(c.dynamic))
	}
	if len(c.unknown) > 0 {
		c.notes = append(c.notes, "shortcodes masthead does not know kept only their text: "+countList(c.unknown))
	}
	return body
}

func countList(m map[string]int) string {
	var parts []string
	for k, n := range m {
		if n > 1 {
			parts = append(parts, fmt.Sprintf("%s ×%d", k, n))
		} else {
			parts = append(parts, k)
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// blocks removes block delimiters, keeping each block's saved HTML, and
// rewrites the blocks whose saved HTML is not what readers saw.
func (c *wpConverter) blocks(body string) string {
	var out strings.Builder
	last := 0
	type open struct {
		name  string
		start int // in out
	}
	var stack []open
	for _, m := range blockComment.FindAllStringSubmatchIndex(body, -1) {
		out.WriteString(body[last:m[0]])
		last = m[1]
		closing := m[2] < m[3]
		name := body[m[4]:m[5]]
		selfClosing := m[8] < m[9]
		short := strings.TrimPrefix(name, "core/")
		switch {
		case selfClosing:
			if dynamicBlocks[short] {
				c.dynamic[short]++
			}
		case !closing:
			stack = append(stack, open{name: short, start: out.Len()})
		default:
			if len(stack) == 0 {
				continue
			}
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			inner := out.String()[top.start:]
			var repl string
			changed := true
			switch {
			case top.name == "embed" || strings.HasPrefix(top.name, "core-embed/"):
				repl = embedHTML(inner)
			case dynamicBlocks[top.name] && top.name != "more":
				c.dynamic[top.name]++
				repl = ""
			case top.name == "more" || top.name == "nextpage" || top.name == "spacer":
				repl = ""
			default:
				changed = false
			}
			if changed {
				s := out.String()[:top.start] + repl
				out.Reset()
				out.WriteString(s)
			}
		}
	}
	out.WriteString(body[last:])
	return out.String()
}

var embedURL = regexp.MustCompile(`https?://[^\s<"]+`)

// embedHTML turns an embed block (a YouTube video, a post on X) into a
// link to it: the page loads no third-party player or script.
func embedHTML(inner string) string {
	u := embedURL.FindString(inner)
	if u == "" {
		return ""
	}
	caption := ""
	if i := strings.Index(inner, "<figcaption"); i >= 0 {
		caption = html2text(inner[i:])
	}
	text := u
	if caption != "" {
		text = caption
	}
	return `<p><a href="` + html.EscapeString(u) + `">` + html.EscapeString(text) + `</a></p>`
}

// shortcodes converts the shortcodes of WordPress core and the common
// plugins; [[x]] is WordPress's escape for a literal [x].
func (c *wpConverter) shortcodes(body string) string {
	for range 3 { // nested shortcodes ([caption] in [gallery]...) unwrap outside in
		changed := false
		body = shortcodeRe.ReplaceAllStringFunc(body, func(m string) string {
			sm := shortcodeRe.FindStringSubmatch(m)
			if sm[1] == "[" && sm[7] == "]" {
				return m[1 : len(m)-1] // [[escaped]]
			}
			name, args, inner, closeName := strings.ToLower(sm[2]), sm[3], sm[5], strings.ToLower(sm[6])
			if closeName != "" && closeName != name {
				return m // [a]...[/b]: not one shortcode
			}
			named, pos := scArgs(html.UnescapeString(args))
			out, ok := c.shortcode(name, named, pos, inner, closeName != "")
			if !ok {
				return m
			}
			changed = true
			return out
		})
		if !changed {
			break
		}
	}
	return body
}

func (c *wpConverter) shortcode(name string, named map[string]string, pos []string, inner string, paired bool) (string, bool) {
	switch name {
	case "caption", "wp_caption":
		// [caption id="attachment_12" width="300"]<img ...> The caption.[/caption]
		img := imgTag.FindString(inner)
		caption := strings.TrimSpace(imgTag.ReplaceAllString(inner, ""))
		if named["caption"] != "" {
			caption = named["caption"]
		}
		// The link around the image, if any, goes with it.
		caption = strings.TrimSpace(regexp.MustCompile(`(?is)^</a>|<a\b[^>]*>\s*</a>`).ReplaceAllString(caption, ""))
		return "<figure>" + img + "<figcaption>" + caption + "</figcaption></figure>", true
	case "gallery":
		var refs []*PhotoRef
		if ids := named["ids"]; ids != "" {
			for _, id := range strings.Split(ids, ",") {
				if r := c.attachment(strings.TrimSpace(id)); r != nil {
					refs = append(refs, r)
				}
			}
		} else if c.children != nil {
			refs = c.children()
		}
		var b strings.Builder
		for _, r := range refs {
			ref := r.URL
			b.WriteString(`<figure><img src="` + html.EscapeString(ref) + `" alt="` + html.EscapeString(r.Alt) + `">`)
			if r.Caption != "" || r.Credit != "" {
				b.WriteString("<figcaption>" + html.EscapeString(strings.TrimSpace(r.Caption+" "+r.Credit)) + "</figcaption>")
			}
			b.WriteString("</figure>")
		}
		return b.String(), true
	case "embed", "youtube", "vimeo", "audio", "video", "tweet", "instagram", "soundcloud", "spotify":
		u := strings.TrimSpace(inner)
		if u == "" {
			u = firstNonEmpty(named["src"], named["url"], named["mp3"], named["m4a"], named["ogg"], named["mp4"], named["webm"], named["id"])
			if u == "" && len(pos) > 0 {
				u = pos[0]
			}
		}
		u = strings.TrimSpace(html2text(u))
		if name == "youtube" && u != "" && !strings.HasPrefix(u, "http") {
			u = "https://www.youtube.com/watch?v=" + u
		}
		if !strings.HasPrefix(u, "http") {
			return "", true
		}
		return `<p><a href="` + html.EscapeString(u) + `">` + html.EscapeString(u) + `</a></p>`, true
	case "code", "sourcecode", "source":
		lang := firstNonEmpty(named["lang"], named["language"])
		cls := ""
		if lang != "" && regexp.MustCompile(`^[A-Za-z0-9_+-]{1,32}$`).MatchString(lang) {
			cls = ` class="language-` + lang + `"`
		}
		return "<pre><code" + cls + ">" + html.EscapeString(html.UnescapeString(inner)) + "</code></pre>", true
	case "playlist", "contact-form", "contact-form-7", "wpforms", "gravityform", "mc4wp_form", "ad", "adsense", "related", "jetpack_subscription_form":
		c.unknown[name]++
		return "", true
	}
	if paired {
		c.unknown[name]++
		return inner, true
	}
	// [word] alone may be prose ("[sic]"); only shortcode-looking ones
	// (with arguments, or a hyphen or underscore in the name) go.
	if len(named) > 0 || len(pos) > 0 || strings.ContainsAny(name, "-_") {
		c.unknown[name]++
		return "", true
	}
	return "", false
}

// collectImages lists the body's images as photos: an uploads URL that
// names an attachment or a file under --uploads becomes a stored photo
// (found or awaiting its file); the body keeps the src as its Ref.
func (c *wpConverter) collectImages(body string) {
	eachImg(body, func(src, alt, class string) {
		var ref PhotoRef
		if m := wpImageID.FindStringSubmatch(class); m != nil && c.attachment != nil {
			if att := c.attachment(m[1]); att != nil {
				ref = *att
				ref.Data = nil
			}
		}
		ref.Ref, ref.URL = src, src
		if alt != "" {
			ref.Alt = alt
		}
		if c.uploadFile != nil {
			if f := c.uploadFile(src); f != "" {
				ref.Path = f
			}
		}
		c.images = append(c.images, &ref)
	})
}

// eachImg calls f once for each distinct image src in an HTML body.
func eachImg(body string, f func(src, alt, class string)) {
	seen := map[string]bool{}
	for _, tag := range imgTag.FindAllString(body, -1) {
		var src, alt, class string
		for _, a := range imgAttr.FindAllStringSubmatch(tag, -1) {
			v := html.UnescapeString(a[2] + a[3])
			switch strings.ToLower(a[1]) {
			case "src":
				src = v
			case "alt":
				alt = v
			case "class":
				class = v
			}
		}
		if src == "" || seen[src] {
			continue
		}
		seen[src] = true
		f(src, alt, class)
	}
}

var (
	autopBlocks = `(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary|iframe|object|embed|video|audio|script)`
	autopBefore = regexp.MustCompile(`(?i)(<` + autopBlocks + `[\s/>])`)
	autopAfter  = regexp.MustCompile(`(?i)(</` + autopBlocks + `>)`)
	autopUnwrap = regexp.MustCompile(`(?i)<p>\s*(</?` + autopBlocks + `[^>]*>)`)
	autopUnwrp2 = regexp.MustCompile(`(?i)(</?` + autopBlocks + `[^>]*>)\s*</p>`)
	autopEmpty  = regexp.MustCompile(`<p>\s*</p>`)
	preBlock    = regexp.MustCompile(`(?is)<pre\b.*?</pre>`)
	autopBr     = regexp.MustCompile(`(?i)(?:<br\s*/?>)?\s*\n`)
)

// wpautop makes paragraphs of classic-editor text the way WordPress's
// wpautop does: blank lines separate paragraphs, single newlines are line
// breaks, block elements are left alone, <pre> is kept as written.
func wpautop(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	var pres []string
	s = preBlock.ReplaceAllStringFunc(s, func(m string) string {
		pres = append(pres, m)
		return fmt.Sprintf("\n\n<wppre%d/>\n\n", len(pres)-1)
	})
	s = strings.ReplaceAll(s, "\r\n", "\n") + "\n"
	s = autopBefore.ReplaceAllString(s, "\n\n$1")
	s = autopAfter.ReplaceAllString(s, "$1\n\n")
	var b strings.Builder
	for _, chunk := range regexp.MustCompile(`\n\s*\n`).Split(s, -1) {
		chunk = strings.TrimSpace(chunk)
		if chunk == "" {
			continue
		}
		if strings.HasPrefix(chunk, "<wppre") {
			b.WriteString(chunk + "\n")
			continue
		}
		b.WriteString("<p>" + chunk + "</p>\n")
	}
	s = b.String()
	s = autopUnwrap.ReplaceAllString(s, "$1")
	s = autopUnwrp2.ReplaceAllString(s, "$1")
	s = autopEmpty.ReplaceAllString(s, "")
	// Line breaks inside paragraphs, not between block tags.
	s = regexp.MustCompile(`(?s)<p>(.*?)</p>`).ReplaceAllStringFunc(s, func(p string) string {
		inner := p[3 : len(p)-4]
		return "<p>" + autopBr.ReplaceAllString(strings.TrimSpace(inner), "<br>\n") + "</p>"
	})
	for i, pre := range pres {
		s = strings.Replace(s, fmt.Sprintf("<wppre%d/>", i), pre, 1)
	}
	return s
}

// decodeConfig checks an image by its header and names its type.
func decodeConfig(r io.Reader) (string, error) {
	_, format, err := image.DecodeConfig(r)
	if err != nil {
		return "", err
	}
	return "image/" + format, nil
}
