package site

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"masthead/internal/news"
	"masthead/internal/pagecache"
)

func TestCorrectionsPage(t *testing.T) {
	e := newEnv(t, nil, "")
	ctx := context.Background()
	pub := e.d.seed.PublishedAt
	add := func(a *news.Article, kind news.CorrectionKind, text string, at time.Time) *news.Correction {
		t.Helper()
		c := &news.Correction{ArticleID: a.ID, Kind: kind, Text: text, CreatedAt: at}
		if err := e.db.AddCorrection(ctx, c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	clar := add(e.d.korean, news.KindClarification, "기사 제목을 명확히 했습니다.", pub.Add(48*time.Hour))
	for _, a := range []*news.Article{e.d.draft, e.d.scheduled, e.d.embargoed, e.d.unpublished} {
		add(a, news.KindCorrection, "Hidden note on "+a.Headline, pub.Add(72*time.Hour))
	}
	doc, rec := e.page("/corrections", 200)
	if strings.Contains(rec.Body.String(), "secret") || strings.Contains(rec.Body.String(), "Hidden note") {
		t.Error("a hidden story's correction leaks onto /corrections")
	}
	items := all(doc, ".corrections-list > li")
	if len(items) != 2 {
		t.Fatalf("%d items, want 2", len(items))
	}
	// Newest first: the clarification, then the seed's correction.
	if got := text(items[0]); !strings.Contains(got, "Clarification") || !strings.Contains(got, "명확히") ||
		!strings.Contains(got, "March 24, 2020 09:00 KST") {
		t.Errorf("first item %q", got)
	}
	one(t, items[0], `time[datetime="2020-03-24T09:00:00+09:00"]`)
	seedC := e.d.seed.Corrections
	if f := e.find(e.d.seed.ID); len(f.Corrections) == 1 {
		seedC = f.Corrections
	}
	if len(seedC) != 1 {
		t.Fatalf("seed corrections %v", seedC)
	}
	href := e.articlePath(e.d.seed) + "#correction-" + itoa(seedC[0].ID)
	if a := one(t, items[1], `a[href="`+href+`"]`); text(a) != e.d.seed.Headline {
		t.Errorf("link text %q", text(a))
	}
	one(t, items[0], `a[href="`+e.articlePath(e.d.korean)+"#correction-"+itoa(clar.ID)+`"]`)
	one(t, items[0], `h2[lang=ko] a`)
	// The fragment exists on the story page.
	art, _ := e.page(e.articlePath(e.d.seed), 200)
	if li := one(t, art, ".corrections li#correction-"+itoa(seedC[0].ID)); !strings.Contains(text(li), "misspelled") {
		t.Errorf("correction item %q", text(li))
	}
	// Linked from every page's footer.
	one(t, doc, `footer a[href="/corrections"]`)
	one(t, art, `footer a[href="/corrections"]`)

	// Pagination: 25 more notes make two pages.
	for i := range 25 {
		add(e.d.filler[i], news.KindUpdate, fmt.Sprintf("Update number %d", i), pub.Add(time.Duration(100+i)*time.Hour))
	}
	doc, _ = e.page("/corrections", 200)
	if n := len(all(doc, ".corrections-list > li")); n != perPage {
		t.Errorf("page 1 has %d items", n)
	}
	if got := text(all(doc, ".corrections-list > li")[0]); !strings.Contains(got, "Update number 24") {
		t.Errorf("page 1 starts with %q", got)
	}
	one(t, doc, `a[rel=next][href="/corrections?page=2"]`)
	doc, _ = e.page("/corrections?page=2", 200)
	if n := len(all(doc, ".corrections-list > li")); n != 27-perPage {
		t.Errorf("page 2 has %d items", n)
	}
	one(t, doc, `link[rel=canonical][href="https://news.example.com/corrections?page=2"]`)
	e.page("/corrections?page=3", 404)
	e.page("/corrections?page=x", 404)
}

func (e *env) find(id int64) *news.Article {
	e.t.Helper()
	a, err := e.db.FindArticleByID(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

func TestArticleJSONLDCorrectionsAndCrops(t *testing.T) {
	e := newEnv(t, nil, "")
	doc, _ := e.page(e.articlePath(e.d.seed), 200)
	var na map[string]any
	for _, s := range all(doc, `script[type="application/ld+json"]`) {
		var v map[string]any
		if err := json.Unmarshal([]byte(text(s)), &v); err != nil {
			t.Fatal(err)
		}
		if v["@type"] == "NewsArticle" {
			na = v
		}
	}
	corr, _ := na["correction"].([]any)
	if len(corr) != 1 {
		t.Fatalf("correction %v", na["correction"])
	}
	c := corr[0].(map[string]any)
	if c["@type"] != "CorrectionComment" || !strings.Contains(c["text"].(string), "misspelled") || c["datePublished"] != "2020-03-22T12:00:00+09:00" {
		t.Errorf("correction %v", c)
	}
	ph, err := e.db.FindPhotoByID(context.Background(), e.d.seed.PhotoID)
	if err != nil {
		t.Fatal(err)
	}
	var want []any
	for _, name := range []string{"16x9", "4x3", "1x1"} {
		want = append(want, fmt.Sprintf("https://news.example.com/media/%d/%s/crop-%s.jpg", ph.ID, ph.URLToken(), name))
	}
	if fmt.Sprint(na["image"]) != fmt.Sprint(want) {
		t.Errorf("image %v, want %v", na["image"], want)
	}
	// og:image stays a plain rendition with its size.
	og := one(t, doc, `meta[property="og:image"]`)
	if !strings.HasSuffix(attr(og, "content"), "/1024.jpg") {
		t.Errorf("og:image %q", attr(og, "content"))
	}
	one(t, doc, `meta[property="og:image:width"][content="1024"]`)
}

func TestHreflang(t *testing.T) {
	e := newEnv(t, nil, "")
	ctx := context.Background()
	mk := func(slug, lang string, st news.Status) *news.Article {
		a := &news.Article{Slug: slug, Headline: "번역 " + slug, Lang: lang, Status: st, BodyHTML: "<p>본문</p>",
			TranslationOf: e.d.seed.ID, PublishedAt: e.d.seed.PublishedAt.Add(time.Hour), UpdatedAt: e.d.seed.PublishedAt.Add(time.Hour)}
		if err := e.db.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	ko := mk("트럼프-친서", "ko", news.StatusPublished)
	mk("draft-translation", "ja", news.StatusDraft)
	abs := func(a *news.Article) string { return "https://news.example.com" + e.articlePath(a) }
	for _, a := range []*news.Article{e.d.seed, ko} {
		doc, _ := e.page(e.articlePath(a), 200)
		one(t, doc, `link[rel=alternate][hreflang=en][href="`+abs(e.d.seed)+`"]`)
		one(t, doc, `link[rel=alternate][hreflang=ko][href="`+abs(ko)+`"]`)
		one(t, doc, `link[rel=alternate][hreflang=x-default][href="`+abs(e.d.seed)+`"]`)
		if n := len(all(doc, `link[hreflang]`)); n != 3 {
			t.Errorf("%s: %d hreflang links (a draft translation leaked?)", a.Slug, n)
		}
	}
	// A story without translations has none.
	doc, _ := e.page(e.articlePath(e.d.captionOnly), 200)
	if n := len(all(doc, `link[hreflang]`)); n != 0 {
		t.Errorf("%d hreflang links on a story without translations", n)
	}
	// The translation's page carries the original's purge key, and a
	// change to the translation purges the original's page.
	c := pagecache.New(1<<20, time.Minute)
	if err := c.SetKeyHeader("Surrogate-Key"); err != nil {
		t.Fatal(err)
	}
	h := c.Middleware(e.h)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", e.articlePath(ko), nil))
	if got := " " + rec.Header().Get("Surrogate-Key") + " "; !strings.Contains(got, " "+ArticleKey(e.d.seed.ID)+" ") {
		t.Errorf("translation's Surrogate-Key %q lacks the original's", got)
	}
	if keys := strings.Join(ArticleKeys(ko), " "); !strings.Contains(keys, ArticleKey(e.d.seed.ID)) {
		t.Errorf("ArticleKeys(translation) = %s", keys)
	}
}

func TestSearchFilters(t *testing.T) {
	e := newEnv(t, nil, "")
	results := func(path string) []string {
		t.Helper()
		doc, _ := e.page(path, 200)
		var out []string
		for _, a := range all(doc, ".cards .card h2 a") {
			out = append(out, attr(a, "href"))
		}
		return out
	}
	// Section and author narrow the words.
	if got := results("/search?q=report&section=business"); len(got) != perPage {
		t.Errorf("business reports: %d on page 1", len(got))
	}
	if got := results("/search?q=report&section=north-korea"); len(got) != 0 {
		t.Errorf("north-korea reports: %v", got)
	}
	if got := results("/search?q=Pyongyang&author=" + url.QueryEscape("김민지")); len(got) != 0 {
		t.Errorf("Pyongyang by 김민지: %v", got)
	}
	if got := results("/search?q=Pyongyang&author=kang-seung-woo"); len(got) != 1 || got[0] != e.articlePath(e.d.seed) {
		t.Errorf("Pyongyang by Kang: %v", got)
	}
	// Dates are inclusive days in the paper's zone.
	got := results("/search?q=market&from=2021-01-05&to=2021-01-06&order=newest")
	want := []string{e.articlePath(e.d.filler[5]), e.articlePath(e.d.filler[4])}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("dated search %v, want %v", got, want)
	}
	// Filters without words list the newest matching stories.
	got = results("/search?section=business&from=2021-01-24")
	if fmt.Sprint(got) != fmt.Sprint([]string{e.articlePath(e.d.filler[24]), e.articlePath(e.d.filler[23])}) {
		t.Errorf("filter-only %v", got)
	}
	// Pagination keeps the filters, in one canonical order.
	doc, _ := e.page("/search?section=business&q=report", 200)
	one(t, doc, `a[rel=next][href="/search?q=report&section=business&page=2"]`)
	one(t, doc, `link[rel=canonical][href="https://news.example.com/search?q=report&section=business"]`)
	doc, _ = e.page("/search?q=report&section=business&page=2", 200)
	if n := len(all(doc, ".cards .card")); n != 25-perPage {
		t.Errorf("page 2: %d", n)
	}
	// The form: every control labelled, the current filters selected.
	doc, _ = e.page("/search?q=report&section=business&order=newest&from=2021-01-02", 200)
	for _, id := range []string{"q-main", "f-section", "f-author", "f-from", "f-to", "f-order"} {
		one(t, doc, `label[for=`+id+`]`)
		one(t, doc, `#`+id+`[name]`)
	}
	one(t, doc, `form[role=search] fieldset legend`)
	one(t, doc, `#f-section option[value=business][selected]`)
	one(t, doc, `#f-order option[value=newest][selected]`)
	one(t, doc, `#f-from[type=date][value="2021-01-02"]`)
	// A bad date is explained at its field; nothing is searched.
	doc, _ = e.page("/search?q=report&from=2021-13-01", 200)
	one(t, doc, `#f-from[aria-invalid=true][aria-describedby=search-error][value=""]`)
	if msg := text(one(t, doc, `#search-error[role=alert]`)); !strings.Contains(msg, "YYYY-MM-DD") {
		t.Errorf("error %q", msg)
	}
	if n := len(all(doc, ".cards .card")); n != 0 {
		t.Errorf("%d results despite the error", n)
	}
	doc, _ = e.page("/search?q=report&section=nope", 200)
	one(t, doc, `#f-section[aria-invalid=true]`)
	doc, _ = e.page("/search?q=report&to=2020-01-01&from=2021-01-01", 200)
	one(t, doc, `#f-to[aria-invalid=true]`)
	e.page("/search?q=report&page=0", 404)
	// Hidden stories never match, whatever the filters.
	rec := e.get("/search?q=secret&section=north-korea&author=kang-seung-woo")
	if strings.Contains(rec.Body.String(), "secret</a>") || strings.Contains(rec.Body.String(), "-story\"") {
		t.Error("hidden story in filtered search")
	}
}

// TestCanonicalAndDescriptionEverywhere: every kind of page has one
// absolute canonical link and a meta description.
func TestCanonicalAndDescriptionEverywhere(t *testing.T) {
	e := newEnv(t, nil, "")
	for _, tc := range []struct {
		path      string
		status    int
		canonical string
	}{
		{"/", 200, "/"},
		{e.articlePath(e.d.seed), 200, e.articlePath(e.d.seed)},
		{"/section/north-korea", 200, "/section/north-korea"},
		{"/section/business?page=2", 200, "/section/business?page=2"},
		{"/author/kang-seung-woo", 200, "/author/kang-seung-woo"},
		{"/tag/donald-trump", 200, "/tag/donald-trump"},
		{"/2021/01/", 200, "/2021/01/"},
		{"/search", 200, "/search"},
		{"/search?q=Pyongyang", 200, "/search?q=Pyongyang"},
		{"/corrections", 200, "/corrections"},
		{"/no/such/page", 404, "/no/such/page"},
	} {
		doc, _ := e.page(tc.path, tc.status)
		if c := attr(one(t, doc, `head link[rel=canonical]`), "href"); c != "https://news.example.com"+tc.canonical {
			t.Errorf("%s: canonical %q", tc.path, c)
		}
		if d := attr(one(t, doc, `head meta[name=description]`), "content"); len(d) < 10 {
			t.Errorf("%s: description %q", tc.path, d)
		}
	}
}
