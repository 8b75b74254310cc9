package main

import (
	"context"
	"errors"
	"io"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"masthead/internal/news"
	"masthead/internal/store/sqlite"
)

var settingsVersionRE = regexp.MustCompile(`action="/newsroom/settings" class="settings">\s*<input type="hidden" name="csrf" value="[^"]*">\s*<input type="hidden" name="version" value="(\d+)">`)

// saveSettings posts the newsroom's paper settings form as an admin would,
// at the version the settings page shows.
func saveSettings(t *testing.T, nc *newsroomClient, base string, form url.Values) {
	t.Helper()
	resp, err := nc.c.Get(base + "/newsroom/settings")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := settingsVersionRE.FindSubmatch(page)
	if m == nil {
		t.Fatalf("the settings page (%s) has no version in its form", resp.Status)
	}
	form.Set("version", string(m[1]))
	if form.Get("feeds") == "" {
		form.Set("feeds", "full")
	}
	code, loc, err := nc.post(base, "/newsroom/settings", form)
	if err != nil {
		t.Fatal(err)
	}
	if code != 303 || !strings.Contains(loc, "done=settings") {
		t.Fatalf("save the paper settings: %d to %q", code, loc)
	}
}

// waitFor polls url until its body contains every one of want, or fails
// after d.
func waitFor(t *testing.T, pageURL string, d time.Duration, want ...string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		_, body := get(t, pageURL)
		missing := ""
		for _, w := range want {
			if !strings.Contains(body, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not show %q %s after the change", pageURL, missing, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSettingsApplyWithoutRestart: settings saved in the newsroom are on
// the next page the saving node serves, cached pages and feeds included,
// with no restart (they applied only at the next start before). A flag
// given on the command line stays an override.
func TestSettingsApplyWithoutRestart(t *testing.T) {
	masthead(t)
	s := startServer(t, "--no-demo", "--language", "ko")
	email, password := adminLogin(t, s)
	nc := newNewsroomClient()
	if err := nc.signIn(s.URL, email, password); err != nil {
		t.Fatal(err)
	}
	// Warm the page cache, so the test shows it purged as well.
	for _, p := range []string{"/", "/feed.xml"} {
		if code, body := get(t, s.URL+p); code != 200 || !strings.Contains(body, "The Masthead Herald") {
			t.Fatalf("GET %s before: %d", p, code)
		}
	}
	saveSettings(t, nc, s.URL, url.Values{"name": {"The Seoul Ledger"}, "tagline": {"Markets and weather"},
		"nav": {"Markets | /section/markets\nWeather | https://weather.example.com/seoul"}, "footer": {"Ethics code | /ethics"},
		"languages": {"en, ko"}})
	// At once on the node that saved: the save's request read the change
	// log before it answered.
	_, front := get(t, s.URL+"/")
	for _, want := range []string{`<a class="brand" href="/">The Seoul Ledger</a>`, "Markets and weather",
		`<a href="/section/markets">Markets</a>`, `<a href="https://weather.example.com/seoul">Weather</a>`, `<a href="/ethics">Ethics code</a>`} {
		if !strings.Contains(front, want) {
			t.Errorf("the front page right after the save lacks %s", want)
		}
	}
	if strings.Contains(front, "The Masthead Herald") {
		t.Error("the front page still names the old paper")
	}
	if _, feed := get(t, s.URL+"/feed.xml"); !strings.Contains(feed, "<title>The Seoul Ledger</title>") {
		t.Error("the feed still has the old name")
	}
	if !strings.Contains(s.logs.String(), "paper settings applied") {
		t.Error("serve logged no settings reload")
	}
	// --language was given: it wins over the stored languages' first.
	if !strings.Contains(front, `<html lang="ko"`) {
		t.Error("the stored language overrode --language")
	}
}

// TestBadStoredSettingsHoldNothingBack: settings that do not apply (a time
// zone no machine knows, written past the newsroom's checks) are logged and
// the node keeps its current ones; the change feed goes on past them, so
// the next save applies. Had the reload's error stopped the feed at that
// change, every purge after it would have stopped until someone mended
// the settings.
func TestBadStoredSettingsHoldNothingBack(t *testing.T) {
	masthead(t)
	s := startServer(t, "--no-demo")
	get(t, s.URL+"/") // cached
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(s.Data, "masthead.db"))
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(ctx, func(tx news.Tx) error {
		cur, err := tx.FindSetting(ctx, news.PaperSettingsKey)
		if errors.Is(err, news.ErrNotFound) {
			cur, err = &news.Setting{Key: news.PaperSettingsKey}, nil
		}
		if err != nil {
			return err
		}
		cur.Value = `{"name":"Broken Times","time_zone":"Mars/Olympus_Mons"}`
		if err := tx.UpdateSetting(ctx, cur); err != nil {
			return err
		}
		tx.Announce(news.SettingsChanged(news.PaperSettingsKey))
		return nil
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(s.logs.String(), "paper settings not applied") {
		if time.Now().After(deadline) {
			t.Fatal("the node did not log the settings it could not apply")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, front := get(t, s.URL+"/"); !strings.Contains(front, `<a class="brand" href="/">The Masthead Herald</a>`) {
		t.Fatal("the node does not keep its current settings")
	}
	// The feed goes on: a story published now is on the front page.
	email, password := adminLogin(t, s)
	nc := newNewsroomClient()
	if err := nc.signIn(s.URL, email, password); err != nil {
		t.Fatal(err)
	}
	id, err := nc.createStory(s.URL, "Ferry resumes after the storm", "The ferry to Ulleung Island sails again.")
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.publish(s.URL, id); err != nil {
		t.Fatal(err)
	}
	waitFor(t, s.URL+"/", time.Second, "Ferry resumes after the storm")
	saveSettings(t, nc, s.URL, url.Values{"name": {"The Mended Times"}, "time_zone": {"Asia/Seoul"}})
	waitFor(t, s.URL+"/", time.Second, `<a class="brand" href="/">The Mended Times</a>`)
}
