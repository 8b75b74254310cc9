package newsroom

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"masthead/internal/integrations"
	"masthead/internal/news"
	"masthead/internal/workflow"
)

// The integrations desk (admins): other programs let in with keys — Ghost
// front ends, wire feeds, automations. Keys are shown once, on the page
// that made them; the store keeps their hashes. Each integration's page
// shows its keys with their last use, its audited calls and its webhooks'
// delivery log, with redelivery.

func init() {
	pageNames = append(pageNames, "integrations", "integration", "delivery")
	flashes["integration-revoked"] = "Integration revoked: its keys no longer work."
	flashes["key-revoked"] = "Key revoked."
	flashes["redelivered"] = "Delivery queued again, with the same webhook-id."
	flashes["wire"] = "Wire settings saved."
}

// registerIntegrations adds the desk's routes (admin only).
func (n *Newsroom) registerIntegrations(mux *http.ServeMux) {
	for _, rt := range []struct {
		pattern string
		h       handler
	}{
		{"GET /newsroom/integrations", n.integrations},
		{"POST /newsroom/integrations", n.addIntegration},
		{"GET /newsroom/integrations/{id}", n.integration},
		{"POST /newsroom/integrations/{id}/rotate", n.rotateKey},
		{"POST /newsroom/integrations/{id}/revoke", n.revokeIntegration},
		{"POST /newsroom/integrations/{id}/keys/{key}/revoke", n.revokeKey},
		{"GET /newsroom/integrations/{id}/deliveries/{delivery}", n.delivery},
		{"POST /newsroom/integrations/{id}/deliveries/{delivery}/redeliver", n.redeliver},
		{"POST /newsroom/integrations/wire", n.saveWireSections},
	} {
		mux.Handle(rt.pattern, n.wrap(news.RoleAdmin, rt.h))
	}
}

type integrationForm struct {
	Name      string
	Scopes    map[news.Scope]bool
	RateLimit string
}

type integrationsPage struct {
	base
	Integrations []*news.Integration
	AllScopes    []news.Scope
	Form         integrationForm
	Error        string
	// Created is set on the page that made an integration: its keys,
	// shown this once.
	Created *integrations.Created
	// Sections and AutoPublish: where wire copy is published as it comes
	// (elsewhere it waits in review); WireVersion guards the form.
	Sections    []*news.Section
	AutoPublish map[int64]bool
	WireVersion int64
}

func (n *Newsroom) integrationsPage(r *http.Request) (*integrationsPage, error) {
	list, err := n.store.ListIntegrations(r.Context())
	if err != nil {
		return nil, err
	}
	p := &integrationsPage{Integrations: list, AllScopes: news.AllScopes, Form: integrationForm{Scopes: map[news.Scope]bool{news.ScopeContentRead: true}},
		AutoPublish: map[int64]bool{}}
	if p.Sections, err = n.store.ListSections(r.Context()); err != nil {
		return nil, err
	}
	set, err := n.store.FindSetting(r.Context(), news.WireSetting)
	switch {
	case err == nil:
		p.WireVersion = set.Version
		var ids []int64
		if json.Unmarshal([]byte(set.Value), &ids) == nil {
			for _, id := range ids {
				p.AutoPublish[id] = true
			}
		}
	case !errors.Is(err, news.ErrNotFound):
		return nil, err
	}
	p.Title, p.Nav = "Integrations", "integrations"
	return p, nil
}

func (n *Newsroom) integrations(w http.ResponseWriter, r *http.Request, c *call) error {
	p, err := n.integrationsPage(r)
	if err != nil {
		return err
	}
	n.render(w, r, c, http.StatusOK, "integrations", p)
	return nil
}

func (n *Newsroom) addIntegration(w http.ResponseWriter, r *http.Request, c *call) error {
	if !workflow.Can(c.user, workflow.ActSettings, nil) {
		return news.ErrForbidden
	}
	f := integrationForm{Name: strings.TrimSpace(r.PostFormValue("name")), RateLimit: strings.TrimSpace(r.PostFormValue("rate_limit")), Scopes: map[news.Scope]bool{}}
	var scopes []news.Scope
	for _, s := range r.PostForm["scope"] {
		sc := news.Scope(s)
		if !sc.Valid() {
			return news.Errorf(news.EINVALID, "Unknown scope %q.", s)
		}
		f.Scopes[sc] = true
		scopes = append(scopes, sc)
	}
	var err error
	rate := 0
	if f.RateLimit != "" {
		if rate, err = strconv.Atoi(f.RateLimit); err != nil || rate < 1 {
			err = news.Errorf(news.EINVALID, "The rate limit is a whole number of requests a minute.")
		}
	}
	var cr *integrations.Created
	switch {
	case err != nil:
	case f.Name == "":
		err = news.Errorf(news.EINVALID, "An integration needs a name: the audit log shows its calls under it.")
	case len(scopes) == 0:
		err = news.Errorf(news.EINVALID, "Choose at least one scope.")
	default:
		err = n.store.Update(r.Context(), func(tx news.Tx) error {
			var err error
			if cr, err = integrations.Create(r.Context(), tx, f.Name, scopes, rate, n.clock.Now()); err != nil {
				return err
			}
			return workflow.Audit(r.Context(), tx, n.clock, c.user, "integration", 0, "added "+cr.Integration.Name+" ("+news.JoinScopes(scopes)+")")
		})
	}
	p, perr := n.integrationsPage(r)
	if perr != nil {
		return perr
	}
	if err != nil {
		if code := news.ErrorCode(err); code != news.EINVALID && code != news.ECONFLICT {
			return err
		}
		p.Error, p.Form = news.ErrorMessage(err), f
		n.render(w, r, c, http.StatusUnprocessableEntity, "integrations", p)
		return nil
	}
	p.Created = cr
	n.render(w, r, c, http.StatusCreated, "integrations", p)
	return nil
}

type integrationPage struct {
	base
	In       *news.Integration
	Calls    []*news.IntegrationCall
	Webhooks []webhookView
	// NewKey and NewKind are set on the page after a rotation.
	NewKey  string
	NewKind news.KeyKind
}

type webhookView struct {
	*news.Webhook
	Deliveries []*news.WebhookDelivery
}

func (n *Newsroom) loadIntegration(r *http.Request) (*news.Integration, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, news.Errorf(news.ENOTFOUND, "No such integration.")
	}
	in, err := n.store.FindIntegrationByID(r.Context(), id)
	if news.ErrorCode(err) == news.ENOTFOUND {
		return nil, news.Errorf(news.ENOTFOUND, "No such integration.")
	}
	return in, err
}

func (n *Newsroom) integrationData(r *http.Request, in *news.Integration) (*integrationPage, error) {
	ctx := r.Context()
	calls, err := n.store.ListIntegrationCalls(ctx, in.ID, 50)
	if err != nil {
		return nil, err
	}
	hooks, err := n.store.ListWebhooks(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	p := &integrationPage{In: in, Calls: calls}
	for _, h := range hooks {
		ds, err := n.store.ListWebhookDeliveries(ctx, h.ID, 20)
		if err != nil {
			return nil, err
		}
		p.Webhooks = append(p.Webhooks, webhookView{h, ds})
	}
	p.Title, p.Nav = in.Name+" · Integrations", "integrations"
	return p, nil
}

func (n *Newsroom) integration(w http.ResponseWriter, r *http.Request, c *call) error {
	in, err := n.loadIntegration(r)
	if err != nil {
		return err
	}
	p, err := n.integrationData(r, in)
	if err != nil {
		return err
	}
	n.render(w, r, c, http.StatusOK, "integration", p)
	return nil
}

func (n *Newsroom) rotateKey(w http.ResponseWriter, r *http.Request, c *call) error {
	in, err := n.loadIntegration(r)
	if err != nil {
		return err
	}
	kind := news.KeyKind(r.PostFormValue("kind"))
	var key string
	err = n.store.Update(r.Context(), func(tx news.Tx) error {
		var err error
		if key, err = integrations.Rotate(r.Context(), tx, in.ID, kind, n.clock.Now()); err != nil {
			return err
		}
		return workflow.Audit(r.Context(), tx, n.clock, c.user, "integration", 0, "rotated the "+string(kind)+" key of "+in.Name)
	})
	if err != nil {
		return err
	}
	if in, err = n.store.FindIntegrationByID(r.Context(), in.ID); err != nil {
		return err
	}
	p, err := n.integrationData(r, in)
	if err != nil {
		return err
	}
	p.NewKey, p.NewKind = key, kind
	n.render(w, r, c, http.StatusOK, "integration", p)
	return nil
}

func (n *Newsroom) revokeIntegration(w http.ResponseWriter, r *http.Request, c *call) error {
	in, err := n.loadIntegration(r)
	if err != nil {
		return err
	}
	err = n.store.Update(r.Context(), func(tx news.Tx) error {
		if err := tx.RevokeIntegration(r.Context(), in.ID, n.clock.Now()); err != nil {
			return err
		}
		return workflow.Audit(r.Context(), tx, n.clock, c.user, "integration", 0, "revoked "+in.Name)
	})
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/newsroom/integrations/"+strconv.FormatInt(in.ID, 10)+"?done=integration-revoked", http.StatusSeeOther)
	return nil
}

func (n *Newsroom) revokeKey(w http.ResponseWriter, r *http.Request, c *call) error {
	in, err := n.loadIntegration(r)
	if err != nil {
		return err
	}
	kid, _ := strconv.ParseInt(r.PathValue("key"), 10, 64)
	found := false
	for _, k := range in.Keys {
		found = found || k.ID == kid
	}
	if !found {
		return news.Errorf(news.ENOTFOUND, "No such key.")
	}
	err = n.store.Update(r.Context(), func(tx news.Tx) error {
		if err := tx.RevokeAPIKey(r.Context(), kid, n.clock.Now()); err != nil {
			return err
		}
		return workflow.Audit(r.Context(), tx, n.clock, c.user, "integration", 0, "revoked a key of "+in.Name)
	})
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/newsroom/integrations/"+strconv.FormatInt(in.ID, 10)+"?done=key-revoked", http.StatusSeeOther)
	return nil
}

type deliveryPage struct {
	base
	In       *news.Integration
	Webhook  *news.Webhook
	Delivery *news.WebhookDelivery
	Attempts []*news.WebhookAttempt
}

// loadDelivery finds a delivery of a webhook of the integration.
func (n *Newsroom) loadDelivery(r *http.Request) (*news.Integration, *news.Webhook, *news.WebhookDelivery, error) {
	in, err := n.loadIntegration(r)
	if err != nil {
		return nil, nil, nil, err
	}
	notFound := news.Errorf(news.ENOTFOUND, "No such delivery.")
	id, err := strconv.ParseInt(r.PathValue("delivery"), 10, 64)
	if err != nil {
		return nil, nil, nil, notFound
	}
	d, err := n.store.FindWebhookDelivery(r.Context(), id)
	if news.ErrorCode(err) == news.ENOTFOUND {
		return nil, nil, nil, notFound
	} else if err != nil {
		return nil, nil, nil, err
	}
	wh, err := n.store.FindWebhook(r.Context(), d.WebhookID)
	if err != nil {
		return nil, nil, nil, err
	}
	if wh.IntegrationID != in.ID {
		return nil, nil, nil, notFound
	}
	return in, wh, d, nil
}

func (n *Newsroom) delivery(w http.ResponseWriter, r *http.Request, c *call) error {
	in, wh, d, err := n.loadDelivery(r)
	if err != nil {
		return err
	}
	as, err := n.store.ListWebhookAttempts(r.Context(), d.ID)
	if err != nil {
		return err
	}
	p := &deliveryPage{In: in, Webhook: wh, Delivery: d, Attempts: as}
	p.Title, p.Nav = "Delivery "+d.MsgID, "integrations"
	n.render(w, r, c, http.StatusOK, "delivery", p)
	return nil
}

func (n *Newsroom) redeliver(w http.ResponseWriter, r *http.Request, c *call) error {
	in, _, d, err := n.loadDelivery(r)
	if err != nil {
		return err
	}
	err = n.store.Update(r.Context(), func(tx news.Tx) error {
		if err := tx.RedeliverWebhook(r.Context(), d.ID, n.clock.Now()); err != nil {
			return err
		}
		return workflow.Audit(r.Context(), tx, n.clock, c.user, "integration", 0, "redelivered "+d.MsgID+" of "+in.Name)
	})
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/newsroom/integrations/"+strconv.FormatInt(in.ID, 10)+"/deliveries/"+strconv.FormatInt(d.ID, 10)+"?done=redelivered", http.StatusSeeOther)
	return nil
}

// saveWireSections sets the sections whose wire copy is published as it
// comes. It is the paper's decision, an admin's: the wire's own scopes
// need not include stories:publish for it.
func (n *Newsroom) saveWireSections(w http.ResponseWriter, r *http.Request, c *call) error {
	if !workflow.Can(c.user, workflow.ActSettings, nil) {
		return news.ErrForbidden
	}
	ids := []int64{}
	for _, v := range r.PostForm["section"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return news.Errorf(news.EINVALID, "No such section.")
		}
		if _, err := n.store.FindSectionByID(r.Context(), id); err != nil {
			return news.Errorf(news.EINVALID, "No such section.")
		}
		ids = append(ids, id)
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	b, _ := json.Marshal(ids)
	err := n.store.Update(r.Context(), func(tx news.Tx) error {
		if err := tx.UpdateSetting(r.Context(), &news.Setting{Key: news.WireSetting, Value: string(b), Version: version, UpdatedBy: c.user.ID}); err != nil {
			return err
		}
		return workflow.Audit(r.Context(), tx, n.clock, c.user, "wire", 0, "auto-publish sections "+string(b))
	})
	if errors.Is(err, news.ErrConflict) {
		return news.Errorf(news.ECONFLICT, "Someone else changed the wire settings meanwhile: reload the page and try again.")
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/newsroom/integrations?done=wire", http.StatusSeeOther)
	return nil
}
