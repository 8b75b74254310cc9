package readers

import (
	"crypto/hmac"
	"net/http"
	"strconv"
	"strings"

	"masthead/internal/auth"
	"masthead/internal/news"
)

// subscribe is the sign-up form on the front page and every story page: an
// e-mail address and optionally the lists (default: the first list). It
// answers with a page and a confirmation mail; nothing is sent to the
// address until its owner confirms (double opt-in).
func (rd *Readers) subscribe(w http.ResponseWriter, r *http.Request) {
	if !auth.SameOrigin(r, rd.paper().BaseURL) {
		rd.message(w, r, http.StatusForbidden, "Not allowed", "This form must be sent from our own pages.")
		return
	}
	ctx := r.Context()
	email, ok := parseEmail(r.PostFormValue("email"))
	if !ok {
		rd.message(w, r, http.StatusUnprocessableEntity, "Check the address", "Enter an e-mail address, like name@example.com, and try again.")
		return
	}
	lists, err := rd.st.ListNewsletterLists(ctx)
	if err != nil {
		rd.fail(w, r, err)
		return
	}
	if len(lists) == 0 {
		rd.message(w, r, http.StatusNotFound, "No newsletters", "This paper has no newsletters yet.")
		return
	}
	chosen := map[int64]bool{}
	for _, v := range r.PostForm["list"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			rd.message(w, r, http.StatusUnprocessableEntity, "Unknown newsletter", "Choose a newsletter from the list.")
			return
		}
		chosen[id] = true
	}
	var picked []*news.NewsletterList
	for _, l := range lists {
		if chosen[l.ID] {
			picked = append(picked, l)
		}
	}
	if len(picked) != len(chosen) {
		rd.message(w, r, http.StatusUnprocessableEntity, "Unknown newsletter", "Choose a newsletter from the list.")
		return
	}
	if len(picked) == 0 {
		picked = lists[:1]
	}
	var ids []string
	now := rd.clock.Now()
	for _, l := range picked {
		sub, err := rd.st.Subscribe(ctx, l.ID, 0, email, now)
		if err != nil {
			rd.fail(w, r, err)
			return
		}
		if sub.Status == news.SubPending {
			ids = append(ids, strconv.FormatInt(sub.ID, 10))
		}
	}
	// Already subscribed to all of them: say so in the same words, to
	// tell nobody which addresses are on our lists.
	if len(ids) > 0 {
		if err := rd.mailLink(r, email, news.TokenConfirm, strings.Join(ids, ",")); err != nil {
			rd.linkError(w, r, err)
			return
		}
	}
	rd.message(w, r, http.StatusOK, "Check your inbox", "We sent a confirmation link to "+email+". Your subscription starts when you click it.")
}

func (rd *Readers) confirmPage(w http.ResponseWriter, r *http.Request) {
	rd.page(w, r, http.StatusOK, "Confirm your subscription", "confirm", tokenPage{Token: r.URL.Query().Get("t")})
}

// confirm activates the subscriptions a confirmation link was for, and
// makes the address a reader (who can sign in later to manage them).
func (rd *Readers) confirm(w http.ResponseWriter, r *http.Request) {
	tok, reader, ok := rd.spendLink(w, r, news.TokenConfirm, "Confirmation links work once, for 7 days. Sign up again to get a new one.")
	if !ok {
		return
	}
	ctx := r.Context()
	now := rd.clock.Now()
	for _, p := range strings.Split(tok.Data, ",") {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			continue
		}
		sub, err := rd.st.FindSubscription(ctx, id)
		if err != nil || !strings.EqualFold(sub.Email, tok.Email) {
			continue
		}
		if _, err := rd.st.Subscribe(ctx, sub.ListID, reader.ID, sub.Email, now); err != nil {
			rd.fail(w, r, err)
			return
		}
		if err := rd.st.SetSubscriptionStatus(ctx, id, news.SubActive, now); err != nil {
			rd.fail(w, r, err)
			return
		}
	}
	if rd.onConfirm != nil {
		rd.onConfirm()
	}
	rd.message(w, r, http.StatusOK, "You are subscribed", "Thank you. Every newsletter has a one-click unsubscribe link; your account page lists your newsletters.")
}

type unsubData struct {
	S, T string
	List string
	Done bool
}

// checkUnsub reads and checks an unsubscribe link's subscription and MAC.
func (rd *Readers) checkUnsub(r *http.Request) (*news.Subscription, string, string, bool) {
	s, t := r.FormValue("s"), r.FormValue("t")
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || !hmac.Equal([]byte(t), []byte(rd.mac("unsub", s))) {
		return nil, s, t, false
	}
	sub, err := rd.st.FindSubscription(r.Context(), id)
	if err != nil {
		return nil, s, t, false
	}
	return sub, s, t, true
}

func (rd *Readers) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	sub, s, t, ok := rd.checkUnsub(r)
	if !ok {
		rd.message(w, r, http.StatusNotFound, "Unknown link", "This unsubscribe link is not one of ours. Sign in to your account to manage your newsletters.")
		return
	}
	d := unsubData{S: s, T: t, Done: sub.Status != news.SubActive && sub.Status != news.SubPending}
	if l, err := rd.st.FindNewsletterList(r.Context(), sub.ListID); err == nil {
		d.List = l.Name
	}
	rd.page(w, r, http.StatusOK, "Unsubscribe", "unsubscribe", d)
}

// unsubscribe is the one-click unsubscribe (RFC 8058): the mailbox POSTs
// List-Unsubscribe=One-Click to the link, with no cookie and no CSRF token
// — the link's MAC is the authority — and the page's own button does the
// same. A GET never unsubscribes (link scanners follow every link).
func (rd *Readers) unsubscribe(w http.ResponseWriter, r *http.Request) {
	sub, s, t, ok := rd.checkUnsub(r)
	if !ok {
		rd.message(w, r, http.StatusNotFound, "Unknown link", "This unsubscribe link is not one of ours.")
		return
	}
	if sub.Status == news.SubActive || sub.Status == news.SubPending {
		if err := rd.st.SetSubscriptionStatus(r.Context(), sub.ID, news.SubUnsubscribed, rd.clock.Now()); err != nil {
			rd.fail(w, r, err)
			return
		}
	}
	d := unsubData{S: s, T: t, Done: true}
	if l, err := rd.st.FindNewsletterList(r.Context(), sub.ListID); err == nil {
		d.List = l.Name
	}
	rd.page(w, r, http.StatusOK, "Unsubscribed", "unsubscribe", d)
}
