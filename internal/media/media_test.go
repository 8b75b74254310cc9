package media_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"masthead/internal/media"
	"masthead/internal/news"
	"masthead/internal/store/sqlite"

	_ "golang.org/x/image/webp"
)

type env struct {
	ctx   context.Context
	store news.Store
	lib   *media.Library
	blobs *media.DirBlobs
	dir   string
}

func newEnv(t testing.TB, cfg media.Config) *env {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "masthead.db"))
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	blobs, err := media.NewDirBlobs(filepath.Join(dir, "media"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Store, cfg.Blobs = st, blobs
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Paper = &news.Paper{Name: "Test", BaseURL: "https://news.example"}
	return &env{ctx: ctx, store: st, lib: media.New(cfg), blobs: blobs, dir: filepath.Join(dir, "media")}
}

// files lists every regular file under the blob folder, relative and slashed.
func (e *env) files(t testing.TB) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(e.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(e.dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (e *env) read(t testing.TB, key string) []byte {
	t.Helper()
	f, _, err := e.blobs.Open(e.ctx, key)
	if err != nil {
		t.Fatalf("open %s: %v", key, err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// testImage is a w×h picture: red on the left half, blue on the right, so
// orientation and scaling can be checked by colour.
func testImage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{220, 30, 30, 255}
			if x >= w/2 {
				c = color.RGBA{30, 30, 220, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

func encodeJPEG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// exifSegment is a JPEG APP1 segment carrying EXIF with an orientation tag
// and a GPS block (latitude ref "N", latitude 37/1 deg), as phones write.
func exifSegment(orientation uint16) []byte {
	be := binary.BigEndian
	var t bytes.Buffer
	t.WriteString("MM")
	binary.Write(&t, be, uint16(42))
	binary.Write(&t, be, uint32(8)) // IFD0 at 8
	// IFD0: 2 entries
	binary.Write(&t, be, uint16(2))
	// Orientation SHORT 1
	binary.Write(&t, be, uint16(0x0112))
	binary.Write(&t, be, uint16(3))
	binary.Write(&t, be, uint32(1))
	binary.Write(&t, be, orientation)
	binary.Write(&t, be, uint16(0))
	// GPSInfo LONG pointer to GPS IFD
	gpsOff := uint32(8 + 2 + 2*12 + 4)
	binary.Write(&t, be, uint16(0x8825))
	binary.Write(&t, be, uint16(4))
	binary.Write(&t, be, uint32(1))
	binary.Write(&t, be, gpsOff)
	binary.Write(&t, be, uint32(0)) // no next IFD
	// GPS IFD: LatitudeRef ASCII "N\0", Latitude RATIONAL×3
	latOff := gpsOff + 2 + 2*12 + 4
	binary.Write(&t, be, uint16(2))
	binary.Write(&t, be, uint16(1))
	binary.Write(&t, be, uint16(2))
	binary.Write(&t, be, uint32(2))
	t.Write([]byte{'N', 0, 0, 0})
	binary.Write(&t, be, uint16(2))
	binary.Write(&t, be, uint16(5))
	binary.Write(&t, be, uint32(3))
	binary.Write(&t, be, latOff)
	binary.Write(&t, be, uint32(0))
	for _, v := range []uint32{37, 1, 33, 1, 1234, 100} {
		binary.Write(&t, be, v)
	}
	t.WriteString("GPS-SECRET-MARKER")
	payload := append([]byte("Exif\x00\x00"), t.Bytes()...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	be.PutUint16(seg[2:], uint16(len(payload)+2))
	return append(seg, payload...)
}

func withEXIF(jpg []byte, orientation uint16) []byte {
	out := append([]byte{}, jpg[:2]...)
	out = append(out, exifSegment(orientation)...)
	return append(out, jpg[2:]...)
}

// pngBomb is a valid PNG header for a 100000×100000 RGB image followed by a
// tiny IDAT: decoding it would need 40 GB; the header alone must refuse it.
func pngBomb() []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(data)
		binary.Write(&b, binary.BigEndian, crc.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], 100000)
	binary.BigEndian.PutUint32(ihdr[4:], 100000)
	ihdr[8], ihdr[9] = 8, 2
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	return b.Bytes()
}

// animatedWebP is the header of an animated WebP: a VP8X chunk with the
// animation flag and an ANIM chunk (no frames are needed to be refused).
func animatedWebP() []byte {
	le := binary.LittleEndian
	vp8x := []byte("VP8X\x0a\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00")
	anim := []byte("ANIM\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00")
	body := append(append([]byte("WEBP"), vp8x...), anim...)
	out := append([]byte("RIFF\x00\x00\x00\x00"), body...)
	le.PutUint32(out[4:], uint32(len(body)))
	return out
}

func TestSavePhotoGood(t *testing.T) {
	big := testImage(1700, 900)
	tests := []struct {
		name     string
		declared string
		data     []byte
		ctype    string
		w, h     int
		widths   []int
	}{
		{"jpeg", "image/jpeg", encodeJPEG(t, big), media.TypeJPEG, 1700, 900, []int{320, 640, 960, 1280, 1600}},
		{"jpeg declared jpg", "image/jpg", encodeJPEG(t, testImage(700, 400)), media.TypeJPEG, 700, 400, []int{320, 640}},
		{"png undeclared", "", encodePNG(t, testImage(1000, 500)), media.TypePNG, 1000, 500, []int{320, 640, 960}},
		{"png as octet-stream", "application/octet-stream", encodePNG(t, testImage(300, 200)), media.TypePNG, 300, 200, nil},
		{"jpeg in capitals with a parameter", "Image/JPEG; charset=binary", encodeJPEG(t, testImage(300, 200)), media.TypeJPEG, 300, 200, nil},
		{"png exactly 640", "image/png", encodePNG(t, testImage(640, 64)), media.TypePNG, 640, 64, []int{320}},
		{"small png, no renditions", "image/png", encodePNG(t, testImage(100, 60)), media.TypePNG, 100, 60, nil},
		{"webp lossy", "image/webp", readTestdata(t, "blue-purple-pink.lossy.webp"), media.TypeWebP, 0, 0, nil},
		{"webp alpha", "image/webp", readTestdata(t, "yellow_rose.lossy-with-alpha.webp"), media.TypeWebP, 0, 0, nil},
	}
	e := newEnv(t, media.Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.w == 0 { // sample files: take the size from the header
				cfg, _, err := image.DecodeConfig(bytes.NewReader(tt.data))
				if err != nil {
					t.Fatal(err)
				}
				tt.w, tt.h = cfg.Width, cfg.Height
				for _, w := range media.RenditionWidths {
					if w < tt.w {
						tt.widths = append(tt.widths, w)
					}
				}
			}
			p := &news.Photo{ContentType: tt.declared, Caption: "A caption", Credit: "Test", Alt: "Red and blue halves"}
			if err := e.lib.SavePhoto(e.ctx, p, tt.data); err != nil {
				t.Fatalf("SavePhoto: %v", err)
			}
			if p.ID == 0 || p.Key == "" {
				t.Fatalf("photo not stored: %+v", p)
			}
			got, err := e.store.FindPhotoByID(e.ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Key != p.Key || got.ContentType != tt.ctype || got.Width != tt.w || got.Height != tt.h ||
				got.Caption != "A caption" || got.Alt != "Red and blue halves" || !equalInts(got.Widths, tt.widths) {
				t.Fatalf("stored row %+v; want type %s %d×%d widths %v", got, tt.ctype, tt.w, tt.h, tt.widths)
			}
			orig := e.read(t, p.Key)
			cfg, format, err := image.DecodeConfig(bytes.NewReader(orig))
			if err != nil {
				t.Fatalf("stored original does not decode: %v", err)
			}
			if "image/"+format != tt.ctype || cfg.Width != tt.w || cfg.Height != tt.h {
				t.Fatalf("stored original is %s %d×%d", format, cfg.Width, cfg.Height)
			}
			for _, w := range tt.widths {
				key := strings.TrimSuffix(p.Key, filepath.Base(p.Key)) + strconv.Itoa(w) + ".jpg"
				img, err := jpeg.Decode(bytes.NewReader(e.read(t, key)))
				if err != nil {
					t.Fatalf("rendition %d: %v", w, err)
				}
				wantH := (tt.h*w + tt.w/2) / tt.w
				if b := img.Bounds(); b.Dx() != w || b.Dy() != wantH {
					t.Fatalf("rendition %d is %v, want %d×%d", w, b, w, wantH)
				}
			}
		})
	}
}

func TestSavePhotoRenditionColours(t *testing.T) {
	e := newEnv(t, media.Config{})
	p := &news.Photo{}
	if err := e.lib.SavePhoto(e.ctx, p, encodePNG(t, testImage(1000, 500))); err != nil {
		t.Fatal(err)
	}
	img, err := jpeg.Decode(bytes.NewReader(e.read(t, strings.Replace(p.Key, "original.png", "320.jpg", 1))))
	if err != nil {
		t.Fatal(err)
	}
	assertColour(t, img, 40, 80, "red")
	assertColour(t, img, 280, 80, "blue")
}

func TestSavePhotoHostile(t *testing.T) {
	okJPEG := encodeJPEG(t, testImage(800, 600))
	okPNG := encodePNG(t, testImage(800, 600))
	tests := []struct {
		name     string
		declared string
		data     []byte
		want     string // in the message
		cfg      media.Config
	}{
		{"png renamed jpg", "image/jpeg", okPNG, "declared as image/jpeg but its content is image/png", media.Config{}},
		{"jpeg declared webp", "image/webp", okJPEG, "declared as image/webp", media.Config{}},
		{"declared gif", "image/gif", okPNG, "declared as image/gif", media.Config{}},
		{"declared html", "text/html", okPNG, "declared as text/html", media.Config{}},
		{"decompression bomb", "image/png", pngBomb(), "the image is 100000×100000 pixels; the limit is 50 megapixels", media.Config{}},
		{"over a small pixel limit", "", okJPEG, "the image is 800×600 pixels; the limit is 0.1 megapixels", media.Config{MaxPixels: 100_000}},
		{"truncated jpeg", "image/jpeg", okJPEG[:len(okJPEG)/2], "damaged or truncated", media.Config{}},
		{"truncated png", "image/png", okPNG[:len(okPNG)/2], "damaged or truncated", media.Config{}},
		{"header only", "", okPNG[:30], "damaged or truncated", media.Config{}},
		{"truncated webp", "", readTestdata(t, "blue-purple-pink.lossy.webp")[:600], "damaged or truncated", media.Config{}},
		{"too big", "", okJPEG, "the limit is 1.0 kB", media.Config{MaxBytes: 1024}},
		{"text", "", []byte("<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"), "not a JPEG, PNG or WebP", media.Config{}},
		{"gif", "", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "not a JPEG, PNG or WebP", media.Config{}},
		{"empty", "", nil, "empty", media.Config{}},
		{"animated webp", "image/webp", animatedWebP(), "animated WebP", media.Config{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.cfg)
			p := &news.Photo{ContentType: tt.declared, Caption: "c"}
			err := e.lib.SavePhoto(e.ctx, p, tt.data)
			if err == nil {
				t.Fatal("SavePhoto accepted the file")
			}
			if news.ErrorCode(err) != news.EINVALID {
				t.Fatalf("error %v has code %q, want invalid", err, news.ErrorCode(err))
			}
			if msg := news.ErrorMessage(err); !strings.Contains(msg, tt.want) {
				t.Fatalf("message %q does not contain %q", msg, tt.want)
			}
			if p.ID != 0 || p.Key != "" {
				t.Fatalf("photo changed on failure: %+v", p)
			}
			if _, err := e.store.FindPhotoByID(e.ctx, 1); !errors.Is(err, news.ErrNotFound) {
				t.Fatalf("a photo row exists after a refused upload (err %v)", err)
			}
			if f := e.files(t); len(f) != 0 {
				t.Fatalf("files written after a refused upload: %v", f)
			}
		})
	}
}

func TestSavePhotoStripsEXIF(t *testing.T) {
	e := newEnv(t, media.Config{})
	// Orientation 6: the camera was turned; the picture must be rotated
	// 90° clockwise to be seen upright. Left half red → top half red.
	data := withEXIF(encodeJPEG(t, testImage(800, 400)), 6)
	if !bytes.Contains(data, []byte("Exif")) || !bytes.Contains(data, []byte("GPS-SECRET-MARKER")) {
		t.Fatal("test input lacks its EXIF block")
	}
	if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
		t.Fatalf("test input is not a valid JPEG: %v", err)
	}
	p := &news.Photo{ContentType: "image/jpeg"}
	if err := e.lib.SavePhoto(e.ctx, p, data); err != nil {
		t.Fatal(err)
	}
	for _, key := range append([]string{p.Key}, strings.Replace(p.Key, "original.jpg", "320.jpg", 1)) {
		b := e.read(t, key)
		if bytes.Contains(b, []byte("Exif")) || bytes.Contains(b, []byte("GPS-SECRET-MARKER")) {
			t.Fatalf("%s still carries EXIF", key)
		}
	}
	if p.Width != 400 || p.Height != 800 {
		t.Fatalf("oriented size %d×%d, want 400×800", p.Width, p.Height)
	}
	img, err := jpeg.Decode(bytes.NewReader(e.read(t, p.Key)))
	if err != nil {
		t.Fatal(err)
	}
	assertColour(t, img, 200, 100, "red")
	assertColour(t, img, 200, 700, "blue")
}

func TestSavePhotoStripsWebPMetadata(t *testing.T) {
	// Add EXIF and XMP chunks to the extended-format sample and set the
	// VP8X flags that announce them.
	src := readTestdata(t, "yellow_rose.lossy-with-alpha.webp")
	body := append([]byte{}, src[12:]...)
	body[8] |= 0x08 | 0x04 // VP8X flags: EXIF, XMP
	exif := exifSegment(1)[4:]
	for _, c := range []struct {
		id   string
		data []byte
	}{{"EXIF", exif[6:]}, {"XMP ", []byte("<x:xmpmeta>GPS-SECRET-MARKER</x:xmpmeta>")}} {
		hdr := make([]byte, 8)
		copy(hdr, c.id)
		binary.LittleEndian.PutUint32(hdr[4:], uint32(len(c.data)))
		body = append(body, hdr...)
		body = append(body, c.data...)
		if len(c.data)%2 == 1 {
			body = append(body, 0)
		}
	}
	data := append([]byte("RIFF\x00\x00\x00\x00WEBP"), body...)
	binary.LittleEndian.PutUint32(data[4:], uint32(len(data)-8))
	if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
		t.Fatalf("test input does not decode: %v", err)
	}

	e := newEnv(t, media.Config{})
	p := &news.Photo{ContentType: "image/webp"}
	if err := e.lib.SavePhoto(e.ctx, p, data); err != nil {
		t.Fatal(err)
	}
	b := e.read(t, p.Key)
	if bytes.Contains(b, []byte("GPS-SECRET-MARKER")) || bytes.Contains(b, []byte("EXIF")) || bytes.Contains(b, []byte("XMP ")) {
		t.Fatal("stored WebP still carries metadata")
	}
	if b[20]&0x0C != 0 {
		t.Fatalf("VP8X flags %#x still announce metadata", b[20])
	}
	if _, _, err := image.Decode(bytes.NewReader(b)); err != nil {
		t.Fatalf("stored WebP does not decode: %v", err)
	}
}

func TestSavePhotoReplace(t *testing.T) {
	e := newEnv(t, media.Config{})
	p := &news.Photo{Caption: "first", Credit: "Desk", Alt: "alt"}
	if err := e.lib.SavePhoto(e.ctx, p, encodePNG(t, testImage(700, 300))); err != nil {
		t.Fatal(err)
	}
	id, oldKey := p.ID, p.Key
	p.Caption = "second"
	p.ContentType = "" // the new upload declares nothing
	if err := e.lib.SavePhoto(e.ctx, p, encodeJPEG(t, testImage(500, 500))); err != nil {
		t.Fatal(err)
	}
	if p.ID != id || p.Key == oldKey || p.ContentType != media.TypeJPEG || p.Width != 500 {
		t.Fatalf("replacement: %+v", p)
	}
	got, err := e.store.FindPhotoByID(e.ctx, id)
	if err != nil || got.Caption != "second" || got.Key != p.Key {
		t.Fatalf("row after replacement: %+v, %v", got, err)
	}
	files := e.files(t)
	for _, f := range files {
		if !strings.HasPrefix(f, strings.TrimSuffix(p.Key, "original.jpg")) {
			t.Fatalf("old file %s left behind (files %v)", f, files)
		}
	}
	if len(files) != 2 { // 500 wide: the original and the 320 rendition
		t.Fatalf("files %v", files)
	}
	// A refused replacement leaves the photo as it was.
	before := *got
	if err := e.lib.SavePhoto(e.ctx, p, []byte("nope")); err == nil {
		t.Fatal("accepted garbage")
	}
	got, _ = e.store.FindPhotoByID(e.ctx, id)
	if got.Key != before.Key || len(e.files(t)) != len(files) {
		t.Fatal("refused replacement changed the photo")
	}
}

func TestSavePhotoMissingRow(t *testing.T) {
	e := newEnv(t, media.Config{})
	p := &news.Photo{ID: 999}
	err := e.lib.SavePhoto(e.ctx, p, encodePNG(t, testImage(50, 50)))
	if !errors.Is(err, news.ErrNotFound) {
		t.Fatalf("err %v, want not found", err)
	}
	if f := e.files(t); len(f) != 0 {
		t.Fatalf("files written: %v", f)
	}
}

func assertColour(t *testing.T, img image.Image, x, y int, want string) {
	t.Helper()
	r, _, b, _ := img.At(img.Bounds().Min.X+x, img.Bounds().Min.Y+y).RGBA()
	got := "other"
	switch {
	case r > 0x9000 && b < 0x6000:
		got = "red"
	case b > 0x9000 && r < 0x6000:
		got = "blue"
	}
	if got != want {
		t.Fatalf("pixel (%d,%d) is %s (r=%#x b=%#x), want %s", x, y, got, r, b, want)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// When the database refuses the row, the files already written are removed.
func TestSavePhotoStoreFailureLeavesNoFiles(t *testing.T) {
	e := newEnv(t, media.Config{})
	e.store.Close()
	err := e.lib.SavePhoto(e.ctx, &news.Photo{}, encodePNG(t, testImage(700, 300)))
	if err == nil {
		t.Fatal("SavePhoto succeeded on a closed store")
	}
	if f := e.files(t); len(f) != 0 {
		t.Fatalf("files left behind: %v", f)
	}
}

// BenchmarkSavePhoto measures a whole upload: checks, decoding, metadata
// stripping, renditions, files and row.
func BenchmarkSavePhoto(b *testing.B) {
	for _, size := range []struct{ w, h int }{{1600, 900}, {4000, 3000}} {
		b.Run(fmt.Sprintf("jpeg-%dx%d", size.w, size.h), func(b *testing.B) {
			e := newEnv(b, media.Config{})
			data := encodeJPEG(b, testImage(size.w, size.h))
			b.SetBytes(int64(len(data)))
			b.ResetTimer()
			for range b.N {
				if err := e.lib.SavePhoto(e.ctx, &news.Photo{}, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
