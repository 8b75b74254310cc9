package postgres

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Several masthead nodes share one database. Two things keep them in step:
// every write readers can see bumps the generation and sends a NOTIFY in
// the same transaction (see DB.write), which Listen turns into cache
// refreshes; and TryLeader elects the one node that runs the scheduler.

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

// TryLeader tries to become the one node that does the job called name
// (e.g. "scheduler"). It takes a session-level advisory lock on a dedicated
// connection and returns at once: ok is false when another node holds it.
// The leader keeps the lock until it calls release, or until its
// connection ends, which is what makes failover work: when the leader's
// process dies, PostgreSQL drops its session and the lock with it, and the
// next node to try becomes leader. TCP keep-alives on the connection make
// the server notice a vanished machine within about 15 seconds.
//
// A leader cannot see a lost connection through this API: jobs it runs
// should make their writes conditional (publish only what is still
// scheduled) so that a deposed leader's last tick does no harm.
func (db *DB) TryLeader(ctx context.Context, name string) (release func(), ok bool, err error) {
	conn, err := db.dedicated(ctx, map[string]string{
		"tcp_keepalives_idle":     "5",
		"tcp_keepalives_interval": "2",
		"tcp_keepalives_count":    "3",
		"application_name":        "masthead leader " + name,
	})
	if err != nil {
		return nil, false, fmt.Errorf("postgres: leader %q: %w", name, err)
	}
	var got bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", db.lockKey("leader", name)).Scan(&got); err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return nil, false, fmt.Errorf("postgres: leader %q: %w", name, err)
	}
	if !got {
		conn.Close(context.WithoutCancel(ctx))
		return nil, false, nil
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			// Closing the session releases its advisory locks.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			conn.Close(ctx)
		})
	}
	return release, true, nil
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
