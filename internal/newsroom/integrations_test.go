package newsroom

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"masthead/internal/integrations"
	"masthead/internal/news"
	"masthead/internal/webhooks"
)

var (
	contentKeyRe = regexp.MustCompile(`<code class="secret">([0-9a-f]{26})</code>`)
	adminKeyRe   = regexp.MustCompile(`<code class="secret">(mhk_[0-9a-f]{48})</code>`)
)

func TestIntegrationsDesk(t *testing.T) {
	h := newHarness(t)
	// Admins only.
	for _, r := range []news.Role{news.RoleEditor, news.RoleReporter} {
		res, body := h.do(r, "GET", "/newsroom/integrations", nil)
		wantStatus(t, string(r)+" opens integrations", res, body, http.StatusForbidden)
		res, body = h.do(r, "POST", "/newsroom/integrations", url.Values{"name": {"x"}, "scope": {"content:read"}})
		wantStatus(t, string(r)+" adds an integration", res, body, http.StatusForbidden)
	}
	res, body := h.do(news.RoleAdmin, "POST", "/newsroom/integrations", url.Values{"name": {"x"}, "scope": {"content:read"}}, noCSRF)
	wantStatus(t, "add without CSRF", res, body, http.StatusForbidden)
	res, body = h.do(news.RoleAdmin, "POST", "/newsroom/integrations", url.Values{"name": {"Wire"}})
	wantStatus(t, "add without scopes", res, body, http.StatusUnprocessableEntity)
	if !strings.Contains(body, "at least one scope") || !strings.Contains(body, `value="Wire"`) {
		t.Errorf("refused form does not say why or lost the name")
	}
	if list, _ := h.st.ListIntegrations(h.ctx); len(list) != 0 {
		t.Fatalf("a refused form stored %d integrations", len(list))
	}

	res, body = h.do(news.RoleAdmin, "POST", "/newsroom/integrations", url.Values{"name": {"Ghost front end"}, "scope": {"content:read", "webhooks:manage"}, "rate_limit": {"120"}})
	wantStatus(t, "add", res, body, http.StatusCreated)
	ck, ak := contentKeyRe.FindStringSubmatch(body), adminKeyRe.FindStringSubmatch(body)
	if ck == nil || ak == nil {
		t.Fatalf("the keys are not on the page that made them:\n%s", body)
	}
	k, in, err := h.st.FindAPIKey(h.ctx, integrations.Hash(ck[1]))
	if err != nil || in.Name != "Ghost front end" || in.RateLimit != 120 || k.Kind != news.KeyContent || !in.Has(news.ScopeWebhooksManage) {
		t.Fatalf("stored: %+v %+v %v", k, in, err)
	}
	if _, _, err := h.st.FindAPIKey(h.ctx, integrations.Hash(ak[1])); err != nil {
		t.Fatalf("admin key: %v", err)
	}
	// Shown once: neither the list nor the integration's page has them.
	id := strconv.FormatInt(in.ID, 10)
	for _, path := range []string{"/newsroom/integrations", "/newsroom/integrations/" + id} {
		res, body = h.do(news.RoleAdmin, "GET", path, nil)
		wantStatus(t, path, res, body, http.StatusOK)
		if strings.Contains(body, ck[1]) || strings.Contains(body, ak[1]) {
			t.Errorf("%s shows a key again", path)
		}
		if res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s may be cached", path)
		}
	}
	if !strings.Contains(body, "…"+ck[1][22:]) {
		t.Error("the integration's page does not tell its keys apart by their last characters")
	}

	// A webhook's delivery log and a redelivery.
	wh := &news.Webhook{IntegrationID: in.ID, URL: "https://hooks.example/in", Events: []string{"story.published"}, Secret: webhooks.NewSecret()}
	if err := h.st.CreateWebhook(h.ctx, wh); err != nil {
		t.Fatal(err)
	}
	h.st.EnqueueWebhookEvent(h.ctx, news.WebhookEvent{Type: "story.published", Payload: []byte(`{}`), At: t0}, webhooks.NewMsgID)
	ds, _ := h.st.ClaimWebhookDeliveries(h.ctx, "n", t0, time.Minute, 1)
	h.st.FinishWebhookAttempt(h.ctx, ds[0].ID, "n", news.WebhookAttempt{At: t0, Status: 502, Error: "HTTP 502"}, t0.Add(5*time.Second))
	res, body = h.do(news.RoleAdmin, "GET", "/newsroom/integrations/"+id, nil)
	if !strings.Contains(body, "https://hooks.example/in") || !strings.Contains(body, "502") {
		t.Errorf("the delivery log is not on the integration's page")
	}
	dpath := "/newsroom/integrations/" + id + "/deliveries/" + strconv.FormatInt(ds[0].ID, 10)
	res, body = h.do(news.RoleAdmin, "GET", dpath, nil)
	wantStatus(t, "delivery page", res, body, http.StatusOK)
	if !strings.Contains(body, ds[0].MsgID) || !strings.Contains(body, "HTTP 502") {
		t.Errorf("delivery page lacks the attempt")
	}
	h.clock.Set(t0.Add(time.Minute))
	res, body = h.do(news.RoleAdmin, "POST", dpath+"/redeliver", nil)
	wantStatus(t, "redeliver", res, body, http.StatusSeeOther)
	if d, _ := h.st.FindWebhookDelivery(h.ctx, ds[0].ID); d.State != news.WebhookPending || !d.NextAttemptAt.Equal(t0.Add(time.Minute)) || d.MsgID != ds[0].MsgID {
		t.Errorf("after redeliver: %+v", d)
	}
	// Another integration's delivery is not found under this one.
	other, _ := integrations.Create(h.ctx, h.st, "Other", []news.Scope{news.ScopeContentRead}, 0, t0)
	res, body = h.do(news.RoleAdmin, "GET", "/newsroom/integrations/"+strconv.FormatInt(other.Integration.ID, 10)+"/deliveries/"+strconv.FormatInt(ds[0].ID, 10), nil)
	wantStatus(t, "delivery under another integration", res, body, http.StatusNotFound)

	// Rotation shows the new key once; the old one is revoked.
	res, body = h.do(news.RoleAdmin, "POST", "/newsroom/integrations/"+id+"/rotate", url.Values{"kind": {"content"}})
	wantStatus(t, "rotate", res, body, http.StatusOK)
	nk := contentKeyRe.FindStringSubmatch(body)
	if nk == nil || nk[1] == ck[1] {
		t.Fatalf("no new key on the page")
	}
	if k, _, _ := h.st.FindAPIKey(h.ctx, integrations.Hash(ck[1])); k.Active() {
		t.Error("the old content key still works")
	}
	res, body = h.do(news.RoleAdmin, "POST", "/newsroom/integrations/"+id+"/revoke", nil)
	wantStatus(t, "revoke", res, body, http.StatusSeeOther)
	got, _ := h.st.FindIntegrationByID(h.ctx, in.ID)
	for _, k := range got.Keys {
		if k.Active() {
			t.Errorf("key %d of a revoked integration works", k.ID)
		}
	}
	// Wire copy: the sections published as they come.
	sec := &news.Section{Slug: "world", Name: "World"}
	if err := h.st.CreateSection(h.ctx, sec); err != nil {
		t.Fatal(err)
	}
	res, body = h.do(news.RoleEditor, "POST", "/newsroom/integrations/wire", url.Values{"section": {strconv.FormatInt(sec.ID, 10)}})
	wantStatus(t, "editor sets wire sections", res, body, http.StatusForbidden)
	res, body = h.do(news.RoleAdmin, "POST", "/newsroom/integrations/wire", url.Values{"section": {strconv.FormatInt(sec.ID, 10)}, "version": {"0"}})
	wantStatus(t, "wire sections", res, body, http.StatusSeeOther)
	if v, _ := h.st.GetSetting(h.ctx, news.WireSetting); v != "["+strconv.FormatInt(sec.ID, 10)+"]" {
		t.Errorf("wire setting = %q", v)
	}
	res, body = h.do(news.RoleAdmin, "POST", "/newsroom/integrations/wire", url.Values{"version": {"0"}})
	wantStatus(t, "stale wire form", res, body, http.StatusConflict)
	res, body = h.do(news.RoleAdmin, "GET", "/newsroom/integrations", nil)
	if !strings.Contains(body, `value="`+strconv.FormatInt(sec.ID, 10)+`" checked`) {
		t.Errorf("the wire form does not show the section checked")
	}
	audit, _ := h.st.ListAudit(h.ctx, 10)
	var actions []string
	for _, e := range audit {
		if e.Action == "integration" {
			actions = append(actions, e.Detail)
		}
	}
	if len(actions) != 4 { // add, rotate, revoke, redeliver
		t.Errorf("audit of the desk's changes: %q", actions)
	}
}
