package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

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
	what := fmt.Sprintf("merge section %d into %d", from, into)
	rows, err := t.tx.Query(ctx, `UPDATE articles SET section_id = $2, version = version + 1 WHERE section_id = $1 RETURNING id`, from, into)
	if err != nil {
		return nil, translate(err, what)
	}
	moved, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, translate(err, what)
	}
	if _, err := t.tx.Exec(ctx, `UPDATE newsletter_lists SET section_id = $2 WHERE section_id = $1`, from, into); err != nil {
		return nil, translate(err, what)
	}
	// Sub-sections (one level): the target, if it was one of from's,
	// becomes top-level; from's others go under the target when it is
	// top-level, else to the top level.
	for _, q := range []string{
		`UPDATE sections SET parent_id = 0, version = version + 1 WHERE id = $2 AND parent_id = $1`,
		`UPDATE sections SET parent_id = CASE WHEN (SELECT parent_id FROM sections WHERE id = $2) = 0 THEN $2 ELSE 0 END,
			version = version + 1 WHERE parent_id = $1`,
	} {
		if _, err := t.tx.Exec(ctx, q, from, into); err != nil {
			return nil, translate(err, what)
		}
	}
	if _, err := t.tx.Exec(ctx, `DELETE FROM sections WHERE id = $1`, from); err != nil {
		return nil, translate(err, what)
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
	if err := t.tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM articles WHERE section_id = $1),
		(SELECT count(*) FROM newsletter_lists WHERE section_id = $1), (SELECT count(*) FROM sections WHERE parent_id = $1)`, id).Scan(&stories, &lists, &subs); err != nil {
		return translate(err, fmt.Sprintf("delete section %d", id))
	}
	if err := news.SectionInUse(s, stories, lists, subs); err != nil {
		return err
	}
	if _, err := t.tx.Exec(ctx, `DELETE FROM sections WHERE id = $1`, id); err != nil {
		return translate(err, fmt.Sprintf("delete section %d", id))
	}
	t.change.Add(news.Change{All: true, Sections: []int64{id}})
	return nil
}

// FindTagByID returns a tag.
func (t *txn) FindTagByID(ctx context.Context, id int64) (*news.Tag, error) {
	tg, err := scanTag(t.tx.QueryRow(ctx, `SELECT `+tagColumns+` FROM tags WHERE id = $1`, id))
	if err != nil {
		return nil, translate(err, fmt.Sprintf("find tag %d", id))
	}
	return tg, nil
}

// UpdateTag writes a tag's name and slug against tg.Version: the pages of
// its stories name it, so they change with its own page.
func (t *txn) UpdateTag(ctx context.Context, tg *news.Tag) error {
	if err := news.ValidateTag(tg); err != nil {
		return err
	}
	what := fmt.Sprintf("update tag %d", tg.ID)
	cur, by, at, err := t.rowVersion(ctx, "tags", tg.ID)
	if err != nil {
		return translate(err, what)
	}
	if err := news.CheckVersion("tag", tg.ID, tg.Version, cur, by, at); err != nil {
		return err
	}
	now := normTime(t.db.now())
	res, err := t.tx.Exec(ctx, `UPDATE tags SET slug = $2, name = $3, version = version + 1, updated_by = $4, updated_at = $5
		WHERE id = $1 AND version = $6`, tg.ID, tg.Slug, tg.Name, tg.UpdatedBy, now, tg.Version)
	if err != nil {
		return translate(err, what)
	}
	if res.RowsAffected() == 0 {
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
	what := fmt.Sprintf("merge tag %d into %d", from, into)
	if _, err := t.tx.Exec(ctx, `WITH moved AS (DELETE FROM article_tags WHERE tag_id = $1 RETURNING article_id, position)
		INSERT INTO article_tags (article_id, tag_id, position) SELECT article_id, $2, position FROM moved ON CONFLICT DO NOTHING`, from, into); err != nil {
		return translate(err, what)
	}
	if _, err := t.tx.Exec(ctx, `DELETE FROM tags WHERE id = $1`, from); err != nil {
		return translate(err, what)
	}
	t.change.Add(news.Change{All: true, Tags: []int64{from, into}})
	return nil
}
