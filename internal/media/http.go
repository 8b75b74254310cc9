package media

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"masthead/internal/httpx"
	"masthead/internal/news"
)

// Register adds the public photo routes:
//
//	GET /media/{id}/{token}/original     the stored original (metadata stripped)
//	GET /media/{id}/{token}/{width}.jpg  a JPEG rendition listed in Photo.Widths
//	GET /media/{id}/{token}/crop-*.jpg   a crop (news.CropFile), made on first request
//
// matching news.Paper.PhotoPath. The token (news.Photo.URLToken) makes the
// URLs unguessable, and readers are only served photos they may see
// (Visible): the lead photo of a draft, an embargoed or an unpublished
// story is a 404 however its URL was learnt. Staff see those through the
// newsroom (StaffHandler). Public photos need no cookie: link previews
// (KakaoTalk, Facebook) fetch them without one. HEAD is served by the
// same handler.
//
// The URLs before tokens, /media/{id}/{file}, answer a public photo with a
// permanent redirect to its URL (links in old feeds and caches keep
// working) and anything else with 404.
func (l *Library) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /media/{id}/{token}/{file}", func(w http.ResponseWriter, r *http.Request) {
		l.serveFile(w, r, false)
	})
	mux.HandleFunc("GET /media/{id}/{file}", l.redirectOld)
}

// StaffHandler serves the same files under /newsroom/media/{id}/{token}/
// {file} whatever the photo's stories, privately cached: mount it behind
// the newsroom's session check.
func (l *Library) StaffHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { l.serveFile(w, r, true) })
}

// PhotoVisibility is the store's answer to whether readers may see a photo
// at t: it is not the lead photo of any story, or it is the lead photo of
// a public one, or an author's portrait. Both stores implement it; a store
// that does not is treated as saying no.
type PhotoVisibility interface {
	PhotoVisibleAt(ctx context.Context, id int64, t time.Time) (bool, error)
}

// Visible reports whether readers may see photo id now.
func (l *Library) Visible(ctx context.Context, id int64) (bool, error) {
	pv, ok := l.store.(PhotoVisibility)
	if !ok {
		return false, nil
	}
	return pv.PhotoVisibleAt(ctx, id, l.clock.Now())
}

func (l *Library) redirectOld(w http.ResponseWriter, r *http.Request) {
	ph, ok := l.findPhoto(w, r)
	if !ok || !l.visible(w, r, ph) {
		return
	}
	file := r.PathValue("file")
	http.Redirect(w, r, fmt.Sprintf("/media/%d/%s/%s", ph.ID, ph.URLToken(), url.PathEscape(file)), http.StatusMovedPermanently)
}

// findPhoto finds the photo in the path that has files, answering 404 (or
// 500) itself when there is none.
func (l *Library) findPhoto(w http.ResponseWriter, r *http.Request) (*news.Photo, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		http.NotFound(w, r)
		return nil, false
	}
	ph, err := l.store.FindPhotoByID(r.Context(), id)
	if errors.Is(err, news.ErrNotFound) || (err == nil && !ph.HasFile()) { // no file: row made, files not (yet) stored (or awaiting its file)
		http.NotFound(w, r)
		return nil, false
	} else if err != nil {
		httpx.WriteTextError(w, r, l.log, fmt.Errorf("media: find photo %d: %w", id, err))
		return nil, false
	}
	return ph, true
}

// visible answers 404 (or 500) and false when readers may not see ph.
func (l *Library) visible(w http.ResponseWriter, r *http.Request, ph *news.Photo) bool {
	vis, err := l.Visible(r.Context(), ph.ID)
	if err != nil {
		httpx.WriteTextError(w, r, l.log, fmt.Errorf("media: photo %d visibility: %w", ph.ID, err))
		return false
	}
	if !vis {
		http.NotFound(w, r)
	}
	return vis
}

func (l *Library) serveFile(w http.ResponseWriter, r *http.Request, staff bool) {
	ph, ok := l.findPhoto(w, r)
	if !ok {
		return
	}
	if subtle.ConstantTimeCompare([]byte(r.PathValue("token")), []byte(ph.URLToken())) != 1 {
		http.NotFound(w, r)
		return
	}
	if staff {
		w.Header().Set("Cache-Control", "private, max-age=3600")
	} else if !l.visible(w, r, ph) {
		return
	}
	id, file := ph.ID, r.PathValue("file")
	key, ctype := "", ""
	switch {
	case file == "original":
		key, ctype = ph.Key, ph.ContentType
	case strings.HasPrefix(file, "crop-"):
		l.serveCrop(w, r, ph, file)
		return
	case strings.HasSuffix(file, ".jpg"):
		wd, err := strconv.Atoi(strings.TrimSuffix(file, ".jpg"))
		// Only listed widths, spelled canonically ("0640.jpg" is not 640).
		if err != nil || strconv.Itoa(wd)+".jpg" != file || !slices.Contains(ph.Widths, wd) {
			http.NotFound(w, r)
			return
		}
		key, ctype = renditionKey(ph.Key, wd), TypeJPEG
	default:
		http.NotFound(w, r)
		return
	}
	f, mod, err := l.blobs.Open(r.Context(), key)
	if errors.Is(err, news.ErrNotFound) {
		l.log.WarnContext(r.Context(), "media: file missing", "photo_id", id, "key", key)
		http.NotFound(w, r)
		return
	}
	if err != nil {
		httpx.WriteTextError(w, r, l.log, fmt.Errorf("media: open photo %d file %s: %w", id, key, err))
		return
	}
	defer f.Close()

	serveImage(w, r, key, ctype, mod, f)
}
