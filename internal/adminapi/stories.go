package adminapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"masthead/internal/integrations"
	"masthead/internal/news"
	"masthead/internal/webhooks"
	"masthead/internal/workflow"
)

// Stories go through the same workflow service as the newsroom's forms,
// under the integration's newsroom account (made on its first write, named
// after it, unable to sign in): the account's role comes from the scopes —
// stories:publish an editor's rights, stories:write a reporter's — and the
// workflow's rules decide the rest, so a key with only stories:write
// cannot publish, and can edit only what it made, while it is a draft or in
// review. Revisions and the newsroom's audit log name the account.

// account is the integration's newsroom account.
func (a *API) account(ctx context.Context, in *news.Integration) (*news.User, error) {
	return integrations.Account(ctx, a.store, in, a.clock.Now())
}

// actor is the account the workflow sees acting on story s. The workflow
// counts a story as someone's own by byline; an integration's own stories
// are those it made (its account made their first revision), so for those
// it acts as the holder of their first byline.
func (a *API) actor(ctx context.Context, c *call, s *news.Article) (*news.User, error) {
	u, err := a.account(ctx, c.caller.Integration)
	if err != nil || s == nil || len(s.Authors) == 0 {
		return u, err
	}
	revs, err := a.store.FindRevisions(ctx, s.ID)
	if err != nil {
		return nil, err
	}
	if len(revs) > 0 && revs[len(revs)-1].UserID == u.ID {
		own := *u
		own.AuthorID = s.Authors[0].ID
		return &own, nil
	}
	return u, nil
}

// StoryIn is the body of POST /stories and PATCH /stories/{id}. Absent
// fields keep their value on a PATCH (and are empty on a create).
type StoryIn struct {
	Version        *int64    `json:"version"`
	Headline       *string   `json:"headline"`
	Deck           *string   `json:"deck"`
	BodyMarkdown   *string   `json:"body_markdown"`
	BodyHTML       *string   `json:"body_html"`
	Lang           *string   `json:"lang"`
	Slug           *string   `json:"slug"`
	Section        *string   `json:"section"` // slug; "" for none
	Authors        *[]string `json:"authors"` // slugs
	Tags           *[]string `json:"tags"`    // names
	PhotoID        *int64    `json:"photo_id"`
	SEOTitle       *string   `json:"seo_title"`
	SEODescription *string   `json:"seo_description"`
	EmbargoUntil   *string   `json:"embargo_until"` // RFC 3339; "" lifts
}

// draft applies in onto d, resolving slugs to ids.
func (a *API) draft(ctx context.Context, in *StoryIn, d workflow.Draft) (workflow.Draft, error) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&d.Headline, in.Headline)
	set(&d.Deck, in.Deck)
	set(&d.Lang, in.Lang)
	set(&d.Slug, in.Slug)
	set(&d.SEOTitle, in.SEOTitle)
	set(&d.SEODescription, in.SEODescription)
	switch {
	case in.BodyMarkdown != nil && in.BodyHTML != nil:
		return d, fieldErr(news.Errorf(news.EINVALID, "Send body_markdown or body_html, not both."), "body_html")
	case in.BodyMarkdown != nil:
		d.BodyMarkdown, d.BodyHTML, d.HTMLBody = *in.BodyMarkdown, "", false
	case in.BodyHTML != nil:
		d.BodyMarkdown, d.BodyHTML, d.HTMLBody = "", *in.BodyHTML, true
	}
	if in.Section != nil {
		d.SectionID = 0
		if *in.Section != "" {
			sec, err := a.store.FindSectionBySlug(ctx, *in.Section)
			if errors.Is(err, news.ErrNotFound) {
				return d, fieldErr(news.Errorf(news.EINVALID, "No section %q (GET %s/sections lists them).", *in.Section, Prefix), "section")
			} else if err != nil {
				return d, err
			}
			d.SectionID = sec.ID
		}
	}
	if in.Authors != nil {
		d.AuthorIDs = nil
		for _, slug := range *in.Authors {
			au, err := a.store.FindAuthorBySlug(ctx, slug)
			if errors.Is(err, news.ErrNotFound) {
				return d, fieldErr(news.Errorf(news.EINVALID, "No author %q (POST %s/authors makes one).", slug, Prefix), "authors")
			} else if err != nil {
				return d, err
			}
			d.AuthorIDs = append(d.AuthorIDs, au.ID)
		}
	}
	if in.Tags != nil {
		d.Tags = append([]string(nil), *in.Tags...)
	}
	if in.PhotoID != nil {
		d.PhotoID = *in.PhotoID
	}
	if in.EmbargoUntil != nil {
		d.EmbargoUntil = time.Time{}
		if *in.EmbargoUntil != "" {
			t, err := time.Parse(time.RFC3339, *in.EmbargoUntil)
			if err != nil {
				return d, fieldErr(news.Errorf(news.EINVALID, "embargo_until is an RFC 3339 time (2026-03-22T09:00:00+09:00)."), "embargo_until")
			}
			d.EmbargoUntil = t.UTC()
		}
	}
	return d, nil
}

// storyField names the request field a workflow refusal is about, from its
// message (the workflow speaks to people, not to fields).
func storyField(err error) error {
	if news.ErrorCode(err) != news.EINVALID {
		return err
	}
	msg := strings.ToLower(news.ErrorMessage(err))
	for _, f := range []struct{ word, field string }{
		{"language", "lang"}, {"headline", "headline"}, {"deck", "deck"}, {"body", "body_markdown"}, {"slug", "slug"}, {"section", "section"},
		{"byline", "authors"}, {"author", "authors"}, {"tag", "tags"}, {"photo", "photo_id"}, {"seo", "seo_title"},
		{"embargo", "embargo_until"},
	} {
		if strings.Contains(msg, f.word) {
			return fieldErr(err, f.field)
		}
	}
	return err
}

// StoryOut is a story as the Admin API answers it.
type StoryOut struct {
	webhooks.Story
	BodyMarkdown string `json:"body_markdown"`
	BodyHTML     string `json:"body_html"`
}

func (a *API) storyOut(s *news.Article) StoryOut {
	return StoryOut{Story: webhooks.StoryOf(a.cfg.Paper, s), BodyMarkdown: s.BodyMarkdown, BodyHTML: s.BodyHTML}
}

// within is ctx for a workflow command that answers status with the story
// it wrote: when the request carries an Idempotency-Key, the answer is
// stored in the command's own transaction, so that a retry after a crash
// finds the story and its answer, or neither.
func (a *API) within(ctx context.Context, c *call, status int) context.Context {
	if c.idemKey == "" {
		return ctx
	}
	in := c.caller.Integration
	return workflow.WithinCommand(ctx, func(ctx context.Context, tx news.Tx, s *news.Article) error {
		b, err := marshal(a.storyOut(s))
		if err != nil {
			return err
		}
		return tx.FinishIdempotent(ctx, in.ID, c.idemKey, status, b)
	})
}

func (a *API) createStory(r *http.Request, c *call) (int, any, error) {
	ctx := r.Context()
	var in StoryIn
	if err := decode(c, &in); err != nil {
		return 0, nil, err
	}
	if in.Version != nil {
		return 0, nil, fieldErr(news.Errorf(news.EINVALID, "A new story has no version yet."), "version")
	}
	if in.Headline == nil || strings.TrimSpace(*in.Headline) == "" {
		return 0, nil, fieldErr(news.Errorf(news.EINVALID, "A headline is required."), "headline")
	}
	u, err := a.actor(ctx, c, nil)
	if err != nil {
		return 0, nil, err
	}
	if in.EmbargoUntil != nil && !workflow.Can(u, workflow.ActEmbargo, nil) {
		return 0, nil, fieldErr(news.Errorf(news.EFORBIDDEN, "Setting an embargo needs the stories:publish scope."), "embargo_until")
	}
	d, err := a.draft(ctx, &in, workflow.Draft{})
	if err != nil {
		return 0, nil, err
	}
	s, err := a.flow.Create(a.within(ctx, c, http.StatusCreated), u, d)
	if err != nil {
		return 0, nil, storyField(err)
	}
	c.articleID = s.ID
	return http.StatusCreated, a.storyOut(s), nil
}

// findStory finds a story the integration may open (as its account would
// in the newsroom).
func (a *API) findStory(r *http.Request, c *call) (*news.Article, *news.User, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, nil, err
	}
	s, err := a.store.FindArticleByID(r.Context(), id)
	if errors.Is(err, news.ErrNotFound) {
		return nil, nil, news.Errorf(news.ENOTFOUND, "No such story.")
	} else if err != nil {
		return nil, nil, err
	}
	c.articleID = s.ID
	u, err := a.actor(r.Context(), c, s)
	if err != nil {
		return nil, nil, err
	}
	if !workflow.Can(u, workflow.ActView, s) {
		// Another's story is not found, as in the newsroom's lists.
		return nil, nil, news.Errorf(news.ENOTFOUND, "No such story.")
	}
	return s, u, nil
}

func (a *API) getStory(r *http.Request, c *call) (int, any, error) {
	s, _, err := a.findStory(r, c)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, a.storyOut(s), nil
}

// patchStory changes the fields the body names, on the version it names:
// a stale version is refused (409) with the fields changed since.
func (a *API) patchStory(r *http.Request, c *call) (int, any, error) {
	ctx := r.Context()
	var in StoryIn
	if err := decode(c, &in); err != nil {
		return 0, nil, err
	}
	if in.Version == nil || *in.Version < 1 {
		return 0, nil, fieldErr(news.Errorf(news.EINVALID, "Name the version you are changing (GET the story for it)."), "version")
	}
	s, u, err := a.findStory(r, c)
	if err != nil {
		return 0, nil, err
	}
	if in.EmbargoUntil != nil && !workflow.Can(u, workflow.ActEmbargo, s) {
		return 0, nil, fieldErr(news.Errorf(news.EFORBIDDEN, "Setting an embargo needs the stories:publish scope."), "embargo_until")
	}
	d := workflow.DraftOf(s)
	if s.BodyMarkdown == "" && in.BodyMarkdown == nil && in.BodyHTML == nil {
		// An HTML story keeps its body as it is.
		d.BodyHTML, d.HTMLBody = s.BodyHTML, true
	}
	if d, err = a.draft(ctx, &in, d); err != nil {
		return 0, nil, err
	}
	d.BaseVersion, d.NoMerge = *in.Version, true
	out, err := a.flow.Save(ctx, u, s.ID, d, "saved through "+c.caller.Integration.Name)
	if err != nil {
		return 0, nil, storyField(err)
	}
	return http.StatusOK, a.storyOut(out), nil
}

// MoveIn is the body of a workflow move: the version reviewed (publish,
// schedule: a story changed since is refused) and, to schedule, the time.
type MoveIn struct {
	Version int64  `json:"version"`
	At      string `json:"at"`
}

func (a *API) move(act string) handler {
	return func(r *http.Request, c *call) (int, any, error) {
		ctx := r.Context()
		var in MoveIn
		if len(strings.TrimSpace(string(c.body))) > 0 {
			if err := decode(c, &in); err != nil {
				return 0, nil, err
			}
		}
		s, u, err := a.findStory(r, c)
		if err != nil {
			return 0, nil, err
		}
		cctx := a.within(ctx, c, http.StatusOK)
		switch act {
		case "submit":
			err = a.flow.Submit(cctx, u, s.ID)
		case "withdraw":
			err = a.flow.Withdraw(cctx, u, s.ID)
		case "publish":
			err = a.flow.Publish(cctx, u, s.ID, in.Version)
		case "schedule":
			t, perr := time.Parse(time.RFC3339, in.At)
			if perr != nil {
				return 0, nil, fieldErr(news.Errorf(news.EINVALID, "at is the RFC 3339 time to publish at."), "at")
			}
			err = a.flow.Schedule(cctx, u, s.ID, t, in.Version)
		case "unpublish":
			err = a.flow.Unpublish(cctx, u, s.ID)
		}
		if err != nil {
			return 0, nil, err
		}
		out, err := a.store.FindArticleByID(ctx, s.ID)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, a.storyOut(out), nil
	}
}

// EmbargoIn is the body of POST /stories/{id}/embargo.
type EmbargoIn struct {
	Version int64   `json:"version"`
	Until   *string `json:"until"` // RFC 3339; null or "" lifts it
}

func (a *API) embargo(r *http.Request, c *call) (int, any, error) {
	var in EmbargoIn
	if err := decode(c, &in); err != nil {
		return 0, nil, err
	}
	if in.Version < 1 {
		return 0, nil, fieldErr(news.Errorf(news.EINVALID, "Name the version you are changing."), "version")
	}
	s, u, err := a.findStory(r, c)
	if err != nil {
		return 0, nil, err
	}
	if !workflow.Can(u, workflow.ActEmbargo, s) {
		return 0, nil, news.Errorf(news.EFORBIDDEN, "Your role may not change the embargo.")
	}
	until := ""
	if in.Until != nil {
		until = *in.Until
	}
	d := workflow.DraftOf(s)
	if s.BodyMarkdown == "" {
		d.BodyHTML, d.HTMLBody = s.BodyHTML, true
	}
	if d, err = a.draft(r.Context(), &StoryIn{EmbargoUntil: &until}, d); err != nil {
		return 0, nil, err
	}
	d.BaseVersion, d.NoMerge = in.Version, true
	out, err := a.flow.Save(r.Context(), u, s.ID, d, "embargo through "+c.caller.Integration.Name)
	if err != nil {
		return 0, nil, storyField(err)
	}
	return http.StatusOK, a.storyOut(out), nil
}

// CorrectionIn is the body of POST /stories/{id}/corrections.
type CorrectionIn struct {
	Kind string `json:"kind"` // correction, clarification, update
	Text string `json:"text"`
}

func (a *API) correct(r *http.Request, c *call) (int, any, error) {
	var in CorrectionIn
	if err := decode(c, &in); err != nil {
		return 0, nil, err
	}
	kind := news.CorrectionKind(in.Kind)
	switch kind {
	case news.KindCorrection, news.KindClarification, news.KindUpdate:
	default:
		return 0, nil, fieldErr(news.Errorf(news.EINVALID, "kind is correction, clarification or update."), "kind")
	}
	if strings.TrimSpace(in.Text) == "" {
		return 0, nil, fieldErr(news.Errorf(news.EINVALID, "A correction needs its text."), "text")
	}
	s, u, err := a.findStory(r, c)
	if err != nil {
		return 0, nil, err
	}
	if _, err := a.flow.AddCorrection(a.within(r.Context(), c, http.StatusCreated), u, s.ID, kind, in.Text); err != nil {
		return 0, nil, fieldErr(err, "text")
	}
	out, err := a.store.FindArticleByID(r.Context(), s.ID)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, a.storyOut(out), nil
}
