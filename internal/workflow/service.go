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

// Store is what the workflow needs: reads outside a command (Get, the
// front page) and the transactions its commands run in.
type Store interface {
	news.ArticleReader
	news.RevisionReader
	news.SettingReader
	news.Updater
}

// Service applies the newsroom's rules to the store. Every command takes
// the acting user and runs in one transaction: it reads the story (locked
// until the commit), checks Can, validates, writes, and records its
// revision, its audit entry and what readers will see change, so that it
// happens entirely or not at all and no other command's write can slip in
// between its read and its write.
type Service struct {
	Store Store
	Clock news.Clock
	// Lang is the language of new stories when the draft names none, or
	// when set, Paper's language as it is at the time (settings saved in
	// the newsroom apply at once).
	Lang  string
	Paper *news.Paper
}

// lang is the language of a new story that names none.
func (s *Service) lang() string {
	if s.Paper != nil {
		if l := s.Paper.Current().Language; l != "" {
			return l
		}
	}
	return s.Lang
}

// New returns a Service; a nil clock is the system clock.
func New(st Store, clock news.Clock) *Service {
	if clock == nil {
		clock = news.SystemClock{}
	}
	return &Service{Store: st, Clock: clock, Lang: "en"}
}

// Limits on what a story may hold (news holds them; these are the names the
// newsroom has always used).
const (
	MaxHeadline = news.MaxHeadline
	MaxDeck     = news.MaxDeck
	MaxBody     = news.MaxBody
	MaxSEO      = news.MaxSEO
	MaxTags     = news.MaxTags
	MaxAuthors  = news.MaxAuthors
)

// Draft is what the editor form submits: every field a writer edits.
type Draft struct {
	Headline     string
	Deck         string
	BodyMarkdown string
	// BodyHTML is the body as the rich editor (or an API) sends it, when
	// HTMLBody is set: any HTML, stored as content.Normalize makes it. The
	// canonical body is HTML; Markdown is only another way in.
	BodyHTML string
	HTMLBody bool
	Lang     string
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
	// BaseVersion is the version of the story the writer opened (the
	// form carries it). When the story was saved since, Save merges:
	// fields only the others changed keep their changes, fields only this
	// writer changed take theirs, and a field both changed differently is
	// a *Conflict that nothing is saved through. 0 saves over whatever is
	// stored (commands that read the story in the same call).
	BaseVersion int64
	// NoMerge refuses a stale BaseVersion instead of merging it: the
	// Admin API's PATCH, whose caller asked to change the version it
	// named. The refusal is a *news.ConflictError naming the fields
	// changed since.
	NoMerge bool
}

// DraftOf returns the editable fields of a, at a's version.
func DraftOf(a *news.Article) Draft {
	d := draftFrom(a.Fields())
	d.BaseVersion = a.Version
	return d
}

func draftFrom(f news.StoryFields) Draft {
	return Draft{
		Headline: f.Headline, Deck: f.Deck, BodyMarkdown: f.BodyMarkdown, BodyHTML: f.BodyHTML, HTMLBody: f.BodyMarkdown == "",
		Lang: f.Lang, Slug: f.Slug,
		SectionID: f.SectionID, AuthorIDs: append([]int64(nil), f.AuthorIDs...), Tags: append([]string(nil), f.Tags...),
		PhotoID: f.PhotoID, SEOTitle: f.SEOTitle, SEODescription: f.SEODescription, EmbargoUntil: f.EmbargoUntil,
	}
}

// RenderBody is the one way a Markdown body becomes the stored HTML:
// goldmark, then the body normalizer, whatever the renderer let through.
func RenderBody(md string) (string, error) {
	h, err := content.BodyFromMarkdown(md)
	var le *content.LimitError
	if errors.As(err, &le) {
		return "", news.Errorf(news.EINVALID, "The body could not be rendered: %s. Split long paragraphs, or escape runs of brackets and marks with \\.", le.Error())
	} else if err != nil {
		return "", news.Errorf(news.EINVALID, "The body could not be read as Markdown.")
	}
	return h, nil
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
	var out *news.Article
	err := s.Store.Update(ctx, func(tx news.Tx) error {
		now := s.Clock.Now()
		a := &news.Article{Status: news.StatusDraft, CreatedAt: now, UpdatedAt: now}
		if d.Lang == "" {
			d.Lang = s.lang()
		}
		if u.AuthorID != 0 && !containsID(d.AuthorIDs, u.AuthorID) {
			d.AuthorIDs = append([]int64{u.AuthorID}, d.AuthorIDs...)
		}
		if !Can(u, ActEmbargo, nil) {
			d.EmbargoUntil = time.Time{}
		}
		if err := s.apply(ctx, tx, a, d); err != nil {
			return err
		}
		if strings.TrimSpace(d.Slug) == "" {
			// A made-up slug that clashes gets a number; a typed one is
			// an error (apply said so).
			slug, err := freeSlug(ctx, tx, a.Slug, 0)
			if err != nil {
				return err
			}
			a.Slug = slug
		}
		if err := tx.CreateArticle(ctx, a); err != nil {
			return slugErr(a.Slug, err)
		}
		if err := tx.CreateRevision(ctx, news.RevisionOf(a, u.ID, "created", now)); err != nil {
			return fmt.Errorf("create revision: %w", err)
		}
		if err := NoteEmbargo(ctx, tx, a.EmbargoUntil, now); err != nil {
			return err
		}
		if err := within(ctx, tx, a.ID); err != nil {
			return err
		}
		var err error
		out, err = tx.FindArticleByID(ctx, a.ID)
		return err
	})
	return out, err
}

// freeSlug returns base, or base-2, base-3... the first no other story has
// as its current slug. It reads rather than tries: on PostgreSQL a failed
// INSERT would end the transaction.
func freeSlug(ctx context.Context, tx news.ArticleReader, base string, self int64) (string, error) {
	for i := 1; i <= 100; i++ {
		slug := base
		if i > 1 {
			slug = fmt.Sprintf("%s-%d", base, i)
		}
		other, err := tx.FindArticleBySlug(ctx, slug)
		if errors.Is(err, news.ErrNotFound) || (err == nil && (other.Slug != slug || other.ID == self)) {
			return slug, nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", news.Errorf(news.ECONFLICT, "No free address for %q: pick a slug.", base)
}

// Conflict is a stale save that could not be merged: the story was saved
// since the writer's base version, and some fields were changed both by
// them and by the writer, differently. errors.Is(err, news.ErrConflict)
// holds; the news.ConflictError names those fields, who saved and when.
// Base, Theirs and Mine are the three versions of every field, for the
// editor to show side by side and merge.
type Conflict struct {
	*news.ConflictError
	Base, Theirs, Mine news.StoryFields
	// Changed are the fields others changed since Base (the conflicting
	// ones and those a merge would simply take from them).
	Changed []string
	// Current is the story as stored now.
	Current *news.Article
}

// Unwrap gives the ConflictError (and through it news.ErrConflict).
func (c *Conflict) Unwrap() error { return c.ConflictError }

// Merged is the 3-way merge with the writer's choice for each field in
// choose ("mine" or "theirs"); fields not chosen follow news.Merge3: the
// writer's where they changed it, the others' elsewhere. Its BaseVersion
// is the current version, so saving it is no longer stale.
func (c *Conflict) Merged(choose map[string]string) Draft {
	out := news.Merge3(c.Base, c.Theirs, c.Mine)
	for f, who := range choose {
		switch who {
		case "mine":
			news.SetField(&out, c.Mine, f)
		case "theirs":
			news.SetField(&out, c.Theirs, f)
		}
	}
	d := draftFrom(out)
	d.BaseVersion = c.Current.Version
	return d
}

// Save stores d as the new state of story id. note goes on the revision
// ("" for an ordinary save). A stale d (see Draft.BaseVersion) is merged
// or refused with a *Conflict.
func (s *Service) Save(ctx context.Context, u *news.User, id int64, d Draft, note string) (*news.Article, error) {
	var out *news.Article
	err := s.Store.Update(ctx, func(tx news.Tx) error {
		a, err := tx.FindArticleByID(ctx, id)
		if err != nil {
			return err
		}
		if err := check(u, ActEdit, a); err != nil {
			return err
		}
		d = s.restrict(u, a, d)
		if d.BaseVersion != 0 && d.BaseVersion != a.Version && d.NoMerge {
			return stale(ctx, tx, a, d.BaseVersion)
		}
		if d.BaseVersion != 0 && d.BaseVersion != a.Version {
			if d, err = s.merge(ctx, tx, a, d); err != nil {
				return err
			}
			if note == "" {
				note = fmt.Sprintf("saved (merged with version %d)", a.Version)
			}
		}
		oldEmbargo := a.EmbargoUntil
		if err := s.apply(ctx, tx, a, d); err != nil {
			return err
		}
		// PublishedAt keeps its meaning (first publication); UpdatedAt is
		// the "updated" time readers see.
		now := s.Clock.Now()
		a.UpdatedAt = now
		if err := tx.UpdateArticle(ctx, a); err != nil {
			return slugErr(a.Slug, err)
		}
		if note == "" {
			note = "saved"
		}
		if err := tx.CreateRevision(ctx, news.RevisionOf(a, u.ID, note, now)); err != nil {
			return fmt.Errorf("create revision: %w", err)
		}
		if !a.EmbargoUntil.Equal(oldEmbargo) {
			if err := NoteEmbargo(ctx, tx, a.EmbargoUntil, now); err != nil {
				return err
			}
			detail := "lifted"
			if !a.EmbargoUntil.IsZero() {
				detail = "until " + a.EmbargoUntil.Format(time.RFC3339)
			}
			if err := Audit(ctx, tx, s.Clock, u, "embargo", a.ID, detail); err != nil {
				return err
			}
		}
		if err := within(ctx, tx, a.ID); err != nil {
			return err
		}
		out, err = tx.FindArticleByID(ctx, a.ID)
		return err
	})
	return out, err
}

// Conflict returns the merge Save would face for d on story id now: nil
// when d is not stale, or merges by itself; a *Conflict to show otherwise.
// It writes nothing.
func (s *Service) Conflict(ctx context.Context, u *news.User, id int64, d Draft) (*Conflict, error) {
	a, err := s.Store.FindArticleByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := check(u, ActEdit, a); err != nil {
		return nil, err
	}
	d = s.restrict(u, a, d)
	if d.BaseVersion == 0 || d.BaseVersion == a.Version {
		return nil, nil
	}
	_, err = s.merge(ctx, s.Store, a, d)
	var cf *Conflict
	if errors.As(err, &cf) {
		return cf, nil
	}
	return nil, err
}

// restrict applies what u's role may not change to d.
func (s *Service) restrict(u *news.User, a *news.Article, d Draft) Draft {
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
	return d
}

// fields is d as it would be stored on a: trimmed, slugified, deduplicated,
// so that it compares with stored versions field by field.
func fields(a *news.Article, d Draft) news.StoryFields {
	f := news.StoryFields{
		Headline: strings.TrimSpace(d.Headline), Deck: strings.TrimSpace(d.Deck), BodyMarkdown: d.BodyMarkdown,
		Lang: d.Lang, SectionID: d.SectionID, PhotoID: d.PhotoID,
		SEOTitle: strings.TrimSpace(d.SEOTitle), SEODescription: strings.TrimSpace(d.SEODescription),
		EmbargoUntil: d.EmbargoUntil.UTC(),
	}
	if d.EmbargoUntil.IsZero() {
		f.EmbargoUntil = time.Time{}
	}
	switch {
	case d.HTMLBody:
		f.BodyMarkdown, f.BodyHTML = "", content.Sanitize(d.BodyHTML)
	case d.BodyMarkdown == "" && a.BodyMarkdown == "":
		f.BodyHTML = a.BodyHTML // a story imported as HTML keeps its body
	}
	f.Slug = a.Slug
	if strings.TrimSpace(d.Slug) != "" {
		f.Slug = news.Slugify(d.Slug)
	}
	for _, id := range d.AuthorIDs {
		if !containsID(f.AuthorIDs, id) {
			f.AuthorIDs = append(f.AuthorIDs, id)
		}
	}
	seen := map[string]bool{}
	for _, name := range d.Tags {
		name = strings.Join(strings.Fields(name), " ")
		if ts := news.Slugify(name); ts != "" && !seen[ts] {
			seen[ts] = true
			f.Tags = append(f.Tags, name)
		}
	}
	return f
}

// merge handles a save made against an older version than a's: it returns
// the 3-way merge of the writer's draft with what others saved since, or
// a *Conflict when a field was changed on both sides, differently.
func (s *Service) merge(ctx context.Context, tx news.RevisionReader, a *news.Article, d Draft) (Draft, error) {
	mine := fields(a, d)
	theirs := a.Fields()
	var base news.StoryFields
	var conflicts, changed []string
	if r, err := tx.FindRevisionAt(ctx, a.ID, d.BaseVersion); err == nil {
		base = r.StoryFields
		changed = news.DiffFields(base, theirs)
		byMe := news.DiffFields(base, mine)
		for _, f := range changed {
			if containsStr(byMe, f) && containsStr(news.DiffFields(mine, theirs), f) {
				conflicts = append(conflicts, f)
			}
		}
	} else if errors.Is(err, news.ErrNotFound) {
		// No record of the base: every difference is a question for the
		// writer.
		base = theirs
		conflicts = news.DiffFields(mine, theirs)
		changed = conflicts
	} else {
		return d, err
	}
	if len(conflicts) == 0 {
		merged := news.Merge3(base, theirs, mine)
		out := draftFrom(merged)
		out.BaseVersion = a.Version
		return out, nil
	}
	ce := &news.ConflictError{Kind: "article", ID: a.ID, Base: d.BaseVersion, Current: a.Version, Fields: conflicts}
	if err := whoChanged(ctx, tx, ce); err != nil {
		return d, err
	}
	return d, &Conflict{ConflictError: ce, Base: base, Theirs: theirs, Mine: mine, Changed: changed, Current: a}
}

// whoChanged fills By and At from the revisions made after ce.Base.
// stale is the refusal of a write against base, an older version of a:
// the fields changed since (and "status" when the story moved), who
// changed them and when.
func stale(ctx context.Context, tx news.RevisionReader, a *news.Article, base int64) error {
	ce := &news.ConflictError{Kind: "article", ID: a.ID, Base: base, Current: a.Version}
	if r, err := tx.FindRevisionAt(ctx, a.ID, base); err == nil {
		ce.Fields = news.DiffFields(r.StoryFields, a.Fields())
		if r.Status != "" && r.Status != a.Status {
			ce.Fields = append(ce.Fields, "status")
		}
	} else if !errors.Is(err, news.ErrNotFound) {
		return err
	}
	if err := whoChanged(ctx, tx, ce); err != nil {
		return err
	}
	return ce
}

func whoChanged(ctx context.Context, tx news.RevisionReader, ce *news.ConflictError) error {
	revs, err := tx.FindRevisions(ctx, ce.ID)
	if err != nil {
		return err
	}
	for _, r := range revs { // newest first
		if r.Version <= ce.Base {
			break
		}
		if ce.At.IsZero() {
			ce.At = r.CreatedAt
		}
		if !containsID(ce.By, r.UserID) {
			ce.By = append(ce.By, r.UserID)
		}
	}
	return nil
}

// apply validates d and copies it onto a. It changes nothing in the store
// except creating tags that do not exist yet (in the command's
// transaction, so a failed command leaves none behind).
func (s *Service) apply(ctx context.Context, tx news.Tx, a *news.Article, d Draft) error {
	headline := strings.TrimSpace(d.Headline)
	switch {
	case headline == "":
		return news.Errorf(news.EINVALID, "A headline is required.")
	case !utf8.ValidString(headline + d.Deck + d.BodyMarkdown + d.BodyHTML + d.SEOTitle + d.SEODescription + d.Slug + d.Lang + strings.Join(d.Tags, "")):
		return news.Errorf(news.EINVALID, "The text is not valid UTF-8.")
	case utf8.RuneCountInString(headline) > MaxHeadline:
		return news.Errorf(news.EINVALID, "The headline is longer than %d characters.", MaxHeadline)
	case utf8.RuneCountInString(d.Deck) > MaxDeck:
		return news.Errorf(news.EINVALID, "The deck is longer than %d characters.", MaxDeck)
	case len(d.BodyMarkdown) > MaxBody || len(d.BodyHTML) > MaxBody:
		return news.Errorf(news.EINVALID, "The body is longer than %d bytes.", MaxBody)
	case len(d.BodyHTML) > news.MaxBodyHTML:
		return news.Errorf(news.EINVALID, "The body is longer than %d bytes.", news.MaxBodyHTML)
	case utf8.RuneCountInString(d.SEOTitle) > MaxSEO || utf8.RuneCountInString(d.SEODescription) > MaxSEO:
		return news.Errorf(news.EINVALID, "SEO title and description are at most %d characters.", MaxSEO)
	case len(d.AuthorIDs) > MaxAuthors:
		return news.Errorf(news.EINVALID, "At most %d bylines.", MaxAuthors)
	case len(d.Tags) > MaxTags:
		return news.Errorf(news.EINVALID, "At most %d tags.", MaxTags)
	case d.Lang != "" && !news.ValidLang(d.Lang):
		return news.Errorf(news.EINVALID, "%q is not a language tag (such as en, ko or en-GB).", d.Lang)
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
	if slug != a.Slug && strings.TrimSpace(d.Slug) != "" {
		// Checked before any write, so that a clash changes nothing. A
		// former slug of another story may be taken: its current slug
		// wins.
		other, err := tx.FindArticleBySlug(ctx, slug)
		if err == nil && other.ID != a.ID && other.Slug == slug {
			return news.Errorf(news.ECONFLICT, "The slug %q is taken by another story.", slug)
		} else if err != nil && !errors.Is(err, news.ErrNotFound) {
			return err
		}
	}
	if d.SectionID != 0 {
		if _, err := tx.FindSectionByID(ctx, d.SectionID); errors.Is(err, news.ErrNotFound) {
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
		au, err := tx.FindAuthorByID(ctx, id)
		if errors.Is(err, news.ErrNotFound) {
			return news.Errorf(news.EINVALID, "No such author (%d).", id)
		} else if err != nil {
			return err
		}
		authors = append(authors, au)
	}
	if d.PhotoID != 0 {
		if _, err := tx.FindPhotoByID(ctx, d.PhotoID); errors.Is(err, news.ErrNotFound) {
			return news.Errorf(news.EINVALID, "No such photo.")
		} else if err != nil {
			return err
		}
	}
	body := a.BodyHTML
	if d.HTMLBody {
		body, d.BodyMarkdown = content.Sanitize(d.BodyHTML), ""
	} else if d.BodyMarkdown != "" || a.BodyMarkdown != "" {
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
		if err := tx.EnsureTag(ctx, t); err != nil {
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
	return news.ValidateArticle(a)
}

func slugErr(slug string, err error) error {
	var ce *news.ConflictError
	if errors.As(err, &ce) {
		return err // a stale version, not a slug clash
	}
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

func containsStr(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
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

// Audit appends an entry to the audit log (u nil: the system), in the
// transaction of the command it describes when st is a news.Tx.
func Audit(ctx context.Context, st news.AuditWriter, clock news.Clock, u *news.User, action string, articleID int64, detail string) error {
	if r := []rune(detail); len(r) > news.MaxText {
		detail = string(r[:news.MaxText-1]) + "…"
	}
	e := &news.AuditEntry{Action: action, ArticleID: articleID, Detail: detail, CreatedAt: clock.Now()}
	if u != nil {
		e.UserID = u.ID
	}
	return st.AddAudit(ctx, e)
}
