package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"masthead/internal/news"
)

// Sections

const sectionColumns = "id, slug, name, description, position, parent_id, layout, version, updated_by, updated_at, hidden"

func scanSection(row pgx.Row) (*news.Section, error) {
	var s news.Section
	var updated *time.Time
	if err := row.Scan(&s.ID, &s.Slug, &s.Name, &s.Description, &s.Position, &s.ParentID, &s.Layout, &s.Version, &s.UpdatedBy, &updated, &s.Hidden); err != nil {
		return nil, err
	}
	s.UpdatedAt = fromNull(updated)
	return &s, nil
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
	s.UpdatedAt = t.db.createdAt(s.UpdatedAt)
	err := t.tx.QueryRow(ctx, `INSERT INTO sections (slug, name, description, position, parent_id, layout, version, updated_by, updated_at, hidden)
		VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9) RETURNING id`, s.Slug, s.Name, s.Description, s.Position, s.ParentID, s.Layout, s.UpdatedBy, s.UpdatedAt, s.Hidden).Scan(&s.ID)
	if err != nil {
		return translate(err, fmt.Sprintf("create section %q", s.Slug))
	}
	s.Version = 1
	t.change.Add(news.Change{All: true, Sections: []int64{s.ID}})
	return nil
}

// UpdateSection replaces a desk's fields, written against s.Version.
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
	s.UpdatedAt = normTime(t.db.now())
	tag, err := t.tx.Exec(ctx, `UPDATE sections SET slug = $2, name = $3, description = $4, position = $5,
		parent_id = $6, layout = $7, version = version + 1, updated_by = $8, updated_at = $9, hidden = $11 WHERE id = $1 AND version = $10`,
		s.ID, s.Slug, s.Name, s.Description, s.Position, s.ParentID, s.Layout, s.UpdatedBy, s.UpdatedAt, s.Version, s.Hidden)
	if err != nil {
		return translate(err, fmt.Sprintf("update section %d", s.ID))
	}
	if tag.RowsAffected() == 0 {
		return news.Stale("section", s.ID, s.Version, cur.Version)
	}
	s.Version++
	t.change.Add(news.Change{All: true, Sections: []int64{s.ID}})
	return nil
}

// checkSectionTree applies news.ValidateSectionTree inside the
// transaction. Two writers could each see the other's section as
// top-level and make a cycle (A under B, B under A): the table lock, which
// conflicts with itself, makes writes that set a parent take turns.
func (t *txn) checkSectionTree(ctx context.Context, s *news.Section) error {
	if s.ParentID == 0 {
		return nil
	}
	if _, err := t.tx.Exec(ctx, "LOCK TABLE sections IN SHARE ROW EXCLUSIVE MODE"); err != nil {
		return translate(err, "lock sections")
	}
	all, err := t.ListSections(ctx)
	if err != nil {
		return err
	}
	return news.ValidateSectionTree(s, all)
}

// CreateSection is txn.CreateSection in a transaction of its own.
func (db *DB) CreateSection(ctx context.Context, s *news.Section) error {
	return db.apply(ctx, func(t *txn) error { return t.CreateSection(ctx, s) })
}

// UpdateSection is txn.UpdateSection in a transaction of its own.
func (db *DB) UpdateSection(ctx context.Context, s *news.Section) error {
	return db.apply(ctx, func(t *txn) error { return t.UpdateSection(ctx, s) })
}

// FindSectionByID returns one desk.
func (db reader) FindSectionByID(ctx context.Context, id int64) (*news.Section, error) {
	s, err := scanSection(db.q.QueryRow(ctx, "SELECT "+sectionColumns+" FROM sections WHERE id = $1"+db.forUpdate("FOR UPDATE"), id))
	return s, translate(err, fmt.Sprintf("find section %d", id))
}

// FindSectionBySlug returns one desk.
func (db reader) FindSectionBySlug(ctx context.Context, slug string) (*news.Section, error) {
	s, err := scanSection(db.q.QueryRow(ctx, "SELECT "+sectionColumns+" FROM sections WHERE slug = $1", slug))
	return s, translate(err, fmt.Sprintf("find section %q", slug))
}

// ListSections returns every desk by position, then name.
func (db reader) ListSections(ctx context.Context) ([]*news.Section, error) {
	rows, err := db.q.Query(ctx, "SELECT "+sectionColumns+" FROM sections ORDER BY position, name, id")
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

// profileColumns are authorColumns, the profile's links and its version:
// what FindAuthor* and ListAuthors read (bylines on stories leave them
// out, as SQLite's do).
const profileColumns = authorColumns + ", au.links, au.version, au.updated_by, au.updated_at"

func scanProfile(row pgx.Row) (*news.Author, error) {
	var (
		a       news.Author
		photo   *int64
		links   string
		updated *time.Time
	)
	if err := row.Scan(&a.ID, &a.Slug, &a.Name, &a.Email, &a.Bio, &a.Title, &photo, &a.Position, &links,
		&a.Version, &a.UpdatedBy, &updated); err != nil {
		return nil, err
	}
	a.PhotoID = fromNullID(photo)
	a.UpdatedAt = fromNull(updated)
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
	a.UpdatedAt = t.db.createdAt(a.UpdatedAt)
	err := t.tx.QueryRow(ctx, `INSERT INTO authors (slug, name, email, bio, title, photo_id, position, links, version, updated_by, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10) RETURNING id`,
		a.Slug, a.Name, a.Email, a.Bio, a.Title, nullID(a.PhotoID), a.Position, news.AuthorLinksJSON(a.Links), a.UpdatedBy, a.UpdatedAt).Scan(&a.ID)
	if err != nil {
		return translate(err, fmt.Sprintf("create author %q", a.Slug))
	}
	a.Version = 1
	return nil
}

// rowVersion reads and locks the row id of table (authors, tags) for a
// guarded write: its version, last writer and time. The lock holds off
// another writer until the commit; the write checks the version again.
func (t *txn) rowVersion(ctx context.Context, table string, id int64) (version, by int64, at time.Time, err error) {
	var updated *time.Time
	err = t.tx.QueryRow(ctx, `SELECT version, updated_by, updated_at FROM `+table+` WHERE id = $1 FOR UPDATE`, id).Scan(&version, &by, &updated)
	return version, by, fromNull(updated), err
}

// UpdateAuthor replaces a byline's fields, written against a.Version: its
// pages and every page that shows it change.
func (t *txn) UpdateAuthor(ctx context.Context, a *news.Author) error {
	if err := news.ValidateAuthor(a); err != nil {
		return err
	}
	what := fmt.Sprintf("update author %d", a.ID)
	cur, by, at, err := t.rowVersion(ctx, "authors", a.ID)
	if err != nil {
		return translate(err, what)
	}
	if err := news.CheckVersion("author", a.ID, a.Version, cur, by, at); err != nil {
		return err
	}
	now := normTime(t.db.now())
	tag, err := t.tx.Exec(ctx, `UPDATE authors SET slug = $2, name = $3, email = $4, bio = $5, title = $6,
		photo_id = $7, position = $8, links = $9, version = version + 1, updated_by = $10, updated_at = $11 WHERE id = $1 AND version = $12`,
		a.ID, a.Slug, a.Name, a.Email, a.Bio, a.Title, nullID(a.PhotoID), a.Position, news.AuthorLinksJSON(a.Links), a.UpdatedBy, now, a.Version)
	if err != nil {
		return translate(err, what)
	}
	if tag.RowsAffected() == 0 {
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

func (db reader) findAuthor(ctx context.Context, what, where string, arg any) (*news.Author, error) {
	a, err := scanProfile(db.q.QueryRow(ctx, "SELECT "+profileColumns+" FROM authors au WHERE "+where, arg))
	if err != nil {
		return nil, translate(err, what)
	}
	if err := db.fillAuthorPhotos(ctx, []*news.Author{a}); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return a, nil
}

// FindAuthorByID returns one byline with its photo.
func (db reader) FindAuthorByID(ctx context.Context, id int64) (*news.Author, error) {
	return db.findAuthor(ctx, fmt.Sprintf("find author %d", id), "au.id = $1", id)
}

// FindAuthorBySlug returns one byline with its photo.
func (db reader) FindAuthorBySlug(ctx context.Context, slug string) (*news.Author, error) {
	return db.findAuthor(ctx, fmt.Sprintf("find author %q", slug), "au.slug = $1", slug)
}

// FindAuthorByEmail finds a byline by e-mail, ignoring case.
func (db reader) FindAuthorByEmail(ctx context.Context, email string) (*news.Author, error) {
	if email == "" {
		return nil, fmt.Errorf("find author by e-mail: %w", notFound("no e-mail"))
	}
	return db.findAuthor(ctx, "find author by e-mail", "lower(au.email) = lower($1) AND au.email <> ''", email)
}

// ListAuthors returns every byline by position, then name.
func (db reader) ListAuthors(ctx context.Context) ([]*news.Author, error) {
	rows, err := db.q.Query(ctx, "SELECT "+profileColumns+" FROM authors au ORDER BY au.position, au.name, au.id")
	if err != nil {
		return nil, translate(err, "list authors")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*news.Author, error) { return scanProfile(r) })
	if err != nil {
		return nil, translate(err, "list authors")
	}
	if err := db.fillAuthorPhotos(ctx, list); err != nil {
		return nil, fmt.Errorf("list authors: %w", err)
	}
	return list, nil
}

func (db reader) fillAuthorPhotos(ctx context.Context, list []*news.Author) error {
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

// prepareTag derives a missing slug or name and validates.
func prepareTag(t *news.Tag) error {
	if t.Slug == "" {
		t.Slug = news.Slugify(t.Name)
	}
	if strings.TrimSpace(t.Name) == "" {
		t.Name = t.Slug
	}
	return news.ValidateTag(t)
}

// EnsureTag returns the tag with t.Slug (derived from t.Name when empty),
// creating it when new. An existing tag keeps its name. A new tag lists
// nothing yet: readers see no change.
func (t *txn) EnsureTag(ctx context.Context, tg *news.Tag) error {
	if err := prepareTag(tg); err != nil {
		return err
	}
	// ON CONFLICT DO UPDATE (a no-op) rather than DO NOTHING so that
	// RETURNING yields the row when another node created it meanwhile.
	err := t.tx.QueryRow(ctx, `INSERT INTO tags (slug, name) VALUES ($1, $2)
		ON CONFLICT (slug) DO UPDATE SET slug = EXCLUDED.slug
		RETURNING id, name, version`, tg.Slug, tg.Name).Scan(&tg.ID, &tg.Name, &tg.Version)
	return translate(err, fmt.Sprintf("ensure tag %q", tg.Slug))
}

// EnsureTag looks first (most tags already exist, and a read writes
// nothing), then creates the tag in a transaction of its own.
func (db *DB) EnsureTag(ctx context.Context, t *news.Tag) error {
	if err := prepareTag(t); err != nil {
		return err
	}
	err := db.q.QueryRow(ctx, "SELECT id, name, version FROM tags WHERE slug = $1", t.Slug).Scan(&t.ID, &t.Name, &t.Version)
	if err == nil {
		return nil
	}
	if !errNoRows(err) {
		return translate(err, fmt.Sprintf("ensure tag %q", t.Slug))
	}
	return db.apply(ctx, func(tx *txn) error { return tx.EnsureTag(ctx, t) })
}

const tagColumns = "id, slug, name, version, updated_by, updated_at"

func scanTag(row pgx.Row) (*news.Tag, error) {
	var t news.Tag
	var updated *time.Time
	if err := row.Scan(&t.ID, &t.Slug, &t.Name, &t.Version, &t.UpdatedBy, &updated); err != nil {
		return nil, err
	}
	t.UpdatedAt = fromNull(updated)
	return &t, nil
}

// FindTagBySlug returns one tag.
func (db reader) FindTagBySlug(ctx context.Context, slug string) (*news.Tag, error) {
	t, err := scanTag(db.q.QueryRow(ctx, "SELECT "+tagColumns+" FROM tags WHERE slug = $1", slug))
	if err != nil {
		return nil, translate(err, fmt.Sprintf("find tag %q", slug))
	}
	return t, nil
}

// ListTags returns every tag by name.
func (db reader) ListTags(ctx context.Context) ([]*news.Tag, error) {
	rows, err := db.q.Query(ctx, "SELECT "+tagColumns+" FROM tags ORDER BY name, slug")
	if err != nil {
		return nil, translate(err, "list tags")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*news.Tag, error) { return scanTag(r) })
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

// photoWidths is the widths column value: never NULL.
func photoWidths(p *news.Photo) []int32 {
	out := make([]int32, len(p.Widths))
	for i, w := range p.Widths {
		out[i] = int32(w)
	}
	return out
}

// CreatePhoto stores a photo's record (the image itself is in the media store).
func (t *txn) CreatePhoto(ctx context.Context, p *news.Photo) error {
	if err := news.ValidatePhoto(p); err != nil {
		return err
	}
	p.CreatedAt = t.db.createdAt(p.CreatedAt)
	err := t.tx.QueryRow(ctx, `INSERT INTO photos (key, content_type, width, height, caption, credit, alt,
		focal_x, focal_y, widths, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		p.Key, p.ContentType, p.Width, p.Height, p.Caption, p.Credit, p.Alt, p.FocalX, p.FocalY,
		photoWidths(p), p.CreatedAt).Scan(&p.ID)
	if err != nil {
		return translate(err, "create photo")
	}
	t.change.Add(news.Change{Events: []news.Event{{Type: news.EventPhotoCreated, PhotoID: p.ID}}})
	return nil
}

// UpdatePhoto replaces a photo's record; CreatedAt does not change. The
// public stories that lead with it, and the bylines that show it, change.
func (t *txn) UpdatePhoto(ctx context.Context, p *news.Photo) error {
	if err := news.ValidatePhoto(p); err != nil {
		return err
	}
	what := fmt.Sprintf("update photo %d", p.ID)
	err := affectOne(t.tx.Exec(ctx, `UPDATE photos SET key = $2, content_type = $3, width = $4, height = $5,
		caption = $6, credit = $7, alt = $8, focal_x = $9, focal_y = $10, widths = $11 WHERE id = $1`,
		p.ID, p.Key, p.ContentType, p.Width, p.Height, p.Caption, p.Credit, p.Alt, p.FocalX, p.FocalY, photoWidths(p)))
	if err != nil {
		return translate(err, what)
	}
	rows, err := t.tx.Query(ctx, `SELECT id FROM articles WHERE photo_id = $1 AND status = 'published' ORDER BY id DESC LIMIT 1000`, p.ID)
	if err != nil {
		return translate(err, what)
	}
	stories, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return translate(err, what)
	}
	if len(stories) > 0 {
		as, _, err := t.FindArticles(ctx, news.ArticleFilter{IDs: stories, Limit: 1000, NoTotal: true})
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		for _, a := range as {
			t.change.Add(news.StoryChange(a, a))
		}
	}
	rows, err = t.tx.Query(ctx, `SELECT id FROM authors WHERE photo_id = $1`, p.ID)
	if err != nil {
		return translate(err, what)
	}
	authors, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return translate(err, what)
	}
	t.change.Add(news.Change{Authors: authors, Bylines: authors})
	return nil
}

// CreatePhoto is txn.CreatePhoto in a transaction of its own.
func (db *DB) CreatePhoto(ctx context.Context, p *news.Photo) error {
	return db.apply(ctx, func(t *txn) error { return t.CreatePhoto(ctx, p) })
}

// UpdatePhoto is txn.UpdatePhoto in a transaction of its own.
func (db *DB) UpdatePhoto(ctx context.Context, p *news.Photo) error {
	return db.apply(ctx, func(t *txn) error { return t.UpdatePhoto(ctx, p) })
}

// FindPhotoByID returns one photo.
func (db reader) FindPhotoByID(ctx context.Context, id int64) (*news.Photo, error) {
	p, err := scanPhoto(db.q.QueryRow(ctx, "SELECT "+photoColumns+" FROM photos WHERE id = $1", id))
	if err != nil {
		return nil, translate(err, fmt.Sprintf("find photo %d", id))
	}
	return p, nil
}

// loadPhotos fills the map's values for its keys.
func (db reader) loadPhotos(ctx context.Context, photos map[int64]*news.Photo) error {
	if len(photos) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(photos))
	for id := range photos {
		ids = append(ids, id)
	}
	rows, err := db.q.Query(ctx, "SELECT "+photoColumns+" FROM photos WHERE id = ANY($1)", ids)
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

// AddCorrection appends a dated note to a story and moves its version and
// updated time: readers see the note.
func (t *txn) AddCorrection(ctx context.Context, c *news.Correction) error {
	if err := news.ValidateCorrection(c); err != nil {
		return err
	}
	c.CreatedAt = t.db.createdAt(c.CreatedAt)
	what := fmt.Sprintf("add correction to article %d", c.ArticleID)
	before, err := t.FindArticleByID(ctx, c.ArticleID)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	err = t.tx.QueryRow(ctx, `INSERT INTO corrections (article_id, kind, text, created_at, revision_id)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		c.ArticleID, string(c.Kind), c.Text, c.CreatedAt, nullID(c.RevisionID)).Scan(&c.ID)
	if err == nil {
		_, err = t.tx.Exec(ctx, `UPDATE articles SET version = version + 1, updated_at = greatest(updated_at, $2) WHERE id = $1`, c.ArticleID, c.CreatedAt)
	}
	if err != nil {
		return translate(err, what)
	}
	ch, _ := news.CorrectionChange(before, c)
	t.change.Add(ch)
	return nil
}

// AddCorrection is txn.AddCorrection in a transaction of its own.
func (db *DB) AddCorrection(ctx context.Context, c *news.Correction) error {
	return db.apply(ctx, func(t *txn) error { return t.AddCorrection(ctx, c) })
}

// ListCorrections returns the latest notes across the paper, newest first.
func (db reader) ListCorrections(ctx context.Context, limit int) ([]news.Correction, error) {
	rows, err := db.q.Query(ctx, "SELECT "+correctionColumns+" FROM corrections ORDER BY created_at DESC, id DESC LIMIT $1", pageLimit(limit))
	if err != nil {
		return nil, translate(err, "list corrections")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (news.Correction, error) { return scanCorrection(r) })
	return list, translate(err, "list corrections")
}

const revisionColumns = `id, article_id, version, user_id, status, note, created_at, headline, deck, body_markdown, body_html,
	slug, lang, section_id, author_ids, tags, photo_id, seo_title, seo_description, embargo_until`

func scanRevision(row pgx.Row) (*news.Revision, error) {
	var (
		r       news.Revision
		user    *int64
		status  string
		embargo *time.Time
	)
	if err := row.Scan(&r.ID, &r.ArticleID, &r.Version, &user, &status, &r.Note, &r.CreatedAt, &r.Headline, &r.Deck,
		&r.BodyMarkdown, &r.BodyHTML, &r.Slug, &r.Lang, &r.SectionID, &r.AuthorIDs, &r.Tags, &r.PhotoID,
		&r.SEOTitle, &r.SEODescription, &embargo); err != nil {
		return nil, err
	}
	r.UserID = fromNullID(user)
	r.Status = news.Status(status)
	r.CreatedAt = r.CreatedAt.UTC()
	r.EmbargoUntil = fromNull(embargo)
	if len(r.AuthorIDs) == 0 {
		r.AuthorIDs = nil
	}
	if len(r.Tags) == 0 {
		r.Tags = nil
	}
	return &r, nil
}

// CreateRevision saves one state of a story. Revisions are newsroom-only:
// nothing readers see changes.
func (t *txn) CreateRevision(ctx context.Context, r *news.Revision) error {
	if err := news.ValidateRevision(r); err != nil {
		return err
	}
	r.CreatedAt = t.db.createdAt(r.CreatedAt)
	authors, tags := r.AuthorIDs, r.Tags
	if authors == nil {
		authors = []int64{}
	}
	if tags == nil {
		tags = []string{}
	}
	err := t.tx.QueryRow(ctx, `INSERT INTO revisions (article_id, version, user_id, status, note, created_at, headline, deck,
		body_markdown, body_html, slug, lang, section_id, author_ids, tags, photo_id, seo_title, seo_description, embargo_until)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id`,
		r.ArticleID, r.Version, nullID(r.UserID), string(r.Status), r.Note, r.CreatedAt, r.Headline, r.Deck,
		r.BodyMarkdown, r.BodyHTML, r.Slug, r.Lang, r.SectionID, authors, tags, r.PhotoID,
		r.SEOTitle, r.SEODescription, utc(r.EmbargoUntil)).Scan(&r.ID)
	return translate(err, fmt.Sprintf("create revision of article %d", r.ArticleID))
}

// CreateRevision is txn.CreateRevision in a transaction of its own.
func (db *DB) CreateRevision(ctx context.Context, r *news.Revision) error {
	return db.apply(ctx, func(t *txn) error { return t.CreateRevision(ctx, r) })
}

// FindRevisions returns a story's revisions, newest first.
func (db reader) FindRevisions(ctx context.Context, articleID int64) ([]*news.Revision, error) {
	rows, err := db.q.Query(ctx, "SELECT "+revisionColumns+" FROM revisions WHERE article_id = $1 ORDER BY created_at DESC, id DESC", articleID)
	if err != nil {
		return nil, translate(err, fmt.Sprintf("find revisions of article %d", articleID))
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*news.Revision, error) { return scanRevision(r) })
	return list, translate(err, fmt.Sprintf("find revisions of article %d", articleID))
}

// FindRevisionAt returns the latest revision at or before version.
func (db reader) FindRevisionAt(ctx context.Context, articleID, version int64) (*news.Revision, error) {
	r, err := scanRevision(db.q.QueryRow(ctx, "SELECT "+revisionColumns+` FROM revisions WHERE article_id = $1 AND version <= $2
		ORDER BY version DESC, id DESC LIMIT 1`, articleID, version))
	if err != nil {
		return nil, translate(err, fmt.Sprintf("find revision of article %d at version %d", articleID, version))
	}
	return r, nil
}

// FindRevisionByID returns one revision.
func (db reader) FindRevisionByID(ctx context.Context, id int64) (*news.Revision, error) {
	r, err := scanRevision(db.q.QueryRow(ctx, "SELECT "+revisionColumns+" FROM revisions WHERE id = $1", id))
	if err != nil {
		return nil, translate(err, fmt.Sprintf("find revision %d", id))
	}
	return r, nil
}

// Settings

// GetSetting returns a stored value, ErrNotFound when unset.
func (db reader) GetSetting(ctx context.Context, key string) (string, error) {
	var v string
	err := db.q.QueryRow(ctx, "SELECT value FROM settings WHERE key = $1", key).Scan(&v)
	if err != nil {
		return "", translate(err, fmt.Sprintf("get setting %q", key))
	}
	return v, nil
}

// FindSetting returns a setting with its version.
func (db reader) FindSetting(ctx context.Context, key string) (*news.Setting, error) {
	s := news.Setting{Key: key}
	var updated *time.Time
	err := db.q.QueryRow(ctx, "SELECT value, version, updated_by, updated_at FROM settings WHERE key = $1"+db.forUpdate("FOR UPDATE"), key).
		Scan(&s.Value, &s.Version, &s.UpdatedBy, &updated)
	if err != nil {
		return nil, translate(err, fmt.Sprintf("find setting %q", key))
	}
	s.UpdatedAt = fromNull(updated)
	return &s, nil
}

// PutSetting stores a value unguarded. The key may name a secret; its
// value never goes into an error.
func (t *txn) PutSetting(ctx context.Context, key, value string) error {
	if err := news.ValidateSetting(key, value); err != nil {
		return err
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO settings (key, value, version, updated_by, updated_at) VALUES ($1, $2, 1, 0, now())
		ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, version = settings.version + 1, updated_at = EXCLUDED.updated_at`, key, value)
	return translate(err, fmt.Sprintf("put setting %q", key))
}

// UpdateSetting writes s against s.Version (0: the key must be new).
func (t *txn) UpdateSetting(ctx context.Context, s *news.Setting) error {
	if err := news.ValidateSetting(s.Key, s.Value); err != nil {
		return err
	}
	now := normTime(t.db.now())
	var tag pgconn.CommandTag
	var err error
	if s.Version == 0 {
		tag, err = t.tx.Exec(ctx, `INSERT INTO settings (key, value, version, updated_by, updated_at) VALUES ($1, $2, 1, $3, $4)
			ON CONFLICT (key) DO NOTHING`, s.Key, s.Value, s.UpdatedBy, now)
	} else {
		tag, err = t.tx.Exec(ctx, `UPDATE settings SET value = $2, version = version + 1, updated_by = $3, updated_at = $4
			WHERE key = $1 AND version = $5`, s.Key, s.Value, s.UpdatedBy, now, s.Version)
	}
	if err != nil {
		return translate(err, fmt.Sprintf("update setting %q", s.Key))
	}
	if tag.RowsAffected() == 0 {
		c := &news.ConflictError{Kind: "setting", Key: s.Key, Base: s.Version}
		if cur, err := t.FindSetting(ctx, s.Key); err == nil {
			c.Current, c.By, c.At = cur.Version, []int64{cur.UpdatedBy}, cur.UpdatedAt
		}
		return c
	}
	s.Version++
	s.UpdatedAt = now
	return nil
}

// PutSetting is txn.PutSetting in a transaction of its own.
func (db *DB) PutSetting(ctx context.Context, key, value string) error {
	return db.apply(ctx, func(t *txn) error { return t.PutSetting(ctx, key, value) })
}

// UpdateSetting is txn.UpdateSetting in a transaction of its own.
func (db *DB) UpdateSetting(ctx context.Context, s *news.Setting) error {
	return db.apply(ctx, func(t *txn) error { return t.UpdateSetting(ctx, s) })
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
