// Package keptlist says which reader list pages have a total the stores
// keep (story_counts, migration 0063, kept by triggers in every write's
// transaction), so both stores pick the same lists for a kept total and
// differ only in their SQL.
package keptlist

import "masthead/internal/news"

// Kind is a story_counts row's kind.
type Kind int

const (
	Section Kind = 1
	Author  Kind = 2
	Tag     Kind = 3
)

// Of says whether f is a reader's page of one section (or a section and
// its sub-sections), author or tag, and nothing else: its kind and ids
// (several only for a set of sections; a story is in one section, so the
// set's total is the sum of theirs).
func Of(f news.ArticleFilter) (kind Kind, ids []int64, ok bool) {
	if f.PublicAt.IsZero() || (f.Status != "" && f.Status != news.StatusPublished) ||
		!f.PublishedFrom.IsZero() || !f.PublishedTo.IsZero() || len(f.IDs) > 0 || len(f.ExcludeIDs) > 0 || f.TranslationOf != 0 {
		return 0, nil, false
	}
	if f.Order != "" && f.Order != "newest" && f.Order != "oldest" {
		return 0, nil, false
	}
	n := 0
	switch {
	case f.SectionID != 0:
		kind, ids = Section, []int64{f.SectionID}
		n++
	case len(f.SectionIDs) > 1:
		kind, ids = Section, f.SectionIDs
		n++
	}
	if f.AuthorID != 0 {
		kind, ids = Author, []int64{f.AuthorID}
		n++
	}
	if f.TagID != 0 {
		kind, ids = Tag, []int64{f.TagID}
		n++
	}
	if n != 1 {
		return 0, nil, false
	}
	return kind, ids, true
}
