package news

import (
	"context"
	"testing"
	"time"
)

// TestGenerationPoll: a generation read is used for the period and read
// again after it, or at once when the clock went back; a period of zero
// reads every time; a failed read keeps nothing.
func TestGenerationPoll(t *testing.T) {
	ctx := context.Background()
	reads, gen := 0, int64(7)
	var fail error
	read := func(context.Context) (int64, error) { reads++; return gen, fail }
	var p GenerationPoll
	t0 := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	get := func(at time.Time, every time.Duration) int64 {
		t.Helper()
		g, err := p.Get(ctx, at, every, read)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	get(t0, time.Second)
	gen = 8
	if g := get(t0.Add(999*time.Millisecond), time.Second); g != 7 || reads != 1 {
		t.Errorf("within the period: generation %d after %d reads, want 7 after 1", g, reads)
	}
	if g := get(t0.Add(time.Second), time.Second); g != 8 || reads != 2 {
		t.Errorf("after the period: generation %d after %d reads, want 8 after 2", g, reads)
	}
	if get(t0, time.Second); reads != 3 {
		t.Errorf("a clock gone back: %d reads, want 3", reads)
	}
	if get(t0, 0); reads != 4 {
		t.Errorf("a zero period: %d reads, want 4", reads)
	}
	fail = context.DeadlineExceeded
	if _, err := p.Get(ctx, t0.Add(time.Hour), time.Second, read); err == nil {
		t.Error("a failed read returned no error")
	}
	fail, gen = nil, 9
	if g := get(t0.Add(time.Hour+time.Millisecond), time.Second); g != 9 {
		t.Errorf("after a failed read: generation %d, want 9 (the failure kept nothing)", g)
	}
}
