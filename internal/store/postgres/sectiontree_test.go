package postgres

import (
	"context"
	"errors"
	"testing"

	"masthead/internal/news"
)

// TestSectionTreeConcurrentCycle: two writers each put one section under
// the other at the same time. Each alone is valid (both are top-level when
// it reads), so without the table lock both would commit and make a cycle.
// The barrier: the second writer starts while the first has written but not
// committed, and the first commits only once the second is waiting for the
// lock (pg_locks), or has finished, which the test then reports. The second
// must then see the first's write and be refused.
func TestSectionTreeConcurrentCycle(t *testing.T) {
	db := openURL(t, freshSchema(t))
	ctx := context.Background()
	a := &news.Section{Slug: "a", Name: "A", Position: 1}
	b := &news.Section{Slug: "b", Name: "B", Position: 2}
	for _, s := range []*news.Section{a, b} {
		if err := db.CreateSection(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	second := make(chan error, 1)
	err := db.Update(ctx, func(tx news.Tx) error {
		a.ParentID = b.ID
		if err := tx.UpdateSection(ctx, a); err != nil {
			return err
		}
		go func() {
			b2 := *b
			b2.ParentID = a.ID
			second <- db.UpdateSection(ctx, &b2)
		}()
		for {
			var waiting int
			if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
				WHERE NOT l.granted AND c.relname = 'sections'`).Scan(&waiting); err != nil {
				return err
			}
			if waiting > 0 {
				return nil // the second writer waits for the lock: commit
			}
			select {
			case err := <-second:
				second <- err // it finished without waiting
				return nil
			default:
			}
		}
	})
	if err != nil {
		t.Fatalf("first writer: %v", err)
	}
	if err := <-second; !errors.Is(err, news.ErrInvalid) {
		t.Fatalf("second writer: %v, want refused (a cycle)", err)
	}
	got, err := db.FindSectionByID(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ParentID != 0 {
		t.Fatalf("B is under %d: the two writes made a cycle", got.ParentID)
	}
}
