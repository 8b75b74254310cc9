package httpx

import (
	"net/http"
	"net/netip"
	"strings"
)

// ClientAddr returns the address of the client behind r. The connection's
// own address is the answer unless it belongs to a trusted proxy; then the
// forwarding headers are read from the right, skipping our own proxies, and
// the first hop we do not trust is the client (everything left of it may
// be forged). X-Forwarded-For wins over Forwarded when both are present,
// because nearly every proxy appends the former: configure a proxy that
// only speaks Forwarded to also overwrite X-Forwarded-For.
func ClientAddr(r *http.Request, trusted []netip.Prefix) netip.Addr {
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

// ClientPrefix is the part of an address that stands for one client: the
// whole IPv4 address, or the /64 of an IPv6 one, since a device rotates its
// privacy addresses within its /64 many times a day.
func ClientPrefix(a netip.Addr) netip.Addr {
	if a.Is4() {
		return a
	}
	p, err := a.Prefix(64)
	if err != nil {
		return a
	}
	return p.Addr()
}
