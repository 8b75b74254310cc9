package workflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"masthead/internal/news"
)

// EmbargoKey is the setting listing when pending embargoes end: a JSON
// array of RFC 3339 times, ascending. The stores hide embargoed stories by
// themselves (ArticleFilter.PublicAt); this list only tells the Scheduler
// when to bump the generation so that cached pages drop and the story
// appears on time.
const EmbargoKey = "workflow.embargo_ends"

// NoteEmbargo adds the end t of an embargo to the list the Scheduler
// watches. Past or zero times are ignored.
func NoteEmbargo(ctx context.Context, st news.Store, t, now time.Time) error {
	if t.IsZero() || !t.After(now) {
		return nil
	}
	ends, err := embargoEnds(ctx, st)
	if err != nil {
		return err
	}
	t = t.UTC().Truncate(time.Second)
	if !slices.ContainsFunc(ends, t.Equal) {
		ends = append(ends, t)
	}
	return putEmbargoEnds(ctx, st, ends)
}

func embargoEnds(ctx context.Context, st news.Store) ([]time.Time, error) {
	v, err := st.GetSetting(ctx, EmbargoKey)
	if errors.Is(err, news.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("get embargo list: %w", err)
	}
	var ends []time.Time
	if err := json.Unmarshal([]byte(v), &ends); err != nil {
		// A damaged list is rebuilt at the next start; do not stop on it.
		return nil, nil
	}
	return ends, nil
}

func putEmbargoEnds(ctx context.Context, st news.Store, ends []time.Time) error {
	slices.SortFunc(ends, func(a, b time.Time) int { return a.Compare(b) })
	if ends == nil {
		ends = []time.Time{}
	}
	b, _ := json.Marshal(ends)
	if err := st.PutSetting(ctx, EmbargoKey, string(b)); err != nil {
		return fmt.Errorf("put embargo list: %w", err)
	}
	return nil
}

// Scheduler publishes scheduled stories when their time comes and drops
// caches when embargoes end. Run it in one goroutine per process; several
// processes on one database are safe (a story is re-read before it is
// flipped), though two of them racing on the same instant may each record a
// "published" revision.
type Scheduler struct {
	Store  news.Store
	Clock  news.Clock
	Logger *slog.Logger
	// Interval between checks; 250 ms keeps publication within a second
	// of its time. DueScheduled is one indexed query, so this is cheap.
	Interval time.Duration

	mu        sync.Mutex // one PublishDue at a time in this process
	sweepMu   sync.Mutex
	lastSweep time.Time
}

// NewScheduler returns a Scheduler ticking every 250 ms.
func NewScheduler(st news.Store, clock news.Clock, log *slog.Logger) *Scheduler {
	if clock == nil {
		clock = news.SystemClock{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Scheduler{Store: st, Clock: clock, Logger: log, Interval: 250 * time.Millisecond}
}

// PublishDue publishes every scheduled story whose time has come, including
// those missed while no scheduler ran, and returns how many it published.
// Each story is re-read and flipped only if it is still scheduled and due,
// so calling PublishDue again publishes nothing twice.
func (s *Scheduler) PublishDue(ctx context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Clock.Now()
	due, err := s.Store.DueScheduled(ctx, now)
	if err != nil {
		return 0, fmt.Errorf("due scheduled: %w", err)
	}
	n := 0
	for _, d := range due {
		a, err := s.Store.FindArticleByID(ctx, d.ID)
		if errors.Is(err, news.ErrNotFound) {
			continue
		} else if err != nil {
			return n, fmt.Errorf("reread %d: %w", d.ID, err)
		}
		if a.Status != news.StatusScheduled || a.PublishedAt.After(now) {
			continue // someone withdrew, rescheduled or published it meanwhile
		}
		a.Status = news.StatusPublished
		// The story went live at its scheduled time, even if this process
		// only noticed later (it was down): that time is its date and URL.
		a.UpdatedAt = a.PublishedAt
		if err := s.Store.UpdateArticle(ctx, a); err != nil {
			return n, fmt.Errorf("publish %d: %w", a.ID, err)
		}
		n++
		late := now.Sub(a.PublishedAt).Round(time.Millisecond)
		_ = s.Store.CreateRevision(ctx, &news.Revision{
			ArticleID: a.ID, Headline: a.Headline, Deck: a.Deck, BodyMarkdown: a.BodyMarkdown,
			BodyHTML: a.BodyHTML, Note: "published (scheduled)", CreatedAt: now,
		})
		_ = Audit(ctx, s.Store, s.Clock, nil, "publish", a.ID, "scheduled for "+a.PublishedAt.Format(time.RFC3339))
		s.Logger.InfoContext(ctx, "scheduled story published", "article_id", a.ID, "slug", a.Slug, "late", late.String())
	}
	if n > 0 {
		if err := s.Store.BumpGeneration(ctx); err != nil {
			return n, fmt.Errorf("bump generation: %w", err)
		}
	}
	return n, nil
}

// EndEmbargoes bumps the generation when a noted embargo has ended and
// reports whether it did.
func (s *Scheduler) EndEmbargoes(ctx context.Context) (bool, error) {
	ends, err := embargoEnds(ctx, s.Store)
	if err != nil || len(ends) == 0 {
		return false, err
	}
	now := s.Clock.Now()
	var left []time.Time
	for _, t := range ends {
		if t.After(now) {
			left = append(left, t)
		}
	}
	if len(left) == len(ends) {
		return false, nil
	}
	if err := s.Store.BumpGeneration(ctx); err != nil {
		return false, fmt.Errorf("bump generation: %w", err)
	}
	s.Logger.InfoContext(ctx, "embargo ended", "count", len(ends)-len(left))
	return true, putEmbargoEnds(ctx, s.Store, left)
}

// sweepEmbargoes rebuilds the embargo list from the stories themselves, so
// embargoes set by other tools (the importer) or lost with a damaged
// setting are watched too. It looks at stories published in the last 90
// days; an embargo on an older story is not a thing a newsroom does.
func (s *Scheduler) sweepEmbargoes(ctx context.Context) error {
	now := s.Clock.Now()
	var found []time.Time
	for off := 0; ; off += 500 {
		as, _, err := s.Store.FindArticles(ctx, news.ArticleFilter{
			Status: news.StatusPublished, PublishedFrom: now.AddDate(0, 0, -90), Order: "newest", Offset: off, Limit: 500,
		})
		if err != nil {
			return fmt.Errorf("sweep embargoes: %w", err)
		}
		for _, a := range as {
			if a.EmbargoUntil.After(now) {
				found = append(found, a.EmbargoUntil.UTC().Truncate(time.Second))
			}
		}
		if len(as) < 500 {
			break
		}
	}
	ends, err := embargoEnds(ctx, s.Store)
	if err != nil {
		return err
	}
	changed := false
	for _, t := range found {
		if !slices.ContainsFunc(ends, t.Equal) {
			ends = append(ends, t)
			changed = true
		}
	}
	if changed {
		return putEmbargoEnds(ctx, s.Store, ends)
	}
	return nil
}

// Tick does one round of the scheduler's work: publish what is due and end
// what embargoes have ended. Run calls it; tests and one-shot commands may
// too.
func (s *Scheduler) Tick(ctx context.Context) error {
	_, err1 := s.PublishDue(ctx)
	_, err2 := s.EndEmbargoes(ctx)
	// Expired sessions are swept hourly: housekeeping that fits no better
	// place, and harmless to run on several nodes.
	s.sweepMu.Lock()
	defer s.sweepMu.Unlock()
	if now := s.Clock.Now(); now.Sub(s.lastSweep) >= time.Hour {
		s.lastSweep = now
		if err := s.Store.DeleteExpiredSessions(ctx, now); err != nil {
			s.Logger.WarnContext(ctx, "delete expired sessions", "err", err)
		}
	}
	return errors.Join(err1, err2)
}

// Leader is a store that can elect one node of many for a job.
type Leader interface {
	TryLeader(ctx context.Context, name string) (release func(), ok bool, err error)
}

// lead blocks until this node leads the "scheduler" job or ctx ends.
func (s *Scheduler) lead(ctx context.Context, l Leader) (func(), bool) {
	for logged := false; ; {
		release, ok, err := l.TryLeader(ctx, "scheduler")
		if ok {
			s.Logger.InfoContext(ctx, "scheduler: this node publishes scheduled stories")
			return release, true
		}
		if err != nil {
			s.Logger.WarnContext(ctx, "scheduler: leader election", "err", err)
		} else if !logged {
			s.Logger.InfoContext(ctx, "scheduler: another node publishes scheduled stories; standing by")
			logged = true
		}
		select {
		case <-ctx.Done():
			return nil, false
		case <-time.After(5 * time.Second):
		}
	}
}

// Run publishes what was missed while the server was down, then checks
// every Interval until ctx ends. Errors are logged and retried next tick
// (a locked or briefly unreachable database must not stop publication).
//
// When the store can elect a leader (Leader: the PostgreSQL store), Run
// first waits to be the one node that schedules, so several nodes on one
// database do not race to publish the same story.
func (s *Scheduler) Run(ctx context.Context) {
	if l, ok := s.Store.(Leader); ok {
		release, ok := s.lead(ctx, l)
		if !ok {
			return
		}
		defer release()
	}
	if err := s.sweepEmbargoes(ctx); err != nil {
		s.Logger.ErrorContext(ctx, "scheduler", "err", err)
	}
	if err := s.Tick(ctx); err != nil && ctx.Err() == nil {
		s.Logger.ErrorContext(ctx, "scheduler", "err", err)
	}
	iv := s.Interval
	if iv <= 0 {
		iv = 250 * time.Millisecond
	}
	t := time.NewTicker(iv)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.Tick(ctx); err != nil && ctx.Err() == nil {
				s.Logger.ErrorContext(ctx, "scheduler", "err", err)
			}
		}
	}
}
