package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"time"

	"masthead/internal/comments"
	"masthead/internal/content"
	"masthead/internal/news"
	"masthead/internal/workflow"
)

// DefaultSection holds stories whose file names no section.
const DefaultSection = "News"

// SectionParentsKey is the setting that records the section hierarchy an
// import read (WordPress's nested categories) while the store's sections
// have no parent of their own: a JSON object from a section's slug to its
// parent's slug.
const SectionParentsKey = "import.section_parents"

// Report is what a saved import run wrote.
type Report struct {
	// Results are the stories, in source order.
	Results []Result
	// Summary counts what the run wrote (or found already there): the
	// rows of the paper it touched, as the dry run counts the sources.
	Summary Summary
	// Warnings are things read and not saved (comments of pages,
	// old addresses on other hosts), one line each.
	Warnings []string
	// Sources are the inputs with the format each was read as; Notes the
	// one-line remarks of the reading (the dry run prints the same).
	Sources []Source
	Notes   []string
}

// Import reads every file and saves what it read with Save. Parse errors
// of all bad files are returned together; nothing is written then.
func Import(ctx context.Context, st news.Store, paths []string, opt Options) ([]Result, error) {
	rep, err := ImportReport(ctx, st, paths, opt)
	if err != nil {
		return nil, err
	}
	if len(rep.Results) > 0 && len(rep.Warnings) > 0 {
		last := &rep.Results[len(rep.Results)-1]
		last.Warnings = append(last.Warnings, rep.Warnings...)
	}
	return rep.Results, nil
}

// ImportReport is Import with the whole report.
func ImportReport(ctx context.Context, st news.Store, paths []string, opt Options) (*Report, error) {
	if len(paths) == 0 {
		return nil, errors.New("import: no files")
	}
	if opt.Section != "" && news.Slugify(opt.Section) == "" {
		return nil, fmt.Errorf("import: section %q has no letters or digits", opt.Section)
	}
	b, err := Read(paths, ReadOptions{Location: opt.Location, Uploads: opt.Uploads})
	if err != nil {
		return nil, err
	}
	rep, err := Save(ctx, st, b, opt)
	if err != nil {
		return nil, err
	}
	rep.Sources = b.Sources
	rep.Notes = append(rep.Notes, b.Notes...)
	for _, p := range b.Stories {
		for _, n := range p.Notes {
			rep.Notes = append(rep.Notes, fmt.Sprintf("%s: %s: %s", where(p), p.Article.Headline, n))
		}
	}
	return rep, nil
}

// Save writes a Batch in one transaction of the write path: sections,
// authors, tags, photos, stories with their revisions, redirects from
// their old addresses and comments commit together or not at all, so a
// failure anywhere (a database error, an unknown section) leaves the paper
// as it was. Only photo files are written before the transaction (a media
// store is no database); they are removed again when it fails.
//
// A story whose SourceKey is already stored is updated (Result.Updated)
// rather than created again.
func Save(ctx context.Context, st news.Store, b *Batch, opt Options) (*Report, error) {
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	opt.Now = opt.Now.UTC()
	if opt.Paper == nil {
		opt.Paper = &news.Paper{Location: opt.Location}
	}
	var stories, pages []*Parsed
	for _, p := range b.Stories {
		if p.IsPage() {
			pages = append(pages, p)
			continue
		}
		stories = append(stories, p)
	}
	if len(stories) == 0 && len(pages) == 0 {
		return nil, errors.New("import: no stories or pages to save")
	}

	photos, undos, err := preparePhotos(ctx, b, opt)
	undo := func(keep map[*PhotoRef]*news.Photo) {
		for ref, u := range undos {
			if keep[ref] == nil {
				u()
			}
		}
	}
	if err != nil {
		undo(nil)
		return nil, err
	}
	var rep *Report
	var saved map[*PhotoRef]*news.Photo
	// A whole export is one transaction: more than the store's timeout
	// for one newsroom command allows.
	err = st.Update(news.LongTransaction(ctx), func(tx news.Tx) error {
		s := &saver{tx: tx, opt: opt, photos: photos, rep: &Report{},
			sections: map[string]*news.Section{}, created: map[int64]bool{}, authors: map[int64]bool{}, tags: map[string]bool{},
			photoIDs: map[*PhotoRef]*news.Photo{}, bySource: map[string]int64{}}
		if err := s.save(ctx, b, stories); err != nil {
			return err
		}
		// Standing pages become static pages (issue 15) in the same
		// transaction.
		for _, p := range pages {
			r, err := savePage(ctx, tx, p, opt)
			if err != nil {
				return fmt.Errorf("%s: save page %q: %w", where(p), p.Article.Headline, err)
			}
			s.rep.Results = append(s.rep.Results, r)
			s.rep.Summary.Pages++
		}
		rep, saved = s.rep, s.photoIDs
		return nil
	})
	if err != nil {
		undo(nil)
		return nil, err
	}
	// Files prepared for photos the run did not need (a re-import's, an
	// author who has a photo already) are removed.
	undo(saved)
	return rep, nil
}

// saver is one run's transaction and what it has written so far.
type saver struct {
	tx     news.Tx
	opt    Options
	photos map[*PhotoRef]*news.Photo // prepared rows (files written), not yet saved
	rep    *Report

	sections map[string]*news.Section // by lower-case name and by slug
	created  map[int64]bool           // sections this run created
	authors  map[int64]bool
	tags     map[string]bool
	photoIDs map[*PhotoRef]*news.Photo // saved rows
	bySource map[string]int64          // story SourceKey -> id
}

func (s *saver) save(ctx context.Context, b *Batch, stories []*Parsed) error {
	if err := s.saveSections(ctx, b, stories); err != nil {
		return err
	}
	declared := map[string]*AuthorRef{}
	for _, a := range b.Authors {
		au, err := s.ensureAuthor(ctx, a.Author)
		if err != nil {
			return err
		}
		declared[authorKey(a.Author)] = a
		if a.Photo != nil && au.PhotoID == 0 {
			ph, err := s.photo(ctx, a.Photo)
			if err != nil {
				return err
			}
			au.PhotoID = ph.ID
			if err := s.tx.UpdateAuthor(ctx, au); err != nil {
				return fmt.Errorf("author %q: %w", au.Name, err)
			}
		}
	}
	for _, t := range b.Tags {
		name := firstNonEmpty(t.Name, t.Slug)
		if _, err := s.ensureTag(ctx, name, t.Slug); err != nil {
			return err
		}
	}
	for _, p := range stories {
		r, err := s.saveStory(ctx, p)
		if err != nil {
			return fmt.Errorf("%s: save %q: %w", where(p), p.Article.Headline, err)
		}
		s.rep.Results = append(s.rep.Results, r)
	}
	if err := s.saveComments(ctx, b.Comments); err != nil {
		return err
	}
	sum := &s.rep.Summary
	sum.Stories = len(s.rep.Results)
	sum.Authors = len(s.authors)
	sum.Tags = len(s.tags)
	seen := map[int64]bool{}
	for _, sec := range s.sections {
		seen[sec.ID] = true
	}
	sum.Sections = len(seen)
	for _, ph := range s.photoIDs {
		if ph.HasFile() {
			sum.Photos++
		} else {
			sum.PhotosMissing++
		}
	}
	return nil
}

// saveSections finds (or, with CreateSections, creates) every section the
// run declares or its stories name, before anything else is written: an
// unknown section without CreateSections fails the run, naming the
// sections the paper has.
func (s *saver) saveSections(ctx context.Context, b *Batch, stories []*Parsed) error {
	parents := map[string]string{}
	bySourceKey := map[string]*news.Section{}
	var skipped []string
	for _, ref := range b.Sections {
		sec, err := s.section(ctx, ref.Name, ref.Slug, ref.Description, !s.opt.CreateSections)
		if err != nil {
			return err
		}
		if sec != nil {
			bySourceKey[ref.Key] = sec
		} else {
			skipped = append(skipped, ref.Name)
		}
	}
	if len(skipped) > 0 {
		// Declared, used by no story here, unknown to the paper.
		s.rep.Warnings = append(s.rep.Warnings, fmt.Sprintf("%d sections the source declares were not created (no story of this run is in them; --create-sections creates them): %s",
			len(skipped), strings.Join(skipped, ", ")))
	}
	refs := map[string]*SectionRef{}
	for _, ref := range b.Sections {
		refs[ref.Key] = ref
	}
	for _, ref := range b.Sections {
		child, parent := bySourceKey[ref.Key], bySourceKey[ref.Parent]
		if child == nil || parent == nil || ref.Parent == "" {
			continue
		}
		parents[child.Slug] = parent.Slug
		// Sub-sections go one level deep: a grandchild category hangs
		// from its top-level ancestor (the setting keeps the whole tree).
		root := ref.Parent
		for seen := 0; refs[root] != nil && refs[root].Parent != "" && seen < len(refs); seen++ {
			root = refs[root].Parent
		}
		top := bySourceKey[root]
		// Only sections this run made: the editors' tree is theirs.
		if top == nil || top.ID == child.ID || !s.created[child.ID] || child.ParentID != 0 || top.ParentID != 0 {
			continue
		}
		child.ParentID = top.ID
		if err := s.tx.UpdateSection(ctx, child); err != nil {
			return fmt.Errorf("section %q under %q: %w", child.Name, top.Name, err)
		}
	}
	for _, p := range stories {
		if name := s.sectionName(ctx, p); name != "" {
			if _, err := s.section(ctx, name, "", "", false); err != nil {
				return fmt.Errorf("%s: %w", where(p), err)
			}
		}
	}
	if len(parents) > 0 {
		return s.recordParents(ctx, parents)
	}
	return nil
}

// sectionName is the section a story goes to by name: --section, the
// file's, else "" for a re-imported story that keeps where the editors put
// it, else the default.
func (s *saver) sectionName(ctx context.Context, p *Parsed) string {
	switch {
	case s.opt.Section != "":
		return s.opt.Section
	case p.Section != "":
		return p.Section
	}
	if ex, err := s.tx.FindArticleBySourceKey(ctx, p.Article.SourceKey); err == nil && ex.Section != nil {
		return ""
	}
	return DefaultSection
}

// section finds a section by the source's slug, else by name
// (workflow.FindSection), creating it when the run may. optional: a
// section the source declares but no story needs is skipped (nil) rather
// than refused when it is unknown.
func (s *saver) section(ctx context.Context, name, slug, desc string, optional bool) (*news.Section, error) {
	key := strings.ToLower(strings.Join(strings.Fields(name), " "))
	if sec := s.sections[key]; sec != nil {
		return sec, nil
	}
	var sec *news.Section
	if slug != "" {
		if found, err := s.tx.FindSectionBySlug(ctx, slug); err == nil {
			sec = found
		} else if !errors.Is(err, news.ErrNotFound) {
			return nil, fmt.Errorf("section %q: %w", name, err)
		}
	}
	if sec == nil {
		found, err := workflow.FindSection(ctx, s.tx, name, false)
		var unknown *workflow.UnknownSectionError
		switch {
		case err == nil:
			sec = found
		case errors.As(err, &unknown) && optional:
			return nil, nil
		case errors.As(err, &unknown) && !s.opt.CreateSections:
			return nil, fmt.Errorf("%w (import with --create-sections to create it, or --section to choose one)", err)
		case errors.As(err, &unknown):
			if sec, err = workflow.FindSection(ctx, s.tx, name, true); err != nil {
				return nil, err
			}
			s.created[sec.ID] = true
			if desc != "" && sec.Description == "" {
				sec.Description = desc
				if err := s.tx.UpdateSection(ctx, sec); err != nil {
					return nil, fmt.Errorf("section %q: %w", name, err)
				}
			}
		default:
			return nil, err
		}
	}
	s.sections[key] = sec
	s.sections[sec.Slug] = sec
	return sec, nil
}

// recordParents merges the hierarchy read into the SectionParentsKey
// setting.
func (s *saver) recordParents(ctx context.Context, parents map[string]string) error {
	all := map[string]string{}
	if v, err := s.tx.GetSetting(ctx, SectionParentsKey); err == nil {
		_ = json.Unmarshal([]byte(v), &all) // a damaged record is replaced
	} else if !errors.Is(err, news.ErrNotFound) {
		return err
	}
	for k, v := range parents {
		all[k] = v
	}
	data, err := json.Marshal(all)
	if err != nil {
		return err
	}
	return s.tx.PutSetting(ctx, SectionParentsKey, string(data))
}

func (s *saver) ensureTag(ctx context.Context, name, slug string) (*news.Tag, error) {
	name = strings.Join(strings.Fields(name), " ")
	if slug == "" {
		slug = news.Slugify(name)
	}
	t := &news.Tag{Slug: slug, Name: name}
	if err := s.tx.EnsureTag(ctx, t); err != nil {
		return nil, fmt.Errorf("tag %q: %w", name, err)
	}
	s.tags[t.Slug] = true
	return t, nil
}

func (s *saver) saveStory(ctx context.Context, p *Parsed) (Result, error) {
	tx, now := s.tx, s.opt.Now
	existing, err := tx.FindArticleBySourceKey(ctx, p.Article.SourceKey)
	if errors.Is(err, news.ErrNotFound) {
		existing = nil
	} else if err != nil {
		return Result{}, fmt.Errorf("find story by source: %w", err)
	}
	var sec *news.Section
	if name := s.sectionName(ctx, p); name != "" {
		if sec, err = s.section(ctx, name, "", "", false); err != nil {
			return Result{}, err
		}
	} else {
		sec = existing.Section
		s.sections[sec.Slug] = sec
	}
	var authors []*news.Author
	seen := map[int64]bool{}
	for _, in := range p.Authors {
		a, err := s.ensureAuthor(ctx, in)
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
		t, err := s.ensureTag(ctx, name, "")
		if err != nil {
			return Result{}, err
		}
		if !seenTag[t.Slug] {
			seenTag[t.Slug] = true
			tags = append(tags, t)
		}
	}
	if len(tags) > news.MaxTags {
		// The tags all exist; the story carries as many as a story may.
		s.rep.Warnings = append(s.rep.Warnings, fmt.Sprintf("%s: %q has %d tags: it keeps the first %d (every tag is in the paper)",
			where(p), p.Article.Headline, len(tags), news.MaxTags))
		tags = tags[:news.MaxTags]
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
	if p.Photo != nil {
		ph, err := s.leadPhoto(ctx, p.Photo, a.PhotoID)
		if err != nil {
			return Result{}, err
		}
		a.PhotoID, a.Photo = ph.ID, ph
	}
	var had []*news.Photo // a re-imported story's body photos
	if existing != nil {
		for _, id := range news.BodyPhotoIDs(existing.BodyHTML) {
			if ph, err := tx.FindPhotoByID(ctx, id); err == nil {
				had = append(had, ph)
			}
		}
	}
	for _, ref := range p.Images {
		var ph *news.Photo
		for _, h := range had {
			if h.Caption == ref.Caption && h.Alt == ref.Alt {
				ph = h // imported before: the same photo
				break
			}
		}
		if ph == nil && existing != nil && s.photos[ref] != nil && !s.photos[ref].HasFile() {
			// Made awaiting its file when the story was first imported.
			a.BodyHTML = dropImage(a.BodyHTML, ref.Ref)
			continue
		}
		if ph == nil {
			if ph, err = s.photo(ctx, ref); err != nil {
				return Result{}, err
			}
		}
		switch {
		case ref.Ref == "":
		case ph.HasFile():
			a.BodyHTML = pointAt(a.BodyHTML, ref.Ref, s.opt.Paper.PhotoPath(ph, bodyWidth(ph)))
		default:
			// Awaiting its file: readers get no broken image (the old
			// site's address is not ours to load, and the page's CSP
			// would block it); the figure's caption stays, and the photo
			// waits in the media library with its source address.
			a.BodyHTML = dropImage(a.BodyHTML, ref.Ref)
		}
	}

	// Status: the file's own, else --publish, else draft; a re-import
	// without either keeps what editors made of the story. A publication
	// in the future is scheduled, one in the past published (the
	// workflow's rule for Publish and Schedule).
	switch {
	case a.Status != "":
	case s.opt.Publish:
		a.Status = news.StatusPublished
	case existing != nil:
		a.Status = existing.Status
	default:
		a.Status = news.StatusDraft
	}
	if !s.opt.PublishedAt.IsZero() {
		a.PublishedAt = s.opt.PublishedAt.UTC()
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

	res := Result{Headline: a.Headline}
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
		if a.Slug, err = s.freeSlug(ctx, a.Slug, 0); err != nil {
			return Result{}, err
		}
		if err := tx.CreateArticle(ctx, &a); err != nil {
			return Result{}, fmt.Errorf("create story: %w", err)
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
		} else if a.Slug, err = s.freeSlug(ctx, a.Slug, a.ID); err != nil {
			return Result{}, err
		}
		changed = existing.Headline != a.Headline || existing.Deck != a.Deck ||
			existing.BodyHTML != a.BodyHTML || existing.BodyMarkdown != a.BodyMarkdown
		if a.UpdatedAt.IsZero() {
			a.UpdatedAt = existing.UpdatedAt
			if changed {
				a.UpdatedAt = now
			}
		}
		if err := tx.UpdateArticle(ctx, &a); err != nil {
			return Result{}, fmt.Errorf("update story %d: %w", a.ID, err)
		}
	}
	if changed {
		if err := tx.CreateRevision(ctx, news.RevisionOf(&a, 0, "imported", now)); err != nil {
			return Result{}, fmt.Errorf("revision: %w", err)
		}
	}
	for _, au := range a.Authors {
		s.authors[au.ID] = true
	}
	for _, t := range a.Tags {
		s.tags[t.Slug] = true
	}
	s.bySource[a.SourceKey] = a.ID
	if err := s.redirects(ctx, p, &a); err != nil {
		return Result{}, err
	}
	res.ID, res.Slug, res.Status = a.ID, a.Slug, a.Status
	return res, nil
}

// freeSlug is base, or base-2, base-3... whichever no other story has (as
// its slug or a former one). It asks rather than trying the insert: a
// failed statement ends a PostgreSQL transaction.
func (s *saver) freeSlug(ctx context.Context, base string, self int64) (string, error) {
	for n := 1; n <= maxSlugTries; n++ {
		slug := slugN(base, n)
		o, err := s.tx.FindArticleBySlug(ctx, slug)
		if errors.Is(err, news.ErrNotFound) || (err == nil && o.ID == self && o.Slug == slug) {
			return slug, nil
		}
		if err != nil {
			return "", fmt.Errorf("slug %q: %w", slug, err)
		}
	}
	return "", fmt.Errorf("no free slug after %s-%d", base, maxSlugTries)
}

// redirects makes each old address of the story answer 301 with its new
// one. Addresses on another host than the old site's are noted, not kept.
func (s *saver) redirects(ctx context.Context, p *Parsed, a *news.Article) error {
	to := s.opt.Paper.ArticlePath(a)
	toDecoded, _ := url.PathUnescape(to)
	for _, old := range p.Redirects {
		from := old
		if u, err := url.Parse(old); err == nil && u.IsAbs() {
			s.rep.Warnings = append(s.rep.Warnings, fmt.Sprintf("%s: old address %s is on another host: no redirect", a.Headline, old))
			continue
		} else if err == nil && u.Path != "" {
			from = u.Path
		}
		if !strings.HasPrefix(from, "/") || from == "/" || from == to || from == toDecoded {
			// The front page stays the front page.
			continue
		}
		rd := &news.Redirect{From: from, To: to, Code: 301, CreatedAt: s.opt.Now}
		if err := news.ValidateRedirect(rd); err != nil {
			s.rep.Warnings = append(s.rep.Warnings, fmt.Sprintf("%s: old address %s: %s", a.Headline, old, news.ErrorMessage(err)))
			continue
		}
		if err := s.tx.PutRedirect(ctx, rd); err != nil {
			return fmt.Errorf("redirect %s: %w", from, err)
		}
		s.rep.Summary.Redirects++
	}
	return nil
}

// saveComments stores the run's comments on the stories they belong to,
// parents before their replies.
func (s *saver) saveComments(ctx context.Context, cs []*Comment) error {
	done := map[string]bool{}
	orphan := map[*Comment]bool{} // replies to comments the run does not have
	pending := cs
	skipped := 0
	for len(pending) > 0 {
		var next []*Comment
		for _, c := range pending {
			parent := c.ParentKey
			if orphan[c] {
				parent = ""
			}
			if parent != "" && !done[parent] {
				next = append(next, c)
				continue
			}
			id, ok := s.bySource[c.StoryKey]
			if !ok {
				skipped++ // a page's, or a story not in this run
				done[c.Key] = true
				continue
			}
			nc := &news.Comment{ArticleID: id, AuthorName: firstNonEmpty(c.Author, "Anonymous"), SourceKey: c.Key,
				Body: comments.Clean(content.PlainText(c.BodyHTML)), CreatedAt: c.CreatedAt, Status: news.CommentPending}
			if c.Approved {
				nc.Status = news.CommentApproved
			}
			if strings.TrimSpace(nc.Body) == "" {
				skipped++
				done[c.Key] = true
				continue
			}
			if err := s.tx.ImportComment(ctx, nc, parent); err != nil {
				return err
			}
			done[c.Key] = true
			s.rep.Summary.Comments++
		}
		if len(next) == len(pending) {
			// Replies to comments the run does not have: top level.
			for _, c := range next {
				orphan[c] = true
			}
		}
		pending = next
	}
	if skipped > 0 {
		s.rep.Warnings = append(s.rep.Warnings, fmt.Sprintf("%d comments not saved: they belong to pages, or have no text", skipped))
	}
	return nil
}

// ensureAuthor finds an author by e-mail, else by name (slug) when the
// e-mails do not contradict each other, else creates one. Details the
// stored author lacks (e-mail, bio, title) are filled in from the file;
// details it has are never overwritten by an import.
func (s *saver) ensureAuthor(ctx context.Context, in news.Author) (*news.Author, error) {
	a, err := s.findAuthor(ctx, in)
	if err != nil {
		return nil, err
	}
	if a != nil {
		s.authors[a.ID] = true
		return a, s.fillAuthor(ctx, a, in)
	}
	slug := news.Slugify(in.Name)
	for n := 1; n <= maxSlugTries; n++ {
		na := news.Author{Slug: slugN(slug, n), Name: in.Name, Email: in.Email, Bio: in.Bio, Title: in.Title}
		if _, err := s.tx.FindAuthorBySlug(ctx, na.Slug); err == nil {
			continue // a namesake with another address has this one
		} else if !errors.Is(err, news.ErrNotFound) {
			return nil, fmt.Errorf("author %q: %w", in.Name, err)
		}
		if err := s.tx.CreateAuthor(ctx, &na); err != nil {
			return nil, fmt.Errorf("create author %q: %w", in.Name, err)
		}
		s.authors[na.ID] = true
		return &na, nil
	}
	return nil, fmt.Errorf("create author %q: no free slug", in.Name)
}

func (s *saver) findAuthor(ctx context.Context, in news.Author) (*news.Author, error) {
	if in.Email != "" {
		a, err := s.tx.FindAuthorByEmail(ctx, in.Email)
		if err == nil {
			return a, nil
		}
		if !errors.Is(err, news.ErrNotFound) {
			return nil, fmt.Errorf("author %q: %w", in.Name, err)
		}
	}
	slug := news.Slugify(in.Name)
	for n := 1; n <= maxSlugTries; n++ {
		a, err := s.tx.FindAuthorBySlug(ctx, slugN(slug, n))
		if errors.Is(err, news.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("author %q: %w", in.Name, err)
		}
		if a.Email == "" || in.Email == "" || strings.EqualFold(a.Email, in.Email) {
			return a, nil
		}
	}
	return nil, nil
}

func (s *saver) fillAuthor(ctx context.Context, a *news.Author, in news.Author) error {
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
		if err := s.tx.UpdateAuthor(ctx, a); err != nil {
			return fmt.Errorf("update author %q: %w", a.Name, err)
		}
	}
	return nil
}

// leadPhoto saves a story's lead photo. A re-imported story keeps its
// photo row: its caption line is brought up to date, and its image
// replaced only when the import brings one.
func (s *saver) leadPhoto(ctx context.Context, ref *PhotoRef, current int64) (*news.Photo, error) {
	if current != 0 {
		old, err := s.tx.FindPhotoByID(ctx, current)
		if err != nil && !errors.Is(err, news.ErrNotFound) {
			return nil, fmt.Errorf("photo %d: %w", current, err)
		}
		if err == nil {
			prepared := s.photos[ref]
			if prepared.HasFile() {
				old.Key, old.ContentType, old.Width, old.Height, old.Widths = prepared.Key, prepared.ContentType, prepared.Width, prepared.Height, prepared.Widths
			}
			old.Caption, old.Credit, old.Alt = ref.Caption, ref.Credit, ref.Alt
			if err := s.tx.UpdatePhoto(ctx, old); err != nil {
				return nil, fmt.Errorf("update photo %d: %w", old.ID, err)
			}
			s.photoIDs[ref] = old
			return old, nil
		}
	}
	return s.photo(ctx, ref)
}

// photo saves the row of a prepared photo once per run.
func (s *saver) photo(ctx context.Context, ref *PhotoRef) (*news.Photo, error) {
	if ph := s.photoIDs[ref]; ph != nil {
		return ph, nil
	}
	prepared := s.photos[ref]
	if prepared == nil {
		return nil, fmt.Errorf("photo %q was not prepared", ref.Caption)
	}
	ph := *prepared
	if err := s.tx.CreatePhoto(ctx, &ph); err != nil {
		return nil, fmt.Errorf("create photo %q: %w", firstNonEmpty(ref.Caption, ref.Path, ref.URL), err)
	}
	s.photoIDs[ref] = &ph
	return &ph, nil
}

// preparePhotos writes the files of every photo of the run that has one
// (through the PhotoSaver, before the transaction) and makes the rows of
// the others as photos awaiting their file. undo removes the files written.
func preparePhotos(ctx context.Context, b *Batch, opt Options) (map[*PhotoRef]*news.Photo, map[*PhotoRef]func(), error) {
	out := map[*PhotoRef]*news.Photo{}
	undos := map[*PhotoRef]func(){}
	prepare := func(ref *PhotoRef) error {
		if ref == nil || out[ref] != nil {
			return nil
		}
		ph := &news.Photo{Caption: ref.Caption, Credit: ref.Credit, Alt: ref.Alt, CreatedAt: opt.Now}
		out[ref] = ph
		data, ct := ref.Data, ref.ContentType
		if len(data) == 0 && ref.Path != "" && opt.PhotoSaver != nil {
			// Exports name their photos by file; read each only now.
			var err error
			if data, ct, err = loadPhoto(ref.Path); err != nil {
				return err
			}
		}
		if len(data) > 0 && opt.PhotoSaver != nil {
			ph.ContentType = ct
			u, err := opt.PhotoSaver.PreparePhoto(ctx, ph, data)
			if err != nil {
				return fmt.Errorf("photo %s: %w", firstNonEmpty(ref.Path, ref.Caption), err)
			}
			undos[ref] = u
			return nil
		}
		ph.Key = news.AwaitingKey(firstNonEmpty(ref.URL, ref.Ref, ref.Path, "unknown"))
		return nil
	}
	for _, p := range b.Stories {
		if p.IsPage() {
			continue
		}
		if err := prepare(p.Photo); err != nil {
			return nil, undos, fmt.Errorf("%s: %w", where(p), err)
		}
		for _, r := range p.Images {
			if err := prepare(r); err != nil {
				return nil, undos, fmt.Errorf("%s: %w", where(p), err)
			}
		}
	}
	for _, a := range b.Authors {
		if err := prepare(a.Photo); err != nil {
			return nil, undos, err
		}
	}
	return out, undos, nil
}

// bodyWidth is the rendition a body image points at: the widest up to
// 1280 pixels, else the original.
func bodyWidth(ph *news.Photo) int {
	best := 0
	for _, w := range ph.Widths {
		if w <= 1280 && w > best {
			best = w
		}
	}
	return best
}

// pointAt makes the body's images with src ref show the stored photo.
func pointAt(body, ref, to string) string {
	esc := html.EscapeString(to)
	for _, form := range []string{ref, html.EscapeString(ref), strings.ReplaceAll(ref, "&", "&amp;")} {
		body = strings.ReplaceAll(body, `src="`+form+`"`, `src="`+esc+`"`)
	}
	return body
}

var imgTagRE = regexp.MustCompile(`(?is)<img\b[^>]*>`)

// dropImage takes the body's images with src ref out.
func dropImage(body, ref string) string {
	forms := []string{`src="` + ref + `"`, `src="` + html.EscapeString(ref) + `"`, `src="` + strings.ReplaceAll(ref, "&", "&amp;") + `"`}
	return imgTagRE.ReplaceAllStringFunc(body, func(tag string) string {
		for _, f := range forms {
			if strings.Contains(tag, f) {
				return ""
			}
		}
		return tag
	})
}

// maxSlugTries bounds the -2, -3... suffixes tried before giving up.
const maxSlugTries = 50

func slugN(base string, n int) string {
	if n == 1 {
		return base
	}
	return fmt.Sprintf("%s-%d", base, n)
}
