// Package workflow is the editorial state machine: who may do what to which
// story, the moves draft → review → scheduled → published → unpublished (and
// back to draft), revisions, corrections, front-page curation and the
// scheduler that publishes on time. It is pure Go over news.Store and
// news.Clock, so the newsroom pages, the command line and tests share one set
// of rules, enforced on the server.
package workflow

import (
	"slices"

	"masthead/internal/news"
)

// Action is something a newsroom user asks to do.
type Action string

// Story actions take the story they act on; the others take nil.
const (
	ActCreate    Action = "create"    // start a new story
	ActView      Action = "view"      // open a story in the newsroom
	ActEdit      Action = "edit"      // save changes, restore a revision, attach a photo
	ActSubmit    Action = "submit"    // draft → review
	ActWithdraw  Action = "withdraw"  // review, scheduled, unpublished → draft
	ActPublish   Action = "publish"   // → published now
	ActSchedule  Action = "schedule"  // → scheduled at a time
	ActUnpublish Action = "unpublish" // published → unpublished
	ActCorrect   Action = "correct"   // append a correction note
	ActEmbargo   Action = "embargo"   // set or lift an embargo, edit a published slug
	ActCurate    Action = "curate"    // order the front page
	ActAudit     Action = "audit"     // read the audit log
	ActUsers     Action = "users"     // add users, change roles, reset passwords
	ActSections  Action = "sections"  // add and edit sections
	ActSettings  Action = "settings"  // paper settings
)

// StoryActions and DeskActions list every action, for the role matrix.
var (
	StoryActions = []Action{ActView, ActEdit, ActSubmit, ActWithdraw, ActPublish, ActSchedule, ActUnpublish, ActCorrect, ActEmbargo}
	DeskActions  = []Action{ActCreate, ActCurate, ActAudit, ActUsers, ActSections, ActSettings}
)

// Rank orders roles by power: contributor 1, reporter 2, editor 3, admin 4
// (0 for an unknown role). Route tables use it for "at least" checks.
func Rank(r news.Role) int {
	switch r {
	case news.RoleContributor:
		return 1
	case news.RoleReporter:
		return 2
	case news.RoleEditor:
		return 3
	case news.RoleAdmin:
		return 4
	}
	return 0
}

// AtLeast reports whether u is enabled and holds role r or a stronger one.
func AtLeast(u *news.User, r news.Role) bool {
	return u != nil && !u.Disabled && Rank(u.Role) >= Rank(r) && Rank(r) > 0
}

// Owns reports whether a carries u's byline. Stories made in the newsroom
// always carry their writer's byline (Create adds it and a non-editor cannot
// remove it), so the byline is what "own story" means.
func Owns(u *news.User, a *news.Article) bool {
	if u == nil || a == nil || u.AuthorID == 0 {
		return false
	}
	return slices.ContainsFunc(a.Authors, func(au *news.Author) bool { return au != nil && au.ID == u.AuthorID })
}

// Can reports whether u may do act, to a when act is a story action. It
// decides permission only (role, ownership and the story's status where a
// role's rights depend on it); whether the move itself is possible from the
// story's status is the Service's business.
//
//   - contributor: creates stories; views their own; edits their own
//     drafts; submits them and withdraws them from review.
//   - reporter: as contributor, and edits their own stories while in draft
//     or review.
//   - editor: every story action on anyone's story; curates the front page
//     and reads the audit log.
//   - admin: everything, plus users, sections and settings.
func Can(u *news.User, act Action, a *news.Article) bool {
	if u == nil || u.Disabled || Rank(u.Role) == 0 {
		return false
	}
	if AtLeast(u, news.RoleAdmin) {
		return true
	}
	if AtLeast(u, news.RoleEditor) {
		switch act {
		case ActUsers, ActSections, ActSettings:
			return false
		}
		return true
	}
	// Contributors and reporters.
	switch act {
	case ActCreate:
		return true
	case ActView:
		return Owns(u, a)
	case ActEdit:
		if !Owns(u, a) {
			return false
		}
		if u.Role == news.RoleReporter {
			return a.Status == news.StatusDraft || a.Status == news.StatusReview
		}
		return a.Status == news.StatusDraft
	case ActSubmit:
		// Whether the story is a draft is the move's business (an invalid
		// move, not a forbidden one).
		return Owns(u, a)
	case ActWithdraw:
		// Only editors take a story off the schedule or back from the site.
		return Owns(u, a) && a.Status != news.StatusScheduled && a.Status != news.StatusUnpublished
	}
	return false
}

// check returns a forbidden error when u may not do act.
func check(u *news.User, act Action, a *news.Article) error {
	if u == nil {
		return news.ErrUnauthorized
	}
	if !Can(u, act, a) {
		return news.Errorf(news.EFORBIDDEN, "Your role (%s) may not %s this.", u.Role, actionVerb[act])
	}
	return nil
}

var actionVerb = map[Action]string{
	ActCreate: "create", ActView: "open", ActEdit: "edit", ActSubmit: "submit", ActWithdraw: "move back to draft",
	ActPublish: "publish", ActSchedule: "schedule", ActUnpublish: "unpublish", ActCorrect: "correct",
	ActEmbargo: "change the embargo or published address of", ActCurate: "curate", ActAudit: "read",
	ActUsers: "manage", ActSections: "manage", ActSettings: "change",
}
