package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"masthead/internal/news"
	"masthead/internal/textsearch"
)

// nameWhere is the condition of textsearch.NamePatterns on col: each word
// one of its patterns, on the lower-cased name.
func nameWhere(col string, pats [][]string, args *[]any) string {
	var conds []string
	for _, alts := range pats {
		var or []string
		for _, p := range alts {
			*args = append(*args, p)
			or = append(or, fmt.Sprintf(`lower(%s) LIKE $%d ESCAPE '\'`, col, len(*args)))
		}
		conds = append(conds, "("+strings.Join(or, " OR ")+")")
	}
	return strings.Join(conds, " AND ")
}

// SearchNames finds sections, authors and tags by name.
func (db reader) SearchNames(ctx context.Context, q news.NameQuery) (news.NameHits, error) {
	var hits news.NameHits
	pats := textsearch.NamePatterns(q.Text)
	if len(pats) == 0 {
		return hits, nil
	}
	limit := q.Limit
	if limit <= 0 || limit > 100 {
		limit = 5
	}
	// A name with a public story: its bylines or tags carry the story's
	// publication time and embargo while it is published (migrations
	// 0065, 0074), so the test is a range of their listing index. The
	// join with articles was planned anew on every search (its 12
	// indexes): 0.23 ms of bind for the tags' 0.09 of execution at 10k.
	public := func(link, col string, args *[]any) string {
		if q.PublicAt.IsZero() {
			return ""
		}
		*args = append(*args, q.PublicAt.UTC())
		p := fmt.Sprintf("$%d", len(*args))
		return ` AND EXISTS (SELECT 1 FROM ` + link + ` x WHERE x.` + col +
			` AND x.published_at IS NOT NULL AND x.published_at <= ` + p +
			` AND (x.embargo_until IS NULL OR x.embargo_until <= ` + p + `))`
	}
	// The three lists go in one batch: one round trip, not three.
	send := func() error {
		return db.q.SendBatch(ctx, nameBatch(&hits, pats, limit, public)).Close()
	}
	err := send()
	if _, pooled := db.q.(retrying); pooled && broken(err) && ctx.Err() == nil {
		hits = news.NameHits{} // a batch cut with its connection is sent again
		err = send()
	}
	if err != nil {
		return news.NameHits{}, translate(err, "search names")
	}
	return hits, nil
}

// nameBatch is SearchNames' three statements, filling hits.
func nameBatch(hits *news.NameHits, pats [][]string, limit int, public func(link, col string, args *[]any) string) *pgx.Batch {
	b := &pgx.Batch{}
	var args []any
	where := nameWhere("name", pats, &args)
	b.Queue("SELECT "+sectionColumns+" FROM sections WHERE "+where+fmt.Sprintf(" ORDER BY position, name, id LIMIT %d", limit), args...).Query(func(rows pgx.Rows) error {
		var err error
		hits.Sections, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*news.Section, error) { return scanSection(r) })
		return translate(err, "search section names")
	})
	args = nil
	where = nameWhere("au.name", pats, &args)
	where += public("article_authors", "author_id = au.id", &args)
	b.Queue("SELECT "+authorColumns+" FROM authors au WHERE "+where+fmt.Sprintf(" ORDER BY au.position, au.name, au.id LIMIT %d", limit), args...).Query(func(rows pgx.Rows) error {
		var err error
		hits.Authors, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*news.Author, error) { return scanAuthor(r) })
		return translate(err, "search author names")
	})
	args = nil
	where = nameWhere("t.name", pats, &args)
	where += public("article_tags", "tag_id = t.id", &args)
	b.Queue("SELECT t.id, t.slug, t.name FROM tags t WHERE "+where+fmt.Sprintf(" ORDER BY t.name, t.slug LIMIT %d", limit), args...).Query(func(rows pgx.Rows) error {
		var err error
		hits.Tags, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*news.Tag, error) {
			var t news.Tag
			return &t, r.Scan(&t.ID, &t.Slug, &t.Name)
		})
		return translate(err, "search tag names")
	})
	return b
}
