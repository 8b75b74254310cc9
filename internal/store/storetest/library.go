package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"masthead/internal/news"
)

// testPhotoLibrary: the media library's queries. Photos are listed newest
// first and found by words of caption, credit or alt; the stories that use
// a photo, as lead or in the body, follow every story write.
func testPhotoLibrary(t *testing.T, open func(t *testing.T) news.Store) {
	f := newFixture(t, open)
	lib, ok := f.s.(news.PhotoLibrary)
	if !ok {
		t.Fatal("the store is not a news.PhotoLibrary")
	}
	kim := f.photo("Kim Jong-un in Pyongyang")
	rain := f.photo("Monsoon rain in Seoul")
	ferry := f.photo("Ferry at Ulleung 100%_sure")

	t.Run("ListPhotos", func(t *testing.T) {
		list, total, err := lib.ListPhotos(f.ctx, news.PhotoFilter{})
		if err != nil || total != 3 || len(list) != 3 || list[0].ID != ferry.ID || list[2].ID != kim.ID {
			t.Fatalf("all photos: %v, total %d, %v", photoIDs(list), total, err)
		}
		if list[0].Caption != ferry.Caption || list[0].Credit != "Korea Times file" || len(list[0].Widths) != 3 {
			t.Errorf("a listed photo lost fields: %+v", list[0])
		}
		for _, tt := range []struct {
			q    string
			want []int64
		}{
			{"seoul", []int64{rain.ID}},
			{"KIM pyongyang", []int64{kim.ID}},
			{"korea times", []int64{ferry.ID, rain.ID, kim.ID}},
			{"alt: monsoon", []int64{rain.ID}},
			{"100%", []int64{ferry.ID}},
			{"_", []int64{ferry.ID}}, // wildcards are plain text
			{"nothing-like-this", nil},
		} {
			list, total, err := lib.ListPhotos(f.ctx, news.PhotoFilter{Query: tt.q})
			if err != nil || fmt.Sprint(photoIDs(list)) != fmt.Sprint(tt.want) || total != len(tt.want) {
				t.Errorf("ListPhotos(%q) = %v (total %d, %v), want %v", tt.q, photoIDs(list), total, err, tt.want)
			}
		}
		page, total, err := lib.ListPhotos(f.ctx, news.PhotoFilter{Limit: 2, Offset: 2})
		if err != nil || total != 3 || len(page) != 1 || page[0].ID != kim.ID {
			t.Errorf("second page: %v, total %d, %v", photoIDs(page), total, err)
		}
	})

	t.Run("PhotoUses", func(t *testing.T) {
		lead := f.article(func(a *news.Article) { a.PhotoID = kim.ID; a.Headline = "Lead" })
		body := f.article(func(a *news.Article) {
			a.Headline = "Body"
			a.BodyHTML = fmt.Sprintf(`<figure class="photo"><img src="/media/%d/1280.jpg" alt=""></figure><p>x</p><figure class="photo"><img src="/media/%d/640.jpg" alt=""></figure><figure class="photo"><img src="/media/999999/640.jpg" alt=""></figure>`, kim.ID, rain.ID)
		})
		uses, err := lib.PhotoUses(f.ctx, []int64{kim.ID, rain.ID, ferry.ID})
		if err != nil {
			t.Fatal(err)
		}
		if got := uses[kim.ID]; len(got) != 2 {
			t.Fatalf("uses of the photo in both stories: %+v", got)
		}
		for _, u := range uses[kim.ID] {
			if (u.ArticleID == lead.ID) != (u.Lead && !u.Inline) || (u.ArticleID == body.ID) != (u.Inline && !u.Lead) || u.Headline == "" || u.Status != news.StatusPublished {
				t.Errorf("use %+v", u)
			}
		}
		if got := uses[rain.ID]; len(got) != 1 || got[0].ArticleID != body.ID {
			t.Errorf("uses of the body-only photo: %+v", got)
		}
		if len(uses[ferry.ID]) != 0 {
			t.Errorf("an unused photo has uses: %+v", uses[ferry.ID])
		}
		// Writes keep the uses in step: the lead story takes the rain photo
		// and puts the Kim photo in its body too; the body story loses its
		// figures; a deleted story uses nothing.
		lead.PhotoID = rain.ID
		lead.BodyHTML = fmt.Sprintf(`<figure class="photo"><img src="/media/%d/320.jpg" alt=""></figure>`, kim.ID)
		f.update(lead)
		body.BodyHTML = "<p>No photos now.</p>"
		f.update(body)
		uses, err = lib.PhotoUses(f.ctx, []int64{kim.ID, rain.ID})
		if err != nil {
			t.Fatal(err)
		}
		if got := uses[kim.ID]; len(got) != 1 || got[0].ArticleID != lead.ID || !got[0].Inline || got[0].Lead {
			t.Errorf("after the updates, uses of the first photo: %+v", got)
		}
		if got := uses[rain.ID]; len(got) != 1 || got[0].ArticleID != lead.ID || !got[0].Lead {
			t.Errorf("after the updates, uses of the second photo: %+v", got)
		}
		if err := f.s.DeleteArticle(f.ctx, lead.ID); err != nil {
			t.Fatal(err)
		}
		if uses, err = lib.PhotoUses(f.ctx, []int64{kim.ID, rain.ID}); err != nil || len(uses[kim.ID])+len(uses[rain.ID]) != 0 {
			t.Errorf("a deleted story still uses photos: %+v %v", uses, err)
		}
	})
}

func photoIDs(ps []*news.Photo) []int64 {
	var out []int64
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

// testNotes: newsroom notes on a story, oldest first, gone with the story;
// adding one changes nothing readers see (no generation bump needed, but
// none is forbidden either).
func testNotes(t *testing.T, open func(t *testing.T) news.Store) {
	f := newFixture(t, open)
	ns, ok := f.s.(news.NoteStore)
	if !ok {
		t.Fatal("the store is not a news.NoteStore")
	}
	a := f.article(nil)
	other := f.article(nil)
	for i, text := range []string{"Check the second quote.", "Done — source confirmed."} {
		n := &news.Note{ArticleID: a.ID, UserID: int64(i + 1), Text: text, CreatedAt: T0.Add(time.Duration(i) * time.Minute)}
		if err := ns.AddNote(f.ctx, n); err != nil || n.ID == 0 {
			t.Fatalf("AddNote: %v (id %d)", err, n.ID)
		}
	}
	if err := ns.AddNote(f.ctx, &news.Note{ArticleID: a.ID, Text: "  "}); news.ErrorCode(err) != news.EINVALID {
		t.Errorf("an empty note: %v", err)
	}
	list, err := ns.ListNotes(f.ctx, a.ID)
	if err != nil || len(list) != 2 || list[0].Text != "Check the second quote." || list[1].UserID != 2 || !list[1].CreatedAt.Equal(T0.Add(time.Minute)) || list[1].CreatedAt.Location() != time.UTC {
		t.Fatalf("ListNotes: %+v, %v", list, err)
	}
	if list, err := ns.ListNotes(f.ctx, other.ID); err != nil || len(list) != 0 {
		t.Errorf("another story's notes: %+v, %v", list, err)
	}
	if err := f.s.DeleteArticle(f.ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if list, err := ns.ListNotes(f.ctx, a.ID); err != nil || len(list) != 0 {
		t.Errorf("notes of a deleted story: %+v, %v", list, err)
	}
}

// testTokens: account tokens are single-use and expire; a token of one kind
// is not one of another.
func testTokens(t *testing.T, open func(t *testing.T) news.Store) {
	f := newFixture(t, open)
	ts, ok := f.s.(news.TokenStore)
	if !ok {
		t.Fatal("the store is not a news.TokenStore")
	}
	u := &news.User{Email: "tok@example.com", Name: "Tok", Role: news.RoleReporter, PasswordHash: "-"}
	if err := f.s.CreateUser(f.ctx, u); err != nil {
		t.Fatal(err)
	}
	tok := &news.AccountToken{Hash: "h1", UserID: u.ID, Kind: news.TokenReset, CreatedAt: T0, ExpiresAt: T0.Add(time.Hour)}
	if err := ts.CreateToken(f.ctx, tok); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.UseToken(f.ctx, "h1", news.TokenInvite, T0); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("a reset token used as an invitation: %v", err)
	}
	if id, err := ts.PeekToken(f.ctx, "h1", news.TokenReset, T0); err != nil || id != u.ID {
		t.Errorf("PeekToken: %d, %v", id, err)
	}
	if _, err := ts.UseToken(f.ctx, "h1", news.TokenReset, T0.Add(time.Hour)); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("an expired token was used: %v", err)
	}
	if id, err := ts.UseToken(f.ctx, "h1", news.TokenReset, T0.Add(59*time.Minute)); err != nil || id != u.ID {
		t.Fatalf("UseToken: %d, %v", id, err)
	}
	if _, err := ts.UseToken(f.ctx, "h1", news.TokenReset, T0.Add(59*time.Minute)); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("a token was used twice: %v", err)
	}
	if _, err := ts.PeekToken(f.ctx, "h1", news.TokenReset, T0); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("a used token still shows its form: %v", err)
	}
	if err := ts.CreateToken(f.ctx, &news.AccountToken{Hash: "h1", UserID: u.ID, Kind: news.TokenReset, ExpiresAt: T0}); !errors.Is(err, news.ErrConflict) {
		t.Errorf("a second token with the same hash: %v", err)
	}
}

// testTagEditor: renaming keeps a tag's slug; merging moves every story of
// one tag to the other (once, where a story had both) and deletes the first.
func testTagEditor(t *testing.T, open func(t *testing.T) news.Store) {
	f := newFixture(t, open)
	te, ok := f.s.(news.TagEditor)
	if !ok {
		t.Fatal("the store is not a news.TagEditor")
	}
	nk := f.tag("north-korea", "North Korea")
	dprk := f.tag("dprk", "DPRK")
	other := f.tag("seoul", "Seoul")
	a := f.article(func(a *news.Article) { a.Tags = []*news.Tag{dprk} })
	b := f.article(func(a *news.Article) { a.Tags = []*news.Tag{nk, dprk, other} })
	c := f.article(func(a *news.Article) { a.Tags = []*news.Tag{nk} })
	if err := te.RenameTag(f.ctx, nk.ID, "N. Korea"); err != nil {
		t.Fatal(err)
	}
	if got, err := f.s.FindTagBySlug(f.ctx, "north-korea"); err != nil || got.Name != "N. Korea" {
		t.Errorf("renamed tag: %+v, %v", got, err)
	}
	if err := te.RenameTag(f.ctx, 999999, "x"); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("renaming a missing tag: %v", err)
	}
	if err := te.MergeTags(f.ctx, dprk.ID, nk.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.FindTagBySlug(f.ctx, "dprk"); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("the merged tag is still there: %v", err)
	}
	ids, total := f.ids(news.ArticleFilter{TagID: nk.ID, Order: "oldest"})
	if total != 3 || fmt.Sprint(ids) != fmt.Sprint([]int64{a.ID, b.ID, c.ID}) {
		t.Errorf("stories of the merged tag: %v (total %d)", ids, total)
	}
	if got := f.find(b.ID); len(got.Tags) != 2 {
		t.Errorf("a story that had both tags: %+v", got.Tags)
	}
	if err := te.MergeTags(f.ctx, dprk.ID, nk.ID); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("merging a missing tag: %v", err)
	}
}

// testTrash: a trashed story is listed with what it was, can be restored
// once, and is deleted for good by a purge after its time.
func testTrash(t *testing.T, open func(t *testing.T) news.Store) {
	f := newFixture(t, open)
	tr, ok := f.s.(news.Trash)
	if !ok {
		t.Fatal("the store is not a news.Trash")
	}
	a := f.article(func(a *news.Article) { a.Headline = "Old"; a.Status = news.StatusUnpublished })
	b := f.article(func(a *news.Article) { a.Headline = "Older"; a.Status = news.StatusUnpublished })
	keep := f.article(nil)
	if err := tr.TrashArticle(f.ctx, news.TrashEntry{ArticleID: a.ID, DeletedAt: T0, DeletedBy: 7, Status: news.StatusPublished}); err != nil {
		t.Fatal(err)
	}
	if err := tr.TrashArticle(f.ctx, news.TrashEntry{ArticleID: b.ID, DeletedAt: T0.Add(-40 * 24 * time.Hour), Status: news.StatusDraft}); err != nil {
		t.Fatal(err)
	}
	if err := tr.TrashArticle(f.ctx, news.TrashEntry{ArticleID: a.ID, DeletedAt: T0}); err == nil {
		t.Error("a story was trashed twice")
	}
	list, err := tr.ListTrash(f.ctx)
	if err != nil || len(list) != 2 || list[0].ArticleID != a.ID || list[0].Headline != "Old" || list[0].DeletedBy != 7 ||
		list[0].Status != news.StatusPublished || !list[0].DeletedAt.Equal(T0) || list[0].DeletedAt.Location() != time.UTC {
		t.Fatalf("ListTrash: %+v, %v", list, err)
	}
	// Inside a command (the newsroom's delete and restore, with their
	// audit rows): what the command rolls back stays as it was.
	boom := errors.New("the audit row could not be written")
	if err := f.s.Update(f.ctx, func(tx news.Tx) error {
		if err := tx.TrashArticle(f.ctx, news.TrashEntry{ArticleID: keep.ID, DeletedAt: T0}); err != nil {
			return err
		}
		if _, err := tx.RestoreArticle(f.ctx, a.ID); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("a rolled-back trash command: %v", err)
	}
	if err := f.s.Update(f.ctx, func(tx news.Tx) error { _, err := tx.RestoreArticle(f.ctx, keep.ID); return err }); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("RestoreArticle of a story not in the trash, in a command: %v, want ErrNotFound", err)
	}
	for id, want := range map[int64]bool{a.ID: true, keep.ID: false} {
		if in, err := tr.InTrash(f.ctx, id); err != nil || in != want {
			t.Errorf("InTrash(%d) = %v, %v", id, in, err)
		}
	}
	n, err := tr.PurgeTrash(f.ctx, T0.Add(-news.TrashDays*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("PurgeTrash: %d, %v", n, err)
	}
	if _, err := f.s.FindArticleByID(f.ctx, b.ID); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("a purged story is still there: %v", err)
	}
	e, err := tr.RestoreArticle(f.ctx, a.ID)
	if err != nil || e.Status != news.StatusPublished {
		t.Fatalf("RestoreArticle: %+v, %v", e, err)
	}
	if _, err := tr.RestoreArticle(f.ctx, a.ID); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("a story was restored twice: %v", err)
	}
	if in, _ := tr.InTrash(f.ctx, a.ID); in {
		t.Error("a restored story is still in the trash")
	}
}

// testWorkingCopies: one autosaved copy per user and story, replaced by the
// next; a heartbeat keeps it; presence lists who was seen since a time.
func testWorkingCopies(t *testing.T, open func(t *testing.T) news.Store) {
	f := newFixture(t, open)
	wcs, ok := f.s.(news.WorkingCopies)
	if !ok {
		t.Fatal("the store is not a news.WorkingCopies")
	}
	a := f.article(nil)
	var users []*news.User
	for _, n := range []string{"kim", "lee"} {
		u := &news.User{Email: n + "@example.com", Name: n, Role: news.RoleReporter, PasswordHash: "-"}
		if err := f.s.CreateUser(f.ctx, u); err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
	}
	if _, err := wcs.GetWorkingCopy(f.ctx, a.ID, users[0].ID); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("a copy before any autosave: %v", err)
	}
	for i, d := range []string{`{"v":1}`, `{"v":2}`} {
		at := T0.Add(time.Duration(i) * time.Minute)
		if err := wcs.PutWorkingCopy(f.ctx, &news.WorkingCopy{ArticleID: a.ID, UserID: users[0].ID, Data: d, SavedAt: at, SeenAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	if err := wcs.PutWorkingCopy(f.ctx, &news.WorkingCopy{ArticleID: a.ID, UserID: users[0].ID, SeenAt: T0.Add(5 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if err := wcs.PutWorkingCopy(f.ctx, &news.WorkingCopy{ArticleID: a.ID, UserID: users[1].ID, SeenAt: T0.Add(2 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	wc, err := wcs.GetWorkingCopy(f.ctx, a.ID, users[0].ID)
	if err != nil || wc.Data != `{"v":2}` || !wc.SavedAt.Equal(T0.Add(time.Minute)) || !wc.SeenAt.Equal(T0.Add(5*time.Minute)) {
		t.Fatalf("working copy: %+v, %v", wc, err)
	}
	if _, err := wcs.GetWorkingCopy(f.ctx, a.ID, users[1].ID); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("a heartbeat alone made a copy: %v", err)
	}
	ed, err := wcs.Editing(f.ctx, a.ID, T0.Add(90*time.Second))
	if err != nil || len(ed) != 2 || ed[0].UserID != users[0].ID || ed[1].UserID != users[1].ID {
		t.Fatalf("Editing: %+v, %v", ed, err)
	}
	if ed, _ := wcs.Editing(f.ctx, a.ID, T0.Add(3*time.Minute)); len(ed) != 1 {
		t.Errorf("Editing since later: %+v", ed)
	}
	if err := wcs.DeleteWorkingCopy(f.ctx, a.ID, users[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := wcs.GetWorkingCopy(f.ctx, a.ID, users[0].ID); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("a deleted copy: %v", err)
	}
}
