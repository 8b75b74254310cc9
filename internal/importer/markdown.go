package importer

import (
	"fmt"
	"net/mail"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"

	"masthead/internal/news"
)

// A Markdown story:
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
// Unknown fields are errors: a misspelt "pubished" would otherwise quietly
// publish the story today.

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

func parseMarkdown(path, text string) (*Parsed, error) {
	lines := strings.Split(text, "\n")
	p := &Parsed{Path: path, Format: FormatMarkdown}
	bodyStart := 0
	if strings.TrimRight(lines[0], " \t") == "---" {
		end := -1
		for i := 1; i < len(lines); i++ {
			if l := strings.TrimRight(lines[i], " \t"); l == "---" || l == "..." {
				end = i
				break
			}
		}
		if end < 0 {
			return nil, lineError(path, 1, "front matter opened with --- is never closed with a --- line")
		}
		if err := p.frontMatter(strings.Join(lines[1:end], "\n")); err != nil {
			return nil, err
		}
		bodyStart = end + 1
	} else {
		// No front matter: the first line must be the "# Headline".
		h, ok := strings.CutPrefix(strings.TrimSpace(lines[0]), "# ")
		if !ok {
			return nil, lineError(path, 1, "Markdown needs front matter (a --- block with at least headline:) or a \"# Headline\" first line")
		}
		p.Article.Headline = h
		bodyStart = 1
	}
	if p.Article.Headline == "" {
		return nil, lineError(path, 1, "front matter has no headline")
	}
	body := strings.TrimSpace(strings.Join(lines[bodyStart:], "\n"))
	if body == "" {
		return nil, lineError(path, bodyStart+1, "the story has no body after the front matter")
	}
	p.Article.BodyMarkdown = body
	h, err := renderMarkdown(body)
	if err != nil {
		return nil, lineError(path, bodyStart+1, "%v", err)
	}
	p.Article.BodyHTML = h
	return finish(p, bodyStart+1)
}

// frontMatter reads the YAML block that starts on line 2 of the file.
func (p *Parsed) frontMatter(src string) error {
	const offset = 1 // YAML line 1 is file line 2
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		msg := err.Error()
		line := 1
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = msg[len(m[0]):]
		}
		return lineError(p.Path, line+offset, "bad front matter: %s", strings.TrimPrefix(msg, "yaml: "))
	}
	if len(doc.Content) == 0 {
		return lineError(p.Path, 1, "front matter is empty; it needs at least a headline")
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return lineError(p.Path, root.Line+offset, "front matter must be fields (name: value), not a %s", kindName(root))
	}
	a := &p.Article
	var photoPath string
	var photoLine int
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		line := v.Line + offset
		errf := func(format string, args ...any) error {
			return lineError(p.Path, line, "%s: %s", k.Value, fmt.Sprintf(format, args...))
		}
		str := func() (string, error) {
			if v.Kind != yaml.ScalarNode {
				return "", errf("must be text, not a %s", kindName(v))
			}
			if v.Tag == "!!null" {
				return "", nil
			}
			return strings.TrimSpace(v.Value), nil
		}
		tm := func() (time.Time, error) {
			s, err := str()
			if err != nil || s == "" {
				return time.Time{}, err
			}
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return time.Time{}, errf("cannot read %q as a date and time; write RFC 3339, e.g. 2020-03-22T09:00:00+09:00", s)
			}
			return t.UTC(), nil
		}
		var err error
		switch k.Value {
		case "headline":
			a.Headline, err = str()
		case "deck":
			a.Deck, err = str()
		case "slug":
			var s string
			if s, err = str(); err == nil && s != "" {
				a.Slug = news.Slugify(s)
				p.SlugSet = true
				if a.Slug == "" {
					err = errf("%q has no letters or digits", s)
				}
			}
		case "section":
			p.Section, err = str()
		case "authors", "author":
			p.Authors, err = p.readAuthors(v, offset)
		case "tags":
			p.Tags, err = readList(v, errf)
		case "published":
			a.PublishedAt, err = tm()
		case "updated":
			a.UpdatedAt, err = tm()
		case "lang":
			var s string
			if s, err = str(); err == nil && s != "" {
				var ok bool
				if a.Lang, ok = cleanLang(s); !ok {
					err = errf("%q is not a language tag (en, ko, ...)", s)
				}
			}
		case "photo":
			photoPath, err = str()
			photoLine = line
		case "photo_caption", "photo_credit", "photo_alt":
			var s string
			if s, err = str(); err == nil && s != "" {
				if p.Photo == nil {
					p.Photo = &PhotoRef{}
				}
				switch k.Value {
				case "photo_caption":
					p.Photo.Caption = s
				case "photo_credit":
					p.Photo.Credit = s
				default:
					p.Photo.Alt = s
				}
			}
		case "seo_title":
			a.SEOTitle, err = str()
		case "seo_description":
			a.SEODescription, err = str()
		case "status":
			var s string
			if s, err = str(); err == nil {
				switch news.Status(s) {
				case news.StatusDraft, news.StatusPublished:
					a.Status = news.Status(s)
				default:
					err = errf("%q: write draft or published", s)
				}
			}
		default:
			err = lineError(p.Path, k.Line+offset, "unknown front matter field %q (known: headline, deck, slug, section, authors, tags, published, updated, lang, photo, photo_caption, photo_credit, photo_alt, seo_title, seo_description, status)", k.Value)
		}
		if err != nil {
			return err
		}
	}
	if photoPath != "" {
		if !filepath.IsAbs(photoPath) {
			photoPath = filepath.Join(filepath.Dir(p.Path), filepath.FromSlash(photoPath))
		}
		data, ct, err := loadPhoto(photoPath)
		if err != nil {
			return lineError(p.Path, photoLine, "photo: %v", err)
		}
		if p.Photo == nil {
			p.Photo = &PhotoRef{}
		}
		p.Photo.Path, p.Photo.Data, p.Photo.ContentType = photoPath, data, ct
	}
	if p.Photo != nil && p.Photo.Alt == "" {
		// Alt text is not optional on the page; the caption is the best
		// description there is.
		p.Photo.Alt = p.Photo.Caption
	}
	return nil
}

// readAuthors reads a name, a list of names, or a list of
// {name, email, bio, title}.
func (p *Parsed) readAuthors(v *yaml.Node, offset int) ([]news.Author, error) {
	errAt := func(n *yaml.Node, format string, args ...any) error {
		return lineError(p.Path, n.Line+offset, "authors: %s", fmt.Sprintf(format, args...))
	}
	items := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		items = v.Content
	}
	var out []news.Author
	for _, it := range items {
		var a news.Author
		switch it.Kind {
		case yaml.ScalarNode:
			a.Name = strings.TrimSpace(it.Value)
		case yaml.MappingNode:
			for i := 0; i+1 < len(it.Content); i += 2 {
				k, f := it.Content[i], it.Content[i+1]
				if f.Kind != yaml.ScalarNode {
					return nil, errAt(f, "%s must be text", k.Value)
				}
				val := strings.TrimSpace(f.Value)
				switch k.Value {
				case "name":
					a.Name = val
				case "email":
					addr, err := mail.ParseAddress(val)
					if err != nil || addr.Name != "" {
						return nil, errAt(f, "%q is not an e-mail address", val)
					}
					a.Email = strings.ToLower(addr.Address)
				case "bio":
					a.Bio = val
				case "title":
					a.Title = val
				default:
					return nil, errAt(k, "unknown author field %q (known: name, email, bio, title)", k.Value)
				}
			}
		default:
			return nil, errAt(it, "each author is a name or {name, email, bio, title}, not a %s", kindName(it))
		}
		if a.Name == "" {
			return nil, errAt(it, "an author has no name")
		}
		out = append(out, a)
	}
	return out, nil
}

// readList reads a YAML list of words, or one comma-separated line.
func readList(v *yaml.Node, errf func(string, ...any) error) ([]string, error) {
	var out []string
	switch v.Kind {
	case yaml.ScalarNode:
		for _, s := range strings.Split(v.Value, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	case yaml.SequenceNode:
		for _, it := range v.Content {
			if it.Kind != yaml.ScalarNode {
				return nil, errf("each entry must be text")
			}
			if s := strings.TrimSpace(it.Value); s != "" {
				out = append(out, s)
			}
		}
	default:
		return nil, errf("must be a list")
	}
	for _, s := range out {
		if news.Slugify(s) == "" {
			return nil, errf("%q has no letters or digits", s)
		}
	}
	return out, nil
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
