package newsroom

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"masthead/internal/auth"
	"masthead/internal/httpx"
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

// clientAddr is the address sign-ins are throttled by: the connection's,
// or the client's as a proxy in --trusted-proxies forwards it; an IPv6
// client is its /64.
func (n *Newsroom) clientAddr(r *http.Request) string {
	a := httpx.ClientAddr(r, n.cfg.TrustedProxies)
	if !a.IsValid() {
		return r.RemoteAddr
	}
	return httpx.ClientPrefix(a).String()
}

// Sign-in bounds: the form is public, so what it may cost is bounded before
// anything is read or stored.
const (
	maxSigninBody  = 8 << 10 // the form has four short fields
	maxEmailLength = 254     // RFC 5321's longest address
	// auditEmailRunes is how much of a typed e-mail the audit log keeps;
	// a longer one is cut and marked with a hash of the whole.
	auditEmailRunes = 64
)

// auditEmail is what the audit log records of a typed e-mail: at most
// auditEmailRunes, control characters removed, and a hash of the whole
// when cut, so repeated attempts with one long value can still be told
// apart from different ones.
func auditEmail(email string) string {
	clean := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, email)
	if utf8.RuneCountInString(clean) <= auditEmailRunes && clean == email {
		return email
	}
	runes := []rune(clean)
	if len(runes) > auditEmailRunes {
		runes = runes[:auditEmailRunes]
	}
	sum := sha256.Sum256([]byte(email))
	return fmt.Sprintf("%s… (%d bytes, sha256 %x)", string(runes), len(email), sum[:6])
}

func (n *Newsroom) signin(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, maxSigninBody)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return news.Errorf(news.EINVALID, "The sign-in form was too large.")
		}
		return news.Errorf(news.EINVALID, "The sign-in form could not be read.")
	}
	email := strings.TrimSpace(r.PostFormValue("email"))
	pw := r.PostFormValue("password")
	p := &signinPage{Next: safeNext(r.PostFormValue("next"))}
	if len(email) <= maxEmailLength {
		p.Email = email
	}

	ck, err := r.Cookie(preCookie)
	tok := r.PostFormValue(auth.CSRFField)
	if err != nil || tok == "" || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(tok)) != 1 {
		p.Error = "The sign-in form had expired. Please try again."
		n.renderSignin(w, r, http.StatusForbidden, p)
		return nil
	}
	addr := n.clientAddr(r)
	account := strings.ToLower(email)
	// A browser that signed in to this account before is throttled on its
	// own (and not by its address): a stranger's guesses cannot lock the
	// owner out of the devices they already use.
	device := ""
	if len(email) <= maxEmailLength {
		device = n.devices.Known(r, account)
	}
	acctKey := "acct:" + account
	if device != "" {
		acctKey = "device:" + device + ":" + account
	}
	addrKey := "addr:" + addr
	okA, waitA := n.acctThrottle.Begin(acctKey)
	okB, waitB := true, time.Duration(0)
	if okA && device == "" {
		if okB, waitB = n.addrThrottle.Begin(addrKey); !okB {
			n.acctThrottle.Succeeded(acctKey) // not tried after all
		}
	}
	if !okA || !okB {
		wait := max(waitA, waitB)
		p.Error = "Too many failed sign-ins. " + tryAgainIn(wait)
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		n.auditSignin(ctx, nil, "signin_throttled", email, addr)
		n.renderSignin(w, r, http.StatusTooManyRequests, p)
		return nil
	}
	if n.testHookSignin != nil {
		n.testHookSignin()
	}
	var u *news.User
	if len(email) > maxEmailLength {
		err = news.Errorf(news.EUNAUTHORIZED, "Wrong e-mail or password.")
	} else {
		u, err = auth.Authenticate(ctx, n.store, email, pw)
	}
	if errors.Is(err, news.ErrUnauthorized) {
		// Begin already counted the failure on both keys.
		n.auditSignin(ctx, nil, "signin_failed", email, addr)
		n.log.WarnContext(ctx, "newsroom: sign-in failed", "addr", addr)
		p.Error = news.ErrorMessage(err)
		n.renderSignin(w, r, http.StatusUnauthorized, p)
		return nil
	} else if err != nil {
		return err
	}
	n.acctThrottle.Reset(acctKey)
	if device == "" {
		n.addrThrottle.Succeeded(addrKey)
	}
	token, s, err := n.sessions.Create(ctx, u.ID, r.UserAgent())
	if err != nil {
		return err
	}
	auth.SetCookie(w, token, s.ExpiresAt, n.secure(r))
	if err := n.devices.Remember(w, r, account, n.secure(r)); err != nil {
		n.log.WarnContext(ctx, "newsroom: no device cookie", "err", err)
	}
	http.SetCookie(w, &http.Cookie{Name: preCookie, Value: "", Path: "/newsroom/signin", MaxAge: -1})
	_ = workflow.Audit(ctx, n.store, n.clock, u, "signin", 0, "addr="+addr)
	http.Redirect(w, r, p.Next, http.StatusSeeOther)
	return nil
}

// tryAgainIn says when a throttled sign-in may try again.
func tryAgainIn(wait time.Duration) string {
	if wait < time.Minute {
		return fmt.Sprintf("Try again in %d seconds.", int(wait.Seconds())+1)
	}
	return fmt.Sprintf("Try again in %d minutes.", int(wait/time.Minute)+1)
}

func (n *Newsroom) signout(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := n.store.DeleteSession(r.Context(), c.sess.ID); err != nil && !errors.Is(err, news.ErrNotFound) {
		return err
	}
	auth.ClearCookie(w, n.secure(r))
	http.Redirect(w, r, "/newsroom/signin", http.StatusSeeOther)
	return nil
}
