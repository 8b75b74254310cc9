package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"masthead/internal/benchdata"
	"masthead/internal/store/sqlite"
)

// generate writes a large paper into dir/masthead.db (what masthead serve
// --data dir opens) through the store, search index and all.
func generate(dir string, stories int, views int64) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	path := filepath.Join(dir, "masthead.db")
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s exists: generate into a new -data directory", path)
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	s, err := benchdata.Generate(ctx, st, benchdata.Config{Stories: stories, Views: views, Seed: 1,
		Progress: func(n int) {
			fmt.Printf("  %d stories, %.0f/s\n", n, float64(n)/time.Since(start).Seconds())
		}})
	if err != nil {
		return err
	}
	var size int64
	for _, suffix := range []string{"", "-wal"} {
		if fi, err := os.Stat(path + suffix); err == nil {
			size += fi.Size()
		}
	}
	fmt.Printf("wrote %d stories (%d sections, %d authors, %d tags) in %s (%.0f stories/s), %d views in %s; database %.0f MB\n",
		s.Stories, s.Sections, s.Authors, s.Tags, s.StoriesTime.Round(time.Millisecond),
		float64(s.Stories)/s.StoriesTime.Seconds(), s.Views, s.ViewsTime.Round(time.Millisecond), float64(size)/1e6)
	fmt.Printf("serve it with: go run ./cmd/loadbench -data %s -- --no-demo\n", dir)
	return nil
}
