package readers_test

import (
	"bytes"
	"context"
	"fmt"
	"image/gif"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"masthead/internal/mail"
	"masthead/internal/mail/mailpit"
	"masthead/internal/news"
	"masthead/internal/readers"
)

var pixelRe = regexp.MustCompile(`<img[^>]+src="(https?://[^"]+/newsletters/o/[^"]+\.gif)"`)

// TestOpenTrackingOffUnlessTurnedOn: by default an issue (as Mailpit
// receives it) has no tracking pixel and a pixel address records nothing;
// an editor cannot turn tracking on, an admin can; then each copy carries
// its own pixel, fetching it counts one open per subscriber however often
// it is fetched, the newsroom shows the count, and a forged pixel is a 404.
func TestOpenTrackingOffUnlessTurnedOn(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	l := &news.NewsletterList{Slug: "tracking", Name: "Tracking list", Kind: news.ListBreaking}
	if err := e.st.CreateNewsletterList(ctx, l); err != nil {
		t.Fatal(err)
	}
	addr := mailpit.Address("tracking")
	sub, err := e.st.Subscribe(ctx, l.ID, 0, addr, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.SetSubscriptionStatus(ctx, sub.ID, news.SubActive, time.Now()); err != nil {
		t.Fatal(err)
	}
	m, err := mail.New(mail.Config{URL: e.mp.URL(), From: "The Test Herald <news@masthead.test>", Rate: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	send := func(slug string, want int) (*news.NewsletterIssue, *mailpit.Message) {
		t.Helper()
		a := &news.Article{Slug: slug, Headline: "Story " + slug, Lang: "en", Status: news.StatusPublished,
			PublishedAt: time.Now().Add(-time.Hour).UTC(), BodyHTML: "<p>x</p>"}
		if err := e.st.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		is, err := readers.SendStory(ctx, e.st, a.ID, l.ID, 0, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		// A sender per issue, as after a restart: the setting is read
		// when an issue's first copy is built.
		s := &readers.Sender{Store: e.st, Mail: m, Paper: &news.Paper{Name: "The Test Herald", BaseURL: e.srv.URL, Location: time.UTC},
			Unsubscribe: e.rd.UnsubscribeURL, OpenPixel: e.rd.OpenPixelURL, Idle: 10 * time.Millisecond}
		if _, err := s.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		got := e.mp.Wait(t, addr, want)
		var latest *mailpit.Summary
		for i := range got {
			if got[i].Subject == a.Headline {
				latest = &got[i]
			}
		}
		if latest == nil {
			t.Fatalf("no copy of %q in %+v", a.Headline, got)
		}
		msg, err := e.mp.Message(ctx, latest.ID)
		if err != nil {
			t.Fatal(err)
		}
		return is, msg
	}
	fetch := func(u string) (int, []byte) {
		t.Helper()
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	opens := func(is *news.NewsletterIssue) int {
		t.Helper()
		n, err := e.st.CountOpens(ctx, is.ID)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	// Off, the default.
	first, msg := send("first", 1)
	if pixelRe.MatchString(msg.HTML) || strings.Contains(msg.HTML, `width="1" height="1"`) {
		t.Fatalf("a tracking pixel with tracking off:\n%s", msg.HTML)
	}
	if code, body := fetch(e.rd.OpenPixelURL(first.ID, sub.ID)); code != 200 || len(body) == 0 {
		t.Errorf("a pixel address with tracking off: %d", code)
	}
	if n := opens(first); n != 0 {
		t.Errorf("tracking off recorded %d opens", n)
	}

	ed, edCSRF := e.deskClient(news.RoleEditor)
	resp, err := ed.PostForm(e.srv.URL+"/newsroom/newsletters/tracking", url.Values{"csrf": {edCSRF}, "on": {"on"}, "version": {"0"}})
	if err != nil || resp.StatusCode != 403 {
		t.Fatalf("an editor turning tracking on: %v %v", resp.StatusCode, err)
	}
	admin, adCSRF := e.deskClient(news.RoleAdmin)
	resp, err = admin.PostForm(e.srv.URL+"/newsroom/newsletters/tracking", url.Values{"csrf": {adCSRF}, "on": {"on"}, "version": {"0"}})
	if err != nil || resp.StatusCode != 303 {
		t.Fatalf("an admin turning tracking on: %v %v", resp.StatusCode, err)
	}
	resp, _ = admin.PostForm(e.srv.URL+"/newsroom/newsletters/tracking", url.Values{"csrf": {adCSRF}, "on": {"off"}, "version": {"0"}})
	if resp.StatusCode != 409 {
		t.Errorf("a stale tracking form: %d", resp.StatusCode)
	}

	// On.
	second, msg := send("second", 2)
	mt := pixelRe.FindStringSubmatch(msg.HTML)
	if mt == nil {
		t.Fatalf("no tracking pixel with tracking on:\n%s", msg.HTML)
	}
	if mt[1] != e.rd.OpenPixelURL(second.ID, sub.ID) {
		t.Errorf("the pixel %q is not this copy's", mt[1])
	}
	for range 3 {
		code, body := fetch(mt[1])
		if code != 200 {
			t.Fatalf("the pixel: %d", code)
		}
		if _, err := gif.Decode(bytes.NewReader(body)); err != nil {
			t.Fatalf("the pixel is not a GIF: %v", err)
		}
	}
	if n := opens(second); n != 1 {
		t.Errorf("opens after three fetches: %d, want 1", n)
	}
	forged := strings.Replace(mt[1], fmt.Sprintf("/o/%d.%d.", second.ID, sub.ID), fmt.Sprintf("/o/%d.%d.", second.ID, sub.ID+1), 1)
	if code, _ := fetch(forged); code != 404 {
		t.Errorf("a forged pixel: %d", code)
	}
	resp, err = ed.Get(e.srv.URL + "/newsroom/newsletters")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "1 opened") || !strings.Contains(string(page), "Turn open tracking off") && !strings.Contains(string(page), "An admin can change this") {
		t.Errorf("the newsletters page does not show the open count")
	}
}
