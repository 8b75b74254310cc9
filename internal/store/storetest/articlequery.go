package storetest

import (
	"fmt"
	"testing"
	"time"

	"masthead/internal/news"
)

func testArticleQuery(t *testing.T, open func(t *testing.T) news.Store) {
	f := newFixture(t, open)
	world := f.section("world", "World", 1)
	biz := f.section("business", "Business", 2)
	kim, lee := f.author("kim", "Kim"), f.author("lee", "Lee")
	nk, econ := f.tag("north-korea", "North Korea"), f.tag("economy", "Economy")
	ph := f.photo("A photo")
	mk := func(slug string, sec *news.Section, authors []*news.Author, tags []*news.Tag, at time.Time, mod func(a *news.Article)) *news.Article {
		return f.article(func(a *news.Article) {
			a.Slug, a.Headline, a.SectionID, a.Authors, a.Tags, a.PublishedAt, a.UpdatedAt = slug, "Headline of "+slug, sec.ID, authors, tags, at, at
			if mod != nil {
				mod(a)
			}
		})
	}
	a1 := mk("summit", world, []*news.Author{kim}, []*news.Tag{nk}, T0.Add(-5*time.Hour), func(a *news.Article) { a.PhotoID = ph.ID })
	a2 := mk("sanctions", world, []*news.Author{lee, kim}, []*news.Tag{nk, econ}, T0.Add(-4*time.Hour), nil)
	a3 := mk("exports", biz, []*news.Author{lee}, []*news.Tag{econ}, T0.Add(-3*time.Hour), nil)
	a4 := mk("markets", biz, []*news.Author{kim}, nil, T0.Add(-2*time.Hour), func(a *news.Article) { a.Headline = "Markets 100% up_today" })
	// Not public: a draft, a story scheduled later, an embargoed one.
	mk("draft", world, []*news.Author{kim}, []*news.Tag{nk}, T0.Add(-time.Hour), func(a *news.Article) { a.Status = news.StatusDraft })
	mk("later", world, []*news.Author{kim}, []*news.Tag{nk}, T0.Add(time.Hour), func(a *news.Article) { a.Status = news.StatusScheduled })
	mk("embargoed", world, []*news.Author{kim}, []*news.Tag{nk}, T0.Add(-time.Hour), func(a *news.Article) { a.EmbargoUntil = T0.Add(time.Hour) })

	in := func(field string, vals ...string) news.Cond {
		return news.Cond{Field: field, Op: news.CondIn, Values: vals}
	}
	cases := []struct {
		name  string
		where *news.Cond
		order []news.OrderBy
		want  []int64
	}{
		{"all public, newest first", nil, nil, []int64{a4.ID, a3.ID, a2.ID, a1.ID}},
		{"tag", &news.Cond{Field: "tag", Op: news.CondIn, Values: []string{"north-korea"}}, nil, []int64{a2.ID, a1.ID}},
		{"tag in", ptr(in("tag", "north-korea", "economy")), nil, []int64{a3.ID, a2.ID, a1.ID}},
		{"not tag", &news.Cond{Not: ptr(in("tag", "economy"))}, nil, []int64{a4.ID, a1.ID}},
		{"author and tag", &news.Cond{And: []news.Cond{in("author", "kim"), in("tag", "economy")}}, nil, []int64{a2.ID}},
		{"author or section", &news.Cond{Or: []news.Cond{in("author", "lee"), in("section", "world")}}, nil, []int64{a3.ID, a2.ID, a1.ID}},
		{"primary author", ptr(in("primary_author", "lee")), nil, []int64{a3.ID, a2.ID}},
		{"published after", &news.Cond{Field: "published_at", Op: news.CondGT, Time: T0.Add(-4 * time.Hour)}, nil, []int64{a4.ID, a3.ID}},
		{"published at or after", &news.Cond{Field: "published_at", Op: news.CondGTE, Time: T0.Add(-4 * time.Hour)}, nil, []int64{a4.ID, a3.ID, a2.ID}},
		{"published before", &news.Cond{Field: "published_at", Op: news.CondLT, Time: T0.Add(-4 * time.Hour)}, nil, []int64{a1.ID}},
		{"slug in", ptr(in("slug", "exports", "summit", "draft")), nil, []int64{a3.ID, a1.ID}},
		{"id in", &news.Cond{Field: "id", Op: news.CondIn, IDs: []int64{a1.ID, a4.ID, 999999}}, nil, []int64{a4.ID, a1.ID}},
		{"headline contains, wildcards literal", &news.Cond{Field: "headline", Op: news.CondContains, Values: []string{"100% UP_"}}, nil, []int64{a4.ID}},
		{"headline contains no wildcard match", &news.Cond{Field: "headline", Op: news.CondContains, Values: []string{"100%_"}}, nil, nil},
		{"no photo", &news.Cond{Field: "photo", Op: news.CondNull}, nil, []int64{a4.ID, a3.ID, a2.ID}},
		{"has photo", &news.Cond{Not: &news.Cond{Field: "photo", Op: news.CondNull}}, nil, []int64{a1.ID}},
		{"oldest first", nil, []news.OrderBy{{Field: "published_at"}}, []int64{a1.ID, a2.ID, a3.ID, a4.ID}},
		{"by slug", nil, []news.OrderBy{{Field: "slug"}}, []int64{a3.ID, a4.ID, a2.ID, a1.ID}},
		{"nested", &news.Cond{And: []news.Cond{{Or: []news.Cond{in("tag", "economy"), in("author", "kim")}}, {Not: ptr(in("section", "business"))}}}, nil, []int64{a2.ID, a1.ID}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ids, total, err := f.s.QueryArticleIDs(f.ctx, news.ArticleQuery{PublicAt: T0, Where: tc.where, Order: tc.order})
			noErr(t, "QueryArticleIDs", err)
			eqIDs(t, "ids", ids, tc.want)
			if total != len(tc.want) {
				t.Errorf("total = %d, want %d", total, len(tc.want))
			}
		})
	}

	t.Run("Pages", func(t *testing.T) {
		for _, tc := range []struct {
			offset, limit int
			want          []int64
		}{{0, 3, []int64{a4.ID, a3.ID, a2.ID}}, {3, 3, []int64{a1.ID}}, {6, 3, nil}} {
			ids, total, err := f.s.QueryArticleIDs(f.ctx, news.ArticleQuery{PublicAt: T0, Offset: tc.offset, Limit: tc.limit})
			noErr(t, "QueryArticleIDs", err)
			eqIDs(t, fmt.Sprintf("page at %d", tc.offset), ids, tc.want)
			if total != 4 {
				t.Errorf("total at offset %d = %d, want 4", tc.offset, total)
			}
		}
	})

	t.Run("Refused", func(t *testing.T) {
		for _, q := range []news.ArticleQuery{
			{Where: &news.Cond{Field: "body", Op: news.CondIn, Values: []string{"x"}}},
			{Where: &news.Cond{Field: "tag", Op: news.CondGT, Values: []string{"x"}}},
			{Where: &news.Cond{Field: "published_at", Op: news.CondGT}},
			{Where: &news.Cond{Field: "tag", Op: news.CondIn, Values: []string{"x"}, And: []news.Cond{in("tag", "y")}}},
			{Order: []news.OrderBy{{Field: "body_html"}}},
		} {
			_, _, err := f.s.QueryArticleIDs(f.ctx, q)
			wantErr(t, fmt.Sprintf("QueryArticleIDs(%+v)", q), err, news.ErrInvalid)
		}
	})
	_ = nk
	_ = econ
}

func ptr[T any](v T) *T { return &v }
