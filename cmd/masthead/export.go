package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"masthead/internal/archive"
	"masthead/internal/copydb"
	"masthead/internal/importer"
	"masthead/internal/news"
)

const exportSynopsis = `masthead export --out FILE

Writes the whole paper as one archive (docs/export-format.md): stories with
their revisions, bylines, tags, corrections and former slugs, sections,
authors, tags, photos with their files, redirects, settings, accounts,
readers, newsletters and comments, as JSON lines plus the photo files in one
tar file (gzipped when FILE ends in .gz). 'masthead import FILE' reads it
back into an empty paper, keeping every id. API keys, webhook secrets and
secret settings (mail server credentials, signing keys) are left out.`

func cmdExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c common
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	c.register(fs)
	out := fs.String("out", "", "the archive to write (`FILE`; .tar, or .tar.gz to compress)")
	var mediaURL string
	registerMedia(fs, &mediaURL)
	fs.Usage = usageFor(fs, exportSynopsis)
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if *out == "" {
		fs.Usage()
		return errors.New("export: --out FILE is required")
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("export: unexpected argument %q", fs.Arg(0))
	}
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	src, ok := st.(copydb.Source)
	if !ok {
		return errors.New("export: this store cannot list its rows")
	}
	blobs, err := openBlobs(ctx, mediaURL, c.Data)
	if err != nil {
		return err
	}
	// Written beside the target and renamed when complete: a failed
	// export leaves no half archive under the name.
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".export-*")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer os.Remove(tmp.Name())
	m, err := archive.Export(ctx, src, blobs, tmp, strings.HasSuffix(*out, ".gz"), news.SystemClock{}.Now())
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(stdout, "exported %d tables and %d photo files to %s\n", len(m.Tables), m.Media, *out)
	return nil
}

// importArchive reads a masthead export into the (empty) paper.
func importArchive(ctx context.Context, st news.Store, blobs archive.Blobs, file string, stdout io.Writer, asJSON bool) error {
	dst, ok := st.(copydb.Destination)
	if !ok {
		return errors.New("import: this store cannot load an export")
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	res, err := archive.Import(ctx, dst, blobs, f)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if asJSON {
		// The same summary line as any import (PRODUCT.md).
		awaiting := res.Awaiting
		sum := importer.Summary{Stories: res.Rows["articles"], Authors: res.Rows["authors"], Sections: res.Rows["sections"],
			Tags: res.Rows["tags"], Photos: res.Rows["photos"] - awaiting, PhotosMissing: awaiting, Comments: res.Rows["comments"],
			Redirects: res.Rows["redirects"]}
		return json.NewEncoder(stdout).Encode(map[string]importer.Summary{"summary": sum})
	}
	fmt.Fprintf(stdout, "%s: masthead export: %d stories, %d revisions, %d authors, %d sections, %d tags, %d photos (%d files), %d comments, %d redirects\n",
		file, res.Rows["articles"], res.Rows["revisions"], res.Rows["authors"], res.Rows["sections"], res.Rows["tags"], res.Rows["photos"], res.Media,
		res.Rows["comments"], res.Rows["redirects"])
	return nil
}

// isArchive reports whether file is a masthead export.
func isArchive(file string) bool {
	f, err := os.Open(file)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 4096)
	n, _ := io.ReadFull(f, head)
	return archive.Is(head[:n])
}
