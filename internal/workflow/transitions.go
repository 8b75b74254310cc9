package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

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

// move runs act on story id in one transaction: the story is read (and
// locked), u's right to act and the move from its status are checked, then
// fn changes it; move writes it, with a revision when note is not empty and
// an audit entry.
func (s *Service) move(ctx context.Context, u *news.User, id int64, act Action, note string, fn func(tx news.Tx, a *news.Article) (detail string, err error)) error {
	return s.Store.Update(ctx, func(tx news.Tx) error {
		a, err := tx.FindArticleByID(ctx, id)
		if err != nil {
			return err
		}
		if err := check(u, act, a); err != nil {
			return err
		}
		if !CanMove(act, a.Status) {
			return news.Errorf(news.EINVALID, "A %s story cannot be %s.", a.Status, pastTense[act])
		}
		detail, err := fn(tx, a)
		if err != nil {
			return err
		}
		if err := tx.UpdateArticle(ctx, a); err != nil {
			return fmt.Errorf("%s: %w", act, err)
		}
		if note != "" {
			if err := tx.CreateRevision(ctx, news.RevisionOf(a, u.ID, note, s.Clock.Now())); err != nil {
				return fmt.Errorf("create revision: %w", err)
			}
		}
		if err := Audit(ctx, tx, s.Clock, u, auditAction[act], a.ID, detail); err != nil {
			return err
		}
		return within(ctx, tx, a.ID)
	})
}

var auditAction = map[Action]string{
	ActSubmit: "submit", ActWithdraw: "draft", ActPublish: "publish", ActSchedule: "schedule", ActUnpublish: "unpublish",
}

// reviewed refuses to publish or schedule a story whose editable fields
// changed after version, the one the editor reviewed (0: none named, for
// the command line and the API).
func reviewed(ctx context.Context, tx news.Tx, a *news.Article, version int64, refused string) error {
	if version == 0 || version == a.Version {
		return nil
	}
	ce := &news.ConflictError{Kind: "article", ID: a.ID, Base: version, Current: a.Version, Refused: refused}
	r, err := tx.FindRevisionAt(ctx, a.ID, version)
	switch {
	case errors.Is(err, news.ErrNotFound):
		ce.Fields = []string{"story"}
	case err != nil:
		return err
	default:
		ce.Fields = news.DiffFields(r.StoryFields, a.Fields())
	}
	if len(ce.Fields) == 0 {
		return nil // only its status or corrections moved
	}
	if err := whoChanged(ctx, tx, ce); err != nil {
		return err
	}
	return ce
}

var pastTense = map[Action]string{
	ActSubmit: "submitted for review", ActWithdraw: "moved back to draft", ActPublish: "published",
	ActSchedule: "scheduled", ActUnpublish: "unpublished", ActCorrect: "corrected",
}

// ReadyToPublish says what keeps a from going live, or nil: a headline, a
// body, and a lead photo's caption, credit and alt text.
func (s *Service) ReadyToPublish(ctx context.Context, st news.PhotoReader, a *news.Article) error {
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
			if p, err = st.FindPhotoByID(ctx, a.PhotoID); err != nil {
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
	return s.move(ctx, u, id, ActSubmit, "", func(tx news.Tx, a *news.Article) (string, error) {
		a.Status = news.StatusReview
		return "", nil
	})
}

// Withdraw moves a story in review, scheduled or unpublished back to draft.
// A scheduled story forgets its planned time.
func (s *Service) Withdraw(ctx context.Context, u *news.User, id int64) error {
	return s.move(ctx, u, id, ActWithdraw, "", func(tx news.Tx, a *news.Article) (string, error) {
		if a.Status == news.StatusScheduled {
			a.PublishedAt = time.Time{}
		}
		prev := a.Status
		a.Status = news.StatusDraft
		return "from " + string(prev), nil
	})
}

// Publish puts a story live now. A story published before (then
// unpublished) keeps its first publication time and so its URL. version is
// the version the editor reviewed: if the story's text changed after it,
// it must be reviewed again (a *news.ConflictError); 0 names none.
func (s *Service) Publish(ctx context.Context, u *news.User, id, version int64) error {
	return s.move(ctx, u, id, ActPublish, "published", func(tx news.Tx, a *news.Article) (string, error) {
		if err := reviewed(ctx, tx, a, version, "published"); err != nil {
			return "", err
		}
		if err := s.ReadyToPublish(ctx, tx, a); err != nil {
			return "", err
		}
		now := s.Clock.Now()
		if a.PublishedAt.IsZero() || a.PublishedAt.After(now) {
			a.PublishedAt = now
		}
		a.Status = news.StatusPublished
		a.UpdatedAt = now
		return "", nil
	})
}

// Schedule sets a story to go live at t (which must be in the future);
// the Scheduler publishes it then. version is as for Publish.
func (s *Service) Schedule(ctx context.Context, u *news.User, id int64, t time.Time, version int64) error {
	return s.move(ctx, u, id, ActSchedule, "", func(tx news.Tx, a *news.Article) (string, error) {
		now := s.Clock.Now()
		if t.IsZero() {
			return "", news.Errorf(news.EINVALID, "Pick a date and time to publish at.")
		}
		if !t.After(now) {
			return "", news.Errorf(news.EINVALID, "The publication time %s has passed; publish now instead.", t.Format("2006-01-02 15:04 MST"))
		}
		if t.After(now.AddDate(2, 0, 0)) {
			return "", news.Errorf(news.EINVALID, "Stories can be scheduled at most two years ahead.")
		}
		if err := reviewed(ctx, tx, a, version, "scheduled"); err != nil {
			return "", err
		}
		if err := s.ReadyToPublish(ctx, tx, a); err != nil {
			return "", err
		}
		// The stores keep microseconds, the form whole minutes: a whole
		// second, so 12:00:00.7 cannot look due early (or late) to
		// another node.
		a.PublishedAt = t.UTC().Truncate(time.Second)
		a.Status = news.StatusScheduled
		return "at " + a.PublishedAt.Format(time.RFC3339), nil
	})
}

// Unpublish takes a published story off the site.
func (s *Service) Unpublish(ctx context.Context, u *news.User, id int64) error {
	return s.move(ctx, u, id, ActUnpublish, "", func(tx news.Tx, a *news.Article) (string, error) {
		a.Status = news.StatusUnpublished
		return "", nil
	})
}

// Restore makes revision revID the story's text again (headline, deck,
// body), as a new revision: history only grows.
func (s *Service) Restore(ctx context.Context, u *news.User, id, revID int64) (*news.Article, error) {
	var out *news.Article
	err := s.Store.Update(ctx, func(tx news.Tx) error {
		a, err := tx.FindArticleByID(ctx, id)
		if err != nil {
			return err
		}
		if err := check(u, ActEdit, a); err != nil {
			return err
		}
		r, err := tx.FindRevisionByID(ctx, revID)
		if err != nil {
			return err
		}
		if r.ArticleID != a.ID {
			return news.Errorf(news.ENOTFOUND, "No such revision of this story.")
		}
		a.Headline, a.Deck, a.BodyMarkdown = r.Headline, r.Deck, r.BodyMarkdown
		if r.BodyMarkdown != "" {
			if a.BodyHTML, err = RenderBody(r.BodyMarkdown); err != nil {
				return err
			}
		} else {
			// An imported revision: its HTML was sanitized when stored,
			// and is sanitized again in case it came from an older policy.
			a.BodyHTML = content.Sanitize(r.BodyHTML)
		}
		now := s.Clock.Now()
		a.UpdatedAt = now
		if err := tx.UpdateArticle(ctx, a); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		note := fmt.Sprintf("restored revision %d", r.ID)
		if err := tx.CreateRevision(ctx, news.RevisionOf(a, u.ID, note, now)); err != nil {
			return fmt.Errorf("create revision: %w", err)
		}
		if err := Audit(ctx, tx, s.Clock, u, "restore", a.ID, note); err != nil {
			return err
		}
		out = a
		return nil
	})
	return out, err
}

// AddCorrection appends a dated note to a published story in one
// transaction: a revision marks the state the note refers to, the note is
// stored (which moves the story's version and updated time), and the audit
// log says who did it.
func (s *Service) AddCorrection(ctx context.Context, u *news.User, id int64, kind news.CorrectionKind, text string) (*news.Correction, error) {
	c := &news.Correction{ArticleID: id, Kind: kind, Text: strings.TrimSpace(text)}
	err := s.Store.Update(ctx, func(tx news.Tx) error {
		a, err := tx.FindArticleByID(ctx, id)
		if err != nil {
			return err
		}
		if err := check(u, ActCorrect, a); err != nil {
			return err
		}
		if !CanMove(ActCorrect, a.Status) {
			return news.Errorf(news.EINVALID, "A %s story cannot be %s.", a.Status, pastTense[ActCorrect])
		}
		if err := news.ValidateCorrection(c); err != nil {
			return err
		}
		now := s.Clock.Now()
		// The revision records the version the correction makes.
		r := news.RevisionOf(a, u.ID, string(kind), now)
		r.Version = a.Version + 1
		if err := tx.CreateRevision(ctx, r); err != nil {
			return fmt.Errorf("create revision: %w", err)
		}
		c.CreatedAt, c.RevisionID = now, r.ID
		if err := tx.AddCorrection(ctx, c); err != nil {
			return fmt.Errorf("add correction: %w", err)
		}
		if err := Audit(ctx, tx, s.Clock, u, "correct", a.ID, string(kind)+": "+c.Text); err != nil {
			return err
		}
		return within(ctx, tx, a.ID)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}
