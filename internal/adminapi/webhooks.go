package adminapi

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"masthead/internal/news"
	"masthead/internal/webhooks"
)

// WebhookIn is the body of POST /webhooks.
type WebhookIn struct {
	URL    string   `json:"url"`
	Events []string `json:"events"`
}

// WebhookOut is a subscription as the API shows it; Secret only in the
// answer to its creation.
type WebhookOut struct {
	ID        int64    `json:"id"`
	URL       string   `json:"url"`
	Events    []string `json:"events"`
	Secret    string   `json:"secret,omitempty"`
	CreatedAt *string  `json:"created_at"`
	Disabled  bool     `json:"disabled"`
}

func webhookOut(w *news.Webhook) WebhookOut {
	return WebhookOut{ID: w.ID, URL: w.URL, Events: w.Events, CreatedAt: apiTime(w.CreatedAt), Disabled: !w.DisabledAt.IsZero()}
}

// checkWebhookURL refuses what can never be delivered to, before it is
// stored (private addresses are refused at delivery, after DNS).
func checkWebhookURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return fieldErr(news.Errorf(news.EINVALID, "The URL must be an absolute http:// or https:// address."), "url")
	case u.User != nil:
		return fieldErr(news.Errorf(news.EINVALID, "The URL must not hold a user name or password: verify the signature instead."), "url")
	case len(s) > 2000:
		return fieldErr(news.Errorf(news.EINVALID, "The URL is longer than 2000 characters."), "url")
	}
	return nil
}

func (a *API) createWebhook(r *http.Request, c *call) (int, any, error) {
	var in WebhookIn
	if err := decode(c, &in); err != nil {
		return 0, nil, err
	}
	in.URL = strings.TrimSpace(in.URL)
	if err := checkWebhookURL(in.URL); err != nil {
		return 0, nil, err
	}
	if len(in.Events) == 0 {
		return 0, nil, fieldErr(news.Errorf(news.EINVALID, "Subscribe to at least one event: %s.", strings.Join(news.WebhookEventTypes, ", ")), "events")
	}
	var events []string
	for _, e := range in.Events {
		if !news.ValidWebhookEvent(e) {
			return 0, nil, fieldErr(news.Errorf(news.EINVALID, "Unknown event %q (known: %s).", e, strings.Join(news.WebhookEventTypes, ", ")), "events")
		}
		if !slices.Contains(events, e) {
			events = append(events, e)
		}
	}
	w := &news.Webhook{IntegrationID: c.caller.Integration.ID, URL: in.URL, Events: events, Secret: webhooks.NewSecret(), CreatedAt: a.clock.Now()}
	var out WebhookOut
	err := a.store.Update(r.Context(), func(tx news.Tx) error {
		if err := tx.CreateWebhook(r.Context(), w); err != nil {
			return err
		}
		out = webhookOut(w)
		out.Secret = w.Secret
		return a.answerIn(r.Context(), tx, c, http.StatusCreated, out)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, out, nil
}

func (a *API) listWebhooks(r *http.Request, c *call) (int, any, error) {
	ws, err := a.store.ListWebhooks(r.Context(), c.caller.Integration.ID)
	if err != nil {
		return 0, nil, err
	}
	out := []WebhookOut{}
	for _, w := range ws {
		out = append(out, webhookOut(w))
	}
	return http.StatusOK, map[string]any{"webhooks": out}, nil
}

// ownWebhook finds a webhook of the calling integration; another's is not
// found (its existence is none of the caller's business).
func (a *API) ownWebhook(r *http.Request, c *call) (*news.Webhook, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	w, err := a.store.FindWebhook(r.Context(), id)
	if news.ErrorCode(err) == news.ENOTFOUND || err == nil && w.IntegrationID != c.caller.Integration.ID {
		return nil, news.Errorf(news.ENOTFOUND, "No such webhook.")
	}
	return w, err
}

func (a *API) deleteWebhook(r *http.Request, c *call) (int, any, error) {
	w, err := a.ownWebhook(r, c)
	if err != nil {
		return 0, nil, err
	}
	if err := a.store.DeleteWebhook(r.Context(), w.ID); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// DeliveryOut is one line of a webhook's delivery log.
type DeliveryOut struct {
	ID            int64   `json:"id"`
	MsgID         string  `json:"msg_id"`
	Event         string  `json:"event"`
	State         string  `json:"state"`
	Attempts      int     `json:"attempts"`
	LastStatus    int     `json:"last_status"`
	LastError     string  `json:"last_error,omitempty"`
	NextAttemptAt *string `json:"next_attempt_at"`
	CreatedAt     *string `json:"created_at"`
	DeliveredAt   *string `json:"delivered_at"`
}

func (a *API) listDeliveries(r *http.Request, c *call) (int, any, error) {
	w, err := a.ownWebhook(r, c)
	if err != nil {
		return 0, nil, err
	}
	ds, err := a.store.ListWebhookDeliveries(r.Context(), w.ID, 100)
	if err != nil {
		return 0, nil, err
	}
	out := []DeliveryOut{}
	for _, d := range ds {
		o := DeliveryOut{ID: d.ID, MsgID: d.MsgID, Event: d.EventType, State: d.State, Attempts: d.Attempts, LastStatus: d.LastStatus,
			LastError: d.LastError, CreatedAt: apiTime(d.CreatedAt), DeliveredAt: apiTime(d.DeliveredAt)}
		if d.State == news.WebhookPending {
			o.NextAttemptAt = apiTime(d.NextAttemptAt)
		}
		out = append(out, o)
	}
	return http.StatusOK, map[string]any{"deliveries": out}, nil
}

func (a *API) redeliver(r *http.Request, c *call) (int, any, error) {
	w, err := a.ownWebhook(r, c)
	if err != nil {
		return 0, nil, err
	}
	id, err := pathID(r, "delivery")
	if err != nil {
		return 0, nil, err
	}
	d, err := a.store.FindWebhookDelivery(r.Context(), id)
	if news.ErrorCode(err) == news.ENOTFOUND || err == nil && d.WebhookID != w.ID {
		return 0, nil, news.Errorf(news.ENOTFOUND, "No such delivery.")
	} else if err != nil {
		return 0, nil, err
	}
	out := map[string]any{"id": d.ID, "msg_id": d.MsgID, "state": news.WebhookPending}
	err = a.store.Update(r.Context(), func(tx news.Tx) error {
		if err := tx.RedeliverWebhook(r.Context(), d.ID, a.clock.Now()); err != nil {
			return err
		}
		return a.answerIn(r.Context(), tx, c, http.StatusAccepted, out)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, out, nil
}
