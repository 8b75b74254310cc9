package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"masthead/internal/news"
)

var _ news.WorkingCopies = (*DB)(nil)

// PutWorkingCopy stores an autosave (or, without data, a heartbeat).
// Readers see nothing of it: the generation does not move.
func (db *DB) PutWorkingCopy(ctx context.Context, wc *news.WorkingCopy) error {
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		if wc.Data == "" {
			_, err := tx.ExecContext(ctx, `INSERT INTO working_copies (article_id, user_id, seen_at) VALUES (?, ?, ?)
				ON CONFLICT (article_id, user_id) DO UPDATE SET seen_at = excluded.seen_at`, wc.ArticleID, wc.UserID, wc.SeenAt.UnixMicro())
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO working_copies (article_id, user_id, data, saved_at, seen_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (article_id, user_id) DO UPDATE SET data = excluded.data, saved_at = excluded.saved_at, seen_at = excluded.seen_at`,
			wc.ArticleID, wc.UserID, wc.Data, wc.SavedAt.UnixMicro(), wc.SeenAt.UnixMicro())
		return err
	})
	if err != nil {
		return fmt.Errorf("put working copy of %d: %w", wc.ArticleID, translate(err))
	}
	return nil
}

func scanWorkingCopy(s scanner) (*news.WorkingCopy, error) {
	var (
		wc          news.WorkingCopy
		saved, seen int64
	)
	if err := s.Scan(&wc.ArticleID, &wc.UserID, &wc.Data, &saved, &seen); err != nil {
		return nil, err
	}
	if saved != 0 {
		wc.SavedAt = time.UnixMicro(saved).UTC()
	}
	wc.SeenAt = time.UnixMicro(seen).UTC()
	return &wc, nil
}

// GetWorkingCopy returns a user's working copy of a story.
func (db *DB) GetWorkingCopy(ctx context.Context, articleID, userID int64) (*news.WorkingCopy, error) {
	wc, err := scanWorkingCopy(db.stmts.queryRow(ctx, `SELECT article_id, user_id, data, saved_at, seen_at FROM working_copies
		WHERE article_id = ? AND user_id = ? AND data <> ''`, articleID, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, news.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get working copy: %w", translate(err))
	}
	return wc, nil
}

// DeleteWorkingCopy drops a user's working copy (after a save).
func (db *DB) DeleteWorkingCopy(ctx context.Context, articleID, userID int64) error {
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM working_copies WHERE article_id = ? AND user_id = ?`, articleID, userID)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete working copy: %w", translate(err))
	}
	return nil
}

// Editing lists who was seen on a story since t.
func (db *DB) Editing(ctx context.Context, articleID int64, since time.Time) ([]news.WorkingCopy, error) {
	rows, err := db.stmts.query(ctx, `SELECT article_id, user_id, '', saved_at, seen_at FROM working_copies
		WHERE article_id = ? AND seen_at >= ? ORDER BY seen_at DESC`, articleID, since.UnixMicro())
	if err != nil {
		return nil, fmt.Errorf("editing: %w", translate(err))
	}
	defer rows.Close()
	var out []news.WorkingCopy
	for rows.Next() {
		wc, err := scanWorkingCopy(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *wc)
	}
	return out, rows.Err()
}
