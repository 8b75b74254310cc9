package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Several masthead nodes share one database. Two things keep them in step:
// every change readers can see is recorded in the change log and sent as a
// NOTIFY in the same transaction (see DB.record), which Listen turns into a
// prompt to read the log; and leases (changes.go) elect the one node that
// runs the scheduler, with a fencing token its publishing transactions
// check.

// Listen calls onChange after every committed write readers can see, made
// by any node on this database (this one included), until ctx is done. It
// holds a dedicated connection; when that connection is lost it reconnects
// (retrying with a short backoff) and then calls onChange once, because
// notifications sent meanwhile are gone and only a full refresh is safe.
// onChange runs on Listen's goroutine and should be quick.
//
// Listen returns an error only if the first connection fails; after that it
// returns nil when ctx is done.
func (db *DB) Listen(ctx context.Context, onChange func()) error {
	conn, err := db.listenConn(ctx)
	if err != nil {
		return fmt.Errorf("postgres: listen: %w", err)
	}
	prefix := db.schema + " "
	for {
		for {
			n, err := conn.WaitForNotification(ctx)
			if err != nil {
				break
			}
			// Other papers (schemas) on the same database notify on the
			// same channel: their changes are not ours.
			if strings.HasPrefix(n.Payload, prefix) {
				onChange()
			}
		}
		db.listenPID.Store(0)
		conn.Close(context.WithoutCancel(ctx))
		if ctx.Err() != nil {
			return nil
		}
		backoff := 50 * time.Millisecond
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(backoff):
			}
			if conn, err = db.listenConn(ctx); err == nil {
				break
			}
			backoff = min(backoff*2, 2*time.Second)
		}
		onChange()
	}
}

// listenConn opens a dedicated connection and LISTENs on it.
func (db *DB) listenConn(ctx context.Context) (*pgx.Conn, error) {
	conn, err := db.dedicated(ctx, nil)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	db.listenPID.Store(conn.PgConn().PID())
	return conn, nil
}

// dedicated opens a connection outside the pool, with the pool's settings
// (search_path included) plus params, for sessions that must outlive one
// query: LISTEN and advisory locks.
func (db *DB) dedicated(ctx context.Context, params map[string]string) (*pgx.Conn, error) {
	cfg := db.pool.Config().ConnConfig.Copy()
	for k, v := range params {
		cfg.RuntimeParams[k] = v
	}
	return pgx.ConnectConfig(ctx, cfg)
}

// Pool is the connection pool, for tests and operators' tools that need a
// raw query (never for the paper's data: use the store's methods).
func (db *DB) Pool() *pgxpool.Pool { return db.pool }
