package importer

import (
	"os"
	"strings"
	"testing"
)

// The named Markdown bugs through the one-file reader (parse), as
// `masthead import post.md` reads them.
func TestBugMarkdownImportsUnchanged(t *testing.T) {
	tests := []struct{ name, path, in, headline string }{
		{"TOML front matter", "post.md", "+++\ntitle = \"Bike path approved\"\ndate = 2024-05-02T10:00:00+09:00\n+++\nThe council voted.\n", "Bike path approved"},
		{"Hugo fields", "post.md", "---\ntitle: Night trains\ndate: 2024-12-20T10:00:00+09:00\ncategories: [Metro]\ndraft: true\ndescription: Lines 2 and 5.\nlayout: post\n---\nBody.\n", "Night trains"},
		{"date only", "post.md", "---\ntitle: Night trains\ndate: 2024-12-20\n---\nBody.\n", "Night trains"},
		{"Jekyll date", "post.md", "---\ntitle: Night trains\ndate: 2024-12-20 09:00:00 +0900\n---\nBody.\n", "Night trains"},
		{"note without a heading", "my-trip-to-busan.md", "Took the KTX at 7.\n\nBusan was warm.\n", "My trip to busan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parse(tt.path, []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if p.Article.Headline != tt.headline {
				t.Errorf("headline %q", p.Article.Headline)
			}
		})
	}
}

// TestBugExportsNotOneStory: a WordPress export is not one draft of XML,
// a Ghost export is not refused for its first character, and an unknown
// format's error is one short line, not the file.
func TestBugExportsNotOneStory(t *testing.T) {
	if wxr, err := os.ReadFile("testdata/ghost/ghost4.json"); err == nil {
		_, err := parse("ghost.json", wxr)
		if err == nil || strings.Contains(err.Error(), "cannot make a URL slug") || !strings.Contains(err.Error(), "Ghost export") {
			t.Errorf("ghost export: %v", err)
		}
	}
	wxr := `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel><wp:wxr_version>1.2</wp:wxr_version>` +
		strings.Repeat(`<item><title>A post</title><wp:post_type>post</wp:post_type></item>`, 50) + `</channel></rss>`
	if _, err := parse("export.xml", []byte(wxr)); err == nil || !strings.Contains(err.Error(), "WordPress export") {
		t.Errorf("WXR read as one story: %v", err)
	}
	big := `{"wat":"` + strings.Repeat("x", 2_500_000) + `"}`
	_, err := parse("big.json", []byte(big))
	if err == nil || len(err.Error()) > 600 {
		t.Errorf("error of %d bytes", len(err.Error()))
	}
}
