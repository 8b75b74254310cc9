package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"masthead/internal/news"
)

// ReadersStore is a store with readers, newsletters and comments (issue 16).
type ReadersStore interface {
	news.Store
	news.ReaderStore
	news.NewsletterStore
	news.CommentStore
}

// RunReaders is the conformance suite of the reader stores. open returns an
// EMPTY store as for Run.
func RunReaders(t *testing.T, open func(t *testing.T) ReadersStore) {
	t.Run("Readers", func(t *testing.T) { testReaders(t, open(t)) })
	t.Run("Tokens", func(t *testing.T) { testReaderTokens(t, open(t)) })
	t.Run("Subscriptions", func(t *testing.T) { testSubscriptions(t, open(t)) })
	t.Run("SendQueue", func(t *testing.T) { testSendQueue(t, open(t)) })
	t.Run("Comments", func(t *testing.T) { testComments(t, open(t)) })
	t.Run("SendOnPublish", func(t *testing.T) { testSendOnPublish(t, open(t)) })
	t.Run("Opens", func(t *testing.T) { testOpens(t, open(t)) })
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func testReaders(t *testing.T, s ReadersStore) {
	ctx := context.Background()
	a, err := s.EnsureReader(ctx, "Kim@Example.org")
	must(t, err)
	b, err := s.EnsureReader(ctx, "kim@example.ORG")
	must(t, err)
	if a.ID == 0 || a.ID != b.ID || a.Email != "Kim@Example.org" {
		t.Fatalf("EnsureReader twice, other case: %+v %+v", a, b)
	}
	if _, err := s.EnsureReader(ctx, "nobody"); !errors.Is(err, news.ErrInvalid) {
		t.Errorf("EnsureReader(nobody) = %v", err)
	}
	a.Name, a.ShadowBanned = "Kim", true
	must(t, s.UpdateReader(ctx, a))
	got, err := s.FindReaderByEmail(ctx, "KIM@example.org")
	must(t, err)
	if got.Name != "Kim" || !got.ShadowBanned || got.Banned || got.CreatedAt.Location() != time.UTC {
		t.Errorf("after update: %+v", got)
	}
	sess := &news.ReaderSession{ID: "h1", ReaderID: a.ID, ExpiresAt: T0.Add(time.Hour)}
	must(t, s.CreateReaderSession(ctx, sess))
	if got, err := s.FindReaderSession(ctx, "h1"); err != nil || got.ReaderID != a.ID || !got.ExpiresAt.Equal(T0.Add(time.Hour)) {
		t.Errorf("FindReaderSession: %+v %v", got, err)
	}
	must(t, s.DeleteExpiredReaderData(ctx, T0.Add(time.Hour)))
	if _, err := s.FindReaderSession(ctx, "h1"); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("expired session still found: %v", err)
	}
	pk := &news.Passkey{ID: "cred-1", ReaderID: a.ID, Name: "Phone", Data: `{"publicKey":"x"}`, CreatedAt: T0}
	must(t, s.AddPasskey(ctx, pk))
	if err := s.AddPasskey(ctx, &news.Passkey{ID: "cred-1", ReaderID: b.ID, Data: "{}"}); !errors.Is(err, news.ErrConflict) {
		t.Errorf("a credential id twice: %v", err)
	}
	must(t, s.UsePasskey(ctx, "cred-1", `{"publicKey":"x","signCount":2}`, T0.Add(time.Hour)))
	got2, err := s.FindPasskey(ctx, "cred-1")
	if err != nil || got2.ReaderID != a.ID || !got2.LastUsed.Equal(T0.Add(time.Hour)) || got2.Data != `{"publicKey":"x","signCount":2}` {
		t.Errorf("passkey after use: %+v %v", got2, err)
	}
	if ps, _ := s.ReaderPasskeys(ctx, a.ID); len(ps) != 1 {
		t.Errorf("ReaderPasskeys = %d", len(ps))
	}
	if err := s.DeletePasskey(ctx, a.ID+1000, "cred-1"); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("deleting another reader's passkey: %v", err)
	}
	must(t, s.DeleteReader(ctx, a.ID))
	if _, err := s.FindReaderByID(ctx, a.ID); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("deleted reader found: %v", err)
	}
	if _, err := s.FindPasskey(ctx, "cred-1"); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("a deleted reader's passkey remains: %v", err)
	}
}

func testReaderTokens(t *testing.T, s ReadersStore) {
	ctx := context.Background()
	tok := &news.ReaderToken{Hash: "abc", Purpose: news.TokenSignIn, Email: "r@example.org", CreatedAt: T0, ExpiresAt: T0.Add(15 * time.Minute)}
	must(t, s.CreateReaderToken(ctx, tok))
	if _, err := s.UseReaderToken(ctx, "abc", news.TokenConfirm, T0); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("wrong purpose: %v", err)
	}
	if _, err := s.UseReaderToken(ctx, "abc", news.TokenSignIn, T0.Add(15*time.Minute)); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("expired: %v", err)
	}
	// Used once, by exactly one of many concurrent tries.
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := s.UseReaderToken(ctx, "abc", news.TokenSignIn, T0.Add(time.Minute))
			if err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
				if got.Email != "r@example.org" {
					t.Errorf("token email %q", got.Email)
				}
			} else if !errors.Is(err, news.ErrNotFound) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("token used %d times, want exactly 1", wins)
	}
	n, err := s.CountReaderTokens(ctx, "R@example.org", T0)
	must(t, err)
	if n != 1 {
		t.Errorf("CountReaderTokens = %d", n)
	}
}

func testSubscriptions(t *testing.T, s ReadersStore) {
	ctx := context.Background()
	l := &news.NewsletterList{Slug: "daily", Name: "Daily digest", Kind: news.ListDigest}
	must(t, s.CreateNewsletterList(ctx, l))
	if err := s.CreateNewsletterList(ctx, &news.NewsletterList{Slug: "daily", Name: "Again", Kind: news.ListDigest}); !errors.Is(err, news.ErrConflict) {
		t.Errorf("duplicate slug: %v", err)
	}
	if err := s.CreateNewsletterList(ctx, &news.NewsletterList{Slug: "x", Name: "X", Kind: "weekly"}); !errors.Is(err, news.ErrInvalid) {
		t.Errorf("bad kind: %v", err)
	}
	r, err := s.EnsureReader(ctx, "sub@example.org")
	must(t, err)
	sub, err := s.Subscribe(ctx, l.ID, r.ID, "sub@example.org", T0)
	must(t, err)
	if sub.Status != news.SubPending {
		t.Errorf("new subscription %q, want pending", sub.Status)
	}
	again, err := s.Subscribe(ctx, l.ID, 0, "SUB@example.org", T0)
	must(t, err)
	if again.ID != sub.ID {
		t.Errorf("subscribing twice made two subscriptions")
	}
	must(t, s.SetSubscriptionStatus(ctx, sub.ID, news.SubActive, T0.Add(time.Hour)))
	again, err = s.Subscribe(ctx, l.ID, 0, "sub@example.org", T0.Add(2*time.Hour))
	must(t, err)
	if again.Status != news.SubActive {
		t.Errorf("subscribing again demoted an active subscription to %q", again.Status)
	}
	if n, _ := s.CountSubscribers(ctx, l.ID); n != 1 {
		t.Errorf("CountSubscribers = %d", n)
	}
	must(t, s.SetSubscriptionStatus(ctx, sub.ID, news.SubUnsubscribed, T0.Add(25*time.Hour)))
	got, err := s.FindSubscription(ctx, sub.ID)
	must(t, err)
	if got.Status != news.SubUnsubscribed || !got.ConfirmedAt.Equal(T0.Add(time.Hour)) || !got.UnsubscribedAt.Equal(T0.Add(25*time.Hour)) {
		t.Errorf("after unsubscribe: %+v", got)
	}
	g, err := s.ListGrowth(ctx, l.ID, T0.Add(-time.Hour))
	must(t, err)
	if len(g) != 2 || g[0].Joined != 1 || g[1].Left != 1 || !g[0].Day.Equal(T0) {
		t.Errorf("ListGrowth = %+v", g)
	}
	rs, err := s.ReaderSubscriptions(ctx, r.ID)
	must(t, err)
	if len(rs) != 1 {
		t.Errorf("ReaderSubscriptions = %d", len(rs))
	}
	if err := s.SetSubscriptionStatus(ctx, sub.ID, "maybe", T0); !errors.Is(err, news.ErrInvalid) {
		t.Errorf("bad status: %v", err)
	}
}

// testSendQueue: an issue queues one delivery per active subscriber, once;
// concurrent claimers never share a delivery; an outcome is written only by
// the claim that holds it.
func testSendQueue(t *testing.T, s ReadersStore) {
	ctx := context.Background()
	l := &news.NewsletterList{Slug: "breaking", Name: "Breaking", Kind: news.ListBreaking}
	must(t, s.CreateNewsletterList(ctx, l))
	const n = 30
	for i := range n {
		sub, err := s.Subscribe(ctx, l.ID, 0, fmt.Sprintf("r%d@example.org", i), T0)
		must(t, err)
		if i%10 != 9 { // every tenth stays pending: not in the audience
			must(t, s.SetSubscriptionStatus(ctx, sub.ID, news.SubActive, T0))
		}
	}
	is := &news.NewsletterIssue{ListID: l.ID, Key: "story:1:list:1", Subject: "Breaking", ArticleIDs: []int64{5, 3}, CreatedAt: T0}
	must(t, s.CreateIssue(ctx, is))
	if is.ID == 0 || is.Total != 27 || is.Pending != 27 || is.Status != news.IssueSending || len(is.ArticleIDs) != 2 || is.ArticleIDs[0] != 5 {
		t.Fatalf("issue %+v", is)
	}
	dup := &news.NewsletterIssue{ListID: l.ID, Key: "story:1:list:1", Subject: "Breaking again"}
	if err := s.CreateIssue(ctx, dup); !errors.Is(err, news.ErrConflict) || dup.ID != is.ID || dup.Total != 27 {
		t.Fatalf("second CreateIssue with the key: %v %+v", err, dup)
	}

	// Four claimers at once.
	var mu sync.Mutex
	seen := map[int64]string{}
	var wg sync.WaitGroup
	for c := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			claim := fmt.Sprintf("node%d", c)
			for {
				ds, err := s.ClaimDeliveries(ctx, claim, T0.Add(time.Minute), time.Minute, 5)
				if err != nil {
					t.Error(err)
					return
				}
				if len(ds) == 0 {
					return
				}
				mu.Lock()
				for _, d := range ds {
					if prev, ok := seen[d.ID]; ok {
						t.Errorf("delivery %d claimed by %s and %s", d.ID, prev, claim)
					}
					seen[d.ID] = claim
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 27 {
		t.Fatalf("%d deliveries claimed, want 27", len(seen))
	}
	// Leases hold: nothing more to claim until they run out.
	if ds, _ := s.ClaimDeliveries(ctx, "late", T0.Add(90*time.Second), time.Minute, 100); len(ds) != 0 {
		t.Errorf("%d deliveries claimed while leased", len(ds))
	}
	// After the lease, a second node takes them over; the first node's
	// outcome is then refused.
	ds, err := s.ClaimDeliveries(ctx, "node-b", T0.Add(3*time.Minute), time.Minute, 100)
	must(t, err)
	if len(ds) != 27 || ds[0].Attempts != 2 {
		t.Fatalf("takeover claimed %d (attempts %d)", len(ds), ds[0].Attempts)
	}
	stale := *ds[0]
	stale.Claim, stale.Status, stale.SentAt = seen[stale.ID], news.DeliverySent, T0.Add(3*time.Minute)
	if err := s.FinishDelivery(ctx, &stale); !errors.Is(err, news.ErrConflict) {
		t.Errorf("an outcome from a lost claim: %v, want ErrConflict", err)
	}
	for i, d := range ds {
		switch {
		case i == 0:
			d.Status, d.Error = news.DeliveryFailed, "550 no such mailbox"
		case i == 1:
			d.Status, d.NextAt = news.DeliveryPending, T0.Add(time.Hour) // retry later
		default:
			d.Status, d.SentAt = news.DeliverySent, T0.Add(4*time.Minute)
		}
		must(t, s.FinishDelivery(ctx, d))
	}
	got, err := s.FindIssue(ctx, is.ID)
	must(t, err)
	if got.Sent != 25 || got.Failed != 1 || got.Pending != 1 || got.Status != news.IssueSending {
		t.Errorf("progress %+v", got)
	}
	if ds, _ := s.ClaimDeliveries(ctx, "c", T0.Add(30*time.Minute), time.Minute, 100); len(ds) != 0 {
		t.Errorf("a retry was claimed before its time")
	}
	ds, err = s.ClaimDeliveries(ctx, "c", T0.Add(time.Hour), time.Minute, 100)
	must(t, err)
	if len(ds) != 1 {
		t.Fatalf("retry claims %d", len(ds))
	}
	ds[0].Status, ds[0].SentAt = news.DeliverySent, T0.Add(time.Hour)
	must(t, s.FinishDelivery(ctx, ds[0]))
	got, err = s.FindIssue(ctx, is.ID)
	must(t, err)
	if got.Status != news.IssueSent || got.Sent != 26 || got.FinishedAt.IsZero() {
		t.Errorf("finished issue %+v", got)
	}
	if list, _ := s.ListIssues(ctx, 10); len(list) != 1 || list[0].ID != is.ID {
		t.Errorf("ListIssues = %v", list)
	}
	empty := &news.NewsletterList{Slug: "empty", Name: "Nobody", Kind: news.ListDigest}
	must(t, s.CreateNewsletterList(ctx, empty))
	none := &news.NewsletterIssue{ListID: empty.ID, Key: "digest:empty", Subject: "Nobody reads this", CreatedAt: T0}
	must(t, s.CreateIssue(ctx, none))
	if none.Total != 0 || none.Status != news.IssueSent {
		t.Errorf("an issue for an empty list: %+v, want sent at once", none)
	}
}

func testComments(t *testing.T, s ReadersStore) {
	ctx := context.Background()
	a := &news.Article{Slug: "c", Headline: "Comments", Status: news.StatusPublished, PublishedAt: T0, Lang: "en"}
	must(t, s.CreateArticle(ctx, a))
	r1, _ := s.EnsureReader(ctx, "one@example.org")
	r2, _ := s.EnsureReader(ctx, "two@example.org")
	top := &news.Comment{ArticleID: a.ID, ReaderID: r1.ID, AuthorName: "One", Body: "First!", Status: news.CommentApproved, CreatedAt: T0}
	must(t, s.CreateComment(ctx, top))
	reply := &news.Comment{ArticleID: a.ID, ParentID: top.ID, ReaderID: r2.ID, AuthorName: "Two", Body: "Held reply", Status: news.CommentPending, CreatedAt: T0.Add(time.Minute)}
	must(t, s.CreateComment(ctx, reply))
	deep := &news.Comment{ArticleID: a.ID, ParentID: reply.ID, ReaderID: r1.ID, Body: "too deep", Status: news.CommentApproved, CreatedAt: T0}
	if err := s.CreateComment(ctx, deep); !errors.Is(err, news.ErrInvalid) {
		t.Errorf("reply to a reply: %v", err)
	}
	shadow := &news.Comment{ArticleID: a.ID, ReaderID: r2.ID, Body: "shadow", Status: news.CommentApproved, Shadow: true, CreatedAt: T0.Add(2 * time.Minute)}
	must(t, s.CreateComment(ctx, shadow))
	staff := &news.Comment{ArticleID: a.ID, ParentID: top.ID, AuthorName: "The Herald", Staff: true, Body: "Thanks", Status: news.CommentApproved, CreatedAt: T0.Add(3 * time.Minute)}
	must(t, s.CreateComment(ctx, staff))

	ids := func(cs []*news.Comment) []int64 {
		var out []int64
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	anon, err := s.ArticleComments(ctx, a.ID, 0)
	must(t, err)
	if fmt.Sprint(ids(anon)) != fmt.Sprint([]int64{top.ID, staff.ID}) {
		t.Errorf("anonymous sees %v", ids(anon))
	}
	own, err := s.ArticleComments(ctx, a.ID, r2.ID)
	must(t, err)
	if fmt.Sprint(ids(own)) != fmt.Sprint([]int64{top.ID, reply.ID, shadow.ID, staff.ID}) {
		t.Errorf("the author of the held and shadow comments sees %v", ids(own))
	}
	if !anon[1].Staff || anon[1].ParentID != top.ID {
		t.Errorf("staff reply %+v", anon[1])
	}
	counts, err := s.CommentCounts(ctx, []int64{a.ID, 999})
	must(t, err)
	if counts[a.ID] != 2 || counts[999] != 0 {
		t.Errorf("counts %v", counts)
	}
	queue, err := s.FindComments(ctx, news.CommentFilter{Status: news.CommentPending})
	must(t, err)
	if len(queue) != 1 || queue[0].ID != reply.ID {
		t.Errorf("queue %v", ids(queue))
	}
	reply.Status = news.CommentApproved
	must(t, s.UpdateComment(ctx, reply))
	recent, approved, err := s.ReaderCommentStats(ctx, r2.ID, T0)
	must(t, err)
	if recent != 2 || approved != 2 {
		t.Errorf("stats recent %d approved %d", recent, approved)
	}
	must(t, s.ReportComment(ctx, top.ID, r2.ID, "rude", T0))
	must(t, s.ReportComment(ctx, top.ID, r2.ID, "rude", T0)) // once per reader
	if got, _ := s.FindComment(ctx, top.ID); got.Reports != 1 {
		t.Errorf("reports %d", got.Reports)
	}
	if rep, _ := s.FindComments(ctx, news.CommentFilter{Reported: true}); len(rep) != 1 {
		t.Errorf("reported %d", len(rep))
	}
	closed, err := s.CommentsClosed(ctx, a.ID)
	must(t, err)
	must(t, s.SetCommentsClosed(ctx, a.ID, true))
	closed2, _ := s.CommentsClosed(ctx, a.ID)
	if closed || !closed2 {
		t.Errorf("closed %v → %v", closed, closed2)
	}

	// Imports: idempotent by source key, deep WordPress threads flattened.
	imp := func(key, parent, body string) *news.Comment {
		c := &news.Comment{ArticleID: a.ID, AuthorName: "WP", Body: body, Status: news.CommentApproved, SourceKey: key, CreatedAt: T0}
		must(t, s.ImportComment(ctx, c, parent))
		return c
	}
	w1 := imp("wp:1", "", "top")
	w2 := imp("wp:2", "wp:1", "reply")
	w3 := imp("wp:3", "wp:2", "reply to reply")
	if w2.ParentID != w1.ID || w3.ParentID != w1.ID {
		t.Errorf("imported parents %d %d, want %d", w2.ParentID, w3.ParentID, w1.ID)
	}
	again := imp("wp:1", "", "top, edited")
	if again.ID != w1.ID {
		t.Errorf("importing twice made a second comment")
	}
	if err := s.ImportComment(ctx, &news.Comment{ArticleID: a.ID, Body: "x", Status: news.CommentApproved, SourceKey: "wp:9"}, "wp:404"); !errors.Is(err, news.ErrInvalid) {
		t.Errorf("unknown parent: %v", err)
	}

	// On a transaction (an import's run): the comment commits with the
	// rest of the run, or not at all.
	boom := errors.New("the run failed")
	err = s.Update(ctx, func(tx news.Tx) error {
		c := &news.Comment{ArticleID: a.ID, AuthorName: "WP", Body: "in a run", Status: news.CommentApproved, SourceKey: "wp:10", CreatedAt: T0}
		if err := tx.ImportComment(ctx, c, "wp:1"); err != nil {
			return err
		}
		if c.ID == 0 || c.ParentID != w1.ID {
			t.Errorf("tx import: %+v", c)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update: %v", err)
	}
	if cs, _ := s.FindComments(ctx, news.CommentFilter{ArticleID: a.ID, Limit: 100}); len(cs) != 0 {
		for _, c := range cs {
			if c.SourceKey == "wp:10" {
				t.Error("a rolled-back run left its comment")
			}
		}
	}
	must(t, s.Update(ctx, func(tx news.Tx) error {
		return tx.ImportComment(ctx, &news.Comment{ArticleID: a.ID, AuthorName: "WP", Body: "in a run", Status: news.CommentApproved, SourceKey: "wp:10", CreatedAt: T0}, "wp:1")
	}))
	found := false
	if cs, _ := s.FindComments(ctx, news.CommentFilter{ArticleID: a.ID, Limit: 100}); len(cs) > 0 {
		for _, c := range cs {
			found = found || c.SourceKey == "wp:10"
		}
	}
	if !found {
		t.Error("a committed run's comment is missing")
	}

	// Deleting a reader: their answered comment stays, emptied; others go.
	must(t, s.DeleteReader(ctx, r1.ID))
	got, err := s.FindComment(ctx, top.ID)
	must(t, err)
	if got.Status != news.CommentDeleted || got.Body != "" || got.ReaderID != 0 || got.AuthorName != "" {
		t.Errorf("deleted reader's answered comment: %+v", got)
	}
	if c, _ := s.ArticleComments(ctx, a.ID, 0); len(c) == 0 {
		t.Error("replies vanished with the deleted reader")
	}
}

// testSendOnPublish: a send asked for before publishing is queued by the
// publishing transaction itself (through a write hook), once; a publish
// that rolls back queues nothing.
func testSendOnPublish(t *testing.T, s ReadersStore) {
	ctx := context.Background()
	fail := false
	s.AddTxHook(func(ctx context.Context, tx news.Tx, c *news.Change) error {
		for _, e := range c.Events {
			if e.Type == news.EventStoryPublished {
				if _, err := tx.QueuePublishSends(ctx, e.ArticleID, T0); err != nil {
					return err
				}
			}
		}
		if fail {
			return errors.New("a later hook fails")
		}
		return nil
	})
	l := &news.NewsletterList{Slug: "breaking", Name: "Breaking", Kind: news.ListBreaking}
	must(t, s.CreateNewsletterList(ctx, l))
	for i := range 3 {
		sub, err := s.Subscribe(ctx, l.ID, 0, fmt.Sprintf("p%d@example.org", i), T0)
		must(t, err)
		must(t, s.SetSubscriptionStatus(ctx, sub.ID, news.SubActive, T0))
	}
	a := &news.Article{Slug: "embargoed-scoop", Headline: "The scoop", Lang: "en", Status: news.StatusScheduled, PublishedAt: T0.Add(time.Hour)}
	must(t, s.CreateArticle(ctx, a))
	must(t, s.AddPublishSend(ctx, a.ID, l.ID, 0))
	must(t, s.AddPublishSend(ctx, a.ID, l.ID, 0)) // twice: once
	if ls, _ := s.PublishSends(ctx, a.ID); len(ls) != 1 || ls[0] != l.ID {
		t.Fatalf("PublishSends = %v", ls)
	}
	publish := func() error {
		return s.Update(ctx, func(tx news.Tx) error {
			cur, err := tx.FindArticleByID(ctx, a.ID)
			if err != nil {
				return err
			}
			cur.Status = news.StatusPublished
			return tx.UpdateArticle(ctx, cur)
		})
	}
	fail = true
	if err := publish(); err == nil {
		t.Fatal("the publish went through although a hook failed")
	}
	if list, _ := s.ListIssues(ctx, 10); len(list) != 0 {
		t.Errorf("a rolled-back publish queued %d issues", len(list))
	}
	if ls, _ := s.PublishSends(ctx, a.ID); len(ls) != 1 {
		t.Errorf("a rolled-back publish used up the send")
	}
	fail = false
	must(t, publish())
	list, err := s.ListIssues(ctx, 10)
	must(t, err)
	if len(list) != 1 || list[0].Key != fmt.Sprintf("story:%d:list:%d", a.ID, l.ID) || list[0].Total != 3 || list[0].Subject != "The scoop" {
		t.Fatalf("issues after the publish: %+v", list)
	}
	if ls, _ := s.PublishSends(ctx, a.ID); len(ls) != 0 {
		t.Errorf("the send is still asked for after the publish: %v", ls)
	}
	must(t, s.RemovePublishSend(ctx, a.ID, l.ID))
}

// testOpens: an open is recorded once per issue and subscriber who was
// sent the issue; a subscriber without a delivery cannot record one.
func testOpens(t *testing.T, s ReadersStore) {
	ctx := context.Background()
	l := &news.NewsletterList{Slug: "opens", Name: "Opens", Kind: news.ListBreaking}
	must(t, s.CreateNewsletterList(ctx, l))
	var subs []*news.Subscription
	for i := range 3 {
		sub, err := s.Subscribe(ctx, l.ID, 0, fmt.Sprintf("o%d@example.org", i), T0)
		must(t, err)
		if i < 2 {
			must(t, s.SetSubscriptionStatus(ctx, sub.ID, news.SubActive, T0))
		}
		subs = append(subs, sub)
	}
	is := &news.NewsletterIssue{ListID: l.ID, Key: "story:9:list:opens", Subject: "Opens", ArticleIDs: []int64{9}, CreatedAt: T0}
	must(t, s.CreateIssue(ctx, is))
	if n, err := s.CountOpens(ctx, is.ID); err != nil || n != 0 {
		t.Fatalf("opens of a new issue: %d, %v", n, err)
	}
	must(t, s.RecordOpen(ctx, is.ID, subs[0].ID, T0.Add(time.Hour)))
	must(t, s.RecordOpen(ctx, is.ID, subs[0].ID, T0.Add(2*time.Hour)))
	must(t, s.RecordOpen(ctx, is.ID, subs[1].ID, T0.Add(time.Hour)))
	if err := s.RecordOpen(ctx, is.ID, subs[2].ID, T0.Add(time.Hour)); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("an open by a subscriber who was not sent the issue: %v", err)
	}
	if err := s.RecordOpen(ctx, is.ID+1000, subs[0].ID, T0); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("an open of an unknown issue: %v", err)
	}
	if n, err := s.CountOpens(ctx, is.ID); err != nil || n != 2 {
		t.Errorf("opens: %d, %v; want 2", n, err)
	}
}
