package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// ledger records the writes the server (or the import command)
// acknowledged: they must all survive a crash.
type ledger struct {
	mu        sync.Mutex
	created   map[int64]string   // story id → headline, once the create was answered with its redirect
	body      map[int64][]string // story id → bodies it may hold: the last acknowledged save, then any save in flight at the crash
	published map[int64]bool     // publishes answered with their redirect
	imported  []string           // headlines whose import exited 0
	beacons   []time.Time        // when each counted beacon was answered 204
	sent      int                // beacons sent, answered or not
}

func newLedger() *ledger {
	return &ledger{created: map[int64]string{}, body: map[int64][]string{}, published: map[int64]bool{}}
}

func (l *ledger) publishedIDs() []int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	var ids []int64
	for id := range l.published {
		ids = append(ids, id)
	}
	return ids
}

// TestCrashSafety kills serve with SIGKILL again and again while editors
// create, edit and publish through the newsroom (signed in, with the CSRF
// token), stories are imported from the command line and readers' beacons
// arrive; after every kill the database passes SQLite's integrity check
// and holds every acknowledged write. View counts are batched in memory by
// design: a crash may lose what arrived since the last flush, never more,
// and a clean stop (SIGINT) loses nothing.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test runs the server for about 30 s; skipped with -short")
	}
	bin := masthead(t)
	data := t.TempDir()
	mdDir := t.TempDir()
	dbPath := filepath.Join(data, "masthead.db")
	const flush = 300 * time.Millisecond
	// A beacon answered this long before the kill was in a flush that
	// had time to commit: one interval to the next tick, and generous
	// room for the write itself waiting behind an import's transaction.
	const flushMargin = 2*flush + 1500*time.Millisecond
	const rounds = 5
	const roundLen = 3 * time.Second

	led := newLedger()
	nc := newNewsroomClient()
	beaconClient := &http.Client{Timeout: 10 * time.Second}
	var email, password string
	var storedViews int64 // article_views total after the last check
	var mustViews int64   // beacons that must be in it

	for round := 0; round <= rounds; round++ {
		s, err := launch(data, "--no-demo", "--views-flush", flush.String(), "--trusted-proxies", "127.0.0.0/8")
		if err != nil {
			t.Fatal(err)
		}
		if round == 0 {
			email, password = adminLogin(t, s)
			if err := nc.signIn(s.URL, email, password); err != nil {
				s.kill()
				t.Fatal(err)
			}
		} else if err := nc.refreshCSRF(s.URL); err != nil {
			// The session was an acknowledged write too.
			s.kill()
			t.Fatalf("round %d: the session did not survive the crash: %v", round, err)
		}
		// One published story to point beacons at from the start.
		if id, err := nc.createStory(s.URL, fmt.Sprintf("Crash round %d opener", round), "Opening text."); err != nil {
			s.kill()
			t.Fatal(err)
		} else if err := nc.publish(s.URL, id); err != nil {
			s.kill()
			t.Fatal(err)
		} else {
			led.mu.Lock()
			led.created[id] = fmt.Sprintf("Crash round %d opener", round)
			led.body[id] = []string{"Opening text."}
			led.published[id] = true
			led.mu.Unlock()
		}
		beaconsBefore := len(led.beacons)

		ctx, cancel := context.WithTimeout(context.Background(), roundLen)
		var wg sync.WaitGroup
		// Two editors.
		for w := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ctx.Err() == nil; i++ {
					headline := fmt.Sprintf("Crash round %d editor %d story %d", round, w, i)
					id, err := nc.createStory(s.URL, headline, "First draft.")
					if err != nil {
						return // the server is gone
					}
					led.mu.Lock()
					led.created[id] = headline
					led.body[id] = []string{"First draft.", "Second draft."}
					led.mu.Unlock()
					if err := nc.saveStory(s.URL, id, headline, "Second draft."); err != nil {
						return
					}
					led.mu.Lock()
					led.body[id] = []string{"Second draft."}
					led.mu.Unlock()
					if err := nc.publish(s.URL, id); err != nil {
						return
					}
					led.mu.Lock()
					led.published[id] = true
					led.mu.Unlock()
				}
			}()
		}
		// The import command beside the server.
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				headline := fmt.Sprintf("Wire round %d item %d", round, i)
				if err := runImport(bin, data, mdDir, headline); err != nil {
					t.Errorf("round %d: %v", round, err)
					return
				}
				led.mu.Lock()
				led.imported = append(led.imported, headline)
				led.mu.Unlock()
			}
		}()
		// Readers.
		for r := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ids := led.publishedIDs()
				for i := 0; ctx.Err() == nil; i++ {
					if i%50 == 0 {
						ids = led.publishedIDs()
					}
					led.mu.Lock()
					led.sent++
					reader := round*1_000_000 + r*100_000 + i
					led.mu.Unlock()
					ok, err := beacon(beaconClient, s.URL, ids[i%len(ids)], reader)
					if err != nil {
						return
					}
					if ok {
						led.mu.Lock()
						led.beacons = append(led.beacons, time.Now())
						led.mu.Unlock()
					}
				}
			}()
		}
		<-ctx.Done()
		cancel()

		if round == rounds {
			// The last round ends cleanly: drain, flush, exit.
			wg.Wait()
			if err := s.stop(); err != nil {
				t.Fatal(err)
			}
		} else {
			killed := time.Now()
			s.kill()
			wg.Wait()
			led.mu.Lock()
			for _, at := range led.beacons[beaconsBefore:] {
				if at.Before(killed.Add(-flushMargin)) {
					mustViews++
				}
			}
			led.mu.Unlock()
		}

		db := openRaw(t, dbPath)
		integrityOK(t, db)
		checkAcknowledged(t, round, db, led)
		total := viewsTotal(t, db)
		led.mu.Lock()
		acked, sent := int64(len(led.beacons)), int64(led.sent)
		roundBeacons := int64(len(led.beacons) - beaconsBefore)
		led.mu.Unlock()
		t.Logf("round %d: %d stories, %d published, %d imported; views stored %d (this round's beacons %d, must be ≥ %d, acknowledged %d)",
			round, len(led.created), len(led.published), len(led.imported), total, roundBeacons, mustViews, acked)
		if round == rounds {
			// SIGINT: every beacon answered in this round is stored.
			if total-storedViews != roundBeacons {
				t.Errorf("after a clean stop: %d views stored in the last round, %d beacons were answered", total-storedViews, roundBeacons)
			}
		} else if total < mustViews {
			t.Errorf("round %d: %d views stored, but %d beacons were answered more than %v before the kill", round, total, mustViews, flushMargin)
		}
		if total > sent {
			t.Errorf("round %d: %d views stored, only %d beacons sent", round, total, sent)
		}
		storedViews = total
		mustViews = total // what is stored now must stay
		db.Close()
	}
}

// checkAcknowledged proves every acknowledged write is in the database.
func checkAcknowledged(t *testing.T, round int, db *sql.DB, led *ledger) {
	t.Helper()
	led.mu.Lock()
	defer led.mu.Unlock()
	type row struct{ headline, body, status string }
	stored := map[int64]row{}
	byHeadline := map[string]string{}
	rows, err := db.Query(`SELECT id, headline, body_markdown, status FROM articles`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var r row
		if err := rows.Scan(&id, &r.headline, &r.body, &r.status); err != nil {
			t.Fatal(err)
		}
		stored[id] = r
		byHeadline[r.headline] = r.status
	}
	rows.Close()
	for id, headline := range led.created {
		r, ok := stored[id]
		if !ok || r.headline != headline {
			t.Errorf("round %d: acknowledged story %d %q lost (found %+v)", round, id, headline, r)
			continue
		}
		okBody := false
		for _, b := range led.body[id] {
			okBody = okBody || r.body == b
		}
		if !okBody {
			t.Errorf("round %d: story %d holds body %q, want one of %q", round, id, r.body, led.body[id])
		}
		if led.published[id] && r.status != "published" {
			t.Errorf("round %d: story %d was published (acknowledged) but is %s", round, id, r.status)
		}
	}
	for _, h := range led.imported {
		if byHeadline[h] != "published" {
			t.Errorf("round %d: imported story %q is %q", round, h, byHeadline[h])
		}
	}
}
