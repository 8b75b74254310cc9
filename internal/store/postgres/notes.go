package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"masthead/internal/news"
)

var _ news.NoteStore = (*DB)(nil)

// AddNote stores a newsroom note on a story. Readers see nothing of it, so
// the generation does not move.
func (db *DB) AddNote(ctx context.Context, n *news.Note) error {
	if strings.TrimSpace(n.Text) == "" {
		return news.Errorf(news.EINVALID, "a note needs text")
	}
	n.CreatedAt = db.createdAt(n.CreatedAt)
	err := db.write(ctx, false, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO story_notes (article_id, user_id, text, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			n.ArticleID, n.UserID, n.Text, n.CreatedAt).Scan(&n.ID)
	})
	return translate(err, fmt.Sprintf("add note to article %d", n.ArticleID))
}

// ListNotes returns a story's notes, oldest first.
func (db *DB) ListNotes(ctx context.Context, articleID int64) ([]*news.Note, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, article_id, user_id, text, created_at FROM story_notes WHERE article_id = $1 ORDER BY id`, articleID)
	if err != nil {
		return nil, translate(err, "list notes")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*news.Note, error) {
		var n news.Note
		if err := r.Scan(&n.ID, &n.ArticleID, &n.UserID, &n.Text, &n.CreatedAt); err != nil {
			return nil, err
		}
		n.CreatedAt = n.CreatedAt.UTC()
		return &n, nil
	})
	return list, translate(err, "list notes")
}
