package readers

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"masthead/internal/httpx"
	"masthead/internal/news"
)

// KeyBounceSecret is the setting holding the bounce webhook's key; unset,
// the webhook answers 404.
const KeyBounceSecret = "newsletter.bounce_secret"

// bounceReport is what the webhook takes: the address and what happened.
// Mail relays' own formats are mapped onto it by a small relay script or
// their "custom webhook" templates (docs/readers.md has examples).
type bounceReport struct {
	Email string `json:"email"`
	// Type: "bounce" (hard: the mailbox does not exist or refuses for
	// good), "soft" (full mailbox, greylisting: counted, no change),
	// "complaint" (the reader marked an issue as spam).
	Type string `json:"type"`
}

// bounces takes reports from the mail relay or the bounce mailbox's
// processor: POST /newsletters/bounces with the key in the Authorization
// header (Bearer). A hard bounce or a complaint stops every list's mail
// to the address at once.
func (rd *Readers) bounces(w http.ResponseWriter, r *http.Request) {
	secret, err := rd.st.GetSetting(r.Context(), KeyBounceSecret)
	if errors.Is(err, news.ErrNotFound) || (err == nil && secret == "") {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		httpx.WriteJSONError(w, r, rd.log, err)
		return
	}
	got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if subtle.ConstantTimeCompare([]byte(got), []byte(secret)) != 1 {
		httpx.WriteJSONError(w, r, rd.log, news.Errorf(news.EUNAUTHORIZED, "wrong or missing key"))
		return
	}
	var reports []bounceReport
	body := http.MaxBytesReader(w, r.Body, 1<<20)
	dec := json.NewDecoder(body)
	// One report or a list of them.
	raw := json.RawMessage{}
	if err := dec.Decode(&raw); err != nil {
		httpx.WriteJSONError(w, r, rd.log, news.Errorf(news.EINVALID, "body: not JSON"))
		return
	}
	if len(raw) > 0 && raw[0] == '[' {
		err = json.Unmarshal(raw, &reports)
	} else {
		var one bounceReport
		err = json.Unmarshal(raw, &one)
		reports = []bounceReport{one}
	}
	if err != nil {
		httpx.WriteJSONError(w, r, rd.log, news.Errorf(news.EINVALID, "body: want {\"email\", \"type\"} or a list of them"))
		return
	}
	for _, b := range reports {
		if _, ok := parseEmail(b.Email); !ok {
			httpx.WriteJSONError(w, r, rd.log, news.Errorf(news.EINVALID, "email %q: not an address", b.Email))
			return
		}
		switch b.Type {
		case "bounce", "soft", "complaint":
		default:
			httpx.WriteJSONError(w, r, rd.log, news.Errorf(news.EINVALID, "type %q: want bounce, soft or complaint", b.Type))
			return
		}
	}
	changed := 0
	now := rd.clock.Now()
	for _, b := range reports {
		status := map[string]string{"bounce": news.SubBounced, "complaint": news.SubComplained}[b.Type]
		if status == "" {
			continue
		}
		subs, err := rd.st.SubscriptionsByEmail(r.Context(), b.Email)
		if err != nil {
			httpx.WriteJSONError(w, r, rd.log, err)
			return
		}
		for _, s := range subs {
			if s.Status == news.SubActive || s.Status == news.SubPending {
				if err := rd.st.SetSubscriptionStatus(r.Context(), s.ID, status, now); err != nil {
					httpx.WriteJSONError(w, r, rd.log, err)
					return
				}
				changed++
			}
		}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]int{"reports": len(reports), "subscriptions_stopped": changed})
}
