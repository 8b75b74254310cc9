package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/internal/news"
	"masthead/internal/store/postgres"
	"masthead/internal/testpg"
)

// Three nodes on one PostgreSQL database and one shared media folder: a
// story published through one is on the others within a second; when the
// scheduling leader dies another node publishes the next scheduled story,
// once; beacons spread over the nodes sum exactly.
func TestMultiNode(t *testing.T) {
	db := testpg.URL(t, "masthead_e2e")
	shared := t.TempDir() // the shared media folder
	masthead(t)

	// The first node creates the demo paper; the others join it.
	first, err := launch(shared, "--db", db, "--demo-photo-width", "480", "--trusted-proxies", "127.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	nodes := []*server{first}
	for range 2 {
		n, err := launch(shared, "--db", db, "--no-demo", "--trusted-proxies", "127.0.0.0/8")
		if err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, n)
	}
	stopped := map[*server]bool{}
	t.Cleanup(func() {
		for _, n := range nodes {
			if !stopped[n] {
				n.stop()
			}
			if t.Failed() {
				t.Logf("node %s log tail:\n%s", n.URL, tail(n.logs.String(), 2000))
			}
		}
	})
	for _, n := range nodes {
		if code, _ := get(t, n.URL+seedPath); code != 200 {
			t.Fatalf("node %s: seed story %d", n.URL, code)
		}
	}

	t.Run("publish on one, read on the others within a second", func(t *testing.T) {
		// Warm every node's cache with the front page first, so the test
		// proves invalidation rather than a cold render.
		for _, n := range nodes {
			get(t, n.URL+"/")
		}
		md := writeStory(t, "Ferry service resumes to Ulleung Island", time.Now().Add(-time.Hour))
		importTo(t, db, shared, md)
		deadline := time.Now().Add(time.Second)
		for _, n := range nodes[1:] {
			for {
				_, front := get(t, n.URL+"/")
				if strings.Contains(front, "Ferry service resumes") {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("node %s does not show the story a second after it was published", n.URL)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
	})

	t.Run("a story edited elsewhere reads as edited on every node", func(t *testing.T) {
		// Each node keeps the stories its pages and API read (nodecache)
		// until a change names them: the change feed must drop the copy
		// on every node, not only on the one that wrote.
		id := articleID(t, first.URL+seedPath)
		api := fmt.Sprintf("/api/v1/articles/%d", id)
		for _, n := range nodes {
			if code, _ := get(t, n.URL+api); code != 200 {
				t.Fatalf("node %s: %s: %d", n.URL, api, code)
			}
		}
		st, err := postgres.Open(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		a, err := st.FindArticleByID(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		a.Headline = "Ulleung ferry timetable, corrected"
		if err := st.UpdateArticle(context.Background(), a); err != nil {
			t.Fatal(err)
		}
		for _, n := range nodes {
			waitFor(t, n.URL+api, time.Second, `"headline":"Ulleung ferry timetable, corrected"`)
			waitFor(t, n.URL+seedPath, time.Second, "<title>Ulleung ferry timetable, corrected")
		}
	})

	t.Run("settings saved on one node apply on all without a restart", func(t *testing.T) {
		for _, n := range nodes {
			get(t, n.URL+"/") // cached, so the test shows them purged too
		}
		email, password := adminLogin(t, first)
		nc := newNewsroomClient()
		if err := nc.signIn(first.URL, email, password); err != nil {
			t.Fatal(err)
		}
		saveSettings(t, nc, first.URL, url.Values{"name": {"The Busan Courier"},
			"nav": {"Harbour | /section/harbour"}, "footer": {"Corrections policy | /corrections-policy"}})
		for _, n := range nodes {
			waitFor(t, n.URL+"/", time.Second, `<a class="brand" href="/">The Busan Courier</a>`,
				`<a href="/section/harbour">Harbour</a>`, `<a href="/corrections-policy">Corrections policy</a>`)
		}
	})

	t.Run("a section added on one node is in every node's menu at once", func(t *testing.T) {
		// Each node keeps the sections every page reads (nodecache) until
		// its change feed reports a change; were the copy not dropped
		// then, the other nodes would show the old menu for its TTL
		// (10 s), from pages rendered after the purge.
		for _, n := range nodes {
			get(t, n.URL+"/")
			get(t, n.URL+"/section/harbour")
		}
		email, password := adminLogin(t, first)
		nc := newNewsroomClient()
		if err := nc.signIn(first.URL, email, password); err != nil {
			t.Fatal(err)
		}
		code, loc, err := nc.post(first.URL, "/newsroom/sections", url.Values{"name": {"Ulleung Desk"}, "slug": {"ulleung-desk"}})
		if err != nil || code != 303 {
			t.Fatalf("add a section: %d to %q, %v", code, loc, err)
		}
		for _, n := range nodes {
			waitFor(t, n.URL+"/", time.Second, `href="/section/ulleung-desk"`)
		}
	})

	t.Run("scheduled story goes out once after the leader dies", func(t *testing.T) {
		leader := -1
		for i, n := range nodes {
			if strings.Contains(n.logs.String(), "this node publishes scheduled stories") {
				leader = i
			}
		}
		if leader < 0 {
			t.Fatal("no node says it leads the scheduler")
		}
		nodes[leader].cmd.Process.Kill() // SIGKILL: no goodbye, the lock goes with its connection
		nodes[leader].cmd.Wait()
		stopped[nodes[leader]] = true
		due := time.Now().Add(3 * time.Second)
		md := writeStory(t, "Lantern festival lights up Cheonggyecheon", due)
		out := importTo(t, db, shared, md)
		if !strings.Contains(out, `"status":"scheduled"`) {
			t.Fatalf("a story dated in the future should be scheduled: %s", out)
		}
		var live []*server
		for i, n := range nodes {
			if i != leader {
				live = append(live, n)
			}
		}
		deadline := due.Add(15 * time.Second) // takeover waits up to 5 s between tries
		for _, n := range live {
			for {
				_, front := get(t, n.URL+"/")
				if strings.Contains(front, "Lantern festival") {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("node %s: the scheduled story did not go out after the leader died", n.URL)
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
		published := 0
		for _, n := range live {
			published += strings.Count(n.logs.String(), "Lantern festival")
		}
		if published > 1 {
			t.Errorf("the scheduled story was published by %d nodes", published)
		}
	})

	t.Run("beacons over all nodes sum exactly", func(t *testing.T) {
		var live []*server
		for _, n := range nodes {
			if !stopped[n] {
				live = append(live, n)
			}
		}
		id := articleID(t, live[0].URL+seedPath)
		before := topViews(t, live[0].URL, id)
		const perNode = 40
		var wg sync.WaitGroup
		for i, n := range live {
			for j := range perNode {
				wg.Add(1)
				go func() {
					defer wg.Done()
					req, _ := http.NewRequest("POST", n.URL+"/api/v1/views", strings.NewReader(fmt.Sprintf(`{"article_id":%d}`, id)))
					req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
					// A distinct reader each: browser user agents differ.
					req.Header.Set("User-Agent", fmt.Sprintf("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0.%d.%d Safari/537.36", i, j))
					// ... and an address of its own (one address adds only a few views).
					req.Header.Set("X-Forwarded-For", readerIP(i*1000+j))
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Error(err)
						return
					}
					resp.Body.Close()
					if resp.StatusCode != 204 {
						t.Errorf("beacon: %d", resp.StatusCode)
					}
				}()
			}
		}
		wg.Wait()
		// A clean shutdown flushes every acknowledged beacon.
		for _, n := range live[1:] {
			if err := n.stop(); err != nil {
				t.Fatal(err)
			}
			stopped[n] = true
		}
		want := before + int64(perNode*len(live))
		deadline := time.Now().Add(20 * time.Second) // the survivor flushes on its interval
		for {
			got := topViews(t, live[0].URL, id)
			if got == want {
				break
			}
			if got > want || time.Now().After(deadline) {
				t.Fatalf("views of the seed story: %d, want %d", got, want)
			}
			time.Sleep(250 * time.Millisecond)
		}
	})
}

func writeStory(t *testing.T, headline string, published time.Time) string {
	t.Helper()
	md := filepath.Join(t.TempDir(), "story.md")
	body := fmt.Sprintf("---\nheadline: %s\nsection: National\nauthors:\n  - name: Node Tester\n    email: nodes@example.com\npublished: %s\n---\nA story for the multi-node test.\n",
		headline, published.UTC().Format(time.RFC3339))
	if err := os.WriteFile(md, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return md
}

func importTo(t *testing.T, db, data, file string) string {
	t.Helper()
	cmd := exec.Command(binPath, "import", "--create-sections", "--db", db, "--data", data, "--publish", "--json", file)
	cmd.Env = cleanEnv()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("import: %v\n%s%s", err, out.String(), errb.String())
	}
	return out.String()
}

func articleID(t *testing.T, pageURL string) int64 {
	t.Helper()
	_, page := get(t, pageURL)
	i := strings.Index(page, `data-article-id="`)
	if i < 0 {
		t.Fatal("no data-article-id on the page")
	}
	var id int64
	fmt.Sscanf(page[i+len(`data-article-id="`):], "%d", &id)
	return id
}

func topViews(t *testing.T, base string, id int64) int64 {
	t.Helper()
	_, body := get(t, base+"/api/v1/top?window=24h")
	var top []struct {
		ID    int64 `json:"id"`
		Views int64 `json:"views"`
	}
	if err := json.Unmarshal([]byte(body), &top); err != nil {
		t.Fatalf("/api/v1/top: %v: %s", err, body)
	}
	for _, e := range top {
		if e.ID == id {
			return e.Views
		}
	}
	return 0
}

// withAppName names a node's PostgreSQL sessions, so the test can find
// and kill them.
func withAppName(db, name string) string {
	u, err := url.Parse(db)
	if err != nil {
		return db + " application_name=" + name
	}
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// Fifty stories fall due in the same second on three nodes. Seven seconds
// before, the scheduling leader's database connections are killed
// (pg_terminate_backend: long enough before for another node to take over,
// if it could), and as the stories fall due the leader process is killed
// too, in the middle of the burst. Each story is published exactly once: one publish revision
// and one publish audit row each. (Before the lease with a fencing token,
// a node whose connection was killed never stepped down while another
// became leader: the same burst was published 74 times.)
func TestSchedulerExactlyOnceAcrossFailover(t *testing.T) {
	db := testpg.URL(t, "masthead_once")
	shared := t.TempDir()
	masthead(t)
	var nodes []*server
	stopped := map[*server]bool{}
	t.Cleanup(func() {
		for _, n := range nodes {
			if !stopped[n] {
				n.stop()
			}
			if t.Failed() {
				t.Logf("node %s log tail:\n%s", n.URL, tail(n.logs.String(), 3000))
			}
		}
	})
	for i := range 3 {
		n, err := launch(shared, "--db", withAppName(db, fmt.Sprintf("masthead-node-%d", i)), "--no-demo")
		if err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, n)
	}
	leader := -1
	deadline := time.Now().Add(20 * time.Second)
	for leader < 0 {
		for i, n := range nodes {
			if strings.Contains(n.logs.String(), "this node publishes scheduled stories") {
				leader = i
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no node says it leads the scheduler")
		}
		time.Sleep(50 * time.Millisecond)
	}

	due := time.Now().Add(12 * time.Second).Truncate(time.Second)
	dir := t.TempDir()
	var files []string
	for i := range 50 {
		p := filepath.Join(dir, fmt.Sprintf("burst-%02d.md", i))
		body := fmt.Sprintf("---\nheadline: Burst story %d\npublished: %s\n---\nStory %d of the burst.\n", i, due.UTC().Format(time.RFC3339), i)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	cmd := exec.Command(binPath, append([]string{"import", "--create-sections", "--db", db, "--data", shared, "--publish", "--json"}, files...)...)
	cmd.Env = cleanEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	st, err := postgres.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	scheduled, _, err := st.FindArticles(ctx, news.ArticleFilter{Status: news.StatusScheduled, Limit: 100})
	if err != nil || len(scheduled) != 50 {
		t.Fatalf("%d scheduled stories (%v), want 50", len(scheduled), err)
	}

	leaderApp := fmt.Sprintf("masthead-node-%d", leader)
	killConns := func() int {
		var n int
		if err := st.Pool().QueryRow(ctx, `SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity WHERE application_name = $1`, leaderApp).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	time.Sleep(time.Until(due.Add(-7 * time.Second)))
	if n := killConns(); n == 0 {
		t.Fatal("the leader had no database sessions to kill")
	}
	time.Sleep(time.Until(due.Add(300 * time.Millisecond)))
	nodes[leader].cmd.Process.Kill()
	nodes[leader].cmd.Wait()
	stopped[nodes[leader]] = true

	// The others take over when the lease lapses (10 s) and publish what
	// the leader did not.
	deadline = time.Now().Add(45 * time.Second)
	for {
		left, _, err := st.FindArticles(ctx, news.ArticleFilter{Status: news.StatusScheduled, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d stories still scheduled 45 s after they fell due", len(left))
		}
		time.Sleep(200 * time.Millisecond)
	}
	audit, err := st.ListAudit(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	publishes := map[int64]int{}
	for _, e := range audit {
		if e.Action == "publish" {
			publishes[e.ArticleID]++
		}
	}
	total := 0
	for _, a := range scheduled {
		revs, err := st.FindRevisions(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range revs {
			if r.Note == "published (scheduled)" {
				n++
			}
		}
		total += n
		if n != 1 || publishes[a.ID] != 1 {
			t.Errorf("story %d: %d publish revisions, %d publish audit rows; want 1 and 1", a.ID, n, publishes[a.ID])
		}
	}
	t.Logf("50 stories, %d publications; the killed leader published %d before it died",
		total, strings.Count(nodes[leader].logs.String(), "scheduled story published"))
}
