package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"masthead/internal/news"
)

const wireCols = `uri, article_id, version, version_created, pubstatus, distributor, credit, rights, ednote, integration_id, updated_at`

func scanWire(s scanner) (*news.WireItem, error) {
	var w news.WireItem
	var vc, up sql.NullInt64
	if err := s.Scan(&w.URI, &w.ArticleID, &w.Version, &vc, &w.PubStatus, &w.Distributor, &w.Credit, &w.Rights, &w.EdNote, &w.IntegrationID, &up); err != nil {
		return nil, err
	}
	w.VersionCreated, w.UpdatedAt = fromMicro(vc), fromMicro(up)
	return &w, nil
}

// FindWireItem returns the wire record of uri.
func (db *DB) FindWireItem(ctx context.Context, uri string) (*news.WireItem, error) {
	w, err := scanWire(db.read.QueryRowContext(ctx, `SELECT `+wireCols+` FROM wire_items WHERE uri = ?`, uri))
	if err != nil {
		return nil, fmt.Errorf("find wire item: %w", translate(err))
	}
	return w, nil
}

// FindWireItemByArticle returns the wire record of a story.
func (db *DB) FindWireItemByArticle(ctx context.Context, articleID int64) (*news.WireItem, error) {
	w, err := scanWire(db.read.QueryRowContext(ctx, `SELECT `+wireCols+` FROM wire_items WHERE article_id = ? ORDER BY updated_at DESC LIMIT 1`, articleID))
	if err != nil {
		return nil, fmt.Errorf("find wire item of story %d: %w", articleID, translate(err))
	}
	return w, nil
}

// PutWireItem stores a later version's record.
func (db *DB) PutWireItem(ctx context.Context, w *news.WireItem) (bool, error) {
	var ok bool
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		var err error
		ok, err = putWireItem(ctx, tx, w, db.now())
		return err
	})
	if err != nil {
		return false, fmt.Errorf("put wire item: %w", err)
	}
	return ok, nil
}

func putWireItem(ctx context.Context, q queryer, w *news.WireItem, now time.Time) (bool, error) {
	if w.URI == "" || w.Version < 1 {
		return false, news.Errorf(news.EINVALID, "a wire item needs its URI and a version")
	}
	at := now.UnixMicro()
	if !w.UpdatedAt.IsZero() {
		at = w.UpdatedAt.UnixMicro()
	}
	res, err := q.ExecContext(ctx, `INSERT INTO wire_items (`+wireCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (uri) DO UPDATE SET article_id = CASE WHEN excluded.article_id <> 0 THEN excluded.article_id ELSE wire_items.article_id END,
			version = excluded.version, version_created = excluded.version_created, pubstatus = excluded.pubstatus,
			distributor = excluded.distributor, credit = excluded.credit, rights = excluded.rights, ednote = excluded.ednote,
			integration_id = excluded.integration_id, updated_at = excluded.updated_at
		WHERE excluded.version > wire_items.version`,
		w.URI, w.ArticleID, w.Version, tv(w.VersionCreated), w.PubStatus, w.Distributor, w.Credit, w.Rights, w.EdNote, w.IntegrationID, at)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
