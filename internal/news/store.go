package news

import (
	"context"
	"time"
)

// ArticleFilter selects stories. Zero fields do not filter.
type ArticleFilter struct {
	// PublicAt, when set, keeps only stories readers may see at that time
	// (Article.IsPublicAt). Every reader-facing query sets it.
	PublicAt time.Time

	Status    Status
	SectionID int64
	// SectionIDs keeps stories in any of these sections (a section page
	// with its sub-sections); combined with SectionID, both must hold.
	SectionIDs []int64
	AuthorID   int64
	TagID      int64
	// PublishedFrom and PublishedTo bound PublishedAt: [from, to).
	PublishedFrom time.Time
	PublishedTo   time.Time
	IDs           []int64
	ExcludeIDs    []int64
	// TranslationOf keeps only translations of that story (hreflang).
	TranslationOf int64

	// Order: "" or "newest" (PublishedAt desc, then ID desc), "oldest",
	// "updated" (UpdatedAt desc, the newsroom's list).
	Order  string
	Offset int
	Limit  int // 0: the store's default (20); at most 1000

	// NoTotal says the caller needs no total (no pager: related stories,
	// the front page's boxes); the store may skip counting and return -1.
	NoTotal bool
	// NoBody says the caller shows no story body (cards and links: the
	// front page, list pages, related stories): the store may leave
	// BodyMarkdown and BodyHTML empty instead of reading and sending them.
	NoBody bool
	// NoMarkdown says the caller shows the rendered body only (feeds):
	// the store may leave BodyMarkdown empty, reading and sending one
	// body a story instead of two.
	NoMarkdown bool
	// KnownTotal, when above 0, is the list's total at PublicAt as the
	// caller already had it (a kept list's, internal/nodecache keeps them
	// until the next change): the store may take it instead of reading
	// it, and returns it as the total.
	KnownTotal int
}

// Simplified is f with a SectionIDs of one section (a section page
// without sub-sections) given as SectionID, the same stories: a store
// keeps the total of one section's list (story_counts), not of a set.
func (f ArticleFilter) Simplified() ArticleFilter {
	if len(f.SectionIDs) == 1 && f.SectionIDs[0] != 0 && (f.SectionID == 0 || f.SectionID == f.SectionIDs[0]) {
		f.SectionID, f.SectionIDs = f.SectionIDs[0], nil
	}
	return f
}

// IsRecentWindow says f asks for the newest stories public at PublicAt
// and published from PublishedFrom, at most Limit, and is bounded by
// nothing else: the stretch a store's RecentSummary counts (the sitemap
// index's news entry). Order and the No* flags do not change what is
// counted.
func (f ArticleFilter) IsRecentWindow() bool {
	return !f.PublicAt.IsZero() && !f.PublishedFrom.IsZero() && f.Limit > 0 && f.Offset == 0 &&
		f.Status == "" && f.SectionID == 0 && len(f.SectionIDs) == 0 && f.AuthorID == 0 && f.TagID == 0 &&
		f.PublishedTo.IsZero() && len(f.IDs) == 0 && len(f.ExcludeIDs) == 0 && f.TranslationOf == 0
}

// SearchQuery is a full-text search.
type SearchQuery struct {
	Text      string
	PublicAt  time.Time // set for readers, as in ArticleFilter
	SectionID int64
	AuthorID  int64
	From, To  time.Time // PublishedAt bounds, [from, to)
	Order     string    // "" or "relevance", "newest"
	Offset    int
	Limit     int
}

// SearchWindow is how many matches a search ranks and counts, the newest
// first. SearchArticles's total is the number of matches when it is at
// most SearchWindow, and SearchWindow+1 when there are more: "more than
// 1,000", not a count the stores did not make.
const SearchWindow = 1000

// SearchHit is one search result.
type SearchHit struct {
	Article *Article
	// Snippet is plain text around the match; the matched terms are
	// wrapped in U+E000 ... U+E001 so the page can mark them after escaping.
	Snippet string
	Rank    float64
}

// Snippet markers: private-use characters that never occur in stories.
const (
	MarkStart = "\ue000"
	MarkEnd   = "\ue001"
)

// TopFilter selects a most-read list.
type TopFilter struct {
	Since     time.Time // count views in hours >= Since
	PublicAt  time.Time // only stories public at this time
	SectionID int64
	Limit     int // default 10
}

// The store is split by aggregate so that each adapter asks for only what it
// uses (the feeds take an ArticleReader and a SectionReader, not the
// newsroom's writers). Readers are offered both by the Store (the last
// committed state) and by a Tx (the transaction's own view, rows it reads
// for a change locked until it commits). Writers are offered by a Tx, and
// by the Store as a one-write transaction of their own.
//
// Conventions for every method:
//   - Find* return ErrNotFound when nothing matches; articles they return
//     have Section, Authors, Tags, Photo and Corrections filled.
//   - Create* set ID (and CreatedAt when zero, Version to 1 where there is
//     one). Slug, e-mail and key clashes return ErrConflict.
//   - Update* of a versioned aggregate (Article, Section, User, Setting)
//     write under a version guard: the row is changed only if its stored
//     version is the one the caller read (x.Version, or the Version of a
//     UserUpdate), and the version then grows by one. A stale write changes
//     nothing and returns an error for which errors.Is(err, ErrConflict)
//     holds (a *ConflictError).
//   - Every write validates its input with this package's Validate*
//     functions first, so both stores refuse the same things with the same
//     messages.
//   - Every write that changes what readers can see records what it changed
//     in the change log, in the same transaction (see Change).

// ArticleReader finds stories.
type ArticleReader interface {
	FindArticleByID(ctx context.Context, id int64) (*Article, error)
	// FindArticleBySlug finds by current or former slug; the caller compares
	// a.Slug with what it asked for to redirect.
	FindArticleBySlug(ctx context.Context, slug string) (*Article, error)
	FindArticleBySourceKey(ctx context.Context, key string) (*Article, error)
	// FindArticles returns a page of stories and the total that match.
	FindArticles(ctx context.Context, f ArticleFilter) ([]*Article, int, error)
	// FindArticleLists returns the stories of each filter, as FindArticles
	// would with NoTotal, in the filters' order: a page of several lists
	// (the front page's section boxes) asks for them at once, which on
	// PostgreSQL is one round trip and one read of their relations instead
	// of a few statements per list.
	FindArticleLists(ctx context.Context, fs []ArticleFilter) ([][]*Article, error)
	// DueScheduled returns scheduled stories whose PublishedAt <= t,
	// oldest first.
	DueScheduled(ctx context.Context, t time.Time) ([]*Article, error)
}

// ArticleSearcher is full-text search.
type ArticleSearcher interface {
	// SearchArticles returns the hits' stories without their bodies
	// (BodyMarkdown and BodyHTML empty): a result shows its snippet, and
	// no caller shows a hit's body (the newsroom takes only the ids). On
	// PostgreSQL the two bodies were most of the server's time reading a
	// page of hits: 40 TOASTed values.
	SearchArticles(ctx context.Context, q SearchQuery) ([]SearchHit, int, error)
}

// ArticleWriter changes stories.
type ArticleWriter interface {
	// CreateArticle stores a new story (Version 1) with its authors and tags.
	CreateArticle(ctx context.Context, a *Article) error
	// UpdateArticle replaces the stored story with a (by ID), including its
	// authors and tags, if its stored version is a.Version; a.Version then
	// grows by one. When the slug changes the old one keeps resolving
	// through FindArticleBySlug (for the 301).
	UpdateArticle(ctx context.Context, a *Article) error
	// PublishScheduled is the scheduler's publish: the story goes from
	// scheduled to published only if it is still scheduled at version,
	// due at t (PublishedAt <= t). It reports whether it did; a story
	// withdrawn, rescheduled, edited or already published is left alone
	// (false, nil).
	PublishScheduled(ctx context.Context, id, version int64, t time.Time) (bool, error)
	DeleteArticle(ctx context.Context, id int64) error
}

// RevisionReader reads a story's history.
type RevisionReader interface {
	// FindRevisions returns a story's revisions, newest first.
	FindRevisions(ctx context.Context, articleID int64) ([]*Revision, error)
	FindRevisionByID(ctx context.Context, id int64) (*Revision, error)
	// FindRevisionAt returns the latest revision of the story made at or
	// before version: the state of the fields an editor edits at that
	// version (the base of a 3-way merge). ErrNotFound when there is none.
	FindRevisionAt(ctx context.Context, articleID, version int64) (*Revision, error)
}

// RevisionWriter records a story's history.
type RevisionWriter interface {
	CreateRevision(ctx context.Context, r *Revision) error
}

// CorrectionReader lists corrections (the corrections page).
type CorrectionReader interface {
	// ListCorrections returns the latest corrections, newest first.
	ListCorrections(ctx context.Context, limit int) ([]Correction, error)
}

// CorrectionWriter appends corrections.
type CorrectionWriter interface {
	// AddCorrection appends a note to story c.ArticleID. A correction
	// changes what readers see: the story's version grows by one and its
	// UpdatedAt moves to c.CreatedAt (never back).
	AddCorrection(ctx context.Context, c *Correction) error
}

// SectionReader finds desks.
type SectionReader interface {
	FindSectionByID(ctx context.Context, id int64) (*Section, error)
	FindSectionBySlug(ctx context.Context, slug string) (*Section, error)
	ListSections(ctx context.Context) ([]*Section, error)
}

// SectionWriter changes desks. Sections are in every page's navigation, so
// a change to one changes everything readers see.
type SectionWriter interface {
	CreateSection(ctx context.Context, s *Section) error
	// UpdateSection writes s if its stored version is s.Version.
	UpdateSection(ctx context.Context, s *Section) error
}

// AuthorReader finds bylines.
type AuthorReader interface {
	FindAuthorByID(ctx context.Context, id int64) (*Author, error)
	FindAuthorBySlug(ctx context.Context, slug string) (*Author, error)
	FindAuthorByEmail(ctx context.Context, email string) (*Author, error)
	ListAuthors(ctx context.Context) ([]*Author, error)
}

// AuthorWriter changes bylines.
type AuthorWriter interface {
	CreateAuthor(ctx context.Context, a *Author) error
	// UpdateAuthor writes a if its stored version is a.Version (a
	// *ConflictError otherwise, naming who wrote last and when), as
	// a.UpdatedBy, and moves a.Version and a.UpdatedAt on.
	UpdateAuthor(ctx context.Context, a *Author) error
}

// TagReader finds tags.
type TagReader interface {
	FindTagBySlug(ctx context.Context, slug string) (*Tag, error)
	ListTags(ctx context.Context) ([]*Tag, error)
}

// TagWriter makes tags.
type TagWriter interface {
	// EnsureTag returns the tag with t.Slug, creating it when new.
	EnsureTag(ctx context.Context, t *Tag) error
}

// PhotoReader finds photos.
type PhotoReader interface {
	FindPhotoByID(ctx context.Context, id int64) (*Photo, error)
}

// PhotoWriter records photos.
type PhotoWriter interface {
	CreatePhoto(ctx context.Context, p *Photo) error
	UpdatePhoto(ctx context.Context, p *Photo) error
}

// UserReader finds newsroom accounts.
type UserReader interface {
	FindUserByID(ctx context.Context, id int64) (*User, error)
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	ListUsers(ctx context.Context) ([]*User, error)
}

// UserWriter changes newsroom accounts.
type UserWriter interface {
	CreateUser(ctx context.Context, u *User) error
	// UpdateUser writes only the fields upd sets, so two commands that
	// change different fields (a password and a role) never undo each
	// other. With upd.Version set it is a guarded write (see Store).
	UpdateUser(ctx context.Context, id int64, upd UserUpdate) (*User, error)
}

// SessionStore keeps signed-in browsers. Sessions are not part of the
// paper's content and are written outside domain transactions.
type SessionStore interface {
	CreateSession(ctx context.Context, s *Session) error
	FindSession(ctx context.Context, id string) (*Session, error)
	TouchSession(ctx context.Context, id string, t time.Time) error
	DeleteSession(ctx context.Context, id string) error
	ListSessions(ctx context.Context, userID int64) ([]*Session, error)
	DeleteExpiredSessions(ctx context.Context, t time.Time) error
}

// AuditReader reads the audit log.
type AuditReader interface {
	// ListAudit returns the latest entries, newest first.
	ListAudit(ctx context.Context, limit int) ([]*AuditEntry, error)
}

// AuditWriter appends to the audit log.
type AuditWriter interface {
	AddAudit(ctx context.Context, e *AuditEntry) error
}

// ViewStore counts views. Counts are added, never overwritten, so several
// nodes can add concurrently and the ranking is their sum.
type ViewStore interface {
	AddViews(ctx context.Context, counts []ViewCount) error
	TopArticles(ctx context.Context, f TopFilter) ([]TopEntry, error)
	ArticleViews(ctx context.Context, articleID int64, since time.Time) ([]ViewCount, error)
}

// SettingReader reads small key/value pairs (paper settings, the front
// page, the view counter's salt...).
type SettingReader interface {
	GetSetting(ctx context.Context, key string) (string, error) // ErrNotFound if unset
	// FindSetting returns a setting with its version.
	FindSetting(ctx context.Context, key string) (*Setting, error)
}

// SettingWriter writes settings. Settings announce nothing by themselves:
// a command that changes what readers see (paper settings, the front page)
// says so with Tx.Announce.
type SettingWriter interface {
	// PutSetting writes key unguarded: for state no person edits in a
	// form (the embargo list, the view counter's salt, the base URL).
	PutSetting(ctx context.Context, key, value string) error
	// UpdateSetting writes s.Key if its stored version is s.Version (0:
	// the key must not exist yet); s.Version then grows by one.
	UpdateSetting(ctx context.Context, s *Setting) error
}

// RedirectReader finds redirects: old paths that answer 301 to new ones
// (renamed or merged sections, imported permalinks).
type RedirectReader interface {
	// FindRedirect returns the redirect from path (ErrNotFound if none).
	FindRedirect(ctx context.Context, from string) (*Redirect, error)
	// ListRedirects returns redirects ordered by From.
	ListRedirects(ctx context.Context, offset, limit int) ([]*Redirect, error)
}

// RedirectWriter changes redirects.
type RedirectWriter interface {
	// PutRedirect adds or replaces the redirect from r.From.
	PutRedirect(ctx context.Context, r *Redirect) error
	// DeleteRedirect removes the redirect from path (ErrNotFound if none).
	DeleteRedirect(ctx context.Context, from string) error
}

// MoveAddress leaves a 301 from a page's old path to its new one, in the
// caller's transaction. A redirect from the new path (an earlier move the
// other way) goes, since it would loop. Nothing happens when the paths are
// the same.
func MoveAddress(ctx context.Context, tx RedirectWriter, from, to string, at time.Time) error {
	if from == to {
		return nil
	}
	if err := tx.DeleteRedirect(ctx, to); err != nil && ErrorCode(err) != ENOTFOUND {
		return err
	}
	return tx.PutRedirect(ctx, &Redirect{From: from, To: to, Code: 301, CreatedAt: at})
}

// ChangeFeed is the change log: every committed change to what readers see,
// in commit order, from every process on the database. Nodes tail it to
// purge their page caches by key; the webhook outbox and newsletters read
// its events.
type ChangeFeed interface {
	// Changes returns up to limit records with Seq > after, oldest first.
	Changes(ctx context.Context, after int64, limit int) ([]ChangeRecord, error)
	// LastChange is the Seq of the latest record (0 for none).
	LastChange(ctx context.Context) (int64, error)
	// PruneChanges deletes records made before t; a tailer that was
	// further behind must start again from LastChange (and purge all).
	PruneChanges(ctx context.Context, before time.Time) error
}

// Leases elect one process of many for a job (the scheduler), with a
// fencing token: a process that lost its lease (it paused, its connection
// died, another took over after expiry) cannot commit under it, because
// every guarded transaction checks the token (Tx.CheckLease).
type Leases interface {
	// AcquireLease takes lease name for holder for ttl when it is free,
	// expired, or already holder's (then it is renewed). ok is false when
	// another holder has it. The token grows every time the lease is
	// taken anew, never when it is renewed.
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (l Lease, ok bool, err error)
	// RenewLease extends l by ttl; ErrLeaseLost when it is no longer held
	// with l's token.
	RenewLease(ctx context.Context, l Lease, ttl time.Duration) (Lease, error)
	// ReleaseLease gives l up (nothing when it is already lost).
	ReleaseLease(ctx context.Context, l Lease) error
}

// Updater runs domain commands: fn reads, changes, validates and writes
// through tx, and everything it did commits together or not at all.
type Updater interface {
	// Update runs fn in one write transaction. When fn returns an error
	// the transaction is rolled back and Update returns that error
	// unchanged (errors.Is and errors.As see it).
	Update(ctx context.Context, fn func(tx Tx) error) error
}

// Tx is one write transaction: the aggregate readers and writers on the
// same transaction, and the change it will record.
//
// It is meant to grow: a later feature that must write rows with a change
// (a webhook outbox, newsletter sends on publish) adds its writer interface
// here, implements it in both stores, and either calls it from the command
// or from a commit hook (Hooks), so its rows commit with the change or not
// at all.
type Tx interface {
	ArticleReader
	ArticleWriter
	RevisionReader
	RevisionWriter
	CorrectionWriter
	SectionReader
	SectionWriter
	AuthorReader
	AuthorWriter
	TagReader
	TagWriter
	PhotoReader
	PhotoWriter
	UserReader
	UserWriter
	AuditWriter
	SettingReader
	SettingWriter
	RedirectReader
	RedirectWriter
	// Integrations (issue 18): the webhook outbox, idempotent answers and
	// wire records commit with the change they belong to.
	WebhookOutbox
	WebhookTxWriter
	IdempotencyWriter
	WireWriter
	// Imported comments (issue 14) commit with the import's stories.
	CommentImporter
	// Section merges and deletes, tag renames and merges (their redirects
	// commit with them) and the newsletter sends a publish queues.
	CatalogTx
	NewsletterTx
	// Static pages (issue 15).
	PageReader
	PageWriter
	// Deleting and restoring stories, making and revoking integrations and
	// their keys (and, in WebhookTxWriter, redelivering a webhook): the
	// newsroom's audit row commits with them.
	TrashTx
	IntegrationWriter

	// Announce adds c to what this transaction records in the change log
	// (the writers add what they change themselves; a command adds what
	// only it knows: the front page, paper settings, an embargo ending).
	Announce(c Change)
	// CheckLease fails with ErrLeaseLost unless l is still held with its
	// token, and keeps it from changing hands until the transaction ends.
	CheckLease(ctx context.Context, l Lease) error
}

// TxHook runs inside every write transaction that records a change, after
// the command and before the commit, with the change about to be recorded.
// An error rolls the whole transaction back. Hooks are how consumers of
// events (a webhook outbox) write their rows in the same transaction
// whatever command made the change.
type TxHook func(ctx context.Context, tx Tx, c *Change) error

// Hooks registers commit hooks. Register them before the store is used.
type Hooks interface {
	AddTxHook(h TxHook)
}

// Store is everything masthead keeps: every interface above, as cmd opens
// it. One implementation per database (internal/store/sqlite,
// internal/store/postgres), both held to the same conformance suite
// (internal/store/storetest).
type Store interface {
	ArticleReader
	ArticleSearcher
	ArticleWriter
	RevisionReader
	RevisionWriter
	CorrectionReader
	CorrectionWriter
	SectionReader
	SectionWriter
	AuthorReader
	AuthorWriter
	TagReader
	TagWriter
	PhotoReader
	PhotoWriter
	UserReader
	UserWriter
	SessionStore
	AuditReader
	AuditWriter
	ViewStore
	SettingReader
	SettingWriter
	RedirectReader
	RedirectWriter
	ChangeFeed
	Leases
	Updater
	Hooks

	// Generation is the Seq of the last change readers can see, from any
	// process on the database; it grows with every such change. Caches
	// that cannot tell keys apart (the sitemap survey) key on it.
	Generation(ctx context.Context) (int64, error)

	Ping(ctx context.Context) error
	Close() error

	// Integrations (issue 18): API keys, the webhook outbox, idempotent
	// requests, and the expression queries of the Ghost Content API.
	IntegrationStore
	WebhookStore
	IdempotencyStore
	ArticleQuerier
	WireStore
	// Static pages, the readers' messages to the newsroom and the search
	// of names (issue 15).
	PageReader
	PageWriter
	MessageStore
	NameSearcher
}

// MonthStats is one month of the archive (in a paper's time zone) as the
// sitemaps see it: how many stories of that month are public, and the
// latest change among them (publication, update or end of embargo).
type MonthStats struct {
	Year    int
	Month   time.Month
	Total   int
	LastMod time.Time
}

type longTxKey struct{}

// LongTransaction marks ctx for a command that writes a great deal in one
// transaction, an import's whole run: the stores' Update then ends it only
// when ctx ends, rather than after their usual timeout (five seconds by
// default, right for a newsroom command). While it runs, SQLite's other
// writers wait for it (see docs/import-export.md).
func LongTransaction(ctx context.Context) context.Context {
	return context.WithValue(ctx, longTxKey{}, true)
}

// IsLongTransaction reports whether ctx was marked by LongTransaction.
func IsLongTransaction(ctx context.Context) bool {
	v, _ := ctx.Value(longTxKey{}).(bool)
	return v
}
