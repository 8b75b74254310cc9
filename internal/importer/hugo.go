package importer

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"golang.org/x/net/html"
)

// Hugo shortcodes and Jekyll Liquid tags in a Markdown body. Those with a
// Markdown equivalent become it (figure → an image and its caption,
// highlight → a fenced code block, youtube → a link); ref and relref
// become the text of the link; the rest lose their delimiters and keep
// their inner text, with a note, so that nothing readers saw is lost and
// no "{{< ... >}}" shows on the page.

var (
	hugoShortcode = regexp.MustCompile(`\{\{[<%]\s*(/?)\s*([A-Za-z][\w-]*)((?:[^>%]|>[^}]|%[^}])*?)\s*/?[>%]\}\}`)
	shortcodeArg  = regexp.MustCompile(`([A-Za-z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+))|"((?:[^"\\]|\\.)*)"|(\S+)`)
	liquidTag     = regexp.MustCompile(`\{%-?\s*(\w+)([^%]*?)-?%\}`)
	liquidOutput  = regexp.MustCompile(`\{\{-?\s*(site\.(?:baseurl|url)|page\.url)\s*(?:\|[^}]*)?-?\}\}`)
)

// scArgs reads a shortcode's arguments: named (src="x") and positional.
func scArgs(s string) (named map[string]string, pos []string) {
	named = map[string]string{}
	for _, m := range shortcodeArg.FindAllStringSubmatch(s, -1) {
		switch {
		case m[1] != "":
			v := m[2] + m[3] + m[4]
			named[strings.ToLower(m[1])] = strings.ReplaceAll(v, `\"`, `"`)
		case m[5] != "":
			pos = append(pos, strings.ReplaceAll(m[5], `\"`, `"`))
		default:
			pos = append(pos, m[6])
		}
	}
	return named, pos
}

func convertShortcodes(p *Parsed, body string) string {
	unknown := map[string]bool{}
	body = hugoShortcode.ReplaceAllStringFunc(body, func(m string) string {
		sm := hugoShortcode.FindStringSubmatch(m)
		closing, name, args := sm[1] == "/", strings.ToLower(sm[2]), sm[3]
		if closing {
			if name == "highlight" {
				return "\n```\n"
			}
			return ""
		}
		named, pos := scArgs(args)
		arg := func(k string, i int) string {
			if v, ok := named[k]; ok {
				return v
			}
			if i < len(pos) {
				return pos[i]
			}
			return ""
		}
		switch name {
		case "figure", "img", "image":
			src, alt, caption := arg("src", 0), named["alt"], named["caption"]
			if named["title"] != "" && caption == "" {
				caption = named["title"]
			}
			if alt == "" {
				alt = caption
			}
			out := "\n\n![" + escapeMarkdown(alt) + "](<" + src + ">)\n\n"
			if caption != "" || named["attr"] != "" {
				out += "*" + escapeMarkdown(strings.TrimSpace(caption+" "+named["attr"])) + "*\n\n"
			}
			return out
		case "youtube":
			id := arg("id", 0)
			return "[YouTube video](https://www.youtube.com/watch?v=" + url.QueryEscape(id) + ")"
		case "vimeo":
			return "[Vimeo video](https://vimeo.com/" + url.PathEscape(arg("id", 0)) + ")"
		case "x", "tweet", "twitter":
			if u, id := arg("user", 0), arg("id", 1); id != "" {
				return "[Post on X](https://x.com/" + url.PathEscape(u) + "/status/" + url.PathEscape(id) + ")"
			}
			return ""
		case "gist":
			return "[Gist](https://gist.github.com/" + url.PathEscape(arg("user", 0)) + "/" + url.PathEscape(arg("id", 1)) + ")"
		case "ref", "relref":
			return ""
		case "highlight":
			return "\n```" + arg("lang", 0) + "\n"
		case "param":
			return ""
		default:
			unknown[name] = true
			return ""
		}
	})
	body = liquidOutput.ReplaceAllString(body, "")
	body = liquidTag.ReplaceAllStringFunc(body, func(m string) string {
		sm := liquidTag.FindStringSubmatch(m)
		switch name := strings.ToLower(sm[1]); name {
		case "highlight":
			f := strings.Fields(sm[2])
			lang := ""
			if len(f) > 0 {
				lang = f[0]
			}
			return "```" + lang
		case "endhighlight":
			return "```"
		case "raw", "endraw", "comment", "endcomment":
			return ""
		case "post_url", "link":
			return ""
		default:
			unknown["{% "+name+" %}"] = true
			return ""
		}
	})
	if len(unknown) > 0 {
		var names []string
		for n := range unknown {
			names = append(names, n)
		}
		sort.Strings(names)
		p.note("shortcodes masthead does not know were left out, their inner text kept: %s", strings.Join(names, ", "))
	}
	return body
}

// bodyImages finds the body's images that name local files (a page
// bundle's images, a site's static folder) and lists them in p.Images,
// found or awaiting their file, for the saver to store and point at.
func bodyImages(p *Parsed, dir string) {
	doc, err := html.Parse(strings.NewReader(p.Article.BodyHTML))
	if err != nil {
		return
	}
	seen := map[string]bool{}
	find(doc, func(n *html.Node) bool {
		if !isImg(n) {
			return false
		}
		src := attr(n, "src")
		if src == "" || seen[src] {
			return false
		}
		seen[src] = true
		ref := &PhotoRef{Ref: src, Alt: attr(n, "alt")}
		if u, err := url.Parse(src); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			ref.URL = src
		} else if err == nil && u.Scheme == "" {
			local := filepath.Join(dir, filepath.FromSlash(u.Path))
			if strings.HasPrefix(u.Path, "/") {
				local = ""
			}
			if local != "" && fileExists(local) {
				if data, ct, err := loadPhoto(local); err == nil {
					ref.Path, ref.ContentType = local, ct
					_ = data // read again when saved: a bundle may hold many
				}
			}
		}
		p.Images = append(p.Images, ref)
		return false
	})
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}
