package site

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"masthead/internal/news"
)

// TestLiveSettings: the site reads the paper's settings as they are when a
// page renders (news.Live), so a save in the newsroom changes the name,
// the menu, the footer, the logo, the Kakao policy and the time zone of
// the next page without a restart; and it renders the stored menu,
// footer links and logo, which it ignored before.
func TestLiveSettings(t *testing.T) {
	e := newEnv(t, nil, "")
	live := news.Live(e.paper)
	s := New(Config{Paper: live, Store: e.db, Clock: news.NewFixedClock(testNow), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	h := s.Handler()
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec
	}
	oldPath := e.paper.ArticlePath(e.d.seed)

	rec := get("/")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `<a class="brand" href="/">The Masthead Times</a>`) {
		t.Fatalf("before: %d, brand not the name in type", rec.Code)
	}
	if strings.Contains(rec.Header().Get("Content-Security-Policy"), kakaoOrigin) {
		t.Fatal("the CSP allows Kakao without a key")
	}

	logo := &news.Photo{Key: "brand/logo.png", ContentType: "image/png", Width: 800, Height: 200, Widths: []int{320, 640}}
	if err := e.db.CreatePhoto(context.Background(), logo); err != nil {
		t.Fatal(err)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	next := *e.paper
	next.Name, next.KakaoAppKey, next.Location, next.LogoPhotoID = "The Seoul Ledger", "k1", ny, logo.ID
	next.Nav = []news.Link{{Label: "Markets", URL: "/section/markets"}, {Label: "Weather", URL: "https://weather.example.com/seoul"}}
	next.Footer = []news.Link{{Label: "Ethics code", URL: "/ethics"}}
	if !live.Swap(&next) {
		t.Fatal("Swap refused a live paper")
	}

	rec = get("/")
	doc, body := mustParse(t, rec), rec.Body.String()
	if strings.Contains(body, "The Masthead Times") {
		t.Error("the front page still names the old paper")
	}
	img := one(t, doc, `a.brand img`)
	if attr(img, "alt") != "The Seoul Ledger" || !strings.Contains(attr(img, "src"), "/media/"+itoa(logo.ID)+"/") ||
		attr(img, "width") != "800" || attr(img, "height") != "200" || !strings.Contains(attr(img, "srcset"), "320w") {
		t.Errorf("logo: alt %q src %q %sx%s srcset %q", attr(img, "alt"), attr(img, "src"), attr(img, "width"), attr(img, "height"), attr(img, "srcset"))
	}
	var nav []string
	for _, a := range all(doc, `nav.sections .nav-scroll a`) {
		nav = append(nav, text(a)+" "+attr(a, "href"))
	}
	if strings.Join(nav, ", ") != "Markets /section/markets, Weather https://weather.example.com/seoul" {
		t.Errorf("the bar: %q, want the settings' menu", nav)
	}
	if len(all(doc, `details.nav-all a[href="/section/north-korea"]`)) != 1 {
		t.Error(`"All sections" no longer lists every section`)
	}
	if len(all(doc, `footer .footer-pages a[href="/ethics"]`)) != 1 {
		t.Error("the footer lacks the settings' footer link")
	}
	if !strings.Contains(rec.Header().Get("Content-Security-Policy"), kakaoOrigin) {
		t.Error("with a Kakao key now set, the CSP does not allow its SDK")
	}

	// The time zone dates the story's URL: the Seoul path now redirects
	// to the New York one.
	newPath := next.ArticlePath(e.d.seed)
	if newPath == oldPath {
		t.Fatalf("the fixture's story has the same date in Seoul and New York (%s)", oldPath)
	}
	if rec := get(newPath); rec.Code != 200 {
		t.Errorf("GET %s (the New York date): %d", newPath, rec.Code)
	}
	if rec := get(oldPath); rec.Code != 301 || rec.Header().Get("Location") != newPath {
		t.Errorf("GET %s (the Seoul date): %d to %q, want 301 to %s", oldPath, rec.Code, rec.Header().Get("Location"), newPath)
	}
}

func mustParse(t *testing.T, rec *httptest.ResponseRecorder) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}
