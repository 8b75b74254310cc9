// Package importer reads stories from files — the seed's text capture of an
// article page, HTML article pages and Markdown with front matter — and
// saves them through news.Store.
//
// An import is all or nothing at the file level: every file is parsed and
// checked before anything is written, so one bad file (reported with its
// name and line) leaves the database as it was. Importing the same story
// again updates it instead of making a second one.
package importer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	_ "image/gif" // lead photos may be GIF, JPEG, PNG or WebP
	_ "image/jpeg"
	_ "image/png"
	"io"
	"os"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	_ "golang.org/x/image/webp"
	"golang.org/x/text/unicode/norm"

	"masthead/internal/content"
	"masthead/internal/news"
)

// Limits on what one file may be. A story is a few kilobytes; a saved web
// page with inline assets a few megabytes.
const (
	maxFileSize  = 16 << 20
	maxPhotoSize = 40 << 20
	maxHeadline  = 300 // runes
)

// Formats ParseFile recognises, reported in Parsed.Format.
const (
	FormatCapture  = "capture"  // text capture of an article page (the seed)
	FormatHTML     = "html"     // an HTML article page
	FormatMarkdown = "markdown" // Markdown, usually with YAML front matter
)

// Parsed is one story (or page) read from a source, checked and ready to
// save.
type Parsed struct {
	Path   string
	Format string
	// Kind is KindStory or KindPage; "" means a story.
	Kind string
	// Line is where the item starts in its file (a WXR <item>), for
	// errors; 0 for one-story files.
	Line int
	// Article holds what the file says about the story: Headline, Deck,
	// Slug, BodyMarkdown (empty for HTML pages), BodyHTML (sanitized),
	// Lang, SEO fields, SourceKey, PublishedAt and UpdatedAt (zero when the
	// file gives none). Status is "" unless the file sets it.
	Article news.Article
	// SlugSet says the file chose the slug; otherwise a re-import keeps
	// the slug the story already has.
	SlugSet bool
	// Authors in byline order; only Name, Email, Bio and Title are set.
	Authors []news.Author
	Section string // section name; "" when the file names none
	Tags    []string
	Photo   *PhotoRef // the lead photo; nil when there is none
	// Images are the body's other photos, in order; the body refers to
	// each by its Ref (an <img src> the saver rewrites).
	Images []*PhotoRef
	// Redirects are the story's old addresses (paths, or absolute URLs on
	// the old site) that should answer 301 with its new URL.
	Redirects []string
	// Notes are one-line remarks about what was read and not used.
	Notes []string
	// allowEmpty: an export's post with no text is still one of its
	// posts (WordPress's "Edge Case: No Content"); it is kept, noted.
	allowEmpty bool
}

// IsPage reports whether p is a standing page rather than a story.
func (p *Parsed) IsPage() bool { return p.Kind == KindPage }

// note adds a one-line remark, once.
func (p *Parsed) note(format string, args ...any) {
	n := fmt.Sprintf(format, args...)
	for _, o := range p.Notes {
		if o == n {
			return
		}
	}
	p.Notes = append(p.Notes, n)
}

// PhotoRef is a lead photo as a file describes it.
type PhotoRef struct {
	Caption, Credit, Alt string
	// Path is the local image file the bytes were read from, if any.
	Path string
	// URL is a remote image the page names. It is not fetched: an import
	// reads local files only.
	URL string
	// Data and ContentType are the image itself, checked to decode; nil
	// when only the caption line is known (as in the seed capture), or
	// when the image is a file at Path to be read when it is saved.
	Data        []byte
	ContentType string
	// Ref is how the body names this image (its original src), for the
	// saver to point at the stored photo; "" for a lead photo.
	Ref string
}

// Missing reports a photo known by its caption, credit or address whose
// image is not at hand: it is saved as a photo awaiting its file.
func (r *PhotoRef) Missing() bool { return len(r.Data) == 0 && r.Path == "" }

// PhotoSaver stores photo files (internal/media's Library): PreparePhoto
// checks an image, writes its original and renditions and sets p's Key,
// ContentType, Width, Height and Widths, without writing the row; the
// importer writes the row in the run's transaction, and calls undo to
// remove the files when that transaction fails.
type PhotoSaver interface {
	PreparePhoto(ctx context.Context, p *news.Photo, data []byte) (undo func(), err error)
}

// Options control an import.
type Options struct {
	// Location is the paper's time zone, for dates written without one.
	Location *time.Location
	// Uploads is the folder of the export's media (--uploads DIR).
	Uploads string
	// Publish publishes stories whose file does not set a status; a
	// publication time in the future makes them scheduled instead.
	Publish bool
	// Section, when set, puts every story in this section (by name),
	// whatever the files say.
	Section string
	// CreateSections lets the import create the sections it names
	// (--create-sections); without it an unknown section fails the run,
	// naming the paper's sections, and nothing is written.
	CreateSections bool
	// Paper gives the new addresses old permalinks redirect to; nil: a
	// paper in Location.
	Paper *news.Paper
	// Now is the import time (UTC); zero means time.Now.
	Now time.Time
	// PublishedAt, when set, is the publication time of every story,
	// overriding the files (the demo paper dates the seed story this way).
	PublishedAt time.Time
	// PhotoSaver stores photo files. Without one, or for a photo known
	// only by its caption line, the photo is saved as awaiting its file
	// (caption, credit, alt text and source address; news.AwaitingKey).
	PhotoSaver PhotoSaver
}

// Result is one saved story.
type Result struct {
	ID       int64
	Slug     string
	Headline string
	// Updated is true when the story already existed (same SourceKey) and
	// was updated rather than created.
	Updated bool
	// Status is the story's status once saved.
	Status news.Status
	// Page says the result is a static page (ID a news.Page's), not a
	// story.
	Page bool
	// Warnings are things the import could not do that did not stop it,
	// e.g. a lead photo without an image that the store would not keep.
	Warnings []string
}

// lineError is the error format the command line promises: file and line.
func lineError(path string, line int, format string, args ...any) error {
	if line < 1 {
		line = 1
	}
	return fmt.Errorf("%s:%d: %s", path, line, fmt.Sprintf(format, args...))
}

// ParseFile reads a file that holds one story — a text capture, an HTML
// page or a Markdown file — recognising its format by content. Errors
// name the file and line. Exports holding many stories are read with Read.
func ParseFile(path string) (*Parsed, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return nil, lineError(path, 1, "file is larger than %d MiB; that is not one story", maxFileSize>>20)
	}
	return parse(path, data)
}

func parse(path string, data []byte) (*Parsed, error) {
	head := data
	if len(head) > sniffSize {
		head = head[:sniffSize]
	}
	format, err := detect(path, head)
	if err != nil {
		return nil, err
	}
	return parseFormat(path, data, format, defaultReadOpts())
}

// parseFormat reads one story of a format detect named.
func parseFormat(path string, data []byte, format string, o *readOpts) (*Parsed, error) {
	switch format {
	case FormatHTML:
		return parseHTML(path, data)
	case FormatCapture, FormatMarkdown:
	default:
		return nil, lineError(path, 1, "%s holds many stories: import it with masthead import", FormatName(format))
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, lineError(path, 1, "empty file: nothing to import")
	}
	if err := checkText(path, data); err != nil {
		return nil, err
	}
	text := strings.ReplaceAll(strings.ReplaceAll(string(data), "\r\n", "\n"), "\r", "\n")
	if format == FormatMarkdown {
		return parseMarkdownWith(path, text, o)
	}
	return parseCapture(path, text)
}

// looksLikeHTML is true for a document that opens with a doctype, a comment
// or an element name: "<3 reasons" in a text file is not a page.
func looksLikeHTML(b []byte) bool {
	if len(b) < 2 {
		return false
	}
	c := b[1]
	return c == '!' || c == '?' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// checkText rejects binary data: invalid UTF-8 or control characters
// other than tab and newlines, with the line where it starts.
func checkText(path string, data []byte) error {
	line := 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return lineError(path, line, "not UTF-8 text (binary data or another encoding at byte %d)", i)
		case r == '\n':
			line++
		case r == '\t' || r == '\r':
		case r < 0x20 || r == 0x7f:
			return lineError(path, line, "not text: control character %U at byte %d", r, i)
		}
		i += size
	}
	return nil
}

// finish fills what every format derives the same way and checks the story
// is complete.
func finish(p *Parsed, line int) (*Parsed, error) {
	a := &p.Article
	a.Headline = strings.Join(strings.Fields(a.Headline), " ")
	if a.Headline == "" {
		return nil, lineError(p.Path, line, "no headline")
	}
	if n := utf8.RuneCountInString(a.Headline); n > maxHeadline {
		return nil, lineError(p.Path, line, "headline is %d characters long (at most %d): is this really a story?", n, maxHeadline)
	}
	if a.Slug == "" {
		a.Slug = news.Slugify(a.Headline)
	}
	if a.Slug == "" {
		return nil, lineError(p.Path, line, "cannot make a URL slug from the headline %q", a.Headline)
	}
	if strings.TrimSpace(content.PlainText(a.BodyHTML)) == "" && !strings.Contains(a.BodyHTML, "<img") && !p.allowEmpty {
		return nil, lineError(p.Path, line, "the story has no body text")
	}
	if a.Lang == "" {
		a.Lang = detectLang(a.Headline + " " + content.PlainText(a.BodyHTML))
	}
	if a.SourceKey == "" {
		a.SourceKey = SourceKey(a.Headline, a.PublishedAt)
	}
	if p.Section != "" && news.Slugify(p.Section) == "" {
		return nil, lineError(p.Path, line, "section %q has no letters or digits", p.Section)
	}
	tags := p.Tags[:0:0]
	seenTag := map[string]bool{}
	for _, t := range p.Tags {
		t = strings.Join(strings.Fields(t), " ")
		switch {
		case t == "" || seenTag[news.Slugify(t)]:
			continue // an empty tag is no tag; a repeated one is one
		case news.Slugify(t) == "":
			return nil, lineError(p.Path, line, "tag %q has no letters or digits", t)
		}
		seenTag[news.Slugify(t)] = true
		tags = append(tags, t)
	}
	p.Tags = tags
	for _, au := range p.Authors {
		if news.Slugify(au.Name) == "" {
			return nil, lineError(p.Path, line, "author name %q has no letters or digits", au.Name)
		}
	}
	return p, nil
}

// SourceKey identifies a story that has no canonical URL: a hash of its
// headline (case, spacing and quote styles ignored) and the day it was
// first published (UTC; none when the file gives no date). Editing the
// body and importing again finds the same story.
func SourceKey(headline string, published time.Time) string {
	h := strings.NewReplacer("’", "'", "‘", "'", "“", `"`, "”", `"`).Replace(norm.NFC.String(strings.ToLower(headline)))
	h = strings.Join(strings.Fields(h), " ")
	day := ""
	if !published.IsZero() {
		day = published.UTC().Format(time.DateOnly)
	}
	sum := sha256.Sum256([]byte(h + "\n" + day))
	return "import:" + hex.EncodeToString(sum[:16])
}

// detectLang tells Korean stories from the rest by script: enough Hangul
// makes it "ko", anything else is "en" (the paper's stories are one or the
// other; front matter can say otherwise).
func detectLang(s string) string {
	hangul, latin := 0, 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Hangul, r):
			hangul++
		case r < 0x250 && unicode.IsLetter(r):
			latin++
		}
	}
	// A Hangul syllable carries about as much as three Latin letters.
	if hangul*3 > latin {
		return "ko"
	}
	return "en"
}

// loadPhoto reads and checks a local image so that a broken photo fails
// the import before anything is written.
func loadPhoto(path string) ([]byte, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	// Only regular files: a device or pipe named as a photo would block
	// or never end.
	if fi, err := f.Stat(); err != nil {
		return nil, "", err
	} else if !fi.Mode().IsRegular() {
		return nil, "", fmt.Errorf("photo %s is not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxPhotoSize+1))
	if err != nil {
		return nil, "", err
	}
	if len(data) > maxPhotoSize {
		return nil, "", fmt.Errorf("photo %s is larger than %d MiB", path, maxPhotoSize>>20)
	}
	_, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, "", fmt.Errorf("photo %s is not a JPEG, PNG, GIF or WebP image: %v", path, err)
	}
	return data, "image/" + format, nil
}

// markdownParagraphs turns plain-text paragraphs into Markdown that renders
// back to exactly that text: characters Markdown would read as syntax are
// escaped.
func markdownParagraphs(paras []string) string {
	out := make([]string, len(paras))
	for i, p := range paras {
		out[i] = escapeMarkdown(p)
	}
	return strings.Join(out, "\n\n")
}

func escapeMarkdown(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '|', '~', '&', '!':
			b.WriteByte('\\')
		case '#', '+', '-', '=':
			// Only at the start of a line are these block syntax
			// (headings, list items, rules); "Jong-un" stays as is.
			if i == 0 {
				b.WriteByte('\\')
			}
		case '.', ')':
			// "2019. Then..." at the start of a line is an ordered list.
			if j := strings.IndexFunc(s, func(c rune) bool { return c < '0' || c > '9' }); j == i && i > 0 && i <= 9 {
				b.WriteByte('\\')
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// renderMarkdown is the one way a Markdown body becomes a stored body.
func renderMarkdown(src string) (string, error) {
	h, err := content.MarkdownToHTML(src)
	if err != nil {
		return "", err
	}
	return content.Sanitize(h), nil
}
