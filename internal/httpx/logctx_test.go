package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Every line logged with a request's context, from any handler, carries the
// request id (the one the response names) and the route; lines without a
// request pass through unchanged.
func TestLogHandlerAddsRequest(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(NewLogHandler(slog.NewJSONHandler(&buf, nil)))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /section/{slug}", func(w http.ResponseWriter, r *http.Request) {
		log.InfoContext(r.Context(), "in the handler", "slug", r.PathValue("slug"))
		log.With("part", "sub").WarnContext(r.Context(), "with attrs")
		log.InfoContext(r.Context(), "own id", "request_id", "mine")
		WriteJSONError(w, r, log, context.DeadlineExceeded)
	})
	h := Wrap(Route(mux), Options{Log: log})
	req := httptest.NewRequest("GET", "/section/world", nil)
	req.Header.Set("X-Request-Id", "req-42")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Header().Get("X-Request-Id") != "req-42" {
		t.Fatalf("X-Request-Id %q", rec.Header().Get("X-Request-Id"))
	}
	log.Info("no request")

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d lines:\n%s", len(lines), buf.String())
	}
	for i, line := range lines {
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		if strings.Count(line, `"request_id"`) > 1 {
			t.Errorf("line %d names request_id twice: %s", i, line)
		}
		switch v["msg"] {
		case "no request":
			if _, ok := v["request_id"]; ok {
				t.Errorf("a line without a request got an id: %s", line)
			}
		case "own id":
			if v["request_id"] != "mine" {
				t.Errorf("a line's own request_id was replaced: %s", line)
			}
		default:
			if v["request_id"] != "req-42" || v["route"] != "GET /section/{slug}" {
				t.Errorf("line %d lacks the request: %s", i, line)
			}
		}
	}
}
