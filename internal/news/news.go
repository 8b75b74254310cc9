// Package news is the domain of masthead: stories, the people who write them,
// the sections and tags that organise them, and the interfaces a store must
// implement. It imports nothing of ours and no database driver.
package news

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Status is where a story stands in the editorial workflow.
type Status string

// The workflow: draft → review → scheduled → published → unpublished.
// "Updated" and "corrected" are not statuses: they are a published story with
// a later UpdatedAt and Corrections.
const (
	StatusDraft       Status = "draft"
	StatusReview      Status = "review"
	StatusScheduled   Status = "scheduled"
	StatusPublished   Status = "published"
	StatusUnpublished Status = "unpublished"
)

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusDraft, StatusReview, StatusScheduled, StatusPublished, StatusUnpublished:
		return true
	}
	return false
}

// Article is one story.
type Article struct {
	ID int64
	// Version is 1 when the story is created and grows by one with every
	// write (an edit, a move in the workflow, a correction). A write names
	// the version it was made against (see Store), so two editors cannot
	// overwrite each other unawares.
	Version int64
	Slug    string // unique; Unicode allowed (Korean slugs are fine)

	Headline string
	Deck     string // standfirst / summary under the headline
	// BodyMarkdown is the source the newsroom edits; empty for stories
	// imported as HTML.
	BodyMarkdown string
	// BodyHTML is the sanitized HTML shown to readers. It is always produced
	// by the sanitizer before it is stored: templates print it as is.
	BodyHTML string
	Lang     string // BCP 47: "en", "ko"

	Status Status

	SectionID int64
	Section   *Section // filled by Find*
	Authors   []*Author
	Tags      []*Tag
	PhotoID   int64 // 0: none
	Photo     *Photo

	SEOTitle       string
	SEODescription string

	// SourceKey identifies an imported story so that importing it twice
	// updates it instead of making a second one. Empty for newsroom stories.
	SourceKey string

	// TranslationOf links a translation to its original (hreflang).
	TranslationOf int64

	CreatedAt time.Time
	// PublishedAt is when the story first went (or, when scheduled, goes)
	// live. It does not move when the story is updated.
	PublishedAt time.Time
	// UpdatedAt is the last change readers can see (dateModified).
	UpdatedAt time.Time
	// EmbargoUntil hides a published story everywhere until then.
	EmbargoUntil time.Time

	Corrections []Correction
}

// IsPublicAt reports whether readers may see the story at t: published, its
// publication time reached and no embargo in force. Stores apply the same
// rule in SQL (ArticleFilter.PublicAt).
func (a *Article) IsPublicAt(t time.Time) bool {
	return a.Status == StatusPublished &&
		!a.PublishedAt.IsZero() && !a.PublishedAt.After(t) &&
		(a.EmbargoUntil.IsZero() || !a.EmbargoUntil.After(t))
}

// LastModified is the later of PublishedAt and UpdatedAt.
func (a *Article) LastModified() time.Time {
	if a.UpdatedAt.After(a.PublishedAt) {
		return a.UpdatedAt
	}
	return a.PublishedAt
}

// CorrectionKind says what sort of note an editor appended.
type CorrectionKind string

const (
	KindCorrection    CorrectionKind = "correction"
	KindClarification CorrectionKind = "clarification"
	KindUpdate        CorrectionKind = "update"
)

// Correction is a dated note appended to a published story.
type Correction struct {
	ID        int64
	ArticleID int64
	Kind      CorrectionKind
	Text      string
	CreatedAt time.Time
	// RevisionID is the revision that the correction came with, so readers
	// can see what changed.
	RevisionID int64
}

// Section is a desk of the paper: "North Korea", "Business"...
type Section struct {
	ID          int64
	Slug        string
	Name        string
	Description string
	Position    int // order in navigation and on the front page
	// ParentID makes this a sub-section (National › Politics); 0 for a
	// top-level section. One level only: a parent has no parent itself
	// (ValidateSectionTree).
	ParentID int64
	// Layout is how the reader site lays out the section's page: one of
	// SectionLayouts; "" is the default, LayoutNews.
	Layout string
	// Hidden keeps the section out of the navigation menu; its page,
	// feed and stories stay where they are.
	Hidden bool
	// Version grows with every write; UpdatedBy (a user, 0 for the
	// system) and UpdatedAt say who made the last one and when.
	Version   int64
	UpdatedBy int64
	UpdatedAt time.Time
}

// Author is a person with a byline. Not every author has a newsroom account
// (wire reporters, guest writers); a User may point at one.
type Author struct {
	ID       int64
	Slug     string
	Name     string
	Email    string
	Bio      string
	Title    string // e.g. "Staff reporter"
	PhotoID  int64
	Photo    *Photo
	Position int
	// Links are the author's profiles elsewhere (website, X, Instagram…):
	// rel=me links on the author page and sameAs in its Person JSON-LD.
	// ValidateAuthor checks them (ValidateAuthorLinks).
	Links []AuthorLink
	// Version grows with every write of the profile (UpdateAuthor writes
	// only against the stored one); UpdatedBy (a user, 0 for the system)
	// and UpdatedAt say who made the last one and when. FindAuthor* and
	// ListAuthors read them; a story's bylines leave them at zero.
	Version   int64
	UpdatedBy int64
	UpdatedAt time.Time
}

// AuthorLink is one profile of an author on another site.
type AuthorLink struct {
	Kind string `json:"kind"` // one of AuthorLinkKinds
	URL  string `json:"url"`
}

// Tag is a free keyword. Slugs are Unicode.
type Tag struct {
	ID   int64
	Slug string
	Name string
	// Version grows with every rename (UpdateTag writes only against the
	// stored one); UpdatedBy and UpdatedAt say who made the last write and
	// when. FindTagBySlug, FindTagByID, ListTags and EnsureTag read the
	// version; a story's tags leave these at zero.
	Version   int64
	UpdatedBy int64
	UpdatedAt time.Time
}

// Photo is an image with everything a caption line needs. The original and
// its renditions live in the media store under Key.
type Photo struct {
	ID          int64
	Key         string // media store key of the original, e.g. "2020/03/kim-trump.jpg"
	ContentType string // image/jpeg, image/png, image/webp
	Width       int
	Height      int
	Caption     string
	Credit      string
	Alt         string
	// FocalX, FocalY in [0,1]: the point crops keep in view.
	FocalX, FocalY float64
	// Widths of the renditions that exist, ascending. Empty until made.
	Widths    []int
	CreatedAt time.Time
}

// AwaitingPrefix starts the Key of a photo awaiting its file: an imported
// photo known by its caption, credit and source address whose image was
// not at hand. The rest of the Key is the source address (or file name),
// so it is kept without a column of its own. Such a photo has no files:
// pages show its caption and credit and no image, and the newsroom's media
// library flags it until an image is uploaded in its place.
const AwaitingPrefix = "awaiting:"

// AwaitingKey is the Key of a photo awaiting the file at source.
func AwaitingKey(source string) string {
	k := AwaitingPrefix + source
	if len(k) > MaxKey {
		k = k[:MaxKey]
		for len(k) > 0 && !utf8.ValidString(k) {
			k = k[:len(k)-1]
		}
	}
	return k
}

// HasFile reports whether the photo's image is stored (its Key names
// files in the media store): false for a photo awaiting its file.
func (p *Photo) HasFile() bool {
	return p != nil && p.Key != "" && !strings.HasPrefix(p.Key, AwaitingPrefix)
}

// Awaiting reports whether the photo is known only by its caption line and
// source address, its image still to come.
func (p *Photo) Awaiting() bool { return p != nil && strings.HasPrefix(p.Key, AwaitingPrefix) }

// SourceURL is where a photo awaiting its file came from ("" otherwise).
func (p *Photo) SourceURL() string {
	if !p.Awaiting() {
		return ""
	}
	return strings.TrimPrefix(p.Key, AwaitingPrefix)
}

// Role is what a newsroom account may do.
type Role string

const (
	RoleAdmin       Role = "admin"
	RoleEditor      Role = "editor"
	RoleReporter    Role = "reporter"
	RoleContributor Role = "contributor"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleEditor, RoleReporter, RoleContributor:
		return true
	}
	return false
}

// User is a newsroom account.
type User struct {
	ID           int64
	Email        string
	Name         string
	Role         Role
	PasswordHash string // argon2id, PHC string format
	AuthorID     int64  // the byline this account writes under; 0 if none
	Disabled     bool
	CreatedAt    time.Time
	// Version grows with every change to the account's profile and
	// rights (everything but the password, which only its owner or a
	// reset changes and no form shows). UpdatedBy and UpdatedAt name the
	// last such change.
	Version   int64
	UpdatedBy int64
	UpdatedAt time.Time
}

// UserUpdate changes some fields of an account: nil fields are left as
// they are, so a password change never writes back a role it read.
type UserUpdate struct {
	// Version, when not 0, is the account's version the change was made
	// against (the form's): a stale change fails with a *ConflictError.
	Version int64
	// By is the user making the change (0: the system).
	By int64

	Email        *string
	Name         *string
	Role         *Role
	AuthorID     *int64
	Disabled     *bool
	PasswordHash *string
}

// Apply returns u with upd's fields set (the version is not touched).
func (upd UserUpdate) Apply(u User) User {
	if upd.Email != nil {
		u.Email = *upd.Email
	}
	if upd.Name != nil {
		u.Name = *upd.Name
	}
	if upd.Role != nil {
		u.Role = *upd.Role
	}
	if upd.AuthorID != nil {
		u.AuthorID = *upd.AuthorID
	}
	if upd.Disabled != nil {
		u.Disabled = *upd.Disabled
	}
	if upd.PasswordHash != nil {
		u.PasswordHash = *upd.PasswordHash
	}
	return u
}

// Profile reports whether upd changes more than the password (and so
// moves the account's version).
func (upd UserUpdate) Profile() bool {
	return upd.Email != nil || upd.Name != nil || upd.Role != nil || upd.AuthorID != nil || upd.Disabled != nil
}

// Setting is one key/value pair with its version.
type Setting struct {
	Key       string
	Value     string
	Version   int64 // 1 when first written, +1 with every write
	UpdatedBy int64
	UpdatedAt time.Time
}

// Redirect sends readers from an old path to a new one (301), for paths
// that otherwise answer 404: a renamed or merged section, the permalinks
// of an imported site.
type Redirect struct {
	// From is a URL path as readers' browsers ask for it, decoded
	// ("/section/북한", "/2019/05/old-slug/"): no query, no fragment.
	From string
	// To is a path on this site or an absolute http(s) URL.
	To string
	// Code is 301 (the default, when 0) or 308.
	Code      int
	CreatedAt time.Time
}

// Lease is a held election for a job, with its fencing token.
type Lease struct {
	Name   string
	Holder string // a process: "host/pid/random"
	// Token grows every time the lease changes hands (or is taken again
	// after it expired): a transaction checked against an old token fails.
	Token   int64
	Expires time.Time
}

// StoryFields are the parts of a story an editor edits: what a revision
// keeps of every version, and what a 3-way merge of two editors' work
// compares field by field.
type StoryFields struct {
	Headline     string
	Deck         string
	BodyMarkdown string
	// BodyHTML is the sanitized body; for stories imported as HTML (no
	// Markdown) it is the body an editor sees.
	BodyHTML       string
	Lang           string
	Slug           string
	SectionID      int64
	AuthorIDs      []int64  // byline order
	Tags           []string // names
	PhotoID        int64
	SEOTitle       string
	SEODescription string
	EmbargoUntil   time.Time
}

// Fields returns the editable fields of a.
func (a *Article) Fields() StoryFields {
	f := StoryFields{
		Headline: a.Headline, Deck: a.Deck, BodyMarkdown: a.BodyMarkdown, BodyHTML: a.BodyHTML, Lang: a.Lang,
		Slug: a.Slug, SectionID: a.SectionID, PhotoID: a.PhotoID, SEOTitle: a.SEOTitle, SEODescription: a.SEODescription,
		EmbargoUntil: a.EmbargoUntil,
	}
	for _, au := range a.Authors {
		if au != nil {
			f.AuthorIDs = append(f.AuthorIDs, au.ID)
		}
	}
	for _, t := range a.Tags {
		if t != nil {
			f.Tags = append(f.Tags, t.Name)
		}
	}
	return f
}

// Revision is one saved state of a story: every editable field as it was
// at Version.
type Revision struct {
	ID        int64
	ArticleID int64
	// Version is the story's version this revision records.
	Version   int64
	UserID    int64 // 0: system / import
	Status    Status
	Note      string // e.g. "imported", "published", "correction"
	CreatedAt time.Time
	StoryFields
}

// RevisionOf records a as it is now, by user (0: the system).
func RevisionOf(a *Article, user int64, note string, at time.Time) *Revision {
	return &Revision{ArticleID: a.ID, Version: a.Version, UserID: user, Status: a.Status, Note: note, CreatedAt: at,
		StoryFields: a.Fields()}
}

// Session is a signed-in browser.
type Session struct {
	ID        string // a random token's hash; never the token itself
	UserID    int64
	CSRFToken string
	CreatedAt time.Time
	ExpiresAt time.Time
	LastSeen  time.Time
	UserAgent string
}

// AuditEntry records who did what in the newsroom.
type AuditEntry struct {
	ID        int64
	UserID    int64
	Action    string // "publish", "unpublish", "correct", "role", "signin_failed"...
	ArticleID int64
	Detail    string
	CreatedAt time.Time
}

// ViewCount is a number of counted views of a story within one hour.
type ViewCount struct {
	ArticleID int64
	Hour      time.Time // truncated to the hour, UTC
	Count     int64
}

// TopEntry is one line of a most-read list.
type TopEntry struct {
	Article *Article
	Views   int64
}
