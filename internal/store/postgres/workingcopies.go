package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"masthead/internal/news"
)

var _ news.WorkingCopies = (*DB)(nil)

// PutWorkingCopy stores an autosave (or, without data, a heartbeat).
// Readers see nothing of it: the generation does not move.
func (db *DB) PutWorkingCopy(ctx context.Context, wc *news.WorkingCopy) error {
	err := db.write(ctx, false, func(tx pgx.Tx) error {
		if wc.Data == "" {
			_, err := tx.Exec(ctx, `INSERT INTO working_copies (article_id, user_id, seen_at) VALUES ($1, $2, $3)
				ON CONFLICT (article_id, user_id) DO UPDATE SET seen_at = excluded.seen_at`, wc.ArticleID, wc.UserID, wc.SeenAt)
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO working_copies (article_id, user_id, data, saved_at, seen_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (article_id, user_id) DO UPDATE SET data = excluded.data, saved_at = excluded.saved_at, seen_at = excluded.seen_at`,
			wc.ArticleID, wc.UserID, wc.Data, wc.SavedAt, wc.SeenAt)
		return err
	})
	return translate(err, "put working copy")
}

func scanWorkingCopy(row pgx.Row) (*news.WorkingCopy, error) {
	var (
		wc    news.WorkingCopy
		saved *time.Time
	)
	if err := row.Scan(&wc.ArticleID, &wc.UserID, &wc.Data, &saved, &wc.SeenAt); err != nil {
		return nil, err
	}
	if saved != nil {
		wc.SavedAt = saved.UTC()
	}
	wc.SeenAt = wc.SeenAt.UTC()
	return &wc, nil
}

// GetWorkingCopy returns a user's working copy of a story.
func (db *DB) GetWorkingCopy(ctx context.Context, articleID, userID int64) (*news.WorkingCopy, error) {
	wc, err := scanWorkingCopy(db.pool.QueryRow(ctx, `SELECT article_id, user_id, data, saved_at, seen_at FROM working_copies
		WHERE article_id = $1 AND user_id = $2 AND data <> ''`, articleID, userID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, news.ErrNotFound
	}
	return wc, translate(err, "get working copy")
}

// DeleteWorkingCopy drops a user's working copy (after a save).
func (db *DB) DeleteWorkingCopy(ctx context.Context, articleID, userID int64) error {
	err := db.write(ctx, false, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM working_copies WHERE article_id = $1 AND user_id = $2`, articleID, userID)
		return err
	})
	return translate(err, "delete working copy")
}

// Editing lists who was seen on a story since t.
func (db *DB) Editing(ctx context.Context, articleID int64, since time.Time) ([]news.WorkingCopy, error) {
	rows, err := db.pool.Query(ctx, `SELECT article_id, user_id, '', saved_at, seen_at FROM working_copies
		WHERE article_id = $1 AND seen_at >= $2 ORDER BY seen_at DESC`, articleID, since)
	if err != nil {
		return nil, translate(err, "editing")
	}
	defer rows.Close()
	var out []news.WorkingCopy
	for rows.Next() {
		wc, err := scanWorkingCopy(rows)
		if err != nil {
			return nil, translate(err, "editing")
		}
		out = append(out, *wc)
	}
	return out, translate(rows.Err(), "editing")
}
