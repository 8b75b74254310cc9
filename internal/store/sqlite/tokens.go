package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"masthead/internal/news"
)

var _ news.TokenStore = (*DB)(nil)

// CreateToken stores an account token (its hash).
func (db *DB) CreateToken(ctx context.Context, t *news.AccountToken) error {
	if t.CreatedAt.IsZero() {
		t.CreatedAt = db.now()
	}
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO account_tokens (hash, user_id, kind, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			t.Hash, t.UserID, t.Kind, t.CreatedAt.UnixMicro(), t.ExpiresAt.UnixMicro())
		return err
	})
	if err != nil {
		return fmt.Errorf("create token: %w", translate(err))
	}
	return nil
}

// UseToken spends a token once: the UPDATE matches only an unused,
// unexpired row, so of two uses at once one finds nothing.
func (db *DB) UseToken(ctx context.Context, hash, kind string, now time.Time) (int64, error) {
	var uid int64
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `UPDATE account_tokens SET used_at = ? WHERE hash = ? AND kind = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id`,
			now.UnixMicro(), hash, kind, now.UnixMicro()).Scan(&uid)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return 0, news.ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("use token: %w", translate(err))
	}
	return uid, nil
}

// PeekToken finds an unused, unexpired token without spending it.
func (db *DB) PeekToken(ctx context.Context, hash, kind string, now time.Time) (int64, error) {
	var uid int64
	err := db.stmts.queryRow(ctx, `SELECT user_id FROM account_tokens WHERE hash = ? AND kind = ? AND used_at IS NULL AND expires_at > ?`,
		hash, kind, now.UnixMicro()).Scan(&uid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, news.ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("peek token: %w", translate(err))
	}
	return uid, nil
}
