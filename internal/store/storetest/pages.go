package storetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"masthead/internal/news"
)

// testPages: static pages (issue 15) are versioned, validated, unique by
// slug, listed by position, and every write records what readers see
// change: the page's URL, and the footer when a footer page's link moved.
func testPages(t *testing.T, open func(t *testing.T) news.Store) {
	f := newFixture(t, open)
	ctx := f.ctx
	body := "<p>We are an independent daily.</p>"
	about := &news.Page{Slug: "about", Title: "About us", Body: body, Status: news.StatusPublished, Position: 1, InFooter: true, Lang: "en"}
	last, _ := f.s.LastChange(ctx)
	noErr(t, "CreatePage", f.s.CreatePage(ctx, about))
	if about.ID == 0 || about.Version != 1 || about.PublishedAt.IsZero() || about.CreatedAt.IsZero() {
		t.Fatalf("CreatePage left %+v", about)
	}
	recs, err := f.s.Changes(ctx, last, 10)
	noErr(t, "Changes", err)
	if len(recs) != 1 || !slices.Equal(recs[0].Pages, []int64{about.ID}) || !recs[0].Footer || recs[0].All {
		t.Fatalf("creating a published footer page recorded %+v, want its page and the footer", recs)
	}

	draft := &news.Page{Slug: "ethics", Title: "Ethics", Body: "<p>Draft.</p>", Status: news.StatusDraft, Position: 0, InFooter: true}
	last, _ = f.s.LastChange(ctx)
	noErr(t, "CreatePage(draft)", f.s.CreatePage(ctx, draft))
	if !draft.PublishedAt.IsZero() {
		t.Errorf("a draft has a publication time %v", draft.PublishedAt)
	}
	if recs, _ := f.s.Changes(ctx, last, 10); len(recs) != 0 {
		t.Errorf("a draft nobody sees recorded %+v", recs)
	}
	korean := &news.Page{Slug: "회사-소개", Title: "회사 소개", Body: "<p>소개</p>", Status: news.StatusPublished, Position: 2, Lang: "ko"}
	noErr(t, "CreatePage(Korean)", f.s.CreatePage(ctx, korean))

	got, err := f.s.FindPageBySlug(ctx, "about")
	noErr(t, "FindPageBySlug", err)
	if got.ID != about.ID || got.Title != "About us" || got.Body != body || got.Lang != "en" || !got.InFooter ||
		got.Status != news.StatusPublished || got.Version != 1 || got.Position != 1 {
		t.Errorf("FindPageBySlug = %+v", got)
	}
	sameTime(t, "Page.PublishedAt", got.PublishedAt, about.PublishedAt)
	if got, err := f.s.FindPageBySlug(ctx, "회사-소개"); err != nil || got.ID != korean.ID {
		t.Errorf("FindPageBySlug(Korean) = %v, %v", got, err)
	}
	_, err = f.s.FindPageBySlug(ctx, "missing")
	wantErr(t, "FindPageBySlug(missing)", err, news.ErrNotFound)
	_, err = f.s.FindPageByID(ctx, 99999)
	wantErr(t, "FindPageByID(missing)", err, news.ErrNotFound)

	slugsOf := func(ps []*news.Page) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Slug)
		}
		return out
	}
	all, err := f.s.ListPages(ctx, news.PageFilter{})
	noErr(t, "ListPages", err)
	if want := []string{"ethics", "about", "회사-소개"}; !slices.Equal(slugsOf(all), want) {
		t.Errorf("ListPages = %v, want %v (by position)", slugsOf(all), want)
	}
	pub, err := f.s.ListPages(ctx, news.PageFilter{Published: true})
	noErr(t, "ListPages(published)", err)
	if want := []string{"about", "회사-소개"}; !slices.Equal(slugsOf(pub), want) {
		t.Errorf("ListPages(published) = %v, want %v", slugsOf(pub), want)
	}
	foot, err := f.s.ListPages(ctx, news.PageFilter{Published: true, InFooter: true})
	noErr(t, "ListPages(footer)", err)
	if want := []string{"about"}; !slices.Equal(slugsOf(foot), want) {
		t.Errorf("ListPages(footer) = %v, want %v", slugsOf(foot), want)
	}

	// A slug is one page's.
	err = f.s.CreatePage(ctx, &news.Page{Slug: "about", Title: "Again", Status: news.StatusDraft})
	wantErr(t, "CreatePage(same slug)", err, news.ErrConflict)

	// Body edits purge the page, not the footer; a stale write changes
	// nothing and names the versions.
	stale := *got
	got.Body = "<p>We are an independent daily since 1950.</p>"
	last, _ = f.s.LastChange(ctx)
	noErr(t, "UpdatePage", f.s.UpdatePage(ctx, got))
	if got.Version != 2 {
		t.Errorf("version after update = %d, want 2", got.Version)
	}
	recs, _ = f.s.Changes(ctx, last, 10)
	if len(recs) != 1 || !slices.Equal(recs[0].Pages, []int64{about.ID}) || recs[0].Footer {
		t.Errorf("a body edit recorded %+v, want the page alone", recs)
	}
	stale.Title = "Stale"
	err = f.s.UpdatePage(ctx, &stale)
	wantErr(t, "UpdatePage(stale)", err, news.ErrConflict)
	var ce *news.ConflictError
	if !errors.As(err, &ce) || ce.Kind != "page" || ce.Base != 1 || ce.Current != 2 {
		t.Errorf("stale update: %v, want a page conflict 1 vs 2", err)
	}
	if p, _ := f.s.FindPageByID(ctx, about.ID); p.Title != "About us" || p.Version != 2 {
		t.Errorf("after a stale write the page is %q v%d", p.Title, p.Version)
	}

	// Renaming a footer page moves its footer link.
	got.Title = "About the paper"
	last, _ = f.s.LastChange(ctx)
	noErr(t, "UpdatePage(title)", f.s.UpdatePage(ctx, got))
	if recs, _ := f.s.Changes(ctx, last, 10); len(recs) != 1 || !recs[0].Footer {
		t.Errorf("a footer page's new title recorded %+v, want the footer", recs)
	}
	// Unpublishing: the page and the footer; the first publication time
	// stays.
	firstPub := got.PublishedAt
	got.Status = news.StatusDraft
	last, _ = f.s.LastChange(ctx)
	noErr(t, "UpdatePage(unpublish)", f.s.UpdatePage(ctx, got))
	recs, _ = f.s.Changes(ctx, last, 10)
	if len(recs) != 1 || !slices.Equal(recs[0].Pages, []int64{about.ID}) || !recs[0].Footer {
		t.Errorf("unpublishing recorded %+v", recs)
	}
	if p, _ := f.s.FindPageByID(ctx, about.ID); !p.PublishedAt.Equal(firstPub) || p.Status != news.StatusDraft {
		t.Errorf("unpublished page: %v %v, want draft first published %v", p.Status, p.PublishedAt, firstPub)
	}

	// Bad input: a clear error, nothing stored.
	for name, p := range map[string]*news.Page{
		"no title":       {Slug: "x", Status: news.StatusDraft},
		"bad slug":       {Slug: "Not A Slug", Title: "x", Status: news.StatusDraft},
		"reserved slug":  {Slug: "search", Title: "x", Status: news.StatusDraft},
		"newsroom slug":  {Slug: "newsroom", Title: "x", Status: news.StatusDraft},
		"a year":         {Slug: "2026", Title: "x", Status: news.StatusDraft},
		"unknown status": {Slug: "x", Title: "x", Status: news.StatusScheduled},
		"bad language":   {Slug: "x", Title: "x", Status: news.StatusDraft, Lang: "not a language!"},
		"NUL":            {Slug: "x", Title: "x\x00", Status: news.StatusDraft},
	} {
		err := f.s.CreatePage(ctx, p)
		wantErr(t, "CreatePage("+name+")", err, news.ErrInvalid)
		if news.ErrorMessage(err) == "" {
			t.Errorf("CreatePage(%s): no message", name)
		}
	}
	if all, _ := f.s.ListPages(ctx, news.PageFilter{}); len(all) != 3 {
		t.Errorf("after refused writes there are %d pages, want 3", len(all))
	}

	// In a command: a failure rolls the page back.
	boom := errors.New("boom")
	err = f.s.Update(ctx, func(tx news.Tx) error {
		if err := tx.CreatePage(ctx, &news.Page{Slug: "terms", Title: "Terms", Status: news.StatusPublished}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v", err)
	}
	_, err = f.s.FindPageBySlug(context.Background(), "terms")
	wantErr(t, "FindPageBySlug(rolled back)", err, news.ErrNotFound)

	last, _ = f.s.LastChange(ctx)
	noErr(t, "DeletePage", f.s.DeletePage(ctx, korean.ID))
	if recs, _ := f.s.Changes(ctx, last, 10); len(recs) != 1 || !slices.Equal(recs[0].Pages, []int64{korean.ID}) || recs[0].Footer {
		t.Errorf("deleting a published page out of the footer recorded %+v", recs)
	}
	_, err = f.s.FindPageByID(ctx, korean.ID)
	wantErr(t, "FindPageByID(deleted)", err, news.ErrNotFound)
	wantErr(t, "DeletePage(again)", f.s.DeletePage(ctx, korean.ID), news.ErrNotFound)
}

// testMessages: the newsroom's inbox of reader messages: validated, newest
// first, closed by an editor, and invisible to readers (no change).
func testMessages(t *testing.T, open func(t *testing.T) news.Store) {
	f := newFixture(t, open)
	ctx := f.ctx
	last, _ := f.s.LastChange(ctx)
	m1 := &news.ReaderMessage{Kind: news.MessageContact, Name: "김 독자", Email: "reader@example.com", Text: "안녕하세요, a question.", ClientKey: "k1", CreatedAt: T0}
	noErr(t, "AddMessage", f.s.AddMessage(ctx, m1))
	m2 := &news.ReaderMessage{Kind: news.MessageError, URL: "/2026/03/22/story", Text: "The date is wrong.", CreatedAt: T0.Add(time.Minute)}
	noErr(t, "AddMessage(error)", f.s.AddMessage(ctx, m2))
	if m1.ID == 0 || m2.ID <= m1.ID {
		t.Fatalf("ids %d %d", m1.ID, m2.ID)
	}
	if now, _ := f.s.LastChange(ctx); now != last {
		t.Errorf("a reader message recorded a change (%d → %d)", last, now)
	}
	list, err := f.s.ListMessages(ctx, news.MessageFilter{})
	noErr(t, "ListMessages", err)
	if len(list) != 2 || list[0].ID != m2.ID || list[1].Name != "김 독자" || list[1].Email != "reader@example.com" ||
		list[0].URL != "/2026/03/22/story" || list[0].Kind != news.MessageError || list[1].ClientKey != "k1" {
		t.Fatalf("ListMessages = %+v", list)
	}
	sameTime(t, "ReaderMessage.CreatedAt", list[1].CreatedAt, T0)
	if n, err := f.s.CountOpenMessages(ctx); err != nil || n != 2 {
		t.Errorf("CountOpenMessages = %d, %v", n, err)
	}
	noErr(t, "HandleMessage", f.s.HandleMessage(ctx, m1.ID, 7, T0.Add(time.Hour)))
	open1, _ := f.s.ListMessages(ctx, news.MessageFilter{Open: true})
	if len(open1) != 1 || open1[0].ID != m2.ID {
		t.Errorf("open messages after handling one: %+v", open1)
	}
	all, _ := f.s.ListMessages(ctx, news.MessageFilter{})
	if all[1].HandledBy != 7 || all[1].HandledAt.IsZero() {
		t.Errorf("handled message: %+v", all[1])
	}
	wantErr(t, "HandleMessage(missing)", f.s.HandleMessage(ctx, 99999, 7, T0), news.ErrNotFound)
	for name, m := range map[string]*news.ReaderMessage{
		"no text":     {Kind: news.MessageContact, Text: "  "},
		"no kind":     {Text: "x"},
		"bad e-mail":  {Kind: news.MessageContact, Text: "x", Email: "not an address"},
		"bad address": {Kind: news.MessageError, Text: "x", URL: "javascript:alert(1)"},
		"too long":    {Kind: news.MessageContact, Text: strings.Repeat("가", news.MaxMessageText+1)},
	} {
		wantErr(t, "AddMessage("+name+")", f.s.AddMessage(ctx, m), news.ErrInvalid)
	}
	if n, _ := f.s.CountOpenMessages(ctx); n != 1 {
		t.Errorf("refused messages were stored: %d open", n)
	}
}
