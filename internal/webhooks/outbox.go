package webhooks

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"masthead/internal/news"
)

// Hook is the commit hook that fills the outbox: in every write transaction
// that records a change, each of its events that some webhook wants becomes
// a delivery per subscriber, with the payload built from the state the
// transaction is about to commit. The deliveries commit with the change or
// not at all, whichever process and command made it (the newsroom, the
// Admin API, an import, the scheduler).
func Hook(paper *news.Paper, clock news.Clock) news.TxHook {
	if clock == nil {
		clock = news.SystemClock{}
	}
	return func(ctx context.Context, tx news.Tx, c *news.Change) error {
		for _, ev := range c.Events {
			typ := string(ev.Type)
			if !news.ValidWebhookEvent(typ) {
				continue
			}
			ok, err := tx.WantsWebhookEvent(ctx, typ)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			now := clock.Now()
			data, err := eventData(ctx, tx, paper, ev)
			if err != nil {
				return fmt.Errorf("webhook payload of %s: %w", typ, err)
			}
			body, err := json.Marshal(Payload{Type: typ, Timestamp: now.UTC().Format(time.RFC3339Nano), Data: data})
			if err != nil {
				return err
			}
			if _, err := tx.EnqueueWebhookEvent(ctx, news.WebhookEvent{Type: typ, Payload: body, At: now, ArticleID: ev.ArticleID, PhotoID: ev.PhotoID}, NewMsgID); err != nil {
				return err
			}
		}
		return nil
	}
}

// Payload is the body of every delivery.
type Payload struct {
	Type      string `json:"type"`
	Timestamp string `json:"timestamp"`
	Data      any    `json:"data"`
}

func eventData(ctx context.Context, tx news.Tx, paper *news.Paper, ev news.Event) (any, error) {
	switch {
	case ev.Type == news.EventStoryDeleted:
		return map[string]any{"id": ev.ArticleID, "version": ev.Version}, nil
	case ev.ArticleID != 0:
		a, err := tx.FindArticleByID(ctx, ev.ArticleID)
		if err != nil {
			return nil, err
		}
		s := StoryOf(paper, a)
		if ev.Type == news.EventStoryCorrected && len(a.Corrections) > 0 {
			c := a.Corrections[len(a.Corrections)-1]
			s.Correction = &CorrectionData{Kind: string(c.Kind), Text: c.Text, CreatedAt: c.CreatedAt.UTC().Format(time.RFC3339)}
		}
		return s, nil
	case ev.PhotoID != 0:
		p, err := tx.FindPhotoByID(ctx, ev.PhotoID)
		if err != nil {
			return nil, err
		}
		return PhotoOf(paper, p), nil
	}
	return map[string]any{}, nil
}

// Story is a story as webhooks and the Admin API show it.
type Story struct {
	ID           int64           `json:"id"`
	Version      int64           `json:"version"`
	Status       string          `json:"status"`
	URL          string          `json:"url"`
	Slug         string          `json:"slug"`
	Headline     string          `json:"headline"`
	Deck         string          `json:"deck"`
	Lang         string          `json:"lang"`
	Section      *Ref            `json:"section"`
	Authors      []Ref           `json:"authors"`
	Tags         []Ref           `json:"tags"`
	Photo        *Photo          `json:"photo"`
	PublishedAt  *string         `json:"published_at"`
	UpdatedAt    *string         `json:"updated_at"`
	EmbargoUntil *string         `json:"embargo_until"`
	Correction   *CorrectionData `json:"correction,omitempty"`
}

// Ref names a section, author or tag.
type Ref struct {
	ID   int64  `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// CorrectionData is the correction a story.corrected event is about.
type CorrectionData struct {
	Kind      string `json:"kind"`
	Text      string `json:"text"`
	CreatedAt string `json:"created_at"`
}

// Photo is a photo as webhooks and the Admin API show it.
type Photo struct {
	ID      int64   `json:"id"`
	URL     string  `json:"url"`
	Width   int     `json:"width"`
	Height  int     `json:"height"`
	Caption string  `json:"caption"`
	Credit  string  `json:"credit"`
	Alt     string  `json:"alt"`
	FocalX  float64 `json:"focal_x"`
	FocalY  float64 `json:"focal_y"`
}

func when(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

// StoryOf is a's representation. A story not yet published has no
// address yet: its URL is empty.
func StoryOf(paper *news.Paper, a *news.Article) Story {
	s := Story{ID: a.ID, Version: a.Version, Status: string(a.Status), Slug: a.Slug, Headline: a.Headline, Deck: a.Deck, Lang: a.Lang,
		Authors: []Ref{}, Tags: []Ref{}, PublishedAt: when(a.PublishedAt), UpdatedAt: when(a.LastModified()), EmbargoUntil: when(a.EmbargoUntil)}
	if !a.PublishedAt.IsZero() && paper != nil {
		p := paper.Current()
		s.URL = p.AbsURL(p.ArticlePath(a))
	}
	if a.Section != nil {
		s.Section = &Ref{ID: a.Section.ID, Slug: a.Section.Slug, Name: a.Section.Name}
	}
	for _, au := range a.Authors {
		s.Authors = append(s.Authors, Ref{ID: au.ID, Slug: au.Slug, Name: au.Name})
	}
	for _, t := range a.Tags {
		s.Tags = append(s.Tags, Ref{ID: t.ID, Slug: t.Slug, Name: t.Name})
	}
	if a.Photo != nil {
		p := PhotoOf(paper, a.Photo)
		s.Photo = &p
	}
	return s
}

// PhotoOf is p's representation.
func PhotoOf(paper *news.Paper, p *news.Photo) Photo {
	out := Photo{ID: p.ID, Width: p.Width, Height: p.Height, Caption: p.Caption, Credit: p.Credit, Alt: p.Alt, FocalX: p.FocalX, FocalY: p.FocalY}
	if paper != nil && p.HasFile() {
		out.URL = paper.AbsURL(paper.PhotoPath(p, 0))
	}
	return out
}
