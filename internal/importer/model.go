package importer

import (
	"time"

	"masthead/internal/news"
)

// Every reader turns its source into one Batch: what a whole import run
// would create, read and checked before anything is written. Stage two
// (save.go) writes a Batch; a dry run prints it.

// Kinds of Parsed item.
const (
	KindStory = "story"
	KindPage  = "page" // a standing page (About, Contact): no section, no date in its URL
)

// Batch is the intermediate model of one import run.
type Batch struct {
	// Sources are the inputs, each with the format it was read as.
	Sources []Source
	// Stories holds stories and pages (Parsed.Kind), in source order.
	Stories []*Parsed
	// Authors the sources declare, stories or not (a WordPress export
	// lists every user who may write). Stories name their authors by
	// value too; Key joins them.
	Authors []*AuthorRef
	// Sections with their hierarchy (WordPress categories, Hugo trees).
	Sections []*SectionRef
	// Tags declared by the sources, used or not.
	Tags []TagRef
	// Comments, for the comments feature; StoryKey names their story.
	Comments []*Comment
	// Notes are one-line remarks about what was read but not used
	// ("layout: ignored (masthead has no layouts)"), one per kind and
	// file, to print before the summary.
	Notes []string
}

// Source is one input of a run.
type Source struct {
	Path   string
	Format string // one of the Format* constants
	Items  int    // stories and pages read from it
}

// AuthorRef is a person the source names, with what it says of them.
type AuthorRef struct {
	// Key is the source's own id ("login:jdoe", "ghost:1"), "" when the
	// source has none.
	Key string
	news.Author
	// Photo is the profile image, when the source has one.
	Photo *PhotoRef
}

// SectionRef is a section the source declares.
type SectionRef struct {
	Key         string // the source's id or slug
	Name        string
	Slug        string // the source's slug; "" to derive from Name
	Description string
	Parent      string // Key of the parent section; "" at the top
}

// TagRef is a tag the source declares.
type TagRef struct {
	Name, Slug string
}

// Comment is a reader comment as the source kept it.
type Comment struct {
	Key       string // the source's id
	ParentKey string // the comment it answers; ""
	StoryKey  string // SourceKey of the story it belongs to
	Author    string
	Email     string
	URL       string
	BodyHTML  string // sanitized
	CreatedAt time.Time
	Approved  bool
}

// Summary counts a Batch the way `masthead import` prints it.
type Summary struct {
	Stories       int `json:"stories"`
	Pages         int `json:"pages"`
	Authors       int `json:"authors"`
	Sections      int `json:"sections"`
	Tags          int `json:"tags"`
	Photos        int `json:"photos"`
	PhotosMissing int `json:"photos_missing"`
	Comments      int `json:"comments"`
	Redirects     int `json:"redirects"`
}
