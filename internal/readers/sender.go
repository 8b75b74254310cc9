package readers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"masthead/internal/mail"
	"masthead/internal/mailtmpl"
	"masthead/internal/news"
)

// Sender works through the newsletter queue: it claims due deliveries for
// a lease, mails them, and records each outcome while it still holds the
// claim. Any number of senders (goroutines, processes, nodes) can run on
// one database:
//
//   - a delivery is one row per issue and subscriber (unique), so an
//     issue is queued once however often it is created;
//   - a claim is an UPDATE of pending rows whose lease ran out, so two
//     senders never hold one delivery at once;
//   - a sender only starts a message while its lease has a safety margin
//     left, and writes "sent" only if the claim is still its own;
//   - a sender that dies leaves its claims to run out, after which another
//     sender retries them with the same Message-ID.
//
// What no SMTP client can close is the moment between the server's 250
// and the commit of "sent": a sender killed exactly then has delivered a
// message the queue still holds. It is sent again after the lease, with
// the same Message-ID, which receivers use to drop the copy. A graceful
// stop (SIGTERM) finishes the messages in flight and leaves no such gap.
type Sender struct {
	Store  Store
	Mail   mail.Sender
	Paper  *news.Paper
	Clock  news.Clock
	Logger *slog.Logger
	// Unsubscribe makes a subscription's one-click link (Readers.UnsubscribeURL).
	Unsubscribe func(subID int64) string
	// OpenPixel makes a copy's open-tracking image address
	// (Readers.OpenPixelURL). It is used only while the paper's setting
	// news.KeyOpenTracking is "on" (off by default): otherwise no copy
	// carries a pixel.
	OpenPixel func(issueID, subID int64) string
	// Workers is how many messages are sent at once (0: 4; match the
	// mail server's connections).
	Workers int
	// Lease is how long a claim holds (0: 2 min). A message is started
	// only with Margin (0: Lease/4) of its lease left.
	Lease, Margin time.Duration
	// Idle is how long Run waits when the queue is empty (0: 1 s).
	Idle time.Duration
	// MaxAttempts before a temporary failure counts as failed (0: 8).
	MaxAttempts int
	// OnSent is called after each recorded send (tests, progress).
	OnSent func(d *news.Delivery)

	mu     sync.Mutex
	issues map[int64]*issueParts
}

// issueParts is what every copy of an issue shares.
type issueParts struct {
	issue *news.NewsletterIssue
	list  *news.NewsletterList
	base  mailtmpl.Issue
	// track: the paper had open tracking on when the issue's first copy
	// was built (one decision per issue and sender).
	track bool
}

func (s *Sender) defaults() {
	if s.Workers <= 0 {
		s.Workers = 4
	}
	if s.Lease <= 0 {
		s.Lease = 2 * time.Minute
	}
	if s.Margin <= 0 {
		s.Margin = s.Lease / 4
	}
	if s.Idle <= 0 {
		s.Idle = time.Second
	}
	if s.MaxAttempts <= 0 {
		s.MaxAttempts = 8
	}
	if s.Clock == nil {
		s.Clock = news.SystemClock{}
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
}

// Run sends until ctx ends. Messages in flight when it ends are finished
// and recorded (a graceful stop leaves nothing ambiguous).
func (s *Sender) Run(ctx context.Context) {
	s.defaults()
	for {
		n, err := s.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			s.Logger.Warn("newsletter sender", "err", err)
		}
		if ctx.Err() != nil {
			return
		}
		if n == 0 || err != nil {
			select {
			case <-ctx.Done():
				return
			case <-time.After(s.Idle):
			}
		}
	}
}

// RunOnce claims one batch and sends it; it returns how many it claimed.
// Cancelling ctx stops claiming; the batch in hand still finishes.
func (s *Sender) RunOnce(ctx context.Context) (int, error) {
	s.defaults()
	claim := randomToken(12)
	now := s.Clock.Now()
	ds, err := s.Store.ClaimDeliveries(ctx, claim, now, s.Lease, s.Workers*4)
	if err != nil || len(ds) == 0 {
		return 0, err
	}
	// The batch finishes even if ctx ends: a graceful stop waits for it.
	work := context.WithoutCancel(ctx)
	ch := make(chan *news.Delivery)
	var wg sync.WaitGroup
	for range s.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range ch {
				s.deliver(work, d)
			}
		}()
	}
	for _, d := range ds {
		ch <- d
	}
	close(ch)
	wg.Wait()
	return len(ds), nil
}

// deliver sends one delivery and records the outcome.
func (s *Sender) deliver(ctx context.Context, d *news.Delivery) {
	if !s.Clock.Now().Add(s.Margin).Before(d.LeaseUntil) {
		return // too late to start: the lease runs out and another sender takes it
	}
	msg, err := s.message(ctx, d)
	if err == nil {
		sctx, cancel := context.WithDeadline(ctx, d.LeaseUntil)
		err = s.Mail.Send(sctx, msg)
		cancel()
	}
	now := s.Clock.Now()
	switch {
	case err == nil:
		d.Status, d.SentAt, d.Error = news.DeliverySent, now, ""
	case mail.IsPermanent(err) || d.Attempts >= s.MaxAttempts:
		d.Status, d.Error = news.DeliveryFailed, trimErr(err)
		var se *mail.SendError
		if errors.As(err, &se) && se.Permanent && se.Code >= 500 {
			// A hard bounce at our own server: stop mailing the address.
			if sub, ferr := s.Store.FindSubscription(ctx, d.SubscriptionID); ferr == nil && sub.Status == news.SubActive {
				_ = s.Store.SetSubscriptionStatus(ctx, sub.ID, news.SubBounced, now)
			}
		}
	default:
		d.Status, d.Error = news.DeliveryPending, trimErr(err)
		d.NextAt = now.Add(mail.Backoff(d.Attempts, time.Minute, time.Hour))
	}
	if ferr := s.Store.FinishDelivery(ctx, d); ferr != nil {
		if errors.Is(ferr, news.ErrConflict) {
			s.Logger.Warn("newsletter: delivery taken over by another sender before its outcome was recorded", "delivery", d.ID)
			return
		}
		s.Logger.Error("newsletter: record delivery", "delivery", d.ID, "err", ferr)
		return
	}
	if d.Status == news.DeliverySent && s.OnSent != nil {
		s.OnSent(d)
	}
}

func trimErr(err error) string {
	if err == nil {
		return ""
	}
	m := err.Error()
	if len(m) > 300 {
		m = m[:300]
	}
	return m
}

// message builds one subscriber's copy.
func (s *Sender) message(ctx context.Context, d *news.Delivery) (*mail.Message, error) {
	parts, err := s.parts(ctx, d.IssueID)
	if err != nil {
		return nil, err
	}
	is := parts.base
	is.UnsubscribeURL = s.Unsubscribe(d.SubscriptionID)
	if parts.track && s.OpenPixel != nil {
		is.OpenPixelURL = s.OpenPixel(d.IssueID, d.SubscriptionID)
	}
	r, err := mailtmpl.RenderIssue(is)
	if err != nil {
		return nil, err
	}
	host := hostOf(s.Paper.Current().BaseURL)
	return &mail.Message{
		To: d.Email, Subject: r.Subject, Text: r.Text, HTML: r.HTML, Bulk: true,
		ListID:         fmt.Sprintf("%s <%s.%s>", parts.list.Name, parts.list.Slug, host),
		UnsubscribeURL: is.UnsubscribeURL,
		// Stable per issue and subscriber: a copy sent again after a
		// crash is recognisably the same message.
		MessageID: fmt.Sprintf("issue-%d.sub-%d@%s", d.IssueID, d.SubscriptionID, host),
		Headers:   map[string]string{"Feedback-ID": fmt.Sprintf("%d:%s:masthead", d.IssueID, parts.list.Slug)},
	}, nil
}

func hostOf(base string) string {
	h := strings.TrimPrefix(strings.TrimPrefix(base, "https://"), "http://")
	if i := strings.IndexAny(h, ":/"); i >= 0 {
		h = h[:i]
	}
	if h == "" {
		return "localhost"
	}
	return h
}

// parts loads and keeps what every copy of an issue shares.
func (s *Sender) parts(ctx context.Context, issueID int64) (*issueParts, error) {
	s.mu.Lock()
	if p, ok := s.issues[issueID]; ok {
		s.mu.Unlock()
		return p, nil
	}
	s.mu.Unlock()
	is, err := s.Store.FindIssue(ctx, issueID)
	if err != nil {
		return nil, err
	}
	list, err := s.Store.FindNewsletterList(ctx, is.ListID)
	if err != nil {
		return nil, err
	}
	base := mailtmpl.Issue{
		Paper:   mailtmpl.Paper{Name: s.Paper.Current().Name, BaseURL: s.Paper.Current().BaseURL, Lang: s.Paper.Current().Language},
		List:    list.Name,
		Subject: is.Subject,
		Why:     fmt.Sprintf("You get this because you subscribed to %s at %s.", list.Name, hostOf(s.Paper.Current().BaseURL)),
		// The account page lists the reader's newsletters.
		PreferencesURL: s.Paper.Current().AbsURL("/account"),
	}
	for i, id := range is.ArticleIDs {
		a, err := s.Store.FindArticleByID(ctx, id)
		if err != nil {
			if errors.Is(err, news.ErrNotFound) {
				continue // deleted since: the rest still go
			}
			return nil, err
		}
		st := mailtmpl.Story{Headline: a.Headline, Deck: a.Deck, URL: s.Paper.Current().AbsURL(s.Paper.Current().ArticlePath(a)),
			Date: a.PublishedAt.In(s.Paper.Current().Loc()).Format("Jan. 2, 2006")}
		if a.Section != nil {
			st.Section = a.Section.Name
		}
		var names []string
		for _, au := range a.Authors {
			names = append(names, au.Name)
		}
		if len(names) > 0 {
			st.Byline = "By " + strings.Join(names, ", ")
		}
		if i == 0 && a.Photo != nil {
			st.PhotoURL, st.PhotoAlt = s.Paper.Current().AbsURL(s.Paper.Current().PhotoPath(a.Photo, 640)), a.Photo.Alt
		}
		base.Stories = append(base.Stories, st)
		if i == 0 {
			base.Preheader = a.Deck
		}
	}
	if len(base.Stories) == 0 {
		return nil, fmt.Errorf("%w: issue %d has no stories left", mail.ErrInvalid, issueID)
	}
	p := &issueParts{issue: is, list: list, base: base}
	if v, err := s.Store.GetSetting(ctx, news.KeyOpenTracking); err == nil {
		p.track = v == "on"
	} else if !errors.Is(err, news.ErrNotFound) {
		return nil, err
	}
	s.mu.Lock()
	if s.issues == nil {
		s.issues = map[int64]*issueParts{}
	}
	s.issues[issueID] = p
	s.mu.Unlock()
	return p, nil
}

// SendStory queues a story for a list: once per story and list, however
// often it is asked (the editor's button, a publish from two nodes).
func SendStory(ctx context.Context, st Store, articleID, listID, userID int64, now time.Time) (*news.NewsletterIssue, error) {
	a, err := st.FindArticleByID(ctx, articleID)
	if err != nil {
		return nil, err
	}
	if !a.IsPublicAt(now) {
		return nil, news.Errorf(news.EINVALID, "only a published story can be sent")
	}
	is := &news.NewsletterIssue{ListID: listID, Key: fmt.Sprintf("story:%d:list:%d", articleID, listID),
		Subject: a.Headline, ArticleIDs: []int64{articleID}, CreatedBy: userID, CreatedAt: now}
	err = st.CreateIssue(ctx, is)
	return is, err
}

// SendOnPublish is the write hook (news.Hooks) that turns the sends an
// editor asked for (AddPublishSend) into issues in the transaction that
// publishes the story — whichever process publishes it: the newsroom, the
// scheduler at the story's time, the Admin API, an import. If the publish
// rolls back, nothing is queued; if it commits, the issue is queued.
func SendOnPublish(now func() time.Time) news.TxHook {
	return func(ctx context.Context, tx news.Tx, c *news.Change) error {
		for _, e := range c.Events {
			if e.Type != news.EventStoryPublished {
				continue
			}
			if _, err := tx.QueuePublishSends(ctx, e.ArticleID, now()); err != nil {
				return fmt.Errorf("newsletter: queue the sends of story %d: %w", e.ArticleID, err)
			}
		}
		return nil
	}
}
