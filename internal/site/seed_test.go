package site

import (
	"context"
	"fmt"
	"time"

	"masthead/internal/news"
)

// Test data, written through news.Store like any other client would.

// now is the tests' clock: stories before it are public, after it are not.
var testNow = time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)

var seoul = func() *time.Location {
	l, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		panic(err)
	}
	return l
}()

type seeded struct {
	nk, biz, society                         *news.Section
	kang, kim                                *news.Author
	trump, nkTag, secretTag                  *news.Tag
	seed, korean, captionOnly                *news.Article
	renamed                                  *news.Article // slug changed from "old-slug" to "new-slug"
	draft, scheduled, embargoed, unpublished *news.Article
	filler                                   []*news.Article
}

const seedBody = `<p>U.S. President Donald Trump's personal letter to North Korean leader Kim Jong-un to offer cooperation in fighting the coronavirus is raising speculation that Washington may be seeking to reopen nuclear disarmament dialogue with Pyongyang.</p>
<p>At the very least, some critics say he is trying to preserve the status quo with the country ahead of the presidential election in November.</p>
<blockquote><p>"Kim Yo-jong's response means the North will take its own way and the U.S. needs to offer more concessions," he added.</p></blockquote>`

func seedStore(ctx context.Context, st news.Store) (*seeded, error) {
	d := &seeded{}
	var err error
	must := func(e error) {
		if err == nil && e != nil {
			err = e
		}
	}
	d.nk = &news.Section{Slug: "north-korea", Name: "North Korea", Position: 1, Description: "News from and about North Korea."}
	d.biz = &news.Section{Slug: "business", Name: "Business", Position: 2}
	d.society = &news.Section{Slug: "사회", Name: "사회", Position: 3, Description: "한국 사회 뉴스"}
	for _, s := range []*news.Section{d.nk, d.biz, d.society} {
		must(st.CreateSection(ctx, s))
	}
	d.kang = &news.Author{Slug: "kang-seung-woo", Name: "Kang Seung-woo", Email: "ksw@koreatimes.co.kr",
		Title: "Staff reporter", Bio: "Kang Seung-woo covers North Korea and diplomacy."}
	d.kim = &news.Author{Slug: "김민지", Name: "김민지", Email: "minji@example.com", Title: "기자"}
	for _, a := range []*news.Author{d.kang, d.kim} {
		must(st.CreateAuthor(ctx, a))
	}
	d.trump = &news.Tag{Slug: "donald-trump", Name: "Donald Trump"}
	d.nkTag = &news.Tag{Slug: "북한", Name: "북한"}
	d.secretTag = &news.Tag{Slug: "secret-plan", Name: "Secret plan"}
	for _, t := range []*news.Tag{d.trump, d.nkTag, d.secretTag} {
		must(st.EnsureTag(ctx, t))
	}
	photo := &news.Photo{Key: "2020/03/kim-trump.jpg", ContentType: "image/jpeg", Width: 1600, Height: 1067,
		Caption: "North Korean leader Kim Jong-un and U.S. President Donald Trump meet at Panmunjeom in Paju, Gyeonggi Province, June 30, 2019.",
		Credit:  "Korea Times file", Alt: "Kim Jong-un and Donald Trump shake hands at the border",
		Widths: []int{320, 640, 1024, 1600}}
	must(st.CreatePhoto(ctx, photo))
	// No renditions yet: pages fall back to the original.
	noFile := &news.Photo{Key: "2020/03/wire.jpg", ContentType: "image/jpeg", Width: 800, Height: 600,
		Caption: "A wire picture with no renditions.", Credit: "Wire"}
	must(st.CreatePhoto(ctx, noFile))
	if err != nil {
		return nil, err
	}

	pub := time.Date(2020, 3, 22, 9, 0, 0, 0, seoul)
	mk := func(a *news.Article) *news.Article {
		if a.Status == "" {
			a.Status = news.StatusPublished
		}
		if a.Lang == "" {
			a.Lang = "en"
		}
		if a.BodyHTML == "" {
			a.BodyHTML = "<p>" + a.Headline + " body.</p>"
		}
		if a.UpdatedAt.IsZero() {
			a.UpdatedAt = a.PublishedAt
		}
		a.CreatedAt = a.PublishedAt.Add(-time.Hour)
		if a.CreatedAt.IsZero() || a.PublishedAt.IsZero() {
			a.CreatedAt = testNow.Add(-time.Hour)
		}
		must(st.CreateArticle(ctx, a))
		return a
	}
	d.seed = mk(&news.Article{Slug: news.Slugify("Is Trump's second letter to NK leader for dialogue or status quo?"),
		Headline: "Is Trump's second letter to NK leader for dialogue or status quo?",
		Deck:     "Washington may be seeking to reopen nuclear talks, or just to keep things calm before the election.",
		BodyHTML: seedBody, SectionID: d.nk.ID, Authors: []*news.Author{d.kang}, Tags: []*news.Tag{d.trump, d.nkTag},
		PhotoID: photo.ID, PublishedAt: pub, UpdatedAt: pub.Add(3 * time.Hour)})
	d.korean = mk(&news.Article{Slug: "북한-미사일-발사", Headline: "북한, 단거리 미사일 발사", Lang: "ko",
		BodyHTML: "<p>북한이 토요일 단거리 미사일을 발사했다.</p>", SectionID: d.society.ID,
		Authors: []*news.Author{d.kim}, Tags: []*news.Tag{d.nkTag}, PublishedAt: pub.Add(24 * time.Hour)})
	d.captionOnly = mk(&news.Article{Slug: "caption-only", Headline: "A story with a caption but no picture",
		SectionID: d.nk.ID, Authors: []*news.Author{d.kang}, PhotoID: noFile.ID, PublishedAt: pub.Add(-24 * time.Hour)})
	d.renamed = mk(&news.Article{Slug: "old-slug", Headline: "Renamed story", SectionID: d.nk.ID,
		Authors: []*news.Author{d.kang}, PublishedAt: pub.Add(-48 * time.Hour)})
	// Hidden from readers, each in its own way.
	d.draft = mk(&news.Article{Slug: "draft-story", Headline: "Draft secret", Status: news.StatusDraft,
		SectionID: d.nk.ID, Tags: []*news.Tag{d.secretTag}})
	d.scheduled = mk(&news.Article{Slug: "scheduled-story", Headline: "Scheduled secret", Status: news.StatusScheduled,
		SectionID: d.nk.ID, Authors: []*news.Author{d.kang}, Tags: []*news.Tag{d.secretTag}, PublishedAt: testNow.Add(48 * time.Hour)})
	d.embargoed = mk(&news.Article{Slug: "embargoed-story", Headline: "Embargoed secret", SectionID: d.nk.ID,
		Authors: []*news.Author{d.kang}, Tags: []*news.Tag{d.secretTag}, PublishedAt: pub, EmbargoUntil: testNow.Add(time.Hour)})
	d.unpublished = mk(&news.Article{Slug: "unpublished-story", Headline: "Unpublished secret", Status: news.StatusUnpublished,
		SectionID: d.nk.ID, Authors: []*news.Author{d.kang}, Tags: []*news.Tag{d.secretTag}, PublishedAt: pub})
	for i := 0; i < 25; i++ {
		d.filler = append(d.filler, mk(&news.Article{Slug: fmt.Sprintf("market-report-%d", i),
			Headline: fmt.Sprintf("Market report number %d", i), Deck: "Stocks moved.", SectionID: d.biz.ID,
			Authors: []*news.Author{d.kim}, PublishedAt: time.Date(2021, 1, 1+i, 10, 0, 0, 0, seoul)}))
	}
	if err != nil {
		return nil, err
	}
	d.renamed.Slug = "new-slug"
	must(st.UpdateArticle(ctx, d.renamed))
	must(st.AddCorrection(ctx, &news.Correction{ArticleID: d.seed.ID, Kind: news.KindCorrection,
		Text: "An earlier version misspelled Kim Yo-jong's name.", CreatedAt: pub.Add(3 * time.Hour)}))
	return d, err
}
