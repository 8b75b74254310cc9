package views

import (
	"fmt"
	"testing"
	"time"

	"masthead/internal/news"
)

// TestOneAddressCannotRigTop10: dedup was address + user agent + story, so
// one client put any story at #1 by rotating its User-Agent. Now 300
// beacons from one address with 300 user agents add 3 views, as do 300
// from 300 addresses of one IPv6 /64; a rival story read by 10 real
// readers stays ahead.
func TestOneAddressCannotRigTop10(t *testing.T) {
	e := newEnv(t, nil)
	rigged := e.story("rigged", nil)
	honest := e.story("honest", nil)
	for i := range 300 {
		e.beacon(rigged.ID, "203.0.113.66:1234", reader(i))
	}
	for i := range 300 {
		e.beacon(rigged.ID, fmt.Sprintf("[2001:db8:1:2:%x::1]:443", i), reader(i))
	}
	for i := range 10 {
		e.beacon(honest.ID, readerAt(i), reader(i))
	}
	e.flush()
	if got := e.views(rigged.ID); got != 6 {
		t.Fatalf("rigged story: %d views, want 6 (3 from the IPv4 address, 3 from the /64)", got)
	}
	top, err := e.c.TopStories(e.ctx, 24*time.Hour, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(top) != 2 || top[0].Article.ID != honest.ID {
		t.Fatalf("top: %+v, want the honest story first", top)
	}
	// The next day the address may add its few views again.
	e.clock.Add(24 * time.Hour)
	for i := range 10 {
		e.beacon(rigged.ID, "203.0.113.66:1234", reader(i))
	}
	e.flush()
	if got := e.views(rigged.ID); got != 9 {
		t.Fatalf("next day: %d views, want 9", got)
	}
}

// TestAddressRateLimit: over all stories, one address adds at most a
// burst of rateBurst views, then one per rateEvery.
func TestAddressRateLimit(t *testing.T) {
	e := newEnv(t, nil)
	var stories []*news.Article
	for i := range rateBurst + 20 {
		stories = append(stories, e.story(fmt.Sprintf("s%d", i), nil))
	}
	count := func() (n int64) {
		e.flush()
		for _, a := range stories {
			n += e.views(a.ID)
		}
		return n
	}
	for _, a := range stories {
		e.beacon(a.ID, "203.0.113.77:1", firefox)
	}
	if got := count(); got != rateBurst {
		t.Fatalf("%d views from one address at once, want %d", got, rateBurst)
	}
	e.clock.Add(3 * rateEvery)
	for _, a := range stories[rateBurst:] {
		e.beacon(a.ID, "203.0.113.77:1", firefox)
	}
	if got := count(); got != rateBurst+3 {
		t.Fatalf("%d views after %v, want %d", got, 3*rateEvery, rateBurst+3)
	}
	// Another address is not held back.
	e.beacon(stories[len(stories)-1].ID, "203.0.113.78:1", firefox)
	if got := count(); got != rateBurst+4 {
		t.Fatalf("another address: %d views, want %d", got, rateBurst+4)
	}
}
