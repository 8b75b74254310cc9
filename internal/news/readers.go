package news

import (
	"context"
	"time"
)

// Reader is someone who reads the paper with an account: signed in by an
// e-mailed link (or a passkey), never a password. Readers are not newsroom
// users; they have their own table, sessions and cookie.
type Reader struct {
	ID    int64
	Email string // never shown to anyone but the reader
	// Name is shown with the reader's comments; empty: "Reader N".
	Name string
	// Banned readers cannot comment; ShadowBanned readers can, but only
	// they see their comments.
	Banned       bool
	ShadowBanned bool
	CreatedAt    time.Time
}

// Token purposes: what an e-mailed link is for.
const (
	TokenSignIn  = "signin"
	TokenConfirm = "confirm" // double opt-in of a newsletter subscription
)

// ReaderToken is an e-mailed link's secret, kept only as its SHA-256 hash:
// a copy of the database does not sign anybody in.
type ReaderToken struct {
	Hash      string // hex SHA-256 of the secret in the link
	Purpose   string
	Email     string // where it was sent
	ReaderID  int64  // 0 when the reader does not exist yet
	Data      string // purpose-specific: the subscription ids to confirm
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time
}

// ReaderSession is a signed-in reader's browser; ID is the hash of the
// cookie's secret.
type ReaderSession struct {
	ID        string
	ReaderID  int64
	CreatedAt time.Time
	ExpiresAt time.Time
	LastSeen  time.Time
}

// Passkey is a reader's WebAuthn credential. Data is the credential as the
// WebAuthn library stores it (JSON: public key, sign count, flags); the
// store keeps it opaque.
type Passkey struct {
	ID        string // base64url of the credential id
	ReaderID  int64
	Name      string // "Passkey added Dec. 3, 2026"
	Data      string
	CreatedAt time.Time
	LastUsed  time.Time
}

// ReaderStore keeps readers, their links and sessions. Implemented by both
// stores; held to storetest.RunReaders.
type ReaderStore interface {
	// EnsureReader returns the reader with that e-mail (case-insensitive),
	// creating one.
	EnsureReader(ctx context.Context, email string) (*Reader, error)
	FindReaderByID(ctx context.Context, id int64) (*Reader, error)
	FindReaderByEmail(ctx context.Context, email string) (*Reader, error)
	UpdateReader(ctx context.Context, r *Reader) error
	// DeleteReader erases the reader and everything that is theirs:
	// sessions, links, subscriptions, comments (replies to them stay,
	// under "deleted").
	DeleteReader(ctx context.Context, id int64) error

	CreateReaderToken(ctx context.Context, t *ReaderToken) error
	// UseReaderToken marks the token used and returns it, once: a second
	// use, an expired token or a wrong purpose is ErrNotFound.
	UseReaderToken(ctx context.Context, hash, purpose string, now time.Time) (*ReaderToken, error)
	// CountReaderTokens counts the tokens sent to email since t (rate
	// limits on sign-in mails).
	CountReaderTokens(ctx context.Context, email string, since time.Time) (int, error)

	CreateReaderSession(ctx context.Context, s *ReaderSession) error
	FindReaderSession(ctx context.Context, id string) (*ReaderSession, error)
	DeleteReaderSession(ctx context.Context, id string) error
	// DeleteExpiredReaderData drops sessions and links expired before t.
	DeleteExpiredReaderData(ctx context.Context, t time.Time) error

	// Passkeys: a credential id is unique across readers (ErrConflict).
	AddPasskey(ctx context.Context, p *Passkey) error
	FindPasskey(ctx context.Context, id string) (*Passkey, error)
	ReaderPasskeys(ctx context.Context, readerID int64) ([]*Passkey, error)
	// UsePasskey stores the credential's new Data (its sign count) and
	// LastUsed after a sign-in.
	UsePasskey(ctx context.Context, id, data string, t time.Time) error
	DeletePasskey(ctx context.Context, readerID int64, id string) error
}
