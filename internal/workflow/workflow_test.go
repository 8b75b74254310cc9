package workflow_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"masthead/internal/news"
	"masthead/internal/store/postgres"
	"masthead/internal/store/sqlite"
	"masthead/internal/testpg"
	"masthead/internal/workflow"
)

var t0 = time.Date(2026, 3, 22, 9, 0, 0, 0, time.UTC)

type env struct {
	t     *testing.T
	ctx   context.Context
	st    news.Store
	clock *news.FixedClock
	flow  *workflow.Service
	// one user per role, each with their own byline
	admin, editor, reporter, contributor, reporter2 *news.User
}

func newEnv(t *testing.T, st news.Store) *env {
	t.Helper()
	ctx := context.Background()
	clock := news.NewFixedClock(t0)
	e := &env{t: t, ctx: ctx, st: st, clock: clock, flow: workflow.New(st, clock)}
	e.admin = e.user("admin", news.RoleAdmin)
	e.editor = e.user("editor", news.RoleEditor)
	e.reporter = e.user("reporter", news.RoleReporter)
	e.contributor = e.user("contributor", news.RoleContributor)
	e.reporter2 = e.user("reporter2", news.RoleReporter)
	return e
}

func (e *env) user(name string, role news.Role) *news.User {
	e.t.Helper()
	au := &news.Author{Slug: name, Name: strings.ToUpper(name[:1]) + name[1:], Email: name + "@example.com"}
	if err := e.st.CreateAuthor(e.ctx, au); err != nil {
		e.t.Fatal(err)
	}
	u := &news.User{Email: name + "@example.com", Name: au.Name, Role: role, PasswordHash: "x", AuthorID: au.ID}
	if err := e.st.CreateUser(e.ctx, u); err != nil {
		e.t.Fatal(err)
	}
	return u
}

func (e *env) find(id int64) *news.Article {
	e.t.Helper()
	a, err := e.st.FindArticleByID(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

func (e *env) draft(u *news.User, headline string) *news.Article {
	e.t.Helper()
	a, err := e.flow.Create(e.ctx, u, workflow.Draft{Headline: headline, BodyMarkdown: "Some *words* here."})
	if err != nil {
		e.t.Fatalf("Create by %s: %v", u.Role, err)
	}
	return a
}

func (e *env) published(u *news.User, headline string) *news.Article {
	e.t.Helper()
	a := e.draft(u, headline)
	if err := e.flow.Publish(e.ctx, e.editor, a.ID, 0); err != nil {
		e.t.Fatal(err)
	}
	return e.find(a.ID)
}

func code(err error) string { return news.ErrorCode(err) }

func (e *env) publicIDs() []int64 {
	e.t.Helper()
	as, _, err := e.st.FindArticles(e.ctx, news.ArticleFilter{PublicAt: e.clock.Now(), Limit: 100})
	if err != nil {
		e.t.Fatal(err)
	}
	var ids []int64
	for _, a := range as {
		ids = append(ids, a.ID)
	}
	return ids
}

func has(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// TestStateMachine walks a story through the whole workflow with an
// injected clock, checking every refused move leaves the story as it was.
func testStateMachine(t *testing.T, e *env) {
	ctx := e.ctx
	a := e.draft(e.reporter, "Summit talks resume")
	if a.Status != news.StatusDraft || !workflow.Owns(e.reporter, a) {
		t.Fatalf("new story: status %s, authors %v", a.Status, a.Authors)
	}

	refuse := func(what, wantCode string, err error) {
		t.Helper()
		if code(err) != wantCode {
			t.Fatalf("%s: got %v, want code %s", what, err, wantCode)
		}
	}
	unchanged := func(want news.Status) {
		t.Helper()
		if got := e.find(a.ID); got.Status != want {
			t.Fatalf("status = %s, want %s", got.Status, want)
		}
	}

	refuse("reporter publishes", news.EFORBIDDEN, e.flow.Publish(ctx, e.reporter, a.ID, 0))
	refuse("reporter schedules", news.EFORBIDDEN, e.flow.Schedule(ctx, e.reporter, a.ID, t0.Add(time.Hour), 0))
	refuse("another reporter submits", news.EFORBIDDEN, e.flow.Submit(ctx, e.reporter2, a.ID))
	refuse("unpublish a draft", news.EINVALID, e.flow.Unpublish(ctx, e.editor, a.ID))
	unchanged(news.StatusDraft)

	if err := e.flow.Submit(ctx, e.reporter, a.ID); err != nil {
		t.Fatal(err)
	}
	unchanged(news.StatusReview)
	refuse("submit twice", news.EINVALID, e.flow.Submit(ctx, e.reporter, a.ID))

	// The reporter may still edit while in review.
	e.clock.Add(time.Minute)
	d := workflow.DraftOf(e.find(a.ID))
	d.Deck = "Negotiators meet in Geneva."
	if _, err := e.flow.Save(ctx, e.reporter, a.ID, d, ""); err != nil {
		t.Fatalf("reporter edits in review: %v", err)
	}

	refuse("schedule in the past", news.EINVALID, e.flow.Schedule(ctx, e.editor, a.ID, t0, 0))
	unchanged(news.StatusReview)
	at := t0.Add(time.Hour)
	if err := e.flow.Schedule(ctx, e.editor, a.ID, at, 0); err != nil {
		t.Fatal(err)
	}
	unchanged(news.StatusScheduled)
	d.Deck = "late change"
	if _, err := e.flow.Save(ctx, e.reporter, a.ID, d, ""); code(err) != news.EFORBIDDEN {
		t.Fatalf("reporter edits a scheduled story: %v", err)
	}

	sch := workflow.NewScheduler(e.st, e.clock, nil)
	if n, err := sch.PublishDue(ctx); err != nil || n != 0 {
		t.Fatalf("PublishDue before time = %d, %v", n, err)
	}
	if has(e.publicIDs(), a.ID) {
		t.Fatal("scheduled story is public before its time")
	}
	e.clock.Set(at)
	if n, err := sch.PublishDue(ctx); err != nil || n != 1 {
		t.Fatalf("PublishDue at time = %d, %v", n, err)
	}
	got := e.find(a.ID)
	if got.Status != news.StatusPublished || !got.PublishedAt.Equal(at) {
		t.Fatalf("after schedule: %s at %v", got.Status, got.PublishedAt)
	}
	if !has(e.publicIDs(), a.ID) {
		t.Fatal("published story is not public")
	}

	e.clock.Add(time.Hour)
	refuse("reporter unpublishes", news.EFORBIDDEN, e.flow.Unpublish(ctx, e.reporter, a.ID))
	if err := e.flow.Unpublish(ctx, e.editor, a.ID); err != nil {
		t.Fatal(err)
	}
	unchanged(news.StatusUnpublished)
	if has(e.publicIDs(), a.ID) {
		t.Fatal("unpublished story is public")
	}
	if err := e.flow.Withdraw(ctx, e.editor, a.ID); err != nil {
		t.Fatal(err)
	}
	unchanged(news.StatusDraft)
	// Republishing keeps the first publication time, and so the URL.
	if err := e.flow.Publish(ctx, e.editor, a.ID, 0); err != nil {
		t.Fatal(err)
	}
	if got := e.find(a.ID); !got.PublishedAt.Equal(at) || !got.UpdatedAt.Equal(e.clock.Now()) {
		t.Fatalf("republished: published %v updated %v", got.PublishedAt, got.UpdatedAt)
	}

	audit, err := e.st.ListAudit(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for i := len(audit) - 1; i >= 0; i-- {
		actions = append(actions, audit[i].Action)
	}
	want := "submit schedule publish unpublish draft publish"
	if strings.Join(actions, " ") != want {
		t.Errorf("audit = %q, want %q", strings.Join(actions, " "), want)
	}
}

// TestContributor: own drafts only.
func testContributor(t *testing.T, e *env) {
	a := e.draft(e.contributor, "A guest column")
	other := e.draft(e.reporter, "Not theirs")
	d := workflow.DraftOf(a)
	d.Headline = "A guest column, revised"
	if _, err := e.flow.Save(e.ctx, e.contributor, a.ID, d, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.flow.Save(e.ctx, e.contributor, other.ID, workflow.DraftOf(other), ""); code(err) != news.EFORBIDDEN {
		t.Fatalf("contributor edits another's draft: %v", err)
	}
	if _, err := e.flow.Get(e.ctx, e.contributor, other.ID); code(err) != news.EFORBIDDEN {
		t.Fatalf("contributor opens another's draft: %v", err)
	}
	// Taking their own byline off is not possible.
	d.AuthorIDs = []int64{e.reporter.AuthorID}
	got, err := e.flow.Save(e.ctx, e.contributor, a.ID, d, "")
	if err != nil || !workflow.Owns(e.contributor, got) {
		t.Fatalf("byline removed: %v %v", err, got.Authors)
	}
	if err := e.flow.Submit(e.ctx, e.contributor, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.flow.Save(e.ctx, e.contributor, a.ID, d, ""); code(err) != news.EFORBIDDEN {
		t.Fatalf("contributor edits in review: %v", err)
	}
	// A contributor cannot embargo.
	b, err := e.flow.Create(e.ctx, e.contributor, workflow.Draft{Headline: "x", EmbargoUntil: t0.Add(time.Hour)})
	if err != nil || !b.EmbargoUntil.IsZero() {
		t.Fatalf("contributor set an embargo: %v %v", err, b.EmbargoUntil)
	}
}

// TestCan checks the whole role × action table on one's own and another's
// story in every status.
func TestCan(t *testing.T) {
	own := &news.Author{ID: 1}
	mk := func(role news.Role) *news.User { return &news.User{ID: 9, Role: role, AuthorID: 1} }
	statuses := []news.Status{news.StatusDraft, news.StatusReview, news.StatusScheduled, news.StatusPublished, news.StatusUnpublished}
	for _, role := range []news.Role{news.RoleContributor, news.RoleReporter, news.RoleEditor, news.RoleAdmin} {
		u := mk(role)
		for _, st := range statuses {
			for _, mine := range []bool{true, false} {
				a := &news.Article{Status: st, Authors: []*news.Author{{ID: 2}}}
				if mine {
					a.Authors = []*news.Author{own}
				}
				for _, act := range workflow.StoryActions {
					got := workflow.Can(u, act, a)
					want := wantStory(role, act, st, mine)
					if got != want {
						t.Errorf("Can(%s, %s, %s story, own=%v) = %v, want %v", role, act, st, mine, got, want)
					}
				}
			}
		}
		for _, act := range workflow.DeskActions {
			want := act == workflow.ActCreate || role == news.RoleAdmin ||
				(role == news.RoleEditor && (act == workflow.ActCurate || act == workflow.ActAudit))
			if got := workflow.Can(u, act, nil); got != want {
				t.Errorf("Can(%s, %s) = %v, want %v", role, act, got, want)
			}
		}
		u.Disabled = true
		if workflow.Can(u, workflow.ActCreate, nil) {
			t.Errorf("a disabled %s may create", role)
		}
	}
}

// wantStory is the rule, written out independently of Can.
func wantStory(role news.Role, act workflow.Action, st news.Status, mine bool) bool {
	if role == news.RoleEditor || role == news.RoleAdmin {
		return true
	}
	if !mine {
		return false
	}
	switch act {
	case workflow.ActView:
		return true
	case workflow.ActEdit:
		return st == news.StatusDraft || (role == news.RoleReporter && st == news.StatusReview)
	case workflow.ActSubmit:
		return true
	case workflow.ActWithdraw:
		return st != news.StatusScheduled && st != news.StatusUnpublished
	}
	return false
}

// TestScheduleAcrossRestart: a story whose time passed while no scheduler
// ran is published once by the next one to start.
func testScheduleAcrossRestart(t *testing.T, e *env) {
	a := e.draft(e.reporter, "Scheduled while down")
	at := t0.Add(10 * time.Minute)
	if err := e.flow.Schedule(e.ctx, e.editor, a.ID, at, 0); err != nil {
		t.Fatal(err)
	}
	// The server is down from t0 to t0+1h.
	e.clock.Set(t0.Add(time.Hour))
	gen0, _ := e.st.Generation(e.ctx)

	ctx, cancel := context.WithCancel(e.ctx)
	sch := workflow.NewScheduler(e.st, e.clock, nil)
	done := make(chan struct{})
	go func() { sch.Run(ctx); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for e.find(a.ID).Status != news.StatusPublished {
		if time.Now().After(deadline) {
			t.Fatal("the restarted scheduler did not publish the missed story")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done

	got := e.find(a.ID)
	if !got.PublishedAt.Equal(at) {
		t.Errorf("PublishedAt = %v, want the scheduled %v", got.PublishedAt, at)
	}
	if gen, _ := e.st.Generation(e.ctx); gen <= gen0 {
		t.Errorf("generation %d not bumped from %d", gen, gen0)
	}
	// Exactly once: more ticks and a second scheduler publish nothing.
	for _, s := range []*workflow.Scheduler{sch, workflow.NewScheduler(e.st, e.clock, nil)} {
		if n, err := s.PublishDue(e.ctx); err != nil || n != 0 {
			t.Fatalf("PublishDue again = %d, %v", n, err)
		}
	}
	revs, err := e.st.FindRevisions(e.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range revs {
		if r.Note == "published (scheduled)" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d scheduled-publication revisions, want 1", n)
	}
}

// TestEmbargo: an embargoed story stays out of every reader query until its
// embargo ends, and the end bumps the generation.
func testEmbargo(t *testing.T, e *env) {
	a := e.published(e.reporter, "Embargoed budget figures")
	until := t0.Add(2 * time.Hour)
	d := workflow.DraftOf(a)
	d.EmbargoUntil = until
	if _, err := e.flow.Save(e.ctx, e.editor, a.ID, d, ""); err != nil {
		t.Fatal(err)
	}
	visible := func() (list, search, top bool) {
		now := e.clock.Now()
		list = has(e.publicIDs(), a.ID)
		hits, _, err := e.st.SearchArticles(e.ctx, news.SearchQuery{Text: "budget figures", PublicAt: now})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hits {
			search = search || h.Article.ID == a.ID
		}
		if err := e.st.AddViews(e.ctx, []news.ViewCount{{ArticleID: a.ID, Hour: now, Count: 5}}); err != nil {
			t.Fatal(err)
		}
		tops, err := e.st.TopArticles(e.ctx, news.TopFilter{Since: now.Add(-24 * time.Hour), PublicAt: now})
		if err != nil {
			t.Fatal(err)
		}
		for _, te := range tops {
			top = top || te.Article.ID == a.ID
		}
		return
	}
	if l, s, tp := visible(); l || s || tp {
		t.Fatalf("embargoed story visible: list %v search %v top %v", l, s, tp)
	}
	sch := workflow.NewScheduler(e.st, e.clock, nil)
	e.clock.Set(until.Add(-time.Second))
	if ended, err := sch.EndEmbargoes(e.ctx); err != nil || ended {
		t.Fatalf("EndEmbargoes before the end = %v, %v", ended, err)
	}
	if l, s, tp := visible(); l || s || tp {
		t.Fatalf("story visible a second before its embargo ends: %v %v %v", l, s, tp)
	}
	gen0, _ := e.st.Generation(e.ctx)
	e.clock.Set(until)
	if ended, err := sch.EndEmbargoes(e.ctx); err != nil || !ended {
		t.Fatalf("EndEmbargoes at the end = %v, %v", ended, err)
	}
	if gen, _ := e.st.Generation(e.ctx); gen <= gen0 {
		t.Errorf("generation %d not bumped from %d when the embargo ended", gen, gen0)
	}
	if ended, _ := sch.EndEmbargoes(e.ctx); ended {
		t.Error("the same embargo ended twice")
	}
	if l, s, tp := visible(); !l || !s || !tp {
		t.Fatalf("story hidden after its embargo: list %v search %v top %v", l, s, tp)
	}
	// Reporters cannot lift an embargo (their edits keep it).
	b := e.draft(e.reporter, "Another")
	db := workflow.DraftOf(b)
	db.EmbargoUntil = t0.Add(48 * time.Hour)
	got, err := e.flow.Save(e.ctx, e.reporter, b.ID, db, "")
	if err != nil || !got.EmbargoUntil.IsZero() {
		t.Fatalf("reporter set an embargo: %v %v", err, got.EmbargoUntil)
	}
}

func testCorrections(t *testing.T, e *env) {
	a := e.published(e.reporter, "Rates rise")
	draft := e.draft(e.reporter, "Not out yet")
	e.clock.Add(3 * time.Hour)
	cases := []struct {
		u    *news.User
		id   int64
		kind news.CorrectionKind
		text string
		code string
	}{
		{e.reporter, a.ID, news.KindCorrection, "x", news.EFORBIDDEN},
		{e.editor, draft.ID, news.KindCorrection, "x", news.EINVALID},
		{e.editor, a.ID, "erratum", "x", news.EINVALID},
		{e.editor, a.ID, news.KindUpdate, "   ", news.EINVALID},
	}
	for _, c := range cases {
		if _, err := e.flow.AddCorrection(e.ctx, c.u, c.id, c.kind, c.text); code(err) != c.code {
			t.Errorf("AddCorrection(%s, %q, %q) = %v, want %s", c.u.Role, c.kind, c.text, err, c.code)
		}
	}
	if got := e.find(a.ID); len(got.Corrections) != 0 || !got.UpdatedAt.Equal(t0) {
		t.Fatalf("refused corrections changed the story: %v, updated %v", got.Corrections, got.UpdatedAt)
	}
	c, err := e.flow.AddCorrection(e.ctx, e.editor, a.ID, news.KindCorrection, "An earlier version misstated the rate.")
	if err != nil {
		t.Fatal(err)
	}
	got := e.find(a.ID)
	if len(got.Corrections) != 1 || got.Corrections[0].Text != "An earlier version misstated the rate." || got.Corrections[0].Kind != news.KindCorrection {
		t.Fatalf("corrections = %+v", got.Corrections)
	}
	if !got.UpdatedAt.Equal(e.clock.Now()) || !got.PublishedAt.Equal(t0) {
		t.Errorf("updated %v published %v", got.UpdatedAt, got.PublishedAt)
	}
	if c.RevisionID == 0 {
		t.Fatal("correction has no revision")
	}
	if r, err := e.st.FindRevisionByID(e.ctx, c.RevisionID); err != nil || r.Note != "correction" || r.UserID != e.editor.ID {
		t.Errorf("correction revision = %+v, %v", r, err)
	}
	audit, _ := e.st.ListAudit(e.ctx, 1)
	if len(audit) != 1 || audit[0].Action != "correct" || audit[0].UserID != e.editor.ID || audit[0].ArticleID != a.ID {
		t.Errorf("audit = %+v", audit)
	}
}

func testRevisionsRestoreAndSlug(t *testing.T, e *env) {
	a := e.published(e.reporter, "First headline")
	oldPath := a.Slug
	d := workflow.DraftOf(a)
	d.Headline, d.BodyMarkdown, d.Slug = "Second headline", "line one\nline two", "second-headline"
	e.clock.Add(time.Minute)
	if _, err := e.flow.Save(e.ctx, e.editor, a.ID, d, ""); err != nil {
		t.Fatal(err)
	}
	// The old slug still finds the story (the site redirects).
	got, err := e.st.FindArticleBySlug(e.ctx, oldPath)
	if err != nil || got.ID != a.ID || got.Slug != "second-headline" {
		t.Fatalf("old slug: %v %v", got, err)
	}
	// A reporter cannot rename a story that has been published.
	revs, err := e.st.FindRevisions(e.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	// newest first: saved, published, created
	if len(revs) != 3 || revs[0].Note != "saved" || revs[0].UserID != e.editor.ID || revs[2].Note != "created" {
		for _, r := range revs {
			t.Logf("rev %d %q by %d: %s", r.ID, r.Note, r.UserID, r.Headline)
		}
		t.Fatalf("%d revisions", len(revs))
	}
	rows := workflow.DiffLines(revs[2].BodyMarkdown, revs[0].BodyMarkdown)
	if !workflow.Changed(rows) {
		t.Error("diff between first and last revision shows no change")
	}
	if _, err := e.flow.Restore(e.ctx, e.reporter, a.ID, revs[2].ID); code(err) != news.EFORBIDDEN {
		t.Errorf("reporter restores a published story: %v", err)
	}
	other := e.draft(e.reporter, "Other")
	if _, err := e.flow.Restore(e.ctx, e.editor, other.ID, revs[2].ID); code(err) != news.ENOTFOUND {
		t.Errorf("restore another story's revision: %v", err)
	}
	if _, err := e.flow.Restore(e.ctx, e.editor, a.ID, revs[2].ID); err != nil {
		t.Fatal(err)
	}
	got = e.find(a.ID)
	if got.Headline != "First headline" || !strings.Contains(got.BodyHTML, "<em>words</em>") {
		t.Errorf("restored: %q %q", got.Headline, got.BodyHTML)
	}
	if revs, _ = e.st.FindRevisions(e.ctx, a.ID); len(revs) != 4 {
		t.Errorf("%d revisions after restore, want 4", len(revs))
	}
}

func testValidationChangesNothing(t *testing.T, e *env) {
	a := e.draft(e.reporter, "Valid")
	taken := e.draft(e.reporter, "Taken slug")
	before := e.find(a.ID)
	bad := []workflow.Draft{
		{Headline: "  "},
		{Headline: strings.Repeat("x", workflow.MaxHeadline+1)},
		{Headline: "ok", SectionID: 999},
		{Headline: "ok", AuthorIDs: []int64{999}},
		{Headline: "ok", PhotoID: 999},
		{Headline: "ok", Slug: "!!!"},
		{Headline: "ok", Slug: taken.Slug, Tags: []string{"Brand new tag"}},
		{Headline: "ok", SectionID: 999, Tags: []string{"Brand new tag"}},
	}
	for _, d := range bad {
		if _, err := e.flow.Save(e.ctx, e.reporter, a.ID, d, ""); code(err) != news.EINVALID && code(err) != news.ECONFLICT {
			t.Errorf("Save(%+v) = %v, want invalid or conflict", d, err)
		}
	}
	after := e.find(a.ID)
	if after.Headline != before.Headline || after.Slug != before.Slug || !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Errorf("bad saves changed the story: %+v", after)
	}
	if revs, _ := e.st.FindRevisions(e.ctx, a.ID); len(revs) != 1 {
		t.Errorf("bad saves made revisions: %d", len(revs))
	}
	if _, err := e.st.FindTagBySlug(e.ctx, "brand-new-tag"); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("a refused save created its tag: %v", err)
	}
	// Made-up slugs that clash get a number; Korean headlines keep Korean slugs.
	b := e.draft(e.reporter, "Valid")
	if b.Slug != "valid-2" {
		t.Errorf("second 'Valid' slug = %q", b.Slug)
	}
	k, err := e.flow.Create(e.ctx, e.reporter, workflow.Draft{Headline: "트럼프 친서", Tags: []string{"북한", "North Korea", "북한"}})
	if err != nil || k.Slug != "트럼프-친서" || len(k.Tags) != 2 {
		t.Errorf("Korean story: %v slug %q tags %v", err, k.Slug, k.Tags)
	}
}

func testPhotoNeedsCaptionCreditAlt(t *testing.T, e *env) {
	ph := &news.Photo{Key: "k.jpg", ContentType: "image/jpeg", Width: 10, Height: 10, Caption: "Kim and Trump"}
	if err := e.st.CreatePhoto(e.ctx, ph); err != nil {
		t.Fatal(err)
	}
	a, err := e.flow.Create(e.ctx, e.reporter, workflow.Draft{Headline: "With photo", BodyMarkdown: "Body", PhotoID: ph.ID})
	if err != nil {
		t.Fatal(err)
	}
	err = e.flow.Publish(e.ctx, e.editor, a.ID, 0)
	if code(err) != news.EINVALID || !strings.Contains(news.ErrorMessage(err), "credit, alt text") {
		t.Fatalf("publish without credit and alt: %v", err)
	}
	if err := e.flow.Schedule(e.ctx, e.editor, a.ID, t0.Add(time.Hour), 0); code(err) != news.EINVALID {
		t.Fatalf("schedule without credit and alt: %v", err)
	}
	if e.find(a.ID).Status != news.StatusDraft {
		t.Fatal("refused publish changed the status")
	}
	ph.Credit, ph.Alt = "Korea Times file", "Two men shake hands"
	if err := e.st.UpdatePhoto(e.ctx, ph); err != nil {
		t.Fatal(err)
	}
	if err := e.flow.Publish(e.ctx, e.editor, a.ID, 0); err != nil {
		t.Fatal(err)
	}
}

// TestHostileBodyIsInert: whatever a contributor types, the stored HTML
// carries no script, handler, javascript: URL, frame or object.
func testHostileBodyIsInert(t *testing.T, e *env) {
	body := strings.Join([]string{
		"<script>alert(1)</script>",
		`<img src=x onerror="alert(2)">`,
		"[click](javascript:alert(3))",
		`<a href="JaVaScRiPt:alert(4)">x</a>`,
		`<iframe src="https://evil.test"></iframe>`,
		`<object data="evil.swf"></object><embed src="e">`,
		`![x](javascript:alert(5))`,
		"<svg onload=alert(6)>",
		`<p style="background:url(javascript:alert(7))" onclick="alert(8)">hi</p>`,
		"Plain *text* stays.",
	}, "\n\n")
	a, err := e.flow.Create(e.ctx, e.contributor, workflow.Draft{Headline: "Hostile", BodyMarkdown: body})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.ToLower(e.find(a.ID).BodyHTML)
	for _, bad := range []string{"<script", "onerror", "onload", "onclick", "javascript:", "<iframe", "<object", "<embed", "<svg", "style="} {
		if strings.Contains(got, bad) {
			t.Errorf("stored body contains %q:\n%s", bad, got)
		}
	}
	if !strings.Contains(got, "<em>text</em>") {
		t.Errorf("ordinary Markdown lost: %s", got)
	}
}

func testFrontPage(t *testing.T, e *env) {
	a := e.published(e.reporter, "Lead")
	b := e.published(e.reporter, "Second")
	d := e.draft(e.reporter, "Draft")
	if err := e.flow.SetFrontPage(e.ctx, e.reporter, []int64{a.ID}, 0); code(err) != news.EFORBIDDEN {
		t.Fatalf("reporter curates: %v", err)
	}
	for _, ids := range [][]int64{{a.ID, a.ID}, {d.ID}, {12345}} {
		if err := e.flow.SetFrontPage(e.ctx, e.editor, ids, 0); code(err) != news.EINVALID {
			t.Errorf("SetFrontPage(%v) = %v", ids, err)
		}
	}
	if ids, _, _ := workflow.FrontPage(e.ctx, e.st); len(ids) != 0 {
		t.Fatalf("refused curation stored %v", ids)
	}
	if err := e.flow.SetFrontPage(e.ctx, e.editor, []int64{b.ID, a.ID}, 0); err != nil {
		t.Fatal(err)
	}
	raw, _ := e.st.GetSetting(e.ctx, news.FrontPageKey)
	if want := fmt.Sprintf("[%d,%d]", b.ID, a.ID); raw != want {
		t.Errorf("setting %q = %q, want %q", news.FrontPageKey, raw, want)
	}
}

func testNotFound(t *testing.T, e *env) {
	for name, err := range map[string]error{
		"publish": e.flow.Publish(e.ctx, e.editor, 999, 0),
		"submit":  e.flow.Submit(e.ctx, e.editor, 999),
	} {
		if !errors.Is(err, news.ErrNotFound) {
			t.Errorf("%s of a missing story: %v", name, err)
		}
	}
}

// TestWorkflow runs the workflow tests on every store: SQLite always,
// PostgreSQL when MASTHEAD_TEST_POSTGRES names one.
func TestWorkflow(t *testing.T) {
	tests := []struct {
		name string
		fn   func(t *testing.T, e *env)
	}{
		{"StateMachine", testStateMachine},
		{"Contributor", testContributor},
		{"ScheduleAcrossRestart", testScheduleAcrossRestart},
		{"Embargo", testEmbargo},
		{"Corrections", testCorrections},
		{"RevisionsRestoreAndSlug", testRevisionsRestoreAndSlug},
		{"ValidationChangesNothing", testValidationChangesNothing},
		{"PhotoNeedsCaptionCreditAlt", testPhotoNeedsCaptionCreditAlt},
		{"HostileBodyIsInert", testHostileBodyIsInert},
		{"FrontPage", testFrontPage},
		{"NotFound", testNotFound},
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

func openSQLite(t *testing.T) news.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// openPostgres opens a store in a fresh schema of MASTHEAD_TEST_POSTGRES,
// dropped when the test ends.
func openPostgres(t *testing.T) news.Store {
	t.Helper()
	return openPostgresURL(t, testpg.URL(t, "masthead_wf"))
}

func openPostgresURL(t *testing.T, u string) *postgres.DB {
	t.Helper()
	st, err := postgres.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestOneSchedulerLeads: two nodes on one PostgreSQL database both run a
// scheduler; the story is published once, by the leader.
func TestOneSchedulerLeads(t *testing.T) {
	u := testpg.URL(t, "masthead_wf")
	n1, n2 := openPostgresURL(t, u), openPostgresURL(t, u)
	e := newEnv(t, n1)
	a := e.draft(e.reporter, "Two nodes")
	if err := e.flow.Schedule(e.ctx, e.editor, a.ID, t0.Add(time.Minute), 0); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(t0.Add(time.Hour))
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan struct{}, 2)
	for _, st := range []news.Store{n1, n2} {
		go func() { workflow.NewScheduler(st, e.clock, nil).Run(ctx); done <- struct{}{} }()
	}
	deadline := time.Now().Add(20 * time.Second)
	for e.find(a.ID).Status != news.StatusPublished {
		if time.Now().After(deadline) {
			t.Fatal("no scheduler published the story")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Let the other node tick a while: it must stand by.
	time.Sleep(time.Second)
	cancel()
	<-done
	<-done
	revs, _ := n1.FindRevisions(e.ctx, a.ID)
	n := 0
	for _, r := range revs {
		if r.Note == "published (scheduled)" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d scheduled-publication revisions, want 1", n)
	}
}
