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
	AuthorID  int64
	TagID     int64
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

// Store is everything masthead keeps. One implementation per database
// (internal/store/sqlite, internal/store/postgres), both held to the same
// conformance suite (internal/store/storetest).
//
// Find* methods return ErrNotFound when nothing matches. Create* set ID (and
// CreatedAt when zero). Slug and e-mail clashes return ErrConflict. Articles
// returned by Find* have Section, Authors, Tags, Photo and Corrections filled.
type Store interface {
	// Articles
	CreateArticle(ctx context.Context, a *Article) error
	// UpdateArticle replaces the stored story with a (by ID), including its
	// authors and tags. When the slug changes the old one keeps resolving
	// through FindArticleBySlug (for the 301).
	UpdateArticle(ctx context.Context, a *Article) error
	DeleteArticle(ctx context.Context, id int64) error
	FindArticleByID(ctx context.Context, id int64) (*Article, error)
	// FindArticleBySlug finds by current or former slug; the caller compares
	// a.Slug with what it asked for to redirect.
	FindArticleBySlug(ctx context.Context, slug string) (*Article, error)
	FindArticleBySourceKey(ctx context.Context, key string) (*Article, error)
	// FindArticles returns a page of stories and the total that match.
	FindArticles(ctx context.Context, f ArticleFilter) ([]*Article, int, error)
	SearchArticles(ctx context.Context, q SearchQuery) ([]SearchHit, int, error)
	// DueScheduled returns scheduled stories whose PublishedAt <= t.
	DueScheduled(ctx context.Context, t time.Time) ([]*Article, error)

	AddCorrection(ctx context.Context, c *Correction) error
	ListCorrections(ctx context.Context, limit int) ([]Correction, error)

	CreateRevision(ctx context.Context, r *Revision) error
	FindRevisions(ctx context.Context, articleID int64) ([]*Revision, error)
	FindRevisionByID(ctx context.Context, id int64) (*Revision, error)

	// Sections, authors, tags
	CreateSection(ctx context.Context, s *Section) error
	UpdateSection(ctx context.Context, s *Section) error
	FindSectionByID(ctx context.Context, id int64) (*Section, error)
	FindSectionBySlug(ctx context.Context, slug string) (*Section, error)
	ListSections(ctx context.Context) ([]*Section, error)

	CreateAuthor(ctx context.Context, a *Author) error
	UpdateAuthor(ctx context.Context, a *Author) error
	FindAuthorByID(ctx context.Context, id int64) (*Author, error)
	FindAuthorBySlug(ctx context.Context, slug string) (*Author, error)
	FindAuthorByEmail(ctx context.Context, email string) (*Author, error)
	ListAuthors(ctx context.Context) ([]*Author, error)

	// EnsureTag returns the tag with t.Slug, creating it when new.
	EnsureTag(ctx context.Context, t *Tag) error
	FindTagBySlug(ctx context.Context, slug string) (*Tag, error)
	ListTags(ctx context.Context) ([]*Tag, error)

	// Photos
	CreatePhoto(ctx context.Context, p *Photo) error
	UpdatePhoto(ctx context.Context, p *Photo) error
	FindPhotoByID(ctx context.Context, id int64) (*Photo, error)

	// Users and sessions
	CreateUser(ctx context.Context, u *User) error
	UpdateUser(ctx context.Context, u *User) error
	FindUserByID(ctx context.Context, id int64) (*User, error)
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	ListUsers(ctx context.Context) ([]*User, error)

	CreateSession(ctx context.Context, s *Session) error
	FindSession(ctx context.Context, id string) (*Session, error)
	TouchSession(ctx context.Context, id string, t time.Time) error
	DeleteSession(ctx context.Context, id string) error
	ListSessions(ctx context.Context, userID int64) ([]*Session, error)
	DeleteExpiredSessions(ctx context.Context, t time.Time) error

	AddAudit(ctx context.Context, e *AuditEntry) error
	ListAudit(ctx context.Context, limit int) ([]*AuditEntry, error)

	// Views: counts are added, never overwritten, so several nodes can add
	// concurrently and the ranking is their sum.
	AddViews(ctx context.Context, counts []ViewCount) error
	TopArticles(ctx context.Context, f TopFilter) ([]TopEntry, error)
	ArticleViews(ctx context.Context, articleID int64, since time.Time) ([]ViewCount, error)

	// Settings: small key/value pairs (paper settings, secrets).
	GetSetting(ctx context.Context, key string) (string, error) // ErrNotFound if unset
	PutSetting(ctx context.Context, key, value string) error

	// Generation increases whenever anything readers can see may have
	// changed, by any process on the same database. Nodes poll it (or are
	// notified) to drop their caches.
	Generation(ctx context.Context) (int64, error)
	// BumpGeneration marks a change made outside the store's own writes
	// (e.g. a scheduled time passing).
	BumpGeneration(ctx context.Context) error

	Ping(ctx context.Context) error
	Close() error
}
