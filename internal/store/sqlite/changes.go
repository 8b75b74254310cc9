package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"masthead/internal/news"
)

// recordChange appends c to the change log in tx, numbered by the
// generation counter: the counter and the log move together, in commit
// order (SQLite has one writer at a time).
func recordChange(ctx context.Context, tx *sql.Tx, now time.Time, c news.Change) (int64, error) {
	body, err := json.Marshal(c)
	if err != nil {
		return 0, err
	}
	var seq int64
	if err := tx.QueryRowContext(ctx, `UPDATE generation SET value = value + 1 WHERE id = 1 RETURNING value`).Scan(&seq); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO changes (seq, at, change) VALUES (?, ?, ?)`, seq, now.UnixMicro(), string(body)); err != nil {
		return 0, err
	}
	return seq, nil
}

// Changes returns the change log after seq, oldest first.
func (db *DB) Changes(ctx context.Context, after int64, limit int) ([]news.ChangeRecord, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	rows, err := db.stmts.query(ctx, `SELECT seq, at, change FROM changes WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("changes after %d: %w", after, translate(err))
	}
	defer rows.Close()
	var out []news.ChangeRecord
	for rows.Next() {
		var r news.ChangeRecord
		var at sql.NullInt64
		var body string
		if err := rows.Scan(&r.Seq, &at, &body); err != nil {
			return nil, fmt.Errorf("changes: %w", err)
		}
		r.At = fromMicro(at)
		if err := json.Unmarshal([]byte(body), &r.Change); err != nil {
			// A record this version cannot read still says something
			// changed: everything, to be safe.
			r.Change = news.Change{All: true}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// LastChange is the sequence number of the latest change.
func (db *DB) LastChange(ctx context.Context) (int64, error) {
	return db.Generation(ctx)
}

// PruneChanges deletes the change log before t.
func (db *DB) PruneChanges(ctx context.Context, before time.Time) error {
	return db.tx(ctx, false, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM changes WHERE at < ?`, before.UnixMicro())
		return err
	})
}

// Leases

// AcquireLease takes or renews lease name for holder. One statement: the
// row is inserted, or updated when it is holder's or expired; the token
// grows unless holder renews a live lease.
func (db *DB) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (news.Lease, bool, error) {
	var l news.Lease
	ok := false
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		now := db.now()
		exp := now.Add(ttl)
		var token, expires int64
		var h string
		err := tx.QueryRowContext(ctx, `INSERT INTO leases (name, holder, token, expires_at) VALUES (?, ?, 1, ?)
			ON CONFLICT (name) DO UPDATE SET
				token = CASE WHEN leases.holder = excluded.holder AND leases.expires_at > ? THEN leases.token ELSE leases.token + 1 END,
				holder = excluded.holder, expires_at = excluded.expires_at
			WHERE leases.holder = excluded.holder OR leases.expires_at <= ?
			RETURNING holder, token, expires_at`, name, holder, exp.UnixMicro(), now.UnixMicro(), now.UnixMicro()).Scan(&h, &token, &expires)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // held by another, not expired
		}
		if err != nil {
			return err
		}
		l, ok = news.Lease{Name: name, Holder: h, Token: token, Expires: time.UnixMicro(expires).UTC()}, true
		return nil
	})
	if err != nil {
		return news.Lease{}, false, fmt.Errorf("acquire lease %q: %w", name, err)
	}
	return l, ok, nil
}

// RenewLease extends l if it is still held with its token.
func (db *DB) RenewLease(ctx context.Context, l news.Lease, ttl time.Duration) (news.Lease, error) {
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		now := db.now()
		res, err := tx.ExecContext(ctx, `UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ? AND token = ? AND expires_at > ?`,
			now.Add(ttl).UnixMicro(), l.Name, l.Holder, l.Token, now.UnixMicro())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return news.ErrLeaseLost
		}
		l.Expires = now.Add(ttl).Truncate(time.Microsecond)
		return nil
	})
	if err != nil {
		return news.Lease{}, fmt.Errorf("renew lease %q: %w", l.Name, err)
	}
	return l, nil
}

// ReleaseLease gives l up by expiring it.
func (db *DB) ReleaseLease(ctx context.Context, l news.Lease) error {
	return db.tx(ctx, false, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE leases SET expires_at = 0 WHERE name = ? AND holder = ? AND token = ?`, l.Name, l.Holder, l.Token)
		return err
	})
}

// CheckLease fails unless l is held with its token and not expired. The
// write transaction holds SQLite's one write lock, so the lease cannot
// change hands before it commits.
func (t *txn) CheckLease(ctx context.Context, l news.Lease) error {
	var n int
	err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM leases WHERE name = ? AND holder = ? AND token = ? AND expires_at > ?`,
		l.Name, l.Holder, l.Token, t.db.now().UnixMicro()).Scan(&n)
	if err != nil {
		return fmt.Errorf("check lease %q: %w", l.Name, translate(err))
	}
	if n == 0 {
		return news.ErrLeaseLost
	}
	return nil
}

// Redirects

const redirectCols = `from_path, to_path, code, created_at`

func scanRedirect(s scanner) (*news.Redirect, error) {
	var r news.Redirect
	var created sql.NullInt64
	if err := s.Scan(&r.From, &r.To, &r.Code, &created); err != nil {
		return nil, err
	}
	r.CreatedAt = fromMicro(created)
	return &r, nil
}

// FindRedirect returns the redirect from path.
func (r reader) FindRedirect(ctx context.Context, from string) (*news.Redirect, error) {
	rd, err := scanRedirect(r.one.QueryRowContext(ctx, `SELECT `+redirectCols+` FROM redirects WHERE from_path = ?`, from))
	if err != nil {
		return nil, fmt.Errorf("find redirect %q: %w", from, translate(err))
	}
	return rd, nil
}

// ListRedirects returns a page of redirects by path.
func (r reader) ListRedirects(ctx context.Context, offset, limit int) ([]*news.Redirect, error) {
	limit, offset = pageBounds(limit, offset)
	rows, err := r.one.QueryContext(ctx, `SELECT `+redirectCols+` FROM redirects ORDER BY from_path LIMIT ? OFFSET ?`, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("list redirects: %w", translate(err))
	}
	defer rows.Close()
	var out []*news.Redirect
	for rows.Next() {
		rd, err := scanRedirect(rows)
		if err != nil {
			return nil, fmt.Errorf("list redirects: %w", err)
		}
		out = append(out, rd)
	}
	return out, rows.Err()
}

// PutRedirect adds or replaces a redirect. One pointing straight back at
// a redirect to its own source would loop, and is refused.
func (t *txn) PutRedirect(ctx context.Context, rd *news.Redirect) error {
	if err := news.ValidateRedirect(rd); err != nil {
		return err
	}
	if rd.CreatedAt.IsZero() {
		rd.CreatedAt = t.db.now()
	}
	var back string
	err := t.tx.QueryRowContext(ctx, `SELECT to_path FROM redirects WHERE from_path = ?`, rd.To).Scan(&back)
	if err == nil && back == rd.From {
		return news.Errorf(news.EINVALID, "A redirect from %s to %s would loop: %s already redirects to %s.", rd.From, rd.To, rd.To, rd.From)
	} else if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("put redirect %q: %w", rd.From, translate(err))
	}
	_, err = t.tx.ExecContext(ctx, `INSERT INTO redirects (from_path, to_path, code, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (from_path) DO UPDATE SET to_path = excluded.to_path, code = excluded.code`,
		rd.From, rd.To, rd.Code, rd.CreatedAt.UnixMicro())
	if err != nil {
		return fmt.Errorf("put redirect %q: %w", rd.From, translate(err))
	}
	return nil
}

// DeleteRedirect removes a redirect.
func (t *txn) DeleteRedirect(ctx context.Context, from string) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM redirects WHERE from_path = ?`, from)
	if err != nil {
		return fmt.Errorf("delete redirect %q: %w", from, translate(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("redirect", from)
	}
	return nil
}

// PutRedirect is txn.PutRedirect in a transaction of its own.
func (db *DB) PutRedirect(ctx context.Context, rd *news.Redirect) error {
	return db.apply(ctx, func(t *txn) error { return t.PutRedirect(ctx, rd) })
}

// DeleteRedirect is txn.DeleteRedirect in a transaction of its own.
func (db *DB) DeleteRedirect(ctx context.Context, from string) error {
	return db.apply(ctx, func(t *txn) error { return t.DeleteRedirect(ctx, from) })
}
