package newsroom

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"

	"masthead/internal/mail"
	"masthead/internal/news"
	"masthead/internal/workflow"
)

// The paper's SMTP settings, on the settings page: the server (host,
// port, user, password, TLS mode) and the sender, kept under the setting
// keys internal/mail reads (mail.KeyURL, mail.KeyFrom) and re-reads while
// serve runs, so a save applies to the next mail on every node. `serve
// --smtp` and `--mail-from` override them (Config.SMTPOverride). The
// password is stored (the server needs it) but never shown again: the form
// leaves it empty, and an empty password keeps the stored one.

type mailForm struct {
	Host, Port, User, TLS, From string
	HasPassword                 bool
	// Versions of the two settings the form was made at (0: unset).
	URLVersion, FromVersion int64
	// Override and FromOverride are what serve's flags set instead
	// (passwords hidden), if they do.
	Override, FromOverride string
	// Usable: a mail sender is configured in serve (Config.Mail).
	Usable bool
}

// tlsModes are the choices of the form, in mail's words.
var tlsModes = map[string]bool{mail.TLSOpportunistic: true, mail.TLSRequired: true, mail.TLSImplicit: true, mail.TLSNone: true}

func (n *Newsroom) storedMail(r *http.Request) (mailForm, error) {
	f := mailForm{TLS: mail.TLSOpportunistic, Override: n.cfg.SMTPOverride, FromOverride: n.cfg.MailFromOverride, Usable: n.cfg.Mail != nil}
	st, err := n.store.FindSetting(r.Context(), mail.KeyURL)
	switch {
	case err == nil:
		f.URLVersion = st.Version
		if st.Value != "" {
			srv, err := mail.ParseURL(st.Value)
			if err != nil {
				// A hand-written setting the form cannot show: say so
				// without printing it (it may hold a password).
				return f, nil
			}
			f.Host, f.User, f.TLS, f.HasPassword = srv.Host, srv.Username, srv.TLS, srv.Password != ""
			f.Port = strconv.Itoa(srv.Port)
		}
	case !errors.Is(err, news.ErrNotFound):
		return f, err
	}
	st, err = n.store.FindSetting(r.Context(), mail.KeyFrom)
	switch {
	case err == nil:
		f.FromVersion, f.From = st.Version, st.Value
	case !errors.Is(err, news.ErrNotFound):
		return f, err
	}
	return f, nil
}

// smtpURL builds the URL internal/mail reads from the form's fields.
func smtpURL(host, port, user, password, tls string) (string, error) {
	if host == "" {
		return "", nil
	}
	if strings.ContainsAny(host, "/@?#[] ") {
		return "", news.Errorf(news.EINVALID, "%q is not a host name.", host)
	}
	if !tlsModes[tls] {
		return "", news.Errorf(news.EINVALID, "Choose how the connection is encrypted.")
	}
	if port != "" {
		p, err := strconv.Atoi(port)
		if err != nil || p < 1 || p > 65535 {
			return "", news.Errorf(news.EINVALID, "The port is a number from 1 to 65535.")
		}
	}
	u := url.URL{Scheme: "smtp", Host: host}
	if port != "" {
		u.Host = net.JoinHostPort(host, port)
	}
	if tls == mail.TLSImplicit {
		u.Scheme = "smtps"
	} else if tls != mail.TLSOpportunistic {
		u.RawQuery = "starttls=" + tls
	}
	switch {
	case user != "" && password != "":
		u.User = url.UserPassword(user, password)
	case user != "":
		u.User = url.User(user)
	case password != "":
		return "", news.Errorf(news.EINVALID, "A password needs a user name.")
	}
	raw := u.String()
	if _, err := mail.ParseURL(raw); err != nil {
		return "", news.Errorf(news.EINVALID, "%s", err.Error())
	}
	// mail.New refuses what could never work safely (credentials over a
	// plain connection); it does not connect. The sender is checked on
	// its own (it may come from --mail-from).
	m, err := mail.New(mail.Config{URL: raw, From: "check@example.invalid"})
	if err != nil {
		return "", news.Errorf(news.EINVALID, "%s", strings.TrimPrefix(err.Error(), "mail: "))
	}
	_ = m.Close()
	return raw, nil
}

func (n *Newsroom) mailError(w http.ResponseWriter, r *http.Request, c *call, status int, f mailForm, msg string) error {
	ps, err := n.storedSettings(r)
	if err != nil {
		return err
	}
	p, err := n.settingsPage(r)
	if err != nil {
		return err
	}
	p.Form = n.formOf(ps)
	if st, err := n.store.FindSetting(r.Context(), news.PaperSettingsKey); err == nil {
		p.Form.Version = st.Version
	}
	if f.Host != "" || f.From != "" || f.User != "" {
		f.Override, f.FromOverride, f.Usable = p.Mail.Override, p.Mail.FromOverride, p.Mail.Usable
		f.HasPassword = p.Mail.HasPassword
		p.Mail = f
	}
	p.MailNote = msg
	n.render(w, r, c, status, "settings", p)
	return nil
}

func (n *Newsroom) saveMailSettings(w http.ResponseWriter, r *http.Request, c *call) error {
	if !workflow.AtLeast(c.user, news.RoleAdmin) {
		return news.ErrForbidden
	}
	f := mailForm{
		Host: strings.TrimSpace(r.PostFormValue("smtp_host")), Port: strings.TrimSpace(r.PostFormValue("smtp_port")),
		User: strings.TrimSpace(r.PostFormValue("smtp_user")), TLS: r.PostFormValue("smtp_tls"),
		From: strings.TrimSpace(r.PostFormValue("mail_from")),
	}
	var err error
	if f.URLVersion, err = strconv.ParseInt(r.PostFormValue("url_version"), 10, 64); err != nil || f.URLVersion < 0 {
		return n.mailError(w, r, c, http.StatusUnprocessableEntity, f, "The form is damaged; reload the page.")
	}
	if f.FromVersion, err = strconv.ParseInt(r.PostFormValue("from_version"), 10, 64); err != nil || f.FromVersion < 0 {
		return n.mailError(w, r, c, http.StatusUnprocessableEntity, f, "The form is damaged; reload the page.")
	}
	if f.From != "" {
		if a, err := netmail.ParseAddress(f.From); err != nil || strings.ContainsAny(f.From, "\r\n") || a.Address == "" {
			return n.mailError(w, r, c, http.StatusUnprocessableEntity, f, fmt.Sprintf("%q is not a sender address (News Desk <news@example.com>).", f.From))
		}
	}
	// The audit names the server, never the password.
	detail := "mail settings: no SMTP server"
	if f.Host != "" {
		detail = fmt.Sprintf("mail settings: %s:%s (%s) as %q, from %q", f.Host, f.Port, f.TLS, f.User, f.From)
	}
	// The password: a new one, or the stored one kept, or none.
	password := r.PostFormValue("smtp_password")
	err = n.store.Update(r.Context(), func(tx news.Tx) error {
		if password == "" && r.PostFormValue("smtp_password_clear") != "on" {
			if st, err := tx.FindSetting(r.Context(), mail.KeyURL); err == nil && st.Value != "" {
				if old, err := mail.ParseURL(st.Value); err == nil && old.Username == f.User {
					password = old.Password
				}
			}
		}
		raw, err := smtpURL(f.Host, f.Port, f.User, password, f.TLS)
		if err != nil {
			return err
		}
		if err := tx.UpdateSetting(r.Context(), &news.Setting{Key: mail.KeyURL, Value: raw, Version: f.URLVersion, UpdatedBy: c.user.ID}); err != nil {
			return err
		}
		if err := tx.UpdateSetting(r.Context(), &news.Setting{Key: mail.KeyFrom, Value: f.From, Version: f.FromVersion, UpdatedBy: c.user.ID}); err != nil {
			return err
		}
		return workflow.Audit(r.Context(), tx, n.clock, c.user, "settings", 0, detail)
	})
	var ce *news.ConflictError
	switch {
	case errors.As(err, &ce):
		return n.mailError(w, r, c, http.StatusConflict, f, "The mail settings were changed by someone else since you opened them. Nothing was saved: reload the page.")
	case news.ErrorCode(err) == news.EINVALID:
		return n.mailError(w, r, c, http.StatusUnprocessableEntity, f, news.ErrorMessage(err))
	case err != nil:
		return err
	}
	if rl, ok := n.cfg.Mail.(interface{ Reload() }); ok {
		rl.Reload()
	}
	http.Redirect(w, r, "/newsroom/settings?done=mail#mail", http.StatusSeeOther)
	return nil
}

// testMail sends a test message to the admin who asks, through the mail
// settings in force (the flags', else the saved ones).
func (n *Newsroom) testMail(w http.ResponseWriter, r *http.Request, c *call) error {
	if !workflow.AtLeast(c.user, news.RoleAdmin) {
		return news.ErrForbidden
	}
	if n.cfg.Mail == nil {
		return n.mailError(w, r, c, http.StatusServiceUnavailable, mailForm{}, "This masthead has no mail sender.")
	}
	if rl, ok := n.cfg.Mail.(interface{ Reload() }); ok {
		rl.Reload()
	}
	body := fmt.Sprintf("This is a test mail from the newsroom of %s, sent by %s from the paper settings.\n\nIf you can read it, password resets, invitations and newsletters can go out.\n",
		n.paper().Name, c.user.Name)
	if err := n.cfg.Mail.Send(r.Context(), c.user.Email, "Test mail from "+n.paper().Name, body); err != nil {
		msg := "The test mail could not be sent: " + mailProblem(err)
		n.log.WarnContext(r.Context(), "newsroom: test mail", "err", err)
		return n.mailError(w, r, c, http.StatusBadGateway, mailForm{}, msg)
	}
	_ = workflow.Audit(r.Context(), n.store, n.clock, c.user, "settings", 0, "test mail to "+c.user.Email)
	http.Redirect(w, r, "/newsroom/settings?done=mail-test#mail", http.StatusSeeOther)
	return nil
}

// mailProblem says why a mail failed, in words for the page: the mail
// package's errors name the server (never its password).
func mailProblem(err error) string {
	if errors.Is(err, mail.ErrNotConfigured) {
		return "no SMTP server is set. Fill in the server below and save first."
	}
	return err.Error()
}
