package readers_test

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"masthead/internal/mail"
	"masthead/internal/mail/mailpit"
	"masthead/internal/news"
	"masthead/internal/readers"
)

// TestSendProgress: while an issue goes out, the newsletters page asks
// its script to follow the send, and the progress answer counts queued,
// sent and failed deliveries; once the sender (through Mailpit) is done,
// the counts say so and the page stops asking.
func TestSendProgress(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := &news.Article{Slug: "progress", Headline: "Rates held", Lang: "en", Status: news.StatusPublished,
		PublishedAt: time.Now().Add(-time.Hour).UTC(), BodyHTML: "<p>x</p>"}
	if err := e.st.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	l := &news.NewsletterList{Slug: "progress", Name: "Progress list", Kind: news.ListBreaking}
	if err := e.st.CreateNewsletterList(ctx, l); err != nil {
		t.Fatal(err)
	}
	var to []string
	for i := 0; i < 3; i++ {
		addr := mailpit.Address("progress")
		to = append(to, addr)
		sub, err := e.st.Subscribe(ctx, l.ID, 0, addr, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := e.st.SetSubscriptionStatus(ctx, sub.ID, news.SubActive, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	is, err := readers.SendStory(ctx, e.st, a.ID, l.ID, 0, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ed, _ := e.deskClient(news.RoleEditor)
	get := func(path string) string {
		t.Helper()
		resp, err := ed.Get(e.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		return string(b)
	}
	type progress struct {
		Sending bool `json:"sending"`
		Issues  []struct {
			ID                  int64
			Status, Text        string
			Total, Sent, Failed int
			Queued              int `json:"queued"`
		} `json:"issues"`
	}
	read := func() progress {
		t.Helper()
		var p progress
		if err := json.Unmarshal([]byte(get("/newsroom/newsletters/progress")), &p); err != nil {
			t.Fatal(err)
		}
		if len(p.Issues) != 1 || p.Issues[0].ID != is.ID {
			t.Fatalf("progress: %+v", p)
		}
		return p
	}
	page := get("/newsroom/newsletters")
	if !strings.Contains(page, `data-progress="/newsroom/newsletters/progress"`) || !strings.Contains(page, "0 sent, 0 failed, 3 queued") ||
		!strings.Contains(page, `<script src="/newsroom/static/newsroom.js" defer></script>`) {
		t.Errorf("the page of a send in progress:\n%s", page)
	}
	if p := read(); !p.Sending || p.Issues[0].Queued != 3 || p.Issues[0].Total != 3 || p.Issues[0].Text != "0 sent, 0 failed, 3 queued" {
		t.Errorf("progress before sending: %+v", p)
	}
	m, err := mail.New(mail.Config{URL: e.mp.URL(), From: "The Test Herald <news@masthead.test>", Rate: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	s := &readers.Sender{Store: e.st, Mail: m, Paper: &news.Paper{Name: "The Test Herald", BaseURL: e.srv.URL, Location: time.UTC},
		Unsubscribe: e.rd.UnsubscribeURL, Workers: 2, Idle: 10 * time.Millisecond}
	if _, err := s.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	for _, addr := range to {
		e.mp.Wait(t, addr, 1)
	}
	if p := read(); p.Sending || p.Issues[0].Sent != 3 || p.Issues[0].Queued != 0 || p.Issues[0].Text != "3 sent, 0 failed, 0 queued · done" {
		t.Errorf("progress after sending: %+v", p)
	}
	if page := get("/newsroom/newsletters"); strings.Contains(page, "data-progress=") {
		t.Error("the page still follows a finished send")
	}
}
