package site

import (
	"context"
	"encoding/json"
	"html/template"
	"time"

	"masthead/internal/news"
)

// JSON-LD as typed structs marshalled by encoding/json: every value is
// escaped correctly (json.Marshal turns < > & into \u003c..., so nothing can
// close the <script> element early), and the fields are checked by the
// compiler rather than by string concatenation.

const schemaContext = "https://schema.org"

type ldThing struct {
	Type string `json:"@type"`
	ID   string `json:"@id,omitempty"`
}

type ldImage struct {
	Type   string `json:"@type"`
	URL    string `json:"url"`
	Width  int    `json:"width,omitempty"`
	Height int    `json:"height,omitempty"`
}

type ldPerson struct {
	Context  string   `json:"@context,omitempty"`
	Type     string   `json:"@type"`
	Name     string   `json:"name"`
	URL      string   `json:"url,omitempty"`
	JobTitle string   `json:"jobTitle,omitempty"`
	Image    string   `json:"image,omitempty"`
	SameAs   []string `json:"sameAs,omitempty"`
}

// ldProfilePage is an author page: the Person it is about, with their
// profiles elsewhere (sameAs).
type ldProfilePage struct {
	Context    string   `json:"@context"`
	Type       string   `json:"@type"`
	URL        string   `json:"url"`
	MainEntity ldPerson `json:"mainEntity"`
}

type ldOrganization struct {
	Context string   `json:"@context,omitempty"`
	Type    string   `json:"@type"`
	Name    string   `json:"name"`
	URL     string   `json:"url"`
	Logo    *ldImage `json:"logo,omitempty"`
}

type ldCorrection struct {
	Type          string `json:"@type"`
	Text          string `json:"text"`
	DatePublished string `json:"datePublished"`
}

type ldNewsArticle struct {
	Context          string         `json:"@context"`
	Type             string         `json:"@type"`
	MainEntityOfPage ldThing        `json:"mainEntityOfPage"`
	URL              string         `json:"url"`
	Headline         string         `json:"headline"`
	Description      string         `json:"description,omitempty"`
	Image            []string       `json:"image,omitempty"`
	DatePublished    string         `json:"datePublished"`
	DateModified     string         `json:"dateModified"`
	Author           []ldPerson     `json:"author,omitempty"`
	Publisher        ldOrganization `json:"publisher"`
	ArticleSection   string         `json:"articleSection,omitempty"`
	Keywords         []string       `json:"keywords,omitempty"`
	InLanguage       string         `json:"inLanguage,omitempty"`
	Correction       []ldCorrection `json:"correction,omitempty"`
}

type ldListItem struct {
	Type     string `json:"@type"`
	Position int    `json:"position"`
	Name     string `json:"name"`
	Item     string `json:"item,omitempty"`
}

type ldBreadcrumbList struct {
	Context         string       `json:"@context"`
	Type            string       `json:"@type"`
	ItemListElement []ldListItem `json:"itemListElement"`
}

type ldEntryPoint struct {
	Type        string `json:"@type"`
	URLTemplate string `json:"urlTemplate"`
}

type ldSearchAction struct {
	Type       string       `json:"@type"`
	Target     ldEntryPoint `json:"target"`
	QueryInput string       `json:"query-input"`
}

type ldWebSite struct {
	Context         string          `json:"@context"`
	Type            string          `json:"@type"`
	Name            string          `json:"name"`
	URL             string          `json:"url"`
	InLanguage      string          `json:"inLanguage,omitempty"`
	PotentialAction *ldSearchAction `json:"potentialAction,omitempty"`
}

func jsonLD(v any) template.JS {
	b, err := json.Marshal(v)
	if err != nil {
		// Only plain strings, ints and slices above: cannot fail.
		panic(err)
	}
	return template.JS(b)
}

func (s *Site) publisher() ldOrganization {
	return ldOrganization{
		Type: "NewsMediaOrganization",
		Name: s.paper().Name,
		URL:  s.paper().AbsURL("/"),
		Logo: &ldImage{Type: "ImageObject", URL: s.paper().AbsURL(s.assets.Logo), Width: 512, Height: 512},
	}
}

func isoTime(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.RFC3339) }

// articleLD is the NewsArticle and BreadcrumbList of a story.
func (s *Site) articleLD(ctx context.Context, a *news.Article, desc string, trail []*news.Section) []template.JS {
	loc := s.paper().Loc()
	u := s.paper().AbsURL(s.paper().ArticlePath(a))
	na := ldNewsArticle{
		Context:          schemaContext,
		Type:             "NewsArticle",
		MainEntityOfPage: ldThing{Type: "WebPage", ID: u},
		URL:              u,
		Headline:         a.Headline,
		Description:      desc,
		DatePublished:    isoTime(a.PublishedAt, loc),
		DateModified:     isoTime(a.LastModified(), loc),
		Publisher:        s.publisher(),
		InLanguage:       a.Lang,
	}
	if na.InLanguage == "" {
		na.InLanguage = s.paper().Language
	}
	// The crops Google asks for (16:9, 4:3, 1:1, 1200 pixels wide where
	// the photo allows), made around the focal point by internal/media;
	// for a story without a photo, the paper's share image or logo.
	na.Image = s.ldImages(ctx, a.Photo)
	if s.paper().LogoPhotoID != 0 {
		na.Publisher.Logo = &ldImage{Type: "ImageObject", URL: s.logoURL(ctx)}
	}
	for _, au := range a.Authors {
		na.Author = append(na.Author, ldPerson{Type: "Person", Name: au.Name, URL: s.paper().AbsURL(s.paper().AuthorPath(au))})
	}
	if a.Section != nil {
		na.ArticleSection = a.Section.Name
	}
	for _, t := range a.Tags {
		na.Keywords = append(na.Keywords, t.Name)
	}
	for _, c := range a.Corrections {
		na.Correction = append(na.Correction, ldCorrection{Type: "CorrectionComment", Text: c.Text, DatePublished: isoTime(c.CreatedAt, loc)})
	}
	bc := ldBreadcrumbList{Context: schemaContext, Type: "BreadcrumbList"}
	bc.ItemListElement = append(bc.ItemListElement, ldListItem{Type: "ListItem", Position: 1, Name: s.paper().Name, Item: s.paper().AbsURL("/")})
	for _, sec := range trail {
		bc.ItemListElement = append(bc.ItemListElement, ldListItem{Type: "ListItem", Position: len(bc.ItemListElement) + 1, Name: sec.Name, Item: s.paper().AbsURL(s.paper().SectionPath(sec))})
	}
	bc.ItemListElement = append(bc.ItemListElement, ldListItem{Type: "ListItem", Position: len(bc.ItemListElement) + 1, Name: a.Headline, Item: u})
	return []template.JS{jsonLD(na), jsonLD(bc)}
}

// breadcrumbLD is the BreadcrumbList of a page's visible trail; the last
// crumb, the page itself, has no link and takes the canonical URL.
func (s *Site) breadcrumbLD(crumbs []Link, canonical string) template.JS {
	bc := ldBreadcrumbList{Context: schemaContext, Type: "BreadcrumbList"}
	for i, c := range crumbs {
		item := canonical
		if c.URL != "" {
			item = s.paper().AbsURL(c.URL)
		}
		name := c.Name
		if i == 0 {
			name = s.paper().Name
		}
		bc.ItemListElement = append(bc.ItemListElement, ldListItem{Type: "ListItem", Position: i + 1, Name: name, Item: item})
	}
	return jsonLD(bc)
}

// frontLD is the Organization and WebSite of the front page.
func (s *Site) frontLD() []template.JS {
	org := s.publisher()
	org.Context = schemaContext
	site := ldWebSite{
		Context:    schemaContext,
		Type:       "WebSite",
		Name:       s.paper().Name,
		URL:        s.paper().AbsURL("/"),
		InLanguage: s.paper().Language,
		PotentialAction: &ldSearchAction{
			Type:       "SearchAction",
			Target:     ldEntryPoint{Type: "EntryPoint", URLTemplate: s.paper().AbsURL("/search") + "?q={search_term_string}"},
			QueryInput: "required name=search_term_string",
		},
	}
	return []template.JS{jsonLD(org), jsonLD(site)}
}
