package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"masthead/internal/copydb"
	"masthead/internal/store/postgres"
	"masthead/internal/store/sqlite"
)

const copyDBSynopsis = `masthead copy-db --from sqlite:PATH|postgres://... --to sqlite:PATH|postgres://...

Copies a whole paper from one database to another, SQLite to PostgreSQL or
back: sections, authors, tags, photo records, stories with their bylines,
tags, corrections and former slugs, revisions, accounts (with their password
hashes), the audit log, settings and view counts. Every id is kept, so story,
revision and /media/{id}/... links keep working.

- The destination must be empty (a new SQLite file, or a PostgreSQL database
  or schema masthead has not used yet); anything else is refused and nothing
  is written. The whole copy is one transaction.
- Sign-in sessions are not copied: everyone signs in again on the new
  database.
- Photo files are not in the database. Point the new nodes at the same media
  store (--media), or copy DATA/media (or the bucket) yourself.
- Stop the paper's writers (or copy from a backup) so the two sides agree:
  the row counts of every table are compared at the end and a difference is
  an error.`

func cmdCopyDB(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("copy-db", flag.ContinueOnError)
	from := fs.String("from", "", "source database: sqlite:`PATH` or postgres://...")
	to := fs.String("to", "", "destination database, empty: sqlite:`PATH` (created) or postgres://...")
	fs.Usage = usageFor(fs, copyDBSynopsis)
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return errors.New("copy-db: --from and --to are both required (sqlite:PATH or postgres://...)")
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("copy-db: unexpected argument %q", fs.Arg(0))
	}
	if sameDatabase(*from, *to) {
		return errors.New("copy-db: --from and --to name the same database")
	}
	src, err := openCopyEnd(ctx, *from, false)
	if err != nil {
		return fmt.Errorf("copy-db: --from: %w", err)
	}
	defer src.Close()
	dst, err := openCopyEnd(ctx, *to, true)
	if err != nil {
		return fmt.Errorf("copy-db: --to: %w", err)
	}
	defer dst.Close()

	fmt.Fprintf(stdout, "copying %s → %s\n", describeDB(*from), describeDB(*to))
	counts, err := copydb.Copy(ctx, src, dst, stdout)
	if len(counts) > 0 {
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "table\tsource\tdestination\t")
		for _, c := range counts {
			mark := ""
			if c.From != c.To {
				mark = "  MISMATCH"
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", c.Table, c.From, c.To, mark)
		}
		tw.Flush()
	}
	if err != nil {
		return fmt.Errorf("copy-db: %w", err)
	}
	fmt.Fprintln(stdout, "done: every table has the same number of rows on both sides (sessions are not copied)")
	return nil
}

// copyEnd is what both stores offer copy-db.
type copyEnd interface {
	copydb.Destination
	Close() error
}

// openCopyEnd opens sqlite:PATH or a postgres:// URL. A source SQLite file
// must exist: a mistyped path must be an error, not a copy of nothing. A
// destination file is created 0600, as serve creates its database.
func openCopyEnd(ctx context.Context, spec string, create bool) (copyEnd, error) {
	if strings.HasPrefix(spec, "postgres://") || strings.HasPrefix(spec, "postgresql://") {
		return postgres.Open(ctx, spec)
	}
	path, ok := strings.CutPrefix(spec, "sqlite:")
	if !ok || path == "" {
		return nil, fmt.Errorf("%q: want sqlite:PATH or postgres://...", spec)
	}
	if create {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		if f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
			f.Close()
		} else if !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
	} else if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no database at %s: %w", path, err)
	}
	return sqlite.Open(ctx, path)
}

// sameDatabase catches the obvious mistake of copying a database onto
// itself (the destination would not be empty anyway, but the message is
// clearer).
func sameDatabase(a, b string) bool {
	pa, oka := strings.CutPrefix(a, "sqlite:")
	pb, okb := strings.CutPrefix(b, "sqlite:")
	if oka && okb {
		aa, err1 := filepath.Abs(pa)
		ab, err2 := filepath.Abs(pb)
		return err1 == nil && err2 == nil && aa == ab
	}
	return a == b
}

// describeDB names a database for the operator without its password.
func describeDB(spec string) string {
	if strings.HasPrefix(spec, "sqlite:") {
		return spec
	}
	u, err := url.Parse(spec)
	if err != nil {
		return "PostgreSQL"
	}
	// The query may hold password=...: keep only the schema.
	q := url.Values{}
	if sp := u.Query().Get("search_path"); sp != "" {
		q.Set("search_path", sp)
	}
	u.RawQuery = q.Encode()
	return u.Redacted()
}
