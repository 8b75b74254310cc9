package site

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzRoutes sends request targets, as a client would put them on the
// request line, through the real site handler over a seeded SQLite file.
// Whatever the target, the answer is never a 5xx (a panic fails the fuzz
// run by itself), and a redirect never leaves the site.
func FuzzRoutes(f *testing.F) {
	e := makeEnv(f, nil, "")
	for _, s := range []string{
		"/", "/2020/03/22/is-trumps-second-letter-to-nk-leader-for-dialogue-or-status-quo", "/2020/03/22/",
		"/2020/13/40/x", "/9999/99/99/a", "/0000/00/00/", "/-1/-1/-1/x", "/2020/03/22/%ED%95%9C",
		"/section/north-korea", "/section/north-korea?page=2", "/section/north-korea?page=-1",
		"/section/north-korea?page=99999999999999999999", "/section/%EC%82%AC%ED%9A%8C", "/section/",
		"/author/kang-seung-woo", "/tag/donald-trump?page=0", "/tag/%ED%95%9C", "/search?q=trump",
		"/search?q=%22unbalanced", "/search?q=*&page=2", "/search?q=" + strings.Repeat("a", 2000),
		"/search?q=%00%ff", "/old-slug", "//evil.example.com", "/%2F%2Fevil.example.com", "/\\evil.example.com",
		"/robots.txt", "/healthz", "/static/site.css", "/static/../../etc/passwd", "/static/%2e%2e/x",
		"/2020/03/22/new-slug/../../", "/archive/2020", "/archive/2020/03", "/archive/9999999999/99",
		"/section/north-korea/feed.xml", "/amp/x", "/?page=2", "/?q=1&q=2",
	} {
		f.Add("GET", s)
	}
	f.Add("HEAD", "/")
	f.Add("POST", "/search?q=x")
	f.Fuzz(func(t *testing.T, method, target string) {
		// Only what net/http's server would hand to a handler: it
		// refuses malformed request lines itself, with 400.
		raw := method + " " + target + " HTTP/1.1\r\nHost: news.example.com\r\n\r\n"
		req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
		if err != nil {
			return
		}
		req.RemoteAddr = "192.0.2.1:1234"
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: %d\n%.500s", method, target, rec.Code, rec.Body.String())
		}
		if rec.Code >= 300 && rec.Code < 400 {
			loc := rec.Header().Get("Location")
			if loc != "" && !strings.HasPrefix(loc, "https://news.example.com/") &&
				(!strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, "/\\")) {
				t.Fatalf("%s %q redirects off the site: %q", method, target, loc)
			}
		}
	})
}
