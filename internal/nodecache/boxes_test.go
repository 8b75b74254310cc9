package nodecache

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"masthead/internal/news"
)

func (c *counting) FindArticleLists(ctx context.Context, fs []news.ArticleFilter) ([][]*news.Article, error) {
	c.lists.Add(1)
	out, err := c.Store.FindArticleLists(ctx, fs)
	if c.duringLists != nil {
		c.duringLists()
	}
	return out, err
}

// storyBoxes are the lists a story page reads beside its story: its
// translations and its section's other stories, as the site asks.
func (f *paperFixture) storyBoxes(a *news.Article, at time.Time) []news.ArticleFilter {
	return []news.ArticleFilter{
		{PublicAt: at, TranslationOf: a.ID, ExcludeIDs: []int64{a.ID}, Order: "oldest", Limit: 50, NoTotal: true, NoBody: true},
		{PublicAt: at, SectionID: a.SectionID, ExcludeIDs: []int64{a.ID}, Limit: 4, NoTotal: true, NoBody: true},
	}
}

// boxesRead reads a's boxes through the node and says how many reads
// reached the store, and the related stories' headlines.
func (f *paperFixture) boxesRead(t *testing.T, a *news.Article, at time.Time) (int32, []string) {
	t.Helper()
	before := f.st.lists.Load()
	lists, err := f.c.FindArticleLists(context.Background(), f.storyBoxes(a, at))
	if err != nil {
		t.Fatal(err)
	}
	want, err := f.db.FindArticleLists(context.Background(), f.storyBoxes(a, at))
	if err != nil {
		t.Fatal(err)
	}
	var heads, wantHeads []string
	for _, r := range lists[1] {
		heads = append(heads, r.Headline)
	}
	for _, r := range want[1] {
		wantHeads = append(wantHeads, r.Headline)
	}
	if !slices.Equal(heads, wantHeads) || len(lists[0]) != len(want[0]) {
		t.Errorf("boxes of %s: related %q and %d translations, the store says %q and %d", a.Slug, heads, len(lists[0]), wantHeads, len(want[0]))
	}
	return f.st.lists.Load() - before, heads
}

// TestKeptBoxes: a story page read its boxes (its translations, its
// section's other stories) on every render: on PostgreSQL two of its
// three round trips after its story changed, and both every minute it is
// read. The node keeps them until a change could have moved them: the
// story's own edit leaves them (they exclude it), and every other change
// to a story, a byline, or the whole paper drops them, so the next read
// is the store's new answer.
func TestKeptBoxes(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 6)
	story, err := f.db.FindArticleBySlug(ctx, "story-5")
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := f.boxesRead(t, story, f.now); n != 1 {
		t.Fatalf("first read: %d reached the store, want 1", n)
	}
	if n, _ := f.boxesRead(t, story, f.now.Add(time.Second)); n != 0 {
		t.Errorf("second read: %d reached the store, want 0 (the copy)", n)
	}
	// The story's own edit: its boxes list other stories.
	f.edit(t, story.ID, func(a *news.Article) { a.Headline = "Story five, updated" })
	if n, _ := f.boxesRead(t, story, f.now.Add(2*time.Second)); n != 0 {
		t.Errorf("after the story's own edit: %d reads reached the store, want 0", n)
	}
	// A time before the copy's may not see all of it.
	if n, _ := f.boxesRead(t, story, f.now.Add(-time.Second)); n != 1 {
		t.Errorf("an earlier time: %d reads reached the store, want 1", n)
	}

	related, err := f.db.FindArticleBySlug(ctx, "story-4")
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name   string
		change func()
		want   string // a related story's headline after it
	}{
		{"a related story's edit", func() { f.edit(t, related.ID, func(a *news.Article) { a.Headline = "Story four, updated" }) }, "Story four, updated"},
		{"a newer story in the section", func() { f.publish(t, "story-new", f.now); f.changed(t, f.c) }, "Headline story-new"},
		{"a related story's unpublish", func() { f.edit(t, related.ID, func(a *news.Article) { a.Status = news.StatusDraft }) }, "Headline story-1"},
		{"a byline's rename", func() { f.c.Changed(news.Change{Bylines: []int64{1}}) }, "Headline story-1"},
		{"a paper-wide change", func() { f.c.Changed(news.Change{All: true}) }, "Headline story-1"},
	}
	for _, s := range steps {
		if n, _ := f.boxesRead(t, story, f.now.Add(3*time.Second)); n > 1 {
			t.Fatalf("before %s: %d reads", s.name, n)
		}
		s.change()
		n, heads := f.boxesRead(t, story, f.now.Add(3*time.Second))
		if n != 1 {
			t.Errorf("after %s: %d reads reached the store, want 1", s.name, n)
		}
		if !slices.Contains(heads, s.want) {
			t.Errorf("after %s: related %q, want %q among them", s.name, heads, s.want)
		}
	}

	// The TTL bounds what time alone changes.
	f.boxesRead(t, story, f.now.Add(3*time.Second))
	f.clock.add(11 * time.Second)
	if n, _ := f.boxesRead(t, story, f.now.Add(3*time.Second)); n != 1 {
		t.Errorf("past the TTL: %d reads reached the store, want 1", n)
	}

	// Lists with a total, bodies, or an offset are the store's.
	before := f.st.lists.Load()
	for range 2 {
		fs := f.storyBoxes(story, f.now)
		fs[1].NoBody = false
		if _, err := f.c.FindArticleLists(ctx, fs); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.st.lists.Load() - before; n != 2 {
		t.Errorf("lists with bodies: %d reads reached the store, want 2", n)
	}
}

// TestBoxesChangedWhileRead: a change that commits while the boxes are
// read (a barrier in the read) may have come after the read saw the
// database: those lists are not kept, so the next read asks again.
func TestBoxesChangedWhileRead(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 4)
	story, err := f.db.FindArticleBySlug(ctx, "story-3")
	if err != nil {
		t.Fatal(err)
	}
	other, err := f.db.FindArticleBySlug(ctx, "story-2")
	if err != nil {
		t.Fatal(err)
	}
	f.st.duringLists = func() {
		f.st.duringLists = nil
		f.edit(t, other.ID, func(a *news.Article) { a.Headline = "Edited during the read" })
	}
	// The read itself may predate the edit: its answer is not compared.
	if _, err := f.c.FindArticleLists(ctx, f.storyBoxes(story, f.now)); err != nil {
		t.Fatal(err)
	}
	n, heads := f.boxesRead(t, story, f.now)
	if n != 1 || !slices.Contains(heads, "Edited during the read") {
		t.Errorf("after a change during the read: %d reads reached the store (want 1), related %q", n, heads)
	}
}

// TestBoxesKeyCoversTheFilter: boxesKey names every field of
// news.ArticleFilter, or refuses filters that set it; a field added to
// the filter must be added there, or two different lists would share a
// copy.
func TestBoxesKeyCoversTheFilter(t *testing.T) {
	known := []string{"PublicAt", "Status", "SectionID", "SectionIDs", "AuthorID", "TagID", "PublishedFrom", "PublishedTo",
		"IDs", "ExcludeIDs", "TranslationOf", "Order", "Offset", "Limit", "NoTotal", "NoBody", "NoMarkdown", "KnownTotal"}
	rt := reflect.TypeFor[news.ArticleFilter]()
	for i := range rt.NumField() {
		if name := rt.Field(i).Name; !slices.Contains(known, name) {
			t.Errorf("news.ArticleFilter.%s is new: make boxesKey name it (or refuse it), then add it here", name)
		}
	}
	now := time.Now()
	base := news.ArticleFilter{PublicAt: now, NoTotal: true, NoBody: true, Limit: 4}
	variants := []func(*news.ArticleFilter){
		func(f *news.ArticleFilter) { f.SectionID = 3 },
		func(f *news.ArticleFilter) { f.SectionIDs = []int64{3} },
		func(f *news.ArticleFilter) { f.SectionIDs = []int64{3, 4} },
		func(f *news.ArticleFilter) { f.AuthorID = 3 },
		func(f *news.ArticleFilter) { f.TagID = 3 },
		func(f *news.ArticleFilter) { f.ExcludeIDs = []int64{3} },
		func(f *news.ArticleFilter) { f.ExcludeIDs = []int64{34} },
		func(f *news.ArticleFilter) { f.TranslationOf = 3 },
		func(f *news.ArticleFilter) { f.Order = "oldest" },
		func(f *news.ArticleFilter) { f.Limit = 5 },
		func(f *news.ArticleFilter) { f.NoMarkdown = true },
	}
	seen := map[string]int{}
	k, ok := boxesKey([]news.ArticleFilter{base})
	if !ok {
		t.Fatal("a reader's list without bodies or total is not kept")
	}
	seen[k] = -1
	for i, v := range variants {
		f := base
		v(&f)
		k, ok := boxesKey([]news.ArticleFilter{f})
		if !ok {
			t.Fatalf("variant %d is not kept", i)
		}
		if j, dup := seen[k]; dup {
			t.Errorf("variants %d and %d share the key %q", j, i, k)
		}
		seen[k] = i
	}
	// A set of ids in another order is the same set.
	a, b := base, base
	a.ExcludeIDs, b.ExcludeIDs = []int64{3, 9, 4}, []int64{9, 4, 3}
	if ka, _ := boxesKey([]news.ArticleFilter{a}); ka != func() string { k, _ := boxesKey([]news.ArticleFilter{b}); return k }() {
		t.Errorf("the same excluded stories in two orders are two copies")
	}
	// Refused: what the copy cannot answer.
	for i, v := range []func(*news.ArticleFilter){
		func(f *news.ArticleFilter) { f.PublicAt = time.Time{} },
		func(f *news.ArticleFilter) { f.Status = news.StatusDraft },
		func(f *news.ArticleFilter) { f.PublishedFrom = now },
		func(f *news.ArticleFilter) { f.PublishedTo = now },
		func(f *news.ArticleFilter) { f.IDs = []int64{3} },
		func(f *news.ArticleFilter) { f.Offset = 20 },
		func(f *news.ArticleFilter) { f.NoTotal = false },
		func(f *news.ArticleFilter) { f.NoBody = false },
		func(f *news.ArticleFilter) { f.KnownTotal = 9 },
	} {
		f := base
		v(&f)
		if _, ok := boxesKey([]news.ArticleFilter{f}); ok {
			t.Errorf("refused variant %d is kept", i)
		}
	}
	// Lists read at two times are not one read.
	later := base
	later.PublicAt = now.Add(time.Second)
	if _, ok := boxesKey([]news.ArticleFilter{base, later}); ok {
		t.Error("lists at two PublicAts are kept as one")
	}
}

// TestBoxesBound: past MaxBoxes lists the copies start again.
func TestBoxesBound(t *testing.T) {
	var b boxes
	for i := range MaxBoxes + 1 {
		b.put(0, string(rune(i)), keptBoxes{})
	}
	if len(b.m) != 1 {
		t.Errorf("%d lists kept after %d, want 1 (a fresh start)", len(b.m), MaxBoxes+1)
	}
}

func (c *counting) FindSetting(ctx context.Context, key string) (*news.Setting, error) {
	c.settings.Add(1)
	return c.Store.FindSetting(ctx, key)
}

// TestKeptFrontOrder: the front page read its curated order on every
// render (on PostgreSQL its one round trip once its boxes are kept), and
// a paper that never curated it asked too. The node keeps the order, or
// that there is none, until the order or the whole paper changes; a
// story's change leaves it, and other settings are the store's.
func TestKeptFrontOrder(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 2)
	read := func() (string, int32) {
		t.Helper()
		before := f.st.settings.Load()
		st, err := f.c.FindSetting(ctx, news.FrontPageKey)
		v := "none"
		switch {
		case err == nil:
			v = st.Value
		case !errors.Is(err, news.ErrNotFound):
			t.Fatal(err)
		}
		return v, f.st.settings.Load() - before
	}
	for i := range 3 {
		if v, n := read(); v != "none" || n != int32(max(0, 1-i)) {
			t.Errorf("read %d of a paper never curated: %q, %d reads reached the store", i, v, n)
		}
	}
	story, err := f.db.FindArticleBySlug(ctx, "story-1")
	if err != nil {
		t.Fatal(err)
	}
	f.edit(t, story.ID, func(a *news.Article) { a.Headline = "Edited" })
	if _, n := read(); n != 0 {
		t.Errorf("after a story's change: %d reads reached the store, want 0", n)
	}
	if err := f.db.UpdateSetting(ctx, &news.Setting{Key: news.FrontPageKey, Value: fmt.Sprintf("[%d]", story.ID)}); err != nil {
		t.Fatal(err)
	}
	f.c.Changed(news.Change{Front: true}) // as the order's write announces it
	for i := range 2 {
		if v, n := read(); v != fmt.Sprintf("[%d]", story.ID) || n != int32(1-i) {
			t.Errorf("read %d after the order's change: %q, %d reads reached the store", i, v, n)
		}
	}
	f.c.Changed(news.Change{All: true})
	if _, n := read(); n != 1 {
		t.Errorf("after a paper-wide change: %d reads reached the store, want 1", n)
	}
	before := f.st.settings.Load()
	for range 2 {
		if _, err := f.c.FindSetting(ctx, news.PaperSettingsKey); err != nil && !errors.Is(err, news.ErrNotFound) {
			t.Fatal(err)
		}
	}
	if n := f.st.settings.Load() - before; n != 2 {
		t.Errorf("another setting read twice: %d reads reached the store, want 2", n)
	}
}

// TestKeptStoriesByID: the curated front page reads its stories by id on
// every render (as the corrections page does its corrected stories): one
// round trip on PostgreSQL once everything else is kept. The node keeps
// such a list as a box of its own, which excludes nothing: a change to any
// story drops it, and the next read is the store's new answer.
func TestKeptStoriesByID(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 4)
	a, err := f.db.FindArticleBySlug(ctx, "story-1")
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.db.FindArticleBySlug(ctx, "story-3")
	if err != nil {
		t.Fatal(err)
	}
	read := func() ([]string, int32) {
		t.Helper()
		before := f.st.articles.Load()
		arts, _, err := f.c.FindArticles(ctx, news.ArticleFilter{PublicAt: f.now, IDs: []int64{b.ID, a.ID}, Limit: 2, NoTotal: true, NoBody: true})
		if err != nil {
			t.Fatal(err)
		}
		var heads []string
		for _, x := range arts {
			heads = append(heads, x.Headline)
		}
		return heads, f.st.articles.Load() - before
	}
	for i := range 2 {
		if heads, n := read(); len(heads) != 2 || n != int32(1-i) {
			t.Errorf("read %d: %q, %d reads reached the store", i, heads, n)
		}
	}
	f.edit(t, a.ID, func(x *news.Article) { x.Headline = "Story one, updated" })
	if heads, n := read(); n != 1 || !slices.Contains(heads, "Story one, updated") {
		t.Errorf("after a listed story's edit: %q, %d reads reached the store; want the new headline, 1", heads, n)
	}
	// The same stories in another order are the same list.
	before := f.st.articles.Load()
	if _, _, err := f.c.FindArticles(ctx, news.ArticleFilter{PublicAt: f.now, IDs: []int64{a.ID, b.ID}, Limit: 2, NoTotal: true, NoBody: true}); err != nil {
		t.Fatal(err)
	}
	if n := f.st.articles.Load() - before; n != 0 {
		t.Errorf("the same ids in another order: %d reads reached the store, want 0", n)
	}
	// With bodies, they are the store's each time.
	before = f.st.articles.Load()
	for range 2 {
		if _, _, err := f.c.FindArticles(ctx, news.ArticleFilter{PublicAt: f.now, IDs: []int64{a.ID}, Limit: 1, NoTotal: true}); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.st.articles.Load() - before; n != 2 {
		t.Errorf("stories by id with bodies: %d reads reached the store, want 2", n)
	}
}
