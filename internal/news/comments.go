package news

import (
	"context"
	"time"
)

// Comment statuses.
const (
	CommentPending  = "pending"  // held for moderation: only its author sees it
	CommentApproved = "approved" // public
	CommentRejected = "rejected" // removed by a moderator
	CommentSpam     = "spam"
	CommentDeleted  = "deleted" // removed by its author; replies stay
)

// Comment is a reader's (or the paper's) comment on a story. Threads are
// one level deep: a reply's ParentID is a top-level comment.
type Comment struct {
	ID        int64
	ArticleID int64
	ParentID  int64 // 0: top level
	ReaderID  int64 // 0 for the paper's answers and imported comments
	// AuthorName is shown; for a reader it is their name when they wrote.
	AuthorName string
	// Staff marks the paper answering (a newsroom user, StaffUserID).
	Staff       bool
	StaffUserID int64
	Body        string // plain text, comments.Clean'ed
	Status      string
	// Shadow: written by a shadow-banned reader; shown only to them.
	Shadow    bool
	SpamScore float64
	Reports   int
	// SourceKey identifies an imported comment (WordPress: "wp:SITE:ID"),
	// so importing twice updates instead of duplicating.
	SourceKey string
	CreatedAt time.Time
	EditedAt  time.Time
}

// CommentFilter selects comments for the moderation queue and profiles.
type CommentFilter struct {
	ArticleID int64
	ReaderID  int64
	Status    string // "" any
	Reported  bool   // only comments with reports
	Limit     int    // 0: 50
	Offset    int
}

// CommentStore keeps comments. ImportComment is the importers' way in.
type CommentStore interface {
	// CreateComment adds a comment; a reply to a reply is EINVALID.
	CreateComment(ctx context.Context, c *Comment) error
	// UpdateComment stores c's Body, Status, EditedAt, SpamScore, Shadow.
	UpdateComment(ctx context.Context, c *Comment) error
	FindComment(ctx context.Context, id int64) (*Comment, error)
	// ArticleComments lists a story's approved comments oldest first, and
	// those of viewer (a reader id, 0 for nobody) that only they may see.
	ArticleComments(ctx context.Context, articleID, viewer int64) ([]*Comment, error)
	FindComments(ctx context.Context, f CommentFilter) ([]*Comment, error)
	// ReportComment records a reader's report once per reader.
	ReportComment(ctx context.Context, commentID, readerID int64, reason string, t time.Time) error
	// CommentCounts counts approved comments per story.
	CommentCounts(ctx context.Context, articleIDs []int64) (map[int64]int, error)
	// ReaderCommentStats: the reader's comments since t, and how many of
	// theirs were ever approved (the first comment is held).
	ReaderCommentStats(ctx context.Context, readerID int64, since time.Time) (recent, approved int, err error)
	// ImportComment creates or (same SourceKey) updates an imported
	// comment; ParentSourceKey names its parent among imported ones.
	ImportComment(ctx context.Context, c *Comment, parentSourceKey string) error

	// Comment threads can be closed per story.
	SetCommentsClosed(ctx context.Context, articleID int64, closed bool) error
	CommentsClosed(ctx context.Context, articleID int64) (bool, error)
}

// CommentImporter is the importers' way in, on a transaction too (Tx), so
// that an import's comments commit with its stories or not at all.
type CommentImporter interface {
	// ImportComment creates or (same SourceKey) updates an imported
	// comment; parentSourceKey names its parent among imported ones.
	ImportComment(ctx context.Context, c *Comment, parentSourceKey string) error
}
