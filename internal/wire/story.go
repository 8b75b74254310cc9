// Package wire turns agency copy (IPTC ninjs, internal/ninjs) into stories
// of the paper: what a wire item says a story is, and — with the write
// path — the ingest that threads updates onto the same story by URI and
// version, takes down kills, and keeps credits and rights.
package wire

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"masthead/internal/content"
	"masthead/internal/ninjs"
)

// Story is what a wire item makes of a story.
type Story struct {
	Headline string
	Deck     string
	BodyHTML string // sanitized (the paper's body schema)
	Lang     string
	// Bylines are the people the byline names, in order ("By KIM
	// TONG-HYUNG and JANE DOE, Associated Press": Kim Tong-hyung, Jane
	// Doe); the agency when it names nobody.
	Bylines []string
	Tags    []string
	// PublishedAt is when the agency first sent it; EmbargoUntil its
	// embargo (zero: none).
	PublishedAt  time.Time
	EmbargoUntil time.Time
	Credit       string // the byline as sent
	Distributor  string
	Rights       string
	Pictures     []ninjs.Picture
}

// MaxTags bounds the tags a wire item brings (agencies tag generously).
const MaxTags = 10

// StoryOf reads a wire item.
func StoryOf(it *ninjs.Item) Story {
	s := Story{
		Headline:     truncate(it.Headline(), 300),
		Deck:         truncate(it.Summary(), 1000),
		BodyHTML:     content.Sanitize(it.BodyHTML()),
		Lang:         it.Language,
		Credit:       it.Credit(),
		Distributor:  it.Distributor(),
		Rights:       it.Rights(),
		PublishedAt:  ninjs.Time(it.FirstCreated),
		EmbargoUntil: ninjs.Time(it.Embargoed),
		Pictures:     it.Pictures(),
	}
	if s.PublishedAt.IsZero() {
		s.PublishedAt = ninjs.Time(it.VersionCreated)
	}
	names, org := ParseByline(it.By)
	if len(names) == 0 {
		if org == "" {
			org = s.Distributor
		}
		if org != "" {
			names = []string{org}
		}
	}
	s.Bylines = names
	kw := it.Keywords()
	if len(kw) > MaxTags {
		kw = kw[:MaxTags]
	}
	s.Tags = kw
	return s
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// ParseByline reads an agency byline: "By KIM TONG-HYUNG, Associated
// Press" is the person Kim Tong-hyung of the Associated Press; "By JANE
// DOE and JOHN ROE" two people; "By The Associated Press" no person.
// Names in capitals (the agencies' style) are written as names.
func ParseByline(by string) (names []string, org string) {
	by = strings.TrimSpace(by)
	if len(by) > 3 && strings.EqualFold(by[:3], "by ") {
		by = strings.TrimSpace(by[3:])
	}
	if by == "" {
		return nil, ""
	}
	people := by
	if i := strings.LastIndex(by, ","); i >= 0 {
		people, org = strings.TrimSpace(by[:i]), strings.TrimSpace(by[i+1:])
	}
	if strings.HasPrefix(strings.ToLower(people), "the ") || isOrg(people) {
		return nil, people
	}
	for _, part := range splitNames(people) {
		if part = strings.TrimSpace(part); part != "" {
			names = append(names, nameCase(part))
		}
	}
	return names, org
}

func isOrg(s string) bool {
	l := strings.ToLower(s)
	for _, w := range []string{"associated press", "reuters", "agence france-presse", "afp", "yonhap", "staff", "wire"} {
		if l == w {
			return true
		}
	}
	return false
}

func splitNames(s string) []string {
	s = strings.ReplaceAll(s, " AND ", " and ")
	var out []string
	for _, p := range strings.Split(s, " and ") {
		out = append(out, strings.Split(p, ",")...)
	}
	return out
}

// nameCase writes a name sent in capitals as a name ("KIM TONG-HYUNG" →
// "Kim Tong-hyung"); a name with small letters is kept as sent.
func nameCase(s string) string {
	if strings.ToUpper(s) != s {
		return s
	}
	var b strings.Builder
	start := true
	for _, r := range strings.ToLower(s) {
		if start && unicode.IsLetter(r) {
			b.WriteRune(unicode.ToUpper(r))
			start = false
			continue
		}
		if r == ' ' || r == '\'' {
			start = true
		}
		b.WriteRune(r)
	}
	return b.String()
}
