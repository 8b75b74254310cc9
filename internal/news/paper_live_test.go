package news

import (
	"sync"
	"testing"
	"time"
)

// TestLivePaper: a paper made by Live hands out whole versions: readers
// racing a Swap see the old or the new settings, never a mix (run with
// -race); Swap on a plain paper changes nothing.
func TestLivePaper(t *testing.T) {
	p := Live(&Paper{Name: "Old", Tagline: "old"})
	if c := p.Current(); c.Name != "Old" || c.Current() != c {
		t.Fatalf("Current: %+v", c)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				c := p.Current()
				if (c.Name == "Old") != (c.Tagline == "old") {
					t.Errorf("a mixed version: %q / %q", c.Name, c.Tagline)
					return
				}
			}
		}()
	}
	for i := range 100 {
		if i%2 == 0 {
			p.Swap(&Paper{Name: "New", Tagline: "new"})
		} else {
			p.Swap(&Paper{Name: "Old", Tagline: "old"})
		}
	}
	wg.Wait()
	next := &Paper{Name: "Newest"}
	p.Swap(next)
	next.Name = "changed after the swap"
	if p.Current().Name != "Newest" {
		t.Error("Swap kept the caller's paper rather than a copy")
	}
	plain := &Paper{Name: "Plain"}
	if plain.Swap(&Paper{Name: "X"}) || plain.Current() != plain {
		t.Error("Swap changed a paper not made by Live")
	}
	p.Update(func(c *Paper) { c.Tagline = "updated" })
	if c := p.Current(); c.Name != "Newest" || c.Tagline != "updated" {
		t.Errorf("Update: %+v", c)
	}
	plain.Update(func(c *Paper) { c.Name = "Plain 2" })
	if plain.Name != "Plain 2" {
		t.Error("Update on a plain paper")
	}
}

// TestLiveHandleHoldsNoSettings: the handle Live returns keeps only the
// base URL, so a setting read from it rather than through Current is
// empty at once (not stale after the first save, as the demo's share
// image was); its methods follow the current version.
func TestLiveHandleHoldsNoSettings(t *testing.T) {
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	p := Live(&Paper{Name: "Old", BaseURL: "https://news.example.com", Location: seoul})
	if p.Name != "" || p.Location != nil || p.BaseURL != "https://news.example.com" {
		t.Errorf("the handle holds settings: %+v", *p)
	}
	a := &Article{Slug: "s", PublishedAt: time.Date(2026, 3, 21, 20, 0, 0, 0, time.UTC)}
	if got := p.ArticlePath(a); got != "/2026/03/22/s" {
		t.Errorf("ArticlePath on the handle = %s, want the Seoul date", got)
	}
	p.Update(func(c *Paper) { c.Location = time.UTC })
	if got := p.ArticlePath(a); got != "/2026/03/21/s" {
		t.Errorf("ArticlePath after a new zone = %s, want the UTC date", got)
	}
}
