package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBackupAndRestoreChecks covers what the end-to-end test in
// cmd/masthead cannot reach easily: a backup from a newer schema, a
// backup that fails the integrity check, and the file mode.
func TestBackupAndRestoreChecks(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(ctx, filepath.Join(dir, "live.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	good := filepath.Join(dir, "good.db")
	if err := db.Backup(ctx, good); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(good); st.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want 0600", st.Mode().Perm())
	}
	if err := db.Backup(ctx, good); err == nil || !strings.Contains(err.Error(), "exists already") {
		t.Errorf("backup onto an existing file: %v", err)
	}

	// A backup from a newer masthead.
	newer := filepath.Join(dir, "newer.db")
	if err := db.Backup(ctx, newer); err != nil {
		t.Fatal(err)
	}
	n, err := Open(ctx, newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.write.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 0)`); err != nil {
		t.Fatal(err)
	}
	n.Close()

	// A damaged backup: a page in the middle overwritten.
	damaged := filepath.Join(dir, "damaged.db")
	b, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	for i := 4096 * 2; i < 4096*3 && i < len(b); i++ {
		b[i] = 0x5a
	}
	os.WriteFile(damaged, b, 0o600)

	dst := filepath.Join(dir, "restored", "masthead.db")
	for _, tc := range []struct{ src, want string }{
		{newer, "newer masthead"},
		{damaged, ""},
		{dir, "not a regular file"},
	} {
		err := Restore(ctx, tc.src, dst)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Restore(%s): %v, want an error mentioning %q", filepath.Base(tc.src), err, tc.want)
		}
		if _, err := os.Stat(dst); err == nil {
			t.Errorf("Restore(%s) refused but wrote %s", filepath.Base(tc.src), dst)
		}
	}
	if err := Restore(ctx, good, dst); err != nil {
		t.Fatal(err)
	}
	// A second restore keeps the first as before-restore.
	if err := Restore(ctx, good, dst); err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(dst + ".before-restore-*"); len(m) != 1 {
		t.Errorf("kept files: %v", m)
	}
	r, err := Open(ctx, dst)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
}
