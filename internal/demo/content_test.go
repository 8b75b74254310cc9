package demo

import (
	"bytes"
	"image"
	"image/png"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"masthead/internal/importer"
)

// TestContent checks every story file without a database: it parses with
// the importer, names a known section and known authors, has a complete
// photo line, and dated stories fall in the weeks around the seed story.
func TestContent(t *testing.T) {
	knownSection := map[string]bool{}
	for _, s := range sections {
		knownSection[s.Name] = true
	}
	knownAuthor := map[string]bool{}
	for _, a := range authors {
		knownAuthor[a.Email] = true
	}
	names, err := fs.Glob(contentFS, "content/*.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 30 {
		t.Fatalf("%d stories, want at least 30", len(names))
	}
	dir := t.TempDir()
	from := time.Date(2020, 2, 15, 0, 0, 0, 0, time.UTC)
	to := time.Date(2020, 4, 15, 0, 0, 0, 0, time.UTC)
	undated, korean := 0, 0
	for _, name := range names {
		src, _ := contentFS.ReadFile(name)
		p := filepath.Join(dir, path.Base(name))
		os.WriteFile(p, src, 0o600)
		parsed, err := importer.ParseFile(p)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		a := parsed.Article
		if !knownSection[parsed.Section] {
			t.Errorf("%s: unknown section %q", name, parsed.Section)
		}
		if sectionStyle(parsed.Section) == styleLights && parsed.Section != "Culture" {
			t.Errorf("%s: section %q has no picture style", name, parsed.Section)
		}
		if len(parsed.Authors) == 0 {
			t.Errorf("%s: no authors", name)
		}
		for _, au := range parsed.Authors {
			if !knownAuthor[au.Email] {
				t.Errorf("%s: author %s <%s> is not in the demo's list", name, au.Name, au.Email)
			}
		}
		if len(parsed.Tags) == 0 {
			t.Errorf("%s: no tags", name)
		}
		ph := parsed.Photo
		if ph == nil || ph.Caption == "" || ph.Credit == "" || ph.Alt == "" || ph.Alt == ph.Caption {
			t.Errorf("%s: photo line %+v", name, ph)
		} else if !strings.HasPrefix(ph.Alt, "Illustration: ") && !strings.HasPrefix(ph.Alt, "일러스트: ") {
			t.Errorf("%s: alt text %q does not describe the drawn picture", name, ph.Alt)
		}
		if a.Lang == "ko" {
			korean++
		}
		if a.PublishedAt.IsZero() {
			undated++
		} else if a.PublishedAt.Before(from) || !a.PublishedAt.Before(to) {
			t.Errorf("%s: published %v, outside the weeks around the seed story", name, a.PublishedAt)
		}
	}
	if undated > len(recentOffsets) || undated < 3 {
		t.Errorf("%d undated stories; there are %d recent slots and at least 3 are wanted", undated, len(recentOffsets))
	}
	if korean < 3 {
		t.Errorf("%d Korean stories", korean)
	}
}

// The pictures are the same for the same seed (a story keeps its picture
// when the demo is rebuilt) and differ between seeds.
func TestIllustrationDeterministic(t *testing.T) {
	enc := func(style, seed string) []byte {
		var b bytes.Buffer
		if err := png.Encode(&b, illustration(style, seed, 320, 180)); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	for _, style := range []string{styleMountains, styleAssembly, styleChart, styleGlobe, styleLights, styleField, styleBubbles, styleBorder} {
		a, b := enc(style, "one"), enc(style, "one")
		if !bytes.Equal(a, b) {
			t.Errorf("%s: same seed, different pictures", style)
		}
		if style != styleBorder && bytes.Equal(a, enc(style, "two")) {
			t.Errorf("%s: different seeds, same picture", style)
		}
	}
	if bytes.Equal(pngBytes(t, portrait("a@example.com", 64)), pngBytes(t, portrait("b@example.com", 64))) &&
		bytes.Equal(pngBytes(t, portrait("a@example.com", 64)), pngBytes(t, portrait("c@example.com", 64))) {
		t.Error("portraits do not vary")
	}
}

func pngBytes(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
