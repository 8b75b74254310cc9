package httpx

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"
	"time"
)

// slogLine is what log/slog writes for the same request, the format the
// access log promises to keep.
func slogLine(format string, t time.Time, id, method, path string, status int, n int64, d time.Duration) string {
	var buf bytes.Buffer
	var h slog.Handler = slog.NewTextHandler(&buf, nil)
	if format == "json" {
		h = slog.NewJSONHandler(&buf, nil)
	}
	rec := slog.NewRecord(t, slog.LevelInfo, "request", 0)
	rec.AddAttrs(slog.String("request_id", id), slog.String("method", method), slog.String("path", path),
		slog.Int("status", status), slog.Int64("bytes", n), slog.Duration("duration", d))
	_ = h.Handle(context.Background(), rec)
	return buf.String()
}

func ourLine(format string, t time.Time, id, method, path string, status int, n int64, d time.Duration) string {
	var buf bytes.Buffer
	NewAccessLog(&buf, format).Log(t, id, method, path, status, n, d)
	return buf.String()
}

func TestAccessLogMatchesSlog(t *testing.T) {
	seoul := time.FixedZone("KST", 9*3600)
	times := []time.Time{
		time.Date(2026, 12, 3, 8, 31, 11, 396_123_456, time.UTC),
		time.Date(2026, 12, 3, 8, 31, 11, 0, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 999_999_999, seoul),
		time.Date(2026, 1, 2, 3, 4, 5, 100_000, time.UTC),
		// The same second as the first, in another zone: the cached
		// second must not be reused across zones.
		time.Date(2026, 12, 3, 8, 31, 11, 500_000_000, time.UTC).In(seoul),
		time.Date(2026, 12, 3, 8, 31, 11, 7, time.UTC),
	}
	paths := []string{"/", "/2020/03/22/is-trumps-second-letter", "/2020/03/22/북한-미사일-발사", "/a b", "/a=b", `/q"uote`,
		`/back\slash`, "/tab\there", "/nl\nline", "/ctl\x01", "/bad\xffutf8", "/ls\u2028ps\u2029", "/nbsp\u00a0", "/del\x7f", "", "/<script>&amp;"}
	ids := []string{"eb981ca51611971d", "client-id.1_2", ""}
	durs := []time.Duration{0, 999, 1500, 123_456_789, 2*time.Minute + 3*time.Second + 4, 90 * time.Hour, -5 * time.Millisecond}
	for _, format := range []string{"text", "json"} {
		for i, p := range paths {
			tm, id, d := times[i%len(times)], ids[i%len(ids)], durs[i%len(durs)]
			for _, method := range []string{"GET", "HEAD"} {
				want := slogLine(format, tm, id, method, p, 200+i, int64(i*1000), d)
				if got := ourLine(format, tm, id, method, p, 200+i, int64(i*1000), d); got != want {
					t.Errorf("%s, path %q:\n got %s\nwant %s", format, p, got, want)
				}
			}
		}
		for _, d := range durs {
			for _, tm := range times {
				want := slogLine(format, tm, "x", "GET", "/", 304, 0, d)
				if got := ourLine(format, tm, "x", "GET", "/", 304, 0, d); got != want {
					t.Errorf("%s, %v at %v:\n got %s\nwant %s", format, d, tm, got, want)
				}
			}
		}
	}
}

func FuzzAccessLogMatchesSlog(f *testing.F) {
	f.Add("abc", "/2020/03/22/북한", int64(1234567), int64(1764750671396123456))
	f.Add("", "/a b\"c\\d\x00\u2028", int64(-1), int64(0))
	f.Fuzz(func(t *testing.T, id, path string, d, unixNano int64) {
		tm := time.Unix(0, unixNano).UTC()
		if tm.Year() < 0 || tm.Year() > 9999 {
			return // slog's JSON refuses such times; no request ends then
		}
		for _, format := range []string{"text", "json"} {
			want := slogLine(format, tm, id, "GET", path, 200, 1, time.Duration(d))
			if got := ourLine(format, tm, id, "GET", path, 200, 1, time.Duration(d)); got != want {
				t.Fatalf("%s:\n got %s\nwant %s", format, got, want)
			}
		}
	})
}

// A line costs no allocation once the buffer pool is warm.
func TestAccessLogAllocates(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		l := NewAccessLog(io.Discard, format)
		tm := time.Now()
		n := testing.AllocsPerRun(200, func() {
			l.Log(tm, "eb981ca51611971d", "GET", "/2020/03/22/is-trumps-second-letter", 200, 28629, 123456*time.Nanosecond)
		})
		if n != 0 {
			t.Errorf("%s: %.1f allocations per line, want 0", format, n)
		}
	}
}
