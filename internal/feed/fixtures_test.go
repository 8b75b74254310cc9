package feed

import (
	"time"

	"masthead/internal/news"
)

// The fixed "now" of every test: 2026-11-26 12:00 UTC (21:00 in Seoul).
var testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func testPaper(fullText bool) *news.Paper {
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		panic(err)
	}
	return &news.Paper{
		Name:          "The Masthead Times",
		Tagline:       "News from the peninsula & beyond",
		BaseURL:       "https://news.example.com",
		Language:      "en",
		Location:      seoul,
		FullTextFeeds: fullText,
	}
}

// handStories is a hand-made set: two public stories (one with a Korean
// slug) and one of each kind that must never reach a reader.
func handStories() (public, hidden []*news.Article) {
	nk := &news.Section{ID: 1, Slug: "north-korea", Name: "North Korea"}
	kang := &news.Author{ID: 1, Slug: "kang-seung-woo", Name: "Kang Seung-woo"}
	lee := &news.Author{ID: 2, Slug: "이지은", Name: "이지은"}
	seed := &news.Article{
		ID:          1,
		Slug:        "is-trumps-second-letter-to-nk-leader-for-dialogue-or-status-quo",
		Headline:    "Is Trump's second letter to NK leader for dialogue or status quo?",
		Deck:        "Experts split on whether the letter <signals> talks & a summit",
		BodyHTML:    "<p>U.S. President Donald Trump sent a letter to North Korean leader Kim Jong-un.</p>\n<blockquote><p>\"Dialogue\", he said.</p></blockquote>",
		Lang:        "en",
		Status:      news.StatusPublished,
		Section:     nk,
		SectionID:   1,
		Authors:     []*news.Author{kang},
		Tags:        []*news.Tag{{ID: 1, Slug: "diplomacy", Name: "Diplomacy"}, {ID: 2, Slug: "북미관계", Name: "북미관계"}},
		PublishedAt: time.Date(2026, 11, 25, 23, 30, 0, 0, time.UTC), // 26 Nov in Seoul
		UpdatedAt:   time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC),
		Photo: &news.Photo{
			ID: 7, Key: "2026/11/kim-trump.jpg", ContentType: "image/jpeg", Width: 4000, Height: 2250,
			Caption: "Kim Jong-un and Donald Trump at Panmunjom", Credit: "Korea Times file", Alt: "Two leaders shake hands",
			Widths: []int{320, 640, 1280, 2048},
		},
		Corrections: []news.Correction{{ID: 1, Kind: news.KindCorrection, Text: "An earlier version misdated the letter.", CreatedAt: time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)}},
	}
	korean := &news.Article{
		ID:          2,
		Slug:        "북한-대화-재개",
		Headline:    "북한, 대화 재개 신호",
		BodyHTML:    "<p>북한이 대화 재개 가능성을 시사했다. " + longKorean + "</p>",
		Lang:        "ko",
		Status:      news.StatusPublished,
		Section:     nk,
		SectionID:   1,
		Authors:     []*news.Author{lee, kang},
		PublishedAt: time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC),
		Photo:       &news.Photo{ID: 8, Key: "2026/11/dmz.png", ContentType: "image/png", Width: 1000, Height: 500},
	}
	public = []*news.Article{seed, korean}

	base := func(id int64, slug string) *news.Article {
		return &news.Article{ID: id, Slug: slug, Headline: "Hidden " + slug, Deck: "must not appear", Status: news.StatusPublished,
			PublishedAt: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)}
	}
	draft := base(10, "secret-draft")
	draft.Status = news.StatusDraft
	review := base(11, "secret-review")
	review.Status = news.StatusReview
	scheduled := base(12, "secret-scheduled")
	scheduled.Status = news.StatusScheduled
	scheduled.PublishedAt = testNow.Add(time.Hour)
	future := base(13, "secret-future") // published status, time not reached
	future.PublishedAt = testNow.Add(time.Minute)
	unpublished := base(14, "secret-unpublished")
	unpublished.Status = news.StatusUnpublished
	embargoed := base(15, "secret-embargoed")
	embargoed.EmbargoUntil = testNow.Add(time.Hour)
	hidden = []*news.Article{draft, review, scheduled, future, unpublished, embargoed}
	return public, hidden
}

const longKorean = "정부는 이번 발표가 한반도 평화 프로세스에 긍정적인 영향을 줄 것으로 기대한다고 밝혔다. " +
	"전문가들은 그러나 실질적인 협상이 재개되기까지는 시간이 걸릴 것이라고 내다봤다. " +
	"미국 국무부는 북한과의 대화에 열려 있다는 입장을 재확인했으며, 동맹국과 긴밀히 협의하겠다고 말했다. " +
	"한편 중국과 러시아도 이번 움직임을 환영한다는 뜻을 내비쳤다. 외교 소식통은 다음 달 고위급 접촉 가능성을 언급했다."

type (
	newsPhoto   = news.Photo
	newsArticle = news.Article
)

// tokenOf is the URL token of a photo stored under key.
func tokenOf(key string) string { return (&news.Photo{Key: key}).URLToken() }
