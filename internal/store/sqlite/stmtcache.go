package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"sync"
)

// stmtCache keeps the read pool's statements prepared. A query passed as
// text is parsed and planned by SQLite on every call: before this cache
// that was a third of an uncached page's CPU. A cached *sql.Stmt is
// prepared once per pool connection (database/sql remembers which
// connections have it) and only bound and stepped after that.
//
// The statements a miss finds are prepared in the background: preparing
// on the pool needs a connection of its own, and a reader holding one in a
// read transaction must never wait for another (with every connection in
// such a transaction, none would come). The miss itself runs unprepared,
// as before.
type stmtCache struct {
	db *sql.DB

	mu     sync.Mutex
	m      map[string]*sql.Stmt // nil value: being prepared
	closed bool
	wg     sync.WaitGroup
}

// maxCachedStmts bounds the cache. The store's queries come in a few dozen
// shapes (ID lists are one JSON parameter, not one placeholder each), so
// the bound is only a guard against a shape built from data.
const maxCachedStmts = 256

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: make(map[string]*sql.Stmt)}
}

// get returns the prepared statement for query, or nil when it is not
// prepared yet (its preparation is then started) or cannot be cached.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, ok := c.m[query]
	if ok || c.closed || len(c.m) >= maxCachedStmts {
		return st
	}
	c.m[query] = nil
	c.wg.Add(1)
	go c.prepare(query)
	return nil
}

func (c *stmtCache) prepare(query string) {
	defer c.wg.Done()
	st, err := c.db.PrepareContext(context.Background(), query)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil || c.closed {
		// A statement that does not prepare is left to fail, with its
		// error, on the unprepared path; it is not retried here.
		if st != nil {
			st.Close()
		}
		return
	}
	c.m[query] = st
}

// close waits for preparations under way and closes every statement.
func (c *stmtCache) close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	var first error
	for _, st := range c.m {
		if st != nil {
			if err := st.Close(); err != nil && first == nil {
				first = err
			}
		}
	}
	clear(c.m)
	return first
}

// query runs a read on the pool, prepared when it can be.
func (c *stmtCache) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := c.get(query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return c.db.QueryContext(ctx, query, args...)
}

// queryRow is query for one row.
func (c *stmtCache) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st := c.get(query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.db.QueryRowContext(ctx, query, args...)
}

// poolQueryer runs single statements on the read pool through the cache.
// It cannot write: the read pool is query_only.
type poolQueryer struct{ c *stmtCache }

func (p poolQueryer) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return p.c.query(ctx, query, args...)
}

func (p poolQueryer) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return p.c.queryRow(ctx, query, args...)
}

func (p poolQueryer) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return nil, errors.New("sqlite: write on the read pool")
}

// cachedTx is a read transaction whose queries use the statement cache;
// the statement runs on the transaction's connection and snapshot.
type cachedTx struct {
	*sql.Tx
	c *stmtCache
}

func (t cachedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.c.get(query); st != nil {
		return t.Tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

func (t cachedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.c.get(query); st != nil {
		return t.Tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}

// cached wraps a read transaction from db.view.
func (db *DB) cached(tx *sql.Tx) queryer { return cachedTx{tx, db.stmts} }

// likePattern is a LIKE pattern's parameter. A bare ? on the right of
// LIKE makes SQLite's planner look at the bound pattern (for its LIKE
// optimization) and so mark the statement to be prepared again whenever
// it is bound: a cached statement was parsed and planned anew on every
// execution (half a millisecond of each search page at 100,000 stories,
// in its name search). The pattern as an expression is not looked at,
// and none of these could use an index anyway: names are matched as
// lower(name), an expression, and the other patterns open with a
// wildcard.
const likePattern = "(? || '')"

// jsonIDs encodes IDs as a JSON array for `IN (SELECT value FROM
// json_each(?))`: one parameter whatever the number of IDs, so a list of
// any length is one statement shape, prepared once.
func jsonIDs(ids []int64) string {
	var b strings.Builder
	b.Grow(len(ids)*8 + 2)
	b.WriteByte('[')
	buf := make([]byte, 0, 20)
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(strconv.AppendInt(buf[:0], id, 10))
	}
	b.WriteByte(']')
	return b.String()
}

// inIDs is the SQL for "column is one of the JSON array parameter".
const inIDs = `IN (SELECT value FROM json_each(?))`
