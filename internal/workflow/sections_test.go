package workflow_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"masthead/internal/news"
	"masthead/internal/store/sqlite"
	"masthead/internal/workflow"
)

// TestFindSection: a section is found by its slug or its name in any case;
// an unknown one is an input error naming the known sections, and is made
// only when asked (import --create-sections), at the end of the navigation.
func TestFindSection(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for i, n := range []string{"National", "North Korea"} {
		if err := st.CreateSection(ctx, &news.Section{Slug: news.Slugify(n), Name: n, Position: i + 1}); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"National", "national", "  NORTH   korea ", "north-korea"} {
		if s, err := workflow.FindSection(ctx, st, name, false); err != nil || s == nil {
			t.Errorf("FindSection(%q): %v", name, err)
		}
	}
	_, err = workflow.FindSection(ctx, st, "Natoinal", false)
	var unk *workflow.UnknownSectionError
	if !errors.As(err, &unk) || news.ErrorCode(err) != news.EINVALID || !strings.Contains(news.ErrorMessage(err), "National, North Korea") {
		t.Fatalf("unknown section: %v (%s)", err, news.ErrorMessage(err))
	}
	if all, _ := st.ListSections(ctx); len(all) != 2 {
		t.Fatalf("a lookup created a section: %d sections", len(all))
	}
	s, err := workflow.FindSection(ctx, st, "Business", true)
	if err != nil || s.Slug != "business" || s.Position != 3 {
		t.Fatalf("created section: %+v, %v", s, err)
	}
}
