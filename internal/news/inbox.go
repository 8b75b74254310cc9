package news

import (
	"context"
	"strings"
	"time"
)

// ReaderMessage is a note a reader sent the newsroom through the contact
// form: a message to the editors, or a report of an error in a story. It
// is newsroom state, not something readers see, so writing one changes
// no page and records no change.
type ReaderMessage struct {
	ID   int64
	Kind MessageKind
	Name string // optional
	// Email is where the reader wants an answer; optional.
	Email string
	// URL is the story or page the message is about (an error report);
	// optional, a path or an address on the paper's site.
	URL  string
	Text string
	// ClientKey is a keyed hash of the sender's address (a /64 for IPv6),
	// for spotting floods; never the address itself.
	ClientKey string
	CreatedAt time.Time
	// HandledBy and HandledAt: the editor who closed it (0 and zero while
	// open).
	HandledBy int64
	HandledAt time.Time
}

// MessageKind says what a reader message is.
type MessageKind string

// The kinds of reader message.
const (
	MessageContact MessageKind = "contact"
	MessageError   MessageKind = "error" // a report of an error in a story
)

// Limits of a reader message.
const (
	MaxMessageText = 5000
	MaxMessageURL  = 2000
)

// ValidateMessage checks a reader message.
func ValidateMessage(m *ReaderMessage) error {
	if m.Kind != MessageContact && m.Kind != MessageError {
		return invalidf("Choose what your message is about.")
	}
	if strings.TrimSpace(m.Text) == "" {
		return invalidf("Write your message.")
	}
	if m.Email != "" && (!strings.Contains(m.Email, "@") || strings.ContainsAny(m.Email, " <>\r\n")) {
		return invalidf("%q is not an e-mail address; leave it empty or write one like name@example.com.", m.Email)
	}
	if m.URL != "" && !localPath(m.URL) && !strings.HasPrefix(m.URL, "http://") && !strings.HasPrefix(m.URL, "https://") {
		return invalidf("The story address is a link to one of our stories (https://… or /…).")
	}
	for _, f := range []struct {
		name, s string
		max     int
	}{{"message", m.Text, MaxMessageText}, {"name", m.Name, MaxName}, {"e-mail address", m.Email, MaxEmail},
		{"story address", m.URL, MaxMessageURL}, {"client key", m.ClientKey, 200}} {
		if err := text(f.name, f.s, f.max); err != nil {
			return err
		}
	}
	return nil
}

// MessageFilter selects reader messages, newest first.
type MessageFilter struct {
	Open  bool // only those nobody handled yet
	Limit int  // 0: 50
}

// MessageStore keeps the newsroom's inbox of reader messages. Both stores
// implement it.
type MessageStore interface {
	// AddMessage validates and stores m (CreatedAt now when zero).
	AddMessage(ctx context.Context, m *ReaderMessage) error
	// ListMessages returns messages newest first.
	ListMessages(ctx context.Context, f MessageFilter) ([]*ReaderMessage, error)
	// CountOpenMessages counts the messages nobody handled yet.
	CountOpenMessages(ctx context.Context) (int, error)
	// HandleMessage marks message id handled by user at t (ErrNotFound if
	// none).
	HandleMessage(ctx context.Context, id, user int64, t time.Time) error
}
