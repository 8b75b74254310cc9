package importer

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"masthead/internal/news"
)

// ReadOptions control how sources are read into a Batch.
type ReadOptions struct {
	// Location is the zone of dates written without one (Hugo's
	// "2020-03-22", Jekyll's "2020-03-22 09:00"): the paper's. nil is UTC.
	Location *time.Location
	// Uploads is the folder holding the export's media (WordPress
	// wp-content/uploads, Ghost content/images): `import --uploads DIR`.
	Uploads string
}

type readOpts struct {
	loc        *time.Location
	uploads    string
	staticDirs []string // a Hugo or Jekyll site's static folders
	jekyll     bool     // space-separated categories and tags
}

func defaultReadOpts() *readOpts { return &readOpts{loc: time.UTC} }

func (o ReadOptions) internal() *readOpts {
	r := defaultReadOpts()
	if o.Location != nil {
		r.loc = o.Location
	}
	r.uploads = o.Uploads
	return r
}

// maxErrors bounds how many bad items one run reports: the first few say
// what is wrong; a thousand more of the same say nothing new.
const maxErrors = 20

// errList gathers the errors of a run.
type errList struct {
	errs []error
	more int
}

func (l *errList) add(err error) {
	if err == nil {
		return
	}
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		for _, e := range joined.Unwrap() {
			l.add(e)
		}
		return
	}
	if len(l.errs) < maxErrors {
		l.errs = append(l.errs, err)
	} else {
		l.more++
	}
}

func (l *errList) err() error {
	if len(l.errs) == 0 {
		return nil
	}
	errs := l.errs
	if l.more > 0 {
		errs = append(errs[:len(errs):len(errs)], fmt.Errorf("... and %d more errors like these", l.more))
	}
	return errors.Join(errs...)
}

// Read reads every source — files of any format import detects, and
// folders — into one Batch. It writes nothing. Every source is read even
// after one fails, so that one run reports all the mistakes (up to
// maxErrors); any error means the Batch must not be saved.
func Read(paths []string, opt ReadOptions) (*Batch, error) {
	o := opt.internal()
	if o.uploads != "" {
		if fi, err := os.Stat(o.uploads); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("--uploads %s: not a folder", o.uploads)
		}
	}
	b := &Batch{}
	var el errList
	for _, p := range paths {
		el.add(b.readPath(p, o))
	}
	if err := el.err(); err != nil {
		return b, err
	}
	if err := b.check(); err != nil {
		return b, err
	}
	return b, nil
}

func (b *Batch) readPath(p string, o *readOpts) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return b.readTree(p, o)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s: not a regular file", p)
	}
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, sniffSize)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return fmt.Errorf("%s: %w", p, err)
	}
	head = head[:n]
	format, err := detect(p, head)
	if err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	before := len(b.Stories)
	switch format {
	case FormatWXR:
		err = b.readWXR(p, f, o)
	case FormatGhost:
		err = b.readGhost(p, f, o)
	case FormatArchive:
		err = lineError(p, 1, "this is a masthead export archive; reading archives back is not built yet (issue 14, second part)")
	default:
		var parsed *Parsed
		parsed, err = readOne(p, f, format, o)
		if err == nil {
			b.Stories = append(b.Stories, parsed)
		}
	}
	b.Sources = append(b.Sources, Source{Path: p, Format: format, Items: len(b.Stories) - before})
	return err
}

// readOne reads a file that holds one story.
func readOne(p string, r io.Reader, format string, o *readOpts) (*Parsed, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if len(data) > maxFileSize {
		return nil, lineError(p, 1, "file is larger than %d MiB; that is not one story", maxFileSize>>20)
	}
	return parseFormat(p, data, format, o)
}

// readTree reads a folder: a Hugo site or its content/ folder (page
// bundles with their images, _index.md files describing sections), a
// Jekyll site (_posts, _drafts and pages), or any folder of files import
// reads, walked in name order.
func (b *Batch) readTree(dir string, o *readOpts) error {
	oo := *o
	o = &oo
	root := dir
	kind := "files"
	switch {
	case isHugoSite(dir):
		kind = "hugo"
		root = filepath.Join(dir, "content")
		o.staticDirs = append(o.staticDirs, filepath.Join(dir, "static"), filepath.Join(dir, "assets"))
	case filepath.Base(dir) == "content" && (isHugoSite(filepath.Dir(dir)) || fileExists(filepath.Join(dir, "_index.md"))):
		kind = "hugo"
		o.staticDirs = append(o.staticDirs, filepath.Join(filepath.Dir(dir), "static"))
	case fileExists(filepath.Join(dir, "_config.yml")) || isDir(filepath.Join(dir, "_posts")):
		kind = "jekyll"
		o.jekyll = true
		o.staticDirs = append(o.staticDirs, dir)
	}
	var el errList
	var skipped []string
	before := len(b.Stories)
	sections := map[string]*SectionRef{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			el.add(err)
			return nil
		}
		name := d.Name()
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "vendor" ||
				(kind == "jekyll" && strings.HasPrefix(name, "_") && name != "_posts" && name != "_drafts") ||
				(kind == "jekyll" && (name == "assets" || name == "images" || name == "img"))) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(name, ".") {
			return nil
		}
		ext := strings.ToLower(filepath.Ext(name))
		switch ext {
		case ".md", ".markdown", ".html", ".htm", ".txt", ".xml", ".json":
		case ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".avif":
			return nil // a bundle's resources, found from its story
		default:
			skipped = append(skipped, rel)
			return nil
		}
		if kind == "jekyll" && !strings.Contains("/"+rel, "/_posts/") && !strings.Contains("/"+rel, "/_drafts/") {
			// Outside _posts only Markdown pages with front matter are
			// the site's pages; index.html and friends are templates.
			if ext != ".md" && ext != ".markdown" {
				return nil
			}
			if lower := strings.ToLower(name); lower == "readme.md" || lower == "license.md" || lower == "changelog.md" {
				return nil
			}
		}
		if kind == "hugo" && name == "_index.md" {
			// A branch bundle's front page: the section's name and
			// description, not a story.
			if sec, err := readHugoSection(p, rel, o); err != nil {
				el.add(err)
			} else if sec != nil {
				sections[sec.Key] = sec
			}
			return nil
		}
		before := len(b.Stories)
		el.add(b.readPath(p, o))
		for _, st := range b.Stories[before:] {
			switch kind {
			case "hugo":
				hugoPlace(st, rel)
			case "jekyll":
				jekyllPlace(st, rel)
			}
		}
		return nil
	})
	el.add(err)
	if len(sections) > 0 {
		keys := make([]string, 0, len(sections))
		for k := range sections {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			b.Sections = append(b.Sections, sections[k])
		}
	}
	if len(skipped) > 0 {
		more := ""
		if len(skipped) > 3 {
			more = fmt.Sprintf(" and %d more", len(skipped)-3)
			skipped = skipped[:3]
		}
		b.Notes = append(b.Notes, fmt.Sprintf("%s: skipped files that are not stories: %s%s", dir, strings.Join(skipped, ", "), more))
	}
	if len(b.Stories) == before && el.err() == nil {
		el.add(fmt.Errorf("%s: no stories found in the folder (masthead reads .md, .html and .txt files, and exports)", dir))
	}
	b.Sources = append(b.Sources, Source{Path: dir, Format: FormatTree})
	return el.err()
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

func isHugoSite(dir string) bool {
	if !isDir(filepath.Join(dir, "content")) {
		return false
	}
	for _, c := range []string{"hugo.toml", "hugo.yaml", "hugo.json", "config.toml", "config.yaml", "config.yml", "config.json"} {
		if fileExists(filepath.Join(dir, c)) {
			return true
		}
	}
	return isDir(filepath.Join(dir, "config")) || isDir(filepath.Join(dir, "archetypes"))
}

// blogSections are Hugo content folders that hold a blog's posts, not a
// newspaper section.
var blogSections = map[string]bool{"posts": true, "post": true, "blog": true, "articles": true, "article": true, "news": true, "stories": true}

// hugoPlace applies Hugo's conventions to a story read from content/REL:
// a file at the top of content/ is a page; the top folder is its Hugo
// section, the story's section when its front matter names none (and it
// is not just "posts"); and its address on the old site,
// /SECTION/SLUG/, answers 301.
func hugoPlace(p *Parsed, rel string) {
	parts := strings.Split(rel, "/")
	bundle := len(parts) > 1 && (parts[len(parts)-1] == "index.md" || parts[len(parts)-1] == "index.html")
	name := strings.TrimSuffix(parts[len(parts)-1], path.Ext(parts[len(parts)-1]))
	if bundle {
		name = parts[len(parts)-2]
	}
	if len(parts) == 1 || (bundle && len(parts) == 2) {
		if p.Kind == "" {
			p.Kind = KindPage
		}
	} else if p.Section == "" && !blogSections[strings.ToLower(parts[0])] {
		p.Section = headlineFromName(parts[0])
	}
	if len(p.Redirects) == 0 {
		slug := name
		if p.SlugSet {
			slug = p.Article.Slug
		}
		dir := strings.Join(parts[:len(parts)-1], "/")
		if bundle {
			dir = strings.Join(parts[:len(parts)-2], "/")
		}
		old := "/" + slug + "/"
		if dir != "" {
			old = "/" + dir + old
		}
		p.Redirects = append(p.Redirects, strings.ToLower(old))
	}
}

// jekyllPlace: posts under _posts are stories, other Markdown files pages;
// a post's old address is Jekyll's default /CATEGORIES/YYYY/MM/DD/TITLE.html.
func jekyllPlace(p *Parsed, rel string) {
	inPosts := strings.Contains("/"+rel, "/_posts/") || strings.Contains("/"+rel, "/_drafts/")
	if !inPosts {
		if p.Kind == "" {
			p.Kind = KindPage
		}
		if len(p.Redirects) == 0 {
			p.Redirects = append(p.Redirects, "/"+strings.TrimSuffix(rel, path.Ext(rel))+".html")
		}
		return
	}
	if len(p.Redirects) > 0 || p.Article.PublishedAt.IsZero() {
		return
	}
	base := strings.TrimSuffix(path.Base(rel), path.Ext(rel))
	if m := jekyllFile.FindStringSubmatch(base); m != nil {
		base = m[4]
	}
	var cats []string
	if p.Section != "" {
		cats = append(cats, strings.ToLower(p.Section))
	}
	old := "/"
	if len(cats) > 0 {
		old += strings.Join(cats, "/") + "/"
	}
	old += p.Article.PublishedAt.Format("2006/01/02") + "/" + base + ".html"
	p.Redirects = append(p.Redirects, old)
}

// readHugoSection reads a section's _index.md: its title and description.
func readHugoSection(p, rel string, o *readOpts) (*SectionRef, error) {
	dir := path.Dir(rel)
	if dir == "." {
		return nil, nil // the home page's _index.md
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	sec := &SectionRef{Key: "hugo:" + dir, Name: headlineFromName(path.Base(dir))}
	if parent := path.Dir(dir); parent != "." {
		sec.Parent = "hugo:" + parent
	}
	lines := strings.Split(text, "\n")
	delim := strings.TrimSpace(lines[0])
	if delim != "---" && delim != "+++" {
		return sec, nil
	}
	end := -1
	for i := 1; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) == delim {
			end = i
			break
		}
	}
	if end < 0 {
		return nil, lineError(p, 1, "front matter opened with %s is never closed", delim)
	}
	src := strings.Join(lines[1:end], "\n")
	var fields []fmField
	if delim == "+++" {
		fields, err = tomlFields(p, src)
	} else {
		fields, err = yamlFields(p, src)
	}
	if err != nil {
		return nil, err
	}
	for _, f := range fields {
		s, _ := fmString(f.val, func(string, ...any) error { return nil })
		switch strings.ToLower(f.key) {
		case "title":
			if s != "" {
				sec.Name = s
			}
		case "description", "summary":
			sec.Description = s
		case "slug":
			sec.Slug = news.Slugify(s)
		}
	}
	_ = o
	return sec, nil
}

// check validates the Batch as a whole, after each item was checked on
// its own: what only shows across items.
func (b *Batch) check() error {
	var el errList
	keys := map[string]*Parsed{}
	for _, p := range b.Stories {
		k := p.Article.SourceKey
		if o, ok := keys[k]; ok && k != "" {
			el.add(fmt.Errorf("%s and %s are the same story (same source key %s): import one of them", where(o), where(p), k))
			continue
		}
		keys[k] = p
	}
	return el.err()
}

func where(p *Parsed) string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d", p.Path, p.Line)
	}
	return p.Path
}

// Summary counts what saving the Batch creates.
func (b *Batch) Summary() Summary {
	var s Summary
	authors := map[string]bool{}
	sections := map[string]bool{}
	tags := map[string]bool{}
	for _, a := range b.Authors {
		authors[authorKey(a.Author)] = true
	}
	for _, sec := range b.Sections {
		sections[sectionKey(sec.Name, sec.Slug)] = true
	}
	for _, t := range b.Tags {
		tags[news.Slugify(firstNonEmpty(t.Slug, t.Name))] = true
	}
	photos := map[*PhotoRef]bool{}
	countPhoto := func(r *PhotoRef) {
		if r == nil || photos[r] {
			return
		}
		photos[r] = true
		if r.Missing() {
			s.PhotosMissing++
		} else {
			s.Photos++
		}
	}
	for _, p := range b.Stories {
		if p.IsPage() {
			s.Pages++
		} else {
			s.Stories++
		}
		for _, a := range p.Authors {
			authors[authorKey(a)] = true
		}
		if p.Section != "" && !p.IsPage() {
			sections[sectionKey(p.Section, "")] = true
		}
		for _, t := range p.Tags {
			tags[news.Slugify(t)] = true
		}
		countPhoto(p.Photo)
		for _, r := range p.Images {
			countPhoto(r)
		}
		s.Redirects += len(p.Redirects)
	}
	for _, a := range b.Authors {
		countPhoto(a.Photo)
	}
	s.Authors, s.Sections, s.Tags = len(authors), len(sections), len(tags)
	s.Comments = len(b.Comments)
	return s
}

func authorKey(a news.Author) string {
	if a.Email != "" {
		return strings.ToLower(a.Email)
	}
	return news.Slugify(a.Name)
}

func sectionKey(name, slug string) string {
	if slug != "" {
		return slug
	}
	return news.Slugify(name)
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
