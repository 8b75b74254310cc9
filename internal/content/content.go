// Package content turns what reporters write into what readers see: Markdown
// into HTML, any HTML into the safe subset a story body may contain, and
// that HTML into plain text, excerpts and reading times.
//
// The rule the rest of masthead relies on: every story body is passed
// through Normalize (also called Sanitize) before it is stored, so templates
// print it as is. body.go defines the body schema.
package content

import (
	"bytes"
	"fmt"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// md is built once: goldmark's Markdown is safe for concurrent use. Its
// parsers are goldmark's defaults, the ones that can be made to work
// quadratically wrapped in the bounds of limits.go.
var md = goldmark.New(
	goldmark.WithParser(parser.NewParser(
		parser.WithBlockParsers(boundedBlockParsers()...),
		parser.WithInlineParsers(boundedInlineParsers()...),
		parser.WithParagraphTransformers(parser.DefaultParagraphTransformers()...),
		parser.WithASTTransformers(util.Prioritized(headingClamp{}, 100)),
	)),
	goldmark.WithRendererOptions(renderer.WithNodeRenderers(
		util.Prioritized(extension.NewStrikethroughHTMLRenderer(), 500),
	)),
	goldmark.WithExtensions(
		// Cell alignment would come out as style or align attributes: the
		// first needs 'unsafe-inline' in the CSP, the second is obsolete
		// HTML. Tables are left-aligned by the stylesheet instead.
		extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignNone)),
		extension.Linkify,
	),
	// No typographer: reporters' quotes and dashes are kept exactly as
	// typed (a wire copy's "―" must not turn into something else).
	// Raw HTML stays off (goldmark's default): it is omitted, and
	// javascript: links are dropped, before Sanitize even runs.
)

// boundedBlockParsers are goldmark's block parsers with the containers
// (quotes, lists) bounded in depth.
func boundedBlockParsers() []util.PrioritizedValue {
	ps := parser.DefaultBlockParsers()
	for i, p := range ps {
		switch p.Priority {
		// Not the list item parser: a list must get its first item.
		case 300, 800: // list, blockquote
			ps[i].Value = boundedContainer{p.Value.(parser.BlockParser)}
		}
	}
	return ps
}

// boundedInlineParsers are goldmark's inline parsers and the
// strikethrough extension's, with links, "<" and delimiters bounded.
func boundedInlineParsers() []util.PrioritizedValue {
	ps := append(parser.DefaultInlineParsers(), util.Prioritized(extension.NewStrikethroughParser(), 500))
	for i, p := range ps {
		ip := p.Value.(parser.InlineParser)
		switch p.Priority {
		case 200:
			ps[i].Value = boundedLink{ip}
		case 300, 400:
			ps[i].Value = boundedAngle{ip}
		case 500:
			ps[i].Value = boundedDelimiter{ip}
		}
	}
	return ps
}

// headingClamp keeps body headings within h2–h4: the page's only h1 is the
// headline, and Sanitize allows no other levels. "# Subhead" and
// "## Subhead" both make an h2: writers use either for the first level.
type headingClamp struct{}

func (headingClamp) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering {
			h.Level = min(max(h.Level, 2), 4)
		}
		return ast.WalkContinue, nil
	})
}

// MarkdownToHTML renders CommonMark with GitHub tables, strikethrough and
// bare-URL links. Headings are kept within h2–h4 (# becomes h2, ##### h4).
// Raw HTML in the source is omitted. The result is not yet a story body:
// pass it through Sanitize.
//
// A source longer than MaxMarkdownBytes, nested too deep, or too costly to
// parse for its length is refused with a *LimitError (errors.Is
// ErrTooComplex) that names the line: rendering never runs away with a core.
func MarkdownToHTML(src string) (string, error) {
	return renderMarkdown(src, time.Now)
}

func renderMarkdown(src string, now func() time.Time) (string, error) {
	if len(src) > MaxMarkdownBytes {
		return "", &LimitError{Reason: fmt.Sprintf("the text is longer than %d KiB", MaxMarkdownBytes>>10)}
	}
	pc := parser.NewContext()
	b := newBudget(len(src), now)
	pc.Set(budgetKey, b)
	var buf bytes.Buffer
	if err := md.Convert([]byte(src), &buf, parser.WithContext(pc)); err != nil {
		return "", fmt.Errorf("render markdown: %w", err)
	}
	if b.err != nil {
		return "", b.err
	}
	return buf.String(), nil
}

// bodyContext is the element story bodies are parsed inside.
var bodyContext = &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
