// Package archtest holds the line the architecture draws: imports point one
// way, cmd → adapters → news, and only cmd knows the database drivers.
package archtest

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func deps(t *testing.T, pkg string) []string {
	t.Helper()
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	out, err := exec.Command(gobin, "list", "-deps", "-f", "{{.ImportPath}}", pkg).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}

func TestImportDirection(t *testing.T) {
	tests := []struct {
		pkg       string
		forbidden []string // prefixes
	}{
		// The domain imports nothing of ours and no driver.
		{"masthead/internal/news", []string{"masthead/internal/store", "masthead/internal/site", "masthead/internal/newsroom",
			"modernc.org/sqlite", "github.com/jackc/pgx", "net/http"}},
		// Adapters speak to news.Store, never to a particular database.
		{"masthead/internal/site", []string{"masthead/internal/store", "modernc.org/sqlite", "github.com/jackc/pgx"}},
		{"masthead/internal/api", []string{"masthead/internal/store", "modernc.org/sqlite", "github.com/jackc/pgx"}},
		{"masthead/internal/newsroom", []string{"masthead/internal/store", "modernc.org/sqlite", "github.com/jackc/pgx"}},
		{"masthead/internal/feed", []string{"masthead/internal/store", "modernc.org/sqlite", "github.com/jackc/pgx"}},
		{"masthead/internal/sitemap", []string{"masthead/internal/store", "modernc.org/sqlite", "github.com/jackc/pgx"}},
		{"masthead/internal/views", []string{"masthead/internal/store", "modernc.org/sqlite", "github.com/jackc/pgx"}},
		{"masthead/internal/importer", []string{"masthead/internal/store", "modernc.org/sqlite", "github.com/jackc/pgx"}},
		{"masthead/internal/workflow", []string{"masthead/internal/store", "masthead/internal/site", "net/http"}},
		// Stores do not know the web.
		{"masthead/internal/store/sqlite", []string{"masthead/internal/site", "masthead/internal/newsroom", "net/http"}},
		{"masthead/internal/store/postgres", []string{"masthead/internal/site", "masthead/internal/newsroom"}},
	}
	for _, tt := range tests {
		for _, d := range deps(t, tt.pkg) {
			for _, f := range tt.forbidden {
				if d == f || strings.HasPrefix(d, f+"/") {
					t.Errorf("%s depends on %s", tt.pkg, d)
				}
			}
		}
	}
}
