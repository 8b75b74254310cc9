package site

import (
	"embed"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// The reader site's chrome (every word a reader sees that is not the
// paper's content) comes from a golang.org/x/text message catalog. Keys are
// the English strings, printf verbs included; locales/ko/messages.gotext.json
// holds the Korean, in the gotext format translators' tools read. A page's
// chrome is in its story's language (a Korean story in an English paper
// gets Korean chrome) or else in the paper's default language, matched to
// the languages the catalog has, English when none matches. The language
// comes from the content, never from the request, so every anonymous
// reader gets the same page.

//go:embed locales/*/messages.gotext.json
var localeFiles embed.FS

// chromeLangs are the catalog's languages, the fallback first.
var chromeLangs = []language.Tag{language.English, language.Korean}

var (
	chromeCatalog = loadCatalog()
	chromeMatcher = language.NewMatcher(chromeLangs)
)

type gotextFile struct {
	Language string `json:"language"`
	Messages []struct {
		ID          string `json:"id"`
		Translation string `json:"translation"`
	} `json:"messages"`
}

// loadCatalog builds the catalog from the embedded files; a broken file is
// a build defect, which the package's tests catch.
func loadCatalog() *catalog.Builder {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	for _, tag := range chromeLangs {
		data, err := localeFiles.ReadFile("locales/" + tag.String() + "/messages.gotext.json")
		if err != nil {
			panic(err)
		}
		var f gotextFile
		if err := json.Unmarshal(data, &f); err != nil {
			panic(fmt.Sprintf("locales/%s: %v", tag, err))
		}
		for _, m := range f.Messages {
			if err := b.SetString(tag, m.ID, m.Translation); err != nil {
				panic(fmt.Sprintf("locales/%s: %q: %v", tag, m.ID, err))
			}
		}
	}
	return b
}

// Locale prints chrome in one language. The zero Locale is English, so a
// page struct built without one still renders.
type Locale struct {
	p    *message.Printer
	code string // "en", "ko": the catalog language chosen
}

var locales = func() map[language.Tag]Locale {
	m := map[language.Tag]Locale{}
	for _, t := range chromeLangs {
		m[t] = Locale{p: message.NewPrinter(t, message.Catalog(chromeCatalog)), code: t.String()}
	}
	return m
}()

// localeFor matches a BCP 47 tag ("ko", "ko-KR", "en-GB", "") to the
// catalog's languages.
func localeFor(lang string) Locale {
	t, err := language.Parse(lang)
	if err != nil {
		return locales[language.English]
	}
	_, i, conf := chromeMatcher.Match(t)
	if conf == language.No {
		return locales[language.English]
	}
	return locales[chromeLangs[i]]
}

func (l Locale) printer() *message.Printer {
	if l.p == nil {
		return locales[language.English].p
	}
	return l.p
}

// T translates key, formatting args with the language's number rules.
func (l Locale) T(key string, args ...any) string { return l.printer().Sprintf(key, args...) }

// Code is the catalog language of the chrome ("en", "ko").
func (l Locale) Code() string {
	if l.code == "" {
		return "en"
	}
	return l.code
}

// Date layouts, translated like any other message (Korean writes
// 2020년 6월 13일).
const (
	layoutLong  = "January 2, 2006 15:04 MST"
	layoutShort = "Jan 2, 2006"
	layoutMonth = "January 2006"
	layoutDay   = "January 2, 2006"
)

// Format writes t with a layout translated into the locale's language.
func (l Locale) Format(t time.Time, layout string) string { return t.Format(l.T(layout)) }

// readingMinutes estimates the reading time of a story's text: about 230
// words a minute in alphabetic scripts, 500 characters a minute in
// Korean, Chinese and Japanese (which a word count undercounts), rounded,
// at least one minute.
func readingMinutes(text string) int {
	words, cjk := 0, 0
	inWord := false
	for _, r := range text {
		switch {
		case isCJK(r):
			cjk++
			inWord = false
		case r == ' ' || r == '\n' || r == '\t':
			inWord = false
		default:
			if !inWord {
				words++
			}
			inWord = true
		}
	}
	return max(int(math.Round(float64(words)/230+float64(cjk)/500)), 1)
}

func isCJK(r rune) bool {
	return (r >= 0xAC00 && r <= 0xD7A3) || (r >= 0x1100 && r <= 0x11FF) || (r >= 0x3130 && r <= 0x318F) ||
		(r >= 0x4E00 && r <= 0x9FFF) || (r >= 0x3040 && r <= 0x30FF)
}
