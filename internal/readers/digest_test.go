package readers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"masthead/internal/news"
	"masthead/internal/readers"
)

func TestDigestQueuedOncePerDay(t *testing.T) {
	st, a, _ := queueFixture(t, 0, nil)
	ctx := context.Background()
	digest := &news.NewsletterList{Slug: "daily", Name: "Daily digest", Kind: news.ListDigest}
	if err := st.CreateNewsletterList(ctx, digest); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		sub, _ := st.Subscribe(ctx, digest.ID, 0, fmt.Sprintf("d%d@example.org", i), time.Now())
		_ = st.SetSubscriptionStatus(ctx, sub.ID, news.SubActive, time.Now())
	}
	seoul, _ := time.LoadLocation("Asia/Seoul")
	paper := &news.Paper{Name: "T", BaseURL: "https://t.example", Location: seoul}
	// 06:30 in Seoul: before the digest hour.
	clock := news.NewFixedClock(time.Date(2026, 12, 3, 6, 30, 0, 0, seoul))
	a.PublishedAt = clock.Now().Add(-2 * time.Hour)
	if err := st.UpdateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	d := &readers.Digests{Store: st, Paper: paper, Clock: clock}
	if got, err := d.RunOnce(ctx); err != nil || len(got) != 0 {
		t.Fatalf("before 07:00: %v %v", got, err)
	}
	clock.Add(time.Hour)
	got, err := d.RunOnce(ctx)
	if err != nil || len(got) != 1 {
		t.Fatalf("at 07:30: %v %v", got, err)
	}
	if is := got[0]; is.Total != 2 || len(is.ArticleIDs) != 1 || is.ArticleIDs[0] != a.ID || is.Key != fmt.Sprintf("digest:%d:2026-12-03", digest.ID) {
		t.Errorf("digest %+v", is)
	}
	clock.Add(3 * time.Hour)
	if again, _ := d.RunOnce(ctx); len(again) != 0 {
		t.Errorf("the digest was queued twice in a day")
	}
}
