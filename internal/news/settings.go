package news

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// PaperSettingsKey is the setting that holds the paper settings the
// newsroom edits (JSON of PaperSettings).
const PaperSettingsKey = "paper_settings"

// FrontPageKey is the setting holding the curated front page: a JSON array
// of story IDs, e.g. [12,5,9]. The first is the lead, the rest the top
// stories in order; the site fills the page after them with the newest
// public stories, skipping any that are not (or no longer) public. Its
// writes announce Change.Front.
const FrontPageKey = "frontpage"

// Link is a labelled address: a navigation or footer entry.
type Link struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// PaperSettings are the paper's settings as the newsroom stores them. A
// zero field is unset: the command line's flag (or its default) applies.
// A flag given explicitly (or its MASTHEAD_ variable) overrides a stored
// setting.
type PaperSettings struct {
	Name        string `json:"name,omitempty"`
	Tagline     string `json:"tagline,omitempty"`
	LogoPhotoID int64  `json:"logo_photo_id,omitempty"`
	// ShareImagePhotoID is the picture shown for stories and pages
	// without a photo of their own (og:image, JSON-LD image).
	ShareImagePhotoID int64  `json:"share_image_photo_id,omitempty"`
	TimeZone          string `json:"time_zone,omitempty"`
	// Languages the paper publishes in, the default first (BCP 47).
	Languages     []string `json:"languages,omitempty"`
	Nav           []Link   `json:"nav,omitempty"`
	Footer        []Link   `json:"footer,omitempty"`
	KakaoAppKey   string   `json:"kakao_app_key,omitempty"`
	FullTextFeeds *bool    `json:"full_text_feeds,omitempty"`
}

// ParsePaperSettings reads the stored JSON ("" is no settings).
func ParsePaperSettings(s string) (PaperSettings, error) {
	var ps PaperSettings
	if strings.TrimSpace(s) == "" {
		return ps, nil
	}
	if err := json.Unmarshal([]byte(s), &ps); err != nil {
		return ps, fmt.Errorf("paper settings: %w", err)
	}
	return ps, nil
}

// Validate checks the settings as the newsroom's form sends them.
func (ps *PaperSettings) Validate() error {
	if len(ps.Name) > 200 || len(ps.Tagline) > 300 {
		return Errorf(EINVALID, "The name is at most 200 characters, the tagline 300.")
	}
	if ps.TimeZone != "" {
		if _, err := time.LoadLocation(ps.TimeZone); err != nil {
			return Errorf(EINVALID, "%q is not a time zone (an IANA name such as Asia/Seoul).", ps.TimeZone)
		}
	}
	for _, l := range ps.Languages {
		if !validLang(l) {
			return Errorf(EINVALID, "%q is not a language tag (en, ko, zh-Hant…).", l)
		}
	}
	for _, group := range [][]Link{ps.Nav, ps.Footer} {
		if len(group) > 30 {
			return Errorf(EINVALID, "At most 30 links in a menu.")
		}
		for _, l := range group {
			if l.Label == "" || len(l.Label) > 100 {
				return Errorf(EINVALID, "Each link needs a label of at most 100 characters.")
			}
			u, err := url.Parse(l.URL)
			if err != nil || !(strings.HasPrefix(l.URL, "/") && !strings.HasPrefix(l.URL, "//") || u.Scheme == "https" || u.Scheme == "http" || u.Scheme == "mailto") {
				return Errorf(EINVALID, "%q: a link is a path on the site (/section/…) or an http(s) or mailto address.", l.URL)
			}
		}
	}
	if len(ps.KakaoAppKey) > 100 || strings.ContainsAny(ps.KakaoAppKey, ` "'<>\`) {
		return Errorf(EINVALID, "That is not a Kakao app key.")
	}
	return nil
}

func validLang(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts[0]) < 2 || len(parts[0]) > 3 {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 8 {
			return false
		}
		for _, r := range p {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				return false
			}
		}
	}
	return true
}

// Apply puts the set fields on p, except those keep names (the flags given
// explicitly: "paper-name", "timezone", "language", "kakao-app-key",
// "full-text-feeds").
func (ps PaperSettings) Apply(p *Paper, keep func(flag string) bool) error {
	if ps.Name != "" && !keep("paper-name") {
		p.Name = ps.Name
	}
	if ps.Tagline != "" {
		p.Tagline = ps.Tagline
	}
	if ps.TimeZone != "" && !keep("timezone") {
		loc, err := time.LoadLocation(ps.TimeZone)
		if err != nil {
			return fmt.Errorf("paper settings: time zone %q: %w", ps.TimeZone, err)
		}
		p.Location = loc
	}
	if len(ps.Languages) > 0 {
		p.Languages = ps.Languages
		if !keep("language") {
			p.Language = ps.Languages[0]
		}
	}
	if ps.KakaoAppKey != "" && !keep("kakao-app-key") {
		p.KakaoAppKey = ps.KakaoAppKey
	}
	if ps.FullTextFeeds != nil && !keep("full-text-feeds") {
		p.FullTextFeeds = *ps.FullTextFeeds
	}
	p.Nav, p.Footer, p.LogoPhotoID, p.ShareImagePhotoID = ps.Nav, ps.Footer, ps.LogoPhotoID, ps.ShareImagePhotoID
	return nil
}
