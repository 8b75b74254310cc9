package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"masthead/internal/news"
)

var _ news.Trash = (*DB)(nil)

// TrashArticle puts a story in the trash. Readers see the change (its
// address answers 410): everything changes.
func (t *txn) TrashArticle(ctx context.Context, e news.TrashEntry) error {
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO trash (article_id, deleted_at, deleted_by, status) VALUES (?, ?, ?, ?)`,
		e.ArticleID, e.DeletedAt.UnixMicro(), e.DeletedBy, string(e.Status)); err != nil {
		return fmt.Errorf("trash article %d: %w", e.ArticleID, translate(err))
	}
	t.change.Add(news.Change{All: true})
	return nil
}

// RestoreArticle takes a story out of the trash.
func (t *txn) RestoreArticle(ctx context.Context, id int64) (news.TrashEntry, error) {
	var (
		e  news.TrashEntry
		at int64
		st string
	)
	err := t.tx.QueryRowContext(ctx, `DELETE FROM trash WHERE article_id = ? RETURNING article_id, deleted_at, deleted_by, status`, id).
		Scan(&e.ArticleID, &at, &e.DeletedBy, &st)
	if errors.Is(err, sql.ErrNoRows) {
		return e, news.ErrNotFound
	}
	if err != nil {
		return e, fmt.Errorf("restore article %d: %w", id, translate(err))
	}
	e.DeletedAt, e.Status = time.UnixMicro(at).UTC(), news.Status(st)
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
	rows, err := db.stmts.query(ctx, `SELECT t.article_id, a.headline, t.deleted_at, t.deleted_by, t.status
		FROM trash t JOIN articles a ON a.id = t.article_id ORDER BY t.deleted_at DESC, t.article_id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list trash: %w", translate(err))
	}
	defer rows.Close()
	var out []news.TrashEntry
	for rows.Next() {
		var (
			e  news.TrashEntry
			at int64
			st string
		)
		if err := rows.Scan(&e.ArticleID, &e.Headline, &at, &e.DeletedBy, &st); err != nil {
			return nil, fmt.Errorf("list trash: %w", err)
		}
		e.DeletedAt, e.Status = time.UnixMicro(at).UTC(), news.Status(st)
		out = append(out, e)
	}
	return out, rows.Err()
}

// InTrash reports whether a story is in the trash.
func (db *DB) InTrash(ctx context.Context, id int64) (bool, error) {
	var n int
	if err := db.stmts.queryRow(ctx, `SELECT count(*) FROM trash WHERE article_id = ?`, id).Scan(&n); err != nil {
		return false, fmt.Errorf("in trash %d: %w", id, translate(err))
	}
	return n > 0, nil
}

// PurgeTrash deletes for good the stories deleted before t.
func (db *DB) PurgeTrash(ctx context.Context, before time.Time) (int, error) {
	rows, err := db.stmts.query(ctx, `SELECT article_id FROM trash WHERE deleted_at < ?`, before.UnixMicro())
	if err != nil {
		return 0, fmt.Errorf("purge trash: %w", translate(err))
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		if err := db.DeleteArticle(ctx, id); err != nil && !errors.Is(err, news.ErrNotFound) {
			return 0, fmt.Errorf("purge trash: %w", err)
		}
	}
	return len(ids), nil
}
