package newsroom

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"masthead/internal/news"
	"masthead/internal/workflow"
)

// Delete goes to the trash: the story leaves the site at once (its public
// address answers 410 Gone), stays restorable for news.TrashDays days, and
// is then deleted for good.

type trashRow struct {
	E        news.TrashEntry
	When     string
	Who      string
	DaysLeft int
}

type trashPage struct {
	base
	Rows []trashRow
}

func (n *Newsroom) trashStore() (news.Trash, error) {
	tr, ok := n.store.(news.Trash)
	if !ok {
		return nil, news.Errorf(news.ENOTFOUND, "There is no trash here.")
	}
	return tr, nil
}

// trashedIDs are the stories lists leave out.
func (n *Newsroom) trashedIDs(ctx context.Context) ([]int64, error) {
	tr, ok := n.store.(news.Trash)
	if !ok {
		return nil, nil
	}
	es, err := tr.ListTrash(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(es))
	for _, e := range es {
		ids = append(ids, e.ArticleID)
	}
	return ids, nil
}

func (n *Newsroom) deleteStory(w http.ResponseWriter, r *http.Request, c *call) error {
	if _, err := n.trashStore(); err != nil {
		return err
	}
	a, err := n.story(r, c)
	if err != nil {
		return err
	}
	p := &confirmPage{Yes: "Delete", Back: fmt.Sprintf("/newsroom/stories/%d", a.ID)}
	p.Title, p.Nav = "Delete the story?", "stories"
	p.Question = fmt.Sprintf("Delete %q?", a.Headline)
	p.Detail = fmt.Sprintf("It goes to the trash, where an editor can restore it for %d days; then it is deleted for good.", news.TrashDays)
	if a.Status == news.StatusPublished {
		p.Detail = fmt.Sprintf("It leaves the site at once, and its address tells readers it was removed (410). It stays in the trash, restorable, for %d days.", news.TrashDays)
	}
	if !n.confirmed(w, r, c, p) {
		return nil
	}
	ctx := r.Context()
	prev := a.Status
	switch a.Status {
	case news.StatusPublished:
		err = n.flow.Unpublish(ctx, c.user, a.ID)
	case news.StatusScheduled:
		err = n.flow.Withdraw(ctx, c.user, a.ID)
	}
	if err != nil {
		return err
	}
	err = n.store.Update(ctx, func(tx news.Tx) error {
		if err := tx.TrashArticle(ctx, news.TrashEntry{ArticleID: a.ID, DeletedAt: n.clock.Now(), DeletedBy: c.user.ID, Status: prev}); err != nil {
			return err
		}
		return workflow.Audit(ctx, tx, n.clock, c.user, "delete", a.ID, string(prev))
	})
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/newsroom/trash?done=deleted", http.StatusSeeOther)
	return nil
}

func (n *Newsroom) trash(w http.ResponseWriter, r *http.Request, c *call) error {
	tr, err := n.trashStore()
	if err != nil {
		return err
	}
	ctx := r.Context()
	now := n.clock.Now()
	// What has waited its days goes now (also done by serve's hourly job).
	if k, err := tr.PurgeTrash(ctx, now.Add(-news.TrashDays*24*time.Hour)); err != nil {
		n.log.ErrorContext(ctx, "newsroom: purge trash", "err", err)
	} else if k > 0 {
		_ = workflow.Audit(ctx, n.store, n.clock, nil, "purge", 0, fmt.Sprintf("%d stories", k))
	}
	es, err := tr.ListTrash(ctx)
	if err != nil {
		return err
	}
	p := &trashPage{}
	p.Title, p.Nav = "Trash", "trash"
	names := map[int64]string{}
	for _, e := range es {
		who, ok := names[e.DeletedBy]
		if !ok {
			if u, err := n.store.FindUserByID(ctx, e.DeletedBy); err == nil {
				who = u.Name
			}
			names[e.DeletedBy] = who
		}
		left := int(e.DeletedAt.Add(news.TrashDays*24*time.Hour).Sub(now).Hours()/24) + 1
		p.Rows = append(p.Rows, trashRow{E: e, When: e.DeletedAt.In(n.paper().Loc()).Format("2006-01-02 15:04"), Who: who, DaysLeft: max(left, 0)})
	}
	n.render(w, r, c, http.StatusOK, "trash", p)
	return nil
}

// PurgeTrash deletes for good the stories in the trash longer than
// news.TrashDays; serve runs it every hour.
func PurgeTrash(ctx context.Context, st news.Store, now time.Time) (int, error) {
	tr, ok := st.(news.Trash)
	if !ok {
		return 0, nil
	}
	return tr.PurgeTrash(ctx, now.Add(-news.TrashDays*24*time.Hour))
}

func (n *Newsroom) restoreStory(w http.ResponseWriter, r *http.Request, c *call) error {
	tr, err := n.trashStore()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	a, err := n.flow.Get(ctx, c.user, id)
	if err != nil {
		return err
	}
	es, err := tr.ListTrash(ctx)
	if err != nil {
		return err
	}
	var prev news.Status
	found := false
	for _, e := range es {
		if e.ArticleID == id {
			prev, found = e.Status, true
		}
	}
	if !found {
		return news.Errorf(news.ENOTFOUND, "This story is not in the trash.")
	}
	if prev == news.StatusPublished {
		p := &confirmPage{Yes: "Restore and publish", Back: "/newsroom/trash"}
		p.Title, p.Nav = "Restore the story?", "trash"
		p.Question = fmt.Sprintf("Restore %q?", a.Headline)
		p.Detail = "It was published when it was deleted: it goes back on the site, at its old address, as soon as you confirm."
		if !n.confirmed(w, r, c, p) {
			return nil
		}
	}
	// The story leaves the trash with its audit row; a published one is
	// then published again by the workflow, which audits that itself.
	err = n.store.Update(ctx, func(tx news.Tx) error {
		if _, err := tx.RestoreArticle(ctx, id); err != nil {
			return err
		}
		return workflow.Audit(ctx, tx, n.clock, c.user, "restore", id, string(prev))
	})
	if err != nil {
		return err
	}
	if prev == news.StatusPublished {
		if err := n.flow.Publish(ctx, c.user, id, a.Version); err != nil {
			return err
		}
	}
	http.Redirect(w, r, fmt.Sprintf("/newsroom/stories/%d?done=undeleted", id), http.StatusSeeOther)
	return nil
}
