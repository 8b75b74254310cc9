package sitemap

import (
	"bytes"
	"encoding/xml"
)

const (
	nsSitemap = "http://www.sitemaps.org/schemas/sitemap/0.9"
	nsNews    = "http://www.google.com/schemas/sitemap-news/0.9"
	nsImage   = "http://www.google.com/schemas/sitemap-image/1.1"
)

// encoding/xml does not manage prefixes when marshalling, so the extension
// elements carry their prefix in the tag and the root declares it. Element
// order follows the XSDs (loc, lastmod, then the extensions).
type urlSet struct {
	XMLName xml.Name   `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	NSNews  string     `xml:"xmlns:news,attr,omitempty"`
	NSImage string     `xml:"xmlns:image,attr"`
	URLs    []urlEntry `xml:"url"`
}

func newURLSet(withNews bool) *urlSet {
	s := &urlSet{NSImage: nsImage}
	if withNews {
		s.NSNews = nsNews
	}
	return s
}

type urlEntry struct {
	Loc     string       `xml:"loc"`
	LastMod string       `xml:"lastmod,omitempty"`
	News    *newsEntry   `xml:"news:news"`
	Images  []imageEntry `xml:"image:image"`
}

type newsEntry struct {
	Publication     newsPublication `xml:"news:publication"`
	PublicationDate string          `xml:"news:publication_date"`
	Title           string          `xml:"news:title"`
}

type newsPublication struct {
	Name     string `xml:"news:name"`
	Language string `xml:"news:language"`
}

type imageEntry struct {
	Loc string `xml:"image:loc"`
}

type sitemapIndex struct {
	XMLName  xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
	Sitemaps []indexEntry `xml:"sitemap"`
}

type indexEntry struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

func encodeURLSet(s *urlSet) ([]byte, error) { return marshal(s) }

func encodeIndex(entries []indexEntry) ([]byte, error) {
	return marshal(sitemapIndex{Sitemaps: entries})
}

func marshal(v any) ([]byte, error) {
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
