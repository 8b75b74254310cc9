package content

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// goldmark has no bound on what a document may cost. Some inputs make it
// quadratic: "[a](" repeated rescans the rest of the line for every link
// destination, a run of "[" makes every "]" walk all open labels, "*a_"
// repeated grows the delimiter stack each closer searches, and "> > > …" or
// "- * - * …" nest blocks whose every line revisits every level. 600 KB of
// "[a](" took 195 s of one core. The limits below bound each of these, and a
// step budget proportional to the input (with a wall-clock deadline behind
// it) stops whatever else we have not thought of, with an error that says
// so instead of a request that never ends.
const (
	// MaxMarkdownBytes is the longest Markdown source rendered (the story
	// body limit).
	MaxMarkdownBytes = 1 << 20
	// maxNesting bounds quotes and lists inside each other.
	maxNesting = 32
	// maxOpenLabels bounds the "[" waiting for their "]" in one block;
	// more are plain text.
	maxOpenLabels = 32
	// maxDelimiters bounds the emphasis and strikethrough runs ("*", "_",
	// "~") of one block; more are plain text. A paragraph with 500
	// emphasised words is still rendered in full.
	maxDelimiters = 1000
	// The step budget: scanning one byte costs one step. Ordinary prose
	// uses under 0.2 steps per byte, a body that is mostly links 0.7.
	stepsPerByte = 16
	stepsFloor   = 1 << 20
	// renderDeadline stops a render whatever its steps, checked every
	// deadlineEvery parser calls.
	renderDeadline = 2 * time.Second
	deadlineEvery  = 256
)

// ErrTooComplex is the error (under a *LimitError) of a body that exceeds
// the rendering bounds.
var ErrTooComplex = errors.New("markdown too complex to render")

// LimitError says which bound a Markdown source exceeded, and where.
type LimitError struct {
	Line   int // 1-based; 0 when it is the whole source
	Reason string
}

func (e *LimitError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return e.Reason
}

func (e *LimitError) Unwrap() error { return ErrTooComplex }

// budget is one render's account, kept in the parser context.
type budget struct {
	steps, limit int
	calls        int
	deadline     time.Time
	now          func() time.Time
	err          *LimitError
	// per block (reset by CloseBlock)
	labels, delims int
}

var budgetKey = parser.NewContextKey()

func budgetOf(pc parser.Context) *budget {
	b, _ := pc.Get(budgetKey).(*budget)
	return b
}

func newBudget(srcLen int, now func() time.Time) *budget {
	return &budget{limit: stepsFloor + stepsPerByte*srcLen, now: now, deadline: now().Add(renderDeadline)}
}

// spend charges n steps; false once the budget (or the deadline) is gone,
// after which every bounded parser declines and the rest of the source is
// read as plain text, in linear time.
func (b *budget) spend(n int, r text.Reader) bool {
	if b.err != nil {
		return false
	}
	b.steps += n
	b.calls++
	if b.steps > b.limit {
		b.fail(r, "the text is too complex to render (too many links, brackets or marks for its length)")
		return false
	}
	if b.calls%deadlineEvery == 0 && b.now().After(b.deadline) {
		b.fail(r, fmt.Sprintf("the text took longer than %s to render", renderDeadline))
		return false
	}
	return true
}

func (b *budget) fail(r text.Reader, reason string) {
	if b.err != nil {
		return
	}
	_, seg := r.Position()
	src := r.Source()
	line := 0
	if seg.Start >= 0 && seg.Start <= len(src) {
		line = bytes.Count(src[:seg.Start], []byte{'\n'}) + 1
	}
	b.err = &LimitError{Line: line, Reason: reason}
}

// boundedContainer wraps the blockquote, list and list item parsers: it
// refuses to open one nested deeper than maxNesting.
type boundedContainer struct{ parser.BlockParser }

func (p boundedContainer) Open(parent ast.Node, r text.Reader, pc parser.Context) (ast.Node, parser.State) {
	if b := budgetOf(pc); b != nil {
		if !b.spend(1, r) {
			return nil, parser.NoChildren
		}
		depth := 0
		for n := parent; n != nil; n = n.Parent() {
			if k := n.Kind(); k == ast.KindBlockquote || k == ast.KindList {
				depth++
			}
		}
		if depth >= maxNesting {
			b.fail(r, fmt.Sprintf("quotes and lists are nested more than %d deep", maxNesting))
			return nil, parser.NoChildren
		}
	}
	return p.BlockParser.Open(parent, r, pc)
}

func (p boundedContainer) Continue(n ast.Node, r text.Reader, pc parser.Context) parser.State {
	if b := budgetOf(pc); b != nil {
		b.spend(1, r)
	}
	return p.BlockParser.Continue(n, r, pc)
}

// boundedLink wraps goldmark's link parser ("[", "![", "]"): it caps the
// open labels of a block and charges the scans a "]" makes for a
// destination, title or reference.
type boundedLink struct{ inner parser.InlineParser }

func (p boundedLink) Trigger() []byte { return p.inner.Trigger() }

func (p boundedLink) Parse(parent ast.Node, r text.Reader, pc parser.Context) ast.Node {
	b := budgetOf(pc)
	if b == nil {
		return p.inner.Parse(parent, r, pc)
	}
	line, _ := r.PeekLine()
	if len(line) == 0 {
		return nil
	}
	if line[0] != ']' {
		if b.labels >= maxOpenLabels || !b.spend(1, r) {
			return nil
		}
		n := p.inner.Parse(parent, r, pc)
		if n != nil {
			b.labels++
		}
		return n
	}
	if b.err != nil || !b.spend(1+linkScanCost(r), r) {
		return nil
	}
	n := p.inner.Parse(parent, r, pc)
	// goldmark takes the last open label off its list on every "]".
	if b.labels > 0 {
		b.labels--
	}
	return n
}

// CloseBlock ends a block: its labels and delimiters are resolved.
func (p boundedLink) CloseBlock(parent ast.Node, r text.Reader, pc parser.Context) {
	if cb, ok := p.inner.(parser.CloseBlocker); ok {
		cb.CloseBlock(parent, r, pc)
	}
	if b := budgetOf(pc); b != nil {
		b.labels, b.delims = 0, 0
	}
}

// linkScanCost is how far goldmark's link parser will read after the "]"
// at r: to the end of a destination (white space or an unbalanced ")"),
// then to a title's closing quote, or to a reference's closing "]". It
// reads the same bytes, so it costs what it measures.
func linkScanCost(r text.Reader) int {
	line, seg := r.PeekLine()
	src := r.Source()
	if len(line) < 2 {
		return 0
	}
	rest := func(from int, closer byte) int {
		start := seg.Start + from
		if start >= len(src) {
			return 0
		}
		if i := bytes.IndexByte(src[start:], closer); i >= 0 {
			return i + 1
		}
		return len(src) - start
	}
	switch line[1] {
	case '[':
		return rest(2, ']')
	case '(':
	default:
		return 0
	}
	i := 2
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	if i < len(line) && line[i] == '<' {
		if j := bytes.IndexByte(line[i:], '>'); j >= 0 {
			return i + j
		}
		return len(line)
	}
	opened := 0
	for i < len(line) {
		c := line[i]
		if c == '\\' && i+1 < len(line) {
			i += 2
			continue
		}
		if c == '(' {
			opened++
		} else if c == ')' {
			opened--
			if opened < 0 {
				return i
			}
		} else if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			break
		}
		i++
	}
	cost := i
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	if i < len(line) {
		switch line[i] {
		case '"', '\'':
			cost += rest(i+1, line[i])
		case '(':
			cost += rest(i+1, ')')
		}
	}
	return cost
}

// boundedAngle wraps the autolink and raw HTML parsers ("<"). Both read a
// tag or an address on from the "<", and stop at the next "<" or ">" (or
// earlier).
type boundedAngle struct{ parser.InlineParser }

func (p boundedAngle) Parse(parent ast.Node, r text.Reader, pc parser.Context) ast.Node {
	if b := budgetOf(pc); b != nil {
		if b.err != nil {
			return nil
		}
		line, _ := r.PeekLine()
		cost := len(line)
		if len(line) > 1 {
			if i := bytes.IndexAny(line[1:], "<>"); i >= 0 {
				cost = i + 1
			}
		}
		if !b.spend(1+cost, r) {
			return nil
		}
	}
	return p.InlineParser.Parse(parent, r, pc)
}

// boundedDelimiter wraps the emphasis and strikethrough parsers: past
// maxDelimiters in one block, a delimiter is plain text.
type boundedDelimiter struct{ parser.InlineParser }

func (p boundedDelimiter) Parse(parent ast.Node, r text.Reader, pc parser.Context) ast.Node {
	b := budgetOf(pc)
	if b == nil {
		return p.InlineParser.Parse(parent, r, pc)
	}
	if b.delims >= maxDelimiters || !b.spend(1, r) {
		return nil
	}
	n := p.InlineParser.Parse(parent, r, pc)
	if n != nil {
		b.delims++
	}
	return n
}
