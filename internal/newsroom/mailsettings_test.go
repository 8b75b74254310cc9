package newsroom

import (
	"context"
	"errors"
	"net"
	"net/url"
	"slices"
	"strings"
	"testing"

	"masthead/internal/mail"
	"masthead/internal/mail/mailpit"
	"masthead/internal/news"
)

// dynamicMail is serve's newsroom sender (cmd/masthead newsroomMail): the
// paper's SMTP settings, re-read while it runs.
type dynamicMail struct{ d *mail.Dynamic }

func (m dynamicMail) Send(ctx context.Context, to, subject, body string) error {
	return m.d.Send(ctx, &mail.Message{To: to, Subject: subject, Text: body})
}
func (m dynamicMail) Reload() { m.d.Reload() }

func settingsMail(st news.Store) dynamicMail {
	get := func(ctx context.Context, key string) (string, error) {
		v, err := st.GetSetting(ctx, key)
		if errors.Is(err, news.ErrNotFound) {
			return "", nil
		}
		return v, err
	}
	return dynamicMail{mail.NewDynamic(func(ctx context.Context) (mail.Config, error) {
		return mail.FromSettings(ctx, get, mail.Config{})
	})}
}

// TestMailSettings: an admin sets the SMTP server and sender; the stored
// URL holds the password, the page never shows it again, a save with the
// password left empty keeps it and the checkbox removes it; a password
// over an unencrypted connection, a bad port or sender is refused and
// changes nothing; a save against an old version is refused; an editor
// may not; serve's --smtp override is shown.
func TestMailSettings(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.SMTPOverride = "smtp://relay.example:25" })
	form := func(kv ...string) url.Values {
		f := url.Values{"url_version": {"0"}, "from_version": {"0"}, "smtp_tls": {"required"}}
		for i := 0; i+1 < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	res, body := h.do(news.RoleAdmin, "POST", "/newsroom/settings/mail", form("smtp_host", "smtp.example.com", "smtp_port", "2525",
		"smtp_user", "news", "smtp_password", "s3cret pass/word", "mail_from", "News Desk <news@example.com>"))
	wantStatus(t, "save mail settings", res, body, 303)
	stored, _ := h.st.GetSetting(h.ctx, mail.KeyURL)
	srv, err := mail.ParseURL(stored)
	if err != nil || srv.Host != "smtp.example.com" || srv.Port != 2525 || srv.Username != "news" || srv.Password != "s3cret pass/word" || srv.TLS != mail.TLSRequired {
		t.Fatalf("stored SMTP URL parses to %+v, %v", srv, err)
	}
	if from, _ := h.st.GetSetting(h.ctx, mail.KeyFrom); from != "News Desk <news@example.com>" {
		t.Errorf("stored sender %q", from)
	}
	_, page := h.do(news.RoleAdmin, "GET", "/newsroom/settings", nil)
	if strings.Contains(page, "s3cret") {
		t.Fatal("the settings page shows the SMTP password")
	}
	for _, want := range []string{`value="smtp.example.com"`, `value="2525"`, `value="news"`, "one is stored; leave empty to keep it",
		`<option value="required" selected>`, "mail goes through smtp://relay.example:25", `value="1"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the settings page lacks %s", want)
		}
	}
	audit, _ := h.st.ListAudit(h.ctx, 3)
	for _, e := range audit {
		if strings.Contains(e.Detail, "s3cret") {
			t.Errorf("the audit log has the password: %q", e.Detail)
		}
	}
	// The password left empty keeps the stored one.
	res, body = h.do(news.RoleAdmin, "POST", "/newsroom/settings/mail", form("url_version", "1", "from_version", "1",
		"smtp_host", "smtp.example.com", "smtp_port", "2526", "smtp_user", "news", "mail_from", "News Desk <news@example.com>"))
	wantStatus(t, "save, password kept", res, body, 303)
	if srv, _ := mail.ParseURL(mustSetting(t, h, mail.KeyURL)); srv.Password != "s3cret pass/word" || srv.Port != 2526 {
		t.Errorf("after a save without a password: %+v", srv)
	}
	before := mustSetting(t, h, mail.KeyURL)
	for name, bad := range map[string]url.Values{
		"password in the clear": form("url_version", "2", "from_version", "2", "smtp_host", "smtp.example.com", "smtp_tls", "none", "smtp_user", "news", "smtp_password", "x"),
		"bad port":              form("url_version", "2", "from_version", "2", "smtp_host", "smtp.example.com", "smtp_port", "99999"),
		"bad sender":            form("url_version", "2", "from_version", "2", "smtp_host", "smtp.example.com", "mail_from", "not an address"),
		"bad host":              form("url_version", "2", "from_version", "2", "smtp_host", "evil.example/@x"),
		"stale":                 form("url_version", "1", "from_version", "1", "smtp_host", "other.example.com"),
	} {
		res, body := h.do(news.RoleAdmin, "POST", "/newsroom/settings/mail", bad)
		if res.StatusCode != 422 && res.StatusCode != 409 || !strings.Contains(body, `role="alert"`) {
			t.Errorf("%s: status %d", name, res.StatusCode)
		}
		if name == "stale" && res.StatusCode != 409 {
			t.Errorf("a stale mail form: %d", res.StatusCode)
		}
		if strings.Contains(body, "s3cret") {
			t.Errorf("%s: the refusal shows the password", name)
		}
	}
	if got := mustSetting(t, h, mail.KeyURL); got != before {
		t.Errorf("refused forms changed the SMTP URL: %q", got)
	}
	res, body = h.do(news.RoleAdmin, "POST", "/newsroom/settings/mail", form("url_version", "2", "from_version", "2",
		"smtp_host", "smtp.example.com", "smtp_user", "news", "smtp_password_clear", "on"))
	wantStatus(t, "remove the password", res, body, 303)
	if srv, _ := mail.ParseURL(mustSetting(t, h, mail.KeyURL)); srv.Password != "" || srv.Username != "news" {
		t.Errorf("after removing the password: %+v", srv)
	}
	if res, _ := h.do(news.RoleEditor, "POST", "/newsroom/settings/mail", form("smtp_host", "x.example")); res.StatusCode != 403 {
		t.Errorf("an editor saved mail settings: %d", res.StatusCode)
	}
	if res, _ := h.do(news.RoleEditor, "POST", "/newsroom/settings/mail/test", nil); res.StatusCode != 403 {
		t.Errorf("an editor sent a test mail: %d", res.StatusCode)
	}
}

func mustSetting(t *testing.T, h *harness, key string) string {
	t.Helper()
	v, err := h.st.GetSetting(h.ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestTestMailThroughMailpit: with the paper's mail settings pointing at a
// real SMTP server (Mailpit), "Send a test mail" delivers one to the
// admin; before any server is set it says so and nothing is sent.
func TestTestMailThroughMailpit(t *testing.T) {
	mp := mailpit.FromEnv(t)
	var m dynamicMail
	h := newHarness(t, func(c *Config) {
		m = settingsMail(c.Store)
		c.Mail = m
	})
	t.Cleanup(func() { m.d.Close() })
	admin := h.users[news.RoleAdmin]
	addr := mailpit.Address("test-mail")
	if _, err := h.st.UpdateUser(h.ctx, admin.ID, news.UserUpdate{Email: &addr}); err != nil {
		t.Fatal(err)
	}
	res, body := h.do(news.RoleAdmin, "POST", "/newsroom/settings/mail/test", nil)
	wantStatus(t, "test mail, no server", res, body, 502)
	if !strings.Contains(body, "no SMTP server is set") {
		t.Errorf("the page does not say that no server is set")
	}
	host, port, _ := net.SplitHostPort(mp.SMTP)
	res, body = h.do(news.RoleAdmin, "POST", "/newsroom/settings/mail", url.Values{"url_version": {"0"}, "from_version": {"0"},
		"smtp_host": {host}, "smtp_port": {port}, "smtp_tls": {"none"}, "mail_from": {"Test Desk <desk@news.test>"}})
	wantStatus(t, "point the settings at Mailpit", res, body, 303)
	res, body = h.do(news.RoleAdmin, "POST", "/newsroom/settings/mail/test", nil)
	wantStatus(t, "test mail", res, body, 303)
	got := mp.Wait(t, addr, 1)
	if len(got) != 1 || got[0].Subject != "Test mail from The Test Times" || got[0].From == nil || got[0].From.Address != "desk@news.test" {
		t.Fatalf("Mailpit received %+v", got)
	}
	msg, err := mp.Message(h.ctx, got[0].ID)
	if err != nil || !strings.Contains(msg.Text, "If you can read it") {
		t.Errorf("the test mail's text: %v %q", err, msg.Text)
	}
	_, page := h.do(news.RoleAdmin, "GET", "/newsroom/settings?done=mail-test", nil)
	if !strings.Contains(page, "A test mail went to "+addr) {
		t.Error("the settings page does not confirm the test mail")
	}
	if !slices.ContainsFunc(got[0].To, func(a *mailpit.Addr) bool { return a.Address == addr }) {
		t.Errorf("sent to %+v", got[0].To)
	}
}

// TestPaperSettingsPurgeEverything: a save of the paper settings is one
// guarded write recorded as a change of everything with settings.changed
// (so every node's page cache and the CDN purge every page, and webhooks
// hear of it); a save against an older version is refused and changes
// nothing. (Before, the save was an unguarded write that recorded no
// change: caches kept the old pages.)
func TestPaperSettingsPurgeEverything(t *testing.T) {
	h := newHarness(t)
	form := func(version, name string) url.Values {
		return url.Values{"version": {version}, "name": {name}, "feeds": {"full"}}
	}
	before, err := h.st.LastChange(h.ctx)
	if err != nil {
		t.Fatal(err)
	}
	res, body := h.do(news.RoleAdmin, "POST", "/newsroom/settings", form("0", "The Seoul Ledger"))
	wantStatus(t, "save", res, body, 303)
	cs, err := h.st.Changes(h.ctx, before, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(cs, func(c news.ChangeRecord) bool {
		return c.All && slices.ContainsFunc(c.Events, func(e news.Event) bool {
			return e.Type == news.EventSettingsChanged && e.Key == news.PaperSettingsKey
		})
	}) {
		t.Errorf("the save recorded no paper-wide change: %+v", cs)
	}
	_, page := h.do(news.RoleAdmin, "GET", "/newsroom/settings", nil)
	if !strings.Contains(page, `name="version" value="1"`) {
		t.Error("the form does not carry the settings' version")
	}
	res, body = h.do(news.RoleAdmin, "POST", "/newsroom/settings", form("0", "Stale Times"))
	wantStatus(t, "stale save", res, body, 409)
	if !strings.Contains(body, "changed by someone else") {
		t.Error("the stale save does not say why")
	}
	ps, _ := news.ParsePaperSettings(mustSetting(t, h, news.PaperSettingsKey))
	if ps.Name != "The Seoul Ledger" {
		t.Errorf("a stale save changed the settings: %+v", ps)
	}
	res, body = h.do(news.RoleAdmin, "POST", "/newsroom/settings", form("1", "The Seoul Daily"))
	wantStatus(t, "second save", res, body, 303)
}
