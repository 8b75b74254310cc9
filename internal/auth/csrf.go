package auth

import (
	"net/http"
	"net/url"
	"strings"
)

// CSRFField and CSRFHeader carry the session's CSRF token in forms and in
// script requests.
const (
	CSRFField  = "csrf"
	CSRFHeader = "X-CSRF-Token"
)

// CSRFToken returns the token a request presents: the header first, then
// the form field (ParseMultipartForm/ParseForm must have run for the field
// of a multipart body).
func CSRFToken(r *http.Request) string {
	if t := r.Header.Get(CSRFHeader); t != "" {
		return t
	}
	return r.PostFormValue(CSRFField)
}

// SameOrigin reports whether a state-changing request comes from our own
// pages, by the browser's own word: Sec-Fetch-Site when sent, else Origin
// (compared with the request's host and with baseURL), else Referer. A
// request with none of them (curl, old browsers) passes here and is left to
// the CSRF token, which every such request needs anyway.
func SameOrigin(r *http.Request, baseURL string) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin", "none":
		return true
	case "same-site", "cross-site":
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		ref := r.Header.Get("Referer")
		if ref == "" {
			return true
		}
		u, err := url.Parse(ref)
		if err != nil {
			return false
		}
		origin = u.Scheme + "://" + u.Host
	}
	if origin == "null" {
		return false
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	if b, err := url.Parse(baseURL); err == nil && b.Host != "" && strings.EqualFold(b.Host, u.Host) && b.Scheme == u.Scheme {
		return true
	}
	return false
}
