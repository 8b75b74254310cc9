package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the database to path with VACUUM INTO:
// one transaction's snapshot, compact, WAL content included. It runs on a
// read connection (query_only does not stop VACUUM INTO from writing the new
// file), so the site keeps serving and editors keep writing meanwhile.
func (db *DB) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s exists already", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if _, err := db.read.ExecContext(ctx, `VACUUM INTO ?`, abs); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}

// Restore replaces the database at dst with the backup at src. It checks
// that src is a masthead database that passes SQLite's integrity check
// before it touches dst, and refuses while dst is open by another process's
// write lock. The old file is kept as dst + ".before-restore".
func Restore(ctx context.Context, src, dst string) error {
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	check, err := Open(ctx, src)
	if err != nil {
		return fmt.Errorf("restore: %s is not a usable masthead database: %w", src, err)
	}
	var result string
	err = check.read.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&result)
	check.Close()
	if err != nil {
		return fmt.Errorf("restore: integrity check of %s: %w", src, err)
	}
	if result != "ok" {
		return fmt.Errorf("restore: %s fails the integrity check: %s", src, result)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return err
	}
	tmp := dst + ".restoring"
	os.Remove(tmp)
	// Copy through VACUUM INTO so the result is one self-contained file.
	from, err := Open(ctx, src)
	if err != nil {
		return err
	}
	err = from.Backup(ctx, tmp)
	from.Close()
	if err != nil {
		return err
	}
	if _, err := os.Stat(dst); err == nil {
		if err := os.Rename(dst, dst+".before-restore"); err != nil {
			return fmt.Errorf("restore: keep the old database: %w", err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(dst + suffix)
	}
	return os.Rename(tmp, dst)
}
