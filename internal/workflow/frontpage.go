package workflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"masthead/internal/news"
)

// MaxFrontPage bounds the curated list.
const MaxFrontPage = 20

// FrontPage returns the curated story IDs (empty when never curated) and
// the version of the list, which SetFrontPage wants back.
func FrontPage(ctx context.Context, st news.SettingReader) ([]int64, int64, error) {
	s, err := st.FindSetting(ctx, news.FrontPageKey)
	if errors.Is(err, news.ErrNotFound) {
		return nil, 0, nil
	} else if err != nil {
		return nil, 0, fmt.Errorf("get front page: %w", err)
	}
	var ids []int64
	if err := json.Unmarshal([]byte(s.Value), &ids); err != nil {
		return nil, 0, fmt.Errorf("front page setting: %w", err)
	}
	return ids, s.Version, nil
}

// SetFrontPage stores the curated order, written against version (what
// FrontPage returned when the editor opened the page; 0 when it was never
// curated): another editor's order saved since is a *news.ConflictError,
// not silently replaced. Every ID must be a published or scheduled story,
// once.
func (s *Service) SetFrontPage(ctx context.Context, u *news.User, ids []int64, version int64) error {
	if err := check(u, ActCurate, nil); err != nil {
		return err
	}
	if len(ids) > MaxFrontPage {
		return news.Errorf(news.EINVALID, "At most %d stories can be placed.", MaxFrontPage)
	}
	return s.Store.Update(ctx, func(tx news.Tx) error {
		seen := map[int64]bool{}
		for _, id := range ids {
			if seen[id] {
				return news.Errorf(news.EINVALID, "Story %d is placed twice.", id)
			}
			seen[id] = true
			a, err := tx.FindArticleByID(ctx, id)
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
		err := tx.UpdateSetting(ctx, &news.Setting{Key: news.FrontPageKey, Value: string(b), Version: version, UpdatedBy: u.ID})
		var ce *news.ConflictError
		if errors.As(err, &ce) {
			ce.Kind, ce.Fields = "front page", []string{"order"}
			return ce
		} else if err != nil {
			return fmt.Errorf("put front page: %w", err)
		}
		tx.Announce(news.Change{Front: true})
		return Audit(ctx, tx, s.Clock, u, "frontpage", 0, string(b))
	})
}
