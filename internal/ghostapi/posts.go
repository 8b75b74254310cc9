package ghostapi

import (
	"context"
	"html"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"masthead/internal/content"
	"masthead/internal/ghostapi/nql"
	"masthead/internal/news"
)

func (a *API) featured(ctx context.Context) ([]int64, error) {
	if a.cfg.FrontPage == nil {
		return nil, nil
	}
	return a.cfg.FrontPage(ctx)
}

// browsePosts serves GET posts/.
func (a *API) browsePosts(w http.ResponseWriter, r *http.Request, q *query) error {
	ctx := r.Context()
	name := "posts"
	front, err := a.featured(ctx)
	if err != nil {
		return err
	}
	aq := news.ArticleQuery{PublicAt: a.clock.Now(), Limit: q.pageSize(), Offset: (q.page - 1) * q.pageSize()}
	if q.filter != "" {
		n, err := nql.Parse(q.filter)
		if err != nil {
			return badRequest("Error parsing filter: %s", err.Error())
		}
		if aq.Where, err = postCond(n, front, a.clock.Now()); err != nil {
			return err
		}
	}
	if aq.Order, err = parseOrder(q.order); err != nil {
		return err
	}
	ids, total, err := a.store.QueryArticleIDs(ctx, aq)
	if err != nil {
		return err
	}
	arts, err := a.load(ctx, ids)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(arts))
	for _, art := range arts {
		out = append(out, pick(a.postJSON(art, q, front), q.fields))
	}
	writeOK(w, map[string]any{name: out, "meta": q.meta(total)})
	return nil
}

// load reads the stories of ids, in that order, keeping only those still
// public (one may have been unpublished between the two reads).
func (a *API) load(ctx context.Context, ids []int64) ([]*news.Article, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	arts, _, err := a.store.FindArticles(ctx, news.ArticleFilter{IDs: ids, PublicAt: a.clock.Now(), Limit: len(ids), NoTotal: true})
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*news.Article, len(arts))
	for _, art := range arts {
		byID[art.ID] = art
	}
	out := make([]*news.Article, 0, len(ids))
	for _, id := range ids {
		if art := byID[id]; art != nil {
			out = append(out, art)
		}
	}
	return out, nil
}

// readPost serves GET posts/{id}/ and posts/slug/{slug}/: a list of one,
// without meta (Ghost's clients then return the object itself).
func (a *API) readPost(w http.ResponseWriter, r *http.Request, q *query, id, slug string) error {
	ctx := r.Context()
	notFound := news.Errorf(news.ENOTFOUND, "Post not found.")
	var art *news.Article
	var err error
	if slug != "" {
		art, err = a.store.FindArticleBySlug(ctx, slug)
		if err == nil && art.Slug != slug {
			// A former slug: Ghost knows only current ones.
			err = notFound
		}
	} else {
		n, perr := strconv.ParseInt(id, 10, 64)
		if perr != nil || n <= 0 {
			return notFound
		}
		art, err = a.store.FindArticleByID(ctx, n)
	}
	if news.ErrorCode(err) == news.ENOTFOUND || err == nil && !art.IsPublicAt(a.clock.Now()) {
		return notFound
	} else if err != nil {
		return err
	}
	front, err := a.featured(ctx)
	if err != nil {
		return err
	}
	writeOK(w, map[string]any{"posts": []any{pick(a.postJSON(art, q, front), q.fields)}})
	return nil
}

// ghostTime is how Ghost writes times: UTC, milliseconds, an offset.
func ghostTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05.000-07:00")
}

func orNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// readingTime is Ghost's: minutes at 275 words a minute, at least one.
func readingTime(text string) int {
	words := len(strings.Fields(text))
	return max(1, int(math.Round(float64(words)/275)))
}

func (a *API) postJSON(art *news.Article, q *query, front []int64) map[string]any {
	p := a.paper()
	plain := content.PlainText(art.BodyHTML)
	excerpt := art.Deck
	if excerpt == "" {
		excerpt = content.Excerpt(plain, 500)
	}
	id := strconv.FormatInt(art.ID, 10)
	obj := map[string]any{
		"id": id, "uuid": a.uuid("post", art.ID), "title": art.Headline, "slug": art.Slug,
		"comment_id": id, "featured": slices.Contains(front, art.ID), "visibility": "public",
		"created_at": ghostTime(art.CreatedAt), "updated_at": ghostTime(art.LastModified()), "published_at": ghostTime(art.PublishedAt),
		"custom_excerpt": orNull(art.Deck), "codeinjection_head": nil, "codeinjection_foot": nil, "custom_template": nil,
		"canonical_url": nil, "url": p.AbsURL(p.ArticlePath(art)), "excerpt": excerpt, "reading_time": readingTime(plain),
		"access": true, "comments": false,
		"og_image": nil, "og_title": nil, "og_description": nil, "twitter_image": nil, "twitter_title": nil, "twitter_description": nil,
		"meta_title": orNull(art.SEOTitle), "meta_description": orNull(art.SEODescription), "email_subject": nil, "frontmatter": nil,
		"feature_image": nil, "feature_image_alt": nil, "feature_image_caption": nil,
	}
	if q.formats["html"] {
		obj["html"] = art.BodyHTML
	}
	if q.formats["plaintext"] {
		obj["plaintext"] = plain
	}
	if ph := art.Photo; ph.HasFile() {
		obj["feature_image"] = p.AbsURL(p.PhotoPath(ph, 0))
		obj["feature_image_alt"] = orNull(ph.Alt)
		// Ghost's caption is HTML, and has no credit of its own: the
		// credit follows the caption, as the paper prints it.
		caption := html.EscapeString(ph.Caption)
		if ph.Credit != "" {
			caption = strings.TrimSpace(caption + " (" + html.EscapeString(ph.Credit) + ")")
		}
		obj["feature_image_caption"] = orNull(caption)
	}
	if q.include["tags"] {
		tags := a.postTags(art)
		obj["tags"] = tags
		obj["primary_tag"] = nil
		if len(tags) > 0 {
			obj["primary_tag"] = tags[0]
		}
	}
	if q.include["authors"] {
		authors := make([]map[string]any, 0, len(art.Authors))
		for _, au := range art.Authors {
			authors = append(authors, a.authorJSON(au, nil))
		}
		obj["authors"] = authors
		obj["primary_author"] = nil
		if len(authors) > 0 {
			obj["primary_author"] = authors[0]
		}
	}
	return obj
}

// postTags are a story's section (its primary tag) then its tags, each
// slug once.
func (a *API) postTags(art *news.Article) []map[string]any {
	out := []map[string]any{}
	seen := map[string]bool{}
	if s := art.Section; s != nil {
		out = append(out, a.sectionTagJSON(s, nil))
		seen[s.Slug] = true
	}
	for _, t := range art.Tags {
		if !seen[t.Slug] {
			seen[t.Slug] = true
			out = append(out, a.tagJSON(t, nil))
		}
	}
	return out
}

// parseOrder reads Ghost's "published_at desc, title asc".
func parseOrder(s string) ([]news.OrderBy, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []news.OrderBy
	for _, part := range strings.Split(s, ",") {
		f := strings.Fields(part)
		if len(f) == 0 || len(f) > 2 {
			return nil, badRequest("Validation error: order %q is not \"field [asc|desc]\".", part)
		}
		field := strings.ToLower(f[0])
		if field == "title" {
			field = "headline"
		}
		if !news.ValidOrderField(field) {
			return nil, badRequest("Validation error: cannot order posts by %q (use published_at, updated_at, created_at, title, slug, id).", f[0])
		}
		desc := false
		if len(f) == 2 {
			switch strings.ToLower(f[1]) {
			case "asc":
			case "desc":
				desc = true
			default:
				return nil, badRequest("Validation error: order direction %q is not asc or desc.", f[1])
			}
		}
		out = append(out, news.OrderBy{Field: field, Desc: desc})
	}
	return out, nil
}

// never and always are conditions no story, or every story, meets.
func never() news.Cond             { return news.Cond{Field: "id", Op: news.CondIn, IDs: []int64{}} }
func always() news.Cond            { n := never(); return news.Cond{Not: &n} }
func negate(c news.Cond) news.Cond { return news.Cond{Not: &c} }

// postCond maps a parsed filter onto the stories' fields.
func postCond(n *nql.Node, front []int64, now time.Time) (*news.Cond, error) {
	c, err := postCondValue(n, front, now)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

func postCondValue(n *nql.Node, front []int64, now time.Time) (news.Cond, error) {
	if n.And != nil || n.Or != nil {
		var parts []news.Cond
		for _, sub := range append(n.And, n.Or...) {
			c, err := postCondValue(sub, front, now)
			if err != nil {
				return news.Cond{}, err
			}
			parts = append(parts, c)
		}
		if n.And != nil {
			return news.Cond{And: parts}, nil
		}
		return news.Cond{Or: parts}, nil
	}
	c, err := leaf(n, front, now)
	if err != nil {
		return news.Cond{}, err
	}
	if n.Not {
		c = negate(c)
	}
	return c, nil
}

func unsupported(n *nql.Node) error {
	return badRequest("Error parsing filter: %q %s is not supported here.", n.Prop, opName(n))
}

func opName(n *nql.Node) string {
	if n.Op == "" {
		return "equality"
	}
	return "with " + n.Op
}

// texts returns the values as text, refusing null and booleans.
func texts(n *nql.Node) ([]string, error) {
	var out []string
	for _, v := range n.Values {
		if v.Kind != "string" && v.Kind != "literal" {
			return nil, badRequest("Error parsing filter: %s takes text, not %s.", n.Prop, v.Kind)
		}
		out = append(out, v.Text)
	}
	return out, nil
}

func leaf(n *nql.Node, front []int64, now time.Time) (news.Cond, error) {
	eq := func(field string) (news.Cond, error) {
		if n.Op != "" {
			return news.Cond{}, unsupported(n)
		}
		vals, err := texts(n)
		if err != nil {
			return news.Cond{}, err
		}
		return news.Cond{Field: field, Op: news.CondIn, Values: vals}, nil
	}
	switch n.Prop {
	case "tag", "tags", "tags.slug":
		c, err := eq("tag")
		if err != nil {
			return c, err
		}
		// A section is a story's primary tag.
		return news.Cond{Or: []news.Cond{c, {Field: "section", Op: news.CondIn, Values: c.Values}}}, nil
	case "primary_tag", "primary_tag.slug":
		return eq("section")
	case "author", "authors", "authors.slug":
		return eq("author")
	case "primary_author", "primary_author.slug":
		return eq("primary_author")
	case "slug", "title":
		field := n.Prop
		if field == "title" {
			field = "headline"
		}
		if n.Op == "~" {
			vals, err := texts(n)
			if err != nil || n.List {
				return news.Cond{}, unsupported(n)
			}
			return news.Cond{Field: field, Op: news.CondContains, Values: vals}, nil
		}
		return eq(field)
	case "id":
		if n.Op != "" {
			return news.Cond{}, unsupported(n)
		}
		c := news.Cond{Field: "id", Op: news.CondIn, IDs: []int64{}}
		for _, v := range n.Values {
			id, err := strconv.ParseInt(v.Text, 10, 64)
			if err == nil {
				c.IDs = append(c.IDs, id)
			}
		}
		return c, nil
	case "featured":
		if n.Op != "" || len(n.Values) != 1 || (n.Values[0].Kind != "true" && n.Values[0].Kind != "false") {
			return news.Cond{}, badRequest("Error parsing filter: featured takes true or false.")
		}
		c := news.Cond{Field: "id", Op: news.CondIn, IDs: append([]int64{}, front...)}
		if n.Values[0].Kind == "false" {
			c = negate(c)
		}
		return c, nil
	case "visibility", "status", "type":
		if n.Op != "" {
			return news.Cond{}, unsupported(n)
		}
		vals, err := texts(n)
		if err != nil {
			return news.Cond{}, err
		}
		// Everything the Content API shows is a public, published post.
		want := map[string]string{"visibility": "public", "status": "published", "type": "post"}[n.Prop]
		if slices.Contains(vals, want) {
			return always(), nil
		}
		return never(), nil
	case "feature_image":
		if n.Op != "" || len(n.Values) != 1 || n.Values[0].Kind != "null" {
			return news.Cond{}, unsupported(n)
		}
		return news.Cond{Field: "photo", Op: news.CondNull}, nil
	case "published_at", "updated_at", "created_at":
		ops := map[string]string{">": news.CondGT, ">=": news.CondGTE, "<": news.CondLT, "<=": news.CondLTE}
		op, ok := ops[n.Op]
		if !ok || len(n.Values) != 1 || n.List {
			return news.Cond{}, badRequest("Error parsing filter: %s takes a comparison: %s:>'2026-01-02 15:04:05'.", n.Prop, n.Prop)
		}
		t, err := parseTime(n.Values[0], now)
		if err != nil {
			return news.Cond{}, err
		}
		return news.Cond{Field: n.Prop, Op: op, Time: t}, nil
	}
	return news.Cond{}, badRequest("Error parsing filter: unknown property %q (masthead filters posts by tag, primary_tag, author, primary_author, featured, published_at, updated_at, created_at, slug, title, id, visibility, feature_image).", n.Prop)
}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"}

// parseTime reads a filter's time: ISO forms (without a zone: UTC, as
// Ghost reads them) or now±N units.
func parseTime(v nql.Value, now time.Time) (time.Time, error) {
	if v.Kind == "relative" {
		if v.Text == "" {
			return now, nil
		}
		n, _ := strconv.Atoi(v.Text[1 : len(v.Text)-1])
		if v.Text[0] == '-' {
			n = -n
		}
		switch v.Text[len(v.Text)-1] {
		case 'd':
			return now.AddDate(0, 0, n), nil
		case 'w':
			return now.AddDate(0, 0, 7*n), nil
		case 'M':
			return now.AddDate(0, n, 0), nil
		case 'y':
			return now.AddDate(n, 0, 0), nil
		case 'h':
			return now.Add(time.Duration(n) * time.Hour), nil
		case 'm':
			return now.Add(time.Duration(n) * time.Minute), nil
		case 's':
			return now.Add(time.Duration(n) * time.Second), nil
		}
	}
	if v.Kind == "string" || v.Kind == "literal" {
		for _, l := range timeLayouts {
			if t, err := time.Parse(l, v.Text); err == nil {
				return t.UTC(), nil
			}
		}
	}
	return time.Time{}, badRequest("Error parsing filter: %q is not a date (use 'YYYY-MM-DD HH:MM:SS' or now-7d).", v.Text)
}
