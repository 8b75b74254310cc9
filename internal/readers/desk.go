package readers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"masthead/internal/auth"
	"masthead/internal/comments"
	"masthead/internal/httpx"
	"masthead/internal/news"
	"masthead/internal/workflow"
)

// The newsroom's side of readers: newsletters (subscribers, growth, send
// progress, sending a story) and the comment moderation queue. Editors and
// admins only; newsroom sessions and CSRF tokens as in internal/newsroom.

type deskCall struct {
	user *news.User
	sess *news.Session
}

func (rd *Readers) registerDesk(mux *http.ServeMux) {
	mux.Handle("GET /newsroom/newsletters", rd.desk(rd.newslettersPage))
	mux.Handle("GET /newsroom/newsletters/progress", rd.desk(rd.sendProgress))
	mux.Handle("POST /newsroom/newsletters/tracking", rd.desk(rd.saveTracking))
	mux.Handle("POST /newsroom/newsletters/send", rd.desk(rd.sendStoryForm))
	mux.Handle("POST /newsroom/newsletters/onpublish", rd.desk(rd.sendOnPublishForm))
	mux.Handle("GET /newsroom/comments", rd.desk(rd.queuePage))
	mux.Handle("POST /newsroom/comments/{id}/{action}", rd.desk(rd.moderate))
	mux.Handle("POST /newsroom/comments/close", rd.desk(rd.closeThread))
	mux.Handle("POST /newsroom/newsletters/lists", rd.desk(rd.saveList))
	mux.Handle("POST /newsroom/comments/settings", rd.desk(rd.saveCommentSettings))
}

func (rd *Readers) desk(h func(w http.ResponseWriter, r *http.Request, c *deskCall) error) http.Handler {
	sessions := auth.NewSessions(rd.st, rd.clock)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h0 := w.Header()
		h0.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
		h0.Set("Cache-Control", "no-store")
		h0.Set("X-Frame-Options", "DENY")
		h0.Set("Referrer-Policy", "same-origin") // as the rest of the newsroom
		c := &deskCall{}
		if tok, err := r.Cookie(auth.CookieName); err == nil {
			c.sess, c.user, _ = sessions.Lookup(r.Context(), tok.Value)
		}
		if c.user == nil {
			http.Redirect(w, r, "/newsroom/signin?next="+r.URL.EscapedPath(), http.StatusSeeOther)
			return
		}
		if !workflow.AtLeast(c.user, news.RoleEditor) {
			http.Error(w, "Editors only.", http.StatusForbidden)
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
			if !auth.SameOrigin(r, rd.paper().BaseURL) || !auth.ValidCSRF(c.sess, auth.CSRFToken(r)) {
				http.Error(w, "The form had expired. Go back, reload the page and try again.", http.StatusForbidden)
				return
			}
		}
		if err := h(w, r, c); err != nil {
			httpx.WriteTextError(w, r, rd.log, err)
		}
	})
}

var deskT = template.Must(template.New("").Funcs(template.FuncMap{
	"pct": func(a, b int) int {
		if b == 0 {
			return 100
		}
		return a * 100 / b
	},
	"date": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"day":  func(t time.Time) string { return t.Format("Jan 2") },
}).Parse(`{{define "top"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow"><title>{{.Title}} · Newsroom</title>
<link rel="stylesheet" href="/newsroom/static/newsroom.css"><script src="/newsroom/static/newsroom.js" defer></script></head><body>
<header class="top"><a class="brand" href="/newsroom/">Newsroom</a>
<nav aria-label="Newsroom"><a href="/newsroom/">Dashboard</a> <a href="/newsroom/stories">Stories</a>
<a href="/newsroom/newsletters"{{if eq .Title "Newsletters"}} aria-current="page"{{end}}>Newsletters</a>
<a href="/newsroom/comments"{{if eq .Title "Comments"}} aria-current="page"{{end}}>Comments</a></nav></header>
<main id="main"><h1>{{.Title}}</h1>{{end}}
{{define "bottom"}}</main></body></html>{{end}}

{{define "newsletters"}}{{template "top" .}}
<section aria-labelledby="h-lists"><h2 id="h-lists">Lists</h2>
<table class="cards"><thead><tr><th scope="col">Newsletter</th><th scope="col">Subscribers</th><th scope="col">Last 30 days</th></tr></thead><tbody>
{{range .Lists}}<tr><th scope="row">{{.List.Name}}</th><td class="num" data-label="Subscribers">{{.Subscribers}}</td>
<td data-label="Last 30 days">+{{.Joined}} / −{{.Left}}{{if .Days}} <span class="hint">({{range $i, $d := .Days}}{{if $i}}, {{end}}{{day $d.Day}}: +{{$d.Joined}}/−{{$d.Left}}{{end}})</span>{{end}}</td></tr>
{{end}}</tbody></table></section>
<section aria-labelledby="h-newlist"><h2 id="h-newlist">Add or change a list</h2>
<form method="post" action="/newsroom/newsletters/lists">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<label for="list-id">List</label>
<select id="list-id" name="id"><option value="">A new list</option>{{range .Lists}}<option value="{{.List.ID}}">{{.List.Name}}</option>{{end}}</select>
<label for="list-name">Name</label><input id="list-name" name="name" required maxlength="80">
<label for="list-slug">Short name (letters, digits, dashes)</label><input id="list-slug" name="slug" required pattern="[a-z0-9-]+" maxlength="40">
<label for="list-desc">Description</label><input id="list-desc" name="description" maxlength="200">
<label for="list-kind">Kind</label><select id="list-kind" name="kind"><option value="digest">Daily digest</option><option value="breaking">Stories as editors send them</option><option value="section">A section's stories (daily)</option></select>
<label for="list-section">Section</label><select id="list-section" name="section"><option value="0">The whole paper</option>{{range .Sections}}<option value="{{.ID}}">{{.Name}}</option>{{end}}</select>
<label for="list-position">Position</label><input id="list-position" name="position" inputmode="numeric" value="0">
<button type="submit">Save list</button>
</form></section>
<section aria-labelledby="h-send"><h2 id="h-send">Send a story</h2>
<form method="post" action="/newsroom/newsletters/send">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<label for="send-story">Story</label>
<select id="send-story" name="article">{{range .Stories}}<option value="{{.ID}}">{{.Headline}}</option>{{end}}</select>
<label for="send-list">To</label>
<select id="send-list" name="list">{{range .Lists}}<option value="{{.List.ID}}">{{.List.Name}} ({{.Subscribers}})</option>{{end}}</select>
<button type="submit">Send</button>
</form></section>
<section aria-labelledby="h-onpub"><h2 id="h-onpub">Send when published</h2>
<p>For a scheduled story (or one in review), the issue is queued in the same moment it is published, whoever or whatever publishes it.</p>
<form method="post" action="/newsroom/newsletters/onpublish">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<label for="onpub-story">Story</label>
<select id="onpub-story" name="article">{{range .Upcoming}}<option value="{{.A.ID}}">{{.A.Headline}} ({{.A.Status}}{{range .Lists}} · to {{.}}{{end}})</option>{{end}}</select>
<label for="onpub-list">To</label>
<select id="onpub-list" name="list">{{range .Lists}}<option value="{{.List.ID}}">{{.List.Name}}</option>{{end}}</select>
<button type="submit">Send when published</button>
</form></section>
<section aria-labelledby="h-track"><h2 id="h-track">Open tracking</h2>
<p>{{if .Tracking}}On: each copy carries a 1×1 image whose fetch counts the issue as opened by that subscriber (once), shown below. Mail clients that load images tell the paper when, and from which address, a reader opened it.{{else}}Off: no copy carries a tracking image, and nothing records whether a reader opened an issue.{{end}}</p>
{{if .Admin}}<form method="post" action="/newsroom/newsletters/tracking">
<input type="hidden" name="csrf" value="{{.CSRF}}"><input type="hidden" name="version" value="{{.TrackingVersion}}">
<input type="hidden" name="on" value="{{if .Tracking}}off{{else}}on{{end}}">
<button type="submit">{{if .Tracking}}Turn open tracking off{{else}}Turn open tracking on{{end}}</button>
</form>{{else}}<p class="hint">An admin can change this.</p>{{end}}</section>
<section aria-labelledby="h-issues"><h2 id="h-issues">Sent and sending</h2>
<p class="hint" id="progress-note">{{if .Sending}}The counts follow the send while this page is open.{{end}}</p>
<table class="send-progress cards"{{if .Sending}} data-progress="/newsroom/newsletters/progress"{{end}}><thead><tr><th scope="col">Issue</th><th scope="col">List</th><th scope="col">Progress</th><th scope="col">Started</th></tr></thead><tbody>
{{range .Issues}}<tr class="issue" data-issue="{{.Issue.ID}}"><th scope="row">{{.Issue.Subject}}</th><td data-label="List">{{.List}}</td>
<td data-label="Progress"><progress max="{{.Issue.Total}}" value="{{.Done}}" aria-label="Progress of {{.Issue.Subject}}">{{pct .Done .Issue.Total}}%</progress> <span class="progress-text" aria-live="polite">{{template "progress" .Issue}}</span></td>
<td data-label="Started">{{date .Issue.CreatedAt}}{{if or $.Tracking .Opens}} · {{.Opens}} opened{{end}}</td></tr>
{{end}}</tbody></table></section>
{{template "bottom" .}}{{end}}

{{define "progress"}}{{.Sent}} sent, {{.Failed}} failed, {{.Pending}} queued{{if eq .Status "sent"}} · done{{end}}{{end}}

{{define "queue"}}{{template "top" .}}
{{if not .Items}}<p>Nothing waits for review.</p>{{end}}
<ol class="moderation">
{{range .Items}}<li class="held-comment" id="c{{.C.ID}}" data-comment="{{.C.ID}}">
<p><strong>{{.C.AuthorName}}</strong> on <a href="{{.URL}}">{{.Story}}</a> · {{date .C.CreatedAt}} · {{.C.Status}}{{if .C.Reports}} · {{.C.Reports}} report(s){{end}} · spam score {{printf "%.1f" .C.SpamScore}}</p>
<blockquote>{{.HTML}}</blockquote>
<form method="post" action="/newsroom/comments/{{.C.ID}}/approve" class="inline"><input type="hidden" name="csrf" value="{{$.CSRF}}"><button type="submit" class="approve">Approve</button></form>
<form method="post" action="/newsroom/comments/{{.C.ID}}/reject" class="inline"><input type="hidden" name="csrf" value="{{$.CSRF}}"><button type="submit">Reject</button></form>
<form method="post" action="/newsroom/comments/{{.C.ID}}/spam" class="inline"><input type="hidden" name="csrf" value="{{$.CSRF}}"><button type="submit">Spam</button></form>
{{if .C.ReaderID}}<form method="post" action="/newsroom/comments/{{.C.ID}}/ban" class="inline"><input type="hidden" name="csrf" value="{{$.CSRF}}"><button type="submit">Ban reader</button></form>
<form method="post" action="/newsroom/comments/{{.C.ID}}/shadowban" class="inline"><input type="hidden" name="csrf" value="{{$.CSRF}}"><button type="submit">Shadow-ban reader</button></form>{{end}}
<form method="post" action="/newsroom/comments/{{.C.ID}}/reply"><input type="hidden" name="csrf" value="{{$.CSRF}}">
<label for="reply-{{.C.ID}}">Answer as the paper</label><textarea id="reply-{{.C.ID}}" name="body" rows="2"></textarea>
<button type="submit">Approve and answer</button></form>
</li>
{{end}}</ol>
<section aria-labelledby="h-counts"><h2 id="h-counts">Comments per story</h2>
<table class="cards"><thead><tr><th scope="col">Id</th><th scope="col">Story</th><th scope="col">Published</th><th scope="col">Waiting</th><th scope="col">Thread</th></tr></thead><tbody>
{{range .Stories}}<tr><td data-label="Id">{{.ID}}</td><th scope="row"><a href="{{.URL}}#comments">{{.Headline}}</a></th><td class="num" data-label="Published">{{.Published}}</td><td class="num" data-label="Waiting">{{.Waiting}}</td><td data-label="Thread">{{if .Closed}}closed{{else}}open{{end}}</td></tr>
{{end}}</tbody></table></section>
<section aria-labelledby="h-settings"><h2 id="h-settings">Rules</h2>
<form method="post" action="/newsroom/comments/settings">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<label for="set-days">Close threads after (days; 0: never)</label><input id="set-days" name="close_days" inputmode="numeric" value="{{.Settings.CloseDays}}">
<label for="set-rate">Comments per reader per 10 minutes</label><input id="set-rate" name="rate" inputmode="numeric" value="{{.Settings.Rate}}">
<label for="set-words">Blocked words and phrases (one a line; a comment with one waits for review)</label><textarea id="set-words" name="blocked" rows="4">{{.Settings.Blocked}}</textarea>
<fieldset><legend>Held for review before publishing (pre-moderation)</legend>
{{range .Settings.Sections}}<div><input type="checkbox" id="pre-{{.ID}}" name="pre" value="{{.ID}}"{{if .Pre}} checked{{end}}> <label for="pre-{{.ID}}">{{.Name}}</label></div>
{{end}}</fieldset>
<button type="submit">Save rules</button>
</form></section>
<section aria-labelledby="h-close"><h2 id="h-close">Close or open a thread</h2>
<form method="post" action="/newsroom/comments/close"><input type="hidden" name="csrf" value="{{.CSRF}}">
<label for="close-article">Story id</label><input id="close-article" name="article" inputmode="numeric" required>
<label for="close-state">Comments</label><select id="close-state" name="closed"><option value="1">closed</option><option value="0">open</option></select>
<button type="submit">Save</button></form></section>
{{template "bottom" .}}{{end}}`))

func (rd *Readers) renderDesk(w http.ResponseWriter, name string, data any) error {
	var b bytes.Buffer
	if err := deskT.ExecuteTemplate(&b, name, data); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err := w.Write(b.Bytes())
	return err
}

type deskList struct {
	List         *news.NewsletterList
	Subscribers  int
	Joined, Left int
	Days         []news.ListGrowth
}

type deskIssue struct {
	Issue *news.NewsletterIssue
	List  string
	Done  int
	Opens int // subscribers who opened it (open tracking)
}

func (rd *Readers) newslettersPage(w http.ResponseWriter, r *http.Request, c *deskCall) error {
	ctx := r.Context()
	lists, err := rd.st.ListNewsletterLists(ctx)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	var dl []deskList
	for _, l := range lists {
		names[l.ID] = l.Name
		n, err := rd.st.CountSubscribers(ctx, l.ID)
		if err != nil {
			return err
		}
		g, err := rd.st.ListGrowth(ctx, l.ID, rd.clock.Now().AddDate(0, 0, -30))
		if err != nil {
			return err
		}
		d := deskList{List: l, Subscribers: n, Days: g}
		for _, day := range g {
			d.Joined += day.Joined
			d.Left += day.Left
		}
		dl = append(dl, d)
	}
	issues, err := rd.st.ListIssues(ctx, 30)
	if err != nil {
		return err
	}
	var di []deskIssue
	sending := false
	for _, is := range issues {
		opens, err := rd.st.CountOpens(ctx, is.ID)
		if err != nil {
			return err
		}
		di = append(di, deskIssue{Issue: is, List: names[is.ListID], Done: is.Sent + is.Failed, Opens: opens})
		sending = sending || is.Status == news.IssueSending
	}
	tracking, trackingVersion := false, int64(0)
	if st, err := rd.st.FindSetting(ctx, news.KeyOpenTracking); err == nil {
		tracking, trackingVersion = st.Value == "on", st.Version
	} else if !errors.Is(err, news.ErrNotFound) {
		return err
	}
	stories, _, err := rd.st.FindArticles(ctx, news.ArticleFilter{PublicAt: rd.clock.Now(), Limit: 30, NoTotal: true})
	if err != nil {
		return err
	}
	sections, err := rd.st.ListSections(ctx)
	if err != nil {
		return err
	}
	type upcoming struct {
		A     *news.Article
		Lists []string
	}
	var up []upcoming
	for _, status := range []news.Status{news.StatusScheduled, news.StatusReview} {
		as, _, err := rd.st.FindArticles(ctx, news.ArticleFilter{Status: status, Order: "updated", Limit: 30, NoTotal: true})
		if err != nil {
			return err
		}
		for _, a := range as {
			ids, err := rd.st.PublishSends(ctx, a.ID)
			if err != nil {
				return err
			}
			u := upcoming{A: a}
			for _, id := range ids {
				u.Lists = append(u.Lists, names[id])
			}
			up = append(up, u)
		}
	}
	return rd.renderDesk(w, "newsletters", map[string]any{"Title": "Newsletters", "CSRF": c.sess.CSRFToken, "Lists": dl, "Issues": di,
		"Stories": stories, "Sections": sections, "Upcoming": up, "Sending": sending,
		"Tracking": tracking, "TrackingVersion": trackingVersion, "Admin": workflow.AtLeast(c.user, news.RoleAdmin)})
}

// saveTracking turns open tracking on or off: the paper's decision, so
// admins only, under the version the page showed.
func (rd *Readers) saveTracking(w http.ResponseWriter, r *http.Request, c *deskCall) error {
	if !workflow.AtLeast(c.user, news.RoleAdmin) {
		return news.Errorf(news.EFORBIDDEN, "Only an admin turns open tracking on or off.")
	}
	v := r.PostFormValue("on")
	if v != "on" && v != "off" {
		return news.Errorf(news.EINVALID, "Turn tracking on or off.")
	}
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil || version < 0 {
		return news.Errorf(news.EINVALID, "The form is damaged; reload the page.")
	}
	err = rd.st.Update(r.Context(), func(tx news.Tx) error {
		return tx.UpdateSetting(r.Context(), &news.Setting{Key: news.KeyOpenTracking, Value: v, Version: version, UpdatedBy: c.user.ID})
	})
	if err != nil {
		return err
	}
	_ = rd.st.AddAudit(r.Context(), &news.AuditEntry{UserID: c.user.ID, Action: "newsletter.tracking", Detail: "open tracking " + v, CreatedAt: rd.clock.Now()})
	http.Redirect(w, r, "/newsroom/newsletters#h-track", http.StatusSeeOther)
	return nil
}

// issueProgress is one issue's counts, as the newsletters page polls them.
type issueProgress struct {
	ID      int64  `json:"id"`
	Status  string `json:"status"`
	Total   int    `json:"total"`
	Sent    int    `json:"sent"`
	Failed  int    `json:"failed"`
	Pending int    `json:"queued"`
	Text    string `json:"text"`
}

// sendProgress answers the newsletters page's poll: the latest issues'
// queued, sent and failed counts (the page shows them without script
// too, as of its loading).
func (rd *Readers) sendProgress(w http.ResponseWriter, r *http.Request, c *deskCall) error {
	issues, err := rd.st.ListIssues(r.Context(), 30)
	if err != nil {
		return err
	}
	out := struct {
		Sending bool            `json:"sending"`
		Issues  []issueProgress `json:"issues"`
	}{Issues: []issueProgress{}}
	for _, is := range issues {
		var b bytes.Buffer
		if err := deskT.ExecuteTemplate(&b, "progress", is); err != nil {
			return err
		}
		out.Issues = append(out.Issues, issueProgress{ID: is.ID, Status: is.Status, Total: is.Total, Sent: is.Sent, Failed: is.Failed, Pending: is.Pending, Text: b.String()})
		out.Sending = out.Sending || is.Status == news.IssueSending
	}
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(out)
}

func formID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(r.PostFormValue(name)), 10, 64)
	if err != nil || id <= 0 {
		return 0, news.Errorf(news.EINVALID, "%s: not an id", name)
	}
	return id, nil
}

func (rd *Readers) sendStoryForm(w http.ResponseWriter, r *http.Request, c *deskCall) error {
	aid, err := formID(r, "article")
	if err != nil {
		return err
	}
	lid, err := formID(r, "list")
	if err != nil {
		return err
	}
	if _, err := rd.st.FindNewsletterList(r.Context(), lid); err != nil {
		return err
	}
	_, err = SendStory(r.Context(), rd.st, aid, lid, c.user.ID, rd.clock.Now())
	if err != nil && !errors.Is(err, news.ErrConflict) { // sent before: show its progress
		return err
	}
	_ = rd.st.AddAudit(r.Context(), &news.AuditEntry{UserID: c.user.ID, Action: "newsletter.send", Detail: fmt.Sprintf("story %d to list %d", aid, lid)})
	http.Redirect(w, r, "/newsroom/newsletters", http.StatusSeeOther)
	return nil
}

func (rd *Readers) sendOnPublishForm(w http.ResponseWriter, r *http.Request, c *deskCall) error {
	aid, err := formID(r, "article")
	if err != nil {
		return err
	}
	lid, err := formID(r, "list")
	if err != nil {
		return err
	}
	ctx := r.Context()
	a, err := rd.st.FindArticleByID(ctx, aid)
	if err != nil {
		return err
	}
	if _, err := rd.st.FindNewsletterList(ctx, lid); err != nil {
		return err
	}
	if a.Status == news.StatusPublished {
		// Published already: send it now instead.
		if _, err := SendStory(ctx, rd.st, aid, lid, c.user.ID, rd.clock.Now()); err != nil && !errors.Is(err, news.ErrConflict) {
			return err
		}
	} else if err := rd.st.AddPublishSend(ctx, aid, lid, c.user.ID); err != nil {
		return err
	} else if now, err := rd.st.FindArticleByID(ctx, aid); err == nil && now.Status == news.StatusPublished {
		// Published while we asked: its transaction did not see the
		// request, so send it now (SendStory is once per story and list).
		if _, err := SendStory(ctx, rd.st, aid, lid, c.user.ID, rd.clock.Now()); err != nil && !errors.Is(err, news.ErrConflict) {
			return err
		}
		_ = rd.st.RemovePublishSend(ctx, aid, lid)
	}
	_ = rd.st.AddAudit(ctx, &news.AuditEntry{UserID: c.user.ID, Action: "newsletter.onpublish", ArticleID: aid, Detail: fmt.Sprintf("list %d", lid)})
	http.Redirect(w, r, "/newsroom/newsletters", http.StatusSeeOther)
	return nil
}

type queueItem struct {
	C     *news.Comment
	Story string
	URL   string
	HTML  template.HTML
}

func (rd *Readers) queuePage(w http.ResponseWriter, r *http.Request, c *deskCall) error {
	ctx := r.Context()
	seen := map[int64]bool{}
	var items []queueItem
	for _, f := range []news.CommentFilter{{Status: news.CommentPending}, {Status: news.CommentSpam}, {Reported: true, Status: news.CommentApproved}} {
		f.Limit = 100
		cs, err := rd.st.FindComments(ctx, f)
		if err != nil {
			return err
		}
		for _, cm := range cs {
			if seen[cm.ID] {
				continue
			}
			seen[cm.ID] = true
			it := queueItem{C: cm, HTML: comments.Render(cm.Body)}
			if a, err := rd.st.FindArticleByID(ctx, cm.ArticleID); err == nil {
				it.Story, it.URL = a.Headline, rd.paper().ArticlePath(a)
			}
			items = append(items, it)
		}
	}
	// Counts per story: the newest stories, their published comments and
	// what waits for review.
	stories, _, err := rd.st.FindArticles(ctx, news.ArticleFilter{PublicAt: rd.clock.Now(), Limit: 30, NoTotal: true})
	if err != nil {
		return err
	}
	var ids []int64
	for _, a := range stories {
		ids = append(ids, a.ID)
	}
	counts, err := rd.st.CommentCounts(ctx, ids)
	if err != nil {
		return err
	}
	waiting := map[int64]int{}
	for _, it := range items {
		if it.C.Status == news.CommentPending {
			waiting[it.C.ArticleID]++
		}
	}
	type storyCount struct {
		ID                 int64
		Headline, URL      string
		Published, Waiting int
		Closed             bool
	}
	var sc []storyCount
	for _, a := range stories {
		closed, _ := rd.policy.Closed(ctx, a)
		sc = append(sc, storyCount{a.ID, a.Headline, rd.paper().ArticlePath(a), counts[a.ID], waiting[a.ID], closed})
	}
	settings, err := rd.commentSettings(ctx)
	if err != nil {
		return err
	}
	return rd.renderDesk(w, "queue", map[string]any{"Title": "Comments", "CSRF": c.sess.CSRFToken, "Items": items, "Stories": sc, "Settings": settings})
}

func (rd *Readers) moderate(w http.ResponseWriter, r *http.Request, c *deskCall) error {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return news.Errorf(news.ENOTFOUND, "no such comment")
	}
	cm, err := rd.st.FindComment(ctx, id)
	if err != nil {
		return err
	}
	action := r.PathValue("action")
	switch action {
	case "approve", "reply":
		cm.Status = news.CommentApproved
	case "reject":
		cm.Status = news.CommentRejected
	case "spam":
		cm.Status = news.CommentSpam
	case "ban", "shadowban":
		if cm.ReaderID == 0 {
			return news.Errorf(news.EINVALID, "that comment has no reader to ban")
		}
		reader, err := rd.st.FindReaderByID(ctx, cm.ReaderID)
		if err != nil {
			return err
		}
		if action == "ban" {
			reader.Banned = true
			cm.Status = news.CommentRejected
		} else {
			reader.ShadowBanned = true
			cm.Status, cm.Shadow = news.CommentApproved, true
		}
		if err := rd.st.UpdateReader(ctx, reader); err != nil {
			return err
		}
	default:
		return news.Errorf(news.ENOTFOUND, "unknown action %q", action)
	}
	if err := rd.st.UpdateComment(ctx, cm); err != nil {
		return err
	}
	if action == "reply" {
		body := comments.Clean(r.PostFormValue("body"))
		if body == "" {
			return news.Errorf(news.EINVALID, "write the answer first")
		}
		parent := cm.ID
		if cm.ParentID != 0 {
			parent = cm.ParentID // threads are one level deep
		}
		staff := &news.Comment{ArticleID: cm.ArticleID, ParentID: parent, AuthorName: rd.paper().Name, Staff: true, StaffUserID: c.user.ID,
			Body: body, Status: news.CommentApproved, CreatedAt: rd.clock.Now()}
		if err := rd.st.CreateComment(ctx, staff); err != nil {
			return err
		}
	}
	_ = rd.st.AddAudit(ctx, &news.AuditEntry{UserID: c.user.ID, Action: "comment." + action, Detail: fmt.Sprintf("comment %d", cm.ID)})
	rd.invalidate(cm.ArticleID)
	http.Redirect(w, r, "/newsroom/comments", http.StatusSeeOther)
	return nil
}

func (rd *Readers) closeThread(w http.ResponseWriter, r *http.Request, c *deskCall) error {
	aid, err := formID(r, "article")
	if err != nil {
		return err
	}
	if _, err := rd.st.FindArticleByID(r.Context(), aid); err != nil {
		return err
	}
	closed := r.PostFormValue("closed") == "1"
	if err := rd.st.SetCommentsClosed(r.Context(), aid, closed); err != nil {
		return err
	}
	rd.invalidate(aid)
	http.Redirect(w, r, "/newsroom/comments", http.StatusSeeOther)
	return nil
}

type sectionRule struct {
	ID   int64
	Name string
	Pre  bool
}

type commentRules struct {
	CloseDays, Rate, Blocked string
	Sections                 []sectionRule
}

func (rd *Readers) settingOr(ctx context.Context, key, def string) string {
	if v, err := rd.st.GetSetting(ctx, key); err == nil {
		return v
	}
	return def
}

func (rd *Readers) commentSettings(ctx context.Context) (commentRules, error) {
	cr := commentRules{
		CloseDays: rd.settingOr(ctx, comments.KeyCloseDays, "14"),
		Rate:      rd.settingOr(ctx, comments.KeyRate, "5"),
		Blocked:   rd.settingOr(ctx, comments.KeyBlocked, ""),
	}
	secs, err := rd.st.ListSections(ctx)
	if err != nil {
		return cr, err
	}
	for _, s := range secs {
		cr.Sections = append(cr.Sections, sectionRule{s.ID, s.Name,
			rd.settingOr(ctx, comments.KeyModeSection+strconv.FormatInt(s.ID, 10), "post") == "pre"})
	}
	return cr, nil
}

func (rd *Readers) saveCommentSettings(w http.ResponseWriter, r *http.Request, c *deskCall) error {
	ctx := r.Context()
	days, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("close_days")))
	if err != nil || days < 0 || days > 3650 {
		return news.Errorf(news.EINVALID, "days: a whole number from 0 to 3650")
	}
	rate, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("rate")))
	if err != nil || rate < 0 || rate > 1000 {
		return news.Errorf(news.EINVALID, "comments per 10 minutes: a whole number from 0 to 1000")
	}
	blocked := comments.Clean(r.PostFormValue("blocked"))
	if len(blocked) > 20000 {
		return news.Errorf(news.EINVALID, "blocked words: at most 20,000 characters")
	}
	pre := map[string]bool{}
	for _, v := range r.PostForm["pre"] {
		pre[v] = true
	}
	secs, err := rd.st.ListSections(ctx)
	if err != nil {
		return err
	}
	puts := map[string]string{comments.KeyCloseDays: strconv.Itoa(days), comments.KeyRate: strconv.Itoa(rate), comments.KeyBlocked: blocked}
	for _, s := range secs {
		id := strconv.FormatInt(s.ID, 10)
		mode := "post"
		if pre[id] {
			mode = "pre"
		}
		puts[comments.KeyModeSection+id] = mode
	}
	for k, v := range puts {
		if err := rd.st.PutSetting(ctx, k, v); err != nil {
			return err
		}
	}
	_ = rd.st.AddAudit(ctx, &news.AuditEntry{UserID: c.user.ID, Action: "comments.settings", Detail: fmt.Sprintf("close after %d days, rate %d", days, rate)})
	http.Redirect(w, r, "/newsroom/comments", http.StatusSeeOther)
	return nil
}

func (rd *Readers) saveList(w http.ResponseWriter, r *http.Request, c *deskCall) error {
	ctx := r.Context()
	l := &news.NewsletterList{
		Name:        strings.TrimSpace(r.PostFormValue("name")),
		Slug:        strings.TrimSpace(r.PostFormValue("slug")),
		Description: strings.TrimSpace(r.PostFormValue("description")),
		Kind:        r.PostFormValue("kind"),
	}
	for _, ch := range l.Slug {
		if !(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '-') {
			return news.Errorf(news.EINVALID, "short name %q: letters a-z, digits and dashes only", l.Slug)
		}
	}
	if len([]rune(l.Name)) > 80 || len(l.Slug) > 40 || len([]rune(l.Description)) > 200 {
		return news.Errorf(news.EINVALID, "name, short name or description too long")
	}
	l.SectionID, _ = strconv.ParseInt(r.PostFormValue("section"), 10, 64)
	if l.SectionID != 0 {
		if _, err := rd.st.FindSectionByID(ctx, l.SectionID); err != nil {
			return news.Errorf(news.EINVALID, "no such section")
		}
	}
	if l.Kind == news.ListSection && l.SectionID == 0 {
		return news.Errorf(news.EINVALID, "a section's list needs its section")
	}
	l.Position, _ = strconv.Atoi(strings.TrimSpace(r.PostFormValue("position")))
	if id := r.PostFormValue("id"); id != "" {
		var err error
		if l.ID, err = strconv.ParseInt(id, 10, 64); err != nil {
			return news.Errorf(news.EINVALID, "no such list")
		}
		old, err := rd.st.FindNewsletterList(ctx, l.ID)
		if err != nil {
			return err
		}
		l.CreatedAt = old.CreatedAt
		if err := rd.st.UpdateNewsletterList(ctx, l); err != nil {
			return err
		}
	} else if err := rd.st.CreateNewsletterList(ctx, l); err != nil {
		return err
	}
	_ = rd.st.AddAudit(ctx, &news.AuditEntry{UserID: c.user.ID, Action: "newsletter.list", Detail: l.Slug})
	http.Redirect(w, r, "/newsroom/newsletters", http.StatusSeeOther)
	return nil
}
