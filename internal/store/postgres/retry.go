package postgres

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// reader is the store's Find* methods over one querier: the pool (the last
// committed state, for the DB) or a write transaction (for a txn, where
// lock makes the reads a command changes take row locks).
type reader struct {
	db   *DB
	q    querier
	lock bool
}

// forUpdate is the locking clause for a read that a command will change.
func (r reader) forUpdate(clause string) string {
	if r.lock {
		return " " + clause
	}
	return ""
}

// retrying is the pool for reads: a read that fails because its
// connection was broken (the server restarted or killed the backend, a
// proxy dropped it) is run once more on another connection. Reads are
// idempotent, so the second try cannot do twice what the first did; a
// write is never retried (it may have committed).
type retrying struct{ pool *pgxpool.Pool }

// broken reports whether err means the connection, not the statement,
// failed.
func broken(err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// 57P01 admin_shutdown (pg_terminate_backend), 57P02
		// crash_shutdown, 57P03 cannot_connect_now; class 08 is
		// connection exceptions.
		return strings.HasPrefix(pe.Code, "57P0") || strings.HasPrefix(pe.Code, "08")
	}
	var ne net.Error
	return pgconn.SafeToRetry(err) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.As(err, &ne) || strings.Contains(err.Error(), "conn closed")
}

func (r retrying) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return r.pool.Exec(ctx, sql, args...)
}

// SendBatch is not retried here: its caller (fill, FindArticleLists)
// runs the whole batch again, having read nothing yet.
func (r retrying) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	return r.pool.SendBatch(ctx, b)
}

func (r retrying) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return retryRow{r: r, ctx: ctx, sql: sql, args: args}
}

type retryRow struct {
	r    retrying
	ctx  context.Context
	sql  string
	args []any
}

func (rr retryRow) Scan(dest ...any) error {
	err := rr.r.pool.QueryRow(rr.ctx, rr.sql, rr.args...).Scan(dest...)
	if broken(err) && rr.ctx.Err() == nil {
		err = rr.r.pool.QueryRow(rr.ctx, rr.sql, rr.args...).Scan(dest...)
	}
	return err
}

func (r retrying) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	rows, err := r.pool.Query(ctx, sql, args...)
	if broken(err) && ctx.Err() == nil {
		return r.pool.Query(ctx, sql, args...)
	}
	if err != nil {
		return rows, err
	}
	return &retryRows{Rows: rows, again: func() (pgx.Rows, error) { return r.pool.Query(ctx, sql, args...) }, ctx: ctx}, nil
}

// retryRows runs the query again when it fails before its first row: pgx
// reports a broken connection from Next, not from Query.
type retryRows struct {
	pgx.Rows
	again   func() (pgx.Rows, error)
	ctx     context.Context
	started bool
}

func (r *retryRows) Next() bool {
	if r.Rows.Next() {
		r.started = true
		return true
	}
	if r.started || r.again == nil || !broken(r.Rows.Err()) || r.ctx.Err() != nil {
		return false
	}
	again := r.again
	r.again = nil
	rows, err := again()
	if err != nil {
		return false // r.Rows keeps the first error
	}
	r.Rows.Close()
	r.Rows = rows
	return r.Next()
}
