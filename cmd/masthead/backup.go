package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"masthead/internal/store/sqlite"
)

func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c common
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	c.register(fs)
	out := fs.String("out", "", "write the backup to this `file` (must not exist)")
	fs.Usage = usageFor(fs, "masthead backup --out FILE")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("backup: --out FILE is required")
	}
	if c.isPostgres() {
		return errors.New("backup: for PostgreSQL use pg_dump (see docs/deployment.md)")
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("backup: %s exists already; choose a new file", *out)
	}
	// Open would create an empty database where none is: a mistyped
	// --data must be an error, not a backup of nothing.
	if _, err := os.Stat(c.sqlitePath()); err != nil {
		return fmt.Errorf("backup: no database at %s: %w", c.sqlitePath(), err)
	}
	db, err := sqlite.Open(ctx, c.sqlitePath())
	if err != nil {
		return err
	}
	defer db.Close()
	// VACUUM INTO writes a consistent snapshot while serve keeps
	// serving and writing (WAL readers do not block writers).
	if err := db.Backup(ctx, *out); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(stdout, "backed up %s to %s\n", c.sqlitePath(), *out)
	return nil
}

func cmdRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c common
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	c.register(fs)
	from := fs.String("from", "", "restore from this backup `file`")
	fs.Usage = usageFor(fs, "masthead restore --from FILE")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if *from == "" {
		return errors.New("restore: --from FILE is required")
	}
	if c.isPostgres() {
		return errors.New("restore: for PostgreSQL use pg_restore (see docs/deployment.md)")
	}
	// Holding serve's lock keeps a serve from starting on the database
	// while it is being replaced.
	l, err := lockData(c.sqlitePath())
	if err != nil {
		return fmt.Errorf("restore: %w; stop it first", err)
	}
	defer l.release()
	if err := sqlite.Restore(ctx, *from, c.sqlitePath()); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Fprintf(stdout, "restored %s from %s\n", c.sqlitePath(), *from)
	return nil
}
