package news

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestStoryChangeEvents(t *testing.T) {
	pub := &Article{ID: 1, Version: 3, Status: StatusPublished, SectionID: 5, Headline: "A", Slug: "a",
		Authors: []*Author{{ID: 7}}, Tags: []*Tag{{ID: 9}}, PublishedAt: time.Date(2026, 3, 22, 0, 0, 0, 0, time.UTC)}
	draft := &Article{ID: 1, Version: 2, Status: StatusDraft, SectionID: 6, Headline: "A", Slug: "a"}
	edited := *pub
	edited.Version, edited.Headline = 4, "B"
	same := *pub
	sched := *draft
	sched.Status, sched.PublishedAt = StatusScheduled, time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	unpub := *pub
	unpub.Status, unpub.Version = StatusUnpublished, 4
	for _, c := range []struct {
		name          string
		before, after *Article
		event         EventType
		stories       bool
	}{
		{"publish", draft, pub, EventStoryPublished, true},
		{"update", pub, &edited, EventStoryUpdated, true},
		{"no visible change", pub, &same, "", true},
		{"schedule", draft, &sched, EventStoryScheduled, false},
		{"unpublish", pub, &unpub, EventStoryUnpublished, true},
		{"delete", pub, nil, EventStoryDeleted, true},
		{"create a draft", nil, draft, "", false},
		{"edit a draft", draft, draft, "", false},
	} {
		ch := StoryChange(c.before, c.after)
		var got EventType
		if len(ch.Events) > 0 {
			got = ch.Events[0].Type
		}
		if got != c.event || len(ch.Events) > 1 {
			t.Errorf("%s: events %v, want %q", c.name, ch.Events, c.event)
		}
		if (len(ch.Stories) > 0) != c.stories {
			t.Errorf("%s: stories %v, want some %v", c.name, ch.Stories, c.stories)
		}
	}
	// A story moved from a draft's section into its published one: the
	// published side's section, authors and tags; nothing of the draft.
	ch := StoryChange(draft, pub)
	if !slices.Equal(ch.Sections, []int64{5}) || !slices.Equal(ch.Authors, []int64{7}) || !slices.Equal(ch.Tags, []int64{9}) || len(ch.Published) != 1 {
		t.Errorf("publish change %+v", ch)
	}
	moved := *pub
	moved.SectionID = 8
	if ch := StoryChange(pub, &moved); !slices.Equal(ch.Sections, []int64{5, 8}) {
		t.Errorf("a move names sections %v, want both", ch.Sections)
	}
}

func TestMerge3(t *testing.T) {
	base := StoryFields{Headline: "H", Deck: "D", BodyMarkdown: "B", Tags: []string{"x"}}
	theirs := base
	theirs.Deck, theirs.Tags = "D2", []string{"x", "y"}
	mine := base
	mine.Headline, mine.BodyMarkdown = "H2", "B2"
	got := Merge3(base, theirs, mine)
	if got.Headline != "H2" || got.BodyMarkdown != "B2" || got.Deck != "D2" || len(got.Tags) != 2 {
		t.Errorf("Merge3 = %+v", got)
	}
	if d := DiffFields(base, got); !slices.Equal(d, []string{"headline", "deck", "body", "tags"}) {
		t.Errorf("DiffFields = %v", d)
	}
	// Tags compare as sets of slugs.
	if d := DiffFields(StoryFields{Tags: []string{"North Korea", "x"}}, StoryFields{Tags: []string{"x", "north korea"}}); len(d) != 0 {
		t.Errorf("same tags differ: %v", d)
	}
}

func TestConflictError(t *testing.T) {
	err := error(&ConflictError{Kind: "article", ID: 3, Base: 1, Current: 2, Fields: []string{"headline"}})
	if !errors.Is(err, ErrConflict) || ErrorCode(err) != ECONFLICT {
		t.Fatalf("errors.Is %v, code %q", errors.Is(err, ErrConflict), ErrorCode(err))
	}
	if msg := ErrorMessage(err); msg != "This story was changed by someone else since you opened it: headline changed. Nothing was saved." {
		t.Errorf("message %q", msg)
	}
	if CheckVersion("section", 1, 2, 2, 0, time.Time{}) != nil {
		t.Error("a current version conflicts")
	}
}

func TestValidSlugAndLang(t *testing.T) {
	for s, ok := range map[string]bool{"north-korea": true, "북한-미사일": true, "a1": true, "é": true,
		"": false, "A": false, "a--b": false, "-a": false, "a-": false, "a b": false, "a_b": false, "e\u0301": false} {
		if ValidSlug(s) != ok {
			t.Errorf("ValidSlug(%q) = %v", s, !ok)
		}
	}
	for l, ok := range map[string]bool{"en": true, "ko": true, "zh-Hant-TW": true, "en-GB": true, "": false, "english!": false, "en--GB": false} {
		if ValidLang(l) != ok {
			t.Errorf("ValidLang(%q) = %v", l, !ok)
		}
	}
}
