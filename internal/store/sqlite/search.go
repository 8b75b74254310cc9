package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
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

// rankQuery is ftsQuery without phrases: a CJK term becomes the AND of its
// bigrams. It matches a superset of ftsQuery, so every story in the window
// gets a score. Ranking uses it because bm25 first counts, for each phrase,
// every story that contains it (its idf); for a phrase that means checking
// positions in every story holding its bigrams, which for a common Korean
// word (북한의) was most of a search's time. Counting single tokens only
// reads posting lists.
func rankQuery(terms []textsearch.Term) string {
	parts := make([]string, 0, len(terms))
	for _, t := range terms {
		for _, tok := range t.Tokens {
			p := `"` + strings.ReplaceAll(tok, `"`, `""`) + `"`
			if t.Prefix {
				p += "*"
			}
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " AND ")
}

// SearchWindow is how many matching stories a search ranks: the most
// recently added ones that contain every word and pass the filters. Ranking
// costs a bm25 score per story, and a common word is in most of a large
// paper: measured on 100,000 generated stories, scoring every match of one
// common word took 300-700 ms, scoring the newest 1,000 a few milliseconds.
// For news, the newest thousand matches are where readers look; older stories
// are found with more words or a date or section filter (filters apply
// before the window, so they always reach the whole archive). Totals are
// counted within the window: one more than SearchWindow means "more"
// (news.SearchWindow).
const SearchWindow = news.SearchWindow

// SearchArticles runs a full-text search.
func (db *DB) SearchArticles(ctx context.Context, q news.SearchQuery) ([]news.SearchHit, int, error) {
	terms := textsearch.Terms(q.Text)
	if len(terms) == 0 || textsearch.OnlyStopwords(terms) {
		// Stop words alone ("the") find nothing, as on PostgreSQL, whose
		// index leaves them out: the page says why.
		return nil, 0, nil
	}
	where, args := articleWhere(news.ArticleFilter{PublicAt: q.PublicAt, SectionID: q.SectionID, AuthorID: q.AuthorID,
		PublishedFrom: q.From, PublishedTo: q.To})
	window := db.searchWindow
	if window <= 0 {
		window = SearchWindow
	}
	// The plan, and why it is fast at any size:
	//   - article_fts is the outer loop (CROSS JOIN fixes the order), walked
	//     in descending rowid (= story id, newest first), which FTS5 does
	//     natively, so LIMIT stops the walk after `window` stories pass;
	//   - each match is checked against the filters in articles_card, an
	//     index holding every column they need, never the wide story row;
	//   - bm25 is computed only when ranking by relevance, only for the
	//     stories in the window.
	// The window comes back whole (at most SearchWindow small rows) and is
	// sorted and paged here.
	// Without phrases, bm25 is cheap enough to compute in the window's own
	// walk; with them (CJK words of three or more characters) the window
	// is scored by a second, phrase-free statement (see rankQuery).
	phrases := false
	for _, t := range terms {
		phrases = phrases || len(t.Tokens) > 1
	}
	relevance := q.Order != "newest"
	score := `0.0`
	if relevance && !phrases {
		score = `bm25(article_fts, ` + bm25Weights + `)`
	}
	query := `SELECT a.id, a.published_at, ` + score + `
		FROM article_fts CROSS JOIN articles a INDEXED BY articles_card ON a.id = article_fts.rowid
		WHERE article_fts MATCH ? AND ` + where + `
		ORDER BY article_fts.rowid DESC LIMIT ?`
	// One more than the window says whether there are more matches.
	args = append(append([]any{ftsQuery(terms)}, args...), window+1)
	limit, offset := pageBounds(q.Limit, q.Offset)

	type match struct {
		id        int64
		published int64
		rank      float64
	}
	var hits []news.SearchHit
	var total int
	err := db.view(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		var ms []match
		for rows.Next() {
			var m match
			var pub sql.NullInt64
			var score float64
			if err := rows.Scan(&m.id, &pub, &score); err != nil {
				rows.Close()
				return err
			}
			m.published = pub.Int64
			m.rank = -score // bm25 is lower-is-better; Rank is higher-is-better
			ms = append(ms, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		total = len(ms)
		if len(ms) > window {
			ms = ms[:window] // the oldest, the walk being newest first
		}
		if len(ms) > 0 && relevance && phrases {
			// Score the window: the stories from its oldest id on that
			// match the phrase-free query, bm25 for each, kept for the
			// window's stories only.
			inWindow := make(map[int64]int, len(ms))
			oldest := ms[0].id
			for i, m := range ms {
				inWindow[m.id] = i
				oldest = min(oldest, m.id)
			}
			rows, err := tx.QueryContext(ctx, `SELECT rowid, bm25(article_fts, `+bm25Weights+`) FROM article_fts
				WHERE article_fts MATCH ? AND rowid >= ?`, rankQuery(terms), oldest)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id int64
				var score float64
				if err := rows.Scan(&id, &score); err != nil {
					rows.Close()
					return err
				}
				if i, ok := inWindow[id]; ok {
					ms[i].rank = -score // bm25 is lower-is-better; Rank is higher-is-better
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		newest := func(a, b match) int {
			if c := cmp.Compare(b.published, a.published); c != 0 {
				return c
			}
			return cmp.Compare(b.id, a.id)
		}
		if q.Order == "newest" {
			slices.SortFunc(ms, newest)
		} else {
			slices.SortFunc(ms, func(a, b match) int {
				if c := cmp.Compare(b.rank, a.rank); c != 0 {
					return c
				}
				return newest(a, b)
			})
		}
		if offset >= len(ms) {
			return nil
		}
		ms = ms[offset:min(len(ms), offset+limit)]
		ids := make([]int64, len(ms))
		for i, m := range ms {
			ids[i] = m.id
		}
		as, err := selectArticles(ctx, db.cached(tx), articleSelect+` WHERE a.id `+inIDs, jsonIDs(ids))
		if err != nil {
			return err
		}
		byID := make(map[int64]*news.Article, len(as))
		for _, a := range as {
			byID[a.ID] = a
		}
		for _, m := range ms {
			a := byID[m.id]
			if a == nil {
				continue
			}
			hits = append(hits, news.SearchHit{
				Article: a,
				Snippet: textsearch.Snippet(terms, snippetRunes, textsearch.PlainText(a.BodyHTML), a.Deck),
				Rank:    m.rank,
			})
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("search %q: %w", q.Text, err)
	}
	return hits, total, nil
}
