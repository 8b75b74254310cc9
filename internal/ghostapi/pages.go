package ghostapi

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"masthead/internal/content"
	"masthead/internal/ghostapi/nql"
	"masthead/internal/news"
)

// Static pages are Ghost pages: the published ones, in the paper's order
// (its footer's), in the post shape Ghost gives pages, with no tags or
// authors of their own.

// browsePages serves GET pages/. Filters take the page's fields (slug,
// id, title, featured), with and/or and negation.
func (a *API) browsePages(w http.ResponseWriter, r *http.Request, q *query) error {
	all, err := a.store.ListPages(r.Context(), news.PageFilter{Published: true})
	if err != nil {
		return err
	}
	if q.filter != "" {
		n, err := nql.Parse(q.filter)
		if err != nil {
			return badRequest("Error parsing filter: %s", err.Error())
		}
		kept := all[:0:0]
		for _, p := range all {
			ok, err := pageMatches(n, p)
			if err != nil {
				return err
			}
			if ok {
				kept = append(kept, p)
			}
		}
		all = kept
	}
	if strings.TrimSpace(q.order) != "" {
		if err := sortPages(all, q.order); err != nil {
			return err
		}
	}
	size := q.pageSize()
	from := min((q.page-1)*size, len(all))
	out := make([]map[string]any, 0, size)
	for _, p := range all[from:min(from+size, len(all))] {
		out = append(out, pick(a.pageJSON(p, q), q.fields))
	}
	writeOK(w, map[string]any{"pages": out, "meta": q.meta(len(all))})
	return nil
}

// readPage serves GET pages/{id}/ and pages/slug/{slug}/.
func (a *API) readPage(w http.ResponseWriter, r *http.Request, q *query, id, slug string) error {
	notFound := news.Errorf(news.ENOTFOUND, "Page not found.")
	var p *news.Page
	var err error
	if slug != "" {
		p, err = a.store.FindPageBySlug(r.Context(), slug)
	} else {
		n, perr := strconv.ParseInt(id, 10, 64)
		if perr != nil || n <= 0 {
			return notFound
		}
		p, err = a.store.FindPageByID(r.Context(), n)
	}
	if news.ErrorCode(err) == news.ENOTFOUND || err == nil && !p.IsPublic() {
		return notFound
	} else if err != nil {
		return err
	}
	writeOK(w, map[string]any{"pages": []any{pick(a.pageJSON(p, q), q.fields)}})
	return nil
}

func (a *API) pageJSON(pg *news.Page, q *query) map[string]any {
	p := a.paper()
	plain := content.PlainText(pg.Body)
	excerpt := pg.Description
	if excerpt == "" {
		excerpt = content.Excerpt(plain, 500)
	}
	id := strconv.FormatInt(pg.ID, 10)
	obj := map[string]any{
		"id": id, "uuid": a.uuid("page", pg.ID), "title": pg.Title, "slug": pg.Slug,
		"comment_id": id, "featured": false, "visibility": "public",
		"created_at": ghostTime(pg.CreatedAt), "updated_at": ghostTime(pg.UpdatedAt), "published_at": ghostTime(pg.PublishedAt),
		"custom_excerpt": orNull(pg.Description), "codeinjection_head": nil, "codeinjection_foot": nil, "custom_template": nil,
		"canonical_url": nil, "url": p.AbsURL(p.PagePath(pg)), "excerpt": excerpt, "reading_time": readingTime(plain),
		"access": true, "comments": false,
		"og_image": nil, "og_title": nil, "og_description": nil, "twitter_image": nil, "twitter_title": nil, "twitter_description": nil,
		"meta_title": nil, "meta_description": orNull(pg.Description), "email_subject": nil, "frontmatter": nil,
		"feature_image": nil, "feature_image_alt": nil, "feature_image_caption": nil,
	}
	if q.formats["html"] {
		obj["html"] = pg.Body
	}
	if q.formats["plaintext"] {
		obj["plaintext"] = plain
	}
	if q.include["tags"] {
		obj["tags"], obj["primary_tag"] = []any{}, nil
	}
	if q.include["authors"] {
		obj["authors"], obj["primary_author"] = []any{}, nil
	}
	return obj
}

// pageMatches evaluates a filter on one page.
func pageMatches(n *nql.Node, p *news.Page) (bool, error) {
	switch {
	case len(n.And) > 0:
		for _, c := range n.And {
			if ok, err := pageMatches(c, p); err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case len(n.Or) > 0:
		for _, c := range n.Or {
			if ok, err := pageMatches(c, p); err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	}
	var have string
	switch n.Prop {
	case "slug":
		have = p.Slug
	case "id":
		have = strconv.FormatInt(p.ID, 10)
	case "title":
		have = p.Title
	case "featured":
		have = "false"
	case "visibility", "status":
		have = map[string]string{"visibility": "public", "status": "published"}[n.Prop]
	default:
		return false, badRequest("Error parsing filter: pages are filtered by slug, id, title or featured, not %s.", n.Prop)
	}
	var match bool
	switch n.Op {
	case "":
		match = slices.ContainsFunc(n.Values, func(v nql.Value) bool { return v.Text == have || v.Kind == have })
	case "~":
		match = slices.ContainsFunc(n.Values, func(v nql.Value) bool { return strings.Contains(strings.ToLower(have), strings.ToLower(v.Text)) })
	case "~^":
		match = slices.ContainsFunc(n.Values, func(v nql.Value) bool { return strings.HasPrefix(strings.ToLower(have), strings.ToLower(v.Text)) })
	case "~$":
		match = slices.ContainsFunc(n.Values, func(v nql.Value) bool { return strings.HasSuffix(strings.ToLower(have), strings.ToLower(v.Text)) })
	default:
		return false, unsupported(n)
	}
	return match != n.Not, nil
}

// sortPages orders pages by title, slug, published_at or updated_at.
func sortPages(ps []*news.Page, order string) error {
	type key struct {
		field string
		desc  bool
	}
	var keys []key
	for _, part := range strings.Split(order, ",") {
		f := strings.Fields(part)
		if len(f) == 0 || len(f) > 2 || len(f) == 2 && f[1] != "asc" && f[1] != "desc" {
			return badRequest("Error parsing order %q.", order)
		}
		switch f[0] {
		case "title", "slug", "published_at", "updated_at", "created_at":
		default:
			return badRequest("Pages are ordered by title, slug, published_at, updated_at or created_at, not %s.", f[0])
		}
		keys = append(keys, key{f[0], len(f) == 2 && f[1] == "desc"})
	}
	slices.SortStableFunc(ps, func(a, b *news.Page) int {
		for _, k := range keys {
			c := 0
			switch k.field {
			case "title":
				c = strings.Compare(a.Title, b.Title)
			case "slug":
				c = strings.Compare(a.Slug, b.Slug)
			case "published_at":
				c = a.PublishedAt.Compare(b.PublishedAt)
			case "updated_at":
				c = a.UpdatedAt.Compare(b.UpdatedAt)
			case "created_at":
				c = a.CreatedAt.Compare(b.CreatedAt)
			}
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	return nil
}
