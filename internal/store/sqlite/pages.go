package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"masthead/internal/news"
)

// Static pages (issue 15).

const pageCols = `id, version, slug, title, description, body, lang, status, position, in_footer, updated_by,
	created_at, updated_at, published_at`

func scanPage(s scanner) (*news.Page, error) {
	var p news.Page
	var status string
	var footer int
	var created, updated, published sql.NullInt64
	if err := s.Scan(&p.ID, &p.Version, &p.Slug, &p.Title, &p.Description, &p.Body, &p.Lang, &status, &p.Position, &footer,
		&p.UpdatedBy, &created, &updated, &published); err != nil {
		return nil, err
	}
	p.Status, p.InFooter = news.Status(status), footer != 0
	p.CreatedAt, p.UpdatedAt, p.PublishedAt = fromMicro(created), fromMicro(updated), fromMicro(published)
	return &p, nil
}

// FindPageByID returns a page.
func (r reader) FindPageByID(ctx context.Context, id int64) (*news.Page, error) {
	p, err := scanPage(r.one.QueryRowContext(ctx, `SELECT `+pageCols+` FROM pages WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("find page %d: %w", id, translate(err))
	}
	return p, nil
}

// FindPageBySlug returns a page.
func (r reader) FindPageBySlug(ctx context.Context, slug string) (*news.Page, error) {
	p, err := scanPage(r.one.QueryRowContext(ctx, `SELECT `+pageCols+` FROM pages WHERE slug = ?`, slug))
	if err != nil {
		return nil, fmt.Errorf("find page %q: %w", slug, translate(err))
	}
	return p, nil
}

// ListPages returns the pages f selects by position, title and id.
func (r reader) ListPages(ctx context.Context, f news.PageFilter) ([]*news.Page, error) {
	q := `SELECT ` + pageCols + ` FROM pages WHERE 1 = 1`
	if f.Published {
		q += ` AND status = 'published'`
	}
	if f.InFooter {
		q += ` AND in_footer = 1`
	}
	rows, err := r.one.QueryContext(ctx, q+` ORDER BY position, title, id`)
	if err != nil {
		return nil, fmt.Errorf("list pages: %w", translate(err))
	}
	defer rows.Close()
	var out []*news.Page
	for rows.Next() {
		p, err := scanPage(rows)
		if err != nil {
			return nil, fmt.Errorf("list pages: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// CreatePage stores a new page (version 1).
func (t *txn) CreatePage(ctx context.Context, p *news.Page) error {
	if err := news.ValidatePage(p); err != nil {
		return err
	}
	now := t.db.now().UTC().Truncate(time.Microsecond)
	if p.CreatedAt.IsZero() {
		p.CreatedAt = now
	}
	if p.UpdatedAt.IsZero() {
		p.UpdatedAt = p.CreatedAt
	}
	if p.IsPublic() && p.PublishedAt.IsZero() {
		p.PublishedAt = now
	}
	p.CreatedAt, p.UpdatedAt, p.PublishedAt = p.CreatedAt.UTC().Truncate(time.Microsecond), p.UpdatedAt.UTC().Truncate(time.Microsecond), p.PublishedAt.UTC().Truncate(time.Microsecond)
	res, err := t.tx.ExecContext(ctx, `INSERT INTO pages (slug, title, description, body, lang, status, position, in_footer, version, updated_by,
		created_at, updated_at, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`,
		p.Slug, p.Title, p.Description, p.Body, p.Lang, string(p.Status), p.Position, b2i(p.InFooter), p.UpdatedBy,
		p.CreatedAt.UnixMicro(), p.UpdatedAt.UnixMicro(), tv(p.PublishedAt))
	if err == nil {
		p.ID, err = res.LastInsertId()
	}
	if err != nil {
		return fmt.Errorf("create page %q: %w", p.Slug, translate(err))
	}
	p.Version = 1
	t.change.Add(news.PageChange(nil, p))
	return nil
}

// UpdatePage replaces a page written against p.Version.
func (t *txn) UpdatePage(ctx context.Context, p *news.Page) error {
	if err := news.ValidatePage(p); err != nil {
		return err
	}
	cur, err := t.FindPageByID(ctx, p.ID)
	if err != nil {
		return fmt.Errorf("update page %d: %w", p.ID, err)
	}
	if err := news.CheckVersion("page", p.ID, p.Version, cur.Version, cur.UpdatedBy, cur.UpdatedAt); err != nil {
		return err
	}
	p.CreatedAt = cur.CreatedAt
	p.UpdatedAt = t.db.now().UTC().Truncate(time.Microsecond)
	if p.PublishedAt.IsZero() {
		p.PublishedAt = cur.PublishedAt
	}
	if p.IsPublic() && p.PublishedAt.IsZero() {
		p.PublishedAt = p.UpdatedAt
	}
	p.PublishedAt = p.PublishedAt.UTC().Truncate(time.Microsecond)
	res, err := t.tx.ExecContext(ctx, `UPDATE pages SET slug = ?, title = ?, description = ?, body = ?, lang = ?, status = ?,
		position = ?, in_footer = ?, version = version + 1, updated_by = ?, updated_at = ?, published_at = ?
		WHERE id = ? AND version = ?`,
		p.Slug, p.Title, p.Description, p.Body, p.Lang, string(p.Status), p.Position, b2i(p.InFooter), p.UpdatedBy,
		p.UpdatedAt.UnixMicro(), tv(p.PublishedAt), p.ID, p.Version)
	if err != nil {
		return fmt.Errorf("update page %d: %w", p.ID, translate(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return news.Stale("page", p.ID, p.Version, cur.Version)
	}
	p.Version++
	t.change.Add(news.PageChange(cur, p))
	return nil
}

// DeletePage removes a page.
func (t *txn) DeletePage(ctx context.Context, id int64) error {
	cur, err := t.FindPageByID(ctx, id)
	if err != nil {
		return fmt.Errorf("delete page %d: %w", id, err)
	}
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM pages WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete page %d: %w", id, translate(err))
	}
	t.change.Add(news.PageChange(cur, nil))
	return nil
}

// CreatePage is txn.CreatePage in a transaction of its own.
func (db *DB) CreatePage(ctx context.Context, p *news.Page) error {
	return db.apply(ctx, func(t *txn) error { return t.CreatePage(ctx, p) })
}

// UpdatePage is txn.UpdatePage in a transaction of its own.
func (db *DB) UpdatePage(ctx context.Context, p *news.Page) error {
	return db.apply(ctx, func(t *txn) error { return t.UpdatePage(ctx, p) })
}

// DeletePage is txn.DeletePage in a transaction of its own.
func (db *DB) DeletePage(ctx context.Context, id int64) error {
	return db.apply(ctx, func(t *txn) error { return t.DeletePage(ctx, id) })
}

// Readers' messages (issue 15): newsroom state, written outside the
// change log like story notes.

const messageCols = `id, kind, name, email, url, text, client_key, created_at, handled_by, handled_at`

func scanMessage(s scanner) (*news.ReaderMessage, error) {
	var m news.ReaderMessage
	var kind string
	var created, handled sql.NullInt64
	if err := s.Scan(&m.ID, &kind, &m.Name, &m.Email, &m.URL, &m.Text, &m.ClientKey, &created, &m.HandledBy, &handled); err != nil {
		return nil, err
	}
	m.Kind, m.CreatedAt, m.HandledAt = news.MessageKind(kind), fromMicro(created), fromMicro(handled)
	return &m, nil
}

// AddMessage stores a reader's message.
func (db *DB) AddMessage(ctx context.Context, m *news.ReaderMessage) error {
	if err := news.ValidateMessage(m); err != nil {
		return err
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = db.now()
	}
	m.CreatedAt = m.CreatedAt.UTC().Truncate(time.Microsecond)
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO reader_messages (kind, name, email, url, text, client_key, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, string(m.Kind), m.Name, m.Email, m.URL, m.Text, m.ClientKey, m.CreatedAt.UnixMicro())
		if err != nil {
			return err
		}
		m.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return fmt.Errorf("add reader message: %w", translate(err))
	}
	return nil
}

// ListMessages returns reader messages newest first.
func (db *DB) ListMessages(ctx context.Context, f news.MessageFilter) ([]*news.ReaderMessage, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 50
	}
	q := `SELECT ` + messageCols + ` FROM reader_messages`
	if f.Open {
		q += ` WHERE handled_at IS NULL`
	}
	rows, err := db.stmts.query(ctx, q+` ORDER BY id DESC LIMIT ?`, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("list reader messages: %w", translate(err))
	}
	defer rows.Close()
	var out []*news.ReaderMessage
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("list reader messages: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// CountOpenMessages counts the messages nobody handled yet.
func (db *DB) CountOpenMessages(ctx context.Context) (int, error) {
	var n int
	if err := db.stmts.queryRow(ctx, `SELECT count(*) FROM reader_messages WHERE handled_at IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count reader messages: %w", translate(err))
	}
	return n, nil
}

// HandleMessage marks a message handled.
func (db *DB) HandleMessage(ctx context.Context, id, user int64, t time.Time) error {
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, "reader message", id, `UPDATE reader_messages SET handled_by = ?, handled_at = ? WHERE id = ?`,
			user, t.UTC().UnixMicro(), id)
	})
	if err != nil {
		return fmt.Errorf("handle reader message %d: %w", id, translate(err))
	}
	return nil
}
