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

// snippetRunes is the length of a search result's quoted text.
const snippetRunes = 240

// phrase is one term as an FTS5 phrase: a quoted string, so nothing a
// reader types is FTS5 syntax; a CJK term is the phrase of its bigrams
// (adjacent, in order: a substring match).
func phrase(t textsearch.Term) string {
	p := `"` + strings.ReplaceAll(strings.Join(t.Tokens, " "), `"`, `""`) + `"`
	if t.Prefix {
		p += "*"
	}
	return p
}

// ftsQuery turns reader terms into an FTS5 MATCH expression: their phrases
// joined with AND.
func ftsQuery(terms []textsearch.Term) string {
	parts := make([]string, 0, len(terms))
	for _, t := range terms {
		parts = append(parts, phrase(t))
	}
	return strings.Join(parts, " AND ")
}

// inColumn is a MATCH expression for the stories of all (an ftsQuery)
// that have sub (an FTS5 expression) in column col. ANDed with all, the
// walk stays within the search's own matches; when sub is all, the column
// filter alone does.
func inColumn(col, sub, all string) string {
	if sub == all {
		return `{` + col + `} : (` + all + `)`
	}
	return `{` + col + `} : (` + sub + `) AND (` + all + `)`
}

// SearchWindow is how many matching stories a search ranks: the most
// recently added ones that contain every word and pass the filters. A
// common word is in most of a large paper (on 100,000 generated stories,
// "korea" is in 71,000): ranking every match took 300-700 ms, the newest
// 1,000 a few milliseconds. For news, the newest thousand matches are where
// readers look; older stories are found with more words or a date or
// section filter (filters apply before the window, so they always reach the
// whole archive). Totals are counted within the window: one more than
// SearchWindow means "more" (news.SearchWindow).
const SearchWindow = news.SearchWindow

// SearchArticles runs a full-text search.
//
// Relevance is in tiers, as on PostgreSQL: a story whose headline has
// every word (2), plus one whose deck has every word (1); within a tier, a
// story with more of the words in its headline comes first, then more in
// its deck, then the newest. Rank is the tier plus a share of that below
// 1, so it stays below the next tier.
//
// It was FTS5's bm25 (weights 10, 4, 1), whose first call in a statement
// counts, for every word, each story in the whole index that has it (the
// word's idf): a walk of the word's entire posting list, 71,000 entries
// for "korea" at 100,000 stories, which was 40 % of a search's CPU and grew
// with the archive while the rest of the search does not. For a word in
// most stories the idf is clamped to a constant anyway, so it ordered
// common words by their count and the story's length only. The tiers come
// from walks of the window's own matches (a column filter ANDed with the
// query, from the window's oldest story on), so a search costs the same at
// any archive size. What is lost is a word's count in the body: among
// stories that have the words only in their body, the newest comes first.
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
	//     index holding every column they need, never the wide story row.
	// The window comes back whole (at most SearchWindow small rows) and is
	// ranked, sorted and paged here.
	all := ftsQuery(terms)
	query := `SELECT a.id, a.published_at
		FROM article_fts CROSS JOIN articles a INDEXED BY articles_card ON a.id = article_fts.rowid
		WHERE article_fts MATCH ? AND ` + where + `
		ORDER BY article_fts.rowid DESC LIMIT ?`
	// One more than the window says whether there are more matches.
	args = append(append([]any{all}, args...), window+1)
	limit, offset := pageBounds(q.Limit, q.Offset)

	type match struct {
		id        int64
		published int64
		rank      float64
	}
	var hits []news.SearchHit
	var total int
	err := db.view(ctx, func(tx *sql.Tx) error {
		c := db.cached(tx)
		rows, err := c.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		var ms []match
		for rows.Next() {
			var m match
			var pub sql.NullInt64
			if err := rows.Scan(&m.id, &pub); err != nil {
				rows.Close()
				return err
			}
			m.published = pub.Int64
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
		if len(ms) > 0 && q.Order != "newest" {
			ids := make([]int64, len(ms))
			for i, m := range ms {
				ids[i] = m.id
			}
			ranks, err := rankWindow(ctx, c, terms, all, ids)
			if err != nil {
				return err
			}
			for i := range ms {
				ms[i].rank = ranks[i]
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
		// The snippet is cut from the rendered body, which is then left
		// out of the hit, as on PostgreSQL (news.ArticleSearcher).
		as, err := selectArticles(ctx, c, htmlSelect+` WHERE a.id `+inIDs, jsonIDs(ids))
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
			snippet := textsearch.Snippet(terms, snippetRunes, textsearch.PlainText(a.BodyHTML), a.Deck)
			a.BodyHTML = ""
			hits = append(hits, news.SearchHit{Article: a, Snippet: snippet, Rank: m.rank})
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("search %q: %w", q.Text, err)
	}
	return hits, total, nil
}

// rankWindow returns the relevance of each story of ids (the window, newest
// first), as SearchArticles describes it. It walks, from the window's
// oldest story on, the matches of all (the search's query) that have each
// word in the headline, and each in the deck: 2n walks of the window's
// matches for n words (two for one word), none of them reading a story
// row or anything outside the window's range of the index.
func rankWindow(ctx context.Context, c queryer, terms []textsearch.Term, all string, ids []int64) ([]float64, error) {
	at := make(map[int64]int, len(ids))
	oldest := ids[0]
	for i, id := range ids {
		at[id] = i
		oldest = min(oldest, id)
	}
	// How many of the words each story's headline and deck have.
	inHead, inDeck := make([]int, len(ids)), make([]int, len(ids))
	walk := func(match string, count []int) error {
		rows, err := c.QueryContext(ctx, `SELECT rowid FROM article_fts WHERE article_fts MATCH ? AND rowid >= ?`, match, oldest)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			if i, ok := at[id]; ok { // not a story filtered out of the window
				count[i]++
			}
		}
		return rows.Err()
	}
	for _, t := range terms {
		sub := phrase(t)
		if len(terms) == 1 {
			sub = all
		}
		if err := walk(inColumn("headline", sub, all), inHead); err != nil {
			return nil, err
		}
		if err := walk(inColumn("deck", sub, all), inDeck); err != nil {
			return nil, err
		}
	}
	// The tier, then the headline's words, then the deck's: h(n+1)+d over
	// (n+1)², below 1.
	n := len(terms)
	ranks := make([]float64, len(ids))
	for i := range ids {
		tier := 0
		if inHead[i] == n {
			tier += 2
		}
		if inDeck[i] == n {
			tier++
		}
		ranks[i] = float64(tier) + float64(inHead[i]*(n+1)+inDeck[i])/float64((n+1)*(n+1))
	}
	return ranks, nil
}
