package sitemap

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"masthead/internal/news"
	"masthead/internal/store/postgres"
	"masthead/internal/store/sqlite"
	"masthead/internal/testpg"
)

// bothStores opens a fresh store of each kind by name: a SQLite file, and
// a PostgreSQL schema named schema.
func bothStores(ctx context.Context, schema string) map[string]func(t *testing.T) news.Store {
	return map[string]func(t *testing.T) news.Store{
		"sqlite": func(t *testing.T) news.Store {
			st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		},
		"postgres": func(t *testing.T) news.Store {
			st, err := postgres.Open(ctx, testpg.URL(t, schema))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		},
	}
}

// TestArticleStubsMatchFindArticles: the narrow listing the monthly
// sitemaps read (66 → 30 ms CPU for a month of 2,900 stories) returns the
// stories FindArticles returns, with what a sitemap uses of them.
func TestArticleStubsMatchFindArticles(t *testing.T) {
	ctx := context.Background()
	for name, open := range bothStores(ctx, "sitemap_stubs") {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
			ph := &news.Photo{Key: "photos/2026/11/x/original.jpg", ContentType: "image/jpeg", Widths: []int{320, 1280}}
			must(t, st.CreatePhoto(ctx, ph))
			sec := &news.Section{Slug: "world", Name: "World"}
			must(t, st.CreateSection(ctx, sec))
			au := &news.Author{Slug: "kang", Name: "Kang"}
			must(t, st.CreateAuthor(ctx, au))
			tg := &news.Tag{Slug: "talks", Name: "Talks"}
			must(t, st.EnsureTag(ctx, tg))
			for i, mod := range []func(*news.Article){
				func(a *news.Article) { a.PhotoID, a.SectionID = ph.ID, sec.ID },
				func(a *news.Article) {
					a.UpdatedAt, a.Authors, a.Tags = now.Add(-time.Hour), []*news.Author{au}, []*news.Tag{tg}
				},
				func(a *news.Article) { a.Status = news.StatusDraft },
				func(a *news.Article) { a.EmbargoUntil = now.Add(time.Hour) },
				func(a *news.Article) { a.Lang, a.Authors, a.Tags = "ko", []*news.Author{au}, []*news.Tag{tg} },
			} {
				pub := now.Add(-time.Duration(48-i) * time.Hour)
				a := &news.Article{Slug: "s" + string(rune('a'+i)), Headline: "H", BodyHTML: "<p>b</p>", Lang: "en",
					Status: news.StatusPublished, CreatedAt: pub, PublishedAt: pub, UpdatedAt: pub}
				mod(a)
				must(t, st.CreateArticle(ctx, a))
			}
			f := news.ArticleFilter{PublicAt: now, PublishedFrom: now.Add(-72 * time.Hour), PublishedTo: now, Order: "oldest", Limit: 10}
			want, _, err := st.FindArticles(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			got, err := st.(StubLister).ArticleStubs(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) || len(want) != 3 {
				t.Fatalf("%d stubs, %d stories (want 3: no draft, no embargoed)", len(got), len(want))
			}
			p := &news.Paper{BaseURL: "https://news.example.com"}
			for i := range want {
				w, g := want[i], got[i]
				if g.ID != w.ID || p.ArticlePath(g) != p.ArticlePath(w) || !g.LastModified().Equal(w.LastModified()) ||
					g.Lang != w.Lang || !g.IsPublicAt(now) || leadImage(p, g.Photo) != leadImage(p, w.Photo) {
					t.Errorf("stub %+v\nstory %+v", g, w)
				}
			}
			if got[0].Photo == nil || leadImage(p, got[0].Photo) == "" {
				t.Error("the lead photo is missing from the stub")
			}
			for i := range want {
				if got[i].SectionID != want[i].SectionID {
					t.Errorf("stub %d: section %d, story %d", i, got[i].SectionID, want[i].SectionID)
				}
			}

			// The survey's aggregates agree with the stories themselves.
			authors, tags, err := st.(SurveyStore).LastModifiedByAuthorAndTag(ctx, now)
			if err != nil {
				t.Fatal(err)
			}
			wantA, wantT := map[int64]time.Time{}, map[int64]time.Time{}
			all, _, err := st.FindArticles(ctx, news.ArticleFilter{PublicAt: now, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range all {
				for _, au := range a.Authors {
					if lm := a.LastModified(); lm.After(wantA[au.ID]) {
						wantA[au.ID] = lm
					}
				}
				for _, tg := range a.Tags {
					if lm := a.LastModified(); lm.After(wantT[tg.ID]) {
						wantT[tg.ID] = lm
					}
				}
			}
			if len(wantA) == 0 || len(wantT) == 0 {
				t.Fatal("no bylines or tags to compare")
			}
			for name, pair := range map[string][2]map[int64]time.Time{"authors": {authors, wantA}, "tags": {tags, wantT}} {
				g, w := pair[0], pair[1]
				if len(g) != len(w) {
					t.Errorf("%s: %v, want %v", name, g, w)
				}
				for id, wt := range w {
					if !g[id].Equal(wt) {
						t.Errorf("%s %d: %v, want %v", name, id, g[id], wt)
					}
				}
			}
		})
	}
}

// TestArticleStubsFiles: a month's later files are the stories after
// the earlier files', in order, on both stores. (PostgreSQL finds a
// file's first story in the listing index instead of reading and
// skipping the stories before it; stories published at the same second
// are ordered by id.)
func TestArticleStubsFiles(t *testing.T) {
	ctx := context.Background()
	for name, open := range bothStores(ctx, "sitemap_stub_files") {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
			for i := range 9 {
				// Pairs published at the same second; a draft and an
				// embargoed story among them.
				pub := now.Add(-time.Duration(20-i/2) * time.Hour)
				a := &news.Article{Slug: "s" + string(rune('a'+i)), Headline: "H", BodyHTML: "<p>b</p>", Lang: "en",
					Status: news.StatusPublished, CreatedAt: pub, PublishedAt: pub, UpdatedAt: pub}
				switch i {
				case 3:
					a.Status, a.PublishedAt = news.StatusDraft, time.Time{}
				case 6:
					a.EmbargoUntil = now.Add(time.Hour)
				}
				must(t, st.CreateArticle(ctx, a))
			}
			for _, order := range []string{"oldest", "newest"} {
				f := news.ArticleFilter{PublicAt: now, PublishedFrom: now.Add(-48 * time.Hour), PublishedTo: now, Order: order, Limit: 100}
				all, _, err := st.FindArticles(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if len(all) != 7 {
					t.Fatalf("%s: %d public stories, want 7", order, len(all))
				}
				for off := 0; off <= 8; off++ {
					f.Offset, f.Limit = off, 2
					got, err := st.(StubLister).ArticleStubs(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					want := all[min(off, len(all)):min(off+2, len(all))]
					if len(got) != len(want) {
						t.Errorf("%s, offset %d: %d stubs %v, want %v", order, off, len(got), storyIDs(got), storyIDs(want))
						continue
					}
					for i := range want {
						if got[i].ID != want[i].ID {
							t.Errorf("%s, offset %d: stubs %v, want %v", order, off, storyIDs(got), storyIDs(want))
							break
						}
					}
				}
			}
		})
	}
}

func storyIDs(as []*news.Article) []int64 {
	ids := make([]int64, len(as))
	for i, a := range as {
		ids[i] = a.ID
	}
	return ids
}

// TestRecentSummary: the index lists the news sitemap with the latest
// change of its stories, which it read the news sitemap's stubs for on
// every render; both stores count them and find that change in one
// aggregate, the same answer as the stories': publications, updates and
// an embargo's end count, stories not public and older ones do not, and
// only the newest limit stories are summed.
func TestRecentSummary(t *testing.T) {
	ctx := context.Background()
	for name, open := range bothStores(ctx, "sitemap_recent") {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
			from := now.Add(-NewsWindow)
			for i, mod := range []func(*news.Article){
				func(a *news.Article) { a.UpdatedAt = now.Add(-time.Minute) },                      // the oldest, updated last
				func(a *news.Article) { a.UpdatedAt = now.Add(-10 * time.Minute) },                 // updated later
				func(a *news.Article) { a.EmbargoUntil = now.Add(-5 * time.Minute) },               // its embargo just ended
				func(a *news.Article) { a.EmbargoUntil, a.UpdatedAt = now.Add(time.Hour), now },    // under embargo
				func(a *news.Article) { a.Status, a.UpdatedAt = news.StatusDraft, now },            // a draft
				func(a *news.Article) { a.PublishedAt, a.UpdatedAt = now.Add(time.Hour), now },     // not yet
				func(a *news.Article) { a.PublishedAt, a.UpdatedAt = from.Add(-time.Minute), now }, // older than the window
			} {
				pub := now.Add(-time.Duration(40-i) * time.Hour)
				a := &news.Article{Slug: "s" + string(rune('a'+i)), Headline: "H", BodyHTML: "<p>b</p>", Lang: "en",
					Status: news.StatusPublished, CreatedAt: pub, PublishedAt: pub, UpdatedAt: pub}
				mod(a)
				must(t, st.CreateArticle(ctx, a))
			}
			rs, ok := st.(RecentSummarizer)
			if !ok {
				t.Fatalf("%T does not summarize the news sitemap", st)
			}
			for _, limit := range []int{MaxNewsURLs, 2, 1} {
				f := news.ArticleFilter{PublicAt: now, PublishedFrom: from, Limit: limit}
				n, mod, err := rs.RecentSummary(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				f.Order, f.NoTotal = "newest", true
				stubs, err := st.(StubLister).ArticleStubs(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				want := public(stubs, now)
				if n != len(want) || !mod.Equal(newestMod(want)) {
					t.Errorf("limit %d: %d stories, latest change %v; the stories say %d, %v", limit, n, mod, len(want), newestMod(want))
				}
			}
			if n, mod, _ := rs.RecentSummary(ctx, news.ArticleFilter{PublicAt: now, PublishedFrom: from, Limit: MaxNewsURLs}); n != 3 || !mod.Equal(now.Add(-time.Minute)) {
				t.Errorf("%d stories, latest change %v; want 3, the oldest's update %v", n, mod, now.Add(-time.Minute))
			}
			if n, mod, _ := rs.RecentSummary(ctx, news.ArticleFilter{PublicAt: now, PublishedFrom: from, Limit: 2}); n != 2 || !mod.Equal(now.Add(-5*time.Minute)) {
				t.Errorf("the newest 2: %d stories, latest change %v; want 2, the embargo's end %v", n, mod, now.Add(-5*time.Minute))
			}
			if n, mod, err := rs.RecentSummary(ctx, news.ArticleFilter{PublicAt: now, PublishedFrom: now.Add(-time.Minute), Limit: MaxNewsURLs}); err != nil || n != 0 || !mod.IsZero() {
				t.Errorf("an empty stretch: %d stories, %v, %v; want 0, no time", n, mod, err)
			}
			if _, _, err := rs.RecentSummary(ctx, news.ArticleFilter{PublicAt: now, PublishedFrom: from, Limit: 10, SectionID: 1}); news.ErrorCode(err) != news.EINVALID {
				t.Errorf("a filter it does not answer: %v, want EINVALID", err)
			}
		})
	}
}
