package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"

	"masthead/internal/news"
	"masthead/internal/pagecache"
	"masthead/internal/purge"
)

// Purging follows the store's change log: every committed change readers
// can see is a record there, written in the change's own transaction by
// whichever process made it (this node, another node, masthead import, the
// scheduler). So nothing that did not commit purges anything, and nothing
// that committed is missed.
//
//   - Every node tails the log (changeFeed) and purges its own page cache
//     by the keys of each change; a request that may have written (a
//     newsroom POST) catches up before its response leaves, so an editor
//     never sees the page they just changed as it was.
//   - The CDN purge webhook is sent by one node only: the holder of the
//     "cdn-purge" lease (cdnSender). It keeps its place in the log in the
//     store (setting cdnCursorKey) and moves it, under the lease's fencing
//     token, only past what the receiver acknowledged (2xx), so each change
//     is sent once; a node that takes over resumes where the last holder
//     stopped, and a receiver that is down gets the batch again until it
//     takes it. Only if a holder dies (or loses the lease) between the
//     receiver's answer and recording the cursor does that batch go twice
//     (a repeated purge is harmless); a change is never skipped.

// changeFeed tails the change log and purges the page cache by key.
type changeFeed struct {
	st    news.ChangeFeed
	cache *pagecache.Cache
	paper *news.Paper // its time zone names the date keys (news.Live)
	log   *slog.Logger
	// reload, when set, is called with a change to the paper settings
	// before the cache is purged for it: it makes the settings current on
	// this node (serveNode.reloadPaper), so no page is cached again from
	// the old ones. Until it succeeds the change is not passed.
	reload func(ctx context.Context) error
	// changed, when set, is called for every change before the cache is
	// purged for it: it drops the node's copies of the reads every page
	// makes and of the stories the change names (nodecache.Store.Changed),
	// so no page is rendered again from them once it is purged.
	changed func(news.Change)

	mu     sync.Mutex // one catch-up at a time; guards cursor
	cursor int64
	wake   chan struct{}
}

func newChangeFeed(ctx context.Context, st news.ChangeFeed, cache *pagecache.Cache, paper *news.Paper, log *slog.Logger) (*changeFeed, error) {
	// The cache starts empty: what changed before now is no concern.
	last, err := st.LastChange(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the change log: %w", err)
	}
	return &changeFeed{st: st, cache: cache, paper: paper, log: log, cursor: last, wake: make(chan struct{}, 1)}, nil
}

// Wake asks Run to read the log now (a notification arrived).
func (f *changeFeed) Wake() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// CatchUp applies every change committed since the last one applied.
func (f *changeFeed) CatchUp(ctx context.Context) error {
	if f == nil {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		recs, err := f.st.Changes(ctx, f.cursor, 500)
		if err != nil {
			return err
		}
		if len(recs) > 0 && recs[0].Seq != f.cursor+1 {
			// Records were pruned while this node was behind: what they
			// said is lost, so everything goes.
			f.log.WarnContext(ctx, "change log: records missing, purging the whole cache", "after", f.cursor, "next", recs[0].Seq)
			if f.changed != nil {
				f.changed(news.Change{All: true})
			}
			f.cache.Purge()
		}
		for _, r := range recs {
			if f.reload != nil && paperSettingsChanged(r.Change) {
				if err := f.reload(ctx); err != nil {
					return fmt.Errorf("paper settings changed, but reading them failed (tried again at the next poll): %w", err)
				}
			}
			if f.changed != nil {
				f.changed(r.Change)
			}
			keys, all := purge.Keys(r.Change, f.paper.Current().Loc())
			switch {
			case all:
				f.cache.Purge()
			case len(keys) > 0:
				f.cache.PurgeKeys(keys...)
			}
			f.cursor = r.Seq
		}
		if len(recs) < 500 {
			return nil
		}
	}
}

// Run catches up every 200 ms, or at once when woken, until ctx ends.
// Polling one indexed row is cheap and keeps every node within a second of
// the truth even when notifications are lost.
func (f *changeFeed) Run(ctx context.Context) {
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-f.wake:
		}
		last, err := f.st.LastChange(ctx)
		if err == nil {
			f.mu.Lock()
			behind := last != f.cursor
			f.mu.Unlock()
			if !behind {
				continue
			}
			err = f.CatchUp(ctx)
		}
		if err != nil && ctx.Err() == nil {
			f.log.WarnContext(ctx, "change log", "err", err)
		}
	}
}

// cdnCursorKey is the setting holding the last change sent to the CDN.
const cdnCursorKey = "cdn.purge_cursor"

// cdnLease is the lease of the node that sends CDN purges.
const cdnLease = "cdn-purge"

// cdnStore is what the CDN sender needs.
type cdnStore interface {
	news.ChangeFeed
	news.Leases
	news.SettingReader
	news.Updater
}

// cdnSender sends the change log to the CDN purge webhook, from the one
// node holding the cdn-purge lease.
type cdnSender struct {
	st     cdnStore
	hook   *pagecache.Webhook
	paper  *news.Paper
	log    *slog.Logger
	holder string
	ttl    time.Duration
	lease  news.Lease
}

func newCDNSender(st cdnStore, hook *pagecache.Webhook, paper *news.Paper, log *slog.Logger) *cdnSender {
	host, _ := os.Hostname()
	return &cdnSender{st: st, hook: hook, paper: paper, log: log, holder: fmt.Sprintf("%s/%d/cdn", host, os.Getpid()), ttl: 10 * time.Second}
}

// Run sends what the log holds while this node holds the lease.
func (s *cdnSender) Run(ctx context.Context, wake <-chan struct{}) {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	var renewed time.Time
	backoff := time.Duration(0)
	defer func() {
		if s.lease.Token != 0 {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			_ = s.st.ReleaseLease(rctx, s.lease)
			cancel()
		}
	}()
	for {
		if s.lease.Token == 0 || time.Since(renewed) > s.ttl/5 {
			l, ok, err := s.st.AcquireLease(ctx, cdnLease, s.holder, s.ttl)
			switch {
			case err != nil:
				if ctx.Err() == nil {
					s.log.WarnContext(ctx, "cdn purge: lease", "err", err)
				}
			case ok:
				if s.lease.Token != l.Token {
					s.log.InfoContext(ctx, "cdn purge: this node sends the purge webhook", "token", l.Token)
				}
				s.lease, renewed = l, time.Now()
			default:
				s.lease = news.Lease{}
			}
		}
		wait := time.Duration(0)
		if s.lease.Token != 0 {
			if err := s.send(ctx); err != nil && ctx.Err() == nil {
				s.log.WarnContext(ctx, "cdn purge", "err", err)
				if errors.Is(err, news.ErrLeaseLost) {
					s.lease = news.Lease{}
				} else {
					// A receiver that is down is asked again, less and
					// less often, up to once a minute.
					backoff = min(max(2*backoff, time.Second), time.Minute)
					wait = backoff
				}
			} else {
				backoff = 0
			}
		}
		if wait > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wake:
		}
	}
}

// send hands the changes after the stored cursor to the webhook and moves
// the cursor, checked against the lease.
func (s *cdnSender) send(ctx context.Context) error {
	cursor, err := s.cursor(ctx)
	if errors.Is(err, news.ErrNotFound) {
		// Never sent: start at the end of the log (a CDN has nothing
		// from before cached by us), and remember it.
		if cursor, err = s.st.LastChange(ctx); err != nil {
			return err
		}
		return s.move(ctx, cursor)
	}
	if err != nil {
		return err
	}
	recs, err := s.st.Changes(ctx, cursor, 500)
	if err != nil || len(recs) == 0 {
		return err
	}
	var keys []string
	all := recs[0].Seq != cursor+1 // pruned while no node sent
	for _, r := range recs {
		k, a := purge.Keys(r.Change, s.paper.Current().Loc())
		all = all || a
		keys = append(keys, k...)
	}
	last := recs[len(recs)-1].Seq
	if all || len(keys) > 0 {
		dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := s.hook.Deliver(dctx, keys, all)
		cancel()
		if err != nil {
			return fmt.Errorf("deliver changes %d–%d: %w (will retry)", cursor+1, last, err)
		}
	}
	return s.move(ctx, last)
}

// move stores the cursor, if this node still holds the lease.
func (s *cdnSender) move(ctx context.Context, cursor int64) error {
	return s.st.Update(ctx, func(tx news.Tx) error {
		if err := tx.CheckLease(ctx, s.lease); err != nil {
			return err
		}
		return tx.PutSetting(ctx, cdnCursorKey, strconv.FormatInt(cursor, 10))
	})
}

// cursor is the last change sent (ErrNotFound when none ever was).
func (s *cdnSender) cursor(ctx context.Context) (int64, error) {
	v, err := s.st.GetSetting(ctx, cdnCursorKey)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, news.ErrNotFound // damaged: start again at the end
	}
	return n, nil
}

// paperSettingsChanged reports whether c saved the newsroom's paper
// settings.
func paperSettingsChanged(c news.Change) bool {
	for _, ev := range c.Events {
		if ev.Type == news.EventSettingsChanged && ev.Key == news.PaperSettingsKey {
			return true
		}
	}
	return false
}
