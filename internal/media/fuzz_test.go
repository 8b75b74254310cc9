package media_test

import (
	"bytes"
	"image"
	"os"
	"path/filepath"
	"testing"

	"masthead/internal/media"
	"masthead/internal/news"
)

// FuzzSavePhoto feeds arbitrary bytes to SavePhoto: it must never panic, and
// it either refuses the file with an EINVALID error and stores nothing, or
// stores an original that decodes to the size it reported.
func FuzzSavePhoto(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.webp"))
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(encodeJPEG(f, testImage(40, 30)))
	f.Add(withEXIF(encodeJPEG(f, testImage(30, 20)), 8))
	f.Add(encodePNG(f, testImage(33, 17)))
	f.Add(pngBomb())
	// A small pixel limit keeps each run fast; the code paths are the same.
	e := newEnv(f, media.Config{MaxPixels: 1 << 18, MaxBytes: 1 << 20})
	f.Fuzz(func(t *testing.T, data []byte) {
		p := &news.Photo{}
		err := e.lib.SavePhoto(e.ctx, p, data)
		if err != nil {
			if news.ErrorCode(err) != news.EINVALID {
				t.Fatalf("not a domain error: %v", err)
			}
			if p.ID != 0 {
				t.Fatalf("refused upload got a row: %+v", p)
			}
			return
		}
		cfg, _, err := image.DecodeConfig(bytes.NewReader(e.read(t, p.Key)))
		if err != nil {
			t.Fatalf("stored original does not decode: %v", err)
		}
		if cfg.Width != p.Width || cfg.Height != p.Height {
			t.Fatalf("stored %d×%d, reported %d×%d", cfg.Width, cfg.Height, p.Width, p.Height)
		}
	})
}
