package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
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

// blockingWriter holds every Write until released, and says when one has
// begun.
type blockingWriter struct {
	entered chan struct{}
	release chan struct{}
	mu      sync.Mutex
	out     bytes.Buffer
}

func (w *blockingWriter) Write(p []byte) (int, error) {
	w.entered <- struct{}{}
	<-w.release
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.out.Write(p)
}

// A request's line never waits for a batch being written: while a flush is
// stuck in its write (a slow disk, or a thread the kernel descheduled),
// lines are still taken, and they come out after that batch, in order.
func TestLineBufferWriteDoesNotWaitForFlush(t *testing.T) {
	w := &blockingWriter{entered: make(chan struct{}), release: make(chan struct{})}
	b := newLineBuffer(w)
	b.Write([]byte("first\n"))
	flushed := make(chan struct{})
	go func() { b.Flush(); close(flushed) }()
	<-w.entered // the flush is inside its write

	wrote := make(chan struct{})
	go func() {
		b.Write([]byte("second\n"))
		b.Write([]byte("third\n"))
		close(wrote)
	}()
	select {
	case <-wrote:
	case <-time.After(10 * time.Second): // a deadlock guard, not a speed limit
		t.Fatal("Write waited for the flush's write")
	}
	close(w.release) // every later write goes straight through
	go func() {
		for range w.entered {
		}
	}()
	<-flushed
	b.Flush()
	if got := w.out.String(); got != "first\nsecond\nthird\n" {
		t.Errorf("log %q", got)
	}
}
