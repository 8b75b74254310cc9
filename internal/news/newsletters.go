package news

import (
	"context"
	"time"
)

// Newsletter list kinds.
const (
	ListDigest   = "digest"   // a scheduled digest of the front page or a section
	ListBreaking = "breaking" // stories editors send as they publish
	ListSection  = "section"  // a section's stories
)

// NewsletterList is one newsletter readers can subscribe to.
type NewsletterList struct {
	ID          int64
	Slug        string
	Name        string
	Description string
	Kind        string
	SectionID   int64 // for ListSection, and a digest of one section
	Position    int
	CreatedAt   time.Time
}

// Subscription statuses.
const (
	SubPending      = "pending" // waiting for the confirmation link (double opt-in)
	SubActive       = "active"
	SubUnsubscribed = "unsubscribed"
	SubBounced      = "bounced"    // the address refused mail for good
	SubComplained   = "complained" // the reader marked an issue as spam
)

// Subscription is one address on one list.
type Subscription struct {
	ID             int64
	ListID         int64
	ReaderID       int64
	Email          string
	Status         string
	CreatedAt      time.Time
	ConfirmedAt    time.Time
	UnsubscribedAt time.Time
}

// KeyOpenTracking is the setting that turns newsletter open tracking on
// ("on"); unset or anything else, the default, sends no tracking pixel.
const KeyOpenTracking = "newsletter.open_tracking"

// Issue statuses.
const (
	IssueSending = "sending" // deliveries are queued or going out
	IssueSent    = "sent"    // every delivery has an outcome
)

// NewsletterIssue is one mailing to a list: a story on publish, or a
// digest. Creating it queues one delivery per active subscriber, in the
// same transaction; the queue in the database is what the senders work
// through, so a restart or a dead node loses nothing.
type NewsletterIssue struct {
	ID     int64
	ListID int64
	// Key makes creating an issue idempotent: "story:42:list:3" sends a
	// story to a list once however often the editor presses the button.
	Key        string
	Subject    string
	ArticleIDs []int64
	CreatedBy  int64 // newsroom user; 0 for the scheduler
	Status     string
	CreatedAt  time.Time
	FinishedAt time.Time
	// Counts of deliveries by outcome, filled by Find and List.
	Total, Sent, Failed, Pending int
}

// Delivery statuses.
const (
	DeliveryPending = "pending"
	DeliverySent    = "sent"
	DeliveryFailed  = "failed" // permanently refused, or out of tries
)

// Delivery is one subscriber's copy of an issue. Claimed deliveries carry
// a lease: the node that claimed them owns them until LeaseUntil, and its
// outcome is written only while the claim is still its own (Claim).
type Delivery struct {
	ID             int64
	IssueID        int64
	SubscriptionID int64
	Email          string
	Status         string
	Attempts       int
	NextAt         time.Time
	Claim          string // who holds it: a random token per claim
	LeaseUntil     time.Time
	SentAt         time.Time
	Error          string
}

// ListGrowth is one day of a list: subscriptions confirmed and lost.
type ListGrowth struct {
	Day    time.Time // UTC midnight
	Joined int
	Left   int
}

// NewsletterTx is the send queue's writer inside a write transaction
// (part of Tx): the hook that runs with every
// publish queues the story's issues in the publish's own transaction.
type NewsletterTx interface {
	// QueuePublishSends creates the issues an editor asked for when the
	// story is published (AddPublishSend), with their deliveries, and
	// forgets the requests. It returns the issues it created.
	QueuePublishSends(ctx context.Context, articleID int64, t time.Time) ([]*NewsletterIssue, error)
}

// NewsletterStore keeps lists, subscriptions and the send queue.
type NewsletterStore interface {
	CreateNewsletterList(ctx context.Context, l *NewsletterList) error
	UpdateNewsletterList(ctx context.Context, l *NewsletterList) error
	ListNewsletterLists(ctx context.Context) ([]*NewsletterList, error)
	FindNewsletterList(ctx context.Context, id int64) (*NewsletterList, error)

	// Subscribe adds email to a list as pending, or returns the existing
	// subscription (an unsubscribed one becomes pending again).
	Subscribe(ctx context.Context, listID, readerID int64, email string, t time.Time) (*Subscription, error)
	// SetSubscriptionStatus moves a subscription (confirm, unsubscribe,
	// bounce); ConfirmedAt and UnsubscribedAt follow.
	SetSubscriptionStatus(ctx context.Context, id int64, status string, t time.Time) error
	FindSubscription(ctx context.Context, id int64) (*Subscription, error)
	// ReaderSubscriptions lists a reader's subscriptions (any status).
	ReaderSubscriptions(ctx context.Context, readerID int64) ([]*Subscription, error)
	// SubscriptionsByEmail finds an address's subscriptions (bounces).
	SubscriptionsByEmail(ctx context.Context, email string) ([]*Subscription, error)
	CountSubscribers(ctx context.Context, listID int64) (int, error)
	ListGrowth(ctx context.Context, listID int64, since time.Time) ([]ListGrowth, error)
	// RecordOpen notes that a subscriber opened an issue (its tracking
	// pixel, when the paper turned open tracking on), once per issue and
	// subscription: a later open changes nothing. Unknown ids: ErrNotFound.
	RecordOpen(ctx context.Context, issueID, subscriptionID int64, t time.Time) error
	// CountOpens is how many subscribers opened the issue.
	CountOpens(ctx context.Context, issueID int64) (int, error)

	// CreateIssue stores the issue and queues a delivery for every active
	// subscriber of its list, in one transaction. An issue with the same
	// Key already there is returned instead (is is filled from it) with
	// ErrConflict.
	CreateIssue(ctx context.Context, is *NewsletterIssue) error
	FindIssue(ctx context.Context, id int64) (*NewsletterIssue, error)
	ListIssues(ctx context.Context, limit int) ([]*NewsletterIssue, error)

	// ClaimDeliveries takes up to limit pending deliveries due at now
	// whose lease (if any) has run out, for claim until now+lease. Two
	// nodes never get the same delivery from one round of claims.
	ClaimDeliveries(ctx context.Context, claim string, now time.Time, lease time.Duration, limit int) ([]*Delivery, error)
	// FinishDelivery records an outcome (sent, failed, or pending again
	// with NextAt) only if the delivery is still held by claim; otherwise
	// ErrConflict (another node took it over).
	FinishDelivery(ctx context.Context, d *Delivery) error

	// AddPublishSend asks for a story to go to a list when it is published
	// (once; asking again changes nothing). PublishSends lists the lists a
	// story will go to; RemovePublishSend takes one back.
	AddPublishSend(ctx context.Context, articleID, listID, userID int64) error
	PublishSends(ctx context.Context, articleID int64) ([]int64, error)
	RemovePublishSend(ctx context.Context, articleID, listID int64) error
}
