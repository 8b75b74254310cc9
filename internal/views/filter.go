package views

import (
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"

	agents "github.com/monperrus/crawler-user-agents"
)

// extraBots are user-agent fragments (matched case-insensitively) of
// fetchers that the maintained crawler list does not cover. TestExtraBots
// fails when the list learns one of them, so this stays a list of gaps,
// not a second hand-kept regex.
var extraBots = []string{
	// KakaoTalk's link-preview scraper: "kakaotalk-scrap/1.0".
	"kakaotalk-scrap",
	// Daum's older crawler name; the list knows only "Daum/".
	"daumoa",
}

// uaVerdicts caches isBot per user agent. Readers' browsers share a few
// thousand user-agent strings, and matching one against the crawler list
// costs microseconds, the largest part of a beacon's work; a cache hit is a
// lock-free map read. It is bounded: when full it starts afresh, so a flood
// of made-up agents costs only what it would without the cache.
type uaVerdicts struct {
	m atomic.Pointer[sync.Map]
	n atomic.Int64
}

const (
	uaCacheLimit  = 10_000
	uaCacheMaxLen = 512 // longer agents are judged each time, not kept
)

func (v *uaVerdicts) isBot(ua string) bool {
	m := v.m.Load()
	if m == nil {
		v.m.CompareAndSwap(nil, new(sync.Map))
		m = v.m.Load()
	}
	if bot, ok := m.Load(ua); ok {
		return bot.(bool)
	}
	bot := isBot(ua)
	if len(ua) <= uaCacheMaxLen {
		if v.n.Add(1) > uaCacheLimit {
			v.m.Store(new(sync.Map))
			v.n.Store(0)
		}
		// strings.Clone: the key must not pin the request's header memory.
		m.Store(strings.Clone(ua), bot)
	}
	return bot
}

// isBot reports whether ua is a crawler, a link-preview fetcher or a
// headless browser, or missing altogether (real browsers always send one).
func isBot(ua string) bool {
	if strings.TrimSpace(ua) == "" {
		return true
	}
	if agents.IsCrawler(ua) {
		return true
	}
	for _, b := range extraBots {
		if containsFold(ua, b) {
			return true
		}
	}
	return false
}

// containsFold reports whether s contains substr (lower-case ASCII that
// starts with a letter),
// ignoring ASCII case, without allocating.
func containsFold(s, substr string) bool {
	n := len(substr)
	if n == 0 {
		return true
	}
	first := substr[0] // lower case
	for i := 0; i+n <= len(s); i++ {
		if s[i]|0x20 == first && strings.EqualFold(s[i:i+n], substr) {
			return true
		}
	}
	return false
}

// isPrefetch reports whether the request is a speculative load (prefetch,
// prerender, a browser's top-sites preview) rather than a reader.
func isPrefetch(h http.Header) bool {
	// Canonical keys indexed directly: no canonicalisation per request.
	for _, name := range [...]string{"Sec-Purpose", "Purpose", "X-Purpose", "X-Moz"} {
		for _, v := range h[name] {
			if containsFold(v, "prefetch") || containsFold(v, "prerender") || containsFold(v, "preview") {
				return true
			}
		}
	}
	return false
}

// clientAddr returns the address of the reader behind r. The connection's
// own address is the answer unless it belongs to a trusted proxy; then the
// forwarding headers are read from the right, skipping our own proxies, and
// the first hop we do not trust is the client (everything left of it may
// be forged). X-Forwarded-For wins over Forwarded when both are present,
// because nearly every proxy appends the former: configure a proxy that
// only speaks Forwarded to also overwrite X-Forwarded-For.
func clientAddr(r *http.Request, trusted []netip.Prefix) netip.Addr {
	remote := parseHost(r.RemoteAddr)
	if !remote.IsValid() || !isTrusted(remote, trusted) {
		return remote
	}
	var hops []string
	if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
		for _, line := range xff {
			for h := range strings.SplitSeq(line, ",") {
				hops = append(hops, strings.TrimSpace(h))
			}
		}
	} else if fwd := r.Header.Values("Forwarded"); len(fwd) > 0 {
		hops = forwardedFor(fwd)
	}
	client := remote
	for i := len(hops) - 1; i >= 0; i-- {
		a := parseHost(hops[i])
		if !a.IsValid() {
			// A hop our proxy could not name ("unknown", obfuscated):
			// the last address we trust is the best we know.
			break
		}
		client = a
		if !isTrusted(a, trusted) {
			break
		}
	}
	return client
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseHost parses "1.2.3.4", "1.2.3.4:80", "::1", "[::1]:80" or "[::1]"
// and returns the address unmapped (::ffff:1.2.3.4 is 1.2.3.4), or the zero
// Addr.
func parseHost(s string) netip.Addr {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone("")
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone("")
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		if a, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil {
			return a.Unmap().WithZone("")
		}
	}
	return netip.Addr{}
}

// forwardedFor returns the for= values of RFC 7239 Forwarded headers, in
// order, quotes removed ("unknown" and obfuscated names included, so the
// caller sees where the chain breaks).
func forwardedFor(lines []string) []string {
	var out []string
	for _, line := range lines {
		for elem := range strings.SplitSeq(line, ",") {
			for pair := range strings.SplitSeq(elem, ";") {
				k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
				if !ok || !strings.EqualFold(strings.TrimSpace(k), "for") {
					continue
				}
				v = strings.TrimSpace(v)
				if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
					v = v[1 : len(v)-1]
				}
				out = append(out, v)
			}
		}
	}
	return out
}
