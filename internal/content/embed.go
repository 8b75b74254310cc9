package content

import (
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Embed is a post of another site shown in a story: a YouTube video, a
// post on X or on Instagram. A story stores it as a link card (figure.embed
// with the provider and the post's id); the reader's browser loads the
// provider's frame only after the reader agrees, so no third-party script
// or frame is on the page by default.
type Embed struct {
	Provider string // "youtube", "x", "instagram"
	ID       string // the video or post id: checked, safe in a URL path
	URL      string // the canonical address of the post
	Caption  string
}

// Providers' ids: exact shapes, so data-id is safe to put in a frame URL.
var (
	youtubeID   = regexp.MustCompile(`^[A-Za-z0-9_-]{11}$`)
	xUser       = regexp.MustCompile(`^[A-Za-z0-9_]{1,15}$`)
	xID         = regexp.MustCompile(`^[0-9]{1,20}$`)
	instagramID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
)

// EmbedOf recognises the address of a YouTube video, an X (Twitter) post or
// an Instagram post, in any of the forms people paste (watch, youtu.be,
// embed and shorts links; twitter.com, x.com and mobile links; /p/, /reel/
// and /tv/ links, with or without /embed), and returns it in canonical form.
func EmbedOf(raw string) (Embed, bool) {
	raw = strings.TrimSpace(raw)
	if strings.HasPrefix(raw, "//") {
		raw = "https:" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return Embed{}, false
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	host = strings.TrimPrefix(host, "m.")
	parts := strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' })
	switch host {
	case "youtube.com", "youtube-nocookie.com", "music.youtube.com":
		id := ""
		switch {
		case len(parts) == 1 && parts[0] == "watch":
			id = u.Query().Get("v")
		case len(parts) == 2 && (parts[0] == "embed" || parts[0] == "shorts" || parts[0] == "live" || parts[0] == "v"):
			id = parts[1]
		}
		if youtubeID.MatchString(id) {
			return Embed{Provider: "youtube", ID: id, URL: "https://www.youtube.com/watch?v=" + id}, true
		}
	case "youtu.be":
		if len(parts) == 1 && youtubeID.MatchString(parts[0]) {
			return Embed{Provider: "youtube", ID: parts[0], URL: "https://www.youtube.com/watch?v=" + parts[0]}, true
		}
	case "twitter.com", "x.com", "mobile.twitter.com", "mobile.x.com":
		// /USER/status/ID[/photo/1], /i/status/ID, /i/web/status/ID
		if len(parts) >= 3 && (parts[1] == "status" || parts[1] == "statuses") && xUser.MatchString(parts[0]) && xID.MatchString(parts[2]) {
			return Embed{Provider: "x", ID: parts[2], URL: "https://x.com/" + parts[0] + "/status/" + parts[2]}, true
		}
		if len(parts) >= 4 && parts[0] == "i" && parts[1] == "web" && parts[2] == "status" && xID.MatchString(parts[3]) {
			return Embed{Provider: "x", ID: parts[3], URL: "https://x.com/i/status/" + parts[3]}, true
		}
	case "platform.twitter.com":
		// The frame a consented embed shows: embed/Tweet.html?id=ID.
		if id := u.Query().Get("id"); strings.HasSuffix(u.Path, "/Tweet.html") && xID.MatchString(id) {
			return Embed{Provider: "x", ID: id, URL: "https://x.com/i/status/" + id}, true
		}
	case "instagram.com", "instagr.am":
		if len(parts) >= 2 && (parts[0] == "p" || parts[0] == "reel" || parts[0] == "tv") && instagramID.MatchString(parts[1]) {
			return Embed{Provider: "instagram", ID: parts[1], URL: "https://www.instagram.com/" + parts[0] + "/" + parts[1] + "/"}, true
		}
	}
	return Embed{}, false
}

// Label is the link text of the card: who hosts the post and where.
func (e Embed) Label() string {
	where := strings.TrimPrefix(strings.TrimPrefix(e.URL, "https://"), "www.")
	return e.ProviderName() + ": " + where
}

// ProviderName is the provider as readers know it.
func (e Embed) ProviderName() string {
	switch e.Provider {
	case "youtube":
		return "YouTube video"
	case "x":
		return "Post on X"
	case "instagram":
		return "Instagram post"
	}
	return "Link"
}

// FrameURL is the address of the provider's frame, loaded only once the
// reader consents (the reader site's script builds the same address).
func (e Embed) FrameURL() string {
	switch e.Provider {
	case "youtube":
		return "https://www.youtube-nocookie.com/embed/" + e.ID
	case "x":
		return "https://platform.twitter.com/embed/Tweet.html?id=" + e.ID
	case "instagram":
		return "https://www.instagram.com/p/" + e.ID + "/embed/"
	}
	return ""
}

// FrameOrigins are the origins a reader page must allow as frame-src for
// consented embeds, and nothing else.
var FrameOrigins = []string{"https://www.youtube-nocookie.com", "https://platform.twitter.com", "https://www.instagram.com"}

// embedQuote recognises the blockquotes that X's and Instagram's embed
// codes paste (class twitter-tweet or instagram-media, with the post's link
// inside); their script is dropped, the post becomes an embed.
func embedQuote(n *html.Node) (Embed, bool) {
	if !hasClass(n, "twitter-tweet") && !hasClass(n, "instagram-media") && !hasClass(n, "twitter-video") {
		return Embed{}, false
	}
	if e, ok := EmbedOf(attr(n, "data-instgrm-permalink")); ok {
		return e, true
	}
	var found Embed
	ok := false
	find(n, func(c *html.Node) bool {
		if c.DataAtom == atom.A {
			if e, yes := EmbedOf(attr(c, "href")); yes {
				found, ok = e, true
				return true
			}
		}
		return false
	})
	return found, ok
}
