package newsroom

import (
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"unicode/utf8"

	"masthead/internal/news"
	"masthead/internal/workflow"
)

// Authors: the public profiles bylines link to — name, title, bio, photo
// and a public e-mail that is not the sign-in e-mail. People who write
// without an account (wire reporters, columnists) are authors too. Editors
// manage every profile; a writer edits their own.

type authorRow struct {
	A       *news.Author
	Account string // the account that writes under it, if any
}

type authorsPage struct {
	base
	Rows  []authorRow
	Form  authorForm
	Error string
}

type authorForm struct {
	Name, Title, Email, Bio, Photo string
	Links                          []linkField
	// Version is the profile's version the form was made from: a save
	// against an older one is refused (someone else saved meanwhile).
	Version int64
}

// linkField is one profile link's input on the author form.
type linkField struct{ Kind, Label, URL string }

// linkFields are the form's link inputs, one per kind, filled from ls.
func linkFields(ls []news.AuthorLink) []linkField {
	var out []linkField
	for _, k := range news.AuthorLinkKinds {
		f := linkField{Kind: k.Kind, Label: k.Label}
		for _, l := range ls {
			if l.Kind == k.Kind {
				f.URL = l.URL
			}
		}
		out = append(out, f)
	}
	return out
}

type authorPage struct {
	base
	A       *news.Author
	Form    authorForm
	Error   string
	Account string
	Public  string
}

func (n *Newsroom) authorsData(r *http.Request) (*authorsPage, error) {
	as, err := n.store.ListAuthors(r.Context())
	if err != nil {
		return nil, err
	}
	us, err := n.store.ListUsers(r.Context())
	if err != nil {
		return nil, err
	}
	acct := map[int64]string{}
	for _, u := range us {
		if u.AuthorID != 0 {
			acct[u.AuthorID] = u.Name + " (" + string(u.Role) + ")"
		}
	}
	p := &authorsPage{Form: authorForm{Links: linkFields(nil)}}
	p.Title, p.Nav = "Authors", "authors"
	for _, a := range as {
		p.Rows = append(p.Rows, authorRow{A: a, Account: acct[a.ID]})
	}
	return p, nil
}

func (n *Newsroom) authors(w http.ResponseWriter, r *http.Request, c *call) error {
	p, err := n.authorsData(r)
	if err != nil {
		return err
	}
	n.render(w, r, c, http.StatusOK, "authors", p)
	return nil
}

// readProfile checks a profile form; the photo is a library photo id.
// The links come back in f.Links (for the form again) and as the
// profile's news.AuthorLinks.
func (n *Newsroom) readProfile(r *http.Request) (authorForm, []news.AuthorLink, int64, error) {
	f, photo, err := n.readProfileFields(r)
	var links []news.AuthorLink
	for _, k := range news.AuthorLinkKinds {
		v := strings.TrimSpace(r.PostFormValue("link_" + k.Kind))
		f.Links = append(f.Links, linkField{Kind: k.Kind, Label: k.Label, URL: v})
		if v != "" {
			links = append(links, news.AuthorLink{Kind: k.Kind, URL: v})
		}
	}
	if err == nil {
		err = news.ValidateAuthorLinks(links)
	}
	return f, links, photo, err
}

func (n *Newsroom) readProfileFields(r *http.Request) (authorForm, int64, error) {
	f := authorForm{
		Name: strings.TrimSpace(r.PostFormValue("name")), Title: strings.TrimSpace(r.PostFormValue("title")),
		Email: strings.TrimSpace(r.PostFormValue("email")), Bio: strings.TrimSpace(strings.ReplaceAll(r.PostFormValue("bio"), "\r\n", "\n")),
		Photo: strings.TrimSpace(r.PostFormValue("photo")),
	}
	switch {
	case f.Name == "" || utf8.RuneCountInString(f.Name) > 100:
		return f, 0, news.Errorf(news.EINVALID, "A name of at most 100 characters is required.")
	case utf8.RuneCountInString(f.Title) > 100 || utf8.RuneCountInString(f.Bio) > 2000:
		return f, 0, news.Errorf(news.EINVALID, "The title is at most 100 characters, the bio 2000.")
	case !utf8.ValidString(f.Name + f.Title + f.Bio + f.Email):
		return f, 0, news.Errorf(news.EINVALID, "The text is not valid UTF-8.")
	}
	if f.Email != "" {
		if a, err := mail.ParseAddress(f.Email); err != nil || a.Address != f.Email {
			return f, 0, news.Errorf(news.EINVALID, "%q is not an e-mail address.", f.Email)
		}
	}
	var photo int64
	if f.Photo != "" {
		id, err := strconv.ParseInt(f.Photo, 10, 64)
		if err != nil {
			return f, 0, news.Errorf(news.EINVALID, "The photo is a photo number from the media library.")
		}
		if _, err := n.store.FindPhotoByID(r.Context(), id); errors.Is(err, news.ErrNotFound) {
			return f, 0, news.Errorf(news.EINVALID, "There is no photo %d in the media library.", id)
		} else if err != nil {
			return f, 0, err
		}
		photo = id
	}
	return f, photo, nil
}

// addAuthor makes a profile for someone who writes without an account.
func (n *Newsroom) addAuthor(w http.ResponseWriter, r *http.Request, c *call) error {
	f, links, photo, err := n.readProfile(r)
	if err == nil {
		a := &news.Author{Name: f.Name, Title: f.Title, Email: f.Email, Bio: f.Bio, PhotoID: photo, Slug: news.Slugify(f.Name), Links: links,
			UpdatedBy: c.user.ID}
		base := a.Slug
		for i := 2; ; i++ {
			// One transaction a try: a taken slug fails the whole
			// transaction on PostgreSQL, so the next slug needs its own.
			err = n.store.Update(r.Context(), func(tx news.Tx) error {
				if err := tx.CreateAuthor(r.Context(), a); err != nil {
					return err
				}
				return workflow.Audit(r.Context(), tx, n.clock, c.user, "author_add", 0, a.Slug)
			})
			if !errors.Is(err, news.ErrConflict) || i > 50 {
				break
			}
			a.Slug = fmt.Sprintf("%s-%d", base, i)
		}
		if err == nil {
			http.Redirect(w, r, fmt.Sprintf("/newsroom/authors/%d?done=author", a.ID), http.StatusSeeOther)
			return nil
		}
	}
	if news.ErrorCode(err) != news.EINVALID {
		return err
	}
	p, perr := n.authorsData(r)
	if perr != nil {
		return perr
	}
	p.Form, p.Error = f, news.ErrorMessage(err)
	n.render(w, r, c, http.StatusUnprocessableEntity, "authors", p)
	return nil
}

// profile loads the author in the path that the user may edit.
func (n *Newsroom) profile(r *http.Request, c *call) (*news.Author, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	if !workflow.AtLeast(c.user, news.RoleEditor) && c.user.AuthorID != id {
		return nil, news.Errorf(news.EFORBIDDEN, "You may edit your own profile only.")
	}
	return n.store.FindAuthorByID(r.Context(), id)
}

func (n *Newsroom) authorPageFor(r *http.Request, a *news.Author) (*authorPage, error) {
	p := &authorPage{A: a, Public: n.paper().AbsURL(n.paper().AuthorPath(a)),
		Form: authorForm{Name: a.Name, Title: a.Title, Email: a.Email, Bio: a.Bio, Links: linkFields(a.Links), Version: a.Version}}
	if a.PhotoID != 0 {
		p.Form.Photo = strconv.FormatInt(a.PhotoID, 10)
	}
	us, err := n.store.ListUsers(r.Context())
	if err != nil {
		return nil, err
	}
	for _, u := range us {
		if u.AuthorID == a.ID {
			p.Account = u.Name
		}
	}
	p.Title, p.Nav = a.Name, "authors"
	return p, nil
}

func (n *Newsroom) authorProfile(w http.ResponseWriter, r *http.Request, c *call) error {
	a, err := n.profile(r, c)
	if err != nil {
		return err
	}
	p, err := n.authorPageFor(r, a)
	if err != nil {
		return err
	}
	n.render(w, r, c, http.StatusOK, "author", p)
	return nil
}

func (n *Newsroom) saveAuthor(w http.ResponseWriter, r *http.Request, c *call) error {
	a, err := n.profile(r, c)
	if err != nil {
		return err
	}
	f, links, photo, err := n.readProfile(r)
	// A form without a version would write unguarded: refused, as the
	// section forms' are. The version stays with the form shown again.
	v, verr := requiredVersion(r)
	f.Version = v
	if err == nil {
		err = verr
	}
	if err == nil {
		a.Name, a.Title, a.Email, a.Bio, a.PhotoID, a.Links = f.Name, f.Title, f.Email, f.Bio, photo, links
		a.Version, a.UpdatedBy = f.Version, c.user.ID
		err = n.store.Update(r.Context(), func(tx news.Tx) error {
			if err := tx.UpdateAuthor(r.Context(), a); err != nil {
				return err
			}
			return workflow.Audit(r.Context(), tx, n.clock, c.user, "author", 0, a.Slug)
		})
		if err == nil {
			http.Redirect(w, r, fmt.Sprintf("/newsroom/authors/%d?done=author", a.ID), http.StatusSeeOther)
			return nil
		}
	}
	// The form again with the editor's text, and what went wrong. After a
	// conflict it keeps the version it was made from, so saving it again
	// is refused again until the page is reloaded: nobody overwrites the
	// other editor's profile without having seen it.
	status, msg := http.StatusUnprocessableEntity, news.ErrorMessage(err)
	var ce *news.ConflictError
	switch {
	case errors.As(err, &ce):
		status, msg = http.StatusConflict, ce.Message()+" Your text is below: copy what you need, then reload the page."
	case news.ErrorCode(err) != news.EINVALID:
		return err
	}
	cur, err := n.store.FindAuthorByID(r.Context(), a.ID)
	if err != nil {
		return err
	}
	p, err := n.authorPageFor(r, cur)
	if err != nil {
		return err
	}
	p.Form, p.Error = f, msg
	n.render(w, r, c, status, "author", p)
	return nil
}
