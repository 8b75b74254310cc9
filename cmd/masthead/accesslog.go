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
//
// A request holds mu only to append its line: the batch is written with
// mu released (wmu keeps batches in order), so no request waits for a
// system call, nor for a flushing thread the kernel has descheduled in
// one, which on a loaded machine stalls every request behind the lock.
type lineBuffer struct {
	mu  sync.Mutex // guards buf
	buf []byte

	wmu   sync.Mutex // one batch written at a time, in order; guards spare
	spare []byte     // the last batch written, reused for the next
	w     io.Writer
}

const lineBufferMax = 64 << 10

func newLineBuffer(w io.Writer) *lineBuffer {
	return &lineBuffer{w: w, buf: make([]byte, 0, lineBufferMax), spare: make([]byte, 0, lineBufferMax)}
}

func (b *lineBuffer) Write(p []byte) (int, error) {
	if len(p) > lineBufferMax {
		b.wmu.Lock()
		defer b.wmu.Unlock()
		b.flushLocked()
		return b.w.Write(p)
	}
	b.mu.Lock()
	b.buf = append(b.buf, p...)
	full := len(b.buf) >= lineBufferMax
	b.mu.Unlock()
	if full {
		b.wmu.Lock()
		b.flushLocked()
		b.wmu.Unlock()
	}
	return len(p), nil
}

// flushLocked writes out the batch; the caller holds wmu.
func (b *lineBuffer) flushLocked() {
	b.mu.Lock()
	out := b.buf
	b.buf = b.spare[:0]
	b.mu.Unlock()
	if len(out) > 0 {
		_, _ = b.w.Write(out)
	}
	b.spare = out
}

// Flush writes out what is buffered.
func (b *lineBuffer) Flush() {
	b.wmu.Lock()
	b.flushLocked()
	b.wmu.Unlock()
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
