package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"masthead/internal/httpx"
	"masthead/internal/news"
)

// CropWidth is the width of a crop rendition: what Google asks of
// structured-data images, and the width link previews show. A photo too
// small for it gets the largest crop that fits.
const CropWidth = 1200

// Crops (news.Crops: 16:9, 4:3, 1:1 around the focal point) are made lazily
// on the first request, not at upload: they are wanted by crawlers and link
// previews rather than by readers, photos uploaded before crops existed get
// them too, and a changed focal point simply names new files
// (news.CropFile). A crop is stored through Blobs next to the original, so
// later requests, and other nodes sharing the media store, read the file.

// cropFlight lets one request per key make a crop while the others wait for
// it, so a burst of crawlers decodes a large original once.
type cropFlight struct {
	mu    sync.Mutex
	calls map[string]*cropCall
}

type cropCall struct {
	done chan struct{}
	data []byte
	err  error
}

var flights = &cropFlight{calls: map[string]*cropCall{}}

func (f *cropFlight) do(key string, fn func() ([]byte, error)) ([]byte, error) {
	f.mu.Lock()
	if c, ok := f.calls[key]; ok {
		f.mu.Unlock()
		<-c.done
		return c.data, c.err
	}
	c := &cropCall{done: make(chan struct{})}
	f.calls[key] = c
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.calls, key)
		f.mu.Unlock()
		close(c.done)
	}()
	c.data, c.err = fn()
	return c.data, c.err
}

// cropFor returns the crop named file of ph, or false when file names no
// crop of ph's current focal point.
func cropFor(ph *news.Photo, file string) (news.Crop, bool) {
	for _, c := range news.Crops {
		if news.CropFile(ph, c) == file {
			return c, true
		}
	}
	return news.Crop{}, false
}

// cropKey is the blob key of a crop, next to the original.
func cropKey(originalKey, file string) string { return path.Join(path.Dir(originalKey), file) }

// serveCrop answers /media/{id}/crop-*.jpg.
func (l *Library) serveCrop(w http.ResponseWriter, r *http.Request, ph *news.Photo, file string) {
	c, ok := cropFor(ph, file)
	if !ok {
		http.NotFound(w, r)
		return
	}
	ctx := r.Context()
	key := cropKey(ph.Key, file)
	f, mod, err := l.blobs.Open(ctx, key)
	if err == nil {
		defer f.Close()
		serveImage(w, r, key, TypeJPEG, mod, f)
		return
	}
	if !errors.Is(err, news.ErrNotFound) {
		httpx.WriteTextError(w, r, l.log, fmt.Errorf("media: open crop of photo %d, %s: %w", ph.ID, key, err))
		return
	}
	// The crop outlives this request (other waiters, the stored file), so
	// a reader who goes away does not cancel it.
	data, err := flights.do(key, func() ([]byte, error) {
		return l.makeCrop(context.WithoutCancel(ctx), ph, c, key)
	})
	if errors.Is(err, news.ErrNotFound) {
		l.log.WarnContext(ctx, "media: original missing for crop", "photo_id", ph.ID, "key", ph.Key)
		http.NotFound(w, r)
		return
	}
	if err != nil {
		httpx.WriteTextError(w, r, l.log, fmt.Errorf("media: make crop of photo %d, %s: %w", ph.ID, key, err))
		return
	}
	serveImage(w, r, key, TypeJPEG, time.Now(), bytes.NewReader(data))
}

// makeCrop decodes the original, crops and scales it, and stores the JPEG.
func (l *Library) makeCrop(ctx context.Context, ph *news.Photo, c news.Crop, key string) ([]byte, error) {
	// Another node, or an earlier flight, may have made it meanwhile.
	if f, _, err := l.blobs.Open(ctx, key); err == nil {
		defer f.Close()
		return io.ReadAll(f)
	}
	f, _, err := l.blobs.Open(ctx, ph.Key)
	if err != nil {
		return nil, err
	}
	src, err := io.ReadAll(io.LimitReader(f, l.maxBytes+1))
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("read original: %w", err)
	}
	select {
	case l.busy <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-l.busy }()
	// Stored originals passed the upload checks (size, pixel count), so
	// decoding them is bounded; the header is checked again anyway.
	cfg, _, err := image.DecodeConfig(bytes.NewReader(src))
	if err != nil {
		return nil, fmt.Errorf("decode original: %w", err)
	}
	if int64(cfg.Width)*int64(cfg.Height) > int64(l.maxPixels) {
		return nil, fmt.Errorf("original is %d×%d, over the pixel limit", cfg.Width, cfg.Height)
	}
	release, err := l.reservePixels(ctx, cfg.Width, cfg.Height)
	if err != nil {
		return nil, err
	}
	defer release()
	img, _, err := image.Decode(bytes.NewReader(src))
	if err != nil {
		return nil, fmt.Errorf("decode original: %w", err)
	}
	fx, fy := ph.Focal()
	rect, ow, oh := cropRect(img.Bounds(), c, fx, fy, CropWidth)
	if ow == 0 {
		return nil, fmt.Errorf("original %v too small for a %s crop", img.Bounds(), c.Name)
	}
	var sub image.Image = img
	if si, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	}); ok {
		sub = si.SubImage(rect)
	}
	out := resize(sub, ow, oh)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, out, &jpeg.Options{Quality: renditionQuality}); err != nil {
		return nil, fmt.Errorf("encode crop: %w", err)
	}
	if err := l.blobs.Put(ctx, key, buf.Bytes()); err != nil {
		return nil, fmt.Errorf("store crop: %w", err)
	}
	l.log.InfoContext(ctx, "photo crop made", "photo_id", ph.ID, "crop", c.Name, "width", ow, "height", oh)
	return buf.Bytes(), nil
}

// cropRect is the largest c.W:c.H rectangle of b centred on the focal point
// (fx, fy in [0,1]) as far as the edges allow, and the output size: at most
// maxW wide, in exact ratio (a whole multiple of c.W by the same multiple
// of c.H). ow is 0 when b is smaller than one ratio unit.
func cropRect(b image.Rectangle, c news.Crop, fx, fy float64, maxW int) (r image.Rectangle, ow, oh int) {
	W, H := b.Dx(), b.Dy()
	cw, ch := W, W*c.H/c.W
	if ch > H {
		ch, cw = H, H*c.W/c.H
	}
	if cw < c.W || ch < c.H {
		return image.Rectangle{}, 0, 0
	}
	x := int(fx*float64(W)) - cw/2
	y := int(fy*float64(H)) - ch/2
	x = min(max(x, 0), W-cw)
	y = min(max(y, 0), H-ch)
	r = image.Rect(b.Min.X+x, b.Min.Y+y, b.Min.X+x+cw, b.Min.Y+y+ch)
	n := min(maxW, cw) / c.W
	return r, n * c.W, n * c.H
}

// serveImage sends an immutable image. The key holds a random part that
// changes whenever the files change (and a crop's name its focal point), so
// it makes a strong validator; the content behind one key never changes.
func serveImage(w http.ResponseWriter, r *http.Request, key, ctype string, mod time.Time, f io.ReadSeeker) {
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("ETag", strconv.Quote(strings.TrimPrefix(key, "photos/")))
	if h.Get("Cache-Control") == "" { // the staff handler sets its own
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	}
	h.Set("X-Content-Type-Options", "nosniff")
	// An image needs no policy of its own; this keeps a file opened
	// directly from ever running anything.
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	http.ServeContent(w, r, "", mod, f)
}
