package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"masthead/internal/news"
	"masthead/internal/store/hourly"
)

// ArchiveMonths returns the months (in loc) with stories public at t,
// oldest first, with their totals and latest changes, from the daily and
// hourly counts the writes keep (story_days, story_hours): two statements
// summing some 30 days and a few hours per month, whatever the number of
// stories (hourly.MakePlan). Hours the kept counts cannot answer for t are
// counted from the stories themselves: the part of an hour at a month's
// edge (zones whose months do not start on the hour), and the hours of
// published stories not public at t yet (a publication time to come, an
// embargo), which are few.
func (db *DB) ArchiveMonths(ctx context.Context, t time.Time, loc *time.Location) ([]news.MonthStats, error) {
	var out []news.MonthStats
	err := db.view(ctx, func(tx *sql.Tx) error {
		var first, last sql.NullInt64
		if err := tx.QueryRowContext(ctx, firstLastHourSQL).Scan(&first, &last); err != nil {
			return err
		}
		if !first.Valid {
			return nil
		}
		tm := t.UnixMicro()
		dirty := map[int64]bool{}
		rows, err := tx.QueryContext(ctx, `SELECT published_at FROM articles WHERE status = 'published' AND published_at > ?
			UNION ALL SELECT published_at FROM articles INDEXED BY articles_embargoed
			WHERE status = 'published' AND embargo_until > ? AND published_at <= ?`, tm, tm, tm)
		if err != nil {
			return err
		}
		for rows.Next() {
			var p int64
			if err := rows.Scan(&p); err != nil {
				rows.Close()
				return err
			}
			dirty[hourly.HourOf(p)] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		plan := hourly.MakePlan(first.Int64, last.Int64, loc, dirty)
		totals := make([]int, len(plan.Months))
		lastmods := make([]int64, len(plan.Months))
		// One statement for all the months' whole days, one for their
		// whole hours: a range of the table's key per month.
		for _, q := range []struct {
			table, col string
			ranges     []hourly.Range
		}{{"story_days", "day", plan.Days}, {"story_hours", "hour", plan.Hours}} {
			if len(q.ranges) == 0 {
				continue
			}
			rs := make([][3]int64, len(q.ranges))
			for i, r := range q.ranges {
				rs[i] = [3]int64{int64(r.Month), r.Lo, r.Hi}
			}
			js, _ := json.Marshal(rs)
			rows, err := tx.QueryContext(ctx, `SELECT json_extract(r.value, '$[0]') AS m, sum(x.n), max(CASE WHEN x.n > 0 THEN x.lastmod END)
				FROM json_each(?) r CROSS JOIN `+q.table+` x
				ON x.`+q.col+` >= json_extract(r.value, '$[1]') AND x.`+q.col+` < json_extract(r.value, '$[2]')
				GROUP BY m`, string(js))
			if err != nil {
				return err
			}
			for rows.Next() {
				var m, n int
				var lm sql.NullInt64
				if err := rows.Scan(&m, &n, &lm); err != nil {
					rows.Close()
					return err
				}
				totals[m] += n
				lastmods[m] = max(lastmods[m], lm.Int64)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		for _, r := range plan.Exact {
			var n int
			var lm sql.NullInt64
			if err := tx.QueryRowContext(ctx, `SELECT count(*), max(max(a.published_at, coalesce(a.updated_at, 0), coalesce(a.embargo_until, 0)))
				FROM articles a WHERE `+publicSQL+` AND a.published_at <= ? AND a.published_at >= ? AND a.published_at < ?`,
				tm, tm, r.Lo, r.Hi).Scan(&n, &lm); err != nil {
				return err
			}
			totals[r.Month] += n
			lastmods[r.Month] = max(lastmods[r.Month], lm.Int64)
		}
		for i, m := range plan.Months {
			if totals[i] > 0 {
				out = append(out, news.MonthStats{Year: m.Year(), Month: m.Month(), Total: totals[i],
					LastMod: fromMicro(sql.NullInt64{Int64: lastmods[i], Valid: true})})
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("archive months: %w", translate(err))
	}
	return out, nil
}

// LastModifiedBySection is the latest change (publication or update) of
// the stories public at t of each section that has one.
func (db *DB) LastModifiedBySection(ctx context.Context, t time.Time) (map[int64]time.Time, error) {
	tm := t.UnixMicro()
	out := map[int64]time.Time{}
	// One GROUP BY over the public stories: linear in the archive, so
	// the sitemaps run it only for their survey, in the background.
	rows, err := db.read.QueryContext(ctx, `SELECT a.section_id, max(max(a.published_at, coalesce(a.updated_at, 0)))
		FROM articles a WHERE `+publicSQL+` AND a.published_at <= ? AND a.section_id IS NOT NULL GROUP BY a.section_id`, tm, tm)
	if err != nil {
		return nil, fmt.Errorf("last modified by section: %w", translate(err))
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var at sql.NullInt64
		if err := rows.Scan(&id, &at); err != nil {
			return nil, fmt.Errorf("last modified by section: %w", err)
		}
		out[id] = fromMicro(at)
	}
	return out, rows.Err()
}

// firstLastHourSQL finds the first and last hours with stories from the
// ends of the key (min() and max() under a WHERE read every hour: 26,000
// rows for three years).
const firstLastHourSQL = `SELECT (SELECT hour FROM story_hours WHERE n > 0 ORDER BY hour LIMIT 1),
	(SELECT hour FROM story_hours WHERE n > 0 ORDER BY hour DESC LIMIT 1)`
