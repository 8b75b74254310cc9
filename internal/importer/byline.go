package importer

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bylines as pages print them carry more than names: "By Jane Doe and
// John Roe, Staff Writers", "Sarah Gooding · April 28, 2019 at 6:01 am
// Updated April 29", "김철수 기자 cskim@example.kr". cleanByline keeps the
// names only; anything it cannot read as a name is left out rather than
// made into an author.

var (
	// A byline's lead-in.
	byPrefix = regexp.MustCompile(`(?i)^\s*(?:(?:written|posted|words|story|text|reporting|report|photos?)\s+)?by[:\s]\s*`)
	// Where the names end: the dates and notes that follow them.
	bylineTail = regexp.MustCompile(`(?i)\b(?:updated|published|posted|last\s+(?:updated|modified)|modified|first published|on)\b[\s:].*$|\s[|·•—–]\s.*$|입력\s*:?.*$|수정\s*:?.*$|승인\s*:?.*$`)
	emailRe    = regexp.MustCompile(`<?[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}>?|\bhttps?://\S+|(?:^|\s)@\w+`)
	// Role words after a name, in English and Korean.
	roleTail  = regexp.MustCompile(`(?i)(?:,?\s+(?:(?:senior|chief|staff|contributing|special|political|business|sports|science|foreign|deputy|managing|associate|assistant|guest)\s+)*(?:reporter|correspondent|editor|writer|columnist|contributor|photographer|staff|intern|analyst|producer)s?(?:\s+(?:at|for|of)\s+.*)?|\s*(?:기자|선임기자|객원기자|인턴기자|수습기자|특파원|논설위원|편집위원|칼럼니스트|편집국장|통신원|위원|교수|대표|연구원))$`)
	monthWord = `(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?`
	dayWord   = `(?:mon|tue|wed|thu|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?\.?`
	// A part of a byline that is only a date or time: "April 28",
	// "2019 at 6:01 am", "2020-03-22 09:00", "3 hours ago", "2020년 3월 22일".
	dateOnly = regexp.MustCompile(`(?i)^(?:` + monthWord + `|` + dayWord + `|\d{1,4}(?:st|nd|rd|th)?|at|[ap]\.?m\.?|kst|utc|gmt|edt|est|pdt|pst|bst|cet|\d{1,2}:\d{2}(?::\d{2})?|\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d+\s*(?:minutes?|hours?|days?|weeks?)\s+ago|\d+년|\d+월|\d+일|오전|오후|[\s,./:-])+$`)
	// A date run on after a name: "Sarah Gooding April 28, 2019".
	dateTail = regexp.MustCompile(`(?i)\s+(?:` + dayWord + `,?\s+)?(?:` + monthWord + `\s+\d{1,2}\b|\d{1,2}\.?\s+` + monthWord + `(?:\s|$)|\d{4}[-./]\d{1,2}|\d{4}년).*$`)
	// Words that are never a person: site furniture that readability
	// sometimes takes for a byline.
	notAName = regexp.MustCompile(`(?i)^(?:and|by|staff|admin|administrator|editor|editors|the editors|news desk|newsroom|web desk|desk|team|unknown|anonymous|guest|share|comments?|\d+ comments?)$`)
)

// cleanByline returns the person (or agency) names in a byline, in order,
// with no duplicates.
func cleanByline(s string) []string {
	s = strings.Join(strings.Fields(s), " ")
	s = byPrefix.ReplaceAllString(s, "")
	s = emailRe.ReplaceAllString(s, " ")
	s = bylineTail.ReplaceAllString(s, "")
	s = dateTail.ReplaceAllString(s, "")
	var out []string
	seen := map[string]bool{}
	for _, part := range splitByline(s) {
		part = strings.Trim(part, " ,;:|·•-–—()[]")
		for {
			t := strings.TrimSpace(roleTail.ReplaceAllString(part, ""))
			if t == part {
				break
			}
			part = t
		}
		part = strings.Trim(byPrefix.ReplaceAllString(part, ""), " ,;:")
		if !looksLikeName(part) || seen[strings.ToLower(part)] {
			continue
		}
		seen[strings.ToLower(part)] = true
		out = append(out, part)
	}
	return out
}

// splitByline splits at commas, semicolons, " and " and " & ", except
// where an "&" joins two words that are one name ("Mac & i", "AT&T"):
// an ampersand separates people only when both sides are names of two or
// more words.
func splitByline(s string) []string {
	var parts []string
	for _, p := range regexp.MustCompile(`\s*[,;/]\s*|\s+and\s+|\s+와\s+|\s+및\s+`).Split(s, -1) {
		sides := strings.Split(p, " & ")
		if len(sides) == 1 {
			parts = append(parts, p)
			continue
		}
		split := true
		for _, side := range sides {
			if len(strings.Fields(side)) < 2 {
				split = false
			}
		}
		if split {
			parts = append(parts, sides...)
		} else {
			parts = append(parts, p)
		}
	}
	return parts
}

// looksLikeName: letters in it, not a date or a role, not a sentence.
func looksLikeName(s string) bool {
	if s == "" || dateOnly.MatchString(s) || notAName.MatchString(s) {
		return false
	}
	letters := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	if letters == 0 {
		return false
	}
	// A name is a few words; a sentence or a caption is not a byline.
	if len(strings.Fields(s)) > 6 || utf8.RuneCountInString(s) > 60 {
		return false
	}
	first, _ := utf8.DecodeRuneInString(s)
	// "the newsroom", "staff reports": names start with a capital (or
	// with a letter of a script without case).
	return !unicode.IsLower(first)
}
