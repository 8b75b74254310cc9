package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"masthead/internal/news"
)

// hourMicros is an hour of story_hours (migration 0064) in microseconds.
const hourMicros = int64(time.Hour / time.Microsecond)

// ArchiveMonths returns the months (in loc) with stories public at t,
// oldest first, with their totals and latest changes, from the hourly
// counts the writes keep (story_hours): one sum per month, whatever the
// number of stories. Hours the kept counts cannot answer for t are
// counted from the stories themselves: the part of an hour at a month's
// edge (zones whose months do not start on the hour), and the hours of
// published stories not public at t yet (a publication time to come, an
// embargo), which are few.
func (db *DB) ArchiveMonths(ctx context.Context, t time.Time, loc *time.Location) ([]news.MonthStats, error) {
	var out []news.MonthStats
	err := db.view(ctx, func(tx *sql.Tx) error {
		var first, last sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT min(hour), max(hour) FROM story_hours WHERE n > 0`).Scan(&first, &last); err != nil {
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
			dirty[floorDiv(p, hourMicros)] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		exact := func(from, to int64) (int, int64, error) {
			var n int
			var lm sql.NullInt64
			err := tx.QueryRowContext(ctx, `SELECT count(*), max(max(a.published_at, coalesce(a.updated_at, 0), coalesce(a.embargo_until, 0)))
				FROM articles a WHERE `+publicSQL+` AND a.published_at <= ? AND a.published_at >= ? AND a.published_at < ?`,
				tm, tm, from, to).Scan(&n, &lm)
			return n, lm.Int64, err
		}
		start := time.UnixMicro(first.Int64 * hourMicros).In(loc)
		end := time.UnixMicro((last.Int64 + 1) * hourMicros)
		for m := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, loc); m.Before(end); m = m.AddDate(0, 1, 0) {
			from, to := m.UnixMicro(), m.AddDate(0, 1, 0).UnixMicro()
			// Whole hours inside the month, less the dirty ones.
			h0, h1 := floorDiv(from+hourMicros-1, hourMicros), floorDiv(to, hourMicros)
			var skip []int64
			for h := range dirty {
				if h >= h0 && h < h1 {
					skip = append(skip, h)
				}
			}
			var total int
			var lm sql.NullInt64
			if h0 < h1 {
				if err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(n), 0), max(CASE WHEN n > 0 THEN lastmod END) FROM story_hours
					WHERE hour >= ? AND hour < ? AND hour NOT `+inIDs, h0, h1, jsonIDs(skip)).Scan(&total, &lm); err != nil {
					return err
				}
			}
			ranges := [][2]int64{}
			if h0 >= h1 {
				ranges = append(ranges, [2]int64{from, to})
			} else {
				if from < h0*hourMicros {
					ranges = append(ranges, [2]int64{from, h0 * hourMicros})
				}
				if h1*hourMicros < to {
					ranges = append(ranges, [2]int64{h1 * hourMicros, to})
				}
			}
			for _, h := range skip {
				ranges = append(ranges, [2]int64{h * hourMicros, (h + 1) * hourMicros})
			}
			last := lm.Int64
			for _, r := range ranges {
				n, l, err := exact(r[0], r[1])
				if err != nil {
					return err
				}
				total += n
				last = max(last, l)
			}
			if total > 0 {
				out = append(out, news.MonthStats{Year: m.Year(), Month: m.Month(), Total: total, LastMod: fromMicro(sql.NullInt64{Int64: last, Valid: last != 0})})
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

// floorDiv is a/b rounded down (times before 1970 are negative).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
