package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"masthead/internal/news"
	"masthead/internal/store/sqlite"
	"masthead/internal/store/storetest"
)

// open makes a fresh database file in the test's temporary folder.
func open(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "masthead.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) news.Store { return open(t) })
}
