// Package nql parses the filter language of Ghost's Content API (NQL, as
// @tryghost/nql-lang defines it) into a syntax tree: the subset Ghost's
// clients and themes send.
//
//	filter  = or
//	or      = and { "," and }
//	and     = term { "+" term }
//	term    = "(" or ")" | prop ":" [ "-" ] ( "[" value { "," value } "]" | [ op ] value )
//	op      = ">" | ">=" | "<" | "<=" | "~" | "~^" | "~$"
//	value   = 'quoted \' string' | literal | null | true | false | now[-+]N(d|w|M|y|h|m|s)
//
// "+" binds tighter than ",", as in Ghost: a+b,c is (a and b) or c. The
// tree says nothing of what a property means; the API maps properties to
// fields and refuses those it does not know.
package nql

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Node is a filter's syntax tree: And, Or, or a comparison (Prop set).
type Node struct {
	And []*Node
	Or  []*Node

	Prop string
	// Not is the "-" before the value: not equal, not in, not matching.
	Not bool
	// Op is "" (equals, or in for a list), ">", ">=", "<", "<=", "~"
	// (contains), "~^" (starts with), "~$" (ends with).
	Op     string
	Values []Value // one, or the list's
	List   bool
}

// Value is one value as written.
type Value struct {
	Text string
	// Kind: "string" (quoted), "literal" (bare word or number), "null",
	// "true", "false", "relative" (now-30d: Text is "-30d").
	Kind string
}

// Error is a filter that does not parse, with where.
type Error struct {
	Pos int // byte offset
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("filter: %s at character %d", e.Msg, e.Pos+1) }

// MaxLen bounds a filter: a long one costs a long query.
const MaxLen = 4096

// maxDepth bounds nesting, so a hostile filter cannot exhaust the stack.
const maxDepth = 32

// Parse reads a filter.
func Parse(s string) (*Node, error) {
	if len(s) > MaxLen {
		return nil, &Error{Pos: MaxLen, Msg: fmt.Sprintf("longer than %d characters", MaxLen)}
	}
	if !utf8.ValidString(s) {
		return nil, &Error{Msg: "not valid UTF-8"}
	}
	p := &parser{s: s}
	p.skipSpace()
	if p.eof() {
		return nil, &Error{Msg: "empty"}
	}
	n, err := p.or(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if !p.eof() {
		return nil, p.errf("unexpected %q", p.s[p.i:p.i+1])
	}
	return n, nil
}

type parser struct {
	s string
	i int
}

func (p *parser) eof() bool { return p.i >= len(p.s) }

func (p *parser) peek() byte {
	if p.eof() {
		return 0
	}
	return p.s[p.i]
}

func (p *parser) errf(format string, args ...any) error {
	return &Error{Pos: p.i, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) skipSpace() {
	for !p.eof() && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n') {
		p.i++
	}
}

func (p *parser) or(depth int) (*Node, error) {
	first, err := p.and(depth)
	if err != nil {
		return nil, err
	}
	nodes := []*Node{first}
	for {
		p.skipSpace()
		if p.peek() != ',' {
			break
		}
		p.i++
		n, err := p.and(depth)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	if len(nodes) == 1 {
		return first, nil
	}
	return &Node{Or: nodes}, nil
}

func (p *parser) and(depth int) (*Node, error) {
	first, err := p.term(depth)
	if err != nil {
		return nil, err
	}
	nodes := []*Node{first}
	for {
		p.skipSpace()
		if p.peek() != '+' {
			break
		}
		p.i++
		n, err := p.term(depth)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	if len(nodes) == 1 {
		return first, nil
	}
	return &Node{And: nodes}, nil
}

func (p *parser) term(depth int) (*Node, error) {
	if depth > maxDepth {
		return nil, p.errf("nested deeper than %d", maxDepth)
	}
	p.skipSpace()
	if p.peek() == '(' {
		p.i++
		n, err := p.or(depth + 1)
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.peek() != ')' {
			return nil, p.errf("expected )")
		}
		p.i++
		return n, nil
	}
	start := p.i
	for !p.eof() && isPropChar(p.s[p.i]) {
		p.i++
	}
	if p.i == start {
		if p.eof() {
			return nil, p.errf("expected a property")
		}
		return nil, p.errf("expected a property, found %q", p.s[p.i:p.i+1])
	}
	n := &Node{Prop: strings.ToLower(p.s[start:p.i])}
	p.skipSpace()
	if p.peek() != ':' {
		return nil, p.errf("expected : after %q", n.Prop)
	}
	p.i++
	p.skipSpace()
	if p.peek() == '-' {
		// "-" before a value is "not"; "-5" after ":" is also read so,
		// as Ghost does (negative numbers are not a thing in filters).
		n.Not = true
		p.i++
		p.skipSpace()
	}
	if p.peek() == '[' {
		p.i++
		n.List = true
		for {
			p.skipSpace()
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			n.Values = append(n.Values, v)
			p.skipSpace()
			if p.peek() == ',' {
				p.i++
				continue
			}
			if p.peek() != ']' {
				return nil, p.errf("expected , or ] in a list")
			}
			p.i++
			return n, nil
		}
	}
	for _, op := range []string{">=", "<=", "~^", "~$", ">", "<", "~"} {
		if strings.HasPrefix(p.s[p.i:], op) {
			n.Op = op
			p.i += len(op)
			break
		}
	}
	p.skipSpace()
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	n.Values = []Value{v}
	return n, nil
}

func isPropChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.'
}

// isLiteralChar is what a bare value may hold: Ghost's literals stop at
// the characters that mean something in the grammar.
func isLiteralChar(c byte) bool {
	switch c {
	case ',', '+', '(', ')', '[', ']', '\'', '"', ' ', '\t', '\n', '>', '<', '~':
		return false
	}
	return c >= 0x20
}

func (p *parser) value() (Value, error) {
	if p.eof() {
		return Value{}, p.errf("expected a value")
	}
	if c := p.peek(); c == '\'' || c == '"' {
		p.i++
		var b strings.Builder
		for {
			if p.eof() {
				return Value{}, p.errf("unterminated string")
			}
			ch := p.s[p.i]
			if ch == '\\' && p.i+1 < len(p.s) {
				b.WriteByte(p.s[p.i+1])
				p.i += 2
				continue
			}
			p.i++
			if ch == c {
				return Value{Text: b.String(), Kind: "string"}, nil
			}
			b.WriteByte(ch)
		}
	}
	start := p.i
	for !p.eof() && isLiteralChar(p.s[p.i]) {
		p.i++
	}
	if p.i == start {
		return Value{}, p.errf("expected a value, found %q", p.s[p.i:p.i+1])
	}
	t := p.s[start:p.i]
	switch strings.ToLower(t) {
	case "null", "true", "false":
		return Value{Text: t, Kind: strings.ToLower(t)}, nil
	}
	if rest, ok := strings.CutPrefix(t, "now"); ok && (rest == "" || validRelative(rest)) {
		return Value{Text: rest, Kind: "relative"}, nil
	}
	return Value{Text: t, Kind: "literal"}, nil
}

// validRelative is "-30d", "+2w": a sign, digits and one unit.
func validRelative(s string) bool {
	if len(s) < 3 || (s[0] != '-' && s[0] != '+') || !strings.ContainsRune("dwMyhms", rune(s[len(s)-1])) {
		return false
	}
	for _, c := range []byte(s[1 : len(s)-1]) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
