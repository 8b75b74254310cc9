package newsroom

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"masthead/internal/content"
	"masthead/internal/httpx"
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
	// Comments are the story's published readers' comments, for the
	// story list when the store keeps comments (CommentsCol).
	Comments    int
	CommentsCol bool
}

// commentCounter is the part of the comments store the story list uses.
type commentCounter interface {
	CommentCounts(ctx context.Context, articleIDs []int64) (map[int64]int, error)
}

// listComments fills the rows' comment counts, in one query.
func (n *Newsroom) listComments(ctx context.Context, rows []row) error {
	cc, ok := n.store.(commentCounter)
	if !ok || len(rows) == 0 {
		return nil
	}
	ids := make([]int64, len(rows))
	for i := range rows {
		ids[i] = rows[i].A.ID
	}
	counts, err := cc.CommentCounts(ctx, ids)
	if err != nil {
		return fmt.Errorf("story list comments: %w", err)
	}
	for i := range rows {
		rows[i].Comments, rows[i].CommentsCol = counts[rows[i].A.ID], true
	}
	return nil
}

func (n *Newsroom) rows(as []*news.Article) []row {
	now := n.clock.Now()
	out := make([]row, 0, len(as))
	for _, a := range as {
		t := a.UpdatedAt
		if a.Status == news.StatusScheduled || a.Status == news.StatusPublished {
			t = a.PublishedAt
		}
		out = append(out, row{A: a, When: t.In(n.paper().Loc()).Format("2006-01-02 15:04"), Embargoed: a.EmbargoUntil.After(now)})
	}
	return out
}

type dashboardPage struct {
	base
	Mine, Review, Scheduled []row
	// ScheduledToday is the part of Scheduled that goes live today (the
	// paper's day).
	ScheduledToday int
	Corrections    []correctionRow
	MostRead       []mostReadRow
	SiteURL        string
	// Growth is each newsletter list's last 30 days (editors only).
	Growth []*growthChart
	// OpenMessages and Messages: the readers' messages nobody handled
	// yet (editors and admins), the latest few.
	OpenMessages int
	Messages     []*news.ReaderMessage
}

type correctionRow struct {
	C    news.Correction
	A    *news.Article
	When string
}

type mostReadRow struct {
	A     *news.Article
	Views int64
	URL   string
}

// dashboard is what needs the user: stories waiting for review, what goes
// live today, the latest corrections, today's most read, and their own
// stories.
func (n *Newsroom) dashboard(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	p := &dashboardPage{SiteURL: n.paper().AbsURL("/")}
	p.Title, p.Nav = "Dashboard", "dashboard"
	if workflow.AtLeast(c.user, news.RoleEditor) {
		var err error
		if p.OpenMessages, err = n.store.CountOpenMessages(ctx); err != nil {
			return err
		}
		if p.Messages, err = n.store.ListMessages(ctx, news.MessageFilter{Open: true, Limit: 5}); err != nil {
			return err
		}
	}
	if c.user.AuthorID != 0 {
		gone, err := n.trashedIDs(ctx)
		if err != nil {
			return err
		}
		mine, _, err := n.store.FindArticles(ctx, news.ArticleFilter{AuthorID: c.user.AuthorID, ExcludeIDs: gone, Order: "updated", Limit: 20, NoTotal: true})
		if err != nil {
			return err
		}
		p.Mine = n.rows(mine)
	}
	now := n.clock.Now()
	loc := n.paper().Loc()
	y, m, d := now.In(loc).Date()
	dayStart := time.Date(y, m, d, 0, 0, 0, 0, loc)
	// Today's most read and the latest corrections are the paper's, for
	// everyone; both are a help, not the page, so a failure only logs.
	if top, err := n.store.TopArticles(ctx, news.TopFilter{Since: dayStart.UTC(), PublicAt: now, Limit: 10}); err != nil {
		n.log.ErrorContext(ctx, "newsroom: dashboard most read", "err", err)
	} else {
		for _, t := range top {
			p.MostRead = append(p.MostRead, mostReadRow{A: t.Article, Views: t.Views, URL: n.paper().ArticlePath(t.Article)})
		}
	}
	if cs, err := n.store.ListCorrections(ctx, 8); err != nil {
		n.log.ErrorContext(ctx, "newsroom: dashboard corrections", "err", err)
	} else if len(cs) > 0 {
		ids := make([]int64, 0, len(cs))
		for _, c := range cs {
			ids = append(ids, c.ArticleID)
		}
		as, _, err := n.store.FindArticles(ctx, news.ArticleFilter{IDs: ids, Limit: len(ids), NoTotal: true})
		if err != nil {
			return err
		}
		byID := map[int64]*news.Article{}
		for _, a := range as {
			byID[a.ID] = a
		}
		for _, c := range cs {
			if a := byID[c.ArticleID]; a != nil {
				p.Corrections = append(p.Corrections, correctionRow{C: c, A: a, When: c.CreatedAt.In(loc).Format("2006-01-02 15:04")})
			}
		}
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
	if author == 0 {
		// Newsletter growth is the desk's (editors and admins); a help,
		// not the page.
		if g, err := n.listGrowth(ctx); err != nil {
			n.log.ErrorContext(ctx, "newsroom: dashboard list growth", "err", err)
		} else {
			p.Growth = g
		}
	}
	review, _, err := n.store.FindArticles(ctx, news.ArticleFilter{Status: news.StatusReview, AuthorID: author, Order: "updated", Limit: 50, NoTotal: true})
	if err != nil {
		return err
	}
	sched, _, err := n.store.FindArticles(ctx, news.ArticleFilter{Status: news.StatusScheduled, AuthorID: author, Order: "oldest", Limit: 50, NoTotal: true})
	if err != nil {
		return err
	}
	dayEnd := dayStart.AddDate(0, 0, 1)
	for _, a := range sched {
		if !a.PublishedAt.Before(dayStart) && a.PublishedAt.Before(dayEnd) {
			p.ScheduledToday++
		}
	}
	p.Review, p.Scheduled = n.rows(review), n.rows(sched)
	n.render(w, r, c, http.StatusOK, "dashboard", p)
	return nil
}

type storiesPage struct {
	base
	Rows     []row
	Total    int
	Statuses []statusCount
	AllCount int
	AllURL   string
	Status   news.Status
	Sections []*news.Section
	Authors  []*news.Author
	Query    storyQuery
	// AuthorFilter: editors filter by author; writers see only their own.
	AuthorFilter     bool
	PrevURL, NextURL string
	Sorts            []sortOption
}

type statusCount struct {
	Status news.Status
	Count  int
	URL    string
	On     bool
}

type sortOption struct{ Value, Label string }

// storyQuery is the story list's filter form, as the URL carries it.
type storyQuery struct {
	Q         string
	Status    news.Status
	SectionID int64
	AuthorID  int64
	From, To  string // YYYY-MM-DD in the paper's time zone
	Sort      string
	Page      int
}

func (q storyQuery) values() url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" && val != "0" {
			v.Set(k, val)
		}
	}
	set("q", q.Q)
	set("status", string(q.Status))
	set("section", strconv.FormatInt(q.SectionID, 10))
	set("author", strconv.FormatInt(q.AuthorID, 10))
	set("from", q.From)
	set("to", q.To)
	set("sort", q.Sort)
	if q.Page > 1 {
		v.Set("page", strconv.Itoa(q.Page))
	}
	return v
}

func (q storyQuery) url() string {
	if e := q.values().Encode(); e != "" {
		return "/newsroom/stories?" + e
	}
	return "/newsroom/stories"
}

const storiesPerPage = 50

// searchScan is how many search matches the list filters and pages
// through: the best 1000 are more than anyone pages through.
const searchScan = 1000

func (n *Newsroom) storyList(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	v := r.URL.Query()
	q := storyQuery{Q: strings.TrimSpace(v.Get("q")), Sort: v.Get("sort"), From: v.Get("from"), To: v.Get("to")}
	if st := news.Status(v.Get("status")); st.Valid() {
		q.Status = st
	}
	q.SectionID, _ = strconv.ParseInt(v.Get("section"), 10, 64)
	q.Page, _ = strconv.Atoi(v.Get("page"))
	q.Page = max(q.Page, 1)
	switch q.Sort {
	case "newest", "oldest", "updated":
	case "relevance":
		if q.Q == "" {
			q.Sort = ""
		}
	default:
		q.Sort = ""
	}
	p := &storiesPage{Sorts: []sortOption{{"", "Last updated"}, {"newest", "Newest published"}, {"oldest", "Oldest published"}}}
	if q.Q != "" {
		p.Sorts = append(p.Sorts, sortOption{"relevance", "Best match"})
	}
	p.Title, p.Nav = "Stories", "stories"
	f := news.ArticleFilter{Order: q.Sort, SectionID: q.SectionID}
	if f.Order == "" || f.Order == "relevance" {
		f.Order = "updated"
	}
	var err error
	if f.PublishedFrom, err = n.parseDay(q.From); err != nil {
		return err
	}
	if f.PublishedTo, err = n.parseDay(q.To); err != nil {
		return err
	}
	if !f.PublishedTo.IsZero() {
		f.PublishedTo = f.PublishedTo.AddDate(0, 0, 1) // the whole last day
	}
	if workflow.AtLeast(c.user, news.RoleEditor) {
		p.AuthorFilter = true
		q.AuthorID, _ = strconv.ParseInt(v.Get("author"), 10, 64)
		f.AuthorID = q.AuthorID
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
	// Deleted stories are in the trash, not the list.
	if f.ExcludeIDs, err = n.trashedIDs(ctx); err != nil {
		return err
	}
	// A search narrows the list to its best matches; the filters, counts
	// and pages then work on those.
	var hitOrder []int64
	if q.Q != "" {
		sq := news.SearchQuery{Text: q.Q, SectionID: f.SectionID, AuthorID: f.AuthorID, From: f.PublishedFrom, To: f.PublishedTo, Limit: searchScan}
		if q.Sort != "relevance" {
			sq.Order = "newest"
		}
		hits, _, err := n.store.SearchArticles(ctx, sq)
		if err != nil {
			return err
		}
		ids := []int64{-1}
		for _, h := range hits {
			ids = append(ids, h.Article.ID)
			hitOrder = append(hitOrder, h.Article.ID)
		}
		if len(f.IDs) == 0 {
			f.IDs = ids
		}
	}
	// Counts per status, for the same filters.
	for _, st := range []news.Status{news.StatusDraft, news.StatusReview, news.StatusScheduled, news.StatusPublished, news.StatusUnpublished} {
		cf := f
		cf.Status, cf.Limit = st, 1
		_, total, err := n.store.FindArticles(ctx, cf)
		if err != nil {
			return err
		}
		sq := q
		sq.Status, sq.Page = st, 0
		p.Statuses = append(p.Statuses, statusCount{Status: st, Count: total, URL: sq.url(), On: q.Status == st})
		p.AllCount += total
	}
	aq := q
	aq.Status, aq.Page = "", 0
	p.AllURL = aq.url()
	f.Status = q.Status
	var as []*news.Article
	var total int
	if q.Sort == "relevance" {
		// Best match first: the search's order, kept for the stories the
		// filters let through, paged here.
		f.Limit, f.NoTotal = searchScan, true
		found, _, err := n.store.FindArticles(ctx, f)
		if err != nil {
			return err
		}
		byID := map[int64]*news.Article{}
		for _, a := range found {
			byID[a.ID] = a
		}
		var all []*news.Article
		for _, id := range hitOrder {
			if a := byID[id]; a != nil {
				all = append(all, a)
			}
		}
		total = len(all)
		lo := min((q.Page-1)*storiesPerPage, total)
		as = all[lo:min(lo+storiesPerPage, total)]
	} else {
		f.Limit, f.Offset = storiesPerPage, (q.Page-1)*storiesPerPage
		if as, total, err = n.store.FindArticles(ctx, f); err != nil {
			return err
		}
	}
	if p.Sections, err = n.store.ListSections(ctx); err != nil {
		return err
	}
	p.Rows, p.Total, p.Query, p.Status = n.rows(as), total, q, q.Status
	// The counts are a help, not the page: without them the list still
	// serves its purpose.
	if err := n.listViews(ctx, p.Rows, f.SectionID); err != nil {
		n.log.ErrorContext(ctx, "newsroom: story list views", "err", err)
	}
	for i := range p.Rows {
		p.Rows[i].ViewsCol = true
	}
	if err := n.listComments(ctx, p.Rows); err != nil {
		n.log.ErrorContext(ctx, "newsroom: story list comments", "err", err)
	}
	if q.Page > 1 {
		pq := q
		pq.Page--
		p.PrevURL = pq.url()
	}
	if (q.Page-1)*storiesPerPage+len(as) < total {
		nq := q
		nq.Page++
		p.NextURL = nq.url()
	}
	n.render(w, r, c, http.StatusOK, "stories", p)
	return nil
}

// parseDay reads a date (YYYY-MM-DD) as the start of that day in the
// paper's time zone.
func (n *Newsroom) parseDay(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation("2006-01-02", v, n.paper().Loc())
	if err != nil {
		return time.Time{}, news.Errorf(news.EINVALID, "%q is not a date (YYYY-MM-DD).", v)
	}
	return t.UTC(), nil
}

type photoForm struct {
	Caption, Credit, Alt string
	FocalX, FocalY       string
}

type editorPage struct {
	base
	Article  *news.Article // nil for a new story
	Draft    workflow.Draft
	Error    string
	Sections []*news.Section
	Authors  []*news.Author
	BodyHTML string // the canonical body the rich editor loads
	Notes    []noteRow
	NotesOn  bool
	InTrash  bool
	// Restored is when the autosaved working copy shown was saved ("":
	// the story as saved); Presence names who else has it open.
	Restored        string
	Presence        string
	ReadingTime     time.Duration
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
	// Conflict is set when the save was stale and could not be merged:
	// the fields to choose between.
	Conflict *conflictView
}

// editor builds the editor page for a (nil: new) showing d.
func (n *Newsroom) editor(r *http.Request, c *call, a *news.Article, d workflow.Draft) (*editorPage, error) {
	ctx := r.Context()
	p := &editorPage{Article: a, Draft: d, PhotoDesk: n.cfg.Media != nil && a != nil, CorrectionKind: string(news.KindCorrection)}
	p.Title, p.Nav = "New story", "new"
	// The lists are read leniently: the page also carries an editor's
	// unsaved text back after a failed save, and must not be lost with
	// the database that made the save fail. Without the lists, the
	// chosen section and bylines stay in the form under placeholders.
	var err error
	if p.Sections, err = n.store.ListSections(ctx); err != nil {
		n.log.ErrorContext(ctx, "newsroom: editor sections", "err", err)
		p.Sections = []*news.Section{{ID: d.SectionID, Name: "(the section chosen)"}}
	}
	if p.Authors, err = n.store.ListAuthors(ctx); err != nil {
		n.log.ErrorContext(ctx, "newsroom: editor bylines", "err", err)
		p.Authors = nil
		for _, id := range d.AuthorIDs {
			p.Authors = append(p.Authors, &news.Author{ID: id, Name: fmt.Sprintf("(byline %d)", id)})
		}
	}
	if a != nil {
		p.Title, p.Nav = a.Headline, "stories"
		if a.PhotoID != 0 {
			if p.Photo = a.Photo; p.Photo == nil {
				if p.Photo, err = n.store.FindPhotoByID(ctx, a.PhotoID); err != nil && !errors.Is(err, news.ErrNotFound) {
					n.log.ErrorContext(ctx, "newsroom: editor photo", "err", err)
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
	// The editor edits the canonical HTML, whatever the story came from:
	// the form's own HTML when it is shown again, the Markdown a script
	// sent, or the stored body (an HTML import included).
	html := d.BodyHTML
	if !d.HTMLBody {
		if d.BodyMarkdown != "" {
			if html, err = workflow.RenderBody(d.BodyMarkdown); err != nil {
				html = ""
			}
		} else if a != nil {
			html = a.BodyHTML
		}
	}
	html = content.Normalize(html)
	p.BodyHTML = html
	if p.Notes, p.NotesOn, err = n.notes(r, a); err != nil {
		return nil, err
	}
	if tr, ok := n.store.(news.Trash); ok && a != nil {
		if p.InTrash, err = tr.InTrash(ctx, a.ID); err != nil {
			return nil, err
		}
	}
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
	if n.paper().Language != "" {
		return n.paper().Language
	}
	return "en"
}

// parseDraft reads the editor form.
func (n *Newsroom) parseDraft(r *http.Request) (workflow.Draft, error) {
	d := workflow.Draft{
		Headline:       r.PostFormValue("headline"),
		Deck:           r.PostFormValue("deck"),
		BodyMarkdown:   strings.ReplaceAll(r.PostFormValue("body"), "\r\n", "\n"),
		BodyHTML:       r.PostFormValue("body_html"),
		Lang:           strings.TrimSpace(r.PostFormValue("lang")),
		Slug:           r.PostFormValue("slug"),
		SEOTitle:       r.PostFormValue("seo_title"),
		SEODescription: r.PostFormValue("seo_description"),
	}
	// The story form sends the rich editor's HTML; Markdown ("body") is
	// still read from forms and scripts that send it.
	_, d.HTMLBody = r.PostForm["body_html"]
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
	if d.BaseVersion, err = formVersion(r); err != nil {
		return d, err
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
	t, err := news.ParseLocalTime(v, n.paper().Loc())
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

// formError answers a failed save, whatever made it fail (a refused
// value, a stale version, a timeout, a lost connection, a role changed
// meanwhile): the editor again with the writer's text and a message saying
// what happened and that nothing was saved. A conflict shows the fields to
// merge. Nothing typed is ever thrown away for an error page.
func (n *Newsroom) formError(w http.ResponseWriter, r *http.Request, c *call, a *news.Article, d workflow.Draft, err error) error {
	status, msg := saveFailure(err)
	if status >= 500 {
		n.log.ErrorContext(r.Context(), "newsroom: save failed", "request_id", httpx.RequestID(r.Context()),
			"path", r.URL.Path, "err", err)
	}
	p, perr := n.editor(r, c, a, d)
	if perr != nil {
		n.log.ErrorContext(r.Context(), "newsroom: editor after a failed save", "err", perr)
		n.unsaved(w, r, c, status, msg)
		return nil
	}
	p.Error = msg
	p.askAgain(err)
	var cf *workflow.Conflict
	if errors.As(err, &cf) {
		p.Conflict = n.conflictView(r, cf, p)
		p.Error = p.Conflict.Message
	}
	n.render(w, r, c, status, "editor", p)
	return nil
}

// saveFailure is the status and message for a failed save.
func saveFailure(err error) (int, string) {
	switch news.ErrorCode(err) {
	case news.EINVALID:
		return http.StatusUnprocessableEntity, news.ErrorMessage(err) + " Nothing was saved; your text is below."
	case news.ECONFLICT:
		return http.StatusConflict, news.ErrorMessage(err)
	case news.EFORBIDDEN, news.EUNAUTHORIZED:
		return httpx.StatusOf(err), news.ErrorMessage(err) + " Nothing was saved; your text is below: copy it before you leave this page."
	case news.ENOTFOUND:
		return http.StatusNotFound, "The story is gone (deleted since you opened it). Nothing was saved; your text is below: copy it before you leave this page."
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return http.StatusServiceUnavailable, "The database did not answer in time, so nothing was saved. Your text is below: save again in a moment."
	}
	return http.StatusServiceUnavailable, "The story could not be saved (the database failed; the error is logged). Nothing was lost: your text is below. Save again in a moment."
}

// unsaved is the last resort after a failed save when not even the editor
// can be built (the database is down): the submitted fields, as a form
// that sends them again.
func (n *Newsroom) unsaved(w http.ResponseWriter, r *http.Request, c *call, status int, msg string) {
	p := &unsavedPage{Message: msg, Action: r.URL.Path}
	p.Title = "Not saved"
	for _, f := range unsavedFields {
		vs, sent := r.PostForm[f.name]
		if !sent && (f.name == "body" || f.name == "body_html") {
			continue // the form sent the body one way or the other
		}
		p.Fields = append(p.Fields, unsavedField{Name: f.name, Label: f.label, Long: f.long, Values: vs})
	}
	n.render(w, r, c, status, "unsaved", p)
}

type unsavedPage struct {
	base
	Message string
	Action  string
	Fields  []unsavedField
}

type unsavedField struct {
	Name, Label string
	Long        bool
	Values      []string
}

// unsavedFields are the editor's fields in its order; those without a
// label are carried along hidden.
var unsavedFields = []struct {
	name, label string
	long        bool
}{
	{"headline", "Headline", false}, {"deck", "Deck", true}, {"body", "Body (Markdown)", true}, {"body_html", "Body (HTML)", true},
	{"tags", "Tags", false}, {"slug", "Slug", false}, {"lang", "Language", false},
	{"seo_title", "SEO title", false}, {"seo_description", "SEO description", true},
	{"section", "", false}, {"authors", "", false}, {"embargo", "", false}, {"version", "", false},
}

// conflictView is the merge screen of a stale save: each field another
// editor changed since this writer's version, theirs beside theirs.
type conflictView struct {
	Message string
	Rows    []conflictRow
}

type conflictRow struct {
	Field, Label  string
	Theirs, Mine  string
	Long          bool
	Both          bool // changed on both sides: the writer must choose
	ChooseMine    bool // the choice a merge makes by itself
	TheirsChanged bool
}

var fieldLabels = map[string]string{"headline": "Headline", "deck": "Deck", "body": "Body", "slug": "Slug",
	"section": "Section", "authors": "Bylines", "tags": "Tags", "photo": "Lead photo", "lang": "Language",
	"seo_title": "SEO title", "seo_description": "SEO description", "embargo": "Embargo"}

func (n *Newsroom) conflictView(r *http.Request, cf *workflow.Conflict, p *editorPage) *conflictView {
	who := "Another editor"
	var names []string
	for _, id := range cf.By {
		if id == 0 {
			names = append(names, "an import or the scheduler")
		} else if u, err := n.store.FindUserByID(r.Context(), id); err == nil {
			names = append(names, u.Name)
		}
	}
	if len(names) > 0 {
		who = strings.Join(names, " and ")
	}
	when := ""
	if !cf.At.IsZero() {
		when = " at " + cf.At.In(n.paper().Loc()).Format("15:04:05")
	}
	v := &conflictView{Message: fmt.Sprintf("%s saved this story%s, after you opened it, and changed %s too. Nothing was saved. "+
		"Below, their version is beside yours for each field they changed: choose which to keep and save the merge, or overwrite "+
		"(keeps your changes, and theirs to the fields you did not touch).", who, when, labelList(cf.Fields))}
	mine := news.DiffFields(cf.Base, cf.Mine)
	for _, f := range news.FieldNames {
		if !containsStr(cf.Changed, f) {
			continue
		}
		row := conflictRow{Field: f, Label: fieldLabels[f], Theirs: n.fieldText(p, cf.Theirs, f), Mine: n.fieldText(p, cf.Mine, f),
			Long: f == "body" || f == "deck", Both: containsStr(cf.Fields, f), ChooseMine: containsStr(mine, f), TheirsChanged: true}
		v.Rows = append(v.Rows, row)
	}
	return v
}

func labelList(fields []string) string {
	var ls []string
	for _, f := range fields {
		ls = append(ls, strings.ToLower(fieldLabels[f]))
	}
	return strings.Join(ls, ", ")
}

func containsStr(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// fieldText shows one field's value as the editor would.
func (n *Newsroom) fieldText(p *editorPage, f news.StoryFields, name string) string {
	switch name {
	case "headline":
		return f.Headline
	case "deck":
		return f.Deck
	case "body":
		if f.BodyMarkdown == "" {
			return f.BodyHTML
		}
		return f.BodyMarkdown
	case "slug":
		return f.Slug
	case "section":
		for _, s := range p.Sections {
			if s.ID == f.SectionID {
				return s.Name
			}
		}
		if f.SectionID == 0 {
			return "none"
		}
		return fmt.Sprintf("section %d", f.SectionID)
	case "authors":
		var out []string
		for _, id := range f.AuthorIDs {
			name := fmt.Sprintf("author %d", id)
			for _, a := range p.Authors {
				if a.ID == id {
					name = a.Name
				}
			}
			out = append(out, name)
		}
		return strings.Join(out, ", ")
	case "tags":
		return strings.Join(f.Tags, ", ")
	case "photo":
		if f.PhotoID == 0 {
			return "none"
		}
		return fmt.Sprintf("photo %d", f.PhotoID)
	case "lang":
		return f.Lang
	case "seo_title":
		return f.SEOTitle
	case "seo_description":
		return f.SEODescription
	case "embargo":
		if f.EmbargoUntil.IsZero() {
			return "none"
		}
		return f.EmbargoUntil.In(n.paper().Loc()).Format("2006-01-02 15:04")
	}
	return ""
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
	d := workflow.DraftOf(a)
	restored := ""
	if workflow.Can(c.user, workflow.ActEdit, a) {
		if restored, err = n.applyWorkingCopy(r, c, a, &d); err != nil {
			return err
		}
	}
	p, err := n.editor(r, c, a, d)
	if err != nil {
		return err
	}
	p.Restored = restored
	if names, err := n.others(r, a, c.user.ID); err != nil {
		n.log.ErrorContext(r.Context(), "newsroom: presence", "err", err)
	} else {
		p.Presence = presenceText(names)
	}
	n.render(w, r, c, http.StatusOK, "editor", p)
	return nil
}

func (n *Newsroom) saveStory(w http.ResponseWriter, r *http.Request, c *call) error {
	a, err := n.story(r, c)
	if err != nil {
		// Not even the story could be read: the text goes back as it came.
		status, msg := saveFailure(err)
		if status >= 500 {
			n.log.ErrorContext(r.Context(), "newsroom: save failed", "path", r.URL.Path, "err", err)
		}
		n.unsaved(w, r, c, status, msg)
		return nil
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
	switch op := r.PostFormValue("op"); op {
	case "merge", "overwrite":
		// The writer answered the merge screen: their draft against
		// their base version, merged with what is stored now, field by
		// field as they chose (overwrite: the default merge).
		choose := map[string]string{}
		if op == "merge" {
			for _, f := range news.FieldNames {
				if v := r.PostFormValue("choose_" + f); v == "mine" || v == "theirs" {
					choose[f] = v
				}
			}
		}
		cf, err := n.flow.Conflict(r.Context(), c.user, a.ID, d)
		if err != nil {
			return n.formError(w, r, c, a, d, err)
		}
		if cf != nil {
			d = cf.Merged(choose)
		}
	}
	if _, err := n.flow.Save(r.Context(), c.user, a.ID, d, ""); err != nil {
		return n.formError(w, r, c, a, d, err)
	}
	// Saved: the autosaved working copy has done its job.
	if wcs, ok := n.workingCopies(); ok {
		if err := wcs.DeleteWorkingCopy(r.Context(), a.ID, c.user.ID); err != nil {
			n.log.ErrorContext(r.Context(), "newsroom: drop working copy", "err", err)
		}
	}
	http.Redirect(w, r, fmt.Sprintf("/newsroom/stories/%d?done=saved", a.ID), http.StatusSeeOther)
	return nil
}

// preview renders a body as it will be stored: Markdown (body) through
// goldmark and the normalizer, or HTML (body_html) through the normalizer,
// as an HTML fragment. The rich editor pastes Markdown through it.
func (n *Newsroom) preview(w http.ResponseWriter, r *http.Request, c *call) error {
	body, isHTML := r.PostFormValue("body"), false
	if _, ok := r.PostForm["body_html"]; ok {
		body, isHTML = r.PostFormValue("body_html"), true
	}
	if len(body) > workflow.MaxBody {
		return news.Errorf(news.EINVALID, "The body is too long to preview.")
	}
	html := content.Normalize(body)
	if !isHTML {
		var err error
		if html, err = workflow.RenderBody(body); err != nil {
			return err
		}
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
		// The version the editor was looking at: publishing a story
		// that changed after they reviewed it needs another look.
		version, err := formVersion(r)
		if err != nil {
			return n.formError(w, r, c, a, workflow.DraftOf(a), err)
		}
		switch act {
		case workflow.ActSubmit:
			err = n.flow.Submit(ctx, c.user, a.ID)
		case workflow.ActWithdraw:
			err = n.flow.Withdraw(ctx, c.user, a.ID)
		case workflow.ActPublish:
			err = n.flow.Publish(ctx, c.user, a.ID, version)
		case workflow.ActUnpublish:
			p := &confirmPage{Yes: "Unpublish", Back: fmt.Sprintf("/newsroom/stories/%d", a.ID)}
			p.Title, p.Nav = "Unpublish?", "stories"
			p.Question = fmt.Sprintf("Take %q off the site?", a.Headline)
			p.Detail = "It leaves the front page, its section, feeds, search and the sitemap at once; its address stops answering. You can publish it again later."
			if workflow.Can(c.user, workflow.ActUnpublish, a) && workflow.CanMove(workflow.ActUnpublish, a.Status) && !n.confirmed(w, r, c, p) {
				return nil
			}
			err = n.flow.Unpublish(ctx, c.user, a.ID)
		case workflow.ActSchedule:
			var at time.Time
			if at, err = n.parseLocal(r, "at"); err == nil {
				err = n.flow.Schedule(ctx, c.user, a.ID, at, version)
			}
		default:
			return news.ErrNotFound
		}
		if err != nil {
			if cur, ferr := n.store.FindArticleByID(ctx, a.ID); ferr == nil {
				a = cur // show what is stored now: that is what to review
			}
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
		// Whatever failed, the note typed comes back in its box.
		status, msg := saveFailure(err)
		if status >= 500 {
			n.log.ErrorContext(r.Context(), "newsroom: correction failed", "path", r.URL.Path, "err", err)
		}
		p, perr := n.editor(r, c, a, workflow.DraftOf(a))
		if perr != nil {
			n.unsaved(w, r, c, status, msg)
			return nil
		}
		p.CorrectionError, p.CorrectionKind, p.CorrectionText = msg, string(kind), text
		n.render(w, r, c, status, "editor", p)
		return nil
	}
	http.Redirect(w, r, fmt.Sprintf("/newsroom/stories/%d?done=corrected#corrections", a.ID), http.StatusSeeOther)
	return nil
}
