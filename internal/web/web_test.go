package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestFingerprintedAssetsAreImmutable(t *testing.T) {
	h := Handler()
	for _, n := range []string{"site.css", "site.js", "icon.svg", "logo.png"} {
		p := Path(n)
		if !strings.HasPrefix(p, Prefix) || p == Prefix+n {
			t.Fatalf("Path(%q) = %q, want a fingerprinted name", n, p)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", p, nil))
		if rec.Code != 200 || rec.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("%s: %d %q", p, rec.Code, rec.Header().Get("Cache-Control"))
		}
		if rec.Body.Len() != len(Bytes(n)) {
			t.Errorf("%s: body %d bytes, want %d", p, rec.Body.Len(), len(Bytes(n)))
		}
		// The plain name works but must be revalidated.
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", Prefix+n, nil))
		if rec.Code != 200 || strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
			t.Errorf("%s plain: %d %q", n, rec.Code, rec.Header().Get("Cache-Control"))
		}
		// A stored copy revalidates with 304.
		req := httptest.NewRequest("GET", p, nil)
		req.Header.Set("If-None-Match", rec.Header().Get("ETag"))
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotModified {
			t.Errorf("%s: conditional GET gave %d", p, rec.Code)
		}
	}
	if ct := contentType(t, h, Path("site.js")); ct != "text/javascript; charset=utf-8" {
		t.Errorf("js content type %q", ct)
	}
	if ct := contentType(t, h, Path("site.css")); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("css content type %q", ct)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", Prefix+"site.0000000000.css", nil))
	if rec.Code != 404 {
		t.Errorf("unknown asset: %d", rec.Code)
	}
}

func contentType(t *testing.T, h http.Handler, p string) string {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", p, nil))
	return rec.Header().Get("Content-Type")
}

// The CSS budget: one small file that every page loads.
func TestCSSIsSmall(t *testing.T) {
	if n := len(Bytes("site.css")); n > 15*1024 {
		t.Errorf("site.css is %d bytes, budget 15 KB", n)
	}
}
