package feed

import (
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/net/html"

	"masthead/internal/news"
)

// channel is one feed before it is encoded: the same data becomes RSS, Atom
// and JSON Feed, so the three formats can never disagree about which stories
// a reader gets.
type channel struct {
	Title       string
	Description string
	Language    string
	HomeURL     string // the HTML page the feed mirrors
	RSSURL      string
	AtomURL     string
	JSONURL     string
	// Updated is the newest changedAt of the items; zero for an empty
	// feed (encoders then write the Unix epoch so the bytes, and so the
	// ETag, stay stable).
	Updated time.Time
	Items   []item
}

type item struct {
	ID          string // stable across slug changes: a tag: URI of the story's ID
	URL         string
	Title       string
	Summary     string // plain text
	ContentHTML string // full text; empty unless Paper.FullTextFeeds
	Published   time.Time
	Updated     time.Time
	Authors     []person
	Categories  []string
	Image       *image
	Lang        string
}

type person struct {
	Name string
	URL  string
}

type image struct {
	URL     string
	Type    string
	Width   int
	Height  int
	Alt     string
	Caption string
	Credit  string
}

// scope says whose feed it is: the whole paper (all fields empty) or one
// section, author or tag.
type scope struct {
	Name        string // "" for the whole paper
	Description string
	Path        string // the listing page: "/" or SectionPath etc.
}

// epoch stands in for "never updated" in empty feeds.
var epoch = time.Unix(0, 0).UTC()

// buildChannel turns stories into a channel. Stories not public at now are
// dropped here as well as in the store query: a feed is the one output that
// gets copied to every aggregator on earth, so one filter is not enough.
func buildChannel(p *news.Paper, sc scope, arts []*news.Article, now time.Time) *channel {
	base := strings.TrimSuffix(sc.Path, "/")
	ch := &channel{
		Title:       p.Name,
		Description: sc.Description,
		Language:    p.Language,
		HomeURL:     p.AbsURL(sc.Path),
		RSSURL:      p.AbsURL(base + "/feed.xml"),
		AtomURL:     p.AbsURL(base + "/atom.xml"),
		JSONURL:     p.AbsURL(base + "/feed.json"),
	}
	if sc.Name != "" {
		ch.Title = sc.Name + " | " + p.Name
	}
	if ch.Description == "" {
		ch.Description = p.Tagline
	}
	if ch.Description == "" {
		ch.Description = "Latest stories from " + ch.Title
	}
	for _, a := range arts {
		if a == nil || !a.IsPublicAt(now) {
			continue
		}
		it := buildItem(p, a)
		if c := changedAt(a); c.After(ch.Updated) {
			ch.Updated = c
		}
		ch.Items = append(ch.Items, it)
	}
	return ch
}

// changedAt is when the story last changed for a feed: its LastModified, or
// the end of its embargo when that came later, since that is when it joined
// the feed. Last-Modified uses it so that a reader sending only
// If-Modified-Since still sees a story whose embargo has just lifted.
func changedAt(a *news.Article) time.Time {
	t := a.LastModified()
	if a.EmbargoUntil.After(t) {
		t = a.EmbargoUntil
	}
	return t.UTC()
}

func buildItem(p *news.Paper, a *news.Article) item {
	it := item{
		ID:        tagURI(p, a),
		URL:       p.AbsURL(p.ArticlePath(a)),
		Title:     a.Headline,
		Summary:   summary(a),
		Published: a.PublishedAt.UTC(),
		Updated:   a.LastModified().UTC(),
		Lang:      a.Lang,
		Image:     leadImage(p, a.Photo),
	}
	for _, au := range a.Authors {
		if au == nil {
			continue
		}
		it.Authors = append(it.Authors, person{Name: au.Name, URL: p.AbsURL(p.AuthorPath(au))})
	}
	if a.Section != nil && a.Section.Name != "" {
		it.Categories = append(it.Categories, a.Section.Name)
	}
	for _, t := range a.Tags {
		if t != nil && t.Name != "" && !slices.Contains(it.Categories, t.Name) {
			it.Categories = append(it.Categories, t.Name)
		}
	}
	if p.FullTextFeeds {
		it.ContentHTML = fullText(p, a, it.Image)
	}
	return it
}

// tagURI is an RFC 4151 identifier for a story. Feed readers key items on
// it, so it is built from the story's ID and first-publication date, which
// never change, rather than from its URL, which changes with the slug.
func tagURI(p *news.Paper, a *news.Article) string {
	host := p.BaseURL
	if u, err := url.Parse(p.BaseURL); err == nil && u.Hostname() != "" {
		host = strings.ToLower(u.Hostname())
	}
	return "tag:" + host + "," + a.PublishedAt.UTC().Format("2006-01-02") + ":article:" + strconv.FormatInt(a.ID, 10)
}

// leadImage picks the rendition feeds point at: 1280 pixels wide when it
// exists (large enough for every reader's card, small enough to fetch),
// else the largest made, else the original.
func leadImage(p *news.Paper, ph *news.Photo) *image {
	if !ph.HasFile() {
		return nil
	}
	img := &image{Alt: ph.Alt, Caption: ph.Caption, Credit: ph.Credit}
	width := 0
	if slices.Contains(ph.Widths, 1280) {
		width = 1280
	} else if len(ph.Widths) > 0 {
		width = slices.Max(ph.Widths)
	}
	img.URL = p.AbsURL(p.PhotoPath(ph, width))
	if width == 0 {
		img.Type = ph.ContentType
		img.Width, img.Height = ph.Width, ph.Height
	} else {
		img.Type = "image/jpeg" // renditions are JPEG (Paper.PhotoPath)
		img.Width = width
		if ph.Width > 0 && ph.Height > 0 {
			img.Height = (width*ph.Height + ph.Width/2) / ph.Width
		}
	}
	if img.Type == "" {
		img.Type = "image/jpeg"
	}
	return img
}

// summaryRunes bounds the excerpt made from the body when a story has no
// deck or description.
const summaryRunes = 280

func summary(a *news.Article) string {
	for _, s := range []string{a.Deck, a.SEODescription} {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return excerpt(htmlText(a.BodyHTML), summaryRunes)
}

// htmlText returns the text of an HTML fragment with whitespace collapsed.
func htmlText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.Join(strings.Fields(b.String()), " ")
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			// Block boundaries would otherwise glue words together.
			b.WriteByte(' ')
		}
	}
}

// excerpt cuts s to at most n runes at a word boundary, marking the cut.
func excerpt(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := n
	for i := n; i > n/2; i-- {
		if unicode.IsSpace(r[i]) {
			cut = i
			break
		}
	}
	return strings.TrimRightFunc(string(r[:cut]), func(c rune) bool {
		return unicode.IsSpace(c) || unicode.IsPunct(c)
	}) + "…"
}

// fullTextTmpl wraps the sanitized body with the lead photo and the
// corrections, which belong to the story as readers saw it on the site.
var fullTextTmpl = template.Must(template.New("full").Parse(
	`{{with .Image}}<figure><img src="{{.URL}}" alt="{{.Alt}}"{{if and .Width .Height}} width="{{.Width}}" height="{{.Height}}"{{end}}>` +
		`{{if or .Caption .Credit}}<figcaption>{{.Caption}}{{if .Credit}} ({{.Credit}}){{end}}</figcaption>{{end}}</figure>{{end}}` +
		`{{.Body}}` +
		`{{with .Corrections}}<aside>{{range .}}<p><strong>{{.Label}}, {{.Date}}:</strong> {{.Text}}</p>{{end}}</aside>{{end}}`))

type correctionView struct{ Label, Date, Text string }

func fullText(p *news.Paper, a *news.Article, img *image) string {
	data := struct {
		Image       *image
		Body        template.HTML
		Corrections []correctionView
	}{
		Image: img,
		// BodyHTML is sanitized before it is stored (news.Article); its
		// external images become links (feedBody).
		Body: template.HTML(feedBody(p, a.BodyHTML)),
	}
	for _, c := range a.Corrections {
		label := string(c.Kind)
		if label == "" {
			label = string(news.KindCorrection)
		}
		label = strings.ToUpper(label[:1]) + label[1:]
		data.Corrections = append(data.Corrections, correctionView{Label: label, Date: c.CreatedAt.In(p.Loc()).Format("2006-01-02"), Text: c.Text})
	}
	var b strings.Builder
	if err := fullTextTmpl.Execute(&b, data); err != nil {
		// The template is fixed and its data plain strings; an error here is
		// a programming mistake. Fall back to the body alone.
		return feedBody(p, a.BodyHTML)
	}
	return b.String()
}
