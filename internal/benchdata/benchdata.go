// Package benchdata writes a large generated paper for benchmarks (issue 8
// and issue 6): stories in English and Korean mixed, spread over sections,
// authors and tags, published over the past years, with a number of
// counted views spread over the last week. Everything goes through
// news.Store, so the paper is what masthead itself would have written
// (search index included), on SQLite or PostgreSQL.
package benchdata

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"masthead/internal/news"
)

// Config says how big a paper to write.
type Config struct {
	Stories int
	Views   int64     // total counted views, spread over the last 7 days
	Now     time.Time // the newest story is published just before it
	Seed    uint64
	// Progress, when set, is called every few thousand stories.
	Progress func(done int)
}

// Stats describes what Generate wrote.
type Stats struct {
	Stories, Sections, Authors, Tags int
	Views                            int64
	StoriesTime, ViewsTime           time.Duration // time to write the stories, the views
}

var sectionNames = []string{"North Korea", "Politics", "Business", "Society", "World", "Culture", "Sports", "Opinion"}

var enWords = strings.Fields(`the of and to in a is that for on with as by at from said north korea south seoul
	government president minister official military missile nuclear talks letter summit economy market stocks
	company bank rate inflation growth exports trade tariff china japan united states washington election party
	lawmakers assembly court police prosecutors investigation report people city province school students
	hospital doctors health vaccine weather typhoon festival film music concert drama team league football
	baseball coach player season record museum culture food travel airport flight subway housing prices
	apartment loans budget tax defense army soldiers border peace dialogue sanctions launch ballistic satellite
	rocket technology chip semiconductor samsung hyundai battery electric factory workers union wages jobs
	youth women children family population climate energy solar power plant safety accident fire flood rescue`)

var koWords = strings.Fields(`북한은 북한의 북한이 정부는 정부의 대통령은 대통령의 미사일을 발사했다 합동참모본부는 동해상으로
	서울 서울의 경제 경제는 증시 코스피가 상승 하락 마감했다 반도체 삼성전자 현대차 수출 수입 무역 관세 중국
	일본 미국 워싱턴 정상회담 회담 대화 제재 국회 여당 야당 선거 법원 검찰 경찰 수사 학교 학생 교사 병원 의사
	날씨 태풍 장마 폭염 축제 영화 음악 공연 드라마 배우 가수 야구 축구 선수 감독 시즌 역사 박물관 문화 음식
	김치 여행 관광객 공항 항공 지하철 주택 아파트 가격 전세 대출 부채 예산 세금 국방 병사 평화 협상 합의 정책`)

// words draws words with a Zipf distribution, as in real text: a few in
// most stories, most rare.
type words struct {
	list []string
	z    *rand.Zipf
}

func newWords(r *rand.Rand, list []string) *words {
	return &words{list: list, z: rand.NewZipf(r, 1.2, 2, uint64(len(list)-1))}
}

func (w *words) sentence(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = w.list[w.z.Uint64()]
	}
	return capitalize(strings.Join(parts, " "))
}

// capitalize upper-cases the first letter of s: the first rune, not the
// first byte, which in Korean is a third of a character (the invalid UTF-8
// that PostgreSQL refused and SQLite stored).
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// Generate writes the paper into st, which should be empty.
func Generate(ctx context.Context, st news.Store, cfg Config) (Stats, error) {
	var s Stats
	if cfg.Now.IsZero() {
		cfg.Now = time.Now().UTC()
	}
	r := rand.New(rand.NewPCG(cfg.Seed, 8))
	en, ko := newWords(r, enWords), newWords(r, koWords)

	var secs []*news.Section
	for i, name := range sectionNames {
		sec := &news.Section{Slug: news.Slugify(name), Name: name, Position: i}
		if err := st.CreateSection(ctx, sec); err != nil {
			return s, fmt.Errorf("section %s: %w", name, err)
		}
		secs = append(secs, sec)
	}
	var authors []*news.Author
	for i := range 40 {
		a := &news.Author{Slug: fmt.Sprintf("reporter-%d", i+1), Name: fmt.Sprintf("Reporter %d", i+1)}
		if err := st.CreateAuthor(ctx, a); err != nil {
			return s, fmt.Errorf("author: %w", err)
		}
		authors = append(authors, a)
	}
	var tags []*news.Tag
	for i := range 200 {
		t := &news.Tag{Slug: fmt.Sprintf("topic-%d", i+1), Name: fmt.Sprintf("Topic %d", i+1)}
		if err := st.EnsureTag(ctx, t); err != nil {
			return s, fmt.Errorf("tag: %w", err)
		}
		tags = append(tags, t)
	}
	s.Sections, s.Authors, s.Tags = len(secs), len(authors), len(tags)

	// Stories every ~15 minutes back from Now: 100,000 span about three
	// years, the newest few hundred in the last week (where views go).
	start := time.Now()
	ids := make([]int64, 0, cfg.Stories)
	for i := range cfg.Stories {
		w, lang := en, "en"
		if i%4 == 3 {
			w, lang = ko, "ko"
		}
		var body strings.Builder
		for range 4 + r.IntN(6) {
			fmt.Fprintf(&body, "<p>%s.</p>\n", w.sentence(30+r.IntN(30)))
		}
		pub := cfg.Now.Add(-time.Duration(cfg.Stories-i) * 15 * time.Minute).UTC().Truncate(time.Second)
		a := &news.Article{
			Slug:     fmt.Sprintf("story-%d", i+1),
			Headline: w.sentence(6 + r.IntN(5)), Deck: w.sentence(15),
			BodyHTML: body.String(), Lang: lang, Status: news.StatusPublished,
			SectionID: secs[r.IntN(len(secs))].ID,
			Authors:   []*news.Author{authors[r.IntN(len(authors))]},
			CreatedAt: pub, PublishedAt: pub, UpdatedAt: pub,
		}
		for range r.IntN(4) {
			a.Tags = append(a.Tags, tags[r.IntN(len(tags))])
		}
		a.Tags = dedupTags(a.Tags)
		if err := st.CreateArticle(ctx, a); err != nil {
			return s, fmt.Errorf("story %d: %w", i+1, err)
		}
		ids = append(ids, a.ID)
		s.Stories++
		if cfg.Progress != nil && s.Stories%5000 == 0 {
			cfg.Progress(s.Stories)
		}
	}
	s.StoriesTime = time.Since(start)

	// Views: Zipf over the newest 2,000 stories (readers read the news),
	// spread over the hours of the last week, added in batches as the
	// counter does.
	start = time.Now()
	if cfg.Views > 0 && len(ids) > 0 {
		recent := ids[max(0, len(ids)-2000):]
		pick := rand.NewZipf(r, 1.1, 1, uint64(len(recent)-1))
		hour := cfg.Now.UTC().Truncate(time.Hour)
		batch := map[news.ViewCount]int64{}
		flush := func() error {
			counts := make([]news.ViewCount, 0, len(batch))
			for k, n := range batch {
				k.Count = n
				counts = append(counts, k)
			}
			clear(batch)
			return st.AddViews(ctx, counts)
		}
		left := cfg.Views
		for left > 0 {
			n := min(left, int64(1+r.IntN(20)))
			k := news.ViewCount{ArticleID: recent[len(recent)-1-int(pick.Uint64())],
				Hour: hour.Add(-time.Duration(r.IntN(7*24)) * time.Hour)}
			batch[k] += n
			left -= n
			s.Views += n
			if len(batch) >= 5000 {
				if err := flush(); err != nil {
					return s, fmt.Errorf("views: %w", err)
				}
			}
		}
		if err := flush(); err != nil {
			return s, fmt.Errorf("views: %w", err)
		}
	}
	s.ViewsTime = time.Since(start)
	return s, nil
}

func dedupTags(ts []*news.Tag) []*news.Tag {
	seen := map[int64]bool{}
	out := ts[:0]
	for _, t := range ts {
		if !seen[t.ID] {
			seen[t.ID] = true
			out = append(out, t)
		}
	}
	return out
}
