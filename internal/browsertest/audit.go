package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// AuditHome is where ../shared/audit/install.sh put the page-audit tools:
// MASTHEAD_AUDIT_HOME, else ~/.cache/masthead-audit (what .ci/run uses).
func AuditHome() string {
	if h := os.Getenv("MASTHEAD_AUDIT_HOME"); h != "" {
		return h
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "masthead-audit")
}

// AuditFile returns a file of the page-audit tools, skipping the test (or
// failing it under CI, which installs them) when it is not there.
func AuditFile(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(AuditHome(), rel)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s not found; CI requires the page-audit tools (shared/audit/install.sh)", p)
		}
		t.Skipf("%s not found (set MASTHEAD_AUDIT_HOME or run the audit install.sh)", p)
	}
	return p
}

// AxeSource is axe-core's script, to evaluate in a page before Axe.
func AxeSource(t testing.TB) string {
	t.Helper()
	src, err := os.ReadFile(AuditFile(t, "node_modules/axe-core/axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	return string(src)
}

// AxeViolation is one rule axe-core found broken, with up to three of the
// elements that break it.
type AxeViolation struct {
	ID, Impact, Help string
	Nodes            []string
}

// Serious reports whether the violation is one the audits refuse.
func (v AxeViolation) Serious() bool { return v.Impact == "serious" || v.Impact == "critical" }

func (v AxeViolation) String() string {
	return fmt.Sprintf("%s (%s) %s: %v", v.ID, v.Impact, v.Help, v.Nodes)
}

// Axe loads axe-core (src, from AxeSource) into the page in ctx and runs
// it, returning the rules the page breaks.
func Axe(ctx context.Context, src string) ([]AxeViolation, error) {
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](src)); err != nil {
		return nil, fmt.Errorf("load axe: %w", err)
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`axe.run(document).then(r => JSON.stringify({passes: r.passes.length, violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 3)}))}))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, err
	}
	var res struct {
		Passes     int
		Violations []AxeViolation
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		return nil, fmt.Errorf("axe output: %w", err)
	}
	// A page axe found nothing to check on is a broken run, not a pass.
	if res.Passes < 10 {
		return nil, fmt.Errorf("axe passed only %d rules: did it run?", res.Passes)
	}
	return res.Violations, nil
}

// NuError is an error the W3C Nu checker found in one of the files given
// to NuErrors (Page is its index there).
type NuError struct {
	Page             int
	Line             int
	Message, Extract string
}

// NuErrors runs the Nu checker (vnu, from the audit tools, on Java) on
// saved pages (its HTTP client stalls on gzip bodies) and returns their
// errors. Without Java the test is skipped, or fails under CI.
func NuErrors(t testing.TB, files []string) []NuError {
	t.Helper()
	jar := AuditFile(t, "node_modules/vnu-jar/build/dist/vnu.jar")
	java, err := exec.LookPath("java")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("java not found; CI requires it for the Nu checker")
		}
		t.Skip("java not found")
	}
	out, err := exec.Command(java, append([]string{"-Xss1m", "-jar", jar, "--format", "json", "--stdout", "--exit-zero-always"}, files...)...).Output()
	if err != nil {
		t.Fatalf("vnu: %v", err)
	}
	var res struct {
		Messages []struct {
			Type, URL, Message, Extract string
			LastLine                    int
		}
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("vnu output: %v\n%s", err, out)
	}
	var errs []NuError
	for _, m := range res.Messages {
		if m.Type != "error" && m.Type != "non-document-error" {
			continue
		}
		e := NuError{Page: -1, Line: m.LastLine, Message: m.Message, Extract: m.Extract}
		for i, f := range files {
			if filepath.Base(m.URL) == filepath.Base(f) {
				e.Page = i
			}
		}
		errs = append(errs, e)
	}
	return errs
}

// NuCheck saves each page's HTML (bodies[i], named names[i]) and fails
// the test with every error the Nu checker finds, naming the page.
func NuCheck(t testing.TB, names, bodies []string) {
	t.Helper()
	dir := t.TempDir()
	files := make([]string, len(bodies))
	for i, body := range bodies {
		files[i] = filepath.Join(dir, fmt.Sprintf("page%02d.html", i))
		if err := os.WriteFile(files[i], []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range NuErrors(t, files) {
		page := "?"
		if e.Page >= 0 && e.Page < len(names) {
			page = names[e.Page]
		}
		t.Errorf("%s line %d: %s (%q)", page, e.Line, e.Message, e.Extract)
	}
}
