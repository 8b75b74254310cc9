package site

import (
	"net/http/httptest"
	"testing"
)

// BenchmarkPages measures a full uncached render (store queries included)
// on the seeded SQLite database.
func BenchmarkPages(b *testing.B) {
	for _, p := range []struct{ name, path string }{
		{"article", "/2020/03/22/is-trumps-second-letter-to-nk-leader-for-dialogue-or-status-quo"},
		{"front", "/"},
		{"section", "/section/business"},
		{"search", "/search?q=Pyongyang"},
	} {
		b.Run(p.name, func(b *testing.B) {
			e := benchEnv(b)
			b.ReportAllocs()
			cpu0, ok := processCPU()
			for b.Loop() {
				rec := httptest.NewRecorder()
				e.h.ServeHTTP(rec, httptest.NewRequest("GET", p.path, nil))
				if rec.Code != 200 {
					b.Fatalf("%s: %d", p.path, rec.Code)
				}
			}
			// CPU time per render (all threads), steadier than wall
			// time when other work shares the cores.
			if cpu1, ok1 := processCPU(); ok && ok1 {
				b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
			}
		})
	}
}
