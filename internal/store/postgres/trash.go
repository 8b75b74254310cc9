package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"masthead/internal/news"
)

var _ news.Trash = (*DB)(nil)

// TrashArticle puts a story in the trash. Readers see the change (its
// address answers 410): everything changes.
func (t *txn) TrashArticle(ctx context.Context, e news.TrashEntry) error {
	if _, err := t.tx.Exec(ctx, `INSERT INTO trash (article_id, deleted_at, deleted_by, status) VALUES ($1, $2, $3, $4)`,
		e.ArticleID, e.DeletedAt, e.DeletedBy, string(e.Status)); err != nil {
		return translate(err, fmt.Sprintf("trash article %d", e.ArticleID))
	}
	t.change.Add(news.Change{All: true})
	return nil
}

// RestoreArticle takes a story out of the trash.
func (t *txn) RestoreArticle(ctx context.Context, id int64) (news.TrashEntry, error) {
	var (
		e  news.TrashEntry
		st string
	)
	err := t.tx.QueryRow(ctx, `DELETE FROM trash WHERE article_id = $1 RETURNING article_id, deleted_at, deleted_by, status`, id).
		Scan(&e.ArticleID, &e.DeletedAt, &e.DeletedBy, &st)
	if errors.Is(err, pgx.ErrNoRows) {
		return e, news.ErrNotFound
	}
	if err != nil {
		return e, translate(err, fmt.Sprintf("restore article %d", id))
	}
	e.DeletedAt, e.Status = e.DeletedAt.UTC(), news.Status(st)
	t.change.Add(news.Change{All: true})
	return e, nil
}

// TrashArticle is txn.TrashArticle in a transaction of its own.
func (db *DB) TrashArticle(ctx context.Context, e news.TrashEntry) error {
	return db.apply(ctx, func(t *txn) error { return t.TrashArticle(ctx, e) })
}

// RestoreArticle is txn.RestoreArticle in a transaction of its own.
func (db *DB) RestoreArticle(ctx context.Context, id int64) (news.TrashEntry, error) {
	var e news.TrashEntry
	err := db.apply(ctx, func(t *txn) error {
		var err error
		e, err = t.RestoreArticle(ctx, id)
		return err
	})
	return e, err
}

// ListTrash lists the trash, newest deletion first.
func (db *DB) ListTrash(ctx context.Context) ([]news.TrashEntry, error) {
	rows, err := db.pool.Query(ctx, `SELECT t.article_id, a.headline, t.deleted_at, t.deleted_by, t.status
		FROM trash t JOIN articles a ON a.id = t.article_id ORDER BY t.deleted_at DESC, t.article_id DESC`)
	if err != nil {
		return nil, translate(err, "list trash")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (news.TrashEntry, error) {
		var (
			e  news.TrashEntry
			st string
		)
		err := r.Scan(&e.ArticleID, &e.Headline, &e.DeletedAt, &e.DeletedBy, &st)
		e.DeletedAt, e.Status = e.DeletedAt.UTC(), news.Status(st)
		return e, err
	})
	return list, translate(err, "list trash")
}

// InTrash reports whether a story is in the trash.
func (db *DB) InTrash(ctx context.Context, id int64) (bool, error) {
	var ok bool
	err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM trash WHERE article_id = $1)`, id).Scan(&ok)
	return ok, translate(err, fmt.Sprintf("in trash %d", id))
}

// PurgeTrash deletes for good the stories deleted before t.
func (db *DB) PurgeTrash(ctx context.Context, before time.Time) (int, error) {
	rows, err := db.pool.Query(ctx, `SELECT article_id FROM trash WHERE deleted_at < $1`, before)
	if err != nil {
		return 0, translate(err, "purge trash")
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, translate(err, "purge trash")
	}
	for _, id := range ids {
		if err := db.DeleteArticle(ctx, id); err != nil && !errors.Is(err, news.ErrNotFound) {
			return 0, fmt.Errorf("purge trash: %w", err)
		}
	}
	return len(ids), nil
}
