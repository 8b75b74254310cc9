package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"masthead/internal/news"
)

// Sections

const sectionColumns = "id, slug, name, description, position"

func scanSection(row pgx.Row) (*news.Section, error) {
	var s news.Section
	if err := row.Scan(&s.ID, &s.Slug, &s.Name, &s.Description, &s.Position); err != nil {
		return nil, err
	}
	return &s, nil
}

func validateSection(s *news.Section) error {
	if strings.TrimSpace(s.Slug) == "" || strings.TrimSpace(s.Name) == "" {
		return invalid("a section needs a slug and a name")
	}
	return nil
}

// CreateSection adds a desk.
func (db *DB) CreateSection(ctx context.Context, s *news.Section) error {
	if err := validateSection(s); err != nil {
		return fmt.Errorf("create section: %w", err)
	}
	err := db.write(ctx, true, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO sections (slug, name, description, position)
			VALUES ($1, $2, $3, $4) RETURNING id`, s.Slug, s.Name, s.Description, s.Position).Scan(&s.ID)
	})
	return translate(err, fmt.Sprintf("create section %q", s.Slug))
}

// UpdateSection replaces a desk's fields.
func (db *DB) UpdateSection(ctx context.Context, s *news.Section) error {
	if err := validateSection(s); err != nil {
		return fmt.Errorf("update section %d: %w", s.ID, err)
	}
	err := db.write(ctx, true, func(tx pgx.Tx) error {
		return affectOne(tx.Exec(ctx, `UPDATE sections SET slug = $2, name = $3, description = $4, position = $5
			WHERE id = $1`, s.ID, s.Slug, s.Name, s.Description, s.Position))
	})
	return translate(err, fmt.Sprintf("update section %d", s.ID))
}

// FindSectionByID returns one desk.
func (db *DB) FindSectionByID(ctx context.Context, id int64) (*news.Section, error) {
	s, err := scanSection(db.pool.QueryRow(ctx, "SELECT "+sectionColumns+" FROM sections WHERE id = $1", id))
	return s, translate(err, fmt.Sprintf("find section %d", id))
}

// FindSectionBySlug returns one desk.
func (db *DB) FindSectionBySlug(ctx context.Context, slug string) (*news.Section, error) {
	s, err := scanSection(db.pool.QueryRow(ctx, "SELECT "+sectionColumns+" FROM sections WHERE slug = $1", slug))
	return s, translate(err, fmt.Sprintf("find section %q", slug))
}

// ListSections returns every desk by position, then name.
func (db *DB) ListSections(ctx context.Context) ([]*news.Section, error) {
	rows, err := db.pool.Query(ctx, "SELECT "+sectionColumns+" FROM sections ORDER BY position, name, id")
	if err != nil {
		return nil, translate(err, "list sections")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*news.Section, error) { return scanSection(r) })
	return list, translate(err, "list sections")
}

// Authors

const authorColumns = "au.id, au.slug, au.name, au.email, au.bio, au.title, au.photo_id, au.position"

func scanAuthor(row pgx.Row) (*news.Author, error) {
	var (
		a     news.Author
		photo *int64
	)
	if err := row.Scan(&a.ID, &a.Slug, &a.Name, &a.Email, &a.Bio, &a.Title, &photo, &a.Position); err != nil {
		return nil, err
	}
	a.PhotoID = fromNullID(photo)
	return &a, nil
}

func validateAuthor(a *news.Author) error {
	if strings.TrimSpace(a.Slug) == "" || strings.TrimSpace(a.Name) == "" {
		return invalid("an author needs a slug and a name")
	}
	return nil
}

// CreateAuthor adds a byline.
func (db *DB) CreateAuthor(ctx context.Context, a *news.Author) error {
	if err := validateAuthor(a); err != nil {
		return fmt.Errorf("create author: %w", err)
	}
	err := db.write(ctx, true, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO authors (slug, name, email, bio, title, photo_id, position)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			a.Slug, a.Name, a.Email, a.Bio, a.Title, nullID(a.PhotoID), a.Position).Scan(&a.ID)
	})
	return translate(err, fmt.Sprintf("create author %q", a.Slug))
}

// UpdateAuthor replaces a byline's fields.
func (db *DB) UpdateAuthor(ctx context.Context, a *news.Author) error {
	if err := validateAuthor(a); err != nil {
		return fmt.Errorf("update author %d: %w", a.ID, err)
	}
	err := db.write(ctx, true, func(tx pgx.Tx) error {
		return affectOne(tx.Exec(ctx, `UPDATE authors SET slug = $2, name = $3, email = $4, bio = $5, title = $6,
			photo_id = $7, position = $8 WHERE id = $1`,
			a.ID, a.Slug, a.Name, a.Email, a.Bio, a.Title, nullID(a.PhotoID), a.Position))
	})
	return translate(err, fmt.Sprintf("update author %d", a.ID))
}

func (db *DB) findAuthor(ctx context.Context, what, where string, arg any) (*news.Author, error) {
	a, err := scanAuthor(db.pool.QueryRow(ctx, "SELECT "+authorColumns+" FROM authors au WHERE "+where, arg))
	if err != nil {
		return nil, translate(err, what)
	}
	if err := db.fillAuthorPhotos(ctx, []*news.Author{a}); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return a, nil
}

// FindAuthorByID returns one byline with its photo.
func (db *DB) FindAuthorByID(ctx context.Context, id int64) (*news.Author, error) {
	return db.findAuthor(ctx, fmt.Sprintf("find author %d", id), "au.id = $1", id)
}

// FindAuthorBySlug returns one byline with its photo.
func (db *DB) FindAuthorBySlug(ctx context.Context, slug string) (*news.Author, error) {
	return db.findAuthor(ctx, fmt.Sprintf("find author %q", slug), "au.slug = $1", slug)
}

// FindAuthorByEmail finds a byline by e-mail, ignoring case.
func (db *DB) FindAuthorByEmail(ctx context.Context, email string) (*news.Author, error) {
	if email == "" {
		return nil, fmt.Errorf("find author by e-mail: %w", notFound("no e-mail"))
	}
	return db.findAuthor(ctx, "find author by e-mail", "lower(au.email) = lower($1) AND au.email <> ''", email)
}

// ListAuthors returns every byline by position, then name.
func (db *DB) ListAuthors(ctx context.Context) ([]*news.Author, error) {
	rows, err := db.pool.Query(ctx, "SELECT "+authorColumns+" FROM authors au ORDER BY au.position, au.name, au.id")
	if err != nil {
		return nil, translate(err, "list authors")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*news.Author, error) { return scanAuthor(r) })
	if err != nil {
		return nil, translate(err, "list authors")
	}
	if err := db.fillAuthorPhotos(ctx, list); err != nil {
		return nil, fmt.Errorf("list authors: %w", err)
	}
	return list, nil
}

func (db *DB) fillAuthorPhotos(ctx context.Context, list []*news.Author) error {
	photos := map[int64]*news.Photo{}
	for _, a := range list {
		if a.PhotoID != 0 {
			photos[a.PhotoID] = nil
		}
	}
	if err := db.loadPhotos(ctx, photos); err != nil {
		return err
	}
	for _, a := range list {
		a.Photo = copyPhoto(photos[a.PhotoID])
	}
	return nil
}

// Tags

// EnsureTag returns the tag with t.Slug (derived from t.Name when empty),
// creating it when new. An existing tag keeps its name.
func (db *DB) EnsureTag(ctx context.Context, t *news.Tag) error {
	if t.Slug == "" {
		t.Slug = news.Slugify(t.Name)
	}
	if strings.TrimSpace(t.Slug) == "" {
		return fmt.Errorf("ensure tag: %w", invalid("a tag needs a slug or a name"))
	}
	if strings.TrimSpace(t.Name) == "" {
		t.Name = t.Slug
	}
	// Look first: most tags already exist, and a read bumps nothing.
	err := db.pool.QueryRow(ctx, "SELECT id, name FROM tags WHERE slug = $1", t.Slug).Scan(&t.ID, &t.Name)
	if err == nil {
		return nil
	}
	if !errNoRows(err) {
		return translate(err, fmt.Sprintf("ensure tag %q", t.Slug))
	}
	err = db.write(ctx, true, func(tx pgx.Tx) error {
		// ON CONFLICT DO UPDATE (a no-op) rather than DO NOTHING so that
		// RETURNING yields the row when another node created it meanwhile.
		return tx.QueryRow(ctx, `INSERT INTO tags (slug, name) VALUES ($1, $2)
			ON CONFLICT (slug) DO UPDATE SET slug = EXCLUDED.slug
			RETURNING id, name`, t.Slug, t.Name).Scan(&t.ID, &t.Name)
	})
	return translate(err, fmt.Sprintf("ensure tag %q", t.Slug))
}

// FindTagBySlug returns one tag.
func (db *DB) FindTagBySlug(ctx context.Context, slug string) (*news.Tag, error) {
	var t news.Tag
	err := db.pool.QueryRow(ctx, "SELECT id, slug, name FROM tags WHERE slug = $1", slug).Scan(&t.ID, &t.Slug, &t.Name)
	if err != nil {
		return nil, translate(err, fmt.Sprintf("find tag %q", slug))
	}
	return &t, nil
}

// ListTags returns every tag by name.
func (db *DB) ListTags(ctx context.Context) ([]*news.Tag, error) {
	rows, err := db.pool.Query(ctx, "SELECT id, slug, name FROM tags ORDER BY name, slug")
	if err != nil {
		return nil, translate(err, "list tags")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*news.Tag, error) {
		var t news.Tag
		return &t, r.Scan(&t.ID, &t.Slug, &t.Name)
	})
	return list, translate(err, "list tags")
}

// Photos

const photoColumns = "id, key, content_type, width, height, caption, credit, alt, focal_x, focal_y, widths, created_at"

func scanPhoto(row pgx.Row) (*news.Photo, error) {
	var (
		p      news.Photo
		widths []int32
	)
	if err := row.Scan(&p.ID, &p.Key, &p.ContentType, &p.Width, &p.Height, &p.Caption, &p.Credit, &p.Alt,
		&p.FocalX, &p.FocalY, &widths, &p.CreatedAt); err != nil {
		return nil, err
	}
	for _, w := range widths {
		p.Widths = append(p.Widths, int(w))
	}
	p.CreatedAt = p.CreatedAt.UTC()
	return &p, nil
}

func validatePhoto(p *news.Photo) error {
	if strings.TrimSpace(p.Key) == "" {
		return invalid("a photo needs a media key")
	}
	if p.Width < 0 || p.Height < 0 || p.FocalX < 0 || p.FocalX > 1 || p.FocalY < 0 || p.FocalY > 1 {
		return invalid("photo size or focal point out of range")
	}
	return nil
}

// photoWidths is the widths column value: never NULL.
func photoWidths(p *news.Photo) []int32 {
	out := make([]int32, len(p.Widths))
	for i, w := range p.Widths {
		out[i] = int32(w)
	}
	return out
}

// CreatePhoto stores a photo's record (the image itself is in the media store).
func (db *DB) CreatePhoto(ctx context.Context, p *news.Photo) error {
	if err := validatePhoto(p); err != nil {
		return fmt.Errorf("create photo: %w", err)
	}
	p.CreatedAt = db.createdAt(p.CreatedAt)
	err := db.write(ctx, true, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO photos (key, content_type, width, height, caption, credit, alt,
			focal_x, focal_y, widths, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			p.Key, p.ContentType, p.Width, p.Height, p.Caption, p.Credit, p.Alt, p.FocalX, p.FocalY,
			photoWidths(p), p.CreatedAt).Scan(&p.ID)
	})
	return translate(err, "create photo")
}

// UpdatePhoto replaces a photo's record; CreatedAt does not change.
func (db *DB) UpdatePhoto(ctx context.Context, p *news.Photo) error {
	if err := validatePhoto(p); err != nil {
		return fmt.Errorf("update photo %d: %w", p.ID, err)
	}
	err := db.write(ctx, true, func(tx pgx.Tx) error {
		return affectOne(tx.Exec(ctx, `UPDATE photos SET key = $2, content_type = $3, width = $4, height = $5,
			caption = $6, credit = $7, alt = $8, focal_x = $9, focal_y = $10, widths = $11 WHERE id = $1`,
			p.ID, p.Key, p.ContentType, p.Width, p.Height, p.Caption, p.Credit, p.Alt, p.FocalX, p.FocalY, photoWidths(p)))
	})
	return translate(err, fmt.Sprintf("update photo %d", p.ID))
}

// FindPhotoByID returns one photo.
func (db *DB) FindPhotoByID(ctx context.Context, id int64) (*news.Photo, error) {
	p, err := scanPhoto(db.pool.QueryRow(ctx, "SELECT "+photoColumns+" FROM photos WHERE id = $1", id))
	if err != nil {
		return nil, translate(err, fmt.Sprintf("find photo %d", id))
	}
	return p, nil
}

// loadPhotos fills the map's values for its keys.
func (db *DB) loadPhotos(ctx context.Context, photos map[int64]*news.Photo) error {
	if len(photos) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(photos))
	for id := range photos {
		ids = append(ids, id)
	}
	rows, err := db.pool.Query(ctx, "SELECT "+photoColumns+" FROM photos WHERE id = ANY($1)", ids)
	if err != nil {
		return err
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*news.Photo, error) { return scanPhoto(r) })
	if err != nil {
		return err
	}
	for _, p := range list {
		photos[p.ID] = p
	}
	return nil
}

// copyPhoto gives each holder its own copy, so callers may edit one story's
// photo without changing another's.
func copyPhoto(p *news.Photo) *news.Photo {
	if p == nil {
		return nil
	}
	c := *p
	c.Widths = append([]int(nil), p.Widths...)
	return &c
}

// Corrections and revisions

const correctionColumns = "id, article_id, kind, text, created_at, revision_id"

func scanCorrection(row pgx.Row) (news.Correction, error) {
	var (
		c        news.Correction
		kind     string
		revision *int64
	)
	if err := row.Scan(&c.ID, &c.ArticleID, &kind, &c.Text, &c.CreatedAt, &revision); err != nil {
		return c, err
	}
	c.Kind = news.CorrectionKind(kind)
	c.CreatedAt = c.CreatedAt.UTC()
	c.RevisionID = fromNullID(revision)
	return c, nil
}

// AddCorrection appends a dated note to a story.
func (db *DB) AddCorrection(ctx context.Context, c *news.Correction) error {
	switch c.Kind {
	case news.KindCorrection, news.KindClarification, news.KindUpdate:
	default:
		return fmt.Errorf("add correction: %w", invalid("unknown kind %q", c.Kind))
	}
	if strings.TrimSpace(c.Text) == "" {
		return fmt.Errorf("add correction: %w", invalid("a correction needs text"))
	}
	c.CreatedAt = db.createdAt(c.CreatedAt)
	err := db.write(ctx, true, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO corrections (article_id, kind, text, created_at, revision_id)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			c.ArticleID, string(c.Kind), c.Text, c.CreatedAt, nullID(c.RevisionID)).Scan(&c.ID)
	})
	return translate(err, fmt.Sprintf("add correction to article %d", c.ArticleID))
}

// ListCorrections returns the latest notes across the paper, newest first.
func (db *DB) ListCorrections(ctx context.Context, limit int) ([]news.Correction, error) {
	rows, err := db.pool.Query(ctx, "SELECT "+correctionColumns+" FROM corrections ORDER BY created_at DESC, id DESC LIMIT $1", pageLimit(limit))
	if err != nil {
		return nil, translate(err, "list corrections")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (news.Correction, error) { return scanCorrection(r) })
	return list, translate(err, "list corrections")
}

const revisionColumns = "id, article_id, user_id, headline, deck, body_markdown, body_html, note, created_at"

func scanRevision(row pgx.Row) (*news.Revision, error) {
	var (
		r    news.Revision
		user *int64
	)
	if err := row.Scan(&r.ID, &r.ArticleID, &user, &r.Headline, &r.Deck, &r.BodyMarkdown, &r.BodyHTML, &r.Note, &r.CreatedAt); err != nil {
		return nil, err
	}
	r.UserID = fromNullID(user)
	r.CreatedAt = r.CreatedAt.UTC()
	return &r, nil
}

// CreateRevision saves one state of a story. Revisions are newsroom-only:
// they do not bump the generation.
func (db *DB) CreateRevision(ctx context.Context, r *news.Revision) error {
	r.CreatedAt = db.createdAt(r.CreatedAt)
	err := db.pool.QueryRow(ctx, `INSERT INTO revisions (article_id, user_id, headline, deck, body_markdown, body_html, note, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		r.ArticleID, nullID(r.UserID), r.Headline, r.Deck, r.BodyMarkdown, r.BodyHTML, r.Note, r.CreatedAt).Scan(&r.ID)
	return translate(err, fmt.Sprintf("create revision of article %d", r.ArticleID))
}

// FindRevisions returns a story's revisions, newest first.
func (db *DB) FindRevisions(ctx context.Context, articleID int64) ([]*news.Revision, error) {
	rows, err := db.pool.Query(ctx, "SELECT "+revisionColumns+" FROM revisions WHERE article_id = $1 ORDER BY created_at DESC, id DESC", articleID)
	if err != nil {
		return nil, translate(err, fmt.Sprintf("find revisions of article %d", articleID))
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*news.Revision, error) { return scanRevision(r) })
	return list, translate(err, fmt.Sprintf("find revisions of article %d", articleID))
}

// FindRevisionByID returns one revision.
func (db *DB) FindRevisionByID(ctx context.Context, id int64) (*news.Revision, error) {
	r, err := scanRevision(db.pool.QueryRow(ctx, "SELECT "+revisionColumns+" FROM revisions WHERE id = $1", id))
	if err != nil {
		return nil, translate(err, fmt.Sprintf("find revision %d", id))
	}
	return r, nil
}

// Settings

// GetSetting returns a stored value, ErrNotFound when unset.
func (db *DB) GetSetting(ctx context.Context, key string) (string, error) {
	var v string
	err := db.pool.QueryRow(ctx, "SELECT value FROM settings WHERE key = $1", key).Scan(&v)
	if err != nil {
		return "", translate(err, fmt.Sprintf("get setting %q", key))
	}
	return v, nil
}

// PutSetting stores a value. Settings shape pages (the paper's name...), so
// a change bumps the generation.
func (db *DB) PutSetting(ctx context.Context, key, value string) error {
	if key == "" {
		return fmt.Errorf("put setting: %w", invalid("empty key"))
	}
	err := db.write(ctx, true, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
			ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, key, value)
		return err
	})
	// The key may name a secret; its value never goes into the error.
	return translate(err, fmt.Sprintf("put setting %q", key))
}

// affectOne turns "no row updated" into pgx.ErrNoRows (→ ErrNotFound).
func affectOne(tag interface{ RowsAffected() int64 }, err error) error {
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return pgx.ErrNoRows
	}
	return nil
}
