package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"masthead/internal/mail"
	"masthead/internal/mail/mailpit"
	"masthead/internal/mail/smtpsink"
	"masthead/internal/news"
	"masthead/internal/readers"
	"masthead/internal/store/sqlite"
)

// queuedPaper writes a data folder whose database has a published story, a
// list of n active subscribers (addresses from addr) and an issue of the
// story queued for them, with the mail settings given.
func queuedPaper(t testing.TB, n int, addr func(i int) string, settings map[string]string) (dir string, issueID int64) {
	t.Helper()
	ctx := context.Background()
	dir = t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "masthead.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := &news.Article{Slug: "queued", Headline: "Seoul hosts the summit", Deck: "Leaders arrive on Monday.", Lang: "en",
		Status: news.StatusPublished, PublishedAt: time.Now().Add(-time.Hour).UTC(), BodyHTML: "<p>x</p>"}
	if err := st.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := readers.DefaultLists(ctx, st); err != nil {
		t.Fatal(err)
	}
	lists, _ := st.ListNewsletterLists(ctx)
	// The breaking-news list: the daily digest's list would also get the
	// day's digest from serve's digest job.
	var list *news.NewsletterList
	for _, l := range lists {
		if l.Kind == news.ListBreaking {
			list = l
		}
	}
	// Many subscribers in one transaction: Subscribe one by one would be
	// the slow part of the fixture.
	w, _ := st.Pools()
	tx, err := w.Begin()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UnixMicro()
	stmt, err := tx.Prepare(`INSERT INTO subscriptions (list_id, email, email_key, status, created_at, confirmed_at) VALUES (?, ?, ?, 'active', ?, ?)`)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		e := addr(i)
		if _, err := stmt.Exec(list.ID, e, strings.ToLower(e), now, now); err != nil {
			t.Fatal(err)
		}
	}
	stmt.Close()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	for k, v := range settings {
		if err := st.PutSetting(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	is, err := readers.SendStory(ctx, st, a.ID, list.ID, 0, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if is.Total != n {
		t.Fatalf("issue queued %d deliveries, want %d", is.Total, n)
	}
	return dir, is.ID
}

// sentInDB counts the deliveries the database records as sent.
func sentInDB(t testing.TB, dir string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "masthead.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM newsletter_deliveries WHERE status = 'sent'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestNewsletterExactlyOnceAcrossStops sends an issue to 300 subscribers
// through Mailpit with serve stopped twice in the middle: first gracefully
// (SIGINT), then killed (SIGKILL), each time restarted. It counts, in
// Mailpit, the messages each subscriber got.
//
// Proven: after the graceful stop, every message Mailpit has is recorded as
// sent and none is sent again (exactly once). After the kill, every
// subscriber still gets the issue, each with one Message-ID; a raw copy
// more is possible only for the messages in flight at the kill (at most
// the sender's 8 workers), and carries the same Message-ID.
func TestNewsletterExactlyOnceAcrossStops(t *testing.T) {
	mp := mailpit.FromEnv(t)
	masthead(t)
	const n = 300
	tag := mailpit.Address("once")
	at := strings.Index(tag, "@")
	addr := func(i int) string { return fmt.Sprintf("%s-%03d%s", tag[:at], i, tag[at:]) }
	var addrs []string
	for i := range n {
		addrs = append(addrs, addr(i))
	}
	// mail.rate keeps the send slow enough to stop it in the middle.
	dir, _ := queuedPaper(t, n, addr, map[string]string{mail.KeyRate: "100"})
	args := []string{"--no-demo", "--smtp", mp.URL(), "--mail-from", "News <news@masthead.test>", "--newsletter-lease", "3s"}
	ctx := context.Background()
	received := func() int {
		t.Helper()
		var sum int
		got, err := mp.Count(ctx, addrs)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range got {
			sum += c
		}
		return sum
	}
	waitFor := func(min int) {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		for {
			if r := received(); r >= min {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("fewer than %d messages after 90 s", min)
			}
			time.Sleep(300 * time.Millisecond)
		}
	}

	s, err := launch(dir, args...)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(n / 3)
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if got, sent := received(), sentInDB(t, dir); got != sent {
		t.Errorf("after a graceful stop Mailpit has %d messages and the database %d sent: a stop must leave nothing in between", got, sent)
	}

	s, err = launch(dir, args...)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(2 * n / 3)
	s.kill()
	ambiguous := received() - sentInDB(t, dir)
	t.Logf("at the kill: %d messages delivered but not yet recorded as sent", ambiguous)

	s, err = launch(dir, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer s.stop()
	deadline := time.Now().Add(2 * time.Minute)
	for sentInDB(t, dir) < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d sent after the restart", sentInDB(t, dir), n)
		}
		time.Sleep(300 * time.Millisecond)
	}
	dups := 0
	for _, a := range addrs {
		msgs, err := mp.To(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]bool{}
		for _, m := range msgs {
			ids[m.MessageID] = true
		}
		if len(msgs) == 0 || len(ids) != 1 {
			t.Errorf("%s: %d messages with %d Message-IDs, want the issue once", a, len(msgs), len(ids))
		}
		dups += len(msgs) - 1
	}
	t.Logf("%d subscribers, %d raw copies more than one each (all with the first copy's Message-ID)", n, dups)
	if dups > ambiguous || dups > 8 {
		t.Errorf("%d extra copies: more than the %d in flight at the kill", dups, ambiguous)
	}
}

// BenchmarkNewsletterSend10k sends one issue to 10,000 subscribers through
// an SMTP server that takes 20 ms per message, from a real `masthead serve`
// killed with SIGKILL halfway and restarted. It reports the throughput of
// the first half, the sender's peak memory, and the count of messages per
// recipient after the restart.
//
//	go test ./cmd/masthead -run '^$' -bench NewsletterSend10k -benchtime 1x
func BenchmarkNewsletterSend10k(b *testing.B) {
	const n = 10000
	sink, err := smtpsink.Start(smtpsink.Config{Delay: 20 * time.Millisecond, Discard: true})
	if err != nil {
		b.Fatal(err)
	}
	defer sink.Close()
	masthead(b)
	for range b.N {
		dir, _ := queuedPaper(b, n, func(i int) string { return fmt.Sprintf("sub%05d@bench.masthead.test", i) },
			map[string]string{mail.KeyRate: "-1", mail.KeyConnections: "8"})
		args := []string{"--no-demo", "--smtp", "smtp://" + sink.Addr, "--mail-from", "News <news@masthead.test>", "--newsletter-lease", "5s"}
		s, err := launch(dir, args...)
		if err != nil {
			b.Fatal(err)
		}
		for len(sink.Received()) == 0 {
			time.Sleep(time.Millisecond)
		}
		start := time.Now() // from the first message: serve's start-up is not the sender's
		for len(sink.Counts()) < n/2 {
			time.Sleep(20 * time.Millisecond)
		}
		half := time.Since(start)
		hwm := peakRSS(s.cmd.Process.Pid)
		s.kill()
		atKill := len(sink.Received())
		restart := time.Now()
		s, err = launch(dir, args...)
		if err != nil {
			b.Fatal(err)
		}
		for len(sink.Counts()) < n {
			time.Sleep(50 * time.Millisecond)
		}
		rest := time.Since(restart)
		hwm = max(hwm, peakRSS(s.cmd.Process.Pid))
		if err := s.stop(); err != nil {
			b.Fatal(err)
		}
		counts := sink.Counts()
		ids := map[string]map[string]bool{}
		for _, r := range sink.Received() {
			if ids[r.To] == nil {
				ids[r.To] = map[string]bool{}
			}
			ids[r.To][r.MessageID] = true
		}
		extra, oneID := 0, 0
		for to, c := range counts {
			extra += c - 1
			if len(ids[to]) == 1 {
				oneID++
			}
		}
		b.ReportMetric(float64(atKill)/half.Seconds(), "msgs/s")
		b.ReportMetric(float64(hwm)/(1<<20), "peak-RSS-MiB")
		b.ReportMetric(float64(len(counts)), "recipients")
		b.ReportMetric(float64(extra), "extra-copies")
		b.ReportMetric(float64(oneID), "recipients-with-one-Message-ID")
		b.Logf("first half: %d messages in %s; after the kill and restart (lease 5 s): the rest in %s; %d recipients, %d extra raw copies, %d recipients with exactly one Message-ID",
			atKill, half.Round(time.Millisecond), rest.Round(time.Millisecond), len(counts), extra, oneID)
		sink.Close()
		if sink, err = smtpsink.Start(smtpsink.Config{Delay: 20 * time.Millisecond, Discard: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// peakRSS is a process's peak resident memory in bytes (Linux VmHWM).
func peakRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
