package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"masthead/internal/news"
)

var _ news.TagEditor = (*DB)(nil)

// RenameTag changes a tag's name; readers see it, so the generation moves.
func (db *DB) RenameTag(ctx context.Context, id int64, name string) error {
	err := db.tx(ctx, true, func(tx *sql.Tx) error {
		// Unguarded, but the version moves: a form opened before it is stale.
		return updateOne(ctx, tx, "tag", id, `UPDATE tags SET name = ?, version = version + 1, updated_by = 0, updated_at = ? WHERE id = ?`,
			name, db.now().UTC().Truncate(time.Microsecond).UnixMicro(), id)
	})
	if err != nil {
		return fmt.Errorf("rename tag %d: %w", id, err)
	}
	return nil
}

// MergeTags moves the stories of one tag to another and deletes the first.
func (db *DB) MergeTags(ctx context.Context, from, into int64) error {
	if from == into {
		return news.Errorf(news.EINVALID, "a tag cannot be merged into itself")
	}
	err := db.tx(ctx, true, func(tx *sql.Tx) error {
		for _, id := range []int64{from, into} {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM tags WHERE id = ?`, id).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return news.ErrNotFound
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO article_tags (article_id, tag_id) SELECT article_id, ? FROM article_tags WHERE tag_id = ?`, into, from); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM article_tags WHERE tag_id = ?`, from); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM tags WHERE id = ?`, from)
		return err
	})
	if err != nil {
		return fmt.Errorf("merge tag %d into %d: %w", from, into, translate(err))
	}
	return nil
}
