package views

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkBeaconHTTP compares the beacon with an empty 204 handler in the
// same server, over real loopback HTTP with keep-alive and many client
// goroutines. Every beacon is a new reader (distinct user agents), so each
// one is counted, the worst case. The target is beacon ≥ 0.8× empty in
// requests per second, i.e. ns/op(beacon) ≤ 1.25 × ns/op(empty):
//
//	go test -run '^$' -bench BeaconHTTP -benchtime 3s ./internal/views
func BenchmarkBeaconHTTP(b *testing.B) {
	e := newEnv(b, func(c *Config) { c.FlushInterval = time.Second })
	a := e.story("bench", nil)
	e.mux.HandleFunc("POST /empty", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.c.Run(ctx) }() // flushes run during the benchmark, as in production
	defer func() { cancel(); <-done }()

	srv := httptest.NewServer(e.mux)
	defer srv.Close()
	tr := srv.Client().Transport.(*http.Transport)
	tr.MaxIdleConnsPerHost = 256
	client := &http.Client{Transport: tr}
	body := fmt.Sprintf(`{"article_id":%d}`, a.ID)
	var n atomic.Int64

	for _, path := range []string{"/empty", "/api/v1/views"} {
		b.Run(strings.TrimPrefix(path, "/"), func(b *testing.B) {
			b.SetParallelism(16)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(body))
					req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
					req.Header.Set("User-Agent", reader(int(n.Add(1))))
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusNoContent {
						b.Errorf("%s: status %d", path, resp.StatusCode)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

// BenchmarkRecord is the counting work alone (filters, hash, shard),
// without HTTP: what a beacon adds to an empty handler.
func BenchmarkRecord(b *testing.B) {
	e := newEnv(b, nil)
	a := e.story("bench", nil)
	var n atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		r := beaconReq(a.ID, "203.0.113.7:1", firefox)
		for pb.Next() {
			r.Header.Set("User-Agent", reader(int(n.Add(1))))
			e.c.record(r, a.ID)
		}
	})
}
