package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// Lines written from many goroutines come out whole and all of them, after
// the final flush.
func TestLineBuffer(t *testing.T) {
	var out bytes.Buffer
	b := newLineBuffer(&out)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.run(ctx); close(done) }()
	log := slog.New(slog.NewTextHandler(b, nil))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				log.Info("request", "g", g, "i", i, "path", strings.Repeat("x", i%50))
			}
		})
	}
	wg.Wait()
	cancel()
	<-done
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 16000 {
		t.Fatalf("%d lines, want 16000", len(lines))
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "time=") || !strings.Contains(l, " path=") {
			t.Fatalf("torn line %q", l)
		}
	}
}
