package importer

import (
	"context"
	"errors"
	"fmt"

	"masthead/internal/content"
	"masthead/internal/news"
)

// savePage stores a standing page of the source (a WordPress or Ghost
// page) as a static page (issue 15), by its slug: importing it again
// updates it. It runs in the import's transaction. Its status is the source's (published stays published,
// anything else is a draft), else --publish, else on a re-import what it
// was, else a draft; it is not put in the footer,
// which is the editors' choice. A slug the site keeps for itself
// (/search, /tag...) gets "-page" added, with a warning.
func savePage(ctx context.Context, tx news.Tx, p *Parsed, opt Options) (Result, error) {
	a := p.Article
	slug := a.Slug
	if slug == "" {
		slug = news.Slugify(a.Headline)
	}
	var warnings []string
	if news.PageSlugReserved(slug) {
		warnings = append(warnings, fmt.Sprintf("the address /%s belongs to the site; the page is at /%s-page", slug, slug))
		slug += "-page"
	}
	status := news.StatusDraft
	switch {
	case a.Status == news.StatusPublished:
		status = news.StatusPublished
	case a.Status == "" && opt.Publish:
		status = news.StatusPublished
	}
	res := Result{Headline: a.Headline, Slug: slug, Page: true, Warnings: warnings}
	err := func() error {
		pg, err := tx.FindPageBySlug(ctx, slug)
		if errors.Is(err, news.ErrNotFound) {
			pg = &news.Page{Slug: slug, CreatedAt: a.CreatedAt, PublishedAt: a.PublishedAt}
			if pg.CreatedAt.IsZero() {
				pg.CreatedAt = opt.Now
			}
		} else if err != nil {
			return err
		} else {
			res.Updated = true
		}
		// A re-import with no status of its own keeps what editors
		// made of the page, as for stories.
		if res.Updated && a.Status == "" && !opt.Publish {
			status = pg.Status
		}
		pg.Title, pg.Description, pg.Body, pg.Lang, pg.Status = a.Headline, a.Deck, content.Normalize(a.BodyHTML), a.Lang, status
		if pg.Lang != "" && !news.ValidLang(pg.Lang) {
			pg.Lang = ""
		}
		if res.Updated {
			err = tx.UpdatePage(ctx, pg)
		} else {
			err = tx.CreatePage(ctx, pg)
		}
		res.ID = pg.ID
		return err
	}()
	if err != nil {
		return Result{}, fmt.Errorf("page %q: %w", slug, err)
	}
	return res, nil
}
