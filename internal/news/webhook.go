package news

import (
	"context"
	"slices"
	"time"
)

// WebhookEventTypes are the events a webhook may subscribe to, as the
// change log names them (story.* and photo.created).
var WebhookEventTypes = []string{
	"story.published", "story.updated", "story.unpublished", "story.scheduled",
	"story.corrected", "story.deleted", "photo.created",
}

// ValidWebhookEvent reports whether t is an event a webhook may subscribe to.
func ValidWebhookEvent(t string) bool { return slices.Contains(WebhookEventTypes, t) }

// Webhook is a URL an integration asked to be told about events at.
type Webhook struct {
	ID            int64
	IntegrationID int64
	URL           string
	Events        []string
	// Secret signs the deliveries (Standard Webhooks: "whsec_" and the
	// base64 of the key). It is stored as is: signing needs it.
	Secret    string
	CreatedAt time.Time
	// DisabledAt, when set, stops new deliveries (those already queued
	// are still tried).
	DisabledAt time.Time
}

// Wants reports whether the webhook subscribes to event type t.
func (w *Webhook) Wants(t string) bool { return w.DisabledAt.IsZero() && slices.Contains(w.Events, t) }

// WebhookEvent is one event to deliver to every webhook that wants it.
type WebhookEvent struct {
	Type string
	// Payload is the whole body, the same for every subscriber:
	// {"type", "timestamp", "data"}.
	Payload []byte
	At      time.Time
	// ArticleID and PhotoID say what it is about (for the delivery log).
	ArticleID int64
	PhotoID   int64
}

// Delivery states.
const (
	WebhookPending   = "pending"   // to be tried at NextAttemptAt
	WebhookDelivered = "delivered" // a 2xx answer
	WebhookFailed    = "failed"    // every retry failed; only a redelivery tries again
)

// WebhookDelivery is one event for one webhook: one message id, however
// many attempts it takes.
type WebhookDelivery struct {
	ID        int64
	WebhookID int64
	// MsgID is the webhook-id header: the same on every attempt, so a
	// receiver can drop a repeat.
	MsgID         string
	EventType     string
	ArticleID     int64
	PhotoID       int64
	Payload       []byte
	State         string
	Attempts      int
	NextAttemptAt time.Time
	LastStatus    int // HTTP status of the last attempt (0: no answer)
	LastError     string
	CreatedAt     time.Time
	DeliveredAt   time.Time
	// Claim is the token of the node trying it now (empty when none), and
	// ClaimedUntil when that claim lapses if the node dies.
	Claim        string
	ClaimedUntil time.Time
}

// WebhookAttempt is one try of a delivery: what the receiver answered.
type WebhookAttempt struct {
	ID         int64
	DeliveryID int64
	At         time.Time
	Status     int // 0: no answer (refused, timed out)
	Error      string
	Duration   time.Duration
}

// WebhookOutbox writes deliveries. A write transaction (Tx) offers it, so
// the deliveries of a change commit with the change or not at all.
type WebhookOutbox interface {
	// WantsWebhookEvent reports whether any enabled webhook subscribes
	// to eventType (so a payload need not be built for nobody).
	WantsWebhookEvent(ctx context.Context, eventType string) (bool, error)
	// EnqueueWebhookEvent adds a pending delivery of ev, due at ev.At, for
	// every enabled webhook that wants ev.Type (of an integration that is
	// not revoked), and returns how many. msgID makes each delivery's id.
	EnqueueWebhookEvent(ctx context.Context, ev WebhookEvent, msgID func() string) (int, error)
}

// WebhookTxWriter is what the Admin API changes in webhooks inside the
// transaction that also stores the request's Idempotency-Key answer, so a
// crash between the two cannot leave the change made and the key open for
// a retry to make it again.
type WebhookTxWriter interface {
	CreateWebhook(ctx context.Context, w *Webhook) error
	RedeliverWebhook(ctx context.Context, id int64, t time.Time) error
}

// WebhookStore keeps subscriptions and the outbox of deliveries. Enqueueing
// is meant to happen inside the transaction of the change it announces (see
// the write path's transaction hooks), so a delivery exists exactly when its
// change committed; claiming lets any number of nodes deliver, each
// delivery tried by one at a time.
type WebhookStore interface {
	CreateWebhook(ctx context.Context, w *Webhook) error
	FindWebhook(ctx context.Context, id int64) (*Webhook, error)
	// ListWebhooks returns an integration's webhooks (0: everyone's),
	// oldest first.
	ListWebhooks(ctx context.Context, integrationID int64) ([]*Webhook, error)
	// DeleteWebhook removes a webhook and its queued deliveries.
	DeleteWebhook(ctx context.Context, id int64) error

	// The outbox, each call a transaction of its own.
	WebhookOutbox
	// ClaimWebhookDeliveries claims up to limit pending deliveries due at
	// now that nobody holds (or whose claim lapsed), for claim until
	// now+ttl, oldest due first.
	ClaimWebhookDeliveries(ctx context.Context, claim string, now time.Time, ttl time.Duration, limit int) ([]*WebhookDelivery, error)
	// FinishWebhookAttempt records an attempt of a delivery held by claim
	// and sets its state: delivered, or pending again at next, or failed
	// when next is zero. It releases the claim. A claim that lapsed and
	// was taken by another node records nothing (ErrConflict).
	FinishWebhookAttempt(ctx context.Context, id int64, claim string, a WebhookAttempt, next time.Time) error
	// RedeliverWebhook makes a delivery pending again at t with the same
	// message id (the newsroom's "redeliver").
	RedeliverWebhook(ctx context.Context, id int64, t time.Time) error
	FindWebhookDelivery(ctx context.Context, id int64) (*WebhookDelivery, error)
	// ListWebhookDeliveries returns a webhook's latest deliveries, newest
	// first, with no payload.
	ListWebhookDeliveries(ctx context.Context, webhookID int64, limit int) ([]*WebhookDelivery, error)
	// ListWebhookAttempts returns a delivery's attempts, oldest first.
	ListWebhookAttempts(ctx context.Context, deliveryID int64) ([]*WebhookAttempt, error)
}

// IdempotencyRecord is the remembered answer to a POST made with an
// Idempotency-Key: a retry with the same key gets the same answer, and the
// work is done once.
type IdempotencyRecord struct {
	IntegrationID int64
	Key           string
	// Fingerprint is a hash of the method, path and body: the same key
	// sent with another request is refused.
	Fingerprint string
	// Status 0 means the first request is still being answered.
	Status    int
	Body      []byte
	CreatedAt time.Time
}

// IdempotencyWriter stores a keyed request's answer. A write transaction
// offers it, so a create and the answer that names what it made commit
// together: a retry after a crash between the two finds either both or
// neither.
type IdempotencyWriter interface {
	// FinishIdempotent stores the answer of a reserved request.
	FinishIdempotent(ctx context.Context, integrationID int64, key string, status int, body []byte) error
}

// IdempotencyStore keeps the answers to keyed requests.
type IdempotencyStore interface {
	// BeginIdempotent reserves (integrationID, key) for a new request. It
	// returns (nil, nil) when the reservation is made, or the existing
	// record (Status 0 while its request runs). A reservation older than
	// stale whose request never finished (its node died) is taken over.
	BeginIdempotent(ctx context.Context, r *IdempotencyRecord, stale time.Duration) (*IdempotencyRecord, error)
	IdempotencyWriter
	// AbandonIdempotent drops a reservation whose request failed before
	// changing anything, so a retry runs again.
	AbandonIdempotent(ctx context.Context, integrationID int64, key string) error
	// PruneIdempotency deletes records made before t.
	PruneIdempotency(ctx context.Context, before time.Time) error
}
