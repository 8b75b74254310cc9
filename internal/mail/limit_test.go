package mail

import (
	"testing"
	"time"
)

func TestLimiterSpendsBurstThenWaits(t *testing.T) {
	l := &limiter{rate: 2, burst: 3, tokens: 3, last: time.Now()}
	for i := range 3 {
		if d := l.reserve(); d != 0 {
			t.Fatalf("token %d of the burst: wait %v", i+1, d)
		}
	}
	d := l.reserve()
	// At 2/s the next token is about half a second away (less the time
	// this test took since the burst).
	if d <= 0 || d > 500*time.Millisecond {
		t.Errorf("after the burst: wait %v, want (0, 500ms]", d)
	}
	// Tokens saved up while idle never exceed the burst.
	l.last = time.Now().Add(-time.Hour)
	l.reserve()
	if l.tokens > l.burst {
		t.Errorf("%v tokens saved, burst is %v", l.tokens, l.burst)
	}
	if d := (&limiter{}).reserve(); d != 0 {
		t.Errorf("no rate: wait %v", d)
	}
}

func TestLimiterIsPerServer(t *testing.T) {
	a := limiterFor("limit-test-a:25", 5, 1)
	if b := limiterFor("limit-test-a:25", 5, 1); a != b {
		t.Error("two Mailers of one server got two limiters")
	}
	if c := limiterFor("limit-test-b:25", 5, 1); a == c {
		t.Error("two servers share a limiter")
	}
	limiterFor("limit-test-a:25", 50, 2)
	if a.rate != 50 || a.burst != 2 {
		t.Errorf("a changed rate was not taken: %v/%v", a.rate, a.burst)
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	base, max := time.Second, time.Minute
	want := []time.Duration{time.Second, 4 * time.Second, 16 * time.Second, time.Minute, time.Minute}
	for i, w := range want {
		for range 20 {
			d := Backoff(i+1, base, max)
			if d > w || d < w-w/5 {
				t.Fatalf("Backoff(%d) = %v, want in [%v, %v]", i+1, d, w-w/5, w)
			}
		}
	}
}
