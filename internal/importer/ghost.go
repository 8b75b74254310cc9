package importer

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"masthead/internal/content"
	"masthead/internal/news"
)

// A Ghost export (Settings → Labs → Export) is one JSON document:
// {"db": [{"meta": {"version": "5.x"}, "data": {"posts": [...], "users": [...],
// "tags": [...], "posts_authors": [...], "posts_tags": [...], "posts_meta": [...],
// "settings": [...]}}]}. Ghost 1–4 bodies are mobiledoc, Ghost 5–6 bodies are
// Lexical (with mobiledoc kept for posts written before); both are turned
// into HTML here, the exported "html" column only filling in when neither
// is there. Ghost 2–3 kept meta titles on the post, Ghost 4+ in posts_meta;
// Ghost 1 had one author_id and a "page" flag. All of them are read.

// maxGhostSize bounds a Ghost export: the JSON is decoded whole.
const maxGhostSize = 1 << 30

type ghostExport struct {
	DB   []ghostDB        `json:"db"`
	Meta *json.RawMessage `json:"meta"` // Ghost 0.x/1.x: {"meta", "data"} at the top
	Data *ghostData       `json:"data"`
}

type ghostDB struct {
	Meta struct {
		Version string `json:"version"`
	} `json:"meta"`
	Data ghostData `json:"data"`
}

type ghostData struct {
	Posts        []ghostPost       `json:"posts"`
	PostsMeta    []ghostPostMeta   `json:"posts_meta"`
	Users        []ghostUser       `json:"users"`
	Tags         []ghostTag        `json:"tags"`
	PostsAuthors []ghostPostAuthor `json:"posts_authors"`
	PostsTags    []ghostPostTag    `json:"posts_tags"`
	Settings     []ghostSetting    `json:"settings"`
}

type ghostPost struct {
	ID                  string  `json:"id"`
	Title               string  `json:"title"`
	Slug                string  `json:"slug"`
	Mobiledoc           *string `json:"mobiledoc"`
	Lexical             *string `json:"lexical"`
	HTML                *string `json:"html"`
	FeatureImage        *string `json:"feature_image"`
	Type                string  `json:"type"`
	Page                any     `json:"page"` // Ghost 1–2: true/false or 0/1
	Status              string  `json:"status"`
	Visibility          string  `json:"visibility"`
	CreatedAt           string  `json:"created_at"`
	UpdatedAt           string  `json:"updated_at"`
	PublishedAt         *string `json:"published_at"`
	CustomExcerpt       *string `json:"custom_excerpt"`
	MetaTitle           *string `json:"meta_title"`
	MetaDescription     *string `json:"meta_description"`
	AuthorID            string  `json:"author_id"`
	CanonicalURL        *string `json:"canonical_url"`
	FeatureImageAlt     *string `json:"feature_image_alt"`
	FeatureImageCaption *string `json:"feature_image_caption"`
	Locale              *string `json:"locale"`
}

type ghostPostMeta struct {
	PostID              string  `json:"post_id"`
	MetaTitle           *string `json:"meta_title"`
	MetaDescription     *string `json:"meta_description"`
	FeatureImageAlt     *string `json:"feature_image_alt"`
	FeatureImageCaption *string `json:"feature_image_caption"`
}

type ghostUser struct {
	ID           string  `json:"id"`
	Name         string  `json:"name"`
	Slug         string  `json:"slug"`
	Email        string  `json:"email"`
	ProfileImage *string `json:"profile_image"`
	Bio          *string `json:"bio"`
	Status       string  `json:"status"`
}

type ghostTag struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Slug        string  `json:"slug"`
	Description *string `json:"description"`
	Visibility  string  `json:"visibility"`
	ParentID    *string `json:"parent_id"`
}

type ghostPostAuthor struct {
	PostID    string `json:"post_id"`
	AuthorID  string `json:"author_id"`
	SortOrder int    `json:"sort_order"`
}

type ghostPostTag struct {
	PostID    string `json:"post_id"`
	TagID     string `json:"tag_id"`
	SortOrder int    `json:"sort_order"`
}

type ghostSetting struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return strings.TrimSpace(*p)
}

func (b *Batch) readGhost(p string, r io.Reader, o *readOpts) error {
	data, err := io.ReadAll(io.LimitReader(r, maxGhostSize+1))
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	if len(data) > maxGhostSize {
		return lineError(p, 1, "Ghost export larger than %d MiB", maxGhostSize>>20)
	}
	var ex ghostExport
	if err := json.Unmarshal(data, &ex); err != nil {
		line := 1
		if se, ok := err.(*json.SyntaxError); ok {
			line = lineOf(data, int(se.Offset))
		} else if te, ok := err.(*json.UnmarshalTypeError); ok {
			line = lineOf(data, int(te.Offset))
			return lineError(p, line, "not a Ghost export: %s is %s, not %s", te.Field, te.Value, te.Type)
		}
		return lineError(p, line, "not a Ghost export: %s", shortErr(err))
	}
	var dbs []ghostData
	for _, d := range ex.DB {
		dbs = append(dbs, d.Data)
	}
	if ex.Data != nil {
		dbs = append(dbs, *ex.Data)
	}
	if len(dbs) == 0 {
		return lineError(p, 1, "a Ghost export has a \"db\" list; this one is empty")
	}
	var el errList
	for _, d := range dbs {
		el.add(b.readGhostData(p, &d, o))
	}
	return el.err()
}

func (b *Batch) readGhostData(p string, d *ghostData, o *readOpts) error {
	var el errList
	site := ""
	permalink := "/{slug}/"
	for _, s := range d.Settings {
		v, _ := s.Value.(string)
		switch s.Key {
		case "url":
			site = strings.TrimRight(v, "/")
		case "permalinks":
			if v != "" {
				permalink = strings.NewReplacer(":slug", "{slug}", ":year", "{year}", ":month", "{month}", ":day", "{day}").Replace(v)
			}
		}
	}
	users := map[string]*AuthorRef{}
	for _, u := range d.Users {
		ref := &AuthorRef{Key: "ghost:" + u.ID, Author: news.Author{Name: strings.TrimSpace(u.Name), Slug: u.Slug, Email: strings.ToLower(strings.TrimSpace(u.Email)), Bio: str(u.Bio)}}
		if img := str(u.ProfileImage); img != "" {
			ref.Photo = ghostImage(img, o)
			ref.Photo.Alt = ref.Name
		}
		if news.Slugify(ref.Name) == "" {
			el.add(lineError(p, 1, "Ghost user %s has no name", u.ID))
			continue
		}
		users[u.ID] = ref
		b.Authors = append(b.Authors, ref)
	}
	tags := map[string]*ghostTag{}
	for i := range d.Tags {
		t := &d.Tags[i]
		tags[t.ID] = t
		if t.Visibility == "internal" || strings.HasPrefix(t.Name, "#") {
			continue // Ghost's internal tags ("#hash") steer themes, not readers
		}
		b.Tags = append(b.Tags, TagRef{Name: t.Name, Slug: t.Slug})
	}
	meta := map[string]ghostPostMeta{}
	for _, m := range d.PostsMeta {
		meta[m.PostID] = m
	}
	postAuthors := map[string][]ghostPostAuthor{}
	for _, pa := range d.PostsAuthors {
		postAuthors[pa.PostID] = append(postAuthors[pa.PostID], pa)
	}
	postTags := map[string][]ghostPostTag{}
	for _, pt := range d.PostsTags {
		postTags[pt.PostID] = append(postTags[pt.PostID], pt)
	}
	skipped := map[string]int{}
	for i := range d.Posts {
		gp := &d.Posts[i]
		item, err := ghostItem(p, gp, o)
		if err != nil {
			el.add(err)
			continue
		}
		if item == nil {
			skipped[gp.Status+" posts"]++
			continue
		}
		a := &item.Article
		a.SourceKey = "ghost:" + firstNonEmpty(site, "site") + "/" + gp.ID
		m := meta[gp.ID]
		a.SEOTitle = firstNonEmpty(str(m.MetaTitle), str(gp.MetaTitle))
		a.SEODescription = firstNonEmpty(str(m.MetaDescription), str(gp.MetaDescription))
		if img := str(gp.FeatureImage); img != "" {
			item.Photo = ghostImage(img, o)
			item.Photo.Alt = firstNonEmpty(str(m.FeatureImageAlt), str(gp.FeatureImageAlt))
			item.Photo.Caption = html2text(firstNonEmpty(str(m.FeatureImageCaption), str(gp.FeatureImageCaption)))
			if item.Photo.Alt == "" {
				item.Photo.Alt = item.Photo.Caption
			}
		}
		pas := postAuthors[gp.ID]
		sort.SliceStable(pas, func(i, j int) bool { return pas[i].SortOrder < pas[j].SortOrder })
		for _, pa := range pas {
			if u := users[pa.AuthorID]; u != nil {
				item.Authors = append(item.Authors, u.Author)
			}
		}
		if len(pas) == 0 && gp.AuthorID != "" {
			if u := users[gp.AuthorID]; u != nil {
				item.Authors = append(item.Authors, u.Author)
			}
		}
		pts := postTags[gp.ID]
		sort.SliceStable(pts, func(i, j int) bool { return pts[i].SortOrder < pts[j].SortOrder })
		for _, pt := range pts {
			t := tags[pt.TagID]
			if t == nil || t.Visibility == "internal" || strings.HasPrefix(t.Name, "#") {
				continue
			}
			// Ghost's primary tag (the first) is the story's section.
			if item.Section == "" && !item.IsPage() {
				item.Section = t.Name
				continue
			}
			item.Tags = append(item.Tags, t.Name)
		}
		item.Redirects = append(item.Redirects, ghostPermalink(permalink, gp.Slug, a.PublishedAt, item.IsPage()))
		done, err := finish(item, 0)
		if err != nil {
			el.add(err)
			continue
		}
		b.Stories = append(b.Stories, done)
	}
	// Sections: the tags that are some story's primary tag.
	seen := map[string]bool{}
	for _, s := range b.Stories {
		if s.Format != FormatGhost || s.Section == "" || seen[s.Section] {
			continue
		}
		seen[s.Section] = true
		for _, t := range d.Tags {
			if t.Name == s.Section {
				b.Sections = append(b.Sections, &SectionRef{Key: "ghost:" + t.ID, Name: t.Name, Slug: t.Slug, Description: str(t.Description)})
			}
		}
	}
	if len(skipped) > 0 {
		var parts []string
		for k, n := range skipped {
			parts = append(parts, fmt.Sprintf("%d %s", n, k))
		}
		sort.Strings(parts)
		b.Notes = append(b.Notes, p+": left out "+strings.Join(parts, ", "))
	}
	return el.err()
}

// ghostItem reads one post or page: its kind, status, dates and body.
func ghostItem(p string, gp *ghostPost, o *readOpts) (*Parsed, error) {
	item := &Parsed{Path: p, Format: FormatGhost}
	where := fmt.Sprintf("Ghost post %s (%q)", gp.ID, gp.Title)
	if gp.Type == "page" || gp.Page == true || gp.Page == float64(1) {
		item.Kind = KindPage
	}
	a := &item.Article
	switch gp.Status {
	case "published", "sent":
		a.Status = news.StatusPublished
	case "scheduled":
		a.Status = news.StatusScheduled
	case "draft", "":
		a.Status = news.StatusDraft
	default:
		return nil, nil
	}
	if gp.Visibility != "" && gp.Visibility != "public" {
		item.note("members-only on Ghost (%s): masthead shows it to every reader", gp.Visibility)
	}
	a.Headline = strings.TrimSpace(gp.Title)
	if a.Headline == "" {
		a.Headline = "(untitled)"
		item.note("no title on Ghost: the headline is \"(untitled)\"")
	}
	if s := news.Slugify(gp.Slug); s != "" {
		a.Slug, item.SlugSet = s, true
	}
	a.Deck = html2text(str(gp.CustomExcerpt))
	var err error
	if a.PublishedAt, err = ghostTime(str(gp.PublishedAt)); err != nil {
		return nil, lineError(p, 1, "%s: published_at: %v", where, err)
	}
	if a.UpdatedAt, err = ghostTime(gp.UpdatedAt); err != nil {
		return nil, lineError(p, 1, "%s: updated_at: %v", where, err)
	}
	if a.UpdatedAt.Before(a.PublishedAt) {
		a.UpdatedAt = time.Time{}
	}
	if l := str(gp.Locale); l != "" {
		if t, ok := cleanLang(l); ok {
			a.Lang = t
		}
	}
	var body string
	switch {
	case str(gp.Lexical) != "":
		body, err = lexicalHTML(str(gp.Lexical), item)
	case str(gp.Mobiledoc) != "":
		body, err = mobiledocHTML(str(gp.Mobiledoc), item)
	default:
		body = str(gp.HTML)
	}
	if err != nil {
		return nil, lineError(p, 1, "%s: %v", where, err)
	}
	body = strings.ReplaceAll(body, "__GHOST_URL__", "")
	a.BodyHTML = content.Sanitize(body)
	if strings.TrimSpace(content.PlainText(a.BodyHTML)) == "" {
		item.allowEmpty = true
		item.note("the post has no text on Ghost either")
	}
	ghostBodyImages(item, o)
	return item, nil
}

func ghostTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	// Ghost 1.x exported milliseconds since 1970 in places.
	var ms int64
	if _, err := fmt.Sscan(s, &ms); err == nil && ms > 0 {
		return time.UnixMilli(ms).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("cannot read %q as a date", s)
}

func ghostPermalink(pattern, slug string, t time.Time, page bool) string {
	if page || t.IsZero() {
		return "/" + slug + "/"
	}
	return strings.NewReplacer("{slug}", slug, "{year}", t.Format("2006"), "{month}", t.Format("01"), "{day}", t.Format("02")).Replace(pattern)
}

// ghostImage is a photo Ghost names: "__GHOST_URL__/content/images/2021/03/x.jpg"
// is DIR/2021/03/x.jpg under --uploads (Ghost's content/images).
func ghostImage(src string, o *readOpts) *PhotoRef {
	ref := &PhotoRef{URL: src}
	rel := strings.TrimPrefix(src, "__GHOST_URL__")
	if u, err := url.Parse(rel); err == nil {
		rel = u.Path
	}
	if i := strings.Index(rel, "/content/images/"); i >= 0 && o.uploads != "" {
		f := filepath.Join(o.uploads, filepath.FromSlash(rel[i+len("/content/images/"):]))
		if fileExists(f) {
			if _, err := checkPhotoFile(f); err == nil {
				ref.Path = f
			}
		}
	}
	return ref
}

func ghostBodyImages(item *Parsed, o *readOpts) {
	eachImg(item.Article.BodyHTML, func(src, alt, _ string) {
		ref := ghostImage(src, o)
		ref.Ref, ref.Alt = src, alt
		item.Images = append(item.Images, ref)
	})
}
