package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"masthead/internal/news"
)

// UnknownSectionError says a section was named that the paper does not
// have, and which ones it has: an import (or any other writer) must not
// create a public section out of a typo.
type UnknownSectionError struct {
	Name  string
	Known []string // names, in navigation order
}

func (e *UnknownSectionError) Error() string {
	if len(e.Known) == 0 {
		return fmt.Sprintf("no section %q: the paper has no sections yet", e.Name)
	}
	return fmt.Sprintf("no section %q; the sections are: %s", e.Name, strings.Join(e.Known, ", "))
}

// Unwrap makes it an input error (news.EINVALID) with its message for
// news.ErrorCode, news.ErrorMessage and the HTTP layer.
func (e *UnknownSectionError) Unwrap() error { return news.Errorf(news.EINVALID, "%s", e.Error()) }

// SectionFinder is what FindSection needs: news.Store and news.Tx both
// have it.
type SectionFinder interface {
	news.SectionReader
	news.SectionWriter
}

// FindSection is the one rule for naming a section, for imports, the Admin
// API and the newsroom: a name matches a section by its slug (news.Slugify
// of the name) or by its name, ignoring case. An unknown name is an
// *UnknownSectionError naming the known sections, unless create is set
// (masthead import --create-sections), which adds the section at the end of
// the navigation.
//
// st is a Store or a Tx (an import finds and creates its sections in its
// own transaction).
func FindSection(ctx context.Context, st SectionFinder, name string, create bool) (*news.Section, error) {
	name = strings.Join(strings.Fields(name), " ")
	slug := news.Slugify(name)
	if slug == "" {
		return nil, news.Errorf(news.EINVALID, "A section needs a name with a letter or digit.")
	}
	s, err := st.FindSectionBySlug(ctx, slug)
	if err == nil {
		return s, nil
	}
	if !errors.Is(err, news.ErrNotFound) {
		return nil, fmt.Errorf("section %q: %w", name, err)
	}
	all, err := st.ListSections(ctx)
	if err != nil {
		return nil, fmt.Errorf("sections: %w", err)
	}
	pos := 0
	var known []string
	for _, o := range all {
		if strings.EqualFold(o.Name, name) {
			return o, nil
		}
		pos = max(pos, o.Position)
		known = append(known, o.Name)
	}
	if !create {
		return nil, &UnknownSectionError{Name: name, Known: known}
	}
	s = &news.Section{Slug: slug, Name: name, Position: pos + 1}
	if err := st.CreateSection(ctx, s); err != nil {
		if errors.Is(err, news.ErrConflict) {
			// Created by another process meanwhile.
			return st.FindSectionBySlug(ctx, slug)
		}
		return nil, fmt.Errorf("create section %q: %w", name, err)
	}
	return s, nil
}
