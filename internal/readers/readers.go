// Package readers is the reader side of accounts and newsletters: signing
// in with an e-mailed link, the account page, newsletter sign-up with
// double opt-in, one-click unsubscribe, and the sender that works through
// the newsletter queue.
//
// Reader sessions are apart from the newsroom's: their own cookie
// (masthead_reader), scoped to /account, so story pages — cached and
// identical for every anonymous reader — never see it. What a page needs to
// know about the reader it asks /account/me.json.
package readers

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"

	"masthead/internal/auth"
	"masthead/internal/comments"
	"masthead/internal/mail"
	"masthead/internal/mailtmpl"
	"masthead/internal/news"
)

// Store is what readers need of the database.
type Store interface {
	news.Store
	news.ReaderStore
	news.NewsletterStore
	news.CommentStore
}

// Shell renders a page body in the site's layout (internal/site does).
type Shell interface {
	Shell(w http.ResponseWriter, r *http.Request, status int, title string, body template.HTML)
}

// Config wires the reader side.
type Config struct {
	Paper  *news.Paper
	Store  Store
	Mail   mail.Sender
	Shell  Shell
	Clock  news.Clock
	Logger *slog.Logger
	// Secure marks cookies Secure (the site is served over https).
	Secure bool
	// Comments, when set, has its cached threads dropped on writes.
	Comments *comments.Public
}

// Lifetimes of what is e-mailed and of a session.
const (
	SignInTTL  = 15 * time.Minute
	ConfirmTTL = 7 * 24 * time.Hour
	SessionTTL = 90 * 24 * time.Hour
	CookieName = "masthead_reader"
	CookiePath = "/account"
	// SecretKey is the setting holding the key of unsubscribe links.
	SecretKey = "readers.secret"
)

// Readers serves the reader side.
type Readers struct {
	cfg       Config
	st        Store
	live      *news.Paper // read through paper()
	clock     news.Clock
	log       *slog.Logger
	t         *template.Template
	ipLimit   *auth.Throttle
	secret    []byte
	policy    *comments.Policy
	wa        *webauthn.WebAuthn // nil: passkeys cannot work on this host
	onConfirm func()             // test hook
}

//go:embed templates/*.html
var templateFiles embed.FS

// New checks cfg, makes the default newsletters on a paper that has none,
// and loads (or creates) the key of unsubscribe links.
func New(ctx context.Context, cfg Config) (*Readers, error) {
	if cfg.Paper == nil || cfg.Store == nil || cfg.Shell == nil {
		return nil, errors.New("readers: Paper, Store and Shell are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = news.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	t, err := template.New("").Funcs(template.FuncMap{
		"date": func(t time.Time) string { return t.In(cfg.Paper.Current().Loc()).Format("Jan. 2, 2006 15:04") },
	}).ParseFS(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	rd := &Readers{cfg: cfg, st: cfg.Store, live: cfg.Paper, clock: cfg.Clock, log: cfg.Logger, t: t,
		ipLimit: auth.NewThrottle(cfg.Clock, 10, time.Minute, 15*time.Minute, 15*time.Minute), policy: &comments.Policy{Store: cfg.Store, Clock: cfg.Clock}}
	rd.wa = newWebAuthn(cfg.Paper.Current())
	if rd.secret, err = loadSecret(ctx, cfg.Store); err != nil {
		return nil, err
	}
	if err := DefaultLists(ctx, cfg.Store); err != nil {
		return nil, err
	}
	return rd, nil
}

// DefaultLists makes the daily digest and breaking news lists on a paper
// without newsletters.
func DefaultLists(ctx context.Context, st news.NewsletterStore) error {
	lists, err := st.ListNewsletterLists(ctx)
	if err != nil || len(lists) > 0 {
		return err
	}
	for i, l := range []*news.NewsletterList{
		{Slug: "daily", Name: "Daily digest", Description: "The day's top stories, every morning.", Kind: news.ListDigest},
		{Slug: "breaking", Name: "Breaking news", Description: "Big stories as they happen.", Kind: news.ListBreaking},
	} {
		l.Position = i
		if err := st.CreateNewsletterList(ctx, l); err != nil && !errors.Is(err, news.ErrConflict) {
			return err
		}
	}
	return nil
}

func loadSecret(ctx context.Context, st news.Store) ([]byte, error) {
	v, err := st.GetSetting(ctx, SecretKey)
	if errors.Is(err, news.ErrNotFound) {
		v = randomToken(32)
		if err := st.PutSetting(ctx, SecretKey, v); err != nil {
			return nil, err
		}
		// Another node may have written first: use what is stored.
		if v, err = st.GetSetting(ctx, SecretKey); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	return []byte(v), nil
}

// Register adds the reader routes.
func (rd *Readers) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /account", rd.account)
	mux.HandleFunc("GET /account/me.json", rd.me)
	mux.HandleFunc("POST /account/signin", rd.requestSignIn)
	mux.HandleFunc("GET /account/signin", rd.signInPage)
	mux.HandleFunc("POST /account/signin/confirm", rd.signIn)
	mux.HandleFunc("POST /account/signout", rd.signOut)
	mux.HandleFunc("POST /account/profile", rd.profile)
	mux.HandleFunc("POST /account/newsletters", rd.preferences)
	mux.HandleFunc("GET /account/export", rd.export)
	mux.HandleFunc("POST /account/delete", rd.deleteAccount)
	rd.registerComments(mux)
	rd.registerDesk(mux)
	rd.registerPasskeys(mux)

	mux.HandleFunc("POST /newsletters/subscribe", rd.subscribe)
	mux.HandleFunc("GET /newsletters/confirm", rd.confirmPage)
	mux.HandleFunc("POST /newsletters/confirm", rd.confirm)
	mux.HandleFunc("GET /newsletters/unsubscribe", rd.unsubscribePage)
	mux.HandleFunc("POST /newsletters/unsubscribe", rd.unsubscribe)
	mux.HandleFunc("POST /newsletters/bounces", rd.bounces)
	mux.HandleFunc("GET /newsletters/o/{file}", rd.openPixel)
}

// randomToken is a URL-safe random secret of n bytes.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashToken is how a link's or cookie's secret is stored.
func hashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

func (rd *Readers) mac(parts ...string) string {
	m := hmac.New(sha256.New, rd.secret)
	m.Write([]byte(strings.Join(parts, "\x00")))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// UnsubscribeURL is the one-click link of a subscription: its id and a MAC,
// so it needs no table and never expires (RFC 8058 links must keep working).
func (rd *Readers) UnsubscribeURL(subID int64) string {
	id := fmt.Sprint(subID)
	return rd.paper().AbsURL("/newsletters/unsubscribe?" + url.Values{"s": {id}, "t": {rd.mac("unsub", id)}}.Encode())
}

// OpenPixelURL is the open-tracking image of one copy of an issue: the
// issue, the subscription and a MAC, so nobody can record opens for
// others. Issues carry it only when the paper turned tracking on.
func (rd *Readers) OpenPixelURL(issueID, subID int64) string {
	is, sub := strconv.FormatInt(issueID, 10), strconv.FormatInt(subID, 10)
	return rd.paper().AbsURL("/newsletters/o/" + is + "." + sub + "." + rd.mac("open", is, sub) + ".gif")
}

// pixelGIF is a transparent 1×1 GIF.
var pixelGIF = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

// openPixel records an open (once per issue and subscriber) while the
// paper has tracking on, and answers the image either way: a mail client
// must not show a broken image for a link that was valid when sent.
func (rd *Readers) openPixel(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutSuffix(r.PathValue("file"), ".gif")
	parts := strings.Split(name, ".")
	if !ok || len(parts) != 3 || !hmac.Equal([]byte(parts[2]), []byte(rd.mac("open", parts[0], parts[1]))) {
		http.NotFound(w, r)
		return
	}
	issueID, err1 := strconv.ParseInt(parts[0], 10, 64)
	subID, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil {
		http.NotFound(w, r)
		return
	}
	if v, err := rd.st.GetSetting(r.Context(), news.KeyOpenTracking); err == nil && v == "on" {
		if err := rd.st.RecordOpen(r.Context(), issueID, subID, rd.clock.Now()); err != nil && !errors.Is(err, news.ErrNotFound) {
			rd.log.WarnContext(r.Context(), "newsletters: record open", "err", err)
		}
	}
	h := w.Header()
	h.Set("Content-Type", "image/gif")
	h.Set("Cache-Control", "no-store, private")
	h.Set("Content-Length", strconv.Itoa(len(pixelGIF)))
	_, _ = w.Write(pixelGIF)
}

// session is the signed-in reader of r, or nil.
func (rd *Readers) session(r *http.Request) (*news.ReaderSession, *news.Reader) {
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	s, err := rd.st.FindReaderSession(r.Context(), hashToken(c.Value))
	if err != nil || !s.ExpiresAt.After(rd.clock.Now()) {
		return nil, nil
	}
	reader, err := rd.st.FindReaderByID(r.Context(), s.ReaderID)
	if err != nil {
		return nil, nil
	}
	return s, reader
}

// csrf is a signed-in reader's form token: a MAC of the session, so it
// needs no storage and dies with the session.
func (rd *Readers) csrf(s *news.ReaderSession) string { return rd.mac("csrf", s.ID) }

// checkForm guards a signed-in form: same origin and the session's token.
func (rd *Readers) checkForm(w http.ResponseWriter, r *http.Request) (*news.ReaderSession, *news.Reader, bool) {
	s, reader := rd.session(r)
	if s == nil {
		http.Redirect(w, r, "/account", http.StatusSeeOther)
		return nil, nil, false
	}
	if !auth.SameOrigin(r, rd.paper().BaseURL) || !hmac.Equal([]byte(r.PostFormValue("csrf")), []byte(rd.csrf(s))) {
		rd.message(w, r, http.StatusForbidden, "Form expired", "This form is out of date. Go back, reload the page and try again.")
		return nil, nil, false
	}
	return s, reader, true
}

func (rd *Readers) setCookie(w http.ResponseWriter, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: value, Path: CookiePath, MaxAge: maxAge,
		HttpOnly: true, Secure: rd.cfg.Secure, SameSite: http.SameSiteLaxMode,
	})
}

// page renders a template into the site's layout. Reader pages are per
// person: never stored by any cache.
func (rd *Readers) page(w http.ResponseWriter, r *http.Request, status int, title, name string, data any) {
	var b bytes.Buffer
	if err := rd.t.ExecuteTemplate(&b, name, data); err != nil {
		rd.log.Error("readers: render", "page", name, "err", err)
		http.Error(w, "Something went wrong.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Referrer-Policy", "no-referrer") // links carry tokens
	rd.cfg.Shell.Shell(w, r, status, title, template.HTML(b.String()))
}

type messageData struct{ Heading, Text string }

func (rd *Readers) message(w http.ResponseWriter, r *http.Request, status int, heading, text string) {
	rd.page(w, r, status, heading, "message", messageData{heading, text})
}

// sendNotice mails a notice; a paper without SMTP gets a clear error.
func (rd *Readers) sendNotice(ctx context.Context, to, subject string, n mailtmpl.Notice) error {
	if rd.cfg.Mail == nil {
		return mail.ErrNotConfigured
	}
	n.Paper = mailtmpl.Paper{Name: rd.paper().Name, BaseURL: rd.paper().BaseURL, Lang: rd.paper().Language}
	n.Subject = subject
	m, err := mailtmpl.RenderNotice(n)
	if err != nil {
		return err
	}
	return rd.cfg.Mail.Send(ctx, &mail.Message{To: to, Subject: m.Subject, Text: m.Text, HTML: m.HTML})
}

// paper is the paper's settings as they are now (news.Live).
func (rd *Readers) paper() *news.Paper { return rd.live.Current() }
