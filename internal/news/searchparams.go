package news

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// SearchParams is a reader's search (the /search form or the articles API)
// read from a URL query and checked, so the page and the API accept and
// refuse exactly the same things.
type SearchParams struct {
	Text    string // q, trimmed, at most MaxQueryRunes
	Section string // section slug, NFC
	Author  string // author slug, NFC
	// From and To are the dates as given (YYYY-MM-DD, inclusive);
	// FromTime and ToTime bound PublishedAt as [from 00:00, the day
	// after to 00:00) in the paper's zone. A date that does not parse is
	// left empty.
	From, To         string
	FromTime, ToTime time.Time
	Order            string // "relevance" or "newest"; "" is the default
	Page             int    // 1-based
}

// MaxQueryRunes bounds the search text; longer text is cut.
const MaxQueryRunes = 200

// ParamError names the query parameter that was wrong. It unwraps to an
// EINVALID *Error with the same message.
type ParamError struct {
	Param   string
	Message string
}

func (e *ParamError) Error() string { return e.Param + ": " + e.Message }

// Unwrap makes ErrorCode and ErrorMessage see an EINVALID error.
func (e *ParamError) Unwrap() error { return &Error{Code: EINVALID, Message: e.Message} }

// ParseSearchParams reads q, section, author, from, to, order and page.
// Dates are read in loc (the paper's zone).
func ParseSearchParams(v url.Values, loc *time.Location) (SearchParams, error) {
	var p SearchParams
	p.Text = strings.TrimSpace(v.Get("q"))
	if r := []rune(p.Text); len(r) > MaxQueryRunes {
		p.Text = strings.TrimSpace(string(r[:MaxQueryRunes]))
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"section", &p.Section}, {"author", &p.Author}} {
		s := norm.NFC.String(strings.TrimSpace(v.Get(f.name)))
		if len(s) > 200 || strings.ContainsAny(s, "/\x00") {
			return p, &ParamError{f.name, "not a " + f.name + " name"}
		}
		*f.dst = s
	}
	day := func(name string) (string, time.Time, error) {
		s := strings.TrimSpace(v.Get(name))
		if s == "" {
			return "", time.Time{}, nil
		}
		t, err := time.ParseInLocation("2006-01-02", s, loc)
		if err != nil || t.Year() < 1000 {
			return "", time.Time{}, &ParamError{name, "not a date: use YYYY-MM-DD, e.g. 2020-03-22"}
		}
		return t.Format("2006-01-02"), t, nil
	}
	var err error
	if p.From, p.FromTime, err = day("from"); err != nil {
		return p, err
	}
	var to time.Time
	if p.To, to, err = day("to"); err != nil {
		return p, err
	}
	if !to.IsZero() {
		if !p.FromTime.IsZero() && to.Before(p.FromTime) {
			return p, &ParamError{"to", "the end date is before the start date"}
		}
		p.ToTime = to.AddDate(0, 0, 1) // "to" is inclusive
	}
	switch o := v.Get("order"); o {
	case "", "relevance", "newest":
		p.Order = o
	default:
		return p, &ParamError{"order", `use "relevance" or "newest"`}
	}
	p.Page = 1
	if s := v.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 10000 || strconv.Itoa(n) != s {
			return p, &ParamError{"page", "not a page number (1 to 10000)"}
		}
		p.Page = n
	}
	return p, nil
}

// Query is the canonical query string of p without the page: parameters in
// a fixed order, empty ones left out, so one search has one URL.
func (p SearchParams) Query() string {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("q", p.Text)
	set("section", p.Section)
	set("author", p.Author)
	set("from", p.From)
	set("to", p.To)
	set("order", p.Order)
	return v.Encode() // sorted by key
}
