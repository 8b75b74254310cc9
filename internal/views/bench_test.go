package views

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// BenchmarkBeaconHTTP compares the beacon with an empty 204 handler in the
// same server, over real loopback HTTP with keep-alive and many client
// goroutines. Every beacon is a new reader, so each one is counted (the
// worst case for memory): readers differ by address, given in
// X-Forwarded-For by a trusted proxy on loopback, and use the common
// browsers' user agents; "beacon-new-agents" makes every user agent new as
// well, defeating the verdict cache. The target is beacon ≥ 0.8× empty in
// requests per second:
//
//	go test -run '^$' -bench BeaconHTTP -benchtime 3s -count 3 ./internal/views
//
// On a shared machine compare the cpu-µs/op metrics (this process's CPU
// time per request, client and server): they measure cost, where ns/op
// also measures whatever else the machine is doing.
func BenchmarkBeaconHTTP(b *testing.B) {
	e := newEnv(b, func(c *Config) {
		c.FlushInterval = time.Second
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	})
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
	var agents []string
	for _, ua := range readerUAs {
		agents = append(agents, ua)
	}
	var n atomic.Uint32

	for _, bench := range []struct {
		name, path string
		newAgents  bool
	}{
		{"empty", "/empty", false},
		{"beacon", "/api/v1/views", false},
		{"beacon-new-agents", "/api/v1/views", true},
	} {
		b.Run(bench.name, func(b *testing.B) {
			b.SetParallelism(16)
			cpu0 := processCPU()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					req, _ := http.NewRequest("POST", srv.URL+bench.path, strings.NewReader(body))
					req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
					req.Header.Set("X-Forwarded-For", netip.AddrFrom4([4]byte{100, byte(i >> 16), byte(i >> 8), byte(i)}).String())
					if bench.newAgents {
						req.Header.Set("User-Agent", reader(int(i)))
					} else {
						req.Header.Set("User-Agent", agents[int(i)%len(agents)])
					}
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusNoContent {
						b.Errorf("%s: status %d", bench.path, resp.StatusCode)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
			b.ReportMetric(float64(processCPU()-cpu0)/float64(time.Microsecond)/float64(b.N), "cpu-µs/op")
		})
	}
}

// processCPU is this process's user and system CPU time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkRecord is the counting work alone (filters, hash, shard),
// without HTTP: what a beacon adds to an empty handler. Each call is a new
// reader (a new address) with a common browser's user agent.
func BenchmarkRecord(b *testing.B) {
	e := newEnv(b, nil)
	a := e.story("bench", nil)
	var n atomic.Uint32
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		r := beaconReq(a.ID, "203.0.113.7:1", firefox)
		for pb.Next() {
			i := n.Add(1)
			r.RemoteAddr = netip.AddrPortFrom(netip.AddrFrom4([4]byte{100, byte(i >> 16), byte(i >> 8), byte(i)}), 1).String()
			e.c.record(r, a.ID)
		}
	})
}
