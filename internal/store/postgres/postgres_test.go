package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"masthead/internal/news"
	"masthead/internal/store/storetest"
)

// The tests run against a real PostgreSQL named by MASTHEAD_TEST_POSTGRES,
// e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable. Each test
// gets a fresh schema of its own, dropped at the end, so runs in parallel
// (and other packages' tests) never see each other's rows.

func baseURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("MASTHEAD_TEST_POSTGRES")
	if u == "" {
		t.Skip("PostgreSQL tests skipped: set MASTHEAD_TEST_POSTGRES (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	return u
}

// freshSchema creates an empty schema and returns a URL whose connections
// use it (search_path as a run-time parameter).
func freshSchema(t testing.TB) string {
	t.Helper()
	base := baseURL(t)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "masthead_test_" + hex.EncodeToString(b)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to MASTHEAD_TEST_POSTGRES: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return withParam(base, "search_path", schema)
}

// withParam adds a run-time parameter to a URL or key=value DSN.
func withParam(base, key, value string) string {
	u, err := url.Parse(base)
	if err != nil || u.Scheme == "" {
		return base + " " + key + "=" + value
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

func openURL(t testing.TB, u string) *DB {
	t.Helper()
	db, err := Open(context.Background(), u)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestStore(t *testing.T) {
	baseURL(t)
	storetest.Run(t, func(t *testing.T) news.Store { return openURL(t, freshSchema(t)) })
}

func TestOpenRefusesAMissingSchema(t *testing.T) {
	base := baseURL(t)
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", "masthead_no_such_schema")
	u.RawQuery = q.Encode()
	if db, err := Open(context.Background(), u.String()); err == nil {
		db.Close()
		t.Fatal("Open with a search_path naming no schema succeeded")
	}
}

func TestOpenBadURLHidesPassword(t *testing.T) {
	_, err := Open(context.Background(), "postgres://user:s3cret@[::1/db")
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("Open(bad URL) = %v, want an error without the password", err)
	}
}

func TestMigrationsRunOnceConcurrently(t *testing.T) {
	u := freshSchema(t)
	const nodes = 3
	var wg sync.WaitGroup
	errs := make([]error, nodes)
	dbs := make([]*DB, nodes)
	for i := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dbs[i], errs[i] = Open(context.Background(), u)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("node %d: Open: %v", i, err)
		}
		t.Cleanup(func() { dbs[i].Close() })
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	var n, gen int64
	ctx := context.Background()
	if err := dbs[0].pool.QueryRow(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != int64(len(ms)) {
		t.Errorf("schema_migrations has %d rows, want %d", n, len(ms))
	}
	// The first migration seeds the generation row: run twice, it would
	// have failed or left two rows.
	if err := dbs[1].pool.QueryRow(ctx, "SELECT count(*) FROM generation").Scan(&gen); err != nil || gen != 1 {
		t.Errorf("generation rows = %d (%v), want 1", gen, err)
	}
	// Opening an up-to-date database changes nothing.
	again := openURL(t, u)
	if err := again.pool.QueryRow(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil || n != int64(len(ms)) {
		t.Errorf("after reopening: %d rows (%v)", n, err)
	}
}

func TestMigrationFiles(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	// Each issue has its own range of numbers (coordination.md), so there
	// are gaps; versions must still be unique and in order.
	prev := 0
	for _, m := range ms {
		if m.version <= prev {
			t.Errorf("migration %s has number %d, not above %d", m.name, m.version, prev)
		}
		prev = m.version
	}
}

func TestErrorsTranslated(t *testing.T) {
	db := openURL(t, freshSchema(t))
	ctx := context.Background()
	err := db.CreateArticle(ctx, &news.Article{Slug: "x", Headline: "x", Status: news.StatusDraft, SectionID: 424242})
	if !errors.Is(err, news.ErrInvalid) {
		t.Errorf("article in a missing section: %v, want ErrInvalid", err)
	}
	err = db.CreateArticle(ctx, &news.Article{Slug: "x", Headline: "x", Status: "bogus"})
	if !errors.Is(err, news.ErrInvalid) {
		t.Errorf("bogus status: %v, want ErrInvalid", err)
	}
	err = db.CreateArticle(ctx, &news.Article{Slug: "x", Headline: "nul \x00 byte", Status: news.StatusDraft})
	if !errors.Is(err, news.ErrInvalid) {
		t.Errorf("NUL byte: %v, want ErrInvalid", err)
	}
	// More distinct words than a tsvector holds (1 MB): refused clearly.
	var huge strings.Builder
	for i := range 50000 {
		fmt.Fprintf(&huge, "lexeme%dabcdefghijklmnopqrstuvwxyz ", i)
	}
	err = db.CreateArticle(ctx, &news.Article{Slug: "huge", Headline: "x", BodyHTML: huge.String(), Status: news.StatusDraft})
	if !errors.Is(err, news.ErrInvalid) {
		t.Errorf("story too large to index: %v, want ErrInvalid", err)
	}
	_, total, err := db.FindArticles(ctx, news.ArticleFilter{})
	if err != nil || total != 0 {
		t.Errorf("failed creates left %d stories (%v)", total, err)
	}
	err = db.AddViews(ctx, []news.ViewCount{{ArticleID: 1, Hour: time.Now(), Count: -1}})
	if !errors.Is(err, news.ErrInvalid) {
		t.Errorf("negative views: %v, want ErrInvalid", err)
	}
}

// waitFor polls cond until it holds or a generous deadline passes. It is
// for waiting on another goroutine, not for measuring speed.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestListen(t *testing.T) {
	u := freshSchema(t)
	listener := openURL(t, u)
	writer := openURL(t, u) // another node
	other := openURL(t, freshSchema(t))
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int64
	done := make(chan error, 1)
	go func() { done <- listener.Listen(ctx, func() { calls.Add(1) }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Listen returned %v after cancel, want nil", err)
		}
	})
	waitFor(t, "LISTEN", func() bool { return listener.listenPID.Load() != 0 })

	// A write in another schema (another paper) commits first; notifications
	// arrive in commit order, so had it not been filtered out it would be
	// counted before ours.
	if err := other.CreateSection(ctx, &news.Section{Slug: "o", Name: "O"}); err != nil {
		t.Fatal(err)
	}
	if err := writer.CreateSection(ctx, &news.Section{Slug: "w", Name: "W"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a notification of the other node's write", func() bool { return calls.Load() >= 1 })
	if err := writer.Update(ctx, func(tx news.Tx) error { tx.Announce(news.Change{Front: true}); return nil }); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a second notification", func() bool { return calls.Load() >= 2 })
	if n := calls.Load(); n != 2 {
		t.Errorf("onChange called %d times for 2 writes of ours (another schema's write leaked in?)", n)
	}
	// A rolled-back write sends nothing; a newsroom-only write neither.
	if err := writer.CreateSection(ctx, &news.Section{Slug: "", Name: "x"}); err == nil {
		t.Fatal("CreateSection without slug succeeded")
	}
	if err := writer.AddAudit(ctx, &news.AuditEntry{Action: "signin_failed"}); err != nil {
		t.Fatal(err)
	}
	if err := writer.PutSetting(ctx, "views.salt", "x"); err != nil {
		t.Fatal(err)
	}

	// The connection is lost: Listen reconnects and asks for a full
	// refresh, and later writes are heard again.
	pid := listener.listenPID.Load()
	if _, err := writer.pool.Exec(ctx, "SELECT pg_terminate_backend($1, 5000)", int32(pid)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the full refresh after reconnecting", func() bool { return calls.Load() >= 3 })
	waitFor(t, "a new LISTEN connection", func() bool { p := listener.listenPID.Load(); return p != 0 && p != pid })
	if err := writer.CreateSection(ctx, &news.Section{Slug: "w2", Name: "W2"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a notification after reconnecting", func() bool { return calls.Load() >= 4 })
	if n := calls.Load(); n != 4 {
		t.Errorf("onChange called %d times, want 4 (2 writes, 1 refresh, 1 write)", n)
	}
}

func TestGenerationSharedAcrossNodes(t *testing.T) {
	u := freshSchema(t)
	a, b := openURL(t, u), openURL(t, u)
	ctx := context.Background()
	g0, err := b.Generation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.CreateSection(ctx, &news.Section{Slug: "s", Name: "S"}); err != nil {
		t.Fatal(err)
	}
	if g1, err := b.Generation(ctx); err != nil || g1 <= g0 {
		t.Errorf("node b sees generation %d after node a wrote (was %d, %v)", g1, g0, err)
	}
}

// A lease is per paper (schema), and its fencing holds across nodes: a
// takeover waits for a transaction that checked the old token, so nothing
// commits under a lease after another node took it.
func TestLeaseFencing(t *testing.T) {
	u := freshSchema(t)
	n1, n2 := openURL(t, u), openURL(t, u)
	ctx := context.Background()
	elsewhere := openURL(t, freshSchema(t))
	l1, ok, err := n1.AcquireLease(ctx, "scheduler", "n1", 300*time.Millisecond)
	if err != nil || !ok {
		t.Fatalf("AcquireLease: %v %v", ok, err)
	}
	if _, ok, err := elsewhere.AcquireLease(ctx, "scheduler", "n9", time.Minute); err != nil || !ok {
		t.Errorf("another paper's scheduler lease: %v %v", ok, err)
	}
	var committed, acquired atomic.Int64
	took := make(chan news.Lease, 1)
	err = n1.Update(ctx, func(tx news.Tx) error {
		if err := tx.CheckLease(ctx, l1); err != nil {
			return err
		}
		go func() {
			for {
				l, ok, err := n2.AcquireLease(ctx, "scheduler", "n2", time.Minute)
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					acquired.Store(time.Now().UnixNano())
					took <- l
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
		// Hold the transaction past the lease's expiry.
		time.Sleep(600 * time.Millisecond)
		committed.Store(time.Now().UnixNano())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	l2 := <-took
	if acquired.Load() < committed.Load() {
		t.Errorf("n2 took the lease %v before n1's checked transaction ended", time.Duration(committed.Load()-acquired.Load()))
	}
	if l2.Token <= l1.Token {
		t.Errorf("token %d after %d", l2.Token, l1.Token)
	}
	err = n1.Update(ctx, func(tx news.Tx) error { return tx.CheckLease(ctx, l1) })
	if !errors.Is(err, news.ErrLeaseLost) {
		t.Errorf("the deposed node's check: %v, want ErrLeaseLost", err)
	}
}

// A read whose pooled connection was killed (pg_terminate_backend) is
// retried once on a fresh connection instead of failing the request.
func TestReadRetriedOnBrokenConnection(t *testing.T) {
	u := freshSchema(t)
	db := openURL(t, withParam(u, "pool_max_conns", "1"))
	killer := openURL(t, u)
	ctx := context.Background()
	sec := &news.Section{Slug: "s", Name: "S"}
	if err := db.CreateSection(ctx, sec); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateArticle(ctx, &news.Article{Slug: "a", Headline: "A", Status: news.StatusDraft, SectionID: sec.ID}); err != nil {
		t.Fatal(err)
	}
	kill := func() {
		t.Helper()
		var pid int32
		if err := db.pool.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
			t.Fatal(err)
		}
		if _, err := killer.pool.Exec(ctx, "SELECT pg_terminate_backend($1, 5000)", pid); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		kill()
		if _, err := db.FindSectionBySlug(ctx, "s"); err != nil { // one row
			t.Fatalf("FindSectionBySlug after the connection was killed: %v", err)
		}
		kill()
		if list, err := db.ListSections(ctx); err != nil || len(list) != 1 { // rows
			t.Fatalf("ListSections after the connection was killed: %v %v", list, err)
		}
		kill()
		lists, err := db.FindArticleLists(ctx, []news.ArticleFilter{{Limit: 1}, {Limit: 2}}) // a batch
		if err != nil || len(lists) != 2 || len(lists[0]) != 1 || len(lists[1]) != 1 || lists[1][0].Section == nil {
			t.Fatalf("FindArticleLists after the connection was killed: %v %v", lists, err)
		}
	}
}

// A statement stuck behind a lock fails after the statement timeout
// instead of hanging the request.
func TestStatementTimeout(t *testing.T) {
	u := freshSchema(t)
	db, err := Open(context.Background(), u, WithTimeout(300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	holder := openURL(t, u)
	ctx := context.Background()
	a := &news.Article{Slug: "locked", Headline: "Locked", Status: news.StatusDraft}
	if err := db.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	tx, err := holder.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "LOCK TABLE articles IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	a.Headline = "Changed"
	err = db.UpdateArticle(ctx, a)
	if err == nil {
		t.Fatal("an update through a locked table succeeded")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the update waited %v", d)
	}
}

func TestAddViewsFromManyNodes(t *testing.T) {
	u := freshSchema(t)
	nodes := []*DB{openURL(t, u), openURL(t, u)}
	ctx := context.Background()
	var ids []int64
	for i := range 3 {
		a := &news.Article{Slug: fmt.Sprint("v", i), Headline: "V", Status: news.StatusPublished, PublishedAt: time.Now()}
		if err := nodes[0].CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	hour := time.Date(2026, 3, 22, 9, 0, 0, 0, time.UTC)
	const workers, rounds = 8, 40
	var wg sync.WaitGroup
	errs := make(chan error, len(nodes)*workers)
	for _, db := range nodes {
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r := range rounds {
					// Batches list rows in different orders (and repeat a
					// row) to invite deadlocks and double updates.
					batch := []news.ViewCount{
						{ArticleID: ids[(w+r)%3], Hour: hour, Count: 1},
						{ArticleID: ids[(w+r+1)%3], Hour: hour.Add(59 * time.Minute), Count: 2},
						{ArticleID: ids[(w+r+2)%3], Hour: hour, Count: 3},
						{ArticleID: ids[(w+r)%3], Hour: hour.Add(time.Minute), Count: 4},
					}
					if err := db.AddViews(ctx, batch); err != nil {
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
		t.Fatalf("AddViews: %v", err)
	}
	var sum int64
	for _, id := range ids {
		vc, err := nodes[1].ArticleViews(ctx, id, hour)
		if err != nil {
			t.Fatal(err)
		}
		if len(vc) != 1 {
			t.Fatalf("article %d: %d hour rows, want 1: %+v", id, len(vc), vc)
		}
		sum += vc[0].Count
	}
	if want := int64(len(nodes) * workers * rounds * (1 + 2 + 3 + 4)); sum != want {
		t.Errorf("views sum to %d, want %d", sum, want)
	}

	// A beacon for a story deleted since is dropped; the rest of the batch counts.
	if err := nodes[0].AddViews(ctx, []news.ViewCount{{ArticleID: 999999, Hour: hour, Count: 5}, {ArticleID: ids[0], Hour: hour, Count: 1}}); err != nil {
		t.Fatalf("AddViews with a deleted story: %v", err)
	}
	if vc, err := nodes[0].ArticleViews(ctx, 999999, hour); err != nil || len(vc) != 0 {
		t.Errorf("views of a missing story: %+v, %v", vc, err)
	}
}

func TestSearchPostgres(t *testing.T) {
	db := openURL(t, freshSchema(t))
	ctx := context.Background()
	now := time.Date(2026, 3, 22, 0, 0, 0, 0, time.UTC)
	mk := func(slug, headline, deck, body string) int64 {
		a := &news.Article{Slug: slug, Headline: headline, Deck: deck, BodyHTML: body, Status: news.StatusPublished, PublishedAt: now}
		if err := db.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	inBody := mk("body", "Talks resume", "Diplomats meet", "<p>The missile test came a day after the missile launch and another missile.</p>")
	inHead := mk("head", "North fires missile", "Seoul reacts", "<p>Officials said little.</p>")
	inDeck := mk("deck", "Security council meets", "A missile launch prompts talks", "<p>Nothing else.</p>")
	ko1 := mk("ko1", "북한은 미사일을 발사했다", "", "<p>합동참모본부가 밝혔다.</p>")
	ko2 := mk("ko2", "정부 발표", "", "<p>북한의 도발에 대응하여 <b>남북한</b> 회담이 열렸다.</p>")
	draft := &news.Article{Slug: "draft", Headline: "missiles draft", Status: news.StatusDraft}
	if err := db.CreateArticle(ctx, draft); err != nil {
		t.Fatal(err)
	}

	search := func(q string) []news.SearchHit {
		t.Helper()
		hits, total, err := db.SearchArticles(ctx, news.SearchQuery{Text: q, PublicAt: now})
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		if total != len(hits) {
			t.Errorf("search %q: total %d, hits %d", q, total, len(hits))
		}
		return hits
	}
	ids := func(hits []news.SearchHit) []int64 {
		var out []int64
		for _, h := range hits {
			out = append(out, h.Article.ID)
		}
		return out
	}
	if got, want := fmt.Sprint(ids(search("missiles"))), fmt.Sprint([]int64{inHead, inDeck, inBody}); got != want {
		t.Errorf("missiles: %v, want headline, deck, body: %v", got, want)
	}
	if got := ids(search("북한")); fmt.Sprint(sortedCopy(got)) != fmt.Sprint([]int64{ko1, ko2}) {
		t.Errorf("북한: %v, want %d and %d", got, ko1, ko2)
	}
	if got := ids(search("미사일")); len(got) != 1 || got[0] != ko1 {
		t.Errorf("미사일: %v, want %d", got, ko1)
	}
	if got := ids(search("북")); len(got) != 2 {
		t.Errorf("북 (one character): %v, want both Korean stories", got)
	}
	if got := ids(search("북한 회담")); len(got) != 1 || got[0] != ko2 {
		t.Errorf("북한 회담: %v, want %d", got, ko2)
	}
	hits := search("missile")
	for _, h := range hits {
		if h.Article.ID == inBody && !strings.Contains(h.Snippet, news.MarkStart+"missile"+news.MarkEnd) {
			t.Errorf("snippet %q does not mark the match", h.Snippet)
		}
	}
	for _, h := range search("남북한") {
		if !strings.Contains(h.Snippet, news.MarkStart) {
			t.Errorf("Korean snippet %q has no mark", h.Snippet)
		}
	}
	for _, q := range []string{`"missile`, `missile & | ! (`, `'`, `\`, `a:*`, `-missile`, `<->`, "", "   ", "the"} {
		if _, _, err := db.SearchArticles(ctx, news.SearchQuery{Text: q}); err != nil {
			t.Errorf("search %q: %v, want no error", q, err)
		}
	}
	// Without PublicAt the newsroom finds drafts too.
	all, _, err := db.SearchArticles(ctx, news.SearchQuery{Text: "missiles"})
	if err != nil || len(all) != 4 {
		t.Errorf("newsroom search: %d hits (%v), want 4", len(all), err)
	}
	// Updating a story re-indexes it at once.
	a, err := db.FindArticleByID(ctx, inBody)
	if err != nil {
		t.Fatal(err)
	}
	a.BodyHTML = "<p>Only diplomacy now.</p>"
	if err := db.UpdateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got := ids(search("missile")); len(got) != 2 {
		t.Errorf("after update: %v, want 2", got)
	}
	// Paging past the end still reports the total.
	hs, total, err := db.SearchArticles(ctx, news.SearchQuery{Text: "missile", PublicAt: now, Offset: 10})
	if err != nil || len(hs) != 0 || total != 2 {
		t.Errorf("past the end: %d hits, total %d, %v", len(hs), total, err)
	}
}

func sortedCopy(ids []int64) []int64 {
	out := append([]int64(nil), ids...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// planQuerier is what explain runs on: a pool, a connection, a transaction.
type planQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// explain is EXPLAIN's plan of sql with args, run on q, as one text.
func explain(t *testing.T, q planQuerier, sql string, args ...any) string {
	t.Helper()
	rows, err := q.Query(context.Background(), "EXPLAIN "+sql, args...)
	if err != nil {
		t.Fatalf("EXPLAIN %.60s: %v", sql, err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("EXPLAIN %.60s: %v", sql, err)
	}
	return strings.Join(lines, "\n")
}
