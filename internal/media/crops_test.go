package media_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"slices"
	"strconv"
	"sync"
	"testing"

	"masthead/internal/media"
	"masthead/internal/news"
)

func TestCrops(t *testing.T) {
	e := newEnv(t, media.Config{})
	// Red on the left half, blue on the right; the focal point far right.
	right := &news.Photo{Caption: "c", Credit: "d", Alt: "a", FocalX: 0.9, FocalY: 0.5}
	if err := e.lib.SavePhoto(e.ctx, right, encodePNG(t, testImage(3000, 1000))); err != nil {
		t.Fatal(err)
	}
	centre := &news.Photo{Caption: "c", Credit: "d", Alt: "a"}
	if err := e.lib.SavePhoto(e.ctx, centre, encodeJPEG(t, testImage(3000, 1000))); err != nil {
		t.Fatal(err)
	}
	small := &news.Photo{Caption: "c", Credit: "d", Alt: "a"}
	if err := e.lib.SavePhoto(e.ctx, small, encodeJPEG(t, testImage(500, 300))); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	e.lib.Register(mux)
	paper := &news.Paper{}
	get := func(p string) (*http.Response, []byte) {
		t.Helper()
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", p, nil))
		return rec.Result(), rec.Body.Bytes()
	}
	decode := func(p string) image.Image {
		t.Helper()
		res, body := get(p)
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d", p, res.StatusCode)
		}
		if ct, cc := res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"); ct != "image/jpeg" || cc != "public, max-age=31536000, immutable" {
			t.Fatalf("GET %s: Content-Type %q, Cache-Control %q", p, ct, cc)
		}
		img, err := jpeg.Decode(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("GET %s: %v", p, err)
		}
		return img
	}

	want := map[string][2]int{"16x9": {1200, 675}, "4x3": {1200, 900}, "1x1": {1000, 1000}}
	for _, c := range news.Crops {
		for _, ph := range []*news.Photo{right, centre, small} {
			p := paper.CropPath(ph, c)
			img := decode(p)
			w, h := img.Bounds().Dx(), img.Bounds().Dy()
			if w*c.H != h*c.W {
				t.Errorf("%s: %d×%d is not %d:%d", p, w, h, c.W, c.H)
			}
			if ph != small && (w != want[c.Name][0] || h != want[c.Name][1]) {
				t.Errorf("%s: %d×%d, want %v", p, w, h, want[c.Name])
			}
			if ph == small && (w > 500 || h > 300 || w < 300) {
				t.Errorf("%s: %d×%d from a 500×300 original", p, w, h)
			}
		}
	}
	// The focal point decides what the square keeps: the right-hand third
	// is all blue; the centre square is red then blue.
	sq := decode(paper.CropPath(right, news.Crops[2]))
	assertColour(t, sq, 5, 500, "blue")
	assertColour(t, sq, 995, 500, "blue")
	sq = decode(paper.CropPath(centre, news.Crops[2]))
	assertColour(t, sq, 5, 500, "red")
	assertColour(t, sq, 995, 500, "blue")

	// Made once, then stored next to the original for every node.
	key := path.Join(path.Dir(right.Key), news.CropFile(right, news.Crops[0]))
	if !slices.Contains(e.files(t), key) {
		t.Errorf("crop %s not stored; files %v", key, e.files(t))
	}
	stored := e.read(t, key)
	if _, body := get(paper.CropPath(right, news.Crops[0])); !bytes.Equal(body, stored) {
		t.Error("second request did not serve the stored crop")
	}

	// Unknown, stale and hostile names are 404 and make nothing.
	before := len(e.files(t))
	for _, f := range []string{
		"crop-16x9.jpg", // right has a focal point: its crops carry it
		"crop-16x9-100-500.jpg", "crop-2x1.jpg", "crop-16x9-900-500.png", "crop-16x9-0900-0500.jpg",
		"crop-.jpg", "crop-..%2f..%2foriginal.png", "crop-16x9-900-500.jpg%00", "crop-1x1-900-500.jpg.jpg",
	} {
		if res, _ := get("/media/" + strconv.FormatInt(right.ID, 10) + "/" + right.URLToken() + "/" + f); res.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", f, res.StatusCode)
		}
	}
	if res, _ := get("/media/" + strconv.FormatInt(centre.ID, 10) + "/" + centre.URLToken() + "/crop-16x9-900-500.jpg"); res.StatusCode != 404 {
		t.Errorf("focal crop name of a centred photo: %d", res.StatusCode)
	}
	if res, _ := get("/media/999999/x/crop-16x9.jpg"); res.StatusCode != 404 {
		t.Errorf("missing photo: %d", res.StatusCode)
	}
	if after := len(e.files(t)); after != before {
		t.Errorf("bad names made %d files", after-before)
	}
}

// TestCropsConcurrent: a burst of requests for a crop not made yet all get
// the same bytes (one generation, the others wait for it).
func TestCropsConcurrent(t *testing.T) {
	e := newEnv(t, media.Config{})
	ph := &news.Photo{Caption: "c", Credit: "d", Alt: "a", FocalX: 0.2, FocalY: 0.3}
	if err := e.lib.SavePhoto(e.ctx, ph, encodeJPEG(t, testImage(2400, 1600))); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	e.lib.Register(mux)
	p := (&news.Paper{}).CropPath(ph, news.Crops[1])
	bodies := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range bodies {
		wg.Go(func() {
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest("GET", p, nil))
			if rec.Code != 200 {
				t.Errorf("GET %s: %d", p, rec.Code)
			}
			bodies[i], _ = io.ReadAll(rec.Body)
		})
	}
	wg.Wait()
	for i := range bodies {
		if !bytes.Equal(bodies[i], bodies[0]) {
			t.Fatalf("response %d differs", i)
		}
	}
}
