package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

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
// search for. loose asks for the CJK bigrams anywhere (AND, not a phrase):
// a superset the GIN index answers without reading any story's vector.
func tsquery(w *where, terms []textsearch.Term, loose bool) (expr string, ok bool) {
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
		op := " <-> "
		if loose {
			op = " & "
		}
		cjk = append(cjk, "("+strings.Join(toks, op)+")")
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
// The SQLite store has the same window and the same cap; one more than
// SearchWindow means "more" (news.SearchWindow).
const SearchWindow = news.SearchWindow

// SearchArticles finds stories by words. Relevance puts a story whose
// headline has every word above one whose deck has them, above one with
// them only in the body; ts_rank orders within each tier.
func (db *DB) SearchArticles(ctx context.Context, q news.SearchQuery) ([]news.SearchHit, int, error) {
	terms := textsearch.Terms(q.Text)
	var w where
	// A CJK word of three or more characters is a phrase of bigrams. The
	// GIN index cannot check a phrase (it has no positions), so every
	// candidate's whole vector is read to recheck it: 270 ms for a word in
	// 2,282 stories. Phrases are found loosely first (the bigrams anywhere,
	// which the index answers alone) and checked as phrases only newest
	// first until the window is full (see searchWindowIDs).
	phrases := false
	for _, t := range terms {
		phrases = phrases || (t.CJK && len(t.Tokens) > 1)
	}
	tq, ok := tsquery(&w, terms, phrases)
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
	// The query is written out, not taken from a CTE, so that the planner
	// sees its words and estimates how many stories have them.
	w.add("a.search @@ (" + tq + ")")
	strict := ""
	exact := tq // the words as the reader means them, for the tiers
	if phrases {
		// Its parameters come after the filters'; it is used only in the
		// window's outer query.
		strict, _ = tsquery(&w, terms, false)
		exact = strict
	}
	// The tier (2 headline, 1 deck) comes from the small per-field
	// vectors, stored in the row: the window's statement reads it for
	// free while it has the row in hand.
	tier := "(CASE WHEN a.search_head @@ (" + exact + ") THEN 2 ELSE 0 END) + (CASE WHEN a.search_deck @@ (" + exact + ") THEN 1 ELSE 0 END)"
	window := db.searchWindow
	if window <= 0 {
		window = SearchWindow
	}
	offset := max(q.Offset, 0)
	limit := pageLimit(q.Limit)

	// The page: rank the window's stories, keep one page, read its
	// stories. ts_rank (normalised to [0, 1), so it never lifts a story
	// into a higher tier) orders within a tier but must unpack the story's
	// whole TOASTed vector: 36 ms for a window of 1,000. So only the
	// stories from the lowest tier the page can reach are ranked: that of
	// the (offset+limit)-th story in tier order (floor). Stories below it
	// cannot outrank those at or above it, of which there are enough to
	// fill the page. The window's order (pos) is newest first, the order
	// within equal ranks.
	const rankSQL = `(CASE WHEN a.search_head @@ q.q THEN 2 ELSE 0 END) +
		(CASE WHEN a.search_deck @@ q.q THEN 1 ELSE 0 END) + ts_rank(a.search, q.q, 32)`
	var pw where
	ptq, _ := tsquery(&pw, terms, false)
	// The window's ids, its tiers and the floor are set below.
	idsAt := len(pw.args)
	idsArg := pw.arg(nil)
	var pageSQL string
	newest := false
	switch q.Order {
	case "", "relevance":
		tiersArg, floorArg := pw.arg(nil), pw.arg(nil)
		pageSQL = `WITH q AS (SELECT ` + ptq + ` AS q),
		t AS (
			SELECT * FROM unnest(` + idsArg + `::bigint[], ` + tiersArg + `::int[]) WITH ORDINALITY AS t(id, tier, pos)
			WHERE t.tier >= ` + floorArg + `::int
		),
		page AS (
			SELECT t.id, t.pos, t.tier + ts_rank(a.search, q.q, 32) AS rank
			FROM t JOIN articles a ON a.id = t.id, q
			ORDER BY rank DESC, t.pos` + fmt.Sprintf(" LIMIT %d OFFSET %d", limit, offset) + `
		)
		SELECT ` + articleColumns + `, a.body_text, page.rank
		FROM page JOIN articles a ON a.id = page.id
		ORDER BY page.rank DESC, page.pos`
	case "newest":
		// The window is already in this order: the page is a slice of it.
		newest = true
		pageSQL = `WITH q AS (SELECT ` + ptq + ` AS q)
		SELECT ` + articleColumns + `, a.body_text, ` + rankSQL + ` AS rank
		FROM articles a, q
		WHERE a.id = ANY(` + idsArg + `::bigint[])
		ORDER BY a.published_at DESC NULLS LAST, a.id DESC`
	default:
		return nil, 0, fmt.Errorf("search: %w", invalid("unknown order %q", q.Order))
	}

	var (
		hits  []news.SearchHit
		list  []*news.Article
		ids   []int64
		tiers []int32
		more  bool
	)
	err := pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		// Finding the window, the GIN index must give the matches and a
		// sort keep the newest; walking a published_at index instead and
		// testing @@ on each story unpacks every story's TOASTed vector
		// (measured 10 s against 1 s for a word in 30,000 of 100,000
		// stories with a table scan, 400 ms against 30 ms for a window
		// with an index walk). The planner prices @@ as cheap and takes
		// those roads, so they are ruled out; custom plans let it see the
		// words and the cutoff rather than guess.
		for _, set := range []string{"enable_seqscan = off", "enable_indexscan = off", "plan_cache_mode = force_custom_plan"} {
			if _, err := tx.Exec(ctx, "SET LOCAL "+set); err != nil {
				return err
			}
		}
		var err error
		// One more than the window says whether there are more matches.
		if ids, tiers, err = db.searchWindowIDs(ctx, tx, w, tier, window+1, strict); err != nil {
			return err
		}
		if len(ids) > window {
			more = true
			ids, tiers = ids[:window], tiers[:window] // the oldest goes
		}
		if len(ids) == 0 || offset >= len(ids) {
			return nil
		}
		floor := int32(0)
		if need := offset + limit; len(tiers) >= need {
			sorted := slices.Clone(tiers)
			slices.Sort(sorted)
			floor = sorted[len(sorted)-need]
		}
		args := slices.Clone(pw.args)
		if newest {
			args[idsAt] = ids[offset:min(len(ids), offset+limit)]
		} else {
			args[idsAt], args[idsAt+1], args[idsAt+2] = ids, tiers, floor
		}
		rows, err := tx.Query(ctx, pageSQL, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var (
				body string
				rank float64
			)
			a, err := scanArticle(extraRow{rows, []any{&body, &rank}})
			if err != nil {
				rows.Close()
				return err
			}
			hits = append(hits, news.SearchHit{Article: a, Rank: rank, Snippet: textsearch.Snippet(terms, 0, body, a.Deck)})
			list = append(list, a)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, translate(err, "search")
	}
	if err := db.fill(ctx, list); err != nil {
		return nil, 0, fmt.Errorf("search: %w", err)
	}
	if more {
		return hits, window + 1, nil
	}
	return hits, len(ids), nil
}

// searchWindowIDs returns the ids of the newest `window` stories that pass
// w (words and filters).
//
// The GIN index finds every story with the words, and each must then be
// read from the table for its time and the filters: for a word in 47,000
// of 100,000 stories that is 20,000 table pages, most of a search's time.
// But the newest thousand of them are among the newest few thousand
// stories, so the search first asks only for stories from a cutoff on
// (the time of the 4·window-th newest story): the published_at index
// then narrows the GIN matches before the table is read (a BitmapAnd;
// measured 1,800 pages instead of 20,000). When fewer than `window` pass,
// older stories could belong in the window, so it tries again without
// the cutoff. Rarer words pay a second, small index scan. (A middle try,
// 32·window back, cost more than it saved: walking 32,000 index entries
// to find its cutoff took 5 ms, more than most three-word searches.)
//
// With strict (the phrase query, for a search with CJK phrases; w then
// matches loosely) there is no cutoff: the planner guesses phrases to be
// very rare (2 stories for one in 2,282) and would not narrow by it. The
// loose matches are sorted newest first and each is checked against the
// phrase until the window is full, so at most a window's worth and the
// misses among them have their vectors read.
//
// It returns each story's tier too (tier is its SQL over a).
func (db *DB) searchWindowIDs(ctx context.Context, tx pgx.Tx, w where, tier string, window int, strict string) ([]int64, []int32, error) {
	narrow := strict == ""
	for try := 0; ; try++ {
		var cutoff *time.Time
		if narrow && try == 0 {
			if err := cutoffAt(ctx, tx, 4*window, &cutoff); err != nil {
				return nil, nil, err
			}
		}
		cw := where{conds: slices.Clone(w.conds), args: slices.Clone(w.args)}
		if cutoff != nil {
			cw.add("a.published_at >= " + cw.arg(*cutoff))
		}
		sql := fmt.Sprintf(`SELECT a.id, %s FROM articles a WHERE %s
			ORDER BY a.published_at DESC NULLS LAST, a.id DESC LIMIT %d`, tier, cw.sql(), window)
		if strict != "" {
			// ts_match_vq is @@ spelled so that the planner does not take
			// it to the index; OFFSET 0 keeps the loose matches' sort
			// apart, so the join walks them in order and stops early.
			sql = fmt.Sprintf(`SELECT c.id, %s FROM (
					SELECT a.id, a.published_at FROM articles a WHERE %s
					ORDER BY a.published_at DESC NULLS LAST, a.id DESC OFFSET 0
				) c JOIN articles a ON a.id = c.id
				WHERE ts_match_vq(a.search, %s)
				ORDER BY c.published_at DESC NULLS LAST, c.id DESC LIMIT %d`, tier, cw.sql(), strict, window)
		}
		rows, err := tx.Query(ctx, sql, cw.args...)
		if err != nil {
			return nil, nil, err
		}
		var (
			ids   []int64
			tiers []int32
			id    int64
			t     int32
		)
		_, err = pgx.ForEachRow(rows, []any{&id, &t}, func() error {
			ids, tiers = append(ids, id), append(tiers, t)
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
		if cutoff == nil || len(ids) >= window {
			return ids, tiers, nil
		}
	}
}

// cutoffAt sets *cutoff to the publication time of the back-th newest
// story, nil when there are not that many. It walks the published_at index
// (index scans are off for the rest of a search; the table may not be
// all-visible yet, which rules out a cheaper index-only plan).
func cutoffAt(ctx context.Context, tx pgx.Tx, back int, cutoff **time.Time) error {
	if _, err := tx.Exec(ctx, "SET LOCAL enable_indexscan = on"); err != nil {
		return err
	}
	err := tx.QueryRow(ctx, `SELECT published_at FROM articles WHERE published_at IS NOT NULL
		ORDER BY published_at DESC NULLS LAST, id DESC OFFSET $1 LIMIT 1`, back).Scan(cutoff)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	_, err = tx.Exec(ctx, "SET LOCAL enable_indexscan = off")
	return err
}

// extraRow scans an article row followed by more columns.
type extraRow struct {
	rows  pgx.Rows
	extra []any
}

func (r extraRow) Scan(dest ...any) error { return r.rows.Scan(append(dest, r.extra...)...) }
