package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
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

// searchMonthSQL is the month lexeme a story's vector holds for its
// publication time t (SQL; empty for none): migration 0073's trigger adds
// it on every write, this is for copy-db, which loads with the triggers
// off.
func searchMonthSQL(t string) string {
	return "CASE WHEN " + t + "::timestamptz IS NULL THEN ''::tsvector ELSE array_to_tsvector(ARRAY[search_month(" + t + "::timestamptz)]) END"
}

// searchMonths is the tsquery of the months from `from` to `to` (UTC) as
// migration 0073 spells them in the vectors ('published 2026-11' | ...);
// "" when there are more than maxSearchMonths.
func searchMonths(from, to time.Time) string {
	from, to = from.UTC(), to.UTC()
	m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	var parts []string
	for !m.After(to) {
		if len(parts) == maxSearchMonths {
			return ""
		}
		parts = append(parts, "'published "+m.Format("2006-01")+"'")
		m = m.AddDate(0, 1, 0)
	}
	return strings.Join(parts, " | ")
}

// maxSearchMonths bounds the months a window's query names: past it the
// cutoff is far enough back that the months would narrow little.
const maxSearchMonths = 24

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
		toks := cjkLexemes(t)
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

// cjkLexemes are a CJK term's tokens as quoted lexemes, the last a
// prefix when the term is one.
func cjkLexemes(t textsearch.Term) []string {
	toks := make([]string, len(t.Tokens))
	for i, tok := range t.Tokens {
		toks[i] = quoteLexeme(tok)
		if t.Prefix {
			toks[i] += ":*"
		}
	}
	return toks
}

// termQuery is the query for one of the reader's words: a Latin word
// stemmed as the index has it, a CJK word the phrase of its bigrams.
func termQuery(w *where, t textsearch.Term) string {
	if !t.CJK {
		return "plainto_tsquery('english'::regconfig, " + w.arg(t.Text) + "::text)"
	}
	return "to_tsquery('simple'::regconfig, " + w.arg(strings.Join(cjkLexemes(t), " <-> ")) + "::text)"
}

// rankSQL is a window story's relevance (SQL over a), as the SQLite store
// computes it: the tier (2 for every word in the headline, plus 1 for
// every word in the deck), plus h(n+1)+d over (n+1)² for n words, h of
// them in the headline and d in the deck (below 1, so it never lifts a
// story into a higher tier). exact is the query of every word.
//
// Each count is a match of one word's query against the small headline
// and deck vectors in the row. For one word the counts are the tier's own
// matches (the share is a quarter of the tier), so a one-word search
// matches each vector once. It was ts_rank over the two vectors joined
// (head || deck): building the joined vector for each of a window's
// 1,261 rows took 3 of the statement's 4.6 ms for 북한 at 100,000
// stories, and its order within a tier (how often a word is there, and
// the vectors' lengths) was not SQLite's.
func rankSQL(w *where, terms []textsearch.Term, exact string) string {
	tier := "((CASE WHEN a.search_head @@ (" + exact + ") THEN 2 ELSE 0 END) + (CASE WHEN a.search_deck @@ (" + exact + ") THEN 1 ELSE 0 END))::float8"
	n := len(terms)
	if n <= 1 {
		return tier + " * 1.25"
	}
	head := make([]string, n)
	deck := make([]string, n)
	for i, t := range terms {
		q := termQuery(w, t)
		head[i] = "(a.search_head @@ " + q + ")::int"
		deck[i] = "(a.search_deck @@ " + q + ")::int"
	}
	return fmt.Sprintf("%s + ((%s) * %d + (%s))::float8 / %d", tier, strings.Join(head, " + "), n+1, strings.Join(deck, " + "), (n+1)*(n+1))
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
// them only in the body; within a tier, more of the words in the
// headline, then more in the deck (rankSQL), then the newest. That is the
// SQLite store's order too.
func (db *DB) SearchArticles(ctx context.Context, q news.SearchQuery) ([]news.SearchHit, int, error) {
	terms := textsearch.Terms(q.Text)
	if textsearch.OnlyStopwords(terms) {
		// Stop words alone ("the") are not in the index: nothing to ask
		// the server (SQLite answers the same).
		return nil, 0, nil
	}
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
	// sees its words and estimates how many stories have them; the window
	// adds it to w (searchWindowIDs), with the months when it has a
	// cutoff.
	strict := ""
	exact := tq // the words as the reader means them, for the tiers
	if phrases {
		// Its parameters come after the filters'; it is used only in the
		// window's outer query.
		strict, _ = tsquery(&w, terms, false)
		exact = strict
	}
	// The rank comes from the small per-field vectors, stored in the row,
	// so the window's statement reads it while it has the row in hand
	// (rankSQL). ts_rank over the story's whole vector, TOASTed, took 36
	// ms for a window of 1,000; ranking the window in a second statement,
	// 5.7–9.7 ms for the 967 of 1,000 stories with 북한 in the headline at
	// 10,000 stories (a lookup of each by id, a millisecond of it the
	// ranks): most of a Korean search.
	rank := rankSQL(&w, terms, exact)
	window := db.searchWindow
	if window <= 0 {
		window = SearchWindow
	}
	offset := max(q.Offset, 0)
	limit := pageLimit(q.Limit)
	if q.Order != "" && q.Order != "relevance" && q.Order != "newest" {
		return nil, 0, fmt.Errorf("search: %w", invalid("unknown order %q", q.Order))
	}

	var (
		hits []news.SearchHit
		list []*news.Article
		n    int
		more bool
	)
	// The settings below go with the BEGIN: one round trip, not two.
	err := pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{BeginQuery: searchBegin}, func(tx pgx.Tx) error {
		// Finding the window, the GIN index must give the matches and a
		// sort keep the newest; walking a published_at index instead and
		// testing @@ on each story unpacks every story's TOASTed vector
		// (measured 10 s against 1 s for a word in 30,000 of 100,000
		// stories with a table scan, 400 ms against 30 ms for a window
		// with an index walk). The planner prices @@ as cheap and takes
		// those roads, so they are ruled out; custom plans let it see the
		// words and the cutoff rather than guess. (One round trip: without
		// arguments pgx sends the text as a simple query, which may hold
		// several statements: searchBegin.) Index scans go off and custom
		// plans on after the cutoff's statement, in searchWindowIDs.
		// One more than the window says whether there are more matches.
		ids, ranks, err := db.searchWindowIDs(ctx, tx, w, tq, q.PublicAt, terms, rank, window+1, strict)
		if err != nil {
			return err
		}
		if len(ids) > window {
			more = true
			ids, ranks = ids[:window], ranks[:window] // the oldest goes
		}
		n = len(ids)
		if offset >= len(ids) {
			return nil
		}
		// The window is newest first: the order of "newest", and within
		// equal ranks.
		order := make([]int, len(ids))
		for i := range order {
			order[i] = i
		}
		if q.Order != "newest" {
			slices.SortStableFunc(order, func(i, j int) int { return cmp.Compare(ranks[j], ranks[i]) })
		}
		order = order[offset:min(len(order), offset+limit)]
		page := make([]int64, len(order))
		for k, i := range order {
			page[k] = ids[i]
		}
		byID := make(map[int64]news.SearchHit, len(page))
		b := &pgx.Batch{}
		b.Queue(pageSettings)
		b.Queue(searchPageSQL, page).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var body string
				a, err := scanArticle(extraRow{rows, []any{&body}})
				if err != nil {
					return err
				}
				byID[a.ID] = news.SearchHit{Article: a, Snippet: textsearch.Snippet(terms, 0, body, a.Deck)}
			}
			return rows.Err()
		})
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		for _, i := range order {
			if h, ok := byID[ids[i]]; ok {
				h.Rank = ranks[i]
				hits = append(hits, h)
				list = append(list, h.Article)
			}
		}
		return nil
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
	return hits, n, nil
}

// searchBegin opens a search's read-only transaction with the planner
// settings it needs (see SearchArticles). Custom plans are for the window
// alone (windowRows): the cutoff's statement and the page's read are the
// same plan for every search, and planning them anew cost 0.3 and 0.1 ms
// of the server's time per search at 100,000 stories.
const searchBegin = "BEGIN READ ONLY; SET LOCAL enable_seqscan = off"

// windowSettings go in one batch before a search's first window: index
// scans off, custom plans on (see SearchArticles).
const windowSettings = "SELECT set_config('enable_indexscan', 'off', true), set_config('plan_cache_mode', 'force_custom_plan', true)"

// searchPageSQL reads a page of hits, without their bodies
// (news.ArticleSearcher: the snippet is cut from body_text). The ids are
// bound as relationsSQL binds them, so that the plan is kept.
var searchPageSQL = `SELECT ` + cardColumns + `, a.body_text FROM articles a WHERE a.id = ANY((SELECT $1::bigint[])::bigint[])`

// pageSettings go before the page's read, after the windows: the plans
// PostgreSQL keeps again.
const pageSettings = "SELECT set_config('plan_cache_mode', 'auto', true)"

// searchWindowIDs returns the ids of the newest `window` stories that pass
// w (words and filters).
//
// The GIN index finds every story with the words, and each must then be
// read from the table for its time and the filters: for a word in 47,000
// of 100,000 stories that is 20,000 table pages, most of a search's time.
// But the newest thousand of them are among the newest few thousand
// stories, so the search first asks only for stories from a cutoff on
// (see cutoffAt): the published_at index then narrows the GIN matches
// before the table is read (a BitmapAnd). When fewer than `window` pass,
// older stories could belong in the window, so it tries again without the
// cutoff.
//
// With strict (the phrase query, for a search with CJK phrases; w then
// matches loosely) there is no cutoff: the planner guesses phrases to be
// very rare (2 stories for one in 2,282) and would not narrow by it. The
// loose matches are sorted newest first and each is checked against the
// phrase until the window is full, so at most a window's worth and the
// misses among them have their vectors read.
//
// The words (tq, over w's parameters) are matched through the GIN index;
// with a cutoff, readers' searches (public at t) also ask for the months
// from the cutoff's to t's, which every public story's vector holds
// (migration 0073): the index then reads the posting lists of the words
// only where the months' are (for "korea" at 100,000 stories 2,256
// entries instead of 71,424, 13 → 3 ms); the stories are the same.
//
// It returns each story's rank too (rank is its SQL over a).
func (db *DB) searchWindowIDs(ctx context.Context, tx pgx.Tx, w where, tq string, t time.Time, terms []textsearch.Term, rank string, window int, strict string) ([]int64, []float64, error) {
	var (
		cutoff *time.Time
		back   int
		err    error
	)
	if strict == "" {
		if back, err = db.cutoffAt(ctx, tx, terms, window, &cutoff); err != nil {
			return nil, nil, err
		}
	}
	// The cutoff walks the published_at index; the window must not (see
	// SearchArticles). The setting goes in one batch with the window's
	// first statement.
	indexScansOff := true
	for try := 0; ; try++ {
		cw := where{conds: slices.Clone(w.conds), args: slices.Clone(w.args)}
		match := "a.search @@ (" + tq + ")"
		if cutoff != nil {
			cw.add("a.published_at >= " + cw.arg(*cutoff))
			if months := searchMonths(*cutoff, t); months != "" && !t.IsZero() {
				match = "a.search @@ ((" + tq + ") && " + cw.arg(months) + "::tsquery)"
			}
		}
		cw.add(match)
		sql := fmt.Sprintf(`SELECT a.id, %s FROM articles a WHERE %s
			ORDER BY a.published_at DESC NULLS LAST, a.id DESC LIMIT %d`, rank, cw.sql(), window)
		if strict != "" {
			// ts_match_vq is @@ spelled so that the planner does not take
			// it to the index; OFFSET 0 keeps the loose matches' sort
			// apart, so the join walks them in order and stops early.
			sql = fmt.Sprintf(`SELECT c.id, %s FROM (
					SELECT a.id, a.published_at FROM articles a WHERE %s
					ORDER BY a.published_at DESC NULLS LAST, a.id DESC OFFSET 0
				) c JOIN articles a ON a.id = c.id
				WHERE ts_match_vq(a.search, %s)
				ORDER BY c.published_at DESC NULLS LAST, c.id DESC LIMIT %d`, rank, cw.sql(), strict, window)
		}
		ids, ranks, err := windowRows(ctx, tx, indexScansOff, sql, cw.args)
		if err != nil {
			return nil, nil, err
		}
		indexScansOff = false
		if cutoff == nil || len(ids) >= window {
			return ids, ranks, nil
		}
		// Too few from the cutoff on: the words are rarer among the
		// newest stories than in the paper (a filter, a word out of the
		// news). Once, the cutoff moves back as far as the matches found
		// say it must (1.5 times), if that is not far; then there is none.
		cutoff = nil
		if m := len(ids); try == 0 && m > 0 && back*window*3/(2*m) <= 16*window {
			if err := moveCutoff(ctx, tx, back*window*3/(2*m), &cutoff); err != nil {
				return nil, nil, err
			}
		}
	}
}

// windowRows runs a window's statement, after windowSettings in the same
// batch when off is set, and returns its ids and ranks.
func windowRows(ctx context.Context, tx pgx.Tx, off bool, sql string, args []any) ([]int64, []float64, error) {
	b := &pgx.Batch{}
	if off {
		b.Queue(windowSettings)
	}
	q := b.Queue(sql, args...)
	var (
		ids   []int64
		ranks []float64
	)
	q.Query(func(rows pgx.Rows) error {
		var (
			id int64
			r  float64
		)
		_, err := pgx.ForEachRow(rows, []any{&id, &r}, func() error {
			ids, ranks = append(ids, id), append(ranks, r)
			return nil
		})
		return err
	})
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, nil, err
	}
	return ids, ranks, nil
}

// cutoffSQL is the start of the UTC day of the story n (SQL) places from
// the newest published one, from the stories a day (story_days, kept by
// every write; NULL when there are not that many): at or before that
// story's time, so the window from it holds every story it would. It was
// a walk of the published_at index past n stories: 0.84 ms for the 5,000
// of a Korean word in a quarter of the stories, 0.29 for 1,750, and up to
// 16 windows for a rarer word; the days' sums are 0.1 and 0.05 ms.
func cutoffSQL(n string) string {
	return `(SELECT to_timestamp(d.day * 86400) FROM (SELECT day, sum(n) OVER (ORDER BY day DESC) AS s FROM story_days) d
		WHERE d.s > ` + n + ` ORDER BY d.day DESC LIMIT 1)`
}

// moveCutoff sets *cutoff to cutoffSQL's time for back (nil when there
// are not that many stories), inside a search whose index scans are off:
// the walk of the days needs them.
func moveCutoff(ctx context.Context, tx pgx.Tx, back int, cutoff **time.Time) error {
	if _, err := tx.Exec(ctx, "SET LOCAL enable_indexscan = on"); err != nil {
		return err
	}
	err := tx.QueryRow(ctx, "SELECT "+cutoffSQL("$1::bigint"), back).Scan(cutoff)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	_, err = tx.Exec(ctx, "SET LOCAL enable_indexscan = off")
	return err
}

// cutoffAt sets *cutoff to (the start of the day of) the publication time
// of the story `back` places from the newest (cutoffSQL), where the newest
// `window` matches should be found, and returns back; nil for no cutoff.
//
// back is what ANALYZE's statistics of the index's words say: a word in a
// share f of all stories has `window` matches among the newest window/f,
// and back is 1.25 times that, for words together the product of their
// shares (words that go together, like north and korea, are more common
// together than the product says, which only moves the cutoff further
// back). A fixed back of 4·window read 2,856 stories for "korea" (in 71 %
// of the stories), table pages for all of them; the statistics give 1,750
// and 1,253 stories. A word too rare for back to be within 16·window, or
// most of the paper, has no cutoff: its matches are few, and walking the
// index that far would cost more than it saves. Without statistics (a
// paper not yet analyzed) or for a one-character CJK word (a prefix, which
// the statistics do not count), back is 4·window.
func (db *DB) cutoffAt(ctx context.Context, tx pgx.Tx, terms []textsearch.Term, window int, cutoff **time.Time) (int, error) {
	st, err := db.wordStats.get(ctx, tx, db.now())
	if err != nil {
		return 0, err
	}
	var latin, cjk []string
	prefix := false
	for _, t := range terms {
		switch {
		case t.Prefix:
			prefix = true
		case t.CJK:
			cjk = append(cjk, t.Tokens...)
		default:
			latin = append(latin, t.Text)
		}
	}
	back := 4 * window
	if st.elems == nil || prefix {
		err = tx.QueryRow(ctx, "SELECT "+cutoffSQL("$1::bigint"), back).Scan(cutoff)
	} else {
		// The words are the query's lexemes, as plainto_tsquery and the
		// bigrams' to_tsquery find them; a lexeme ANALYZE did not list
		// is in fewer stories than any it did (PostgreSQL's own estimate
		// takes half the least share). No row: no cutoff.
		limit := min(16*window, int(st.rows*3/4))
		err = tx.QueryRow(ctx, `WITH w AS (
				SELECT coalesce(s.f, $4 / 2) AS f
				FROM unnest(tsvector_to_array(to_tsvector('english'::regconfig, $1::text) || to_tsvector('simple'::regconfig, $2::text))) w(lexeme)
				LEFT JOIN unnest($5::text[], $6::float4[]) s(e, f) ON s.e = w.lexeme
			), b AS (
				SELECT ceil($3 * 1.25 / exp(sum(ln(greatest(f, 1e-9))))) AS n FROM w HAVING count(*) > 0
			)
			SELECT b.n::bigint, `+cutoffSQL("b.n")+`
			FROM b WHERE b.n <= $7`,
			strings.Join(latin, " "), strings.Join(cjk, " "), window, st.least, st.elems, st.freqs, limit).Scan(&back, cutoff)
	}
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return 0, err
	}
	return back, nil
}

// wordStats keeps what ANALYZE found of articles.search (pg_stats): the
// lexemes in the most stories and the share of stories each is in, and
// how many stories there are. It is read again at most every
// wordStatsAge: statistics change only when the table is analyzed, and
// reading them through pg_stats costs about a millisecond.
type wordStats struct {
	mu  sync.Mutex
	at  time.Time
	cur wordCounts
}

// wordCounts is one reading of the statistics; elems is nil when there
// are none.
type wordCounts struct {
	elems []string
	freqs []float32
	least float32 // the least share listed: unlisted lexemes have less
	rows  float64 // stories in the table, as last counted by ANALYZE
}

const wordStatsAge = 10 * time.Minute

func (s *wordStats) get(ctx context.Context, tx pgx.Tx, now time.Time) (wordCounts, error) {
	s.mu.Lock()
	cur, fresh := s.cur, !s.at.IsZero() && now.Sub(s.at) < wordStatsAge
	s.mu.Unlock()
	if fresh {
		return cur, nil
	}
	var (
		c     wordCounts
		freqs []float32
	)
	err := tx.QueryRow(ctx, `SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples
		FROM pg_stats s, pg_class c
		WHERE s.schemaname = current_schema() AND s.tablename = 'articles' AND s.attname = 'search'
			AND c.oid = 'articles'::regclass`).Scan(&c.elems, &freqs, &c.rows)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return wordCounts{}, err
	}
	// The shares are followed by their minimum and maximum (for arrays,
	// the share of NULL elements too; a tsvector has none).
	if len(c.elems) == 0 || len(freqs) < len(c.elems)+2 || c.rows <= 0 {
		c = wordCounts{}
	} else {
		c.freqs, c.least = freqs[:len(c.elems)], freqs[len(c.elems)]
	}
	s.mu.Lock()
	s.cur, s.at = c, now
	s.mu.Unlock()
	return c, nil
}

// extraRow scans an article row followed by more columns.
type extraRow struct {
	rows  pgx.Rows
	extra []any
}

func (r extraRow) Scan(dest ...any) error { return r.rows.Scan(append(dest, r.extra...)...) }
