package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	netmail "net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is one e-mail to one recipient. Text is required; HTML, when set,
// becomes the alternative part that HTML clients show, and Text is what the
// rest (and screen readers, and spam filters) read.
type Message struct {
	To      string // one address: "reader@example.com" or "Name <reader@example.com>"
	Subject string
	Text    string
	HTML    string

	ReplyTo string
	// MessageID without the angle brackets. Give a stable one (derived from
	// what is sent and to whom) when the same message may be sent again
	// after a crash: receivers that see one Message-ID twice keep one copy.
	// Empty: a random id at the From domain.
	MessageID string

	// Bulk marks list mail (newsletters): Precedence: bulk, no auto-replies.
	Bulk bool
	// ListID names the list (RFC 2919), e.g. "Daily digest <daily.news.example.com>".
	ListID string
	// UnsubscribeURL, an https URL, makes List-Unsubscribe and
	// List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058): the
	// mailbox's own "unsubscribe" button POSTs to it. It must unsubscribe
	// on POST with no further step, and must not on GET (link scanners
	// fetch every URL).
	UnsubscribeURL string
	// UnsubscribeMailto adds a mailto: alternative to List-Unsubscribe.
	UnsubscribeMailto string

	// EnvelopeFrom is the SMTP MAIL FROM (where bounces go), overriding
	// Config.ReturnPath for this message: a VERP address lets the bounce
	// handler know whose mail bounced.
	EnvelopeFrom string

	// Headers are extra fields (X-…, Feedback-ID). Values must be ASCII.
	Headers map[string]string
}

// ErrInvalid wraps every problem with a Message itself: sending it again
// would fail the same way.
var ErrInvalid = errors.New("invalid message")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// oneLine keeps header values to one line: a headline with a stray line
// break must not become a header injection.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// parseAddress accepts one address, with or without a display name.
func parseAddress(what, s string) (*netmail.Address, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, invalid("%s: line break in address", what)
	}
	a, err := netmail.ParseAddress(s)
	if err != nil {
		return nil, invalid("%s %q: not an e-mail address", what, s)
	}
	return a, nil
}

// domainOf is the part after the last @.
func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return "localhost"
}

// render turns m into the bytes sent after DATA (CRLF line ends), and
// returns the envelope sender and recipient.
func render(m *Message, from *netmail.Address, returnPath string, now time.Time) (raw []byte, envFrom, rcpt string, err error) {
	to, err := parseAddress("To", m.To)
	if err != nil {
		return nil, "", "", err
	}
	if strings.TrimSpace(m.Text) == "" {
		return nil, "", "", invalid("no text part")
	}
	if oneLine(m.Subject) == "" {
		return nil, "", "", invalid("no subject")
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(from)
	msg.ToMailAddress(to)
	msg.Subject(oneLine(m.Subject))
	msg.SetDateWithValue(now)
	id := m.MessageID
	if id == "" {
		var b [16]byte
		_, _ = rand.Read(b[:])
		id = hex.EncodeToString(b[:]) + "@" + domainOf(from.Address)
	}
	if strings.ContainsAny(id, "<>\r\n \t") || !strings.Contains(id, "@") {
		return nil, "", "", invalid("Message-ID %q: want local@domain without brackets", id)
	}
	msg.SetMessageIDWithValue(id)
	if m.ReplyTo != "" {
		rt, err := parseAddress("Reply-To", m.ReplyTo)
		if err != nil {
			return nil, "", "", err
		}
		msg.ReplyToMailAddress(rt)
	}
	// Auto-Submitted: no vacation replies to a newsletter or a sign-in link.
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	if m.Bulk {
		msg.SetBulk()
	}
	if m.ListID != "" {
		msg.SetGenHeaderPreformatted("List-Id", oneLine(m.ListID))
	}
	var unsub []string
	if m.UnsubscribeURL != "" {
		if !strings.HasPrefix(m.UnsubscribeURL, "https://") && !strings.HasPrefix(m.UnsubscribeURL, "http://") {
			return nil, "", "", invalid("UnsubscribeURL %q: want an http(s) URL", m.UnsubscribeURL)
		}
		unsub = append(unsub, "<"+oneLine(m.UnsubscribeURL)+">")
	}
	if m.UnsubscribeMailto != "" {
		a, err := parseAddress("UnsubscribeMailto", m.UnsubscribeMailto)
		if err != nil {
			return nil, "", "", err
		}
		unsub = append(unsub, "<mailto:"+a.Address+"?subject=unsubscribe>")
	}
	if len(unsub) > 0 {
		msg.SetGenHeaderPreformatted(gomail.HeaderListUnsubscribe, strings.Join(unsub, ", "))
	}
	if m.UnsubscribeURL != "" {
		msg.SetGenHeaderPreformatted(gomail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	}
	for k, v := range m.Headers {
		if k == "" || strings.ContainsAny(k, ": \r\n") {
			return nil, "", "", invalid("header name %q", k)
		}
		msg.SetGenHeaderPreformatted(gomail.Header(k), oneLine(v))
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	var buf bytes.Buffer
	if _, err := msg.WriteTo(&buf); err != nil {
		return nil, "", "", fmt.Errorf("render message: %w", err)
	}
	envFrom = returnPath
	if m.EnvelopeFrom != "" {
		envFrom = m.EnvelopeFrom
	}
	if envFrom == "" {
		envFrom = from.Address
	}
	ef, err := parseAddress("EnvelopeFrom", envFrom)
	if err != nil {
		return nil, "", "", err
	}
	return buf.Bytes(), "<" + ef.Address + ">", "<" + to.Address + ">", nil
}
