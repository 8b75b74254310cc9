package ninjs

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func TestParseFeed(t *testing.T) {
	f, err := os.Open("testdata/ap-feed-50.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	items, err := Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 50 {
		t.Fatalf("%d items, want 50", len(items))
	}
	first := items[0]
	if first.URI != "urn:newsml:apnews.example:20260322:story01" || first.Headline() != "North Korea fires ballistic missile into sea" ||
		first.VersionNumber() != 1 || first.Killed() || first.Credit() != "By HYUNG-JIN KIM, Associated Press" ||
		first.Distributor() != "The Associated Press" || !strings.HasPrefix(first.BodyHTML(), "<p>SEOUL, South Korea (AP)") {
		t.Errorf("first item: %q %q v%d credit %q distributor %q", first.URI, first.Headline(), first.VersionNumber(), first.Credit(), first.Distributor())
	}
	if r := first.Rights(); !strings.Contains(r, "Copyright 2026 The Associated Press") || !strings.Contains(r, "editorial use only") || !strings.Contains(r, "https://www.ap.example/terms") {
		t.Errorf("rights = %q", r)
	}
	if kw := strings.Join(first.Keywords(), ","); kw != "North Korea,Missiles" {
		t.Errorf("keywords = %q", kw)
	}
	if first.Standard == nil || first.Standard.Version != "2.0" {
		t.Errorf("standard = %+v", first.Standard)
	}
	// A plain-text body becomes escaped paragraphs.
	if b := items[6].BodyHTML(); strings.Count(b, "<p>") != 3 || strings.Contains(b, "\n\n") {
		t.Errorf("plain body = %q", b)
	}
	pics := items[3].Pictures()
	if len(pics) != 1 || pics[0].Href != "https://media.ap.example/4/main.jpg" || pics[0].Credit != "AHN YOUNG-JOON" ||
		!strings.Contains(pics[0].Caption, "news broadcast") {
		t.Errorf("pictures = %+v", pics)
	}
	if Time(items[11].Embargoed).IsZero() {
		t.Error("story 12's embargo was not read")
	}

	// Threading onto an empty paper: 36 stories, 12 updates, the kill, and
	// the late repeat of an older version ignored.
	steps := Plan(items, func(string) (int64, bool) { return 0, false })
	count := map[Action]int{}
	for _, s := range steps {
		count[s.Action]++
	}
	if count[Create] != 36 || count[Update] != 12 || count[Kill] != 1 || count[Stale] != 1 {
		t.Fatalf("plan = %v", count)
	}
	if last := steps[49]; last.Action != Stale || last.Item.URI != items[1].URI || last.Item.VersionNumber() != 2 {
		t.Errorf("the late v2 of story 2: %s", last.Action)
	}
	if k := steps[48]; k.Action != Kill || !strings.HasSuffix(k.Item.URI, "story05") {
		t.Errorf("kill step = %s %s", k.Action, k.Item.URI)
	}
	// Re-reading the same feed onto a paper that took it changes nothing.
	final := map[string]int64{}
	for _, s := range steps {
		if s.Action != Stale {
			final[s.Item.URI] = s.Item.VersionNumber()
		}
	}
	for _, s := range Plan(items, func(uri string) (int64, bool) { v, ok := final[uri]; return v, ok }) {
		if s.Action != Stale {
			t.Fatalf("second reading: %s %s v%d", s.Action, s.Item.URI, s.Item.VersionNumber())
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ in, field string }{
		{`{"type":"text","headlines":[{"value":"x"}]}`, "uri"},
		{`{"uri":"not a uri","headlines":[{"value":"x"}]}`, "uri"},
		{`{"uri":"urn:x:1","type":"story","headlines":[{"value":"x"}]}`, "type"},
		{`{"uri":"urn:x:1","pubstatus":"deleted","headlines":[{"value":"x"}]}`, "pubstatus"},
		{`{"uri":"urn:x:1","versioncreated":"yesterday","headlines":[{"value":"x"}]}`, "versioncreated"},
		{`{"uri":"urn:x:1","urgency":12,"headlines":[{"value":"x"}]}`, "urgency"},
		{`{"uri":"urn:x:1","version":"two","headlines":[{"value":"x"}]}`, "version"},
		{`{"uri":"urn:x:1","type":"text"}`, "headlines"},
		{`{"uri":"urn:x:1","headlines":"x"}`, "headlines"},
		{`{"uri":"urn:x:1","headlines":[{"value":"x"}],"associations":[{"name":"p","uri":"urn:x:p","type":"picture","embargoed":"soon"}]}`, "associations[0].embargoed"},
	} {
		_, err := Parse(strings.NewReader(`{"uri":"urn:ok:1","headlines":[{"value":"fine"}]}` + "\n" + tc.in))
		var e *Error
		if !errors.As(err, &e) || e.Field != tc.field || e.Index != 2 {
			t.Errorf("Parse(%s) = %v, want an error on item 2's %s", tc.in, err, tc.field)
		}
	}
	for _, in := range []string{"", "[", "{}{", `[{"uri":"urn:x"}, 5]`} {
		if _, err := Parse(strings.NewReader(in)); err == nil {
			t.Errorf("Parse(%q): no error", in)
		}
	}
	// A kill needs no headline.
	if _, err := Parse(strings.NewReader(`{"uri":"urn:x:1","version":"2","pubstatus":"canceled"}`)); err != nil {
		t.Errorf("kill without headline: %v", err)
	}
}
