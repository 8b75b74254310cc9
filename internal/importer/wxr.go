package importer

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/html/charset"

	"masthead/internal/content"
	"masthead/internal/news"
)

// A WordPress export (WXR 1.0–1.2, Tools → Export) is an RSS file with
// the site's authors, categories and tags up front and one <item> per
// post, page, attachment or menu entry. It is read as a stream: one item
// is decoded at a time, so an export of 10,000+ posts is never held as a
// document, only as the stories read from it.

type wxrText struct {
	XMLName xml.Name
	Text    string `xml:",chardata"`
}

type wxrAuthor struct {
	Login       string `xml:"author_login"`
	Email       string `xml:"author_email"`
	DisplayName string `xml:"author_display_name"`
	FirstName   string `xml:"author_first_name"`
	LastName    string `xml:"author_last_name"`
}

type wxrCategory struct {
	ID          string `xml:"term_id"`
	Nicename    string `xml:"category_nicename"`
	Parent      string `xml:"category_parent"`
	Name        string `xml:"cat_name"`
	Description string `xml:"category_description"`
}

type wxrTag struct {
	Slug        string `xml:"tag_slug"`
	Name        string `xml:"tag_name"`
	Description string `xml:"tag_description"`
}

type wxrTerm struct {
	ID       string    `xml:"term_id"`
	Taxonomy string    `xml:"term_taxonomy"`
	Slug     string    `xml:"term_slug"`
	Parent   string    `xml:"term_parent"`
	Name     string    `xml:"term_name"`
	Desc     string    `xml:"term_description"`
	Meta     []wxrMeta `xml:"termmeta"`
}

type wxrMeta struct {
	Key   string `xml:"meta_key"`
	Value string `xml:"meta_value"`
}

type wxrItemCategory struct {
	Domain   string `xml:"domain,attr"`
	Nicename string `xml:"nicename,attr"`
	Name     string `xml:",chardata"`
}

type wxrComment struct {
	ID       string    `xml:"comment_id"`
	Author   string    `xml:"comment_author"`
	Email    string    `xml:"comment_author_email"`
	URL      string    `xml:"comment_author_url"`
	Date     string    `xml:"comment_date"`
	DateGMT  string    `xml:"comment_date_gmt"`
	Content  string    `xml:"comment_content"`
	Approved string    `xml:"comment_approved"`
	Type     string    `xml:"comment_type"`
	Parent   string    `xml:"comment_parent"`
	Meta     []wxrMeta `xml:"commentmeta"`
}

type wxrItem struct {
	Title       string            `xml:"title"`
	Link        string            `xml:"link"`
	Creator     string            `xml:"creator"`
	GUID        string            `xml:"guid"`
	Encoded     []wxrText         `xml:"encoded"` // content:encoded and excerpt:encoded
	ID          string            `xml:"post_id"`
	Date        string            `xml:"post_date"`
	DateGMT     string            `xml:"post_date_gmt"`
	Modified    string            `xml:"post_modified"`
	ModifiedGMT string            `xml:"post_modified_gmt"`
	Name        string            `xml:"post_name"`
	Status      string            `xml:"status"`
	Parent      string            `xml:"post_parent"`
	Type        string            `xml:"post_type"`
	Password    string            `xml:"post_password"`
	Attachment  string            `xml:"attachment_url"`
	Categories  []wxrItemCategory `xml:"category"`
	Meta        []wxrMeta         `xml:"postmeta"`
	Comments    []wxrComment      `xml:"comment"`
}

func (it *wxrItem) content() (body, excerpt string) {
	for _, e := range it.Encoded {
		if strings.Contains(e.XMLName.Space, "excerpt") {
			excerpt = e.Text
		} else {
			body = e.Text
		}
	}
	return body, excerpt
}

func (it *wxrItem) meta(key string) string {
	for _, m := range it.Meta {
		if m.Key == key {
			return m.Value
		}
	}
	return ""
}

// wxrAttachment is a media library entry: the photo a post's featured
// image or [gallery] names.
type wxrAttachment struct {
	id, url, title, caption, description, alt, credit, parent string
	ref                                                       *PhotoRef
}

// wxrReader holds what one export's stream has shown so far.
type wxrReader struct {
	path     string
	o        *readOpts
	b        *Batch
	site     string // base_blog_url
	siteName string
	authors  map[string]*AuthorRef // by login
	atts     map[string]*wxrAttachment
	posts    []*wxrPost
	skipped  map[string]int    // item types and statuses left out
	termIDs  map[string]string // category nicename → term id
	el       errList
}

type wxrPost struct {
	p        *Parsed
	it       *wxrItem // only the fields resolved after the stream: meta
	thumb    string
	id       string
	galleryN int
}

func (b *Batch) readWXR(p string, r io.Reader, o *readOpts) error {
	w := &wxrReader{path: p, o: o, b: b, authors: map[string]*AuthorRef{}, atts: map[string]*wxrAttachment{}, skipped: map[string]int{}, termIDs: map[string]string{}}
	d := xml.NewDecoder(r)
	d.CharsetReader = charset.NewReaderLabel
	// Exports carry HTML entities (&nbsp;) outside CDATA now and then.
	d.Entity = xml.HTMLEntity
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			line, _ := d.InputPos()
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				line = se.Line
			}
			w.el.add(lineError(p, line, "not a well-formed WordPress export: %s", shortErr(err)))
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			line, _ := d.InputPos()
			if depth == 3 { // rss > channel > element
				if err := w.element(d, t, line); err != nil {
					w.el.add(err)
				}
				depth--
			}
		case xml.EndElement:
			depth--
		}
	}
	w.finish()
	return w.el.err()
}

func (w *wxrReader) element(d *xml.Decoder, t xml.StartElement, line int) error {
	bad := func(err error) error {
		return lineError(w.path, line, "<%s>: %s", t.Name.Local, shortErr(err))
	}
	switch t.Name.Local {
	case "title":
		var s string
		if err := d.DecodeElement(&s, &t); err != nil {
			return bad(err)
		}
		w.siteName = strings.TrimSpace(s)
	case "base_blog_url":
		var s string
		if err := d.DecodeElement(&s, &t); err != nil {
			return bad(err)
		}
		w.site = strings.TrimRight(strings.TrimSpace(s), "/")
	case "link":
		var s string
		if err := d.DecodeElement(&s, &t); err != nil {
			return bad(err)
		}
		if w.site == "" {
			w.site = strings.TrimRight(strings.TrimSpace(s), "/")
		}
	case "author":
		var a wxrAuthor
		if err := d.DecodeElement(&a, &t); err != nil {
			return bad(err)
		}
		w.author(a, line)
	case "category":
		var c wxrCategory
		if err := d.DecodeElement(&c, &t); err != nil {
			return bad(err)
		}
		w.termIDs[c.Nicename] = strings.TrimSpace(c.ID)
		w.b.Sections = append(w.b.Sections, &SectionRef{Key: "wp:" + c.Nicename, Name: html2text(c.Name), Slug: decodeSlug(c.Nicename),
			Description: html2text(c.Description), Parent: prefixed("wp:", c.Parent)})
	case "tag":
		var tg wxrTag
		if err := d.DecodeElement(&tg, &t); err != nil {
			return bad(err)
		}
		w.b.Tags = append(w.b.Tags, TagRef{Name: html2text(tg.Name), Slug: decodeSlug(tg.Slug)})
	case "term":
		var tm wxrTerm
		if err := d.DecodeElement(&tm, &t); err != nil {
			return bad(err)
		}
		switch tm.Taxonomy {
		case "category":
			w.b.Sections = append(w.b.Sections, &SectionRef{Key: "wp:" + tm.Slug, Name: html2text(tm.Name), Slug: decodeSlug(tm.Slug), Description: tm.Desc})
		case "post_tag":
			w.b.Tags = append(w.b.Tags, TagRef{Name: html2text(tm.Name), Slug: decodeSlug(tm.Slug)})
		}
	case "item":
		var it wxrItem
		if err := d.DecodeElement(&it, &t); err != nil {
			return bad(err)
		}
		return w.item(&it, line)
	default:
		return d.Skip()
	}
	return nil
}

func prefixed(pre, s string) string {
	if s = strings.TrimSpace(s); s == "" {
		return ""
	}
	return pre + s
}

func (w *wxrReader) author(a wxrAuthor, line int) {
	name := strings.TrimSpace(html2text(a.DisplayName))
	if name == "" {
		name = strings.TrimSpace(a.FirstName + " " + a.LastName)
	}
	if name == "" {
		name = a.Login
	}
	ref := &AuthorRef{Key: "wp:" + a.Login, Author: news.Author{Name: name, Slug: news.Slugify(a.Login)}}
	if addr := strings.TrimSpace(a.Email); addr != "" && strings.Contains(addr, "@") {
		ref.Email = strings.ToLower(addr)
	}
	if news.Slugify(name) == "" {
		w.el.add(lineError(w.path, line, "author %q has no letters or digits in the name", name))
		return
	}
	w.authors[a.Login] = ref
	w.b.Authors = append(w.b.Authors, ref)
}

func (w *wxrReader) item(it *wxrItem, line int) error {
	switch it.Type {
	case "attachment":
		w.attachment(it)
		return nil
	case "post", "page":
	default:
		w.skipped[it.Type+"s"]++
		return nil
	}
	kind := KindStory
	if it.Type == "page" {
		kind = KindPage
	}
	p := &Parsed{Path: w.path, Format: FormatWXR, Kind: kind, Line: line}
	a := &p.Article
	switch it.Status {
	case "publish":
		a.Status = news.StatusPublished
	case "future":
		a.Status = news.StatusScheduled
	case "draft":
		a.Status = news.StatusDraft
	case "pending":
		a.Status = news.StatusReview
	case "private":
		a.Status = news.StatusDraft
		p.note("private on WordPress: imported as a draft")
	case "trash", "auto-draft", "inherit":
		w.skipped[it.Status+" "+it.Type+"s"]++
		return nil
	default:
		a.Status = news.StatusDraft
		p.note("WordPress status %q: imported as a draft", it.Status)
	}
	if it.Password != "" {
		a.Status = news.StatusDraft
		p.note("password-protected on WordPress: imported as a draft")
	}
	a.Headline = html2text(it.Title)
	if strings.TrimSpace(a.Headline) == "" {
		a.Headline = "(untitled)"
		p.note("no title on WordPress: the headline is \"(untitled)\"")
	}
	if s := decodeSlug(it.Name); s != "" {
		if sl := news.Slugify(s); sl != "" {
			a.Slug, p.SlugSet = sl, true
		}
	}
	a.PublishedAt = wpTime(it.DateGMT, it.Date, w.o.loc)
	a.UpdatedAt = wpTime(it.ModifiedGMT, it.Modified, w.o.loc)
	if a.UpdatedAt.Before(a.PublishedAt) {
		a.UpdatedAt = time.Time{}
	}
	body, excerpt := it.content()
	a.Deck = html2text(excerpt)
	a.SEOTitle = yoastVars(firstNonEmpty(it.meta("_yoast_wpseo_title"), it.meta("rank_math_title")), a.Headline, w.siteName)
	a.SEODescription = yoastVars(firstNonEmpty(it.meta("_yoast_wpseo_metadesc"), it.meta("rank_math_description")), a.Headline, w.siteName)
	// The post id is the post's identity on its site (guids are copied
	// with duplicated posts: the theme unit test has two posts with one).
	a.SourceKey = "wp:" + w.site + "/?p=" + strings.TrimSpace(it.ID)
	if ref := w.authors[strings.TrimSpace(it.Creator)]; ref != nil {
		p.Authors = append(p.Authors, ref.Author)
	} else if c := strings.TrimSpace(it.Creator); c != "" {
		p.Authors = append(p.Authors, news.Author{Name: c, Slug: news.Slugify(c)})
	}
	primary := it.meta("_yoast_wpseo_primary_category")
	var cats []wxrItemCategory
	for _, c := range it.Categories {
		switch c.Domain {
		case "category":
			cats = append(cats, c)
		case "post_tag":
			p.Tags = append(p.Tags, html2text(c.Name))
		}
	}
	if kind == KindStory && len(cats) > 0 {
		// One section per story: Yoast's primary category, else the
		// first; the others become tags, so nothing is lost.
		first := 0
		for i, c := range cats {
			if primary != "" && w.categoryID(c.Nicename) == primary {
				first = i
			}
		}
		p.Section = html2text(cats[first].Name)
		for i, c := range cats {
			if i != first {
				p.Tags = append(p.Tags, html2text(c.Name))
			}
		}
	}
	if link := strings.TrimSpace(it.Link); link != "" {
		if old := w.oldPath(link); old != "" {
			p.Redirects = append(p.Redirects, old)
			for _, m := range it.Meta {
				if m.Key == "_wp_old_slug" && m.Value != "" {
					p.Redirects = append(p.Redirects, path.Join(path.Dir(strings.TrimSuffix(old, "/")), m.Value)+"/")
				}
			}
		}
	}
	post := &wxrPost{p: p, thumb: it.meta("_thumbnail_id"), id: it.ID}
	// The body waits for the stream's end: its [gallery] and [caption]
	// shortcodes name attachments that may come later in the file.
	post.it = &wxrItem{Encoded: []wxrText{{Text: body}}, Comments: it.Comments, ID: it.ID}
	w.posts = append(w.posts, post)
	return nil
}

// categoryID finds a category's term id by its nicename (Yoast's primary
// category names the id). The export lists categories before items.
func (w *wxrReader) categoryID(nicename string) string { return w.termIDs[nicename] }

func (w *wxrReader) attachment(it *wxrItem) {
	body, excerpt := it.content()
	att := &wxrAttachment{id: it.ID, url: strings.TrimSpace(firstNonEmpty(it.Attachment, it.GUID)), title: html2text(it.Title),
		caption: html2text(excerpt), description: html2text(body), alt: strings.TrimSpace(it.meta("_wp_attachment_image_alt")), parent: it.Parent}
	// Credits: Newspack and Largo's fields, and the Media Credit plugin's.
	credit := firstNonEmpty(it.meta("_media_credit"), it.meta("_navis_media_credit"), it.meta("media_credit"))
	if org := firstNonEmpty(it.meta("_navis_media_credit_org"), it.meta("_media_credit_org")); org != "" {
		if credit != "" {
			credit += " / " + org
		} else {
			credit = org
		}
	}
	att.credit = html2text(credit)
	w.atts[it.ID] = att
}

// photo returns the attachment's photo, found under --uploads or missing.
func (w *wxrReader) photo(att *wxrAttachment) *PhotoRef {
	if att.ref != nil {
		return att.ref
	}
	ref := &PhotoRef{Caption: att.caption, Credit: att.credit, Alt: att.alt, URL: att.url}
	if ref.Alt == "" {
		ref.Alt = firstNonEmpty(att.caption, att.title)
	}
	ref.Path = w.uploadFile(att.url)
	att.ref = ref
	return ref
}

var uploadsPath = regexp.MustCompile(`(?:/wp-content/uploads|/files|\.files\.wordpress\.com)?/((?:\d{4}/\d{2}/)?[^/?#]+)$`)
var sizedName = regexp.MustCompile(`-\d+x\d+(\.[A-Za-z0-9]+)$`)

// uploadFile finds the file an uploads URL names under --uploads DIR:
// wp-content/uploads/2013/03/photo.jpg is DIR/2013/03/photo.jpg. A resized
// copy (photo-300x200.jpg) not kept falls back to the original. "" when
// there is no such file.
func (w *wxrReader) uploadFile(u string) string {
	if w.o.uploads == "" || u == "" {
		return ""
	}
	pu, err := url.Parse(u)
	if err != nil {
		return ""
	}
	p := pu.Path
	var rel string
	if i := strings.Index(p, "/wp-content/uploads/"); i >= 0 {
		rel = p[i+len("/wp-content/uploads/"):]
	} else if m := uploadsPath.FindStringSubmatch(p); m != nil {
		rel = m[1]
	}
	if rel == "" {
		return ""
	}
	rel, _ = url.PathUnescape(rel)
	for _, c := range []string{rel, sizedName.ReplaceAllString(rel, "$1"), path.Base(rel)} {
		f := filepath.Join(w.o.uploads, filepath.FromSlash(c))
		if fileExists(f) {
			if _, err := checkPhotoFile(f); err == nil {
				return f
			}
		}
	}
	return ""
}

// finish resolves what needed the whole stream: featured images, bodies
// (their galleries and captions), comments.
func (w *wxrReader) finish() {
	byID := map[string]*wxrPost{}
	for _, post := range w.posts {
		byID[post.id] = post
	}
	for _, post := range w.posts {
		p := post.p
		if att := w.atts[post.thumb]; att != nil {
			p.Photo = w.photo(att)
		} else if post.thumb != "" {
			p.note("featured image %s is not in the export", post.thumb)
		}
		body := post.it.Encoded[0].Text
		conv := &wpConverter{attachment: func(id string) *PhotoRef {
			if att := w.atts[id]; att != nil {
				return w.photo(att)
			}
			return nil
		}, children: func() []*PhotoRef {
			var out []*PhotoRef
			ids := make([]string, 0)
			for id, att := range w.atts {
				if att.parent == post.id {
					ids = append(ids, id)
				}
			}
			sort.Slice(ids, func(i, j int) bool { return atoiOr(ids[i]) < atoiOr(ids[j]) })
			for _, id := range ids {
				out = append(out, w.photo(w.atts[id]))
			}
			return out
		}, uploadFile: w.uploadFile}
		html := conv.convert(body)
		p.Article.BodyHTML = content.Sanitize(html)
		p.Images = append(p.Images, conv.images...)
		for _, n := range conv.notes {
			p.note("%s", n)
		}
		if strings.TrimSpace(content.PlainText(p.Article.BodyHTML)) == "" && len(conv.images) == 0 {
			p.allowEmpty = true
			p.note("the %s has no text on WordPress either", kindWord(p))
		}
		done, err := finish(p, p.Line)
		if err != nil {
			w.el.add(err)
			continue
		}
		w.b.Stories = append(w.b.Stories, done)
		for _, c := range post.it.Comments {
			w.comment(c, p)
		}
	}
	if len(w.skipped) > 0 {
		var parts []string
		for k, n := range w.skipped {
			parts = append(parts, fmt.Sprintf("%d %s", n, strings.ReplaceAll(k, "_", " ")))
		}
		sort.Strings(parts)
		w.b.Notes = append(w.b.Notes, fmt.Sprintf("%s: left out %s", w.path, strings.Join(parts, ", ")))
	}
}

func kindWord(p *Parsed) string {
	if p.IsPage() {
		return "page"
	}
	return "post"
}

func atoiOr(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func (w *wxrReader) comment(c wxrComment, p *Parsed) {
	switch c.Type {
	case "pingback", "trackback":
		w.skipped["pingbacks and trackbacks"]++
		return
	}
	switch c.Approved {
	case "spam", "trash", "post-trashed":
		w.skipped["spam or trashed comments"]++
		return
	}
	w.b.Comments = append(w.b.Comments, &Comment{
		Key: "wp:" + w.site + ":" + c.ID, ParentKey: prefixed("wp:"+w.site+":", strings.TrimPrefix(c.Parent, "0")), StoryKey: p.Article.SourceKey,
		Author: html2text(c.Author), Email: strings.TrimSpace(c.Email), URL: strings.TrimSpace(c.URL),
		BodyHTML: content.Sanitize(wpautop(c.Content)), CreatedAt: wpTime(c.DateGMT, c.Date, w.o.loc), Approved: c.Approved == "1",
	})
}

// oldPath is a permalink's path on the old site, the address that should
// answer 301: "https://example.com/2013/01/10/hello/" is
// "/2013/01/10/hello/". Links of another host are kept whole.
func (w *wxrReader) oldPath(link string) string {
	u, err := url.Parse(link)
	if err != nil || u.Path == "" && u.RawQuery == "" {
		return ""
	}
	p := "/" + strings.TrimLeft(u.EscapedPath(), "/")
	if site, err := url.Parse(w.site); err == nil && site.Path != "" && site.Path != "/" {
		p = strings.TrimPrefix(p, strings.TrimRight(site.Path, "/"))
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return p
}

// wpTime reads WordPress's "2006-01-02 15:04:05": the GMT column when it
// is set (drafts have 0000-00-00), else the local one in loc.
func wpTime(gmt, local string, loc *time.Location) time.Time {
	const layout = "2006-01-02 15:04:05"
	if t, err := time.Parse(layout, strings.TrimSpace(gmt)); err == nil && t.Year() > 1 {
		return t.UTC()
	}
	if t, err := time.ParseInLocation(layout, strings.TrimSpace(local), loc); err == nil && t.Year() > 1 {
		return t.UTC()
	}
	return time.Time{}
}

func decodeSlug(s string) string {
	s = strings.TrimSpace(s)
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// html2text is the plain text of a title or excerpt that may hold
// entities or markup ("Tom &amp; Jerry", "<em>Hi</em>").
func html2text(s string) string {
	s = strings.TrimSpace(s)
	if !strings.ContainsAny(s, "<&") {
		return strings.Join(strings.Fields(s), " ")
	}
	return strings.Join(strings.Fields(content.PlainText(s)), " ")
}

// yoastVars fills the variables Yoast SEO titles use; unknown ones go.
func yoastVars(s, title, site string) string {
	if s == "" {
		return ""
	}
	s = strings.NewReplacer("%%title%%", title, "%%sitename%%", site, "%%sep%%", "–", "%%page%%", "").Replace(s)
	s = regexp.MustCompile(`%%[a-z_]+%%`).ReplaceAllString(s, "")
	return strings.Join(strings.Fields(html2text(s)), " ")
}

// checkPhotoFile checks an image file decodes, reading only its header.
func checkPhotoFile(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return decodeConfig(f)
}
