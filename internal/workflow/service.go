package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"masthead/internal/content"
	"masthead/internal/news"
)

// Service applies the newsroom's rules to the store. Every method takes the
// acting user, checks Can, validates, changes the store and records a
// revision and/or an audit entry.
type Service struct {
	Store news.Store
	Clock news.Clock
	// Lang is the language of new stories when the draft names none.
	Lang string
}

// New returns a Service; a nil clock is the system clock.
func New(st news.Store, clock news.Clock) *Service {
	if clock == nil {
		clock = news.SystemClock{}
	}
	return &Service{Store: st, Clock: clock, Lang: "en"}
}

// Limits on what a story may hold.
const (
	MaxHeadline = 300
	MaxDeck     = 1000
	MaxBody     = 1 << 20
	MaxSEO      = 300
	MaxTags     = 30
	MaxAuthors  = 10
)

// Draft is what the editor form submits: every field a writer edits.
type Draft struct {
	Headline     string
	Deck         string
	BodyMarkdown string
	Lang         string
	// Slug: empty keeps the current slug (or makes one from the headline
	// for a new story); otherwise it is normalised with news.Slugify.
	Slug           string
	SectionID      int64
	AuthorIDs      []int64
	Tags           []string // names, as typed; slugs are made from them
	PhotoID        int64
	SEOTitle       string
	SEODescription string
	// EmbargoUntil is applied only for users who may ActEmbargo; others
	// keep the story's current embargo.
	EmbargoUntil time.Time
	// BaseUpdatedAt, when set, is the UpdatedAt of the story the writer
	// opened: if the story was saved since, Save refuses with ECONFLICT
	// instead of silently overwriting a colleague's work. Compared to the
	// second, the stores' precision.
	BaseUpdatedAt time.Time
}

// DraftOf returns the editable fields of a.
func DraftOf(a *news.Article) Draft {
	d := Draft{
		Headline: a.Headline, Deck: a.Deck, BodyMarkdown: a.BodyMarkdown, Lang: a.Lang, Slug: a.Slug,
		SectionID: a.SectionID, PhotoID: a.PhotoID, SEOTitle: a.SEOTitle, SEODescription: a.SEODescription,
		EmbargoUntil: a.EmbargoUntil,
	}
	for _, au := range a.Authors {
		d.AuthorIDs = append(d.AuthorIDs, au.ID)
	}
	for _, t := range a.Tags {
		d.Tags = append(d.Tags, t.Name)
	}
	return d
}

// RenderBody is the one way a story body becomes HTML: Markdown, then the
// sanitizer, whatever the Markdown renderer let through.
func RenderBody(md string) (string, error) {
	h, err := content.MarkdownToHTML(md)
	if err != nil {
		return "", news.Errorf(news.EINVALID, "The body could not be read as Markdown.")
	}
	return content.Sanitize(h), nil
}

// Get returns story id if u may open it.
func (s *Service) Get(ctx context.Context, u *news.User, id int64) (*news.Article, error) {
	a, err := s.Store.FindArticleByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := check(u, ActView, a); err != nil {
		return nil, err
	}
	return a, nil
}

// Create starts a draft written by u. The writer's own byline is always
// on it.
func (s *Service) Create(ctx context.Context, u *news.User, d Draft) (*news.Article, error) {
	if err := check(u, ActCreate, nil); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	a := &news.Article{Status: news.StatusDraft, CreatedAt: now, UpdatedAt: now}
	if d.Lang == "" {
		d.Lang = s.Lang
	}
	if u.AuthorID != 0 && !containsID(d.AuthorIDs, u.AuthorID) {
		d.AuthorIDs = append([]int64{u.AuthorID}, d.AuthorIDs...)
	}
	if !Can(u, ActEmbargo, nil) {
		d.EmbargoUntil = time.Time{}
	}
	autoSlug := strings.TrimSpace(d.Slug) == ""
	if err := s.apply(ctx, u, a, d); err != nil {
		return nil, err
	}
	if autoSlug {
		// A made-up slug that clashes gets a number; a typed one is an error.
		base := a.Slug
		for i := 2; ; i++ {
			err := s.Store.CreateArticle(ctx, a)
			if err == nil {
				break
			}
			if !errors.Is(err, news.ErrConflict) || i > 100 {
				return nil, fmt.Errorf("create article: %w", err)
			}
			a.Slug = fmt.Sprintf("%s-%d", base, i)
		}
	} else if err := s.Store.CreateArticle(ctx, a); err != nil {
		return nil, slugErr(a.Slug, err)
	}
	if err := s.revision(ctx, u, a, "created"); err != nil {
		return nil, err
	}
	if err := NoteEmbargo(ctx, s.Store, a.EmbargoUntil, now); err != nil {
		return nil, err
	}
	return s.Store.FindArticleByID(ctx, a.ID)
}

// Save stores d as the new state of story id. note goes on the revision
// ("" for an ordinary save).
func (s *Service) Save(ctx context.Context, u *news.User, id int64, d Draft, note string) (*news.Article, error) {
	a, err := s.Store.FindArticleByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := check(u, ActEdit, a); err != nil {
		return nil, err
	}
	if !d.BaseUpdatedAt.IsZero() && d.BaseUpdatedAt.Unix() != a.UpdatedAt.Unix() {
		return nil, news.Errorf(news.ECONFLICT, "This story was saved by someone else since you opened it. Your text is below and was not saved: compare it with the current version (Revisions), then save again to overwrite.")
	}
	if !Can(u, ActEmbargo, a) {
		// Only editors move embargoes, and only editors rename a story
		// readers may already have linked to.
		d.EmbargoUntil = a.EmbargoUntil
		if !a.PublishedAt.IsZero() {
			d.Slug = a.Slug
		}
	}
	if u.AuthorID != 0 && !Can(u, ActPublish, a) && !containsID(d.AuthorIDs, u.AuthorID) {
		// A writer cannot take their own byline off (and with it their
		// access to the story).
		d.AuthorIDs = append([]int64{u.AuthorID}, d.AuthorIDs...)
	}
	if d.Lang == "" {
		d.Lang = a.Lang
	}
	oldEmbargo := a.EmbargoUntil
	if err := s.apply(ctx, u, a, d); err != nil {
		return nil, err
	}
	// PublishedAt keeps its meaning (first publication); UpdatedAt is the
	// "updated" time readers see.
	a.UpdatedAt = s.Clock.Now()
	if err := s.Store.UpdateArticle(ctx, a); err != nil {
		return nil, slugErr(a.Slug, err)
	}
	if note == "" {
		note = "saved"
	}
	if err := s.revision(ctx, u, a, note); err != nil {
		return nil, err
	}
	if !a.EmbargoUntil.Equal(oldEmbargo) {
		if err := NoteEmbargo(ctx, s.Store, a.EmbargoUntil, s.Clock.Now()); err != nil {
			return nil, err
		}
		detail := "lifted"
		if !a.EmbargoUntil.IsZero() {
			detail = "until " + a.EmbargoUntil.Format(time.RFC3339)
		}
		s.audit(ctx, u, "embargo", a.ID, detail)
	}
	return s.Store.FindArticleByID(ctx, a.ID)
}

// apply validates d and copies it onto a. It changes nothing in the store
// except creating tags that do not exist yet.
func (s *Service) apply(ctx context.Context, u *news.User, a *news.Article, d Draft) error {
	headline := strings.TrimSpace(d.Headline)
	switch {
	case headline == "":
		return news.Errorf(news.EINVALID, "A headline is required.")
	case utf8.RuneCountInString(headline) > MaxHeadline:
		return news.Errorf(news.EINVALID, "The headline is longer than %d characters.", MaxHeadline)
	case utf8.RuneCountInString(d.Deck) > MaxDeck:
		return news.Errorf(news.EINVALID, "The deck is longer than %d characters.", MaxDeck)
	case len(d.BodyMarkdown) > MaxBody:
		return news.Errorf(news.EINVALID, "The body is longer than %d bytes.", MaxBody)
	case utf8.RuneCountInString(d.SEOTitle) > MaxSEO || utf8.RuneCountInString(d.SEODescription) > MaxSEO:
		return news.Errorf(news.EINVALID, "SEO title and description are at most %d characters.", MaxSEO)
	case len(d.AuthorIDs) > MaxAuthors:
		return news.Errorf(news.EINVALID, "At most %d bylines.", MaxAuthors)
	case len(d.Tags) > MaxTags:
		return news.Errorf(news.EINVALID, "At most %d tags.", MaxTags)
	case !utf8.ValidString(headline + d.Deck + d.BodyMarkdown + d.SEOTitle + d.SEODescription):
		return news.Errorf(news.EINVALID, "The text is not valid UTF-8.")
	}
	slug := strings.TrimSpace(d.Slug)
	if slug == "" {
		slug = a.Slug
	}
	if slug == "" {
		slug = news.Slugify(headline)
		if slug == "" {
			slug = "story"
		}
	} else {
		slug = news.Slugify(slug)
		if slug == "" {
			return news.Errorf(news.EINVALID, "The slug needs at least one letter or digit.")
		}
	}
	if slug != a.Slug || a.ID == 0 {
		// Checked before any write (tags below), so that a clash changes
		// nothing. A former slug of another story may be taken: the store
		// lets a current slug win.
		other, err := s.Store.FindArticleBySlug(ctx, slug)
		if err == nil && other.ID != a.ID && other.Slug == slug && strings.TrimSpace(d.Slug) != "" {
			return news.Errorf(news.ECONFLICT, "The slug %q is taken by another story.", slug)
		} else if err != nil && !errors.Is(err, news.ErrNotFound) {
			return err
		}
	}
	if d.SectionID != 0 {
		if _, err := s.Store.FindSectionByID(ctx, d.SectionID); errors.Is(err, news.ErrNotFound) {
			return news.Errorf(news.EINVALID, "No such section.")
		} else if err != nil {
			return err
		}
	}
	var authors []*news.Author
	for _, id := range d.AuthorIDs {
		if containsAuthor(authors, id) {
			continue
		}
		au, err := s.Store.FindAuthorByID(ctx, id)
		if errors.Is(err, news.ErrNotFound) {
			return news.Errorf(news.EINVALID, "No such author (%d).", id)
		} else if err != nil {
			return err
		}
		authors = append(authors, au)
	}
	if d.PhotoID != 0 {
		if _, err := s.Store.FindPhotoByID(ctx, d.PhotoID); errors.Is(err, news.ErrNotFound) {
			return news.Errorf(news.EINVALID, "No such photo.")
		} else if err != nil {
			return err
		}
	}
	body := a.BodyHTML
	if d.BodyMarkdown != "" || a.BodyMarkdown != "" {
		// Stories imported as HTML have no Markdown; an empty body field
		// leaves their HTML alone instead of wiping it.
		var err error
		if body, err = RenderBody(d.BodyMarkdown); err != nil {
			return err
		}
	}
	// Tags last: EnsureTag writes, so only after everything else is valid.
	var tags []*news.Tag
	seen := map[string]bool{}
	for _, name := range d.Tags {
		name = strings.Join(strings.Fields(name), " ")
		ts := news.Slugify(name)
		if ts == "" || seen[ts] {
			continue
		}
		if utf8.RuneCountInString(name) > 100 {
			return news.Errorf(news.EINVALID, "The tag %q is too long.", name)
		}
		seen[ts] = true
		t := &news.Tag{Slug: ts, Name: name}
		if err := s.Store.EnsureTag(ctx, t); err != nil {
			return fmt.Errorf("ensure tag %q: %w", ts, err)
		}
		tags = append(tags, t)
	}
	a.Headline = headline
	a.Deck = strings.TrimSpace(d.Deck)
	a.BodyMarkdown = d.BodyMarkdown
	a.BodyHTML = body
	a.Lang = d.Lang
	a.Slug = slug
	a.SectionID = d.SectionID
	a.Authors = authors
	a.Tags = tags
	a.PhotoID = d.PhotoID
	a.SEOTitle = strings.TrimSpace(d.SEOTitle)
	a.SEODescription = strings.TrimSpace(d.SEODescription)
	a.EmbargoUntil = d.EmbargoUntil.UTC()
	if d.EmbargoUntil.IsZero() {
		a.EmbargoUntil = time.Time{}
	}
	return nil
}

func slugErr(slug string, err error) error {
	if errors.Is(err, news.ErrConflict) {
		return news.Errorf(news.ECONFLICT, "The slug %q is taken by another story.", slug)
	}
	return fmt.Errorf("save article: %w", err)
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func containsAuthor(as []*news.Author, id int64) bool {
	for _, a := range as {
		if a.ID == id {
			return true
		}
	}
	return false
}

// revision records the current state of a as a revision by u.
func (s *Service) revision(ctx context.Context, u *news.User, a *news.Article, note string) error {
	r := &news.Revision{
		ArticleID: a.ID, Headline: a.Headline, Deck: a.Deck, BodyMarkdown: a.BodyMarkdown,
		BodyHTML: a.BodyHTML, Note: note, CreatedAt: s.Clock.Now(),
	}
	if u != nil {
		r.UserID = u.ID
	}
	if err := s.Store.CreateRevision(ctx, r); err != nil {
		return fmt.Errorf("create revision: %w", err)
	}
	return nil
}

// audit records an entry; a failure to write the log must not undo the
// action it describes, so it is returned only to Audit's callers.
func (s *Service) audit(ctx context.Context, u *news.User, action string, articleID int64, detail string) {
	_ = Audit(ctx, s.Store, s.Clock, u, action, articleID, detail)
}

// Audit appends an entry to the audit log (u nil: the system).
func Audit(ctx context.Context, st news.Store, clock news.Clock, u *news.User, action string, articleID int64, detail string) error {
	e := &news.AuditEntry{Action: action, ArticleID: articleID, Detail: detail, CreatedAt: clock.Now()}
	if u != nil {
		e.UserID = u.ID
	}
	return st.AddAudit(ctx, e)
}
