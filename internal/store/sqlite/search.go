package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"masthead/internal/news"
	"masthead/internal/textsearch"
)

// Column weights for bm25: a word in the headline counts ten times a word
// in the body, one in the deck four times. The order of the values follows
// the columns of article_fts (headline, deck, body).
const bm25Weights = `10.0, 4.0, 1.0`

// snippetRunes is the length of a search result's quoted text.
const snippetRunes = 240

// ftsQuery turns reader terms into an FTS5 MATCH expression. Every token is
// a quoted string, so nothing a reader types is FTS5 syntax; a CJK term is
// the phrase of its bigrams (adjacent, in order: a substring match); terms
// are joined with AND.
func ftsQuery(terms []textsearch.Term) string {
	parts := make([]string, 0, len(terms))
	for _, t := range terms {
		p := `"` + strings.ReplaceAll(strings.Join(t.Tokens, " "), `"`, `""`) + `"`
		if t.Prefix {
			p += "*"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " AND ")
}

// SearchArticles runs a full-text search.
func (db *DB) SearchArticles(ctx context.Context, q news.SearchQuery) ([]news.SearchHit, int, error) {
	terms := textsearch.Terms(q.Text)
	if len(terms) == 0 {
		return nil, 0, nil
	}
	where, args := articleWhere(news.ArticleFilter{PublicAt: q.PublicAt, SectionID: q.SectionID, AuthorID: q.AuthorID,
		PublishedFrom: q.From, PublishedTo: q.To})
	args = append([]any{ftsQuery(terms)}, args...)
	// CROSS JOIN makes SQLite run the full-text match first and look each
	// match up in articles by primary key. Left to itself the planner may
	// walk the public stories by index and run the match once per story,
	// which is hundreds of times slower on a large paper.
	from := ` FROM article_fts CROSS JOIN articles a ON a.id = article_fts.rowid WHERE article_fts MATCH ? AND ` + where
	order := `score, a.published_at DESC, a.id DESC`
	if q.Order == "newest" {
		order = `a.published_at DESC NULLS LAST, a.id DESC`
	}
	limit, offset := pageBounds(q.Limit, q.Offset)

	var hits []news.SearchHit
	var total int
	err := db.view(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT count(*)`+from, args...).Scan(&total); err != nil {
			return err
		}
		if offset >= total {
			return nil
		}
		rows, err := tx.QueryContext(ctx, `SELECT a.id, bm25(article_fts, `+bm25Weights+`) AS score`+from+
			` ORDER BY `+order+` LIMIT ? OFFSET ?`, append(args, limit, offset)...)
		if err != nil {
			return err
		}
		var ids []any
		rank := map[int64]float64{}
		for rows.Next() {
			var id int64
			var score float64
			if err := rows.Scan(&id, &score); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
			rank[id] = -score // bm25 is lower-is-better; Rank is higher-is-better
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		as, err := selectArticles(ctx, tx, `SELECT `+articleCols+` FROM articles a WHERE a.id IN (`+placeholders(len(ids))+`)`, ids...)
		if err != nil {
			return err
		}
		byID := make(map[int64]*news.Article, len(as))
		for _, a := range as {
			byID[a.ID] = a
		}
		for _, id := range ids {
			a := byID[id.(int64)]
			if a == nil {
				continue
			}
			hits = append(hits, news.SearchHit{
				Article: a,
				Snippet: textsearch.Snippet(terms, snippetRunes, textsearch.PlainText(a.BodyHTML), a.Deck),
				Rank:    rank[a.ID],
			})
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("search %q: %w", q.Text, err)
	}
	return hits, total, nil
}
