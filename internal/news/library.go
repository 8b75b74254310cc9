package news

import (
	"context"
	"regexp"
	"strconv"
	"time"
)

// PhotoLibrary is the media library's part of a store: every photo, found
// by its words, and the stories that use each one (as lead photo or in the
// body). Both stores implement it; the uses are kept in step with every
// story write, in the same transaction.
type PhotoLibrary interface {
	// ListPhotos returns a page of photos, newest first, and the total.
	ListPhotos(ctx context.Context, f PhotoFilter) ([]*Photo, int, error)
	// PhotoUses returns, for each photo id asked for, the stories that use
	// it, newest first.
	PhotoUses(ctx context.Context, photoIDs []int64) (map[int64][]PhotoUse, error)
}

// PhotoFilter selects photos. Query matches words of the caption, credit
// or alt text (case-insensitively for ASCII); empty lists all.
type PhotoFilter struct {
	Query  string
	Offset int
	Limit  int // 0: 50; at most 200
}

// PhotoUse is a story that shows a photo.
type PhotoUse struct {
	ArticleID int64
	Headline  string
	Status    Status
	Lead      bool // the lead photo
	Inline    bool // in the body
}

var bodyPhotoRE = regexp.MustCompile(`/media/([0-9]{1,18})/`)

// BodyPhotoIDs are the photos a story body shows (its figures' /media/ID/
// addresses), each once, in order.
func BodyPhotoIDs(bodyHTML string) []int64 {
	var out []int64
	seen := map[int64]bool{}
	for _, m := range bodyPhotoRE.FindAllStringSubmatch(bodyHTML, -1) {
		id, err := strconv.ParseInt(m[1], 10, 64)
		if err == nil && id > 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// Note is a newsroom note on a story, between editors and reporters;
// readers never see it.
type Note struct {
	ID        int64
	ArticleID int64
	UserID    int64
	Text      string
	CreatedAt time.Time
}

// NoteStore keeps the notes on stories. Both stores implement it.
type NoteStore interface {
	// AddNote sets n.ID (and CreatedAt when zero).
	AddNote(ctx context.Context, n *Note) error
	// ListNotes returns a story's notes, oldest first.
	ListNotes(ctx context.Context, articleID int64) ([]*Note, error)
}

// Token kinds: a password reset asked for by its owner, an invitation
// sent by an admin. Both let the holder set the account's password once.
const (
	TokenReset  = "reset"
	TokenInvite = "invite"
)

// AccountToken is a single-use, expiring link to set an account's
// password. Only the hash of the link's secret is stored.
type AccountToken struct {
	Hash      string
	UserID    int64
	Kind      string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// TokenStore keeps account tokens. Both stores implement it.
type TokenStore interface {
	CreateToken(ctx context.Context, t *AccountToken) error
	// UseToken spends the token with this hash and kind if it is unused and
	// unexpired at now, and returns its user; otherwise ErrNotFound. Two
	// uses of one token cannot both succeed.
	UseToken(ctx context.Context, hash, kind string, now time.Time) (int64, error)
	// PeekToken is UseToken without spending it (to show the form).
	PeekToken(ctx context.Context, hash, kind string, now time.Time) (int64, error)
}

// TagEditor renames and merges tags. Both stores implement it.
type TagEditor interface {
	// RenameTag changes a tag's name; its slug (and so its address) stays.
	// It is unguarded (no version to write against) but moves the
	// version, so a newsroom form opened before it is refused.
	RenameTag(ctx context.Context, id int64, name string) error
	// MergeTags moves every story of tag from to tag into, then deletes
	// from. ErrNotFound when either is missing.
	MergeTags(ctx context.Context, from, into int64) error
}

// TrashEntry is a deleted story, kept for restoring until it is purged.
type TrashEntry struct {
	ArticleID int64
	Headline  string
	DeletedAt time.Time
	DeletedBy int64
	// Status is what the story was before it was deleted (a published
	// story is unpublished first, and published again on restore).
	Status Status
}

// TrashDays is how long a deleted story can be restored.
const TrashDays = 30

// Trash keeps deleted stories until they are purged. Both stores implement
// it. A story in the trash stays a row of articles (so restoring loses
// nothing); lists leave it out and its public address answers 410.
type Trash interface {
	TrashTx
	ListTrash(ctx context.Context) ([]TrashEntry, error)
	// InTrash reports whether the story is in the trash.
	InTrash(ctx context.Context, id int64) (bool, error)
	// PurgeTrash deletes for good the stories deleted before t and
	// returns how many.
	PurgeTrash(ctx context.Context, before time.Time) (int, error)
}

// TrashTx puts stories in the trash and takes them out, in a transaction
// of their own (Trash) or inside a write transaction (part of Tx), so that
// the command's audit row commits with the change.
type TrashTx interface {
	// TrashArticle puts the story in the trash: readers see it go (its
	// address answers 410).
	TrashArticle(ctx context.Context, e TrashEntry) error
	// RestoreArticle takes the story out of the trash and returns its
	// entry; ErrNotFound when it is not there.
	RestoreArticle(ctx context.Context, id int64) (TrashEntry, error)
}

// WorkingCopy is one user's unsaved state of a story, autosaved while they
// type: not a revision, not published, replaced on every autosave and
// dropped when they save.
type WorkingCopy struct {
	ArticleID int64
	UserID    int64
	Data      string // the editor's fields, JSON
	SavedAt   time.Time
	// SeenAt is the last autosave or heartbeat: presence.
	SeenAt time.Time
}

// WorkingCopies keeps autosaved working copies. Both stores implement it.
type WorkingCopies interface {
	// PutWorkingCopy stores wc; with Data empty it only marks the user as
	// present (SeenAt), keeping the copy they had.
	PutWorkingCopy(ctx context.Context, wc *WorkingCopy) error
	// GetWorkingCopy returns the user's copy, ErrNotFound when none.
	GetWorkingCopy(ctx context.Context, articleID, userID int64) (*WorkingCopy, error)
	DeleteWorkingCopy(ctx context.Context, articleID, userID int64) error
	// Editing lists who was seen on the story since t, latest first.
	Editing(ctx context.Context, articleID int64, since time.Time) ([]WorkingCopy, error)
}

// CatalogTx merges and deletes sections and renames and merges tags inside
// a write transaction (part of Tx), so that the redirects from the old
// addresses commit with the change.
type CatalogTx interface {
	// MergeSection moves every story of section from (trashed ones too)
	// and every newsletter list that follows it to section into, then
	// deletes from. Each moved story's version grows by one, so an editor
	// who had it open gets the conflict screen rather than writing the
	// old section back. It returns the moved stories' ids.
	MergeSection(ctx context.Context, from, into int64) ([]int64, error)
	// DeleteSection deletes a section that no story (trashed ones too)
	// and no newsletter list uses; otherwise an EINVALID error says what
	// still uses it and nothing changes.
	DeleteSection(ctx context.Context, id int64) error
	// FindTagByID returns a tag (ErrNotFound if none).
	FindTagByID(ctx context.Context, id int64) (*Tag, error)
	// UpdateTag writes t's name and slug if its stored version is
	// t.Version (a *ConflictError otherwise), as t.UpdatedBy, and moves
	// t.Version on. A plain ErrConflict (not a *ConflictError) is another
	// tag having the slug.
	UpdateTag(ctx context.Context, t *Tag) error
	// MergeTags moves every story of tag from to tag into, then deletes
	// from. ErrNotFound when either is missing.
	MergeTags(ctx context.Context, from, into int64) error
}
