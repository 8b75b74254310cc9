package newsroom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"masthead/internal/httpx"
	"masthead/internal/news"
	"masthead/internal/workflow"
)

// The media library: every photo with its caption, credit and alt text and
// the stories that use it; search; reuse (as a story's lead photo, or in a
// body through the editor's picker); caption edits; and replace, which puts
// a new image in every story that used the old one and removes the old
// one's files.

// replacedPrefix marks the media key of a photo that was replaced: its
// files are gone, its row stays for the revisions that still name it, and
// the library lists it no more.
const replacedPrefix = "replaced/"

// photoRemover is the part of internal/media.Library that deletes a
// replaced photo's files.
type photoRemover interface {
	RemoveFiles(ctx context.Context, p *news.Photo)
}

type mediaItem struct {
	P      *news.Photo
	Thumb  string
	Uses   []news.PhotoUse
	Inline inlinePhoto
}

type mediaPage struct {
	base
	Q                string
	Items            []mediaItem
	Total            int
	PrevURL, NextURL string
	// For, when set, is the story whose lead photo is being chosen.
	For *news.Article
}

type mediaPhotoPage struct {
	base
	Item    mediaItem
	Error   string
	Large   string
	CanEdit bool
}

const mediaPerPage = 48

func (n *Newsroom) library() (news.PhotoLibrary, error) {
	lib, ok := n.store.(news.PhotoLibrary)
	if !ok || n.cfg.Media == nil {
		return nil, news.Errorf(news.ENOTFOUND, "The media library is not available here.")
	}
	return lib, nil
}

// thumb is the smallest rendition, for the grid, through the newsroom's
// photo route (a draft's lead photo is not public yet).
func (n *Newsroom) thumb(p *news.Photo) string {
	if len(p.Widths) > 0 {
		return "/newsroom" + n.paper().PhotoPath(p, p.Widths[0])
	}
	return "/newsroom" + n.paper().PhotoPath(p, 0)
}

func (n *Newsroom) mediaItems(ctx context.Context, lib news.PhotoLibrary, ps []*news.Photo) ([]mediaItem, error) {
	ids := make([]int64, 0, len(ps))
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	uses, err := lib.PhotoUses(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]mediaItem, 0, len(ps))
	for _, p := range ps {
		out = append(out, mediaItem{P: p, Thumb: n.thumb(p), Uses: uses[p.ID], Inline: n.inlineOf(p)})
	}
	return out, nil
}

func (n *Newsroom) listLibrary(ctx context.Context, lib news.PhotoLibrary, q string, page int) ([]mediaItem, int, error) {
	ps, total, err := lib.ListPhotos(ctx, news.PhotoFilter{Query: q, Offset: (page - 1) * mediaPerPage, Limit: mediaPerPage})
	if err != nil {
		return nil, 0, err
	}
	live := ps[:0]
	for _, p := range ps {
		if !strings.HasPrefix(p.Key, replacedPrefix) {
			live = append(live, p)
		}
	}
	items, err := n.mediaItems(ctx, lib, live)
	return items, total, err
}

func (n *Newsroom) mediaLibrary(w http.ResponseWriter, r *http.Request, c *call) error {
	lib, err := n.library()
	if err != nil {
		return err
	}
	ctx := r.Context()
	p := &mediaPage{Q: strings.TrimSpace(r.URL.Query().Get("q"))}
	p.Title, p.Nav = "Media library", "media"
	if v := r.URL.Query().Get("for"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return news.ErrNotFound
		}
		if p.For, err = n.flow.Get(ctx, c.user, id); err != nil {
			return err
		}
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	if p.Items, p.Total, err = n.listLibrary(ctx, lib, p.Q, page); err != nil {
		return err
	}
	link := func(pg int) string {
		v := url.Values{}
		if p.Q != "" {
			v.Set("q", p.Q)
		}
		if p.For != nil {
			v.Set("for", strconv.FormatInt(p.For.ID, 10))
		}
		v.Set("page", strconv.Itoa(pg))
		return "/newsroom/media?" + v.Encode()
	}
	if page > 1 {
		p.PrevURL = link(page - 1)
	}
	if page*mediaPerPage < p.Total {
		p.NextURL = link(page + 1)
	}
	n.render(w, r, c, http.StatusOK, "media", p)
	return nil
}

// mediaJSON is the library for the editor's picker.
func (n *Newsroom) mediaJSON(w http.ResponseWriter, r *http.Request, c *call) error {
	lib, err := n.library()
	if err != nil {
		return err
	}
	items, _, err := n.listLibrary(r.Context(), lib, strings.TrimSpace(r.URL.Query().Get("q")), 1)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		out = append(out, map[string]any{"photo": it.Inline, "thumb": it.Thumb})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (n *Newsroom) mediaPhotoPage(r *http.Request, c *call) (*mediaPhotoPage, error) {
	lib, err := n.library()
	if err != nil {
		return nil, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	ph, err := n.store.FindPhotoByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(ph.Key, replacedPrefix) {
		return nil, news.Errorf(news.ENOTFOUND, "This photo was replaced.")
	}
	items, err := n.mediaItems(r.Context(), lib, []*news.Photo{ph})
	if err != nil {
		return nil, err
	}
	p := &mediaPhotoPage{Item: items[0], Large: "/newsroom" + items[0].Inline.Src, CanEdit: workflow.AtLeast(c.user, news.RoleEditor)}
	p.Title, p.Nav = "Photo", "media"
	return p, nil
}

func (n *Newsroom) mediaPhoto(w http.ResponseWriter, r *http.Request, c *call) error {
	p, err := n.mediaPhotoPage(r, c)
	if err != nil {
		return err
	}
	n.render(w, r, c, http.StatusOK, "mediaphoto", p)
	return nil
}

// saveMediaPhoto changes a photo's caption, credit and alt text (what the
// lead photos that show it print).
func (n *Newsroom) saveMediaPhoto(w http.ResponseWriter, r *http.Request, c *call) error {
	p, err := n.mediaPhotoPage(r, c)
	if err != nil {
		return err
	}
	ph := p.Item.P
	capt, cred, alt := strings.TrimSpace(r.PostFormValue("caption")), strings.TrimSpace(r.PostFormValue("credit")), strings.TrimSpace(r.PostFormValue("alt"))
	for _, f := range []string{capt, cred, alt} {
		if utf8.RuneCountInString(f) > 1000 || !utf8.ValidString(f) {
			p.Error = "Caption, credit and alt text are at most 1000 characters each."
			n.render(w, r, c, http.StatusUnprocessableEntity, "mediaphoto", p)
			return nil
		}
	}
	ph.Caption, ph.Credit, ph.Alt = capt, cred, alt
	err = n.store.Update(r.Context(), func(tx news.Tx) error {
		if err := tx.UpdatePhoto(r.Context(), ph); err != nil {
			return err
		}
		return workflow.Audit(r.Context(), tx, n.clock, c.user, "photo", 0, fmt.Sprintf("photo %d details", ph.ID))
	})
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/newsroom/media/%d?done=photo", ph.ID), http.StatusSeeOther)
	return nil
}

// replaceMediaPhoto stores a new image as a new photo (reader URLs of
// photos are cached as immutable, so an id never gets new bytes), puts it
// where the old one was in every story (lead photo and body figures, each
// saved as a revision), and then removes the old files and crops.
func (n *Newsroom) replaceMediaPhoto(w http.ResponseWriter, r *http.Request, c *call) error {
	p, err := n.mediaPhotoPage(r, c)
	if err != nil {
		return err
	}
	ctx := r.Context()
	old := p.Item.P
	file, hdr, err := r.FormFile("file")
	if errors.Is(err, http.ErrMissingFile) {
		p.Error = "Choose the new image file."
		n.render(w, r, c, http.StatusUnprocessableEntity, "mediaphoto", p)
		return nil
	} else if err != nil {
		return tooBig(err)
	}
	defer file.Close()
	// Every story that shows the photo must be one this user may edit,
	// checked before anything changes.
	var stories []*news.Article
	for _, u := range p.Item.Uses {
		a, err := n.store.FindArticleByID(ctx, u.ArticleID)
		if err != nil {
			return err
		}
		if !workflow.Can(c.user, workflow.ActEdit, a) {
			return news.Errorf(news.EFORBIDDEN, "The photo is in %q, which your role (%s) may not edit.", a.Headline, c.user.Role)
		}
		stories = append(stories, a)
	}
	next := &news.Photo{Caption: old.Caption, Credit: old.Credit, Alt: old.Alt, FocalX: old.FocalX, FocalY: old.FocalY}
	if err := n.uploadPhoto(ctx, next, file, hdr); err != nil {
		if news.ErrorCode(err) != news.EINVALID {
			return err
		}
		p.Error = news.ErrorMessage(err)
		n.render(w, r, c, http.StatusUnprocessableEntity, "mediaphoto", p)
		return nil
	}
	in := n.inlineOf(next)
	imgRE := regexp.MustCompile(`<img src="/media/` + strconv.FormatInt(old.ID, 10) + `/[^"]*"( alt="[^"]*")(?: width="\d+" height="\d+")?`)
	dims := ""
	if in.Width > 0 {
		dims = fmt.Sprintf(` width="%d" height="%d"`, in.Width, in.Height)
	}
	for _, a := range stories {
		d := workflow.DraftOf(a)
		if a.PhotoID == old.ID {
			d.PhotoID = next.ID
		}
		if body := imgRE.ReplaceAllString(a.BodyHTML, `<img src="`+in.Src+`"${1}`+dims); body != a.BodyHTML {
			d.BodyHTML, d.HTMLBody = body, true
		}
		if _, err := n.flow.Save(ctx, c.user, a.ID, d, "photo replaced"); err != nil {
			return fmt.Errorf("put photo %d in story %d: %w", next.ID, a.ID, err)
		}
	}
	if rm, ok := n.cfg.Media.(photoRemover); ok {
		rm.RemoveFiles(ctx, old)
	}
	oldKey := old.Key
	old.Key = replacedPrefix + strconv.FormatInt(next.ID, 10)
	err = n.store.Update(ctx, func(tx news.Tx) error {
		if err := tx.UpdatePhoto(ctx, old); err != nil {
			return err
		}
		if err := workflow.Audit(ctx, tx, n.clock, c.user, "photo", 0, fmt.Sprintf("photo %d (%s) replaced by %d in %d stories", old.ID, oldKey, next.ID, len(stories))); err != nil {
			return err
		}
		return n.repointPaperPhotos(ctx, tx, c, old.ID, next.ID)
	})
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/newsroom/media/%d?done=replaced", next.ID), http.StatusSeeOther)
	return nil
}

// repointPaperPhotos puts a replacement photo where the paper settings
// name the one it replaced (the logo, the default share image), in tx,
// the transaction that marks the old one replaced: the old id has no files
// any more. A settings save is a change of everything, so
// every page shows the new logo at once.
func (n *Newsroom) repointPaperPhotos(ctx context.Context, tx news.Tx, c *call, oldID, newID int64) error {
	st, err := tx.FindSetting(ctx, news.PaperSettingsKey)
	if errors.Is(err, news.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	ps, err := news.ParsePaperSettings(st.Value)
	if err != nil {
		return err
	}
	changed := false
	for _, id := range []*int64{&ps.LogoPhotoID, &ps.ShareImagePhotoID} {
		if *id == oldID {
			*id, changed = newID, true
		}
	}
	if !changed {
		return nil
	}
	b, err := json.Marshal(ps)
	if err != nil {
		return err
	}
	if err := tx.UpdateSetting(ctx, &news.Setting{Key: news.PaperSettingsKey, Value: string(b), Version: st.Version, UpdatedBy: c.user.ID}); err != nil {
		return err
	}
	tx.Announce(news.SettingsChanged(news.PaperSettingsKey))
	return workflow.Audit(ctx, tx, n.clock, c.user, "settings", 0, fmt.Sprintf("paper settings: photo %d replaced by %d", oldID, newID))
}
