// Package demo builds the demo paper: on an empty database `masthead serve`
// fills it with the seed story (the capture in content/, imported by the
// same importer users run) and thirty-odd stories written for the demo,
// each with a drawn lead photo, across seven sections and eight authors.
//
// Apart from the seed story, the stories were written for the demo: news
// copy about events of the spring of 2020, with comment only from unnamed or
// invented people, and eight undated features that Seed places in the last
// two days so that the front page and the Google News sitemap have recent
// content. Their pictures are drawn in art.go; nothing is downloaded.
package demo

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"masthead/internal/importer"
	"masthead/internal/media"
	"masthead/internal/news"
)

//go:embed content
var contentFS embed.FS

// seedCapture is the capture of the page masthead rebuilds
// (../shared/seed/000_9336f6bec77fb175.txt, copied unchanged).
const seedCapture = "content/000_9336f6bec77fb175.txt"

// The seed story's facts that the capture does not carry.
var (
	seedPublished = time.Date(2020, 3, 22, 9, 0, 0, 0, time.FixedZone("KST", 9*3600))
	seedSection   = "North Korea"
	seedPhotoAlt  = "Illustration: two silhouetted figures, one in blue and one in red, " +
		"stand facing each other on either side of a white line painted on the ground, " +
		"between two pale blue buildings."
)

// Picture sizes: lead photos are 16:9, 1280 wide (renditions 320, 640 and
// 960 plus the original: enough for a phone and a desktop column at twice
// the pixel density, and it keeps the first start quick); avatars are
// square, 600 wide.
const (
	DefaultPhotoWidth  = 1280
	avatarSize         = 600
	illustrationCredit = "Masthead illustration"
)

// Options change how Seed draws the paper.
type Options struct {
	// PhotoWidth is the width of the lead photos (16:9); portraits scale
	// with it. 0 means DefaultPhotoWidth. Making the renditions is most of
	// Seed's work: a test fixture that needs a paper, not sharp pictures,
	// asks for 480 and pays about a sixth.
	PhotoWidth int
}

func (o Options) photoSize() (w, h int) {
	w = o.PhotoWidth
	if w <= 0 {
		w = DefaultPhotoWidth
	}
	return w, max(w*9/16, 1)
}

func (o Options) avatarSize() int {
	w, _ := o.photoSize()
	return max(avatarSize*w/DefaultPhotoWidth, 1)
}

// SeedResult says what Seed made.
type SeedResult struct {
	Articles int  // stories created
	Sections int  // sections created
	Authors  int  // authors created or completed
	Photos   int  // photos stored (lead photos, portraits, the share image)
	Pages    int  // static pages created (About, Contact...)
	Skipped  bool // the database already held stories; nothing was done
}

// section is a desk of the demo paper, in navigation order.
// section is a desk of the demo paper; Parent names the section it is a
// sub-section of ("" for a top-level one), listed before it.
type section struct{ Name, Description, Parent string }

var sections = []section{
	{"North Korea", "Pyongyang, the peninsula's security and inter-Korean relations.", ""},
	{"National", "Politics, society and the daily life of the country.", ""},
	{"Business", "Markets, companies, jobs and the economy.", ""},
	{"World", "The world as seen from Seoul.", ""},
	{"Culture", "Film, music, books and the arts.", ""},
	{"Sports", "Baseball, football and everything else on the field.", ""},
	{"Opinion", "Columns, editorials and letters.", ""},
	{"Politics", "The National Assembly, elections and the presidential office.", "National"},
}

// author is a byline of the demo paper. Stories name authors by e-mail in
// their front matter; these records add what a byline page shows.
type author struct {
	Name, Email, Title, Bio string
}

var authors = []author{
	{"Kang Seung-woo", "ksw@koreatimes.co.kr", "Staff reporter",
		"Kang Seung-woo covers North Korea, inter-Korean relations and the diplomacy around the peninsula."},
	{"Min Ji-yoon", "min.jiyoon@masthead.example", "Political correspondent",
		"Min Ji-yoon reports on the National Assembly, elections and the presidential office."},
	{"Daniel Cho", "daniel.cho@masthead.example", "Business editor",
		"Daniel Cho writes about markets, monetary policy and Korea's big companies."},
	{"Sarah Whitfield", "sarah.whitfield@masthead.example", "World desk editor",
		"Sarah Whitfield edits the world pages and writes about Asia-Pacific affairs."},
	{"Lee Hae-won", "lee.haewon@masthead.example", "Culture reporter",
		"Lee Hae-won covers film, music and publishing, in Korean and in English."},
	{"Park Tae-joon", "park.taejoon@masthead.example", "Sports reporter",
		"Park Tae-joon follows the KBO League, the K League and the national teams."},
	{"Grace Oh", "grace.oh@masthead.example", "Columnist",
		"Grace Oh writes a weekly column on cities, work and the way we live."},
	{"Yoon Seo-yeon", "yoon.seoyeon@masthead.example", "Reporter, Korean desk",
		"윤서연 기자는 사회부와 문화부에서 한국어 기사를 씁니다. Yoon Seo-yeon writes the paper's Korean-language stories."},
}

// recentOffsets place the undated stories in the last two days (newest
// first), so that "latest" lists and the news sitemap have content
// whatever day the demo starts.
var recentOffsets = []time.Duration{
	40 * time.Minute, 3 * time.Hour, 7 * time.Hour, 12 * time.Hour,
	20 * time.Hour, 26 * time.Hour, 33 * time.Hour, 41 * time.Hour,
}

// Seed creates the demo paper on a database without stories; when any story
// exists it does nothing (Skipped). It creates sections, authors with
// portraits, and the stories with their lead photos, all published. It does
// not create newsroom accounts. now is the current time: undated stories
// are placed in the two days before it. paper is not read yet: story URLs
// and local times follow from it when pages are rendered, not when stories
// are stored.
//
// Seed is not safe to run from two processes at once on one empty database
// (both would create the same authors); serve runs it before listening.
func Seed(ctx context.Context, st news.Store, lib *media.Library, paper *news.Paper, now time.Time) (SeedResult, error) {
	return SeedWith(ctx, st, lib, paper, now, Options{})
}

// SeedWith is Seed with pictures drawn as opt says.
func SeedWith(ctx context.Context, st news.Store, lib *media.Library, paper *news.Paper, now time.Time, opt Options) (SeedResult, error) {
	var res SeedResult
	photoWidth, photoHeight := opt.photoSize()
	if _, total, err := st.FindArticles(ctx, news.ArticleFilter{Limit: 1}); err != nil {
		return res, fmt.Errorf("demo: count stories: %w", err)
	} else if total > 0 {
		res.Skipped = true
		return res, nil
	}
	if lib == nil {
		return res, errors.New("demo: no media library")
	}
	now = now.UTC()

	for i, s := range sections {
		created, err := ensureSection(ctx, st, s, i+1)
		if err != nil {
			return res, err
		}
		if created {
			res.Sections++
		}
	}
	for _, a := range authors {
		photo, err := ensureAuthor(ctx, st, lib, a, opt.avatarSize())
		if err != nil {
			return res, err
		}
		res.Authors++
		if photo {
			res.Photos++
		}
	}

	tmp, err := os.MkdirTemp("", "masthead-demo-")
	if err != nil {
		return res, fmt.Errorf("demo: %w", err)
	}
	defer os.RemoveAll(tmp)

	// The seed story, with a drawn picture beside the capture: the
	// importer takes a capture's lead photo from an image of the same name.
	capPath := filepath.Join(tmp, path.Base(seedCapture))
	capData, err := contentFS.ReadFile(seedCapture)
	if err != nil {
		return res, fmt.Errorf("demo: %w", err)
	}
	if err := os.WriteFile(capPath, capData, 0o600); err != nil {
		return res, fmt.Errorf("demo: %w", err)
	}
	if err := writeJPEG(strings.TrimSuffix(capPath, ".txt")+".jpg", illustration(styleBorder, "seed", photoWidth, photoHeight)); err != nil {
		return res, err
	}
	seedRes, err := importer.Import(ctx, st, []string{capPath}, importer.Options{
		Publish: true, CreateSections: true, Section: seedSection, Now: now, PublishedAt: seedPublished, PhotoSaver: lib,
	})
	if err != nil {
		return res, fmt.Errorf("demo: import the seed story: %w", err)
	}
	res.Articles += len(seedRes)
	res.Photos += len(seedRes)
	if err := finishSeedStory(ctx, st, seedRes[0].ID); err != nil {
		return res, err
	}

	// The stories written for the demo.
	stories, err := fs.Glob(contentFS, "content/*.md")
	if err != nil {
		return res, fmt.Errorf("demo: %w", err)
	}
	sort.Strings(stories)
	var dated []string
	recent := 0
	for _, name := range stories {
		src, err := contentFS.ReadFile(name)
		if err != nil {
			return res, fmt.Errorf("demo: %w", err)
		}
		fm := frontMatter(src)
		base := strings.TrimSuffix(path.Base(name), ".md")
		img := illustration(sectionStyle(fm["section"]), base, photoWidth, photoHeight)
		if err := writeJPEG(filepath.Join(tmp, base+".jpg"), img); err != nil {
			return res, err
		}
		// The picture is drawn now, so the content files do not name it:
		// add the photo field after the opening --- line.
		src = append([]byte("---\nphoto: "+base+".jpg\n"), bytes.TrimPrefix(src, []byte("---\n"))...)
		p := filepath.Join(tmp, base+".md")
		if err := os.WriteFile(p, src, 0o600); err != nil {
			return res, fmt.Errorf("demo: %w", err)
		}
		if _, ok := fm["published"]; ok {
			dated = append(dated, p)
			continue
		}
		if recent >= len(recentOffsets) {
			return res, fmt.Errorf("demo: %s: more undated stories than recent slots", name)
		}
		at := now.Add(-recentOffsets[recent]).Truncate(time.Minute)
		recent++
		r, err := importer.Import(ctx, st, []string{p}, importer.Options{Publish: true, CreateSections: true, Now: now, PublishedAt: at, PhotoSaver: lib})
		if err != nil {
			return res, fmt.Errorf("demo: import %s: %w", name, err)
		}
		res.Articles += len(r)
		res.Photos += len(r)
	}
	r, err := importer.Import(ctx, st, dated, importer.Options{Publish: true, CreateSections: true, Now: now, PhotoSaver: lib})
	if err != nil {
		return res, fmt.Errorf("demo: import stories: %w", err)
	}
	res.Articles += len(r)
	res.Photos += len(r)
	if res.Pages, err = seedPages(ctx, st); err != nil {
		return res, err
	}
	if err := seedShareImage(ctx, st, lib, paper); err != nil {
		return res, err
	}
	res.Photos++
	return res, nil
}

func ensureSection(ctx context.Context, st news.Store, s section, pos int) (bool, error) {
	slug := news.Slugify(s.Name)
	if _, err := st.FindSectionBySlug(ctx, slug); err == nil {
		return false, nil
	} else if !errors.Is(err, news.ErrNotFound) {
		return false, fmt.Errorf("demo: section %s: %w", s.Name, err)
	}
	sec := &news.Section{Slug: slug, Name: s.Name, Description: s.Description, Position: pos}
	if s.Parent != "" {
		p, err := st.FindSectionBySlug(ctx, news.Slugify(s.Parent))
		if err != nil {
			return false, fmt.Errorf("demo: parent of section %s: %w", s.Name, err)
		}
		sec.ParentID = p.ID
	}
	if err := st.CreateSection(ctx, sec); err != nil {
		return false, fmt.Errorf("demo: create section %s: %w", s.Name, err)
	}
	return true, nil
}

// ensureAuthor creates the author, or completes one that exists (an author
// may have been imported before), and gives them a portrait when they have
// none. It reports whether it stored a portrait.
func ensureAuthor(ctx context.Context, st news.Store, lib *media.Library, a author, size int) (bool, error) {
	au, err := st.FindAuthorByEmail(ctx, a.Email)
	if errors.Is(err, news.ErrNotFound) {
		au = &news.Author{Slug: news.Slugify(a.Name), Name: a.Name, Email: a.Email}
		if err := st.CreateAuthor(ctx, au); err != nil {
			return false, fmt.Errorf("demo: create author %s: %w", a.Name, err)
		}
	} else if err != nil {
		return false, fmt.Errorf("demo: author %s: %w", a.Name, err)
	}
	if au.Title == "" {
		au.Title = a.Title
	}
	if au.Bio == "" {
		au.Bio = a.Bio
	}
	stored := false
	if au.PhotoID == 0 {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, portrait(a.Email, size), &jpeg.Options{Quality: 92}); err != nil {
			return false, fmt.Errorf("demo: portrait of %s: %w", a.Name, err)
		}
		ph := &news.Photo{
			ContentType: "image/jpeg",
			Caption:     a.Name,
			Credit:      illustrationCredit,
			Alt:         "Illustrated portrait of " + a.Name + ": a simple head-and-shoulders figure on a coloured background.",
			FocalX:      0.5, FocalY: 0.4,
		}
		if err := lib.SavePhoto(ctx, ph, buf.Bytes()); err != nil {
			return false, fmt.Errorf("demo: portrait of %s: %w", a.Name, err)
		}
		au.PhotoID, stored = ph.ID, true
	}
	if err := st.UpdateAuthor(ctx, au); err != nil {
		return false, fmt.Errorf("demo: update author %s: %w", a.Name, err)
	}
	return stored, nil
}

// seedTags are the seed story's tags; a capture carries none.
var seedTags = []string{"North Korea", "Donald Trump", "Kim Jong-un", "Kim Yo-jong", "북한"}

// finishSeedStory adds what the capture cannot say: tags, and alt text for
// the drawn picture. The capture's caption line describes the newspaper's
// photograph; the alt text must describe the picture readers actually get.
func finishSeedStory(ctx context.Context, st news.Store, id int64) error {
	a, err := st.FindArticleByID(ctx, id)
	if err != nil {
		return fmt.Errorf("demo: seed story: %w", err)
	}
	if a.Photo == nil {
		return fmt.Errorf("demo: the seed story was imported without its photo")
	}
	ph := *a.Photo
	ph.Alt = seedPhotoAlt
	if err := st.UpdatePhoto(ctx, &ph); err != nil {
		return fmt.Errorf("demo: seed photo: %w", err)
	}
	a.Photo = &ph
	for _, name := range seedTags {
		t := &news.Tag{Slug: news.Slugify(name), Name: name}
		if err := st.EnsureTag(ctx, t); err != nil {
			return fmt.Errorf("demo: tag %s: %w", name, err)
		}
		a.Tags = append(a.Tags, t)
	}
	if err := st.UpdateArticle(ctx, a); err != nil {
		return fmt.Errorf("demo: seed story: %w", err)
	}
	return nil
}

func writeJPEG(p string, img image.Image) error {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 92}); err != nil {
		return fmt.Errorf("demo: draw %s: %w", filepath.Base(p), err)
	}
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}

// frontMatter reads the top-level "key: value" lines of a story's front
// matter: enough to pick the picture style and tell dated stories from
// undated ones. The importer does the real parsing.
func frontMatter(src []byte) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(src))
	first := true
	for sc.Scan() {
		line := sc.Text()
		if first {
			first = false
			if line == "---" {
				continue
			}
			break
		}
		if line == "---" {
			break
		}
		if k, v, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(k, " ") && !strings.HasPrefix(k, "-") {
			out[k] = strings.Trim(strings.TrimSpace(v), `"'`)
		}
	}
	return out
}
