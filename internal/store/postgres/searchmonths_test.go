package postgres

import (
	"context"
	"strings"
	"testing"
	"time"

	"masthead/internal/news"
)

// monthsMissing counts the stories whose search vector does not hold the
// month of their publication time, or holds another month.
func monthsMissing(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	err := db.pool.QueryRow(context.Background(), `SELECT count(*) FROM articles
		WHERE (published_at IS NOT NULL AND NOT tsvector_to_array(search) @> ARRAY[search_month(published_at)])
		   OR (SELECT count(*) FROM unnest(tsvector_to_array(search)) l WHERE l LIKE 'published %') <> (published_at IS NOT NULL)::int`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSearchMonths: a reader's search narrows by the months since its
// cutoff through the GIN index (migration 0073), so every story's vector
// must hold exactly its publication month whatever wrote it: a create, a
// text edit (the vector made anew), a publication time moved (the old
// month goes), copy-db (which loads with the triggers off). And the
// window finds with the months what it finds without them.
func TestSearchMonths(t *testing.T) {
	ctx := context.Background()
	db := openURL(t, freshSchema(t))
	march := time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC)
	a := &news.Article{Slug: "harbour", Headline: "Busan harbour reopens", BodyHTML: "<p>Ships return to Busan.</p>",
		Status: news.StatusPublished, PublishedAt: march}
	if err := db.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	draft := &news.Article{Slug: "draft", Headline: "Busan draft", Status: news.StatusDraft}
	if err := db.CreateArticle(ctx, draft); err != nil {
		t.Fatal(err)
	}
	if n := monthsMissing(t, db); n != 0 {
		t.Fatalf("after create: %d stories without their month", n)
	}
	a.Headline = "Busan harbour reopens to ferries"
	if err := db.UpdateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if n := monthsMissing(t, db); n != 0 {
		t.Fatalf("after a text edit: %d stories without their month", n)
	}
	a.PublishedAt = time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC)
	if err := db.UpdateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := db.pool.Exec(ctx, `UPDATE articles SET published_at = now() WHERE id = $1`, draft.ID); err != nil {
		t.Fatal(err)
	}
	if n := monthsMissing(t, db); n != 0 {
		t.Fatalf("after the publication times moved: %d stories without their month (or with another)", n)
	}

	// The window, with the months and without: the same stories.
	for _, from := range []time.Time{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)} {
		months := searchMonths(from, time.Now())
		var with, without int
		q := `SELECT count(*) FROM articles a WHERE a.published_at >= $1 AND a.search @@ (plainto_tsquery('english', 'busan') `
		if err := db.pool.QueryRow(ctx, q+`&& $2::tsquery)`, from, months).Scan(&with); err != nil {
			t.Fatal(err)
		}
		if err := db.pool.QueryRow(ctx, q+`)`, from).Scan(&without); err != nil {
			t.Fatal(err)
		}
		if with != without || with == 0 {
			t.Errorf("from %v: %d stories with the months, %d without", from, with, without)
		}
	}
	if got := searchMonths(time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC)); got != "'published 2025-11' | 'published 2025-12' | 'published 2026-01'" {
		t.Errorf("months: %s", got)
	}
	if got := searchMonths(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC)); got != "" {
		t.Errorf("six years of months: %.60s…, want none", got)
	}

	// copy-db loads with the triggers off and writes the month itself.
	dst := openURL(t, freshSchema(t))
	err := dst.ImportRows(ctx, func(put func(string, []any) error) error {
		for i, pub := range []time.Time{march, {}} {
			row := []any{int64(i + 1), "copied-" + string(rune('a'+i)), "Busan copied", "", "", "<p>Busan.</p>", "en", "published",
				int64(0), int64(0), "", "", "", int64(0), march, pub, march, time.Time{}, int64(1)}
			if pub.IsZero() {
				row[7] = "draft"
			}
			if err := put("articles", row); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := monthsMissing(t, dst); n != 0 {
		t.Errorf("after copy-db: %d stories without their month (or with one they should not have)", n)
	}
	var lexemes string
	dst.pool.QueryRow(ctx, `SELECT array_to_string(tsvector_to_array(search), ',') FROM articles WHERE id = 1`).Scan(&lexemes)
	if !strings.Contains(lexemes, "published 2026-03") {
		t.Errorf("copied story's lexemes: %s", lexemes)
	}
}
