package wire

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"masthead/internal/news"
	"masthead/internal/ninjs"
	"masthead/internal/workflow"
)

// Ingest applies wire copy to the paper, item by item in feed order:
//
//   - the first version of a story creates it, in review — or published, in
//     a section the paper set to auto-publish (news.WireSetting);
//   - a later version (by the item's URI and version) updates the same
//     story: text, bylines, tags, credits and rights;
//   - a kill (pubstatus canceled) or withdrawal (withheld) takes the story
//     off the site, or back to draft when it was not out;
//   - a version no later than the one the paper has changes nothing.
//
// Each item's story write and its wire record (news.WireItem: URI, version,
// credit, distributor, rights) commit in one transaction, so a feed sent
// again after a failure goes on where it stopped.
//
// Who acts: the integration's newsroom account, with its role's rights
// (stories:write a reporter's). Two things the paper decided beforehand
// are done with an editor's rights whatever the integration's: publishing
// into an auto-publish section (and updating what was published so), and
// kills (an agency's kill binds whoever took its copy).
type Ingester struct {
	Store  news.Store
	Flow   *workflow.Service
	Clock  news.Clock
	Logger *slog.Logger
	// Photos stores pictures (internal/media.Library); nil keeps the
	// pictures out.
	Photos PhotoSaver
	// Fetch reads a picture's rendition; nil: pictures are not fetched.
	Fetch func(ctx context.Context, href string) ([]byte, error)
}

// PhotoSaver stores an image as a photo (internal/media.Library).
type PhotoSaver interface {
	SavePhoto(ctx context.Context, p *news.Photo, data []byte) error
}

// Options are a feed's settings.
type Options struct {
	// Actor is the integration's account; IntegrationID is recorded.
	Actor         *news.User
	IntegrationID int64
	// CanPublish: the integration has stories:publish (its updates to
	// live stories apply; without it they are held).
	CanPublish bool
	// Section is the default section's slug, for items whose subjects
	// name none of the paper's sections.
	Section string
}

// Result is what one item did.
type Result struct {
	URI       string       `json:"uri"`
	Version   int64        `json:"version"`
	Action    ninjs.Action `json:"action"`
	ArticleID int64        `json:"story_id,omitempty"`
	Status    news.Status  `json:"status,omitempty"`
	// Note says why nothing changed, or what was left out (a picture
	// that could not be fetched).
	Note string `json:"note,omitempty"`
}

// Held is the action of an update to a live story that the integration
// may not edit: nothing changes; the newsroom decides.
const Held ninjs.Action = "held"

// Ingest applies items; an error stops at the item that failed (its
// results so far are returned with it).
func (g *Ingester) Ingest(ctx context.Context, items []ninjs.Item, opt Options) ([]Result, error) {
	if opt.Actor == nil {
		return nil, news.ErrUnauthorized
	}
	auto, err := g.autoSections(ctx)
	if err != nil {
		return nil, err
	}
	var out []Result
	for i := range items {
		it := &items[i]
		res, err := g.one(ctx, it, opt, auto)
		if err != nil {
			return out, fmt.Errorf("item %d (%s v%d): %w", i+1, it.URI, it.VersionNumber(), err)
		}
		out = append(out, res)
	}
	return out, nil
}

func (g *Ingester) autoSections(ctx context.Context) (map[int64]bool, error) {
	v, err := g.Store.GetSetting(ctx, news.WireSetting)
	if errors.Is(err, news.ErrNotFound) {
		return map[int64]bool{}, nil
	} else if err != nil {
		return nil, err
	}
	var ids []int64
	if err := json.Unmarshal([]byte(v), &ids); err != nil {
		return nil, fmt.Errorf("setting %s: %w", news.WireSetting, err)
	}
	out := map[int64]bool{}
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// editor is the actor with an editor's rights, for what the paper decided
// beforehand.
func editor(u *news.User) *news.User {
	e := *u
	e.Role = news.RoleEditor
	return &e
}

func (g *Ingester) one(ctx context.Context, it *ninjs.Item, opt Options, auto map[int64]bool) (Result, error) {
	res := Result{URI: it.URI, Version: it.VersionNumber()}
	prev, err := g.Store.FindWireItem(ctx, it.URI)
	if errors.Is(err, news.ErrNotFound) {
		prev = nil
	} else if err != nil {
		return res, err
	}
	step := ninjs.Plan([]ninjs.Item{*it}, func(string) (int64, bool) {
		if prev == nil {
			return 0, false
		}
		return prev.Version, true
	})[0]
	res.Action = step.Action
	if prev != nil {
		res.ArticleID = prev.ArticleID
	}
	rec := &news.WireItem{URI: it.URI, Version: res.Version, VersionCreated: ninjs.Time(it.VersionCreated), PubStatus: it.PubStatus,
		Distributor: it.Distributor(), Credit: it.Credit(), Rights: it.Rights(), EdNote: it.EdNote, IntegrationID: opt.IntegrationID,
		UpdatedAt: g.Clock.Now()}
	if rec.PubStatus == "" {
		rec.PubStatus = "usable"
	}
	// The story's write and its wire record, in one transaction.
	record := func(ctx context.Context) context.Context {
		return workflow.WithinCommand(ctx, func(ctx context.Context, tx news.Tx, a *news.Article) error {
			rec.ArticleID = a.ID
			_, err := tx.PutWireItem(ctx, rec)
			return err
		})
	}
	switch step.Action {
	case ninjs.Stale:
		res.Note = "the paper has this version or a later one"
		return res, nil
	case ninjs.Kill:
		return g.kill(ctx, it, opt, prev, rec, res)
	case ninjs.Create:
		return g.create(ctx, it, opt, auto, record, res)
	}
	// Update.
	a, err := g.Store.FindArticleByID(ctx, prev.ArticleID)
	if errors.Is(err, news.ErrNotFound) {
		// Deleted in the newsroom since: the wire's copy makes it again.
		return g.create(ctx, it, opt, auto, record, res)
	} else if err != nil {
		return res, err
	}
	actor := g.owner(opt.Actor, a)
	live := a.Status == news.StatusPublished || a.Status == news.StatusScheduled
	if live && (auto[a.SectionID] || opt.CanPublish) || a.Status == news.StatusUnpublished && prev.PubStatus != "usable" {
		actor = g.owner(editor(opt.Actor), a)
	}
	if !workflow.Can(actor, workflow.ActEdit, a) {
		res.Action, res.Status = Held, a.Status
		res.Note = "the story is " + string(a.Status) + " and this integration may not edit it: the newsroom decides"
		return res, nil
	}
	d, note, err := g.draftOf(ctx, it, opt, a.SectionID)
	if err != nil {
		return res, err
	}
	d.BaseVersion = a.Version
	out, err := g.Flow.Save(record(ctx), actor, a.ID, d, fmt.Sprintf("wire version %d", res.Version))
	if err != nil {
		return res, err
	}
	res.ArticleID, res.Status, res.Note = out.ID, out.Status, note
	return res, nil
}

// owner is u acting on the story it made (see adminapi's actor): the
// workflow counts a story as someone's own by byline.
func (g *Ingester) owner(u *news.User, a *news.Article) *news.User {
	if len(a.Authors) == 0 {
		return u
	}
	own := *u
	own.AuthorID = a.Authors[0].ID
	return &own
}

func (g *Ingester) create(ctx context.Context, it *ninjs.Item, opt Options, auto map[int64]bool, record func(context.Context) context.Context, res Result) (Result, error) {
	d, note, err := g.draftOf(ctx, it, opt, 0)
	if err != nil {
		return res, err
	}
	res.Action = ninjs.Create
	// An agency's embargo is kept whoever takes the copy: setting one only
	// holds a story back.
	creator := opt.Actor
	if !d.EmbargoUntil.IsZero() {
		creator = editor(opt.Actor)
	}
	a, err := g.Flow.Create(record(ctx), creator, d)
	if err != nil {
		return res, err
	}
	res.ArticleID, res.Note = a.ID, note
	actor := g.owner(opt.Actor, a)
	// Into review, or onto the site in an auto-publish section.
	if auto[a.SectionID] {
		if err := g.Flow.Publish(ctx, g.owner(editor(opt.Actor), a), a.ID, a.Version); err != nil {
			return res, err
		}
		res.Status = news.StatusPublished
		return res, nil
	}
	if err := g.Flow.Submit(ctx, actor, a.ID); err != nil {
		return res, err
	}
	res.Status = news.StatusReview
	return res, nil
}

func (g *Ingester) kill(ctx context.Context, it *ninjs.Item, opt Options, prev *news.WireItem, rec *news.WireItem, res Result) (Result, error) {
	if prev == nil || prev.ArticleID == 0 {
		// Never had it: remember the kill, so a late resend of an older
		// version never goes up.
		_, err := g.Store.PutWireItem(ctx, rec)
		res.Note = "the paper never had this story"
		return res, err
	}
	a, err := g.Store.FindArticleByID(ctx, prev.ArticleID)
	if errors.Is(err, news.ErrNotFound) {
		_, err := g.Store.PutWireItem(ctx, rec)
		res.Note = "the story was deleted"
		return res, err
	} else if err != nil {
		return res, err
	}
	actor := g.owner(editor(opt.Actor), a)
	withRecord := workflow.WithinCommand(ctx, func(ctx context.Context, tx news.Tx, a *news.Article) error {
		rec.ArticleID = a.ID
		_, err := tx.PutWireItem(ctx, rec)
		return err
	})
	switch a.Status {
	case news.StatusPublished:
		err = g.Flow.Unpublish(withRecord, actor, a.ID)
	case news.StatusReview, news.StatusScheduled:
		err = g.Flow.Withdraw(withRecord, actor, a.ID)
	default:
		rec.ArticleID = a.ID
		_, err = g.Store.PutWireItem(ctx, rec)
	}
	if err != nil {
		return res, err
	}
	cur, err := g.Store.FindArticleByID(ctx, a.ID)
	if err != nil {
		return res, err
	}
	res.Status = cur.Status
	res.Note = strings.TrimSpace("killed by the agency. " + it.EdNote)
	return res, nil
}

// draftOf is the story a wire item describes: authors found (or made) by
// name, the section by the subjects (or the default), the pictures stored.
func (g *Ingester) draftOf(ctx context.Context, it *ninjs.Item, opt Options, sectionID int64) (workflow.Draft, string, error) {
	s := StoryOf(it)
	d := workflow.Draft{Headline: s.Headline, Deck: s.Deck, BodyHTML: s.BodyHTML, HTMLBody: true, Lang: s.Lang, Tags: s.Tags,
		EmbargoUntil: s.EmbargoUntil, SectionID: sectionID}
	if d.Lang != "" && !news.ValidLang(d.Lang) {
		d.Lang = ""
	}
	for _, name := range s.Bylines {
		id, err := g.author(ctx, name)
		if err != nil {
			return d, "", err
		}
		d.AuthorIDs = append(d.AuthorIDs, id)
	}
	if d.SectionID == 0 {
		id, err := g.section(ctx, it, opt.Section)
		if err != nil {
			return d, "", err
		}
		d.SectionID = id
	}
	var note string
	if len(s.Pictures) > 0 && g.Photos != nil && g.Fetch != nil {
		pic := s.Pictures[0]
		id, err := g.picture(ctx, pic)
		if err != nil {
			note = "picture left out: " + news.ErrorMessage(err)
			if news.ErrorCode(err) == news.EINTERNAL {
				note = "picture left out: " + err.Error()
			}
		} else {
			d.PhotoID = id
		}
	}
	return d, note, nil
}

// author finds the byline by its slug, or adds it.
func (g *Ingester) author(ctx context.Context, name string) (int64, error) {
	slug := news.Slugify(name)
	if slug == "" {
		slug = "wire"
	}
	au, err := g.Store.FindAuthorBySlug(ctx, slug)
	if err == nil {
		return au.ID, nil
	} else if !errors.Is(err, news.ErrNotFound) {
		return 0, err
	}
	au = &news.Author{Slug: slug, Name: name, Title: "Wire"}
	if err := g.Store.CreateAuthor(ctx, au); errors.Is(err, news.ErrConflict) {
		// Made meanwhile by another feed.
		if au, err = g.Store.FindAuthorBySlug(ctx, slug); err != nil {
			return 0, err
		}
		return au.ID, nil
	} else if err != nil {
		return 0, err
	}
	return au.ID, nil
}

// section is the first of the item's subjects that names a section of the
// paper (by slug), else the default.
func (g *Ingester) section(ctx context.Context, it *ninjs.Item, fallback string) (int64, error) {
	secs, err := g.Store.ListSections(ctx)
	if err != nil {
		return 0, err
	}
	bySlug := map[string]int64{}
	for _, s := range secs {
		bySlug[s.Slug] = s.ID
	}
	for _, c := range it.Subjects {
		if id, ok := bySlug[news.Slugify(c.Name)]; ok {
			return id, nil
		}
	}
	if fallback == "" {
		return 0, nil
	}
	id, ok := bySlug[fallback]
	if !ok {
		return 0, news.Errorf(news.EINVALID, "No section %q.", fallback)
	}
	return id, nil
}

// picture fetches and stores a picture, with its caption and credit.
func (g *Ingester) picture(ctx context.Context, pic ninjs.Picture) (int64, error) {
	if pic.Href == "" {
		return 0, news.Errorf(news.EINVALID, "no rendition to fetch")
	}
	data, err := g.Fetch(ctx, pic.Href)
	if err != nil {
		return 0, err
	}
	p := &news.Photo{Caption: pic.Caption, Credit: pic.Credit, Alt: pic.Caption, FocalX: 0.5, FocalY: 0.5,
		ContentType: http.DetectContentType(data)}
	if err := g.Photos.SavePhoto(ctx, p, data); err != nil {
		return 0, err
	}
	return p.ID, nil
}

// HTTPFetch is Fetch over client: at most max bytes, a 2xx answer.
func HTTPFetch(client *http.Client, max int64) func(ctx context.Context, href string) ([]byte, error) {
	return func(ctx context.Context, href string) ([]byte, error) {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, href, nil)
		if err != nil {
			return nil, err
		}
		res, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		if res.StatusCode/100 != 2 {
			return nil, fmt.Errorf("GET %s: %s", href, res.Status)
		}
		b, err := io.ReadAll(io.LimitReader(res.Body, max+1))
		if err != nil {
			return nil, err
		}
		if int64(len(b)) > max {
			return nil, fmt.Errorf("GET %s: larger than %d bytes", href, max)
		}
		return b, nil
	}
}
