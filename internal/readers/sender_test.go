package readers_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/internal/mail"
	"masthead/internal/mail/mailpit"
	"masthead/internal/mail/smtpsink"
	"masthead/internal/news"
	"masthead/internal/readers"
	"masthead/internal/store/sqlite"
)

// queueFixture is a paper with one published story and a list of n active
// subscribers at addresses made by addr(i).
func queueFixture(t testing.TB, n int, addr func(i int) string) (*sqlite.DB, *news.Article, *news.NewsletterList) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "q.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a := &news.Article{Slug: "send-me", Headline: "Won hits a two-year high", Deck: "Exporters worry.", Lang: "en",
		Status: news.StatusPublished, PublishedAt: time.Now().Add(-time.Hour).UTC(), BodyHTML: "<p>x</p>"}
	if err := st.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	l := &news.NewsletterList{Slug: "breaking", Name: "Breaking news", Kind: news.ListBreaking}
	if err := st.CreateNewsletterList(ctx, l); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		sub, err := st.Subscribe(ctx, l.ID, 0, addr(i), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SetSubscriptionStatus(ctx, sub.ID, news.SubActive, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return st, a, l
}

func sender(st *sqlite.DB, m mail.Sender) *readers.Sender {
	paper := &news.Paper{Name: "The Test Herald", BaseURL: "https://news.masthead.test", Location: time.UTC}
	return &readers.Sender{Store: st, Mail: m, Paper: paper, Workers: 4, Idle: 10 * time.Millisecond,
		Unsubscribe: func(id int64) string {
			return fmt.Sprintf("https://news.masthead.test/newsletters/unsubscribe?s=%d&t=x", id)
		}}
}

// TestSendersShareTheQueue runs three senders at once on one queue and
// counts what the server received: every subscriber exactly once, with a
// Message-ID of its issue and subscription.
func TestSendersShareTheQueue(t *testing.T) {
	sink, err := smtpsink.Start(smtpsink.Config{Delay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	const n = 120
	st, a, l := queueFixture(t, n, func(i int) string { return fmt.Sprintf("r%03d@example.org", i) })
	ctx := context.Background()
	is, err := readers.SendStory(ctx, st, a.ID, l.ID, 0, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// Pressing the button again queues nothing more.
	if _, err := readers.SendStory(ctx, st, a.ID, l.ID, 0, time.Now()); err == nil {
		t.Error("a second send of the story to the list was accepted")
	}
	m, err := mail.New(mail.Config{URL: "smtp://" + sink.Addr, From: "News <news@masthead.test>", Rate: -1, Connections: 12})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := sender(st, m)
			for {
				k, err := s.RunOnce(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				if k == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	counts := sink.Counts()
	if len(counts) != n {
		t.Errorf("%d recipients got mail, want %d", len(counts), n)
	}
	for to, c := range counts {
		if c != 1 {
			t.Errorf("%s got %d copies", to, c)
		}
	}
	for _, r := range sink.Received()[:3] {
		if !strings.HasPrefix(r.MessageID, fmt.Sprintf("issue-%d.sub-", is.ID)) || r.From == "" {
			t.Errorf("message %+v", r)
		}
	}
	got, err := st.FindIssue(ctx, is.ID)
	if err != nil || got.Status != news.IssueSent || got.Sent != n {
		t.Errorf("issue after the send: %+v %v", got, err)
	}
}

// TestSenderRetriesAndBounces: a 451 is tried again later; a 550 fails the
// delivery and stops mail to that address.
func TestSenderRetriesAndBounces(t *testing.T) {
	sink, err := smtpsink.Start(smtpsink.Config{Refuse: func(rcpt string, n int) error {
		switch {
		case strings.HasPrefix(rcpt, "gone"):
			return smtpsink.Perm("no such mailbox")
		case strings.HasPrefix(rcpt, "grey") && n == 1:
			return smtpsink.Temp("greylisted")
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	addrs := []string{"gone@example.org", "grey@example.org", "fine@example.org"}
	st, a, l := queueFixture(t, 3, func(i int) string { return addrs[i] })
	ctx := context.Background()
	is, err := readers.SendStory(ctx, st, a.ID, l.ID, 0, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	m, err := mail.New(mail.Config{URL: "smtp://" + sink.Addr, From: "News <news@masthead.test>", Rate: -1, Attempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	clock := news.NewFixedClock(time.Now())
	s := sender(st, m)
	s.Clock = clock
	if _, err := s.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := st.FindIssue(ctx, is.ID)
	if got.Sent != 1 || got.Failed != 1 || got.Pending != 1 {
		t.Fatalf("after one round: %+v", got)
	}
	subs, _ := st.SubscriptionsByEmail(ctx, "gone@example.org")
	if subs[0].Status != news.SubBounced {
		t.Errorf("hard-bounced address is %s", subs[0].Status)
	}
	if k, _ := s.RunOnce(ctx); k != 0 {
		t.Errorf("the greylisted retry went again at once")
	}
	clock.Add(2 * time.Minute)
	if k, _ := s.RunOnce(ctx); k != 1 {
		t.Errorf("the retry did not go after its back-off")
	}
	got, _ = st.FindIssue(ctx, is.ID)
	if got.Sent != 2 || got.Status != news.IssueSent {
		t.Errorf("after the retry: %+v", got)
	}
}

// TestIssueMailInMailpit: the issue as it arrives — one-click unsubscribe
// headers that Mailpit validates, text and HTML parts.
func TestIssueMailInMailpit(t *testing.T) {
	mp := mailpit.FromEnv(t)
	to := mailpit.Address("issue")
	st, a, l := queueFixture(t, 1, func(int) string { return to })
	ctx := context.Background()
	if _, err := readers.SendStory(ctx, st, a.ID, l.ID, 0, time.Now()); err != nil {
		t.Fatal(err)
	}
	m, err := mail.New(mail.Config{URL: mp.URL(), From: "News <news@masthead.test>", Rate: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, err := sender(st, m).RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	got := mp.Wait(t, to, 1)
	msg, err := mp.Message(ctx, got[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if msg.Subject != "Won hits a two-year high" || !strings.Contains(msg.Text, "Exporters worry.") || !strings.Contains(msg.HTML, "Won hits a two-year high") {
		t.Errorf("issue mail: %q\n%s", msg.Subject, msg.Text)
	}
	if lu := msg.ListUnsubscribe; lu.Errors != "" || lu.HeaderPost != "List-Unsubscribe=One-Click" || !strings.Contains(lu.Header, "/newsletters/unsubscribe?s=") {
		t.Errorf("List-Unsubscribe: %+v", lu)
	}
	if strings.Contains(msg.HTML, `width="1" height="1"`) {
		t.Error("a tracking pixel in an issue the paper did not ask to track")
	}
}
