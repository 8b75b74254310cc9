package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"masthead/internal/news"
)

var _ news.PhotoLibrary = (*DB)(nil)

// setPhotoUses records which photos story id shows (its lead photo and
// the photos in its body), in the story's own write transaction.
func setPhotoUses(ctx context.Context, tx *sql.Tx, id int64, a *news.Article) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM photo_uses WHERE article_id = ?`, id); err != nil {
		return err
	}
	if a.PhotoID != 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO photo_uses (photo_id, article_id, lead)
			SELECT id, ?, 1 FROM photos WHERE id = ?`, id, a.PhotoID); err != nil {
			return err
		}
	}
	for _, pid := range news.BodyPhotoIDs(a.BodyHTML) {
		// A body may name a photo that is gone; only photos that exist
		// are uses.
		if _, err := tx.ExecContext(ctx, `INSERT INTO photo_uses (photo_id, article_id, inline)
			SELECT id, ?, 1 FROM photos WHERE id = ?
			ON CONFLICT (photo_id, article_id) DO UPDATE SET inline = 1`, id, pid); err != nil {
			return err
		}
	}
	return nil
}

func photoPage(f news.PhotoFilter) (int, int) {
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	return min(limit, 200), max(f.Offset, 0)
}

// likeWords makes one LIKE pattern per word of q, wildcards escaped.
func likeWords(q string) []string {
	var out []string
	esc := strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)
	for _, w := range strings.Fields(q) {
		out = append(out, "%"+esc.Replace(w)+"%")
	}
	return out
}

// ListPhotos lists photos newest first; every word of the query must be in
// the caption, credit or alt text.
func (db *DB) ListPhotos(ctx context.Context, f news.PhotoFilter) ([]*news.Photo, int, error) {
	limit, offset := photoPage(f)
	where := "1 = 1"
	var args []any
	for _, w := range likeWords(f.Query) {
		where += ` AND (caption LIKE ` + likePattern + ` ESCAPE '\' OR credit LIKE ` + likePattern + ` ESCAPE '\' OR alt LIKE ` + likePattern + ` ESCAPE '\')`
		args = append(args, w, w, w)
	}
	var (
		out   []*news.Photo
		total int
	)
	err := db.view(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM photos WHERE `+where, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+photoCols+` FROM photos WHERE `+where+` ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`,
			append(args, limit, offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanPhoto(rows)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list photos: %w", translate(err))
	}
	return out, total, nil
}

// PhotoUses returns the stories that show each photo, newest first.
func (db *DB) PhotoUses(ctx context.Context, photoIDs []int64) (map[int64][]news.PhotoUse, error) {
	out := map[int64][]news.PhotoUse{}
	if len(photoIDs) == 0 {
		return out, nil
	}
	rows, err := db.stmts.query(ctx, `SELECT u.photo_id, a.id, a.headline, a.status, u.lead, u.inline
		FROM photo_uses u JOIN articles a ON a.id = u.article_id
		WHERE u.photo_id `+inIDs+` ORDER BY a.updated_at DESC, a.id DESC`, jsonIDs(photoIDs))
	if err != nil {
		return nil, fmt.Errorf("photo uses: %w", translate(err))
	}
	defer rows.Close()
	for rows.Next() {
		var (
			pid          int64
			u            news.PhotoUse
			st           string
			lead, inline int
		)
		if err := rows.Scan(&pid, &u.ArticleID, &u.Headline, &st, &lead, &inline); err != nil {
			return nil, fmt.Errorf("photo uses: %w", err)
		}
		u.Status, u.Lead, u.Inline = news.Status(st), lead == 1, inline == 1
		out[pid] = append(out[pid], u)
	}
	return out, rows.Err()
}
