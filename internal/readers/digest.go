package readers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"masthead/internal/news"
	"masthead/internal/workflow"
)

// KeyDigestHour is the setting of the hour (0–23, the paper's time zone)
// digests go out; default 7.
const KeyDigestHour = "newsletter.digest_hour"

// DigestSize is how many stories a digest carries at most.
const DigestSize = 8

// Digests queues each digest list's issue once a day: the front page's
// picks and the day's newest stories (or a section's, for a section's
// digest). The issue's key is the list and the date, so any number of nodes
// running Digests queue it once.
type Digests struct {
	Store  Store
	Paper  *news.Paper
	Clock  news.Clock
	Logger *slog.Logger
}

// Run checks every minute until ctx ends.
func (d *Digests) Run(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		if _, err := d.RunOnce(ctx); err != nil && ctx.Err() == nil {
			d.Logger.Warn("newsletter digests", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce queues the digests due now; it returns those it queued.
func (d *Digests) RunOnce(ctx context.Context) ([]*news.NewsletterIssue, error) {
	now := d.Clock.Now()
	local := now.In(d.Paper.Current().Loc())
	hour := 7
	if v, err := d.Store.GetSetting(ctx, KeyDigestHour); err == nil {
		if h, err := strconv.Atoi(v); err == nil && h >= 0 && h < 24 {
			hour = h
		}
	}
	if local.Hour() < hour {
		return nil, nil
	}
	lists, err := d.Store.ListNewsletterLists(ctx)
	if err != nil {
		return nil, err
	}
	var out []*news.NewsletterIssue
	for _, l := range lists {
		if l.Kind != news.ListDigest && l.Kind != news.ListSection {
			continue
		}
		if n, err := d.Store.CountSubscribers(ctx, l.ID); err != nil || n == 0 {
			if err != nil {
				return out, err
			}
			continue
		}
		ids, err := d.stories(ctx, l, now)
		if err != nil {
			return out, err
		}
		if len(ids) == 0 {
			continue // a quiet day: no empty issue
		}
		first, err := d.Store.FindArticleByID(ctx, ids[0])
		if err != nil {
			return out, err
		}
		is := &news.NewsletterIssue{ListID: l.ID, Key: fmt.Sprintf("digest:%d:%s", l.ID, local.Format("2006-01-02")),
			Subject: fmt.Sprintf("%s, %s: %s", l.Name, local.Format("Jan. 2"), first.Headline), ArticleIDs: ids, CreatedAt: now}
		switch err := d.Store.CreateIssue(ctx, is); {
		case errors.Is(err, news.ErrConflict):
		case err != nil:
			return out, err
		default:
			out = append(out, is)
		}
	}
	return out, nil
}

// stories picks a digest's stories: for the paper's digest the front
// page's picks first, then the newest of the last day; for a section's,
// the section's newest.
func (d *Digests) stories(ctx context.Context, l *news.NewsletterList, now time.Time) ([]int64, error) {
	var ids []int64
	seen := map[int64]bool{}
	if l.SectionID == 0 {
		picks, _, err := workflow.FrontPage(ctx, d.Store)
		if err != nil {
			return nil, err
		}
		for _, id := range picks {
			a, err := d.Store.FindArticleByID(ctx, id)
			if err == nil && a.IsPublicAt(now) && !seen[id] && len(ids) < DigestSize {
				ids, seen[id] = append(ids, id), true
			}
		}
	}
	as, _, err := d.Store.FindArticles(ctx, news.ArticleFilter{PublicAt: now, SectionID: l.SectionID,
		PublishedFrom: now.Add(-24 * time.Hour), Limit: DigestSize, NoTotal: true})
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		if !seen[a.ID] && len(ids) < DigestSize {
			ids, seen[a.ID] = append(ids, a.ID), true
		}
	}
	return ids, nil
}
