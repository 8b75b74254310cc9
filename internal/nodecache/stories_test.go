package nodecache

import (
	"context"
	"fmt"
	"testing"
	"time"

	"masthead/internal/news"
)

func (c *counting) FindArticleByID(ctx context.Context, id int64) (*news.Article, error) {
	c.stories.Add(1)
	a, err := c.Store.FindArticleByID(ctx, id)
	if c.afterStory != nil {
		c.afterStory()
	}
	return a, err
}

func (c *counting) FindArticleBySlug(ctx context.Context, slug string) (*news.Article, error) {
	c.stories.Add(1)
	a, err := c.Store.FindArticleBySlug(ctx, slug)
	if c.afterStory != nil {
		c.afterStory()
	}
	return a, err
}

// read reads story slug through c, by slug and then by the id found, and
// says how many of the two reads reached the store (1 when the story is
// kept: the read by id is the copy made by the read by slug).
func (f *paperFixture) read(t *testing.T, slug string) (*news.Article, int32) {
	t.Helper()
	ctx := context.Background()
	before := f.st.stories.Load()
	a, err := f.c.FindArticleBySlug(ctx, slug)
	if err != nil {
		t.Fatalf("%s: %v", slug, err)
	}
	b, err := f.c.FindArticleByID(ctx, a.ID)
	if err != nil {
		t.Fatalf("%s: %v", slug, err)
	}
	if a.Headline != b.Headline || a.Version != b.Version {
		t.Errorf("%s: by slug %q v%d, by id %q v%d", slug, a.Headline, a.Version, b.Headline, b.Version)
	}
	return a, f.st.stories.Load() - before
}

// describe names what TestKeptStories checks of a story.
func describe(a *news.Article) string {
	d := fmt.Sprintf("%q v%d", a.Headline, a.Version)
	for _, au := range a.Authors {
		d += " by " + au.Name
	}
	if a.Photo != nil {
		d += ", photo " + a.Photo.Caption
	}
	if a.Section != nil {
		d += ", in " + a.Section.Name
	}
	return d
}

// edit applies change to story id as the newsroom would, and hands the
// change the store recorded to Changed.
func (f *paperFixture) edit(t *testing.T, id int64, change func(*news.Article)) {
	t.Helper()
	ctx := context.Background()
	a, err := f.db.FindArticleByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	change(a)
	if err := f.db.UpdateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if f.changed(t, f.c) == 0 {
		t.Fatal("the edit recorded no change")
	}
}

// TestKeptStories: a story page is rendered again every minute it is read
// (the page cache's TTL, for its boxes), and the article API is not cached
// at all; each read the story and its relations, on PostgreSQL four
// statements, though nothing had changed it. The node keeps published
// stories until a change names them: other stories' changes leave them,
// and every change that makes the copy stale (the story's own writes, its
// byline's, its photo's, a section's rename, an unpublish, a slug's move)
// drops it, so the next read is the store's new answer.
func TestKeptStories(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 3)
	kim, err := f.db.FindAuthorBySlug(ctx, "kim")
	if err != nil {
		t.Fatal(err)
	}
	photo := &news.Photo{Key: "p/1.jpg", ContentType: "image/jpeg", Width: 800, Height: 600, Caption: "A caption", Credit: "Kim"}
	if err := f.db.CreatePhoto(ctx, photo); err != nil {
		t.Fatal(err)
	}
	story, err := f.db.FindArticleBySlug(ctx, "story-1")
	if err != nil {
		t.Fatal(err)
	}
	f.edit(t, story.ID, func(a *news.Article) { a.Authors, a.PhotoID = []*news.Author{kim}, photo.ID })

	if _, n := f.read(t, "story-1"); n != 1 {
		t.Fatalf("first reads: %d reached the store, want 1", n)
	}
	if _, n := f.read(t, "story-1"); n != 0 {
		t.Errorf("second reads: %d reached the store, want 0 (the copy)", n)
	}
	// Another story's write leaves this one's copy.
	f.edit(t, f.publish(t, "story-new", f.now).ID, func(a *news.Article) { a.Headline = "Another story's new headline" })
	if _, n := f.read(t, "story-1"); n != 0 {
		t.Errorf("after another story's change: %d reads reached the store, want 0", n)
	}

	// Each change that makes the copy stale drops it.
	steps := []struct {
		name   string
		change func()
		check  func(*news.Article) bool
	}{
		{"its own edit", func() { f.edit(t, story.ID, func(a *news.Article) { a.Headline = "New headline" }) },
			func(a *news.Article) bool { return a.Headline == "New headline" }},
		{"its byline's rename", func() {
			kim.Name = "Kim Se-jeong (Seoul)"
			if err := f.db.UpdateAuthor(ctx, kim); err != nil {
				t.Fatal(err)
			}
			f.changed(t, f.c)
		}, func(a *news.Article) bool { return len(a.Authors) == 1 && a.Authors[0].Name == "Kim Se-jeong (Seoul)" }},
		{"its photo's caption", func() {
			photo.Caption = "A new caption"
			if err := f.db.UpdatePhoto(ctx, photo); err != nil {
				t.Fatal(err)
			}
			f.changed(t, f.c)
		}, func(a *news.Article) bool { return a.Photo != nil && a.Photo.Caption == "A new caption" }},
		{"its section's rename", func() {
			f.section.Name = "Politics and Society"
			if err := f.db.UpdateSection(ctx, f.section); err != nil {
				t.Fatal(err)
			}
			f.changed(t, f.c)
		}, func(a *news.Article) bool { return a.Section != nil && a.Section.Name == "Politics and Society" }},
	}
	for _, s := range steps {
		s.change()
		a, n := f.read(t, "story-1")
		if !s.check(a) {
			t.Errorf("after %s the story read is stale: %s", s.name, describe(a))
		}
		if n != 1 {
			t.Errorf("after %s: %d reads reached the store, want 1 (the first, then the copy)", s.name, n)
		}
	}

	// A slug's move: the former slug is the store's each time (it
	// redirects), the new one is kept.
	f.edit(t, story.ID, func(a *news.Article) { a.Slug = "story-1-moved" })
	before := f.st.stories.Load()
	for range 2 {
		if a, err := f.c.FindArticleBySlug(ctx, "story-1"); err != nil || a.Slug != "story-1-moved" {
			t.Fatalf("the former slug: %v, %v", a, err)
		}
	}
	if n := f.st.stories.Load() - before; n != 2 {
		t.Errorf("a former slug read twice reached the store %d times, want 2", n)
	}
	// Another story may take the former slug as its own.
	other := f.publish(t, "story-1", f.now)
	f.changed(t, f.c)
	if a, err := f.c.FindArticleBySlug(ctx, "story-1"); err != nil || a.ID != other.ID {
		t.Fatalf("the slug taken by another story: %v, %v; want story %d", a, err, other.ID)
	}

	// Unpublished: the copy goes, and drafts are not kept.
	f.edit(t, story.ID, func(a *news.Article) { a.Status = news.StatusDraft })
	a, n := f.read(t, "story-1-moved")
	if a.Status != news.StatusDraft || n != 2 {
		t.Errorf("after the unpublish: %s, %d reads reached the store; want draft, 2 (a draft is not kept)", a.Status, n)
	}
	if _, n := f.read(t, "story-1-moved"); n != 2 {
		t.Errorf("a draft read again: %d reads reached the store, want 2 (drafts are not kept)", n)
	}

	// A paper-wide change drops every story.
	if _, n := f.read(t, "story-2"); n != 1 {
		t.Fatalf("story-2's first reads: %d reached the store, want 1", n)
	}
	f.c.Changed(news.Change{All: true})
	if _, n := f.read(t, "story-2"); n != 1 {
		t.Errorf("after a paper-wide change: %d reads reached the store, want 1", n)
	}
}

// TestStoryChangedWhileRead: a story read that began before a change and
// ends after the change was handed to Changed must not be kept, or the
// copy would be the old story until the TTL. The barrier makes the change
// commit, and be reported, between the store's answer and the keeping.
func TestStoryChangedWhileRead(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 2)
	story, err := f.db.FindArticleBySlug(ctx, "story-0")
	if err != nil {
		t.Fatal(err)
	}
	f.st.afterStory = func() {
		f.st.afterStory = nil
		f.edit(t, story.ID, func(a *news.Article) { a.Headline = "Changed while it was read" })
	}
	if a, err := f.c.FindArticleBySlug(ctx, "story-0"); err != nil || a.Headline != story.Headline {
		t.Fatalf("the read during the change: %v, %v (it read the old story, as the test needs)", a, err)
	}
	if a, _ := f.read(t, "story-0"); a.Headline != "Changed while it was read" {
		t.Errorf("after the change the story read is %q: the read from before it was kept", a.Headline)
	}
}

// TestKeptStoriesBound: the copies stay under StoryBytes (a crawler
// walking the archive must not grow the node), and StoryTTL bounds their
// age.
func TestKeptStoriesBound(t *testing.T) {
	f := newFixture(t, 8)
	f.c = New(f.st, Config{Clock: f.clock, StoryBytes: 3 * 1024, StoryTTL: time.Minute})
	for i := range 8 {
		f.read(t, "story-"+string(rune('0'+i)))
		if b := f.c.stories.bytes; b > 3*1024 {
			t.Fatalf("after %d stories the copies hold %d bytes, over the bound of %d", i+1, b, 3*1024)
		}
	}
	if n := len(f.c.stories.ids); n == 0 || n == 8 {
		t.Errorf("%d stories kept of 8 read in %d bytes", n, 3*1024)
	}
	if _, n := f.read(t, "story-7"); n != 0 {
		t.Errorf("the last story read: %d reads reached the store, want 0", n)
	}
	f.clock.add(time.Minute)
	if _, n := f.read(t, "story-7"); n != 1 {
		t.Errorf("past StoryTTL: %d reads reached the store, want 1", n)
	}
}
