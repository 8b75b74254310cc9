package workflow

import (
	"fmt"
	"strings"
	"testing"
)

// render shows rows compactly: "=a|a", "-a|", "|+b", "-a|+b".
func render(rows []DiffRow) string {
	var out []string
	for _, r := range rows {
		side := func(s string, op Op) string {
			switch op {
			case OpDelete:
				return "-" + s
			case OpInsert:
				return "+" + s
			}
			return s
		}
		if r.LeftOp == OpEqual && r.RightOp == OpEqual {
			out = append(out, "="+r.Left)
			continue
		}
		l, rr := "", ""
		if r.LeftNum > 0 {
			l = side(r.Left, r.LeftOp)
		}
		if r.RightNum > 0 {
			rr = side(r.Right, r.RightOp)
		}
		out = append(out, l+"|"+rr)
	}
	return strings.Join(out, " ")
}

func TestDiffLines(t *testing.T) {
	cases := []struct{ a, b, want string }{
		{"", "", ""},
		{"a\nb\n", "a\nb", "=a =b"},
		{"a\nb\nc", "a\nc", "=a -b| =c"},
		{"a\nc", "a\nb\nc", "=a |+b =c"},
		{"a\nb\nc", "a\nB\nc", "=a -b|+B =c"},
		{"", "x\ny", "|+x |+y"},
		{"x\ny", "", "-x| -y|"},
		{"a\nb\nc\nd", "b\nc\nd\ne", "-a| =b =c =d |+e"},
		{"한국\n어", "한국\n말", "=한국 -어|+말"},
		{"p\nq\nr\ns", "p\nX\nr\nY", "=p -q|+X =r -s|+Y"},
	}
	for _, c := range cases {
		rows := DiffLines(c.a, c.b)
		if got := render(rows); got != c.want {
			t.Errorf("DiffLines(%q, %q) = %q, want %q", c.a, c.b, got, c.want)
		}
		if Changed(rows) != (c.want != "" && strings.Contains(c.want, "|")) {
			t.Errorf("Changed(%q, %q) = %v", c.a, c.b, Changed(rows))
		}
	}
}

// TestDiffLinesLineNumbers checks that each side's numbers run 1..n with
// no gaps, whatever the edits.
func TestDiffLinesLineNumbers(t *testing.T) {
	a := "1\n2\n3\n4\n5\n6\n7"
	b := "0\n1\n3\n4x\n5\n7\n8"
	rows := DiffLines(a, b)
	var ln, rn []int
	for _, r := range rows {
		if r.LeftNum > 0 {
			ln = append(ln, r.LeftNum)
		}
		if r.RightNum > 0 {
			rn = append(rn, r.RightNum)
		}
	}
	if fmt.Sprint(ln) != "[1 2 3 4 5 6 7]" || fmt.Sprint(rn) != "[1 2 3 4 5 6 7]" {
		t.Errorf("line numbers left %v right %v", ln, rn)
	}
}

func BenchmarkDiffLines(b *testing.B) {
	var x, y strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&x, "line %d of the story\n", i)
		if i%7 == 0 {
			fmt.Fprintf(&y, "changed %d\n", i)
		} else {
			fmt.Fprintf(&y, "line %d of the story\n", i)
		}
	}
	for b.Loop() {
		DiffLines(x.String(), y.String())
	}
}
