package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// auditPages are the reader page types, with the demo paper's data: the
// layouts, the sub-section, both languages of story, and the rest of the
// chrome the catalog translates.
var auditPages = []string{
	"/", "/section/national", "/section/politics", "/tag/" + url.PathEscape("북한"), "/author/kang-seung-woo",
	seedPath, koreanPath, "/search?q=" + url.QueryEscape("북한"), "/corrections", "/2020/03/", "/no-such-page",
}

// readerAuditFile returns a file of the page-audit tools
// (../shared/audit/install.sh), skipping the test without them locally and
// failing it under CI.
func readerAuditFile(t *testing.T, rel string) string {
	t.Helper()
	home := os.Getenv("MASTHEAD_AUDIT_HOME")
	if home == "" {
		h, _ := os.UserHomeDir()
		home = filepath.Join(h, ".cache", "masthead-audit")
	}
	p := filepath.Join(home, rel)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s not found; CI requires the page-audit tools (shared/audit/install.sh)", p)
		}
		t.Skipf("%s not found (set MASTHEAD_AUDIT_HOME or run the audit install.sh)", p)
	}
	return p
}

// TestReaderPagesAxe runs axe-core on every reader page type at 1280 and
// 390 px, the phone with the All sections menu open too: no serious or
// critical violation.
func TestReaderPagesAxe(t *testing.T) {
	src, err := os.ReadFile(readerAuditFile(t, "node_modules/axe-core/axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	chromium(t)
	s := demoServer(t)
	ctx := newBrowser(t, 1280, 900)
	for _, width := range []int64{1280, 390} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900)); err != nil {
			t.Fatal(err)
		}
		for _, p := range auditPages {
			steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(s.URL + p), chromedp.WaitVisible(chromedp.CSS("main h1"))}
			if width == 390 && p == "/section/national" {
				steps = append(steps, chromedp.Click(chromedp.CSS(".nav-all summary")), chromedp.WaitVisible(chromedp.CSS(".nav-all > ul")))
			}
			if err := chromedp.Do(ctx, append(steps, chromedp.Evaluate[chromedp.Void](string(src)))...); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			// passes: that axe ran its rules at all.
			out := eval[string](ctx, t, `axe.run(document).then(r => JSON.stringify({passes: r.passes.length, violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 3)}))}))`,
				chromedp.EvalAwaitPromise)
			var res struct {
				Passes     int
				Violations json.RawMessage
			}
			if err := json.Unmarshal([]byte(out), &res); err != nil || res.Passes < 10 {
				t.Fatalf("axe on %s: %d rules passed (%v): did it run?", p, res.Passes, err)
			}
			out = string(res.Violations)
			var vs []struct {
				ID, Impact, Help string
				Nodes            []string
			}
			if err := json.Unmarshal([]byte(out), &vs); err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				if v.Impact == "serious" || v.Impact == "critical" {
					t.Errorf("%s at %d px: %s (%s) %s: %v", p, width, v.ID, v.Impact, v.Help, v.Nodes)
				} else {
					t.Logf("%s at %d px: %s (%s) %s: %v", p, width, v.ID, v.Impact, v.Help, v.Nodes)
				}
			}
		}
	}
}

// TestReaderPagesNuChecker saves every reader page type as the server
// sends it and runs the W3C Nu checker on the files: no errors.
func TestReaderPagesNuChecker(t *testing.T) {
	if testing.Short() {
		t.Skip("vnu is slow to start")
	}
	jar := readerAuditFile(t, "node_modules/vnu-jar/build/dist/vnu.jar")
	java, err := exec.LookPath("java")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("java not found; CI requires it for the Nu checker")
		}
		t.Skip("java not found")
	}
	s := demoServer(t)
	dir := t.TempDir()
	var files []string
	for i, p := range auditPages {
		_, body := get(t, s.URL+p)
		f := filepath.Join(dir, fmt.Sprintf("page%02d.html", i))
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
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
	for _, m := range res.Messages {
		if m.Type != "error" && m.Type != "non-document-error" {
			continue
		}
		page := m.URL
		for i, f := range files {
			if strings.HasSuffix(m.URL, filepath.Base(f)) {
				page = auditPages[i]
			}
		}
		t.Errorf("%s line %d: %s (%q)", page, m.LastLine, m.Message, m.Extract)
	}
}
