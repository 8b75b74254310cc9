package comments_test

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"masthead/internal/comments"
	"masthead/internal/news"
	"masthead/internal/store/sqlite"
)

// TestPolicy walks Decide's rules on a real store: refusals first, then
// what holds a comment and what publishes it.
func TestPolicy(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	clock := news.NewFixedClock(now)
	sec := &news.Section{Slug: "politics", Name: "Politics"}
	if err := st.CreateSection(ctx, sec); err != nil {
		t.Fatal(err)
	}
	a := &news.Article{Slug: "p", Headline: "P", Lang: "en", Status: news.StatusPublished, PublishedAt: now.Add(-time.Hour), SectionID: sec.ID}
	if err := st.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	p := &comments.Policy{Store: st, Clock: clock}
	reader, _ := st.EnsureReader(ctx, "r@example.org")
	decide := func(body string) (*news.Comment, error) {
		c := &news.Comment{ArticleID: a.ID, ReaderID: reader.ID, Body: body, CreatedAt: clock.Now()}
		return c, p.Decide(ctx, a, reader, c, false)
	}
	post := func(body string) *news.Comment {
		t.Helper()
		c, err := decide(body)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.CreateComment(ctx, c); err != nil {
			t.Fatal(err)
		}
		return c
	}

	if _, err := decide("  \n "); !errors.Is(err, comments.ErrEmpty) {
		t.Errorf("empty: %v", err)
	}
	if _, err := decide(strings.Repeat("가", comments.MaxRunes+1)); !errors.Is(err, comments.ErrTooLong) {
		t.Errorf("too long: %v", err)
	}
	first := post("A first, thoughtful comment.")
	if first.Status != news.CommentPending {
		t.Errorf("a first comment is %s, want held", first.Status)
	}
	first.Status = news.CommentApproved
	_ = st.UpdateComment(ctx, first)
	if c := post("A second one, published at once."); c.Status != news.CommentApproved {
		t.Errorf("a trusted reader's comment is %s", c.Status)
	}
	if c, _ := decide("Buy now at our casino https://spam.example/a https://spam.example/b"); c.Status != news.CommentSpam || c.SpamScore < comments.SpamThreshold {
		t.Errorf("spam: %s, score %.2f", c.Status, c.SpamScore)
	}
	_ = st.PutSetting(ctx, comments.KeyBlocked, "idiot, fake news")
	if c, _ := decide("What FAKE  news!"); c.Status != news.CommentPending {
		t.Errorf("a blocked phrase: %s, want held", c.Status)
	}
	if c, _ := decide("Fakery is not a blocked word."); c.Status != news.CommentApproved {
		t.Errorf("a word containing a blocked word: %s", c.Status)
	}
	_ = st.PutSetting(ctx, comments.KeyModeSection+strconv.FormatInt(sec.ID, 10), "pre")
	if c, _ := decide("Pre-moderated section."); c.Status != news.CommentPending {
		t.Errorf("pre-moderated section: %s", c.Status)
	}
	_ = st.PutSetting(ctx, comments.KeyModeSection+strconv.FormatInt(sec.ID, 10), "post")
	reader.ShadowBanned = true
	if c, _ := decide("Shadow."); c.Status != news.CommentApproved || !c.Shadow {
		t.Errorf("shadow-banned: %s shadow=%v", c.Status, c.Shadow)
	}
	reader.ShadowBanned, reader.Banned = false, true
	if _, err := decide("Banned."); !errors.Is(err, comments.ErrBanned) {
		t.Errorf("banned: %v", err)
	}
	reader.Banned = false
	// Rate: three in ten minutes (the setting), then a refusal.
	_ = st.PutSetting(ctx, comments.KeyRate, "3")
	post("three")
	if _, err := decide("four"); !errors.Is(err, comments.ErrTooFast) {
		t.Errorf("over the rate: %v", err)
	}
	clock.Add(11 * time.Minute)
	if _, err := decide("later"); err != nil {
		t.Errorf("after ten minutes: %v", err)
	}
	// Edits: 5 minutes, own comments only.
	other, _ := st.EnsureReader(ctx, "o@example.org")
	c := &news.Comment{ReaderID: reader.ID, CreatedAt: clock.Now().Add(-4 * time.Minute), Status: news.CommentApproved}
	if err := p.CanEdit(reader, c); err != nil {
		t.Errorf("edit at 4 min: %v", err)
	}
	if err := p.CanEdit(other, c); !errors.Is(err, comments.ErrNotYours) {
		t.Errorf("someone else's: %v", err)
	}
	c.CreatedAt = clock.Now().Add(-6 * time.Minute)
	if err := p.CanEdit(reader, c); !errors.Is(err, comments.ErrTooLate) {
		t.Errorf("edit at 6 min: %v", err)
	}
	// Closing: by an editor, and after the paper's days.
	_ = st.SetCommentsClosed(ctx, a.ID, true)
	if _, err := decide("closed"); !errors.Is(err, comments.ErrClosed) {
		t.Errorf("closed thread: %v", err)
	}
	_ = st.SetCommentsClosed(ctx, a.ID, false)
	_ = st.PutSetting(ctx, comments.KeyCloseDays, "2")
	clock.Add(49 * time.Hour)
	if _, err := decide("old story"); !errors.Is(err, comments.ErrClosed) {
		t.Errorf("after 2 days: %v", err)
	}
}
