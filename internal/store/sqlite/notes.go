package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"masthead/internal/news"
)

var _ news.NoteStore = (*DB)(nil)

// AddNote stores a newsroom note on a story. Readers see nothing of it, so
// the generation does not move.
func (db *DB) AddNote(ctx context.Context, n *news.Note) error {
	if strings.TrimSpace(n.Text) == "" {
		return news.Errorf(news.EINVALID, "a note needs text")
	}
	if n.CreatedAt.IsZero() {
		n.CreatedAt = db.now()
	}
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO story_notes (article_id, user_id, text, created_at) VALUES (?, ?, ?, ?)`,
			n.ArticleID, n.UserID, n.Text, n.CreatedAt.UnixMicro())
		if err != nil {
			return err
		}
		n.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return fmt.Errorf("add note to article %d: %w", n.ArticleID, translate(err))
	}
	return nil
}

// ListNotes returns a story's notes, oldest first.
func (db *DB) ListNotes(ctx context.Context, articleID int64) ([]*news.Note, error) {
	rows, err := db.stmts.query(ctx, `SELECT id, article_id, user_id, text, created_at FROM story_notes WHERE article_id = ? ORDER BY id`, articleID)
	if err != nil {
		return nil, fmt.Errorf("list notes of article %d: %w", articleID, translate(err))
	}
	defer rows.Close()
	var out []*news.Note
	for rows.Next() {
		var (
			n  news.Note
			at int64
		)
		if err := rows.Scan(&n.ID, &n.ArticleID, &n.UserID, &n.Text, &at); err != nil {
			return nil, fmt.Errorf("list notes: %w", err)
		}
		n.CreatedAt = time.UnixMicro(at).UTC()
		out = append(out, &n)
	}
	return out, rows.Err()
}
