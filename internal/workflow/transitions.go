package workflow

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"masthead/internal/content"
	"masthead/internal/news"
)

// from lists the statuses each move starts from.
var from = map[Action][]news.Status{
	ActSubmit:    {news.StatusDraft},
	ActWithdraw:  {news.StatusReview, news.StatusScheduled, news.StatusUnpublished},
	ActPublish:   {news.StatusDraft, news.StatusReview, news.StatusScheduled, news.StatusUnpublished},
	ActSchedule:  {news.StatusDraft, news.StatusReview, news.StatusScheduled, news.StatusUnpublished},
	ActUnpublish: {news.StatusPublished},
	ActCorrect:   {news.StatusPublished},
}

// CanMove reports whether act may start from status st.
func CanMove(act Action, st news.Status) bool {
	for _, s := range from[act] {
		if s == st {
			return true
		}
	}
	return false
}

// load finds story id and checks that u may do act to it now.
func (s *Service) load(ctx context.Context, u *news.User, id int64, act Action) (*news.Article, error) {
	a, err := s.Store.FindArticleByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := check(u, act, a); err != nil {
		return nil, err
	}
	if !CanMove(act, a.Status) {
		return nil, news.Errorf(news.EINVALID, "A %s story cannot be %s.", a.Status, pastTense[act])
	}
	return a, nil
}

var pastTense = map[Action]string{
	ActSubmit: "submitted for review", ActWithdraw: "moved back to draft", ActPublish: "published",
	ActSchedule: "scheduled", ActUnpublish: "unpublished", ActCorrect: "corrected",
}

// ReadyToPublish says what keeps a from going live, or nil: a headline, a
// body, and a lead photo's caption, credit and alt text.
func (s *Service) ReadyToPublish(ctx context.Context, a *news.Article) error {
	if strings.TrimSpace(a.Headline) == "" {
		return news.Errorf(news.EINVALID, "A headline is required before publishing.")
	}
	if strings.TrimSpace(a.BodyHTML) == "" {
		return news.Errorf(news.EINVALID, "The story has no body.")
	}
	if a.PhotoID != 0 {
		p := a.Photo
		if p == nil || p.ID != a.PhotoID {
			var err error
			if p, err = s.Store.FindPhotoByID(ctx, a.PhotoID); err != nil {
				return fmt.Errorf("find photo: %w", err)
			}
		}
		var missing []string
		if strings.TrimSpace(p.Caption) == "" {
			missing = append(missing, "caption")
		}
		if strings.TrimSpace(p.Credit) == "" {
			missing = append(missing, "credit")
		}
		if strings.TrimSpace(p.Alt) == "" {
			missing = append(missing, "alt text")
		}
		if len(missing) > 0 {
			return news.Errorf(news.EINVALID, "The lead photo needs a %s before the story can be published.", strings.Join(missing, ", "))
		}
	}
	return nil
}

// Submit sends a draft to the editors.
func (s *Service) Submit(ctx context.Context, u *news.User, id int64) error {
	a, err := s.load(ctx, u, id, ActSubmit)
	if err != nil {
		return err
	}
	a.Status = news.StatusReview
	if err := s.Store.UpdateArticle(ctx, a); err != nil {
		return fmt.Errorf("submit: %w", err)
	}
	s.audit(ctx, u, "submit", a.ID, "")
	return nil
}

// Withdraw moves a story in review, scheduled or unpublished back to draft.
// A scheduled story forgets its planned time.
func (s *Service) Withdraw(ctx context.Context, u *news.User, id int64) error {
	a, err := s.load(ctx, u, id, ActWithdraw)
	if err != nil {
		return err
	}
	if a.Status == news.StatusScheduled {
		a.PublishedAt = time.Time{}
	}
	prev := a.Status
	a.Status = news.StatusDraft
	if err := s.Store.UpdateArticle(ctx, a); err != nil {
		return fmt.Errorf("withdraw: %w", err)
	}
	s.audit(ctx, u, "draft", a.ID, "from "+string(prev))
	return nil
}

// Publish puts a story live now. A story published before (then
// unpublished) keeps its first publication time and so its URL.
func (s *Service) Publish(ctx context.Context, u *news.User, id int64) error {
	a, err := s.load(ctx, u, id, ActPublish)
	if err != nil {
		return err
	}
	if err := s.ReadyToPublish(ctx, a); err != nil {
		return err
	}
	now := s.Clock.Now()
	if a.PublishedAt.IsZero() || a.PublishedAt.After(now) {
		a.PublishedAt = now
	}
	a.Status = news.StatusPublished
	a.UpdatedAt = now
	if err := s.Store.UpdateArticle(ctx, a); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if err := s.revision(ctx, u, a, "published"); err != nil {
		return err
	}
	s.audit(ctx, u, "publish", a.ID, "")
	return nil
}

// Schedule sets a story to go live at t (which must be in the future);
// the Scheduler publishes it then.
func (s *Service) Schedule(ctx context.Context, u *news.User, id int64, t time.Time) error {
	a, err := s.load(ctx, u, id, ActSchedule)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	if t.IsZero() {
		return news.Errorf(news.EINVALID, "Pick a date and time to publish at.")
	}
	if !t.After(now) {
		return news.Errorf(news.EINVALID, "The publication time %s has passed; publish now instead.", t.Format("2006-01-02 15:04 MST"))
	}
	if t.After(now.AddDate(2, 0, 0)) {
		return news.Errorf(news.EINVALID, "Stories can be scheduled at most two years ahead.")
	}
	if err := s.ReadyToPublish(ctx, a); err != nil {
		return err
	}
	// The stores keep whole seconds; scheduling at 12:00:00.7 must not
	// come back as 12:00:00 and look due early (or late) to another node.
	a.PublishedAt = t.UTC().Truncate(time.Second)
	a.Status = news.StatusScheduled
	if err := s.Store.UpdateArticle(ctx, a); err != nil {
		return fmt.Errorf("schedule: %w", err)
	}
	s.audit(ctx, u, "schedule", a.ID, "at "+a.PublishedAt.Format(time.RFC3339))
	return nil
}

// Unpublish takes a published story off the site.
func (s *Service) Unpublish(ctx context.Context, u *news.User, id int64) error {
	a, err := s.load(ctx, u, id, ActUnpublish)
	if err != nil {
		return err
	}
	a.Status = news.StatusUnpublished
	if err := s.Store.UpdateArticle(ctx, a); err != nil {
		return fmt.Errorf("unpublish: %w", err)
	}
	s.audit(ctx, u, "unpublish", a.ID, "")
	return nil
}

// Restore makes revision revID the story's text again (headline, deck,
// body), as a new revision: history only grows.
func (s *Service) Restore(ctx context.Context, u *news.User, id, revID int64) (*news.Article, error) {
	a, err := s.Store.FindArticleByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := check(u, ActEdit, a); err != nil {
		return nil, err
	}
	r, err := s.Store.FindRevisionByID(ctx, revID)
	if err != nil {
		return nil, err
	}
	if r.ArticleID != a.ID {
		return nil, news.Errorf(news.ENOTFOUND, "No such revision of this story.")
	}
	a.Headline, a.Deck, a.BodyMarkdown = r.Headline, r.Deck, r.BodyMarkdown
	if r.BodyMarkdown != "" {
		if a.BodyHTML, err = RenderBody(r.BodyMarkdown); err != nil {
			return nil, err
		}
	} else {
		// An imported revision: its HTML was sanitized when stored, and
		// is sanitized again in case it came from an older policy.
		a.BodyHTML = content.Sanitize(r.BodyHTML)
	}
	a.UpdatedAt = s.Clock.Now()
	if err := s.Store.UpdateArticle(ctx, a); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	note := fmt.Sprintf("restored revision %d", r.ID)
	if err := s.revision(ctx, u, a, note); err != nil {
		return nil, err
	}
	s.audit(ctx, u, "restore", a.ID, note)
	return a, nil
}

// AddCorrection appends a dated note to a published story: the story's
// updated time moves, a revision marks the state the note refers to, and
// the audit log says who did it.
func (s *Service) AddCorrection(ctx context.Context, u *news.User, id int64, kind news.CorrectionKind, text string) (*news.Correction, error) {
	a, err := s.load(ctx, u, id, ActCorrect)
	if err != nil {
		return nil, err
	}
	text = strings.TrimSpace(text)
	switch kind {
	case news.KindCorrection, news.KindClarification, news.KindUpdate:
	default:
		return nil, news.Errorf(news.EINVALID, "Pick a kind: correction, clarification or update.")
	}
	if text == "" {
		return nil, news.Errorf(news.EINVALID, "The note needs a text.")
	}
	if utf8.RuneCountInString(text) > 2000 || !utf8.ValidString(text) {
		return nil, news.Errorf(news.EINVALID, "The note is at most 2000 characters of text.")
	}
	now := s.Clock.Now()
	r := &news.Revision{
		ArticleID: a.ID, UserID: u.ID, Headline: a.Headline, Deck: a.Deck,
		BodyMarkdown: a.BodyMarkdown, BodyHTML: a.BodyHTML, Note: string(kind), CreatedAt: now,
	}
	if err := s.Store.CreateRevision(ctx, r); err != nil {
		return nil, fmt.Errorf("create revision: %w", err)
	}
	c := &news.Correction{ArticleID: a.ID, Kind: kind, Text: text, CreatedAt: now, RevisionID: r.ID}
	if err := s.Store.AddCorrection(ctx, c); err != nil {
		return nil, fmt.Errorf("add correction: %w", err)
	}
	a.UpdatedAt = now
	a.Corrections = append(a.Corrections, *c)
	if err := s.Store.UpdateArticle(ctx, a); err != nil {
		return nil, fmt.Errorf("correct: %w", err)
	}
	s.audit(ctx, u, "correct", a.ID, string(kind)+": "+text)
	return c, nil
}
