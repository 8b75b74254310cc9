package media

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"masthead/internal/httpx"
	"masthead/internal/news"
)

// Register adds the public photo route:
//
//	GET /media/{id}/original     the stored original (metadata stripped)
//	GET /media/{id}/{width}.jpg  a JPEG rendition listed in Photo.Widths
//	GET /media/{id}/crop-*.jpg   a crop (news.CropFile), made on first request
//
// matching news.Paper.PhotoPath. Photos are public and need no cookie: link
// previews (KakaoTalk, Facebook) fetch them without one. HEAD is served by
// the same handler.
func (l *Library) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /media/{id}/{file}", l.serveFile)
}

func (l *Library) serveFile(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		http.NotFound(w, r)
		return
	}
	file := r.PathValue("file")
	ph, err := l.store.FindPhotoByID(r.Context(), id)
	if errors.Is(err, news.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		httpx.WriteTextError(w, r, l.log, fmt.Errorf("media: find photo %d: %w", id, err))
		return
	}
	if ph.Key == "" { // row made, files not (yet) stored
		http.NotFound(w, r)
		return
	}
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
