package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"masthead/internal/news"
)

// Static pages (issue 15).

const pageColumns = `id, version, slug, title, description, body, lang, status, position, in_footer, updated_by,
	created_at, updated_at, published_at`

func scanPage(row pgx.Row) (*news.Page, error) {
	var p news.Page
	var status string
	var created, updated time.Time
	var published *time.Time
	if err := row.Scan(&p.ID, &p.Version, &p.Slug, &p.Title, &p.Description, &p.Body, &p.Lang, &status, &p.Position, &p.InFooter,
		&p.UpdatedBy, &created, &updated, &published); err != nil {
		return nil, err
	}
	p.Status = news.Status(status)
	p.CreatedAt, p.UpdatedAt, p.PublishedAt = created.UTC(), updated.UTC(), fromNull(published)
	return &p, nil
}

// FindPageByID returns a page (locked when a command will change it).
func (db reader) FindPageByID(ctx context.Context, id int64) (*news.Page, error) {
	p, err := scanPage(db.q.QueryRow(ctx, "SELECT "+pageColumns+" FROM pages WHERE id = $1"+db.forUpdate("FOR UPDATE"), id))
	return p, translate(err, fmt.Sprintf("find page %d", id))
}

// FindPageBySlug returns a page.
func (db reader) FindPageBySlug(ctx context.Context, slug string) (*news.Page, error) {
	p, err := scanPage(db.q.QueryRow(ctx, "SELECT "+pageColumns+" FROM pages WHERE slug = $1", slug))
	return p, translate(err, fmt.Sprintf("find page %q", slug))
}

// ListPages returns the pages f selects by position, title and id.
func (db reader) ListPages(ctx context.Context, f news.PageFilter) ([]*news.Page, error) {
	q := "SELECT " + pageColumns + " FROM pages WHERE true"
	if f.Published {
		q += " AND status = 'published'"
	}
	if f.InFooter {
		q += " AND in_footer"
	}
	rows, err := db.q.Query(ctx, q+" ORDER BY position, title, id")
	if err != nil {
		return nil, translate(err, "list pages")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*news.Page, error) { return scanPage(r) })
	return list, translate(err, "list pages")
}

// CreatePage stores a new page (version 1).
func (t *txn) CreatePage(ctx context.Context, p *news.Page) error {
	if err := news.ValidatePage(p); err != nil {
		return err
	}
	now := normTime(t.db.now())
	if p.CreatedAt.IsZero() {
		p.CreatedAt = now
	}
	if p.UpdatedAt.IsZero() {
		p.UpdatedAt = p.CreatedAt
	}
	if p.IsPublic() && p.PublishedAt.IsZero() {
		p.PublishedAt = now
	}
	p.CreatedAt, p.UpdatedAt, p.PublishedAt = normTime(p.CreatedAt), normTime(p.UpdatedAt), normTime(p.PublishedAt)
	err := t.tx.QueryRow(ctx, `INSERT INTO pages (slug, title, description, body, lang, status, position, in_footer, version, updated_by,
		created_at, updated_at, published_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $11, $12) RETURNING id`,
		p.Slug, p.Title, p.Description, p.Body, p.Lang, string(p.Status), p.Position, p.InFooter, p.UpdatedBy,
		p.CreatedAt, p.UpdatedAt, utc(p.PublishedAt)).Scan(&p.ID)
	if err != nil {
		return translate(err, fmt.Sprintf("create page %q", p.Slug))
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
	p.UpdatedAt = normTime(t.db.now())
	if p.PublishedAt.IsZero() {
		p.PublishedAt = cur.PublishedAt
	}
	if p.IsPublic() && p.PublishedAt.IsZero() {
		p.PublishedAt = p.UpdatedAt
	}
	p.PublishedAt = normTime(p.PublishedAt)
	tag, err := t.tx.Exec(ctx, `UPDATE pages SET slug = $2, title = $3, description = $4, body = $5, lang = $6, status = $7,
		position = $8, in_footer = $9, version = version + 1, updated_by = $10, updated_at = $11, published_at = $12
		WHERE id = $1 AND version = $13`,
		p.ID, p.Slug, p.Title, p.Description, p.Body, p.Lang, string(p.Status), p.Position, p.InFooter, p.UpdatedBy,
		p.UpdatedAt, utc(p.PublishedAt), p.Version)
	if err != nil {
		return translate(err, fmt.Sprintf("update page %d", p.ID))
	}
	if tag.RowsAffected() == 0 {
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
	if _, err := t.tx.Exec(ctx, "DELETE FROM pages WHERE id = $1", id); err != nil {
		return translate(err, fmt.Sprintf("delete page %d", id))
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

const messageColumns = `id, kind, name, email, url, text, client_key, created_at, handled_by, handled_at`

func scanMessage(row pgx.Row) (*news.ReaderMessage, error) {
	var m news.ReaderMessage
	var kind string
	var handled *time.Time
	if err := row.Scan(&m.ID, &kind, &m.Name, &m.Email, &m.URL, &m.Text, &m.ClientKey, &m.CreatedAt, &m.HandledBy, &handled); err != nil {
		return nil, err
	}
	m.Kind, m.CreatedAt, m.HandledAt = news.MessageKind(kind), m.CreatedAt.UTC(), fromNull(handled)
	return &m, nil
}

// AddMessage stores a reader's message.
func (db *DB) AddMessage(ctx context.Context, m *news.ReaderMessage) error {
	if err := news.ValidateMessage(m); err != nil {
		return err
	}
	m.CreatedAt = db.createdAt(m.CreatedAt)
	err := db.write(ctx, false, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO reader_messages (kind, name, email, url, text, client_key, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, string(m.Kind), m.Name, m.Email, m.URL, m.Text, m.ClientKey, m.CreatedAt).Scan(&m.ID)
	})
	return translate(err, "add reader message")
}

// ListMessages returns reader messages newest first.
func (db *DB) ListMessages(ctx context.Context, f news.MessageFilter) ([]*news.ReaderMessage, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 50
	}
	q := "SELECT " + messageColumns + " FROM reader_messages"
	if f.Open {
		q += " WHERE handled_at IS NULL"
	}
	rows, err := db.pool.Query(ctx, q+" ORDER BY id DESC LIMIT $1", f.Limit)
	if err != nil {
		return nil, translate(err, "list reader messages")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*news.ReaderMessage, error) { return scanMessage(r) })
	return list, translate(err, "list reader messages")
}

// CountOpenMessages counts the messages nobody handled yet.
func (db *DB) CountOpenMessages(ctx context.Context) (int, error) {
	var n int
	err := db.pool.QueryRow(ctx, "SELECT count(*) FROM reader_messages WHERE handled_at IS NULL").Scan(&n)
	return n, translate(err, "count reader messages")
}

// HandleMessage marks a message handled.
func (db *DB) HandleMessage(ctx context.Context, id, user int64, t time.Time) error {
	err := db.write(ctx, false, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "UPDATE reader_messages SET handled_by = $2, handled_at = $3 WHERE id = $1", id, user, normTime(t))
		if err == nil && tag.RowsAffected() == 0 {
			return notFound("reader message %d not found", id)
		}
		return err
	})
	return translate(err, fmt.Sprintf("handle reader message %d", id))
}
