package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"masthead/internal/news"
	"masthead/internal/store/hourly"
)

// ArchiveMonths returns the months (in loc) with stories public at t,
// oldest first, with their totals and latest changes, from the daily and
// hourly counts the writes keep (story_days, story_hours): two statements
// summing some 30 days and a few hours per month, whatever the number of
// stories. Hours the kept counts cannot answer for t are counted from the
// stories themselves: the part of an hour at a month's edge (zones whose
// months do not start on the hour), and the hours of published stories
// not public at t yet, which are few. (The SQLite store's is the same.)
func (db *DB) ArchiveMonths(ctx context.Context, t time.Time, loc *time.Location) ([]news.MonthStats, error) {
	const what = "archive months"
	t = t.UTC()
	first, last, dirty, err := db.archiveHours(ctx, t)
	if err != nil {
		return nil, translate(err, what)
	}
	if first == nil {
		return nil, nil
	}
	// As the SQLite store does (hourly.MakePlan): all the months' whole
	// days in one statement, their whole hours in another, and the few
	// stretches the kept counts cannot answer from the stories, sent in
	// one round trip. (A statement per month summed ~720 hours each: 36
	// statements, 12 ms, for the index of a three-year archive.)
	plan := hourly.MakePlan(*first, *last, loc, dirty)
	totals := make([]int64, len(plan.Months))
	lastmods := make([]time.Time, len(plan.Months))
	b := &pgx.Batch{}
	var kept []int // the statements summing kept counts, by batch position
	for _, q := range []struct {
		table, col string
		ranges     []hourly.Range
	}{{"story_days", "day", plan.Days}, {"story_hours", "hour", plan.Hours}} {
		if len(q.ranges) == 0 {
			continue
		}
		ms, los, his := make([]int32, len(q.ranges)), make([]int64, len(q.ranges)), make([]int64, len(q.ranges))
		for i, r := range q.ranges {
			ms[i], los[i], his[i] = int32(r.Month), r.Lo, r.Hi
		}
		kept = append(kept, b.Len())
		// The ranges are subqueries (InitPlans): their generic plan then
		// costs what a custom one does, so PostgreSQL keeps it after its
		// five custom plans; with the arrays known to the planner, the
		// generic plan's ten ranges cost more than an archive's few dozen,
		// and the statement was planned anew at every render.
		b.Queue(`SELECT r.m, sum(x.n)::bigint, max(x.lastmod) FILTER (WHERE x.n > 0)
			FROM unnest((SELECT $1::int[]), (SELECT $2::bigint[]), (SELECT $3::bigint[])) AS r(m, lo, hi)
			JOIN `+q.table+` x ON x.`+q.col+` >= r.lo AND x.`+q.col+` < r.hi
			GROUP BY r.m`, ms, los, his)
	}
	var w where
	w.public(t)
	exactSQL := `SELECT count(*), max(GREATEST(a.published_at, a.updated_at, a.embargo_until)) FROM articles a
		WHERE ` + w.sql() + ` AND a.published_at >= $2 AND a.published_at < $3`
	for _, r := range plan.Exact {
		b.Queue(exactSQL, t, time.UnixMicro(r.Lo).UTC(), time.UnixMicro(r.Hi).UTC())
	}
	add := func(m int, n int64, lm *time.Time) {
		totals[m] += n
		if lm != nil && lm.After(lastmods[m]) {
			lastmods[m] = lm.UTC()
		}
	}
	br := db.pool.SendBatch(ctx, b)
	defer br.Close()
	for range kept {
		rows, err := br.Query()
		if err != nil {
			return nil, translate(err, what)
		}
		for rows.Next() {
			var m int32
			var n int64
			var lm *time.Time
			if err := rows.Scan(&m, &n, &lm); err != nil {
				rows.Close()
				return nil, translate(err, what)
			}
			add(int(m), n, lm)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, translate(err, what)
		}
	}
	for _, r := range plan.Exact {
		var n int64
		var lm *time.Time
		if err := br.QueryRow().Scan(&n, &lm); err != nil {
			return nil, translate(err, what)
		}
		add(r.Month, n, lm)
	}
	if err := br.Close(); err != nil {
		return nil, translate(err, what)
	}
	var out []news.MonthStats
	for i, m := range plan.Months {
		if totals[i] > 0 {
			out = append(out, news.MonthStats{Year: m.Year(), Month: m.Month(), Total: int(totals[i]), LastMod: lastmods[i]})
		}
	}
	return out, nil
}

// archiveHours reads, in one round trip, the first and last hours with
// stories (nil without any) and the hours of published stories not public
// at t: what ArchiveMonths plans its sums by.
func (db *DB) archiveHours(ctx context.Context, t time.Time) (first, last *int64, dirty map[int64]bool, err error) {
	b := &pgx.Batch{}
	b.Queue(firstLastHourSQL)
	b.Queue(notPublicYetSQL, t)
	br := db.pool.SendBatch(ctx, b)
	defer br.Close()
	if err := br.QueryRow().Scan(&first, &last); err != nil {
		return nil, nil, nil, err
	}
	rows, err := br.Query()
	if err != nil {
		return nil, nil, nil, err
	}
	dirty = map[int64]bool{}
	for rows.Next() {
		var p time.Time
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return nil, nil, nil, err
		}
		dirty[hourOf(p)] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, nil, err
	}
	return first, last, dirty, br.Close()
}

// notPublicYetSQL reads the publication times of the published stories
// not public at $1: scheduled, or under embargo.
//
// $1 is a subquery (an InitPlan), for the planner does not know it: the
// generic plan (published after some time: a third of the table, it
// guessed) cost more than the custom plans (none, for the present),
// and the statement was planned anew at every render. Stories under
// embargo are read whenever they were published (the index of
// embargoed stories holds their time, 0076): the hours of those
// published after t are the first part's as well.
const notPublicYetSQL = `WITH p AS MATERIALIZED (SELECT $1::timestamptz AS t)
	SELECT published_at FROM articles WHERE status = 'published' AND published_at > (SELECT t FROM p)
	UNION ALL SELECT published_at FROM articles
	WHERE status = 'published' AND published_at IS NOT NULL AND embargo_until IS NOT NULL AND embargo_until > (SELECT t FROM p)`

// hourOf is t's hour of story_hours: hours since 1970 (UTC), rounded down.
func hourOf(t time.Time) int64 {
	s := t.Unix()
	h := s / 3600
	if s%3600 != 0 && s < 0 {
		h--
	}
	return h
}

// LastModifiedBySection is the latest change (publication or update) of
// the stories public at t of each section that has one: one GROUP BY over
// the public stories, which the sitemaps run for their survey only, in
// the background.
func (db *DB) LastModifiedBySection(ctx context.Context, t time.Time) (map[int64]time.Time, error) {
	var w where
	w.public(t)
	rows, err := db.pool.Query(ctx, `SELECT a.section_id, max(GREATEST(a.published_at, a.updated_at)) FROM articles a
		WHERE `+w.sql()+` AND a.section_id IS NOT NULL GROUP BY a.section_id`, w.args...)
	if err != nil {
		return nil, translate(err, "last modified by section")
	}
	defer rows.Close()
	out := map[int64]time.Time{}
	for rows.Next() {
		var id int64
		var at *time.Time
		if err := rows.Scan(&id, &at); err != nil {
			return nil, translate(err, "last modified by section")
		}
		out[id] = fromNull(at)
	}
	return out, translate(rows.Err(), "last modified by section")
}

// firstLastHourSQL finds the first and last hours with stories from the
// ends of the key (min() and max() under a WHERE read every hour: 26,000
// rows for three years).
const firstLastHourSQL = `SELECT (SELECT hour FROM story_hours WHERE n > 0 ORDER BY hour LIMIT 1),
	(SELECT hour FROM story_hours WHERE n > 0 ORDER BY hour DESC LIMIT 1)`
