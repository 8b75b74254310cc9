package sqlite_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"masthead/internal/news"
)

// A list without a pager is not counted: -1, and the same stories.
func TestNoTotalIsNotCounted(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 5 {
		a := &news.Article{Slug: fmt.Sprintf("s%d", i), Headline: "H", Status: news.StatusPublished, PublishedAt: t0.Add(time.Duration(i) * time.Hour)}
		if err := db.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	now := t0.Add(24 * time.Hour)
	as, total, err := db.FindArticles(ctx, news.ArticleFilter{PublicAt: now, Limit: 2, NoTotal: true})
	if err != nil || len(as) != 2 || total != -1 {
		t.Fatalf("NoTotal: %d stories, total %d, err %v; want 2, -1", len(as), total, err)
	}
	// A full page is counted; a short page's total is read off the page.
	if _, total, _ := db.FindArticles(ctx, news.ArticleFilter{PublicAt: now, Limit: 2}); total != 5 {
		t.Errorf("full page: total %d, want 5", total)
	}
	if _, total, _ := db.FindArticles(ctx, news.ArticleFilter{PublicAt: now, Limit: 2, Offset: 4}); total != 5 {
		t.Errorf("short last page: total %d, want 5", total)
	}
}

// Statements are prepared in the background on a miss. With every read
// connection inside a read transaction at once, a reader must never wait
// for a connection to prepare on (it would wait for itself): many
// concurrent lists of many shapes all finish.
func TestConcurrentReadersWithColdStatements(t *testing.T) {
	db := open(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sec := &news.Section{Slug: "world", Name: "World"}
	if err := db.CreateSection(ctx, sec); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 30 {
		a := &news.Article{Slug: fmt.Sprintf("s%d", i), Headline: "H", Status: news.StatusPublished, SectionID: sec.ID,
			PublishedAt: t0.Add(time.Duration(i) * time.Hour)}
		if err := db.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	now := t0.Add(48 * time.Hour)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				f := news.ArticleFilter{PublicAt: now, Limit: 1 + (g+i)%7, NoTotal: (g+i)%2 == 0}
				if i%3 == 0 {
					f.SectionID = sec.ID
					f.ExcludeIDs = []int64{int64(g + 1)}
				}
				as, _, err := db.FindArticles(ctx, f)
				if err == nil && len(as) == 0 {
					err = fmt.Errorf("no stories for %+v", f)
				}
				if err == nil {
					_, err = db.FindArticleBySlug(ctx, fmt.Sprintf("s%d", (g+i)%30))
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
