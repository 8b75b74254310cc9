package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"masthead/internal/news"
)

var _ news.CatalogTx = (*txn)(nil)

// MergeSection moves section from's stories and newsletter lists to
// section into and deletes from, in the caller's transaction.
func (t *txn) MergeSection(ctx context.Context, from, into int64) ([]int64, error) {
	if from == into {
		return nil, news.Errorf(news.EINVALID, "A section cannot be merged into itself.")
	}
	for _, id := range []int64{from, into} {
		if _, err := t.FindSectionByID(ctx, id); err != nil {
			return nil, err
		}
	}
	rows, err := t.tx.QueryContext(ctx, `UPDATE articles SET section_id = ?, version = version + 1 WHERE section_id = ? RETURNING id`, into, from)
	if err != nil {
		return nil, fmt.Errorf("merge section %d into %d: %w", from, into, translate(err))
	}
	var moved []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		moved = append(moved, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE newsletter_lists SET section_id = ? WHERE section_id = ?`, into, from); err != nil {
		return nil, fmt.Errorf("merge section %d into %d: %w", from, into, translate(err))
	}
	// Sub-sections (one level): the target, if it was one of from's,
	// becomes top-level; from's others go under the target when it is
	// top-level, else to the top level.
	for _, q := range []string{
		`UPDATE sections SET parent_id = 0, version = version + 1 WHERE id = ?2 AND parent_id = ?1`,
		`UPDATE sections SET parent_id = CASE WHEN (SELECT parent_id FROM sections WHERE id = ?2) = 0 THEN ?2 ELSE 0 END,
			version = version + 1 WHERE parent_id = ?1`,
	} {
		if _, err := t.tx.ExecContext(ctx, q, from, into); err != nil {
			return nil, fmt.Errorf("merge section %d into %d: %w", from, into, translate(err))
		}
	}
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM sections WHERE id = ?`, from); err != nil {
		return nil, fmt.Errorf("merge section %d into %d: %w", from, into, translate(err))
	}
	t.change.Add(news.Change{All: true, Sections: []int64{from, into}, Stories: moved})
	return moved, nil
}

// DeleteSection deletes a section nothing uses.
func (t *txn) DeleteSection(ctx context.Context, id int64) error {
	s, err := t.FindSectionByID(ctx, id)
	if err != nil {
		return err
	}
	var stories, lists, subs int
	if err := t.tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM articles WHERE section_id = ?1),
		(SELECT count(*) FROM newsletter_lists WHERE section_id = ?1), (SELECT count(*) FROM sections WHERE parent_id = ?1)`, id).Scan(&stories, &lists, &subs); err != nil {
		return fmt.Errorf("delete section %d: %w", id, translate(err))
	}
	if err := news.SectionInUse(s, stories, lists, subs); err != nil {
		return err
	}
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM sections WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete section %d: %w", id, translate(err))
	}
	t.change.Add(news.Change{All: true, Sections: []int64{id}})
	return nil
}

// FindTagByID returns a tag.
func (t *txn) FindTagByID(ctx context.Context, id int64) (*news.Tag, error) {
	tg, err := scanTag(t.tx.QueryRowContext(ctx, `SELECT `+tagCols+` FROM tags WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("tag", id)
	} else if err != nil {
		return nil, fmt.Errorf("find tag %d: %w", id, translate(err))
	}
	return tg, nil
}

// UpdateTag writes a tag's name and slug against tg.Version: the pages of
// its stories name it, so they change with its own page.
func (t *txn) UpdateTag(ctx context.Context, tg *news.Tag) error {
	if err := news.ValidateTag(tg); err != nil {
		return err
	}
	cur, by, at, err := t.rowVersion(ctx, "tags", "tag", tg.ID)
	if err != nil {
		return fmt.Errorf("update tag %d: %w", tg.ID, err)
	}
	if err := news.CheckVersion("tag", tg.ID, tg.Version, cur, by, at); err != nil {
		return err
	}
	now := t.db.now().UTC().Truncate(time.Microsecond)
	res, err := t.tx.ExecContext(ctx, `UPDATE tags SET slug = ?, name = ?, version = version + 1, updated_by = ?, updated_at = ?
		WHERE id = ? AND version = ?`, tg.Slug, tg.Name, tg.UpdatedBy, now.UnixMicro(), tg.ID, tg.Version)
	if err != nil {
		return fmt.Errorf("update tag %d: %w", tg.ID, translate(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return news.Stale("tag", tg.ID, tg.Version, cur)
	}
	tg.Version++
	tg.UpdatedAt = now
	t.change.Add(news.Change{All: true, Tags: []int64{tg.ID}})
	return nil
}

// MergeTags moves the stories of one tag to another and deletes the
// first, in the caller's transaction.
func (t *txn) MergeTags(ctx context.Context, from, into int64) error {
	if from == into {
		return news.Errorf(news.EINVALID, "A tag cannot be merged into itself.")
	}
	for _, id := range []int64{from, into} {
		if _, err := t.FindTagByID(ctx, id); err != nil {
			return err
		}
	}
	for _, q := range []string{
		`INSERT OR IGNORE INTO article_tags (article_id, tag_id) SELECT article_id, ?2 FROM article_tags WHERE tag_id = ?1`,
		`DELETE FROM article_tags WHERE tag_id = ?1`,
		`DELETE FROM tags WHERE id = ?1`,
	} {
		if _, err := t.tx.ExecContext(ctx, q, from, into); err != nil {
			return fmt.Errorf("merge tag %d into %d: %w", from, into, translate(err))
		}
	}
	t.change.Add(news.Change{All: true, Tags: []int64{from, into}})
	return nil
}
