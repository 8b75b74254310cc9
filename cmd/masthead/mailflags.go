package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"time"

	"masthead/internal/mail"
	"masthead/internal/news"
)

// mailFlags override the SMTP settings kept in the paper's settings.
type mailFlags struct {
	SMTP  string
	From  string
	Lease time.Duration
}

func (m *mailFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&m.SMTP, "smtp", "", "send mail through the SMTP server at this `URL`: smtp://USER:PASS@HOST:PORT (STARTTLS), smtps://... (implicit TLS); overrides the newsroom's paper settings. Prefer MASTHEAD_SMTP: a password on the command line shows in ps")
	fs.DurationVar(&m.Lease, "newsletter-lease", 2*time.Minute, "how long a sender holds the newsletter deliveries it claimed (`duration`); after a crash, what it held is sent by another within this")
	fs.StringVar(&m.From, "mail-from", "", "sender `address` of the paper's mail, e.g. \"The Times <news@example.com>\"; overrides the newsroom's paper settings")
}

// sender checks the flags and returns the paper's mail sender: the flags
// over what the newsroom's settings say, re-read while serve runs.
func (m *mailFlags) sender(st news.Store, log *slog.Logger) (*mail.Dynamic, error) {
	if m.SMTP != "" {
		if _, err := mail.ParseURL(m.SMTP); err != nil {
			return nil, fmt.Errorf("--smtp: %w", err)
		}
	}
	if m.From != "" {
		if _, err := netmail.ParseAddress(m.From); err != nil {
			return nil, fmt.Errorf("--mail-from %q: not an e-mail address", m.From)
		}
	}
	get := func(ctx context.Context, key string) (string, error) {
		v, err := st.GetSetting(ctx, key)
		if errors.Is(err, news.ErrNotFound) {
			return "", nil
		}
		return v, err
	}
	override := mail.Config{URL: m.SMTP, From: m.From, Logger: log}
	return mail.NewDynamic(func(ctx context.Context) (mail.Config, error) {
		return mail.FromSettings(ctx, get, override)
	}), nil
}

// checkMail reports at start-up whether mail can go out, without holding
// serve up: the site runs without a mail server.
func checkMail(ctx context.Context, d *mail.Dynamic, log *slog.Logger) {
	m, err := d.Mailer(ctx)
	switch {
	case errors.Is(err, mail.ErrNotConfigured):
		log.Info("mail: no SMTP server set (--smtp or the newsroom's settings): sign-in links and newsletters cannot be sent")
		return
	case err != nil:
		log.Warn("mail: settings", "err", err)
		return
	}
	if err := m.Check(ctx); err != nil {
		log.Warn("mail: cannot reach the SMTP server", "smtp", m.Server().String(), "err", err)
		return
	}
	log.Info("mail: SMTP server answers", "smtp", m.Server().String(), "from", m.From().String())
}

// startMail makes the paper's mail sender and checks the server in the
// background.
func (n *serveNode) startMail(context.Context) error {
	m, err := n.f.mailFlags.sender(n.st, n.log)
	if err != nil {
		return err
	}
	n.mailer = m
	n.onClose(func() { m.Close() })
	n.addJob("mail check", func(ctx context.Context) error { checkMail(ctx, m, n.log); return nil })
	return nil
}

// newsroomMail is the paper's mail sender as the newsroom's Mailer
// (password resets and invitations, plain text).
type newsroomMail struct{ s mail.Sender }

func (m newsroomMail) Send(ctx context.Context, to, subject, body string) error {
	return m.s.Send(ctx, &mail.Message{To: to, Subject: subject, Text: body})
}

// Reload re-reads the mail settings (after the newsroom saved them).
func (m newsroomMail) Reload() {
	if d, ok := m.s.(interface{ Reload() }); ok {
		d.Reload()
	}
}

// overrides are the flags' SMTP server (password hidden) and sender, for
// the newsroom's settings page to say what wins.
func (m *mailFlags) overrides() (smtp, from string) {
	if m.SMTP != "" {
		if s, err := mail.ParseURL(m.SMTP); err == nil {
			smtp = s.String()
		}
	}
	return smtp, m.From
}
