package newsroom

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"masthead/internal/news"
)

// TestScheduleAcrossDST: a paper in New York. A schedule or embargo in the
// hour the clocks skip is refused, naming the valid times, and changes
// nothing (it was stored an hour off); one in the hour they live twice is
// asked about, the form offering both, and the choice is kept.
func TestScheduleAcrossDST(t *testing.T) {
	h := newHarness(t)
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	h.nr.paper().Location = ny
	ed := news.RoleEditor
	a := h.story(h.other, "Polls close in the east", news.StatusReview)
	before := h.find(a.ID)

	// The gap: 02:30 on 14 March 2027 does not exist in New York.
	res, body := h.do(ed, "POST", storyPath(a, "/schedule"), url.Values{"at": {"2027-03-14T02:30"}})
	wantStatus(t, "schedule in the gap", res, body, 422)
	for _, want := range []string{"no 02:30 on 2027-03-14", "01:59 EST or earlier", "03:00 EDT or later", `value="2027-03-14T02:30"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the refusal lacks %q", want)
		}
	}
	if got := h.find(a.ID); got.Status != before.Status || !got.PublishedAt.Equal(before.PublishedAt) {
		t.Fatalf("a refused schedule changed the story: %s at %v", got.Status, got.PublishedAt)
	}

	// The overlap: 01:30 on 1 November 2026 happens twice.
	res, body = h.do(ed, "POST", storyPath(a, "/schedule"), url.Values{"at": {"2026-11-01T01:30"}})
	wantStatus(t, "schedule in the overlap", res, body, 422)
	for _, want := range []string{"happens twice", `name="at_choice" value="2026-11-01T01:30-04:00"`, `name="at_choice" value="2026-11-01T01:30-05:00"`,
		"01:30 EDT (UTC-04:00), the first", "01:30 EST (UTC-05:00), the second", `value="2026-11-01T01:30"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the question lacks %q", want)
		}
	}
	if got := h.find(a.ID); got.Status != before.Status {
		t.Fatalf("an unanswered question scheduled the story")
	}
	// A choice made for another time does not count.
	res, body = h.do(ed, "POST", storyPath(a, "/schedule"), url.Values{"at": {"2026-11-01T01:45"}, "at_choice": {"2026-11-01T01:30-05:00"}})
	wantStatus(t, "a stale choice", res, body, 422)
	// The answer: the second 01:30, in EST, is 06:30 UTC.
	res, body = h.do(ed, "POST", storyPath(a, "/schedule"), url.Values{"at": {"2026-11-01T01:30"}, "at_choice": {"2026-11-01T01:30-05:00"}})
	wantStatus(t, "schedule with a choice", res, body, 303)
	if got, want := h.find(a.ID), time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC); got.Status != news.StatusScheduled || !got.PublishedAt.Equal(want) {
		t.Fatalf("scheduled %s at %v, want %v", got.Status, got.PublishedAt, want)
	}
	// An ordinary time is what it says: 10:00 EST is 15:00 UTC.
	res, body = h.do(ed, "POST", storyPath(a, "/schedule"), url.Values{"at": {"2026-12-01T10:00"}})
	wantStatus(t, "schedule an ordinary time", res, body, 303)
	if got, want := h.find(a.ID), time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC); !got.PublishedAt.Equal(want) {
		t.Fatalf("scheduled at %v, want %v", got.PublishedAt, want)
	}

	// Embargoes share the parser, and the editor keeps what was typed.
	b := h.story(h.users[ed], "Embargoed results", news.StatusDraft)
	res, body = h.do(ed, "POST", storyPath(b, ""), url.Values{"headline": {"Embargoed results, revised"}, "body": {"my unsaved text"},
		"embargo": {"2027-03-14T02:15"}})
	wantStatus(t, "embargo in the gap", res, body, 422)
	for _, want := range []string{"no 02:15 on 2027-03-14", "my unsaved text", `value="2027-03-14T02:15"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the refused save lacks %q", want)
		}
	}
	if got := h.find(b.ID); got.Headline != "Embargoed results" || !got.EmbargoUntil.IsZero() {
		t.Errorf("a refused save changed the story: %q, embargo %v", got.Headline, got.EmbargoUntil)
	}
	res, body = h.do(ed, "POST", storyPath(b, ""), url.Values{"headline": {"Embargoed results"}, "body": {"text"},
		"embargo": {"2026-11-01T01:10"}})
	wantStatus(t, "embargo in the overlap", res, body, 422)
	if !strings.Contains(body, `name="embargo_choice" value="2026-11-01T01:10-04:00"`) {
		t.Errorf("the embargo question offers no choice")
	}
	res, body = h.do(ed, "POST", storyPath(b, ""), url.Values{"headline": {"Embargoed results"}, "body": {"text"},
		"embargo": {"2026-11-01T01:10"}, "embargo_choice": {"2026-11-01T01:10-04:00"}})
	wantStatus(t, "embargo with a choice", res, body, 303)
	if got, want := h.find(b.ID), time.Date(2026, 11, 1, 5, 10, 0, 0, time.UTC); !got.EmbargoUntil.Equal(want) {
		t.Errorf("embargo until %v, want %v", got.EmbargoUntil, want)
	}
}
