// Package ninjs reads IPTC ninjs 2.0 ("News in JSON"), the format in which
// AP and other agencies deliver wire copy: one item a story version, with
// its URI (the same for every version of a story), its version, its
// publication status (usable; withheld or canceled to withdraw or kill it),
// headlines, bodies, byline, rights and associated pictures.
//
// Parse reads a feed (one object, an array, or one object a line) and
// checks each item against the schema's rules that matter for a newsroom;
// the ingest (internal/wire) decides what each item does to the paper.
package ninjs

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Item is one ninjs 2.0 news object (the fields masthead reads; others are
// ignored).
type Item struct {
	URI                string        `json:"uri"`
	Type               string        `json:"type,omitempty"`
	RepresentationType string        `json:"representationtype,omitempty"`
	Profile            string        `json:"profile,omitempty"`
	Version            string        `json:"version,omitempty"`
	FirstCreated       string        `json:"firstcreated,omitempty"`
	VersionCreated     string        `json:"versioncreated,omitempty"`
	ContentCreated     string        `json:"contentcreated,omitempty"`
	Embargoed          string        `json:"embargoed,omitempty"`
	PubStatus          string        `json:"pubstatus,omitempty"`
	Urgency            *float64      `json:"urgency,omitempty"`
	CopyrightHolder    string        `json:"copyrightholder,omitempty"`
	CopyrightNotice    string        `json:"copyrightnotice,omitempty"`
	UsageTerms         string        `json:"usageterms,omitempty"`
	EdNote             string        `json:"ednote,omitempty"`
	Language           string        `json:"language,omitempty"`
	Descriptions       []Text        `json:"descriptions,omitempty"`
	Bodies             []Text        `json:"bodies,omitempty"`
	Headlines          []Text        `json:"headlines,omitempty"`
	People             []Concept     `json:"people,omitempty"`
	Organisations      []Concept     `json:"organisations,omitempty"`
	Places             []Concept     `json:"places,omitempty"`
	Subjects           []Concept     `json:"subjects,omitempty"`
	Events             []Concept     `json:"events,omitempty"`
	Objects            []Concept     `json:"objects,omitempty"`
	Genres             []Concept     `json:"genres,omitempty"`
	InfoSources        []InfoSource  `json:"infosources,omitempty"`
	Title              string        `json:"title,omitempty"`
	By                 string        `json:"by,omitempty"`
	Slugline           string        `json:"slugline,omitempty"`
	Located            string        `json:"located,omitempty"`
	Renditions         []Rendition   `json:"renditions,omitempty"`
	Associations       []Association `json:"associations,omitempty"`
	AltIDs             []AltID       `json:"altids,omitempty"`
	RightsInfo         *RightsInfo   `json:"rightsinfo,omitempty"`
	Standard           *Standard     `json:"standard,omitempty"`
}

// Standard names the standard an item follows ({"name": "ninjs",
// "version": "2.0"}).
type Standard struct {
	Name    string `json:"name,omitempty"`
	Version string `json:"version,omitempty"`
	Schema  string `json:"schema,omitempty"`
}

// Text is a headline, body or description.
type Text struct {
	Role        string `json:"role,omitempty"`
	ContentType string `json:"contenttype,omitempty"`
	Value       string `json:"value"`
}

// Concept is a person, organisation, place, subject, event, object or genre.
type Concept struct {
	Name    string `json:"name,omitempty"`
	Rel     string `json:"rel,omitempty"`
	URI     string `json:"uri,omitempty"`
	Literal string `json:"literal,omitempty"`
}

// InfoSource is a party that supplied the content (the distributor).
type InfoSource struct {
	Name    string `json:"name,omitempty"`
	Role    string `json:"role,omitempty"`
	URI     string `json:"uri,omitempty"`
	Literal string `json:"literal,omitempty"`
}

// Rendition is one file of the object (a picture's sizes).
type Rendition struct {
	Name        string   `json:"name"`
	Href        string   `json:"href,omitempty"`
	ContentType string   `json:"contenttype,omitempty"`
	Title       string   `json:"title,omitempty"`
	Width       *float64 `json:"width,omitempty"`
	Height      *float64 `json:"height,omitempty"`
}

// Association is an associated object (a story's picture), itself a ninjs
// object with a name.
type Association struct {
	Name string `json:"name"`
	Item
}

// AltID is another identifier of the content.
type AltID struct {
	Role  string `json:"role,omitempty"`
	Value string `json:"value,omitempty"`
}

// RightsInfo is a rights expression, linked or encoded.
type RightsInfo struct {
	LangID        string `json:"langid,omitempty"`
	LinkedRights  string `json:"linkedrights,omitempty"`
	EncodedRights string `json:"encodedrights,omitempty"`
}

// Error is a bad item: which one (its place in the feed, and its URI when
// it has one) and what is wrong.
type Error struct {
	Index int // 1-based place in the feed
	URI   string
	Field string
	Msg   string
}

func (e *Error) Error() string {
	where := fmt.Sprintf("item %d", e.Index)
	if e.URI != "" {
		where += " (" + e.URI + ")"
	}
	if e.Field != "" {
		return fmt.Sprintf("ninjs: %s: %s: %s", where, e.Field, e.Msg)
	}
	return fmt.Sprintf("ninjs: %s: %s", where, e.Msg)
}

// MaxItems bounds one feed.
const MaxItems = 10000

// Parse reads a feed: one item, a JSON array of items, or one item a line
// (NDJSON). Every item is checked (Validate); the first bad one is the
// error and nothing is returned, so a feed is taken whole or not at all.
func Parse(r io.Reader) ([]Item, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("ninjs: read: %w", err)
	}
	data = bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	if len(data) == 0 {
		return nil, errors.New("ninjs: the feed is empty")
	}
	var raws []json.RawMessage
	switch {
	case data[0] == '[':
		if err := json.Unmarshal(data, &raws); err != nil {
			return nil, fmt.Errorf("ninjs: the feed is not a JSON array of items: %w", err)
		}
	default:
		dec := json.NewDecoder(bytes.NewReader(data))
		for {
			var raw json.RawMessage
			if err := dec.Decode(&raw); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return nil, fmt.Errorf("ninjs: item %d: not JSON: %w", len(raws)+1, err)
			}
			raws = append(raws, raw)
		}
	}
	if len(raws) > MaxItems {
		return nil, fmt.Errorf("ninjs: the feed has %d items, at most %d are taken at once", len(raws), MaxItems)
	}
	items := make([]Item, 0, len(raws))
	for i, raw := range raws {
		var it Item
		if err := json.Unmarshal(raw, &it); err != nil {
			var ute *json.UnmarshalTypeError
			if errors.As(err, &ute) {
				return nil, &Error{Index: i + 1, Field: ute.Field, Msg: "wrong type (want " + ute.Type.String() + ")"}
			}
			return nil, &Error{Index: i + 1, Msg: "not a JSON object: " + err.Error()}
		}
		if err := it.Validate(); err != nil {
			var e *Error
			if errors.As(err, &e) {
				e.Index = i + 1
			}
			return nil, err
		}
		items = append(items, it)
	}
	return items, nil
}

// ParseLines is Parse for a stream too long to hold: one item a line.
func ParseLines(r io.Reader, fn func(Item) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 8<<20)
	n := 0
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		n++
		items, err := Parse(bytes.NewReader(line))
		if err != nil {
			var e *Error
			if errors.As(err, &e) {
				e.Index = n
			}
			return err
		}
		for _, it := range items {
			if err := fn(it); err != nil {
				return err
			}
		}
	}
	return sc.Err()
}

var (
	types      = []string{"text", "audio", "video", "picture", "graphic", "composite", "component"}
	pubstatus  = []string{"usable", "withheld", "canceled"}
	reprTypes  = []string{"full", "partial"}
	timeFields = []string{"firstcreated", "versioncreated", "contentcreated", "embargoed"}
)

func oneOf(v string, vals []string) bool {
	for _, x := range vals {
		if v == x {
			return true
		}
	}
	return false
}

// Validate checks what the schema requires and what masthead relies on:
// an absolute URI, known enumerations, RFC 3339 times, an urgency of 1 to
// 9, a numeric version (versions order the updates of a story).
func (it *Item) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &Error{URI: it.URI, Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	if it.URI == "" {
		return bad("uri", "missing: every item needs its URI")
	}
	if u, err := url.Parse(it.URI); err != nil || u.Scheme == "" || len(it.URI) > 1000 {
		return bad("uri", "%q is not an absolute URI", it.URI)
	}
	if it.Type != "" && !oneOf(it.Type, types) {
		return bad("type", "%q is not one of %s", it.Type, strings.Join(types, ", "))
	}
	if it.PubStatus != "" && !oneOf(it.PubStatus, pubstatus) {
		return bad("pubstatus", "%q is not one of %s", it.PubStatus, strings.Join(pubstatus, ", "))
	}
	if it.RepresentationType != "" && !oneOf(it.RepresentationType, reprTypes) {
		return bad("representationtype", "%q is not full or partial", it.RepresentationType)
	}
	for i, v := range []string{it.FirstCreated, it.VersionCreated, it.ContentCreated, it.Embargoed} {
		if v != "" {
			if _, err := time.Parse(time.RFC3339, v); err != nil {
				return bad(timeFields[i], "%q is not an RFC 3339 date-time", v)
			}
		}
	}
	if it.Urgency != nil && (*it.Urgency < 1 || *it.Urgency > 9 || *it.Urgency != float64(int(*it.Urgency))) {
		return bad("urgency", "%v is not a whole number from 1 to 9", *it.Urgency)
	}
	if it.Version != "" {
		if _, err := strconv.ParseUint(it.Version, 10, 63); err != nil {
			return bad("version", "%q is not a version number", it.Version)
		}
	}
	for i, h := range it.Headlines {
		if strings.TrimSpace(h.Value) == "" {
			return bad(fmt.Sprintf("headlines[%d]", i), "empty")
		}
	}
	if (it.Type == "" || it.Type == "text") && !it.Killed() && it.Headline() == "" {
		return bad("headlines", "a text item needs a headline")
	}
	for i, a := range it.Associations {
		if a.URI != "" {
			if err := a.Item.Validate(); err != nil {
				var e *Error
				if errors.As(err, &e) {
					e.Field = fmt.Sprintf("associations[%d].%s", i, e.Field)
					e.URI = it.URI
				}
				return err
			}
		}
	}
	return nil
}

// VersionNumber is the item's version (1 when it has none).
func (it *Item) VersionNumber() int64 {
	n, err := strconv.ParseInt(it.Version, 10, 64)
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// Killed reports whether the item withdraws its story: canceled (a kill:
// the story must not be used) or withheld (a withdrawal, for now).
func (it *Item) Killed() bool { return it.PubStatus == "canceled" || it.PubStatus == "withheld" }

func pick(ts []Text, roles ...string) *Text {
	for _, role := range roles {
		for i := range ts {
			if strings.EqualFold(ts[i].Role, role) {
				return &ts[i]
			}
		}
	}
	if len(ts) > 0 {
		return &ts[0]
	}
	return nil
}

// Headline is the main headline (role "main", else the first), as text.
func (it *Item) Headline() string {
	h := pick(it.Headlines, "main", "headline")
	if h == nil {
		return strings.TrimSpace(it.Title)
	}
	return strings.TrimSpace(plainOf(*h))
}

// Summary is the description a deck is made of (role "summary" or
// "abstract", else the first), as text.
func (it *Item) Summary() string {
	d := pick(it.Descriptions, "summary", "abstract", "description")
	if d == nil {
		return ""
	}
	return strings.TrimSpace(plainOf(*d))
}

// BodyHTML is the body as HTML, unsanitized: an HTML body as sent, or a
// plain-text body in paragraphs (blank lines between them).
func (it *Item) BodyHTML() string {
	var htmlBody, textBody *Text
	for i := range it.Bodies {
		b := &it.Bodies[i]
		ct := strings.ToLower(b.ContentType)
		switch {
		case strings.Contains(ct, "html") && htmlBody == nil:
			htmlBody = b
		case textBody == nil && (ct == "" || strings.HasPrefix(ct, "text/plain")):
			textBody = b
		}
	}
	if htmlBody != nil {
		return htmlBody.Value
	}
	if textBody == nil {
		return ""
	}
	var b strings.Builder
	for _, para := range strings.Split(strings.ReplaceAll(textBody.Value, "\r\n", "\n"), "\n\n") {
		if para = strings.TrimSpace(para); para != "" {
			b.WriteString("<p>" + html.EscapeString(strings.Join(strings.Fields(para), " ")) + "</p>\n")
		}
	}
	return b.String()
}

func plainOf(t Text) string {
	if strings.Contains(strings.ToLower(t.ContentType), "html") {
		return html.UnescapeString(stripTags(t.Value))
	}
	return t.Value
}

func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Time returns a time field, zero when absent (Validate has checked it).
func Time(s string) time.Time {
	t, _ := time.Parse(time.RFC3339, s)
	return t.UTC()
}

// Credit is who to credit: the byline, else the first info source.
func (it *Item) Credit() string {
	if it.By != "" {
		return strings.TrimSpace(it.By)
	}
	for _, s := range it.InfoSources {
		if s.Name != "" {
			return s.Name
		}
	}
	return ""
}

// Distributor is the agency the item came from: the info source whose role
// is distributor (or publisher), else the copyright holder.
func (it *Item) Distributor() string {
	for _, s := range it.InfoSources {
		r := strings.ToLower(s.Role)
		if s.Name != "" && (strings.HasSuffix(r, "distributor") || strings.HasSuffix(r, "publisher")) {
			return s.Name
		}
	}
	return it.CopyrightHolder
}

// Rights is the item's distribution rights in one line, as the newsroom
// keeps them with the story: the copyright notice, the usage terms and a
// linked rights expression.
func (it *Item) Rights() string {
	var parts []string
	for _, s := range []string{it.CopyrightNotice, it.UsageTerms} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	if it.RightsInfo != nil && it.RightsInfo.LinkedRights != "" {
		parts = append(parts, "Rights: "+it.RightsInfo.LinkedRights)
	}
	return strings.Join(parts, " ")
}

// Keywords are the subjects' names, then the people's, organisations' and
// places', each once: what becomes tags.
func (it *Item) Keywords() []string {
	var out []string
	seen := map[string]bool{}
	for _, list := range [][]Concept{it.Subjects, it.People, it.Organisations, it.Places} {
		for _, c := range list {
			name := strings.TrimSpace(c.Name)
			if name != "" && !seen[strings.ToLower(name)] {
				seen[strings.ToLower(name)] = true
				out = append(out, name)
			}
		}
	}
	return out
}

// Pictures are the associated pictures: each with its caption (its
// description or headline), credit and best rendition.
func (it *Item) Pictures() []Picture {
	var out []Picture
	for _, a := range it.Associations {
		if a.Type != "picture" && a.Type != "graphic" {
			continue
		}
		p := Picture{URI: a.URI, Caption: a.Summary(), Credit: a.Credit(), Rights: a.Rights()}
		if p.Caption == "" {
			p.Caption = a.Headline()
		}
		best := -1.0
		for _, r := range a.Renditions {
			w := 0.0
			if r.Width != nil {
				w = *r.Width
			}
			if r.Href != "" && w > best {
				best, p.Href, p.ContentType = w, r.Href, r.ContentType
			}
		}
		out = append(out, p)
	}
	return out
}

// Picture is an associated picture.
type Picture struct {
	URI, Href, ContentType, Caption, Credit, Rights string
}

// Action is what an item does to the paper.
type Action string

const (
	// Create: the first version of a story the paper has not had.
	Create Action = "create"
	// Update: a later version of a story the paper has: its text,
	// credits and rights replace the story's, on the same story.
	Update Action = "update"
	// Kill: the story is withdrawn or killed: off the site.
	Kill Action = "kill"
	// Stale: a version no later than the one the paper has (a repeat, or
	// an update that arrived after a later one): nothing changes.
	Stale Action = "stale"
)

// Step is one item and what it does.
type Step struct {
	Item   Item
	Action Action
}

// Plan threads a feed onto the paper: items are taken in the order of
// their versions per story (a feed may carry them out of order), each
// story's by its URI; known gives the version the paper holds of a URI
// (ok false when it has none). A kill of a story the paper never had is
// still a Kill: nothing to take down, but it must keep a later resend of
// an older version from going up.
func Plan(items []Item, known func(uri string) (version int64, ok bool)) []Step {
	latest := map[string]int64{}
	have := map[string]bool{}
	var steps []Step
	for _, it := range items {
		v := it.VersionNumber()
		cur, seen := latest[it.URI]
		if !seen {
			cur, seen = known(it.URI)
			if seen {
				latest[it.URI], have[it.URI] = cur, true
			}
		}
		var act Action
		switch {
		case seen && v <= cur:
			act = Stale
		case it.Killed():
			act = Kill
		case seen && have[it.URI]:
			act = Update
		default:
			act = Create
		}
		if act != Stale {
			latest[it.URI] = v
			have[it.URI] = true
		}
		steps = append(steps, Step{Item: it, Action: act})
	}
	return steps
}
