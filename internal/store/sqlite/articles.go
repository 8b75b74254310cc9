package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
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

// reader is the store's Find* methods over one connection: the read pool
// (the last committed state, for the DB) or the write transaction (its own
// view, for a txn).
type reader struct {
	db *DB
	// one runs single statements.
	one queryer
	// snap runs fn on one consistent snapshot.
	snap func(ctx context.Context, fn func(q queryer) error) error
}

// articleSelect reads stories (aliased a) with their section and photo.
// Both are one to one, so they come with the story's row rather than in a
// query each per list; LEFT JOINs keep the stories the outer loop, so a
// list still walks its index in order and stops at LIMIT. scanArticle
// reads these columns.
const articleSelect = `SELECT a.id, a.version, a.slug, a.headline, a.deck, a.body_markdown, a.body_html, a.lang, a.status,
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
	err := s.Scan(&a.ID, &a.Version, &a.Slug, &a.Headline, &a.Deck, &a.BodyMarkdown, &a.BodyHTML, &a.Lang, &status,
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

// CreateArticle stores a new story with its authors, tags and search index.
func (t *txn) CreateArticle(ctx context.Context, a *news.Article) error {
	if err := news.ValidateArticle(a); err != nil {
		return err
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = t.db.now()
	}
	tx := t.tx
	res, err := tx.ExecContext(ctx, `INSERT INTO articles (slug, headline, deck, body_markdown, body_html, lang, status,
		section_id, photo_id, seo_title, seo_description, source_key, translation_of,
		created_at, published_at, updated_at, embargo_until, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
		a.Slug, a.Headline, a.Deck, a.BodyMarkdown, a.BodyHTML, a.Lang, string(a.Status),
		nullID(a.SectionID), nullID(a.PhotoID), a.SEOTitle, a.SEODescription, nullStr(a.SourceKey), nullID(a.TranslationOf),
		tvNotNull(a.CreatedAt), tv(a.PublishedAt), tv(a.UpdatedAt), tv(a.EmbargoUntil))
	if err != nil {
		return fmt.Errorf("create article %q: %w", a.Slug, translate(err))
	}
	id, err := res.LastInsertId()
	if err != nil {
		return err
	}
	// The slug is now this story's; a story that once had it keeps its
	// other former slugs but no longer claims this one.
	if _, err := tx.ExecContext(ctx, `DELETE FROM article_slugs WHERE slug = ?`, a.Slug); err != nil {
		return fmt.Errorf("create article %q: %w", a.Slug, translate(err))
	}
	if err := setRelations(ctx, tx, id, a); err != nil {
		return fmt.Errorf("create article %q: %w", a.Slug, translate(err))
	}
	if err := index(ctx, tx, id, a, false); err != nil {
		return fmt.Errorf("create article %q: %w", a.Slug, translate(err))
	}
	a.ID, a.Version = id, 1
	t.change.Add(news.StoryChange(nil, a))
	return nil
}

// UpdateArticle replaces a story written against a.Version; a changed
// slug is kept as a former slug.
func (t *txn) UpdateArticle(ctx context.Context, a *news.Article) error {
	if err := news.ValidateArticle(a); err != nil {
		return err
	}
	before, err := t.FindArticleByID(ctx, a.ID)
	if err != nil {
		return fmt.Errorf("update article %d: %w", a.ID, err)
	}
	if before.Version != a.Version {
		return news.Stale("article", a.ID, a.Version, before.Version)
	}
	tx := t.tx
	err = func() error {
		res, err := tx.ExecContext(ctx, `UPDATE articles SET slug = ?, headline = ?, deck = ?, body_markdown = ?, body_html = ?,
			lang = ?, status = ?, section_id = ?, photo_id = ?, seo_title = ?, seo_description = ?, source_key = ?,
			translation_of = ?, published_at = ?, updated_at = ?, embargo_until = ?, version = version + 1
			WHERE id = ? AND version = ?`,
			a.Slug, a.Headline, a.Deck, a.BodyMarkdown, a.BodyHTML, a.Lang, string(a.Status),
			nullID(a.SectionID), nullID(a.PhotoID), a.SEOTitle, a.SEODescription, nullStr(a.SourceKey),
			nullID(a.TranslationOf), tv(a.PublishedAt), tv(a.UpdatedAt), tv(a.EmbargoUntil), a.ID, a.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return news.Stale("article", a.ID, a.Version, before.Version)
		}
		if before.Slug != a.Slug {
			if _, err := tx.ExecContext(ctx, `DELETE FROM article_slugs WHERE slug = ?`, a.Slug); err != nil {
				return err
			}
			// The most recent owner of a former slug gets its old links.
			if _, err := tx.ExecContext(ctx, `INSERT INTO article_slugs (slug, article_id) VALUES (?, ?)
				ON CONFLICT (slug) DO UPDATE SET article_id = excluded.article_id`, before.Slug, a.ID); err != nil {
				return err
			}
		}
		if err := setRelations(ctx, tx, a.ID, a); err != nil {
			return err
		}
		return index(ctx, tx, a.ID, a, true)
	}()
	if err != nil {
		return fmt.Errorf("update article %d: %w", a.ID, translate(err))
	}
	a.Version++
	a.CreatedAt = before.CreatedAt
	t.change.Add(news.StoryChange(before, a))
	return nil
}

// PublishScheduled flips a due scheduled story to published in one
// conditional statement: status, version and time are checked by the
// UPDATE itself, so two schedulers can never both publish it.
func (t *txn) PublishScheduled(ctx context.Context, id, version int64, at time.Time) (bool, error) {
	res, err := t.tx.ExecContext(ctx, `UPDATE articles SET status = 'published', updated_at = published_at, version = version + 1
		WHERE id = ? AND status = 'scheduled' AND version = ? AND published_at <= ?`, id, version, at.UnixMicro())
	if err != nil {
		return false, fmt.Errorf("publish scheduled %d: %w", id, translate(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	after, err := t.FindArticleByID(ctx, id)
	if err != nil {
		return false, fmt.Errorf("publish scheduled %d: %w", id, err)
	}
	t.change.Add(news.PublishedChange(after))
	return true, nil
}

// DeleteArticle removes a story and everything that hangs off it.
func (t *txn) DeleteArticle(ctx context.Context, id int64) error {
	before, err := t.FindArticleByID(ctx, id)
	if err != nil {
		return fmt.Errorf("delete article %d: %w", id, err)
	}
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM articles WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete article %d: %w", id, translate(err))
	}
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM article_fts WHERE rowid = ?`, id); err != nil {
		return fmt.Errorf("delete article %d: %w", id, translate(err))
	}
	t.change.Add(news.StoryChange(before, nil))
	return nil
}

// CreateArticle, UpdateArticle, PublishScheduled and DeleteArticle on the
// DB are the txn's, each in a transaction of its own.

func (db *DB) CreateArticle(ctx context.Context, a *news.Article) error {
	return db.apply(ctx, func(t *txn) error { return t.CreateArticle(ctx, a) })
}

func (db *DB) UpdateArticle(ctx context.Context, a *news.Article) error {
	return db.apply(ctx, func(t *txn) error { return t.UpdateArticle(ctx, a) })
}

func (db *DB) PublishScheduled(ctx context.Context, id, version int64, at time.Time) (ok bool, err error) {
	err = db.apply(ctx, func(t *txn) error { ok, err = t.PublishScheduled(ctx, id, version, at); return err })
	return ok, err
}

func (db *DB) DeleteArticle(ctx context.Context, id int64) error {
	return db.apply(ctx, func(t *txn) error { return t.DeleteArticle(ctx, id) })
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
	// The media library's "used in" follows every story write.
	return setPhotoUses(ctx, tx, id, a)
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

// FindArticleByID returns one story with everything loaded.
func (db reader) FindArticleByID(ctx context.Context, id int64) (*news.Article, error) {
	a, err := db.findOne(ctx, `a.id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("find article %d: %w", id, err)
	}
	return a, nil
}

// FindArticleBySlug finds by current slug first, then by former slug.
func (db reader) FindArticleBySlug(ctx context.Context, slug string) (*news.Article, error) {
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
func (db reader) FindArticleBySourceKey(ctx context.Context, key string) (*news.Article, error) {
	if key == "" {
		return nil, notFound("article with source key", `""`)
	}
	a, err := db.findOne(ctx, `a.source_key = ?`, key)
	if err != nil {
		return nil, fmt.Errorf("find article by source %q: %w", key, err)
	}
	return a, nil
}

func (db reader) findOne(ctx context.Context, where string, args ...any) (*news.Article, error) {
	var out *news.Article
	err := db.snap(ctx, func(q queryer) error {
		as, err := selectArticles(ctx, q, articleSelect+` WHERE `+where, args...)
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
	if len(f.SectionIDs) > 0 {
		conds = append(conds, `a.section_id `+inIDs)
		args = append(args, jsonIDs(f.SectionIDs))
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
// A reader's page of one section, author or tag takes its total from the
// counts the writes keep (story_counts, listCount) and reads only its page
// (listPage). Any other total costs a count of every match (12 ms for the
// latest stories of a 100,000-story paper), so it is taken only when
// needed: not at all with NoTotal (-1 is returned), and not when the page
// itself shows where the list ends (a short page, or a page past the end
// that is not the first).
func (db reader) FindArticles(ctx context.Context, f news.ArticleFilter) ([]*news.Article, int, error) {
	f = f.Simplified()
	where, args := articleWhere(f)
	limit, offset := pageBounds(f.Limit, f.Offset)
	var as []*news.Article
	total := -1
	err := db.snap(ctx, func(q queryer) error {
		// A list page (section, author, tag) reads its kept total first,
		// in the same snapshot, and then only the page (listPage).
		if kind, id, cond, ok := listShape(f); ok && !f.NoTotal {
			var archive int
			var err error
			if total, archive, err = listCount(ctx, q, kind, id, cond, f); err != nil {
				return err
			}
			as, err = listPage(ctx, q, kind, f, total, archive, limit, offset)
			return err
		}
		var err error
		as, err = selectArticles(ctx, q, pageSQL(selectFor(f), where, f.Order), append(args, limit, offset)...)
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
func pageSQL(sel, where, order string) string {
	return sel + ` WHERE ` + where + ` ORDER BY ` + orderSQL(order) + ` LIMIT ? OFFSET ?`
}

// cardSelect is articleSelect without the bodies (ArticleFilter.NoBody).
var cardSelect = strings.Replace(articleSelect, "a.body_markdown, a.body_html,", "'', '',", 1)

// htmlSelect is articleSelect without the Markdown body
// (ArticleFilter.NoMarkdown).
var htmlSelect = strings.Replace(articleSelect, "a.body_markdown,", "'',", 1)

// selectFor is the select of f's stories.
func selectFor(f news.ArticleFilter) string {
	if f.NoBody {
		return cardSelect
	}
	if f.NoMarkdown {
		return htmlSelect
	}
	return articleSelect
}

// DueScheduled returns scheduled stories whose time has come, oldest first.
func (db reader) DueScheduled(ctx context.Context, t time.Time) ([]*news.Article, error) {
	var as []*news.Article
	err := db.snap(ctx, func(q queryer) error {
		var err error
		as, err = selectArticles(ctx, q, articleSelect+`
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

// AddCorrection appends a dated note to a story and moves its version
// and updated time: readers see the note.
func (t *txn) AddCorrection(ctx context.Context, c *news.Correction) error {
	if err := news.ValidateCorrection(c); err != nil {
		return err
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = t.db.now()
	}
	before, err := t.FindArticleByID(ctx, c.ArticleID)
	if err != nil {
		return fmt.Errorf("add correction to article %d: %w", c.ArticleID, err)
	}
	res, err := t.tx.ExecContext(ctx, `INSERT INTO corrections (article_id, kind, text, created_at, revision_id) VALUES (?, ?, ?, ?, ?)`,
		c.ArticleID, string(c.Kind), c.Text, c.CreatedAt.UnixMicro(), c.RevisionID)
	if err == nil {
		c.ID, err = res.LastInsertId()
	}
	if err == nil {
		_, err = t.tx.ExecContext(ctx, `UPDATE articles SET version = version + 1, updated_at = max(coalesce(updated_at, 0), ?) WHERE id = ?`, c.CreatedAt.UnixMicro(), c.ArticleID)
	}
	if err != nil {
		return fmt.Errorf("add correction to article %d: %w", c.ArticleID, translate(err))
	}
	ch, _ := news.CorrectionChange(before, c)
	t.change.Add(ch)
	return nil
}

// AddCorrection is txn.AddCorrection in a transaction of its own.
func (db *DB) AddCorrection(ctx context.Context, c *news.Correction) error {
	return db.apply(ctx, func(t *txn) error { return t.AddCorrection(ctx, c) })
}

// ListCorrections returns the latest corrections, newest first.
func (db *DB) ListCorrections(ctx context.Context, limit int) ([]news.Correction, error) {
	limit, _ = pageBounds(limit, 0)
	rows, err := db.one.QueryContext(ctx, `SELECT `+correctionCols+` FROM corrections ORDER BY created_at DESC, id DESC LIMIT ?`, limit)
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

const revisionCols = `id, article_id, version, user_id, status, note, created_at, headline, deck, body_markdown, body_html,
	slug, lang, section_id, author_ids, tags, photo_id, seo_title, seo_description, embargo_until`

func scanRevision(s scanner) (*news.Revision, error) {
	var r news.Revision
	var created, embargo sql.NullInt64
	var status, authors, tags string
	if err := s.Scan(&r.ID, &r.ArticleID, &r.Version, &r.UserID, &status, &r.Note, &created, &r.Headline, &r.Deck, &r.BodyMarkdown, &r.BodyHTML,
		&r.Slug, &r.Lang, &r.SectionID, &authors, &tags, &r.PhotoID, &r.SEOTitle, &r.SEODescription, &embargo); err != nil {
		return nil, err
	}
	r.Status = news.Status(status)
	r.CreatedAt, r.EmbargoUntil = fromMicro(created), fromMicro(embargo)
	_ = json.Unmarshal([]byte(authors), &r.AuthorIDs)
	_ = json.Unmarshal([]byte(tags), &r.Tags)
	return &r, nil
}

// jsonList encodes a list column; nil is an empty list.
func jsonList[T any](v []T) string {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// CreateRevision saves one state of a story. Revisions are newsroom-only,
// so nothing readers see changes.
func (t *txn) CreateRevision(ctx context.Context, r *news.Revision) error {
	if err := news.ValidateRevision(r); err != nil {
		return err
	}
	if r.CreatedAt.IsZero() {
		r.CreatedAt = t.db.now()
	}
	res, err := t.tx.ExecContext(ctx, `INSERT INTO revisions (article_id, version, user_id, status, note, created_at, headline, deck,
		body_markdown, body_html, slug, lang, section_id, author_ids, tags, photo_id, seo_title, seo_description, embargo_until)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ArticleID, r.Version, r.UserID, string(r.Status), r.Note, r.CreatedAt.UnixMicro(), r.Headline, r.Deck,
		r.BodyMarkdown, r.BodyHTML, r.Slug, r.Lang, r.SectionID, jsonList(r.AuthorIDs), jsonList(r.Tags), r.PhotoID,
		r.SEOTitle, r.SEODescription, tv(r.EmbargoUntil))
	if err == nil {
		r.ID, err = res.LastInsertId()
	}
	if err != nil {
		return fmt.Errorf("create revision of article %d: %w", r.ArticleID, translate(err))
	}
	return nil
}

// CreateRevision is txn.CreateRevision in a transaction of its own.
func (db *DB) CreateRevision(ctx context.Context, r *news.Revision) error {
	return db.apply(ctx, func(t *txn) error { return t.CreateRevision(ctx, r) })
}

func (db reader) revisions(ctx context.Context, what string, query string, args ...any) ([]*news.Revision, error) {
	rows, err := db.one.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, translate(err))
	}
	defer rows.Close()
	var out []*news.Revision
	for rows.Next() {
		r, err := scanRevision(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// FindRevisions returns a story's revisions, newest first.
func (db reader) FindRevisions(ctx context.Context, articleID int64) ([]*news.Revision, error) {
	return db.revisions(ctx, fmt.Sprintf("find revisions of %d", articleID),
		`SELECT `+revisionCols+` FROM revisions WHERE article_id = ? ORDER BY created_at DESC, id DESC`, articleID)
}

// FindRevisionAt returns the latest revision at or before version.
func (db reader) FindRevisionAt(ctx context.Context, articleID, version int64) (*news.Revision, error) {
	rs, err := db.revisions(ctx, fmt.Sprintf("find revision of %d at version %d", articleID, version),
		`SELECT `+revisionCols+` FROM revisions WHERE article_id = ? AND version <= ? ORDER BY version DESC, id DESC LIMIT 1`, articleID, version)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, notFound(fmt.Sprintf("revision of article %d at version", articleID), version)
	}
	return rs[0], nil
}

// FindRevisionByID returns one revision.
func (db reader) FindRevisionByID(ctx context.Context, id int64) (*news.Revision, error) {
	r, err := scanRevision(db.one.QueryRowContext(ctx, `SELECT `+revisionCols+` FROM revisions WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("find revision %d: %w", id, translate(err))
	}
	return r, nil
}

// FindArticleLists reads each list in turn: in process, a statement costs
// SQLite next to nothing, and each list reads one snapshot of its own as
// FindArticles does.
func (db reader) FindArticleLists(ctx context.Context, fs []news.ArticleFilter) ([][]*news.Article, error) {
	out := make([][]*news.Article, len(fs))
	for i, f := range fs {
		f.NoTotal = true
		list, _, err := db.FindArticles(ctx, f)
		if err != nil {
			return nil, err
		}
		out[i] = list
	}
	return out, nil
}
