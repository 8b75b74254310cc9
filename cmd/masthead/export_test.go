package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// themeExport finds the WordPress theme unit test export in ../shared/corpus.
func themeExport(t *testing.T) string {
	t.Helper()
	wd, _ := os.Getwd()
	for d := wd; filepath.Dir(d) != d; d = filepath.Dir(d) {
		p := filepath.Join(d, "shared", "corpus", "wordpress-theme-unit-test.xml")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skip("../shared/corpus/wordpress-theme-unit-test.xml not found")
	return ""
}

func runMasthead(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(masthead(t), args...)
	cmd.Env = cleanEnv()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("masthead %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String()
}

// TestImportExportCommands: `masthead import --json` of a WordPress export
// prints every story with an address that exists (its public page, or its
// newsroom editor for a draft) and the summary line; `masthead export`
// writes an archive that `masthead import` reads into an empty paper, whose
// pages are the first paper's byte for byte. Without --create-sections the
// export's categories are refused and nothing is written.
func TestImportExportCommands(t *testing.T) {
	wxr := themeExport(t)
	dirA, dirB := t.TempDir(), t.TempDir()
	const base = "https://paper.example"

	cmd := exec.Command(masthead(t), "import", "--data", dirA, "--json", wxr)
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "--create-sections") {
		t.Fatalf("import without --create-sections: %v\n%.500s", err, out)
	}

	out2 := runMasthead(t, "import", "--data", dirA, "--base-url", base, "--create-sections", "--json", wxr)
	type line struct {
		ID       int64
		URL      string
		Headline string
		Status   string
		Kind     string
		Summary  *struct {
			Stories, Pages, Authors, Sections, Tags, Comments, Redirects int
			PhotosMissing                                                int `json:"photos_missing"`
		}
	}
	var stories, pages []line
	var sum *line
	sc := bufio.NewScanner(strings.NewReader(out2))
	for sc.Scan() {
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("import --json line %q: %v", sc.Text(), err)
		}
		if l.Summary != nil {
			sum = &l
			continue
		}
		if l.Kind == "page" {
			pages = append(pages, l)
			continue
		}
		stories = append(stories, l)
	}
	if len(stories) != 51 || len(pages) != 21 || sum == nil || sum.Summary.Stories != 51 || sum.Summary.Pages != 21 || sum.Summary.Authors != 3 || sum.Summary.Sections != 67 ||
		sum.Summary.Comments == 0 || sum.Summary.Redirects == 0 || sum.Summary.PhotosMissing == 0 {
		t.Fatalf("%d stories, %d pages, summary %+v", len(stories), len(pages), sum)
	}

	arc := filepath.Join(t.TempDir(), "paper.tar.gz")
	if got := runMasthead(t, "export", "--data", dirA, "--out", arc); !strings.Contains(got, "exported") {
		t.Errorf("export printed %q", got)
	}
	got := runMasthead(t, "import", "--data", dirB, "--json", arc)
	var back struct{ Summary map[string]int }
	if err := json.Unmarshal([]byte(got), &back); err != nil || back.Summary["stories"] != 51 || back.Summary["sections"] != 67 ||
		back.Summary["photos_missing"] != sum.Summary.PhotosMissing || back.Summary["comments"] != sum.Summary.Comments {
		t.Errorf("import of the archive printed %q (import said %+v)", got, sum.Summary)
	}
	// Into a paper that is not empty: refused.
	cmd = exec.Command(masthead(t), "import", "--data", dirB, arc)
	cmd.Env = cleanEnv()
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "not empty") {
		t.Errorf("second import of the archive: %v %s", err, out)
	}

	srvA := startServer(t, "--data", dirA, "--no-demo", "--base-url", base)
	srvB := startServer(t, "--data", dirB, "--no-demo", "--base-url", base)
	fetch := func(u string) (int, string) {
		resp, err := noRedirect.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	compared := 0
	for _, s := range stories {
		path := strings.TrimPrefix(s.URL, base)
		if path == s.URL || strings.Contains(path, "/newsroom/articles/") {
			t.Fatalf("%q: url %s", s.Headline, s.URL)
		}
		code, pageA := fetch(srvA.URL + path)
		switch {
		case s.Status != "published":
			if code != http.StatusSeeOther || !strings.HasPrefix(path, "/newsroom/stories/") {
				t.Errorf("%q (%s): GET %s: %d", s.Headline, s.Status, path, code)
			}
		case s.Status == "published":
			if code != http.StatusOK {
				t.Errorf("%q: GET %s: %d", s.Headline, path, code)
			}
			if compared < 5 {
				if _, pageB := fetch(srvB.URL + path); pageA != pageB {
					t.Errorf("%s: the imported export's page differs", path)
				}
				compared++
			}
		}
	}
	if compared == 0 {
		t.Error("no published story to compare")
	}
	// The pages' printed addresses answer too, the same on both papers.
	for _, pg := range pages {
		path := strings.TrimPrefix(pg.URL, base)
		code, pageA := fetch(srvA.URL + path)
		switch {
		case pg.Status != "published":
			if code != http.StatusSeeOther || !strings.HasPrefix(path, "/newsroom/pages/") {
				t.Errorf("page %q (%s): GET %s: %d", pg.Headline, pg.Status, path, code)
			}
		case code != http.StatusOK:
			t.Errorf("page %q: GET %s: %d", pg.Headline, path, code)
		default:
			if _, pageB := fetch(srvB.URL + path); pageA != pageB {
				t.Errorf("%s: the imported export's page differs", path)
			}
		}
	}
}
