package importer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"masthead/internal/news"
	"masthead/internal/workflow"
)

// defaultSection holds stories whose file names no section.
const defaultSection = "News"

// Import parses every file, and only when all of them are good saves them
// in order: section, authors, tags, photo, story, revision. A story whose
// SourceKey is already stored is updated (Result.Updated) rather than
// created again. Parse errors of all bad files are returned together.
//
// The Store has no transactions, so a database failure half-way through
// saving can leave the stories before it saved; every input error is
// caught before the first write.
func Import(ctx context.Context, st news.Store, paths []string, opt Options) ([]Result, error) {
	if len(paths) == 0 {
		return nil, errors.New("import: no files")
	}
	if opt.Section != "" && news.Slugify(opt.Section) == "" {
		return nil, fmt.Errorf("import: section %q has no letters or digits", opt.Section)
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	opt.Now = opt.Now.UTC()
	b, err := Read(paths, ReadOptions{Location: opt.Location, Uploads: opt.Uploads})
	if err != nil {
		return nil, err
	}
	var parsed, pages []*Parsed
	for _, p := range b.Stories {
		if p.IsPage() {
			pages = append(pages, p)
		} else {
			parsed = append(parsed, p)
		}
	}
	if len(parsed) == 0 && len(pages) == 0 {
		return nil, fmt.Errorf("import: no stories to save (%s)", unsaved(b))
	}
	results := make([]Result, 0, len(parsed)+len(pages))
	for _, p := range parsed {
		r, err := save(ctx, st, p, opt)
		if err != nil {
			return results, fmt.Errorf("%s: save: %w", p.Path, err)
		}
		results = append(results, r)
	}
	for _, p := range pages {
		r, err := savePage(ctx, st, p, opt)
		if err != nil {
			return results, fmt.Errorf("%s: save: %w", p.Path, err)
		}
		results = append(results, r)
	}
	if len(results) > 0 {
		if w := unsaved(b); w != "" {
			results[len(results)-1].Warnings = append(results[len(results)-1].Warnings, w)
		}
	}
	return results, nil
}

func save(ctx context.Context, st news.Store, p *Parsed, opt Options) (Result, error) {
	now := opt.Now
	existing, err := st.FindArticleBySourceKey(ctx, p.Article.SourceKey)
	if errors.Is(err, news.ErrNotFound) {
		existing = nil
	} else if err != nil {
		return Result{}, fmt.Errorf("find story by source: %w", err)
	}

	sectionName := p.Section
	if opt.Section != "" {
		sectionName = opt.Section
	}
	var sec *news.Section
	switch {
	case sectionName == "" && existing != nil && existing.Section != nil:
		// The file names no section: a re-import leaves the story where
		// the editors put it.
		sec = existing.Section
	case sectionName == "":
		sectionName = defaultSection
		fallthrough
	default:
		if sec, err = ensureSection(ctx, st, sectionName); err != nil {
			return Result{}, err
		}
	}
	var authors []*news.Author
	seen := map[int64]bool{}
	for _, in := range p.Authors {
		a, err := ensureAuthor(ctx, st, in)
		if err != nil {
			return Result{}, err
		}
		if !seen[a.ID] {
			seen[a.ID] = true
			authors = append(authors, a)
		}
	}
	var tags []*news.Tag
	seenTag := map[string]bool{}
	for _, name := range p.Tags {
		t := &news.Tag{Slug: news.Slugify(name), Name: name}
		if seenTag[t.Slug] {
			continue
		}
		seenTag[t.Slug] = true
		if err := st.EnsureTag(ctx, t); err != nil {
			return Result{}, fmt.Errorf("tag %q: %w", name, err)
		}
		tags = append(tags, t)
	}

	a := p.Article // a copy: the Parsed stays as parsed
	a.SectionID, a.Section = sec.ID, sec
	a.Authors, a.Tags = authors, tags
	if existing != nil {
		a.PhotoID = existing.PhotoID
		// What the file does not say, a re-import does not take away.
		if len(p.Authors) == 0 {
			a.Authors = existing.Authors
		}
		if len(p.Tags) == 0 {
			a.Tags = existing.Tags
		}
	}
	var warnings []string
	if p.Photo != nil {
		ph, err := savePhoto(ctx, st, p.Photo, a.PhotoID, opt)
		switch {
		case errors.Is(err, errPhotoNeedsImage):
			warnings = append(warnings, fmt.Sprintf("lead photo %q not saved: there is no image for it (put one beside the file, or name it in front matter) or no photo saver", p.Photo.Caption))
		case err != nil:
			return Result{}, err
		default:
			a.PhotoID, a.Photo = ph.ID, ph
		}
	}

	// Status: the file's own, else --publish, else draft; a re-import
	// without either keeps what editors made of the story.
	switch {
	case a.Status != "":
	case opt.Publish:
		a.Status = news.StatusPublished
	case existing != nil:
		a.Status = existing.Status
	default:
		a.Status = news.StatusDraft
	}
	if !opt.PublishedAt.IsZero() {
		a.PublishedAt = opt.PublishedAt.UTC()
	}
	if a.PublishedAt.IsZero() && existing != nil {
		a.PublishedAt = existing.PublishedAt
	}
	if a.Status == news.StatusPublished || a.Status == news.StatusScheduled {
		if a.PublishedAt.IsZero() {
			a.PublishedAt = now
		}
		if a.PublishedAt.After(now) {
			a.Status = news.StatusScheduled
		} else {
			a.Status = news.StatusPublished
		}
	}

	res := Result{Headline: a.Headline, Warnings: warnings}
	changed := true
	if existing == nil {
		a.CreatedAt = now
		if a.UpdatedAt.IsZero() {
			// A story imported with its old date was not updated today.
			a.UpdatedAt = a.PublishedAt
			if a.UpdatedAt.IsZero() {
				a.UpdatedAt = now
			}
		}
		if err := createWithUniqueSlug(ctx, st, &a); err != nil {
			return Result{}, err
		}
	} else {
		res.Updated = true
		a.ID = existing.ID
		a.Version = existing.Version
		a.CreatedAt = existing.CreatedAt
		a.TranslationOf = existing.TranslationOf
		a.EmbargoUntil = existing.EmbargoUntil
		a.Corrections = existing.Corrections
		if !p.SlugSet {
			a.Slug = existing.Slug
		}
		changed = existing.Headline != a.Headline || existing.Deck != a.Deck ||
			existing.BodyHTML != a.BodyHTML || existing.BodyMarkdown != a.BodyMarkdown
		if a.UpdatedAt.IsZero() {
			a.UpdatedAt = existing.UpdatedAt
			if changed {
				a.UpdatedAt = now
			}
		}
		if err := updateWithUniqueSlug(ctx, st, &a, existing.Slug); err != nil {
			return Result{}, err
		}
	}
	if changed {
		if err := st.CreateRevision(ctx, news.RevisionOf(&a, 0, "imported", now)); err != nil {
			return Result{}, fmt.Errorf("revision: %w", err)
		}
	}
	res.ID, res.Slug = a.ID, a.Slug
	return res, nil
}

// maxSlugTries bounds the -2, -3... suffixes tried before giving up.
const maxSlugTries = 50

func slugN(base string, n int) string {
	if n == 1 {
		return base
	}
	return fmt.Sprintf("%s-%d", base, n)
}

func createWithUniqueSlug(ctx context.Context, st news.Store, a *news.Article) error {
	base := a.Slug
	for n := 1; n <= maxSlugTries; n++ {
		a.Slug = slugN(base, n)
		err := st.CreateArticle(ctx, a)
		if err == nil {
			return nil
		}
		if !errors.Is(err, news.ErrConflict) {
			return fmt.Errorf("create story: %w", err)
		}
		// The conflict may be the source key: another process imported
		// the same story a moment ago. That is not a slug problem.
		if other, ferr := st.FindArticleBySourceKey(ctx, a.SourceKey); ferr == nil {
			return fmt.Errorf("create story: story %d was imported from the same source meanwhile", other.ID)
		}
	}
	return fmt.Errorf("create story: no free slug after %s-%d", base, maxSlugTries)
}

func updateWithUniqueSlug(ctx context.Context, st news.Store, a *news.Article, current string) error {
	base := a.Slug
	for n := 1; n <= maxSlugTries; n++ {
		a.Slug = slugN(base, n)
		if a.Slug == current {
			// The story's own slug is never a clash.
			a.Slug = current
		}
		err := st.UpdateArticle(ctx, a)
		if err == nil {
			return nil
		}
		if !errors.Is(err, news.ErrConflict) || a.Slug == current {
			return fmt.Errorf("update story %d: %w", a.ID, err)
		}
	}
	return fmt.Errorf("update story %d: no free slug after %s-%d", a.ID, base, maxSlugTries)
}

// ensureSection finds or creates the section an imported story names,
// by the newsroom's one rule (workflow.FindSection).
func ensureSection(ctx context.Context, st news.Store, name string) (*news.Section, error) {
	return workflow.FindSection(ctx, st, name, true)
}

// ensureAuthor finds an author by e-mail, else by name (slug) when the
// e-mails do not contradict each other, else creates one. Details the
// stored author lacks (e-mail, bio, title) are filled in from the file;
// details it has are never overwritten by an import.
func ensureAuthor(ctx context.Context, st news.Store, in news.Author) (*news.Author, error) {
	if in.Email != "" {
		a, err := st.FindAuthorByEmail(ctx, in.Email)
		if err == nil {
			return fillAuthor(ctx, st, a, in)
		}
		if !errors.Is(err, news.ErrNotFound) {
			return nil, fmt.Errorf("author %q: %w", in.Name, err)
		}
	}
	slug := news.Slugify(in.Name)
	a, err := st.FindAuthorBySlug(ctx, slug)
	if err == nil && (a.Email == "" || in.Email == "" || strings.EqualFold(a.Email, in.Email)) {
		return fillAuthor(ctx, st, a, in)
	}
	if err != nil && !errors.Is(err, news.ErrNotFound) {
		return nil, fmt.Errorf("author %q: %w", in.Name, err)
	}
	// A new person, or a namesake with another address.
	for n := 1; n <= maxSlugTries; n++ {
		na := news.Author{Slug: slugN(slug, n), Name: in.Name, Email: in.Email, Bio: in.Bio, Title: in.Title}
		if n > 1 {
			// A namesake may already be stored under this suffix.
			if o, err := st.FindAuthorBySlug(ctx, na.Slug); err == nil && (o.Email == "" || in.Email == "" || strings.EqualFold(o.Email, in.Email)) {
				return fillAuthor(ctx, st, o, in)
			}
		}
		err := st.CreateAuthor(ctx, &na)
		if err == nil {
			return &na, nil
		}
		if !errors.Is(err, news.ErrConflict) {
			return nil, fmt.Errorf("create author %q: %w", in.Name, err)
		}
	}
	return nil, fmt.Errorf("create author %q: no free slug", in.Name)
}

func fillAuthor(ctx context.Context, st news.Store, a *news.Author, in news.Author) (*news.Author, error) {
	changed := false
	for _, f := range []struct {
		dst *string
		src string
	}{{&a.Email, in.Email}, {&a.Bio, in.Bio}, {&a.Title, in.Title}} {
		if *f.dst == "" && f.src != "" {
			*f.dst, changed = f.src, true
		}
	}
	if changed {
		if err := st.UpdateAuthor(ctx, a); err != nil {
			return nil, fmt.Errorf("update author %q: %w", a.Name, err)
		}
	}
	return a, nil
}

// errPhotoNeedsImage: the store keeps no photo without an image (Key).
var errPhotoNeedsImage = errors.New("photo without an image")

// savePhoto stores the lead photo: through the PhotoSaver when there is an
// image and a saver, otherwise as a row with caption, credit and alt text
// and no image (Key ""), so the caption line still shows — if the store
// accepts such a row (errPhotoNeedsImage when it does not). A re-import
// updates the story's photo in place.
func savePhoto(ctx context.Context, st news.Store, ref *PhotoRef, id int64, opt Options) (*news.Photo, error) {
	ph := &news.Photo{CreatedAt: opt.Now}
	if id != 0 {
		old, err := st.FindPhotoByID(ctx, id)
		switch {
		case err == nil:
			ph = old
		case errors.Is(err, news.ErrNotFound):
			id = 0
		default:
			return nil, fmt.Errorf("photo %d: %w", id, err)
		}
	}
	ph.Caption, ph.Credit, ph.Alt = ref.Caption, ref.Credit, ref.Alt
	if len(ref.Data) == 0 && ref.Path != "" {
		// Exports name their photos by file; read each only when saved.
		data, ct, err := loadPhoto(ref.Path)
		if err != nil {
			return nil, err
		}
		ref = &PhotoRef{Path: ref.Path, Data: data, ContentType: ct}
	}
	if len(ref.Data) > 0 && opt.PhotoSaver != nil {
		ph.ContentType = ref.ContentType
		if err := opt.PhotoSaver.SavePhoto(ctx, ph, ref.Data); err != nil {
			return nil, fmt.Errorf("photo %s: %w", ref.Path, err)
		}
		if ph.ID != 0 {
			return ph, nil
		}
	}
	if ph.ID != 0 {
		if err := st.UpdatePhoto(ctx, ph); err != nil {
			return nil, fmt.Errorf("update photo %d: %w", ph.ID, err)
		}
		return ph, nil
	}
	if err := st.CreatePhoto(ctx, ph); err != nil {
		if errors.Is(err, news.ErrInvalid) && ph.Key == "" {
			return nil, errPhotoNeedsImage
		}
		return nil, fmt.Errorf("create photo: %w", err)
	}
	return ph, nil
}

// unsaved says what a Batch holds that this version of the store cannot
// keep yet (pages, comments, old addresses), or "".
func unsaved(b *Batch) string {
	s := b.Summary()
	var parts []string
	if s.Comments > 0 {
		parts = append(parts, fmt.Sprintf("%d comments", s.Comments))
	}
	if s.Redirects > 0 {
		parts = append(parts, fmt.Sprintf("%d old addresses to redirect", s.Redirects))
	}
	if len(parts) == 0 {
		return ""
	}
	return "not saved, masthead cannot store them yet: " + strings.Join(parts, ", ") + " (see them with --dry-run)"
}
