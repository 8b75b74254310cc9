package metrics

import (
	"io"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// TestResidentMemoryGauges: RSS counts SQLite's mapped database (768 MB at
// 100k stories for a heap of tens of MB); the anonymous part is exposed so
// monitors see the real figure.
func TestResidentMemoryGauges(t *testing.T) {
	if _, ok := procStatusBytes("RssAnon"); !ok {
		t.Skip("no /proc/self/status RssAnon on this system")
	}
	m := New()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	var anon, rss float64
	for line := range strings.SplitSeq(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, "masthead_process_resident_anonymous_bytes "); ok {
			anon, _ = strconv.ParseFloat(v, 64)
		}
		if v, ok := strings.CutPrefix(line, "process_resident_memory_bytes "); ok {
			rss, _ = strconv.ParseFloat(v, 64)
		}
	}
	if anon <= 0 || rss <= 0 || anon > rss {
		t.Fatalf("anonymous %v, RSS %v: want 0 < anonymous ≤ RSS", anon, rss)
	}
	if !strings.Contains(string(body), "masthead_process_resident_file_bytes ") {
		t.Error("no file-backed resident gauge")
	}
}
