package newsroom

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"masthead/internal/content"
	"masthead/internal/httpx"
	"masthead/internal/news"
	"masthead/internal/workflow"
)

// The rich editor's helpers: what it asks the server while a writer works.
// The body it saves goes through the story form like any other field.

// inlinePhoto is the answer to an upload from the editor: where the photo
// is and how big, to put in a figure.
type inlinePhoto struct {
	ID      int64  `json:"id"`
	Src     string `json:"src"`
	Width   int    `json:"width,omitempty"`
	Height  int    `json:"height,omitempty"`
	Caption string `json:"caption"`
	Credit  string `json:"credit"`
	Alt     string `json:"alt"`
}

// bodyWidth is the rendition a photo inside a story shows: the widest that
// fits the reading column at twice its density.
const bodyWidth = 1280

// inlineOf says where a body figure finds photo p.
func (n *Newsroom) inlineOf(p *news.Photo) inlinePhoto {
	out := inlinePhoto{ID: p.ID, Caption: p.Caption, Credit: p.Credit, Alt: p.Alt, Src: n.paper().PhotoPath(p, 0)}
	w := 0
	for _, x := range p.Widths {
		if x <= bodyWidth || w == 0 {
			w = x
		}
	}
	if w > 0 {
		out.Src = n.paper().PhotoPath(p, w)
		if p.Width > 0 {
			out.Width, out.Height = w, (p.Height*w+p.Width/2)/p.Width
		}
	} else if p.Width > 0 {
		out.Width, out.Height = p.Width, p.Height
	}
	return out
}

// uploadInline takes a photo dropped, pasted or picked in the editor. It is
// the photo desk's upload (the same checks and renditions as a lead photo)
// without touching the story: the editor puts the figure in the body, and
// the body is saved with the rest of the story.
func (n *Newsroom) uploadInline(w http.ResponseWriter, r *http.Request, c *call) error {
	if n.cfg.Media == nil {
		return news.Errorf(news.ENOTFOUND, "The photo desk is not configured.")
	}
	if !workflow.Can(c.user, workflow.ActCreate, nil) {
		return news.ErrForbidden
	}
	file, hdr, err := r.FormFile("file")
	if errors.Is(err, http.ErrMissingFile) {
		return news.Errorf(news.EINVALID, "Choose an image file to upload.")
	} else if err != nil {
		return tooBig(err)
	}
	defer file.Close()
	ph := &news.Photo{FocalX: 0.5, FocalY: 0.5}
	for _, f := range []struct {
		dst  *string
		name string
	}{{&ph.Caption, "caption"}, {&ph.Credit, "credit"}, {&ph.Alt, "alt"}} {
		*f.dst = strings.TrimSpace(r.PostFormValue(f.name))
		if utf8.RuneCountInString(*f.dst) > 1000 {
			return news.Errorf(news.EINVALID, "Caption, credit and alt text are at most 1000 characters each.")
		}
	}
	if err := n.uploadPhoto(r.Context(), ph, file, hdr); err != nil {
		return err
	}
	_ = workflow.Audit(r.Context(), n.store, n.clock, c.user, "photo", 0, fmt.Sprintf("photo %d uploaded in the editor", ph.ID))
	httpx.WriteJSON(w, http.StatusCreated, n.inlineOf(ph))
	return nil
}

type embedAnswer struct {
	Provider string `json:"provider"`
	ID       string `json:"id"`
	URL      string `json:"url"`
	Label    string `json:"label"`
}

// embedInfo tells the editor whether an address can be embedded, in the
// canonical form the body will store.
func (n *Newsroom) embedInfo(w http.ResponseWriter, r *http.Request, c *call) error {
	e, ok := content.EmbedOf(r.PostFormValue("url"))
	if !ok {
		return news.Errorf(news.EINVALID, "That is not the address of a YouTube video, an X post or an Instagram post.")
	}
	httpx.WriteJSON(w, http.StatusOK, embedAnswer{Provider: e.Provider, ID: e.ID, URL: e.URL, Label: e.ProviderName()})
	return nil
}

// markdownExport answers the story form's "Download as Markdown" with the
// body being edited (saved or not) as a Markdown file.
func (n *Newsroom) markdownExport(w http.ResponseWriter, r *http.Request, c *call) error {
	body := r.PostFormValue("body_html")
	if _, ok := r.PostForm["body_html"]; !ok {
		var err error
		if body, err = workflow.RenderBody(r.PostFormValue("body")); err != nil {
			return err
		}
	}
	if len(body) > workflow.MaxBody {
		return news.Errorf(news.EINVALID, "The body is longer than %d bytes.", workflow.MaxBody)
	}
	writeMarkdown(w, r.PostFormValue("headline"), r.PostFormValue("deck"), body)
	return nil
}

// storyMarkdown is the saved story's body as a Markdown file.
func (n *Newsroom) storyMarkdown(w http.ResponseWriter, r *http.Request, c *call) error {
	a, err := n.story(r, c)
	if err != nil {
		return err
	}
	writeMarkdown(w, a.Headline, a.Deck, a.BodyHTML)
	return nil
}

func writeMarkdown(w http.ResponseWriter, headline, deck, body string) {
	var b strings.Builder
	if h := strings.TrimSpace(headline); h != "" {
		b.WriteString("# " + h + "\n\n")
	}
	if d := strings.TrimSpace(deck); d != "" {
		b.WriteString("*" + d + "*\n\n")
	}
	b.WriteString(content.ToMarkdown(body))
	name := news.Slugify(headline)
	if name == "" || !isASCII(name) {
		name = "story"
	}
	w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.md"`)
	_, _ = w.Write([]byte(b.String()))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
