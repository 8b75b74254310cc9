package auth

import (
	"net/http/httptest"
	"strings"
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
	th := NewThrottle(clock, 5, 15*time.Minute)
	for i := range 5 {
		if ok, _ := th.Allow("acct:a"); !ok {
			t.Fatalf("refused after %d failures", i)
		}
		th.Fail("acct:a")
		clock.Add(time.Minute)
	}
	ok, wait := th.Allow("acct:a")
	if ok {
		t.Fatal("sixth attempt allowed after five failures")
	}
	// The first failure was at 0; five minutes have passed.
	if wait != 10*time.Minute {
		t.Errorf("retry after %v, want 10m", wait)
	}
	if ok, _ := th.Allow("acct:b"); !ok {
		t.Error("another key is refused")
	}
	clock.Add(10 * time.Minute)
	if ok, _ := th.Allow("acct:a"); !ok {
		t.Error("still refused once the oldest failure left the window")
	}
	th.Fail("acct:a")
	if ok, _ := th.Allow("acct:a"); ok {
		t.Error("allowed with five failures in the window")
	}
	th.Reset("acct:a")
	if ok, _ := th.Allow("acct:a"); !ok {
		t.Error("refused after reset")
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
