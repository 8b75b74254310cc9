package newsroom

import (
	"database/sql"
	"fmt"
	"net/url"
	"testing"
	"time"

	"masthead/internal/integrations"
	"masthead/internal/mail"
	"masthead/internal/news"
	"masthead/internal/webhooks"
)

// TestChangesCommitWithTheirAudit: these commands wrote their audit row
// after the change had committed, with the error dropped, so a change
// could land with no record of who made it. With the audit table refusing
// rows (a trigger in the harness's SQLite file: the database's own failure,
// not a stand-in store), each command now fails and changes nothing; with
// the trigger gone, a command writes its change and its audit row.
func TestChangesCommitWithTheirAudit(t *testing.T) {
	h := newHarness(t)
	ph := &news.Photo{Key: "2026/03/rain.jpg", ContentType: "image/jpeg", Width: 800, Height: 600, Caption: "Rain", Credit: "Desk", Alt: "Rain over Seoul"}
	if err := h.st.CreatePhoto(h.ctx, ph); err != nil {
		t.Fatal(err)
	}
	if err := h.st.EnsureTag(h.ctx, &news.Tag{Slug: "dprk", Name: "DPRK"}); err != nil {
		t.Fatal(err)
	}
	dprk, err := h.st.FindTagBySlug(h.ctx, "dprk")
	if err != nil {
		t.Fatal(err)
	}
	rep := h.users[news.RoleReporter]
	ed := h.users[news.RoleEditor]
	tr := h.st.(news.Trash)
	doomed := h.story(ed, "To delete", news.StatusDraft)
	deleted := h.story(ed, "To restore", news.StatusDraft)
	if err := tr.TrashArticle(h.ctx, news.TrashEntry{ArticleID: deleted.ID, DeletedAt: t0, DeletedBy: ed.ID, Status: news.StatusDraft}); err != nil {
		t.Fatal(err)
	}
	inTrash := func(id int64) bool { in, _ := tr.InTrash(h.ctx, id); return in }
	// An integration with a webhook whose one delivery failed.
	cr, err := integrations.Create(h.ctx, h.st, "Front end", []news.Scope{news.ScopeContentRead, news.ScopeWebhooksManage}, 0, t0)
	if err != nil {
		t.Fatal(err)
	}
	inID := cr.Integration.ID
	wh := &news.Webhook{IntegrationID: inID, URL: "https://hooks.example/in", Events: []string{"story.published"}, Secret: webhooks.NewSecret()}
	if err := h.st.CreateWebhook(h.ctx, wh); err != nil {
		t.Fatal(err)
	}
	if _, err := h.st.EnqueueWebhookEvent(h.ctx, news.WebhookEvent{Type: "story.published", Payload: []byte(`{}`), At: t0}, webhooks.NewMsgID); err != nil {
		t.Fatal(err)
	}
	ds, err := h.st.ClaimWebhookDeliveries(h.ctx, "n", t0, time.Minute, 1)
	if err != nil || len(ds) != 1 {
		t.Fatalf("claim: %v %v", ds, err)
	}
	if err := h.st.FinishWebhookAttempt(h.ctx, ds[0].ID, "n", news.WebhookAttempt{At: t0, Status: 502, Error: "HTTP 502"}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	integration := func() *news.Integration { in, _ := h.st.FindIntegrationByID(h.ctx, inID); return in }
	firstKey := integration().Keys[0]
	inPath := fmt.Sprintf("/newsroom/integrations/%d", inID)
	db, err := sql.Open("sqlite", h.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TRIGGER audit_down BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is down'); END`); err != nil {
		t.Fatal(err)
	}
	setting := func(key string) bool { _, err := h.st.GetSetting(h.ctx, key); return err == nil }
	for _, c := range []struct {
		name   string
		role   news.Role
		path   string
		form   url.Values
		landed func() bool
	}{
		{"add a section", news.RoleAdmin, "/newsroom/sections", url.Values{"name": {"Elections"}},
			func() bool { _, err := h.st.FindSectionBySlug(h.ctx, "elections"); return err == nil }},
		{"add an author", news.RoleEditor, "/newsroom/authors", url.Values{"name": {"Guest Writer"}},
			func() bool { _, err := h.st.FindAuthorBySlug(h.ctx, "guest-writer"); return err == nil }},
		{"save a profile", news.RoleEditor, fmt.Sprintf("/newsroom/authors/%d", rep.AuthorID),
			url.Values{"name": {"Byline reporter"}, "bio": {"Unaudited."}, "version": {"1"}},
			func() bool { au, _ := h.st.FindAuthorByID(h.ctx, rep.AuthorID); return au.Bio == "Unaudited." }},
		{"rename a tag", news.RoleEditor, fmt.Sprintf("/newsroom/tags/%d", dprk.ID), url.Values{"name": {"North Korea"}, "version": {"1"}},
			func() bool { _, err := h.st.FindTagBySlug(h.ctx, "north-korea"); return err == nil }},
		{"photo details", news.RoleEditor, fmt.Sprintf("/newsroom/media/%d", ph.ID), url.Values{"caption": {"Unaudited"}, "credit": {"Desk"}, "alt": {"Rain"}},
			func() bool { p, _ := h.st.FindPhotoByID(h.ctx, ph.ID); return p.Caption == "Unaudited" }},
		{"paper settings", news.RoleAdmin, "/newsroom/settings", url.Values{"version": {"0"}, "name": {"The Unaudited Times"}, "feeds": {"full"}},
			func() bool { return setting(news.PaperSettingsKey) }},
		{"mail settings", news.RoleAdmin, "/newsroom/settings/mail", url.Values{"url_version": {"0"}, "from_version": {"0"}, "smtp_tls": {"required"},
			"smtp_host": {"smtp.example.com"}, "smtp_port": {"2525"}, "mail_from": {"News Desk <news@example.com>"}},
			func() bool { return setting(mail.KeyURL) || setting(mail.KeyFrom) }},
		{"add a user", news.RoleAdmin, "/newsroom/users", url.Values{"email": {"new@example.com"}, "name": {"New Colleague"}, "role": {"reporter"}},
			func() bool { _, err := h.st.FindUserByEmail(h.ctx, "new@example.com"); return err == nil }},
		{"delete a story", news.RoleEditor, storyPath(doomed, "/delete"), url.Values{"confirm": {"yes"}},
			func() bool { return inTrash(doomed.ID) }},
		{"restore a story", news.RoleEditor, fmt.Sprintf("/newsroom/trash/%d/restore", deleted.ID), url.Values{},
			func() bool { return !inTrash(deleted.ID) }},
		{"add an integration", news.RoleAdmin, "/newsroom/integrations", url.Values{"name": {"Unaudited"}, "scope": {"content:read"}},
			func() bool { ins, _ := h.st.ListIntegrations(h.ctx); return len(ins) != 1 }},
		{"rotate a key", news.RoleAdmin, inPath + "/rotate", url.Values{"kind": {"content"}},
			func() bool { return len(integration().Keys) != 2 }},
		{"revoke a key", news.RoleAdmin, fmt.Sprintf("%s/keys/%d/revoke", inPath, firstKey.ID), url.Values{},
			func() bool {
				for _, k := range integration().Keys {
					if !k.Active() {
						return true
					}
				}
				return false
			}},
		{"redeliver", news.RoleAdmin, fmt.Sprintf("%s/deliveries/%d/redeliver", inPath, ds[0].ID), url.Values{},
			func() bool { d, _ := h.st.FindWebhookDelivery(h.ctx, ds[0].ID); return d.State == news.WebhookPending }},
		{"revoke an integration", news.RoleAdmin, inPath + "/revoke", url.Values{},
			func() bool { return !integration().RevokedAt.IsZero() }},
		{"reset a password", news.RoleAdmin, fmt.Sprintf("/newsroom/users/%d/password", rep.ID), url.Values{},
			func() bool { u, _ := h.st.FindUserByID(h.ctx, rep.ID); return u.PasswordHash != rep.PasswordHash }},
	} {
		res, _ := h.do(c.role, "POST", c.path, c.form)
		if c.landed() {
			t.Errorf("%s: the change landed without its audit row (status %d)", c.name, res.StatusCode)
		}
		if res.StatusCode < 400 {
			t.Errorf("%s: answered %d though nothing could be recorded", c.name, res.StatusCode)
		}
	}
	if es, err := h.st.ListAudit(h.ctx, 10); err != nil || len(es) != 0 {
		t.Fatalf("the audit log under the trigger: %v, %v", es, err)
	}
	if _, err := db.Exec(`DROP TRIGGER audit_down`); err != nil {
		t.Fatal(err)
	}
	res, body := h.do(news.RoleAdmin, "POST", "/newsroom/sections", url.Values{"name": {"Elections"}})
	wantStatus(t, "add a section, the audit log back", res, body, 303)
	es, err := h.st.ListAudit(h.ctx, 10)
	if err != nil || len(es) != 1 || es[0].Action != "section" || es[0].Detail != "elections" {
		t.Errorf("the audit log after one command: %+v, %v", es, err)
	}
}
