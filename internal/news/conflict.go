package news

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// ConflictError is a stale write: something was changed since the version
// the writer started from. errors.Is(err, ErrConflict) holds for it, and
// ErrorCode gives ECONFLICT.
type ConflictError struct {
	// Kind and ID (or Key, for settings) name what was written: "article",
	// "section", "user", "setting", "author", "tag".
	Kind string
	ID   int64
	Key  string
	// Base is the version the writer started from, Current the stored one.
	Base, Current int64
	// Fields are the fields changed since Base (StoryFields names for
	// stories: see FieldNames), when known.
	Fields []string
	// By are the users who changed it since Base (0: the system, an
	// import), At when it last changed.
	By []int64
	At time.Time
	// Refused is what did not happen, for the message: "saved" (when
	// empty), "published", "scheduled".
	Refused string
}

// Error says what was stale, for logs.
func (e *ConflictError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "conflict: %s", e.Kind)
	if e.Key != "" {
		fmt.Fprintf(&b, " %q", e.Key)
	} else if e.ID != 0 {
		fmt.Fprintf(&b, " %d", e.ID)
	}
	fmt.Fprintf(&b, " is at version %d, not %d", e.Current, e.Base)
	if len(e.Fields) > 0 {
		fmt.Fprintf(&b, " (changed: %s)", strings.Join(e.Fields, ", "))
	}
	return b.String()
}

// Unwrap gives the domain error, so errors.Is(err, ErrConflict),
// ErrorCode and ErrorMessage work as for any other conflict.
func (e *ConflictError) Unwrap() error {
	return &Error{Code: ECONFLICT, Message: e.Message()}
}

// Message is the sentence shown to the writer.
func (e *ConflictError) Message() string {
	what := map[string]string{"article": "story", "section": "section", "user": "account", "setting": "setting",
		"author": "author profile", "tag": "tag"}[e.Kind]
	if what == "" {
		what = e.Kind
	}
	msg := fmt.Sprintf("This %s was changed by someone else since you opened it", what)
	if !e.At.IsZero() {
		msg += " (at " + e.At.UTC().Format("2006-01-02 15:04:05 MST") + ")"
	}
	if len(e.Fields) > 0 {
		msg += ": " + strings.Join(e.Fields, ", ") + " changed"
	}
	refused := e.Refused
	if refused == "" {
		refused = "saved"
	}
	return msg + ". Nothing was " + refused + "."
}

// Stale is the conflict of a guarded write whose version did not match,
// for a store that knows nothing more (the command that read the row adds
// fields and people).
func Stale(kind string, id, base, current int64) *ConflictError {
	return &ConflictError{Kind: kind, ID: id, Base: base, Current: current}
}

// FieldNames are the names of the StoryFields, in the editor's order, as
// ConflictError.Fields and DiffFields give them.
var FieldNames = []string{"headline", "deck", "body", "slug", "section", "authors", "tags", "photo", "lang",
	"seo_title", "seo_description", "embargo"}

// DiffFields returns the names of the fields in which a and b differ, in
// FieldNames order. The body is compared as Markdown, or as HTML when
// neither side has Markdown (a story imported as HTML).
func DiffFields(a, b StoryFields) []string {
	var out []string
	add := func(name string, differ bool) {
		if differ {
			out = append(out, name)
		}
	}
	add("headline", a.Headline != b.Headline)
	add("deck", a.Deck != b.Deck)
	body := a.BodyMarkdown != b.BodyMarkdown
	if a.BodyMarkdown == "" && b.BodyMarkdown == "" {
		body = a.BodyHTML != b.BodyHTML
	}
	add("body", body)
	add("slug", a.Slug != b.Slug)
	add("section", a.SectionID != b.SectionID)
	add("authors", !slices.Equal(a.AuthorIDs, b.AuthorIDs))
	add("tags", !sameSet(a.Tags, b.Tags))
	add("photo", a.PhotoID != b.PhotoID)
	add("lang", a.Lang != b.Lang)
	add("seo_title", a.SEOTitle != b.SEOTitle)
	add("seo_description", a.SEODescription != b.SEODescription)
	add("embargo", !a.EmbargoUntil.Equal(b.EmbargoUntil))
	return out
}

// sameSet compares tag names as sets, ignoring case and order (a tag's
// slug is what identifies it).
func sameSet(a, b []string) bool {
	norm := func(x []string) []string {
		out := make([]string, 0, len(x))
		for _, s := range x {
			out = append(out, Slugify(s))
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	return slices.Equal(norm(a), norm(b))
}

// Merge3 is a 3-way merge of story fields: for each field, mine if I
// changed it from base, else theirs. It keeps the other writer's changes
// to every field I did not touch, and mine to every field I did.
func Merge3(base, theirs, mine StoryFields) StoryFields {
	out := theirs
	for _, f := range DiffFields(base, mine) {
		SetField(&out, mine, f)
	}
	return out
}

// SetField copies field name from src into dst.
func SetField(dst *StoryFields, src StoryFields, name string) {
	switch name {
	case "headline":
		dst.Headline = src.Headline
	case "deck":
		dst.Deck = src.Deck
	case "body":
		dst.BodyMarkdown, dst.BodyHTML = src.BodyMarkdown, src.BodyHTML
	case "slug":
		dst.Slug = src.Slug
	case "section":
		dst.SectionID = src.SectionID
	case "authors":
		dst.AuthorIDs = slices.Clone(src.AuthorIDs)
	case "tags":
		dst.Tags = slices.Clone(src.Tags)
	case "photo":
		dst.PhotoID = src.PhotoID
	case "lang":
		dst.Lang = src.Lang
	case "seo_title":
		dst.SEOTitle = src.SEOTitle
	case "seo_description":
		dst.SEODescription = src.SEODescription
	case "embargo":
		dst.EmbargoUntil = src.EmbargoUntil
	}
}

// CheckVersion returns the conflict of a write against base on a row at
// current, last changed by by at at; nil when base is current (or 0 where
// a write may be unguarded).
func CheckVersion(kind string, id, base, current, by int64, at time.Time) error {
	if base == current {
		return nil
	}
	c := Stale(kind, id, base, current)
	c.By, c.At = []int64{by}, at
	return c
}
