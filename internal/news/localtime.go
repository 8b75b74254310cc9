package news

import (
	"fmt"
	"strings"
	"time"
)

// Editors type times as the paper's clock shows them ("2026-03-08T02:30",
// what an <input type="datetime-local"> sends). Where the zone changes its
// offset, two kinds of wall time are not one instant: one skipped when the
// clocks go forward (a gap: no such time) and one lived twice when they go
// back (ambiguous). time.Date quietly picks some instant for both, which
// scheduled a story at 02:30 on New York's spring-forward day an hour
// early. ParseLocalTime refuses the first and asks about the second.

// localLayouts are the wall-time forms accepted, without and with an
// explicit offset ("2026-11-01T01:30-05:00"); an offset makes the time one
// instant whatever the zone does.
var (
	localLayouts  = []string{"2006-01-02T15:04", "2006-01-02T15:04:05"}
	offsetLayouts = []string{"2006-01-02T15:04Z07:00", "2006-01-02T15:04:05Z07:00"}
)

// AmbiguousTimeError says a wall time happens twice in the zone (the clocks
// go back over it). Choices are the instants it may mean, earlier first, in
// the zone; the value with one of their offsets appended (Choices[i].Format
// ("2006-01-02T15:04Z07:00")) is accepted. It is an EINVALID domain error.
type AmbiguousTimeError struct {
	Value   string
	Choices []time.Time
	err     *Error
}

func (e *AmbiguousTimeError) Error() string { return e.err.Error() }

// Unwrap makes ErrorCode and ErrorMessage see the EINVALID error.
func (e *AmbiguousTimeError) Unwrap() error { return e.err }

// ParseLocalTime reads value as a wall time in loc, or as an instant when it
// carries an offset, and returns it in UTC; "" is the zero time. A wall time
// that does not exist in loc is refused with a message naming the last
// valid time before the gap and the first after it; one that exists twice
// is refused with an *AmbiguousTimeError naming both.
func ParseLocalTime(value string, loc *time.Location) (time.Time, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return time.Time{}, nil
	}
	for _, layout := range offsetLayouts {
		if t, err := time.Parse(layout, value); err == nil {
			return t.UTC(), nil
		}
	}
	var wall time.Time
	var parsed bool
	for _, layout := range localLayouts {
		if t, err := time.Parse(layout, value); err == nil {
			wall, parsed = t, true // the wall time's fields, read as UTC
			break
		}
	}
	if !parsed {
		return time.Time{}, Errorf(EINVALID, "%q is not a date and time (YYYY-MM-DDTHH:MM).", value)
	}
	if loc == nil {
		loc = time.UTC
	}
	switch c := wallInstants(wall, loc); len(c) {
	case 1:
		return c[0].UTC(), nil
	case 0:
		return time.Time{}, gapError(wall, loc)
	default:
		return time.Time{}, ambiguousError(value, wall, loc, c)
	}
}

// wallInstants returns the instants at which loc's clock reads wall (its
// fields read as UTC), earliest first: none in a gap, two in an overlap.
// Every offset loc may use around that day is tried: a zone's offset is
// within ±14 h, so the offsets in force 26 h either side of the wall time
// read as UTC, and between, cover every transition that can touch it.
func wallInstants(wall time.Time, loc *time.Location) []time.Time {
	var out []time.Time
	seen := map[int]bool{}
	for _, h := range []int{-26, -14, 0, 14, 26} {
		_, off := wall.Add(time.Duration(h) * time.Hour).In(loc).Zone()
		if seen[off] {
			continue
		}
		seen[off] = true
		t := wall.Add(-time.Duration(off) * time.Second).In(loc)
		if _, o := t.Zone(); o == off {
			out = append(out, t)
		}
	}
	for i := 1; i < len(out); i++ { // at most three: sort by hand
		for j := i; j > 0 && out[j].Before(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// gapError names the transition that skips wall: the last minute before it
// and the first after, as the paper's clock shows them.
func gapError(wall time.Time, loc *time.Location) error {
	// Read with the offset in force a day before, wall falls after the
	// transition; the zone then in force began at the transition.
	_, before := wall.Add(-26 * time.Hour).In(loc).Zone()
	start, _ := wall.Add(-time.Duration(before) * time.Second).In(loc).ZoneBounds()
	last, first := start.Add(-time.Minute), start
	jump := start.In(time.FixedZone("", before)) // the transition on the old clock
	return Errorf(EINVALID, "There is no %s on %s in %s: the clocks go forward from %s to %s. Choose %s or earlier, or %s or later.",
		wall.Format("15:04"), wall.Format("2006-01-02"), loc,
		jump.Format("15:04"), first.Format("15:04"),
		clock(last), clock(first))
}

func ambiguousError(value string, wall time.Time, loc *time.Location, c []time.Time) error {
	names := make([]string, len(c))
	for i, t := range c {
		names[i] = clock(t)
		if !strings.Contains(names[i], "UTC") {
			names[i] += " (UTC" + t.Format("-07:00") + ")"
		}
	}
	msg := fmt.Sprintf("%s on %s happens twice in %s, because the clocks go back: choose %s, the first, or %s, the second.",
		wall.Format("15:04"), wall.Format("2006-01-02"), loc, names[0], strings.Join(names[1:], " or "))
	return &AmbiguousTimeError{Value: value, Choices: c, err: &Error{Code: EINVALID, Message: msg}}
}

// clock is a time as a wall clock and zone show it: "01:30 EDT", or
// "02:15 UTC+10:30" in zones whose abbreviation is only their offset.
func clock(t time.Time) string {
	if name, _ := t.Zone(); name == "" || name[0] == '+' || name[0] == '-' {
		return t.Format("15:04 UTC-07:00")
	}
	return t.Format("15:04 MST")
}
