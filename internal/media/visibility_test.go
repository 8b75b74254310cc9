package media_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"masthead/internal/media"
	"masthead/internal/news"
	"masthead/internal/store/postgres"
	"masthead/internal/store/sqlite"
	"masthead/internal/testpg"
)

// TestPhotosOfStoriesThatAreNotPublic: photos of drafts, embargoed and
// unpublished stories were served to anyone counting ids
// (/media/{id}/original). Now a reader gets 404 for them, at the new
// unguessable URL and at the old one, while staff see them through the
// newsroom's handler; once the story is public readers see them too. On
// both stores.
func TestPhotosOfStoriesThatAreNotPublic(t *testing.T) {
	open := map[string]func(t *testing.T) news.Store{
		"sqlite": func(t *testing.T) news.Store {
			st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "m.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		},
		"postgres": func(t *testing.T) news.Store {
			st, err := postgres.Open(context.Background(), testpg.URL(t, "media_vis"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		},
	}
	for name, opener := range open {
		t.Run(name, func(t *testing.T) { testPhotoVisibility(t, opener(t)) })
	}
}

func testPhotoVisibility(t *testing.T, st news.Store) {
	ctx := context.Background()
	now := time.Date(2026, 3, 22, 3, 0, 0, 0, time.UTC)
	clock := news.NewFixedClock(now)
	blobs, err := media.NewDirBlobs(filepath.Join(t.TempDir(), "media"))
	if err != nil {
		t.Fatal(err)
	}
	lib := media.New(media.Config{Store: st, Blobs: blobs, Clock: clock, Logger: slog.New(slog.DiscardHandler)})
	mux := http.NewServeMux()
	lib.Register(mux)
	staff := lib.StaffHandler()
	paper := &news.Paper{}
	// The newsroom mounts the staff handler at
	// /newsroom/media/{id}/{token}/{file}, behind its session check.
	staffMux := http.NewServeMux()
	staffMux.Handle("GET /newsroom/media/{id}/{token}/{file}", staff)
	get := func(asStaff bool, path string) *http.Response {
		t.Helper()
		rec := httptest.NewRecorder()
		if asStaff {
			staffMux.ServeHTTP(rec, httptest.NewRequest("GET", "/newsroom"+path, nil))
		} else {
			mux.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		}
		return rec.Result()
	}
	photo := func() *news.Photo {
		ph := &news.Photo{Caption: "c"}
		if err := lib.SavePhoto(ctx, ph, encodePNG(t, testImage(400, 300))); err != nil {
			t.Fatal(err)
		}
		return ph
	}
	story := func(slug string, ph *news.Photo, mod func(*news.Article)) *news.Article {
		a := &news.Article{Slug: slug, Headline: slug, BodyHTML: "<p>b</p>", Lang: "en", Status: news.StatusDraft,
			CreatedAt: now.Add(-time.Hour), UpdatedAt: now.Add(-time.Hour), PhotoID: ph.ID}
		if mod != nil {
			mod(a)
		}
		if err := st.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	want := func(what string, ph *news.Photo, reader, staffCode int) {
		t.Helper()
		for _, w := range []int{0, 320} {
			p := paper.PhotoPath(ph, w)
			if res := get(false, p); res.StatusCode != reader {
				t.Errorf("%s: reader GET %s: %d, want %d", what, p, res.StatusCode, reader)
			}
			if res := get(true, p); res.StatusCode != staffCode {
				t.Errorf("%s: staff GET %s: %d, want %d", what, p, res.StatusCode, staffCode)
			} else if cc := res.Header.Get("Cache-Control"); cc != "private, max-age=3600" {
				t.Errorf("%s: staff Cache-Control %q", what, cc)
			}
		}
		old := fmt.Sprintf("/media/%d/original", ph.ID)
		res := get(false, old)
		switch {
		case reader == 200 && (res.StatusCode != 301 || res.Header.Get("Location") != paper.PhotoPath(ph, 0)):
			t.Errorf("%s: old URL %s: %d → %q, want a redirect to %s", what, old, res.StatusCode, res.Header.Get("Location"), paper.PhotoPath(ph, 0))
		case reader != 200 && res.StatusCode != 404:
			t.Errorf("%s: old URL %s: %d, want 404", what, old, res.StatusCode)
		}
	}

	draftPhoto := photo()
	draft := story("draft", draftPhoto, nil)
	want("draft's photo", draftPhoto, 404, 200)

	embargoPhoto := photo()
	story("embargoed", embargoPhoto, func(a *news.Article) {
		a.Status, a.PublishedAt, a.EmbargoUntil = news.StatusPublished, now.Add(-time.Hour), now.Add(time.Hour)
	})
	want("embargoed story's photo", embargoPhoto, 404, 200)
	clock.Add(2 * time.Hour)
	want("photo after the embargo", embargoPhoto, 200, 200)

	draft.Status, draft.PublishedAt = news.StatusPublished, clock.Now().Add(-time.Minute)
	if err := st.UpdateArticle(ctx, draft); err != nil {
		t.Fatal(err)
	}
	want("published story's photo", draftPhoto, 200, 200)
	draft.Status = news.StatusDraft // unpublished
	if err := st.UpdateArticle(ctx, draft); err != nil {
		t.Fatal(err)
	}
	want("unpublished story's photo", draftPhoto, 404, 200)

	loose := photo() // on the desk, or in a body: only its token protects it
	want("photo of no story", loose, 200, 200)

	portrait := photo()
	story("another-draft", portrait, nil)
	au := &news.Author{Slug: "kang", Name: "Kang", PhotoID: portrait.ID}
	if err := st.CreateAuthor(ctx, au); err != nil {
		t.Fatal(err)
	}
	want("an author's portrait", portrait, 200, 200)
}
