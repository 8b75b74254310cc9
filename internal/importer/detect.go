package importer

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// More formats, beside capture, HTML and Markdown (importer.go).
const (
	FormatWXR     = "wordpress" // a WordPress export (WXR 1.0–1.2)
	FormatGhost   = "ghost"     // a Ghost JSON export (Ghost 1–6)
	FormatArchive = "masthead"  // masthead's own export archive
	FormatTree    = "folder"    // a folder: a Hugo or Jekyll site, or files
)

// FormatName is how `masthead import` names a format to people.
func FormatName(f string) string {
	switch f {
	case FormatCapture:
		return "a text capture of an article page"
	case FormatHTML:
		return "an HTML page"
	case FormatMarkdown:
		return "Markdown"
	case FormatWXR:
		return "a WordPress export (WXR)"
	case FormatGhost:
		return "a Ghost export (JSON)"
	case FormatArchive:
		return "a masthead export archive"
	case FormatTree:
		return "a folder"
	}
	return f
}

// whatImports ends every "unknown format" message.
const whatImports = "masthead imports WordPress exports (WXR, Tools → Export), Ghost exports (JSON, Settings → Labs → Export), " +
	"Hugo and Jekyll Markdown (files or a content folder), HTML article pages, text captures of article pages, and masthead export archives"

// sniffSize is how much of a file detection reads.
const sniffSize = 64 << 10

var xmlRoot = regexp.MustCompile(`<([A-Za-z][\w.:-]*)[\s>/]`)

// detect names the format of a file from its first bytes (head; the whole
// file when it is small) and its name. A file masthead does not import is
// an error that says what it looks like, quoting at most one line of it.
func detect(path string, head []byte) (string, error) {
	b := bytes.TrimPrefix(head, []byte("\ufeff"))
	trimmed := bytes.TrimLeftFunc(b, unicode.IsSpace)
	ext := strings.ToLower(filepath.Ext(path))
	unknown := func(what string) error {
		return lineError(path, 1, "this looks like %s; %s", what, whatImports)
	}
	switch {
	case len(trimmed) == 0:
		return "", lineError(path, 1, "empty file: nothing to import")
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return detectZip(path, b)
	case bytes.HasPrefix(b, []byte{0x1f, 0x8b}):
		return "", unknown("a gzip-compressed file (unpack it first)")
	case bytes.HasPrefix(b, []byte("%PDF")):
		return "", unknown("a PDF document")
	case bytes.HasPrefix(b, []byte("\x89PNG")), bytes.HasPrefix(b, []byte{0xff, 0xd8, 0xff}),
		bytes.HasPrefix(b, []byte("GIF8")), len(b) > 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return "", unknown("an image (photos come with the story that shows them, or from --uploads DIR)")
	case bytes.HasPrefix(b, []byte("SQLite format 3\x00")):
		return "", unknown("an SQLite database")
	case bytes.HasPrefix(b, []byte{0xd0, 0xcf, 0x11, 0xe0}):
		return "", unknown("a Microsoft Office document")
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}), bytes.HasPrefix(b, []byte{0xfe, 0xff}):
		if ext == ".html" || ext == ".htm" {
			return FormatHTML, nil // a UTF-16 page with its byte order mark
		}
		return "", lineError(path, 1, "the file is UTF-16; save it as UTF-8")
	}
	if ext == ".md" || ext == ".markdown" || ext == ".mdown" || ext == ".mkd" {
		return FormatMarkdown, nil
	}
	first := firstLine(trimmed)
	switch strings.TrimRight(first, " \t\r") {
	case "---", "+++":
		if bytes.HasPrefix(b, []byte(first)) {
			return FormatMarkdown, nil
		}
	}
	switch trimmed[0] {
	case '<':
		return detectMarkup(path, trimmed, unknown)
	case '{', '[':
		return detectJSON(path, b, unknown)
	}
	low := strings.ToLower(first)
	switch {
	case strings.HasPrefix(low, "-- mysql dump"), strings.HasPrefix(low, "-- mariadb dump"), strings.HasPrefix(low, "-- postgresql database dump"),
		strings.HasPrefix(low, "create table"), strings.HasPrefix(low, "insert into"):
		return "", unknown("an SQL database dump (from WordPress, export WXR instead: Tools → Export)")
	case ext == ".csv" || ext == ".tsv":
		return "", unknown("a spreadsheet (CSV)")
	case ext == ".xml":
		return "", unknown("an XML file that does not start with markup")
	case ext == ".json":
		return "", unknown("a JSON file that does not start with { or [")
	}
	// Text: the capture reader checks it is UTF-8, naming the line.
	return FormatCapture, nil
}

func detectMarkup(path string, b []byte, unknown func(string) error) (string, error) {
	// Past the XML declaration, comments and doctype to the root element.
	rest := b
	for {
		rest = bytes.TrimLeftFunc(rest, unicode.IsSpace)
		switch {
		case bytes.HasPrefix(rest, []byte("<?")):
			if i := bytes.Index(rest, []byte("?>")); i >= 0 {
				rest = rest[i+2:]
				continue
			}
		case bytes.HasPrefix(rest, []byte("<!--")):
			if i := bytes.Index(rest, []byte("-->")); i >= 0 {
				rest = rest[i+3:]
				continue
			}
		case bytes.HasPrefix(bytes.ToLower(rest), []byte("<!doctype html")):
			return FormatHTML, nil
		case bytes.HasPrefix(rest, []byte("<!")):
			if i := bytes.IndexByte(rest, '>'); i >= 0 {
				rest = rest[i+1:]
				continue
			}
		}
		break
	}
	m := xmlRoot.FindSubmatch(rest)
	if m == nil || !bytes.HasPrefix(rest, m[0]) {
		if looksLikeHTML(b) && bytes.Contains(bytes.ToLower(b), []byte("<html")) {
			return FormatHTML, nil
		}
		if looksLikeHTML(b) {
			return FormatHTML, nil
		}
		return FormatCapture, nil // "<3 reasons..." is text
	}
	root := strings.ToLower(string(m[1]))
	switch root {
	case "rss":
		if bytes.Contains(b, []byte("wordpress.org/export/")) || bytes.Contains(b, []byte("<wp:wxr_version")) {
			return FormatWXR, nil
		}
		if bytes.Contains(b, []byte("<wp:")) {
			return FormatWXR, nil
		}
		return "", unknown("an RSS feed, which carries only the latest stories' summaries (from WordPress, export WXR instead: Tools → Export)")
	case "feed":
		return "", unknown("an Atom feed, which carries only the latest stories")
	case "urlset", "sitemapindex":
		return "", unknown("a sitemap, a list of addresses rather than stories")
	case "opml":
		return "", unknown("an OPML list of feeds")
	case "svg":
		return "", unknown("an SVG image")
	case "html", "head", "body", "article", "main", "div", "p", "meta", "title", "link", "section", "header", "h1", "table", "span", "script", "style":
		return FormatHTML, nil
	}
	if bytes.HasPrefix(b, []byte("<?xml")) {
		return "", unknown(fmt.Sprintf("an XML document whose root is <%s>", m[1]))
	}
	return FormatHTML, nil
}

func detectJSON(path string, b []byte, unknown func(string) error) (string, error) {
	// Only the start of a large export was read: look at its first keys.
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return "", unknown("JSON that does not parse (" + shortErr(err) + ")")
	}
	if tok == json.Delim('[') {
		// A top-level list: a Ghost export wraps its db in an object;
		// WordPress's REST API answers lists of posts.
		if bytes.Contains(b, []byte(`"rendered"`)) {
			return "", unknown("WordPress REST API output, which lacks authors' details, categories' hierarchy and comments (export WXR instead: Tools → Export)")
		}
		return "", unknown("a JSON list, not a Ghost export (an object with \"db\")")
	}
	var keys []string
	for dec.More() && len(keys) < 50 {
		k, err := dec.Token()
		if err != nil {
			break
		}
		ks, _ := k.(string)
		keys = append(keys, ks)
		var skip json.RawMessage
		if ks == "db" || ks == "data" || ks == "meta" {
			// A Ghost export: {"db": [{"meta": ..., "data": {...}}]}, or
			// the old {"meta": ..., "data": ...}.
			return FormatGhost, nil
		}
		if ks == "version" {
			var v string
			if err := dec.Decode(&v); err == nil && strings.Contains(v, "jsonfeed.org") {
				return "", unknown("a JSON Feed, which carries only the latest stories")
			}
			continue
		}
		if err := dec.Decode(&skip); err != nil {
			break
		}
	}
	if len(keys) > 0 {
		return "", unknown(fmt.Sprintf("JSON that is not a Ghost export (its first fields: %s)", quoteLine(strings.Join(keys, ", "))))
	}
	return "", unknown("JSON that is not a Ghost export")
}

func firstLine(b []byte) string {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	if len(b) > 4096 {
		b = b[:4096]
	}
	return string(b)
}

// maxQuote is the most of a file's text an error message quotes.
const maxQuote = 80

// quoteLine quotes the start of one line of s, at most maxQuote
// characters: an error about a 2.5 MB one-line file must not print it.
func quoteLine(text string) string {
	s := strings.TrimSpace(firstLine(bytes.TrimLeftFunc([]byte(text), unicode.IsSpace)))
	s = strings.ToValidUTF8(s, "\ufffd")
	if utf8.RuneCountInString(s) > maxQuote {
		r := []rune(s)
		s = string(r[:maxQuote]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

// shortErr is an error's message cut to one short line.
func shortErr(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if utf8.RuneCountInString(s) > 200 {
		s = string([]rune(s)[:200]) + "…"
	}
	return s
}

// archiveIndex is the JSON-lines file at the root of a masthead export
// archive (a zip file; docs/import-export.md).
const archiveIndex = "masthead.jsonl"

func detectZip(path string, _ []byte) (string, error) {
	unknown := func(what string) error {
		return lineError(path, 1, "this looks like %s; %s", what, whatImports)
	}
	z, err := zip.OpenReader(path)
	if err != nil {
		return "", unknown("a damaged zip archive (" + shortErr(err) + ")")
	}
	defer z.Close()
	var jsons []string
	for _, f := range z.File {
		switch {
		case f.Name == archiveIndex:
			return FormatArchive, nil
		case f.Name == "word/document.xml":
			return "", unknown("a Word document (save it as HTML, or paste it into the newsroom)")
		case f.Name == "content.xml" || f.Name == "mimetype":
			return "", unknown("an OpenDocument file (save it as HTML)")
		case strings.HasSuffix(f.Name, ".json") && !strings.Contains(f.Name, "/"):
			jsons = append(jsons, f.Name)
		}
	}
	if len(jsons) > 0 {
		return "", unknown(fmt.Sprintf("a zip archive holding %s (unpack it and import the JSON file)", jsons[0]))
	}
	return "", unknown("a zip archive (unpack it and import the folder)")
}
