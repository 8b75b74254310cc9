package main

import "testing"

// TestReadabilityPages holds the HTML importer to the bar on
// Mozilla Readability's 130 test pages: mean body-text F1 ≥ 0.99, no
// garbled title, every lead-photo caption kept, no page refused.
func TestReadabilityPages(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 130 pages")
	}
	dir := FindCorpus()
	if dir == "" {
		t.Skip("../shared/corpus/readability-test-pages not found (set MASTHEAD_CORPUS)")
	}
	r, err := Score(dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.MeanF1 < 0.99 || r.Garbled != 0 || r.CaptionsKept != r.Captions || r.Refused != 0 {
		for _, p := range sortByF1(r.Pages)[:5] {
			t.Logf("%s F1 %.3f %s", p.Name, p.F1, p.Err)
		}
		t.Errorf("mean F1 %.4f, garbled %d, captions %d/%d, refused %d", r.MeanF1, r.Garbled, r.CaptionsKept, r.Captions, r.Refused)
	}
}
