package main

import (
	"context"
	"io"
	"sync"
	"time"
)

// lineBuffer collects access log lines and writes them in batches: a line
// per request written straight to stderr is a system call per request,
// about a fifth of the server's CPU per cached page on the 2-core bench
// machine (docs/performance.md). Lines reach the log within a second;
// warnings and errors do not go through it and are written at once. slog
// handlers write each record with one Write call, so lines are never
// split.
type lineBuffer struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte
}

const lineBufferMax = 64 << 10

func newLineBuffer(w io.Writer) *lineBuffer {
	return &lineBuffer{w: w, buf: make([]byte, 0, lineBufferMax)}
}

func (b *lineBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.buf)+len(p) > lineBufferMax {
		b.flushLocked()
	}
	if len(p) > lineBufferMax {
		return b.w.Write(p)
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

func (b *lineBuffer) flushLocked() {
	if len(b.buf) > 0 {
		_, _ = b.w.Write(b.buf)
		b.buf = b.buf[:0]
	}
}

// Flush writes out what is buffered.
func (b *lineBuffer) Flush() {
	b.mu.Lock()
	b.flushLocked()
	b.mu.Unlock()
}

// run flushes every second until ctx ends, then once more.
func (b *lineBuffer) run(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			b.Flush()
			return
		case <-t.C:
			b.Flush()
		}
	}
}
