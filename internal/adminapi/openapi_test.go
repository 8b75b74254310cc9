package adminapi_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"masthead/internal/adminapi"
)

// redocly finds the validator .ci/run installs (npm ci in
// internal/ghostapi/clienttest). Locally it is skipped with how to get it;
// under CI it must be there.
func redocly(t *testing.T) string {
	t.Helper()
	bin, _ := filepath.Abs("../ghostapi/clienttest/node_modules/.bin/redocly")
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("@redocly/cli is not installed (%v): .ci/run runs npm ci in internal/ghostapi/clienttest", err)
		}
		t.Skipf("@redocly/cli is not installed: run `npm ci` in internal/ghostapi/clienttest; %v", err)
	}
	return bin
}

// TestOpenAPI validates the served document with Redocly's linter (the
// OpenAPI 3.1 schema and its recommended rules; any error or warning
// fails) and checks that it describes exactly the routes the API serves.
func TestOpenAPI(t *testing.T) {
	p := newPaper(t)
	var doc map[string]any
	if st := p.do(t, "GET", "/api/admin/v1/openapi.json", "", nil, &doc); st != 200 {
		t.Fatalf("GET openapi.json: %d", st)
	}
	if doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi = %v", doc["openapi"])
	}

	// Every route is documented, and nothing else is.
	var documented []string
	for path, item := range doc["paths"].(map[string]any) {
		for method := range item.(map[string]any) {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	served := adminapi.Routes()
	slices.Sort(documented)
	slices.Sort(served)
	if !slices.Equal(documented, served) {
		t.Errorf("documented %v\nserved     %v", documented, served)
	}

	bin := redocly(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "openapi.json")
	b, _ := json.MarshalIndent(doc, "", "  ")
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "lint", "--max-problems=100", file)
	cmd.Dir = dir
	// No telemetry or update checks: there is no network to reach.
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true", "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("redocly lint: %v\n%s", err, out)
	}
	if m := regexp.MustCompile(`(\d+) warnings?`).FindSubmatch(out); m != nil && string(m[1]) != "0" {
		t.Fatalf("redocly lint warns:\n%s", out)
	}
	if !strings.Contains(string(out), "is valid") {
		t.Fatalf("redocly lint did not say the document is valid:\n%s", out)
	}
}
