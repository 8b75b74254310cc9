package metrics

import (
	"os"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// Resident memory, split the way the kernel counts it. process_resident_
// memory_bytes (RSS) includes the pages of files the process has mapped,
// and SQLite maps its database (mmap_size): at 100,000 stories RSS reads
// about twice the database size (768 MB) while the heap is a few tens of
// megabytes. Those file pages are the page cache, shared and dropped by the
// kernel under pressure; anonymous memory (the Go heap, stacks, cgo-free
// buffers) is what the process really holds. Monitors should alert on
// masthead_process_resident_anonymous_bytes, not on RSS.
var residentFields = []struct{ field, name, help string }{
	{"RssAnon", "masthead_process_resident_anonymous_bytes",
		"Resident anonymous memory (heap, stacks): what the process holds. Alert on this, not on RSS."},
	{"RssFile", "masthead_process_resident_file_bytes",
		"Resident pages of mapped files (SQLite's memory-mapped database): page cache the kernel can drop."},
}

// registerMemory adds the resident-memory gauges where the kernel reports
// them (/proc/self/status, Linux).
func registerMemory(reg *prometheus.Registry) {
	if _, ok := procStatusBytes("RssAnon"); !ok {
		return
	}
	for _, f := range residentFields {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: f.name, Help: f.help}, func() float64 {
			v, _ := procStatusBytes(f.field)
			return float64(v)
		}))
	}
}

// procStatusBytes reads one "Field:   123 kB" line of /proc/self/status.
func procStatusBytes(field string) (int64, bool) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		rest, ok := strings.CutPrefix(line, field+":")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
		if err != nil {
			return 0, false
		}
		return kb << 10, true
	}
	return 0, false
}
