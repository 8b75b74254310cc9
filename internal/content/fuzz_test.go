package content

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzMarkdown follows a story body the whole way an editor's text goes:
// Markdown to HTML, then the sanitizer. Whatever was typed, rendering does
// not fail on valid UTF-8 (unless it exceeds the rendering bounds, which
// say so with a LimitError), and what reaches the page is inert (no script,
// no event handler, no javascript: URL) and stable under a second pass.
func FuzzMarkdown(f *testing.F) {
	for _, s := range []string{
		"# Title\n\nA *story* with a [link](https://example.com) and **bold**.",
		"<script>alert(1)</script>\n\ntext", "[x](javascript:alert(1))", "![img](data:text/html,<script>x</script>)",
		"| a | b |\n|---|---|\n| <img src=x onerror=y> | 2 |", "~~gone~~ https://example.com/auto",
		"> quote\n> <iframe src=//evil>", "```\n<script>\n```", "<a href=\"&#106;avascript:x\">a</a>",
		"[a](<javascript:x>)", "[a]: javascript:x\n\n[a]", "###### h6", "* a\n  * b\n    * c",
		strings.Repeat("[", 500), strings.Repeat("> ", 300) + "deep", "\x00\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		h, err := MarkdownToHTML(src)
		if err != nil {
			if utf8.ValidString(src) && !errors.Is(err, ErrTooComplex) {
				t.Fatalf("MarkdownToHTML(%q): %v", src, err)
			}
			return
		}
		out := Sanitize(h)
		assertInert(t, out)
		if again := Sanitize(out); again != out {
			t.Errorf("sanitized Markdown changes on a second pass, for %q:\n%s\n%s", src, out, again)
		}
	})
}
