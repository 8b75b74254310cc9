package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"masthead/internal/news"
)

const articleColumns = `a.id, a.version, a.slug, a.headline, a.deck, a.body_markdown, a.body_html, a.lang, a.status,
	a.section_id, a.photo_id, a.seo_title, a.seo_description, a.source_key, a.translation_of,
	a.created_at, a.published_at, a.updated_at, a.embargo_until`

// cardColumns is articleColumns without the bodies (ArticleFilter.NoBody):
// a body is most of a story's bytes, which the server detoasts and sends
// and pgx copies for a card that shows none of it.
var cardColumns = strings.Replace(articleColumns, "a.body_markdown, a.body_html,", "'', '',", 1)

// htmlColumns is articleColumns without the Markdown body
// (ArticleFilter.NoMarkdown): the server detoasts (pglz) and sends each
// body it reads.
var htmlColumns = strings.Replace(articleColumns, "a.body_markdown,", "'',", 1)

// columnsFor is the select list of f's stories.
func columnsFor(f news.ArticleFilter) string {
	if f.NoBody {
		return cardColumns
	}
	if f.NoMarkdown {
		return htmlColumns
	}
	return articleColumns
}

func scanArticle(row pgx.Row) (*news.Article, error) {
	var (
		a                             news.Article
		status                        string
		section, photo, translation   *int64
		published, updated, embargoed *time.Time
	)
	err := row.Scan(&a.ID, &a.Version, &a.Slug, &a.Headline, &a.Deck, &a.BodyMarkdown, &a.BodyHTML, &a.Lang, &status,
		&section, &photo, &a.SEOTitle, &a.SEODescription, &a.SourceKey, &translation,
		&a.CreatedAt, &published, &updated, &embargoed)
	if err != nil {
		return nil, err
	}
	a.Status = news.Status(status)
	a.SectionID, a.PhotoID, a.TranslationOf = fromNullID(section), fromNullID(photo), fromNullID(translation)
	a.CreatedAt = a.CreatedAt.UTC()
	a.PublishedAt, a.UpdatedAt, a.EmbargoUntil = fromNull(published), fromNull(updated), fromNull(embargoed)
	return &a, nil
}

// normArticle makes the caller's struct match what is stored.
func (db *DB) normArticle(a *news.Article) {
	a.CreatedAt = db.createdAt(a.CreatedAt)
	a.PublishedAt, a.UpdatedAt, a.EmbargoUntil = normTime(a.PublishedAt), normTime(a.UpdatedAt), normTime(a.EmbargoUntil)
}

// CreateArticle stores a new story with its authors and tags.
func (t *txn) CreateArticle(ctx context.Context, a *news.Article) error {
	if err := news.ValidateArticle(a); err != nil {
		return err
	}
	t.db.normArticle(a)
	doc := searchDocument(a)
	var id int64
	tx := t.tx
	err := func() error {
		err := tx.QueryRow(ctx, `
			INSERT INTO articles (slug, headline, deck, body_markdown, body_html, body_text, lang, status,
				section_id, photo_id, seo_title, seo_description, source_key, translation_of,
				created_at, published_at, updated_at, embargo_until, search, search_head, search_deck, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
				`+searchVectorSQL(19)+`, `+fieldVectorSQL(19, 'A')+`, `+fieldVectorSQL(21, 'B')+`, 1)
			RETURNING id`,
			append([]any{a.Slug, a.Headline, a.Deck, a.BodyMarkdown, a.BodyHTML, doc.bodyText, a.Lang, string(a.Status),
				nullID(a.SectionID), nullID(a.PhotoID), a.SEOTitle, a.SEODescription, a.SourceKey, nullID(a.TranslationOf),
				a.CreatedAt, utc(a.PublishedAt), utc(a.UpdatedAt), utc(a.EmbargoUntil)}, doc.args()...)...,
		).Scan(&id)
		if err != nil {
			return err
		}
		// The story now owns the slug: a former slug of another story
		// stops redirecting there.
		if _, err := tx.Exec(ctx, "DELETE FROM article_slugs WHERE slug = $1", a.Slug); err != nil {
			return err
		}
		return setArticleLinks(ctx, tx, id, a)
	}()
	if err != nil {
		return translate(err, "create article")
	}
	a.ID, a.Version = id, 1
	t.change.Add(news.StoryChange(nil, a))
	return nil
}

// setArticleLinks replaces the story's authors (in byline order) and tags.
func setArticleLinks(ctx context.Context, tx pgx.Tx, id int64, a *news.Article) error {
	if _, err := tx.Exec(ctx, "DELETE FROM article_authors WHERE article_id = $1", id); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "DELETE FROM article_tags WHERE article_id = $1", id); err != nil {
		return err
	}
	if len(a.Authors) > 0 {
		ids := make([]int64, len(a.Authors))
		for i, au := range a.Authors {
			ids[i] = au.ID
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO article_authors (article_id, author_id, position)
			SELECT $1, u.id, u.pos FROM unnest($2::bigint[]) WITH ORDINALITY AS u(id, pos)`, id, ids); err != nil {
			return err
		}
	}
	if len(a.Tags) > 0 {
		ids := make([]int64, len(a.Tags))
		for i, t := range a.Tags {
			ids[i] = t.ID
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO article_tags (article_id, tag_id, position)
			SELECT $1, u.id, u.pos FROM unnest($2::bigint[]) WITH ORDINALITY AS u(id, pos)`, id, ids); err != nil {
			return err
		}
	}
	// The media library's "used in" follows every story write.
	return setPhotoUses(ctx, tx, id, a)
}

// UpdateArticle replaces the stored story written against a.Version. A
// changed slug leaves the old one behind as a redirect.
func (t *txn) UpdateArticle(ctx context.Context, a *news.Article) error {
	if err := news.ValidateArticle(a); err != nil {
		return err
	}
	what := fmt.Sprintf("update article %d", a.ID)
	before, err := t.FindArticleByID(ctx, a.ID) // locks the row
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if before.Version != a.Version {
		return news.Stale("article", a.ID, a.Version, before.Version)
	}
	// CreatedAt never changes.
	a.PublishedAt, a.UpdatedAt, a.EmbargoUntil = normTime(a.PublishedAt), normTime(a.UpdatedAt), normTime(a.EmbargoUntil)
	doc := searchDocument(a)
	tx := t.tx
	err = func() error {
		tag, err := tx.Exec(ctx, `
			UPDATE articles SET slug = $2, headline = $3, deck = $4, body_markdown = $5, body_html = $6, body_text = $7,
				lang = $8, status = $9, section_id = $10, photo_id = $11, seo_title = $12, seo_description = $13,
				source_key = $14, translation_of = $15, published_at = $16, updated_at = $17, embargo_until = $18,
				`+searchColumnsSQL(19)+`, version = version + 1
			WHERE id = $1 AND version = `+fmt.Sprintf("$%d", 19+len(doc.args())),
			append(append([]any{a.ID, a.Slug, a.Headline, a.Deck, a.BodyMarkdown, a.BodyHTML, doc.bodyText, a.Lang, string(a.Status),
				nullID(a.SectionID), nullID(a.PhotoID), a.SEOTitle, a.SEODescription, a.SourceKey, nullID(a.TranslationOf),
				utc(a.PublishedAt), utc(a.UpdatedAt), utc(a.EmbargoUntil)}, doc.args()...), a.Version)...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return news.Stale("article", a.ID, a.Version, before.Version)
		}
		if before.Slug != a.Slug {
			if _, err := tx.Exec(ctx, `
				INSERT INTO article_slugs (slug, article_id) VALUES ($1, $2)
				ON CONFLICT (slug) DO UPDATE SET article_id = EXCLUDED.article_id`, before.Slug, a.ID); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "DELETE FROM article_slugs WHERE slug = $1", a.Slug); err != nil {
				return err
			}
		}
		return setArticleLinks(ctx, tx, a.ID, a)
	}()
	if err != nil {
		return translate(err, what)
	}
	a.Version++
	a.CreatedAt = before.CreatedAt
	t.change.Add(news.StoryChange(before, a))
	return nil
}

// PublishScheduled flips a due scheduled story to published in one
// conditional UPDATE: status, version and time are its WHERE clause, so of
// two schedulers racing on the same story exactly one changes a row.
func (t *txn) PublishScheduled(ctx context.Context, id, version int64, at time.Time) (bool, error) {
	tag, err := t.tx.Exec(ctx, `UPDATE articles SET status = 'published', updated_at = published_at, version = version + 1
		WHERE id = $1 AND status = 'scheduled' AND version = $2 AND published_at <= $3`, id, version, at.UTC())
	if err != nil {
		return false, translate(err, fmt.Sprintf("publish scheduled %d", id))
	}
	if tag.RowsAffected() == 0 {
		return false, nil
	}
	after, err := t.FindArticleByID(ctx, id)
	if err != nil {
		return false, fmt.Errorf("publish scheduled %d: %w", id, err)
	}
	t.change.Add(news.PublishedChange(after))
	return true, nil
}

// DeleteArticle removes a story and everything that hangs off it (former
// slugs, links, revisions, corrections, view counts).
func (t *txn) DeleteArticle(ctx context.Context, id int64) error {
	before, err := t.FindArticleByID(ctx, id)
	if err != nil {
		return fmt.Errorf("delete article %d: %w", id, err)
	}
	if _, err := t.tx.Exec(ctx, "DELETE FROM articles WHERE id = $1", id); err != nil {
		return translate(err, fmt.Sprintf("delete article %d", id))
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

// findArticle loads one story, the one whose id the SQL expression key
// (over the arguments) gives, with its relations, in one round trip: the
// story, its section, its bylines, tags and corrections, and the photos
// of the story and of its bylines' authors, each keyed by the same
// expression, pipelined in one batch. (fill must wait for the stories to
// know their ids; a single read knows the key up front, and a read is one
// round trip less, about 40 µs of the two processes' CPU on PostgreSQL.)
func (db reader) findArticle(ctx context.Context, what string, key storySQL, args ...any) (*news.Article, error) {
	a, err := db.findOne(ctx, key, args)
	if _, pooled := db.q.(retrying); pooled && broken(err) && ctx.Err() == nil {
		a, err = db.findOne(ctx, key, args)
	}
	if err != nil {
		if errors.Is(err, errRelations) {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		return nil, translate(err, what)
	}
	return a, nil
}

// errRelations marks a failure after the story was read (as fill's, its
// error is not translated).
var errRelations = errors.New("relations")

// storySQL is the batch of findOne for a key expression: the story and
// its section, relations and photos. Each is built once per key
// expression, so that the statements' text (and pgx's cache of prepared
// statements, and PostgreSQL's cached plans) is the same for every read.
type storySQL struct{ story, storyLocked, section, relations, photos string }

func newStorySQL(key string) storySQL {
	k := "(" + key + ")"
	story := "SELECT " + articleColumns + " FROM articles a WHERE a.id = " + k
	// A key that is a subquery (a slug's) is computed once in the
	// statements that use it more than once: each use was an InitPlan
	// of its own over articles and article_slugs, which a cached plan
	// locks and starts up at every execution.
	with := ""
	if strings.Contains(key, "SELECT") {
		with, k = "WITH k AS MATERIALIZED (SELECT "+k+" AS id) ", "(SELECT id FROM k)"
	}
	return storySQL{
		story:       story,
		storyLocked: story + " FOR UPDATE",
		section:     "SELECT " + sectionColumns + " FROM sections WHERE id = (SELECT section_id FROM articles WHERE id = (" + key + "))",
		relations:   with + strings.ReplaceAll(relationsSQL, "ANY((SELECT $1::bigint[])::bigint[])", k),
		photos: with + "SELECT " + photoColumns + ` FROM photos WHERE id IN (
			SELECT photo_id FROM articles WHERE id = ` + k + `
			UNION ALL
			SELECT au.photo_id FROM article_authors aa JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = ` + k + `)`,
	}
}

// The key expressions of FindArticleByID, FindArticleBySlug and
// FindArticleBySourceKey: a slug is the story's current one, or else a
// former one.
var (
	byIDSQL        = newStorySQL("$1::bigint")
	bySlugSQL      = newStorySQL("COALESCE((SELECT id FROM articles WHERE slug = $1), (SELECT article_id FROM article_slugs WHERE slug = $1))")
	bySourceKeySQL = newStorySQL("SELECT id FROM articles WHERE source_key = $1")
)

func (db reader) findOne(ctx context.Context, key storySQL, args []any) (*news.Article, error) {
	b := &pgx.Batch{}
	if db.lock {
		b.Queue(key.storyLocked, args...)
	} else {
		b.Queue(key.story, args...)
	}
	b.Queue(key.section, args...)
	b.Queue(key.relations, args...)
	b.Queue(key.photos, args...)
	br := db.q.SendBatch(ctx, b)
	defer br.Close()
	a, err := scanArticle(br.QueryRow())
	if err != nil {
		return nil, err
	}
	list := []*news.Article{a}
	if err := readSections(br, list); err != nil {
		return nil, fmt.Errorf("%w: %w", errRelations, err)
	}
	authors, err := readRelations(br, list, map[int64][]*news.Article{a.ID: list})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errRelations, err)
	}
	photos := map[int64]*news.Photo{}
	if err := readPhotos(br, photos); err != nil {
		return nil, fmt.Errorf("%w: %w", errRelations, err)
	}
	if err := br.Close(); err != nil {
		return nil, fmt.Errorf("%w: %w", errRelations, err)
	}
	setPhotos(list, authors, photos)
	return a, nil
}

// FindArticleByID returns one story with its relations.
func (db reader) FindArticleByID(ctx context.Context, id int64) (*news.Article, error) {
	return db.findArticle(ctx, fmt.Sprintf("find article %d", id), byIDSQL, id)
}

// FindArticleBySlug finds by current slug, or else by former slug.
func (db reader) FindArticleBySlug(ctx context.Context, slug string) (*news.Article, error) {
	return db.findArticle(ctx, fmt.Sprintf("find article %q", slug), bySlugSQL, slug)
}

// FindArticleBySourceKey finds an imported story.
func (db reader) FindArticleBySourceKey(ctx context.Context, key string) (*news.Article, error) {
	if key == "" {
		return nil, fmt.Errorf("find article by source key: %w", notFound("no source key"))
	}
	return db.findArticle(ctx, fmt.Sprintf("find article by source key %q", key), bySourceKeySQL, key)
}

// public adds Article.IsPublicAt(t) as a condition on a: published, its
// time reached, no embargo in force.
func (w *where) public(t time.Time) {
	p := w.arg(t.UTC())
	w.add(fmt.Sprintf(`a.status = 'published' AND a.published_at IS NOT NULL AND a.published_at <= %[1]s
		AND (a.embargo_until IS NULL OR a.embargo_until <= %[1]s)`, p))
}

// where builds a WHERE clause from conditions; args numbers its parameters.
type where struct {
	conds []string
	args  []any
}

// arg adds a parameter and returns its placeholder.
func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return fmt.Sprintf("$%d", len(w.args))
}

func (w *where) add(cond string) { w.conds = append(w.conds, cond) }

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return "TRUE"
	}
	return strings.Join(w.conds, " AND ")
}

// pageLimit applies the store's default and cap.
func pageLimit(limit int) int {
	switch {
	case limit <= 0:
		return 20
	case limit > 1000:
		return 1000
	}
	return limit
}

// FindArticles returns a page of stories and the total that match.
func (db reader) FindArticles(ctx context.Context, f news.ArticleFilter) (out []*news.Article, _ int, _ error) {
	f = f.Simplified()
	w, order, err := filterWhere(f)
	if err != nil {
		return nil, 0, err
	}
	offset := max(f.Offset, 0)
	limit := pageLimit(f.Limit)
	// A list page (section, author, tag) takes its total from the counts
	// the writes keep (story_counts) instead of counting the list, and
	// then reads only the page, for any page number at a cost bounded by
	// the list: see listPlan. (Two statements, so a write committed
	// between them can shift a page by a story; the next render is right.)
	from := "articles a"
	known := -1
	if kind, id, cond, ok := listShape(f); ok && !f.NoTotal {
		if offset == 0 && f.KnownTotal <= 0 {
			// The first page does not depend on the total (it is never
			// read from the other end): both in one round trip.
			list, total, err := db.firstListPage(ctx, f, w, order, limit, kind, id, cond)
			if _, pooled := db.q.(retrying); pooled && broken(err) && ctx.Err() == nil {
				list, total, err = db.firstListPage(ctx, f, w, order, limit, kind, id, cond)
			}
			return list, total, err
		}
		// A total the caller knows is not read again: its statement's
		// planning is half of a list page's server time.
		total, archive := f.KnownTotal, 0
		if total <= 0 {
			total, archive, err = listCount(ctx, db.q, kind, id, cond, f.PublicAt)
			if err != nil {
				return nil, 0, translate(err, "find articles")
			}
		}
		if offset >= total {
			return nil, total, nil
		}
		var reverse, join bool
		offset, limit, reverse, join = listPlan(kind, total, archive, limit, offset)
		if reverse {
			order = reversedOrder(f.Order)
		}
		if join {
			// The list's bylines or tags carry the publication time of
			// the stories that count (migration 0065): the page is a
			// range of their index in the listing's order, less the few
			// embargoed stories; no story is read for it.
			q, args := linksPageSQL(f, kind, id, order, limit, offset)
			rows, err := db.q.Query(ctx, q, args...)
			if err != nil {
				return nil, 0, translate(err, "find articles")
			}
			list, _, err := scanStoryPage(rows)
			if err != nil {
				return nil, 0, translate(err, "find articles")
			}
			if err := db.fill(ctx, list); err != nil {
				return nil, 0, fmt.Errorf("find articles: %w", err)
			}
			if reverse {
				slices.Reverse(list)
			}
			return list, total, nil
		}
		known = total
		defer func() {
			if reverse {
				slices.Reverse(out)
			}
		}()
	}
	// Two steps: pick the page's IDs and the total over narrow rows (an
	// index-only scan for reader listings), then read just the page's
	// stories. count(*) OVER () over whole stories would carry every
	// matching body through the count. A page past the end has no rows to
	// carry the total, so it is counted separately then.
	// NoTotal: no pager needs the count, so skip the window over every match.
	totalSQL := "count(*) OVER ()"
	if f.NoTotal || known >= 0 {
		totalSQL = "-1"
	}
	query, args := pageSQL(columnsFor(f), from, totalSQL, w, order, limit, offset), w.args
	if known >= 0 {
		if query, args, err = sectionPageSQL(f, w, order, limit, offset); err != nil {
			return nil, 0, err
		}
	}
	rows, err := db.q.Query(ctx, query, args...)
	if err != nil {
		return nil, 0, translate(err, "find articles")
	}
	list, total, err := scanStoryPage(rows)
	if err != nil {
		return nil, 0, translate(err, "find articles")
	}
	if known >= 0 {
		total = known
	} else if f.NoTotal && len(list) == 0 {
		total = -1
	} else if len(list) == 0 && offset > 0 {
		if err := db.q.QueryRow(ctx, "SELECT count(*) FROM articles a WHERE "+w.sql(), w.args...).Scan(&total); err != nil {
			return nil, 0, translate(err, "find articles")
		}
	}
	if err := db.fill(ctx, list); err != nil {
		return nil, 0, fmt.Errorf("find articles: %w", err)
	}
	return list, total, nil
}

// filterWhere is f's WHERE clause and ORDER BY.
func filterWhere(f news.ArticleFilter) (where, string, error) {
	var w where
	if !f.PublicAt.IsZero() {
		w.public(f.PublicAt)
	}
	if f.Status != "" {
		if !f.Status.Valid() {
			return where{}, "", fmt.Errorf("find articles: %w", invalid("unknown status %q", f.Status))
		}
		w.add("a.status = " + w.arg(string(f.Status)))
	}
	if f.SectionID != 0 {
		w.add("a.section_id = " + w.arg(f.SectionID))
	}
	if len(f.SectionIDs) > 0 {
		w.add("a.section_id = ANY(" + w.arg(f.SectionIDs) + ")")
	}
	if f.AuthorID != 0 {
		w.add("EXISTS (SELECT 1 FROM article_authors x WHERE x.article_id = a.id AND x.author_id = " + w.arg(f.AuthorID) + ")")
	}
	if f.TagID != 0 {
		w.add("EXISTS (SELECT 1 FROM article_tags x WHERE x.article_id = a.id AND x.tag_id = " + w.arg(f.TagID) + ")")
	}
	if !f.PublishedFrom.IsZero() {
		w.add("a.published_at >= " + w.arg(f.PublishedFrom.UTC()))
	}
	if !f.PublishedTo.IsZero() {
		w.add("a.published_at < " + w.arg(f.PublishedTo.UTC()))
	}
	if len(f.IDs) > 0 {
		w.add("a.id = ANY(" + w.arg(f.IDs) + ")")
	}
	if len(f.ExcludeIDs) > 0 {
		w.add("a.id <> ALL(" + w.arg(f.ExcludeIDs) + ")")
	}
	if f.TranslationOf != 0 {
		w.add("a.translation_of = " + w.arg(f.TranslationOf))
	}
	var order string
	switch f.Order {
	case "", "newest":
		order = "a.published_at DESC NULLS LAST, a.id DESC"
	case "oldest":
		order = oldestOrder(f)
	case "updated":
		order = "COALESCE(a.updated_at, a.created_at) DESC, a.id DESC"
	default:
		return where{}, "", fmt.Errorf("find articles: %w", invalid("unknown order %q", f.Order))
	}
	return w, order, nil
}

// firstListPage reads the first page of a kept list (listShape) and its
// total in one batch: a round trip less for the page most readers see.
func (db reader) firstListPage(ctx context.Context, f news.ArticleFilter, w where, order string, limit, kind int, id any, cond string) ([]*news.Article, int, error) {
	q, args := linksPageSQL(f, kind, id, order, limit, 0)
	if kind == countSection {
		var err error
		if q, args, err = sectionPageSQL(f, w, order, limit, 0); err != nil {
			return nil, 0, err
		}
	}
	b := &pgx.Batch{}
	b.Queue(listCountQuery(kind, cond, id), kind, id, f.PublicAt.UTC())
	b.Queue(q, args...)
	br := db.q.SendBatch(ctx, b)
	defer br.Close()
	var tot, archive int64
	if err := br.QueryRow().Scan(&tot, &archive); err != nil {
		return nil, 0, translate(err, "find articles")
	}
	rows, err := br.Query()
	if err != nil {
		return nil, 0, translate(err, "find articles")
	}
	list, _, err := scanStoryPage(rows)
	if err != nil {
		return nil, 0, translate(err, "find articles")
	}
	if err := br.Close(); err != nil {
		return nil, 0, translate(err, "find articles")
	}
	if err := db.fill(ctx, list); err != nil {
		return nil, 0, fmt.Errorf("find articles: %w", err)
	}
	return list, max(int(tot), 0), nil
}

// scanStoryPage reads a page of story rows, each followed by one integer
// column (the page's total, or -1), and closes rows; the integer is the
// last row's (0 for no row).
func scanStoryPage(rows pgx.Rows) ([]*news.Article, int, error) {
	defer rows.Close()
	var list []*news.Article
	var extra int
	for rows.Next() {
		a, err := scanArticle(extraRow{rows, []any{&extra}})
		if err != nil {
			return nil, 0, err
		}
		list = append(list, a)
	}
	return list, extra, rows.Err()
}

// linksPageSQL reads a page of an author's or tag's list: the list's
// bylines or tags carry the publication time and embargo of the stories
// that count (migrations 0065, 0074), so the page is a range of their
// index in the listing's order, less the few embargoed stories; no story
// is read for it.
func linksPageSQL(f news.ArticleFilter, kind int, id any, order string, limit, offset int) (string, []any) {
	table, col := listLinks(kind)
	var lw where
	p := lw.arg(f.PublicAt.UTC())
	lw.add("l." + col + " = " + lw.arg(id))
	lw.add("l.published_at IS NOT NULL AND l.published_at <= " + p)
	// The embargo is the link's own (migration 0074), not a subquery over
	// articles: the generic plan of that subquery was costed at a third
	// of the table, so each render was planned anew.
	lw.add("(l.embargo_until IS NULL OR l.embargo_until <= " + p + ")")
	lorder := "l.published_at DESC NULLS LAST, l.article_id DESC"
	if order != "a.published_at DESC NULLS LAST, a.id DESC" {
		lorder = "l.published_at ASC NULLS FIRST, l.article_id ASC"
	}
	return idsPageSQL(columnsFor(f),
		`SELECT l.article_id FROM `+table+` l WHERE `+lw.sql()+` ORDER BY `+lorder+fmt.Sprintf(" LIMIT %d OFFSET %d", limit, offset),
		order), lw.args
}

// sectionPageSQL reads a page of a section's list (or of a section and
// its sub-sections), its total known.
func sectionPageSQL(f news.ArticleFilter, w where, order string, limit, offset int) (string, []any, error) {
	if f.SectionID == 0 && len(f.SectionIDs) > 1 {
		return sectionSetPageSQL(f, order, limit, offset)
	}
	return pageSQL(columnsFor(f), "articles a", "-1", w, order, limit, offset), w.args, nil
}

// sectionSetPageSQL reads a page of a section's list with its
// sub-sections (f.SectionIDs, total known): each section's own list, an
// ordered range of articles_section_public, merged (Merge Append) and cut
// at the page, then the page's stories. One statement over the set
// (section_id = ANY) sorts every story of the set for any page: 9.8 ms for
// the middle page of two sections' 25,000 stories at 100,000, 3.0 merged.
func sectionSetPageSQL(f news.ArticleFilter, order string, limit, offset int) (string, []any, error) {
	one := f
	one.SectionIDs = nil
	w, _, err := filterWhere(one)
	if err != nil {
		return "", nil, err
	}
	var arms []string
	for _, id := range f.SectionIDs {
		arms = append(arms, `(SELECT a.id, a.published_at FROM articles a WHERE `+w.sql()+` AND a.section_id = `+w.arg(id)+` ORDER BY `+order+`)`)
	}
	merged := strings.ReplaceAll(order, "a.", "")
	return idsPageSQL(columnsFor(f),
		`SELECT id FROM (`+strings.Join(arms, ` UNION ALL `)+` ORDER BY `+merged+fmt.Sprintf(" LIMIT %d OFFSET %d", limit, offset)+`) x`,
		order), w.args, nil
}

// pageSQL reads a page of stories: their ids (and total) over narrow rows
// first, then just the page's stories.
func pageSQL(cols, from, totalSQL string, w where, order string, limit, offset int) string {
	if totalSQL == "-1" {
		return idsPageSQL(cols, `SELECT a.id FROM `+from+` WHERE `+w.sql()+` ORDER BY `+order+fmt.Sprintf(" LIMIT %d OFFSET %d", limit, offset), order)
	}
	return `WITH page AS (
			SELECT a.id, ` + totalSQL + ` AS total FROM ` + from + `
			WHERE ` + w.sql() + ` ORDER BY ` + order + fmt.Sprintf(" LIMIT %d OFFSET %d", limit, offset) + `
		)
		SELECT ` + cols + `, page.total FROM page JOIN articles a ON a.id = page.id
		ORDER BY ` + order
}

// idsPageSQL reads the stories whose ids the statement ids picks (a page
// of them, in any order), in order, with -1 for the total. The ids are an
// array from an InitPlan, not a CTE joined with articles: PostgreSQL plans
// a list's statement anew for each render, and a join with articles (its
// paths over 12 indexes) took 0.06 ms more of planning than the array's
// index scan of the primary key (10k, psql), for the same plan.
func idsPageSQL(cols, ids, order string) string {
	return `SELECT ` + cols + `, -1 FROM articles a WHERE a.id = ANY(ARRAY(` + ids + `))
		ORDER BY ` + order
}

// FindArticleLists sends every list's page query in one batch, then
// reads the relations of all their stories in one more (fill): the front
// page's section boxes cost two round trips instead of three per box.
func (db reader) FindArticleLists(ctx context.Context, fs []news.ArticleFilter) ([][]*news.Article, error) {
	out, err := db.findLists(ctx, fs)
	if _, pooled := db.q.(retrying); pooled && broken(err) && ctx.Err() == nil {
		out, err = db.findLists(ctx, fs)
	}
	if err != nil {
		return nil, err
	}
	var all []*news.Article
	for _, l := range out {
		all = append(all, l...)
	}
	if err := db.fill(ctx, all); err != nil {
		return nil, fmt.Errorf("find article lists: %w", err)
	}
	return out, nil
}

func (db reader) findLists(ctx context.Context, fs []news.ArticleFilter) ([][]*news.Article, error) {
	b := &pgx.Batch{}
	for _, f := range fs {
		w, order, err := filterWhere(f.Simplified())
		if err != nil {
			return nil, err
		}
		b.Queue(pageSQL(columnsFor(f), "articles a", "-1", w, order, pageLimit(f.Limit), max(f.Offset, 0)), w.args...)
	}
	br := db.q.SendBatch(ctx, b)
	defer br.Close()
	out := make([][]*news.Article, len(fs))
	for i := range fs {
		rows, err := br.Query()
		if err != nil {
			return nil, translate(err, "find article lists")
		}
		if out[i], _, err = scanStoryPage(rows); err != nil {
			return nil, translate(err, "find article lists")
		}
	}
	return out, translate(br.Close(), "find article lists")
}

// DueScheduled returns scheduled stories whose time has come, oldest first.
func (db reader) DueScheduled(ctx context.Context, t time.Time) ([]*news.Article, error) {
	rows, err := db.q.Query(ctx, "SELECT "+articleColumns+` FROM articles a
		WHERE a.status = 'scheduled' AND a.published_at <= $1
		ORDER BY a.published_at, a.id`, t.UTC())
	if err != nil {
		return nil, translate(err, "due scheduled")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*news.Article, error) { return scanArticle(r) })
	if err != nil {
		return nil, translate(err, "due scheduled")
	}
	if err := db.fill(ctx, list); err != nil {
		return nil, fmt.Errorf("due scheduled: %w", err)
	}
	return list, nil
}

// relationsSQL reads the bylines (kind 0), tags (1) and corrections (2)
// of the stories $1. The ids come through an InitPlan ((SELECT $1)), not
// as = ANY($1): PostgreSQL estimates a bound array by its length, so the
// plan for a page of 5 stories looked cheaper than the cached generic plan
// (costed for 10) and was made anew, 0.2 ms of planning, for every render
// of an article, a 404 or a short list; through the InitPlan every
// execution costs the same and the generic plan is kept after the fifth
// [TestRelationsPlanCached]. The plan is the same index scans.
const relationsSQL = `SELECT 0, aa.article_id, aa.position::bigint, au.id, au.slug, au.name, au.email, au.bio, au.title,
		au.photo_id, au.position::bigint, NULL::timestamptz
	FROM article_authors aa JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = ANY((SELECT $1::bigint[])::bigint[])
	UNION ALL
	SELECT 1, at.article_id, 0, t.id, t.slug, t.name, '', '', '', NULL, NULL, NULL
	FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = ANY((SELECT $1::bigint[])::bigint[])
	UNION ALL
	SELECT 2, c.article_id, 0, c.id, c.kind, c.text, '', '', '', c.revision_id, NULL, c.created_at
	FROM corrections c WHERE c.article_id = ANY((SELECT $1::bigint[])::bigint[])`

// fill loads the section, authors, tags, photo and corrections of each
// story: one statement per relation for the whole list, not per story,
// sent together in one round trip (on PostgreSQL a round trip through a
// backend costs more than the few rows of a page). Only bylines whose
// authors have photos the stories do not share take a second one. A
// story may be in the list more than once (FindArticleLists): each copy
// gets relations of its own.
func (db reader) fill(ctx context.Context, list []*news.Article) error {
	if len(list) == 0 {
		return nil
	}
	err := db.fillOnce(ctx, list)
	if _, pooled := db.q.(retrying); pooled && broken(err) && ctx.Err() == nil {
		// As retrying does for single reads: the batch was cut with its
		// connection; fillOnce starts from scratch.
		err = db.fillOnce(ctx, list)
	}
	return err
}

func (db reader) fillOnce(ctx context.Context, list []*news.Article) error {
	ids := make([]int64, 0, len(list))
	byID := make(map[int64][]*news.Article, len(list))
	sectionIDs := map[int64]bool{}
	photos := map[int64]*news.Photo{}
	for _, a := range list {
		if byID[a.ID] == nil {
			ids = append(ids, a.ID)
		}
		byID[a.ID] = append(byID[a.ID], a)
		a.Section, a.Authors, a.Tags, a.Photo, a.Corrections = nil, nil, nil, nil, nil
		if a.SectionID != 0 {
			sectionIDs[a.SectionID] = true
		}
		if a.PhotoID != 0 {
			photos[a.PhotoID] = nil
		}
	}

	b := &pgx.Batch{}
	if len(sectionIDs) > 0 {
		b.Queue("SELECT "+sectionColumns+" FROM sections WHERE id = ANY($1)", keys(sectionIDs))
	}
	// Bylines, tags and corrections in one statement.
	b.Queue(relationsSQL, ids)
	if len(photos) > 0 {
		b.Queue("SELECT "+photoColumns+" FROM photos WHERE id = ANY($1)", photoKeys(photos))
	}
	br := db.q.SendBatch(ctx, b)
	defer br.Close()
	if len(sectionIDs) > 0 {
		if err := readSections(br, list); err != nil {
			return err
		}
	}
	authors, err := readRelations(br, list, byID)
	if err != nil {
		return err
	}
	if len(photos) > 0 {
		if err := readPhotos(br, photos); err != nil {
			return err
		}
	}
	if err := br.Close(); err != nil {
		return err
	}
	more := map[int64]*news.Photo{}
	for _, au := range authors {
		if _, ok := photos[au.PhotoID]; au.PhotoID != 0 && !ok {
			more[au.PhotoID] = nil
		}
	}
	if err := db.loadPhotos(ctx, more); err != nil {
		return err
	}
	for id, p := range more {
		photos[id] = p
	}
	setPhotos(list, authors, photos)
	return nil
}

// readSections reads the next result of br, sections (sectionColumns),
// and gives each story of list a copy of its own.
func readSections(br pgx.BatchResults, list []*news.Article) error {
	rows, err := br.Query()
	if err != nil {
		return err
	}
	sections, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*news.Section, error) { return scanSection(r) })
	if err != nil {
		return err
	}
	bySection := map[int64]*news.Section{}
	for _, s := range sections {
		bySection[s.ID] = s
	}
	for _, a := range list {
		if s := bySection[a.SectionID]; s != nil {
			c := *s
			a.Section = &c
		}
	}
	return nil
}

// readRelations reads the next result of br, relationsSQL's rows, into
// the stories byID (each of list's, by id): bylines in byline order, tags
// by name, corrections by time. It returns the bylines' authors, whose
// photos are still to be set.
func readRelations(br pgx.BatchResults, list []*news.Article, byID map[int64][]*news.Article) ([]*news.Author, error) {
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	type byline struct {
		pos int64
		au  *news.Author
	}
	bylines := map[int64][]byline{}
	// One set of destinations for every row: declared in the loop, each
	// escaped to the heap, twelve allocations a row.
	var (
		kind               int32
		aid, pos, id       int64
		s1, s2, s3, s4, s5 string
		n1, n2             *int64
		at                 *time.Time
	)
	dest := []any{&kind, &aid, &pos, &id, &s1, &s2, &s3, &s4, &s5, &n1, &n2, &at}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return nil, err
		}
		switch kind {
		case 0:
			au := &news.Author{ID: id, Slug: s1, Name: s2, Email: s3, Bio: s4, Title: s5, PhotoID: fromNullID(n1)}
			if n2 != nil {
				au.Position = int(*n2)
			}
			bylines[aid] = append(bylines[aid], byline{pos, au})
		case 1:
			for _, a := range byID[aid] {
				a.Tags = append(a.Tags, &news.Tag{ID: id, Slug: s1, Name: s2})
			}
		case 2:
			for _, a := range byID[aid] {
				a.Corrections = append(a.Corrections, news.Correction{ID: id, ArticleID: aid, Kind: news.CorrectionKind(s1), Text: s2,
					RevisionID: fromNullID(n1), CreatedAt: fromNull(at)})
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var authors []*news.Author
	for aid, bs := range bylines {
		slices.SortFunc(bs, func(x, y byline) int { return cmp.Compare(x.pos, y.pos) })
		for i, a := range byID[aid] {
			for _, b := range bs {
				au := b.au
				if i > 0 {
					c := *au
					au = &c
				}
				a.Authors = append(a.Authors, au)
				authors = append(authors, au)
			}
		}
	}
	for _, a := range list {
		slices.SortFunc(a.Tags, func(x, y *news.Tag) int {
			if c := strings.Compare(x.Name, y.Name); c != 0 {
				return c
			}
			return strings.Compare(x.Slug, y.Slug)
		})
		slices.SortFunc(a.Corrections, func(x, y news.Correction) int {
			if c := x.CreatedAt.Compare(y.CreatedAt); c != 0 {
				return c
			}
			return cmp.Compare(x.ID, y.ID)
		})
	}
	return authors, nil
}

// readPhotos reads the next result of br, photos (photoColumns), into
// the map by id.
func readPhotos(br pgx.BatchResults, photos map[int64]*news.Photo) error {
	rows, err := br.Query()
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

// setPhotos gives each story and byline a copy of its photo.
func setPhotos(list []*news.Article, authors []*news.Author, photos map[int64]*news.Photo) {
	for _, a := range list {
		a.Photo = copyPhoto(photos[a.PhotoID])
	}
	for _, au := range authors {
		au.Photo = copyPhoto(photos[au.PhotoID])
	}
}

func photoKeys(m map[int64]*news.Photo) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// prefixRow scans one leading column (a key) before the rest of a row.
type prefixRow struct {
	rows pgx.Rows
	key  any
}

func (r prefixRow) Scan(dest ...any) error {
	return r.rows.Scan(append([]any{r.key}, dest...)...)
}

func keys(m map[int64]bool) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// errNoRows reports whether err means nothing matched.
func errNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }
