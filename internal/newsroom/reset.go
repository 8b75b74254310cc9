package newsroom

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"masthead/internal/auth"
	"masthead/internal/news"
	"masthead/internal/workflow"
)

// Mailer sends one plain-text e-mail: serve passes the paper's SMTP sender
// (internal/mail, issue 16; --smtp or the paper's SMTP settings). nil turns
// password resets and invitations by e-mail off.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Link lifetimes: a reset is asked for and used at once; an invitation
// waits for someone to read their mail.
const (
	resetTTL  = time.Hour
	inviteTTL = 7 * 24 * time.Hour
)

type forgotPage struct {
	base
	Sent   bool
	NoMail bool
}

type resetPage struct {
	base
	Token  string
	Invite bool
	Error  string
	Name   string
}

func tokenHash(secret string) string {
	sum := sha256.Sum256([]byte("account-token:" + secret))
	return hex.EncodeToString(sum[:])
}

// issueToken makes a token for u and mails its link.
func (n *Newsroom) issueToken(ctx context.Context, u *news.User, kind string) error {
	ts, ok := n.store.(news.TokenStore)
	if !ok || n.cfg.Mail == nil {
		return news.Errorf(news.ENOTFOUND, "Mail is not set up on this masthead.")
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return err
	}
	secret := base64.RawURLEncoding.EncodeToString(b[:])
	ttl := resetTTL
	if kind == news.TokenInvite {
		ttl = inviteTTL
	}
	now := n.clock.Now()
	if err := ts.CreateToken(ctx, &news.AccountToken{Hash: tokenHash(secret), UserID: u.ID, Kind: kind, CreatedAt: now, ExpiresAt: now.Add(ttl)}); err != nil {
		return err
	}
	link := n.paper().AbsURL("/newsroom/reset/" + secret)
	var subject, body string
	if kind == news.TokenInvite {
		link += "?invite=1"
		subject = "You are invited to the " + n.paper().Name + " newsroom"
		body = fmt.Sprintf("Hello %s,\n\nYou have an account in the newsroom of %s. Choose your password here (the link works once, for 7 days):\n\n%s\n\nThen sign in with this e-mail address at %s\n",
			u.Name, n.paper().Name, link, n.paper().AbsURL("/newsroom/"))
	} else {
		subject = "Reset your " + n.paper().Name + " newsroom password"
		body = fmt.Sprintf("Hello %s,\n\nSomeone (we hope you) asked to reset your newsroom password. Choose a new one here (the link works once, for an hour):\n\n%s\n\nIf it was not you, ignore this mail: your password stays as it is.\n",
			u.Name, link)
	}
	return n.cfg.Mail.Send(ctx, u.Email, subject, body)
}

func (n *Newsroom) forgotForm(w http.ResponseWriter, r *http.Request, c *call) error {
	p := &forgotPage{NoMail: n.cfg.Mail == nil}
	p.Title = "Forgot your password?"
	n.render(w, r, c, http.StatusOK, "forgot", p)
	return nil
}

// forgot mails a reset link to an account with the address, and answers
// the same whether there is one or not, so the page tells nobody who has
// an account.
func (n *Newsroom) forgot(w http.ResponseWriter, r *http.Request, c *call) error {
	if n.cfg.Mail == nil {
		return news.Errorf(news.ENOTFOUND, "Mail is not set up on this masthead: ask an admin to reset your password.")
	}
	// Every request counts against the address and the account (Begin
	// counts it; nothing undoes it), so the page cannot be used to flood a
	// mailbox.
	if ok, _ := n.addrThrottle.Begin("forgot:" + n.clientAddr(r)); !ok {
		return news.Errorf(news.EFORBIDDEN, "Too many requests from your address. Try again later.")
	}
	email := strings.TrimSpace(r.PostFormValue("email"))
	if ok, _ := n.acctThrottle.Begin("forgot:" + strings.ToLower(email)); ok && email != "" {
		u, err := n.store.FindUserByEmail(r.Context(), email)
		switch {
		case err == nil && !u.Disabled:
			if err := n.issueToken(r.Context(), u, news.TokenReset); err != nil {
				n.log.ErrorContext(r.Context(), "newsroom: password reset mail", "user_id", u.ID, "err", err)
			} else {
				_ = workflow.Audit(r.Context(), n.store, n.clock, u, "reset_sent", 0, "")
			}
		case err != nil && !errors.Is(err, news.ErrNotFound):
			return err
		}
	}
	p := &forgotPage{Sent: true}
	p.Title = "Check your mail"
	n.render(w, r, c, http.StatusOK, "forgot", p)
	return nil
}

func (n *Newsroom) tokenUser(r *http.Request, kind string, spend bool) (*news.User, error) {
	ts, ok := n.store.(news.TokenStore)
	if !ok {
		return nil, news.ErrNotFound
	}
	h := tokenHash(r.PathValue("token"))
	var (
		uid int64
		err error
	)
	if spend {
		uid, err = ts.UseToken(r.Context(), h, kind, n.clock.Now())
	} else {
		uid, err = ts.PeekToken(r.Context(), h, kind, n.clock.Now())
	}
	if errors.Is(err, news.ErrNotFound) {
		return nil, news.Errorf(news.ENOTFOUND, "This link has been used or has expired. Ask for a new one.")
	} else if err != nil {
		return nil, err
	}
	u, err := n.store.FindUserByID(r.Context(), uid)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, news.Errorf(news.EFORBIDDEN, "This account is disabled.")
	}
	return u, nil
}

func tokenKind(r *http.Request) string {
	if r.URL.Query().Get("invite") == "1" || r.PostFormValue("invite") == "1" {
		return news.TokenInvite
	}
	return news.TokenReset
}

func (n *Newsroom) resetForm(w http.ResponseWriter, r *http.Request, c *call) error {
	w.Header().Set("Referrer-Policy", "no-referrer") // the link is a secret
	kind := tokenKind(r)
	u, err := n.tokenUser(r, kind, false)
	if err != nil {
		return err
	}
	p := &resetPage{Token: r.PathValue("token"), Invite: kind == news.TokenInvite, Name: u.Name}
	p.Title = "Choose a password"
	n.render(w, r, c, http.StatusOK, "reset", p)
	return nil
}

// reset sets the password from a reset or invitation link. The link is
// spent only once the password is valid, and then signs out every session
// of the account.
func (n *Newsroom) reset(w http.ResponseWriter, r *http.Request, c *call) error {
	w.Header().Set("Referrer-Policy", "no-referrer")
	kind := tokenKind(r)
	pw, again := r.PostFormValue("password"), r.PostFormValue("again")
	u, err := n.tokenUser(r, kind, false)
	if err != nil {
		return err
	}
	p := &resetPage{Token: r.PathValue("token"), Invite: kind == news.TokenInvite, Name: u.Name}
	p.Title = "Choose a password"
	if pw != again {
		p.Error = "The two passwords differ."
	} else if err := auth.ValidatePassword(pw); err != nil {
		p.Error = err.Error()
	}
	if p.Error != "" {
		n.render(w, r, c, http.StatusUnprocessableEntity, "reset", p)
		return nil
	}
	if u, err = n.tokenUser(r, kind, true); err != nil {
		return err
	}
	if err := n.setPassword(r.Context(), u, u, pw, "password_reset", kind); err != nil {
		return err
	}
	if err := n.sessions.RevokeAll(r.Context(), u.ID, ""); err != nil {
		return err
	}
	http.Redirect(w, r, "/newsroom/signin?done=password-set", http.StatusSeeOther)
	return nil
}
