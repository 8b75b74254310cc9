package newsroom

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"masthead/internal/httpx"
	"masthead/internal/news"
	"masthead/internal/workflow"
)

// storyPhoto uploads a lead photo for the story, edits the caption, credit,
// alt text and focal point of the one it has, or removes it from the story.
func (n *Newsroom) storyPhoto(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	a, err := n.story(r, c)
	if err != nil {
		return err
	}
	if !workflow.Can(c.user, workflow.ActEdit, a) {
		return news.Errorf(news.EFORBIDDEN, "Your role (%s) may not edit this story.", c.user.Role)
	}
	if n.cfg.Media == nil {
		return news.Errorf(news.ENOTFOUND, "The photo desk is not configured.")
	}
	form := photoForm{
		Caption: strings.TrimSpace(r.PostFormValue("caption")),
		Credit:  strings.TrimSpace(r.PostFormValue("credit")),
		Alt:     strings.TrimSpace(r.PostFormValue("alt")),
		FocalX:  r.PostFormValue("focal_x"),
		FocalY:  r.PostFormValue("focal_y"),
	}
	fail := func(err error) error {
		if code := news.ErrorCode(err); (code != news.EINVALID && code != news.ECONFLICT) || r.Header.Get("X-Requested-With") == "fetch" {
			return err
		}
		p, perr := n.editor(r, c, a, workflow.DraftOf(a))
		if perr != nil {
			return perr
		}
		p.PhotoError, p.PhotoForm = news.ErrorMessage(err), form
		n.render(w, r, c, http.StatusUnprocessableEntity, "editor", p)
		return nil
	}

	if r.PostFormValue("op") == "remove" {
		d := workflow.DraftOf(a)
		d.PhotoID = 0
		if _, err := n.flow.Save(ctx, c.user, a.ID, d, "photo removed"); err != nil {
			return fail(err)
		}
		return n.photoDone(w, r, a.ID)
	}

	if r.PostFormValue("op") == "use" {
		// A photo from the media library, with its own caption, credit
		// and alt text.
		id, err := strconv.ParseInt(r.PostFormValue("photo_id"), 10, 64)
		if err != nil {
			return fail(news.Errorf(news.EINVALID, "Pick a photo from the library."))
		}
		ph, err := n.store.FindPhotoByID(ctx, id)
		if errors.Is(err, news.ErrNotFound) || (err == nil && strings.HasPrefix(ph.Key, replacedPrefix)) {
			return fail(news.Errorf(news.EINVALID, "No such photo in the library."))
		} else if err != nil {
			return err
		}
		if (a.Status == news.StatusPublished || a.Status == news.StatusScheduled) && (ph.Caption == "" || ph.Credit == "" || ph.Alt == "") {
			return fail(news.Errorf(news.EINVALID, "This story is %s: its photo needs a caption, credit and alt text. Add them in the media library first.", a.Status))
		}
		d := workflow.DraftOf(a)
		d.PhotoID = ph.ID
		if _, err := n.flow.Save(ctx, c.user, a.ID, d, "photo from the library"); err != nil {
			return fail(err)
		}
		return n.photoDone(w, r, a.ID)
	}

	fx, fy, err := parseFocal(form.FocalX, form.FocalY)
	if err != nil {
		return fail(err)
	}
	for _, f := range []string{form.Caption, form.Credit, form.Alt} {
		if utf8.RuneCountInString(f) > 1000 {
			return fail(news.Errorf(news.EINVALID, "Caption, credit and alt text are at most 1000 characters each."))
		}
	}

	if (a.Status == news.StatusPublished || a.Status == news.StatusScheduled) && (form.Caption == "" || form.Credit == "" || form.Alt == "") {
		// The rule publishing enforces holds for stories already live.
		return fail(news.Errorf(news.EINVALID, "This story is %s: its photo needs a caption, credit and alt text.", a.Status))
	}
	file, hdr, err := r.FormFile("file")
	switch {
	case err == nil:
		defer file.Close()
		ph := &news.Photo{Caption: form.Caption, Credit: form.Credit, Alt: form.Alt, FocalX: fx, FocalY: fy}
		if err := n.uploadPhoto(ctx, ph, file, hdr); err != nil {
			return fail(err)
		}
		d := workflow.DraftOf(a)
		d.PhotoID = ph.ID
		if _, err := n.flow.Save(ctx, c.user, a.ID, d, "photo"); err != nil {
			return fail(err)
		}
	case errors.Is(err, http.ErrMissingFile):
		if a.PhotoID == 0 {
			return fail(news.Errorf(news.EINVALID, "Choose an image file to upload."))
		}
		ph, err := n.store.FindPhotoByID(ctx, a.PhotoID)
		if err != nil {
			return err
		}
		ph.Caption, ph.Credit, ph.Alt, ph.FocalX, ph.FocalY = form.Caption, form.Credit, form.Alt, fx, fy
		err = n.store.Update(ctx, func(tx news.Tx) error {
			if err := tx.UpdatePhoto(ctx, ph); err != nil {
				return err
			}
			return workflow.Audit(ctx, tx, n.clock, c.user, "photo", a.ID, fmt.Sprintf("photo %d details", ph.ID))
		})
		if err != nil {
			return err
		}
	default:
		return fail(tooBig(err))
	}
	return n.photoDone(w, r, a.ID)
}

// photoDone answers a lead-photo change: the editor's script (which sends
// the form in the background, so that unsaved text in the story form stays
// where it is) gets the story's new version for the story form (so its next
// save is not a stale one to merge) and the photo to show; a plain form
// post goes back to the editor.
func (n *Newsroom) photoDone(w http.ResponseWriter, r *http.Request, id int64) error {
	if r.Header.Get("X-Requested-With") != "fetch" {
		http.Redirect(w, r, fmt.Sprintf("/newsroom/stories/%d?done=photo#photo", id), http.StatusSeeOther)
		return nil
	}
	a, err := n.store.FindArticleByID(r.Context(), id)
	if err != nil {
		return err
	}
	out := map[string]any{"version": a.Version, "message": flashes["photo"]}
	if a.Photo != nil {
		// Shown in the newsroom, through its photo route: a draft's lead
		// photo is not public yet.
		p := n.inlineOf(a.Photo)
		p.Src = "/newsroom" + p.Src
		out["photo"] = p
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func parseFocal(xs, ys string) (float64, float64, error) {
	parse := func(s string) (float64, error) {
		s = strings.TrimSpace(s)
		if s == "" {
			return 0.5, nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < 0 || f > 1 {
			return 0, news.Errorf(news.EINVALID, "The focal point is two numbers from 0 to 1.")
		}
		return f, nil
	}
	x, err := parse(xs)
	if err != nil {
		return 0, 0, err
	}
	y, err := parse(ys)
	return x, y, err
}

// uploadPhoto reads an uploaded image and stores it through the photo desk
// (internal/media: checked, stripped of metadata, renditions made) as a
// new Photo with ph's caption, credit, alt and focal point.
func (n *Newsroom) uploadPhoto(ctx context.Context, ph *news.Photo, file multipart.File, hdr *multipart.FileHeader) error {
	if hdr.Size > n.cfg.MaxUploadBytes {
		return news.Errorf(news.EINVALID, "The file is larger than %s.", humanBytes(n.cfg.MaxUploadBytes))
	}
	data, err := io.ReadAll(io.LimitReader(file, n.cfg.MaxUploadBytes+1))
	if err != nil {
		return tooBig(err)
	}
	if int64(len(data)) > n.cfg.MaxUploadBytes {
		return news.Errorf(news.EINVALID, "The file is larger than %s.", humanBytes(n.cfg.MaxUploadBytes))
	}
	if len(data) == 0 {
		return news.Errorf(news.EINVALID, "The file is empty.")
	}
	ph.ContentType = hdr.Header.Get("Content-Type")
	ph.CreatedAt = n.clock.Now()
	// A new Photo for every upload: reader URLs of photos are cached as
	// immutable, so bytes never change under an existing id.
	if err := n.cfg.Media.SavePhoto(ctx, ph, data); err != nil {
		return err
	}
	if ph.ID == 0 {
		if err := n.store.CreatePhoto(ctx, ph); err != nil {
			return err
		}
	}
	return nil
}
