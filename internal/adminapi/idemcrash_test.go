package adminapi_test

import (
	"bytes"
	"context"
	"errors"
	"mime/multipart"
	"net/http"
	"testing"
	"time"

	"masthead/internal/news"
	"masthead/internal/store/sqlite"
)

// lostAnswer is the store as a process killed between committing a change
// and storing its Idempotency-Key answer leaves it: the answer written
// outside the change's transaction never arrives.
type lostAnswer struct{ *sqlite.DB }

func (lostAnswer) FinishIdempotent(context.Context, int64, string, int, []byte) error {
	return errors.New("killed before the answer was stored")
}

// TestIdempotentAnswerCommitsWithTheChange: creating an author, a webhook
// or a photo, and redelivering a webhook delivery, store the answer in
// the change's own transaction. Before, the answer was written after the
// commit: a crash in between left the key open, and the client's retry,
// once the key went stale, made a second webhook and a second photo.
func TestIdempotentAnswerCommitsWithTheChange(t *testing.T) {
	p := newPaperWith(t, func(st *sqlite.DB) news.Store { return lostAnswer{st} })
	ctx := context.Background()
	retry := func(name string, send func(idem string) (int, http.Header)) {
		t.Helper()
		first, _ := send(name)
		if first >= 300 {
			t.Fatalf("%s: first request %d", name, first)
		}
		// The client retries after the key went stale (a crash leaves it
		// reserved; after idemStale a retry may run the request again).
		p.clock.Add(10 * time.Minute)
		st, hdr := send(name)
		if st != first || hdr.Get("Idempotent-Replayed") != "true" {
			t.Errorf("%s: retry answered %d (replayed %q), want the first answer %d replayed", name, st, hdr.Get("Idempotent-Replayed"), first)
		}
	}

	retry("author", func(k string) (int, http.Header) {
		return p.doH(t, "POST", "/api/admin/v1/authors", p.writer.AdminKey, map[string]any{"name": "Lee Hyo-jin"}, nil, "Idempotency-Key", k)
	})
	retry("webhook", func(k string) (int, http.Header) {
		return p.doH(t, "POST", "/api/admin/v1/webhooks", p.hooks.AdminKey, map[string]any{"url": "https://hooks.example/in", "events": []string{"story.published"}}, nil, "Idempotency-Key", k)
	})
	if ws, err := p.st.ListWebhooks(ctx, 0); err != nil || len(ws) != 1 {
		t.Errorf("webhooks after a retried create: %d (%v), want 1", len(ws), err)
	}
	// One body for both sends: a retry is the same request, boundary and all.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "p.jpg")
	fw.Write(jpegBytes(t))
	mw.WriteField("caption", "Harbour at dawn")
	mw.Close()
	retry("photo", func(k string) (int, http.Header) {
		return p.doH(t, "POST", "/api/admin/v1/photos", p.editor.AdminKey, buf.String(), nil, "Idempotency-Key", k, "Content-Type", mw.FormDataContentType())
	})
	if ps, _, err := p.st.ListPhotos(ctx, news.PhotoFilter{Limit: 10}); err != nil || len(ps) != 1 {
		t.Errorf("photos after a retried upload: %d (%v), want 1", len(ps), err)
	}
}
