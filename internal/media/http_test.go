package media_test

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"masthead/internal/media"
	"masthead/internal/news"
)

func TestServe(t *testing.T) {
	e := newEnv(t, media.Config{})
	p := &news.Photo{Caption: "c", Credit: "d", Alt: "a"}
	if err := e.lib.SavePhoto(e.ctx, p, encodePNG(t, testImage(700, 350))); err != nil {
		t.Fatal(err)
	}
	pending := &news.Photo{Caption: "row whose files are missing", Key: "photos/2020/01/gone/original.jpg", ContentType: "image/jpeg", Widths: []int{320}}
	if err := e.store.CreatePhoto(e.ctx, pending); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	e.lib.Register(mux)
	paper := &news.Paper{}
	get := func(method, path string, hdr map[string]string) *http.Response {
		t.Helper()
		req := httptest.NewRequest(method, path, nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		return rec.Result()
	}

	// The original and every rendition, at the paths the paper links to.
	for _, w := range []int{0, 320, 640} {
		path := paper.PhotoPath(p, w)
		res := get("GET", path, nil)
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d", path, res.StatusCode)
		}
		wantType := "image/jpeg"
		if w == 0 {
			wantType = "image/png"
		}
		if ct := res.Header.Get("Content-Type"); ct != wantType {
			t.Fatalf("GET %s: Content-Type %q", path, ct)
		}
		if cc := res.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Fatalf("GET %s: Cache-Control %q", path, cc)
		}
		if res.Header.Get("Set-Cookie") != "" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("GET %s: headers %v", path, res.Header)
		}
		if w > 0 {
			img, err := jpeg.Decode(bytes.NewReader(body))
			if err != nil || img.Bounds().Dx() != w {
				t.Fatalf("GET %s: not a %d-wide JPEG (%v)", path, w, err)
			}
		}
		etag := res.Header.Get("ETag")
		if len(etag) < 3 || etag[0] != '"' {
			t.Fatalf("GET %s: ETag %q", path, etag)
		}
		// Revalidation and ranges come from http.ServeContent.
		if res := get("GET", path, map[string]string{"If-None-Match": etag}); res.StatusCode != http.StatusNotModified {
			t.Fatalf("conditional GET %s: %d", path, res.StatusCode)
		}
		res = get("GET", path, map[string]string{"Range": "bytes=0-9"})
		part, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusPartialContent || !bytes.Equal(part, body[:10]) {
			t.Fatalf("range GET %s: %d, %d bytes", path, res.StatusCode, len(part))
		}
		res = get("HEAD", path, nil)
		if res.StatusCode != 200 || res.Header.Get("Content-Length") != fmt.Sprint(len(body)) {
			t.Fatalf("HEAD %s: %d, length %q", path, res.StatusCode, res.Header.Get("Content-Length"))
		}
	}

	tok := fmt.Sprintf("/media/%d/%s/", p.ID, p.URLToken())
	for _, path := range []string{
		tok + "960.jpg",  // wider than the original: not made
		tok + "0640.jpg", // not the canonical spelling
		tok + "640.png",
		tok + "640",
		tok + "-1.jpg",
		tok + "original.png",
		tok + "..%2F..%2Fmasthead.db",
		fmt.Sprintf("/media/%d/%s/original", p.ID, strings.Repeat("0", 24)), // wrong token
		"/media/99/original",
		"/media/99/x/original",
		"/media/0/x/original",
		"/media/abc/x/original",
		paper.PhotoPath(pending, 0), // row, no files
		paper.PhotoPath(pending, 320),
	} {
		if res := get("GET", path, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, res.StatusCode)
		}
	}
	if res := get("POST", paper.PhotoPath(p, 0), nil); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", res.StatusCode)
	}
}
