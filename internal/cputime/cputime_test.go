//go:build unix

package cputime

import (
	"os"
	"testing"
	"time"
)

// TestOf: another process's CPU time is read to the nanosecond where the
// kernel keeps it (it was read in clock ticks of 10 ms, a fifth of a
// benchmark's 50 requests' backend time), and agrees with this process's
// own count when asked of this process.
func TestOf(t *testing.T) {
	if _, err := os.Stat("/proc/self/task"); err != nil {
		t.Skip("no /proc here")
	}
	start := Process()
	for Process()-start < 30*time.Millisecond {
		for i := range 100000 {
			_ = i * i
		}
	}
	own, other := Process(), Of(os.Getpid())
	if other < own/2 || other > own*2 {
		t.Fatalf("Of(this process) = %v, its own count %v", other, own)
	}
	if _, ok := scheduled(os.Getpid()); ok && other%(10*time.Millisecond) == 0 {
		t.Errorf("Of(this process) = %v: whole clock ticks, not the scheduler's nanoseconds", other)
	}
	if got := Of(-1); got != 0 {
		t.Errorf("Of(-1) = %v, want 0", got)
	}
}
