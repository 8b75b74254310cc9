package main

import (
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// Helpers for the reliability tests (backup, crash, soak): a newsroom
// client that signs in and sends forms as a browser would, and raw access
// to the SQLite file for integrity checks and row-by-row comparisons.

var adminRE = regexp.MustCompile(`as (\S+@\S+) with password (\S+) `)

// adminLogin reads the first run's admin e-mail and password from serve's
// stdout.
func adminLogin(t *testing.T, s *server) (email, password string) {
	t.Helper()
	m := adminRE.FindStringSubmatch(s.out.String())
	if m == nil {
		t.Fatalf("serve printed no admin password:\n%s", s.out.String())
	}
	return m[1], m[2]
}

// kill ends the server with SIGKILL, as a power cut or the OOM killer would.
func (s *server) kill() {
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}

// newsroomClient is a signed-in editor: a cookie jar (cookies are per host,
// not per port, so the session survives a restart on another port) and the
// session's CSRF token.
type newsroomClient struct {
	c    *http.Client
	csrf string
}

func newNewsroomClient() *newsroomClient {
	jar, _ := cookiejar.New(nil)
	return &newsroomClient{c: &http.Client{
		Jar:     jar,
		Timeout: 20 * time.Second,
		// The tests look at each 303 themselves.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (n *newsroomClient) signIn(base, email, password string) error {
	resp, err := n.c.Get(base + "/newsroom/signin")
	if err != nil {
		return err
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfRE.FindSubmatch(page)
	if m == nil {
		return fmt.Errorf("sign-in page has no CSRF field")
	}
	resp, err = n.c.PostForm(base+"/newsroom/signin", url.Values{
		"csrf": {string(m[1])}, "email": {email}, "password": {password}, "next": {"/newsroom/"},
	})
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("sign in: %s", resp.Status)
	}
	return n.refreshCSRF(base)
}

// refreshCSRF reads the session's CSRF token from the story form.
func (n *newsroomClient) refreshCSRF(base string) error {
	resp, err := n.c.Get(base + "/newsroom/stories/new")
	if err != nil {
		return err
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfRE.FindSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil {
		return fmt.Errorf("story form: %s, CSRF field found: %v", resp.Status, m != nil)
	}
	n.csrf = string(m[1])
	return nil
}

var storyIDRE = regexp.MustCompile(`^/newsroom/stories/(\d+)\?`)

// post sends a form and returns the status and the Location header.
func (n *newsroomClient) post(base, path string, form url.Values) (int, string, error) {
	form.Set("csrf", n.csrf)
	resp, err := n.c.PostForm(base+path, form)
	if err != nil {
		return 0, "", err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location"), nil
}

// createStory posts the new-story form; the id is known only when the
// server acknowledged it with its redirect.
func (n *newsroomClient) createStory(base, headline, body string) (int64, error) {
	code, loc, err := n.post(base, "/newsroom/stories", url.Values{"headline": {headline}, "body": {body}})
	if err != nil {
		return 0, err
	}
	m := storyIDRE.FindStringSubmatch(loc)
	if code != http.StatusSeeOther || m == nil {
		return 0, fmt.Errorf("create story: %d %q", code, loc)
	}
	return strconv.ParseInt(m[1], 10, 64)
}

func (n *newsroomClient) saveStory(base string, id int64, headline, body string) error {
	code, loc, err := n.post(base, fmt.Sprintf("/newsroom/stories/%d", id), url.Values{"headline": {headline}, "body": {body}})
	if err != nil {
		return err
	}
	if code != http.StatusSeeOther || !strings.Contains(loc, "done=saved") {
		return fmt.Errorf("save story %d: %d %q", id, code, loc)
	}
	return nil
}

func (n *newsroomClient) publish(base string, id int64) error {
	code, loc, err := n.post(base, fmt.Sprintf("/newsroom/stories/%d/publish", id), url.Values{})
	if err != nil {
		return err
	}
	if code != http.StatusSeeOther || !strings.Contains(loc, "done=publish") {
		return fmt.Errorf("publish story %d: %d %q", id, code, loc)
	}
	return nil
}

// runImport imports one Markdown story with the CLI beside the server.
func runImport(bin, data, dir, headline string) error {
	md := filepath.Join(dir, strings.ReplaceAll(strings.ToLower(headline), " ", "-")+".md")
	text := fmt.Sprintf("---\nheadline: %s\nsection: Imports\nauthors:\n  - name: Wire Desk\ntags: [wire, test]\npublished: 2026-11-20T10:00:00+09:00\n---\nImported text of %s.\n", headline, headline)
	if err := os.WriteFile(md, []byte(text), 0o644); err != nil {
		return err
	}
	cmd := exec.Command(bin, "import", "--create-sections", "--data", data, "--publish", md)
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("import %s: %v\n%s", headline, err, out)
	}
	return nil
}

// openRaw opens an SQLite file with the driver alone, as a third party
// would: read-write, so a WAL left by a crash is recovered.
func openRaw(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func integrityOK(t *testing.T, db *sql.DB) {
	t.Helper()
	var res string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity_check: %q, %v", res, err)
	}
	rows, err := db.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if rows.Next() {
		t.Fatalf("foreign_key_check reports violations")
	}
}

// tableNames lists the database's ordinary tables from sqlite_master:
// FTS5's shadow tables are among them, the virtual table itself is not
// (its content is its shadow tables).
func tableNames(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	return names
}

// dumpTables returns every row of every table, each row one string, sorted.
func dumpTables(t *testing.T, db *sql.DB) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, name := range tableNames(t, db) {
		if name == "leases" {
			// A running serve renews its scheduler lease every few
			// seconds: a backup taken a moment before holds the previous
			// expiry, rightly. It is liveness, not the paper.
			continue
		}
		rows, err := db.Query(`SELECT * FROM "` + name + `"`)
		if err != nil {
			t.Fatalf("dump %s: %v", name, err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for i, v := range vals {
				if i > 0 {
					b.WriteString(" | ")
				}
				switch v := v.(type) {
				case []byte:
					b.WriteString("x'" + hex.EncodeToString(v) + "'")
				case time.Time:
					b.WriteString(v.UTC().Format(time.RFC3339Nano))
				default:
					fmt.Fprintf(&b, "%T:%v", v, v)
				}
			}
			lines = append(lines, b.String())
		}
		rows.Close()
		slices.Sort(lines)
		out[name] = lines
	}
	return out
}

// sameTables compares two dumps table by table and row by row.
func sameTables(t *testing.T, what string, want, got map[string][]string) {
	t.Helper()
	for name := range want {
		if _, ok := got[name]; !ok {
			t.Errorf("%s: table %s missing", what, name)
		}
	}
	for name, g := range got {
		w, ok := want[name]
		if !ok {
			t.Errorf("%s: unexpected table %s", what, name)
			continue
		}
		if len(w) != len(g) {
			t.Errorf("%s: table %s has %d rows, want %d", what, name, len(g), len(w))
			continue
		}
		for i := range w {
			if w[i] != g[i] {
				t.Errorf("%s: table %s differs:\n got  %.200s\n want %.200s", what, name, g[i], w[i])
				break
			}
		}
	}
}

func viewsTotal(t *testing.T, db *sql.DB) int64 {
	t.Helper()
	var n sql.NullInt64
	if err := db.QueryRow(`SELECT sum(count) FROM article_views`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n.Int64
}

// beacon sends one view as a distinct reader (its own browser string):
// readers are counted once per story per day.
func beacon(c *http.Client, base string, id int64, reader int) (bool, error) {
	req, _ := http.NewRequest("POST", base+"/api/v1/views", strings.NewReader(fmt.Sprintf(`{"article_id":%d}`, id)))
	req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	req.Header.Set("User-Agent", fmt.Sprintf("Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.%d", reader))
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	// Each reader at an address of its own: one address adds only a few
	// views per story. The server must trust loopback as its proxy
	// (--trusted-proxies 127.0.0.0/8).
	req.Header.Set("X-Forwarded-For", readerIP(reader))
	resp, err := c.Do(req)
	if err != nil {
		return false, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusNoContent, nil
}

// readerIP is the n-th test reader's address.
func readerIP(n int) string { return fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255) }
