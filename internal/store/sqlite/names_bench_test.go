package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"masthead/internal/news"
	"masthead/internal/store/sqlite"
	"masthead/internal/store/storetest"
)

// BenchmarkSearchNames measures what the name search adds to a search
// page (issue 15), against the story search of the same query on the same
// paper in the same run: 1,000 stories, 3,000 tags (a third Korean), 200
// authors, each story with three tags and one author.
func BenchmarkSearchNames(b *testing.B) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "names.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var tags []*news.Tag
	for i := range 3000 {
		t := &news.Tag{Slug: fmt.Sprintf("tag-%d", i), Name: fmt.Sprintf("Topic %d missile talks", i)}
		if i%3 == 0 {
			t.Slug, t.Name = fmt.Sprintf("북한-%d", i), fmt.Sprintf("북한 핵 %d", i)
		}
		if err := db.EnsureTag(ctx, t); err != nil {
			b.Fatal(err)
		}
		tags = append(tags, t)
	}
	var authors []*news.Author
	for i := range 200 {
		a := &news.Author{Slug: fmt.Sprintf("reporter-%d", i), Name: fmt.Sprintf("Kim Reporter %d", i)}
		if err := db.CreateAuthor(ctx, a); err != nil {
			b.Fatal(err)
		}
		authors = append(authors, a)
	}
	for i := range 1000 {
		a := &news.Article{Slug: fmt.Sprintf("s-%d", i), Headline: fmt.Sprintf("북한 missile story %d", i), BodyHTML: "<p>북한은 미사일을 발사했다. Missile talks.</p>",
			Status: news.StatusPublished, PublishedAt: storetest.T0.Add(time.Duration(i) * time.Minute),
			Authors: []*news.Author{authors[i%len(authors)]}, Tags: []*news.Tag{tags[(3*i)%len(tags)], tags[(3*i+1)%len(tags)], tags[(3*i+2)%len(tags)]}}
		if err := db.CreateArticle(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	now := storetest.T0.Add(2000 * time.Minute)
	for _, q := range []string{"북한", "kim", "missile talks"} {
		b.Run("names/q="+q, func(b *testing.B) {
			for b.Loop() {
				if _, err := db.SearchNames(ctx, news.NameQuery{Text: q, PublicAt: now}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("stories/q="+q, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := db.SearchArticles(ctx, news.SearchQuery{Text: q, PublicAt: now, Limit: 20}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
