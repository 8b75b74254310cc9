package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/internal/news"
)

// The write path: every visible write is recorded in the change log in its
// own transaction, versioned aggregates refuse stale writes, both stores
// validate alike, a domain transaction commits all or nothing, and leases
// fence their holders.

// lastChange returns the newest change record (nil when the log is empty).
func (f *fixture) lastChange() *news.ChangeRecord {
	f.t.Helper()
	seq, err := f.s.LastChange(f.ctx)
	noErr(f.t, "LastChange", err)
	if seq == 0 {
		return nil
	}
	cs, err := f.s.Changes(f.ctx, seq-1, 10)
	noErr(f.t, "Changes", err)
	if len(cs) != 1 || cs[0].Seq != seq {
		f.t.Fatalf("Changes(%d) = %+v, want the record %d", seq-1, cs, seq)
	}
	return &cs[0]
}

func hasEvent(c news.Change, typ news.EventType, id int64) bool {
	return slices.ContainsFunc(c.Events, func(e news.Event) bool { return e.Type == typ && (id == 0 || e.ArticleID == id || e.PhotoID == id) })
}

func testChanges(t *testing.T, open func(t *testing.T) news.Store) {
	t.Run("EveryVisibleWrite", func(t *testing.T) {
		f := newFixture(t, open)
		seq, err := f.s.LastChange(f.ctx)
		noErr(t, "LastChange", err)
		// step runs write and checks what it recorded: nothing (check
		// nil), or one new record that check accepts.
		step := func(what string, write func() error, check func(c news.Change) string) {
			t.Helper()
			noErr(t, what, write())
			got, err := f.s.LastChange(f.ctx)
			noErr(t, "LastChange", err)
			gen, err := f.s.Generation(f.ctx)
			noErr(t, "Generation", err)
			if gen != got {
				t.Errorf("after %s: Generation %d, LastChange %d: they are the same counter", what, gen, got)
			}
			if check == nil {
				if got != seq {
					t.Errorf("%s recorded a change (seq %d → %d); it changes nothing readers see", what, seq, got)
				}
				return
			}
			if got != seq+1 {
				t.Errorf("%s: change log went from %d to %d, want exactly one record", what, seq, got)
				seq = got
				return
			}
			seq = got
			if msg := check(f.lastChange().Change); msg != "" {
				t.Errorf("%s: %s (change %+v)", what, msg, f.lastChange().Change)
			}
		}
		sec := &news.Section{Slug: "s", Name: "S"}
		sec2 := &news.Section{Slug: "s2", Name: "S2"}
		au := &news.Author{Slug: "a", Name: "A"}
		ph := &news.Photo{Key: "k.jpg", ContentType: "image/jpeg"}
		tg := &news.Tag{Slug: "t", Name: "T"}
		all := func(c news.Change) string {
			if !c.All {
				return "want All"
			}
			return ""
		}
		step("CreateSection", func() error { return f.s.CreateSection(f.ctx, sec) }, all)
		step("CreateSection 2", func() error { return f.s.CreateSection(f.ctx, sec2) }, all)
		step("UpdateSection", func() error { sec.Name = "S!"; return f.s.UpdateSection(f.ctx, sec) }, all)
		step("CreateAuthor", func() error { return f.s.CreateAuthor(f.ctx, au) }, nil)
		step("EnsureTag(new)", func() error { return f.s.EnsureTag(f.ctx, tg) }, nil)
		step("CreatePhoto", func() error { return f.s.CreatePhoto(f.ctx, ph) }, func(c news.Change) string {
			if !hasEvent(c, news.EventPhotoCreated, ph.ID) || len(c.Stories) > 0 || c.All {
				return "want photo.created and no keys"
			}
			return ""
		})
		draft := &news.Article{Slug: "draft", Headline: "Draft", Status: news.StatusDraft, Authors: []*news.Author{au}}
		step("CreateArticle(draft)", func() error { return f.s.CreateArticle(f.ctx, draft) }, nil)
		step("UpdateArticle(draft)", func() error { draft.Headline = "Draft 2"; return f.s.UpdateArticle(f.ctx, draft) }, nil)

		a := &news.Article{Slug: "g", Headline: "G", Status: news.StatusPublished, PublishedAt: T0, SectionID: sec.ID,
			Authors: []*news.Author{au}, Tags: []*news.Tag{tg}}
		keys := func(c news.Change, sections ...int64) string {
			switch {
			case !slices.Contains(c.Stories, a.ID):
				return "the story is not in Stories"
			case !slices.Contains(c.Authors, au.ID) || !slices.Contains(c.Tags, tg.ID):
				return "its author and tag are not in the change"
			case len(c.Published) == 0 || !c.Published[0].Equal(T0):
				return "its publication time is not in the change"
			case c.All:
				return "a story is not a paper-wide change"
			}
			for _, s := range sections {
				if !slices.Contains(c.Sections, s) {
					return fmt.Sprintf("section %d is not in the change", s)
				}
			}
			return ""
		}
		step("CreateArticle(published)", func() error { return f.s.CreateArticle(f.ctx, a) }, func(c news.Change) string {
			if !hasEvent(c, news.EventStoryPublished, a.ID) {
				return "want story.published"
			}
			return keys(c, sec.ID)
		})
		step("UpdateArticle(published)", func() error { a.Headline = "G2"; a.SectionID = sec2.ID; return f.s.UpdateArticle(f.ctx, a) },
			func(c news.Change) string {
				if !hasEvent(c, news.EventStoryUpdated, a.ID) {
					return "want story.updated"
				}
				// Moved: both sections' lists change.
				return keys(c, sec.ID, sec2.ID)
			})
		step("AddCorrection", func() error {
			return f.s.AddCorrection(f.ctx, &news.Correction{ArticleID: a.ID, Kind: news.KindCorrection, Text: "c", CreatedAt: T0})
		}, func(c news.Change) string {
			if !hasEvent(c, news.EventStoryCorrected, a.ID) {
				return "want story.corrected"
			}
			return keys(c, sec2.ID)
		})
		step("UpdatePhoto(unused)", func() error { ph.Caption = "c"; return f.s.UpdatePhoto(f.ctx, ph) }, nil)
		a = f.find(a.ID)
		step("UpdateArticle(unpublish)", func() error { a.Status = news.StatusUnpublished; return f.s.UpdateArticle(f.ctx, a) },
			func(c news.Change) string {
				if !hasEvent(c, news.EventStoryUnpublished, a.ID) {
					return "want story.unpublished"
				}
				return keys(c, sec2.ID)
			})
		sch := &news.Article{Slug: "later", Headline: "Later", Status: news.StatusScheduled, PublishedAt: T0.Add(time.Hour), PhotoID: ph.ID}
		step("CreateArticle(scheduled)", func() error { return f.s.CreateArticle(f.ctx, sch) }, func(c news.Change) string {
			if !hasEvent(c, news.EventStoryScheduled, sch.ID) || len(c.Stories) > 0 {
				return "want story.scheduled and no keys (readers see nothing yet)"
			}
			return ""
		})
		step("PublishScheduled", func() error {
			ok, err := f.s.PublishScheduled(f.ctx, sch.ID, sch.Version, T0.Add(time.Hour))
			if err == nil && !ok {
				err = errors.New("did not publish")
			}
			return err
		}, func(c news.Change) string {
			if !hasEvent(c, news.EventStoryPublished, sch.ID) || !slices.Contains(c.Stories, sch.ID) {
				return "want story.published with the story's keys"
			}
			return ""
		})
		step("UpdatePhoto(used by a published story)", func() error { ph.Alt = "alt"; return f.s.UpdatePhoto(f.ctx, ph) }, func(c news.Change) string {
			if !slices.Contains(c.Stories, sch.ID) {
				return "the story leading with the photo is not in the change"
			}
			return ""
		})
		step("UpdateAuthor", func() error { au.Bio = "b"; return f.s.UpdateAuthor(f.ctx, au) }, func(c news.Change) string {
			if !slices.Contains(c.Authors, au.ID) || !slices.Contains(c.Bylines, au.ID) || c.All {
				return "want the author's lists and bylines"
			}
			return ""
		})
		step("PutSetting", func() error { return f.s.PutSetting(f.ctx, "k", "v") }, nil)
		step("Announce(settings)", func() error {
			return f.s.Update(f.ctx, func(tx news.Tx) error {
				if err := tx.PutSetting(f.ctx, "paper.name", "The Daily"); err != nil {
					return err
				}
				tx.Announce(news.SettingsChanged("paper.name"))
				return nil
			})
		}, func(c news.Change) string {
			if !c.All || !slices.ContainsFunc(c.Events, func(e news.Event) bool { return e.Type == news.EventSettingsChanged && e.Key == "paper.name" }) {
				return "want All and settings.changed"
			}
			return ""
		})
		step("DeleteArticle", func() error { return f.s.DeleteArticle(f.ctx, sch.ID) }, func(c news.Change) string {
			if !hasEvent(c, news.EventStoryDeleted, sch.ID) || !slices.Contains(c.Stories, sch.ID) {
				return "want story.deleted with the story's keys"
			}
			return ""
		})
		// A write that fails records nothing.
		before := seq
		if err := f.s.CreateSection(f.ctx, &news.Section{Slug: "s", Name: "dup"}); err == nil {
			t.Error("a duplicate section was created")
		}
		if got, _ := f.s.LastChange(f.ctx); got != before {
			t.Errorf("a failed write recorded a change: %d → %d", before, got)
		}
	})

	t.Run("Tail", func(t *testing.T) {
		f := newFixture(t, open)
		start, err := f.s.LastChange(f.ctx)
		noErr(t, "LastChange", err)
		var made []int64
		for i := range 5 {
			a := f.article(func(a *news.Article) { a.Slug = fmt.Sprintf("tail-%d", i) })
			made = append(made, a.ID)
		}
		cs, err := f.s.Changes(f.ctx, start, 3)
		noErr(t, "Changes", err)
		if len(cs) != 3 {
			t.Fatalf("Changes(limit 3) = %d records", len(cs))
		}
		rest, err := f.s.Changes(f.ctx, cs[2].Seq, 100)
		noErr(t, "Changes", err)
		cs = append(cs, rest...)
		if len(cs) != 5 {
			t.Fatalf("%d records for 5 stories", len(cs))
		}
		for i, c := range cs {
			if i > 0 && c.Seq <= cs[i-1].Seq {
				t.Errorf("records out of order: %d after %d", c.Seq, cs[i-1].Seq)
			}
			if !slices.Equal(c.Stories, []int64{made[i]}) || c.At.IsZero() {
				t.Errorf("record %d = %+v, want story %d", i, c, made[i])
			}
		}
		noErr(t, "PruneChanges", f.s.PruneChanges(f.ctx, time.Now().Add(time.Hour)))
		cs, err = f.s.Changes(f.ctx, start, 100)
		noErr(t, "Changes after prune", err)
		if len(cs) != 0 {
			t.Errorf("%d records survived pruning", len(cs))
		}
		// The counter does not go back: a tailer's cursor stays valid.
		if last, _ := f.s.LastChange(f.ctx); last != start+5 {
			t.Errorf("LastChange after prune = %d, want %d", last, start+5)
		}
	})

	t.Run("Hooks", func(t *testing.T) {
		f := newFixture(t, open)
		var seen []news.Change
		f.s.AddTxHook(func(ctx context.Context, tx news.Tx, c *news.Change) error {
			seen = append(seen, *c)
			for _, e := range c.Events {
				if e.Type != news.EventStoryPublished {
					continue
				}
				// A consumer writes its row in the same transaction.
				if err := tx.AddAudit(ctx, &news.AuditEntry{Action: "outbox", ArticleID: e.ArticleID, CreatedAt: T0}); err != nil {
					return err
				}
				if a, err := tx.FindArticleByID(ctx, e.ArticleID); err != nil || a.Headline == "refuse" {
					return errors.Join(err, errors.New("the hook refuses"))
				}
			}
			return nil
		})
		a := f.article(nil)
		if len(seen) != 1 || !hasEvent(seen[0], news.EventStoryPublished, a.ID) {
			t.Fatalf("the hook saw %+v", seen)
		}
		au, err := f.s.ListAudit(f.ctx, 10)
		noErr(t, "ListAudit", err)
		if len(au) != 1 || au[0].Action != "outbox" || au[0].ArticleID != a.ID {
			t.Errorf("the hook's row: %+v", au)
		}
		// A hook's error rolls back the whole transaction.
		last, _ := f.s.LastChange(f.ctx)
		err = f.s.CreateArticle(f.ctx, &news.Article{Slug: "refused", Headline: "refuse", Status: news.StatusPublished, PublishedAt: T0})
		if err == nil {
			t.Fatal("the hook's error was lost")
		}
		_, err = f.s.FindArticleBySlug(f.ctx, "refused")
		wantErr(t, "story of a refused transaction", err, news.ErrNotFound)
		if au, _ := f.s.ListAudit(f.ctx, 10); len(au) != 1 {
			t.Errorf("a refused transaction left %d audit rows, want 1", len(au))
		}
		if got, _ := f.s.LastChange(f.ctx); got != last {
			t.Errorf("a refused transaction recorded a change")
		}
		// No change, no hook.
		n := len(seen)
		f.author("quiet", "Quiet")
		if len(seen) != n {
			t.Errorf("the hook ran for a transaction that changed nothing readers see")
		}
	})
}

func testVersions(t *testing.T, open func(t *testing.T) news.Store) {
	t.Run("Article", func(t *testing.T) {
		f := newFixture(t, open)
		a := f.article(nil)
		if a.Version != 1 || f.find(a.ID).Version != 1 {
			t.Fatalf("new story version %d, want 1", a.Version)
		}
		stale := *a
		a.Headline = "First"
		f.update(a)
		if a.Version != 2 || f.find(a.ID).Version != 2 {
			t.Errorf("after an update: version %d, want 2", a.Version)
		}
		last, _ := f.s.LastChange(f.ctx)
		stale.Headline = "Stale"
		err := f.s.UpdateArticle(f.ctx, &stale)
		wantErr(t, "stale UpdateArticle", err, news.ErrConflict)
		var ce *news.ConflictError
		if !errors.As(err, &ce) || ce.Kind != "article" || ce.ID != a.ID || ce.Base != 1 || ce.Current != 2 {
			t.Errorf("stale UpdateArticle error = %#v", err)
		}
		if news.ErrorCode(err) != news.ECONFLICT {
			t.Errorf("ErrorCode = %q", news.ErrorCode(err))
		}
		if got := f.find(a.ID); got.Headline != "First" || got.Version != 2 {
			t.Errorf("a stale write changed the story: %q v%d", got.Headline, got.Version)
		}
		if got, _ := f.s.LastChange(f.ctx); got != last {
			t.Errorf("a stale write recorded a change")
		}
		noErr(t, "AddCorrection", f.s.AddCorrection(f.ctx, &news.Correction{ArticleID: a.ID, Kind: news.KindUpdate, Text: "u", CreatedAt: T0.Add(time.Hour)}))
		got := f.find(a.ID)
		if got.Version != 3 {
			t.Errorf("a correction left the version at %d, want 3", got.Version)
		}
		sameTime(t, "UpdatedAt after a correction", got.UpdatedAt, T0.Add(time.Hour))
		wantErr(t, "update from before the correction", f.s.UpdateArticle(f.ctx, a), news.ErrConflict)
	})

	t.Run("PublishScheduled", func(t *testing.T) {
		f := newFixture(t, open)
		due := T0.Add(time.Hour)
		a := f.article(func(a *news.Article) { a.Status = news.StatusScheduled; a.PublishedAt = due; a.UpdatedAt = T0 })
		for _, c := range []struct {
			what    string
			version int64
			at      time.Time
		}{{"before its time", 1, due.Add(-time.Second)}, {"at a stale version", 0, due}, {"at a future version", 2, due}} {
			ok, err := f.s.PublishScheduled(f.ctx, a.ID, c.version, c.at)
			noErr(t, "PublishScheduled "+c.what, err)
			if ok {
				t.Errorf("PublishScheduled %s published", c.what)
			}
		}
		ok, err := f.s.PublishScheduled(f.ctx, a.ID, 1, due)
		noErr(t, "PublishScheduled", err)
		got := f.find(a.ID)
		if !ok || got.Status != news.StatusPublished || got.Version != 2 {
			t.Fatalf("PublishScheduled: ok %v, status %s, version %d", ok, got.Status, got.Version)
		}
		sameTime(t, "UpdatedAt", got.UpdatedAt, due)
		ok, err = f.s.PublishScheduled(f.ctx, a.ID, 2, due)
		if err != nil || ok {
			t.Errorf("a second PublishScheduled: %v %v, want false", ok, err)
		}
	})

	t.Run("Section", func(t *testing.T) {
		f := newFixture(t, open)
		s := &news.Section{Slug: "world", Name: "World", UpdatedBy: 7}
		noErr(t, "CreateSection", f.s.CreateSection(f.ctx, s))
		if s.Version != 1 {
			t.Errorf("new section version %d", s.Version)
		}
		stale := *s
		s.Name, s.UpdatedBy = "The World", 8
		noErr(t, "UpdateSection", f.s.UpdateSection(f.ctx, s))
		got, err := f.s.FindSectionByID(f.ctx, s.ID)
		noErr(t, "FindSectionByID", err)
		if got.Version != 2 || s.Version != 2 || got.UpdatedBy != 8 || got.UpdatedAt.IsZero() {
			t.Errorf("after update: %+v", got)
		}
		stale.Name = "Stale"
		err = f.s.UpdateSection(f.ctx, &stale)
		var ce *news.ConflictError
		if !errors.As(err, &ce) || ce.Base != 1 || ce.Current != 2 || !slices.Equal(ce.By, []int64{8}) || ce.At.IsZero() {
			t.Errorf("stale UpdateSection = %#v", err)
		}
		if got, _ := f.s.FindSectionByID(f.ctx, s.ID); got.Name != "The World" {
			t.Errorf("a stale write renamed the section to %q", got.Name)
		}
	})

	// Two editors open the same author profile (version 1) and save it
	// one after the other: the second save is refused, naming who saved
	// first, and the profile keeps the first editor's text. Before
	// authors had a version the second save silently won.
	t.Run("Author", func(t *testing.T) {
		f := newFixture(t, open)
		a := &news.Author{Slug: "kim-ji-young", Name: "Kim Ji-young", Title: "Reporter", Bio: "Kim writes.", UpdatedBy: 7}
		noErr(t, "CreateAuthor", f.s.CreateAuthor(f.ctx, a))
		if a.Version != 1 {
			t.Errorf("new author version %d", a.Version)
		}
		first, err := f.s.FindAuthorByID(f.ctx, a.ID)
		noErr(t, "FindAuthorByID", err)
		if first.Version != 1 || first.UpdatedBy != 7 || first.UpdatedAt.IsZero() {
			t.Errorf("new author as read: version %d, by %d, at %v", first.Version, first.UpdatedBy, first.UpdatedAt)
		}
		second := *first
		first.Bio, first.UpdatedBy = "Kim covers the courts.", 8
		noErr(t, "UpdateAuthor", f.s.Update(f.ctx, func(tx news.Tx) error { return tx.UpdateAuthor(f.ctx, first) }))
		if first.Version != 2 {
			t.Errorf("after UpdateAuthor the author's version is %d, want 2", first.Version)
		}
		second.Bio, second.Title, second.UpdatedBy = "Kim covers sport.", "Columnist", 9
		err = f.s.UpdateAuthor(f.ctx, &second)
		var ce *news.ConflictError
		if !errors.As(err, &ce) || ce.Kind != "author" || ce.ID != a.ID || ce.Base != 1 || ce.Current != 2 ||
			!slices.Equal(ce.By, []int64{8}) || ce.At.IsZero() {
			t.Fatalf("the second UpdateAuthor from version 1 = %#v, want a conflict at version 2 by user 8", err)
		}
		if !errors.Is(err, news.ErrConflict) || news.ErrorCode(err) != news.ECONFLICT {
			t.Errorf("the conflict is not ErrConflict / ECONFLICT: %v", err)
		}
		got, err := f.s.FindAuthorByID(f.ctx, a.ID)
		noErr(t, "FindAuthorByID", err)
		if got.Bio != "Kim covers the courts." || got.Title != "Reporter" || got.Version != 2 || got.UpdatedBy != 8 || got.UpdatedAt.IsZero() {
			t.Errorf("after a stale UpdateAuthor the profile is %+v, want the first editor's", got)
		}
		list, err := f.s.ListAuthors(f.ctx)
		noErr(t, "ListAuthors", err)
		if len(list) != 1 || list[0].Version != 2 || list[0].UpdatedBy != 8 {
			t.Errorf("ListAuthors = %+v, want the author at version 2 by 8", list)
		}

		// The same two saves at once, released together: whichever
		// commits first wins, and the other is refused, however the two
		// transactions interleave.
		base, err := f.s.FindAuthorByID(f.ctx, a.ID)
		noErr(t, "FindAuthorByID", err)
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, 2)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				mine := *base
				mine.Bio, mine.UpdatedBy = fmt.Sprintf("Editor %d's bio.", i), int64(20+i)
				<-start
				errs[i] = f.s.UpdateAuthor(f.ctx, &mine)
			}()
		}
		close(start)
		wg.Wait()
		won := -1
		for i, err := range errs {
			if err == nil {
				won = i
			} else if !errors.As(err, &ce) {
				t.Errorf("concurrent save %d: %v, want success or a conflict", i, err)
			}
		}
		if won < 0 || errs[1-won] == nil {
			t.Fatalf("two concurrent saves from version %d: %v, want one saved and one refused", base.Version, errs)
		}
		got, err = f.s.FindAuthorByID(f.ctx, a.ID)
		noErr(t, "FindAuthorByID", err)
		if got.Bio != fmt.Sprintf("Editor %d's bio.", won) || got.Version != base.Version+1 {
			t.Errorf("after two concurrent saves the profile is %+v, want editor %d's at version %d", got, won, base.Version+1)
		}
	})

	// The same for a tag renamed by two editors from one version; an
	// unguarded RenameTag moves the version too.
	t.Run("Tag", func(t *testing.T) {
		f := newFixture(t, open)
		tg := &news.Tag{Slug: "seoul", Name: "Seoul"}
		noErr(t, "EnsureTag", f.s.EnsureTag(f.ctx, tg))
		if tg.Version != 1 {
			t.Errorf("new tag version %d", tg.Version)
		}
		first, err := f.s.FindTagBySlug(f.ctx, "seoul")
		noErr(t, "FindTagBySlug", err)
		if first.Version != 1 {
			t.Errorf("new tag as read: version %d", first.Version)
		}
		second := *first
		first.Name, first.UpdatedBy = "Seoul (city)", 8
		noErr(t, "UpdateTag", f.s.Update(f.ctx, func(tx news.Tx) error { return tx.UpdateTag(f.ctx, first) }))
		if first.Version != 2 {
			t.Errorf("after UpdateTag the tag's version is %d, want 2", first.Version)
		}
		second.Name, second.UpdatedBy = "Soul", 9
		err = f.s.Update(f.ctx, func(tx news.Tx) error { return tx.UpdateTag(f.ctx, &second) })
		var ce *news.ConflictError
		if !errors.As(err, &ce) || ce.Kind != "tag" || ce.ID != tg.ID || ce.Base != 1 || ce.Current != 2 ||
			!slices.Equal(ce.By, []int64{8}) || ce.At.IsZero() {
			t.Fatalf("the second UpdateTag from version 1 = %#v, want a conflict at version 2 by user 8", err)
		}
		got, err := f.s.FindTagBySlug(f.ctx, "seoul")
		noErr(t, "FindTagBySlug", err)
		if got.Name != "Seoul (city)" || got.Version != 2 || got.UpdatedBy != 8 || got.UpdatedAt.IsZero() {
			t.Errorf("after a stale UpdateTag the tag is %+v, want the first editor's", got)
		}
		if te, ok := f.s.(news.TagEditor); ok {
			noErr(t, "RenameTag", te.RenameTag(f.ctx, tg.ID, "Seoul"))
			list, err := f.s.ListTags(f.ctx)
			noErr(t, "ListTags", err)
			if len(list) != 1 || list[0].Name != "Seoul" || list[0].Version != 3 {
				t.Errorf("after RenameTag ListTags = %+v, want Seoul at version 3", list)
			}
			err = f.s.Update(f.ctx, func(tx news.Tx) error { return tx.UpdateTag(f.ctx, first) })
			if !errors.As(err, &ce) || ce.Current != 3 {
				t.Errorf("UpdateTag from before RenameTag = %v, want a conflict at version 3", err)
			}
		}
	})

	t.Run("Setting", func(t *testing.T) {
		f := newFixture(t, open)
		s := &news.Setting{Key: "frontpage", Value: "[1]", UpdatedBy: 3}
		noErr(t, "UpdateSetting(new)", f.s.UpdateSetting(f.ctx, s))
		if s.Version != 1 {
			t.Errorf("new setting version %d", s.Version)
		}
		wantErr(t, "UpdateSetting(new) twice", f.s.UpdateSetting(f.ctx, &news.Setting{Key: "frontpage", Value: "[2]"}), news.ErrConflict)
		stale := *s
		s.Value, s.UpdatedBy = "[1,2]", 4
		noErr(t, "UpdateSetting", f.s.UpdateSetting(f.ctx, s))
		got, err := f.s.FindSetting(f.ctx, "frontpage")
		noErr(t, "FindSetting", err)
		if got.Value != "[1,2]" || got.Version != 2 || got.UpdatedBy != 4 || got.UpdatedAt.IsZero() {
			t.Errorf("FindSetting = %+v", got)
		}
		stale.Value = "[9]"
		err = f.s.UpdateSetting(f.ctx, &stale)
		var ce *news.ConflictError
		if !errors.As(err, &ce) || ce.Key != "frontpage" || ce.Base != 1 || ce.Current != 2 || !slices.Equal(ce.By, []int64{4}) {
			t.Errorf("stale UpdateSetting = %#v", err)
		}
		if v, _ := f.s.GetSetting(f.ctx, "frontpage"); v != "[1,2]" {
			t.Errorf("a stale write stored %q", v)
		}
		// Unguarded writes move the version too, so a form opened before
		// them is stale.
		noErr(t, "PutSetting", f.s.PutSetting(f.ctx, "frontpage", "[3]"))
		if got, _ := f.s.FindSetting(f.ctx, "frontpage"); got.Version != 3 {
			t.Errorf("PutSetting left version %d, want 3", got.Version)
		}
		_, err = f.s.FindSetting(f.ctx, "missing")
		wantErr(t, "FindSetting(missing)", err, news.ErrNotFound)
	})
}

func testValidation(t *testing.T, open func(t *testing.T) news.Store) {
	f := newFixture(t, open)
	au := f.author("v", "V")
	good := func() *news.Article {
		return &news.Article{Slug: "ok", Headline: "Fine", Status: news.StatusDraft, Lang: "en", Authors: []*news.Author{au}}
	}
	bad := map[string]func(a *news.Article){
		"empty headline":            func(a *news.Article) { a.Headline = "" },
		"blank headline":            func(a *news.Article) { a.Headline = " \t\n" },
		"long headline":             func(a *news.Article) { a.Headline = strings.Repeat("가", news.MaxHeadline+1) },
		"long deck":                 func(a *news.Article) { a.Deck = strings.Repeat("d", news.MaxDeck+1) },
		"long SEO title":            func(a *news.Article) { a.SEOTitle = strings.Repeat("s", news.MaxSEO+1) },
		"long body":                 func(a *news.Article) { a.BodyMarkdown = strings.Repeat("b", news.MaxBody+1) },
		"invalid UTF-8 headline":    func(a *news.Article) { a.Headline = "bad \xff" },
		"invalid UTF-8 deck":        func(a *news.Article) { a.Deck = "\xc3\x28" },
		"invalid UTF-8 body":        func(a *news.Article) { a.BodyMarkdown = "ok \xe2\x82" },
		"invalid UTF-8 body HTML":   func(a *news.Article) { a.BodyHTML = "<p>\xff</p>" },
		"invalid UTF-8 SEO":         func(a *news.Article) { a.SEODescription = "\x80" },
		"NUL in body":               func(a *news.Article) { a.BodyMarkdown = "a\x00b" },
		"slug with a space":         func(a *news.Article) { a.Slug = "two words" },
		"upper-case slug":           func(a *news.Article) { a.Slug = "Hello" },
		"slug with double hyphens":  func(a *news.Article) { a.Slug = "a--b" },
		"slug with an edge hyphen":  func(a *news.Article) { a.Slug = "-a" },
		"slug with punctuation":     func(a *news.Article) { a.Slug = "a/b" },
		"empty slug":                func(a *news.Article) { a.Slug = "" },
		"lang not BCP 47":           func(a *news.Article) { a.Lang = "english!" },
		"lang with an empty subtag": func(a *news.Article) { a.Lang = "en--US" },
		"unknown status":            func(a *news.Article) { a.Status = "live" },
		"too many tags": func(a *news.Article) {
			for i := range news.MaxTags + 1 {
				a.Tags = append(a.Tags, &news.Tag{ID: int64(i + 1)})
			}
		},
	}
	for name, mod := range bad {
		a := good()
		mod(a)
		wantErr(t, "CreateArticle: "+name, f.s.CreateArticle(f.ctx, a), news.ErrInvalid)
	}
	if _, total, _ := f.s.FindArticles(f.ctx, news.ArticleFilter{}); total != 0 {
		t.Errorf("%d invalid stories were stored", total)
	}
	for _, lang := range []string{"en", "ko", "en-US", "zh-Hant-TW", "sr-Latn", ""} {
		a := good()
		a.Lang, a.Slug = lang, "lang-"+strings.ToLower(strings.ReplaceAll(lang, "-", ""))
		if lang == "" {
			a.Slug = "lang-none"
		}
		noErr(t, "CreateArticle lang "+lang, f.s.CreateArticle(f.ctx, a))
	}
	a := good()
	a.Slug = "북한-미사일-2"
	noErr(t, "CreateArticle with a Korean slug", f.s.CreateArticle(f.ctx, a))
	// Updates are held to the same rules.
	b := *a
	b.Headline = "bad \xff"
	wantErr(t, "UpdateArticle(invalid UTF-8)", f.s.UpdateArticle(f.ctx, &b), news.ErrInvalid)
	b = *a
	b.Headline = ""
	wantErr(t, "UpdateArticle(empty headline)", f.s.UpdateArticle(f.ctx, &b), news.ErrInvalid)
	if got := f.find(a.ID); got.Headline != "Fine" {
		t.Errorf("an invalid update changed the headline to %q", got.Headline)
	}

	wantErr(t, "section with a bad slug", f.s.CreateSection(f.ctx, &news.Section{Slug: "Has Space", Name: "X"}), news.ErrInvalid)
	wantErr(t, "section without a name", f.s.CreateSection(f.ctx, &news.Section{Slug: "x", Name: " "}), news.ErrInvalid)
	wantErr(t, "section with invalid UTF-8", f.s.CreateSection(f.ctx, &news.Section{Slug: "x", Name: "\xff"}), news.ErrInvalid)
	wantErr(t, "author with invalid UTF-8", f.s.CreateAuthor(f.ctx, &news.Author{Slug: "x", Name: "X", Bio: "\xff"}), news.ErrInvalid)
	wantErr(t, "author with a bad slug", f.s.CreateAuthor(f.ctx, &news.Author{Slug: "X", Name: "X"}), news.ErrInvalid)
	wantErr(t, "tag with a bad slug", f.s.EnsureTag(f.ctx, &news.Tag{Slug: "a b", Name: "a b"}), news.ErrInvalid)
	wantErr(t, "photo with invalid UTF-8", f.s.CreatePhoto(f.ctx, &news.Photo{Key: "k", Caption: "\xff"}), news.ErrInvalid)
	wantErr(t, "photo with a focal point outside", f.s.CreatePhoto(f.ctx, &news.Photo{Key: "k", FocalX: 2}), news.ErrInvalid)
	wantErr(t, "user with invalid UTF-8", f.s.CreateUser(f.ctx, &news.User{Email: "x@example.com", Name: "\xff", Role: news.RoleEditor}), news.ErrInvalid)
	wantErr(t, "setting with invalid UTF-8", f.s.PutSetting(f.ctx, "k", "\xff"), news.ErrInvalid)
	wantErr(t, "correction with invalid UTF-8", f.s.AddCorrection(f.ctx, &news.Correction{ArticleID: a.ID, Kind: news.KindCorrection, Text: "\xff"}), news.ErrInvalid)
	wantErr(t, "correction without text", f.s.AddCorrection(f.ctx, &news.Correction{ArticleID: a.ID, Kind: news.KindCorrection, Text: " "}), news.ErrInvalid)
	wantErr(t, "correction of an unknown kind", f.s.AddCorrection(f.ctx, &news.Correction{ArticleID: a.ID, Kind: "retraction", Text: "x"}), news.ErrInvalid)
	wantErr(t, "revision with invalid UTF-8", f.s.CreateRevision(f.ctx, &news.Revision{ArticleID: a.ID, StoryFields: news.StoryFields{BodyMarkdown: "\xff"}}), news.ErrInvalid)
	wantErr(t, "audit with invalid UTF-8", f.s.AddAudit(f.ctx, &news.AuditEntry{Action: "x", Detail: "\xff"}), news.ErrInvalid)
	if cs, _ := f.s.ListSections(f.ctx); len(cs) != 0 {
		t.Errorf("invalid sections were stored: %v", cs)
	}
}

func testTransactions(t *testing.T, open func(t *testing.T) news.Store) {
	t.Run("AllOrNothing", func(t *testing.T) {
		f := newFixture(t, open)
		last, _ := f.s.LastChange(f.ctx)
		boom := errors.New("boom")
		var id int64
		err := f.s.Update(f.ctx, func(tx news.Tx) error {
			a := &news.Article{Slug: "half", Headline: "Half", Status: news.StatusPublished, PublishedAt: T0}
			if err := tx.CreateArticle(f.ctx, a); err != nil {
				return err
			}
			id = a.ID
			// The transaction reads its own writes.
			got, err := tx.FindArticleByID(f.ctx, a.ID)
			if err != nil || got.Headline != "Half" || got.Version != 1 {
				return fmt.Errorf("read own write: %+v %v", got, err)
			}
			if err := tx.CreateRevision(f.ctx, news.RevisionOf(got, 0, "created", T0)); err != nil {
				return err
			}
			if err := tx.AddAudit(f.ctx, &news.AuditEntry{Action: "create", ArticleID: a.ID, CreatedAt: T0}); err != nil {
				return err
			}
			return fmt.Errorf("then: %w", boom)
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Update returned %v, want fn's error", err)
		}
		_, err = f.s.FindArticleByID(f.ctx, id)
		wantErr(t, "story of a rolled-back transaction", err, news.ErrNotFound)
		if revs, _ := f.s.FindRevisions(f.ctx, id); len(revs) != 0 {
			t.Errorf("%d revisions survived the rollback", len(revs))
		}
		if au, _ := f.s.ListAudit(f.ctx, 10); len(au) != 0 {
			t.Errorf("%d audit rows survived the rollback", len(au))
		}
		if got, _ := f.s.LastChange(f.ctx); got != last {
			t.Errorf("a rolled-back transaction recorded a change")
		}
	})

	// Commands that read and write in one transaction never lose each
	// other's writes, however many run at once: each sees the last commit.
	t.Run("NoLostUpdates", func(t *testing.T) {
		f := newFixture(t, open)
		a := f.article(func(a *news.Article) { a.Deck = "" })
		const n = 8
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- f.s.Update(f.ctx, func(tx news.Tx) error {
					cur, err := tx.FindArticleByID(f.ctx, a.ID)
					if err != nil {
						return err
					}
					cur.Deck += string(rune('a' + i))
					return tx.UpdateArticle(f.ctx, cur)
				})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			noErr(t, "concurrent read-modify-write", err)
		}
		got := f.find(a.ID)
		if len(got.Deck) != n || got.Version != 1+n {
			t.Errorf("deck %q, version %d after %d concurrent edits: edits were lost", got.Deck, got.Version, n)
		}
	})

	// A write made against a version another transaction is changing waits
	// for it and then fails as stale, instead of overwriting it. The
	// barrier holds the first transaction open after its read.
	t.Run("StaleWhileLocked", func(t *testing.T) {
		f := newFixture(t, open)
		a := f.article(nil)
		seen := *a // what a second editor opened
		inside, second := make(chan struct{}), make(chan error, 1)
		err := f.s.Update(f.ctx, func(tx news.Tx) error {
			cur, err := tx.FindArticleByID(f.ctx, a.ID)
			if err != nil {
				return err
			}
			close(inside)
			go func() {
				s := seen
				s.Headline = "Second"
				second <- f.s.UpdateArticle(context.Background(), &s)
			}()
			// The second write must not get through while this
			// transaction is open.
			select {
			case err := <-second:
				return fmt.Errorf("the second write did not wait: %v", err)
			case <-time.After(200 * time.Millisecond):
			}
			cur.Headline = "First"
			return tx.UpdateArticle(f.ctx, cur)
		})
		<-inside
		noErr(t, "first", err)
		wantErr(t, "second (stale) write", <-second, news.ErrConflict)
		if got := f.find(a.ID); got.Headline != "First" {
			t.Errorf("headline %q, want the first write's", got.Headline)
		}
	})
}

func testLeases(t *testing.T, open func(t *testing.T) news.Store) {
	f := newFixture(t, open)
	const ttl = time.Minute
	a, ok, err := f.s.AcquireLease(f.ctx, "scheduler", "node-a", ttl)
	noErr(t, "AcquireLease", err)
	if !ok || a.Token < 1 || a.Holder != "node-a" || !a.Expires.After(time.Now()) {
		t.Fatalf("AcquireLease = %+v %v", a, ok)
	}
	if _, ok, err := f.s.AcquireLease(f.ctx, "scheduler", "node-b", ttl); err != nil || ok {
		t.Fatalf("a second holder got the lease: %v %v", ok, err)
	}
	// Other names are other leases.
	if _, ok, err := f.s.AcquireLease(f.ctx, "other", "node-b", ttl); err != nil || !ok {
		t.Fatalf("lease other: %v %v", ok, err)
	}
	again, ok, err := f.s.AcquireLease(f.ctx, "scheduler", "node-a", ttl)
	if err != nil || !ok || again.Token != a.Token {
		t.Errorf("the holder re-acquiring: %+v %v %v, want the same token %d", again, ok, err, a.Token)
	}
	a, err = f.s.RenewLease(f.ctx, a, ttl)
	noErr(t, "RenewLease", err)
	inTx := func(l news.Lease) error {
		return f.s.Update(f.ctx, func(tx news.Tx) error { return tx.CheckLease(f.ctx, l) })
	}
	noErr(t, "CheckLease(holder)", inTx(a))

	noErr(t, "ReleaseLease", f.s.ReleaseLease(f.ctx, a))
	b, ok, err := f.s.AcquireLease(f.ctx, "scheduler", "node-b", ttl)
	if err != nil || !ok || b.Token <= a.Token {
		t.Fatalf("after release: %+v %v %v, want a new token above %d", b, ok, err, a.Token)
	}
	// The old holder is fenced off everywhere.
	_, err = f.s.RenewLease(f.ctx, a, ttl)
	wantErr(t, "RenewLease(old token)", err, news.ErrLeaseLost)
	wantErr(t, "CheckLease(old token)", inTx(a), news.ErrLeaseLost)
	noErr(t, "CheckLease(new holder)", inTx(b))
	// A lease lapses when not renewed, and the next holder's token grows.
	short, ok, err := f.s.AcquireLease(f.ctx, "brief", "node-a", 50*time.Millisecond)
	if err != nil || !ok {
		t.Fatalf("AcquireLease(brief): %v %v", ok, err)
	}
	time.Sleep(150 * time.Millisecond)
	wantErr(t, "CheckLease(expired)", inTx(short), news.ErrLeaseLost)
	_, err = f.s.RenewLease(f.ctx, short, ttl)
	wantErr(t, "RenewLease(expired)", err, news.ErrLeaseLost)
	next, ok, err := f.s.AcquireLease(f.ctx, "brief", "node-b", ttl)
	if err != nil || !ok || next.Token <= short.Token {
		t.Errorf("after expiry: %+v %v %v", next, ok, err)
	}
	// Even the same holder gets a new token after its lease lapsed: what
	// it did under the old one may have been taken over meanwhile.
	brief2, _, _ := f.s.AcquireLease(f.ctx, "brief2", "node-a", 50*time.Millisecond)
	time.Sleep(150 * time.Millisecond)
	brief3, ok, err := f.s.AcquireLease(f.ctx, "brief2", "node-a", ttl)
	if err != nil || !ok || brief3.Token <= brief2.Token {
		t.Errorf("re-taking an expired lease: %+v %v %v, want a token above %d", brief3, ok, err, brief2.Token)
	}
}

func testRedirects(t *testing.T, open func(t *testing.T) news.Store) {
	f := newFixture(t, open)
	put := func(from, to string, code int) error {
		return f.s.PutRedirect(f.ctx, &news.Redirect{From: from, To: to, Code: code, CreatedAt: T0})
	}
	noErr(t, "PutRedirect", put("/section/old", "/section/new", 0))
	noErr(t, "PutRedirect(Korean)", put("/section/북한-old", "/section/북한", 308))
	noErr(t, "PutRedirect(absolute)", put("/2019/05/old-story/", "https://archive.example.com/old-story", 0))
	r, err := f.s.FindRedirect(f.ctx, "/section/old")
	noErr(t, "FindRedirect", err)
	if r.To != "/section/new" || r.Code != 301 {
		t.Errorf("FindRedirect = %+v, want 301 to /section/new", r)
	}
	sameTime(t, "Redirect.CreatedAt", r.CreatedAt, T0)
	r, err = f.s.FindRedirect(f.ctx, "/section/북한-old")
	noErr(t, "FindRedirect(Korean)", err)
	if r.Code != 308 {
		t.Errorf("code %d, want 308", r.Code)
	}
	noErr(t, "PutRedirect(replace)", put("/section/old", "/section/newer", 0))
	if r, _ := f.s.FindRedirect(f.ctx, "/section/old"); r.To != "/section/newer" {
		t.Errorf("replaced redirect goes to %q", r.To)
	}
	_, err = f.s.FindRedirect(f.ctx, "/section/missing")
	wantErr(t, "FindRedirect(missing)", err, news.ErrNotFound)
	list, err := f.s.ListRedirects(f.ctx, 0, 10)
	noErr(t, "ListRedirects", err)
	var froms []string
	for _, r := range list {
		froms = append(froms, r.From)
	}
	if !slices.IsSorted(froms) || len(froms) != 3 {
		t.Errorf("ListRedirects = %v, want 3 by path", froms)
	}
	for name, r := range map[string][2]string{
		"relative source":       {"section/x", "/y"},
		"source with a query":   {"/x?a=1", "/y"},
		"protocol-relative":     {"/x", "//evil.example.com/"},
		"another scheme":        {"/x", "javascript:alert(1)"},
		"itself":                {"/x", "/x"},
		"the newsroom":          {"/newsroom/stories", "/"},
		"invalid UTF-8":         {"/\xff", "/"},
		"a loop":                {"/section/newer", "/section/old"},
		"empty":                 {"", "/"},
		"backslash host prefix": {"/x", `/\evil.example.com`},
	} {
		wantErr(t, "PutRedirect: "+name, put(r[0], r[1], 0), news.ErrInvalid)
	}
	wantErr(t, "PutRedirect(code 302)", put("/a", "/b", 302), news.ErrInvalid)
	noErr(t, "DeleteRedirect", f.s.DeleteRedirect(f.ctx, "/section/old"))
	_, err = f.s.FindRedirect(f.ctx, "/section/old")
	wantErr(t, "FindRedirect after delete", err, news.ErrNotFound)
	wantErr(t, "DeleteRedirect(missing)", f.s.DeleteRedirect(f.ctx, "/section/old"), news.ErrNotFound)
}
