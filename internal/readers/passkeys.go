package readers

import (
	"crypto/hmac"
	_ "embed"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"masthead/internal/auth"
	"masthead/internal/httpx"
	"masthead/internal/news"
)

// Passkeys (WebAuthn, through github.com/go-webauthn/webauthn): a signed-in
// reader adds one from the account page; afterwards "Sign in with a
// passkey" works without a mail. The ceremony's state between its two
// requests is a single-use reader token (purpose passkey-*) named by a
// short-lived cookie on /account.

const (
	purposePasskeyAdd   = "passkey-add"
	purposePasskeyLogin = "passkey-login"
	ceremonyCookie      = "masthead_passkey"
	ceremonyTTL         = 5 * time.Minute
)

//go:embed passkeys.js
var passkeysJS []byte

// webAuthn is the relying party for the paper's host, or nil where a
// passkey cannot work: an IP address is not a valid relying party id.
func newWebAuthn(p *news.Paper) *webauthn.WebAuthn {
	u, err := url.Parse(p.BaseURL)
	if err != nil || u.Hostname() == "" || net.ParseIP(u.Hostname()) != nil {
		return nil
	}
	w, err := webauthn.New(&webauthn.Config{
		RPID: u.Hostname(), RPDisplayName: p.Name, RPOrigins: []string{u.Scheme + "://" + u.Host},
	})
	if err != nil {
		return nil
	}
	return w
}

// waUser is a reader as the WebAuthn library sees them. The user handle is
// the reader id (8 bytes): no address goes to the authenticator.
type waUser struct {
	r     *news.Reader
	creds []webauthn.Credential
}

func (u *waUser) WebAuthnID() []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, uint64(u.r.ID))
	return b
}
func (u *waUser) WebAuthnName() string                       { return DisplayName(u.r) }
func (u *waUser) WebAuthnDisplayName() string                { return DisplayName(u.r) }
func (u *waUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

func (rd *Readers) waUser(r *http.Request, reader *news.Reader) (*waUser, error) {
	pks, err := rd.st.ReaderPasskeys(r.Context(), reader.ID)
	if err != nil {
		return nil, err
	}
	u := &waUser{r: reader}
	for _, p := range pks {
		var c webauthn.Credential
		if err := json.Unmarshal([]byte(p.Data), &c); err == nil {
			u.creds = append(u.creds, c)
		}
	}
	return u, nil
}

func (rd *Readers) registerPasskeys(mux *http.ServeMux) {
	mux.HandleFunc("GET /account/passkeys.js", rd.passkeysScript)
	mux.HandleFunc("POST /account/passkeys/add/begin", rd.passkeyAddBegin)
	mux.HandleFunc("POST /account/passkeys/add/finish", rd.passkeyAddFinish)
	mux.HandleFunc("POST /account/passkeys/signin/begin", rd.passkeySignInBegin)
	mux.HandleFunc("POST /account/passkeys/signin/finish", rd.passkeySignInFinish)
	mux.HandleFunc("POST /account/passkeys/delete", rd.passkeyDelete)
}

func (rd *Readers) passkeysScript(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(passkeysJS)
}

// saveCeremony keeps the library's session data for the second request.
func (rd *Readers) saveCeremony(w http.ResponseWriter, r *http.Request, purpose string, readerID int64, s *webauthn.SessionData) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	secret := randomToken(24)
	now := rd.clock.Now()
	if err := rd.st.CreateReaderToken(r.Context(), &news.ReaderToken{Hash: hashToken(secret), Purpose: purpose, Email: "passkey@ceremony.invalid",
		ReaderID: readerID, Data: string(b), CreatedAt: now, ExpiresAt: now.Add(ceremonyTTL)}); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: ceremonyCookie, Value: secret, Path: CookiePath, MaxAge: int(ceremonyTTL / time.Second),
		HttpOnly: true, Secure: rd.cfg.Secure, SameSite: http.SameSiteStrictMode})
	return nil
}

// takeCeremony spends the ceremony's state, once.
func (rd *Readers) takeCeremony(w http.ResponseWriter, r *http.Request, purpose string) (*news.ReaderToken, *webauthn.SessionData, error) {
	c, err := r.Cookie(ceremonyCookie)
	if err != nil {
		return nil, nil, news.Errorf(news.EINVALID, "The passkey request has expired. Try again.")
	}
	http.SetCookie(w, &http.Cookie{Name: ceremonyCookie, Value: "", Path: CookiePath, MaxAge: -1, HttpOnly: true, Secure: rd.cfg.Secure})
	tok, err := rd.st.UseReaderToken(r.Context(), hashToken(c.Value), purpose, rd.clock.Now())
	if errors.Is(err, news.ErrNotFound) {
		return nil, nil, news.Errorf(news.EINVALID, "The passkey request has expired. Try again.")
	}
	if err != nil {
		return nil, nil, err
	}
	var s webauthn.SessionData
	if err := json.Unmarshal([]byte(tok.Data), &s); err != nil {
		return nil, nil, err
	}
	return tok, &s, nil
}

func (rd *Readers) noPasskeys(w http.ResponseWriter, r *http.Request) bool {
	if rd.wa == nil {
		httpx.WriteJSONError(w, r, rd.log, news.Errorf(news.EINVALID, "Passkeys need the site on a domain name (https, or localhost)."))
		return true
	}
	return false
}

// passkeyOwner is the signed-in reader adding a passkey: same origin and
// the session's token in the X-CSRF-Token header.
func (rd *Readers) passkeyOwner(w http.ResponseWriter, r *http.Request) (*news.Reader, bool) {
	s, reader := rd.session(r)
	if s == nil || !auth.SameOrigin(r, rd.paper().BaseURL) || !hmac.Equal([]byte(r.Header.Get(auth.CSRFHeader)), []byte(rd.csrf(s))) {
		httpx.WriteJSONError(w, r, rd.log, news.Errorf(news.EFORBIDDEN, "Sign in again, then add the passkey."))
		return nil, false
	}
	return reader, true
}

// passkeyAddBegin starts adding a passkey for the signed-in reader.
func (rd *Readers) passkeyAddBegin(w http.ResponseWriter, r *http.Request) {
	if rd.noPasskeys(w, r) {
		return
	}
	reader, ok := rd.passkeyOwner(w, r)
	if !ok {
		return
	}
	u, err := rd.waUser(r, reader)
	if err != nil {
		httpx.WriteJSONError(w, r, rd.log, err)
		return
	}
	var exclude []protocol.CredentialDescriptor
	for _, c := range u.creds {
		exclude = append(exclude, c.Descriptor())
	}
	opts, sess, err := rd.wa.BeginRegistration(u, webauthn.WithExclusions(exclude),
		webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementRequired))
	if err != nil {
		httpx.WriteJSONError(w, r, rd.log, err)
		return
	}
	if err := rd.saveCeremony(w, r, purposePasskeyAdd, reader.ID, sess); err != nil {
		httpx.WriteJSONError(w, r, rd.log, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, opts)
}

func (rd *Readers) passkeyAddFinish(w http.ResponseWriter, r *http.Request) {
	if rd.noPasskeys(w, r) {
		return
	}
	reader, ok := rd.passkeyOwner(w, r)
	if !ok {
		return
	}
	tok, sess, err := rd.takeCeremony(w, r, purposePasskeyAdd)
	if err != nil {
		httpx.WriteJSONError(w, r, rd.log, err)
		return
	}
	if tok.ReaderID != reader.ID {
		httpx.WriteJSONError(w, r, rd.log, news.Errorf(news.EFORBIDDEN, "That passkey request was for another account."))
		return
	}
	u, err := rd.waUser(r, reader)
	if err != nil {
		httpx.WriteJSONError(w, r, rd.log, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	cred, err := rd.wa.FinishRegistration(u, *sess, r)
	if err != nil {
		rd.log.Info("passkey registration refused", "reader", reader.ID, "err", err)
		httpx.WriteJSONError(w, r, rd.log, news.Errorf(news.EINVALID, "The passkey could not be checked. Try again."))
		return
	}
	data, err := json.Marshal(cred)
	if err != nil {
		httpx.WriteJSONError(w, r, rd.log, err)
		return
	}
	now := rd.clock.Now()
	pk := &news.Passkey{ID: base64.RawURLEncoding.EncodeToString(cred.ID), ReaderID: reader.ID,
		Name: "Passkey added " + now.In(rd.paper().Loc()).Format("Jan. 2, 2006"), Data: string(data), CreatedAt: now}
	if err := rd.st.AddPasskey(r.Context(), pk); err != nil {
		httpx.WriteJSONError(w, r, rd.log, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]string{"message": "Passkey added. Next time, sign in with it."})
}

// passkeySignInBegin asks the browser for any passkey of this site
// (discoverable credentials: no address typed).
func (rd *Readers) passkeySignInBegin(w http.ResponseWriter, r *http.Request) {
	if rd.noPasskeys(w, r) {
		return
	}
	if !auth.SameOrigin(r, rd.paper().BaseURL) {
		httpx.WriteJSONError(w, r, rd.log, news.Errorf(news.EFORBIDDEN, "This request must come from our own pages."))
		return
	}
	opts, sess, err := rd.wa.BeginDiscoverableLogin()
	if err != nil {
		httpx.WriteJSONError(w, r, rd.log, err)
		return
	}
	if err := rd.saveCeremony(w, r, purposePasskeyLogin, 0, sess); err != nil {
		httpx.WriteJSONError(w, r, rd.log, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, opts)
}

func (rd *Readers) passkeySignInFinish(w http.ResponseWriter, r *http.Request) {
	if rd.noPasskeys(w, r) {
		return
	}
	if !auth.SameOrigin(r, rd.paper().BaseURL) {
		httpx.WriteJSONError(w, r, rd.log, news.Errorf(news.EFORBIDDEN, "This request must come from our own pages."))
		return
	}
	_, sess, err := rd.takeCeremony(w, r, purposePasskeyLogin)
	if err != nil {
		httpx.WriteJSONError(w, r, rd.log, err)
		return
	}
	var found *news.Reader
	handler := func(rawID, userHandle []byte) (webauthn.User, error) {
		pk, err := rd.st.FindPasskey(r.Context(), base64.RawURLEncoding.EncodeToString(rawID))
		if err != nil {
			return nil, err
		}
		if len(userHandle) != 8 || int64(binary.BigEndian.Uint64(userHandle)) != pk.ReaderID {
			return nil, errors.New("user handle does not match the passkey's reader")
		}
		reader, err := rd.st.FindReaderByID(r.Context(), pk.ReaderID)
		if err != nil {
			return nil, err
		}
		found = reader
		return rd.waUser(r, reader)
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	_, cred, err := rd.wa.FinishPasskeyLogin(handler, *sess, r)
	if err != nil || found == nil {
		rd.log.Info("passkey sign-in refused", "err", err)
		httpx.WriteJSONError(w, r, rd.log, news.Errorf(news.EUNAUTHORIZED, "That passkey is not one of ours. Sign in by e-mail instead."))
		return
	}
	// The sign count moves with every use: keep it, so a cloned key shows.
	if data, err := json.Marshal(cred); err == nil {
		_ = rd.st.UsePasskey(r.Context(), base64.RawURLEncoding.EncodeToString(cred.ID), string(data), rd.clock.Now())
	}
	if err := rd.startSession(w, r, found); err != nil {
		httpx.WriteJSONError(w, r, rd.log, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"location": "/account"})
}

func (rd *Readers) passkeyDelete(w http.ResponseWriter, r *http.Request) {
	_, reader, ok := rd.checkForm(w, r)
	if !ok {
		return
	}
	if err := rd.st.DeletePasskey(r.Context(), reader.ID, r.PostFormValue("id")); err != nil && !errors.Is(err, news.ErrNotFound) {
		rd.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}
