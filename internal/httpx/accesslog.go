package httpx

import (
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"
)

// AccessLog writes one line per request, formatted straight into a reused
// buffer and handed to its writer with one Write: no allocation, no
// reflection, no slog.Record, as nginx formats its access log. The lines are
// byte for byte what log/slog's TextHandler or JSONHandler would write for
//
//	log.Info("request", "request_id", id, "method", m, "path", p,
//		"status", code, "bytes", n, "duration", d)
//
// so whatever parses masthead's logs parses these (TestAccessLogMatchesSlog).
type AccessLog struct {
	w    io.Writer
	json bool
	bufs sync.Pool
}

// NewAccessLog writes lines to w in format "text" (slog's key=value) or
// "json". w receives each line with a single Write, from any goroutine: it
// must be safe for concurrent use (cmd/masthead's line buffer is).
func NewAccessLog(w io.Writer, format string) *AccessLog {
	l := &AccessLog{w: w, json: format == "json"}
	l.bufs.New = func() any { b := make([]byte, 0, 512); return &b }
	return l
}

// Log writes the line of one request that ended at t.
func (l *AccessLog) Log(t time.Time, id, method, path string, status int, bytes int64, d time.Duration) {
	bp := l.bufs.Get().(*[]byte)
	b := (*bp)[:0]
	if l.json {
		b = appendJSONLine(b, t, id, method, path, status, bytes, d)
	} else {
		b = appendTextLine(b, t, id, method, path, status, bytes, d)
	}
	_, _ = l.w.Write(b)
	if cap(b) <= 16<<10 { // a huge path must not pin a huge buffer
		*bp = b
		l.bufs.Put(bp)
	}
}

func appendTextLine(b []byte, t time.Time, id, method, path string, status int, bytes int64, d time.Duration) []byte {
	b = append(b, "time="...)
	b = appendRFC3339Millis(b, t)
	b = append(b, " level=INFO msg=request request_id="...)
	b = appendTextString(b, id)
	b = append(b, " method="...)
	b = appendTextString(b, method)
	b = append(b, " path="...)
	b = appendTextString(b, path)
	b = append(b, " status="...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, " bytes="...)
	b = strconv.AppendInt(b, bytes, 10)
	b = append(b, " duration="...)
	b = appendDuration(b, d)
	return append(b, '\n')
}

func appendJSONLine(b []byte, t time.Time, id, method, path string, status int, bytes int64, d time.Duration) []byte {
	b = append(b, `{"time":"`...)
	b = appendRFC3339Nano(b, t)
	b = append(b, `","level":"INFO","msg":"request","request_id":"`...)
	b = appendJSONString(b, id)
	b = append(b, `","method":"`...)
	b = appendJSONString(b, method)
	b = append(b, `","path":"`...)
	b = appendJSONString(b, path)
	b = append(b, `","status":`...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, bytes, 10)
	b = append(b, `,"duration":`...)
	b = strconv.AppendInt(b, int64(d), 10)
	return append(b, "}\n"...)
}

// second is a formatted second, as nginx caches its time strings: the
// date, the clock and the zone change once a second, only the fraction
// changes between requests.
type second struct {
	unix int64
	loc  *time.Location
	date []byte // 2006-01-02T15:04:05
	zone []byte // Z or -07:00
}

var lastSecond atomic.Pointer[second]

func formattedSecond(t time.Time) *second {
	s := lastSecond.Load()
	if s != nil && s.unix == t.Unix() && s.loc == t.Location() {
		return s
	}
	s = &second{unix: t.Unix(), loc: t.Location(),
		date: t.AppendFormat(nil, "2006-01-02T15:04:05"), zone: t.AppendFormat(nil, "Z07:00")}
	lastSecond.Store(s)
	return s
}

// appendRFC3339Millis is slog's text time: RFC 3339 with exactly three
// digits of milliseconds.
func appendRFC3339Millis(b []byte, t time.Time) []byte {
	s := formattedSecond(t)
	ms := t.Nanosecond() / 1e6
	b = append(b, s.date...)
	b = append(b, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	return append(b, s.zone...)
}

// appendRFC3339Nano is slog's JSON time, time.RFC3339Nano: the fraction
// without trailing zeros, and none at all on a whole second.
func appendRFC3339Nano(b []byte, t time.Time) []byte {
	s := formattedSecond(t)
	b = append(b, s.date...)
	if ns := t.Nanosecond(); ns != 0 {
		var frac [10]byte
		frac[0] = '.'
		for i := 9; i >= 1; i-- {
			frac[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := 10
		for frac[n-1] == '0' {
			n--
		}
		b = append(b, frac[:n]...)
	}
	return append(b, s.zone...)
}

// appendDuration is time.Duration.String; String is inlined, so the
// string stays on the stack (TestAccessLogAllocates).
func appendDuration(b []byte, d time.Duration) []byte {
	return append(b, d.String()...)
}

// appendTextString writes s as slog's TextHandler does: bare when it is
// safe, otherwise quoted by strconv.
func appendTextString(b []byte, s string) []byte {
	if textNeedsQuoting(s) {
		return strconv.AppendQuote(b, s)
	}
	return append(b, s...)
}

func textNeedsQuoting(s string) bool {
	if len(s) == 0 {
		return true
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c != '\\' && (c == ' ' || c == '=' || !jsonSafe[c]) {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return true
		}
		i += size
	}
	return false
}

// appendJSONString escapes s as slog's JSONHandler does (encoding/json's
// rules without HTML escaping).
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			b = append(b, '\\')
			switch c {
			case '\\', '"':
				b = append(b, c)
			case '\n':
				b = append(b, 'n')
			case '\r':
				b = append(b, 'r')
			case '\t':
				b = append(b, 't')
			default:
				b = append(b, 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(b, s[start:]...)
}

// jsonSafe[c] reports whether ASCII c may stand in a JSON string as it is.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()
