package newsroom

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"masthead/internal/content"
	"masthead/internal/news"
	"masthead/internal/workflow"
)

// row is a story in a list.
type row struct {
	A         *news.Article
	When      string
	Embargoed bool
	// Views is the last 24 hours' count, set (Counted) in the story list
	// for stories that have been on the site.
	Views    int64
	Counted  bool
	ViewsCol bool // the list has a views column
}

func (n *Newsroom) rows(as []*news.Article) []row {
	now := n.clock.Now()
	out := make([]row, 0, len(as))
	for _, a := range as {
		t := a.UpdatedAt
		if a.Status == news.StatusScheduled || a.Status == news.StatusPublished {
			t = a.PublishedAt
		}
		out = append(out, row{A: a, When: t.In(n.paper.Loc()).Format("2006-01-02 15:04"), Embargoed: a.EmbargoUntil.After(now)})
	}
	return out
}

type dashboardPage struct {
	base
	Mine, Review, Scheduled []row
}

func (n *Newsroom) dashboard(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	p := &dashboardPage{}
	p.Title, p.Nav = "Dashboard", "dashboard"
	if c.user.AuthorID != 0 {
		mine, _, err := n.store.FindArticles(ctx, news.ArticleFilter{AuthorID: c.user.AuthorID, Order: "updated", Limit: 20})
		if err != nil {
			return err
		}
		p.Mine = n.rows(mine)
	}
	// Writers see their own stories in review and scheduled; editors see
	// everyone's, since those lists are their work queue.
	var author int64
	if !workflow.AtLeast(c.user, news.RoleEditor) {
		author = c.user.AuthorID
		if author == 0 {
			n.render(w, r, c, http.StatusOK, "dashboard", p)
			return nil
		}
	}
	review, _, err := n.store.FindArticles(ctx, news.ArticleFilter{Status: news.StatusReview, AuthorID: author, Order: "updated", Limit: 50})
	if err != nil {
		return err
	}
	sched, _, err := n.store.FindArticles(ctx, news.ArticleFilter{Status: news.StatusScheduled, AuthorID: author, Order: "oldest", Limit: 50})
	if err != nil {
		return err
	}
	p.Review, p.Scheduled = n.rows(review), n.rows(sched)
	n.render(w, r, c, http.StatusOK, "dashboard", p)
	return nil
}

type storiesPage struct {
	base
	Rows             []row
	Total            int
	Statuses         []news.Status
	Status           news.Status
	Sections         []*news.Section
	SectionID        int64
	Authors          []*news.Author
	AuthorID         int64
	AuthorFilter     bool
	PrevURL, NextURL string
}

const storiesPerPage = 50

func (n *Newsroom) storyList(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	q := r.URL.Query()
	p := &storiesPage{Statuses: []news.Status{news.StatusDraft, news.StatusReview, news.StatusScheduled, news.StatusPublished, news.StatusUnpublished}}
	p.Title, p.Nav = "Stories", "stories"
	f := news.ArticleFilter{Order: "updated", Limit: storiesPerPage}
	if st := news.Status(q.Get("status")); st.Valid() {
		f.Status, p.Status = st, st
	}
	f.SectionID, _ = strconv.ParseInt(q.Get("section"), 10, 64)
	p.SectionID = f.SectionID
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	f.Offset = (page - 1) * storiesPerPage
	if workflow.AtLeast(c.user, news.RoleEditor) {
		p.AuthorFilter = true
		f.AuthorID, _ = strconv.ParseInt(q.Get("author"), 10, 64)
		p.AuthorID = f.AuthorID
		var err error
		if p.Authors, err = n.store.ListAuthors(ctx); err != nil {
			return err
		}
	} else {
		// Writers list only their own stories: the server decides, not
		// the filter form.
		f.AuthorID = c.user.AuthorID
		if f.AuthorID == 0 {
			f.IDs = []int64{-1}
		}
	}
	as, total, err := n.store.FindArticles(ctx, f)
	if err != nil {
		return err
	}
	if p.Sections, err = n.store.ListSections(ctx); err != nil {
		return err
	}
	p.Rows, p.Total = n.rows(as), total
	// The counts are a help, not the page: without them the list still
	// serves its purpose.
	if err := n.listViews(ctx, p.Rows, f.SectionID); err != nil {
		n.log.ErrorContext(ctx, "newsroom: story list views", "err", err)
	}
	for i := range p.Rows {
		p.Rows[i].ViewsCol = true
	}
	link := func(pg int) string {
		v := url.Values{}
		if p.Status != "" {
			v.Set("status", string(p.Status))
		}
		if p.SectionID != 0 {
			v.Set("section", strconv.FormatInt(p.SectionID, 10))
		}
		if p.AuthorID != 0 {
			v.Set("author", strconv.FormatInt(p.AuthorID, 10))
		}
		v.Set("page", strconv.Itoa(pg))
		return "/newsroom/stories?" + v.Encode()
	}
	if page > 1 {
		p.PrevURL = link(page - 1)
	}
	if f.Offset+len(as) < total {
		p.NextURL = link(page + 1)
	}
	n.render(w, r, c, http.StatusOK, "stories", p)
	return nil
}

type photoForm struct {
	Caption, Credit, Alt string
	FocalX, FocalY       string
}

type editorPage struct {
	base
	Article         *news.Article // nil for a new story
	Draft           workflow.Draft
	Error           string
	Sections        []*news.Section
	Authors         []*news.Author
	Preview         template.HTML
	ReadingTime     time.Duration
	ImportedHTML    bool
	PhotoDesk       bool
	Photo           *news.Photo
	PhotoForm       photoForm
	PhotoError      string
	CorrectionError string
	CorrectionKind  string
	CorrectionText  string
	Views           *viewChart
	// TimeAsk holds, by field name (at, embargo), a time to show again as
	// typed, with the choices of one that happens twice.
	TimeAsk map[string]*timeAsk
}

// editor builds the editor page for a (nil: new) showing d.
func (n *Newsroom) editor(r *http.Request, c *call, a *news.Article, d workflow.Draft) (*editorPage, error) {
	ctx := r.Context()
	p := &editorPage{Article: a, Draft: d, PhotoDesk: n.cfg.Media != nil && a != nil, CorrectionKind: string(news.KindCorrection)}
	p.Title, p.Nav = "New story", "new"
	var err error
	if p.Sections, err = n.store.ListSections(ctx); err != nil {
		return nil, err
	}
	if p.Authors, err = n.store.ListAuthors(ctx); err != nil {
		return nil, err
	}
	html := ""
	if a != nil {
		p.Title, p.Nav = a.Headline, "stories"
		html = a.BodyHTML
		p.ImportedHTML = a.BodyMarkdown == "" && a.BodyHTML != ""
		if a.PhotoID != 0 {
			if p.Photo = a.Photo; p.Photo == nil {
				if p.Photo, err = n.store.FindPhotoByID(ctx, a.PhotoID); err != nil && !errors.Is(err, news.ErrNotFound) {
					return nil, err
				}
			}
		}
		if p.Photo != nil {
			p.PhotoForm = photoForm{Caption: p.Photo.Caption, Credit: p.Photo.Credit, Alt: p.Photo.Alt,
				FocalX: fmtFocal(p.Photo.FocalX), FocalY: fmtFocal(p.Photo.FocalY)}
		} else {
			p.PhotoForm = photoForm{FocalX: "0.5", FocalY: "0.5"}
		}
	}
	if d.BodyMarkdown != "" || (a != nil && a.BodyMarkdown != "") {
		if html, err = workflow.RenderBody(d.BodyMarkdown); err != nil {
			html = ""
		}
	}
	// Sanitized by RenderBody, or stored sanitized: safe to print as is.
	p.Preview = template.HTML(html)
	p.ReadingTime = content.ReadingTime(content.PlainText(html))
	// As in the list, a failed count must not keep an editor from the story.
	if err := n.storyChart(r, p); err != nil {
		n.log.ErrorContext(ctx, "newsroom: story views", "err", err)
	}
	return p, nil
}

func fmtFocal(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func (n *Newsroom) newStory(w http.ResponseWriter, r *http.Request, c *call) error {
	if !workflow.Can(c.user, workflow.ActCreate, nil) {
		return news.ErrForbidden
	}
	d := workflow.Draft{Lang: n.flowLang()}
	if c.user.AuthorID != 0 {
		d.AuthorIDs = []int64{c.user.AuthorID}
	}
	p, err := n.editor(r, c, nil, d)
	if err != nil {
		return err
	}
	n.render(w, r, c, http.StatusOK, "editor", p)
	return nil
}

func (n *Newsroom) flowLang() string {
	if n.paper.Language != "" {
		return n.paper.Language
	}
	return "en"
}

// parseDraft reads the editor form.
func (n *Newsroom) parseDraft(r *http.Request) (workflow.Draft, error) {
	d := workflow.Draft{
		Headline:       r.PostFormValue("headline"),
		Deck:           r.PostFormValue("deck"),
		BodyMarkdown:   strings.ReplaceAll(r.PostFormValue("body"), "\r\n", "\n"),
		Lang:           strings.TrimSpace(r.PostFormValue("lang")),
		Slug:           r.PostFormValue("slug"),
		SEOTitle:       r.PostFormValue("seo_title"),
		SEODescription: r.PostFormValue("seo_description"),
	}
	for _, t := range strings.Split(r.PostFormValue("tags"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			d.Tags = append(d.Tags, t)
		}
	}
	var err error
	if v := r.PostFormValue("section"); v != "" {
		if d.SectionID, err = strconv.ParseInt(v, 10, 64); err != nil {
			return d, news.Errorf(news.EINVALID, "Pick a section from the list.")
		}
	}
	for _, v := range r.PostForm["authors"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return d, news.Errorf(news.EINVALID, "Pick bylines from the list.")
		}
		d.AuthorIDs = append(d.AuthorIDs, id)
	}
	if d.EmbargoUntil, err = n.parseLocal(r, "embargo"); err != nil {
		return d, err
	}
	if v := r.PostFormValue("updated"); v != "" {
		sec, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return d, news.Errorf(news.EINVALID, "The form is damaged; reload the page.")
		}
		d.BaseUpdatedAt = time.Unix(sec, 0).UTC()
	}
	return d, nil
}

// parseLocal reads the datetime-local field name in the paper's time zone
// (news.ParseLocalTime: a time the clocks skip is refused, one they live
// twice is asked about). The form answers that question with the radio
// name+"_choice", whose value is the same wall time with its offset; it
// counts only while the field still holds the time it was offered for.
func (n *Newsroom) parseLocal(r *http.Request, name string) (time.Time, error) {
	v := strings.TrimSpace(r.PostFormValue(name))
	if c := r.PostFormValue(name + "_choice"); v != "" && strings.HasPrefix(c, v) && strings.ContainsAny(c[len(v):], "+-Z") {
		v = c
	}
	t, err := news.ParseLocalTime(v, n.paper.Loc())
	if err != nil {
		return t, &timeFieldError{field: name, input: r.PostFormValue(name), err: err}
	}
	return t, nil
}

// timeFieldError is a time the editor typed that needs another look: the
// form shows it again as typed, with the choices of an ambiguous time.
type timeFieldError struct {
	field, input string
	err          error
}

func (e *timeFieldError) Error() string { return e.field + ": " + e.err.Error() }
func (e *timeFieldError) Unwrap() error { return e.err }

// timeAsk is what the form shows again for a time field that failed.
type timeAsk struct {
	Input   string       // as typed
	Choices []timeChoice // for a time that happens twice
}

type timeChoice struct {
	Value string // the wall time with its offset, for name+"_choice"
	Label string
}

// askAgain notes in p the time field err is about, if any.
func (p *editorPage) askAgain(err error) {
	var tf *timeFieldError
	if !errors.As(err, &tf) {
		return
	}
	ask := &timeAsk{Input: tf.input}
	var amb *news.AmbiguousTimeError
	if errors.As(err, &amb) {
		for i, c := range amb.Choices {
			when := "the first, before the clocks go back"
			if i > 0 {
				when = "the second, after the clocks go back"
			}
			ask.Choices = append(ask.Choices, timeChoice{
				Value: c.Format("2006-01-02T15:04Z07:00"),
				Label: c.Format("15:04 MST (UTC-07:00)") + ", " + when,
			})
		}
	}
	if p.TimeAsk == nil {
		p.TimeAsk = map[string]*timeAsk{}
	}
	p.TimeAsk[tf.field] = ask
}

// formError re-renders the editor with the user's input and the error, for
// input errors; anything else is a page error.
func (n *Newsroom) formError(w http.ResponseWriter, r *http.Request, c *call, a *news.Article, d workflow.Draft, err error) error {
	switch news.ErrorCode(err) {
	case news.EINVALID, news.ECONFLICT:
	default:
		return err
	}
	p, perr := n.editor(r, c, a, d)
	if perr != nil {
		return perr
	}
	p.Error = news.ErrorMessage(err)
	p.askAgain(err)
	status := http.StatusUnprocessableEntity
	if news.ErrorCode(err) == news.ECONFLICT {
		status = http.StatusConflict
	}
	n.render(w, r, c, status, "editor", p)
	return nil
}

func (n *Newsroom) createStory(w http.ResponseWriter, r *http.Request, c *call) error {
	if !workflow.Can(c.user, workflow.ActCreate, nil) {
		return news.ErrForbidden
	}
	d, err := n.parseDraft(r)
	if err != nil {
		return n.formError(w, r, c, nil, d, err)
	}
	if r.PostFormValue("op") == "preview" {
		p, err := n.editor(r, c, nil, d)
		if err != nil {
			return err
		}
		n.render(w, r, c, http.StatusOK, "editor", p)
		return nil
	}
	a, err := n.flow.Create(r.Context(), c.user, d)
	if err != nil {
		return n.formError(w, r, c, nil, d, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/newsroom/stories/%d?done=created", a.ID), http.StatusSeeOther)
	return nil
}

func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, news.Errorf(news.ENOTFOUND, "Not found.")
	}
	return id, nil
}

// story loads the story in the path that the user may open.
func (n *Newsroom) story(r *http.Request, c *call) (*news.Article, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return n.flow.Get(r.Context(), c.user, id)
}

func (n *Newsroom) editStory(w http.ResponseWriter, r *http.Request, c *call) error {
	a, err := n.story(r, c)
	if err != nil {
		return err
	}
	p, err := n.editor(r, c, a, workflow.DraftOf(a))
	if err != nil {
		return err
	}
	n.render(w, r, c, http.StatusOK, "editor", p)
	return nil
}

func (n *Newsroom) saveStory(w http.ResponseWriter, r *http.Request, c *call) error {
	a, err := n.story(r, c)
	if err != nil {
		return err
	}
	d, err := n.parseDraft(r)
	if err != nil {
		return n.formError(w, r, c, a, d, err)
	}
	// The lead photo has its own form; the story form keeps it.
	d.PhotoID = a.PhotoID
	if r.PostFormValue("op") == "preview" {
		p, err := n.editor(r, c, a, d)
		if err != nil {
			return err
		}
		n.render(w, r, c, http.StatusOK, "editor", p)
		return nil
	}
	if _, err := n.flow.Save(r.Context(), c.user, a.ID, d, ""); err != nil {
		return n.formError(w, r, c, a, d, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/newsroom/stories/%d?done=saved", a.ID), http.StatusSeeOther)
	return nil
}

// preview renders Markdown for the live preview: the same path a saved body
// takes (Markdown, then the sanitizer), as an HTML fragment.
func (n *Newsroom) preview(w http.ResponseWriter, r *http.Request, c *call) error {
	body := r.PostFormValue("body")
	if len(body) > workflow.MaxBody {
		return news.Errorf(news.EINVALID, "The body is too long to preview.")
	}
	html, err := workflow.RenderBody(body)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(html))
	return nil
}

// move runs a workflow move on the story in the path.
func (n *Newsroom) move(act workflow.Action) handler {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		ctx := r.Context()
		a, err := n.story(r, c)
		if err != nil {
			return err
		}
		switch act {
		case workflow.ActSubmit:
			err = n.flow.Submit(ctx, c.user, a.ID)
		case workflow.ActWithdraw:
			err = n.flow.Withdraw(ctx, c.user, a.ID)
		case workflow.ActPublish:
			err = n.flow.Publish(ctx, c.user, a.ID)
		case workflow.ActUnpublish:
			err = n.flow.Unpublish(ctx, c.user, a.ID)
		case workflow.ActSchedule:
			var at time.Time
			if at, err = n.parseLocal(r, "at"); err == nil {
				err = n.flow.Schedule(ctx, c.user, a.ID, at)
			}
		default:
			return news.ErrNotFound
		}
		if err != nil {
			return n.formError(w, r, c, a, workflow.DraftOf(a), err)
		}
		http.Redirect(w, r, fmt.Sprintf("/newsroom/stories/%d?done=%s", a.ID, act), http.StatusSeeOther)
		return nil
	}
}

func (n *Newsroom) addCorrection(w http.ResponseWriter, r *http.Request, c *call) error {
	a, err := n.story(r, c)
	if err != nil {
		return err
	}
	kind, text := news.CorrectionKind(r.PostFormValue("kind")), r.PostFormValue("text")
	if _, err := n.flow.AddCorrection(r.Context(), c.user, a.ID, kind, text); err != nil {
		if code := news.ErrorCode(err); code != news.EINVALID {
			return err
		}
		p, perr := n.editor(r, c, a, workflow.DraftOf(a))
		if perr != nil {
			return perr
		}
		p.CorrectionError, p.CorrectionKind, p.CorrectionText = news.ErrorMessage(err), string(kind), text
		n.render(w, r, c, http.StatusUnprocessableEntity, "editor", p)
		return nil
	}
	http.Redirect(w, r, fmt.Sprintf("/newsroom/stories/%d?done=corrected#corrections", a.ID), http.StatusSeeOther)
	return nil
}
