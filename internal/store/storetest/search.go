package storetest

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"masthead/internal/news"
)

// corpusStory is one story of the fixed search corpus.
type corpusStory struct {
	key, headline, deck, body string
	section, author, lang     string
	day                       int // PublishedAt = T0 + day days
	mod                       func(a *news.Article)
}

// searchNow is "now" for the corpus: after every public story, before the
// embargo and the scheduled story.
var searchNow = T0.Add(20 * 24 * time.Hour)

// searchCorpus is small on purpose: every expected order below can be
// checked by reading it.
var searchCorpus = []corpusStory{
	{key: "nk-missile", headline: "North Korea fires ballistic missile into East Sea", deck: "The launch is the third this month.",
		body: "<p>North Korea fired a short-range ballistic missile from its east coast on Sunday, the Joint Chiefs of Staff said.</p>", section: "nk", author: "kang", day: 5},
	{key: "missile-talks", headline: "Seoul and Washington open missile defense talks",
		body: "<p>The allies began two days of talks on air defense in Seoul.</p>", section: "politics", author: "lee", day: 2},
	{key: "trump-letter", headline: "Trump sends second letter to Kim Jong-un", deck: "Experts are divided over what it means.",
		body: "<p>The letter came days after the North tested two <b>missiles</b>, according to officials.</p>", section: "nk", author: "kang", day: 4},
	{key: "trump-visit", headline: "Trump to visit Seoul",
		body: "<p>The president will meet business leaders &amp; lawmakers.</p>", section: "politics", author: "lee", day: 8},
	{key: "stocks", headline: "Seoul stocks rise as chipmakers rally",
		body: "<p>The KOSPI closed higher as investors bought chipmaker shares. Experts expect further gains.</p>", section: "business", author: "park", day: 3},
	{key: "budget", headline: "Parliament passes record budget",
		body: "<p>The budget raises defense spending. Defense officials welcomed the defense increase.</p>", section: "politics", author: "park", day: 9},
	{key: "ko-missile", headline: "북한, 동해상으로 탄도미사일 발사", deck: "합참 \"올해 세 번째\"",
		body: "<p>북한은 22일 오전 동해상으로 단거리 탄도미사일을 발사했다고 합동참모본부가 밝혔다.</p>", section: "nk", author: "kim", lang: "ko", day: 6},
	{key: "ko-summit", headline: "남북 정상회담 준비 착수",
		body: "<p>정부는 회담 준비에 들어갔다. 북한의 입장은 아직 알려지지 않았다.</p>", section: "politics", author: "kim", lang: "ko", day: 1},
	{key: "ko-stocks", headline: "서울 증시 상승 마감",
		body: "<p>코스피가 반도체 강세에 힘입어 상승 마감했다.</p>", section: "business", author: "park", lang: "ko", day: 7},
	// Never visible to readers, whatever they search for.
	{key: "draft-missile", headline: "Missile test planned", body: "<p>Draft about a missile.</p>", section: "nk", author: "kang", day: 3,
		mod: func(a *news.Article) { a.Status = news.StatusDraft }},
	{key: "embargoed-missile", headline: "Missile report under embargo", body: "<p>Embargoed missile news.</p>", section: "nk", author: "kang", day: 5,
		mod: func(a *news.Article) { a.EmbargoUntil = searchNow.Add(time.Hour) }},
	{key: "scheduled-missile", headline: "Scheduled missile analysis", body: "<p>Scheduled missile story.</p>", section: "nk", author: "kang", day: 30,
		mod: func(a *news.Article) { a.Status = news.StatusScheduled }},
	{key: "future-missile", headline: "Missile story from the future", body: "<p>Not yet.</p>", section: "nk", author: "kang", day: 25},
	{key: "unpub-missile", headline: "Retracted missile story", body: "<p>Retracted missile.</p>", section: "nk", author: "kang", day: 4,
		mod: func(a *news.Article) { a.Status = news.StatusUnpublished }},
}

// searchScript is one relevance script: a reader's query and the expected
// order of its results.
type searchScript struct {
	name string
	q    news.SearchQuery
	want [][]string
	// marked: hit key → text that must appear between the snippet markers
	// (compared lower-cased).
	marked map[string]string
}

// searchWorld is the loaded corpus.
type searchWorld struct {
	*fixture
	ids      map[string]int64
	keys     map[int64]string
	sections map[string]*news.Section
	authors  map[string]*news.Author
}

func loadCorpus(t *testing.T, open func(t *testing.T) news.Store) *searchWorld {
	t.Helper()
	f := newFixture(t, open)
	w := &searchWorld{fixture: f, ids: map[string]int64{}, keys: map[int64]string{},
		sections: map[string]*news.Section{}, authors: map[string]*news.Author{}}
	for i, s := range []string{"nk", "politics", "business"} {
		w.sections[s] = f.section(s, strings.ToUpper(s), i)
	}
	for _, a := range []string{"kang", "lee", "park", "kim"} {
		w.authors[a] = f.author(a, strings.ToUpper(a))
	}
	for _, c := range searchCorpus {
		a := f.article(func(a *news.Article) {
			a.Slug = c.key
			a.Headline, a.Deck, a.BodyHTML = c.headline, c.deck, c.body
			a.Lang = "en"
			if c.lang != "" {
				a.Lang = c.lang
			}
			a.SectionID = w.sections[c.section].ID
			a.Authors = []*news.Author{w.authors[c.author]}
			a.PublishedAt = T0.Add(time.Duration(c.day) * 24 * time.Hour)
			a.UpdatedAt = a.PublishedAt
			if c.mod != nil {
				c.mod(a)
			}
		})
		w.ids[c.key] = a.ID
		w.keys[a.ID] = c.key
	}
	return w
}

// search runs q and returns the keys of the hits in order.
func (w *searchWorld) search(t *testing.T, q news.SearchQuery) ([]string, []news.SearchHit, int) {
	t.Helper()
	hits, total, err := w.s.SearchArticles(w.ctx, q)
	if err != nil {
		t.Fatalf("SearchArticles(%q): %v", q.Text, err)
	}
	keys := make([]string, len(hits))
	for i, h := range hits {
		if h.Article == nil {
			t.Fatalf("SearchArticles(%q): hit %d has no article", q.Text, i)
		}
		// A hit shows its snippet: the stores leave the bodies out
		// (news.ArticleSearcher), and keep the rest of the story.
		if a := h.Article; a.BodyHTML != "" || a.BodyMarkdown != "" || a.Headline == "" {
			t.Fatalf("SearchArticles(%q): hit %d has body %q / %q and headline %q; want no bodies and the headline", q.Text, i, a.BodyHTML, a.BodyMarkdown, a.Headline)
		}
		keys[i] = w.keys[h.Article.ID]
		if keys[i] == "" {
			keys[i] = fmt.Sprintf("#%d", h.Article.ID)
		}
	}
	return keys, hits, total
}

// matchGroups checks got against ordered groups: the members of a group may
// come in any order among themselves (their relative rank depends on each
// database's scoring), but every group ranks above the next.
func matchGroups(got []string, want [][]string) bool {
	i := 0
	for _, g := range want {
		if i+len(g) > len(got) {
			return false
		}
		a := append([]string(nil), got[i:i+len(g)]...)
		b := append([]string(nil), g...)
		sort.Strings(a)
		sort.Strings(b)
		if strings.Join(a, ",") != strings.Join(b, ",") {
			return false
		}
		i += len(g)
	}
	return i == len(got)
}

func testSearch(t *testing.T, open func(t *testing.T) news.Store) {
	t.Run("Relevance", func(t *testing.T) {
		w := loadCorpus(t, open)
		// Each script: a reader's query and the expected order of results.
		scripts := []searchScript{
			{"headline above body", news.SearchQuery{Text: "missile"},
				[][]string{{"nk-missile", "missile-talks"}, {"trump-letter"}},
				map[string]string{"trump-letter": "missiles", "nk-missile": "missile"}},
			{"stemming: plural finds singular", news.SearchQuery{Text: "missiles"},
				[][]string{{"nk-missile", "missile-talks"}, {"trump-letter"}},
				map[string]string{"nk-missile": "missile"}},
			{"case-insensitive", news.SearchQuery{Text: "MISSILE"},
				[][]string{{"nk-missile", "missile-talks"}, {"trump-letter"}}, nil},
			{"headline once beats body thrice", news.SearchQuery{Text: "defense"},
				[][]string{{"missile-talks"}, {"budget"}}, map[string]string{"budget": "defense"}},
			{"deck above body", news.SearchQuery{Text: "experts"},
				[][]string{{"trump-letter"}, {"stocks"}}, map[string]string{"stocks": "experts"}},
			{"stemming: chipmakers", news.SearchQuery{Text: "chipmakers"}, [][]string{{"stocks"}}, nil},
			{"two words: all must match", news.SearchQuery{Text: "trump letter"}, [][]string{{"trump-letter"}}, map[string]string{"trump-letter": "letter"}},
			{"two words: ballistic missile", news.SearchQuery{Text: "ballistic missile"}, [][]string{{"nk-missile"}}, nil},
			{"three words", news.SearchQuery{Text: "north korea missile"}, [][]string{{"nk-missile"}}, nil},
			{"two headline matches", news.SearchQuery{Text: "trump"}, [][]string{{"trump-letter", "trump-visit"}}, nil},
			{"entity in body", news.SearchQuery{Text: "lawmakers"}, [][]string{{"trump-visit"}}, nil},
			{"Korean: 북한 finds 북한은 and 북한의", news.SearchQuery{Text: "북한"},
				[][]string{{"ko-missile"}, {"ko-summit"}}, map[string]string{"ko-summit": "북한"}},
			{"Korean: 북한은", news.SearchQuery{Text: "북한은"}, [][]string{{"ko-missile"}}, map[string]string{"ko-missile": "북한은"}},
			{"Korean: 북한의", news.SearchQuery{Text: "북한의"}, [][]string{{"ko-summit"}}, nil},
			{"Korean: word inside a compound", news.SearchQuery{Text: "미사일"}, [][]string{{"ko-missile"}}, map[string]string{"ko-missile": "미사일"}},
			{"Korean: two words", news.SearchQuery{Text: "탄도미사일 발사"}, [][]string{{"ko-missile"}}, nil},
			{"Korean: two words across fields", news.SearchQuery{Text: "북한 회담"}, [][]string{{"ko-summit"}}, nil},
			{"Korean: 상승", news.SearchQuery{Text: "상승"}, [][]string{{"ko-stocks"}}, nil},
			{"no match", news.SearchQuery{Text: "zebra"}, nil, nil},
			{"no match Korean", news.SearchQuery{Text: "얼룩말"}, nil, nil},
			{"empty", news.SearchQuery{Text: ""}, nil, nil},
			{"blank", news.SearchQuery{Text: "  \t "}, nil, nil},
			{"punctuation around words", news.SearchQuery{Text: `"missile"!`},
				[][]string{{"nk-missile", "missile-talks"}, {"trump-letter"}}, nil},
			{"section filter", news.SearchQuery{Text: "missile", SectionID: w.sections["politics"].ID}, [][]string{{"missile-talks"}}, nil},
			{"author filter", news.SearchQuery{Text: "missile", AuthorID: w.authors["kang"].ID}, [][]string{{"nk-missile"}, {"trump-letter"}}, nil},
			{"date filter [from, to)", news.SearchQuery{Text: "missile", From: T0.Add(4 * 24 * time.Hour), To: T0.Add(5 * 24 * time.Hour)}, [][]string{{"trump-letter"}}, nil},
			{"newest first", news.SearchQuery{Text: "missile", Order: "newest"}, [][]string{{"nk-missile"}, {"trump-letter"}, {"missile-talks"}}, nil},
			{"newest Korean", news.SearchQuery{Text: "북한", Order: "newest"}, [][]string{{"ko-missile"}, {"ko-summit"}}, nil},
		}
		for _, sc := range scripts {
			t.Run(sc.name, func(t *testing.T) {
				q := sc.q
				q.PublicAt = searchNow
				got, hits, total := w.search(t, q)
				if !matchGroups(got, sc.want) {
					t.Fatalf("SearchArticles(%q) = %v, want %v", q.Text, got, sc.want)
				}
				if total != len(got) {
					t.Errorf("total = %d, want %d", total, len(got))
				}
				if q.Order != "newest" {
					for i := 1; i < len(hits); i++ {
						if hits[i].Rank > hits[i-1].Rank {
							t.Errorf("Rank goes up: %v then %v (higher must mean more relevant)", hits[i-1].Rank, hits[i].Rank)
						}
					}
				}
				for i, h := range hits {
					if h.Article.Section == nil || len(h.Article.Authors) == 0 {
						t.Errorf("hit %s: section/authors not loaded", got[i])
					}
					if strings.ContainsAny(h.Snippet, "<>") || strings.Contains(h.Snippet, "&amp;") {
						t.Errorf("hit %s: snippet %q has markup; want plain text", got[i], h.Snippet)
					}
					if h.Snippet == "" {
						t.Errorf("hit %s: empty snippet", got[i])
					}
					if want, ok := sc.marked[got[i]]; ok && !hasMarked(h.Snippet, want) {
						t.Errorf("hit %s: snippet %q does not mark %q", got[i], h.Snippet, want)
					}
				}
			})
		}
	})

	t.Run("Tiers", func(t *testing.T) {
		// Best match is in tiers on both stores: every word in the
		// headline, then every word in the deck, then the rest; within a
		// tier, more of the words in the headline, then in the deck, then
		// the newest. A count of the words in the body lifts no story (it did,
		// through SQLite's bm25 and PostgreSQL's ts_rank over the whole
		// story, which cost a walk of every story with the word and a read
		// of each story's whole vector). The newest stories are in the
		// lowest tiers, so recency does not explain the order above them,
		// and the one with a word in its deck is the oldest.
		f := newFixture(t, open)
		sec := f.section("tiers", "Tiers", 0)
		keys := map[int64]string{}
		for i, c := range []struct{ key, headline, deck, body string }{
			{"deckpart", "Ferry news", "Harbor crews rest", "<p>The tunnel is closed on Sundays.</p>"},
			{"head", "Harbor tunnel opens", "", "<p>The crossing took ten years.</p>"},
			{"deck", "City opens a crossing", "The harbor tunnel takes its first cars", "<p>Traffic was light.</p>"},
			{"part", "Tunnel work ends early", "", "<p>Crews left the harbor on Friday.</p>"},
			{"often", "Ferries lose riders", "", "<p>The harbor tunnel took riders; the harbor tunnel is quicker, and the harbor tunnel is free.</p>"},
			{"once", "Council meets", "", "<p>The council spoke about the harbor tunnel and many other things at length.</p>"},
		} {
			a := f.article(func(a *news.Article) {
				a.Slug, a.Headline, a.Deck, a.BodyHTML = "tiers-"+c.key, c.headline, c.deck, c.body
				a.SectionID = sec.ID
				a.PublishedAt = T0.Add(time.Duration(i) * time.Hour)
			})
			keys[a.ID] = c.key
		}
		// The ranks are the same number on both stores: the tier, plus
		// h(n+1)+d over (n+1)² for n words, h of them in the headline
		// and d in the deck.
		for _, c := range []struct {
			text, want string
			ranks      []float64
		}{
			{"harbor tunnel", "head,deck,part,deckpart,once,often", []float64{2 + 6.0/9, 1 + 2.0/9, 3.0 / 9, 1.0 / 9, 0, 0}},
			{"tunnel", "part,head,deck,once,often,deckpart", []float64{2.5, 2.5, 1.25, 0, 0, 0}},
		} {
			hits, total, err := f.s.SearchArticles(f.ctx, news.SearchQuery{Text: c.text, PublicAt: T0.Add(24 * time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, h := range hits {
				got = append(got, keys[h.Article.ID])
				if i > 0 && h.Rank > hits[i-1].Rank {
					t.Errorf("%s: Rank goes up: %v then %v", c.text, hits[i-1].Rank, h.Rank)
				}
			}
			if strings.Join(got, ",") != c.want || total != 6 {
				t.Errorf("%s = %v (total %d), want [%s] of 6", c.text, got, total, c.want)
			}
			for i, h := range hits {
				if i < len(c.ranks) && math.Abs(h.Rank-c.ranks[i]) > 1e-9 {
					t.Errorf("%s: %s has rank %v, want %v", c.text, keys[h.Article.ID], h.Rank, c.ranks[i])
				}
			}
		}

		// How often a word is in the headline lifts no story within its
		// tier: the newer comes first (PostgreSQL's ts_rank put the
		// headline saying it twice first).
		twice := f.article(func(a *news.Article) {
			a.Slug, a.Headline, a.BodyHTML = "tiers-twice", "Viaduct after viaduct", "<p>Old.</p>"
			a.SectionID = sec.ID
			a.PublishedAt = T0.Add(10 * time.Hour)
		})
		newer := f.article(func(a *news.Article) {
			a.Slug, a.Headline, a.BodyHTML = "tiers-newer", "Viaduct opens", "<p>New.</p>"
			a.SectionID = sec.ID
			a.PublishedAt = T0.Add(11 * time.Hour)
		})
		hits, _, err := f.s.SearchArticles(f.ctx, news.SearchQuery{Text: "viaduct", PublicAt: T0.Add(24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != 2 || hits[0].Article.ID != newer.ID || hits[1].Article.ID != twice.ID || hits[0].Rank != hits[1].Rank {
			var got []string
			for _, h := range hits {
				got = append(got, fmt.Sprintf("%s (%v)", h.Article.Headline, h.Rank))
			}
			t.Errorf("viaduct = %v, want [Viaduct opens, Viaduct after viaduct] with the same rank", got)
		}
	})

	t.Run("ReaderInputIsText", func(t *testing.T) {
		w := loadCorpus(t, open)
		// Search engines have query languages; readers do not know them. None
		// of these may fail.
		for _, text := range []string{`"missile`, `missile*`, `*`, `missile AND`, `OR`, `NOT missile`, `-missile`, `(missile`, `missile)`,
			`headline:missile`, `missile^2`, `'`, `''`, `%`, `_`, `\`, `a`, `北`, `북`, `NEAR(missile trump)`, `{headline}: x`, `😀`, `missile & | ! : <->`,
			"\x00", strings.Repeat("missile ", 60), `a"b`, `""`, `.`, `-`, `+missile`, `missile -trump`, `missile:*`} {
			_, _, err := w.s.SearchArticles(w.ctx, news.SearchQuery{Text: text, PublicAt: searchNow})
			if err != nil {
				t.Errorf("SearchArticles(%q): %v", text, err)
			}
		}
	})

	t.Run("Pagination", func(t *testing.T) {
		w := loadCorpus(t, open)
		got, _, total := w.search(t, news.SearchQuery{Text: "missile", PublicAt: searchNow, Order: "newest", Limit: 1, Offset: 1})
		if strings.Join(got, ",") != "trump-letter" || total != 3 {
			t.Errorf("page 2 of 1 = %v (total %d), want [trump-letter] of 3", got, total)
		}
		got, _, total = w.search(t, news.SearchQuery{Text: "missile", PublicAt: searchNow, Limit: 2, Offset: 5})
		if len(got) != 0 || total != 3 {
			t.Errorf("past the end = %v (total %d), want none of 3", got, total)
		}
	})

	t.Run("Newsroom", func(t *testing.T) {
		// Without PublicAt the newsroom finds every story, whatever its state.
		w := loadCorpus(t, open)
		_, _, total := w.search(t, news.SearchQuery{Text: "missile", Limit: 100})
		if total != 8 {
			t.Errorf("newsroom search total = %d, want 8 (every story that mentions a missile)", total)
		}
	})

	t.Run("AlwaysInStep", func(t *testing.T) {
		w := loadCorpus(t, open)
		q := news.SearchQuery{Text: "missile", PublicAt: searchNow, Order: "newest"}
		expect := func(step string, want ...string) {
			t.Helper()
			got, _, total := w.search(t, q)
			if strings.Join(got, ",") != strings.Join(want, ",") || total != len(want) {
				t.Fatalf("%s: got %v (total %d), want %v", step, got, total, want)
			}
		}
		expect("start", "nk-missile", "trump-letter", "missile-talks")

		draft := w.find(w.ids["draft-missile"])
		draft.Status = news.StatusPublished
		w.update(draft)
		expect("after publishing the draft", "nk-missile", "trump-letter", "draft-missile", "missile-talks")

		nk := w.find(w.ids["nk-missile"])
		nk.Status = news.StatusUnpublished
		w.update(nk)
		expect("after unpublishing", "trump-letter", "draft-missile", "missile-talks")

		letter := w.find(w.ids["trump-letter"])
		letter.BodyHTML = "<p>The letter came days after a test.</p>"
		w.update(letter)
		expect("after editing the word out", "draft-missile", "missile-talks")

		letter.Headline = "Trump letter follows missile test"
		w.update(letter)
		expect("after editing it into the headline", "trump-letter", "draft-missile", "missile-talks")

		noErr(t, "DeleteArticle", w.s.DeleteArticle(w.ctx, w.ids["missile-talks"]))
		expect("after deleting", "trump-letter", "draft-missile")

		q.PublicAt = searchNow.Add(2 * time.Hour)
		expect("after the embargo lifts", "embargoed-missile", "trump-letter", "draft-missile")

		// Korean text edits are in step too.
		ko := w.find(w.ids["ko-stocks"])
		ko.BodyHTML = "<p>북한의 도발에도 코스피는 상승 마감했다.</p>"
		w.update(ko)
		got, _, _ := w.search(t, news.SearchQuery{Text: "북한의", PublicAt: searchNow, Order: "newest"})
		if strings.Join(got, ",") != "ko-stocks,ko-summit" {
			t.Errorf("북한의 after an edit = %v, want [ko-stocks ko-summit]", got)
		}
	})
}

// hasMarked reports whether snippet has a marked segment containing want.
func hasMarked(snippet, want string) bool {
	want = strings.ToLower(want)
	for {
		i := strings.Index(snippet, news.MarkStart)
		if i < 0 {
			return false
		}
		snippet = snippet[i+len(news.MarkStart):]
		j := strings.Index(snippet, news.MarkEnd)
		if j < 0 {
			return false
		}
		if strings.Contains(strings.ToLower(snippet[:j]), want) {
			return true
		}
		snippet = snippet[j+len(news.MarkEnd):]
	}
}
