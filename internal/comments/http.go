package comments

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"masthead/internal/httpx"
	"masthead/internal/news"
)

// The story page's comments come from a JSON endpoint, not the page: the
// page stays one cached document for every reader, and the endpoint is
// cached for a few seconds on its own (in each process, and by browsers
// and shared caches), so a busy thread costs one query per few seconds.
const cacheFor = 5 * time.Second

//go:embed app.js
var appJS []byte

var appETag = func() string {
	sum := sha256.Sum256(appJS)
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}()

// Shell renders a page body in the site's layout.
type Shell interface {
	Shell(w http.ResponseWriter, r *http.Request, status int, title string, body template.HTML)
}

// Public serves what every reader sees of comments.
type Public struct {
	Paper  *news.Paper
	Store  Store
	Policy *Policy
	Shell  Shell
	Logger *slog.Logger

	mu    sync.Mutex
	cache map[int64]cached
}

type cached struct {
	body []byte
	etag string
	at   time.Time
}

// JSONComment is one comment as the story page gets it. Addresses are
// never part of it; HTML is Render's, safe to insert.
type JSONComment struct {
	ID       int64     `json:"id"`
	ParentID int64     `json:"parent_id,omitempty"`
	Author   string    `json:"author"`
	Staff    bool      `json:"staff,omitempty"`
	HTML     string    `json:"html"`
	Created  time.Time `json:"created_at"`
	Edited   bool      `json:"edited,omitempty"`
	Deleted  bool      `json:"deleted,omitempty"`
	Pending  bool      `json:"pending,omitempty"` // only in a reader's own view
}

// Thread is the endpoint's document.
type Thread struct {
	ArticleID int64         `json:"article_id"`
	Closed    bool          `json:"closed"`
	Count     int           `json:"count"`
	Comments  []JSONComment `json:"comments"`
}

// ToJSON turns stored comments into what pages show.
func ToJSON(cs []*news.Comment, paperName string) []JSONComment {
	out := make([]JSONComment, 0, len(cs))
	for _, c := range cs {
		j := JSONComment{ID: c.ID, ParentID: c.ParentID, Author: c.AuthorName, Staff: c.Staff, Created: c.CreatedAt,
			Edited: !c.EditedAt.IsZero(), Pending: c.Status == news.CommentPending}
		if c.Staff && j.Author == "" {
			j.Author = paperName
		}
		if c.Status == news.CommentDeleted {
			j.Deleted, j.Author = true, ""
		} else {
			j.HTML = string(Render(c.Body))
		}
		out = append(out, j)
	}
	return out
}

// Register adds the public comment routes.
func (p *Public) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /comments/app.js", p.app)
	mux.HandleFunc("GET /comments/{id}", p.page)
	mux.HandleFunc("GET /api/v1/articles/{id}/comments", p.json)
}

// Invalidate drops a story's cached thread (after a write in this process;
// other nodes catch up within cacheFor).
func (p *Public) Invalidate(articleID int64) {
	p.mu.Lock()
	delete(p.cache, articleID)
	p.mu.Unlock()
}

func (p *Public) thread(ctx context.Context, id int64) (cached, error) {
	p.mu.Lock()
	c, ok := p.cache[id]
	p.mu.Unlock()
	if ok && time.Since(c.at) < cacheFor {
		return c, nil
	}
	a, err := p.Store.FindArticleByID(ctx, id)
	if err != nil {
		return cached{}, err
	}
	if !a.IsPublicAt(p.Policy.Clock.Now()) {
		return cached{}, news.ErrNotFound
	}
	cs, err := p.Store.ArticleComments(ctx, id, 0)
	if err != nil {
		return cached{}, err
	}
	closed, err := p.Policy.Closed(ctx, a)
	if err != nil {
		return cached{}, err
	}
	t := Thread{ArticleID: id, Closed: closed, Comments: ToJSON(cs, p.Paper.Current().Name)}
	for _, c := range t.Comments {
		if !c.Deleted {
			t.Count++
		}
	}
	body, err := json.Marshal(t)
	if err != nil {
		return cached{}, err
	}
	sum := sha256.Sum256(body)
	c = cached{body: body, etag: `"` + hex.EncodeToString(sum[:12]) + `"`, at: time.Now()}
	p.mu.Lock()
	if p.cache == nil {
		p.cache = map[int64]cached{}
	}
	if len(p.cache) > 10000 {
		clear(p.cache)
	}
	p.cache[id] = c
	p.mu.Unlock()
	return c, nil
}

func articleID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

func (p *Public) json(w http.ResponseWriter, r *http.Request) {
	id, ok := articleID(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	c, err := p.thread(r.Context(), id)
	if errors.Is(err, news.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		httpx.WriteJSONError(w, r, p.Logger, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "public, max-age=5")
	h.Set("ETag", c.etag)
	if r.Header.Get("If-None-Match") == c.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(c.body)
}

func (p *Public) app(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("ETag", appETag)
	if r.Header.Get("If-None-Match") == appETag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(appJS)
}

var pageT = template.Must(template.New("").Parse(`<article class="reader-page comments-page">
<h1>Comments: <a href="{{.URL}}">{{.Headline}}</a></h1>
{{if not .Thread.Comments}}<p>No comments yet.</p>{{end}}
<ol class="comment-list">
{{range .Top}}<li class="comment{{if .C.Staff}} staff{{end}}" id="comment-{{.C.ID}}">{{template "one" .C}}
{{if .Replies}}<ol class="replies">{{range .Replies}}<li class="comment{{if .Staff}} staff{{end}}" id="comment-{{.ID}}">{{template "one" .}}</li>{{end}}</ol>{{end}}
</li>
{{end}}</ol>
<p>{{if .Thread.Closed}}Comments are closed.{{else}}<a href="{{.URL}}#comments">Join the conversation</a> (with JavaScript), after <a href="/account">signing in</a>.{{end}}</p>
</article>
{{define "one"}}{{if .Deleted}}<p class="removed">This comment was removed.</p>{{else}}<p class="comment-meta"><strong>{{.Author}}</strong>{{if .Staff}} <span class="badge">Staff</span>{{end}} · <time datetime="{{.Created.Format "2006-01-02T15:04:05Z07:00"}}">{{.Created.Format "Jan. 2, 2006 15:04 UTC"}}</time>{{if .Edited}} · edited{{end}}</p>
<div class="comment-body">{{.SafeHTML}}</div>{{end}}{{end}}`))

type pageComment struct {
	JSONComment
}

// SafeHTML is the rendered body (Render escaped it).
func (c pageComment) SafeHTML() template.HTML { return template.HTML(c.HTML) }

type topItem struct {
	C       pageComment
	Replies []pageComment
}

// page is the thread without JavaScript: the story page's "read comments"
// link. Identical for every reader; cached like the JSON.
func (p *Public) page(w http.ResponseWriter, r *http.Request) {
	id, ok := articleID(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	c, err := p.thread(r.Context(), id)
	if err != nil {
		if !errors.Is(err, news.ErrNotFound) {
			p.Logger.Error("comments: thread", "article", id, "err", err)
		}
		http.NotFound(w, r)
		return
	}
	a, err := p.Store.FindArticleByID(r.Context(), id)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	var t Thread
	if err := json.Unmarshal(c.body, &t); err != nil {
		http.Error(w, "Something went wrong.", http.StatusInternalServerError)
		return
	}
	var tops []topItem
	index := map[int64]int{}
	for _, jc := range t.Comments {
		if jc.ParentID == 0 {
			index[jc.ID] = len(tops)
			tops = append(tops, topItem{C: pageComment{jc}})
		}
	}
	for _, jc := range t.Comments {
		if i, ok := index[jc.ParentID]; ok && jc.ParentID != 0 {
			tops[i].Replies = append(tops[i].Replies, pageComment{jc})
		}
	}
	var b bytes.Buffer
	if err := pageT.Execute(&b, map[string]any{"URL": p.Paper.Current().ArticlePath(a), "Headline": a.Headline, "Thread": t, "Top": tops}); err != nil {
		p.Logger.Error("comments: page", "err", err)
		http.Error(w, "Something went wrong.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=5")
	p.Shell.Shell(w, r, http.StatusOK, fmt.Sprintf("Comments: %s", a.Headline), template.HTML(b.String()))
}
