package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"masthead/internal/news"
)

// Sections

const sectionCols = `id, slug, name, description, position`

func scanSection(s scanner) (*news.Section, error) {
	var sec news.Section
	err := s.Scan(&sec.ID, &sec.Slug, &sec.Name, &sec.Description, &sec.Position)
	return &sec, err
}

func validSlugName(kind, slug, name string) error {
	if strings.TrimSpace(slug) == "" || strings.TrimSpace(name) == "" {
		return news.Errorf(news.EINVALID, "a %s needs a slug and a name", kind)
	}
	return nil
}

// CreateSection adds a desk.
func (db *DB) CreateSection(ctx context.Context, s *news.Section) error {
	if err := validSlugName("section", s.Slug, s.Name); err != nil {
		return err
	}
	err := db.tx(ctx, true, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO sections (slug, name, description, position) VALUES (?, ?, ?, ?)`,
			s.Slug, s.Name, s.Description, s.Position)
		if err != nil {
			return err
		}
		s.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return fmt.Errorf("create section %q: %w", s.Slug, err)
	}
	return nil
}

// UpdateSection changes a desk.
func (db *DB) UpdateSection(ctx context.Context, s *news.Section) error {
	if err := validSlugName("section", s.Slug, s.Name); err != nil {
		return err
	}
	err := db.tx(ctx, true, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, "section", s.ID, `UPDATE sections SET slug = ?, name = ?, description = ?, position = ? WHERE id = ?`,
			s.Slug, s.Name, s.Description, s.Position, s.ID)
	})
	if err != nil {
		return fmt.Errorf("update section %d: %w", s.ID, err)
	}
	return nil
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

// FindSectionByID returns a desk.
func (db *DB) FindSectionByID(ctx context.Context, id int64) (*news.Section, error) {
	s, err := scanSection(db.stmts.queryRow(ctx, `SELECT `+sectionCols+` FROM sections WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("find section %d: %w", id, translate(err))
	}
	return s, nil
}

// FindSectionBySlug returns a desk.
func (db *DB) FindSectionBySlug(ctx context.Context, slug string) (*news.Section, error) {
	s, err := scanSection(db.stmts.queryRow(ctx, `SELECT `+sectionCols+` FROM sections WHERE slug = ?`, slug))
	if err != nil {
		return nil, fmt.Errorf("find section %q: %w", slug, translate(err))
	}
	return s, nil
}

// ListSections returns the desks in navigation order.
func (db *DB) ListSections(ctx context.Context) ([]*news.Section, error) {
	rows, err := db.stmts.query(ctx, `SELECT `+sectionCols+` FROM sections ORDER BY position, name, id`)
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

const authorCols = `au.id, au.slug, au.name, au.email, au.bio, au.title, au.photo_id, au.position`

// scanAuthor scans authorCols, after the extra leading columns in pre.
func scanAuthor(s scanner, pre ...any) (*news.Author, error) {
	var a news.Author
	var photo sql.NullInt64
	dest := append(pre, &a.ID, &a.Slug, &a.Name, &a.Email, &a.Bio, &a.Title, &photo, &a.Position)
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	a.PhotoID = photo.Int64
	return &a, nil
}

// CreateAuthor adds a byline.
func (db *DB) CreateAuthor(ctx context.Context, a *news.Author) error {
	if err := validSlugName("author", a.Slug, a.Name); err != nil {
		return err
	}
	err := db.tx(ctx, true, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO authors (slug, name, email, bio, title, photo_id, position) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			a.Slug, a.Name, a.Email, a.Bio, a.Title, nullID(a.PhotoID), a.Position)
		if err != nil {
			return err
		}
		a.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return fmt.Errorf("create author %q: %w", a.Slug, err)
	}
	return nil
}

// UpdateAuthor changes a byline.
func (db *DB) UpdateAuthor(ctx context.Context, a *news.Author) error {
	if err := validSlugName("author", a.Slug, a.Name); err != nil {
		return err
	}
	err := db.tx(ctx, true, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, "author", a.ID, `UPDATE authors SET slug = ?, name = ?, email = ?, bio = ?, title = ?, photo_id = ?, position = ? WHERE id = ?`,
			a.Slug, a.Name, a.Email, a.Bio, a.Title, nullID(a.PhotoID), a.Position, a.ID)
	})
	if err != nil {
		return fmt.Errorf("update author %d: %w", a.ID, err)
	}
	return nil
}

func (db *DB) findAuthor(ctx context.Context, what string, where string, arg any) (*news.Author, error) {
	var a *news.Author
	err := db.view(ctx, func(tx *sql.Tx) error {
		var err error
		a, err = scanAuthor(db.cached(tx).QueryRowContext(ctx, `SELECT `+authorCols+` FROM authors au WHERE `+where+` ORDER BY au.id LIMIT 1`, arg))
		if err != nil {
			return err
		}
		if a.PhotoID != 0 {
			photos, err := loadPhotos(ctx, db.cached(tx), []int64{a.PhotoID})
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
func (db *DB) FindAuthorByID(ctx context.Context, id int64) (*news.Author, error) {
	return db.findAuthor(ctx, strconv.FormatInt(id, 10), `au.id = ?`, id)
}

// FindAuthorBySlug returns a byline with its photo.
func (db *DB) FindAuthorBySlug(ctx context.Context, slug string) (*news.Author, error) {
	return db.findAuthor(ctx, strconv.Quote(slug), `au.slug = ?`, slug)
}

// FindAuthorByEmail returns a byline by e-mail, ignoring case.
func (db *DB) FindAuthorByEmail(ctx context.Context, email string) (*news.Author, error) {
	if email == "" {
		return nil, notFound("author with e-mail", `""`)
	}
	return db.findAuthor(ctx, strconv.Quote(email), `au.email = ? COLLATE NOCASE`, email)
}

// ListAuthors returns every byline in masthead order.
func (db *DB) ListAuthors(ctx context.Context) ([]*news.Author, error) {
	rows, err := db.stmts.query(ctx, `SELECT `+authorCols+` FROM authors au ORDER BY au.position, au.name, au.id`)
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

// EnsureTag finds the tag with t.Slug or creates it, filling t.
func (db *DB) EnsureTag(ctx context.Context, t *news.Tag) error {
	if strings.TrimSpace(t.Slug) == "" {
		return news.Errorf(news.EINVALID, "a tag needs a slug")
	}
	if t.Name == "" {
		t.Name = t.Slug
	}
	// Look first on the read pool: most tags already exist, and a lookup
	// must not take the write lock or move the generation.
	var id int64
	var name string
	err := db.stmts.queryRow(ctx, `SELECT id, name FROM tags WHERE slug = ?`, t.Slug).Scan(&id, &name)
	if err == nil {
		t.ID, t.Name = id, name
		return nil
	}
	if err != sql.ErrNoRows {
		return fmt.Errorf("ensure tag %q: %w", t.Slug, err)
	}
	err = db.tx(ctx, true, func(tx *sql.Tx) error {
		// Another writer may have created it since the lookup.
		if err := tx.QueryRowContext(ctx, `INSERT INTO tags (slug, name) VALUES (?, ?)
			ON CONFLICT (slug) DO UPDATE SET slug = excluded.slug RETURNING id, name`, t.Slug, t.Name).Scan(&id, &name); err != nil {
			return err
		}
		t.ID, t.Name = id, name
		return nil
	})
	if err != nil {
		return fmt.Errorf("ensure tag %q: %w", t.Slug, err)
	}
	return nil
}

// FindTagBySlug returns a tag.
func (db *DB) FindTagBySlug(ctx context.Context, slug string) (*news.Tag, error) {
	var t news.Tag
	err := db.stmts.queryRow(ctx, `SELECT id, slug, name FROM tags WHERE slug = ?`, slug).Scan(&t.ID, &t.Slug, &t.Name)
	if err != nil {
		return nil, fmt.Errorf("find tag %q: %w", slug, translate(err))
	}
	return &t, nil
}

// ListTags returns every tag by name.
func (db *DB) ListTags(ctx context.Context) ([]*news.Tag, error) {
	rows, err := db.stmts.query(ctx, `SELECT id, slug, name FROM tags ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	defer rows.Close()
	var out []*news.Tag
	for rows.Next() {
		var t news.Tag
		if err := rows.Scan(&t.ID, &t.Slug, &t.Name); err != nil {
			return nil, fmt.Errorf("list tags: %w", err)
		}
		out = append(out, &t)
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
func (db *DB) CreatePhoto(ctx context.Context, p *news.Photo) error {
	if strings.TrimSpace(p.Key) == "" {
		return news.Errorf(news.EINVALID, "a photo needs a media key")
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = db.now()
	}
	err := db.tx(ctx, true, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO photos (key, content_type, width, height, caption, credit, alt, focal_x, focal_y, widths, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.Key, p.ContentType, p.Width, p.Height, p.Caption, p.Credit, p.Alt,
			p.FocalX, p.FocalY, formatWidths(p.Widths), p.CreatedAt.UnixMicro())
		if err != nil {
			return err
		}
		p.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return fmt.Errorf("create photo %q: %w", p.Key, err)
	}
	return nil
}

// UpdatePhoto changes an image's metadata and renditions.
func (db *DB) UpdatePhoto(ctx context.Context, p *news.Photo) error {
	err := db.tx(ctx, true, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, "photo", p.ID, `UPDATE photos SET key = ?, content_type = ?, width = ?, height = ?, caption = ?, credit = ?, alt = ?,
			focal_x = ?, focal_y = ?, widths = ? WHERE id = ?`, p.Key, p.ContentType, p.Width, p.Height, p.Caption, p.Credit, p.Alt,
			p.FocalX, p.FocalY, formatWidths(p.Widths), p.ID)
	})
	if err != nil {
		return fmt.Errorf("update photo %d: %w", p.ID, err)
	}
	return nil
}

// FindPhotoByID returns an image.
func (db *DB) FindPhotoByID(ctx context.Context, id int64) (*news.Photo, error) {
	p, err := scanPhoto(db.stmts.queryRow(ctx, `SELECT `+photoCols+` FROM photos WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("find photo %d: %w", id, translate(err))
	}
	return p, nil
}
