package site

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"masthead/internal/auth"
	"masthead/internal/httpx"
	"masthead/internal/news"
)

// The contact form ("write to the newsroom / report an error") is on the
// contact page, which stays identical for every anonymous reader so any
// cache may keep it. What protects the form, without a third-party
// captcha and without per-reader HTML:
//
//   - Same origin: the browser's Sec-Fetch-Site / Origin must name our
//     site (auth.SameOrigin), so another site cannot post it.
//   - A signed token: the form's hidden field "t" is empty in the page;
//     site.js fills it from GET /contact-form/token (no-store), which also
//     sets a cookie holding the token's nonce (double submit: a token
//     works only with its cookie). The token carries the time it was
//     issued: a post sooner than ContactMinFill after it is refused as a
//     bot's, and one older than ContactMaxAge must fetch another.
//   - Without JavaScript the first post has no token: the answer (no-store)
//     is the same form, filled in with what the reader wrote, with a fresh
//     token and cookie, asking them to check it and send it again. No
//     reader is refused for lacking JavaScript; a bot must wait and come
//     back with the cookie.
//   - A honeypot field ("website") hidden from people; a post that fills
//     it is thanked and dropped.
//   - At most ContactMaxLinks links in a message.
//   - Per address (a /64 for IPv6; forwarded headers only from trusted
//     proxies), ContactFree messages, then a growing wait (auth.Throttle).
//
// Bad input gets the form back with the reader's text and a message
// naming the field; nothing is stored.
const (
	ContactMinFill  = 3 * time.Second
	ContactMaxAge   = 2 * time.Hour
	ContactMaxLinks = 2
	ContactFree     = 3
	contactCookie   = "masthead_contact"
	contactSecret   = "contact.secret"
	honeypotField   = "website"
)

// ContactForm is the form as the contact page and its answers show it.
type ContactForm struct {
	Action string
	Kinds  []Option
	Name   string
	Email  string
	URL    string
	Text   string
	// Token is empty in the cached page; the no-JS answer carries one.
	Token string
	// Error names what to fix, Field the field it is about; Notice is
	// the thank-you or the "check and send again" line.
	Error  string
	Field  string
	Notice string
	Sent   bool
	// L is the page's language, for the form's words.
	L Locale
}

func (s *Site) contactForm(r *http.Request) *ContactForm {
	f := &ContactForm{Action: "/contact-form", Kinds: contactKinds(news.MessageContact)}
	// A story's "report an error" link names the story: the same HTML
	// for every reader of that address.
	if u := storyURLParam(r); u != "" {
		f.URL, f.Kinds = u, contactKinds(news.MessageError)
	}
	return f
}

func contactKinds(sel news.MessageKind) []Option {
	return []Option{
		{Value: string(news.MessageContact), Name: "A message to the editors", Selected: sel != news.MessageError},
		{Value: string(news.MessageError), Name: "An error in a story", Selected: sel == news.MessageError},
	}
}

// contactState is the form's secret and throttle, made on first use.
type contactState struct {
	mu       sync.Mutex
	secret   []byte
	throttle *auth.Throttle
}

// secret is the paper's key for contact tokens and client keys, kept in
// the settings so every node signs and checks with the same one.
func (s *Site) contactSecret(ctx context.Context) ([]byte, error) {
	s.contact.mu.Lock()
	defer s.contact.mu.Unlock()
	if s.contact.secret != nil {
		return s.contact.secret, nil
	}
	v, err := s.store.GetSetting(ctx, contactSecret)
	if errors.Is(err, news.ErrNotFound) {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		v = hex.EncodeToString(b)
		err = s.store.UpdateSetting(ctx, &news.Setting{Key: contactSecret, Value: v})
		if errors.Is(err, news.ErrConflict) { // another node made it first
			v, err = s.store.GetSetting(ctx, contactSecret)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("contact secret: %w", err)
	}
	s.contact.secret, err = hex.DecodeString(v)
	return s.contact.secret, err
}

// newContactToken returns a token issued now and its nonce.
func (s *Site) newContactToken(key []byte) (token, nonce string) {
	buf := make([]byte, 8+16)
	binary.BigEndian.PutUint64(buf, uint64(s.now().Unix()))
	_, _ = rand.Read(buf[8:])
	return signToken(key, buf), hex.EncodeToString(buf[8:])
}

func signToken(key, payload []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("contact\x00"))
	m.Write(payload)
	return base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// checkContactToken returns the token's issue time if it is ours and its
// nonce is the cookie's.
func checkContactToken(key []byte, token, cookieNonce string) (time.Time, bool) {
	p, _, ok := strings.Cut(token, ".")
	if !ok {
		return time.Time{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil || len(payload) != 24 {
		return time.Time{}, false
	}
	if !hmac.Equal([]byte(signToken(key, payload)), []byte(token)) {
		return time.Time{}, false
	}
	if !hmac.Equal([]byte(hex.EncodeToString(payload[8:])), []byte(cookieNonce)) {
		return time.Time{}, false
	}
	return time.Unix(int64(binary.BigEndian.Uint64(payload)), 0), true
}

func (s *Site) setContactCookie(w http.ResponseWriter, nonce string) {
	http.SetCookie(w, &http.Cookie{Name: contactCookie, Value: nonce, Path: "/contact-form", MaxAge: int(ContactMaxAge / time.Second),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: strings.HasPrefix(s.paper().BaseURL, "https://")})
}

// contactToken serves GET /contact-form/token: {"token": "..."}, never
// cached, with the cookie the token goes with.
func (s *Site) contactToken(w http.ResponseWriter, r *http.Request) {
	key, err := s.contactSecret(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	tok, nonce := s.newContactToken(key)
	s.setContactCookie(w, nonce)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"token": tok})
}

// clientKey is a keyed hash of the sender's network (a /64 for IPv6): the
// throttle's key and what the inbox keeps instead of the address.
func (s *Site) clientKey(r *http.Request, key []byte) string {
	a := httpx.ClientAddr(r, s.proxies)
	var p string
	if a.Is4() || a.Is4In6() {
		p = a.Unmap().String()
	} else if a.IsValid() {
		pre, _ := a.Prefix(64)
		p = pre.String()
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("client\x00" + p))
	return hex.EncodeToString(m.Sum(nil)[:12])
}

// countLinks counts what reads as a link in a message.
func countLinks(s string) int {
	l := strings.ToLower(s)
	return strings.Count(l, "http://") + strings.Count(l, "https://") + strings.Count(l, "www.")
}

// contactPost serves POST /contact-form.
func (s *Site) contactPost(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if !auth.SameOrigin(r, s.paper().BaseURL) {
		s.errorPage(w, r, http.StatusForbidden, "This form must be sent from our own pages.")
		return
	}
	key, err := s.contactSecret(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := &ContactForm{Action: "/contact-form",
		Name: strings.TrimSpace(r.PostFormValue("name")), Email: strings.TrimSpace(r.PostFormValue("email")),
		URL: strings.TrimSpace(r.PostFormValue("url")), Text: strings.TrimSpace(strings.ReplaceAll(r.PostFormValue("message"), "\r\n", "\n"))}
	kind := news.MessageKind(r.PostFormValue("kind"))
	f.Kinds = contactKinds(kind)
	if r.PostFormValue(honeypotField) != "" {
		// A bot filled the field people never see: thank it, keep nothing.
		s.contactAnswer(w, r, http.StatusOK, &ContactForm{Sent: true, Notice: "Thank you. Your message reached the editors."})
		return
	}
	fresh := func(status int, notice, msg, field string) {
		tok, nonce := s.newContactToken(key)
		s.setContactCookie(w, nonce)
		f.Token, f.Notice, f.Error, f.Field = tok, notice, msg, field
		s.contactAnswer(w, r, status, f)
	}
	m := &news.ReaderMessage{Kind: kind, Name: f.Name, Email: f.Email, URL: f.URL, Text: f.Text}
	if err := news.ValidateMessage(m); err != nil {
		field := "message"
		switch {
		case kind != news.MessageContact && kind != news.MessageError:
			field = "kind"
		case strings.Contains(news.ErrorMessage(err), "e-mail"):
			field = "email"
		case strings.Contains(news.ErrorMessage(err), "address") || strings.Contains(news.ErrorMessage(err), "story"):
			field = "url"
		case strings.Contains(news.ErrorMessage(err), "name"):
			field = "name"
		}
		fresh(http.StatusUnprocessableEntity, "", news.ErrorMessage(err), field)
		return
	}
	if n := countLinks(f.Text); n > ContactMaxLinks {
		fresh(http.StatusUnprocessableEntity, "", fmt.Sprintf("Your message has %d links; at most %d, please. Name the story's headline or paste its address in the story field.", n, ContactMaxLinks), "message")
		return
	}
	var nonce string
	if c, err := r.Cookie(contactCookie); err == nil {
		nonce = c.Value
	}
	issued, ok := checkContactToken(key, r.PostFormValue("t"), nonce)
	now := s.now()
	switch {
	case !ok:
		// No JavaScript (or an old token): the form again, to check
		// and send.
		fresh(http.StatusOK, "Please check your message and press Send again.", "", "")
		return
	case now.Sub(issued) < ContactMinFill:
		fresh(http.StatusUnprocessableEntity, "", "That was quicker than anyone can write. Please check your message and press Send again.", "message")
		return
	case now.Sub(issued) > ContactMaxAge:
		fresh(http.StatusOK, "This form was open for a long time. Please check your message and press Send again.", "", "")
		return
	}
	ck := s.clientKey(r, key)
	if ok, wait := s.contact.throttle.Begin(ck); !ok {
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
		fresh(http.StatusTooManyRequests, "", fmt.Sprintf("You have sent us several messages in a short time. Please try again in %s.", wait.Round(time.Minute).String()), "message")
		return
	}
	m.ClientKey = ck
	if err := s.store.AddMessage(ctx, m); err != nil {
		s.contact.throttle.Succeeded(ck)
		if news.ErrorCode(err) == news.EINVALID {
			fresh(http.StatusUnprocessableEntity, "", news.ErrorMessage(err), "message")
			return
		}
		s.fail(w, r, err)
		return
	}
	s.contactAnswer(w, r, http.StatusOK, &ContactForm{Sent: true, Notice: "Thank you. Your message reached the editors."})
}

// contactAnswer renders the contact page with f, for this reader only.
func (s *Site) contactAnswer(w http.ResponseWriter, r *http.Request, status int, f *ContactForm) {
	ctx := r.Context()
	p := &StaticPage{PageTitle: "Contact the newsroom", Contact: f}
	path := "/" + ContactSlug
	lang := ""
	var updated time.Time
	if pg, err := s.store.FindPageBySlug(ctx, ContactSlug); err == nil && pg.IsPublic() {
		p.PageTitle, lang, updated = pg.Title, pg.Lang, pg.UpdatedAt
		path = s.paper().PagePath(pg)
	}
	title := p.PageTitle
	if f.Sent {
		title = "Message sent"
	} else if f.Error != "" {
		title = "Check your message"
	}
	p.Base = s.baseLang(ctx, lang, title, "", path)
	f.localize(p.L)
	if !updated.IsZero() {
		p.Updated = s.fmtTime(p.L, updated, layoutShort)
	}
	p.Robots = "noindex"
	body, err := s.r.Render("static", p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeHTML(w, r, status, body, time.Time{}, "private, no-store")
}

// localize puts the form's own words (the choices, the answers' fixed
// lines) in the page's language; any other text is left as it is.
func (f *ContactForm) localize(l Locale) {
	f.L = l
	for i := range f.Kinds {
		switch f.Kinds[i].Name {
		case "A message to the editors":
			f.Kinds[i].Name = l.T("A message to the editors")
		case "An error in a story":
			f.Kinds[i].Name = l.T("An error in a story")
		}
	}
	f.Notice = contactNotice(l, f.Notice)
}

// contactNotice is one of the answers' fixed lines in l's language.
func contactNotice(l Locale, n string) string {
	switch n {
	case "Thank you. Your message reached the editors.":
		return l.T("Thank you. Your message reached the editors.")
	case "Please check your message and press Send again.":
		return l.T("Please check your message and press Send again.")
	case "This form was open for a long time. Please check your message and press Send again.":
		return l.T("This form was open for a long time. Please check your message and press Send again.")
	}
	return n
}

// storyURLParam is the story a "report an error" link names (?story=/2026/…),
// when it is a path on this site.
func storyURLParam(r *http.Request) string {
	v := r.URL.Query().Get("story")
	if len(v) > news.MaxMessageURL || !strings.HasPrefix(v, "/") || strings.HasPrefix(v, "//") || strings.ContainsAny(v, "<>\"' \\") {
		return ""
	}
	return v
}
