package importer

import (
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

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
	// "김철수 기자", "워싱턴=이정민 특파원": a Korean byline is a name and
	// a role, no "By".
	koreanByline = regexp.MustCompile(`^(?:\S+=)?\S{2,5}(?:\s*·\s*\S{2,5})*\s+(?:기자|선임기자|객원기자|인턴기자|수습기자|특파원|논설위원|편집위원|칼럼니스트|통신원)$`)
	// An address in a signature: a real one, or the word a page shows
	// where it hides one ("email", "[email protected]").
	sigEmail = regexp.MustCompile(`(?i)\s*(?:<?([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})>?|\[email(?:&#160;|\s)*protected\]|\be-?mail\b|이메일)\s*$`)
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
		if (bylineRe.MatchString(rest[i].s) || koreanByline.MatchString(rest[i].s)) && len([]rune(rest[i].s)) <= 120 {
			by = i
			break
		}
	}
	var photoLines []string
	if by >= 0 {
		for _, l := range rest[:by] {
			photoLines = append(photoLines, l.s)
		}
		for _, name := range splitNames(rest[by].s) {
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

	// The signature closes the story: the author's name, perhaps a role,
	// perhaps an e-mail address.
	if n := len(rest); n > 0 {
		if sig, ok := readSignature(rest[n-1].s, p.Authors); ok {
			matched := false
			for i := range p.Authors {
				if sameName(p.Authors[i].Name, sig.Name) {
					if sig.Email != "" {
						p.Authors[i].Email = sig.Email
					}
					matched = true
				}
			}
			if !matched {
				p.Authors = append(p.Authors, sig)
			}
			rest = rest[:n-1]
		}
	}
	rest = dropRelated(dropRepeats(rest))
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

// readSignature reads a story's last line as the author's signature:
// "Kang Seung-woo ksw@koreatimes.co.kr", "정덕현 칼럼니스트 email",
// "Kim A, staff reporter", or just the byline's name again. A short last
// line without an address is a signature only when it names a byline
// author or carries a role word; otherwise it is the story's last
// paragraph.
func readSignature(line string, byline []news.Author) (news.Author, bool) {
	s := strings.TrimSpace(line)
	if utf8.RuneCountInString(s) > 80 {
		return news.Author{}, false
	}
	var sig news.Author
	hasAddr := false
	if m := sigEmail.FindStringSubmatchIndex(s); m != nil {
		hasAddr = true
		if m[2] >= 0 {
			if addr, err := mail.ParseAddress(s[m[2]:m[3]]); err == nil {
				sig.Email = strings.ToLower(addr.Address)
			}
		}
		s = strings.TrimSpace(s[:m[0]])
	}
	names := cleanByline(s)
	if len(names) != 1 || len(strings.Fields(names[0])) > 5 {
		return news.Author{}, false
	}
	sig.Name = names[0]
	hasRole := names[0] != strings.Trim(s, " ,")
	for _, a := range byline {
		if sameName(a.Name, sig.Name) {
			return sig, true
		}
	}
	if hasAddr || (hasRole && len(strings.Fields(sig.Name)) <= 4) {
		return sig, true
	}
	return news.Author{}, false
}

func sameName(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}

// dropRepeats removes a line that repeats the one before it: a photo in
// the middle of a story comes out of the capture as its alt text and its
// caption, the same line twice.
func dropRepeats(lines []textLine) []textLine {
	out := lines[:0:0]
	for i, l := range lines {
		if i > 0 && l.s == lines[i-1].s {
			continue
		}
		out = append(out, l)
	}
	return out
}

// relatedLine opens a box of links to other stories.
var relatedLine = regexp.MustCompile(`(?i)^(?:more (?:in|from|on) .{1,40}|related (?:articles?|stories|news|coverage|content|posts)|read more|see also|you may also like|recommended(?: stories)?|관련\s*기사|관련\s*뉴스|함께 보면 좋은 기사|추천 기사|이 시각 주요뉴스)\s*:?$`)

// dropRelated removes boxes of related links ("More in Politics",
// "Related Articles", "관련기사"): the heading and the headlines under it,
// up to the next line of prose. A headline is short and does not end a
// sentence.
func dropRelated(lines []textLine) []textLine {
	out := lines[:0:0]
	inBox := false
	for _, l := range lines {
		s := stripBullet(l.s)
		if relatedLine.MatchString(s) {
			inBox = true
			continue
		}
		if inBox && isHeadlineLike(s) {
			continue
		}
		inBox = false
		out = append(out, l)
	}
	return out
}

func isHeadlineLike(s string) bool {
	if len(strings.Fields(s)) > 20 || utf8.RuneCountInString(s) > 140 {
		return false
	}
	s = strings.TrimRight(s, " ")
	for _, end := range []string{".", "?\"", "!\"", ".\"", ".”", "다.", "요.", ".)", ":"} {
		if strings.HasSuffix(s, end) {
			return false
		}
	}
	return true
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

// splitCredit splits "caption / Credit". Captions may contain " / "
// ("Seoul / Busan rail link opens"), and so may credits ("Yonhap / AP",
// "Korea Times photo / Shim Hyun-chul"): a caption is a sentence, so the
// split is after the first " / " that follows the end of one; without
// one, at the last " / ".
func splitCredit(s string) (caption, credit string) {
	parts := strings.Split(s, " / ")
	if len(parts) == 1 {
		return s, ""
	}
	for i := 0; i < len(parts)-1; i++ {
		c := strings.TrimSpace(parts[i])
		if strings.HasSuffix(c, ".") || strings.HasSuffix(c, "?") || strings.HasSuffix(c, "!") ||
			strings.HasSuffix(c, ".\"") || strings.HasSuffix(c, ".”") || strings.HasSuffix(c, ")") {
			return strings.TrimSpace(strings.Join(parts[:i+1], " / ")), strings.TrimSpace(strings.Join(parts[i+1:], " / "))
		}
	}
	i := strings.LastIndex(s, " / ")
	return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+3:])
}

// splitNames splits a byline into names: "A and B", "A, B & C"; job
// titles, dates and addresses are not names (cleanByline).
func splitNames(s string) []string { return cleanByline(s) }
