package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"masthead/internal/content"
)

// FuzzParse feeds arbitrary files to the parser, named as each format
// would be. It must never panic, and whatever it accepts must be a whole
// story: a headline, a slug, a sanitized body with text in it.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil || len(data) > 64<<10 {
			continue
		}
		f.Add(filepath.Base(path), data)
	}
	f.Add("x.md", []byte("---\nheadline: H\nauthors: [{name: A, email: a@b.c}]\ntags: a, b\n---\n# T\n\nbody"))
	f.Add("x.txt", []byte("H\nC / D\nC / D\nBy A\nP\nA a@b.c\nTop 10 Stories\n"))
	f.Add("x.html", []byte("<html><body><article><h1>H</h1><figure><img src=a.png><figcaption>c</figcaption></figure><p>"+strings.Repeat("text ", 60)+"</p></article></body></html>"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		// Keep photo lookups inside testdata: names are base names only.
		name = filepath.Join("testdata", filepath.Base(filepath.Clean("/"+name)))
		p, err := parse(name, data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), name+":") {
				t.Errorf("error does not name the file: %v", err)
			}
			return
		}
		a := p.Article
		if a.Headline == "" || a.Slug == "" || a.SourceKey == "" || !utf8.ValidString(a.Headline) {
			t.Errorf("accepted a story without headline, slug or key: %+v", a)
		}
		if strings.TrimSpace(content.PlainText(a.BodyHTML)) == "" {
			t.Errorf("accepted a story without body text")
		}
		if again := content.Sanitize(a.BodyHTML); again != a.BodyHTML {
			t.Errorf("body is not sanitized:\n%s\n%s", a.BodyHTML, again)
		}
	})
}
