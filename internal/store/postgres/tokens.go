package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"masthead/internal/news"
)

var _ news.TokenStore = (*DB)(nil)

// CreateToken stores an account token (its hash).
func (db *DB) CreateToken(ctx context.Context, t *news.AccountToken) error {
	t.CreatedAt = db.createdAt(t.CreatedAt)
	err := db.write(ctx, false, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO account_tokens (hash, user_id, kind, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
			t.Hash, t.UserID, t.Kind, t.CreatedAt, t.ExpiresAt)
		return err
	})
	return translate(err, "create token")
}

// UseToken spends a token once: the UPDATE matches only an unused,
// unexpired row, so of two uses at once one finds nothing.
func (db *DB) UseToken(ctx context.Context, hash, kind string, now time.Time) (int64, error) {
	var uid int64
	err := db.write(ctx, false, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `UPDATE account_tokens SET used_at = $1 WHERE hash = $2 AND kind = $3 AND used_at IS NULL AND expires_at > $1 RETURNING user_id`,
			now, hash, kind).Scan(&uid)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, news.ErrNotFound
	}
	return uid, translate(err, "use token")
}

// PeekToken finds an unused, unexpired token without spending it.
func (db *DB) PeekToken(ctx context.Context, hash, kind string, now time.Time) (int64, error) {
	var uid int64
	err := db.pool.QueryRow(ctx, `SELECT user_id FROM account_tokens WHERE hash = $1 AND kind = $2 AND used_at IS NULL AND expires_at > $3`,
		hash, kind, now).Scan(&uid)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, news.ErrNotFound
	}
	return uid, translate(err, "peek token")
}
