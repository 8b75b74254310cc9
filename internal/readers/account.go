package readers

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	netmail "net/mail"
	"net/url"
	"strings"
	"time"

	"masthead/internal/auth"
	"masthead/internal/comments"
	"masthead/internal/mail"
	"masthead/internal/mailtmpl"
	"masthead/internal/news"
)

type accountData struct {
	Signed   bool
	Reader   *news.Reader
	CSRF     string
	Lists    []listChoice
	Comments []commentLine
	Sent     bool   // "check your inbox"
	Error    string // for the sign-in form
	// PasskeysOn: the site is on a domain name, where passkeys work.
	PasskeysOn bool
	Passkeys   []*news.Passkey
}

type listChoice struct {
	List       *news.NewsletterList
	Subscribed bool
	Pending    bool
}

type commentLine struct {
	Comment *news.Comment
	Story   string
	URL     string
}

// account is the reader's page: their newsletters and comments, or the
// e-mailed sign-in link.
func (rd *Readers) account(w http.ResponseWriter, r *http.Request) {
	s, reader := rd.session(r)
	if s == nil {
		rd.page(w, r, http.StatusOK, "Your account", "signin", accountData{PasskeysOn: rd.wa != nil})
		return
	}
	ctx := r.Context()
	d := accountData{Signed: true, Reader: reader, CSRF: rd.csrf(s), PasskeysOn: rd.wa != nil}
	if rd.wa != nil {
		var err error
		if d.Passkeys, err = rd.st.ReaderPasskeys(ctx, reader.ID); err != nil {
			rd.fail(w, r, err)
			return
		}
	}
	lists, err := rd.st.ListNewsletterLists(ctx)
	if err != nil {
		rd.fail(w, r, err)
		return
	}
	subs, err := rd.st.ReaderSubscriptions(ctx, reader.ID)
	if err != nil {
		rd.fail(w, r, err)
		return
	}
	for _, l := range lists {
		c := listChoice{List: l}
		for _, sub := range subs {
			if sub.ListID == l.ID {
				c.Subscribed, c.Pending = sub.Status == news.SubActive, sub.Status == news.SubPending
			}
		}
		d.Lists = append(d.Lists, c)
	}
	cs, err := rd.st.FindComments(ctx, news.CommentFilter{ReaderID: reader.ID, Limit: 50})
	if err != nil {
		rd.fail(w, r, err)
		return
	}
	for _, c := range cs {
		line := commentLine{Comment: c}
		if a, err := rd.st.FindArticleByID(ctx, c.ArticleID); err == nil {
			line.Story, line.URL = a.Headline, rd.paper().ArticlePath(a)
		}
		d.Comments = append(d.Comments, line)
	}
	rd.page(w, r, http.StatusOK, "Your account", "account", d)
}

func (rd *Readers) fail(w http.ResponseWriter, r *http.Request, err error) {
	rd.log.Error("readers", "path", r.URL.Path, "err", err)
	rd.message(w, r, http.StatusInternalServerError, "Something went wrong", "Please try again in a moment.")
}

// me is the reader's state for scripts on cached pages.
func (rd *Readers) me(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Type", "application/json")
	s, reader := rd.session(r)
	if s == nil {
		fmt.Fprint(w, `{"signed_in":false}`)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"signed_in": true, "id": reader.ID, "name": DisplayName(reader), "csrf": rd.csrf(s),
		"banned": reader.Banned,
	})
}

// DisplayName is what others see of a reader: never the address.
func DisplayName(r *news.Reader) string {
	if n := strings.TrimSpace(r.Name); n != "" {
		return n
	}
	return fmt.Sprintf("Reader %d", r.ID)
}

// clientKey is the address a request came from, for throttles.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// parseEmail accepts one plain address.
func parseEmail(s string) (string, bool) {
	s = strings.TrimSpace(s)
	a, err := netmail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 || !strings.Contains(s[strings.LastIndexByte(s, '@'):], ".") {
		return "", false
	}
	return s, true
}

// requestSignIn mails a sign-in link. The answer is the same whether or
// not the address has an account, so the form tells nobody who reads us.
func (rd *Readers) requestSignIn(w http.ResponseWriter, r *http.Request) {
	if !auth.SameOrigin(r, rd.paper().BaseURL) {
		rd.message(w, r, http.StatusForbidden, "Not allowed", "This form must be sent from our own pages.")
		return
	}
	email, ok := parseEmail(r.PostFormValue("email"))
	if !ok {
		rd.page(w, r, http.StatusUnprocessableEntity, "Your account", "signin", accountData{Error: "Enter an e-mail address, like name@example.com.", PasskeysOn: rd.wa != nil})
		return
	}
	if err := rd.mailLink(r, email, news.TokenSignIn, ""); err != nil {
		rd.linkError(w, r, err)
		return
	}
	rd.page(w, r, http.StatusOK, "Check your inbox", "signin", accountData{Sent: true})
}

var errTooMany = errors.New("too many links asked for")

// mailLink makes a single-use token and mails its link.
func (rd *Readers) mailLink(r *http.Request, email, purpose, data string) error {
	ctx := r.Context()
	now := rd.clock.Now()
	// Every link mailed counts: 10 from one address, then one a minute
	// (doubling), forgotten after 15 minutes.
	if ok, _ := rd.ipLimit.Begin(clientKey(r)); !ok {
		return errTooMany
	}
	if n, err := rd.st.CountReaderTokens(ctx, email, now.Add(-time.Hour)); err != nil {
		return err
	} else if n >= 5 {
		return errTooMany
	}
	secret := randomToken(32)
	tok := &news.ReaderToken{Hash: hashToken(secret), Purpose: purpose, Email: email, Data: data, CreatedAt: now}
	var n mailtmpl.Notice
	var subject string
	switch purpose {
	case news.TokenSignIn:
		tok.ExpiresAt = now.Add(SignInTTL)
		subject = "Sign in to " + rd.paper().Name
		n = mailtmpl.Notice{Heading: "Sign in", Preheader: "Your sign-in link, valid for 15 minutes.",
			Paragraphs: []string{"Use this button within 15 minutes to sign in to " + rd.paper().Name + ". It works once."},
			Action:     &mailtmpl.Action{Label: "Sign in", URL: rd.paper().AbsURL("/account/signin?" + url.Values{"t": {secret}}.Encode())},
			After:      []string{"If you did not ask for this, ignore this mail: nobody can sign in without the link."}}
	case news.TokenConfirm:
		tok.ExpiresAt = now.Add(ConfirmTTL)
		subject = "Confirm your subscription to " + rd.paper().Name
		n = mailtmpl.Notice{Heading: "Confirm your subscription", Preheader: "One click and you are subscribed.",
			Paragraphs: []string{"Someone, hopefully you, asked to get " + rd.paper().Name + " newsletters at this address. Confirm to start receiving them."},
			Action:     &mailtmpl.Action{Label: "Confirm subscription", URL: rd.paper().AbsURL("/newsletters/confirm?" + url.Values{"t": {secret}}.Encode())},
			After:      []string{"If you did not ask for this, ignore this mail and you will get nothing more from us."}}
	}
	if err := rd.st.CreateReaderToken(ctx, tok); err != nil {
		return err
	}
	return rd.sendNotice(ctx, email, subject, n)
}

func (rd *Readers) linkError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, errTooMany):
		rd.message(w, r, http.StatusTooManyRequests, "Too many requests", "We sent several links already. Wait a few minutes, and check your spam folder.")
	case errors.Is(err, mail.ErrNotConfigured):
		rd.message(w, r, http.StatusServiceUnavailable, "Mail is not set up", "This paper cannot send e-mail yet. Please try again later.")
	case mail.IsPermanent(err):
		rd.message(w, r, http.StatusUnprocessableEntity, "That address refuses mail", "The mail server of that address refused our message. Check the address.")
	default:
		rd.log.Warn("readers: send link", "err", err)
		rd.message(w, r, http.StatusServiceUnavailable, "Could not send the mail", "Our mail server did not answer. Please try again in a minute.")
	}
}

type tokenPage struct{ Token string }

// signInPage shows a button, not a session: mail scanners that fetch every
// link must not spend the single-use token.
func (rd *Readers) signInPage(w http.ResponseWriter, r *http.Request) {
	rd.page(w, r, http.StatusOK, "Sign in", "signin_confirm", tokenPage{Token: r.URL.Query().Get("t")})
}

// spendLink spends the e-mailed link a form posted (its t field) and
// returns the reader it was sent to, made a reader if new; it answers the
// request itself when it cannot.
func (rd *Readers) spendLink(w http.ResponseWriter, r *http.Request, purpose, expired string) (*news.ReaderToken, *news.Reader, bool) {
	if !auth.SameOrigin(r, rd.paper().BaseURL) {
		rd.message(w, r, http.StatusForbidden, "Not allowed", "This form must be sent from our own pages.")
		return nil, nil, false
	}
	tok, err := rd.st.UseReaderToken(r.Context(), hashToken(r.PostFormValue("t")), purpose, rd.clock.Now())
	if errors.Is(err, news.ErrNotFound) {
		rd.message(w, r, http.StatusGone, "This link has expired", expired)
		return nil, nil, false
	}
	if err != nil {
		rd.fail(w, r, err)
		return nil, nil, false
	}
	reader, err := rd.st.EnsureReader(r.Context(), tok.Email)
	if err != nil {
		rd.fail(w, r, err)
		return nil, nil, false
	}
	return tok, reader, true
}

func (rd *Readers) signIn(w http.ResponseWriter, r *http.Request) {
	_, reader, ok := rd.spendLink(w, r, news.TokenSignIn, "Sign-in links work once, for 15 minutes. Ask for a new one on your account page.")
	if !ok {
		return
	}
	if err := rd.startSession(w, r, reader); err != nil {
		rd.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

func (rd *Readers) startSession(w http.ResponseWriter, r *http.Request, reader *news.Reader) error {
	secret := randomToken(32)
	now := rd.clock.Now()
	if err := rd.st.CreateReaderSession(r.Context(), &news.ReaderSession{ID: hashToken(secret), ReaderID: reader.ID,
		CreatedAt: now, ExpiresAt: now.Add(SessionTTL)}); err != nil {
		return err
	}
	rd.setCookie(w, secret, int(SessionTTL/time.Second))
	return nil
}

func (rd *Readers) signOut(w http.ResponseWriter, r *http.Request) {
	s, _, ok := rd.checkForm(w, r)
	if !ok {
		return
	}
	_ = rd.st.DeleteReaderSession(r.Context(), s.ID)
	rd.setCookie(w, "", -1)
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

func (rd *Readers) profile(w http.ResponseWriter, r *http.Request) {
	_, reader, ok := rd.checkForm(w, r)
	if !ok {
		return
	}
	name := comments.Clean(r.PostFormValue("name"))
	name = strings.Join(strings.Fields(name), " ")
	if len([]rune(name)) > 60 {
		rd.message(w, r, http.StatusUnprocessableEntity, "Name too long", "A name has at most 60 characters.")
		return
	}
	reader.Name = name
	if err := rd.st.UpdateReader(r.Context(), reader); err != nil {
		rd.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

// preferences sets the reader's newsletters: checked lists are subscribed
// (at once: the reader proved the address by signing in), the rest left.
func (rd *Readers) preferences(w http.ResponseWriter, r *http.Request) {
	_, reader, ok := rd.checkForm(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	now := rd.clock.Now()
	lists, err := rd.st.ListNewsletterLists(ctx)
	if err != nil {
		rd.fail(w, r, err)
		return
	}
	want := map[string]bool{}
	for _, v := range r.PostForm["list"] {
		want[v] = true
	}
	for _, l := range lists {
		sub, err := rd.st.Subscribe(ctx, l.ID, reader.ID, reader.Email, now)
		if err != nil {
			rd.fail(w, r, err)
			return
		}
		status := news.SubUnsubscribed
		if want[fmt.Sprint(l.ID)] {
			status = news.SubActive
		} else if sub.Status != news.SubActive && sub.Status != news.SubPending {
			continue // bounced or already out: leave as it is
		}
		if err := rd.st.SetSubscriptionStatus(ctx, sub.ID, status, now); err != nil {
			rd.fail(w, r, err)
			return
		}
	}
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

// export gives the reader everything stored about them, as JSON.
func (rd *Readers) export(w http.ResponseWriter, r *http.Request) {
	s, reader := rd.session(r)
	if s == nil {
		http.Redirect(w, r, "/account", http.StatusSeeOther)
		return
	}
	ctx := r.Context()
	subs, err := rd.st.ReaderSubscriptions(ctx, reader.ID)
	if err != nil {
		rd.fail(w, r, err)
		return
	}
	cs, err := rd.st.FindComments(ctx, news.CommentFilter{ReaderID: reader.ID, Limit: 100000})
	if err != nil {
		rd.fail(w, r, err)
		return
	}
	type sub struct {
		List        int64      `json:"list_id"`
		Status      string     `json:"status"`
		Created     time.Time  `json:"created_at"`
		Confirmed   *time.Time `json:"confirmed_at,omitempty"`
		Unsubscribe *time.Time `json:"unsubscribed_at,omitempty"`
	}
	type com struct {
		ID      int64     `json:"id"`
		Article int64     `json:"article_id"`
		Parent  int64     `json:"parent_id,omitempty"`
		Body    string    `json:"body"`
		Status  string    `json:"status"`
		Created time.Time `json:"created_at"`
	}
	type key struct {
		Name     string     `json:"name"`
		Created  time.Time  `json:"created_at"`
		LastUsed *time.Time `json:"last_used,omitempty"`
	}
	out := struct {
		Email    string    `json:"email"`
		Name     string    `json:"name"`
		Created  time.Time `json:"created_at"`
		Subs     []sub     `json:"subscriptions"`
		Comments []com     `json:"comments"`
		Passkeys []key     `json:"passkeys"`
	}{Email: reader.Email, Name: reader.Name, Created: reader.CreatedAt, Subs: []sub{}, Comments: []com{}, Passkeys: []key{}}
	opt := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		return &t
	}
	for _, s := range subs {
		out.Subs = append(out.Subs, sub{s.ListID, s.Status, s.CreatedAt, opt(s.ConfirmedAt), opt(s.UnsubscribedAt)})
	}
	for _, c := range cs {
		out.Comments = append(out.Comments, com{c.ID, c.ArticleID, c.ParentID, c.Body, c.Status, c.CreatedAt})
	}
	pks, err := rd.st.ReaderPasskeys(ctx, reader.ID)
	if err != nil {
		rd.fail(w, r, err)
		return
	}
	for _, p := range pks {
		out.Passkeys = append(out.Passkeys, key{p.Name, p.CreatedAt, opt(p.LastUsed)})
	}
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="my-data.json"`)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(out)
}

func (rd *Readers) deleteAccount(w http.ResponseWriter, r *http.Request) {
	_, reader, ok := rd.checkForm(w, r)
	if !ok {
		return
	}
	if r.PostFormValue("confirm") != "delete" {
		rd.message(w, r, http.StatusUnprocessableEntity, "Not deleted", "Tick the box to confirm that you want your account deleted.")
		return
	}
	if err := rd.st.DeleteReader(r.Context(), reader.ID); err != nil {
		rd.fail(w, r, err)
		return
	}
	rd.setCookie(w, "", -1)
	rd.message(w, r, http.StatusOK, "Account deleted", "Your account, newsletters and comments are gone. Replies others wrote to you stay, without your words.")
}
