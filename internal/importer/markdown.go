package importer

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"

	"masthead/internal/news"
)

// A Markdown story, masthead's own way:
//
//	---
//	headline: Is Trump's second letter to NK leader for dialogue or status quo?
//	section: North Korea
//	authors:
//	  - name: Kang Seung-woo
//	    email: ksw@koreatimes.co.kr
//	published: 2020-03-22T09:00:00+09:00
//	photo: kim-trump.jpg
//	photo_caption: North Korean leader Kim Jong-un and ...
//	photo_credit: Korea Times file
//	---
//	U.S. President Donald Trump's personal letter ...
//
// Hugo's and Jekyll's posts import unchanged: YAML (---) or TOML (+++)
// front matter, their names for the same fields (title, date, lastmod,
// draft, categories, summary, aliases...), and dates with or without a
// time and zone. Fields masthead has no use for (layout, weight, menu...)
// are ignored with a note. A field that is one typo away from a field
// that decides publication ("pubished") is an error instead: ignoring it
// would quietly publish the story today.

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// fmField is one front matter field, whatever the syntax: scalars are
// strings (or bool, int64, float64, time.Time from TOML), lists []any,
// tables map[string]any.
type fmField struct {
	key  string
	val  any
	line int // file line of the key
}

func parseMarkdown(path, text string) (*Parsed, error) {
	return parseMarkdownWith(path, text, defaultReadOpts())
}

func parseMarkdownWith(path, text string, o *readOpts) (*Parsed, error) {
	if slash := "/" + filepath.ToSlash(path); !o.jekyll && (strings.Contains(slash, "/_posts/") || strings.Contains(slash, "/_drafts/")) {
		oo := *o
		oo.jekyll = true
		o = &oo
	}
	lines := strings.Split(text, "\n")
	p := &Parsed{Path: path, Format: FormatMarkdown}
	bodyStart := 0
	delim := strings.TrimRight(lines[0], " \t")
	if delim == "---" || delim == "+++" {
		end := -1
		for i := 1; i < len(lines); i++ {
			l := strings.TrimRight(lines[i], " \t")
			if l == delim || (delim == "---" && l == "...") {
				end = i
				break
			}
		}
		if end < 0 {
			return nil, lineError(path, 1, "front matter opened with %s is never closed with a %s line", delim, delim)
		}
		src := strings.Join(lines[1:end], "\n")
		var fields []fmField
		var err error
		if delim == "+++" {
			fields, err = tomlFields(path, src)
		} else {
			fields, err = yamlFields(path, src)
		}
		if err != nil {
			return nil, err
		}
		if err := p.frontMatter(fields, o); err != nil {
			return nil, err
		}
		bodyStart = end + 1
	}
	jekyllName(p)
	body := strings.TrimSpace(strings.Join(lines[bodyStart:], "\n"))
	if p.Article.Headline == "" {
		// No title in front matter (or no front matter): a first-line
		// "# Heading" is the headline; else the file's name is.
		first, rest, _ := strings.Cut(body, "\n")
		if h, ok := strings.CutPrefix(strings.TrimSpace(first), "# "); ok && strings.TrimSpace(h) != "" {
			p.Article.Headline = strings.TrimSpace(strings.TrimRight(h, "# "))
			body = strings.TrimSpace(rest)
			bodyStart++
		} else if h := headlineFromName(path); h != "" {
			p.Article.Headline = h
			p.note("no title: the headline %q is made from the file name", h)
		} else {
			return nil, lineError(path, 1, "front matter has no headline (title:), and the file name gives none")
		}
	}
	if body == "" {
		return nil, lineError(path, bodyStart+1, "the story has no body after the front matter")
	}
	body = convertShortcodes(p, body)
	if rawHTMLBlock.MatchString(body) {
		p.note("raw HTML in the Markdown is left out of the story, as Hugo does by default")
	}
	p.Article.BodyMarkdown = body
	h, err := renderMarkdown(body)
	if err != nil {
		return nil, lineError(path, bodyStart+1, "%v", err)
	}
	p.Article.BodyHTML = h
	bodyImages(p, filepath.Dir(path))
	return finish(p, bodyStart+1)
}

var rawHTMLBlock = regexp.MustCompile(`(?m)^\s*<(?:div|figure|iframe|table|img|p|script|section|video|span|center|br)\b`)

// jekyllName reads a Jekyll post's file name, "2020-03-22-my-title.md":
// its date and slug, when the front matter gave neither.
var jekyllFile = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})-(.+)$`)

func jekyllName(p *Parsed) {
	base := strings.TrimSuffix(filepath.Base(p.Path), filepath.Ext(p.Path))
	m := jekyllFile.FindStringSubmatch(base)
	if m == nil {
		return
	}
	if p.Article.PublishedAt.IsZero() {
		if t, err := time.Parse(time.DateOnly, m[1]+"-"+m[2]+"-"+m[3]); err == nil {
			p.Article.PublishedAt = t.UTC()
		}
	}
	if !p.SlugSet {
		if s := news.Slugify(m[4]); s != "" {
			p.Article.Slug, p.SlugSet = s, true
		}
	}
	// Jekyll's drafts live in _drafts/.
	if strings.Contains(filepath.ToSlash(p.Path), "/_drafts/") && p.Article.Status == "" {
		p.Article.Status = news.StatusDraft
	}
}

// headlineFromName makes a headline of a file's name: "my-trip-to-busan.md"
// is "My trip to busan"; a bundle's index.md is named by its folder.
func headlineFromName(p string) string {
	base := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
	if b := strings.ToLower(base); b == "index" || b == "_index" || b == "readme" {
		base = filepath.Base(filepath.Dir(p))
	}
	if m := jekyllFile.FindStringSubmatch(base); m != nil {
		base = m[4]
	}
	base = strings.Join(strings.FieldsFunc(base, func(r rune) bool { return r == '-' || r == '_' || unicode.IsSpace(r) }), " ")
	if base == "" || base == "." || news.Slugify(base) == "" {
		return ""
	}
	r, n := utf8.DecodeRuneInString(base)
	return string(unicode.ToUpper(r)) + base[n:]
}

func yamlFields(path, src string) ([]fmField, error) {
	const offset = 1 // YAML line 1 is file line 2
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		msg := err.Error()
		line := 1
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = msg[len(m[0]):]
		}
		return nil, lineError(path, line+offset, "bad front matter: %s", strings.TrimPrefix(msg, "yaml: "))
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, lineError(path, root.Line+offset, "front matter must be fields (name: value), not a %s", kindName(root))
	}
	var out []fmField
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		out = append(out, fmField{key: k.Value, val: yamlValue(v), line: k.Line + offset})
	}
	return out, nil
}

// yamlValue turns a node into plain values; scalars stay text so that
// dates are read one way whatever YAML thinks they are.
func yamlValue(n *yaml.Node) any {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return nil
		}
		return n.Value
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			out = append(out, yamlValue(c))
		}
		return out
	case yaml.MappingNode:
		out := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			out[n.Content[i].Value] = yamlValue(n.Content[i+1])
		}
		return out
	case yaml.AliasNode:
		if n.Alias != nil {
			return yamlValue(n.Alias)
		}
	}
	return nil
}

var tomlKeyLine = regexp.MustCompile(`(?m)^[ \t]*["']?([A-Za-z0-9_.-]+)["']?[ \t]*=`)

func tomlFields(path, src string) ([]fmField, error) {
	const offset = 1
	var m map[string]any
	md, err := toml.Decode(src, &m)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, lineError(path, pe.Position.Line+offset, "bad front matter (TOML): %s", shortErr(errors.New(pe.Message)))
		}
		return nil, lineError(path, 1+offset, "bad front matter (TOML): %s", shortErr(err))
	}
	lines := map[string]int{}
	for _, loc := range tomlKeyLine.FindAllStringSubmatchIndex(src, -1) {
		k := src[loc[2]:loc[3]]
		if _, ok := lines[k]; !ok {
			lines[k] = strings.Count(src[:loc[0]], "\n") + 1 + offset
		}
	}
	var out []fmField
	seen := map[string]bool{}
	for _, k := range md.Keys() {
		if len(k) != 1 || seen[k[0]] {
			continue
		}
		seen[k[0]] = true
		line := lines[k[0]]
		if line == 0 {
			line = 1 + offset
		}
		out = append(out, fmField{key: k[0], val: m[k[0]], line: line})
	}
	return out, nil
}

// Fields that decide what is published and when: a key one typo away
// from one of these is refused, not ignored.
var guardedFields = []string{"headline", "title", "published", "date", "publishdate", "draft", "status", "slug", "section", "tags", "authors", "updated"}

// ignoredFields are Hugo's and Jekyll's fields masthead has no use for;
// they get a note, never an error.
var ignoredFields = map[string]string{
	"layout": "masthead has no layouts", "weight": "front page order is set in the newsroom", "menu": "navigation is made of sections",
	"toc": "", "showtoc": "", "tocopen": "", "comments": "", "share": "", "math": "", "mathjax": "", "katex": "", "hidemeta": "",
	"hidden": "", "sitemap": "", "outputs": "", "build": "", "cascade": "", "resources": "", "markup": "", "linktitle": "",
	"expirydate": "masthead does not unpublish by date", "featured": "", "headless": "", "disqus_identifier": "", "id": "", "uuid": "",
	"guid": "", "excerpt_separator": "", "render_with_liquid": "", "sidebar": "", "header": "", "classes": "", "redirect_to": "",
	"showreadingtime": "", "showwordcount": "", "showbreadcrumbs": "", "disableshare": "", "searchhidden": "", "canonicalurl": "",
	"editpost": "", "type": "", "series": "", "keywords": "", "robots": "", "translationkey": "", "isCJKLanguage": "", "iscjklanguage": "",
	"draft_note": "", "published_at": "", "nav_order": "", "parent": "", "permalink_name": "", "tags_weight": "", "description_long": "",
}

// frontMatter reads the fields of the front matter.
func (p *Parsed) frontMatter(fields []fmField, o *readOpts) error {
	a := &p.Article
	var photoPath string
	var photoLine int
	var photoStrict bool
	var ignored []string
	var deck, summary, description string
	var dateSet bool
	for _, f := range fields {
		key := strings.ToLower(f.key)
		errf := func(format string, args ...any) error {
			return lineError(p.Path, f.line, "%s: %s", f.key, fmt.Sprintf(format, args...))
		}
		str := func() (string, error) { return fmString(f.val, errf) }
		tm := func() (time.Time, error) {
			if t, ok := f.val.(time.Time); ok {
				return tomlTime(t, o.loc), nil
			}
			s, err := str()
			if err != nil || s == "" {
				return time.Time{}, err
			}
			t, err := parseDate(s, o.loc)
			if err != nil {
				return time.Time{}, errf("cannot read %q as a date and time; write RFC 3339, e.g. 2020-03-22T09:00:00+09:00, or a date, 2020-03-22", s)
			}
			return t, nil
		}
		var err error
		switch key {
		case "headline", "title":
			a.Headline, err = str()
		case "deck", "subtitle", "subhead", "standfirst":
			deck, err = str()
		case "summary", "excerpt":
			summary, err = str()
		case "description":
			description, err = str()
		case "slug":
			var s string
			if s, err = str(); err == nil && s != "" {
				a.Slug = news.Slugify(s)
				p.SlugSet = true
				if a.Slug == "" {
					err = errf("%q has no letters or digits", s)
				}
			}
		case "url", "permalink":
			// The page's address on the old site: it answers 301, and
			// its last segment is the slug when none is given.
			var s string
			if s, err = str(); err == nil && s != "" {
				p.Redirects = append(p.Redirects, s)
				if !p.SlugSet {
					if seg := path.Base(strings.TrimSuffix(strings.TrimSuffix(s, "/"), ".html")); seg != "" && !strings.Contains(seg, ":") {
						if sl := news.Slugify(seg); sl != "" {
							a.Slug = sl
						}
					}
				}
			}
		case "aliases", "redirect_from":
			var l []string
			if l, err = fmList(f.val, errf, false); err == nil {
				p.Redirects = append(p.Redirects, l...)
			}
		case "section":
			p.Section, err = str()
		case "categories", "category":
			var l []string
			if l, err = fmList(f.val, errf, o.jekyll); err == nil && len(l) > 0 {
				if p.Section == "" {
					p.Section = l[0]
					l = l[1:]
				}
				p.Tags = append(p.Tags, l...)
			}
		case "authors", "author":
			var as []news.Author
			if as, err = p.readAuthors(f.val, f.line); err == nil {
				p.Authors = append(p.Authors, as...)
			}
		case "tags":
			var l []string
			if l, err = fmList(f.val, errf, o.jekyll); err == nil {
				p.Tags = append(p.Tags, l...)
			}
		case "published":
			// masthead's publication time, or Jekyll's "published: false".
			if b, ok := fmBool(f.val); ok {
				if !b {
					a.Status = news.StatusDraft
				} else if a.Status == "" {
					a.Status = news.StatusPublished
				}
				continue
			}
			a.PublishedAt, err = tm()
			dateSet = true
		case "date", "publishdate", "pubdate":
			var t time.Time
			if t, err = tm(); err == nil && !t.IsZero() && (!dateSet || key == "publishdate") {
				a.PublishedAt = t
				dateSet = true
			}
		case "updated", "lastmod", "modified", "last_modified_at", "last_modified":
			a.UpdatedAt, err = tm()
		case "draft":
			b, ok := fmBool(f.val)
			switch {
			case !ok:
				err = errf("write true or false")
			case b:
				a.Status = news.StatusDraft
			case a.Status == "":
				a.Status = news.StatusPublished
			}
		case "lang", "language":
			var s string
			if s, err = str(); err == nil && s != "" {
				var ok bool
				if a.Lang, ok = cleanLang(s); !ok {
					err = errf("%q is not a language tag (en, ko, ...)", s)
				}
			}
		case "photo", "image", "featured_image", "feature_image", "featureimage", "cover_image", "thumbnail", "banner", "images", "cover":
			err = p.photoField(key, f.val, errf)
			if err == nil && p.Photo != nil && p.Photo.Path != "" && photoPath == "" {
				photoPath, photoLine, photoStrict = p.Photo.Path, f.line, key == "photo"
				p.Photo.Path = ""
			}
		case "photo_caption", "photo_credit", "photo_alt", "image_caption", "caption", "image_credit", "credit", "image_alt", "alt":
			var s string
			if s, err = str(); err == nil && s != "" {
				if p.Photo == nil {
					p.Photo = &PhotoRef{}
				}
				switch key {
				case "photo_caption", "image_caption", "caption":
					p.Photo.Caption = s
				case "photo_credit", "image_credit", "credit":
					p.Photo.Credit = s
				default:
					p.Photo.Alt = s
				}
			}
		case "seo_title", "meta_title":
			a.SEOTitle, err = str()
		case "seo_description", "meta_description":
			a.SEODescription, err = str()
		case "status":
			var s string
			if s, err = str(); err == nil {
				switch strings.ToLower(s) {
				case "draft":
					a.Status = news.StatusDraft
				case "published", "publish", "live":
					a.Status = news.StatusPublished
				case "scheduled", "future":
					a.Status = news.StatusScheduled
				case "review", "pending":
					a.Status = news.StatusReview
				default:
					err = errf("%q: write draft or published", s)
				}
			}
		default:
			if why, ok := ignoredFields[key]; ok {
				if key == "layout" || key == "type" {
					if s, _ := fmString(f.val, errf); strings.EqualFold(s, "page") {
						p.Kind = KindPage
						continue
					}
				}
				if why != "" {
					ignored = append(ignored, f.key+" ("+why+")")
				} else {
					ignored = append(ignored, f.key)
				}
				continue
			}
			if near := nearField(key); near != "" {
				return lineError(p.Path, f.line, "unknown front matter field %q: did you mean %q? (a misspelt field would be ignored and could publish the story today)", f.key, near)
			}
			ignored = append(ignored, f.key)
		}
		if err != nil {
			return err
		}
	}
	switch {
	case deck != "":
		a.Deck = deck
	case summary != "":
		a.Deck = summary
	default:
		a.Deck = description
	}
	if a.SEODescription == "" && description != "" && description != a.Deck {
		a.SEODescription = description
	}
	if len(ignored) > 0 {
		p.note("ignored front matter fields masthead does not use: %s", strings.Join(ignored, ", "))
	}
	if photoPath != "" {
		if err := p.loadFrontMatterPhoto(photoPath, photoLine, photoStrict, o); err != nil {
			return err
		}
	}
	if p.Photo != nil && p.Photo.Alt == "" {
		// Alt text is not optional on the page; the caption is the best
		// description there is.
		p.Photo.Alt = p.Photo.Caption
	}
	return nil
}

// photoField reads the lead image's fields: a file name or address
// (photo, image, featured_image), a list of them (Hugo's images), or a
// table {image, caption, alt} (the PaperMod theme's cover).
func (p *Parsed) photoField(key string, v any, errf func(string, ...any) error) error {
	if p.Photo == nil {
		p.Photo = &PhotoRef{}
	}
	set := func(s string) {
		s = strings.TrimSpace(s)
		if s == "" {
			return
		}
		if u, err := url.Parse(s); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			if p.Photo.URL == "" && p.Photo.Path == "" {
				p.Photo.URL = s
			}
			return
		}
		if p.Photo.Path == "" {
			p.Photo.Path = s
		}
	}
	switch x := v.(type) {
	case nil:
	case string:
		set(x)
	case []any:
		if len(x) > 0 {
			if s, ok := x[0].(string); ok {
				set(s)
			}
		}
	case map[string]any:
		for _, k := range []string{"image", "src", "url", "path"} {
			if s, ok := x[k].(string); ok {
				set(s)
				break
			}
		}
		if s, ok := x["caption"].(string); ok {
			p.Photo.Caption = strings.TrimSpace(s)
		}
		if s, ok := x["alt"].(string); ok {
			p.Photo.Alt = strings.TrimSpace(s)
		}
		if s, ok := x["credit"].(string); ok {
			p.Photo.Credit = strings.TrimSpace(s)
		}
	default:
		return errf("must be a file name or an address")
	}
	if ph := p.Photo; ph.URL == "" && ph.Path == "" && ph.Caption == "" && ph.Alt == "" && ph.Credit == "" {
		p.Photo = nil
	}
	return nil
}

// loadFrontMatterPhoto reads the lead photo a front matter names: a file
// beside the story (a page bundle's image), under the site's static
// folder, or under --uploads. Named but not found, it is a photo awaiting
// its file.
func (p *Parsed) loadFrontMatterPhoto(name string, line int, strict bool, o *readOpts) error {
	var candidates []string
	if filepath.IsAbs(name) {
		candidates = append(candidates, name)
	} else {
		rel := filepath.FromSlash(strings.TrimPrefix(name, "/"))
		if !strings.HasPrefix(name, "/") {
			candidates = append(candidates, filepath.Join(filepath.Dir(p.Path), rel))
		}
		for _, d := range o.staticDirs {
			candidates = append(candidates, filepath.Join(d, rel))
		}
		if o.uploads != "" {
			candidates = append(candidates, filepath.Join(o.uploads, rel))
		}
	}
	if p.Photo == nil {
		p.Photo = &PhotoRef{}
	}
	for _, c := range candidates {
		if !fileExists(c) {
			continue
		}
		data, ct, err := loadPhoto(c)
		if err != nil {
			return lineError(p.Path, line, "photo: %v", err)
		}
		p.Photo.Path, p.Photo.Data, p.Photo.ContentType = c, data, ct
		return nil
	}
	if strict {
		// A masthead story names its photo on purpose: a wrong name is
		// a mistake to fix, not a photo to wait for.
		_, _, err := loadPhoto(candidates[0])
		return lineError(p.Path, line, "photo: %v", err)
	}
	p.Photo.Ref = name
	p.note("photo %s not found: kept as a photo awaiting its file", name)
	return nil
}

// readAuthors reads a name, a list of names, or a list of
// {name, email, bio, title}.
func (p *Parsed) readAuthors(v any, line int) ([]news.Author, error) {
	errAt := func(format string, args ...any) error {
		return lineError(p.Path, line, "authors: %s", fmt.Sprintf(format, args...))
	}
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	var out []news.Author
	for i, it := range items {
		var a news.Author
		switch x := it.(type) {
		case nil:
			continue
		case string:
			a.Name = strings.TrimSpace(x)
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				val, ok := x[k].(string)
				if !ok {
					return nil, errAt("%s must be text", k)
				}
				val = strings.TrimSpace(val)
				switch k {
				case "name", "display_name":
					a.Name = val
				case "email":
					addr, err := mail.ParseAddress(val)
					if err != nil || addr.Name != "" {
						return nil, lineError(p.Path, line+1+i, "authors: %q is not an e-mail address", val)
					}
					a.Email = strings.ToLower(addr.Address)
				case "bio":
					a.Bio = val
				case "title", "role":
					a.Title = val
				default:
					return nil, errAt("unknown author field %q (known: name, email, bio, title)", k)
				}
			}
		default:
			return nil, errAt("each author is a name or {name, email, bio, title}")
		}
		if a.Name == "" {
			return nil, lineError(p.Path, line+1+i, "authors: an author has no name")
		}
		out = append(out, a)
	}
	return out, nil
}

func fmString(v any, errf func(string, ...any) error) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return strings.TrimSpace(x), nil
	case bool:
		return strconv.FormatBool(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case time.Time:
		return x.Format(time.RFC3339), nil
	case []any:
		return "", errf("must be text, not a list")
	}
	return "", errf("must be text, not a set of fields")
}

func fmBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true", "yes", "on":
			return true, true
		case "false", "no", "off":
			return false, true
		}
	}
	return false, false
}

// fmList reads a list of words, or one line of them: comma-separated, or
// (Jekyll) space-separated.
func fmList(v any, errf func(string, ...any) error, spaces bool) ([]string, error) {
	var out []string
	switch x := v.(type) {
	case nil:
	case string:
		sep := ","
		if spaces && !strings.Contains(x, ",") {
			out = strings.Fields(x)
			break
		}
		for _, s := range strings.Split(x, sep) {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	case []any:
		for _, it := range x {
			s, err := fmString(it, errf)
			if err != nil {
				return nil, errf("each entry must be text")
			}
			if s != "" {
				out = append(out, s)
			}
		}
	default:
		return nil, errf("must be a list")
	}
	for _, s := range out {
		if news.Slugify(s) == "" && !strings.HasPrefix(s, "/") {
			return nil, errf("%q has no letters or digits", s)
		}
	}
	return out, nil
}

// parseDate reads the dates Hugo, Jekyll and people write: RFC 3339,
// with a space for the T, without seconds, with a "+0900" zone, or a date
// alone. A date or time without a zone is in loc (the paper's zone).
func parseDate(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05 -07:00",
		"2006-01-02 15:04 -0700", "2006-01-02T15:04Z07:00", "2006-01-02 15:04:05.999999999 -0700", time.RFC1123Z, time.RFC1123} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04", "2006-01-02 15:04", time.DateOnly, "2006/01/02", "2006-01-02 15:04:05 MST"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read %q as a date", s)
}

// tomlTime places TOML's local dates and times (no zone written) in loc.
func tomlTime(t time.Time, loc *time.Location) time.Time {
	switch t.Location().String() {
	case "datetime-local", "date-local", "time-local":
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc).UTC()
	}
	return t.UTC()
}

// nearField returns the guarded field key is a typo of, or "".
func nearField(key string) string {
	for _, g := range guardedFields {
		if d := editDistance(key, g); d > 0 && d <= 2 && len(key) >= 4 {
			return g
		}
	}
	return ""
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// cleanLang checks a BCP 47 tag and returns its canonical form.
func cleanLang(s string) (string, bool) {
	t, err := language.Parse(s)
	if err != nil {
		return "", false
	}
	return t.String(), true
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.MappingNode:
		return "set of fields"
	case yaml.AliasNode:
		return "alias"
	}
	return "value"
}
