package content

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hostileMarkdown are the inputs that made goldmark quadratic, each about
// 600 KB: "[a](" × 150,000 took 195 s of one core before the bounds.
var hostileMarkdown = []struct {
	name string
	src  string
}{
	{"link openers", strings.Repeat("[a](", 150_000)},
	{"nested brackets", strings.Repeat("[", 300_000) + strings.Repeat("]", 300_000)},
	{"nested image brackets", strings.Repeat("![", 200_000) + strings.Repeat("]", 200_000)},
	{"link titles", strings.Repeat(`[a](b "`, 85_000)},
	{"references", strings.Repeat("[a][", 150_000)},
	{"emphasis", strings.Repeat("*a_", 200_000)},
	{"strikethrough", strings.Repeat("~~a", 200_000)},
	{"angle brackets", strings.Repeat("<a", 300_000)},
	{"nested quotes", strings.Repeat("> ", 300_000) + "a"},
	{"nested lists", strings.Repeat("- * ", 150_000) + "a"},
	{"nested ordered lists", strings.Repeat("1. ", 200_000) + "a"},
	{"open brackets per line", strings.Repeat("[a\n", 200_000)},
}

// ordinaryProse is a story body of about n bytes: paragraphs with links,
// emphasis, a quote, a list and a table, as reporters write them.
func ordinaryProse(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "North Korea's leader *Kim Jong-un* said on Sunday that **talks** with [Washington](https://example.com/news/%d) "+
			"could resume \"when the time is right\", according to the state news agency, in a statement that analysts in Seoul "+
			"read as a sign of ~~hostility~~ patience. 북한은 일요일 성명을 냈다 (see <https://example.com/kcna>).\n\n", i)
		if i%10 == 0 {
			b.WriteString("> \"We will not be the first to move,\" the statement said.\n\n- one point\n- another, with `code`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n")
		}
	}
	return b.String()
}

// linkDense is the worst honest case: a long paragraph that is mostly links.
func linkDense(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "[source %d](https://example.com/a/%d \"title %d\") and ", i, i, i)
		if i%200 == 199 {
			b.WriteString("end.\n\n")
		}
	}
	return b.String()
}

// TestMarkdownHostileInputsAreBounded: every input that ran for seconds or
// minutes now either renders (its excess brackets or marks as plain text)
// or is refused with a LimitError naming a line; none runs away.
func TestMarkdownHostileInputsAreBounded(t *testing.T) {
	for _, tt := range hostileMarkdown {
		t.Run(tt.name, func(t *testing.T) {
			h, err := MarkdownToHTML(tt.src)
			if err != nil {
				var le *LimitError
				if !errors.As(err, &le) || !errors.Is(err, ErrTooComplex) || le.Line == 0 {
					t.Fatalf("error %v (%T), want a *LimitError with a line", err, err)
				}
				return
			}
			if h == "" {
				t.Fatal("no output and no error")
			}
		})
	}
}

func TestMarkdownLimits(t *testing.T) {
	t.Run("link openers refused with a line", func(t *testing.T) {
		_, err := MarkdownToHTML("Intro.\n\n" + strings.Repeat("[a](", 150_000))
		var le *LimitError
		if !errors.As(err, &le) || le.Line != 3 || !strings.Contains(le.Error(), "too complex") {
			t.Fatalf("err = %v, want a LimitError on line 3", err)
		}
	})
	t.Run("nesting refused past 32", func(t *testing.T) {
		if _, err := MarkdownToHTML(strings.Repeat("> ", maxNesting) + "deep enough"); err != nil {
			t.Fatalf("32 levels: %v", err)
		}
		_, err := MarkdownToHTML("a\n\n" + strings.Repeat("> ", maxNesting+1) + "too deep")
		var le *LimitError
		if !errors.As(err, &le) || le.Line != 3 || !strings.Contains(le.Reason, "nested more than 32") {
			t.Fatalf("33 levels: err = %v", err)
		}
	})
	t.Run("too long", func(t *testing.T) {
		_, err := MarkdownToHTML(strings.Repeat("a", MaxMarkdownBytes+1))
		if !errors.Is(err, ErrTooComplex) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("excess open brackets are text", func(t *testing.T) {
		h, err := MarkdownToHTML(strings.Repeat("[", 100) + "x")
		if err != nil || strings.Count(h, "[") != 100 {
			t.Fatalf("err %v, output %.80q", err, h)
		}
	})
	t.Run("excess delimiters are text", func(t *testing.T) {
		h, err := MarkdownToHTML(strings.Repeat("*a* ", maxDelimiters))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Count(h, "<em>"); got != maxDelimiters/2 {
			t.Fatalf("%d <em>, want %d (the first %d delimiters)", got, maxDelimiters/2, maxDelimiters)
		}
	})
	t.Run("deadline", func(t *testing.T) {
		// A clock that jumps an hour each reading: the first check of the
		// deadline finds it passed.
		at := time.Unix(0, 0)
		now := func() time.Time { at = at.Add(time.Hour); return at }
		_, err := renderMarkdown(strings.Repeat("[a](b) ", 1000), now)
		var le *LimitError
		if !errors.As(err, &le) || !strings.Contains(le.Reason, "longer than") {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestMarkdownHonestBodiesPass: the bounds refuse no honest body, even at
// the size limit and dense with links.
func TestMarkdownHonestBodiesPass(t *testing.T) {
	for name, src := range map[string]string{
		"prose":      ordinaryProse(MaxMarkdownBytes - 1000),
		"link dense": linkDense(MaxMarkdownBytes - 1000),
		"lists":      strings.Repeat("- item with [a link](/x) and *stress*\n  - nested\n    > quoted\n", 10_000),
	} {
		h, err := MarkdownToHTML(src)
		if err != nil {
			t.Errorf("%s: %v", name, err)
		} else if !strings.Contains(h, "<a href=") {
			t.Errorf("%s: no links rendered", name)
		}
	}
}

// BenchmarkMarkdown compares each hostile input with ordinary prose of the
// same size: the bounds keep the worst within a small factor of honest text.
// It reports cpu-ms/op (the process's CPU time per render) besides the
// wall time, which a shared machine inflates.
func BenchmarkMarkdown(b *testing.B) {
	run := func(b *testing.B, src string, honest bool) {
		b.SetBytes(int64(len(src)))
		start := cpuTime()
		for b.Loop() {
			if _, err := MarkdownToHTML(src); err != nil && honest {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64((cpuTime()-start).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	}
	b.Run("prose", func(b *testing.B) { run(b, ordinaryProse(600_000), true) })
	b.Run("link-dense", func(b *testing.B) { run(b, linkDense(600_000), true) })
	for _, tt := range hostileMarkdown {
		b.Run(strings.ReplaceAll(tt.name, " ", "-"), func(b *testing.B) { run(b, tt.src, false) })
	}
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
