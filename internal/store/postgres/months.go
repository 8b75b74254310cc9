package postgres

import (
	"context"
	"time"

	"masthead/internal/news"
)

// ArchiveMonths returns the months (in loc) with stories public at t,
// oldest first, with their totals and latest changes, from the hourly
// counts the writes keep (story_hours): one sum per month, whatever the
// number of stories. Hours the kept counts cannot answer for t are
// counted from the stories themselves: the part of an hour at a month's
// edge (zones whose months do not start on the hour), and the hours of
// published stories not public at t yet, which are few. (The SQLite
// store's is the same.)
func (db *DB) ArchiveMonths(ctx context.Context, t time.Time, loc *time.Location) ([]news.MonthStats, error) {
	const what = "archive months"
	var first, last *int64
	if err := db.pool.QueryRow(ctx, firstLastHourSQL).Scan(&first, &last); err != nil {
		return nil, translate(err, what)
	}
	if first == nil {
		return nil, nil
	}
	t = t.UTC()
	dirty := map[int64]bool{}
	rows, err := db.pool.Query(ctx, `SELECT published_at FROM articles WHERE status = 'published' AND published_at > $1
		UNION ALL SELECT published_at FROM articles WHERE status = 'published' AND embargo_until > $1 AND published_at <= $1`, t)
	if err != nil {
		return nil, translate(err, what)
	}
	for rows.Next() {
		var p time.Time
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return nil, translate(err, what)
		}
		dirty[hourOf(p)] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, translate(err, what)
	}
	var w where
	w.public(t)
	exactSQL := `SELECT count(*), max(GREATEST(a.published_at, a.updated_at, a.embargo_until)) FROM articles a
		WHERE ` + w.sql() + ` AND a.published_at >= $2 AND a.published_at < $3`
	exact := func(from, to time.Time) (int, time.Time, error) {
		var n int64
		var lm *time.Time
		err := db.pool.QueryRow(ctx, exactSQL, t, from, to).Scan(&n, &lm)
		return int(n), fromNull(lm), err
	}
	var out []news.MonthStats
	start := time.Unix(*first*3600, 0).In(loc)
	end := time.Unix((*last+1)*3600, 0)
	for m := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, loc); m.Before(end); m = m.AddDate(0, 1, 0) {
		from, to := m, m.AddDate(0, 1, 0)
		h0, h1 := hourOf(from.Add(time.Hour-time.Nanosecond)), hourOf(to)
		skip := []int64{}
		for h := range dirty {
			if h >= h0 && h < h1 {
				skip = append(skip, h)
			}
		}
		var total int64
		var lm *time.Time
		if h0 < h1 {
			if err := db.pool.QueryRow(ctx, `SELECT coalesce(sum(n), 0), max(lastmod) FILTER (WHERE n > 0) FROM story_hours
				WHERE hour >= $1 AND hour < $2 AND hour <> ALL($3)`, h0, h1, skip).Scan(&total, &lm); err != nil {
				return nil, translate(err, what)
			}
		}
		hour := func(h int64) time.Time { return time.Unix(h*3600, 0) }
		var ranges [][2]time.Time
		if h0 >= h1 {
			ranges = append(ranges, [2]time.Time{from, to})
		} else {
			if from.Before(hour(h0)) {
				ranges = append(ranges, [2]time.Time{from, hour(h0)})
			}
			if hour(h1).Before(to) {
				ranges = append(ranges, [2]time.Time{hour(h1), to})
			}
		}
		for _, h := range skip {
			ranges = append(ranges, [2]time.Time{hour(h), hour(h + 1)})
		}
		latest := fromNull(lm)
		for _, r := range ranges {
			n, l, err := exact(r[0], r[1])
			if err != nil {
				return nil, translate(err, what)
			}
			total += int64(n)
			if l.After(latest) {
				latest = l
			}
		}
		if total > 0 {
			out = append(out, news.MonthStats{Year: m.Year(), Month: m.Month(), Total: int(total), LastMod: latest})
		}
	}
	return out, nil
}

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
