package site

import (
	"html/template"

	"masthead/internal/news"
)

// Page structs: everything a template prints is computed here in Go
// (URLs, formatted times, srcsets), so templates stay logic-free and the
// test in templates_test.go can execute every template with its struct.

// Link is a named URL.
type Link struct {
	Name string
	URL  string
}

// Meta is one <meta property|name=... content=...> tag.
type Meta struct {
	Property string // Open Graph: og:title, article:author...
	Name     string // twitter:card...
	Content  string
}

// Feed is an autodiscovery link.
type Feed struct {
	Type  string // application/rss+xml...
	Title string
	URL   string
}

// Assets are the fingerprinted static paths.
type Assets struct {
	CSS, JS, Icon, Logo string
}

// Base is what every page's <head>, header and footer need.
type Base struct {
	SiteName    string
	Tagline     string
	Lang        string
	Title       string // the full <title>
	Description string
	Canonical   string // absolute
	// Alternates are the language versions of the page (hreflang), itself
	// included, plus x-default; empty for pages with one language.
	Alternates  []Alternate
	Robots      string // "noindex" for search results and errors
	Meta        []Meta
	JSONLD      []template.JS // each already JSON (encoding/json, < escaped)
	Feeds       []Feed
	Nav         []Link     // the top-level sections (or the paper's menu)
	FooterPages []Link     // the static pages linked from the footer, then the settings' footer links
	Logo        *Image     // the logo photo of the paper settings; nil: the name in type
	Menu        []MenuItem // "All sections": every section, sub-sections under their parent
	Current     string     // URL of the nav entry to mark aria-current
	Assets      Assets
	HeadScript  template.JS  // the text-size script, hashed into the CSP
	Style       template.CSS // the stylesheet, inline, hashed into the CSP
	Year        int
	SearchQuery string
	// L prints the chrome in the page's language (i18n.go).
	L Locale
	// sections is the paper's sections as base read them, for pages that
	// need a section's parent or sub-sections.
	sections []*news.Section
}

// MenuItem is a section in the "All sections" menu with its sub-sections.
type MenuItem struct {
	Link
	Sub []Link
}

// StoryLayout is a list of stories laid out by a news layout
// (news.SectionLayouts): Lead and Grid are empty for the dense list.
type StoryLayout struct {
	Kind string // news.LayoutNews, news.LayoutList
	Lead *Card
	Grid []Card
	Rest []Card
}

// Alternate is a <link rel=alternate hreflang=...>.
type Alternate struct {
	Lang string // BCP 47, or "x-default"
	URL  string // absolute
}

// Time is a moment as the page shows it.
type Time struct {
	ISO  string // RFC 3339 in the paper's zone, for <time datetime>
	Text string // human, in the paper's zone
}

// Image is an <img> with everything against layout shift.
type Image struct {
	Src    string
	Srcset string
	Sizes  string
	Width  int
	Height int
	Alt    string
}

// Photo is a figure: an image (nil when the photo has no file) and its
// caption line.
type Photo struct {
	Image   *Image
	Caption string
	Credit  string
}

// Card is a story in a list.
type Card struct {
	ID        int64
	URL       string
	Headline  string
	Deck      string
	Lang      string
	Section   *Link
	Published Time
	Image     *Image
	Snippet   template.HTML // search results: escaped text with <mark>
	Views     int64
}

// Byline is one author of a story.
type Byline struct {
	Name  string
	URL   string
	Email string
	Title string
}

// Correction is a dated note under a story.
type Correction struct {
	ID   string // the element id on the story page ("correction-7")
	Kind string
	Text string
	When Time
}

// Share holds the share bar's plain URLs.
type Share struct {
	URL      string // the canonical URL (copied by "Link")
	Title    string
	Facebook string
	X        string
	Mail     string
	KakaoKey string // empty: the Kakao button copies the link
}

// ArticlePage is a story.
type ArticlePage struct {
	Base
	ID          int64
	Headline    string
	Deck        string
	ArticleLang string
	Section     *Link
	Authors     []Byline
	Published   Time
	Updated     *Time // nil when never updated after publication
	Photo       *Photo
	Body        template.HTML // sanitized by the newsroom/importer before storage
	Tags        []Link
	Corrections []Correction
	Crumbs      []Link // Home › National › Politics; the last has no URL when it is the page itself
	// ReadingMinutes is the estimated reading time (0: not shown).
	ReadingMinutes int
	Related        []Card
	Top            []Card
	TopIsLatest    bool // the Top 10 box fell back to the latest stories
	Share          Share
	// ReportURL is the contact form naming this story ("report an
	// error"); empty when the paper has no contact page in its footer.
	ReportURL string
}

// SectionBlock is a section's stories on the front page.
type SectionBlock struct {
	Section Link
	Stories []Card
}

// FrontPage is the home page.
type FrontPage struct {
	Base
	Lead        *Card
	Picks       []Card // the top stories under the lead
	Top         []Card
	TopIsLatest bool
	Blocks      []SectionBlock
	Latest      []Card
}

// Pager links the pages of a list (?page=N).
type Pager struct {
	Page, Pages int
	Prev, Next  string
}

// ListPage is a section, tag or date archive.
type ListPage struct {
	Base
	Kind    string // "section", "tag", "archive"
	Heading string
	Intro   string
	Stories []Card
	Pager   Pager
	// Layout is Stories laid out by the section's layout.
	Layout      StoryLayout
	Crumbs      []Link
	Subsections []Link
	Top         []Card
	TopIsLatest bool
}

// AuthorPage is an author's profile and stories.
type AuthorPage struct {
	Base
	Name string
	// JobTitle is the author's ("Staff reporter"). Not Title: that would
	// shadow Base.Title, the page's <title> (TestNoPageFieldShadowsBase).
	JobTitle string
	Bio      string
	Email    string
	// Links are the author's profiles elsewhere, shown with rel=me.
	Links   []Link
	Photo   *Image
	Stories []Card
	Pager   Pager
	Layout  StoryLayout
	// The Top 10 box in the right-hand column.
	Top         []Card
	TopIsLatest bool
}

// Option is one <option> of a <select>.
type Option struct {
	Value, Name string
	Selected    bool
}

// SearchPage is the search form with its filters, and the results.
type SearchPage struct {
	Base
	Query    string
	From, To string // YYYY-MM-DD, for <input type=date>
	Sections []Option
	Authors  []Option
	Orders   []Option
	// Error is a message about the parameter ErrorParam ("from", "to",
	// "section", "author", "order"), shown next to its field.
	Error      string
	ErrorParam string
	// Searched is set when results are shown: a query or a filter.
	Searched bool
	Total    int
	// TotalText is Total written for readers ("1,000").
	TotalText string
	// More says there are more than Total matches (news.SearchWindow):
	// the store ranks the newest Total only.
	More bool
	// Common says the query had only words too common to search for
	// ("the"), which neither store indexes.
	Common bool
	// Names are the sections, authors and tags whose names match the
	// words, shown above the stories.
	Names   []NameHit
	Results []Card
	Pager   Pager
}

// CorrectionItem is one line of the corrections page.
type CorrectionItem struct {
	Lang  string // the story's language when not the paper's
	Kind  string
	Text  string
	When  Time
	Story Link // its URL points at the note on the story page
}

// CorrectionsPage lists the corrections and updates of every public story.
type CorrectionsPage struct {
	Base
	Items []CorrectionItem
	Pager Pager
}

// NotFoundPage helps a reader who followed a dead link.
type NotFoundPage struct {
	Base
	Sections []Link
	Latest   []Card
}

// ErrorPage is shown for internal errors: no details, they are in the log.
type ErrorPage struct {
	Base
	Message string
}

// NameHit is a section, author or tag page that matches a search.
type NameHit struct {
	Kind string // "Section", "Author", "Tag"
	Link
}
