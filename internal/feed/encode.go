package feed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"time"
)

// Namespaces of the RSS extensions we use.
const (
	nsAtom    = "http://www.w3.org/2005/Atom"
	nsContent = "http://purl.org/rss/1.0/modules/content/"
	nsDC      = "http://purl.org/dc/elements/1.1/"
	nsMedia   = "http://search.yahoo.com/mrss/"
)

// encoding/xml does not manage namespace prefixes when marshalling, so the
// prefixed names are spelled out in the tags and the prefixes declared on
// the root element. The encoder still escapes every value.
type rssDoc struct {
	XMLName   xml.Name   `xml:"rss"`
	Version   string     `xml:"version,attr"`
	NSAtom    string     `xml:"xmlns:atom,attr"`
	NSContent string     `xml:"xmlns:content,attr"`
	NSDC      string     `xml:"xmlns:dc,attr"`
	NSMedia   string     `xml:"xmlns:media,attr"`
	Channel   rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language,omitempty"`
	LastBuildDate string    `xml:"lastBuildDate,omitempty"`
	AtomLink      rssAtom   `xml:"atom:link"`
	Items         []rssItem `xml:"item"`
}

type rssAtom struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type rssItem struct {
	Title       string        `xml:"title"`
	Link        string        `xml:"link"`
	GUID        rssGUID       `xml:"guid"`
	PubDate     string        `xml:"pubDate"`
	Creators    []string      `xml:"dc:creator"`
	Categories  []string      `xml:"category"`
	Description string        `xml:"description"`
	Content     *cdata        `xml:"content:encoded"`
	Enclosure   *rssEnclosure `xml:"enclosure"`
	Media       *mediaContent `xml:"media:content"`
}

type rssGUID struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

type cdata struct {
	Value string `xml:",cdata"`
}

type rssEnclosure struct {
	URL string `xml:"url,attr"`
	// Length is required by RSS 2.0; the byte size of a rendition is not
	// known here, and the RSS Best Practices Profile says to use 0 then.
	Length string `xml:"length,attr"`
	Type   string `xml:"type,attr"`
}

type mediaContent struct {
	URL         string     `xml:"url,attr"`
	Medium      string     `xml:"medium,attr"`
	Type        string     `xml:"type,attr"`
	Width       int        `xml:"width,attr,omitempty"`
	Height      int        `xml:"height,attr,omitempty"`
	Description *mediaText `xml:"media:description"`
	Credit      string     `xml:"media:credit,omitempty"`
}

type mediaText struct {
	Type  string `xml:"type,attr"`
	Value string `xml:",chardata"`
}

// textAsHTML escapes plain text for an RSS description, which RSS defines as
// (entity-encoded) HTML: "a < b" must reach the reader as text, not as a tag.
var textAsHTML = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func encodeRSS(ch *channel) ([]byte, error) {
	doc := rssDoc{
		Version: "2.0", NSAtom: nsAtom, NSContent: nsContent, NSDC: nsDC, NSMedia: nsMedia,
		Channel: rssChannel{
			Title:         ch.Title,
			Link:          ch.HomeURL,
			Description:   ch.Description,
			Language:      ch.Language,
			LastBuildDate: orEpoch(ch.Updated).Format(time.RFC1123Z),
			AtomLink:      rssAtom{Href: ch.RSSURL, Rel: "self", Type: "application/rss+xml"},
		},
	}
	for _, it := range ch.Items {
		ri := rssItem{
			Title:       it.Title,
			Link:        it.URL,
			GUID:        rssGUID{IsPermaLink: "false", Value: it.ID},
			PubDate:     it.Published.Format(time.RFC1123Z),
			Categories:  it.Categories,
			Description: textAsHTML.Replace(it.Summary),
		}
		for _, a := range it.Authors {
			ri.Creators = append(ri.Creators, a.Name)
		}
		if it.ContentHTML != "" {
			ri.Content = &cdata{it.ContentHTML}
		}
		if img := it.Image; img != nil {
			ri.Enclosure = &rssEnclosure{URL: img.URL, Length: "0", Type: img.Type}
			ri.Media = &mediaContent{URL: img.URL, Medium: "image", Type: img.Type, Width: img.Width, Height: img.Height, Credit: img.Credit}
			if d := firstNonEmpty(img.Caption, img.Alt); d != "" {
				ri.Media.Description = &mediaText{Type: "plain", Value: d}
			}
		}
		doc.Channel.Items = append(doc.Channel.Items, ri)
	}
	return marshalXML(doc)
}

type atomFeed struct {
	XMLName  xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang     string      `xml:"xml:lang,attr,omitempty"`
	Title    string      `xml:"title"`
	Subtitle string      `xml:"subtitle,omitempty"`
	ID       string      `xml:"id"`
	Links    []atomLink  `xml:"link"`
	Updated  string      `xml:"updated"`
	Author   atomPerson  `xml:"author"`
	Entries  []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel    string `xml:"rel,attr,omitempty"`
	Type   string `xml:"type,attr,omitempty"`
	Href   string `xml:"href,attr"`
	Length string `xml:"length,attr,omitempty"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

type atomEntry struct {
	Lang       string         `xml:"xml:lang,attr,omitempty"`
	Title      string         `xml:"title"`
	ID         string         `xml:"id"`
	Links      []atomLink     `xml:"link"`
	Published  string         `xml:"published"`
	Updated    string         `xml:"updated"`
	Authors    []atomPerson   `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Summary    *atomText      `xml:"summary"`
	Content    *atomHTML      `xml:"content"`
}

type atomText struct {
	Type  string `xml:"type,attr"`
	Value string `xml:",chardata"`
}

type atomHTML struct {
	Type  string `xml:"type,attr"`
	Value string `xml:",cdata"`
}

func encodeAtom(ch *channel) ([]byte, error) {
	f := atomFeed{
		Lang:     ch.Language,
		Title:    ch.Title,
		Subtitle: ch.Description,
		// The feed's own address is its permanent ID (RFC 4287 4.2.6).
		ID: ch.AtomURL,
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: ch.AtomURL},
			{Rel: "alternate", Type: "text/html", Href: ch.HomeURL},
		},
		Updated: orEpoch(ch.Updated).Format(time.RFC3339),
		// A feed-level author makes every entry valid even when a story
		// has no byline (RFC 4287 4.1.1).
		Author: atomPerson{Name: ch.Title},
	}
	for _, it := range ch.Items {
		e := atomEntry{
			Title:     it.Title,
			ID:        it.ID,
			Links:     []atomLink{{Rel: "alternate", Type: "text/html", Href: it.URL}},
			Published: it.Published.Format(time.RFC3339),
			Updated:   it.Updated.Format(time.RFC3339),
		}
		if it.Lang != "" && it.Lang != ch.Language {
			e.Lang = it.Lang
		}
		for _, a := range it.Authors {
			e.Authors = append(e.Authors, atomPerson{Name: a.Name, URI: a.URL})
		}
		for _, c := range it.Categories {
			e.Categories = append(e.Categories, atomCategory{Term: c})
		}
		if it.Summary != "" {
			e.Summary = &atomText{Type: "text", Value: it.Summary}
		}
		if it.ContentHTML != "" {
			e.Content = &atomHTML{Type: "html", Value: it.ContentHTML}
		}
		if img := it.Image; img != nil {
			e.Links = append(e.Links, atomLink{Rel: "enclosure", Type: img.Type, Href: img.URL})
		}
		f.Entries = append(f.Entries, e)
	}
	return marshalXML(f)
}

func marshalXML(v any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// JSON Feed 1.1, https://www.jsonfeed.org/version/1.1/
type jsonFeed struct {
	Version     string       `json:"version"`
	Title       string       `json:"title"`
	HomePageURL string       `json:"home_page_url"`
	FeedURL     string       `json:"feed_url"`
	Description string       `json:"description,omitempty"`
	Language    string       `json:"language,omitempty"`
	Authors     []jsonAuthor `json:"authors,omitempty"`
	Items       []jsonItem   `json:"items"`
}

type jsonAuthor struct {
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

type jsonItem struct {
	ID            string       `json:"id"`
	URL           string       `json:"url"`
	Title         string       `json:"title"`
	ContentHTML   string       `json:"content_html,omitempty"`
	ContentText   string       `json:"content_text,omitempty"`
	Summary       string       `json:"summary,omitempty"`
	Image         string       `json:"image,omitempty"`
	DatePublished string       `json:"date_published"`
	DateModified  string       `json:"date_modified"`
	Authors       []jsonAuthor `json:"authors,omitempty"`
	Tags          []string     `json:"tags,omitempty"`
	Language      string       `json:"language,omitempty"`
}

func encodeJSON(ch *channel) ([]byte, error) {
	f := jsonFeed{
		Version:     "https://jsonfeed.org/version/1.1",
		Title:       ch.Title,
		HomePageURL: ch.HomeURL,
		FeedURL:     ch.JSONURL,
		Description: ch.Description,
		Language:    ch.Language,
		Items:       []jsonItem{}, // "items" is required even when empty
	}
	for _, it := range ch.Items {
		ji := jsonItem{
			ID:            it.ID,
			URL:           it.URL,
			Title:         it.Title,
			DatePublished: it.Published.Format(time.RFC3339),
			DateModified:  it.Updated.Format(time.RFC3339),
			Tags:          it.Categories,
			Language:      it.Lang,
		}
		// JSON Feed requires content_html or content_text; summaries are
		// plain text.
		if it.ContentHTML != "" {
			ji.ContentHTML, ji.Summary = it.ContentHTML, it.Summary
		} else {
			ji.ContentText = it.Summary
		}
		if it.Image != nil {
			ji.Image = it.Image.URL
		}
		for _, a := range it.Authors {
			ji.Authors = append(ji.Authors, jsonAuthor{Name: a.Name, URL: a.URL})
		}
		f.Items = append(f.Items, ji)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func orEpoch(t time.Time) time.Time {
	if t.IsZero() {
		return epoch
	}
	return t.UTC()
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
