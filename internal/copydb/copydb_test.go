package copydb_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/internal/copydb"
	"masthead/internal/demo"
	"masthead/internal/media"
	"masthead/internal/news"
	"masthead/internal/store/postgres"
	"masthead/internal/store/sqlite"
	"masthead/internal/testpg"
)

// store is what both store packages offer: the domain API and the copy API.
type store interface {
	news.Store
	copydb.Destination
	Close() error
}

func openSQLite(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "masthead.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// openPostgres opens a fresh schema of MASTHEAD_TEST_POSTGRES, dropped when
// the test ends, or skips the test when the variable is unset.
func openPostgres(t testing.TB) *postgres.DB {
	t.Helper()
	ctx := context.Background()
	db, err := postgres.Open(ctx, testpg.URL(t, "masthead_copy"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var (
	templateOnce sync.Once
	templatePath string
	templateErr  error
)

// seededSQLite returns a SQLite database holding the seeded paper. The demo
// paper takes seconds to build (it draws and encodes its photos), so it is
// built once and each test gets a copy of the file.
func seededSQLite(t *testing.T) *sqlite.DB {
	t.Helper()
	templateOnce.Do(func() {
		dir, err := os.MkdirTemp("", "copydb-template-")
		if err != nil {
			templateErr = err
			return
		}
		db, err := sqlite.Open(context.Background(), filepath.Join(dir, "seed.db"))
		if err != nil {
			templateErr = err
			return
		}
		defer db.Close()
		if templateErr = seed(db, filepath.Join(dir, "media")); templateErr != nil {
			return
		}
		templatePath = filepath.Join(dir, "template.db")
		templateErr = db.Backup(context.Background(), templatePath)
	})
	if templateErr != nil {
		t.Fatalf("seed the demo paper: %v", templateErr)
	}
	path := filepath.Join(t.TempDir(), "masthead.db")
	data, err := os.ReadFile(templatePath)
	must(t, err)
	must(t, os.WriteFile(path, data, 0o600))
	db, err := sqlite.Open(context.Background(), path)
	must(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMain(m *testing.M) {
	code := m.Run()
	if templatePath != "" {
		os.RemoveAll(filepath.Dir(templatePath))
	}
	os.Exit(code)
}

// seed builds the demo paper and adds what the demo lacks: accounts with
// password hashes, a session, audit entries, settings, view counts, a
// correction tied to a revision, a former slug and a translation.
func seed(st news.Store, mediaDir string) error {
	ctx := context.Background()
	blobs, err := media.NewDirBlobs(mediaDir)
	if err != nil {
		return err
	}
	paper := &news.Paper{Name: "The Demo Times", BaseURL: "http://example.test"}
	lib := media.New(media.Config{Store: st, Blobs: blobs, Paper: paper,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	now := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	if _, err := demo.SeedWith(ctx, st, lib, paper, now, demo.Options{PhotoWidth: 480}); err != nil {
		return err
	}
	authors, err := st.ListAuthors(ctx)
	if err != nil || len(authors) == 0 {
		return fmt.Errorf("demo authors: %v (%d)", err, len(authors))
	}
	arts, _, err := st.FindArticles(ctx, news.ArticleFilter{Limit: 5})
	if err != nil || len(arts) < 2 {
		return fmt.Errorf("demo stories: %v (%d)", err, len(arts))
	}
	u := &news.User{Email: "Editor@Example.test", Name: "Ed", Role: news.RoleEditor, AuthorID: authors[0].ID,
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo", CreatedAt: now}
	if err := st.CreateUser(ctx, u); err != nil {
		return err
	}
	if err := st.CreateUser(ctx, &news.User{Email: "gone@example.test", Name: "Gone", Role: news.RoleContributor, Disabled: true}); err != nil {
		return err
	}
	if err := st.PutRedirect(ctx, &news.Redirect{From: "/section/old-desk", To: "/section/north-korea", CreatedAt: now}); err != nil {
		return err
	}
	// Static pages: one published in the footer, one draft never published.
	if err := st.CreatePage(ctx, &news.Page{Slug: "our-history", Title: "Our history", Body: "<p>An independent daily.</p>", Lang: "en",
		Status: news.StatusPublished, Position: 1, InFooter: true, CreatedAt: now}); err != nil {
		return err
	}
	if err := st.CreatePage(ctx, &news.Page{Slug: "draft-page", Title: "A draft page", Status: news.StatusDraft, CreatedAt: now}); err != nil {
		return err
	}
	if err := st.AddMessage(ctx, &news.ReaderMessage{Kind: news.MessageError, Email: "reader@example.com", URL: "/2026/03/22/x",
		Text: "A typo in the second paragraph.", ClientKey: "abc", CreatedAt: now}); err != nil {
		return err
	}
	// Integrations: a revoked key beside a live one, an audited call, a
	// counted hour, a webhook and a wire record.
	in := &news.Integration{Name: "Wire desk", Scopes: []news.Scope{news.ScopeStoriesWrite, news.ScopeWebhooksManage}, RateLimit: 90, CreatedAt: now}
	keys := []*news.APIKey{{Kind: news.KeyAdmin, Hash: strings.Repeat("a", 64), Hint: "aaaa", CreatedAt: now},
		{Kind: news.KeyContent, Hash: strings.Repeat("b", 64), Hint: "bbbb", CreatedAt: now}}
	if err := st.CreateIntegration(ctx, in, keys); err != nil {
		return err
	}
	if err := st.RevokeAPIKey(ctx, keys[1].ID, now.Add(time.Minute)); err != nil {
		return err
	}
	if err := st.RecordKeyUse(ctx, []news.KeyUse{{KeyID: keys[0].ID, IntegrationID: in.ID, Name: in.Name, At: now, Calls: 3}}); err != nil {
		return err
	}
	if err := st.AddIntegrationCall(ctx, &news.IntegrationCall{IntegrationID: in.ID, Name: in.Name, KeyID: keys[0].ID, Method: "POST",
		Route: "POST /api/admin/v1/webhooks", Status: 201, CreatedAt: now}); err != nil {
		return err
	}
	if err := st.CreateWebhook(ctx, &news.Webhook{IntegrationID: in.ID, URL: "https://hooks.example/in", Events: []string{"story.published"},
		Secret: "whsec_c2VjcmV0", CreatedAt: now}); err != nil {
		return err
	}
	if _, err := st.PutWireItem(ctx, &news.WireItem{URI: "urn:newsml:ap.example:1", ArticleID: arts[0].ID, Version: 2, VersionCreated: now,
		PubStatus: "usable", Distributor: "AP", Credit: "By A", Rights: "Copyright AP", IntegrationID: in.ID, UpdatedAt: now}); err != nil {
		return err
	}
	if err := st.CreateSession(ctx, &news.Session{ID: "sess-hash", UserID: u.ID, CSRFToken: "csrf", CreatedAt: now,
		ExpiresAt: now.Add(time.Hour), LastSeen: now}); err != nil {
		return err
	}
	a := arts[0]
	oldSlug := a.Slug
	a.Slug = a.Slug + "-renamed"
	if err := st.UpdateArticle(ctx, a); err != nil {
		return err
	}
	if got, err := st.FindArticleBySlug(ctx, oldSlug); err != nil || got.ID != a.ID {
		return fmt.Errorf("former slug %q: %v", oldSlug, err)
	}
	rev := news.RevisionOf(a, u.ID, "correction", now.Add(time.Minute))
	if err := st.CreateRevision(ctx, rev); err != nil {
		return err
	}
	if err := st.AddCorrection(ctx, &news.Correction{ArticleID: a.ID, Kind: news.CorrectionKind("correction"),
		Text: "An earlier version misspelt a name.", CreatedAt: now.Add(time.Minute), RevisionID: rev.ID}); err != nil {
		return err
	}
	if tr, ok := st.(news.Trash); ok {
		gone := &news.Article{Slug: "deleted-" + a.Slug, Headline: "Deleted", BodyHTML: "<p>x</p>", Lang: "en", Status: news.StatusUnpublished, CreatedAt: now}
		if err := st.CreateArticle(ctx, gone); err != nil {
			return err
		}
		if err := tr.TrashArticle(ctx, news.TrashEntry{ArticleID: gone.ID, DeletedAt: now, DeletedBy: u.ID, Status: news.StatusPublished}); err != nil {
			return err
		}
	}
	if ns, ok := st.(news.NoteStore); ok {
		if err := ns.AddNote(ctx, &news.Note{ArticleID: a.ID, UserID: u.ID, Text: "Check the quote.", CreatedAt: now}); err != nil {
			return err
		}
	}
	tr := &news.Article{Slug: "translation-" + a.Slug, Headline: "번역 " + a.Headline, BodyMarkdown: "본문",
		BodyHTML: "<p>본문</p>", Lang: "ko", Status: news.StatusDraft, TranslationOf: a.ID, CreatedAt: now,
		Authors: []*news.Author{authors[0]}}
	if err := st.CreateArticle(ctx, tr); err != nil {
		return err
	}
	// And a link to a larger id, which a load in id order meets before
	// the story it points at exists.
	older := arts[1]
	older.TranslationOf = tr.ID
	if err := st.UpdateArticle(ctx, older); err != nil {
		return err
	}
	if err := st.AddAudit(ctx, &news.AuditEntry{UserID: u.ID, Action: "publish", ArticleID: a.ID, Detail: "front page", CreatedAt: now}); err != nil {
		return err
	}
	if err := st.PutSetting(ctx, "zeta", "last"); err != nil {
		return err
	}
	if err := st.PutSetting(ctx, "Alpha", "first"); err != nil {
		return err
	}
	if err := st.AddViews(ctx, []news.ViewCount{
		{ArticleID: a.ID, Hour: now.Truncate(time.Hour), Count: 41},
		{ArticleID: arts[1].ID, Hour: now.Truncate(time.Hour).Add(-time.Hour), Count: 7},
	}); err != nil {
		return err
	}
	return seedReaders(st, a, u, now)
}

// seedReaders adds issue 16's rows: a reader, a list, a confirmed then
// left subscription, a thread with a reply, an imported comment, a
// report and a closed thread.
func seedReaders(st news.Store, a *news.Article, u *news.User, now time.Time) error {
	ctx := context.Background()
	rs, ok := st.(interface {
		news.ReaderStore
		news.NewsletterStore
		news.CommentStore
	})
	if !ok {
		return fmt.Errorf("%T has no reader tables", st)
	}
	r, err := rs.EnsureReader(ctx, "Reader@Example.test")
	if err != nil {
		return err
	}
	r.Name, r.ShadowBanned = "Kim", true
	if err := rs.UpdateReader(ctx, r); err != nil {
		return err
	}
	if err := rs.AddPasskey(ctx, &news.Passkey{ID: "cred-b64url", ReaderID: r.ID, Name: "Phone", Data: `{"id":"x"}`, CreatedAt: now}); err != nil {
		return err
	}
	if err := rs.UsePasskey(ctx, "cred-b64url", `{"id":"x","n":1}`, now.Add(time.Hour)); err != nil {
		return err
	}
	l := &news.NewsletterList{Slug: "daily", Name: "Daily", Kind: news.ListSection, SectionID: a.SectionID, Position: 2, CreatedAt: now}
	if err := rs.CreateNewsletterList(ctx, l); err != nil {
		return err
	}
	sub, err := rs.Subscribe(ctx, l.ID, r.ID, r.Email, now)
	if err != nil {
		return err
	}
	if err := rs.SetSubscriptionStatus(ctx, sub.ID, news.SubActive, now.Add(time.Minute)); err != nil {
		return err
	}
	if err := rs.SetSubscriptionStatus(ctx, sub.ID, news.SubUnsubscribed, now.Add(time.Hour)); err != nil {
		return err
	}
	top := &news.Comment{ArticleID: a.ID, ReaderID: r.ID, AuthorName: "Kim", Body: "First", Status: news.CommentApproved,
		Shadow: true, SpamScore: 0.3, CreatedAt: now, EditedAt: now.Add(time.Minute)}
	if err := rs.CreateComment(ctx, top); err != nil {
		return err
	}
	if err := rs.CreateComment(ctx, &news.Comment{ArticleID: a.ID, ParentID: top.ID, AuthorName: "The Demo Times", Staff: true,
		StaffUserID: u.ID, Body: "Thanks", Status: news.CommentApproved, CreatedAt: now.Add(2 * time.Minute)}); err != nil {
		return err
	}
	if err := rs.ImportComment(ctx, &news.Comment{ArticleID: a.ID, AuthorName: "WP reader", Body: "From WordPress",
		Status: news.CommentApproved, SourceKey: "wp:1", CreatedAt: now.Add(-time.Hour)}, ""); err != nil {
		return err
	}
	if err := rs.ReportComment(ctx, top.ID, r.ID, "test", now); err != nil {
		return err
	}
	return rs.SetCommentsClosed(ctx, a.ID, true)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// dump reads every table in the neutral format.
func dump(t *testing.T, src copydb.Source) map[string][][]any {
	t.Helper()
	out := map[string][][]any{}
	for _, tb := range copydb.Tables {
		err := src.ExportRows(context.Background(), tb.Name, func(row []any) error {
			out[tb.Name] = append(out[tb.Name], append([]any(nil), row...))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// sameRows compares two dumps row by row, value by value.
func sameRows(t *testing.T, what string, want, got map[string][][]any) {
	t.Helper()
	for _, tb := range copydb.Tables {
		w, g := want[tb.Name], got[tb.Name]
		if len(w) != len(g) {
			t.Errorf("%s: %s has %d rows, want %d", what, tb.Name, len(g), len(w))
			continue
		}
		for i := range w {
			for j := range w[i] {
				if !sameValue(w[i][j], g[i][j]) {
					t.Errorf("%s: %s row %d %s = %#v, want %#v", what, tb.Name, i, tb.Columns[j], g[i][j], w[i][j])
				}
			}
		}
	}
}

func sameValue(a, b any) bool {
	if ta, ok := a.(time.Time); ok {
		tb, ok := b.(time.Time)
		return ok && ta.Equal(tb)
	}
	return a == b
}

func TestTablesMatchStores(t *testing.T) {
	// Every neutral table exists in SQLite with the listed width; the
	// PostgreSQL side is held by the round trip.
	db := openSQLite(t)
	for _, tb := range copydb.Tables {
		if _, err := db.CountRows(context.Background(), tb.Name); err != nil {
			t.Errorf("%s: %v", tb.Name, err)
		}
	}
	if _, err := db.CountRows(context.Background(), "users; DROP TABLE users"); err == nil {
		t.Error("CountRows accepted a table name outside the copy list")
	}
}

func copyAndCheck(t *testing.T, what string, src copydb.Source, dst store, want map[string][][]any) {
	t.Helper()
	ctx := context.Background()
	var progress strings.Builder
	start := time.Now()
	counts, err := copydb.Copy(ctx, src, dst, &progress)
	if err != nil {
		t.Fatalf("%s: %v\n%s", what, err, progress.String())
	}
	var rows int
	for _, r := range want {
		rows += len(r)
	}
	t.Logf("%s: %d rows in %s", what, rows, time.Since(start).Round(time.Millisecond))
	if len(counts) != len(copydb.Tables) {
		t.Fatalf("%s: %d counts, want %d", what, len(counts), len(copydb.Tables))
	}
	for _, c := range counts {
		if c.From != c.To || c.From != int64(len(want[c.Table])) {
			t.Errorf("%s: %s counted %d → %d, want %d", what, c.Table, c.From, c.To, len(want[c.Table]))
		}
	}
	sameRows(t, what, want, dump(t, dst))
	if n, err := dst.CountRows(ctx, "sessions"); err != nil || n != 0 {
		t.Errorf("%s: %d sessions copied (%v); sessions stay behind", what, n, err)
	}
	checkUsable(t, what, dst, want)
}

// checkUsable proves the copy is a working paper, not just equal rows:
// search finds a story (the index was built), a former slug still leads to
// its story, an account signs in by e-mail in any case, and a new story
// gets a fresh id (PostgreSQL sequences moved past the loaded ids).
func checkUsable(t *testing.T, what string, st news.Store, want map[string][][]any) {
	t.Helper()
	ctx := context.Background()
	var published *news.Article
	arts, _, err := st.FindArticles(ctx, news.ArticleFilter{Status: news.StatusPublished, Limit: 1})
	if err != nil || len(arts) == 0 {
		t.Fatalf("%s: published stories: %v", what, err)
	}
	published = arts[0]
	word := strings.Fields(published.Headline)[0]
	hits, _, err := st.SearchArticles(ctx, news.SearchQuery{Text: word, Limit: 50})
	if err != nil {
		t.Fatalf("%s: search: %v", what, err)
	}
	found := false
	for _, h := range hits {
		found = found || h.Article.ID == published.ID
	}
	if !found {
		t.Errorf("%s: search for %q does not find story %d: the search index was not built", what, word, published.ID)
	}
	for _, row := range want["article_slugs"] {
		a, err := st.FindArticleBySlug(ctx, row[0].(string))
		if err != nil || a.ID != row[1].(int64) {
			t.Errorf("%s: former slug %q: %v", what, row[0], err)
		}
	}
	u, err := st.FindUserByEmail(ctx, "editor@example.TEST")
	if err != nil || !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
		t.Errorf("%s: account by e-mail: %v", what, err)
	}
	// The counts the writes keep came with the copy (triggers on SQLite,
	// one rebuild at the end on PostgreSQL): each section's, author's and
	// tag's page total and the sitemap months equal a recount.
	now := time.Now()
	for _, row := range want["article_authors"] {
		for _, lf := range []news.ArticleFilter{{AuthorID: row[1].(int64)}} {
			lf.PublicAt = now
			_, kept, err := st.FindArticles(ctx, lf)
			all := lf
			all.PublishedTo, all.Limit = now.AddDate(10, 0, 0), 1000 // not a list page: counted
			_, counted, err2 := st.FindArticles(ctx, all)
			if err != nil || err2 != nil || kept != counted {
				t.Errorf("%s: author %d: kept total %d, recount %d (%v %v)", what, lf.AuthorID, kept, counted, err, err2)
			}
		}
	}
	if am, ok := st.(interface {
		ArchiveMonths(ctx context.Context, t time.Time, loc *time.Location) ([]news.MonthStats, error)
	}); ok {
		ms, err := am.ArchiveMonths(ctx, now, time.UTC)
		total := 0
		for _, m := range ms {
			total += m.Total
		}
		_, public, err2 := st.FindArticles(ctx, news.ArticleFilter{PublicAt: now, Limit: 1})
		if err != nil || err2 != nil || total != public || public == 0 {
			t.Errorf("%s: months hold %d stories, %d are public (%v %v)", what, total, public, err, err2)
		}
	} else {
		t.Errorf("%s: %T keeps no month aggregates", what, st)
	}
	var maxID int64
	for _, row := range want["articles"] {
		maxID = max(maxID, row[0].(int64))
	}
	a := &news.Article{Slug: "after-the-copy", Headline: "After the copy", Status: news.StatusDraft}
	if err := st.CreateArticle(ctx, a); err != nil {
		t.Fatalf("%s: new story after the copy: %v", what, err)
	}
	if a.ID <= maxID {
		t.Errorf("%s: new story got id %d, not above the copied %d", what, a.ID, maxID)
	}
	if err := st.DeleteArticle(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
}

func TestCopySQLiteToSQLite(t *testing.T) {
	src := seededSQLite(t)
	want := dump(t, src)
	for _, tb := range copydb.Tables {
		if len(want[tb.Name]) == 0 {
			t.Errorf("the seeded paper has no %s: the test would not see that table copied", tb.Name)
		}
	}
	copyAndCheck(t, "sqlite → sqlite", src, openSQLite(t), want)
}

func TestCopyRoundTripPostgres(t *testing.T) {
	pg := openPostgres(t)
	src := seededSQLite(t)
	want := dump(t, src)
	copyAndCheck(t, "sqlite → postgres", src, pg, want)
	// checkUsable added and deleted a story; dump again so the second hop
	// compares with what PostgreSQL holds now (the same rows).
	copyAndCheck(t, "postgres → sqlite", pg, openSQLite(t), want)
}

func TestCopyRefusesNonEmpty(t *testing.T) {
	src := seededSQLite(t)
	ctx := context.Background()
	dests := map[string]func(*testing.T) store{
		"sqlite":   func(t *testing.T) store { return openSQLite(t) },
		"postgres": func(t *testing.T) store { return openPostgres(t) },
	}
	for name, open := range dests {
		t.Run(name, func(t *testing.T) {
			dst := open(t)
			must(t, dst.CreateSection(ctx, &news.Section{Slug: "local", Name: "Local"}))
			_, err := copydb.Copy(ctx, src, dst, nil)
			if !errors.Is(err, copydb.ErrNotEmpty) || !strings.Contains(err.Error(), "sections has 1 rows") {
				t.Fatalf("copy into a database with a section: %v, want ErrNotEmpty naming sections", err)
			}
			// ImportRows checks again inside its transaction: a session
			// alone (not in copydb.Tables) is enough to refuse.
			dst2 := open(t)
			u := &news.User{Email: "a@example.test", Role: news.RoleAdmin}
			must(t, dst2.CreateUser(ctx, u))
			must(t, dst2.CreateSession(ctx, &news.Session{ID: "s", UserID: u.ID, CSRFToken: "c",
				CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour), LastSeen: time.Now()}))
			err = dst2.ImportRows(ctx, func(put func(string, []any) error) error {
				return put("tags", []any{int64(1), "x", "X", int64(1), int64(0), time.Time{}})
			})
			if !errors.Is(err, news.ErrConflict) {
				t.Fatalf("import into a database with an account: %v, want a conflict", err)
			}
			for _, tb := range []string{"sections", "tags", "articles"} {
				n, err := dst.CountRows(ctx, tb)
				must(t, err)
				if want := map[string]int64{"sections": 1}[tb]; n != want {
					t.Errorf("refused copy wrote %d rows into %s", n, tb)
				}
			}
		})
	}
}

func TestFailedLoadWritesNothing(t *testing.T) {
	ctx := context.Background()
	dests := map[string]func(*testing.T) store{
		"sqlite":   func(t *testing.T) store { return openSQLite(t) },
		"postgres": func(t *testing.T) store { return openPostgres(t) },
	}
	for name, open := range dests {
		t.Run(name, func(t *testing.T) {
			dst := open(t)
			boom := errors.New("source failed")
			err := dst.ImportRows(ctx, func(put func(string, []any) error) error {
				if err := put("sections", []any{int64(7), "world", "World", "", int64(1), int64(0), "", int64(1), int64(0), time.Time{}, false}); err != nil {
					return err
				}
				// A row of the wrong width is refused before the
				// database sees it.
				if err := put("tags", []any{int64(1), "x"}); err == nil {
					return fmt.Errorf("a short row was accepted")
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("ImportRows = %v, want the load's error", err)
			}
			if n, _ := dst.CountRows(ctx, "sections"); n != 0 {
				t.Errorf("a failed load left %d sections", n)
			}
		})
	}
}

// BenchmarkCopyToPostgres copies a paper of 2,000 stories (each with a
// byline, two tags and two revisions, ≈12,000 rows) from SQLite into a
// fresh PostgreSQL schema per iteration and reports rows a second.
func BenchmarkCopyToPostgres(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	src, err := sqlite.Open(ctx, filepath.Join(dir, "big.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	sec := &news.Section{Slug: "news", Name: "News"}
	au := &news.Author{Slug: "kim", Name: "Kim"}
	if err := src.CreateSection(ctx, sec); err != nil {
		b.Fatal(err)
	}
	if err := src.CreateAuthor(ctx, au); err != nil {
		b.Fatal(err)
	}
	tags := []*news.Tag{{Slug: "economy", Name: "Economy"}, {Slug: "seoul", Name: "Seoul"}}
	for _, tg := range tags {
		if err := src.EnsureTag(ctx, tg); err != nil {
			b.Fatal(err)
		}
	}
	body := strings.Repeat("<p>The council voted on the budget for the new tram line across the river.</p>", 12)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 2000 {
		at := now.Add(time.Duration(i) * time.Hour)
		a := &news.Article{Slug: fmt.Sprintf("story-%d", i), Headline: fmt.Sprintf("Story number %d on the budget", i),
			BodyHTML: body, Status: news.StatusPublished, SectionID: sec.ID, Authors: []*news.Author{au}, Tags: tags,
			CreatedAt: at, PublishedAt: at}
		if err := src.CreateArticle(ctx, a); err != nil {
			b.Fatal(err)
		}
		for range 2 {
			if err := src.CreateRevision(ctx, &news.Revision{ArticleID: a.ID, StoryFields: news.StoryFields{Headline: a.Headline, BodyHTML: body}, CreatedAt: at}); err != nil {
				b.Fatal(err)
			}
		}
	}
	var rows int64
	for _, tb := range copydb.Tables {
		n, _ := src.CountRows(ctx, tb.Name)
		rows += n
	}
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		dst := openPostgres(b)
		b.StartTimer()
		if _, err := copydb.Copy(ctx, src, dst, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// TestBrokenReferenceWritesNothing loads a byline whose story does not
// exist: the database refuses it, the error names the table, and the rows
// loaded before it are rolled back.
func TestBrokenReferenceWritesNothing(t *testing.T) {
	ctx := context.Background()
	dests := map[string]func(*testing.T) store{
		"sqlite":   func(t *testing.T) store { return openSQLite(t) },
		"postgres": func(t *testing.T) store { return openPostgres(t) },
	}
	for name, open := range dests {
		t.Run(name, func(t *testing.T) {
			dst := open(t)
			err := dst.ImportRows(ctx, func(put func(string, []any) error) error {
				if err := put("sections", []any{int64(7), "world", "World", "", int64(1), int64(0), "", int64(1), int64(0), time.Time{}, false}); err != nil {
					return err
				}
				return put("article_authors", []any{int64(99), int64(98), int64(0)})
			})
			if !errors.Is(err, news.ErrInvalid) || !strings.Contains(err.Error(), "article_authors") {
				t.Fatalf("ImportRows = %v, want an invalid reference naming article_authors", err)
			}
			if n, _ := dst.CountRows(ctx, "sections"); n != 0 {
				t.Errorf("a failed load left %d sections", n)
			}
		})
	}
}
