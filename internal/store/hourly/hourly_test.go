package hourly

import (
	"testing"
	"time"
)

// Every microsecond of every month is read exactly once: by its day, its
// hour or its stories; dirty hours always from the stories.
func TestPlanCoversEachMonthOnce(t *testing.T) {
	for _, zone := range []string{"UTC", "Asia/Seoul", "Asia/Kolkata", "Asia/Kathmandu", "America/New_York"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		first := HourOf(time.Date(2025, 12, 30, 7, 0, 0, 0, time.UTC).UnixMicro())
		last := HourOf(time.Date(2026, 4, 2, 3, 0, 0, 0, time.UTC).UnixMicro())
		dirty := map[int64]bool{first + 5: true, first + 24*40 + 3: true, last: true}
		p := MakePlan(first, last, loc, dirty)
		if len(p.Months) != 5 && len(p.Months) != 6 {
			t.Fatalf("%s: %d months", zone, len(p.Months))
		}
		// Sample every quarter of an hour over the months.
		for i, m := range p.Months {
			end := m.AddDate(0, 1, 0)
			for at := m; at.Before(end); at = at.Add(15 * time.Minute) {
				us := at.UnixMicro()
				n := 0
				byStories := false
				for _, r := range p.Days {
					if r.Month == i && FloorDiv(us, 24*hourMicros) >= r.Lo && FloorDiv(us, 24*hourMicros) < r.Hi {
						n++
					}
				}
				for _, r := range p.Hours {
					if r.Month == i && HourOf(us) >= r.Lo && HourOf(us) < r.Hi {
						n++
					}
				}
				for _, r := range p.Exact {
					if r.Month == i && us >= r.Lo && us < r.Hi {
						n++
						byStories = true
					}
				}
				if n != 1 {
					t.Fatalf("%s: %s read %d times", zone, at, n)
				}
				if dirty[HourOf(us)] && !byStories {
					t.Fatalf("%s: dirty hour %s not read from the stories", zone, at)
				}
			}
		}
		if zone == "Asia/Kathmandu" && len(p.Exact) <= len(dirty) {
			t.Errorf("%s: months start at :15 past an hour, yet no partial hour is read from the stories", zone)
		}
	}
}
