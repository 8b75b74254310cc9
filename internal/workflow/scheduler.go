package workflow

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"time"

	"masthead/internal/news"
)

// EmbargoKey is the setting listing when pending embargoes end: a JSON
// array of RFC 3339 times, ascending. The stores hide embargoed stories by
// themselves (ArticleFilter.PublicAt); this list only tells the Scheduler
// when to announce the stories whose embargo ends, so cached pages drop and
// they appear on time.
const EmbargoKey = "workflow.embargo_ends"

// settings is what the embargo list needs.
type settings interface {
	news.SettingReader
	news.SettingWriter
}

// NoteEmbargo adds the end t of an embargo to the list the Scheduler
// watches. Past or zero times are ignored.
func NoteEmbargo(ctx context.Context, st settings, t, now time.Time) error {
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

func embargoEnds(ctx context.Context, st news.SettingReader) ([]time.Time, error) {
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

func putEmbargoEnds(ctx context.Context, st news.SettingWriter, ends []time.Time) error {
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

// SchedulerStore is what the scheduler needs of the store.
type SchedulerStore interface {
	news.ArticleReader
	news.SettingReader
	news.Updater
	news.Leases
	DeleteExpiredSessions(ctx context.Context, t time.Time) error
	PruneChanges(ctx context.Context, before time.Time) error
}

// LeaseName is the lease the scheduling node holds.
const LeaseName = "scheduler"

// Scheduler publishes scheduled stories when their time comes and announces
// stories whose embargo ended. Any number of processes may run one on the
// same database: they elect one leader through a lease (Run), and every
// publish is one transaction that checks the leader's fencing token and
// flips the story only if it is still scheduled at the version read. A
// process that lost the lease (it paused, its connection died, another
// node took over after it expired) can therefore publish nothing, and two
// that both think they lead still publish each story once.
type Scheduler struct {
	Store  SchedulerStore
	Clock  news.Clock
	Logger *slog.Logger
	// Interval between checks; 250 ms keeps publication within a second
	// of its time. DueScheduled is one indexed query, so this is cheap.
	Interval time.Duration
	// LeaseTTL is how long the lease lasts unless renewed: the time a
	// dead leader's work waits before another node takes over. The
	// leader renews it every LeaseTTL/5.
	LeaseTTL time.Duration
	// Holder names this process in the lease.
	Holder string

	// BeforePublish, when set, runs inside each publish transaction after
	// the fencing check and before the conditional update: a hook for
	// tests that make races happen every time.
	BeforePublish func(ctx context.Context, a *news.Article)

	mu        sync.Mutex // one PublishDue at a time in this process
	lease     news.Lease // held when lease.Token != 0
	renewed   time.Time
	sweepMu   sync.Mutex
	lastSweep time.Time
}

// NewScheduler returns a Scheduler ticking every 250 ms with a 10-second
// lease.
func NewScheduler(st SchedulerStore, clock news.Clock, log *slog.Logger) *Scheduler {
	if clock == nil {
		clock = news.SystemClock{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Scheduler{Store: st, Clock: clock, Logger: log, Interval: 250 * time.Millisecond,
		LeaseTTL: 10 * time.Second, Holder: holderName()}
}

// holderName is unique per process: host, pid and a random part (a pid may
// come again after a restart).
func holderName() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	rand.Read(b)
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
}

// Lease returns the lease this scheduler holds (Token 0: none).
func (s *Scheduler) Lease() news.Lease {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lease
}

// lead takes or renews the lease and reports whether this process leads.
func (s *Scheduler) lead(ctx context.Context) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	ttl := s.LeaseTTL
	if ttl <= 0 {
		ttl = 10 * time.Second
	}
	if s.lease.Token != 0 {
		if time.Since(s.renewed) < ttl/5 {
			return true
		}
		l, err := s.Store.RenewLease(ctx, s.lease, ttl)
		switch {
		case err == nil:
			s.lease, s.renewed = l, time.Now()
			return true
		case errors.Is(err, news.ErrLeaseLost):
			s.stepDown(ctx, "the lease expired or was taken")
		default:
			// The database did not answer: we may still hold the lease
			// (publishes check it anyway); try again next tick.
			s.Logger.WarnContext(ctx, "scheduler: renew lease", "err", err)
			return true
		}
	}
	l, ok, err := s.Store.AcquireLease(ctx, LeaseName, s.Holder, ttl)
	if err != nil {
		if ctx.Err() == nil {
			s.Logger.WarnContext(ctx, "scheduler: acquire lease", "err", err)
		}
		return false
	}
	if !ok {
		return false
	}
	s.lease, s.renewed = l, time.Now()
	s.Logger.InfoContext(ctx, "scheduler: this node publishes scheduled stories", "token", l.Token)
	return true
}

// stepDown forgets the lease; s.mu is held.
func (s *Scheduler) stepDown(ctx context.Context, why string) {
	if s.lease.Token != 0 {
		s.Logger.WarnContext(ctx, "scheduler: stepping down", "reason", why, "token", s.lease.Token)
	}
	s.lease = news.Lease{}
}

// PublishDue publishes every scheduled story whose time has come, including
// those missed while no scheduler ran, and returns how many it published.
// Each story is published in a transaction of its own that checks the
// lease (when Run took one), flips the story with a conditional update,
// and writes its revision and audit entry: calling PublishDue again, here
// or on another node, publishes nothing twice.
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
		var published *news.Article
		err := s.Store.Update(ctx, func(tx news.Tx) error {
			if s.lease.Token != 0 {
				if err := tx.CheckLease(ctx, s.lease); err != nil {
					return err
				}
			}
			if s.BeforePublish != nil {
				s.BeforePublish(ctx, d)
			}
			ok, err := tx.PublishScheduled(ctx, d.ID, d.Version, now)
			if err != nil || !ok {
				return err // someone withdrew, rescheduled, edited or published it meanwhile
			}
			a, err := tx.FindArticleByID(ctx, d.ID)
			if err != nil {
				return err
			}
			if err := tx.CreateRevision(ctx, news.RevisionOf(a, 0, "published (scheduled)", now)); err != nil {
				return fmt.Errorf("create revision: %w", err)
			}
			if err := Audit(ctx, tx, s.Clock, nil, "publish", a.ID, "scheduled for "+a.PublishedAt.Format(time.RFC3339)); err != nil {
				return err
			}
			published = a
			return nil
		})
		if errors.Is(err, news.ErrLeaseLost) {
			s.stepDown(ctx, "the lease is held by another node")
			return n, err
		}
		if err != nil {
			return n, fmt.Errorf("publish %d: %w", d.ID, err)
		}
		if published != nil {
			n++
			// The story went live at its scheduled time, even if this
			// process only noticed later (it was down): that time is its
			// date and URL.
			late := now.Sub(published.PublishedAt).Round(time.Millisecond)
			s.Logger.InfoContext(ctx, "scheduled story published", "article_id", published.ID, "slug", published.Slug,
				"late", late.String(), "token", s.lease.Token)
		}
	}
	return n, nil
}

// EndEmbargoes announces the stories whose noted embargo has ended (their
// pages, and the lists that may now show them) and reports whether one
// had.
func (s *Scheduler) EndEmbargoes(ctx context.Context) (bool, error) {
	ends, err := embargoEnds(ctx, s.Store)
	if err != nil || len(ends) == 0 {
		return false, err
	}
	now := s.Clock.Now()
	var left, ended []time.Time
	for _, t := range ends {
		if t.After(now) {
			left = append(left, t)
		} else {
			ended = append(ended, t)
		}
	}
	if len(ended) == 0 {
		return false, nil
	}
	stories, err := s.embargoedUntil(ctx, ended)
	if err != nil {
		return false, err
	}
	err = s.Store.Update(ctx, func(tx news.Tx) error {
		for _, a := range stories {
			tx.Announce(news.StoryChange(a, a))
		}
		return putEmbargoEnds(ctx, tx, left)
	})
	if err != nil {
		return false, err
	}
	s.Logger.InfoContext(ctx, "embargo ended", "count", len(ended), "stories", len(stories))
	return true, nil
}

// embargoedUntil returns the published stories of the last 90 days whose
// embargo ends at one of the times.
func (s *Scheduler) embargoedUntil(ctx context.Context, times []time.Time) ([]*news.Article, error) {
	var out []*news.Article
	err := s.published90(ctx, func(a *news.Article) {
		if !a.EmbargoUntil.IsZero() && slices.ContainsFunc(times, a.EmbargoUntil.UTC().Truncate(time.Second).Equal) {
			out = append(out, a)
		}
	})
	return out, err
}

// published90 calls fn with every story published in the last 90 days.
func (s *Scheduler) published90(ctx context.Context, fn func(a *news.Article)) error {
	now := s.Clock.Now()
	for off := 0; ; off += 500 {
		as, _, err := s.Store.FindArticles(ctx, news.ArticleFilter{
			Status: news.StatusPublished, PublishedFrom: now.AddDate(0, 0, -90), Order: "newest", Offset: off, Limit: 500, NoTotal: true,
		})
		if err != nil {
			return fmt.Errorf("published stories: %w", err)
		}
		for _, a := range as {
			fn(a)
		}
		if len(as) < 500 {
			return nil
		}
	}
}

// sweepEmbargoes rebuilds the embargo list from the stories themselves, so
// embargoes set by other tools (the importer) or lost with a damaged
// setting are watched too. It looks at stories published in the last 90
// days; an embargo on an older story is not a thing a newsroom does.
func (s *Scheduler) sweepEmbargoes(ctx context.Context) error {
	now := s.Clock.Now()
	var found []time.Time
	if err := s.published90(ctx, func(a *news.Article) {
		if a.EmbargoUntil.After(now) {
			found = append(found, a.EmbargoUntil.UTC().Truncate(time.Second))
		}
	}); err != nil {
		return fmt.Errorf("sweep embargoes: %w", err)
	}
	return s.Store.Update(ctx, func(tx news.Tx) error {
		ends, err := embargoEnds(ctx, tx)
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
			return putEmbargoEnds(ctx, tx, ends)
		}
		return nil
	})
}

// ChangeLogRetention is how long the change log keeps a record. A node
// down for longer starts from the end of the log (it has no cache to
// purge).
const ChangeLogRetention = 7 * 24 * time.Hour

// Tick does one round of the scheduler's work: publish what is due and end
// what embargoes have ended. Run calls it while it leads; tests and
// one-shot commands may too.
func (s *Scheduler) Tick(ctx context.Context) error {
	_, err1 := s.PublishDue(ctx)
	if errors.Is(err1, news.ErrLeaseLost) {
		return err1
	}
	_, err2 := s.EndEmbargoes(ctx)
	// Expired sessions and old change records are swept hourly.
	s.sweepMu.Lock()
	defer s.sweepMu.Unlock()
	if now := s.Clock.Now(); now.Sub(s.lastSweep) >= time.Hour {
		s.lastSweep = now
		if err := s.Store.DeleteExpiredSessions(ctx, now); err != nil {
			s.Logger.WarnContext(ctx, "delete expired sessions", "err", err)
		}
		if err := s.Store.PruneChanges(ctx, time.Now().Add(-ChangeLogRetention)); err != nil {
			s.Logger.WarnContext(ctx, "prune the change log", "err", err)
		}
	}
	return errors.Join(err1, err2)
}

// Run takes part in the election every Interval until ctx ends: while this
// process holds the lease it publishes what is due (what was missed while
// no scheduler ran first); when it loses the lease it stops at once and
// stands by. Errors are logged and retried next tick: a locked or briefly
// unreachable database must not stop publication.
func (s *Scheduler) Run(ctx context.Context) {
	iv := s.Interval
	if iv <= 0 {
		iv = 250 * time.Millisecond
	}
	t := time.NewTicker(iv)
	defer t.Stop()
	leading, standing := false, false
	defer func() {
		s.mu.Lock()
		l := s.lease
		s.lease = news.Lease{}
		s.mu.Unlock()
		if l.Token != 0 {
			// Hand over at once on a clean stop rather than after the TTL.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			_ = s.Store.ReleaseLease(rctx, l)
			cancel()
		}
	}()
	for {
		if s.lead(ctx) {
			if !leading {
				if err := s.sweepEmbargoes(ctx); err != nil && ctx.Err() == nil {
					s.Logger.ErrorContext(ctx, "scheduler", "err", err)
				}
			}
			leading, standing = true, false
			if err := s.Tick(ctx); err != nil && ctx.Err() == nil {
				s.Logger.ErrorContext(ctx, "scheduler", "err", err)
				if errors.Is(err, news.ErrLeaseLost) {
					leading = false
				}
			}
		} else {
			leading = false
			if !standing && ctx.Err() == nil {
				s.Logger.InfoContext(ctx, "scheduler: another node publishes scheduled stories; standing by")
				standing = true
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
