// Package api is masthead's public JSON API. It only ever shows what readers
// may see (stories public at the clock's now).
package api

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"masthead/internal/httpx"
	"masthead/internal/news"
)

// Config is what the API needs.
type Config struct {
	Paper  *news.Paper
	Store  news.Store
	Clock  news.Clock
	Logger *slog.Logger
}

// API serves /api/v1/...
type API struct {
	live  *news.Paper // read through paper()
	store news.Store
	clock news.Clock
	log   *slog.Logger
}

// New builds the API.
func New(cfg Config) *API {
	if cfg.Clock == nil {
		cfg.Clock = news.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &API{live: cfg.Paper, store: cfg.Store, clock: cfg.Clock, log: cfg.Logger}
}

// Register adds the API routes to mux.
func (a *API) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/articles/{id}", a.article)
	mux.HandleFunc("GET /api/v1/articles", a.articles)
	mux.HandleFunc("GET /api/v1/pages", a.pages)
	mux.HandleFunc("GET /api/v1/pages/{slug}", a.page)
}

// Link is a named absolute URL.
type Link struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Photo is a story's lead photo.
type Photo struct {
	URL     string `json:"url"`
	Width   int    `json:"width"`
	Height  int    `json:"height"`
	Caption string `json:"caption"`
	Credit  string `json:"credit"`
	Alt     string `json:"alt"`
}

// Article is one story as the API returns it. Times are RFC 3339 in the
// paper's time zone.
type Article struct {
	ID          int64  `json:"id"`
	URL         string `json:"url"`
	Headline    string `json:"headline"`
	Deck        string `json:"deck"`
	Byline      string `json:"byline"`
	Authors     []Link `json:"authors"`
	PublishedAt string `json:"published_at"`
	UpdatedAt   string `json:"updated_at"`
	Lang        string `json:"lang"`
	BodyHTML    string `json:"body_html"`
	Photo       *Photo `json:"photo"`
	Section     *Link  `json:"section"`
	Tags        []Link `json:"tags"`
}

func (a *API) article(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		httpx.WriteJSONError(w, r, a.log, news.Errorf(news.ENOTFOUND, "article not found"))
		return
	}
	art, err := a.store.FindArticleByID(r.Context(), id)
	if err == nil && !art.IsPublicAt(a.clock.Now()) {
		// Unpublished, scheduled and embargoed stories do not exist here;
		// the same message as for a missing id tells nothing away.
		err = news.Errorf(news.ENOTFOUND, "article not found")
	}
	if err != nil {
		if news.ErrorCode(err) == news.ENOTFOUND {
			err = news.Errorf(news.ENOTFOUND, "article not found")
		}
		httpx.WriteJSONError(w, r, a.log, err)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=60")
	w.Header().Set("Last-Modified", art.LastModified().UTC().Format(http.TimeFormat))
	httpx.WriteJSON(w, http.StatusOK, a.toJSON(art))
}

func (a *API) toJSON(art *news.Article) Article {
	p := a.paper()
	loc := p.Loc()
	out := Article{
		ID:          art.ID,
		URL:         p.AbsURL(p.ArticlePath(art)),
		Headline:    art.Headline,
		Deck:        art.Deck,
		PublishedAt: art.PublishedAt.In(loc).Format(time.RFC3339),
		UpdatedAt:   art.LastModified().In(loc).Format(time.RFC3339),
		Lang:        art.Lang,
		BodyHTML:    art.BodyHTML,
		Authors:     []Link{},
		Tags:        []Link{},
	}
	for i, au := range art.Authors {
		out.Authors = append(out.Authors, Link{Name: au.Name, URL: p.AbsURL(p.AuthorPath(au))})
		switch {
		case i == 0:
			out.Byline = au.Name
		case i == len(art.Authors)-1:
			out.Byline += " and " + au.Name
		default:
			out.Byline += ", " + au.Name
		}
	}
	if ph := art.Photo; ph != nil {
		jp := &Photo{Width: ph.Width, Height: ph.Height, Caption: ph.Caption, Credit: ph.Credit, Alt: ph.Alt}
		if ph.HasFile() {
			// The original: clients pick their own size.
			jp.URL = p.AbsURL(p.PhotoPath(ph, 0))
		}
		out.Photo = jp
	}
	if art.Section != nil {
		out.Section = &Link{Name: art.Section.Name, URL: p.AbsURL(p.SectionPath(art.Section))}
	}
	for _, t := range art.Tags {
		out.Tags = append(out.Tags, Link{Name: t.Name, URL: p.AbsURL(p.TagPath(t))})
	}
	return out
}

// paper is the paper's settings as they are now (news.Live).
func (a *API) paper() *news.Paper { return a.live.Current() }
