package news

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseLocalTime(t *testing.T) {
	zone := func(name string) *time.Location {
		l, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	utc := func(s string) []time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return []time.Time{v}
	}
	ny, seoul, howe := zone("America/New_York"), zone("Asia/Seoul"), zone("Australia/Lord_Howe")
	tests := []struct {
		name  string
		value string
		loc   *time.Location
		want  []time.Time // one: the instant; two: the choices of an ambiguous time
		err   []string    // what the message must say (gap, bad input)
	}{
		{"ordinary", "2026-07-01T10:00", ny, utc("2026-07-01T14:00:00Z"), nil},
		{"ordinary with seconds", "2026-07-01T10:00:30", ny, utc("2026-07-01T14:00:30Z"), nil},
		{"winter", "2026-12-24T18:00", ny, utc("2026-12-24T23:00:00Z"), nil},
		{"just before the gap", "2026-03-08T01:59", ny, utc("2026-03-08T06:59:00Z"), nil},
		{"just after the gap", "2026-03-08T03:00", ny, utc("2026-03-08T07:00:00Z"), nil},
		{"gap", "2026-03-08T02:30", ny, nil, []string{"no 02:30 on 2026-03-08 in America/New_York", "from 02:00 to 03:00", "01:59 EST or earlier", "03:00 EDT or later"}},
		{"gap at its first minute", "2026-03-08T02:00", ny, nil, []string{"no 02:00"}},
		{"ambiguous", "2026-11-01T01:30", ny, append(utc("2026-11-01T05:30:00Z"), utc("2026-11-01T06:30:00Z")...), nil},
		{"ambiguous, first by offset", "2026-11-01T01:30-04:00", ny, utc("2026-11-01T05:30:00Z"), nil},
		{"ambiguous, second by offset", "2026-11-01T01:30-05:00", ny, utc("2026-11-01T06:30:00Z"), nil},
		{"after the overlap", "2026-11-01T02:00", ny, utc("2026-11-01T07:00:00Z"), nil},
		{"Seoul", "2026-03-22T10:30", seoul, utc("2026-03-22T01:30:00Z"), nil},
		{"Seoul at New York's gap", "2026-03-08T02:30", seoul, utc("2026-03-07T17:30:00Z"), nil},
		{"Seoul's own gap of 1987", "1987-05-10T02:30", seoul, nil, []string{"no 02:30 on 1987-05-10 in Asia/Seoul", "01:59 KST or earlier", "03:00 KDT or later"}},
		{"Seoul's overlap of 1987", "1987-10-11T02:30", seoul, append(utc("1987-10-10T16:30:00Z"), utc("1987-10-10T17:30:00Z")...), nil},
		{"half-hour gap", "2026-10-04T02:15", howe, nil, []string{"from 02:00 to 02:30", "01:59 UTC+10:30 or earlier", "02:30 UTC+11:00 or later"}},
		{"explicit UTC", "2026-03-08T02:30Z", ny, utc("2026-03-08T02:30:00Z"), nil},
		{"empty", "  ", ny, []time.Time{{}}, nil},
		{"not a time", "tomorrow at noon", ny, nil, []string{`"tomorrow at noon" is not a date and time`}},
		{"no such day", "2026-02-30T10:00", ny, nil, []string{"is not a date and time"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseLocalTime(tt.value, tt.loc)
			var amb *AmbiguousTimeError
			switch {
			case len(tt.want) == 1:
				if err != nil || !got.Equal(tt.want[0]) || (!got.IsZero() && got.Location() != time.UTC) {
					t.Fatalf("got %v, %v; want %v", got, err, tt.want[0])
				}
			case len(tt.want) == 2:
				if !errors.As(err, &amb) || ErrorCode(err) != EINVALID {
					t.Fatalf("got %v, %v; want an ambiguous-time error", got, err)
				}
				if len(amb.Choices) != 2 || !amb.Choices[0].Equal(tt.want[0]) || !amb.Choices[1].Equal(tt.want[1]) {
					t.Fatalf("choices %v, want %v", amb.Choices, tt.want)
				}
				// Each choice, written back with its offset, is that
				// instant: what the form's choice sends.
				for _, c := range amb.Choices {
					back, err := ParseLocalTime(c.Format("2006-01-02T15:04Z07:00"), tt.loc)
					if err != nil || !back.Equal(c) {
						t.Errorf("choice %v read back as %v, %v", c, back, err)
					}
					if !strings.Contains(ErrorMessage(amb), c.Format("15:04 MST")) {
						t.Errorf("the message %q does not name %s", ErrorMessage(amb), c.Format("15:04 MST"))
					}
				}
			default:
				if err == nil || ErrorCode(err) != EINVALID || errors.As(err, &amb) {
					t.Fatalf("got %v, %v; want an invalid-time error", got, err)
				}
				for _, want := range tt.err {
					if !strings.Contains(ErrorMessage(err), want) {
						t.Errorf("message %q lacks %q", ErrorMessage(err), want)
					}
				}
			}
		})
	}
}
