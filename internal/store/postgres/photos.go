package postgres

import (
	"context"
	"fmt"
	"time"
)

// PhotoVisibleAt reports whether readers may see photo id at t
// (media.PhotoVisibility): an author's portrait, the lead photo of a story
// public at t, or the lead photo of no story at all (a body image, a photo
// on the desk; its URL holds an unguessable token).
func (db *DB) PhotoVisibleAt(ctx context.Context, id int64, t time.Time) (bool, error) {
	var vis bool
	err := db.pool.QueryRow(ctx, `SELECT
		EXISTS (SELECT 1 FROM authors WHERE photo_id = $1)
		OR EXISTS (SELECT 1 FROM articles a WHERE a.photo_id = $1 AND a.status = 'published'
			AND a.published_at IS NOT NULL AND a.published_at <= $2
			AND (a.embargo_until IS NULL OR a.embargo_until <= $2))
		OR NOT EXISTS (SELECT 1 FROM articles WHERE photo_id = $1)`, id, t.UTC()).Scan(&vis)
	if err != nil {
		return false, translate(err, fmt.Sprintf("photo %d visibility", id))
	}
	return vis, nil
}
