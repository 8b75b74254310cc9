package auth

import (
	"fmt"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"masthead/internal/news"
)

func TestHashPassword(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not a PHC argon2id string", h)
	}
	if !CheckPassword(h, "correct horse battery") {
		t.Error("right password refused")
	}
	for _, wrong := range []string{"", "correct horse batter", "Correct horse battery", "correct horse battery "} {
		if CheckPassword(h, wrong) {
			t.Errorf("wrong password %q accepted", wrong)
		}
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Error("two hashes of one password are equal: salt missing")
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	good, _ := HashPassword("pw-1234567890")
	parts := strings.Split(good, "$")
	for _, h := range []string{
		"", "plain", "$argon2i$v=19$m=19456,t=2,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=18$m=19456,t=2,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=99999999,t=2,p=1$" + parts[4] + "$" + parts[5], // memory bomb
		"$argon2id$v=19$m=19456,t=2,p=1$!!!$" + parts[5],
		"$argon2id$v=19$m=19456,t=2,p=1$" + parts[4] + "$",
	} {
		if CheckPassword(h, "pw-1234567890") {
			t.Errorf("malformed hash %q matched", h)
		}
	}
}

func TestRandomPassword(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		p := RandomPassword()
		if len(p) != 20 || ValidatePassword(p) != nil || seen[p] {
			t.Fatalf("bad random password %q", p)
		}
		seen[p] = true
	}
}

func TestThrottle(t *testing.T) {
	clock := news.NewFixedClock(time.Date(2026, 3, 22, 0, 0, 0, 0, time.UTC))
	th := NewThrottle(clock, 5, 30*time.Second, 15*time.Minute, time.Hour)
	for i := range 5 {
		if ok, _ := th.Begin("acct:a"); !ok {
			t.Fatalf("refused after %d failures", i)
		}
		clock.Add(time.Minute)
	}
	// Back-off, not lockout: after five failures each attempt waits 30 s
	// after the last failure, then 1 min, 2 min... up to 15 min.
	clock.Add(-time.Minute + 10*time.Second)
	ok, wait := th.Begin("acct:a")
	if ok || wait != 20*time.Second {
		t.Fatalf("sixth attempt 10 s after the fifth failure: ok %v, wait %v; want a 20 s wait", ok, wait)
	}
	if ok, _ := th.Begin("acct:b"); !ok {
		t.Error("another key is refused")
	}
	clock.Add(-10 * time.Second) // back to the fifth failure
	for _, want := range []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 15 * time.Minute, 15 * time.Minute} {
		clock.Add(want - time.Second)
		if ok, _ := th.Begin("acct:a"); ok {
			t.Fatalf("allowed a second before the %v back-off ended", want)
		}
		clock.Add(time.Second)
		if ok, _ := th.Begin("acct:a"); !ok {
			t.Fatalf("refused after the %v back-off", want)
		}
	}
	// A success takes its attempt back.
	clock.Add(15 * time.Minute)
	n := th.Failures("acct:a")
	if ok, _ := th.Begin("acct:a"); !ok {
		t.Fatal("refused after the longest back-off")
	}
	th.Succeeded("acct:a")
	if th.Failures("acct:a") != n {
		t.Errorf("failures after a success: %d, want %d", th.Failures("acct:a"), n)
	}
	th.Reset("acct:a")
	if ok, _ := th.Begin("acct:a"); !ok || th.Failures("acct:a") != 1 {
		t.Error("refused after reset")
	}
	// Failures are forgotten after the memory.
	clock.Add(time.Hour + time.Second)
	if th.Failures("acct:a") != 0 {
		t.Error("a failure outlived the memory")
	}
}

// TestThrottleBeginIsAtomic: twelve goroutines released together against a
// free allowance of five get exactly five attempts.
func TestThrottleBeginIsAtomic(t *testing.T) {
	th := NewThrottle(news.NewFixedClock(time.Unix(0, 0)), 5, time.Minute, time.Hour, time.Hour)
	start := make(chan struct{})
	var wg sync.WaitGroup
	var allowed atomic.Int32
	for range 12 {
		wg.Go(func() {
			<-start
			if ok, _ := th.Begin("acct:a"); ok {
				allowed.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	if allowed.Load() != 5 {
		t.Fatalf("%d of 12 parallel attempts allowed, want 5", allowed.Load())
	}
}

func TestSameOrigin(t *testing.T) {
	cases := []struct {
		hdr  map[string]string
		want bool
	}{
		{nil, true},
		{map[string]string{"Sec-Fetch-Site": "same-origin"}, true},
		{map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "http://news.test"}, false},
		{map[string]string{"Sec-Fetch-Site": "same-site"}, false},
		{map[string]string{"Origin": "http://news.test"}, true},
		{map[string]string{"Origin": "https://news.example.com"}, true}, // base URL behind a proxy
		{map[string]string{"Origin": "http://evil.test"}, false},
		{map[string]string{"Origin": "null"}, false},
		{map[string]string{"Referer": "http://evil.test/x"}, false},
		{map[string]string{"Referer": "http://news.test/newsroom/"}, true},
	}
	for _, c := range cases {
		r := httptest.NewRequest("POST", "http://news.test/newsroom/x", nil)
		for k, v := range c.hdr {
			r.Header.Set(k, v)
		}
		if got := SameOrigin(r, "https://news.example.com"); got != c.want {
			t.Errorf("SameOrigin(%v) = %v, want %v", c.hdr, got, c.want)
		}
	}
}

// BenchmarkCheckPassword is the cost of one sign-in attempt.
func BenchmarkCheckPassword(b *testing.B) {
	h, _ := HashPassword("correct horse battery")
	for b.Loop() {
		CheckPassword(h, "correct horse battery")
	}
}

// TestPasswordChecksAreBounded: every check takes 19 MiB; parallel sign-ins
// run at most cap(hashSlots) of them at once, the rest wait.
func TestPasswordChecksAreBounded(t *testing.T) {
	h, err := HashPassword("correct horse 42")
	if err != nil {
		t.Fatal(err)
	}
	var peak atomic.Int32
	stop := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for {
			select {
			case <-stop:
				return
			default:
				if n := hashing.Load(); n > peak.Load() {
					peak.Store(n)
				}
				runtime.Gosched()
			}
		}
	}()
	var wg sync.WaitGroup
	for i := range 4 * cap(hashSlots) {
		wg.Go(func() { CheckPassword(h, fmt.Sprintf("wrong %d", i)) })
	}
	wg.Wait()
	close(stop)
	<-watched
	if p := peak.Load(); p > int32(cap(hashSlots)) || p == 0 {
		t.Fatalf("%d checks ran at once, bound %d", p, cap(hashSlots))
	}
}
