package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"masthead/internal/news"
)

var _ news.TagEditor = (*DB)(nil)

// RenameTag changes a tag's name; readers see it, so the generation moves.
func (db *DB) RenameTag(ctx context.Context, id int64, name string) error {
	err := db.write(ctx, true, func(tx pgx.Tx) error {
		// Unguarded, but the version moves: a form opened before it is stale.
		return affectOne(tx.Exec(ctx, `UPDATE tags SET name = $2, version = version + 1, updated_by = 0, updated_at = $3 WHERE id = $1`,
			id, name, normTime(db.now())))
	})
	return translate(err, fmt.Sprintf("rename tag %d", id))
}

// MergeTags moves the stories of one tag to another and deletes the first.
func (db *DB) MergeTags(ctx context.Context, from, into int64) error {
	if from == into {
		return news.Errorf(news.EINVALID, "a tag cannot be merged into itself")
	}
	err := db.write(ctx, true, func(tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM tags WHERE id = $1 OR id = $2`, from, into).Scan(&n); err != nil {
			return err
		}
		if n != 2 {
			return news.ErrNotFound
		}
		// The rows leave first, then come back under the other tag where the
		// story does not have it already.
		if _, err := tx.Exec(ctx, `WITH moved AS (DELETE FROM article_tags WHERE tag_id = $1 RETURNING article_id, position)
			INSERT INTO article_tags (article_id, tag_id, position) SELECT article_id, $2, position FROM moved ON CONFLICT DO NOTHING`, from, into); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM tags WHERE id = $1`, from)
		return err
	})
	return translate(err, fmt.Sprintf("merge tag %d into %d", from, into))
}
