package workflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"masthead/internal/news"
)

// FrontPageKey is the setting holding the curated front page: a JSON array
// of story IDs, e.g. [12,5,9]. The first is the lead, the rest the top
// stories in order; the site fills the page after them with the newest
// public stories, skipping any that are not (or no longer) public.
const FrontPageKey = "frontpage"

// MaxFrontPage bounds the curated list.
const MaxFrontPage = 20

// FrontPage returns the curated story IDs (empty when never curated).
func FrontPage(ctx context.Context, st news.Store) ([]int64, error) {
	v, err := st.GetSetting(ctx, FrontPageKey)
	if errors.Is(err, news.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("get front page: %w", err)
	}
	var ids []int64
	if err := json.Unmarshal([]byte(v), &ids); err != nil {
		return nil, fmt.Errorf("front page setting: %w", err)
	}
	return ids, nil
}

// SetFrontPage stores the curated order. Every ID must be a published or
// scheduled story, once.
func (s *Service) SetFrontPage(ctx context.Context, u *news.User, ids []int64) error {
	if err := check(u, ActCurate, nil); err != nil {
		return err
	}
	if len(ids) > MaxFrontPage {
		return news.Errorf(news.EINVALID, "At most %d stories can be placed.", MaxFrontPage)
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			return news.Errorf(news.EINVALID, "Story %d is placed twice.", id)
		}
		seen[id] = true
		a, err := s.Store.FindArticleByID(ctx, id)
		if errors.Is(err, news.ErrNotFound) {
			return news.Errorf(news.EINVALID, "No story %d.", id)
		} else if err != nil {
			return err
		}
		if a.Status != news.StatusPublished && a.Status != news.StatusScheduled {
			return news.Errorf(news.EINVALID, "%q is not published or scheduled.", a.Headline)
		}
	}
	if ids == nil {
		ids = []int64{}
	}
	b, _ := json.Marshal(ids)
	if err := s.Store.PutSetting(ctx, FrontPageKey, string(b)); err != nil {
		return fmt.Errorf("put front page: %w", err)
	}
	// The front page is cached by generation like everything else readers see.
	if err := s.Store.BumpGeneration(ctx); err != nil {
		return err
	}
	s.audit(ctx, u, "frontpage", 0, string(b))
	return nil
}
