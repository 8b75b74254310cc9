package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"masthead/internal/news"
	"masthead/internal/textsearch"
)

// queryer is what both *sql.Tx and *sql.DB offer.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

type scanner interface{ Scan(dest ...any) error }

// articleSelect reads stories (aliased a) with their section and photo.
// Both are one to one, so they come with the story's row rather than in a
// query each per list; LEFT JOINs keep the stories the outer loop, so a
// list still walks its index in order and stops at LIMIT. scanArticle
// reads these columns.
const articleSelect = `SELECT a.id, a.slug, a.headline, a.deck, a.body_markdown, a.body_html, a.lang, a.status,
	a.section_id, a.photo_id, a.seo_title, a.seo_description, a.source_key, a.translation_of,
	a.created_at, a.published_at, a.updated_at, a.embargo_until,
	s.id, s.slug, s.name, s.description, s.position,
	p.id, p.key, p.content_type, p.width, p.height, p.caption, p.credit, p.alt, p.focal_x, p.focal_y, p.widths, p.created_at
	FROM articles a
	LEFT JOIN sections s ON s.id = a.section_id
	LEFT JOIN photos p ON p.id = a.photo_id`

func scanArticle(s scanner) (*news.Article, error) {
	var a news.Article
	var status string
	var section, photo, translation sql.NullInt64
	var sourceKey sql.NullString
	var created, published, updated, embargo sql.NullInt64
	var secID, secPos sql.NullInt64
	var secSlug, secName, secDesc sql.NullString
	var phID, phW, phH, phCreated sql.NullInt64
	var phKey, phType, phCaption, phCredit, phAlt, phWidths sql.NullString
	var phFX, phFY sql.NullFloat64
	err := s.Scan(&a.ID, &a.Slug, &a.Headline, &a.Deck, &a.BodyMarkdown, &a.BodyHTML, &a.Lang, &status,
		&section, &photo, &a.SEOTitle, &a.SEODescription, &sourceKey, &translation,
		&created, &published, &updated, &embargo,
		&secID, &secSlug, &secName, &secDesc, &secPos,
		&phID, &phKey, &phType, &phW, &phH, &phCaption, &phCredit, &phAlt, &phFX, &phFY, &phWidths, &phCreated)
	if err != nil {
		return nil, err
	}
	a.Status = news.Status(status)
	a.SectionID, a.PhotoID, a.TranslationOf = section.Int64, photo.Int64, translation.Int64
	a.SourceKey = sourceKey.String
	a.CreatedAt, a.PublishedAt, a.UpdatedAt, a.EmbargoUntil = fromMicro(created), fromMicro(published), fromMicro(updated), fromMicro(embargo)
	if secID.Valid {
		a.Section = &news.Section{ID: secID.Int64, Slug: secSlug.String, Name: secName.String,
			Description: secDesc.String, Position: int(secPos.Int64)}
	}
	if phID.Valid {
		a.Photo = &news.Photo{ID: phID.Int64, Key: phKey.String, ContentType: phType.String,
			Width: int(phW.Int64), Height: int(phH.Int64), Caption: phCaption.String, Credit: phCredit.String, Alt: phAlt.String,
			FocalX: phFX.Float64, FocalY: phFY.Float64, Widths: parseWidths(phWidths.String), CreatedAt: fromMicro(phCreated)}
	}
	return &a, nil
}

// validateArticle refuses what the schema would refuse with a less helpful
// message, before anything is written.
func validateArticle(a *news.Article) error {
	switch {
	case strings.TrimSpace(a.Slug) == "":
		return news.Errorf(news.EINVALID, "a story needs a slug")
	case strings.TrimSpace(a.Headline) == "":
		return news.Errorf(news.EINVALID, "a story needs a headline")
	case !a.Status.Valid():
		return news.Errorf(news.EINVALID, "unknown status %q", a.Status)
	}
	return nil
}

// CreateArticle stores a new story with its authors, tags and search index.
func (db *DB) CreateArticle(ctx context.Context, a *news.Article) error {
	if err := validateArticle(a); err != nil {
		return err
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = db.now()
	}
	err := db.tx(ctx, true, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO articles (slug, headline, deck, body_markdown, body_html, lang, status,
			section_id, photo_id, seo_title, seo_description, source_key, translation_of,
			created_at, published_at, updated_at, embargo_until)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.Slug, a.Headline, a.Deck, a.BodyMarkdown, a.BodyHTML, a.Lang, string(a.Status),
			nullID(a.SectionID), nullID(a.PhotoID), a.SEOTitle, a.SEODescription, nullStr(a.SourceKey), nullID(a.TranslationOf),
			tvNotNull(a.CreatedAt), tv(a.PublishedAt), tv(a.UpdatedAt), tv(a.EmbargoUntil))
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		// The slug is now this story's; a story that once had it keeps its
		// other former slugs but no longer claims this one.
		if _, err := tx.ExecContext(ctx, `DELETE FROM article_slugs WHERE slug = ?`, a.Slug); err != nil {
			return err
		}
		if err := setRelations(ctx, tx, id, a); err != nil {
			return err
		}
		if err := index(ctx, tx, id, a, false); err != nil {
			return err
		}
		a.ID = id
		return nil
	})
	if err != nil {
		return fmt.Errorf("create article %q: %w", a.Slug, err)
	}
	return nil
}

// UpdateArticle replaces a story; a changed slug is kept as a former slug.
func (db *DB) UpdateArticle(ctx context.Context, a *news.Article) error {
	if err := validateArticle(a); err != nil {
		return err
	}
	err := db.tx(ctx, true, func(tx *sql.Tx) error {
		var oldSlug string
		if err := tx.QueryRowContext(ctx, `SELECT slug FROM articles WHERE id = ?`, a.ID).Scan(&oldSlug); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("article", a.ID)
			}
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE articles SET slug = ?, headline = ?, deck = ?, body_markdown = ?, body_html = ?,
			lang = ?, status = ?, section_id = ?, photo_id = ?, seo_title = ?, seo_description = ?, source_key = ?,
			translation_of = ?, published_at = ?, updated_at = ?, embargo_until = ?
			WHERE id = ?`,
			a.Slug, a.Headline, a.Deck, a.BodyMarkdown, a.BodyHTML, a.Lang, string(a.Status),
			nullID(a.SectionID), nullID(a.PhotoID), a.SEOTitle, a.SEODescription, nullStr(a.SourceKey),
			nullID(a.TranslationOf), tv(a.PublishedAt), tv(a.UpdatedAt), tv(a.EmbargoUntil), a.ID)
		if err != nil {
			return err
		}
		if oldSlug != a.Slug {
			if _, err := tx.ExecContext(ctx, `DELETE FROM article_slugs WHERE slug = ?`, a.Slug); err != nil {
				return err
			}
			// The most recent owner of a former slug gets its old links.
			if _, err := tx.ExecContext(ctx, `INSERT INTO article_slugs (slug, article_id) VALUES (?, ?)
				ON CONFLICT (slug) DO UPDATE SET article_id = excluded.article_id`, oldSlug, a.ID); err != nil {
				return err
			}
		}
		if err := setRelations(ctx, tx, a.ID, a); err != nil {
			return err
		}
		return index(ctx, tx, a.ID, a, true)
	})
	if err != nil {
		return fmt.Errorf("update article %d: %w", a.ID, err)
	}
	return nil
}

// setRelations replaces a story's authors (in byline order) and tags.
func setRelations(ctx context.Context, tx *sql.Tx, id int64, a *news.Article) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM article_authors WHERE article_id = ?`, id); err != nil {
		return err
	}
	seen := map[int64]bool{}
	pos := 0
	for _, au := range a.Authors {
		if au == nil || seen[au.ID] {
			continue
		}
		seen[au.ID] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO article_authors (article_id, author_id, position) VALUES (?, ?, ?)`, id, au.ID, pos); err != nil {
			return err
		}
		pos++
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM article_tags WHERE article_id = ?`, id); err != nil {
		return err
	}
	clear(seen)
	for _, t := range a.Tags {
		if t == nil || seen[t.ID] {
			continue
		}
		seen[t.ID] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO article_tags (article_id, tag_id) VALUES (?, ?)`, id, t.ID); err != nil {
			return err
		}
	}
	return nil
}

// index writes the story's search tokens in the same transaction as the
// story, so search is never out of step with what readers can open.
func index(ctx context.Context, tx *sql.Tx, id int64, a *news.Article, replace bool) error {
	if replace {
		if _, err := tx.ExecContext(ctx, `DELETE FROM article_fts WHERE rowid = ?`, id); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO article_fts (rowid, headline, deck, body) VALUES (?, ?, ?, ?)`, id,
		textsearch.IndexText(a.Headline), textsearch.IndexText(a.Deck), textsearch.IndexText(textsearch.PlainText(a.BodyHTML)))
	return err
}

// DeleteArticle removes a story and everything that hangs off it.
func (db *DB) DeleteArticle(ctx context.Context, id int64) error {
	err := db.tx(ctx, true, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM articles WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("article", id)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM article_fts WHERE rowid = ?`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete article %d: %w", id, err)
	}
	return nil
}

// FindArticleByID returns one story with everything loaded.
func (db *DB) FindArticleByID(ctx context.Context, id int64) (*news.Article, error) {
	a, err := db.findOne(ctx, `a.id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("find article %d: %w", id, err)
	}
	return a, nil
}

// FindArticleBySlug finds by current slug first, then by former slug.
func (db *DB) FindArticleBySlug(ctx context.Context, slug string) (*news.Article, error) {
	a, err := db.findOne(ctx, `a.slug = ?`, slug)
	if errors.Is(err, news.ErrNotFound) {
		a, err = db.findOne(ctx, `a.id = (SELECT article_id FROM article_slugs WHERE slug = ?)`, slug)
	}
	if err != nil {
		return nil, fmt.Errorf("find article %q: %w", slug, err)
	}
	return a, nil
}

// FindArticleBySourceKey finds an imported story.
func (db *DB) FindArticleBySourceKey(ctx context.Context, key string) (*news.Article, error) {
	if key == "" {
		return nil, notFound("article with source key", `""`)
	}
	a, err := db.findOne(ctx, `a.source_key = ?`, key)
	if err != nil {
		return nil, fmt.Errorf("find article by source %q: %w", key, err)
	}
	return a, nil
}

func (db *DB) findOne(ctx context.Context, where string, args ...any) (*news.Article, error) {
	var out *news.Article
	err := db.view(ctx, func(tx *sql.Tx) error {
		as, err := selectArticles(ctx, db.cached(tx), articleSelect+` WHERE `+where, args...)
		if err != nil {
			return err
		}
		if len(as) == 0 {
			return news.ErrNotFound
		}
		out = as[0]
		return nil
	})
	return out, err
}

// selectArticles runs a query over articleSelect and loads relations.
func selectArticles(ctx context.Context, q queryer, query string, args ...any) ([]*news.Article, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var as []*news.Article
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, err
		}
		as = append(as, a)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	return as, fill(ctx, q, as)
}

// relationsSQL reads the authors, tags and corrections of the stories
// whose IDs are the JSON array ?1, in one query: a list of any length costs
// one statement, prepared once, besides its own. Each arm walks the IDs and
// looks up its table's index on article_id; fill sorts in Go, which spares
// SQLite a temporary sorter per arm. Columns: kind (0 author, 1 tag,
// 2 correction), article ID, byline position, the row's ID, five text
// columns and two nullable integers, as scanned in fill.
const relationsSQL = `SELECT 0, aa.article_id, aa.position, au.id, au.slug, au.name, au.email, au.bio, au.title, au.photo_id, au.position
	FROM json_each(?1) j JOIN article_authors aa ON aa.article_id = j.value JOIN authors au ON au.id = aa.author_id
	UNION ALL
	SELECT 1, at.article_id, 0, t.id, t.slug, t.name, '', '', '', NULL, NULL
	FROM json_each(?1) j JOIN article_tags at ON at.article_id = j.value JOIN tags t ON t.id = at.tag_id
	UNION ALL
	SELECT 2, c.article_id, 0, c.id, c.kind, c.text, '', '', '', c.revision_id, c.created_at
	FROM json_each(?1) j JOIN corrections c ON c.article_id = j.value`

// fill loads authors (in byline order), tags (by name) and corrections
// (oldest first) for a list of stories; their sections and photos come
// with the rows (articleSelect).
func fill(ctx context.Context, q queryer, as []*news.Article) error {
	if len(as) == 0 {
		return nil
	}
	byID := make(map[int64]*news.Article, len(as))
	ids := make([]int64, 0, len(as))
	for _, a := range as {
		if byID[a.ID] == nil {
			ids = append(ids, a.ID)
		}
		byID[a.ID] = a
		a.Authors, a.Tags, a.Corrections = nil, nil, nil
	}
	rows, err := q.QueryContext(ctx, relationsSQL, jsonIDs(ids))
	if err != nil {
		return err
	}
	defer rows.Close()
	type byline struct {
		pos int64
		au  *news.Author
	}
	bylines := map[int64][]byline{}
	for rows.Next() {
		var (
			kind               int
			aid, pos, id       int64
			s1, s2, s3, s4, s5 string
			n1, n2             sql.NullInt64
		)
		if err := rows.Scan(&kind, &aid, &pos, &id, &s1, &s2, &s3, &s4, &s5, &n1, &n2); err != nil {
			return err
		}
		a := byID[aid]
		switch kind {
		case 0:
			bylines[aid] = append(bylines[aid], byline{pos, &news.Author{ID: id, Slug: s1, Name: s2, Email: s3, Bio: s4, Title: s5,
				PhotoID: n1.Int64, Position: int(n2.Int64)}})
		case 1:
			a.Tags = append(a.Tags, &news.Tag{ID: id, Slug: s1, Name: s2})
		case 2:
			a.Corrections = append(a.Corrections, news.Correction{ID: id, ArticleID: aid, Kind: news.CorrectionKind(s1), Text: s2,
				RevisionID: n1.Int64, CreatedAt: fromMicro(n2)})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for aid, bs := range bylines {
		slices.SortFunc(bs, func(x, y byline) int { return cmp.Compare(x.pos, y.pos) })
		a := byID[aid]
		for _, b := range bs {
			a.Authors = append(a.Authors, b.au)
		}
	}
	for _, a := range byID {
		slices.SortStableFunc(a.Tags, func(x, y *news.Tag) int { return strings.Compare(x.Name, y.Name) })
		slices.SortStableFunc(a.Corrections, func(x, y news.Correction) int {
			if c := x.CreatedAt.Compare(y.CreatedAt); c != 0 {
				return c
			}
			return cmp.Compare(x.ID, y.ID)
		})
	}
	// Duplicates in as (the same story twice) share the loaded relations.
	for _, a := range as {
		if o := byID[a.ID]; o != a {
			a.Authors, a.Tags, a.Corrections = o.Authors, o.Tags, o.Corrections
		}
	}
	return nil
}

// publicSQL is Article.IsPublicAt in SQL, less the published_at <= t bound
// that articleWhere adds (so that it can keep only the tighter of that and
// PublishedTo); it takes the time once.
const publicSQL = `a.status = 'published' AND a.published_at IS NOT NULL
	AND (a.embargo_until IS NULL OR a.embargo_until <= ?)`

// articleWhere builds the WHERE clause shared by FindArticles, search and
// most-read.
func articleWhere(f news.ArticleFilter) (string, []any) {
	var conds []string
	var args []any
	if !f.PublicAt.IsZero() {
		conds = append(conds, publicSQL)
		args = append(args, f.PublicAt.UnixMicro())
	}
	// One upper bound on published_at, the tighter: given two, SQLite may
	// bound its index range with the looser and scan a whole archive to
	// list one day.
	switch {
	case !f.PublicAt.IsZero() && (f.PublishedTo.IsZero() || f.PublishedTo.After(f.PublicAt)):
		conds = append(conds, `a.published_at <= ?`)
		args = append(args, f.PublicAt.UnixMicro())
	case !f.PublishedTo.IsZero():
		conds = append(conds, `a.published_at < ?`)
		args = append(args, f.PublishedTo.UnixMicro())
	}
	if f.Status != "" {
		conds = append(conds, `a.status = ?`)
		args = append(args, string(f.Status))
	}
	if f.SectionID != 0 {
		conds = append(conds, `a.section_id = ?`)
		args = append(args, f.SectionID)
	}
	if f.AuthorID != 0 {
		conds = append(conds, `a.id IN (SELECT article_id FROM article_authors WHERE author_id = ?)`)
		args = append(args, f.AuthorID)
	}
	if f.TagID != 0 {
		conds = append(conds, `a.id IN (SELECT article_id FROM article_tags WHERE tag_id = ?)`)
		args = append(args, f.TagID)
	}
	if !f.PublishedFrom.IsZero() {
		conds = append(conds, `a.published_at >= ?`)
		args = append(args, f.PublishedFrom.UnixMicro())
	}
	if len(f.IDs) > 0 {
		conds = append(conds, `a.id `+inIDs)
		args = append(args, jsonIDs(f.IDs))
	}
	if len(f.ExcludeIDs) > 0 {
		conds = append(conds, `a.id NOT `+inIDs)
		args = append(args, jsonIDs(f.ExcludeIDs))
	}
	if f.TranslationOf != 0 {
		conds = append(conds, `a.translation_of = ?`)
		args = append(args, f.TranslationOf)
	}
	if len(conds) == 0 {
		return "1", nil
	}
	return strings.Join(conds, " AND "), args
}

func orderSQL(order string) string {
	switch order {
	case "oldest":
		return `a.published_at ASC NULLS LAST, a.id ASC`
	case "updated":
		return `a.updated_at DESC NULLS LAST, a.id DESC`
	default:
		return `a.published_at DESC NULLS LAST, a.id DESC`
	}
}

// pageBounds applies the store's default and maximum page size.
func pageBounds(limit, offset int) (int, int) {
	if limit <= 0 {
		limit = 20
	}
	if limit > 1000 {
		limit = 1000
	}
	if offset < 0 {
		offset = 0
	}
	return limit, offset
}

// FindArticles returns one page of matching stories and the total.
//
// The total costs a count of every match (12 ms for the latest stories of
// a 100,000-story paper), so it is taken only when needed: not at all with
// NoTotal (-1 is returned), and not when the page itself shows where the
// list ends (a short page, or a page past the end that is not the first).
func (db *DB) FindArticles(ctx context.Context, f news.ArticleFilter) ([]*news.Article, int, error) {
	where, args := articleWhere(f)
	limit, offset := pageBounds(f.Limit, f.Offset)
	var as []*news.Article
	total := -1
	err := db.view(ctx, func(tx *sql.Tx) error {
		q := db.cached(tx)
		var err error
		as, err = selectArticles(ctx, q, pageSQL(where, f.Order), append(args, limit, offset)...)
		switch {
		case err != nil:
			return err
		case f.NoTotal:
		case len(as) > 0 && len(as) < limit, len(as) == 0 && offset == 0:
			total = offset + len(as)
		default:
			// Same snapshot as the page.
			return q.QueryRowContext(ctx, `SELECT count(*) FROM articles a WHERE `+where, args...).Scan(&total)
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("find articles: %w", err)
	}
	return as, total, nil
}

// pageSQL selects one page of stories matching where (LIMIT and OFFSET
// are the last two parameters).
func pageSQL(where, order string) string {
	return articleSelect + ` WHERE ` + where + ` ORDER BY ` + orderSQL(order) + ` LIMIT ? OFFSET ?`
}

// DueScheduled returns scheduled stories whose time has come, oldest first.
func (db *DB) DueScheduled(ctx context.Context, t time.Time) ([]*news.Article, error) {
	var as []*news.Article
	err := db.view(ctx, func(tx *sql.Tx) error {
		var err error
		as, err = selectArticles(ctx, db.cached(tx), articleSelect+`
			WHERE a.status = 'scheduled' AND a.published_at <= ? ORDER BY a.published_at, a.id`, t.UnixMicro())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("due scheduled: %w", err)
	}
	return as, nil
}

const correctionCols = `id, article_id, kind, text, created_at, revision_id`

func scanCorrection(s scanner) (news.Correction, error) {
	var c news.Correction
	var kind string
	var created sql.NullInt64
	err := s.Scan(&c.ID, &c.ArticleID, &kind, &c.Text, &created, &c.RevisionID)
	c.Kind = news.CorrectionKind(kind)
	c.CreatedAt = fromMicro(created)
	return c, err
}

// AddCorrection appends a dated note to a story.
func (db *DB) AddCorrection(ctx context.Context, c *news.Correction) error {
	if strings.TrimSpace(c.Text) == "" {
		return news.Errorf(news.EINVALID, "a correction needs text")
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = db.now()
	}
	err := db.tx(ctx, true, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO corrections (article_id, kind, text, created_at, revision_id) VALUES (?, ?, ?, ?, ?)`,
			c.ArticleID, string(c.Kind), c.Text, c.CreatedAt.UnixMicro(), c.RevisionID)
		if err != nil {
			return err
		}
		c.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return fmt.Errorf("add correction to article %d: %w", c.ArticleID, err)
	}
	return nil
}

// ListCorrections returns the latest corrections, newest first.
func (db *DB) ListCorrections(ctx context.Context, limit int) ([]news.Correction, error) {
	limit, _ = pageBounds(limit, 0)
	rows, err := db.stmts.query(ctx, `SELECT `+correctionCols+` FROM corrections ORDER BY created_at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("list corrections: %w", err)
	}
	defer rows.Close()
	var out []news.Correction
	for rows.Next() {
		c, err := scanCorrection(rows)
		if err != nil {
			return nil, fmt.Errorf("list corrections: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

const revisionCols = `id, article_id, user_id, headline, deck, body_markdown, body_html, note, created_at`

func scanRevision(s scanner) (*news.Revision, error) {
	var r news.Revision
	var created sql.NullInt64
	if err := s.Scan(&r.ID, &r.ArticleID, &r.UserID, &r.Headline, &r.Deck, &r.BodyMarkdown, &r.BodyHTML, &r.Note, &created); err != nil {
		return nil, err
	}
	r.CreatedAt = fromMicro(created)
	return &r, nil
}

// CreateRevision saves one state of a story. Revisions are newsroom-only,
// so the generation does not move.
func (db *DB) CreateRevision(ctx context.Context, r *news.Revision) error {
	if r.CreatedAt.IsZero() {
		r.CreatedAt = db.now()
	}
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO revisions (article_id, user_id, headline, deck, body_markdown, body_html, note, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, r.ArticleID, r.UserID, r.Headline, r.Deck, r.BodyMarkdown, r.BodyHTML, r.Note, r.CreatedAt.UnixMicro())
		if err != nil {
			return err
		}
		r.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return fmt.Errorf("create revision of article %d: %w", r.ArticleID, err)
	}
	return nil
}

// FindRevisions returns a story's revisions, newest first.
func (db *DB) FindRevisions(ctx context.Context, articleID int64) ([]*news.Revision, error) {
	rows, err := db.stmts.query(ctx, `SELECT `+revisionCols+` FROM revisions WHERE article_id = ? ORDER BY created_at DESC, id DESC`, articleID)
	if err != nil {
		return nil, fmt.Errorf("find revisions of %d: %w", articleID, err)
	}
	defer rows.Close()
	var out []*news.Revision
	for rows.Next() {
		r, err := scanRevision(rows)
		if err != nil {
			return nil, fmt.Errorf("find revisions of %d: %w", articleID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// FindRevisionByID returns one revision.
func (db *DB) FindRevisionByID(ctx context.Context, id int64) (*news.Revision, error) {
	r, err := scanRevision(db.stmts.queryRow(ctx, `SELECT `+revisionCols+` FROM revisions WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("find revision %d: %w", id, translate(err))
	}
	return r, nil
}
