package importer

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"masthead/internal/news"
)

// TestImportSavesPages: a source's standing pages become static pages (they
// were left out before masthead had them): by slug, with the source's
// status or --publish, again on a re-import (updated, not doubled), and a
// page at one of the site's own addresses moves aside with a warning.
func TestImportSavesPages(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"hugo.toml":              "title = \"Site\"\n",
		"content/about.md":       "---\ntitle: About\ndescription: Who we are\n---\nWe are a **paper**.\n",
		"content/search.md":      "---\ntitle: Search\n---\nHow to search.\n",
		"content/posts/hello.md": "+++\ntitle = \"Hello\"\n+++\nHi.\n",
	} {
		f := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(f), 0o755)
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	st := openStore(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 22, 0, 0, 0, 0, time.UTC)
	res, err := Import(ctx, st, []string{dir}, Options{Publish: true, CreateSections: true, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	var pages, stories int
	var warned bool
	for _, r := range res {
		if r.Page {
			pages++
			warned = warned || strings.Contains(strings.Join(r.Warnings, " "), "/search-page")
		} else {
			stories++
		}
	}
	if pages != 2 || stories != 1 || !warned {
		t.Fatalf("results: %d pages, %d stories, warned %v: %+v", pages, stories, warned, res)
	}
	about, err := st.FindPageBySlug(ctx, "about")
	if err != nil {
		t.Fatal(err)
	}
	if about.Title != "About" || about.Status != news.StatusPublished || !strings.Contains(about.Body, "<strong>paper</strong>") || about.InFooter {
		t.Errorf("about: %+v", about)
	}
	if _, err := st.FindPageBySlug(ctx, "search-page"); err != nil {
		t.Errorf("the page at /search: %v", err)
	}
	// Again: updated in place.
	res, err = Import(ctx, st, []string{dir}, Options{CreateSections: true, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	all, _ := st.ListPages(ctx, news.PageFilter{})
	if len(all) != 2 {
		t.Errorf("a re-import made %d pages", len(all))
	}
	for _, r := range res {
		if r.Page && !r.Updated {
			t.Errorf("re-import of %s: not an update", r.Slug)
		}
	}
	if p, _ := st.FindPageBySlug(ctx, "about"); p.Version != 2 || p.Status != news.StatusPublished {
		// No status in the source, no --publish: it keeps its own.
		t.Errorf("re-imported about: v%d %s", p.Version, p.Status)
	}
}
