// Package media is the photo desk's storage: it checks uploaded images,
// strips their metadata, makes the responsive renditions readers download,
// keeps the files in a Blobs store and serves them under /media/.
package media

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"log/slog"
	"path"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	_ "golang.org/x/image/webp" // registers WebP with image.Decode
	"golang.org/x/sync/semaphore"

	"masthead/internal/news"
)

// RenditionWidths are the widths of the JPEG renditions, ascending. Only
// those narrower than the original are made.
var RenditionWidths = []int{320, 640, 960, 1280, 1600}

// Defaults for Config.
const (
	DefaultMaxBytes  = 20 << 20
	DefaultMaxPixels = 50_000_000
	// DefaultPixelBudget bounds the pixels being decoded at once, over
	// every upload and crop: a decoded image costs up to about 9 bytes a
	// pixel while it is processed (the pixels, a shrunk copy and the
	// scaler's buffers), so 64 megapixels is about 550 MB at most, however
	// many uploads arrive together.
	DefaultPixelBudget = 64_000_000
	// freeAfterPixels: after an image this large, the memory it took is
	// handed back to the operating system at once rather than kept for the
	// next one.
	freeAfterPixels = 4_000_000
)

// JPEG qualities: the re-encoded original stays close to the upload;
// renditions trade a little quality for the reader's data plan.
const (
	originalQuality  = 90
	renditionQuality = 80
)

// Config is what a Library needs.
type Config struct {
	Store news.Store
	Blobs Blobs
	Paper *news.Paper
	// MaxBytes is the largest upload accepted; 0 means DefaultMaxBytes.
	MaxBytes int64
	// MaxPixels bounds width×height, checked from the header before any
	// pixel is decoded; 0 means DefaultMaxPixels.
	MaxPixels int
	// PixelBudget bounds the pixels decoded at once across all uploads
	// and crops; 0 means DefaultPixelBudget (at least MaxPixels).
	PixelBudget int
	Logger      *slog.Logger
	// Clock decides which stories are public (Visible); default
	// news.SystemClock.
	Clock news.Clock
}

// Library stores and serves photos.
type Library struct {
	store     news.Store
	blobs     Blobs
	paper     *news.Paper
	maxBytes  int64
	maxPixels int
	log       *slog.Logger
	clock     news.Clock
	// busy bounds how many images are processed at once (CPU); pixels
	// bounds how many pixels they may decode together (memory): a 143 KB
	// PNG can be 7000×7000, and three of them at once cost 1.6 GB when
	// only their number was bounded.
	busy   chan struct{}
	pixels *semaphore.Weighted
	budget int64
}

// New returns a Library. Store and Blobs are required.
func New(cfg Config) *Library {
	l := &Library{
		store: cfg.Store, blobs: cfg.Blobs, paper: cfg.Paper,
		maxBytes: cfg.MaxBytes, maxPixels: cfg.MaxPixels, log: cfg.Logger,
	}
	if l.maxBytes <= 0 {
		l.maxBytes = DefaultMaxBytes
	}
	if l.maxPixels <= 0 {
		l.maxPixels = DefaultMaxPixels
	}
	if l.log == nil {
		l.log = slog.Default()
	}
	l.clock = cfg.Clock
	if l.clock == nil {
		l.clock = news.SystemClock{}
	}
	l.busy = make(chan struct{}, max(2, runtime.NumCPU()/2))
	l.budget = int64(cfg.PixelBudget)
	if l.budget <= 0 {
		l.budget = DefaultPixelBudget
	}
	l.budget = max(l.budget, int64(l.maxPixels))
	l.pixels = semaphore.NewWeighted(l.budget)
	if l.paper == nil {
		l.paper = &news.Paper{}
	}
	return l
}

// MaxBytes is the largest upload the library accepts (for forms and
// http.MaxBytesReader).
func (l *Library) MaxBytes() int64 { return l.maxBytes }

// processed is an upload that passed every check, encoded and ready to store.
type processed struct {
	contentType   string
	ext           string
	original      []byte
	width, height int
	renditions    map[int][]byte
	widths        []int
}

// process does everything that can fail because of the file itself, in
// memory, so that a bad upload is refused before anything is written.
func (l *Library) process(ctx context.Context, declared string, data []byte) (*processed, error) {
	if len(data) == 0 {
		return nil, news.Errorf(news.EINVALID, "the file is empty")
	}
	if int64(len(data)) > l.maxBytes {
		return nil, news.Errorf(news.EINVALID, "the file is %s; the limit is %s", humanBytes(int64(len(data))), humanBytes(l.maxBytes))
	}
	ct := sniff(data)
	if ct == "" {
		return nil, news.Errorf(news.EINVALID, "the file is not a JPEG, PNG or WebP image")
	}
	if declared = normalizeType(declared); declared != "" && declared != ct {
		return nil, news.Errorf(news.EINVALID, "the file was declared as %s but its content is %s", declared, ct)
	}
	// The header alone says how big the decoded image will be: check it
	// before decoding, or a 100 kB file could ask for gigabytes of memory.
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, news.Errorf(news.EINVALID, "the %s file is damaged or truncated (%v)", formatName(ct), err)
	}
	if formatType(format) != ct {
		return nil, news.Errorf(news.EINVALID, "the file is not a JPEG, PNG or WebP image")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, news.Errorf(news.EINVALID, "the image has no pixels (%d×%d)", cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > int64(l.maxPixels) {
		return nil, news.Errorf(news.EINVALID, "the image is %d×%d pixels; the limit is %s", cfg.Width, cfg.Height, megapixels(l.maxPixels))
	}
	release, err := l.reservePixels(ctx, cfg.Width, cfg.Height)
	if err != nil {
		return nil, err
	}
	defer release()

	p := &processed{contentType: ct}
	var (
		img image.Image
		// encodeOriginal re-encodes a JPEG or PNG; it runs while the
		// renditions are scaled.
		encodeOriginal func(*bytes.Buffer) error
	)
	switch ct {
	case TypeWebP:
		// Strip first and decode what will be stored, so the stored file
		// is known to decode.
		stripped, err := stripWebP(data)
		if errors.Is(err, errWebPAnimated) {
			return nil, news.Errorf(news.EINVALID, "animated WebP images are not supported")
		}
		if err != nil {
			return nil, news.Errorf(news.EINVALID, "the WebP file is damaged or truncated (%v)", err)
		}
		img, _, err = image.Decode(bytes.NewReader(stripped))
		if err != nil {
			return nil, news.Errorf(news.EINVALID, "the WebP file is damaged or truncated (%v)", err)
		}
		p.original, p.ext = stripped, ".webp"
	case TypePNG:
		img, _, err = image.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, news.Errorf(news.EINVALID, "the PNG file is damaged or truncated (%v)", err)
		}
		// Re-encoding writes only the pixel chunks: tEXt, eXIf, iTXt and
		// the rest of the metadata are gone.
		encodeOriginal = func(buf *bytes.Buffer) error { return png.Encode(buf, img) }
		p.ext = ".png"
	case TypeJPEG:
		img, _, err = image.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, news.Errorf(news.EINVALID, "the JPEG file is damaged or truncated (%v)", err)
		}
		img = orient(img, jpegOrientation(data))
		// image/jpeg writes no APPn segments: EXIF (GPS position, camera
		// serial number), XMP and comments do not survive.
		oriented := img
		encodeOriginal = func(buf *bytes.Buffer) error {
			return jpeg.Encode(buf, oriented, &jpeg.Options{Quality: originalQuality})
		}
		p.ext = ".jpg"
	}
	b := img.Bounds()
	p.width, p.height = b.Dx(), b.Dy()

	for _, w := range RenditionWidths {
		if w < p.width {
			p.widths = append(p.widths, w)
		}
	}
	// Widest first, each scaled from the one before: every step shrinks by
	// less than half, where Catmull-Rom still looks right, and scaling a
	// 1280 rendition to 960 costs a fraction of scaling a 6000-pixel
	// original again. Scaling is a chain; each JPEG encode is not, so they
	// run beside it.
	p.renditions = make(map[int][]byte, len(p.widths))
	// A large image that the widest rendition is less than half of is
	// encoded and box-shrunk first, and the full image let go before the
	// scaler takes its buffers: at most one of the two is in memory beside
	// the shrunk copy.
	if n := len(p.widths); n > 0 && int64(p.width)*int64(p.height) >= freeAfterPixels && p.width/p.widths[n-1] >= 2 {
		if encodeOriginal != nil {
			var buf bytes.Buffer
			if err := encodeOriginal(&buf); err != nil {
				return nil, fmt.Errorf("media: encode %s: %w", p.ext, err)
			}
			p.original, encodeOriginal = buf.Bytes(), nil
		}
		img = shrink(img, p.width/p.widths[n-1])
		runtime.GC()
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		eerr error
	)
	if encodeOriginal != nil {
		wg.Go(func() {
			var buf bytes.Buffer
			err := encodeOriginal(&buf)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				eerr = fmt.Errorf("media: encode %s: %w", p.ext, err)
				return
			}
			p.original = buf.Bytes()
		})
	}
	src := img
	for i := len(p.widths) - 1; i >= 0; i-- {
		w := p.widths[i]
		if src.Bounds().Dx() > 2*w {
			// A large jump: from the full image, box-shrunk to under
			// twice the width (see shrink).
			src = img
			if k := img.Bounds().Dx() / w; k >= 2 {
				src = shrink(img, k)
			}
		}
		// The height always comes from the original's proportions, so a
		// rendition is the same size whichever image it was scaled from.
		h := max((p.height*w+p.width/2)/p.width, 1)
		r := resize(src, w, h)
		wg.Go(func() {
			var buf bytes.Buffer
			err := jpeg.Encode(&buf, r, &jpeg.Options{Quality: renditionQuality})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				eerr = fmt.Errorf("media: encode %d rendition: %w", w, err)
				return
			}
			p.renditions[w] = buf.Bytes()
		})
		src = r
	}
	wg.Wait()
	if eerr != nil {
		return nil, eerr
	}
	return p, nil
}

// reservePixels waits until w×h pixels fit the shared budget. The release
// it returns gives them back and, after a large image, returns the memory
// to the operating system: the heap would otherwise stay at its peak, and
// resident memory with it, until the next large upload.
func (l *Library) reservePixels(ctx context.Context, w, h int) (release func(), err error) {
	n := min(int64(w)*int64(h), l.budget)
	if err := l.pixels.Acquire(ctx, n); err != nil {
		return nil, err
	}
	return func() {
		// Memory back first, so the next image does not start decoding
		// on top of this one's garbage.
		if n >= freeAfterPixels {
			debug.FreeOSMemory()
		}
		l.pixels.Release(n)
	}, nil
}

// SavePhoto checks data, strips its metadata, makes the renditions, stores
// the files and creates the Photo row (p.ID == 0) or updates it. p.ContentType,
// when set, is the type the uploader declared; it must match the content.
// On success p.Key, ContentType, Width, Height and Widths describe the stored
// files. A file the library refuses is a news.EINVALID error with a message
// for the uploader, and nothing is stored.
//
// Files live under "photos/YYYY/MM/{random}/": the stores require a row's
// key when the row is created, so the files go in first under a fresh random
// folder and the row is written last; a failure on the way removes the files
// again. The random part changes whenever a photo's image is replaced, so
// the ETag changes with it. Reader URLs (/media/{id}/...) are cached as
// immutable, so the newsroom should give a replaced image a new Photo rather
// than new bytes under an old id.
func (l *Library) SavePhoto(ctx context.Context, p *news.Photo, data []byte) error {
	if p == nil {
		return news.Errorf(news.EINVALID, "no photo")
	}
	var old *news.Photo
	if p.ID != 0 {
		var err error
		old, err = l.store.FindPhotoByID(ctx, p.ID)
		if err != nil {
			return fmt.Errorf("media: find photo %d: %w", p.ID, err)
		}
	}
	next := *p
	undo, err := l.PreparePhoto(ctx, &next, data)
	if err != nil {
		return err
	}
	if next.ID == 0 {
		err = l.store.CreatePhoto(ctx, &next)
	} else {
		err = l.store.UpdatePhoto(ctx, &next)
	}
	if err != nil {
		undo()
		return fmt.Errorf("media: save photo row: %w", err)
	}
	*p = next

	// The replaced files are unreachable now; remove them.
	if old.HasFile() && old.Key != next.Key {
		l.deleteFiles(ctx, old)
	}
	l.log.InfoContext(ctx, "photo stored", "photo_id", p.ID, "type", p.ContentType,
		"width", p.Width, "height", p.Height, "renditions", len(p.Widths), "bytes", len(data))
	return nil
}

// PreparePhoto is SavePhoto without the row: it checks and processes the
// image, writes the original and its renditions under a fresh key, and
// sets p's Key, ContentType, Width, Height and Widths. The caller writes
// the row in a transaction of its own (an import writes every row of a run
// in one) and calls undo, which removes the files again, when that fails.
func (l *Library) PreparePhoto(ctx context.Context, p *news.Photo, data []byte) (undo func(), err error) {
	if p == nil {
		return nil, news.Errorf(news.EINVALID, "no photo")
	}
	if p.FocalX < 0 || p.FocalX > 1 || p.FocalY < 0 || p.FocalY > 1 {
		return nil, news.Errorf(news.EINVALID, "the focal point must lie within the image (0 to 1)")
	}
	select {
	case l.busy <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	pr, err := l.process(ctx, p.ContentType, data)
	<-l.busy
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	var rnd [16]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, fmt.Errorf("media: random key: %w", err)
	}
	now := time.Now().UTC()
	dir := fmt.Sprintf("photos/%04d/%02d/%s", now.Year(), int(now.Month()), hex.EncodeToString(rnd[:]))
	key := path.Join(dir, "original"+pr.ext)

	var written []string
	cleanup := func() {
		for _, k := range written {
			if err := l.blobs.Delete(context.WithoutCancel(ctx), k); err != nil {
				l.log.ErrorContext(ctx, "media: clean up after failed save", "key", k, "err", err)
			}
		}
	}
	put := func(key string, b []byte) error {
		if err := l.blobs.Put(ctx, key, b); err != nil {
			return err
		}
		written = append(written, key)
		return nil
	}
	for _, w := range pr.widths {
		if err := put(renditionKey(key, w), pr.renditions[w]); err != nil {
			cleanup()
			return nil, fmt.Errorf("media: store photo: %w", err)
		}
	}
	if err := put(key, pr.original); err != nil {
		cleanup()
		return nil, fmt.Errorf("media: store photo: %w", err)
	}
	p.ContentType, p.Width, p.Height = pr.contentType, pr.width, pr.height
	p.Key = key
	p.Widths = pr.widths
	return cleanup, nil
}

// RemoveFiles deletes a photo's stored files: the original, its
// renditions and its crops (for its focal point and for the centre). The
// newsroom's media library calls it once a replacement photo has taken the
// old one's place in every story.
func (l *Library) RemoveFiles(ctx context.Context, p *news.Photo) {
	if !p.HasFile() {
		return
	}
	l.deleteFiles(ctx, p)
	centre := *p
	centre.FocalX, centre.FocalY = 0, 0
	for _, c := range news.Crops {
		for _, ph := range []*news.Photo{p, &centre} {
			if err := l.blobs.Delete(ctx, cropKey(p.Key, news.CropFile(ph, c))); err != nil && !errors.Is(err, news.ErrNotFound) {
				l.log.WarnContext(ctx, "media: delete crop", "photo_id", p.ID, "err", err)
			}
		}
	}
}

func (l *Library) deleteFiles(ctx context.Context, p *news.Photo) {
	keys := []string{p.Key}
	for _, w := range p.Widths {
		keys = append(keys, renditionKey(p.Key, w))
	}
	for _, k := range keys {
		if err := l.blobs.Delete(ctx, k); err != nil {
			l.log.WarnContext(ctx, "media: delete replaced file", "key", k, "err", err)
		}
	}
}

// renditionKey is the key of the rendition of width w next to the original.
func renditionKey(originalKey string, w int) string {
	return path.Join(path.Dir(originalKey), strconv.Itoa(w)+".jpg")
}

func formatType(format string) string {
	switch format {
	case "jpeg":
		return TypeJPEG
	case "png":
		return TypePNG
	case "webp":
		return TypeWebP
	}
	return ""
}

func formatName(ct string) string {
	switch ct {
	case TypeJPEG:
		return "JPEG"
	case TypePNG:
		return "PNG"
	case TypeWebP:
		return "WebP"
	}
	return "image"
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " kB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

func megapixels(n int) string {
	if n%1_000_000 == 0 {
		return strconv.Itoa(n/1_000_000) + " megapixels"
	}
	return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + " megapixels"
}
