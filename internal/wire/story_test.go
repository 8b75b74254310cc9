package wire

import (
	"os"
	"strings"
	"testing"

	"masthead/internal/ninjs"
)

func TestParseByline(t *testing.T) {
	for _, tc := range []struct{ in, names, org string }{
		{"By KIM TONG-HYUNG, Associated Press", "Kim Tong-hyung", "Associated Press"},
		{"By HYUNG-JIN KIM and MARI YAMAGUCHI, Associated Press", "Hyung-jin Kim|Mari Yamaguchi", "Associated Press"},
		{"By The Associated Press", "", "The Associated Press"},
		{"Jane McDonald", "Jane McDonald", ""},
		{"By O'NEIL SMITH", "O'Neil Smith", ""},
		{"", "", ""},
	} {
		names, org := ParseByline(tc.in)
		if strings.Join(names, "|") != tc.names || org != tc.org {
			t.Errorf("ParseByline(%q) = %q, %q; want %q, %q", tc.in, names, org, tc.names, tc.org)
		}
	}
}

func TestStoryOf(t *testing.T) {
	f, err := os.Open("../ninjs/testdata/ap-feed-50.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	items, err := ninjs.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	s := StoryOf(&items[3])
	if s.Headline != items[3].Headline() || !strings.HasPrefix(s.Deck, "Summary of story 4") || !strings.HasPrefix(s.BodyHTML, "<p>SEOUL") ||
		strings.Join(s.Bylines, "|") != "Kim Tong-hyung" || s.Distributor != "The Associated Press" || s.Lang != "en" ||
		len(s.Pictures) != 1 || s.PublishedAt.IsZero() || strings.Join(s.Tags, ",") != "Technology,Semiconductors" {
		t.Errorf("StoryOf(item 4) = %+v", s)
	}
	if !strings.Contains(s.Rights, "editorial use only") {
		t.Errorf("rights = %q", s.Rights)
	}
	if s := StoryOf(&items[11]); s.EmbargoUntil.IsZero() {
		t.Error("story 12's embargo lost")
	}
	// Hostile markup in a body is cleaned like any other.
	it := ninjs.Item{URI: "urn:x:1", Headlines: []ninjs.Text{{Value: "H"}}, Bodies: []ninjs.Text{{ContentType: "text/html", Value: `<p onclick="x()">Hi<script>alert(1)</script></p>`}}}
	if b := StoryOf(&it).BodyHTML; strings.Contains(b, "script") || strings.Contains(b, "onclick") || !strings.Contains(b, "Hi") {
		t.Errorf("sanitized body = %q", b)
	}
}
