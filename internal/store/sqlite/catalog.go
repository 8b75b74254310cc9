package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"masthead/internal/news"
)

// Sections

const sectionCols = `id, slug, name, description, position, parent_id, layout, version, updated_by, updated_at, hidden`

func scanSection(s scanner) (*news.Section, error) {
	var sec news.Section
	var updated sql.NullInt64
	err := s.Scan(&sec.ID, &sec.Slug, &sec.Name, &sec.Description, &sec.Position, &sec.ParentID, &sec.Layout, &sec.Version, &sec.UpdatedBy, &updated, &sec.Hidden)
	sec.UpdatedAt = fromMicro(updated)
	return &sec, err
}

// CreateSection adds a desk. Sections are in every page's navigation:
// everything changes.
func (t *txn) CreateSection(ctx context.Context, s *news.Section) error {
	if err := news.ValidateSection(s); err != nil {
		return err
	}
	if err := t.checkSectionTree(ctx, s); err != nil {
		return err
	}
	if s.UpdatedAt.IsZero() {
		s.UpdatedAt = t.db.now()
	}
	s.UpdatedAt = s.UpdatedAt.UTC().Truncate(time.Microsecond)
	res, err := t.tx.ExecContext(ctx, `INSERT INTO sections (slug, name, description, position, parent_id, layout, version, updated_by, updated_at, hidden)
		VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`, s.Slug, s.Name, s.Description, s.Position, s.ParentID, s.Layout, s.UpdatedBy, s.UpdatedAt.UnixMicro(), s.Hidden)
	if err == nil {
		s.ID, err = res.LastInsertId()
	}
	if err != nil {
		return fmt.Errorf("create section %q: %w", s.Slug, translate(err))
	}
	s.Version = 1
	t.change.Add(news.Change{All: true, Sections: []int64{s.ID}})
	return nil
}

// UpdateSection changes a desk written against s.Version.
func (t *txn) UpdateSection(ctx context.Context, s *news.Section) error {
	if err := news.ValidateSection(s); err != nil {
		return err
	}
	cur, err := t.FindSectionByID(ctx, s.ID)
	if err != nil {
		return fmt.Errorf("update section %d: %w", s.ID, err)
	}
	if err := news.CheckVersion("section", s.ID, s.Version, cur.Version, cur.UpdatedBy, cur.UpdatedAt); err != nil {
		return err
	}
	if err := t.checkSectionTree(ctx, s); err != nil {
		return err
	}
	s.UpdatedAt = t.db.now().Truncate(time.Microsecond)
	res, err := t.tx.ExecContext(ctx, `UPDATE sections SET slug = ?, name = ?, description = ?, position = ?,
		parent_id = ?, layout = ?, version = version + 1, updated_by = ?, updated_at = ?, hidden = ? WHERE id = ? AND version = ?`,
		s.Slug, s.Name, s.Description, s.Position, s.ParentID, s.Layout, s.UpdatedBy, s.UpdatedAt.UnixMicro(), s.Hidden, s.ID, s.Version)
	if err != nil {
		return fmt.Errorf("update section %d: %w", s.ID, translate(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return news.Stale("section", s.ID, s.Version, cur.Version)
	}
	s.Version++
	t.change.Add(news.Change{All: true, Sections: []int64{s.ID}})
	return nil
}

// checkSectionTree applies news.ValidateSectionTree inside the
// transaction. SQLite has one writer at a time, so what it reads cannot
// change before the write.
func (t *txn) checkSectionTree(ctx context.Context, s *news.Section) error {
	if s.ParentID == 0 {
		return nil
	}
	all, err := t.ListSections(ctx)
	if err != nil {
		return err
	}
	return news.ValidateSectionTree(s, all)
}

// updateOne runs an UPDATE that must touch exactly the row id.
func updateOne(ctx context.Context, tx *sql.Tx, what string, id int64, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound(what, id)
	}
	return nil
}

// CreateSection is txn.CreateSection in a transaction of its own.
func (db *DB) CreateSection(ctx context.Context, s *news.Section) error {
	return db.apply(ctx, func(t *txn) error { return t.CreateSection(ctx, s) })
}

// UpdateSection is txn.UpdateSection in a transaction of its own.
func (db *DB) UpdateSection(ctx context.Context, s *news.Section) error {
	return db.apply(ctx, func(t *txn) error { return t.UpdateSection(ctx, s) })
}

// FindSectionByID returns a desk.
func (db reader) FindSectionByID(ctx context.Context, id int64) (*news.Section, error) {
	s, err := scanSection(db.one.QueryRowContext(ctx, `SELECT `+sectionCols+` FROM sections WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("find section %d: %w", id, translate(err))
	}
	return s, nil
}

// FindSectionBySlug returns a desk.
func (db reader) FindSectionBySlug(ctx context.Context, slug string) (*news.Section, error) {
	s, err := scanSection(db.one.QueryRowContext(ctx, `SELECT `+sectionCols+` FROM sections WHERE slug = ?`, slug))
	if err != nil {
		return nil, fmt.Errorf("find section %q: %w", slug, translate(err))
	}
	return s, nil
}

// ListSections returns the desks in navigation order.
func (db reader) ListSections(ctx context.Context) ([]*news.Section, error) {
	rows, err := db.one.QueryContext(ctx, `SELECT `+sectionCols+` FROM sections ORDER BY position, name, id`)
	if err != nil {
		return nil, fmt.Errorf("list sections: %w", err)
	}
	defer rows.Close()
	var out []*news.Section
	for rows.Next() {
		s, err := scanSection(rows)
		if err != nil {
			return nil, fmt.Errorf("list sections: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Authors

const authorCols = `au.id, au.slug, au.name, au.email, au.bio, au.title, au.photo_id, au.position, au.links, au.version, au.updated_by, au.updated_at`

// scanAuthor scans authorCols, after the extra leading columns in pre.
func scanAuthor(s scanner, pre ...any) (*news.Author, error) {
	var a news.Author
	var photo, updated sql.NullInt64
	var links string
	dest := append(pre, &a.ID, &a.Slug, &a.Name, &a.Email, &a.Bio, &a.Title, &photo, &a.Position, &links, &a.Version, &a.UpdatedBy, &updated)
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	a.PhotoID = photo.Int64
	a.UpdatedAt = fromMicro(updated)
	var err error
	a.Links, err = news.ParseAuthorLinks(links)
	return &a, err
}

// CreateAuthor adds a byline. Nothing readers see lists it until a story
// carries it.
func (t *txn) CreateAuthor(ctx context.Context, a *news.Author) error {
	if err := news.ValidateAuthor(a); err != nil {
		return err
	}
	if a.UpdatedAt.IsZero() {
		a.UpdatedAt = t.db.now()
	}
	a.UpdatedAt = a.UpdatedAt.UTC().Truncate(time.Microsecond)
	res, err := t.tx.ExecContext(ctx, `INSERT INTO authors (slug, name, email, bio, title, photo_id, position, links, version, updated_by, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
		a.Slug, a.Name, a.Email, a.Bio, a.Title, nullID(a.PhotoID), a.Position, news.AuthorLinksJSON(a.Links), a.UpdatedBy, a.UpdatedAt.UnixMicro())
	if err == nil {
		a.ID, err = res.LastInsertId()
	}
	if err != nil {
		return fmt.Errorf("create author %q: %w", a.Slug, translate(err))
	}
	a.Version = 1
	return nil
}

// rowVersion reads the version, last writer and time of the row id of
// table (authors, tags), for a guarded write. SQLite has one writer at a
// time, so it cannot move before the write; the write checks it again.
func (t *txn) rowVersion(ctx context.Context, table, what string, id int64) (version, by int64, at time.Time, err error) {
	var updated sql.NullInt64
	err = t.tx.QueryRowContext(ctx, `SELECT version, updated_by, updated_at FROM `+table+` WHERE id = ?`, id).Scan(&version, &by, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, time.Time{}, notFound(what, id)
	}
	return version, by, fromMicro(updated), translate(err)
}

// UpdateAuthor changes a byline written against a.Version: its pages, and
// every page that shows it.
func (t *txn) UpdateAuthor(ctx context.Context, a *news.Author) error {
	if err := news.ValidateAuthor(a); err != nil {
		return err
	}
	cur, by, at, err := t.rowVersion(ctx, "authors", "author", a.ID)
	if err != nil {
		return fmt.Errorf("update author %d: %w", a.ID, err)
	}
	if err := news.CheckVersion("author", a.ID, a.Version, cur, by, at); err != nil {
		return err
	}
	now := t.db.now().UTC().Truncate(time.Microsecond)
	res, err := t.tx.ExecContext(ctx, `UPDATE authors SET slug = ?, name = ?, email = ?, bio = ?, title = ?, photo_id = ?, position = ?, links = ?,
		version = version + 1, updated_by = ?, updated_at = ? WHERE id = ? AND version = ?`,
		a.Slug, a.Name, a.Email, a.Bio, a.Title, nullID(a.PhotoID), a.Position, news.AuthorLinksJSON(a.Links), a.UpdatedBy, now.UnixMicro(), a.ID, a.Version)
	if err != nil {
		return fmt.Errorf("update author %d: %w", a.ID, translate(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return news.Stale("author", a.ID, a.Version, cur)
	}
	a.Version++
	a.UpdatedAt = now
	t.change.Add(news.Change{Authors: []int64{a.ID}, Bylines: []int64{a.ID}})
	return nil
}

// CreateAuthor is txn.CreateAuthor in a transaction of its own.
func (db *DB) CreateAuthor(ctx context.Context, a *news.Author) error {
	return db.apply(ctx, func(t *txn) error { return t.CreateAuthor(ctx, a) })
}

// UpdateAuthor is txn.UpdateAuthor in a transaction of its own.
func (db *DB) UpdateAuthor(ctx context.Context, a *news.Author) error {
	return db.apply(ctx, func(t *txn) error { return t.UpdateAuthor(ctx, a) })
}

func (db reader) findAuthor(ctx context.Context, what string, where string, arg any) (*news.Author, error) {
	var a *news.Author
	err := db.snap(ctx, func(q queryer) error {
		var err error
		a, err = scanAuthor(q.QueryRowContext(ctx, `SELECT `+authorCols+` FROM authors au WHERE `+where+` ORDER BY au.id LIMIT 1`, arg))
		if err != nil {
			return err
		}
		if a.PhotoID != 0 {
			photos, err := loadPhotos(ctx, q, []int64{a.PhotoID})
			if err != nil {
				return err
			}
			a.Photo = photos[a.PhotoID]
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find author %s: %w", what, translate(err))
	}
	return a, nil
}

// FindAuthorByID returns a byline with its photo.
func (db reader) FindAuthorByID(ctx context.Context, id int64) (*news.Author, error) {
	return db.findAuthor(ctx, strconv.FormatInt(id, 10), `au.id = ?`, id)
}

// FindAuthorBySlug returns a byline with its photo.
func (db reader) FindAuthorBySlug(ctx context.Context, slug string) (*news.Author, error) {
	return db.findAuthor(ctx, strconv.Quote(slug), `au.slug = ?`, slug)
}

// FindAuthorByEmail returns a byline by e-mail, ignoring case.
func (db reader) FindAuthorByEmail(ctx context.Context, email string) (*news.Author, error) {
	if email == "" {
		return nil, notFound("author with e-mail", `""`)
	}
	return db.findAuthor(ctx, strconv.Quote(email), `au.email = ? COLLATE NOCASE`, email)
}

// ListAuthors returns every byline in masthead order.
func (db reader) ListAuthors(ctx context.Context) ([]*news.Author, error) {
	rows, err := db.one.QueryContext(ctx, `SELECT `+authorCols+` FROM authors au ORDER BY au.position, au.name, au.id`)
	if err != nil {
		return nil, fmt.Errorf("list authors: %w", err)
	}
	defer rows.Close()
	var out []*news.Author
	for rows.Next() {
		a, err := scanAuthor(rows)
		if err != nil {
			return nil, fmt.Errorf("list authors: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Tags

// EnsureTag finds the tag with t.Slug or creates it, filling t. A new tag
// lists nothing yet: readers see no change.
func (t *txn) EnsureTag(ctx context.Context, tg *news.Tag) error {
	if tg.Name == "" {
		tg.Name = tg.Slug
	}
	if err := news.ValidateTag(tg); err != nil {
		return err
	}
	if err := t.tx.QueryRowContext(ctx, `INSERT INTO tags (slug, name) VALUES (?, ?)
		ON CONFLICT (slug) DO UPDATE SET slug = excluded.slug RETURNING id, name, version`, tg.Slug, tg.Name).Scan(&tg.ID, &tg.Name, &tg.Version); err != nil {
		return fmt.Errorf("ensure tag %q: %w", tg.Slug, translate(err))
	}
	return nil
}

// EnsureTag looks on the read pool first (most tags exist, and a lookup
// must not take the write lock), then creates the tag in a transaction of
// its own.
func (db *DB) EnsureTag(ctx context.Context, t *news.Tag) error {
	if t.Name == "" {
		t.Name = t.Slug
	}
	if err := news.ValidateTag(t); err != nil {
		return err
	}
	var id, version int64
	var name string
	err := db.stmts.queryRow(ctx, `SELECT id, name, version FROM tags WHERE slug = ?`, t.Slug).Scan(&id, &name, &version)
	if err == nil {
		t.ID, t.Name, t.Version = id, name, version
		return nil
	}
	if err != sql.ErrNoRows {
		return fmt.Errorf("ensure tag %q: %w", t.Slug, err)
	}
	return db.apply(ctx, func(tx *txn) error { return tx.EnsureTag(ctx, t) })
}

const tagCols = `id, slug, name, version, updated_by, updated_at`

func scanTag(s scanner) (*news.Tag, error) {
	var t news.Tag
	var updated sql.NullInt64
	err := s.Scan(&t.ID, &t.Slug, &t.Name, &t.Version, &t.UpdatedBy, &updated)
	t.UpdatedAt = fromMicro(updated)
	return &t, err
}

// FindTagBySlug returns a tag.
func (db reader) FindTagBySlug(ctx context.Context, slug string) (*news.Tag, error) {
	t, err := scanTag(db.one.QueryRowContext(ctx, `SELECT `+tagCols+` FROM tags WHERE slug = ?`, slug))
	if err != nil {
		return nil, fmt.Errorf("find tag %q: %w", slug, translate(err))
	}
	return t, nil
}

// ListTags returns every tag by name.
func (db reader) ListTags(ctx context.Context) ([]*news.Tag, error) {
	rows, err := db.one.QueryContext(ctx, `SELECT `+tagCols+` FROM tags ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	defer rows.Close()
	var out []*news.Tag
	for rows.Next() {
		t, err := scanTag(rows)
		if err != nil {
			return nil, fmt.Errorf("list tags: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Photos

const photoCols = `id, key, content_type, width, height, caption, credit, alt, focal_x, focal_y, widths, created_at`

func scanPhoto(s scanner) (*news.Photo, error) {
	var p news.Photo
	var widths string
	var created sql.NullInt64
	if err := s.Scan(&p.ID, &p.Key, &p.ContentType, &p.Width, &p.Height, &p.Caption, &p.Credit, &p.Alt,
		&p.FocalX, &p.FocalY, &widths, &created); err != nil {
		return nil, err
	}
	p.Widths = parseWidths(widths)
	p.CreatedAt = fromMicro(created)
	return &p, nil
}

func formatWidths(ws []int) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = strconv.Itoa(w)
	}
	return strings.Join(parts, ",")
}

func parseWidths(s string) []int {
	if s == "" {
		return nil
	}
	var out []int
	for _, p := range strings.Split(s, ",") {
		if n, err := strconv.Atoi(p); err == nil {
			out = append(out, n)
		}
	}
	return out
}

func loadPhotos(ctx context.Context, q queryer, ids []int64) (map[int64]*news.Photo, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+photoCols+` FROM photos WHERE id `+inIDs, jsonIDs(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]*news.Photo{}
	for rows.Next() {
		p, err := scanPhoto(rows)
		if err != nil {
			return nil, err
		}
		out[p.ID] = p
	}
	return out, rows.Err()
}

// CreatePhoto records an image.
func (t *txn) CreatePhoto(ctx context.Context, p *news.Photo) error {
	if err := news.ValidatePhoto(p); err != nil {
		return err
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = t.db.now()
	}
	res, err := t.tx.ExecContext(ctx, `INSERT INTO photos (key, content_type, width, height, caption, credit, alt, focal_x, focal_y, widths, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.Key, p.ContentType, p.Width, p.Height, p.Caption, p.Credit, p.Alt,
		p.FocalX, p.FocalY, formatWidths(p.Widths), p.CreatedAt.UnixMicro())
	if err == nil {
		p.ID, err = res.LastInsertId()
	}
	if err != nil {
		return fmt.Errorf("create photo %q: %w", p.Key, translate(err))
	}
	t.change.Add(news.Change{Events: []news.Event{{Type: news.EventPhotoCreated, PhotoID: p.ID}}})
	return nil
}

// UpdatePhoto changes an image's metadata and renditions: the public
// stories that lead with it, and the bylines that show it, change.
func (t *txn) UpdatePhoto(ctx context.Context, p *news.Photo) error {
	if err := news.ValidatePhoto(p); err != nil {
		return err
	}
	err := updateOne(ctx, t.tx, "photo", p.ID, `UPDATE photos SET key = ?, content_type = ?, width = ?, height = ?, caption = ?, credit = ?, alt = ?,
		focal_x = ?, focal_y = ?, widths = ? WHERE id = ?`, p.Key, p.ContentType, p.Width, p.Height, p.Caption, p.Credit, p.Alt,
		p.FocalX, p.FocalY, formatWidths(p.Widths), p.ID)
	if err != nil {
		return fmt.Errorf("update photo %d: %w", p.ID, translate(err))
	}
	stories, err := queryIDs(ctx, t.tx, `SELECT id FROM articles WHERE photo_id = ? AND status = 'published' ORDER BY id DESC LIMIT 1000`, p.ID)
	if err == nil && len(stories) > 0 {
		var as []*news.Article
		as, _, err = t.FindArticles(ctx, news.ArticleFilter{IDs: stories, Limit: 1000, NoTotal: true})
		for _, a := range as {
			t.change.Add(news.StoryChange(a, a))
		}
	}
	var authors []int64
	if err == nil {
		authors, err = queryIDs(ctx, t.tx, `SELECT id FROM authors WHERE photo_id = ?`, p.ID)
	}
	if err != nil {
		return fmt.Errorf("update photo %d: %w", p.ID, translate(err))
	}
	t.change.Add(news.Change{Authors: authors, Bylines: authors})
	return nil
}

// queryIDs runs a query of one integer column.
func queryIDs(ctx context.Context, q queryer, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// CreatePhoto is txn.CreatePhoto in a transaction of its own.
func (db *DB) CreatePhoto(ctx context.Context, p *news.Photo) error {
	return db.apply(ctx, func(t *txn) error { return t.CreatePhoto(ctx, p) })
}

// UpdatePhoto is txn.UpdatePhoto in a transaction of its own.
func (db *DB) UpdatePhoto(ctx context.Context, p *news.Photo) error {
	return db.apply(ctx, func(t *txn) error { return t.UpdatePhoto(ctx, p) })
}

// FindPhotoByID returns an image.
func (db reader) FindPhotoByID(ctx context.Context, id int64) (*news.Photo, error) {
	p, err := scanPhoto(db.one.QueryRowContext(ctx, `SELECT `+photoCols+` FROM photos WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("find photo %d: %w", id, translate(err))
	}
	return p, nil
}
