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
		// Integrations (issue 18): adapters like the others; the wire
		// reader knows nothing of the paper.
		{"masthead/internal/integrations", []string{"masthead/internal/store", "modernc.org/sqlite", "github.com/jackc/pgx"}},
		{"masthead/internal/ghostapi", []string{"masthead/internal/store", "modernc.org/sqlite", "github.com/jackc/pgx", "masthead/internal/site"}},
		{"masthead/internal/adminapi", []string{"masthead/internal/store", "modernc.org/sqlite", "github.com/jackc/pgx", "masthead/internal/site"}},
		{"masthead/internal/webhooks", []string{"masthead/internal/store", "modernc.org/sqlite", "github.com/jackc/pgx", "masthead/internal/site"}},
		{"masthead/internal/ninjs", []string{"masthead/internal/"}},
		{"masthead/internal/wire", []string{"masthead/internal/store", "modernc.org/sqlite", "github.com/jackc/pgx", "masthead/internal/site"}},
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

// TestOnlyCmdOpensAStore walks every package of the module: outside cmd/,
// nothing may depend on a store implementation (programs that open one, such
// as load tools, live in cmd/), and each database driver stays inside its
// store (testpg, the tests' PostgreSQL schema helper, speaks pgx too).
func TestOnlyCmdOpensAStore(t *testing.T) {
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	out, err := exec.Command(gobin, "list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, "masthead/...").Output()
	if err != nil {
		t.Fatalf("go list masthead/...: %v", err)
	}
	allowed := map[string][]string{ // dependency prefix -> packages that may have it
		"masthead/internal/store/sqlite":   {"masthead/cmd/", "masthead/internal/store/sqlite"},
		"masthead/internal/store/postgres": {"masthead/cmd/", "masthead/internal/store/postgres"},
		"modernc.org/sqlite":               {"masthead/cmd/", "masthead/internal/store/sqlite"},
		"github.com/jackc/pgx":             {"masthead/cmd/", "masthead/internal/store/postgres", "masthead/internal/testpg"},
	}
	pkgs := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkg := f[0]
		pkgs++
		for _, d := range f[1:] {
			for dep, who := range allowed {
				if d != dep && !strings.HasPrefix(d, dep+"/") {
					continue
				}
				ok := false
				for _, w := range who {
					ok = ok || pkg == w || strings.HasSuffix(w, "/") && strings.HasPrefix(pkg, w)
				}
				if !ok {
					t.Errorf("%s depends on %s: only cmd/ may open a store", pkg, d)
				}
			}
		}
	}
	if pkgs < 10 {
		t.Fatalf("go list found only %d packages", pkgs)
	}
}
