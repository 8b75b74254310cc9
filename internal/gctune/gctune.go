// Package gctune is the garbage collector's settings for a serving node:
// serve applies them at start, and the reader benchmarks
// (internal/benchdata) apply the same, so that what they measure is what a
// node spends.
package gctune

import (
	"os"
	"runtime/debug"
)

// Percent is the garbage collector's target for serve: the heap may
// grow to five times what is live before a collection, instead of twice.
// A cache hit allocates ~4 KB (net/http's request and header maps, most of
// it), so with GOGC=100 a demo paper's 4 MB live heap is marked every
// thousand requests; at 400, a quarter as often. Measured with
// cmd/loadbench at 64 connections: 18% less CPU per cached page
// (docs/performance.md).
const Percent = 400

// ServeCacheBytes is serve's default --cache-bytes, the page cache the
// benchmarks' memory limit is set for.
const ServeCacheBytes = 64 << 20

// Settings is the GC percent and soft memory limit serve runs with, each
// 0 when the environment's GOGC or GOMEMLIMIT sets it (the operator's word
// wins). The limit keeps memory proportional to --cache-bytes however
// full the cache gets: 3× the cache plus 64 MB (256 MB at the default),
// where GOGC=100 levelled off at about 2.5× plus 25 MB. With the cache
// full the collector then runs about half as often as at GOGC=100; with
// the cache mostly empty, a quarter as often.
func Settings(getenv func(string) string, cacheBytes int64) (percent int, limit int64) {
	if getenv("GOGC") == "" {
		percent = Percent
	}
	if getenv("GOMEMLIMIT") == "" {
		limit = 3*cacheBytes + 64<<20
	}
	return percent, limit
}

// Apply applies Settings to this process, for a page cache of cacheBytes.
func Apply(cacheBytes int64) {
	percent, limit := Settings(os.Getenv, cacheBytes)
	if percent > 0 {
		debug.SetGCPercent(percent)
	}
	if limit > 0 {
		debug.SetMemoryLimit(limit)
	}
}
