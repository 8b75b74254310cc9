package importer

import (
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"masthead/internal/news"
)

// The seed capture is the text a browser gives when an article page is
// copied: the page's controls (the reader settings panel, share buttons,
// close buttons, the most-read list, back to top) come along as lines of
// their own. Those lines are known; everything else is the story.

// chromeLines are whole lines of page controls, compared case-insensitively
// after list bullets are removed.
var chromeLines = map[string]bool{
	"settings": true, "ⓕ font-size": true, "font-size": true, "font size": true,
	"-2": true, "-1": true, "0": true, "+1": true, "+2": true,
	"x": true, "close": true, "share": true, "print": true,
	"go top": true, "top": true, "back to top": true,
	// Korean pages' controls.
	"설정": true, "글자 크기": true, "글자크기": true, "닫기": true, "공유": true,
	"공유하기": true, "인쇄": true, "맨 위로": true, "맨위로": true,
}

var (
	// "Facebook share button", "Link share button"...
	shareLine = regexp.MustCompile(`(?i)^(facebook|twitter|x|kakao|kakaotalk|mail|e-?mail|link|copy link|line|naver|band)( share)? button$`)
	// Everything from the most-read list or the back-to-top control on is
	// page furniture, not story.
	endLine  = regexp.MustCompile(`(?i)^(top 10 stories|most (read|popular)( stories)?|go top\b.*|많이 본 기사|인기 기사)$`)
	bylineRe = regexp.MustCompile(`^(?:By|BY|by)\s+(.+)$`)
	// "Kang Seung-woo ksw@koreatimes.co.kr": a short name and an address.
	signatureRe = regexp.MustCompile(`^(\S.{0,60}?)\s+<?([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})>?$`)
)

func stripBullet(s string) string {
	for _, b := range []string{"•", "◦", "▪", "·"} {
		if rest, ok := strings.CutPrefix(s, b); ok {
			return strings.TrimSpace(rest)
		}
	}
	return s
}

func isChrome(s string) bool {
	s = stripBullet(s)
	return chromeLines[strings.ToLower(s)] || shareLine.MatchString(s)
}

type textLine struct {
	n int // 1-based line number
	s string
}

func parseCapture(path, text string) (*Parsed, error) {
	var lines []textLine
	for i, raw := range strings.Split(text, "\n") {
		s := strings.TrimSpace(raw)
		if s == "" || isChrome(s) {
			continue
		}
		if endLine.MatchString(stripBullet(s)) {
			break
		}
		lines = append(lines, textLine{i + 1, s})
	}
	if len(lines) == 0 {
		return nil, lineError(path, 1, "no story found: the file holds only page controls")
	}
	p := &Parsed{Path: path, Format: FormatCapture}
	head := lines[0]
	p.Article.Headline = head.s

	// The byline comes within the first few lines after the headline,
	// after the lead photo's alt text and caption.
	rest := lines[1:]
	by := -1
	for i := 0; i < len(rest) && i < 4; i++ {
		if bylineRe.MatchString(rest[i].s) && len([]rune(rest[i].s)) <= 120 {
			by = i
			break
		}
	}
	var photoLines []string
	if by >= 0 {
		for _, l := range rest[:by] {
			photoLines = append(photoLines, l.s)
		}
		for _, name := range splitNames(bylineRe.FindStringSubmatch(rest[by].s)[1]) {
			p.Authors = append(p.Authors, news.Author{Name: name})
		}
		rest = rest[by+1:]
	} else if len(rest) >= 2 && rest[0].s == rest[1].s {
		// No byline, but the photo line printed twice (alt and caption).
		photoLines = []string{rest[0].s, rest[1].s}
		rest = rest[2:]
	}
	p.Photo = capturePhoto(photoLines)
	if p.Photo != nil {
		// A capture is text; its photo, when there is one, is an image
		// file of the same name beside it (seed.txt, seed.jpg).
		if img := siblingImage(path); img != "" {
			data, ct, err := loadPhoto(img)
			if err != nil {
				return nil, lineError(path, head.n, "lead photo: %v", err)
			}
			p.Photo.Path, p.Photo.Data, p.Photo.ContentType = img, data, ct
		}
	}

	// The signature closes the story: the author's name and e-mail.
	if n := len(rest); n > 0 {
		if m := signatureRe.FindStringSubmatch(rest[n-1].s); m != nil && len(strings.Fields(m[1])) <= 6 {
			if addr, err := mail.ParseAddress(m[2]); err == nil {
				name := strings.TrimSpace(m[1])
				matched := false
				for i := range p.Authors {
					if strings.EqualFold(p.Authors[i].Name, name) {
						p.Authors[i].Email = addr.Address
						matched = true
					}
				}
				if !matched {
					p.Authors = append(p.Authors, news.Author{Name: name, Email: addr.Address})
				}
				rest = rest[:n-1]
			}
		}
	}
	if len(rest) == 0 {
		return nil, lineError(path, head.n, "no body paragraphs after the headline %q", head.s)
	}
	// One line of the capture is one paragraph, kept exactly.
	paras := make([]string, len(rest))
	for i, l := range rest {
		paras[i] = l.s
	}
	p.Article.BodyMarkdown = markdownParagraphs(paras)
	body, err := renderMarkdown(p.Article.BodyMarkdown)
	if err != nil {
		return nil, lineError(path, rest[0].n, "%v", err)
	}
	p.Article.BodyHTML = body
	return finish(p, head.n)
}

// siblingImage returns the image file named like path (another extension),
// or "".
func siblingImage(path string) string {
	base := strings.TrimSuffix(path, filepath.Ext(path))
	for _, ext := range []string{".jpg", ".jpeg", ".png", ".webp", ".gif", ".JPG", ".JPEG", ".PNG"} {
		if fi, err := os.Stat(base + ext); err == nil && fi.Mode().IsRegular() && base+ext != path {
			return base + ext
		}
	}
	return ""
}

// capturePhoto reads the lead photo's lines: alt text and caption, usually
// the same line twice, "caption / Credit".
func capturePhoto(lines []string) *PhotoRef {
	if len(lines) == 0 {
		return nil
	}
	caption := lines[len(lines)-1]
	alt := lines[0]
	ph := &PhotoRef{}
	ph.Caption, ph.Credit = splitCredit(caption)
	ph.Alt, _ = splitCredit(alt)
	return ph
}

// splitCredit splits "caption / Credit" at the last " / ": captions may
// contain slashes, credits do not.
func splitCredit(s string) (caption, credit string) {
	if i := strings.LastIndex(s, " / "); i >= 0 {
		return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+3:])
	}
	return s, ""
}

// splitNames splits a byline into names: "A and B", "A, B & C". Job titles
// after a comma ("Kim, staff reporter") are not names.
func splitNames(s string) []string {
	s = strings.NewReplacer(" and ", ",", " & ", ",", ";", ",").Replace(s)
	var out []string
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" || roleWords.MatchString(part) {
			continue
		}
		out = append(out, part)
	}
	return out
}

var roleWords = regexp.MustCompile(`(?i)\b(reporter|correspondent|editor|writer|staff|contributor|columnist|bureau|news agency)\b|@`)
