package site

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The site reads through news.Store only; a store package imported here
// would tie the reader pages to one database (ARCHITECTURE: imports point
// one way). Tests may open a real store.
func TestNoStoreImports(t *testing.T) {
	for _, dir := range []string{".", "../render", "../web", "../api"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, im := range af.Imports {
				p, _ := strconv.Unquote(im.Path.Value)
				if strings.HasPrefix(p, "masthead/internal/store") || strings.HasPrefix(p, "masthead/cmd") {
					t.Errorf("%s imports %s", f, p)
				}
			}
		}
	}
}
