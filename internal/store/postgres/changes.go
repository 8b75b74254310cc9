package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"masthead/internal/news"
)

// Changes returns the change log after seq, oldest first.
func (db *DB) Changes(ctx context.Context, after int64, limit int) ([]news.ChangeRecord, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	rows, err := db.q.Query(ctx, `SELECT seq, at, change FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2`, after, limit)
	if err != nil {
		return nil, translate(err, fmt.Sprintf("changes after %d", after))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (news.ChangeRecord, error) {
		var c news.ChangeRecord
		var body string
		if err := r.Scan(&c.Seq, &c.At, &body); err != nil {
			return c, err
		}
		c.At = c.At.UTC()
		if err := json.Unmarshal([]byte(body), &c.Change); err != nil {
			// A record this version cannot read still says something
			// changed: everything, to be safe.
			c.Change = news.Change{All: true}
		}
		return c, nil
	})
	return out, translate(err, "changes")
}

// LastChange is the sequence number of the latest change.
func (db *DB) LastChange(ctx context.Context) (int64, error) { return db.Generation(ctx) }

// PruneChanges deletes the change log before t.
func (db *DB) PruneChanges(ctx context.Context, before time.Time) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM changes WHERE at < $1`, before.UTC())
	return translate(err, "prune changes")
}

// Leases. Their times are the database server's (clock_timestamp()), so
// nodes whose clocks disagree still agree on who holds a lease.

// AcquireLease takes or renews lease name for holder, in one statement.
func (db *DB) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (news.Lease, bool, error) {
	l := news.Lease{Name: name}
	err := db.pool.QueryRow(ctx, `INSERT INTO leases (name, holder, token, expires_at) VALUES ($1, $2, 1, clock_timestamp() + $3::bigint * interval '1 microsecond')
		ON CONFLICT (name) DO UPDATE SET
			token = CASE WHEN leases.holder = EXCLUDED.holder AND leases.expires_at > clock_timestamp() THEN leases.token ELSE leases.token + 1 END,
			holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
		WHERE leases.holder = EXCLUDED.holder OR leases.expires_at <= clock_timestamp()
		RETURNING holder, token, expires_at`, name, holder, ttl.Microseconds()).Scan(&l.Holder, &l.Token, &l.Expires)
	if errNoRows(err) {
		return news.Lease{}, false, nil
	}
	if err != nil {
		return news.Lease{}, false, translate(err, fmt.Sprintf("acquire lease %q", name))
	}
	l.Expires = l.Expires.UTC()
	return l, true, nil
}

// RenewLease extends l if it is still held with its token.
func (db *DB) RenewLease(ctx context.Context, l news.Lease, ttl time.Duration) (news.Lease, error) {
	err := db.pool.QueryRow(ctx, `UPDATE leases SET expires_at = clock_timestamp() + $4::bigint * interval '1 microsecond'
		WHERE name = $1 AND holder = $2 AND token = $3 AND expires_at > clock_timestamp() RETURNING expires_at`,
		l.Name, l.Holder, l.Token, ttl.Microseconds()).Scan(&l.Expires)
	if errNoRows(err) {
		return news.Lease{}, fmt.Errorf("renew lease %q: %w", l.Name, news.ErrLeaseLost)
	}
	if err != nil {
		return news.Lease{}, translate(err, fmt.Sprintf("renew lease %q", l.Name))
	}
	l.Expires = l.Expires.UTC()
	return l, nil
}

// ReleaseLease gives l up by expiring it.
func (db *DB) ReleaseLease(ctx context.Context, l news.Lease) error {
	_, err := db.pool.Exec(ctx, `UPDATE leases SET expires_at = '-infinity' WHERE name = $1 AND holder = $2 AND token = $3`,
		l.Name, l.Holder, l.Token)
	return translate(err, fmt.Sprintf("release lease %q", l.Name))
}

// CheckLease fails unless l is held with its token and not expired. FOR
// SHARE makes a takeover (an UPDATE of the row) wait until this
// transaction ends: no new holder can start while a commit checked
// against the old token is still under way.
func (t *txn) CheckLease(ctx context.Context, l news.Lease) error {
	var ok bool
	err := t.tx.QueryRow(ctx, `SELECT expires_at > clock_timestamp() FROM leases WHERE name = $1 AND holder = $2 AND token = $3 FOR SHARE`,
		l.Name, l.Holder, l.Token).Scan(&ok)
	if errNoRows(err) || (err == nil && !ok) {
		return news.ErrLeaseLost
	}
	return translate(err, fmt.Sprintf("check lease %q", l.Name))
}

// Redirects

const redirectColumns = "from_path, to_path, code, created_at"

func scanRedirect(row pgx.Row) (*news.Redirect, error) {
	var r news.Redirect
	if err := row.Scan(&r.From, &r.To, &r.Code, &r.CreatedAt); err != nil {
		return nil, err
	}
	r.CreatedAt = r.CreatedAt.UTC()
	return &r, nil
}

// FindRedirect returns the redirect from path.
func (r reader) FindRedirect(ctx context.Context, from string) (*news.Redirect, error) {
	rd, err := scanRedirect(r.q.QueryRow(ctx, "SELECT "+redirectColumns+" FROM redirects WHERE from_path = $1", from))
	if err != nil {
		return nil, translate(err, fmt.Sprintf("find redirect %q", from))
	}
	return rd, nil
}

// ListRedirects returns a page of redirects by path.
func (r reader) ListRedirects(ctx context.Context, offset, limit int) ([]*news.Redirect, error) {
	rows, err := r.q.Query(ctx, "SELECT "+redirectColumns+" FROM redirects ORDER BY from_path LIMIT $1 OFFSET $2", pageLimit(limit), max(offset, 0))
	if err != nil {
		return nil, translate(err, "list redirects")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*news.Redirect, error) { return scanRedirect(r) })
	return list, translate(err, "list redirects")
}

// PutRedirect adds or replaces a redirect; one straight back to a
// redirect's source would loop and is refused.
func (t *txn) PutRedirect(ctx context.Context, rd *news.Redirect) error {
	if err := news.ValidateRedirect(rd); err != nil {
		return err
	}
	rd.CreatedAt = t.db.createdAt(rd.CreatedAt)
	var back string
	err := t.tx.QueryRow(ctx, "SELECT to_path FROM redirects WHERE from_path = $1", rd.To).Scan(&back)
	if err == nil && back == rd.From {
		return news.Errorf(news.EINVALID, "A redirect from %s to %s would loop: %s already redirects to %s.", rd.From, rd.To, rd.To, rd.From)
	} else if err != nil && !errNoRows(err) {
		return translate(err, fmt.Sprintf("put redirect %q", rd.From))
	}
	_, err = t.tx.Exec(ctx, `INSERT INTO redirects (from_path, to_path, code, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (from_path) DO UPDATE SET to_path = EXCLUDED.to_path, code = EXCLUDED.code`, rd.From, rd.To, rd.Code, rd.CreatedAt)
	return translate(err, fmt.Sprintf("put redirect %q", rd.From))
}

// DeleteRedirect removes a redirect.
func (t *txn) DeleteRedirect(ctx context.Context, from string) error {
	err := affectOne(t.tx.Exec(ctx, "DELETE FROM redirects WHERE from_path = $1", from))
	return translate(err, fmt.Sprintf("delete redirect %q", from))
}

// PutRedirect is txn.PutRedirect in a transaction of its own.
func (db *DB) PutRedirect(ctx context.Context, rd *news.Redirect) error {
	return db.apply(ctx, func(t *txn) error { return t.PutRedirect(ctx, rd) })
}

// DeleteRedirect is txn.DeleteRedirect in a transaction of its own.
func (db *DB) DeleteRedirect(ctx context.Context, from string) error {
	return db.apply(ctx, func(t *txn) error { return t.DeleteRedirect(ctx, from) })
}
