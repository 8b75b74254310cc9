// Package sqlite is the embedded news.Store: one SQLite file, a pure-Go
// driver (modernc.org/sqlite), FTS5 for search. It is what a small paper runs
// on one machine with nothing else installed.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"masthead/internal/news"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is a news.Store on one SQLite file.
//
// It holds two pools. Writes go through a pool of exactly one connection:
// SQLite allows one writer at a time anyway, and queueing writers in Go
// instead of in SQLite's busy handler makes them fair and keeps
// "database is locked" errors away. Reads use their own pool of several
// connections; in WAL mode readers see the last committed state and never
// wait for the writer, so a long import does not stall the site.
type DB struct {
	// reader gives the DB its Find* methods, on the read pool.
	reader

	path  string
	write *sql.DB
	read  *sql.DB
	// now stamps CreatedAt when the caller leaves it zero, and times leases.
	now func() time.Time
	// searchWindow overrides SearchWindow in tests.
	searchWindow int
	// stmts keeps the read pool's statements prepared.
	stmts *stmtCache
	// timeout bounds every write transaction and multi-statement read.
	timeout time.Duration

	hooksMu sync.RWMutex
	hooks   []news.TxHook
}

var _ news.Store = (*DB)(nil)

// DefaultTimeout bounds a write transaction (waiting for the write lock
// included) and a multi-statement read, unless Open is given another.
const DefaultTimeout = 5 * time.Second

// Option configures Open.
type Option func(*DB)

// WithTimeout sets the statement timeout (DefaultTimeout when d <= 0).
func WithTimeout(d time.Duration) Option {
	return func(db *DB) {
		if d > 0 {
			db.timeout = d
		}
	}
}

// Open opens (creating if needed) the database file at path, proves the
// driver has FTS5 and applies pending migrations.
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlite: open %q: want a file path", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %q: %w", path, err)
	}
	// A URI file name, so that any character in the path is allowed; the
	// driver reads its own parameters from the query.
	name := "file:" + (&url.URL{Path: abs}).EscapedPath()

	db := &DB{path: path, now: func() time.Time { return time.Now().UTC() }, timeout: DefaultTimeout}
	for _, o := range opts {
		o(db)
	}

	// Settings, and why:
	//   busy_timeout: another process (masthead import beside serve) may
	//     hold the write lock; wait for it as long as the statement
	//     timeout instead of failing at once with SQLITE_BUSY.
	//   foreign_keys(1): SQLite leaves them off by default; the schema
	//     relies on them (cascading deletes of a story's rows).
	//   journal_mode(WAL): readers and the writer do not block each other,
	//     and commits are one append to the log.
	//   synchronous(NORMAL): in WAL mode this is still crash-safe for the
	//     database; a power cut can lose the last transactions, not corrupt
	//     the file. FULL would fsync on every commit.
	//   _txlock=immediate (writer only): BEGIN takes the write lock at once.
	//     A deferred transaction that reads and then writes can fail with
	//     SQLITE_BUSY when another process wrote in between, which
	//     busy_timeout cannot help with; IMMEDIATE waits instead.
	//   query_only(1) (readers only): a read connection can never write by
	//     mistake, which would bypass the single-writer pool.
	//   mmap_size (readers only): read pages through a shared memory map
	//     instead of a pread per page; the search profile on 100,000
	//     stories spent an eighth of its time in pread.
	common := fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)", db.timeout.Milliseconds())
	w, err := sql.Open("sqlite", name+"?_txlock=immediate&_pragma=journal_mode(WAL)&"+common)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)

	db.write = w
	if err := db.checkFTS5(ctx); err != nil {
		w.Close()
		return nil, err
	}
	if err := db.migrate(ctx); err != nil {
		w.Close()
		return nil, err
	}

	r, err := sql.Open("sqlite", name+"?_pragma=query_only(1)&_pragma=mmap_size(1073741824)&"+common)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	n := max(4, 2*runtime.NumCPU())
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	db.read = r
	db.stmts = newStmtCache(r)
	db.reader = reader{db: db, one: poolQueryer{db.stmts}, snap: db.snapshot}
	if err := r.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return db, nil
}

// checkFTS5 proves at start-up that the driver was built with FTS5 (and
// contentless_delete, SQLite 3.43+), so a missing feature is one clear
// error at Open instead of a failed search later.
func (db *DB) checkFTS5(ctx context.Context) error {
	_, err := db.write.ExecContext(ctx, `CREATE VIRTUAL TABLE temp.fts5_probe USING fts5(x, content='', contentless_delete=1, tokenize='porter unicode61')`)
	if err != nil {
		var version string
		_ = db.write.QueryRowContext(ctx, `SELECT sqlite_version()`).Scan(&version)
		return fmt.Errorf("sqlite: open %s: the SQLite driver (version %s) lacks FTS5 with contentless_delete, which search needs: %w", db.path, version, err)
	}
	_, err = db.write.ExecContext(ctx, `DROP TABLE temp.fts5_probe`)
	return err
}

// migrate applies the embedded migrations that are not yet recorded in
// schema_migrations, each in its own transaction with its record, so a
// failed migration leaves the database at the previous version. Two
// processes opening a new file at once are serialised by the immediate
// transaction, and the second finds the work done.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		base := filepath.Base(name)
		num, _, ok := strings.Cut(base, "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil {
			return fmt.Errorf("sqlite: migration %s: name must start with a number", base)
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		err = db.tx(ctx, false, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, version, time.Now().UnixMicro())
			return err
		})
		if err != nil {
			return fmt.Errorf("sqlite: migration %s: %w", base, err)
		}
	}
	return nil
}

// Close closes both pools. It first lets SQLite refresh the statistics
// its planner uses (PRAGMA optimize, as SQLite recommends at close): cheap,
// and only does work when tables changed a lot.
func (db *DB) Close() error {
	var errs []error
	if _, err := db.write.Exec(`PRAGMA optimize`); err != nil {
		errs = append(errs, fmt.Errorf("optimize: %w", err))
	}
	if db.stmts != nil {
		errs = append(errs, db.stmts.close())
	}
	if db.read != nil {
		errs = append(errs, db.read.Close())
	}
	errs = append(errs, db.write.Close())
	return errors.Join(errs...)
}

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.stmts.queryRow(ctx, `SELECT 1`).Scan(&one)
}

// tx runs fn in a write transaction of its own, outside the domain's
// Update (migrations, views, leases, copy-db), without the store's
// timeout: a migration or a copy may take long. When visible is set the
// change log records that everything changed.
func (db *DB) tx(ctx context.Context, visible bool, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return translate(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return translate(err)
	}
	if visible {
		if _, err := recordChange(ctx, tx, db.now(), news.Change{All: true}); err != nil {
			return translate(err)
		}
	}
	return translate(tx.Commit())
}

// bounded gives ctx the store's timeout unless it ends sooner.
func (db *DB) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	if news.IsLongTransaction(ctx) {
		return ctx, func() {}
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= db.timeout {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, db.timeout)
}

// view runs fn in a read transaction: one consistent snapshot for a story
// and everything loaded with it.
func (db *DB) view(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return translate(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return translate(err)
	}
	return nil
}

// snapshot is view for the reader, under the store's timeout: fn's
// statements use the statement cache.
func (db *DB) snapshot(ctx context.Context, fn func(q queryer) error) error {
	ctx, cancel := db.bounded(ctx)
	defer cancel()
	return db.view(ctx, func(tx *sql.Tx) error { return fn(db.cached(tx)) })
}

// AddTxHook registers h to run in every write transaction that records a
// change.
func (db *DB) AddTxHook(h news.TxHook) {
	db.hooksMu.Lock()
	db.hooks = append(db.hooks, h)
	db.hooksMu.Unlock()
}

// Update runs fn in one write transaction (see news.Updater). The change
// the writers and fn announced is recorded in the change log last, after
// the commit hooks, so that it is in the log if and only if the
// transaction commits. SQLite has one writer at a time: fn's reads see
// the latest commit and nothing changes under them until it returns.
func (db *DB) Update(ctx context.Context, fn func(tx news.Tx) error) error {
	ctx, cancel := db.bounded(ctx)
	defer cancel()
	sqltx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", translate(err))
	}
	defer sqltx.Rollback()
	t := &txn{reader: reader{db: db, one: sqltx, snap: func(_ context.Context, fn func(queryer) error) error { return fn(sqltx) }}, tx: sqltx}
	if err := fn(t); err != nil {
		return err
	}
	if !t.change.Empty() {
		db.hooksMu.RLock()
		hooks := db.hooks
		db.hooksMu.RUnlock()
		for _, h := range hooks {
			if err := h(ctx, t, &t.change); err != nil {
				return err
			}
		}
		if _, err := recordChange(ctx, sqltx, db.now(), t.change); err != nil {
			return fmt.Errorf("sqlite: record change: %w", translate(err))
		}
	}
	if err := sqltx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", translate(err))
	}
	return nil
}

// txn is news.Tx on SQLite: the readers on the write transaction, the
// writers, and the change it will record.
type txn struct {
	reader
	tx     *sql.Tx
	change news.Change
}

var _ news.Tx = (*txn)(nil)

// Announce adds c to the change this transaction records.
func (t *txn) Announce(c news.Change) { t.change.Add(c) }

// apply runs one write of the domain API in a transaction of its own.
func (db *DB) apply(ctx context.Context, fn func(t *txn) error) error {
	return db.Update(ctx, func(tx news.Tx) error { return fn(tx.(*txn)) })
}

// Generation returns the sequence number of the last change readers can
// see, from any process using the file.
func (db *DB) Generation(ctx context.Context) (int64, error) {
	var g int64
	err := db.stmts.queryRow(ctx, `SELECT value FROM generation WHERE id = 1`).Scan(&g)
	if err != nil {
		return 0, fmt.Errorf("generation: %w", translate(err))
	}
	return g, nil
}

// Time columns are INTEGER microseconds since the epoch (PostgreSQL's
// precision), NULL for the zero time.

func tv(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

func tvNotNull(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicro(n sql.NullInt64) time.Time {
	if !n.Valid || n.Int64 == 0 {
		return time.Time{}
	}
	return time.UnixMicro(n.Int64).UTC()
}

// nullID stores 0 as NULL for optional foreign keys.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// placeholders returns "?,?,?" for n values.
func placeholders(n int) string {
	if n <= 0 {
		return "NULL"
	}
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}
