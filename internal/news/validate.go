package news

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
)

// Limits on what the paper stores. Both stores refuse more (through the
// Validate functions below), whatever the database would take.
const (
	MaxHeadline    = 300
	MaxDeck        = 1000
	MaxBody        = 1 << 20 // bytes of Markdown
	MaxBodyHTML    = 2 << 20 // bytes of HTML (imported stories are HTML only)
	MaxSEO         = 300
	MaxTags        = 30
	MaxAuthors     = 10
	MaxSlug        = 200 // runes: Slugify makes at most 80, imports may bring longer
	MaxName        = 200 // section, author, tag and user names
	MaxText        = 5000
	MaxCorrection  = 2000
	MaxEmail       = 254
	MaxKey         = 1000 // source keys, media keys, setting keys
	MaxPath        = 2000 // redirect paths
	MaxSettingSize = 1 << 20
)

func invalidf(format string, args ...any) error { return Errorf(EINVALID, format, args...) }

// text checks one text field: valid UTF-8 without NUL (PostgreSQL refuses
// both, SQLite would keep them) and at most max runes (0: no limit).
func text(name, s string, max int) error {
	if !utf8.ValidString(s) {
		return invalidf("The %s is not valid UTF-8 text.", name)
	}
	if strings.IndexByte(s, 0) >= 0 {
		return invalidf("The %s contains a NUL character.", name)
	}
	if max > 0 && utf8.RuneCountInString(s) > max {
		return invalidf("The %s is longer than %d characters.", name, max)
	}
	return nil
}

// ValidSlug reports whether s has the form Slugify gives (NFC, lower-case
// letters of any script, digits and combining marks, single hyphens
// inside), at most MaxSlug runes.
func ValidSlug(s string) bool {
	if s == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxSlug || !norm.NFC.IsNormalString(s) {
		return false
	}
	if s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for _, r := range s {
		switch {
		case r == '-':
		case unicode.ToLower(r) != r:
			return false
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
		default:
			return false
		}
	}
	return true
}

func slug(kind, s string) error {
	if !ValidSlug(s) {
		return invalidf("The %s slug %q is not valid: use lower-case letters, digits and single hyphens (at most %d).", kind, s, MaxSlug)
	}
	return nil
}

// ValidLang reports whether s is a well-formed BCP 47 language tag.
func ValidLang(s string) bool {
	if s == "" || len(s) > 35 {
		return false
	}
	_, err := language.Parse(s)
	return err == nil
}

// ValidateArticle checks everything a story holds. Lang may be empty (the
// paper's language).
func ValidateArticle(a *Article) error {
	if strings.TrimSpace(a.Headline) == "" {
		return invalidf("A headline is required.")
	}
	if err := slug("story", a.Slug); err != nil {
		return err
	}
	if !a.Status.Valid() {
		return invalidf("Unknown status %q.", a.Status)
	}
	if a.Lang != "" && !ValidLang(a.Lang) {
		return invalidf("%q is not a language tag (BCP 47, such as en or ko).", a.Lang)
	}
	for _, f := range []struct {
		name, s string
		max     int
	}{
		{"headline", a.Headline, MaxHeadline},
		{"deck", a.Deck, MaxDeck},
		{"SEO title", a.SEOTitle, MaxSEO},
		{"SEO description", a.SEODescription, MaxSEO},
		{"body", a.BodyMarkdown, 0},
		{"body HTML", a.BodyHTML, 0},
		{"source key", a.SourceKey, MaxKey},
	} {
		if err := text(f.name, f.s, f.max); err != nil {
			return err
		}
	}
	if len(a.BodyMarkdown) > MaxBody {
		return invalidf("The body is longer than %d bytes.", MaxBody)
	}
	if len(a.BodyHTML) > MaxBodyHTML {
		return invalidf("The body is longer than %d bytes of HTML.", MaxBodyHTML)
	}
	if len(a.Authors) > MaxAuthors {
		return invalidf("At most %d bylines.", MaxAuthors)
	}
	if len(a.Tags) > MaxTags {
		return invalidf("At most %d tags.", MaxTags)
	}
	for _, au := range a.Authors {
		if au == nil || au.ID <= 0 {
			return invalidf("A byline of the story names no author.")
		}
	}
	for _, t := range a.Tags {
		if t == nil || t.ID <= 0 {
			return invalidf("A tag of the story is not stored.")
		}
	}
	if a.ID != 0 && a.TranslationOf == a.ID {
		return invalidf("A story cannot be a translation of itself.")
	}
	return nil
}

// ValidateRevision checks a revision's texts (they come from a story, but
// a revision is also written on its own).
func ValidateRevision(r *Revision) error {
	for _, f := range []struct {
		name, s string
		max     int
	}{
		{"revision headline", r.Headline, MaxHeadline},
		{"revision deck", r.Deck, MaxDeck},
		{"revision body", r.BodyMarkdown, 0},
		{"revision body HTML", r.BodyHTML, 0},
		{"revision note", r.Note, MaxText},
		{"revision slug", r.Slug, MaxSlug},
		{"revision SEO title", r.SEOTitle, MaxSEO},
		{"revision SEO description", r.SEODescription, MaxSEO},
		{"revision language", r.Lang, 35},
	} {
		if err := text(f.name, f.s, f.max); err != nil {
			return err
		}
	}
	for _, t := range r.Tags {
		if err := text("revision tag", t, MaxName); err != nil {
			return err
		}
	}
	return nil
}

// ValidateCorrection checks a correction note.
func ValidateCorrection(c *Correction) error {
	switch c.Kind {
	case KindCorrection, KindClarification, KindUpdate:
	default:
		return invalidf("Pick a kind: correction, clarification or update.")
	}
	if strings.TrimSpace(c.Text) == "" {
		return invalidf("The note needs a text.")
	}
	return text("note", c.Text, MaxCorrection)
}

// ValidateSection checks a desk.
func ValidateSection(s *Section) error {
	if strings.TrimSpace(s.Name) == "" {
		return invalidf("A section needs a name.")
	}
	if err := slug("section", s.Slug); err != nil {
		return err
	}
	if err := text("section name", s.Name, MaxName); err != nil {
		return err
	}
	if !validLayout(s.Layout) {
		return invalidf("A section's layout is one of: %s.", strings.Join(SectionLayouts, ", "))
	}
	if s.ParentID < 0 || (s.ParentID != 0 && s.ParentID == s.ID) {
		return invalidf("A section cannot be its own parent.")
	}
	return text("section description", s.Description, MaxText)
}

// Section page layouts (Section.Layout), designed in the reader site's
// templates.
const (
	// LayoutNews: a lead story with a large photo, a grid of secondary
	// stories with small photos, then a dense list with thumbnails.
	LayoutNews = "news"
	// LayoutList: the dense list only (headline, dek, time, thumbnail),
	// for desks whose stories come in a stream (wire, briefs).
	LayoutList = "list"
)

// SectionLayouts are the layouts a section may choose, the default first.
var SectionLayouts = []string{LayoutNews, LayoutList}

func validLayout(l string) bool {
	if l == "" {
		return true
	}
	for _, k := range SectionLayouts {
		if l == k {
			return true
		}
	}
	return false
}

// ValidateSectionTree checks s's parent against the paper's sections
// (all, as stored; s itself may be among them in its old state): the
// parent exists, is not s, is itself top-level (one level of nesting is
// what a newspaper's navigation shows), and s has no sub-sections of its
// own when it gets a parent. Together these rule out cycles.
func ValidateSectionTree(s *Section, all []*Section) error {
	if s.ParentID == 0 {
		return nil
	}
	if s.ParentID == s.ID {
		return invalidf("A section cannot be its own parent.")
	}
	var parent *Section
	for _, o := range all {
		if o.ID == s.ParentID {
			parent = o
		}
		if s.ID != 0 && o.ParentID == s.ID && o.ID != s.ID {
			return invalidf("%s has sub-sections, so it cannot be a sub-section itself.", s.Name)
		}
	}
	if parent == nil {
		return invalidf("The parent section %d does not exist.", s.ParentID)
	}
	if parent.ParentID != 0 {
		return invalidf("%s is already a sub-section; sub-sections go one level deep.", parent.Name)
	}
	return nil
}

// ValidateAuthor checks a byline.
func ValidateAuthor(a *Author) error {
	if strings.TrimSpace(a.Name) == "" {
		return invalidf("An author needs a name.")
	}
	if err := slug("author", a.Slug); err != nil {
		return err
	}
	for _, f := range []struct {
		name, s string
		max     int
	}{{"author name", a.Name, MaxName}, {"author e-mail", a.Email, MaxEmail}, {"author bio", a.Bio, MaxText}, {"author title", a.Title, MaxName}} {
		if err := text(f.name, f.s, f.max); err != nil {
			return err
		}
	}
	return ValidateAuthorLinks(a.Links)
}

// AuthorLinkKinds are the profiles an author page links to, in the order
// it shows them, with the hosts each may point at (none: any host, for a
// personal site or a Mastodon or Bluesky-style server of one's own).
var AuthorLinkKinds = []struct {
	Kind, Label string
	Hosts       []string
}{
	{"website", "Website", nil},
	{"x", "X", []string{"x.com", "twitter.com"}},
	{"facebook", "Facebook", []string{"facebook.com", "fb.com"}},
	{"instagram", "Instagram", []string{"instagram.com"}},
	{"threads", "Threads", []string{"threads.net", "threads.com"}},
	{"linkedin", "LinkedIn", []string{"linkedin.com"}},
	{"youtube", "YouTube", []string{"youtube.com"}},
	{"bluesky", "Bluesky", []string{"bsky.app"}},
	{"mastodon", "Mastodon", nil},
}

// AuthorLinkLabel is the label of a link kind ("" for an unknown one).
func AuthorLinkLabel(kind string) string {
	for _, k := range AuthorLinkKinds {
		if k.Kind == kind {
			return k.Label
		}
	}
	return ""
}

// ValidateAuthorLinks checks an author's profile links: a known kind, at
// most one of each, an absolute https (or, for a website, http) URL
// without credentials, on one of the kind's hosts (or a subdomain).
func ValidateAuthorLinks(ls []AuthorLink) error {
	seen := map[string]bool{}
	for _, l := range ls {
		var hosts []string
		label := ""
		for _, k := range AuthorLinkKinds {
			if k.Kind == l.Kind {
				label, hosts = k.Label, k.Hosts
			}
		}
		if label == "" {
			return invalidf("%q is not a kind of profile link.", l.Kind)
		}
		if seen[l.Kind] {
			return invalidf("One %s link only.", label)
		}
		seen[l.Kind] = true
		u, err := url.Parse(l.URL)
		if err != nil || len(l.URL) > 500 || u.Host == "" || u.User != nil || u.Opaque != "" ||
			!(u.Scheme == "https" || u.Scheme == "http" && l.Kind == "website") || strings.ContainsAny(l.URL, " \t\n\"'<>\\") {
			return invalidf("%s: %q is not a web address (https://…).", label, l.URL)
		}
		if hosts == nil {
			continue
		}
		h, ok := strings.ToLower(u.Hostname()), false
		for _, want := range hosts {
			ok = ok || h == want || strings.HasSuffix(h, "."+want)
		}
		if !ok {
			return invalidf("%s: %q is not on %s.", label, l.URL, strings.Join(hosts, " or "))
		}
	}
	return nil
}

// ValidateTag checks a tag (an empty name is the slug).
func ValidateTag(t *Tag) error {
	if err := slug("tag", t.Slug); err != nil {
		return err
	}
	return text("tag", t.Name, MaxName)
}

// ValidatePhoto checks a photo's record.
func ValidatePhoto(p *Photo) error {
	if strings.TrimSpace(p.Key) == "" {
		return invalidf("A photo needs a media key.")
	}
	for _, f := range []struct {
		name, s string
		max     int
	}{{"media key", p.Key, MaxKey}, {"content type", p.ContentType, 100}, {"caption", p.Caption, MaxText},
		{"credit", p.Credit, MaxName}, {"alt text", p.Alt, MaxText}} {
		if err := text(f.name, f.s, f.max); err != nil {
			return err
		}
	}
	if p.Width < 0 || p.Height < 0 {
		return invalidf("A photo's size cannot be negative.")
	}
	if p.FocalX < 0 || p.FocalX > 1 || p.FocalY < 0 || p.FocalY > 1 {
		return invalidf("The focal point must be inside the photo.")
	}
	return nil
}

// ValidateUser checks an account.
func ValidateUser(u *User) error {
	if !strings.Contains(u.Email, "@") {
		return invalidf("An account needs an e-mail address.")
	}
	if !u.Role.Valid() {
		return invalidf("Unknown role %q.", u.Role)
	}
	if err := text("e-mail", u.Email, MaxEmail); err != nil {
		return err
	}
	if err := text("name", u.Name, MaxName); err != nil {
		return err
	}
	return text("password hash", u.PasswordHash, MaxKey)
}

// ValidateAudit checks an audit entry.
func ValidateAudit(e *AuditEntry) error {
	if strings.TrimSpace(e.Action) == "" {
		return invalidf("An audit entry needs an action.")
	}
	if err := text("audit action", e.Action, 100); err != nil {
		return err
	}
	return text("audit detail", e.Detail, MaxText)
}

// ValidateSetting checks a key/value pair.
func ValidateSetting(key, value string) error {
	if strings.TrimSpace(key) == "" {
		return invalidf("A setting needs a key.")
	}
	if err := text("setting key", key, MaxKey); err != nil {
		return err
	}
	if len(value) > MaxSettingSize {
		return invalidf("The setting %q is larger than %d bytes.", key, MaxSettingSize)
	}
	return text("setting "+key, value, 0)
}

// ValidateRedirect checks a redirect and normalises its code (0 → 301).
func ValidateRedirect(r *Redirect) error {
	if r.Code == 0 {
		r.Code = 301
	}
	if r.Code != 301 && r.Code != 308 {
		return invalidf("A redirect is 301 or 308, not %d.", r.Code)
	}
	if err := text("redirect path", r.From, MaxPath); err != nil {
		return err
	}
	if err := text("redirect target", r.To, MaxPath); err != nil {
		return err
	}
	if !localPath(r.From) || strings.ContainsAny(r.From, "?#") {
		return invalidf("A redirect goes from a path on this site (/…, no query), not %q.", r.From)
	}
	if !localPath(r.To) {
		u, err := url.Parse(r.To)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return invalidf("A redirect goes to a path on this site or an http(s) URL, not %q.", r.To)
		}
	}
	if r.From == r.To {
		return invalidf("A redirect cannot point at itself (%s).", r.From)
	}
	if strings.HasPrefix(r.From, "/newsroom") || strings.HasPrefix(r.From, "/api/") || strings.HasPrefix(r.From, "/media/") || strings.HasPrefix(r.From, "/static/") {
		return invalidf("%s belongs to masthead itself and cannot redirect.", r.From)
	}
	return nil
}

// localPath: an absolute path on this site (not "//host", which browsers
// read as another site).
func localPath(p string) bool {
	return strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") && !strings.HasPrefix(p, `/\`)
}

// ParseAuthorLinks reads an author's stored links ("" is none).
func ParseAuthorLinks(s string) ([]AuthorLink, error) {
	if s == "" {
		return nil, nil
	}
	var ls []AuthorLink
	if err := json.Unmarshal([]byte(s), &ls); err != nil {
		return nil, fmt.Errorf("author links: %w", err)
	}
	return ls, nil
}

// AuthorLinksJSON is how the stores keep an author's links ("" for none).
func AuthorLinksJSON(ls []AuthorLink) string {
	if len(ls) == 0 {
		return ""
	}
	b, _ := json.Marshal(ls)
	return string(b)
}

// SectionInUse is the error both stores give when a section that stories,
// newsletter lists or sub-sections use is deleted (nil when nothing does).
func SectionInUse(s *Section, stories, lists, subs int) error {
	switch {
	case stories > 0:
		return invalidf("%s has %d %s (counting the trash): merge it into another section instead, or move them first.", s.Name, stories, plural(stories, "story", "stories"))
	case lists > 0:
		return invalidf("%s is followed by %d newsletter %s: merge it into another section instead.", s.Name, lists, plural(lists, "list", "lists"))
	case subs > 0:
		return invalidf("%s has %d %s: move them elsewhere first, or merge it into another section.", s.Name, subs, plural(subs, "sub-section", "sub-sections"))
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
