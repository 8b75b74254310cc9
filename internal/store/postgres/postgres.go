// Package postgres implements news.Store on PostgreSQL 15+ with pgx: its own
// SQL and embedded migrations, weighted tsvector search, additive view counts,
// and the pieces several masthead nodes need to share one database (change
// notifications and an advisory-lock leader).
//
// A node wires it like this:
//
//	db, err := postgres.Open(ctx, "postgres://user@host/db?sslmode=verify-full")
//	go db.Listen(ctx, cache.Purge)           // other nodes' writes drop our caches
//	release, ok, err := db.TryLeader(ctx, "scheduler") // retried every few seconds by followers
//
// Listen and TryLeader hold sessions of their own, so the URL must reach
// PostgreSQL directly or through a session-mode pooler (not PgBouncer's
// transaction mode, which would break LISTEN and session advisory locks).
// Pool settings go in the URL (pool_max_conns=10); so does search_path=X to
// keep a paper in its own schema.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
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
}

var _ news.Store = (*DB)(nil)

// Open connects to the PostgreSQL database at url (a postgres:// URL or a
// key=value DSN; any extra URL parameter such as search_path=paper1 becomes a
// run-time setting of every connection) and brings its schema up to date.
// Several nodes may call Open at the same time: migrations run once, under an
// advisory lock.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The parse error may quote the URL and its password: keep it out.
		return nil, errors.New("postgres: invalid database URL")
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	db := &DB{pool: pool, now: func() time.Time { return time.Now().UTC() }}
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
}

// write runs fn in a transaction and, when visible is true, bumps the
// generation and notifies other nodes in the same transaction: a reader
// that sees the new generation sees the write, and a notification is sent
// only if the write commits.
func (db *DB) write(ctx context.Context, visible bool, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if visible {
			return db.bump(ctx, tx)
		}
		return nil
	})
}

// bump increments the generation and queues the notification. It runs last
// in a transaction so the generation row stays locked for a short time.
func (db *DB) bump(ctx context.Context, q querier) error {
	_, err := q.Exec(ctx, `
		WITH g AS (UPDATE generation SET value = value + 1 WHERE id = 1 RETURNING value)
		SELECT pg_notify($1, $2 || ' ' || g.value) FROM g`, notifyChannel, db.schema)
	if err != nil {
		return fmt.Errorf("bump generation: %w", err)
	}
	return nil
}

// Generation returns the change counter readers' caches are keyed on.
func (db *DB) Generation(ctx context.Context) (int64, error) {
	var g int64
	if err := db.pool.QueryRow(ctx, "SELECT value FROM generation WHERE id = 1").Scan(&g); err != nil {
		return 0, fmt.Errorf("generation: %w", err)
	}
	return g, nil
}

// BumpGeneration marks a change made outside the store's own writes.
func (db *DB) BumpGeneration(ctx context.Context) error {
	return db.write(ctx, true, func(pgx.Tx) error { return nil })
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
