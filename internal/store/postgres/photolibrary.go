package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"masthead/internal/news"
)

var _ news.PhotoLibrary = (*DB)(nil)

// setPhotoUses records which photos story id shows (its lead photo and
// the photos in its body), in the story's own write transaction.
func setPhotoUses(ctx context.Context, tx pgx.Tx, id int64, a *news.Article) error {
	if _, err := tx.Exec(ctx, "DELETE FROM photo_uses WHERE article_id = $1", id); err != nil {
		return err
	}
	if a.PhotoID != 0 {
		if _, err := tx.Exec(ctx, `INSERT INTO photo_uses (photo_id, article_id, lead)
			SELECT id, $1, true FROM photos WHERE id = $2`, id, a.PhotoID); err != nil {
			return err
		}
	}
	if ids := news.BodyPhotoIDs(a.BodyHTML); len(ids) > 0 {
		// A body may name a photo that is gone; only photos that exist
		// are uses.
		if _, err := tx.Exec(ctx, `INSERT INTO photo_uses (photo_id, article_id, inline)
			SELECT p.id, $1, true FROM photos p WHERE p.id = ANY($2::bigint[])
			ON CONFLICT (photo_id, article_id) DO UPDATE SET inline = true`, id, ids); err != nil {
			return err
		}
	}
	return nil
}

// ListPhotos lists photos newest first; every word of the query must be in
// the caption, credit or alt text.
func (db *DB) ListPhotos(ctx context.Context, f news.PhotoFilter) ([]*news.Photo, int, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit, offset := min(limit, 200), max(f.Offset, 0)
	where := "true"
	var args []any
	esc := strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)
	for _, w := range strings.Fields(f.Query) {
		args = append(args, "%"+esc.Replace(w)+"%")
		n := fmt.Sprintf("$%d", len(args))
		where += " AND (caption ILIKE " + n + " OR credit ILIKE " + n + " OR alt ILIKE " + n + ")"
	}
	var total int
	if err := db.pool.QueryRow(ctx, "SELECT count(*) FROM photos WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, translate(err, "list photos")
	}
	args = append(args, limit, offset)
	rows, err := db.pool.Query(ctx, fmt.Sprintf("SELECT %s FROM photos WHERE %s ORDER BY created_at DESC, id DESC LIMIT $%d OFFSET $%d",
		photoColumns, where, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, 0, translate(err, "list photos")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*news.Photo, error) { return scanPhoto(r) })
	if err != nil {
		return nil, 0, translate(err, "list photos")
	}
	return list, total, nil
}

// PhotoUses returns the stories that show each photo, newest first.
func (db *DB) PhotoUses(ctx context.Context, photoIDs []int64) (map[int64][]news.PhotoUse, error) {
	out := map[int64][]news.PhotoUse{}
	if len(photoIDs) == 0 {
		return out, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT u.photo_id, a.id, a.headline, a.status, u.lead, u.inline
		FROM photo_uses u JOIN articles a ON a.id = u.article_id
		WHERE u.photo_id = ANY($1::bigint[]) ORDER BY a.updated_at DESC NULLS LAST, a.id DESC`, photoIDs)
	if err != nil {
		return nil, translate(err, "photo uses")
	}
	defer rows.Close()
	for rows.Next() {
		var (
			pid int64
			u   news.PhotoUse
			st  string
		)
		if err := rows.Scan(&pid, &u.ArticleID, &u.Headline, &st, &u.Lead, &u.Inline); err != nil {
			return nil, translate(err, "photo uses")
		}
		u.Status = news.Status(st)
		out[pid] = append(out[pid], u)
	}
	return out, translate(rows.Err(), "photo uses")
}
