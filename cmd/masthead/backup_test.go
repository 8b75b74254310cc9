package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// masthead runs the binary and returns its combined output.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(masthead(t), args...)
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func fileHash(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// openReadOnly opens a backup so that the check itself cannot change it.
func openRO(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestBackupRestore takes a backup from a running serve while editors,
// the import command and readers write; restores it into a new data
// folder and compares every table row by row; then, with writes stopped,
// proves a backup equals the live database exactly and that serve runs on
// the restored folder.
func TestBackupRestore(t *testing.T) {
	if testing.Short() {
		t.Skip("backup test runs the server under load; skipped with -short")
	}
	bin := masthead(t)
	s := startServer(t, "--no-demo", "--views-flush", "200ms")
	email, password := adminLogin(t, s)
	nc := newNewsroomClient()
	if err := nc.signIn(s.URL, email, password); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	mdDir := t.TempDir()
	if out, err := runCLI(t, "user", "add", "--data", s.Data, "--email", "desk@example.com", "--name", "Desk Editor", "--role", "editor"); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	var ids []int64
	for i := range 3 {
		id, err := nc.createStory(s.URL, fmt.Sprintf("Backup seed story %d", i), "Seed text with **Markdown**.")
		if err != nil {
			t.Fatal(err)
		}
		if err := nc.publish(s.URL, id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}

	// The write load.
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var mu sync.Mutex
	acked := map[string]time.Time{} // headline → when acknowledged
	wg.Add(3)
	go func() {
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			h := fmt.Sprintf("Backup editor story %d", i)
			id, err := nc.createStory(s.URL, h, "Body.")
			if err != nil {
				t.Errorf("create: %v", err)
				return
			}
			if err := nc.publish(s.URL, id); err != nil {
				t.Errorf("publish: %v", err)
				return
			}
			mu.Lock()
			acked[h] = time.Now()
			mu.Unlock()
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			h := fmt.Sprintf("Backup wire item %d", i)
			if err := runImport(bin, s.Data, mdDir, h); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			acked[h] = time.Now()
			mu.Unlock()
		}
	}()
	go func() {
		defer wg.Done()
		c := &http.Client{Timeout: 10 * time.Second}
		for i := 0; ctx.Err() == nil; i++ {
			if _, err := beacon(c, s.URL, ids[i%len(ids)], i); err != nil {
				t.Errorf("beacon: %v", err)
				return
			}
		}
	}()
	time.Sleep(1500 * time.Millisecond)

	// A backup while all of that goes on.
	during := filepath.Join(dir, "during.db")
	start := time.Now()
	if out, err := runCLI(t, "backup", "--data", s.Data, "--out", during); err != nil {
		t.Fatalf("backup under load: %v\n%s", err, out)
	}
	t.Logf("backup under load took %v", time.Since(start))
	time.Sleep(time.Second)
	cancel()
	wg.Wait()

	if st, err := os.Stat(during); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("backup file mode: %v %v, want 0600", st.Mode(), err)
	}
	bdb := openRO(t, during)
	integrityOK(t, bdb)
	// Every write acknowledged before the backup began is in it.
	var inBackup int
	mu.Lock()
	for h, at := range acked {
		if !at.Before(start) {
			continue
		}
		inBackup++
		var n int
		if err := bdb.QueryRow(`SELECT count(*) FROM articles WHERE headline = ?`, h).Scan(&n); err != nil || n != 1 {
			t.Errorf("backup lacks %q, acknowledged before it began (%d, %v)", h, n, err)
		}
	}
	mu.Unlock()
	if inBackup == 0 {
		t.Errorf("no write was acknowledged before the backup; the load did not run")
	}
	duringDump := dumpTables(t, bdb)

	restored1 := filepath.Join(dir, "restored1")
	if out, err := runCLI(t, "restore", "--data", restored1, "--from", during); err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	sameTables(t, "restore of the backup taken under load", duringDump, dumpTables(t, openRO(t, filepath.Join(restored1, "masthead.db"))))
	if n := len(duringDump["articles"]); n < 5 {
		t.Errorf("backup holds %d stories", n)
	}

	// Writes stopped and the last views flushed: a backup equals the live
	// database exactly, and so does its restore.
	time.Sleep(time.Second)
	quiet := filepath.Join(dir, "quiet.db")
	if out, err := runCLI(t, "backup", "--data", s.Data, "--out", quiet); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	live := dumpTables(t, openRO(t, filepath.Join(s.Data, "masthead.db")))
	restored2 := filepath.Join(dir, "restored2")
	if out, err := runCLI(t, "restore", "--data", restored2, "--from", quiet); err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	sameTables(t, "quiet backup against the live database", live, dumpTables(t, openRO(t, quiet)))
	sameTables(t, "restore against the live database", live, dumpTables(t, openRO(t, filepath.Join(restored2, "masthead.db"))))
	for _, table := range []string{"articles", "users", "sessions", "article_views", "authors", "tags", "sections", "revisions", "audit"} {
		if len(live[table]) == 0 {
			t.Errorf("table %s is empty: the comparison proves little", table)
		}
	}

	// serve runs on the restored folder, and the session made before the
	// backup still signs the editor in.
	r := startServer(t, "--no-demo", "--data", restored2)
	if _, body := get(t, r.URL+"/"); !strings.Contains(body, "Backup seed story") {
		t.Errorf("the restored paper's front page lacks its stories")
	}
	if err := nc.refreshCSRF(r.URL); err != nil {
		t.Errorf("session from before the backup: %v", err)
	}

	t.Run("bad input", func(t *testing.T) {
		before := fileHash(t, during)
		if out, err := runCLI(t, "backup", "--data", s.Data, "--out", during); err == nil || !strings.Contains(out, "exists already") {
			t.Errorf("backup onto an existing file: %v %q", err, out)
		}
		if fileHash(t, during) != before {
			t.Errorf("backup changed the existing file")
		}

		missing := filepath.Join(dir, "no-such-folder")
		if out, err := runCLI(t, "backup", "--data", missing, "--out", filepath.Join(dir, "x.db")); err == nil || !strings.Contains(out, "no database") {
			t.Errorf("backup of a missing database: %v %q", err, out)
		}
		if _, err := os.Stat(missing); err == nil {
			t.Errorf("backup created the data folder it was pointed at")
		}

		target := filepath.Join(restored1, "masthead.db")
		targetHash := fileHash(t, target)
		text := filepath.Join(dir, "notes.txt")
		os.WriteFile(text, []byte("this is not a database\n"), 0o644)
		empty := filepath.Join(dir, "empty.db")
		os.WriteFile(empty, nil, 0o644)
		other := filepath.Join(dir, "other.db")
		odb, err := sql.Open("sqlite", other)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := odb.Exec(`CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('hello')`); err != nil {
			t.Fatal(err)
		}
		odb.Close()
		for _, tc := range []struct{ from, want string }{
			{text, "not an SQLite database"},
			{empty, "not an SQLite database"},
			{other, "not a masthead database"},
			{filepath.Join(dir, "nowhere.db"), "no such file"},
		} {
			var srcHash [32]byte
			if _, err := os.Stat(tc.from); err == nil {
				srcHash = fileHash(t, tc.from)
			}
			out, err := runCLI(t, "restore", "--data", restored1, "--from", tc.from)
			if err == nil || !strings.Contains(out, tc.want) {
				t.Errorf("restore from %s: %v %q, want %q", filepath.Base(tc.from), err, out, tc.want)
			}
			if _, err := os.Stat(tc.from); err == nil && fileHash(t, tc.from) != srcHash {
				t.Errorf("restore changed its source %s", filepath.Base(tc.from))
			}
		}
		if fileHash(t, target) != targetHash {
			t.Errorf("a refused restore changed the database")
		}
		if m, _ := filepath.Glob(filepath.Join(restored1, "*before-restore*")); len(m) > 0 {
			t.Errorf("a refused restore moved the database aside: %v", m)
		}

		// Restoring under a running serve is refused.
		out, err := runCLI(t, "restore", "--data", s.Data, "--from", quiet)
		if err == nil || !strings.Contains(out, "in use by another masthead serve (pid ") {
			t.Errorf("restore under a running serve: %v %q", err, out)
		}
		if m, _ := filepath.Glob(filepath.Join(s.Data, "*before-restore*")); len(m) > 0 {
			t.Errorf("a refused restore moved the live database aside: %v", m)
		}
	})
}
