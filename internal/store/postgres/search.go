package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"golang.org/x/text/unicode/norm"

	"masthead/internal/news"
	"masthead/internal/textsearch"
)

// Search indexes each story twice over: its words with the 'english'
// configuration (stemmed: missiles finds missile) and the bigrams of its CJK
// runs with 'simple' (북한은 → 북한 한은, so 북한 finds 북한은 and 북한의,
// which no whole-word tokenizer does). Headline, deck and body are weighted
// A, B and C. The store builds the vector from parameters on every write,
// so the index is always in step with the story.

// document is what the index is built from.
type document struct {
	bodyText                  string
	headline, deck, body      string // for 'english'
	headCJK, deckCJK, bodyCJK string // bigrams, for 'simple'
}

func searchDocument(a *news.Article) document {
	body := textsearch.PlainText(a.BodyHTML)
	if body == "" {
		body = strings.Join(strings.Fields(a.BodyMarkdown), " ")
	}
	d := document{bodyText: body}
	d.headline, d.headCJK = split(a.Headline)
	d.deck, d.deckCJK = split(a.Deck)
	d.body, d.bodyCJK = split(body)
	return d
}

// split returns the NFC text (for 'english') and just its CJK bigrams (for
// 'simple': Latin words are already in the English half).
func split(s string) (string, string) {
	s = norm.NFC.String(s)
	var cjk []string
	for _, f := range strings.Fields(textsearch.IndexText(s)) {
		for _, r := range f {
			if textsearch.IsCJK(r) {
				cjk = append(cjk, f)
				break
			}
		}
	}
	return s, strings.Join(cjk, " ")
}

func (d document) args() []any {
	return []any{d.headline, d.headCJK, d.deck, d.deckCJK, d.body, d.bodyCJK}
}

// searchVectorSQL is the tsvector expression over the six parameters of
// document.args starting at $n.
func searchVectorSQL(n int) string {
	return fieldVectorSQL(n, 'A') + " || " + fieldVectorSQL(n+2, 'B') + " || " + fieldVectorSQL(n+4, 'C')
}

// fieldVectorSQL is one field's part of the vector: its English words
// ($n) and its CJK bigrams ($n+1), with the field's weight.
func fieldVectorSQL(n int, weight byte) string {
	return fmt.Sprintf(`setweight(to_tsvector('english'::regconfig, $%d::text), '%c') || setweight(to_tsvector('simple'::regconfig, $%d::text), '%c')`,
		n, weight, n+1, weight)
}

// searchColumnsSQL sets the three search columns from the parameters of
// document.args starting at $n (for an UPDATE's SET list).
func searchColumnsSQL(n int) string {
	return "search = " + searchVectorSQL(n) + ", search_head = " + fieldVectorSQL(n, 'A') + ", search_deck = " + fieldVectorSQL(n+2, 'B')
}

// tsquery builds the query from the reader's words: Latin words through
// plainto_tsquery('english') (stemmed, stop words dropped, no syntax), each
// CJK word as the phrase of its bigrams in 'simple' (a single character as
// a prefix). Every word must match. ok is false when nothing is left to
// search for.
func tsquery(w *where, terms []textsearch.Term) (expr string, ok bool) {
	var latin []string
	var cjk []string
	for _, t := range terms {
		if !t.CJK {
			latin = append(latin, t.Text)
			continue
		}
		toks := make([]string, len(t.Tokens))
		for i, tok := range t.Tokens {
			toks[i] = quoteLexeme(tok)
			if t.Prefix {
				toks[i] += ":*"
			}
		}
		cjk = append(cjk, "("+strings.Join(toks, " <-> ")+")")
	}
	var parts []string
	if len(latin) > 0 {
		parts = append(parts, "plainto_tsquery('english'::regconfig, "+w.arg(strings.Join(latin, " "))+"::text)")
	}
	if len(cjk) > 0 {
		parts = append(parts, "to_tsquery('simple'::regconfig, "+w.arg(strings.Join(cjk, " & "))+"::text)")
	}
	if len(parts) == 0 {
		return "", false
	}
	return strings.Join(parts, " && "), true
}

// quoteLexeme quotes a token for to_tsquery so that nothing in it is read as
// query syntax.
func quoteLexeme(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// SearchWindow is how many matching stories a search ranks: the newest
// (by published_at, then id) that contain every word and pass the filters.
// Ranking reads each match's vectors, and a common word is in a third of a
// large paper: measured on 100,000 generated stories, ranking and counting
// all 30,000 matches of one word took 200 ms at the median and a second at
// p95. For news, the newest thousand matches are where readers look; older
// stories are found with more words or a date, section or author filter
// (filters apply before the window, so they reach the whole archive).
// Totals are counted within the window, so they are at most SearchWindow.
// The SQLite store has the same window and the same cap.
const SearchWindow = 1000

// SearchArticles finds stories by words. Relevance puts a story whose
// headline has every word above one whose deck has them, above one with
// them only in the body; ts_rank orders within each tier.
func (db *DB) SearchArticles(ctx context.Context, q news.SearchQuery) ([]news.SearchHit, int, error) {
	terms := textsearch.Terms(q.Text)
	var w where
	tq, ok := tsquery(&w, terms)
	if !ok {
		return nil, 0, nil
	}
	if !q.PublicAt.IsZero() {
		w.public(q.PublicAt)
	}
	if q.SectionID != 0 {
		w.add("a.section_id = " + w.arg(q.SectionID))
	}
	if q.AuthorID != 0 {
		w.add("EXISTS (SELECT 1 FROM article_authors x WHERE x.article_id = a.id AND x.author_id = " + w.arg(q.AuthorID) + ")")
	}
	if !q.From.IsZero() {
		w.add("a.published_at >= " + w.arg(q.From.UTC()))
	}
	if !q.To.IsZero() {
		w.add("a.published_at < " + w.arg(q.To.UTC()))
	}
	w.add("a.search @@ q.q")
	window := db.searchWindow
	if window <= 0 {
		window = SearchWindow
	}
	offset := max(q.Offset, 0)
	limit := pageLimit(q.Limit)
	// The tier (2 headline, 1 deck) comes from the small per-field vectors;
	// ts_rank (normalised to [0, 1)) orders within a tier.
	const rankSQL = `(CASE WHEN a.search_head @@ q.q THEN 2 ELSE 0 END) +
		(CASE WHEN a.search_deck @@ q.q THEN 1 ELSE 0 END) + ts_rank(a.search, q.q, 32)`
	var order string
	inner := "0::float8"
	switch q.Order {
	case "", "relevance":
		order = "rank DESC, published_at DESC NULLS LAST, id DESC"
		inner = rankSQL
	case "newest":
		order = "published_at DESC NULLS LAST, id DESC"
	default:
		return nil, 0, fmt.Errorf("search: %w", invalid("unknown order %q", q.Order))
	}
	// Three steps, each on as few rows as it can:
	//   - win: the GIN index finds the matches, the filters drop what the
	//     reader may not see, and a top-N sort on (published_at, id) keeps
	//     the newest `window` of them. This reads no vector a match does
	//     not need rechecked, and the sort holds narrow rows only.
	//     MATERIALIZED keeps the planner from merging it into the ranking
	//     and ranking every match again;
	//   - page: rank the window (its vectors are read here, at most
	//     `window` of them), count it, keep one page;
	//   - read the page's stories.
	win := fmt.Sprintf(`win AS MATERIALIZED (
			SELECT a.id, a.published_at FROM articles a, q
			WHERE %s
			ORDER BY a.published_at DESC NULLS LAST, a.id DESC LIMIT %d
		)`, w.sql(), window)
	sql := `WITH q AS (SELECT ` + tq + ` AS q), ` + win + `,
		page AS (
			SELECT win.id, win.published_at, ` + inner + ` AS rank, count(*) OVER () AS total
			FROM win JOIN articles a ON a.id = win.id, q
			ORDER BY ` + strings.NewReplacer("published_at", "win.published_at", "id DESC", "win.id DESC").Replace(order) + fmt.Sprintf(" LIMIT %d OFFSET %d", limit, offset) + `
		)
		SELECT ` + articleColumns + `, a.body_text, ` + rankSQL + ` AS rank, page.total
		FROM page JOIN articles a ON a.id = page.id, q
		ORDER BY ` + strings.NewReplacer("published_at", "page.published_at", "id DESC", "page.id DESC", "rank DESC", "page.rank DESC").Replace(order)
	var (
		hits  []news.SearchHit
		list  []*news.Article
		total int
	)
	err := pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		// The planner prices @@ as cheap and, for a common word, prefers
		// reading the whole table, which unpacks every story's TOASTed
		// vector: measured 10 s against 1 s through the GIN index for a
		// word in 30,000 of 100,000 stories. The index is always the
		// better road for a search, so the table scan is ruled out.
		if _, err := tx.Exec(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, sql, w.args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var (
				body string
				rank float64
			)
			a, err := scanArticle(extraRow{rows, []any{&body, &rank, &total}})
			if err != nil {
				rows.Close()
				return err
			}
			hits = append(hits, news.SearchHit{Article: a, Rank: rank, Snippet: textsearch.Snippet(terms, 0, body, a.Deck)})
			list = append(list, a)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(hits) == 0 && offset > 0 {
			// A page past the end: count the window on its own.
			return tx.QueryRow(ctx, "WITH q AS (SELECT "+tq+" AS q), "+win+" SELECT count(*) FROM win", w.args...).Scan(&total)
		}
		return nil
	})
	if err != nil {
		return nil, 0, translate(err, "search")
	}
	if err := db.fill(ctx, list); err != nil {
		return nil, 0, fmt.Errorf("search: %w", err)
	}
	return hits, total, nil
}

// extraRow scans an article row followed by more columns.
type extraRow struct {
	rows  pgx.Rows
	extra []any
}

func (r extraRow) Scan(dest ...any) error { return r.rows.Scan(append(dest, r.extra...)...) }
