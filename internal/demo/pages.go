package demo

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"image/jpeg"
	"io/fs"
	"sort"
	"strings"

	"masthead/internal/content"
	"masthead/internal/media"
	"masthead/internal/news"
)

// The demo paper's own pages (issue 15), written in Markdown with a small
// front matter (title, slug, description), linked from the footer in the
// order of their file names.
//
//go:embed pages/*.md
var pagesFS embed.FS

// seedPages creates the demo's static pages; a page whose slug exists is
// left alone.
func seedPages(ctx context.Context, st news.Store) (int, error) {
	names, err := fs.Glob(pagesFS, "pages/*.md")
	if err != nil {
		return 0, err
	}
	sort.Strings(names)
	n := 0
	for i, name := range names {
		src, err := pagesFS.ReadFile(name)
		if err != nil {
			return n, err
		}
		fm := frontMatter(src)
		_, body, _ := strings.Cut(strings.TrimPrefix(string(src), "---\n"), "\n---\n")
		html, err := content.BodyFromMarkdown(body)
		if err != nil {
			return n, fmt.Errorf("demo: page %s: %w", name, err)
		}
		if _, err := st.FindPageBySlug(ctx, fm["slug"]); err == nil {
			continue
		} else if !errors.Is(err, news.ErrNotFound) {
			return n, fmt.Errorf("demo: page %s: %w", fm["slug"], err)
		}
		p := &news.Page{Slug: fm["slug"], Title: fm["title"], Description: fm["description"], Body: html, Lang: "en",
			Status: news.StatusPublished, Position: i + 1, InFooter: true}
		if err := st.CreatePage(ctx, p); err != nil {
			return n, fmt.Errorf("demo: page %s: %w", fm["slug"], err)
		}
		n++
	}
	return n, nil
}

// seedShareImage draws the paper's default share image (for stories and
// pages without a photo), stores it and names it in the paper settings;
// paper, the running paper, gets it too.
func seedShareImage(ctx context.Context, st news.Store, lib *media.Library, paper *news.Paper) error {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, illustration(styleBorder, "masthead-share", 1200, 630), &jpeg.Options{Quality: 90}); err != nil {
		return fmt.Errorf("demo: share image: %w", err)
	}
	ph := &news.Photo{ContentType: "image/jpeg", Caption: "The Masthead Times", Credit: illustrationCredit,
		Alt: "The Masthead Times: an illustration of layered hills under a pale sky.", FocalX: 0.5, FocalY: 0.5}
	if err := lib.SavePhoto(ctx, ph, buf.Bytes()); err != nil {
		return fmt.Errorf("demo: share image: %w", err)
	}
	s, err := st.FindSetting(ctx, news.PaperSettingsKey)
	if errors.Is(err, news.ErrNotFound) {
		s, err = &news.Setting{Key: news.PaperSettingsKey}, nil
	}
	if err != nil {
		return fmt.Errorf("demo: paper settings: %w", err)
	}
	ps, err := news.ParsePaperSettings(s.Value)
	if err != nil {
		return err
	}
	if ps.ShareImagePhotoID != 0 {
		return nil
	}
	ps.ShareImagePhotoID = ph.ID
	b, err := json.Marshal(ps)
	if err != nil {
		return err
	}
	s.Value = string(b)
	if err := st.UpdateSetting(ctx, s); err != nil {
		return fmt.Errorf("demo: paper settings: %w", err)
	}
	if paper != nil {
		paper.Update(func(p *news.Paper) { p.ShareImagePhotoID = ph.ID })
	}
	return nil
}
