package newsroom

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"masthead/internal/auth"
	"masthead/internal/news"
	"masthead/internal/workflow"
)

// preCookie carries a sign-in form's CSRF token (double submit): there is
// no session yet to hold one, and without it another site could sign a
// browser into an account of its choosing.
const preCookie = "masthead_signin"

type signinPage struct {
	base
	Error    string
	Email    string
	Next     string
	PreToken string
}

func (n *Newsroom) signinPage(w http.ResponseWriter, r *http.Request, c *call) error {
	p := &signinPage{Next: safeNext(r.URL.Query().Get("next"))}
	p.Title = "Sign in"
	n.renderSignin(w, r, http.StatusOK, p)
	return nil
}

func (n *Newsroom) renderSignin(w http.ResponseWriter, r *http.Request, status int, p *signinPage) {
	var b [24]byte
	_, _ = rand.Read(b[:])
	p.PreToken = base64.RawURLEncoding.EncodeToString(b[:])
	http.SetCookie(w, &http.Cookie{
		Name: preCookie, Value: p.PreToken, Path: "/newsroom/signin", MaxAge: 3600,
		HttpOnly: true, Secure: n.secure(r), SameSite: http.SameSiteStrictMode,
	})
	p.Title = "Sign in"
	n.render(w, r, nil, status, "signin", p)
}

// safeNext keeps a post-sign-in redirect inside the newsroom.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/newsroom/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/newsroom/"
	}
	return next
}

// clientAddr is the address sign-ins are throttled by. The newsroom does not
// trust forwarded headers: behind a proxy every client shares its address,
// which makes the per-address limit stricter, never weaker.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (n *Newsroom) signin(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	email := strings.TrimSpace(r.PostFormValue("email"))
	pw := r.PostFormValue("password")
	p := &signinPage{Email: email, Next: safeNext(r.PostFormValue("next"))}

	ck, err := r.Cookie(preCookie)
	tok := r.PostFormValue(auth.CSRFField)
	if err != nil || tok == "" || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(tok)) != 1 {
		p.Error = "The sign-in form had expired. Please try again."
		n.renderSignin(w, r, http.StatusForbidden, p)
		return nil
	}
	acctKey := "acct:" + strings.ToLower(email)
	addrKey := "addr:" + clientAddr(r)
	okA, waitA := n.acctThrottle.Allow(acctKey)
	okB, waitB := n.addrThrottle.Allow(addrKey)
	if !okA || !okB {
		wait := max(waitA, waitB)
		p.Error = fmt.Sprintf("Too many failed sign-ins. Try again in %d minutes.", int(wait.Round(time.Minute)/time.Minute)+1)
		_ = workflow.Audit(ctx, n.store, n.clock, nil, "signin_throttled", 0, "email="+email+" addr="+clientAddr(r))
		n.renderSignin(w, r, http.StatusTooManyRequests, p)
		return nil
	}
	u, err := auth.Authenticate(ctx, n.store, email, pw)
	if errors.Is(err, news.ErrUnauthorized) {
		n.acctThrottle.Fail(acctKey)
		n.addrThrottle.Fail(addrKey)
		_ = workflow.Audit(ctx, n.store, n.clock, nil, "signin_failed", 0, "email="+email+" addr="+clientAddr(r))
		n.log.WarnContext(ctx, "newsroom: sign-in failed", "addr", clientAddr(r))
		p.Error = news.ErrorMessage(err)
		n.renderSignin(w, r, http.StatusUnauthorized, p)
		return nil
	} else if err != nil {
		return err
	}
	n.acctThrottle.Reset(acctKey)
	token, s, err := n.sessions.Create(ctx, u.ID, r.UserAgent())
	if err != nil {
		return err
	}
	auth.SetCookie(w, token, s.ExpiresAt, n.secure(r))
	http.SetCookie(w, &http.Cookie{Name: preCookie, Value: "", Path: "/newsroom/signin", MaxAge: -1})
	_ = workflow.Audit(ctx, n.store, n.clock, u, "signin", 0, "addr="+clientAddr(r))
	http.Redirect(w, r, p.Next, http.StatusSeeOther)
	return nil
}

func (n *Newsroom) signout(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := n.store.DeleteSession(r.Context(), c.sess.ID); err != nil && !errors.Is(err, news.ErrNotFound) {
		return err
	}
	auth.ClearCookie(w, n.secure(r))
	http.Redirect(w, r, "/newsroom/signin", http.StatusSeeOther)
	return nil
}
