package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"masthead/internal/importer"
	"masthead/internal/media"
	"masthead/internal/news"
)

func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c common
	var pf paperFlags
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	c.register(fs)
	pf.register(fs)
	publish := fs.Bool("publish", false, "publish the stories (default: drafts)")
	section := fs.String("section", "", "put every story in this `section` (name), whatever the file says")
	var mediaURL string
	registerMedia(fs, &mediaURL)
	asJSON := fs.Bool("json", false, "print one JSON object a line per story: id, url, headline, status, updated")
	fs.Usage = usageFor(fs, "masthead import [--publish] [--section S] [--json] FILE...")
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
	blobs, err := openBlobs(ctx, mediaURL, c.Data)
	if err != nil {
		return err
	}
	lib := media.New(media.Config{Store: st, Blobs: blobs, Paper: paper})
	results, err := importer.Import(ctx, st, fs.Args(), importer.Options{
		Publish:    *publish,
		Section:    *section,
		Now:        news.SystemClock{}.Now(),
		PhotoSaver: lib,
	})
	if err != nil {
		// The importer names the file and line; nothing was written.
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	for _, r := range results {
		for _, w := range r.Warnings {
			fmt.Fprintf(stderr, "warning: %s: %s\n", r.Headline, w)
		}
		a, err := st.FindArticleByID(ctx, r.ID)
		if err != nil {
			return fmt.Errorf("read back story %d: %w", r.ID, err)
		}
		url := paper.AbsURL(fmt.Sprintf("/newsroom/articles/%d", a.ID))
		if a.Status == news.StatusPublished || a.Status == news.StatusScheduled {
			url = paper.AbsURL(paper.ArticlePath(a))
		}
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
	return nil
}
