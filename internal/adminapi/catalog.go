package adminapi

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"masthead/internal/httpx"
	"masthead/internal/news"
	"masthead/internal/webhooks"
)

// Sections, authors, tags and photos. Sections are the admins' in the
// newsroom and are read here only; authors (a wire's bylines) may be added
// with stories:write; tags come with the stories that name them.

// SectionOut, AuthorOut and TagOut are the catalog as the API shows it.
type SectionOut struct {
	ID          int64  `json:"id"`
	Slug        string `json:"slug"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Position    int    `json:"position"`
	URL         string `json:"url"`
}

type AuthorOut struct {
	ID      int64  `json:"id"`
	Slug    string `json:"slug"`
	Name    string `json:"name"`
	Title   string `json:"title"`
	Bio     string `json:"bio"`
	PhotoID int64  `json:"photo_id,omitempty"`
	URL     string `json:"url"`
}

type TagOut struct {
	ID   int64  `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

func (a *API) abs(path string) string {
	if a.cfg.Paper == nil {
		return path
	}
	return a.cfg.Paper.Current().AbsURL(path)
}

func (a *API) authorOut(au *news.Author) AuthorOut {
	return AuthorOut{ID: au.ID, Slug: au.Slug, Name: au.Name, Title: au.Title, Bio: au.Bio, PhotoID: au.PhotoID,
		URL: a.abs((&news.Paper{}).AuthorPath(au))}
}

func (a *API) listSections(r *http.Request, c *call) (int, any, error) {
	secs, err := a.store.ListSections(r.Context())
	if err != nil {
		return 0, nil, err
	}
	out := []SectionOut{}
	for _, s := range secs {
		out = append(out, SectionOut{ID: s.ID, Slug: s.Slug, Name: s.Name, Description: s.Description, Position: s.Position,
			URL: a.abs((&news.Paper{}).SectionPath(s))})
	}
	return http.StatusOK, map[string]any{"sections": out}, nil
}

func (a *API) listAuthors(r *http.Request, c *call) (int, any, error) {
	list, err := a.store.ListAuthors(r.Context())
	if err != nil {
		return 0, nil, err
	}
	out := []AuthorOut{}
	for _, au := range list {
		out = append(out, a.authorOut(au))
	}
	return http.StatusOK, map[string]any{"authors": out}, nil
}

func (a *API) listTags(r *http.Request, c *call) (int, any, error) {
	list, err := a.store.ListTags(r.Context())
	if err != nil {
		return 0, nil, err
	}
	out := []TagOut{}
	for _, t := range list {
		out = append(out, TagOut{ID: t.ID, Slug: t.Slug, Name: t.Name, URL: a.abs((&news.Paper{}).TagPath(t))})
	}
	return http.StatusOK, map[string]any{"tags": out}, nil
}

// AuthorIn is the body of POST /authors.
type AuthorIn struct {
	Name  string `json:"name"`
	Slug  string `json:"slug"`
	Title string `json:"title"`
	Bio   string `json:"bio"`
	Email string `json:"email"`
}

func (a *API) createAuthor(r *http.Request, c *call) (int, any, error) {
	var in AuthorIn
	if err := decode(c, &in); err != nil {
		return 0, nil, err
	}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		return 0, nil, fieldErr(news.Errorf(news.EINVALID, "An author needs a name."), "name")
	}
	slug := news.Slugify(in.Slug)
	if in.Slug == "" {
		slug = news.Slugify(in.Name)
	}
	if slug == "" {
		return 0, nil, fieldErr(news.Errorf(news.EINVALID, "The slug needs at least one letter or digit."), "slug")
	}
	au := &news.Author{Slug: slug, Name: in.Name, Title: strings.TrimSpace(in.Title), Bio: strings.TrimSpace(in.Bio), Email: strings.TrimSpace(in.Email)}
	// The integration's account first: on a first call it is made, in a
	// write of its own, which inside the transaction below would wait for
	// that transaction's own lock (SQLite has one writer) until it timed out.
	u, err := a.account(r.Context(), c.caller.Integration)
	if err != nil {
		return 0, nil, err
	}
	err = a.store.Update(r.Context(), func(tx news.Tx) error {
		if err := tx.CreateAuthor(r.Context(), au); err != nil {
			return err
		}
		if err := tx.AddAudit(r.Context(), &news.AuditEntry{UserID: u.ID, Action: "author", Detail: "added " + au.Name + " through " + c.caller.Integration.Name, CreatedAt: a.clock.Now()}); err != nil {
			return err
		}
		return a.answerIn(r.Context(), tx, c, http.StatusCreated, a.authorOut(au))
	})
	if errors.Is(err, news.ErrConflict) {
		return 0, nil, fieldErr(news.Errorf(news.ECONFLICT, "An author with the slug %q exists.", slug), "slug")
	} else if err != nil {
		return 0, nil, fieldErr(err, "name")
	}
	return http.StatusCreated, a.authorOut(au), nil
}

// photoFields reads caption, credit, alt and the focal point from a form
// or JSON body into p (absent fields keep p's).
func photoFields(get func(string) (string, bool), p *news.Photo) error {
	for _, f := range []struct {
		name string
		dst  *string
	}{{"caption", &p.Caption}, {"credit", &p.Credit}, {"alt", &p.Alt}} {
		if v, ok := get(f.name); ok {
			*f.dst = strings.TrimSpace(v)
		}
	}
	for _, f := range []struct {
		name string
		dst  *float64
	}{{"focal_x", &p.FocalX}, {"focal_y", &p.FocalY}} {
		if v, ok := get(f.name); ok {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil || x < 0 || x > 1 {
				return fieldErr(news.Errorf(news.EINVALID, "%s is a number from 0 (left, top) to 1 (right, bottom).", f.name), f.name)
			}
			*f.dst = x
		}
	}
	return nil
}

// uploadPhoto takes multipart/form-data: file, and caption, credit, alt,
// focal_x, focal_y. The file is checked, stripped of its metadata and
// resized as the newsroom's uploads are.
func (a *API) uploadPhoto(r *http.Request, c *call) (int, any, error) {
	if a.cfg.Media == nil {
		return 0, nil, httpx.Status(http.StatusServiceUnavailable, "Photo uploads are not available on this server.")
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return 0, nil, news.Errorf(news.EINVALID, "Send the photo as multipart/form-data with a file field.")
	}
	form, err := multipart.NewReader(bytes.NewReader(c.body), params["boundary"]).ReadForm(a.cfg.MaxUploadBytes + 1<<20)
	if err != nil {
		return 0, nil, news.Errorf(news.EINVALID, "The form could not be read: %v.", err)
	}
	defer form.RemoveAll()
	files := form.File["file"]
	if len(files) != 1 {
		return 0, nil, fieldErr(news.Errorf(news.EINVALID, "Send one file in the file field."), "file")
	}
	f, err := files[0].Open()
	if err != nil {
		return 0, nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, a.cfg.MaxUploadBytes+1))
	f.Close()
	if err != nil {
		return 0, nil, err
	}
	if int64(len(data)) > a.cfg.MaxUploadBytes {
		return 0, nil, fieldErr(news.Errorf(news.EINVALID, "The photo is larger than %d bytes.", a.cfg.MaxUploadBytes), "file")
	}
	p := &news.Photo{FocalX: 0.5, FocalY: 0.5, ContentType: http.DetectContentType(data)}
	get := func(k string) (string, bool) {
		v, ok := form.Value[k]
		if !ok || len(v) == 0 {
			return "", false
		}
		return v[0], true
	}
	if err := photoFields(get, p); err != nil {
		return 0, nil, err
	}
	// The files first, then the row and the answer in one transaction
	// (answerIn); the files go again if it fails.
	undo, err := a.cfg.Media.PreparePhoto(r.Context(), p, data)
	if err != nil {
		return 0, nil, fieldErr(err, "file")
	}
	err = a.store.Update(r.Context(), func(tx news.Tx) error {
		if err := tx.CreatePhoto(r.Context(), p); err != nil {
			return err
		}
		return a.answerIn(r.Context(), tx, c, http.StatusCreated, webhooks.PhotoOf(a.cfg.Paper, p))
	})
	if err != nil {
		undo()
		return 0, nil, err
	}
	return http.StatusCreated, webhooks.PhotoOf(a.cfg.Paper, p), nil
}

func (a *API) findPhoto(r *http.Request) (*news.Photo, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	p, err := a.store.FindPhotoByID(r.Context(), id)
	if errors.Is(err, news.ErrNotFound) {
		return nil, news.Errorf(news.ENOTFOUND, "No such photo.")
	}
	return p, err
}

func (a *API) getPhoto(r *http.Request, c *call) (int, any, error) {
	p, err := a.findPhoto(r)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, webhooks.PhotoOf(a.cfg.Paper, p), nil
}

// PhotoIn is the body of PATCH /photos/{id}.
type PhotoIn struct {
	Caption *string  `json:"caption"`
	Credit  *string  `json:"credit"`
	Alt     *string  `json:"alt"`
	FocalX  *float64 `json:"focal_x"`
	FocalY  *float64 `json:"focal_y"`
}

func (a *API) patchPhoto(r *http.Request, c *call) (int, any, error) {
	var in PhotoIn
	if err := decode(c, &in); err != nil {
		return 0, nil, err
	}
	p, err := a.findPhoto(r)
	if err != nil {
		return 0, nil, err
	}
	get := func(k string) (string, bool) {
		switch k {
		case "caption":
			return deref(in.Caption)
		case "credit":
			return deref(in.Credit)
		case "alt":
			return deref(in.Alt)
		case "focal_x":
			return fnum(in.FocalX)
		case "focal_y":
			return fnum(in.FocalY)
		}
		return "", false
	}
	if err := photoFields(get, p); err != nil {
		return 0, nil, err
	}
	if err := a.store.UpdatePhoto(r.Context(), p); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, webhooks.PhotoOf(a.cfg.Paper, p), nil
}

func deref(s *string) (string, bool) {
	if s == nil {
		return "", false
	}
	return *s, true
}

func fnum(f *float64) (string, bool) {
	if f == nil {
		return "", false
	}
	return strconv.FormatFloat(*f, 'f', -1, 64), true
}
