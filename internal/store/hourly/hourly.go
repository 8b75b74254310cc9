// Package hourly plans the reads of the stores' archive aggregates
// (story_hours and story_days, migration 0064 of both stores): which
// months of a paper's time zone are answered by sums of whole UTC days,
// which by whole hours, and which stretches only by the stories
// themselves. It is pure arithmetic, shared by both stores.
package hourly

import "time"

// Range is [Lo, Hi) of days, hours or microseconds since 1970 (UTC) that
// belongs to the month numbered Month (an index into Plan's months).
type Range struct {
	Month  int
	Lo, Hi int64
}

// Plan is what to read for each month: whole days from story_days, whole
// hours from story_hours, and stretches (in microseconds) from the
// stories: parts of an hour at a month's edge (zones whose months do not
// start on the hour) and the dirty hours.
type Plan struct {
	Months []time.Time // first instant of each month, in the zone
	Days   []Range
	Hours  []Range
	Exact  []Range
}

const (
	hourMicros = int64(time.Hour / time.Microsecond)
	dayHours   = 24
)

// FloorDiv is a/b rounded down (times before 1970 are negative).
func FloorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// HourOf is the hour (since 1970, UTC) of a time in microseconds.
func HourOf(micros int64) int64 { return FloorDiv(micros, hourMicros) }

// MakePlan plans the months of loc from the one holding hour first to the
// one holding hour last. Dirty hours (those holding published stories not
// public at the time asked: a publication time to come, an embargo) are
// read from the stories, and their days from the hours.
func MakePlan(first, last int64, loc *time.Location, dirty map[int64]bool) Plan {
	var p Plan
	start := time.UnixMicro(first * hourMicros).In(loc)
	end := time.UnixMicro((last + 1) * hourMicros)
	dirtyDays := map[int64]bool{}
	for h := range dirty {
		dirtyDays[FloorDiv(h, dayHours)] = true
	}
	for m := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, loc); m.Before(end); m = m.AddDate(0, 1, 0) {
		i := len(p.Months)
		p.Months = append(p.Months, m)
		from, to := m.UnixMicro(), m.AddDate(0, 1, 0).UnixMicro()
		h0, h1 := FloorDiv(from+hourMicros-1, hourMicros), FloorDiv(to, hourMicros)
		if h0 >= h1 {
			p.Exact = append(p.Exact, Range{i, from, to})
			continue
		}
		if from < h0*hourMicros {
			p.Exact = append(p.Exact, Range{i, from, h0 * hourMicros})
		}
		if h1*hourMicros < to {
			p.Exact = append(p.Exact, Range{i, h1 * hourMicros, to})
		}
		d0, d1 := FloorDiv(h0+dayHours-1, dayHours), FloorDiv(h1, dayHours)
		hours := func(lo, hi int64) {
			for h := lo; h < hi; {
				if dirty[h] {
					p.Exact = append(p.Exact, Range{i, h * hourMicros, (h + 1) * hourMicros})
					h++
					continue
				}
				e := h
				for e < hi && !dirty[e] {
					e++
				}
				p.Hours = append(p.Hours, Range{i, h, e})
				h = e
			}
		}
		if d0 >= d1 {
			hours(h0, h1)
			continue
		}
		hours(h0, d0*dayHours)
		for d := d0; d < d1; {
			if dirtyDays[d] {
				hours(d*dayHours, (d+1)*dayHours)
				d++
				continue
			}
			e := d
			for e < d1 && !dirtyDays[e] {
				e++
			}
			p.Days = append(p.Days, Range{i, d, e})
			d = e
		}
		hours(d1*dayHours, h1)
	}
	return p
}
