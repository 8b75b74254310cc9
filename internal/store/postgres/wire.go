package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"masthead/internal/news"
)

const wireCols = `uri, article_id, version, version_created, pubstatus, distributor, credit, rights, ednote, integration_id, updated_at`

func scanWire(row pgx.Row) (*news.WireItem, error) {
	var w news.WireItem
	var vc *time.Time
	if err := row.Scan(&w.URI, &w.ArticleID, &w.Version, &vc, &w.PubStatus, &w.Distributor, &w.Credit, &w.Rights, &w.EdNote, &w.IntegrationID, &w.UpdatedAt); err != nil {
		return nil, err
	}
	w.VersionCreated, w.UpdatedAt = fromNull(vc), w.UpdatedAt.UTC()
	return &w, nil
}

// FindWireItem returns the wire record of uri.
func (db *DB) FindWireItem(ctx context.Context, uri string) (*news.WireItem, error) {
	w, err := scanWire(db.pool.QueryRow(ctx, `SELECT `+wireCols+` FROM wire_items WHERE uri = $1`, uri))
	if err != nil {
		return nil, translate(err, "find wire item")
	}
	return w, nil
}

// FindWireItemByArticle returns the wire record of a story.
func (db *DB) FindWireItemByArticle(ctx context.Context, articleID int64) (*news.WireItem, error) {
	w, err := scanWire(db.pool.QueryRow(ctx, `SELECT `+wireCols+` FROM wire_items WHERE article_id = $1 ORDER BY updated_at DESC LIMIT 1`, articleID))
	if err != nil {
		return nil, translate(err, fmt.Sprintf("find wire item of story %d", articleID))
	}
	return w, nil
}

// PutWireItem stores a later version's record.
func (db *DB) PutWireItem(ctx context.Context, w *news.WireItem) (bool, error) {
	ok, err := putWireItem(ctx, db.pool, w, db.now())
	return ok, translate(err, "put wire item")
}

func putWireItem(ctx context.Context, q querier, w *news.WireItem, now time.Time) (bool, error) {
	if w.URI == "" || w.Version < 1 {
		return false, invalid("a wire item needs its URI and a version")
	}
	at := now
	if !w.UpdatedAt.IsZero() {
		at = w.UpdatedAt
	}
	tag, err := q.Exec(ctx, `INSERT INTO wire_items (`+wireCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (uri) DO UPDATE SET article_id = CASE WHEN excluded.article_id <> 0 THEN excluded.article_id ELSE wire_items.article_id END,
			version = excluded.version, version_created = excluded.version_created, pubstatus = excluded.pubstatus,
			distributor = excluded.distributor, credit = excluded.credit, rights = excluded.rights, ednote = excluded.ednote,
			integration_id = excluded.integration_id, updated_at = excluded.updated_at
		WHERE excluded.version > wire_items.version`,
		w.URI, w.ArticleID, w.Version, utc(w.VersionCreated), w.PubStatus, w.Distributor, w.Credit, w.Rights, w.EdNote, w.IntegrationID, utc(at))
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() == 1, nil
}
