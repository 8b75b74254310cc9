// Package newsroom is the editors' web UI under /newsroom: sign-in,
// dashboard, story editor with live preview, workflow moves, revisions and
// diffs, corrections, the photo desk, front-page curation, users, accounts
// and the audit log. Permissions are decided by internal/workflow and
// enforced here on every request, never only in the page.
package newsroom

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"masthead/internal/auth"
	"masthead/internal/httpx"
	"masthead/internal/news"
	"masthead/internal/workflow"
)

// PhotoSaver stores an uploaded image: it checks and strips the file, makes
// the renditions, and creates (p.ID == 0) or updates the Photo row.
// internal/media.Library implements it.
type PhotoSaver interface {
	SavePhoto(ctx context.Context, p *news.Photo, data []byte) error
}

// Config is what the newsroom needs.
type Config struct {
	Paper  *news.Paper
	Store  news.Store
	Clock  news.Clock
	Logger *slog.Logger
	// Media stores uploaded photos; nil hides the photo desk.
	Media PhotoSaver
	// MediaFiles serves photos to staff whatever their stories' status
	// (media.Library.StaffHandler), at /newsroom/media/{id}/{token}/{file}:
	// readers get 404 for the photos of stories that are not public.
	MediaFiles http.Handler
	// Secure forces the Secure flag on cookies (the site is behind a TLS
	// proxy). Without it the flag is set for TLS requests and https base
	// URLs.
	Secure bool
	// MaxUploadBytes bounds a photo upload (default 20 MiB).
	MaxUploadBytes int64
	// TrustedProxies are the proxies whose forwarding headers name the
	// client a sign-in is throttled by (serve --trusted-proxies).
	TrustedProxies []netip.Prefix
	// Views gives the story page's 48-hour chart (internal/views.Counter,
	// which adds the counts not yet written); nil reads the store alone.
	Views ViewHistory
	// Preview writes a story as readers will see its page, whatever its
	// status (internal/site.Site.Preview); nil turns full-page previews
	// and preview links off.
	Preview func(w http.ResponseWriter, r *http.Request, a *news.Article)
	// Mail sends password resets and invitations; nil turns both off
	// (admins still reset passwords by hand). If it has a Reload method
	// (mail.Dynamic), a save of the mail settings calls it, so the next
	// mail uses them.
	Mail Mailer
	// SMTPOverride and MailFromOverride are serve's --smtp (its password
	// hidden: mail.Server.String) and --mail-from when given: they win
	// over the paper's mail settings, and the settings page says so.
	SMTPOverride, MailFromOverride string
}

// Newsroom serves /newsroom/.
type Newsroom struct {
	cfg      Config
	live     *news.Paper // read through paper()
	store    news.Store
	clock    news.Clock
	log      *slog.Logger
	flow     *workflow.Service
	sessions *auth.Sessions
	// Sign-in throttles (signin.go): per account (or account on a known
	// device) and per client address, backing off after 5 and 20
	// failures.
	acctThrottle *auth.Throttle
	addrThrottle *auth.Throttle
	devices      *auth.Devices
	signinAudit  signinAuditLimiter
	// testHookSignin, if set, runs between the throttle's check and the
	// password check (a test's barrier).
	testHookSignin func()
	pages          *pages
	// renders bounds each user's Markdown rendering (rendergate.go).
	renders *renderGate
}

// New checks cfg and parses the templates.
func New(cfg Config) (*Newsroom, error) {
	if cfg.Paper == nil || cfg.Store == nil {
		return nil, errors.New("newsroom: Paper and Store are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = news.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = 20 << 20
	}
	p, err := parsePages()
	if err != nil {
		return nil, fmt.Errorf("newsroom: %w", err)
	}
	flow := workflow.New(cfg.Store, cfg.Clock)
	flow.Paper = cfg.Paper
	return &Newsroom{
		cfg: cfg, live: cfg.Paper, store: cfg.Store, clock: cfg.Clock, log: cfg.Logger,
		flow:         flow,
		sessions:     auth.NewSessions(cfg.Store, cfg.Clock),
		acctThrottle: auth.NewThrottle(cfg.Clock, 5, 30*time.Second, 15*time.Minute, time.Hour),
		addrThrottle: auth.NewThrottle(cfg.Clock, 20, 30*time.Second, 15*time.Minute, time.Hour),
		devices:      &auth.Devices{Store: cfg.Store},
		pages:        p,
		renders:      newRenderGate(time.Now),
	}, nil
}

// handler is a newsroom page: it returns an error instead of writing one,
// and wrap turns errors into pages with the right status.
type handler func(w http.ResponseWriter, r *http.Request, c *call) error

// call is what wrap learned about the request.
type call struct {
	user *news.User
	sess *news.Session
}

// public marks routes that need no session.
const public news.Role = ""

// Register adds every newsroom route to mux. Each route says the least role
// it needs right here; finer rules (own story, story status) are checked by
// the workflow in the handler.
func (n *Newsroom) Register(mux *http.ServeMux) {
	routes := []struct {
		pattern string
		role    news.Role
		h       handler
	}{
		{"GET /newsroom/static/{file}", public, n.static},
		{"GET /newsroom/media/{id}/{token}/{file}", news.RoleContributor, n.mediaFile},
		{"GET /newsroom/signin", public, n.signinPage},
		{"POST /newsroom/signin", public, n.signin},
		{"POST /newsroom/signout", news.RoleContributor, n.signout},
		{"GET /newsroom/forgot", public, n.forgotForm},
		{"POST /newsroom/forgot", public, n.forgot},
		{"GET /newsroom/reset/{token}", public, n.resetForm},
		{"POST /newsroom/reset/{token}", public, n.reset},
		{"GET /newsroom/{$}", news.RoleContributor, n.dashboard},
		{"GET /newsroom", public, n.redirectHome},
		// Anything else under /newsroom/ is a 404 with the newsroom's
		// headers, not the mux's bare one.
		{"/newsroom/", public, n.notFound},

		{"GET /newsroom/stories", news.RoleContributor, n.storyList},
		{"GET /newsroom/stories/new", news.RoleContributor, n.newStory},
		{"POST /newsroom/stories", news.RoleContributor, n.gated(n.createStory)},
		{"GET /newsroom/stories/{id}", news.RoleContributor, n.editStory},
		{"POST /newsroom/stories/{id}", news.RoleContributor, n.gated(n.saveStory)},
		{"POST /newsroom/preview", news.RoleContributor, n.gated(n.preview)},
		{"POST /newsroom/photos", news.RoleContributor, n.uploadInline},
		{"GET /newsroom/stories/{id}/preview", news.RoleContributor, n.previewFrame},
		{"GET /newsroom/stories/{id}/preview/page", news.RoleContributor, n.previewSaved},
		{"POST /newsroom/stories/{id}/preview", news.RoleContributor, n.previewDraft},
		{"POST /newsroom/stories/{id}/share", news.RoleContributor, n.sharePreview},
		{"GET /preview/{token}", public, n.sharedPreview},
		{"POST /newsroom/embed", news.RoleContributor, n.embedInfo},
		{"POST /newsroom/markdown", news.RoleContributor, n.gated(n.markdownExport)},
		{"GET /newsroom/stories/{id}/markdown", news.RoleContributor, n.storyMarkdown},
		{"POST /newsroom/stories/{id}/submit", news.RoleContributor, n.move(workflow.ActSubmit)},
		{"POST /newsroom/stories/{id}/withdraw", news.RoleContributor, n.move(workflow.ActWithdraw)},
		{"POST /newsroom/stories/{id}/publish", news.RoleEditor, n.move(workflow.ActPublish)},
		{"POST /newsroom/stories/{id}/schedule", news.RoleEditor, n.move(workflow.ActSchedule)},
		{"POST /newsroom/stories/{id}/unpublish", news.RoleEditor, n.move(workflow.ActUnpublish)},
		{"POST /newsroom/stories/{id}/corrections", news.RoleEditor, n.addCorrection},
		{"POST /newsroom/stories/{id}/notes", news.RoleContributor, n.addNote},
		{"POST /newsroom/stories/{id}/autosave", news.RoleContributor, n.autosave},
		{"POST /newsroom/stories/{id}/autosave/discard", news.RoleContributor, n.discardWorkingCopy},
		{"POST /newsroom/stories/{id}/delete", news.RoleEditor, n.deleteStory},
		{"GET /newsroom/trash", news.RoleEditor, n.trash},
		{"POST /newsroom/trash/{id}/restore", news.RoleEditor, n.restoreStory},
		{"POST /newsroom/stories/{id}/photo", news.RoleContributor, n.storyPhoto},
		{"GET /newsroom/stories/{id}/revisions", news.RoleContributor, n.revisions},
		{"GET /newsroom/stories/{id}/diff", news.RoleContributor, n.diff},
		{"POST /newsroom/stories/{id}/revisions/{rev}/restore", news.RoleContributor, n.restore},

		{"GET /newsroom/media", news.RoleContributor, n.mediaLibrary},
		{"GET /newsroom/media.json", news.RoleContributor, n.mediaJSON},
		{"GET /newsroom/media/{id}", news.RoleContributor, n.mediaPhoto},
		{"POST /newsroom/media/{id}", news.RoleEditor, n.saveMediaPhoto},
		{"POST /newsroom/media/{id}/replace", news.RoleEditor, n.replaceMediaPhoto},

		{"GET /newsroom/tags", news.RoleEditor, n.tags},
		{"POST /newsroom/tags/{id}", news.RoleEditor, n.renameTag},
		{"POST /newsroom/tags/{id}/merge", news.RoleEditor, n.mergeTag},
		{"GET /newsroom/authors", news.RoleEditor, n.authors},
		{"POST /newsroom/authors", news.RoleEditor, n.addAuthor},
		{"GET /newsroom/authors/{id}", news.RoleContributor, n.authorProfile},
		{"POST /newsroom/authors/{id}", news.RoleContributor, n.saveAuthor},

		{"GET /newsroom/frontpage", news.RoleEditor, n.frontPage},
		{"POST /newsroom/frontpage", news.RoleEditor, n.saveFrontPage},
		{"GET /newsroom/audit", news.RoleEditor, n.auditLog},
		{"GET /newsroom/pages", news.RoleEditor, n.pageList},
		{"GET /newsroom/pages/new", news.RoleEditor, n.newPage},
		{"POST /newsroom/pages", news.RoleEditor, n.createPage},
		{"GET /newsroom/pages/{id}", news.RoleEditor, n.editPage},
		{"POST /newsroom/pages/{id}", news.RoleEditor, n.savePage},
		{"POST /newsroom/pages/{id}/publish", news.RoleEditor, n.movePage("publish")},
		{"POST /newsroom/pages/{id}/unpublish", news.RoleEditor, n.movePage("unpublish")},
		{"POST /newsroom/pages/{id}/delete", news.RoleEditor, n.movePage("delete")},
		{"GET /newsroom/inbox", news.RoleEditor, n.inbox},
		{"POST /newsroom/inbox/{id}/done", news.RoleEditor, n.handleMessage},

		{"GET /newsroom/users", news.RoleAdmin, n.users},
		{"POST /newsroom/users", news.RoleAdmin, n.addUser},
		{"POST /newsroom/users/{id}/role", news.RoleAdmin, n.setRole},
		{"POST /newsroom/users/{id}/password", news.RoleAdmin, n.resetPassword},
		{"POST /newsroom/users/{id}/disable", news.RoleAdmin, n.setDisabled(true)},
		{"POST /newsroom/users/{id}/enable", news.RoleAdmin, n.setDisabled(false)},
		{"GET /newsroom/settings", news.RoleAdmin, n.settings},
		{"POST /newsroom/settings", news.RoleAdmin, n.saveSettings},
		{"POST /newsroom/settings/mail", news.RoleAdmin, n.saveMailSettings},
		{"POST /newsroom/settings/mail/test", news.RoleAdmin, n.testMail},
		{"GET /newsroom/sections", news.RoleAdmin, n.sections},
		{"POST /newsroom/sections", news.RoleAdmin, n.addSection},
		{"POST /newsroom/sections/{id}", news.RoleAdmin, n.editSection},
		{"POST /newsroom/sections/{id}/move", news.RoleAdmin, n.moveSection},
		{"POST /newsroom/sections/{id}/merge", news.RoleAdmin, n.mergeSection},
		{"POST /newsroom/sections/{id}/delete", news.RoleAdmin, n.deleteSection},

		{"GET /newsroom/account", news.RoleContributor, n.account},
		{"POST /newsroom/account/password", news.RoleContributor, n.changePassword},
		{"POST /newsroom/account/sessions/{sid}/revoke", news.RoleContributor, n.revokeSession},
	}
	for _, rt := range routes {
		mux.Handle(rt.pattern, n.wrap(rt.role, rt.h))
	}
	n.registerIntegrations(mux)
}

const newsroomCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// securityHeaders go on every newsroom response: no inline script or
// style, no framing, no caching of pages that show unpublished work.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", newsroomCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
}

// maxFormBytes bounds a non-upload form: a 1 MiB body, URL-encoded.
const maxFormBytes = 4 << 20

// wrap applies headers, the session, the role and CSRF checks, then runs h
// and turns its error into a page.
func (n *Newsroom) wrap(role news.Role, h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w.Header())
		c := &call{}
		unsafe := r.Method != http.MethodGet && r.Method != http.MethodHead
		if unsafe {
			limit := int64(maxFormBytes)
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
				limit = n.cfg.MaxUploadBytes + 1<<20
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			if !auth.SameOrigin(r, n.paper().BaseURL) {
				n.fail(w, r, c, news.Errorf(news.EFORBIDDEN, "This form was sent from another site and was refused."))
				return
			}
		}
		if role != public {
			if tok, err := r.Cookie(auth.CookieName); err == nil {
				s, u, err := n.sessions.Lookup(r.Context(), tok.Value)
				if err != nil && !errors.Is(err, news.ErrUnauthorized) {
					n.failSave(w, r, c, err)
					return
				}
				c.sess, c.user = s, u
			}
			if c.user == nil {
				if !unsafe {
					http.Redirect(w, r, "/newsroom/signin?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
					return
				}
				n.failSave(w, r, c, news.Errorf(news.EUNAUTHORIZED, "Your session has ended. Sign in again (in another tab, to keep this page)."))
				return
			}
			if unsafe {
				if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
					if err := r.ParseMultipartForm(1 << 20); err != nil {
						n.fail(w, r, c, tooBig(err))
						return
					}
				}
				if !auth.ValidCSRF(c.sess, auth.CSRFToken(r)) {
					n.fail(w, r, c, news.Errorf(news.EFORBIDDEN, "The form had expired. Go back, reload the page and try again."))
					return
				}
			}
			if !workflow.AtLeast(c.user, role) {
				n.fail(w, r, c, news.Errorf(news.EFORBIDDEN, "Your role (%s) may not open this page.", c.user.Role))
				return
			}
		}
		if err := h(w, r, c); err != nil {
			n.fail(w, r, c, err)
		}
	})
}

// failSave is fail, except for a story's save: the writer's text comes
// back with the message rather than an error page.
func (n *Newsroom) failSave(w http.ResponseWriter, r *http.Request, c *call, err error) {
	p := r.URL.Path
	if r.Method != http.MethodPost || !(p == "/newsroom/stories" || (strings.HasPrefix(p, "/newsroom/stories/") && strings.Count(p, "/") == 3)) {
		n.fail(w, r, c, err)
		return
	}
	status, msg := saveFailure(err)
	if status >= 500 {
		n.log.ErrorContext(r.Context(), "newsroom: save failed", "path", p, "err", err)
	}
	_ = r.ParseForm()
	n.unsaved(w, r, c, status, msg)
}

func tooBig(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return news.Errorf(news.EINVALID, "The upload is larger than %s.", humanBytes(mbe.Limit))
	}
	return news.Errorf(news.EINVALID, "The form could not be read.")
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// fail answers with an error page, or JSON to the editor's scripts, with
// the status and message httpx.Fail chose (which logs what is our fault, in
// full).
func (n *Newsroom) fail(w http.ResponseWriter, r *http.Request, c *call, err error) {
	prob := httpx.Fail(n.log, r, err)
	if r.Header.Get("X-Requested-With") == "fetch" {
		httpx.WriteProblemJSON(w, prob)
		return
	}
	p := &errorPage{Status: prob.Status, Message: prob.Message}
	p.Title = http.StatusText(prob.Status)
	n.render(w, r, c, prob.Status, "error", p)
}

// mediaFile serves a photo to signed-in staff (Config.MediaFiles).
func (n *Newsroom) mediaFile(w http.ResponseWriter, r *http.Request, c *call) error {
	if n.cfg.MediaFiles == nil {
		return news.Errorf(news.ENOTFOUND, "There is no such photo.")
	}
	// The newsroom's headers say no-store; a photo may be kept privately.
	w.Header().Del("Cache-Control")
	n.cfg.MediaFiles.ServeHTTP(w, r)
	return nil
}

func (n *Newsroom) redirectHome(w http.ResponseWriter, r *http.Request, c *call) error {
	http.Redirect(w, r, "/newsroom/", http.StatusMovedPermanently)
	return nil
}

func (n *Newsroom) notFound(w http.ResponseWriter, r *http.Request, c *call) error {
	return news.Errorf(news.ENOTFOUND, "There is no such page in the newsroom.")
}

// secure tells whether cookies get the Secure flag.
func (n *Newsroom) secure(r *http.Request) bool {
	return n.cfg.Secure || r.TLS != nil || strings.HasPrefix(n.paper().BaseURL, "https://")
}

// paper is the paper's settings as they are now (news.Live).
func (n *Newsroom) paper() *news.Paper { return n.live.Current() }
