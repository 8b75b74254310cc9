// Package postgres implements news.Store on PostgreSQL 15+ with pgx: its own
// SQL and embedded migrations, weighted tsvector search, additive view counts,
// and the pieces several masthead nodes need to share one database (the
// change log with notifications, and leases with fencing tokens).
//
// A node wires it like this:
//
//	db, err := postgres.Open(ctx, "postgres://user@host/db?sslmode=verify-full")
//	go db.Listen(ctx, wake)   // a change was committed: read the change log
//	l, ok, err := db.AcquireLease(ctx, "scheduler", holder, 10*time.Second)
//
// Listen holds a session of its own, so the URL must reach PostgreSQL
// directly or through a session-mode pooler (not PgBouncer's transaction
// mode, which would break LISTEN).
// Pool settings go in the URL (pool_max_conns=10); so does search_path=X to
// keep a paper in its own schema.
package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"masthead/internal/news"
)

// notifyChannel is the LISTEN/NOTIFY channel every write readers can see is
// announced on. The payload is "<schema> <generation>" so that papers (or
// test runs) sharing one database in different schemas ignore each other.
const notifyChannel = "masthead_changes"

// DB is a news.Store on PostgreSQL. It is safe for concurrent use.
type DB struct {
	// reader gives the DB its Find* methods, on the pool (reads retried
	// once on a broken connection).
	reader

	pool *pgxpool.Pool
	// schema is current_schema() of the pool's connections: it scopes the
	// advisory lock keys and notifications to one paper.
	schema string
	now    func() time.Time

	// listenPID is the backend process id of the current Listen
	// connection (0 when none), for tests that cut it.
	listenPID atomic.Uint32

	// searchWindow overrides SearchWindow in tests.
	searchWindow int
	// wordStats is what ANALYZE found of the words in the search index,
	// for the search window's first cutoff (search.go).
	wordStats wordStats

	// timeout is the statement timeout, and bounds a whole transaction.
	timeout time.Duration

	hooksMu sync.RWMutex
	hooks   []news.TxHook

	// tracer, when set (tests), sees every statement and batch of the
	// pool's connections.
	tracer pgx.QueryTracer
}

var _ news.Store = (*DB)(nil)

// DefaultTimeout is the statement timeout unless Open is given another
// (or the URL sets statement_timeout).
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

// Open connects to the PostgreSQL database at url (a postgres:// URL or a
// key=value DSN; any extra URL parameter such as search_path=paper1 becomes a
// run-time setting of every connection) and brings its schema up to date.
// Several nodes may call Open at the same time: migrations run once, under an
// advisory lock.
//
// Every statement runs under a statement timeout (WithTimeout, 5 s by
// default) so that a locked table or a stuck server fails a request with
// an error instead of hanging it; a URL that sets statement_timeout keeps
// its own.
func Open(ctx context.Context, url string, opts ...Option) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The parse error may quote the URL and its password: keep it out.
		return nil, errors.New("postgres: invalid database URL")
	}
	db := &DB{now: func() time.Time { return time.Now().UTC() }, timeout: DefaultTimeout}
	for _, o := range opts {
		o(db)
	}
	rp := cfg.ConnConfig.RuntimeParams
	if _, ok := rp["statement_timeout"]; !ok {
		rp["statement_timeout"] = strconv.FormatInt(db.timeout.Milliseconds(), 10)
	}
	if _, ok := rp["idle_in_transaction_session_timeout"]; !ok {
		// A process that stops half-way through a transaction must not
		// hold its locks for ever.
		rp["idle_in_transaction_session_timeout"] = strconv.FormatInt(max(12*db.timeout, time.Minute).Milliseconds(), 10)
	}
	if db.tracer != nil {
		cfg.ConnConfig.Tracer = db.tracer
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	db.pool = pool
	db.reader = reader{db: db, q: retrying{pool}}
	var schema *string
	if err := pool.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if schema == nil {
		pool.Close()
		return nil, errors.New("postgres: no schema: search_path names no existing schema")
	}
	db.schema = *schema
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// Close closes every pooled connection. Listen's connection ends with its
// context and a leader's with its release function.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return nil
}

// lockKey turns a name into an advisory lock key scoped to this schema.
func (db *DB) lockKey(kind, name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("masthead\x00" + kind + "\x00" + db.schema + "\x00" + name))
	return int64(h.Sum64())
}

// querier is what pool, conn and transaction have in common.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// write runs fn in a transaction outside the domain's Update (views,
// copy-db); when visible is true the change log records that everything
// changed.
func (db *DB) write(ctx context.Context, visible bool, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if visible {
			return db.record(ctx, tx, news.Change{All: true})
		}
		return nil
	})
}

// bounded gives ctx the store's timeout, twice over (a transaction is a
// few statements), unless it ends sooner.
func (db *DB) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	d := 2 * db.timeout
	if news.IsLongTransaction(ctx) {
		return ctx, func() {}
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= d {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, d)
}

// record appends c to the change log, numbered by the generation counter,
// and queues the notification; both happen only if the transaction
// commits. The generation row stays locked until the commit, so writers
// that record changes commit one after another in seq order: a tailer
// that has read seq n will never see a smaller one appear later. It runs
// last in a transaction, so the row is locked for a short time.
func (db *DB) record(ctx context.Context, q querier, c news.Change) error {
	body, err := json.Marshal(c)
	if err != nil {
		return err
	}
	_, err = q.Exec(ctx, `
		WITH g AS (UPDATE generation SET value = value + 1 WHERE id = 1 RETURNING value),
		     c AS (INSERT INTO changes (seq, at, change) SELECT value, now(), $3 FROM g RETURNING seq)
		SELECT pg_notify($1, $2 || ' ' || c.seq) FROM c`, notifyChannel, db.schema, string(body))
	if err != nil {
		return fmt.Errorf("record change: %w", err)
	}
	return nil
}

// AddTxHook registers h to run in every write transaction that records a
// change.
func (db *DB) AddTxHook(h news.TxHook) {
	db.hooksMu.Lock()
	db.hooks = append(db.hooks, h)
	db.hooksMu.Unlock()
}

// Update runs fn in one write transaction (see news.Updater). Rows that
// fn reads for a change (FindArticleByID, FindUserByID, FindSectionByID,
// FindSetting on the Tx) are locked FOR UPDATE until the commit, so a
// concurrent command on the same row waits and then sees this one's
// result; the version guard in every UPDATE is the second line. The change
// is recorded last, after the commit hooks.
func (db *DB) Update(ctx context.Context, fn func(tx news.Tx) error) error {
	ctx, cancel := db.bounded(ctx)
	defer cancel()
	pgtx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	defer pgtx.Rollback(context.WithoutCancel(ctx))
	t := &txn{reader: reader{db: db, q: pgtx, lock: true}, tx: pgtx}
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
		if err := db.record(ctx, pgtx, t.change); err != nil {
			return fmt.Errorf("postgres: %w", translate(err, "record change"))
		}
	}
	if err := pgtx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: %w", translate(err, "commit"))
	}
	return nil
}

// txn is news.Tx on PostgreSQL.
type txn struct {
	reader
	tx     pgx.Tx
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
// see.
func (db *DB) Generation(ctx context.Context) (int64, error) {
	var g int64
	if err := db.q.QueryRow(ctx, "SELECT value FROM generation WHERE id = 1").Scan(&g); err != nil {
		return 0, fmt.Errorf("generation: %w", err)
	}
	return g, nil
}

// utc returns t in UTC truncated to PostgreSQL's microseconds, or nil for
// the zero time (stored as NULL).
func utc(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC().Truncate(time.Microsecond)
	return &t
}

// fromNull turns a scanned nullable time back into the domain's zero time.
func fromNull(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// norm normalises a time the way it will be stored, so the caller's struct
// matches what a later Find returns.
func normTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// nullID stores 0 as NULL for optional references.
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func fromNullID(id *int64) int64 {
	if id == nil {
		return 0
	}
	return *id
}

// createdAt returns t normalised, or now when t is zero.
func (db *DB) createdAt(t time.Time) time.Time {
	if t.IsZero() {
		return normTime(db.now())
	}
	return normTime(t)
}
