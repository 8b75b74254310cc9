package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// The end-to-end tests run the real binary, as an operator would: built
// once, started on a free loopback port with a fresh data folder.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func masthead(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "masthead-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "masthead")
		gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
		out, err := exec.Command(gobin, "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// server is a running `masthead serve`.
type server struct {
	URL  string
	Data string
	cmd  *exec.Cmd
	out  *lockedBuffer // stdout
	logs *lockedBuffer // stderr: the structured log
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

var listenRE = regexp.MustCompile(`listening on (https?://\S+)`)

// startServer runs serve with a temp data folder and waits for its address;
// the test's cleanup stops it.
func startServer(t *testing.T, extra ...string) *server {
	t.Helper()
	s, err := launch(t.TempDir(), extra...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Error(err)
		}
		if t.Failed() {
			t.Logf("serve stdout:\n%s\nserve log (tail):\n%s", s.out.String(), tail(s.logs.String(), 4000))
		}
	})
	return s
}

var (
	sharedOnce sync.Once
	sharedSrv  *server
	sharedErr  error
	sharedDir  string
)

// demoServer is one demo paper shared by the tests that only read it or add
// to it: creating the demo paper (photos included) takes seconds, and every
// test paying for it would make the suite slow for nothing. TestMain stops it.
func demoServer(t *testing.T) *server {
	t.Helper()
	masthead(t)
	sharedOnce.Do(func() {
		sharedDir, sharedErr = os.MkdirTemp("", "masthead-e2e-")
		if sharedErr == nil {
			sharedSrv, sharedErr = launch(sharedDir, "--demo-photo-width", "480")
		}
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("serve stdout:\n%s\nserve log (tail):\n%s", sharedSrv.out.String(), tail(sharedSrv.logs.String(), 4000))
		}
	})
	return sharedSrv
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedSrv != nil {
		if err := sharedSrv.stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	if sharedDir != "" {
		os.RemoveAll(sharedDir)
	}
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

func launch(data string, extra ...string) (*server, error) {
	// No drain by default: every test stops its servers, and only the
	// drain test needs to wait for a load balancer that is not there.
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--drain", "0s", "--data", data}, extra...)
	cmd := exec.Command(binPath, args...)
	cmd.Env = cleanEnv()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	s := &server{Data: data, cmd: cmd, out: &lockedBuffer{}, logs: &lockedBuffer{}}
	cmd.Stderr = s.logs
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			s.out.Write([]byte(line + "\n"))
			if m := listenRE.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case s.URL = <-found:
		return s, nil
	case <-time.After(3 * time.Minute):
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("serve printed no address within 3 minutes; log:\n%s", tail(s.logs.String(), 4000))
	}
}

// stop sends SIGINT, as an operator's Ctrl-C, and waits for a clean exit.
func (s *server) stop() error {
	_ = s.cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("serve exited with %v after SIGINT", err)
		}
		return nil
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		return fmt.Errorf("serve did not stop within 15 s of SIGINT")
	}
}

// cleanEnv drops MASTHEAD_* settings of the developer's shell so the test
// runs what it says.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MASTHEAD_") {
			env = append(env, kv)
		}
	}
	return env
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

const seedPath = "/2020/03/22/is-trumps-second-letter-to-nk-leader-for-dialogue-or-status-quo"

func TestServeDemoPaper(t *testing.T) {
	s := demoServer(t)
	if !strings.Contains(s.out.String(), "/newsroom/") {
		t.Errorf("first run did not print how to sign in to the newsroom:\n%s", s.out.String())
	}
	// The sitemaps' archive survey is built at start, before any crawler
	// asks (sitemap.Warm was never called).
	for i := 0; !strings.Contains(s.logs.String(), "sitemap survey warmed"); i++ {
		if i == 600 {
			t.Fatalf("no sitemap survey at start; log:\n%s", tail(s.logs.String(), 2000))
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, path := range []string{"/", seedPath, "/healthz", "/readyz", "/robots.txt", "/feed.xml", "/sitemap.xml", "/section/north-korea"} {
		if code, _ := get(t, s.URL+path); code != 200 {
			t.Errorf("GET %s: %d", path, code)
		}
	}
	_, page := get(t, s.URL+seedPath)
	// The access log: a line per request, the proxy's request id kept,
	// written within a second (it is batched).
	req, _ := http.NewRequest("GET", s.URL+seedPath, nil)
	req.Header.Set("X-Request-Id", "e2e-access-log-1")
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
		if got := resp.Header.Get("X-Request-Id"); got != "e2e-access-log-1" {
			t.Errorf("X-Request-Id %q, want the client's", got)
		}
	}
	line := "msg=request request_id=e2e-access-log-1 method=GET path=" + seedPath + " status=200 bytes="
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(s.logs.String(), line); {
		if time.Now().After(deadline) {
			t.Fatalf("no access log line %q within 5 s", line)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Every content line of the capture is on the page.
	seed, err := os.ReadFile(filepath.Join("..", "..", "internal", "demo", "content", "000_9336f6bec77fb175.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Is Trump&#39;s second letter to NK leader for dialogue or status quo?",
		"By <a", "Kang Seung-woo", "ksw@koreatimes.co.kr", "Korea Times file", "Top 10 Stories", "Back to top",
		"Facebook", "X (Twitter)", "KakaoTalk", "Mail", "Copy link",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("seed page lacks %q", want)
		}
	}
	text := htmlText(page)
	for _, para := range seedParagraphs(string(seed)) {
		if !strings.Contains(text, para) {
			t.Errorf("seed page lacks the paragraph %.60q…", para)
		}
	}
}

// seedParagraphs returns the body paragraphs of the capture: the long lines.
func seedParagraphs(s string) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if len(line) > 120 && !strings.Contains(line, "/ Korea Times file") {
			out = append(out, line)
		}
	}
	return out
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// htmlText is the page's text with tags dropped and the few entities
// html/template writes turned back, enough to compare paragraphs.
func htmlText(page string) string {
	s := tagRE.ReplaceAllString(page, "")
	r := strings.NewReplacer("&#34;", `"`, "&#39;", "'", "&quot;", `"`, "&amp;", "&", "&lt;", "<", "&gt;", ">", "&rsquo;", "’")
	return r.Replace(s)
}

// A story imported from the command line while serve runs is on the site
// within a second, and import --json prints id, url and headline.
func TestImportWhileServing(t *testing.T) {
	s := demoServer(t)
	md := filepath.Join(t.TempDir(), "story.md")
	if err := os.WriteFile(md, []byte(`---
headline: Seoul opens a night market on the Han River
section: National
authors:
  - name: Test Reporter
    email: test@example.com
published: 2026-11-20T10:00:00+09:00
---
The city opened a night market on the banks of the Han River on Friday.
`), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(masthead(t), "import", "--create-sections", "--data", s.Data, "--publish", "--json", md)
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	var got struct {
		ID       int64  `json:"id"`
		URL      string `json:"url"`
		Headline string `json:"headline"`
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
		t.Fatalf("import --json printed %q: %v", out, err)
	}
	// The last line sums up the run (PRODUCT.md's import --json).
	if len(lines) != 2 || !strings.HasPrefix(lines[1], `{"summary":{"stories":1,"pages":0,"authors":1,"sections":1,"tags":0,"photos":0,"photos_missing":0,"comments":0,"redirects":0}}`) {
		t.Errorf("import --json summary line: %q", lines)
	}
	if got.ID == 0 || got.Headline != "Seoul opens a night market on the Han River" ||
		!strings.HasPrefix(got.URL, s.URL+"/2026/11/20/") {
		t.Fatalf("import --json: %+v (server %s)", got, s.URL)
	}
	deadline := time.Now().Add(time.Second)
	for {
		code, body := get(t, got.URL)
		_, front := get(t, s.URL+"/")
		if code == 200 && strings.Contains(body, "night market") && strings.Contains(front, "night market") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("imported story not on the running site within a second (story %d, front has it: %v)",
				code, strings.Contains(front, "night market"))
		}
		time.Sleep(50 * time.Millisecond)
	}

	// A file the importer cannot understand fails, names the file, and
	// changes nothing.
	bad := filepath.Join(t.TempDir(), "bad.md")
	os.WriteFile(bad, []byte("---\nheadline: x\npublished: yesterday\n---\nbody\n"), 0o644)
	cmd = exec.Command(masthead(t), "import", "--create-sections", "--data", s.Data, "--publish", md, bad)
	cmd.Env = cleanEnv()
	out, err = cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "bad.md") {
		t.Fatalf("bad import: err %v, output %q", err, out)
	}
}

func TestCommandErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, "unknown command"},
		{[]string{"import"}, "at least one FILE"},
		{[]string{"serve", "--timezone", "Mars/Olympus"}, "timezone"},
		{[]string{"user", "add", "--email", "nobody", "--name", "N", "--role", "editor"}, "not an e-mail"},
		{[]string{"user", "add", "--email", "a@b.c", "--name", "N", "--role", "king"}, "--role"},
	}
	for _, tt := range tests {
		cmd := exec.Command(masthead(t), append(tt.args, "--data", t.TempDir())...)
		cmd.Env = cleanEnv()
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), tt.want) {
			t.Errorf("masthead %v: err %v, output %q, want it to mention %q", tt.args, err, out, tt.want)
		}
	}
	out, err := exec.Command(masthead(t), "version").Output()
	if err != nil || !strings.HasPrefix(string(out), "masthead ") {
		t.Errorf("version: %v %q", err, out)
	}
}
