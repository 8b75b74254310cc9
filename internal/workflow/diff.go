package workflow

import "strings"

// Op is what happened to a line between two texts.
type Op int

const (
	OpEqual Op = iota
	OpDelete
	OpInsert
)

// DiffRow is one row of a side-by-side diff. Left is the old line (empty for
// an insertion), Right the new one (empty for a deletion); a changed line is
// a deletion and an insertion on the same row. Line numbers are 1-based, 0
// where the side has no line.
type DiffRow struct {
	Left, Right       string
	LeftOp, RightOp   Op
	LeftNum, RightNum int
}

// maxDiffCells bounds the LCS table (lines × lines). Beyond it the middle
// of the texts is shown as replaced wholesale: correct, if less precise,
// and it keeps a hostile revision from costing gigabytes.
const maxDiffCells = 4_000_000

// DiffLines compares two texts line by line (longest common subsequence)
// and returns the rows of a side-by-side view.
func DiffLines(a, b string) []DiffRow {
	x, y := splitLines(a), splitLines(b)
	// Common prefix and suffix cost nothing and usually leave a small middle.
	pre := 0
	for pre < len(x) && pre < len(y) && x[pre] == y[pre] {
		pre++
	}
	suf := 0
	for suf < len(x)-pre && suf < len(y)-pre && x[len(x)-1-suf] == y[len(y)-1-suf] {
		suf++
	}
	var ops []Op // one per line of the edit script
	for range pre {
		ops = append(ops, OpEqual)
	}
	ops = append(ops, lcsOps(x[pre:len(x)-suf], y[pre:len(y)-suf])...)
	for range suf {
		ops = append(ops, OpEqual)
	}

	var rows []DiffRow
	i, j := 0, 0
	var dels, ins []int // pending changed lines, paired side by side
	flush := func() {
		n := max(len(dels), len(ins))
		for k := range n {
			r := DiffRow{}
			if k < len(dels) {
				r.Left, r.LeftOp, r.LeftNum = x[dels[k]], OpDelete, dels[k]+1
			}
			if k < len(ins) {
				r.Right, r.RightOp, r.RightNum = y[ins[k]], OpInsert, ins[k]+1
			}
			rows = append(rows, r)
		}
		dels, ins = dels[:0], ins[:0]
	}
	for _, op := range ops {
		switch op {
		case OpEqual:
			flush()
			rows = append(rows, DiffRow{Left: x[i], Right: y[j], LeftNum: i + 1, RightNum: j + 1})
			i++
			j++
		case OpDelete:
			dels = append(dels, i)
			i++
		case OpInsert:
			ins = append(ins, j)
			j++
		}
	}
	flush()
	return rows
}

// Changed reports whether rows hold any difference.
func Changed(rows []DiffRow) bool {
	for _, r := range rows {
		if r.LeftOp != OpEqual || r.RightOp != OpEqual {
			return true
		}
	}
	return false
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// lcsOps returns the edit script turning x into y, deletions before
// insertions within a change.
func lcsOps(x, y []string) []Op {
	n, m := len(x), len(y)
	var ops []Op
	if n == 0 || m == 0 || n*m > maxDiffCells {
		for range n {
			ops = append(ops, OpDelete)
		}
		for range m {
			ops = append(ops, OpInsert)
		}
		return ops
	}
	// l[i][j] = LCS length of x[i:] and y[j:], in one flat slice.
	w := m + 1
	l := make([]int32, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if x[i] == y[j] {
				l[i*w+j] = l[(i+1)*w+j+1] + 1
			} else {
				l[i*w+j] = max(l[(i+1)*w+j], l[i*w+j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case x[i] == y[j]:
			ops = append(ops, OpEqual)
			i++
			j++
		case l[(i+1)*w+j] >= l[i*w+j+1]:
			ops = append(ops, OpDelete)
			i++
		default:
			ops = append(ops, OpInsert)
			j++
		}
	}
	for ; i < n; i++ {
		ops = append(ops, OpDelete)
	}
	for ; j < m; j++ {
		ops = append(ops, OpInsert)
	}
	return ops
}
