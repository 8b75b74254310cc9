package sqlite_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/internal/news"
	"masthead/internal/store/sqlite"
	"masthead/internal/store/storetest"
)

// The search benchmark runs on a generated paper: English and Korean stories
// mixed (one in four Korean), words drawn with a Zipf distribution so that
// some are in most stories and most are rare, as in real text.
//
//	go test ./internal/store/sqlite -run '^$' -bench Search -benchtime 400x
//	MASTHEAD_BENCH_STORIES=100000 go test ./internal/store/sqlite -run '^$' -bench Search -benchtime 400x -timeout 60m
//
// Besides ns/op it reports p50 and p95 latency in milliseconds, and for the
// build the time and the size of the full-text index.

var enWords = strings.Fields(`the of and to in a is that for on with as by at from said north korea south seoul
	government president minister official officials military missile missiles nuclear talks trump kim jong-un
	letter summit economy market markets stocks shares company companies bank rate rates inflation growth exports
	trade tariff tariffs china japan united states washington beijing tokyo election party lawmakers assembly court
	police prosecutors investigation report reports people city province school students teachers hospital doctors
	health virus vaccine weather rain typhoon heat winter festival film music concert k-pop drama actor singer
	team league football baseball soccer coach player season win wins lost record history museum culture food
	restaurant kimchi travel tourists airport airline flight train subway housing prices apartment rent loans debt
	budget tax spending defense army navy air force soldiers border peace dialogue sanctions launch launched test
	tested ballistic short-range long-range satellite rocket space technology chip chips semiconductor samsung hyundai
	lg sk battery electric car cars factory workers union strike wages jobs unemployment youth women men children
	family families aging population birth rate climate energy coal solar wind power plant nuclear reactor safety
	accident fire flood earthquake rescue emergency minister ministry foreign affairs unification defense ambassador
	embassy visit visits meeting meetings agreement deal deals negotiations proposal plan plans policy policies reform`)

var koWords = strings.Fields(`북한은 북한의 북한이 정부는 정부의 대통령은 대통령의 미사일을 미사일 발사했다 발사 합동참모본부는
	동해상으로 서울 서울의 경제 경제는 증시 코스피가 상승 하락 마감했다 반도체 삼성전자 현대차 수출 수입 무역
	관세 중국 일본 미국 워싱턴 정상회담 회담 대화 제재 국회 여당 야당 선거 법원 검찰 경찰 수사 학교 학생 교사
	병원 의사 날씨 태풍 장마 폭염 축제 영화 음악 공연 드라마 배우 가수 야구 축구 선수 감독 시즌 역사 박물관
	문화 음식 김치 여행 관광객 공항 항공 지하철 주택 아파트 가격 전세 대출 부채 예산 세금 국방 군 병사 평화
	협상 합의 제안 계획 정책 개혁 기후 에너지 원전 안전 사고 화재 홍수 지진 구조 외교부 통일부 대사`)

// vocabulary returns the base words followed by synthetic ones made of
// syllables, so the paper has a long tail of rare words as real text does.
func vocabulary(base []string, syllables []string, n int, minSyl int) []string {
	r := rand.New(rand.NewPCG(3, 4))
	seen := map[string]bool{}
	out := append([]string(nil), base...)
	for _, w := range base {
		seen[w] = true
	}
	for len(out) < len(base)+n {
		var b strings.Builder
		for k := 0; k < minSyl+r.IntN(2); k++ {
			b.WriteString(syllables[r.IntN(len(syllables))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

var (
	enVocab = vocabulary(enWords, strings.Fields("ka ro mi sen tal bor vin dex qua lor pen tis mar gol fen rud sal ter nov pri"), 20000, 3)
	koVocab = vocabulary(koWords, strings.Fields("가 나 다 라 마 바 사 아 자 차 카 타 파 하 강 산 물 불 길 집 정 성 민 국 한 선 동 서 남 북"), 8000, 2)
)

// zipf picks words so that the first ones are much more common.
type zipfWords struct {
	words []string
	z     *rand.Zipf
}

func newZipf(r *rand.Rand, words []string) *zipfWords {
	return &zipfWords{words: words, z: rand.NewZipf(r, 1.1, 2, uint64(len(words)-1))}
}

func (z *zipfWords) sentence(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = z.words[z.z.Uint64()]
	}
	return strings.Join(parts, " ")
}

// benchDB is built once per process and shared by the benchmarks.
var benchDB struct {
	once  sync.Once
	db    *sqlite.DB
	n     int
	build time.Duration
	size  int64
	err   error
}

// benchTemp is the temporary folder of the generated paper, if any.
var benchTemp string

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDB.db != nil {
		benchDB.db.Close()
	}
	if benchTemp != "" {
		os.RemoveAll(benchTemp)
	}
	os.Exit(code)
}

func benchStories() int {
	if n, err := strconv.Atoi(os.Getenv("MASTHEAD_BENCH_STORIES")); err == nil && n > 0 {
		return n
	}
	return 3000
}

func openBenchDB(b *testing.B) *sqlite.DB {
	b.Helper()
	benchDB.once.Do(func() {
		ctx := context.Background()
		// MASTHEAD_BENCH_DB keeps the generated paper between runs (building
		// 100,000 stories takes a while); otherwise it lives in a temporary
		// folder removed by TestMain.
		path := os.Getenv("MASTHEAD_BENCH_DB")
		if path == "" {
			dir, err := os.MkdirTemp("", "masthead-bench-")
			if err != nil {
				benchDB.err = err
				return
			}
			benchTemp = dir
			path = filepath.Join(dir, "bench.db")
		}
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			benchDB.err = err
			return
		}
		benchDB.db, benchDB.n = db, benchStories()
		if _, have, err := db.FindArticles(ctx, news.ArticleFilter{Limit: 1}); err == nil && have > 0 {
			benchDB.n = have
			return
		}
		r := rand.New(rand.NewPCG(1, 2))
		en, ko := newZipf(r, enVocab), newZipf(r, koVocab)
		sec := &news.Section{Slug: "news", Name: "News"}
		au := &news.Author{Slug: "desk", Name: "Desk"}
		if benchDB.err = db.CreateSection(ctx, sec); benchDB.err != nil {
			return
		}
		if benchDB.err = db.CreateAuthor(ctx, au); benchDB.err != nil {
			return
		}
		start := time.Now()
		for i := 0; i < benchDB.n; i++ {
			z, lang := en, "en"
			if i%4 == 3 {
				z, lang = ko, "ko"
			}
			var body strings.Builder
			for p := 0; p < 4+r.IntN(6); p++ {
				fmt.Fprintf(&body, "<p>%s.</p>", z.sentence(30+r.IntN(30)))
			}
			a := &news.Article{
				Slug: fmt.Sprintf("story-%d", i), Headline: z.sentence(6 + r.IntN(5)), Deck: z.sentence(15),
				BodyHTML: body.String(), Lang: lang, Status: news.StatusPublished, SectionID: sec.ID,
				Authors:     []*news.Author{au},
				PublishedAt: storetest.T0.Add(time.Duration(i) * time.Minute),
			}
			if benchDB.err = db.CreateArticle(ctx, a); benchDB.err != nil {
				return
			}
		}
		benchDB.build = time.Since(start)
		if fi, err := os.Stat(path); err == nil {
			benchDB.size = fi.Size()
		}
		if fi, err := os.Stat(path + "-wal"); err == nil {
			benchDB.size += fi.Size()
		}
	})
	if benchDB.err != nil {
		b.Fatalf("building the benchmark paper: %v", benchDB.err)
	}
	return benchDB.db
}

// queries returns deterministic reader queries of n words, Korean one query
// in four: half the words are drawn like the text (so common words are
// searched often), half uniformly from the base vocabulary of news words.
func queries(n int) []string {
	r := rand.New(rand.NewPCG(uint64(n), 7))
	en, ko := newZipf(r, enVocab), newZipf(r, koVocab)
	out := make([]string, 200)
	for i := range out {
		words, z := enWords, en
		if i%4 == 3 {
			words, z = koWords, ko
		}
		parts := make([]string, n)
		for j := range parts {
			w := words[r.IntN(len(words))]
			if r.IntN(2) == 0 {
				w = z.sentence(1)
			}
			if i%4 == 3 && j == 0 && len([]rune(w)) > 2 {
				w = string([]rune(w)[:2]) // 북한 for 북한은: the particle-stripped form readers type
			}
			parts[j] = w
		}
		out[i] = strings.Join(parts, " ")
	}
	return out
}

func BenchmarkSearch(b *testing.B) {
	db := openBenchDB(b)
	if benchDB.build > 0 {
		b.Logf("paper: %d stories built in %v (%.0f stories/s), database %.1f MB",
			benchDB.n, benchDB.build.Round(time.Millisecond), float64(benchDB.n)/benchDB.build.Seconds(), float64(benchDB.size)/1e6)
	} else {
		b.Logf("paper: %d stories (reused)", benchDB.n)
	}
	ctx := context.Background()
	now := storetest.T0.Add(time.Duration(benchDB.n+1) * time.Minute)
	for _, words := range []int{1, 2, 3} {
		for _, order := range []string{"relevance", "newest"} {
			b.Run(fmt.Sprintf("words=%d/order=%s", words, order), func(b *testing.B) {
				qs := queries(words)
				lat := make([]time.Duration, 0, b.N)
				cpu := make([]time.Duration, 0, b.N)
				hits := 0
				// The driver runs on the calling goroutine; pinning it to
				// its thread lets the thread's CPU time measure one query.
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					c0, cpuOK := threadCPU()
					start := time.Now()
					hs, _, err := db.SearchArticles(ctx, news.SearchQuery{Text: qs[i%len(qs)], PublicAt: now, Order: order, Limit: 20})
					lat = append(lat, time.Since(start))
					if c1, ok := threadCPU(); ok && cpuOK {
						cpu = append(cpu, time.Duration(c1-c0))
					}
					if err != nil {
						b.Fatal(err)
					}
					hits += len(hs)
				}
				b.StopTimer()
				pct := func(d []time.Duration, p int) float64 {
					slices.Sort(d)
					return float64(d[len(d)*p/100].Microseconds()) / 1000
				}
				b.ReportMetric(pct(lat, 50), "p50-ms")
				b.ReportMetric(pct(lat, 95), "p95-ms")
				if len(cpu) > 0 {
					b.ReportMetric(pct(cpu, 50), "cpu-p50-ms")
					b.ReportMetric(pct(cpu, 95), "cpu-p95-ms")
				}
				b.ReportMetric(float64(hits)/float64(b.N), "hits/op")
			})
		}
	}
}
