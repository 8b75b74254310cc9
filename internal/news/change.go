package news

import (
	"slices"
	"time"
)

// Change is what one committed transaction changed of what readers see,
// recorded in the change log in the same transaction (so a change is in
// the log if and only if it committed). Page caches and the CDN purge by
// it; Events feed webhooks and newsletters.
//
// Stories lists the stories that were public before or after the change:
// their pages, and every list that shows or may now show them (the front
// page, feeds, sitemaps, archives), are stale. Sections, Authors and Tags
// are the lists of those desks, bylines and tags (before and after: a story
// moved out of a section leaves that section's pages too). Published are
// the publication times of those stories (monthly sitemaps and date
// archives). Front is the curated front page alone; All is everything, for
// paper-wide changes only (settings, sections: they are in every page's
// navigation).
type Change struct {
	All       bool        `json:"all,omitempty"`
	Front     bool        `json:"front,omitempty"`
	Stories   []int64     `json:"stories,omitempty"`
	Sections  []int64     `json:"sections,omitempty"`
	Authors   []int64     `json:"authors,omitempty"`
	Bylines   []int64     `json:"bylines,omitempty"` // authors whose name, title or photo changed: every page with their byline
	Tags      []int64     `json:"tags,omitempty"`
	Published []time.Time `json:"published,omitempty"`
	Events    []Event     `json:"events,omitempty"`
	// Pages are static pages readers saw or will see (their URLs and the
	// pages sitemap); Footer says the footer's links changed: every page
	// that carries the footer (see PageChange).
	Pages  []int64 `json:"pages,omitempty"`
	Footer bool    `json:"footer,omitempty"`
}

// EventType names what happened, as webhooks call it.
type EventType string

// The events a change can carry.
const (
	EventStoryPublished   EventType = "story.published"
	EventStoryUpdated     EventType = "story.updated" // a published story's text or metadata changed
	EventStoryUnpublished EventType = "story.unpublished"
	EventStoryScheduled   EventType = "story.scheduled"
	EventStoryCorrected   EventType = "story.corrected"
	EventStoryDeleted     EventType = "story.deleted"
	EventPhotoCreated     EventType = "photo.created"
	EventSettingsChanged  EventType = "settings.changed"
)

// Event is one typed fact of a change.
type Event struct {
	Type EventType `json:"type"`
	// ArticleID and Version: the story and its version after the change
	// (story.* events).
	ArticleID int64 `json:"article_id,omitempty"`
	Version   int64 `json:"version,omitempty"`
	PhotoID   int64 `json:"photo_id,omitempty"`
	// Key is the setting (settings.changed).
	Key string `json:"key,omitempty"`
}

// ChangeRecord is one entry of the change log.
type ChangeRecord struct {
	// Seq orders the log: records commit in Seq order, so a tailer that
	// has seen Seq n has seen everything before it.
	Seq int64
	At  time.Time
	Change
}

// Empty reports whether c records nothing.
func (c *Change) Empty() bool {
	return !c.All && !c.Front && len(c.Stories) == 0 && len(c.Sections) == 0 && len(c.Authors) == 0 &&
		len(c.Bylines) == 0 && len(c.Tags) == 0 && len(c.Published) == 0 && len(c.Events) == 0 && len(c.Pages) == 0 && !c.Footer
}

// Add merges o into c, keeping each ID and time once.
func (c *Change) Add(o Change) {
	c.All = c.All || o.All
	c.Front = c.Front || o.Front
	c.Stories = union(c.Stories, o.Stories)
	c.Sections = union(c.Sections, o.Sections)
	c.Authors = union(c.Authors, o.Authors)
	c.Bylines = union(c.Bylines, o.Bylines)
	c.Tags = union(c.Tags, o.Tags)
	c.Pages = union(c.Pages, o.Pages)
	c.Footer = c.Footer || o.Footer
	for _, t := range o.Published {
		if !t.IsZero() && !slices.ContainsFunc(c.Published, t.Equal) {
			c.Published = append(c.Published, t.UTC())
		}
	}
	for _, e := range o.Events {
		if !slices.Contains(c.Events, e) {
			c.Events = append(c.Events, e)
		}
	}
}

func union(a, b []int64) []int64 {
	for _, x := range b {
		if x != 0 && !slices.Contains(a, x) {
			a = append(a, x)
		}
	}
	return a
}

// StoryChange is the change of a story going from before to after (nil:
// created, or deleted): what readers saw or will see, and the events. Both
// stores call it in every story write, so they announce the same things.
//
// A story counts as seen by readers when it is published, whatever its
// embargo or publication time: purging a page that does not show it yet
// costs a render, missing one would leave it stale. (The scheduler
// announces an embargo's end again when it comes.)
func StoryChange(before, after *Article) Change {
	var c Change
	seen := func(a *Article) bool { return a != nil && a.Status == StatusPublished }
	for _, a := range []*Article{before, after} {
		if !seen(a) {
			continue
		}
		c.Stories = union(c.Stories, []int64{a.ID})
		c.Sections = union(c.Sections, []int64{a.SectionID})
		for _, au := range a.Authors {
			if au != nil {
				c.Authors = union(c.Authors, []int64{au.ID})
			}
		}
		for _, t := range a.Tags {
			if t != nil {
				c.Tags = union(c.Tags, []int64{t.ID})
			}
		}
		// The original's page lists its translations.
		if a.TranslationOf != 0 {
			c.Stories = union(c.Stories, []int64{a.TranslationOf})
		}
		c.Add(Change{Published: []time.Time{a.PublishedAt}})
	}
	ev := func(t EventType, a *Article) {
		c.Events = append(c.Events, Event{Type: t, ArticleID: a.ID, Version: a.Version})
	}
	switch {
	case after == nil && before != nil:
		ev(EventStoryDeleted, before)
	case after == nil:
	case after.Status == StatusPublished && (before == nil || before.Status != StatusPublished):
		ev(EventStoryPublished, after)
	case after.Status == StatusScheduled && (before == nil || before.Status != StatusScheduled || !before.PublishedAt.Equal(after.PublishedAt)):
		ev(EventStoryScheduled, after)
	case before != nil && before.Status == StatusPublished && after.Status != StatusPublished:
		ev(EventStoryUnpublished, after)
	case before != nil && before.Status == StatusPublished && after.Status == StatusPublished && storyDiffers(before, after):
		ev(EventStoryUpdated, after)
	}
	return c
}

// storyDiffers reports whether readers could tell before and after apart.
func storyDiffers(before, after *Article) bool {
	return len(DiffFields(before.Fields(), after.Fields())) > 0 || before.BodyHTML != after.BodyHTML ||
		!before.UpdatedAt.Equal(after.UpdatedAt) || !before.PublishedAt.Equal(after.PublishedAt) ||
		before.TranslationOf != after.TranslationOf
}

// SettingsChanged is the change of paper-wide settings: every page.
func SettingsChanged(keys ...string) Change {
	c := Change{All: true}
	for _, k := range keys {
		c.Events = append(c.Events, Event{Type: EventSettingsChanged, Key: k})
	}
	return c
}

// PublishedChange is the change of the scheduler's publish of a (as it is
// after the publish, which moved it from scheduled at version-1).
func PublishedChange(after *Article) Change {
	before := *after
	before.Status, before.Version = StatusScheduled, after.Version-1
	return StoryChange(&before, after)
}

// CorrectionChange is the change of correction c on story before: its
// pages and lists, and story.corrected when readers see the story. It
// returns the story as it is after the correction too (version and
// updated time moved).
func CorrectionChange(before *Article, c *Correction) (Change, Article) {
	after := *before
	after.Version++
	if c.CreatedAt.After(after.UpdatedAt) {
		after.UpdatedAt = c.CreatedAt
	}
	ch := StoryChange(before, &after)
	ch.Events = nil
	if before.Status == StatusPublished {
		ch.Events = []Event{{Type: EventStoryCorrected, ArticleID: c.ArticleID, Version: after.Version}}
	}
	return ch, after
}
