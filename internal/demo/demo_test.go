package demo_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"masthead/internal/demo"
	"masthead/internal/media"
	"masthead/internal/news"
	"masthead/internal/store/sqlite"
)

var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

const seedHeadline = "Is Trump's second letter to NK leader for dialogue or status quo?"

func seeded(t *testing.T) (news.Store, *media.Library, *news.Paper) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "masthead.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	blobs, err := media.NewDirBlobs(filepath.Join(dir, "media"))
	if err != nil {
		t.Fatal(err)
	}
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	// Live, as serve makes it: the seed names the share image in the
	// settings, and the running paper must show it without a restart.
	paper := news.Live(&news.Paper{Name: "The Masthead Times", BaseURL: "http://localhost:8080", Language: "en", Location: seoul})
	lib := media.New(media.Config{Store: st, Blobs: blobs, Paper: paper, Logger: slog.New(slog.DiscardHandler)})
	start := time.Now()
	// Small pictures: the fixture needs a paper, not sharp photos
	// (demo.Options).
	res, err := demo.SeedWith(ctx, st, lib, paper, now, demo.Options{PhotoWidth: 480})
	if err != nil {
		t.Fatalf("Seed: %v", err)
	}
	t.Logf("Seed: %+v in %v", res, time.Since(start))
	if paper.Current().ShareImagePhotoID == 0 {
		t.Error("the running paper does not have the demo's share image")
	}
	if res.Skipped || res.Articles < 31 {
		t.Fatalf("Seed result %+v", res)
	}
	return st, lib, paper
}

func TestSeed(t *testing.T) {
	ctx := context.Background()
	st, lib, paper := seeded(t)

	stories, total, err := st.FindArticles(ctx, news.ArticleFilter{PublicAt: now, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if total < 31 || len(stories) != total {
		t.Fatalf("%d public stories (%d listed), want at least 31", total, len(stories))
	}
	sections, authors := map[int64]bool{}, map[int64]bool{}
	korean, recent := 0, 0
	slugs := map[string]bool{}
	mux := http.NewServeMux()
	lib.Register(mux)
	for _, a := range stories {
		if slugs[a.Slug] {
			t.Errorf("slug %q twice", a.Slug)
		}
		slugs[a.Slug] = true
		sections[a.SectionID] = true
		for _, au := range a.Authors {
			authors[au.ID] = true
		}
		if a.Lang == "ko" {
			korean++
			if !hasHangul(a.Headline) || !hasHangul(a.Slug) {
				t.Errorf("Korean story %q has slug %q", a.Headline, a.Slug)
			}
		}
		if a.PublishedAt.After(now) {
			t.Errorf("%q is published in the future (%v)", a.Headline, a.PublishedAt)
		}
		if now.Sub(a.PublishedAt) < 48*time.Hour {
			recent++
		}
		if len(a.Authors) == 0 || a.Section == nil || len(a.Tags) == 0 {
			t.Errorf("%q: authors %d, section %v, tags %d", a.Headline, len(a.Authors), a.Section, len(a.Tags))
		}
		if n := len(strings.Fields(plain(a.BodyHTML))); a.Lang == "en" && a.Headline != seedHeadline && (n < 150 || n > 450) {
			t.Errorf("%q has %d words", a.Headline, n)
		}
		ph := a.Photo
		if ph == nil || ph.Key == "" || ph.Caption == "" || ph.Credit == "" || ph.Alt == "" || len(ph.Widths) == 0 {
			t.Errorf("%q: photo %+v", a.Headline, ph)
			continue
		}
		// The renditions are really there.
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", paper.PhotoPath(ph, ph.Widths[0]), nil))
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "image/jpeg" {
			t.Errorf("%q: GET %s: %d", a.Headline, paper.PhotoPath(ph, ph.Widths[0]), rec.Code)
		}
	}
	if len(sections) < 5 {
		t.Errorf("%d sections with stories, want at least 5", len(sections))
	}
	if len(authors) < 6 {
		t.Errorf("%d authors with stories, want at least 6", len(authors))
	}
	if korean < 3 {
		t.Errorf("%d Korean stories, want at least 3", korean)
	}
	if recent < 3 {
		t.Errorf("%d stories in the last two days, want at least 3", recent)
	}

	all, err := st.ListAuthors(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, au := range all {
		if au.Email == "" || au.Title == "" || au.Bio == "" || au.PhotoID == 0 {
			t.Errorf("author %+v lacks details", au)
			continue
		}
		ph, err := st.FindPhotoByID(ctx, au.PhotoID)
		if err != nil || ph.Alt == "" || ph.Key == "" {
			t.Errorf("author %s portrait: %+v, %v", au.Name, ph, err)
		}
	}

	// The seed story.
	var seed *news.Article
	for _, a := range stories {
		if a.Headline == seedHeadline {
			seed = a
		}
	}
	if seed == nil {
		t.Fatal("the seed story is missing")
	}
	seoul := paper.Loc()
	if got := seed.PublishedAt.In(seoul).Format("2006-01-02 15:04"); got != "2020-03-22 09:00" {
		t.Errorf("seed published %s Seoul time", got)
	}
	if len(seed.Tags) < 3 {
		t.Errorf("seed tags %v", seed.Tags)
	}
	if seed.Section.Name != "North Korea" {
		t.Errorf("seed section %q", seed.Section.Name)
	}
	if len(seed.Authors) != 1 || seed.Authors[0].Name != "Kang Seung-woo" || seed.Authors[0].Email != "ksw@koreatimes.co.kr" {
		t.Errorf("seed authors %+v", seed.Authors)
	}
	const caption = "North Korean leader Kim Jong-un and U.S. President Donald Trump meet at Panmunjeom in Paju, Gyeonggi Province, June 30, 2019."
	if seed.Photo.Caption != caption || seed.Photo.Credit != "Korea Times file" {
		t.Errorf("seed photo caption %q credit %q", seed.Photo.Caption, seed.Photo.Credit)
	}
	if seed.Photo.Alt == caption || !strings.Contains(seed.Photo.Alt, "Illustration") {
		t.Errorf("seed photo alt %q does not describe the drawn picture", seed.Photo.Alt)
	}
	if !strings.Contains(seed.BodyHTML, "Handong Global University") || strings.Contains(seed.BodyHTML, "Top 10 Stories") {
		t.Error("seed body is not the capture's story")
	}
	if seed.Status != news.StatusPublished || paper.ArticlePath(seed) != "/2020/03/22/is-trumps-second-letter-to-nk-leader-for-dialogue-or-status-quo" {
		t.Errorf("seed status %s path %s", seed.Status, paper.ArticlePath(seed))
	}

	// Seeding again changes nothing.
	res, err := demo.Seed(ctx, st, lib, paper, now.Add(time.Hour))
	if err != nil || !res.Skipped || res.Articles != 0 {
		t.Fatalf("second Seed: %+v, %v", res, err)
	}
	_, again, err := st.FindArticles(ctx, news.ArticleFilter{Limit: 1})
	if err != nil || again != total {
		t.Fatalf("after the second Seed: %d stories, want %d (%v)", again, total, err)
	}
}

func hasHangul(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Hangul, r) {
			return true
		}
	}
	return false
}

// plain drops tags: enough to count words.
func plain(h string) string {
	var b strings.Builder
	in := false
	for _, r := range h {
		switch {
		case r == '<':
			in = true
			b.WriteByte(' ')
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}
