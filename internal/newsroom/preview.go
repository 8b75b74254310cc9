package newsroom

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"masthead/internal/content"
	"masthead/internal/news"
	"masthead/internal/workflow"
)

// Full-page previews: the story as readers will see its page, rendered by
// the reader site (Config.Preview), at desktop and phone widths, and as a
// link that works for a reviewer outside the newsroom until it expires.
// Preview pages are never cached or indexed (internal/site.Site.Preview).

type previewPage struct {
	base
	Article   *news.Article
	ShareURL  string
	ShareTill string
	Days      []int
}

func (n *Newsroom) previewOff() error {
	if n.cfg.Preview == nil {
		return news.Errorf(news.ENOTFOUND, "Previews are not available here.")
	}
	return nil
}

// previewFrame is the newsroom page around a preview: the reader page in a
// frame, with desktop and phone widths, and the share form.
func (n *Newsroom) previewFrame(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := n.previewOff(); err != nil {
		return err
	}
	a, err := n.story(r, c)
	if err != nil {
		return err
	}
	p := &previewPage{Article: a, Days: []int{1, 3, 7, 14, 30}}
	p.Title, p.Nav = "Preview: "+a.Headline, "stories"
	// This page frames the preview, which is ours.
	w.Header().Set("Content-Security-Policy", strings.Replace(newsroomCSP, "default-src 'none';", "default-src 'none'; frame-src 'self';", 1))
	n.render(w, r, c, http.StatusOK, "preview", p)
	return nil
}

// previewSaved is the saved story as its page.
func (n *Newsroom) previewSaved(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := n.previewOff(); err != nil {
		return err
	}
	a, err := n.story(r, c)
	if err != nil {
		return err
	}
	n.cfg.Preview(w, r, a)
	return nil
}

// previewDraft is the story form as it is, unsaved, as its page: the
// editor's Preview button posts the form here (in a new tab).
func (n *Newsroom) previewDraft(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := n.previewOff(); err != nil {
		return err
	}
	a, err := n.story(r, c)
	if err != nil {
		return err
	}
	d, err := n.parseDraft(r)
	if err != nil {
		return err
	}
	p, err := n.draftArticle(r.Context(), a, d)
	if err != nil {
		return err
	}
	n.cfg.Preview(w, r, p)
	return nil
}

// draftArticle is a copy of a with the draft's text and placement, for a
// preview: nothing is written (tags are shown by name, not created).
func (n *Newsroom) draftArticle(ctx context.Context, a *news.Article, d workflow.Draft) (*news.Article, error) {
	p := *a
	if h := strings.TrimSpace(d.Headline); h != "" {
		p.Headline = h
	}
	p.Deck = strings.TrimSpace(d.Deck)
	switch {
	case d.HTMLBody:
		if len(d.BodyHTML) > workflow.MaxBody {
			return nil, news.Errorf(news.EINVALID, "The body is too long to preview.")
		}
		p.BodyHTML = content.Normalize(d.BodyHTML)
	case d.BodyMarkdown != "":
		h, err := workflow.RenderBody(d.BodyMarkdown)
		if err != nil {
			return nil, err
		}
		p.BodyHTML = h
	}
	if d.SectionID != a.SectionID {
		p.SectionID, p.Section = d.SectionID, nil
		if d.SectionID != 0 {
			s, err := n.store.FindSectionByID(ctx, d.SectionID)
			if err != nil && !errors.Is(err, news.ErrNotFound) {
				return nil, err
			}
			p.Section = s
		}
	}
	if len(d.AuthorIDs) > 0 {
		p.Authors = nil
		for _, id := range d.AuthorIDs {
			au, err := n.store.FindAuthorByID(ctx, id)
			if errors.Is(err, news.ErrNotFound) {
				continue
			} else if err != nil {
				return nil, err
			}
			p.Authors = append(p.Authors, au)
		}
	}
	p.Tags = nil
	for _, t := range d.Tags {
		if s := news.Slugify(t); s != "" {
			p.Tags = append(p.Tags, &news.Tag{Slug: s, Name: t})
		}
	}
	return &p, nil
}

// Preview links: /preview/TOKEN, where TOKEN carries the story id and the
// expiry, signed with the paper's preview secret. There is nothing to store
// or clean up; a link stops working when it expires (or when the secret
// setting is replaced, which ends every link).

const previewSecretKey = "preview_secret"

func (n *Newsroom) previewSecret(ctx context.Context) ([]byte, error) {
	v, err := n.store.GetSetting(ctx, previewSecretKey)
	if errors.Is(err, news.ErrNotFound) {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		if err := n.store.PutSetting(ctx, previewSecretKey, hex.EncodeToString(b)); err != nil {
			return nil, err
		}
		// Read it back: another node may have written its own first.
		v, err = n.store.GetSetting(ctx, previewSecretKey)
	}
	if err != nil {
		return nil, err
	}
	return hex.DecodeString(v)
}

func previewMAC(secret []byte, id, exp int64) []byte {
	m := hmac.New(sha256.New, secret)
	fmt.Fprintf(m, "preview:%d:%d", id, exp)
	return m.Sum(nil)[:16]
}

func previewToken(secret []byte, id int64, exp time.Time) string {
	b := make([]byte, 16, 32)
	binary.BigEndian.PutUint64(b[0:8], uint64(id))
	binary.BigEndian.PutUint64(b[8:16], uint64(exp.Unix()))
	b = append(b, previewMAC(secret, id, exp.Unix())...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// parsePreviewToken returns the story id of a valid, unexpired token.
func parsePreviewToken(secret []byte, tok string, now time.Time) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) != 32 {
		return 0, false
	}
	id := int64(binary.BigEndian.Uint64(b[0:8]))
	exp := int64(binary.BigEndian.Uint64(b[8:16]))
	if !hmac.Equal(b[16:], previewMAC(secret, id, exp)) || now.Unix() >= exp || id <= 0 {
		return 0, false
	}
	return id, true
}

// sharePreview makes a preview link for the story, valid for the chosen
// number of days.
func (n *Newsroom) sharePreview(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := n.previewOff(); err != nil {
		return err
	}
	a, err := n.story(r, c)
	if err != nil {
		return err
	}
	days, err := strconv.Atoi(r.PostFormValue("days"))
	if err != nil || days < 1 || days > 30 {
		return news.Errorf(news.EINVALID, "A preview link lasts 1 to 30 days.")
	}
	secret, err := n.previewSecret(r.Context())
	if err != nil {
		return err
	}
	exp := n.clock.Now().Add(time.Duration(days) * 24 * time.Hour).Truncate(time.Second)
	p := &previewPage{Article: a, Days: []int{1, 3, 7, 14, 30},
		ShareURL:  n.paper().AbsURL("/preview/" + previewToken(secret, a.ID, exp)),
		ShareTill: exp.In(n.paper().Loc()).Format("2006-01-02 15:04 MST")}
	p.Title, p.Nav = "Preview: "+a.Headline, "stories"
	_ = workflow.Audit(r.Context(), n.store, n.clock, c.user, "preview_link", a.ID, "until "+exp.UTC().Format(time.RFC3339))
	w.Header().Set("Content-Security-Policy", strings.Replace(newsroomCSP, "default-src 'none';", "default-src 'none'; frame-src 'self';", 1))
	n.render(w, r, c, http.StatusOK, "preview", p)
	return nil
}

// sharedPreview serves a preview link to anyone who has it: the story as
// saved now, as its page.
func (n *Newsroom) sharedPreview(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := n.previewOff(); err != nil {
		return err
	}
	w.Header().Set("X-Robots-Tag", "noindex, nofollow, noarchive")
	secret, err := n.previewSecret(r.Context())
	if err != nil {
		return err
	}
	id, ok := parsePreviewToken(secret, r.PathValue("token"), n.clock.Now())
	if !ok {
		return news.Errorf(news.ENOTFOUND, "This preview link is not valid or has expired. Ask the newsroom for a new one.")
	}
	a, err := n.store.FindArticleByID(r.Context(), id)
	if err != nil {
		return err
	}
	n.cfg.Preview(w, r, a)
	return nil
}
