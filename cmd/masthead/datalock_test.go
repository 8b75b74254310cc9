package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSecondServeRefused: 50 stories fall due in the same second on SQLite
// while a second serve is started against the same data folder. The second
// refuses to start and names the first (pid and address); a command beside
// the first still works; each story has exactly one publish revision and
// one publish audit row. (Before the folder lock the second serve started
// silently and the two schedulers published such a burst 55 times.)
func TestSecondServeRefused(t *testing.T) {
	masthead(t)
	data := t.TempDir()
	first, err := launch(data, "--no-demo")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		first.kill()
		if t.Failed() {
			t.Logf("first serve log (tail):\n%s", tail(first.logs.String(), 4000))
		}
	})

	const n = 50
	// Far enough ahead that all 50 are imported, and the second serve is
	// up, before they fall due.
	due := time.Now().Add(8 * time.Second).Truncate(time.Second)
	dir := t.TempDir()
	files := make([]string, n)
	for i := range files {
		files[i] = filepath.Join(dir, fmt.Sprintf("burst-%02d.md", i))
		md := fmt.Sprintf("---\nheadline: Burst story %d\nsection: National\nauthors:\n  - name: Burst Desk\npublished: %s\n---\nStory %d of the burst.\n",
			i, due.UTC().Format(time.RFC3339), i)
		if err := os.WriteFile(files[i], []byte(md), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(binPath, append([]string{"import", "--create-sections", "--data", data, "--publish", "--json"}, files...)...)
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("import beside serve: %v\n%s", err, out)
	}
	if got := strings.Count(string(out), `"status":"scheduled"`); got != n {
		t.Fatalf("%d of %d stories scheduled (was the import slower than %v?):\n%s", got, n, time.Until(due), out)
	}

	second := exec.Command(binPath, "serve", "--addr", "127.0.0.1:0", "--drain", "0s", "--no-demo", "--data", data)
	second.Env = cleanEnv()
	var secondOut lockedBuffer
	second.Stdout, second.Stderr = &secondOut, &secondOut
	if err := second.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- second.Wait() }()
	select {
	case err := <-exited:
		if err == nil {
			t.Errorf("the second serve exited cleanly, want a refusal:\n%s", secondOut.String())
		}
		msg := secondOut.String()
		for _, want := range []string{"in use by another masthead serve", "pid " + strconv.Itoa(first.cmd.Process.Pid), first.URL} {
			if !strings.Contains(msg, want) {
				t.Errorf("the refusal does not say %q:\n%s", want, msg)
			}
		}
	case <-time.After(time.Until(due) + 5*time.Second):
		// It runs: let the burst fall due under both schedulers, then stop
		// it, and count below what two schedulers did.
		t.Errorf("a second serve started on a data folder a running serve holds:\n%s", secondOut.String())
		_ = second.Process.Signal(os.Interrupt)
		<-exited
	}

	db := openRaw(t, filepath.Join(data, "masthead.db"))
	deadline := due.Add(20 * time.Second)
	for {
		var published int
		if err := db.QueryRow(`SELECT count(*) FROM articles WHERE status = 'published' AND headline LIKE 'Burst story %'`).Scan(&published); err != nil {
			t.Fatal(err)
		}
		if published == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d burst stories published 20 s after they fell due", published, n)
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(time.Second) // a second scheduler would publish meanwhile
	for _, q := range []struct{ what, sql string }{
		{"publish revisions", `SELECT a.id, count(r.id) FROM articles a LEFT JOIN revisions r ON r.article_id = a.id AND r.note LIKE 'published%'
			WHERE a.headline LIKE 'Burst story %' GROUP BY a.id`},
		{"publish audit rows", `SELECT a.id, count(x.id) FROM articles a LEFT JOIN audit x ON x.article_id = a.id AND x.action = 'publish'
			WHERE a.headline LIKE 'Burst story %' GROUP BY a.id`},
	} {
		rows, err := db.Query(q.sql)
		if err != nil {
			t.Fatal(err)
		}
		stories, total := 0, 0
		var wrong []string
		for rows.Next() {
			var id int64
			var c int
			if err := rows.Scan(&id, &c); err != nil {
				t.Fatal(err)
			}
			stories++
			total += c
			if c != 1 {
				wrong = append(wrong, fmt.Sprintf("story %d: %d", id, c))
			}
		}
		rows.Close()
		if stories != n || len(wrong) > 0 {
			t.Errorf("%s: %d in all for %d stories, want exactly one each; %s", q.what, total, stories, strings.Join(wrong, ", "))
		}
	}

	// The lock goes with the process, however it ends: after SIGKILL a new
	// serve starts on the folder without any cleaning up.
	first.kill()
	again, err := launch(data, "--no-demo")
	if err != nil {
		t.Fatalf("serve after the holder was killed: %v", err)
	}
	if err := again.stop(); err != nil {
		t.Error(err)
	}
}

// TestDataLockMessage: the lock refuses a second holder in the same process
// too (locks belong to open files), and its message names the holder.
func TestDataLockMessage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "data", "masthead.db")
	l, err := lockData(db)
	if err != nil {
		t.Fatal(err)
	}
	l.announce("http://127.0.0.1:8080")
	if _, err := lockData(db); err == nil || !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) ||
		!strings.Contains(err.Error(), "http://127.0.0.1:8080") {
		t.Fatalf("second lock: %v", err)
	}
	if st, err := os.Stat(lockPath(db)); err != nil || st.Mode().Perm() != 0o600 || filepath.Base(lockPath(db)) != "masthead.lock" {
		t.Errorf("lock file: %v %v", st, err)
	}
	l.release()
	l2, err := lockData(db)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	l2.release()
}
