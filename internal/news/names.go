package news

import (
	"context"
	"time"
)

// NameQuery searches the names of sections, authors and tags (the search
// page shows matching ones above the stories).
type NameQuery struct {
	Text string
	// PublicAt keeps only authors and tags with a story public at that
	// time, so a name known only from drafts never shows; sections are
	// in the navigation and always count.
	PublicAt time.Time
	Limit    int // of each kind; 0: 5
}

// NameHits are the matches of a NameQuery, each kind in the order of its
// list (sections by position, authors by position then name, tags by
// name).
type NameHits struct {
	Sections []*Section
	Authors  []*Author
	Tags     []*Tag
}

// NameSearcher matches names the way both stores do through
// textsearch.NamePatterns: every word must match; Korean words anywhere in
// the name (with or without a trailing particle), others at a word's start.
type NameSearcher interface {
	SearchNames(ctx context.Context, q NameQuery) (NameHits, error)
}
