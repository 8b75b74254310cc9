package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"masthead/internal/news"
	"masthead/internal/store/sqlite"
	"masthead/internal/store/storetest"
)

// open makes a fresh database file in the test's temporary folder.
func open(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "masthead.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) news.Store { return open(t) })
}

// Two processes on one file (masthead import beside serve) are two handles
// here: a write through one must move the generation the other reads, and be
// visible to it at once.
func TestTwoHandlesSeeEachOthersWrites(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	a, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	g0, err := b.Generation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	story := &news.Article{Slug: "from-import", Headline: "Imported beside serve", Status: news.StatusPublished,
		PublishedAt: storetest.T0, BodyHTML: "<p>Imported missile story.</p>"}
	if err := a.CreateArticle(ctx, story); err != nil {
		t.Fatal(err)
	}
	g1, err := b.Generation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if g1 <= g0 {
		t.Fatalf("generation seen by the other handle: %d after %d, want it to increase", g1, g0)
	}
	got, err := b.FindArticleBySlug(ctx, "from-import")
	if err != nil || got.ID != story.ID {
		t.Fatalf("other handle: %v, %v", got, err)
	}
	hits, _, err := b.SearchArticles(ctx, news.SearchQuery{Text: "missiles", PublicAt: storetest.T0})
	if err != nil || len(hits) != 1 {
		t.Fatalf("other handle's search: %d hits, %v", len(hits), err)
	}
	// And back the other way, through an announced change, which the
	// first handle finds in the change log.
	if err := b.Update(ctx, func(tx news.Tx) error { tx.Announce(news.Change{Front: true}); return nil }); err != nil {
		t.Fatal(err)
	}
	if g2, _ := a.Generation(ctx); g2 <= g1 {
		t.Errorf("generation after a change on the other handle = %d, want > %d", g2, g1)
	}
	cs, err := a.Changes(ctx, g1, 10)
	if err != nil || len(cs) != 1 || !cs[0].Front {
		t.Errorf("the other handle's change: %+v %v", cs, err)
	}
}

// Reopening runs no migration twice and keeps the data.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "re.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PutSetting(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	if v, err := db.GetSetting(ctx, "k"); err != nil || v != "v" {
		t.Errorf("after reopen: %q, %v", v, err)
	}
}

func TestOpenRefusesNonFiles(t *testing.T) {
	for _, p := range []string{"", ":memory:", "file:x.db?mode=memory", filepath.Join(t.TempDir(), "missing-dir", "x.db")} {
		db, err := sqlite.Open(context.Background(), p)
		if err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded, want an error", p)
		}
	}
}

// A path with characters that mean something in a URI still names a file.
func TestOpenOddPath(t *testing.T) {
	p := filepath.Join(t.TempDir(), "신문 #1?%.db")
	db, err := sqlite.Open(context.Background(), p)
	if err != nil {
		t.Fatalf("Open(%q): %v", p, err)
	}
	defer db.Close()
	if err := db.PutSetting(context.Background(), "k", "v"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Errorf("database file not at %q: %v", p, err)
	}
}

// Writers in two handles (two processes) and many goroutines at once never
// see "database is locked": the single-connection write pool queues
// goroutines, immediate transactions and busy_timeout queue the processes.
func TestConcurrentWritersAcrossHandles(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "busy.db")
	var dbs []*sqlite.DB
	for i := 0; i < 2; i++ {
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		dbs = append(dbs, db)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for h, db := range dbs {
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 10; i++ {
					a := &news.Article{Slug: fmt.Sprintf("h%d-g%d-%d", h, g, i), Headline: "Busy", Status: news.StatusPublished, PublishedAt: storetest.T0}
					if err := db.CreateArticle(ctx, a); err != nil {
						errs <- err
						return
					}
					if err := db.AddViews(ctx, []news.ViewCount{{ArticleID: a.ID, Hour: storetest.T0, Count: 1}}); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	_, total, err := dbs[1].FindArticles(ctx, news.ArticleFilter{})
	if err != nil || total != 80 {
		t.Errorf("total %d (%v), want 80", total, err)
	}
}

// A write that waits for another process's write lock fails after the
// statement timeout with an error instead of hanging the request (it used
// to wait 10 s, then a bare error).
func TestWriteTimeout(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "locked.db")
	db, err := sqlite.Open(ctx, path, sqlite.WithTimeout(300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a := &news.Article{Slug: "locked", Headline: "Locked", Status: news.StatusDraft}
	if err := db.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	// Another process (a long import) holds the write lock.
	other, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE settings SET value = value WHERE 0`); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	a.Headline = "Changed"
	if err := db.UpdateArticle(ctx, a); err == nil {
		t.Fatal("an update past another process's write lock succeeded")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the update waited %v with a 300 ms timeout", d)
	}
	tx.Rollback()
	a.Version = 1
	if err := db.UpdateArticle(ctx, a); err != nil {
		t.Errorf("after the lock was released: %v", err)
	}
}
