package newsroom

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	"masthead/internal/httpx"
	"masthead/internal/news"
	"masthead/internal/workflow"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// base is what every page shows: who is signed in, the CSRF token for its
// forms, and a message from the previous action.
type base struct {
	Title string
	User  *news.User
	CSRF  string
	Paper *news.Paper
	Flash string
	Nav   string
}

func (b *base) basePtr() *base { return b }

type pageData interface{ basePtr() *base }

type errorPage struct {
	base
	Status  int
	Message string
}

// pages holds one template set per page: the layout plus that page, so
// pages can define the same blocks.
type pages struct{ t map[string]*template.Template }

// pageNames lists every page template (templates/NAME.html).
var pageNames = []string{"error", "signin", "dashboard", "stories", "editor", "revisions", "diff",
	"frontpage", "audit", "users", "sections", "account", "unsaved", "confirm", "preview", "media", "mediaphoto", "settings", "forgot", "reset", "authors", "author", "tags", "trash", "pages", "page", "inbox"}

func parsePages() (*pages, error) {
	p := &pages{t: map[string]*template.Template{}}
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		p.t[name] = t
	}
	return p, nil
}

// render executes page name into a buffer first, so a template error never
// sends half a page.
func (n *Newsroom) render(w http.ResponseWriter, r *http.Request, c *call, status int, name string, data pageData) {
	b := data.basePtr()
	b.Paper = n.paper()
	if c != nil && c.user != nil {
		b.User = c.user
		b.CSRF = c.sess.CSRFToken
	}
	if b.Flash == "" {
		b.Flash = flashes[r.URL.Query().Get("done")]
	}
	var buf bytes.Buffer
	t := n.pages.t[name]
	// The page renders into a buffer first, so a template error is a
	// plain error answer, never half a page.
	if t == nil {
		httpx.WriteTextError(w, r, n.log, fmt.Errorf("newsroom: no page %q", name))
		return
	}
	if err := t.Execute(&buf, data); err != nil {
		httpx.WriteTextError(w, r, n.log, fmt.Errorf("newsroom: render %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// flashes are the messages a redirect after a POST may ask for (?done=...),
// fixed texts so that a link cannot put words on our page.
var flashes = map[string]string{
	"created":         "Draft created.",
	"saved":           "Saved.",
	"submit":          "Submitted for review.",
	"withdraw":        "Moved back to draft.",
	"publish":         "Published.",
	"schedule":        "Scheduled.",
	"unpublish":       "Unpublished.",
	"corrected":       "Note added to the story.",
	"restored":        "Revision restored.",
	"photo":           "Photo saved.",
	"replaced":        "Photo replaced in every story that used it.",
	"note":            "Note added.",
	"settings":        "Settings saved.",
	"password-set":    "Your password is set. Sign in with it.",
	"invited":         "Invitation sent.",
	"author":          "Profile saved.",
	"section-saved":   "Section saved.",
	"section-merged":  "Sections merged: the old address now sends readers to the other section.",
	"section-deleted": "Section deleted.",
	"tag":             "Tag renamed.",
	"tag-merged":      "Tags merged.",
	"deleted":         "Story moved to the trash.",
	"undeleted":       "Story restored from the trash.",
	"discarded":       "Your unsaved changes were discarded.",
	"frontpage":       "Front page saved.",
	"user":            "Account saved.",
	"password":        "Password changed. Your other sessions were signed out.",
	"revoked":         "Session signed out.",
	"section":         "Section added.",
	"signed-out":      "Signed out.",
	"page-created":    "Page created (a draft).",
	"page-saved":      "Page saved.",
	"page-publish":    "Page published.",
	"page-unpublish":  "Page unpublished.",
	"page-delete":     "Page deleted.",
	"message-handled": "Message marked as handled.",
}

func (n *Newsroom) static(w http.ResponseWriter, r *http.Request, c *call) error {
	name := r.PathValue("file")
	if strings.Contains(name, "/") || strings.HasPrefix(name, ".") {
		return news.ErrNotFound
	}
	as, ok := staticAssets()[name]
	if !ok {
		return news.Errorf(news.ENOTFOUND, "Not found.")
	}
	w.Header().Set("Content-Type", as.ctype)
	// Pages link assets with ?v=HASH (staticURL): such a URL never changes
	// content, so browsers keep it; other requests revalidate.
	if r.URL.Query().Get("v") == as.hash {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.Header().Set("ETag", `"`+as.hash+`"`)
	w.Header().Add("Vary", "Accept-Encoding")
	if r.Header.Get("If-None-Match") == `"`+as.hash+`"` {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	body := as.data
	if as.gz != nil && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		w.Header().Set("Content-Encoding", "gzip")
		body = as.gz
	}
	_, _ = w.Write(body)
	return nil
}

type staticAsset struct {
	data, gz    []byte
	ctype, hash string
}

// staticAssets reads the embedded assets once: their content hashes for
// the URLs and, for the editor's 400 KB script, a gzip copy.
var staticAssets = sync.OnceValue(func() map[string]*staticAsset {
	out := map[string]*staticAsset{}
	entries, _ := fs.ReadDir(staticFS, "static")
	for _, e := range entries {
		ctype := map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}[path.Ext(e.Name())]
		if ctype == "" {
			continue
		}
		b, err := fs.ReadFile(staticFS, "static/"+e.Name())
		if err != nil {
			continue
		}
		sum := sha256.Sum256(b)
		a := &staticAsset{data: b, ctype: ctype, hash: hex.EncodeToString(sum[:6])}
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		_, _ = zw.Write(b)
		_ = zw.Close()
		if gz.Len() < len(b)*9/10 {
			a.gz = gz.Bytes()
		}
		out[e.Name()] = a
	}
	return out
})

// staticURL is the address of an asset with its content hash.
func staticURL(name string) string {
	if a, ok := staticAssets()[name]; ok {
		return "/newsroom/static/" + name + "?v=" + a.hash
	}
	return "/newsroom/static/" + name
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

var funcs = template.FuncMap{
	"static": staticURL,
	"datetime": func(p *news.Paper, t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(p.Loc()).Format("2006-01-02 15:04 MST")
	},
	"dtlocal": func(p *news.Paper, t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(p.Loc()).Format("2006-01-02T15:04")
	},
	"can": func(u *news.User, act string, a *news.Article) bool {
		return workflow.Can(u, workflow.Action(act), a)
	},
	"canmove": func(u *news.User, act string, a *news.Article) bool {
		return a != nil && workflow.Can(u, workflow.Action(act), a) && workflow.CanMove(workflow.Action(act), a.Status)
	},
	"atleast": func(u *news.User, r string) bool { return workflow.AtLeast(u, news.Role(r)) },
	"articleURL": func(p *news.Paper, a *news.Article) string {
		return p.ArticlePath(a)
	},
	// Staff see photos through the newsroom, where a draft's photo is
	// served (readers get 404 for it at its public URL).
	"photoURL": func(p *news.Paper, ph *news.Photo, w int) string { return "/newsroom" + p.PhotoPath(ph, w) },
	"hasID": func(ids []int64, id int64) bool {
		for _, x := range ids {
			if x == id {
				return true
			}
		}
		return false
	},
	"bylines": func(as []*news.Author) string {
		var s []string
		for _, a := range as {
			s = append(s, a.Name)
		}
		return strings.Join(s, ", ")
	},
	"tagList": func(ts []string) string { return strings.Join(ts, ", ") },
	"minutes": func(d time.Duration) string {
		m := int(d.Round(time.Minute) / time.Minute)
		if m < 1 {
			return "under a minute"
		}
		if m == 1 {
			return "1 minute"
		}
		return fmt.Sprintf("%d minutes", m)
	},
	"add": func(a, b int) int { return a + b },
	"roles": func() []news.Role {
		return []news.Role{news.RoleContributor, news.RoleReporter, news.RoleEditor, news.RoleAdmin}
	},
	"kinds": func() []news.CorrectionKind {
		return []news.CorrectionKind{news.KindCorrection, news.KindClarification, news.KindUpdate}
	},
}
