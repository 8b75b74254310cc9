package importer

import (
	"context"
	"os"
	"testing"
	"time"
)

func benchParse(b *testing.B, path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := parse(path, data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseSeed(b *testing.B)     { benchParse(b, "testdata/seed.txt") }
func BenchmarkParseHTML(b *testing.B)     { benchParse(b, "testdata/article.html") }
func BenchmarkParseMarkdown(b *testing.B) { benchParse(b, "testdata/korean.md") }

// BenchmarkReimportSeed is the cost of importing a story that is already
// stored (parse, lookups, update) on a SQLite file.
func BenchmarkReimportSeed(b *testing.B) {
	st := openStore(b)
	ctx := context.Background()
	opt := Options{CreateSections: true, Publish: true, Now: time.Now()}
	if _, err := Import(ctx, st, []string{"testdata/seed.txt"}, opt); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Import(ctx, st, []string{"testdata/seed.txt"}, opt); err != nil {
			b.Fatal(err)
		}
	}
}
