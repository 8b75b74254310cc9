// Package metrics exposes masthead's Prometheus metrics: request latency by
// route, page-cache effectiveness, database pool use and whatever the jobs
// register. One registry per server, so tests can run servers side by side.
package metrics

import (
	"database/sql"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"masthead/internal/pagecache"
)

// Metrics holds the registry and the collectors the server updates.
type Metrics struct {
	Registry *prometheus.Registry
	requests *prometheus.HistogramVec
	// observers keeps the histogram of each (route, method, status):
	// finding it in the vector hashes the label values and formats the
	// status on every request.
	observers sync.Map // observerKey -> prometheus.Observer
}

type observerKey struct {
	route, method string
	status        int
}

// New makes a registry with the Go runtime and process collectors.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := &Metrics{
		Registry: reg,
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "masthead_http_request_duration_seconds",
			Help: "Time to answer HTTP requests, by route pattern (\"cache\" for page-cache hits), method and status code.",
			// From a cached page (tens of µs) to a slow upload.
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method", "code"}),
	}
	reg.MustRegister(m.requests)
	registerMemory(reg)
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}

// Observe records one request; give it to httpx.Wrap as its Observer. The
// route label is the ServeMux pattern that matched (bounded: never the raw
// path, which anyone can vary), or "cache" when the page cache answered
// before the mux saw the request.
func (m *Metrics) Observe(r *http.Request, route string, status int, d time.Duration) {
	if route == "" {
		route = "cache"
	}
	k := observerKey{route, methodLabel(r.Method), status}
	o, ok := m.observers.Load(k)
	if !ok {
		o, _ = m.observers.LoadOrStore(k, m.requests.WithLabelValues(k.route, k.method, strconv.Itoa(status)))
	}
	o.(prometheus.Observer).Observe(d.Seconds())
}

// methodLabel bounds the method label: net/http accepts any token as a
// method, and a label value per made-up method would grow the metrics
// without end.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}

// WatchCache exports the page cache's counters.
func (m *Metrics) WatchCache(c *pagecache.Cache) {
	stat := func(name, help string, counter bool, f func(pagecache.Stats) int64) {
		fn := func() float64 { return float64(f(c.Stats())) }
		if counter {
			m.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, fn))
		} else {
			m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, fn))
		}
	}
	stat("masthead_pagecache_hits_total", "Pages served from memory.", true, func(s pagecache.Stats) int64 { return s.Hits })
	stat("masthead_pagecache_misses_total", "Pages rendered because they were not cached.", true, func(s pagecache.Stats) int64 { return s.Misses })
	stat("masthead_pagecache_evictions_total", "Pages dropped to stay within the byte limit.", true, func(s pagecache.Stats) int64 { return s.Evictions })
	stat("masthead_pagecache_purges_total", "Whole-cache purges after a change readers can see.", true, func(s pagecache.Stats) int64 { return s.Purges })
	stat("masthead_pagecache_key_purges_total", "Purges by key (the keys of one committed change).", true, func(s pagecache.Stats) int64 { return s.KeyPurges })
	stat("masthead_pagecache_key_purged_total", "Pages dropped by purges by key.", true, func(s pagecache.Stats) int64 { return s.KeyPurged })
	stat("masthead_pagecache_bytes", "Bytes of cached pages, all encodings.", false, func(s pagecache.Stats) int64 { return s.Bytes })
	stat("masthead_pagecache_entries", "Cached pages.", false, func(s pagecache.Stats) int64 { return s.Entries })
}

// WatchDB exports a database/sql pool's statistics under the given name.
func (m *Metrics) WatchDB(name string, db *sql.DB) {
	m.Registry.MustRegister(collectors.NewDBStatsCollector(db, name))
}
