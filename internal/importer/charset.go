package importer

import (
	"bytes"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
)

// maxHeadScan bounds how far into a page the charset is looked for: the
// whole <head> of any real page, but not a multi-megabyte body.
const maxHeadScan = 256 << 10

// pageEncoding decides how to decode an HTML page, in the order a browser
// does (WHATWG "encoding sniffing"), with one difference that matters for
// saved pages: a browser's prescan stops after 1024 bytes and then guesses
// from the locale (windows-1252 here), which garbles every UTF-8 page that
// declares its charset late or not at all ("Yahooâ€™s"). So:
//
//  1. a byte order mark;
//  2. the charset parameter of the HTTP Content-Type, when the page was
//     fetched (contentType; "" for a file);
//  3. a <meta charset> or <meta http-equiv="Content-Type"> anywhere in the
//     head, not just the first 1024 bytes;
//  4. bytes that are valid UTF-8 are UTF-8;
//  5. otherwise the legacy encoding of the page's language (<html lang>),
//     as browsers fall back by locale: EUC-KR for Korean, GB18030 for
//     Chinese, Shift_JIS for Japanese, windows-1252 for the rest.
//
// A declaration that contradicts the bytes is still obeyed, except that a
// page declaring a single-byte or CJK legacy charset whose bytes are valid
// UTF-8 with non-ASCII text is read as UTF-8: servers and CMSs that
// re-encode pages to UTF-8 often leave the old <meta> behind, and valid
// UTF-8 that is really windows-1252 text is vanishingly rare.
func pageEncoding(data []byte, contentType string) (encoding.Encoding, string) {
	for _, b := range []struct {
		bom  []byte
		name string
	}{{[]byte{0xef, 0xbb, 0xbf}, "utf-8"}, {[]byte{0xfe, 0xff}, "utf-16be"}, {[]byte{0xff, 0xfe}, "utf-16le"}} {
		if bytes.HasPrefix(data, b.bom) {
			e, name := charset.Lookup(b.name)
			return e, name
		}
	}
	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		if e, name := charset.Lookup(params["charset"]); e != nil {
			return e, name
		}
	}
	declared, lang := headCharset(data)
	valid := utf8.Valid(data) && hasHighBit(data)
	if declared != "" {
		if e, name := charset.Lookup(declared); e != nil {
			// A page can only declare an ASCII-compatible encoding in
			// ASCII; "utf-16" in a <meta> is a lie (the spec says: UTF-8).
			if strings.HasPrefix(name, "utf-16") {
				return encoding.Nop, "utf-8"
			}
			if name != "utf-8" && valid {
				return encoding.Nop, "utf-8"
			}
			return e, name
		}
	}
	if valid || !hasHighBit(data) {
		return encoding.Nop, "utf-8"
	}
	fallback := "windows-1252"
	switch l := strings.ToLower(lang); {
	case strings.HasPrefix(l, "ko"):
		fallback = "euc-kr"
	case strings.HasPrefix(l, "zh"):
		fallback = "gb18030"
		if strings.Contains(l, "tw") || strings.Contains(l, "hk") || strings.Contains(l, "hant") {
			fallback = "big5"
		}
	case strings.HasPrefix(l, "ja"):
		fallback = "shift_jis"
	case strings.HasPrefix(l, "ru"), strings.HasPrefix(l, "uk"), strings.HasPrefix(l, "bg"):
		fallback = "windows-1251"
	}
	e, name := charset.Lookup(fallback)
	return e, name
}

func hasHighBit(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// headCharset reads the charset a page declares in its head, and the
// language on its <html> element. It tokenizes the raw bytes (every
// charset a page may declare in a <meta> is ASCII-compatible) until the
// body starts.
func headCharset(data []byte) (declared, lang string) {
	if len(data) > maxHeadScan {
		data = data[:maxHeadScan]
	}
	z := html.NewTokenizer(bytes.NewReader(data))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return declared, lang
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch atom.Lookup(name) {
			case atom.Html:
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "lang" && lang == "" {
						lang = string(v)
					}
				}
			case atom.Meta:
				if declared != "" {
					continue
				}
				var httpEquiv, content, cs string
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					switch string(k) {
					case "charset":
						cs = strings.TrimSpace(string(v))
					case "http-equiv":
						httpEquiv = strings.ToLower(strings.TrimSpace(string(v)))
					case "content":
						content = string(v)
					}
				}
				switch {
				case cs != "":
					declared = cs
				case httpEquiv == "content-type":
					if _, params, err := mime.ParseMediaType(content); err == nil && params["charset"] != "" {
						declared = params["charset"]
					} else if i := strings.Index(strings.ToLower(content), "charset="); i >= 0 {
						declared = strings.Trim(content[i+len("charset="):], ` "';`)
					}
				}
			case atom.Body, atom.Article, atom.Main, atom.P, atom.Div:
				// The head is over; a <meta> further down is not the
				// page's declaration.
				return declared, lang
			}
		}
	}
}
