package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"masthead/internal/news"
)

func TestProblemOf(t *testing.T) {
	tooBig := func() error {
		r := httptest.NewRequest("POST", "/", strings.NewReader(strings.Repeat("x", 2<<20)))
		_, err := io.ReadAll(http.MaxBytesReader(httptest.NewRecorder(), r.Body, 1<<20))
		return fmt.Errorf("read form: %w", err)
	}()
	tests := []struct {
		name    string
		err     error
		status  int
		code    string
		message string
		logged  bool
	}{
		{"not found", fmt.Errorf("find story 7: %w", news.Errorf(news.ENOTFOUND, "No such story.")), 404, news.ENOTFOUND, "No such story.", false},
		{"invalid", news.Errorf(news.EINVALID, "The headline is empty."), 400, news.EINVALID, "The headline is empty.", false},
		{"conflict", news.ErrConflict, 409, news.ECONFLICT, "conflict", false},
		{"unauthorized", news.ErrUnauthorized, 401, news.EUNAUTHORIZED, "sign in required", false},
		{"forbidden", news.ErrForbidden, 403, news.EFORBIDDEN, "not allowed", false},
		{"method", Status(http.StatusMethodNotAllowed, "GET only."), 405, news.EINVALID, "GET only.", false},
		{"body too large", tooBig, 413, news.EINVALID, "The request is larger than the 1 MiB allowed.", false},
		{"timeout", fmt.Errorf("find stories: %w", context.DeadlineExceeded), 503, news.EINTERNAL, "", true},
		{"internal", fmt.Errorf("find stories: %w", errors.New("database disk image is malformed")), 500, news.EINTERNAL, InternalMessage, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ProblemOf(tt.err)
			if p.Status != tt.status || p.Code != tt.code || (tt.message != "" && p.Message != tt.message) {
				t.Fatalf("ProblemOf = %+v, want %d %s %q", p, tt.status, tt.code, tt.message)
			}
			if strings.Contains(p.Message, "malformed") || strings.Contains(p.Message, "deadline") {
				t.Errorf("the message shows internals: %q", p.Message)
			}

			// Both writers answer the same and log only our failures,
			// in full.
			for _, write := range []struct {
				name  string
				write func(http.ResponseWriter, *http.Request, *slog.Logger, error)
				ctype string
			}{
				{"json", WriteJSONError, "application/json"},
				{"text", WriteTextError, "text/plain"},
			} {
				var logs bytes.Buffer
				log := slog.New(slog.NewTextHandler(&logs, nil))
				rec := httptest.NewRecorder()
				write.write(rec, httptest.NewRequest("GET", "/x", nil), log, tt.err)
				if rec.Code != tt.status || !strings.HasPrefix(rec.Header().Get("Content-Type"), write.ctype) ||
					!strings.Contains(rec.Body.String(), p.Message) {
					t.Errorf("%s: %d %q %q", write.name, rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
				}
				if write.name == "json" {
					var body struct{ Error, Code string }
					if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error != p.Message || body.Code != p.Code {
						t.Errorf("json body %q: %v", rec.Body.String(), err)
					}
				}
				if logged := strings.Contains(logs.String(), tt.err.Error()); logged != tt.logged {
					t.Errorf("%s: logged %v, want %v: %q", write.name, logged, tt.logged, logs.String())
				}
				if cc := rec.Header().Get("Cache-Control"); (tt.status >= 500) != (cc == "no-store") {
					t.Errorf("%s: Cache-Control %q for %d", write.name, cc, tt.status)
				}
			}
		})
	}
}

// A request its client gave up on is not an error in the log.
func TestFailAbandoned(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := httptest.NewRequest("GET", "/x", nil).WithContext(ctx)
	Fail(log, r, fmt.Errorf("find stories: %w", context.Canceled))
	if strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "abandoned") {
		t.Errorf("log: %q", logs.String())
	}
}
