package workflow_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/internal/auth"
	"masthead/internal/news"
	"masthead/internal/workflow"
)

// The races of issue 12, each made to happen every time: a command is held
// inside its transaction, right after it read the story, while a competing
// command runs (hookStore). The competitor either finishes at once (the
// old write path, which read and wrote in separate steps, lost one of the
// two writes here) or waits for the held transaction (the row is locked:
// SQLite's one writer, PostgreSQL's FOR UPDATE) and then sees its result.
// The held command goes on once the competitor has finished or has waited
// 300 ms; the outcome checked does not depend on which.

// hookStore runs afterRead once, inside the first transaction that reads a
// story, right after the read.
type hookStore struct {
	news.Store
	once      sync.Once
	afterRead func()
}

func (h *hookStore) Update(ctx context.Context, fn func(tx news.Tx) error) error {
	return h.Store.Update(ctx, func(tx news.Tx) error { return fn(&hookTx{Tx: tx, h: h}) })
}

type hookTx struct {
	news.Tx
	h *hookStore
}

func (t *hookTx) FindArticleByID(ctx context.Context, id int64) (*news.Article, error) {
	a, err := t.Tx.FindArticleByID(ctx, id)
	t.h.once.Do(func() {
		if t.h.afterRead != nil {
			t.h.afterRead()
		}
	})
	return a, err
}

// competitor runs fn in its own goroutine and returns a function that
// waits for its error.
func competitor(fn func() error) (wait func() error, hook func()) {
	done := make(chan error, 1)
	var started sync.Once
	hook = func() {
		started.Do(func() {
			go func() { done <- fn() }()
			select {
			case err := <-done:
				done <- err
			case <-time.After(300 * time.Millisecond):
			}
		})
	}
	return func() error { return <-done }, hook
}

func held(e *env, hook func()) *workflow.Service {
	return workflow.New(&hookStore{Store: e.st, afterRead: hook}, e.clock)
}

func revisionNotes(t *testing.T, e *env, id int64) map[string]int {
	t.Helper()
	revs, err := e.st.FindRevisions(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range revs {
		out[r.Note]++
	}
	return out
}

func auditCount(t *testing.T, e *env, id int64, action string) int {
	t.Helper()
	es, err := e.st.ListAudit(e.ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range es {
		if a.ArticleID == id && a.Action == action {
			n++
		}
	}
	return n
}

// Two editors save the same story within the same second, from the same
// version. The second must not silently overwrite the first.
func testRaceTwoSaves(t *testing.T, e *env) {
	a := e.draft(e.reporter, "Original headline")
	opened := workflow.DraftOf(a) // both editors opened this version
	wait, hook := competitor(func() error {
		d := opened
		d.Headline, d.BodyMarkdown = "Second editor's headline", "Second editor's body."
		_, err := e.flow.Save(e.ctx, e.editor, a.ID, d, "")
		return err
	})
	d := opened
	d.Headline = "First editor's headline"
	if _, err := held(e, hook).Save(e.ctx, e.editor, a.ID, d, ""); err != nil {
		t.Fatalf("the first save: %v", err)
	}
	err := wait()
	got := e.find(a.ID)
	var cf *workflow.Conflict
	switch {
	case err == nil:
		t.Fatalf("both saves succeeded: the stored headline is %q, one editor's headline was lost", got.Headline)
	case !errors.As(err, &cf) || !errors.Is(err, news.ErrConflict):
		t.Fatalf("the second save: %v, want a *workflow.Conflict", err)
	}
	if got.Headline != "First editor's headline" {
		t.Errorf("stored headline %q", got.Headline)
	}
	if len(cf.Fields) != 1 || cf.Fields[0] != "headline" || cf.Mine.Headline != "Second editor's headline" ||
		cf.Theirs.Headline != "First editor's headline" || cf.Base.Headline != "Original headline" || len(cf.By) != 1 || cf.By[0] != e.editor.ID {
		t.Errorf("conflict = fields %v by %v, base %q theirs %q mine %q", cf.Fields, cf.By, cf.Base.Headline, cf.Theirs.Headline, cf.Mine.Headline)
	}
	// The merge the editor chooses on the conflict screen.
	merged := cf.Merged(map[string]string{"headline": "theirs"})
	if _, err := e.flow.Save(e.ctx, e.editor, a.ID, merged, ""); err != nil {
		t.Fatalf("saving the merge: %v", err)
	}
	if got := e.find(a.ID); got.Headline != "First editor's headline" || got.BodyMarkdown != "Second editor's body." {
		t.Errorf("after the merge: %q / %q", got.Headline, got.BodyMarkdown)
	}
}

// The scheduler publishes a story while an editor saves it. Neither write
// may undo the other, and the story is published once.
func testRaceSchedulerVsSave(t *testing.T, e *env) {
	a := e.draft(e.reporter, "Scheduled story")
	at := t0.Add(time.Hour)
	if err := e.flow.Schedule(e.ctx, e.editor, a.ID, at, 0); err != nil {
		t.Fatal(err)
	}
	opened := workflow.DraftOf(e.find(a.ID))
	e.clock.Set(at)
	wait, hook := competitor(func() error {
		d := opened
		d.BodyMarkdown = "The editor's last-minute fix."
		_, err := e.flow.Save(e.ctx, e.editor, a.ID, d, "")
		return err
	})
	sch := workflow.NewScheduler(e.st, e.clock, nil)
	sch.BeforePublish = func(context.Context, *news.Article) { hook() }
	if _, err := sch.PublishDue(e.ctx); err != nil {
		t.Fatal(err)
	}
	if err := wait(); err != nil {
		t.Fatalf("the editor's save: %v", err)
	}
	// A tick later (the save moved the version under the first try).
	if _, err := sch.PublishDue(e.ctx); err != nil {
		t.Fatal(err)
	}
	got := e.find(a.ID)
	if got.Status != news.StatusPublished {
		t.Errorf("status %s: the save undid the publish", got.Status)
	}
	if !strings.Contains(got.BodyHTML, "last-minute fix") {
		t.Errorf("body %q: the publish undid the save", got.BodyHTML)
	}
	if n := revisionNotes(t, e, a.ID)["published (scheduled)"]; n != 1 {
		t.Errorf("%d scheduled-publication revisions, want 1", n)
	}
	if n := auditCount(t, e, a.ID, "publish"); n != 1 {
		t.Errorf("%d publish audit rows, want 1", n)
	}
}

// A correction is added while an editor saves the story.
func testRaceCorrectionVsSave(t *testing.T, e *env) {
	a := e.published(e.reporter, "Corrected story")
	opened := workflow.DraftOf(a)
	wait, hook := competitor(func() error {
		d := opened
		d.Deck = "A deck written meanwhile."
		_, err := e.flow.Save(e.ctx, e.editor, a.ID, d, "")
		return err
	})
	c, err := held(e, hook).AddCorrection(e.ctx, e.editor, a.ID, news.KindCorrection, "An earlier version misspelt a name.")
	if err != nil {
		t.Fatal(err)
	}
	if err := wait(); err != nil {
		t.Fatalf("the save: %v", err)
	}
	got := e.find(a.ID)
	if len(got.Corrections) != 1 || got.Corrections[0].ID != c.ID {
		t.Errorf("corrections %+v: the save dropped the correction", got.Corrections)
	}
	if got.Deck != "A deck written meanwhile." {
		t.Errorf("deck %q: the correction undid the save", got.Deck)
	}
	if got.Version != a.Version+2 {
		t.Errorf("version %d, want %d (the correction and the save)", got.Version, a.Version+2)
	}
	// The correction's revision is the version the correction made.
	r, err := e.st.FindRevisionByID(e.ctx, c.RevisionID)
	if err != nil || r.Note != string(news.KindCorrection) || r.Version != a.Version+1 {
		t.Errorf("correction revision %+v, %v", r, err)
	}
	if n := auditCount(t, e, a.ID, "correct"); n != 1 {
		t.Errorf("%d correction audit rows", n)
	}
}

// Two editors order the front page from the same version.
func testRaceCuration(t *testing.T, e *env) {
	x := e.published(e.reporter, "X")
	y := e.published(e.reporter, "Y")
	_, v, err := workflow.FrontPage(e.ctx, e.st)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.flow.SetFrontPage(e.ctx, e.editor, []int64{x.ID, y.ID}, v); err != nil {
		t.Fatal(err)
	}
	err = e.flow.SetFrontPage(e.ctx, e.admin, []int64{y.ID}, v) // opened before the first save
	var ce *news.ConflictError
	if !errors.As(err, &ce) || ce.Kind != "front page" || len(ce.By) != 1 || ce.By[0] != e.editor.ID {
		t.Fatalf("stale curation: %v, want a conflict naming the first editor", err)
	}
	ids, v2, _ := workflow.FrontPage(e.ctx, e.st)
	if fmt.Sprint(ids) != fmt.Sprint([]int64{x.ID, y.ID}) {
		t.Errorf("front page %v: the stale order replaced the first", ids)
	}
	if err := e.flow.SetFrontPage(e.ctx, e.admin, []int64{y.ID}, v2); err != nil {
		t.Errorf("curation from the current version: %v", err)
	}
}

// An admin disables a user (or changes a role) while the user changes
// their password, in both orders: each write keeps the other's.
func testRaceAdminVsPassword(t *testing.T, e *env) {
	target, err := auth.CreateUser(e.ctx, e.st, auth.NewUser{Email: "writer@example.com", Name: "Writer", Role: news.RoleReporter, Password: "first password 1"})
	if err != nil {
		t.Fatal(err)
	}
	// Order 1: the user's request loaded the account, then an admin
	// disabled it, then the password is saved.
	signedIn, _ := e.st.FindUserByID(e.ctx, target.ID)
	off := true
	if _, err := e.st.UpdateUser(e.ctx, target.ID, news.UserUpdate{Version: signedIn.Version, By: e.admin.ID, Disabled: &off}); err != nil {
		t.Fatal(err)
	}
	if err := auth.SetPassword(e.ctx, e.st, signedIn, signedIn.ID, "second password 2"); err != nil {
		t.Fatal(err)
	}
	got, _ := e.st.FindUserByID(e.ctx, target.ID)
	if !got.Disabled {
		t.Error("the password change re-enabled an account the admin had disabled")
	}
	if !auth.CheckPassword(got.PasswordHash, "second password 2") {
		t.Error("the password change was lost")
	}
	// Order 2: the admin's form was opened, then the user changed the
	// password, then the admin changes the role.
	formVersion := got.Version
	if err := auth.SetPassword(e.ctx, e.st, got, got.ID, "third password 3"); err != nil {
		t.Fatal(err)
	}
	editor := news.RoleEditor
	if _, err := e.st.UpdateUser(e.ctx, target.ID, news.UserUpdate{Version: formVersion, By: e.admin.ID, Role: &editor}); err != nil {
		t.Fatalf("the admin's change after a password change: %v", err)
	}
	got, _ = e.st.FindUserByID(e.ctx, target.ID)
	if got.Role != news.RoleEditor || !got.Disabled {
		t.Errorf("role %s disabled %v", got.Role, got.Disabled)
	}
	if !auth.CheckPassword(got.PasswordHash, "third password 3") {
		t.Error("the admin's change undid the password change")
	}
	// Two admins: the second, from the same form, is refused.
	reporter := news.RoleReporter
	if _, err := e.st.UpdateUser(e.ctx, target.ID, news.UserUpdate{Version: formVersion, By: e.editor.ID, Role: &reporter}); !errors.Is(err, news.ErrConflict) {
		t.Errorf("a stale role change: %v, want a conflict", err)
	}
}

// Publishing names the version reviewed: a story edited after the review
// must be reviewed again.
func testReviewedVersion(t *testing.T, e *env) {
	a := e.draft(e.reporter, "Reviewed")
	reviewed := a.Version
	d := workflow.DraftOf(a)
	d.BodyMarkdown = "Changed after the review."
	if _, err := e.flow.Save(e.ctx, e.reporter, a.ID, d, ""); err != nil {
		t.Fatal(err)
	}
	err := e.flow.Publish(e.ctx, e.editor, a.ID, reviewed)
	var ce *news.ConflictError
	if !errors.As(err, &ce) || len(ce.Fields) != 1 || ce.Fields[0] != "body" || !strings.Contains(news.ErrorMessage(err), "Nothing was published") {
		t.Fatalf("publish of a story changed after review: %v", err)
	}
	if got := e.find(a.ID); got.Status != news.StatusDraft {
		t.Fatalf("published anyway: %s", got.Status)
	}
	// A move that changes no text (submit) does not need a new review.
	cur := e.find(a.ID)
	if err := e.flow.Submit(e.ctx, e.reporter, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.flow.Publish(e.ctx, e.editor, a.ID, cur.Version); err != nil {
		t.Errorf("publish of the reviewed version: %v", err)
	}
}

// A burst of stories falls due in the same second with several schedulers
// running (one leads by lease; the others stand by): each story is
// published once.
func testSchedulerBurst(t *testing.T, e *env) {
	at := t0.Add(time.Hour)
	var ids []int64
	for i := range 20 {
		a := e.draft(e.reporter, fmt.Sprintf("Burst %d", i))
		if err := e.flow.Schedule(e.ctx, e.editor, a.ID, at, 0); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	e.clock.Set(at)
	ctx, cancel := context.WithCancel(e.ctx)
	var wg sync.WaitGroup
	for range 3 {
		s := workflow.NewScheduler(e.st, e.clock, nil)
		s.Interval = 20 * time.Millisecond
		wg.Add(1)
		go func() { defer wg.Done(); s.Run(ctx) }()
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, id := range ids {
		for e.find(id).Status != news.StatusPublished {
			if time.Now().After(deadline) {
				t.Fatalf("story %d was not published", id)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	time.Sleep(200 * time.Millisecond) // let the others tick
	cancel()
	wg.Wait()
	for _, id := range ids {
		if n := revisionNotes(t, e, id)["published (scheduled)"]; n != 1 {
			t.Errorf("story %d: %d scheduled-publication revisions", id, n)
		}
		if n := auditCount(t, e, id, "publish"); n != 1 {
			t.Errorf("story %d: %d publish audit rows", id, n)
		}
	}
}

// A scheduler whose lease was taken over publishes nothing, even if it
// still believes it leads.
func testDeposedSchedulerPublishesNothing(t *testing.T, e *env) {
	a := e.draft(e.reporter, "Fenced")
	at := t0.Add(time.Hour)
	if err := e.flow.Schedule(e.ctx, e.editor, a.ID, at, 0); err != nil {
		t.Fatal(err)
	}
	old := workflow.NewScheduler(e.st, e.clock, nil)
	old.LeaseTTL = 100 * time.Millisecond
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan struct{})
	go func() { old.Run(ctx); close(done) }()
	for old.Lease().Token == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	// The leader stops renewing (paused, cut off); another takes over.
	stale := old.Lease()
	cancel()
	<-done
	time.Sleep(200 * time.Millisecond)
	if _, ok, err := e.st.AcquireLease(e.ctx, workflow.LeaseName, "the-new-leader", time.Minute); err != nil || !ok {
		t.Fatalf("takeover: %v %v", ok, err)
	}
	// The deposed node's transaction checks its old token.
	e.clock.Set(at)
	err := e.st.Update(e.ctx, func(tx news.Tx) error {
		if err := tx.CheckLease(e.ctx, stale); err != nil {
			return err
		}
		_, err := tx.PublishScheduled(e.ctx, a.ID, e.find(a.ID).Version, at)
		return err
	})
	if !errors.Is(err, news.ErrLeaseLost) {
		t.Fatalf("the deposed leader's publish: %v, want ErrLeaseLost", err)
	}
	if got := e.find(a.ID); got.Status != news.StatusScheduled {
		t.Errorf("status %s: the deposed leader published", got.Status)
	}
}

func TestRaces(t *testing.T) {
	tests := []struct {
		name string
		fn   func(t *testing.T, e *env)
	}{
		{"TwoSavesInTheSameSecond", testRaceTwoSaves},
		{"SchedulerPublishVsSave", testRaceSchedulerVsSave},
		{"CorrectionVsSave", testRaceCorrectionVsSave},
		{"CurationVsCuration", testRaceCuration},
		{"AdminVsPassword", testRaceAdminVsPassword},
		{"ReviewedVersion", testReviewedVersion},
		{"SchedulerBurst", testSchedulerBurst},
		{"DeposedScheduler", testDeposedSchedulerPublishesNothing},
	}
	for _, st := range []struct {
		name string
		open func(t *testing.T) news.Store
	}{{"sqlite", openSQLite}, {"postgres", openPostgres}} {
		t.Run(st.name, func(t *testing.T) {
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) { tc.fn(t, newEnv(t, st.open(t))) })
			}
		})
	}
}
