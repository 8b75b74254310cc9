package newsroom

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"masthead/internal/news"
	"masthead/internal/workflow"
)

// Paper settings: the paper's name, tagline, logo, time zone, languages,
// navigation menu, footer links, Kakao app key and feed content, stored in
// the database (news.PaperSettings). A save is a change of everything in
// the change log: every node reads the settings again from there
// (cmd/masthead reloadPaper, news.Live) before it purges its pages, so they
// apply at once without a restart; a flag given to serve (or its MASTHEAD_
// variable) still overrides one.

type settingsForm struct {
	Name, Tagline, Logo, ShareImage, TimeZone, Languages, Nav, Footer, Kakao, Feeds string
	// Version is the stored settings' version the form was made at (0:
	// none stored yet).
	Version int64
}

type settingsPage struct {
	base
	Form     settingsForm
	Mail     mailForm
	Error    string
	MailNote string // the result of a test mail, or a refused SMTP form
	MailOK   bool
	Zones    []string
	Saved    bool
	Sections []*news.Section
}

var commonZones = []string{"Asia/Seoul", "Asia/Tokyo", "Asia/Shanghai", "Asia/Singapore", "Asia/Kolkata", "Europe/London",
	"Europe/Berlin", "Europe/Paris", "America/New_York", "America/Chicago", "America/Los_Angeles", "Australia/Sydney", "UTC"}

func linksText(ls []news.Link) string {
	var b strings.Builder
	for _, l := range ls {
		b.WriteString(l.Label + " | " + l.URL + "\n")
	}
	return b.String()
}

func parseLinks(s string) ([]news.Link, error) {
	var out []news.Link
	for i, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		label, u, ok := strings.Cut(line, "|")
		if !ok {
			return nil, news.Errorf(news.EINVALID, "Line %d: write a link as “Label | /path or https://…”.", i+1)
		}
		out = append(out, news.Link{Label: strings.TrimSpace(label), URL: strings.TrimSpace(u)})
	}
	return out, nil
}

func (n *Newsroom) storedSettings(r *http.Request) (news.PaperSettings, error) {
	v, err := n.store.GetSetting(r.Context(), news.PaperSettingsKey)
	if err != nil && !errors.Is(err, news.ErrNotFound) {
		return news.PaperSettings{}, err
	}
	return news.ParsePaperSettings(v)
}

// settingsPage is the page with the stored mail settings; the caller
// fills the paper's form.
func (n *Newsroom) settingsPage(r *http.Request) (*settingsPage, error) {
	p := &settingsPage{Zones: commonZones}
	p.Title, p.Nav = "Paper settings", "settings"
	var err error
	if p.Sections, err = n.store.ListSections(r.Context()); err != nil {
		return nil, err
	}
	if p.Mail, err = n.storedMail(r); err != nil {
		return nil, err
	}
	return p, nil
}

func (n *Newsroom) settings(w http.ResponseWriter, r *http.Request, c *call) error {
	ps, err := n.storedSettings(r)
	if err != nil {
		return err
	}
	p, err := n.settingsPage(r)
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("done") {
	case "mail-test":
		p.MailNote, p.MailOK = "A test mail went to "+c.user.Email+": look for it in that mailbox.", true
	case "mail":
		p.MailNote, p.MailOK = "Mail settings saved: they apply to the next mail sent, on every node.", true
	}
	f := n.formOf(ps)
	if st, err := n.store.FindSetting(r.Context(), news.PaperSettingsKey); err == nil {
		f.Version = st.Version
	} else if !errors.Is(err, news.ErrNotFound) {
		return err
	}
	p.Form, p.Saved = f, r.URL.Query().Get("done") == "settings"
	n.render(w, r, c, http.StatusOK, "settings", p)
	return nil
}

func (n *Newsroom) saveSettings(w http.ResponseWriter, r *http.Request, c *call) error {
	if !workflow.AtLeast(c.user, news.RoleAdmin) {
		return news.ErrForbidden
	}
	f := settingsForm{
		Name: strings.TrimSpace(r.PostFormValue("name")), Tagline: strings.TrimSpace(r.PostFormValue("tagline")),
		Logo: strings.TrimSpace(r.PostFormValue("logo")), ShareImage: strings.TrimSpace(r.PostFormValue("share_image")), TimeZone: strings.TrimSpace(r.PostFormValue("time_zone")),
		Languages: r.PostFormValue("languages"), Nav: r.PostFormValue("nav"), Footer: r.PostFormValue("footer"),
		Kakao: strings.TrimSpace(r.PostFormValue("kakao")), Feeds: r.PostFormValue("feeds"),
	}
	ps := news.PaperSettings{Name: f.Name, Tagline: f.Tagline, TimeZone: f.TimeZone, KakaoAppKey: f.Kakao}
	err := func() error {
		var err error
		if f.Version, err = formVersion(r); err != nil {
			return err
		}
		for _, l := range strings.FieldsFunc(f.Languages, func(r rune) bool { return r == ',' || r == ' ' }) {
			ps.Languages = append(ps.Languages, l)
		}
		if ps.Nav, err = parseLinks(f.Nav); err != nil {
			return err
		}
		if ps.Footer, err = parseLinks(f.Footer); err != nil {
			return err
		}
		for _, pic := range []struct {
			v, what string
			id      *int64
		}{{f.Logo, "logo", &ps.LogoPhotoID}, {f.ShareImage, "share image", &ps.ShareImagePhotoID}} {
			if pic.v == "" {
				continue
			}
			id, err := strconv.ParseInt(pic.v, 10, 64)
			if err != nil {
				return news.Errorf(news.EINVALID, "The %s is a photo number from the media library.", pic.what)
			}
			if _, err := n.store.FindPhotoByID(r.Context(), id); errors.Is(err, news.ErrNotFound) {
				return news.Errorf(news.EINVALID, "There is no photo %d in the media library.", id)
			} else if err != nil {
				return err
			}
			*pic.id = id
		}
		switch f.Feeds {
		case "full", "summary":
			full := f.Feeds == "full"
			ps.FullTextFeeds = &full
		default:
			return news.Errorf(news.EINVALID, "Choose full text or summaries for the feeds.")
		}
		return ps.Validate()
	}()
	if err != nil {
		if news.ErrorCode(err) != news.EINVALID {
			return err
		}
		p, perr := n.settingsPage(r)
		if perr != nil {
			return perr
		}
		p.Form, p.Error = f, news.ErrorMessage(err)
		n.render(w, r, c, http.StatusUnprocessableEntity, "settings", p)
		return nil
	}
	b, err := json.Marshal(ps)
	if err != nil {
		return err
	}
	// Guarded by the version the form was made at, and announced as a
	// change of everything: every node's page cache and the CDN purge
	// every page (the name, menu and footer are on all of them), and
	// webhooks hear settings.changed.
	err = n.store.Update(r.Context(), func(tx news.Tx) error {
		if err := tx.UpdateSetting(r.Context(), &news.Setting{Key: news.PaperSettingsKey, Value: string(b), Version: f.Version, UpdatedBy: c.user.ID}); err != nil {
			return err
		}
		tx.Announce(news.SettingsChanged(news.PaperSettingsKey))
		return workflow.Audit(r.Context(), tx, n.clock, c.user, "settings", 0, "paper settings")
	})
	var ce *news.ConflictError
	if errors.As(err, &ce) {
		p, perr := n.settingsPage(r)
		if perr != nil {
			return perr
		}
		p.Form, p.Error = f, ce.Message()+" Reload the page to see the settings as they are now."
		n.render(w, r, c, http.StatusConflict, "settings", p)
		return nil
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/newsroom/settings?done=settings", http.StatusSeeOther)
	return nil
}

// formOf is what the settings form shows: the stored settings, else what
// this node runs with.
func (n *Newsroom) formOf(ps news.PaperSettings) settingsForm {
	f := settingsForm{Name: ps.Name, Tagline: ps.Tagline, TimeZone: ps.TimeZone, Kakao: ps.KakaoAppKey,
		Languages: strings.Join(ps.Languages, ", "), Nav: linksText(ps.Nav), Footer: linksText(ps.Footer)}
	if f.Name == "" {
		f.Name = n.paper().Name
	}
	if f.Tagline == "" {
		f.Tagline = n.paper().Tagline
	}
	if f.TimeZone == "" {
		f.TimeZone = n.paper().Loc().String()
	}
	if f.Languages == "" {
		f.Languages = n.paper().Language
	}
	if ps.LogoPhotoID != 0 {
		f.Logo = strconv.FormatInt(ps.LogoPhotoID, 10)
	}
	if ps.ShareImagePhotoID != 0 {
		f.ShareImage = strconv.FormatInt(ps.ShareImagePhotoID, 10)
	}
	full := n.paper().FullTextFeeds
	if ps.FullTextFeeds != nil {
		full = *ps.FullTextFeeds
	}
	f.Feeds = "summary"
	if full {
		f.Feeds = "full"
	}
	return f
}
