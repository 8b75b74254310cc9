package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"masthead/internal/importer"
	"masthead/internal/media"
	"masthead/internal/news"
	"masthead/internal/workflow"
)

func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c common
	var pf paperFlags
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	c.register(fs)
	pf.register(fs)
	publish := fs.Bool("publish", false, "publish what has no status of its own (default: drafts); a WordPress or Ghost draft stays a draft")
	section := fs.String("section", "", "put every story in this `section` (name), whatever the file says")
	uploads := fs.String("uploads", "", "the `folder` holding the export's media (WordPress wp-content/uploads, Ghost content/images)")
	createSections := fs.Bool("create-sections", false, "create the sections the files name; without it an unknown section is an error that lists the paper's sections")
	dryRun := fs.Bool("dry-run", false, "read and check everything, print what would be created, write nothing")
	var mediaURL string
	registerMedia(fs, &mediaURL)
	asJSON := fs.Bool("json", false, "print one JSON object a line per story or page (id, url, headline, status), then a summary line")
	fs.Usage = usageFor(fs, "masthead import [--publish] [--section S] [--create-sections] [--uploads DIR] [--dry-run] [--json] FILE|DIR...")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("import: name at least one FILE")
	}
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	paper, err := pf.paper(ctx, st, "http://127.0.0.1:8080")
	if err != nil {
		return err
	}
	// An import's publications are events like any other: their webhook
	// deliveries are written with them, for serve to deliver.
	fillOutbox(st, paper)
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	for _, f := range fs.Args() {
		if !isArchive(f) {
			continue
		}
		// masthead's own export: a whole paper, read into an empty one.
		if fs.NArg() > 1 || *dryRun || *publish || *section != "" {
			return fmt.Errorf("import: %s is a masthead export: import it alone, into an empty paper, without --dry-run, --publish or --section", f)
		}
		blobs, err := openBlobs(ctx, mediaURL, c.Data)
		if err != nil {
			return err
		}
		return importArchive(ctx, st, blobs, f, stdout, *asJSON)
	}
	if *dryRun {
		b, err := importer.Read(fs.Args(), importer.ReadOptions{Location: paper.Loc(), Uploads: *uploads})
		if err != nil {
			return err
		}
		if *section != "" {
			for _, p := range b.Stories {
				if !p.IsPage() {
					p.Section = *section
				}
			}
		}
		if !*createSections {
			// The same rule as the import: an unknown section is an
			// error naming the paper's sections.
			if err := checkSections(ctx, st, b); err != nil {
				return err
			}
		}
		return printDryRun(stdout, stderr, enc, b, paper, *asJSON, *publish)
	}
	blobs, err := openBlobs(ctx, mediaURL, c.Data)
	if err != nil {
		return err
	}
	lib := media.New(media.Config{Store: st, Blobs: blobs, Paper: paper})
	rep, err := importer.ImportReport(ctx, st, fs.Args(), importer.Options{
		Publish:        *publish,
		Section:        *section,
		CreateSections: *createSections,
		Location:       paper.Loc(),
		Paper:          paper,
		Uploads:        *uploads,
		Now:            news.SystemClock{}.Now(),
		PhotoSaver:     lib,
	})
	if err != nil {
		// The importer names the file and line; nothing was written.
		return err
	}
	for _, src := range rep.Sources {
		// With --json, only the JSON lines, and what went wrong.
		if src.Format != importer.FormatTree && !*asJSON {
			fmt.Fprintf(stderr, "%s: %s\n", src.Path, importer.FormatName(src.Format))
		}
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(stderr, "note: %s\n", n)
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	for _, r := range rep.Results {
		for _, w := range r.Warnings {
			fmt.Fprintf(stderr, "warning: %s: %s\n", r.Headline, w)
		}
		if r.Page {
			pg, err := st.FindPageByID(ctx, r.ID)
			if err != nil {
				return fmt.Errorf("read back page %d: %w", r.ID, err)
			}
			url := paper.AbsURL(fmt.Sprintf("/newsroom/pages/%d", pg.ID))
			if pg.IsPublic() {
				url = paper.AbsURL(paper.PagePath(pg))
			}
			if *asJSON {
				if err := enc.Encode(map[string]any{"id": pg.ID, "url": url, "headline": pg.Title, "status": pg.Status, "updated": r.Updated, "kind": "page"}); err != nil {
					return err
				}
				continue
			}
			verb := "imported page"
			if r.Updated {
				verb = "updated page"
			}
			fmt.Fprintf(stdout, "%s %d %s (%s) %s\n", verb, pg.ID, pg.Title, pg.Status, url)
			continue
		}
		a, err := st.FindArticleByID(ctx, r.ID)
		if err != nil {
			return fmt.Errorf("read back story %d: %w", r.ID, err)
		}
		url := storyURL(paper, a)
		if *asJSON {
			if err := enc.Encode(map[string]any{
				"id": a.ID, "url": url, "headline": a.Headline, "status": a.Status, "updated": r.Updated,
			}); err != nil {
				return err
			}
			continue
		}
		verb := "imported"
		if r.Updated {
			verb = "updated"
		}
		fmt.Fprintf(stdout, "%s %d %s (%s) %s\n", verb, a.ID, a.Headline, a.Status, url)
	}
	return printSummary(stdout, enc, rep.Summary, *asJSON)
}

// storyURL is readers' address of a story that is on the site; otherwise
// (a draft, a story scheduled for later) the newsroom's editor, the only
// page it has yet: every address printed answers.
func storyURL(paper *news.Paper, a *news.Article) string {
	if a.Status == news.StatusPublished {
		return paper.AbsURL(paper.ArticlePath(a))
	}
	return paper.AbsURL(fmt.Sprintf("/newsroom/stories/%d", a.ID))
}

func printSummary(stdout io.Writer, enc *json.Encoder, s importer.Summary, asJSON bool) error {
	if asJSON {
		return enc.Encode(map[string]importer.Summary{"summary": s})
	}
	_, err := fmt.Fprintf(stdout, "%d stories, %d pages, %d authors, %d sections, %d tags, %d photos (%d awaiting their file), %d comments, %d redirects\n",
		s.Stories, s.Pages, s.Authors, s.Sections, s.Tags, s.Photos+s.PhotosMissing, s.PhotosMissing, s.Comments, s.Redirects)
	return err
}

// printDryRun prints what an import would create: each story and page
// (as --json prints them, without an id), the notes, then the summary.
func printDryRun(stdout, stderr io.Writer, enc *json.Encoder, b *importer.Batch, paper *news.Paper, asJSON, publish bool) error {
	for _, src := range b.Sources {
		if src.Format != importer.FormatTree {
			fmt.Fprintf(stderr, "%s: %s\n", src.Path, importer.FormatName(src.Format))
		}
	}
	for _, n := range b.Notes {
		fmt.Fprintf(stderr, "note: %s\n", n)
	}
	for _, p := range b.Stories {
		a := p.Article
		status := a.Status
		if status == "" {
			status = news.StatusDraft
			if publish {
				status = news.StatusPublished
			}
		}
		kind := "story"
		if p.IsPage() {
			kind = "page"
		}
		url := ""
		if kind == "story" && status == news.StatusPublished && !a.PublishedAt.IsZero() && !a.PublishedAt.After(time.Now()) {
			url = paper.AbsURL(paper.ArticlePath(&a))
		}
		for _, n := range p.Notes {
			fmt.Fprintf(stderr, "note: %s: %s: %s\n", where(p), a.Headline, n)
		}
		if asJSON {
			line := map[string]any{"url": url, "headline": a.Headline, "status": status}
			if kind == "page" {
				line["kind"] = "page"
			}
			if err := enc.Encode(line); err != nil {
				return err
			}
			continue
		}
		var extra []string
		if p.Section != "" {
			extra = append(extra, "section "+p.Section)
		}
		if len(p.Authors) > 0 {
			var names []string
			for _, au := range p.Authors {
				names = append(names, au.Name)
			}
			extra = append(extra, "by "+strings.Join(names, ", "))
		}
		if ph := p.Photo; ph != nil {
			state := "photo"
			if ph.Missing() {
				state = "photo awaiting its file"
			}
			extra = append(extra, fmt.Sprintf("%s %q", state, ph.Caption))
		}
		if len(p.Redirects) > 0 {
			extra = append(extra, fmt.Sprintf("%d redirects", len(p.Redirects)))
		}
		fmt.Fprintf(stdout, "would create %s (%s) %s", kind, status, a.Headline)
		if url != "" {
			fmt.Fprintf(stdout, " %s", url)
		}
		if len(extra) > 0 {
			fmt.Fprintf(stdout, " — %s", strings.Join(extra, "; "))
		}
		fmt.Fprintln(stdout)
	}
	return printSummary(stdout, enc, b.Summary(), asJSON)
}

func where(p *importer.Parsed) string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d", p.Path, p.Line)
	}
	return p.Path
}

// checkSections fails on the first section a dry run's stories name that
// the paper does not have.
func checkSections(ctx context.Context, st news.Store, b *importer.Batch) error {
	seen := map[string]bool{}
	for _, p := range b.Stories {
		name := p.Section
		if p.IsPage() || seen[name] {
			continue
		}
		seen[name] = true
		if name == "" {
			// The default section, unless a re-import keeps its own.
			if _, err := st.FindArticleBySourceKey(ctx, p.Article.SourceKey); err == nil {
				continue
			}
			name = importer.DefaultSection
		}
		if _, err := workflow.FindSection(ctx, st, name, false); err != nil {
			return fmt.Errorf("%s: %w (import with --create-sections to create it, or --section to choose one)", p.Path, err)
		}
	}
	return nil
}
