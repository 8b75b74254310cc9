package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Backup writes a consistent copy of the database to path with VACUUM INTO:
// one transaction's snapshot, compact, WAL content included. It reads
// through a connection of its own (not the single writer, not the
// query_only readers, which refuse to write the new file), so the site
// keeps serving and editors keep writing meanwhile: in WAL mode a reader
// never blocks the writer.
//
// The file is created first, exclusively and with mode 0600 (a backup holds
// password hashes and sessions), so an existing file is never overwritten,
// not even one that appears between a check and the copy. On failure the
// partial file is removed.
func (db *DB) Backup(ctx context.Context, path string) error {
	abs, err := filepath.Abs(db.path)
	if err != nil {
		return err
	}
	conn, err := sql.Open("sqlite", "file:"+(&url.URL{Path: abs}).EscapedPath()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	return vacuumInto(ctx, conn, path)
}

func vacuumInto(ctx context.Context, conn *sql.DB, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(abs, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("backup: %s exists already; choose a new file", path)
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	f.Close()
	// VACUUM INTO accepts an empty file as its target.
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, abs); err != nil {
		os.Remove(abs)
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	if err := syncFile(abs); err != nil {
		os.Remove(abs)
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}

// sqliteHeader starts every SQLite database file.
var sqliteHeader = []byte("SQLite format 3\x00")

// Restore replaces the database at dst with the backup at src.
//
// Before it touches dst it checks, without writing to src, that src is an
// SQLite file, passes the integrity check, and is a masthead database no
// newer than this program (its schema_migrations). It refuses while another
// process has dst open (a running serve: stop it first). The old database,
// with its WAL, is kept beside it as dst.before-restore-TIME; the new file
// is copied to a temporary name and renamed into place, so a failure at any
// step leaves dst as it was.
func Restore(ctx context.Context, src, dst string) error {
	if err := checkBackup(ctx, src); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if busy, err := inUse(dst); err != nil {
		return fmt.Errorf("restore: %w", err)
	} else if busy {
		return fmt.Errorf("restore: %s is open in another process (is masthead serve running?); stop it first", dst)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	tmp := dst + ".restoring"
	os.Remove(tmp)
	from, err := openReadOnly(src)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	// Copy through VACUUM INTO so the result is one self-contained file,
	// whatever journal files came with src.
	err = vacuumInto(ctx, from, tmp)
	from.Close()
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if _, err := os.Stat(dst); err == nil {
		keep := dst + ".before-restore-" + time.Now().UTC().Format("20060102T150405Z")
		// The WAL may hold committed transactions not yet in the main
		// file: it moves with it, under the name SQLite looks for.
		if err := os.Rename(dst, keep); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("restore: keep the old database: %w", err)
		}
		for _, suffix := range []string{"-wal", "-shm"} {
			if err := os.Rename(dst+suffix, keep+suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("restore: keep the old database's %s: %w", suffix, err)
			}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		os.Remove(tmp)
		return fmt.Errorf("restore: %w", err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	return syncDir(filepath.Dir(dst))
}

// checkBackup proves src is a usable masthead database without changing
// it: opening it with Open would apply migrations to it.
func checkBackup(ctx context.Context, src string) error {
	st, err := os.Stat(src)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", src)
	}
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	head := make([]byte, len(sqliteHeader))
	_, err = io.ReadFull(f, head)
	f.Close()
	if err != nil || !bytes.Equal(head, sqliteHeader) {
		return fmt.Errorf("%s is not an SQLite database (a masthead backup file)", src)
	}
	db, err := openReadOnly(src)
	if err != nil {
		return err
	}
	defer db.Close()
	var result string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&result); err != nil {
		return fmt.Errorf("integrity check of %s: %w", src, err)
	}
	if result != "ok" {
		return fmt.Errorf("%s fails the integrity check: %s", src, result)
	}
	var version sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&version); err != nil {
		return fmt.Errorf("%s is not a masthead database (no schema_migrations table)", src)
	}
	latest, err := latestMigration()
	if err != nil {
		return err
	}
	if !version.Valid || version.Int64 < 1 {
		return fmt.Errorf("%s is not a masthead database (no migrations applied)", src)
	}
	if version.Int64 > int64(latest) {
		return fmt.Errorf("%s comes from a newer masthead (schema version %d, this program knows %d); upgrade masthead first", src, version.Int64, latest)
	}
	return nil
}

// openReadOnly opens path so that nothing can write to it.
func openReadOnly(path string) (*sql.DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	// mode=ro, not query_only: the latter would also refuse VACUUM INTO's
	// writes to the new file.
	name := "file:" + (&url.URL{Path: abs}).EscapedPath() + "?mode=ro&_pragma=busy_timeout(10000)"
	db, err := sql.Open("sqlite", name)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// latestMigration is the highest migration number this program carries.
func latestMigration() (int, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return 0, err
	}
	latest := 0
	for _, name := range names {
		num, _, _ := strings.Cut(filepath.Base(name), "_")
		if v, err := strconv.Atoi(num); err == nil && v > latest {
			latest = v
		}
	}
	return latest, nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	// Some file systems cannot sync a directory; the rename stands anyway.
	_ = d.Sync()
	return nil
}
