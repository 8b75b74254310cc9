package ghostapi

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"masthead/internal/ghostapi/nql"
	"masthead/internal/news"
)

// Tags are the paper's sections (each story's primary tag) and its tags;
// a tag that shares a section's slug is the same tag.

// sectionTagID and the plain tag IDs keep the two apart.
func sectionTagID(s *news.Section) string { return "section-" + strconv.FormatInt(s.ID, 10) }

func (a *API) sectionTagJSON(s *news.Section, count *int) map[string]any {
	obj := a.tagBase(sectionTagID(s), s.Name, s.Slug, s.Description, a.paper().AbsURL(a.paper().SectionPath(s)))
	if count != nil {
		obj["count"] = map[string]int{"posts": *count}
	}
	return obj
}

func (a *API) tagJSON(t *news.Tag, count *int) map[string]any {
	obj := a.tagBase(strconv.FormatInt(t.ID, 10), t.Name, t.Slug, "", a.paper().AbsURL(a.paper().TagPath(t)))
	if count != nil {
		obj["count"] = map[string]int{"posts": *count}
	}
	return obj
}

func (a *API) tagBase(id, name, slug, desc, url string) map[string]any {
	return map[string]any{
		"id": id, "name": name, "slug": slug, "description": orNull(desc), "feature_image": nil, "visibility": "public",
		"og_image": nil, "og_title": nil, "og_description": nil, "twitter_image": nil, "twitter_title": nil, "twitter_description": nil,
		"meta_title": nil, "meta_description": nil, "codeinjection_head": nil, "codeinjection_foot": nil, "canonical_url": nil,
		"accent_color": nil, "url": url,
	}
}

// tagItem is one tag of the merged list, with what it is.
type tagItem struct {
	id, name, slug string
	section        *news.Section
	tag            *news.Tag
}

func (a *API) allTags(ctx context.Context) ([]tagItem, error) {
	secs, err := a.store.ListSections(ctx)
	if err != nil {
		return nil, err
	}
	tags, err := a.store.ListTags(ctx)
	if err != nil {
		return nil, err
	}
	var out []tagItem
	seen := map[string]bool{}
	for _, s := range secs {
		seen[s.Slug] = true
		out = append(out, tagItem{id: sectionTagID(s), name: s.Name, slug: s.Slug, section: s})
	}
	for _, t := range tags {
		if !seen[t.Slug] {
			seen[t.Slug] = true
			out = append(out, tagItem{id: strconv.FormatInt(t.ID, 10), name: t.Name, slug: t.Slug, tag: t})
		}
	}
	slices.SortStableFunc(out, func(x, y tagItem) int { return strings.Compare(strings.ToLower(x.name), strings.ToLower(y.name)) })
	return out, nil
}

// count is the public stories filed under a tag (its section or tag) or
// written by an author.
func (a *API) count(ctx context.Context, c news.Cond) (int, error) {
	_, total, err := a.store.QueryArticleIDs(ctx, news.ArticleQuery{PublicAt: a.clock.Now(), Where: &c, Limit: 1})
	return total, err
}

func (a *API) tagItemJSON(ctx context.Context, it tagItem, q *query) (map[string]any, error) {
	var count *int
	if q.include["count.posts"] {
		n, err := a.count(ctx, news.Cond{Or: []news.Cond{
			{Field: "tag", Op: news.CondIn, Values: []string{it.slug}}, {Field: "section", Op: news.CondIn, Values: []string{it.slug}}}})
		if err != nil {
			return nil, err
		}
		count = &n
	}
	if it.section != nil {
		return a.sectionTagJSON(it.section, count), nil
	}
	return a.tagJSON(it.tag, count), nil
}

// props is what a tag or author filter may test.
type props map[string]string

func (a *API) browseTags(w http.ResponseWriter, r *http.Request, q *query) error {
	items, err := a.allTags(r.Context())
	if err != nil {
		return err
	}
	return browseList(w, r, q, "tags", items, func(it tagItem) props {
		return props{"id": it.id, "slug": it.slug, "name": it.name, "visibility": "public"}
	}, func(it tagItem) (map[string]any, error) { return a.tagItemJSON(r.Context(), it, q) })
}

func (a *API) readTag(w http.ResponseWriter, r *http.Request, q *query, id, slug string) error {
	items, err := a.allTags(r.Context())
	if err != nil {
		return err
	}
	for _, it := range items {
		if id != "" && it.id == id || slug != "" && it.slug == slug {
			obj, err := a.tagItemJSON(r.Context(), it, q)
			if err != nil {
				return err
			}
			writeOK(w, map[string]any{"tags": []any{pick(obj, q.fields)}})
			return nil
		}
	}
	return news.Errorf(news.ENOTFOUND, "Tag not found.")
}

func (a *API) authorJSON(au *news.Author, count *int) map[string]any {
	p := a.paper()
	obj := map[string]any{
		"id": strconv.FormatInt(au.ID, 10), "name": au.Name, "slug": au.Slug, "profile_image": nil, "cover_image": nil,
		"bio": orNull(au.Bio), "website": nil, "location": nil, "facebook": nil, "twitter": nil,
		"meta_title": nil, "meta_description": nil, "url": p.AbsURL(p.AuthorPath(au)),
	}
	if au.PhotoID != 0 {
		obj["profile_image"] = p.AbsURL(p.PhotoPath(&news.Photo{ID: au.PhotoID}, 0))
	}
	if count != nil {
		obj["count"] = map[string]int{"posts": *count}
	}
	return obj
}

func (a *API) authorItemJSON(ctx context.Context, au *news.Author, q *query) (map[string]any, error) {
	var count *int
	if q.include["count.posts"] {
		n, err := a.count(ctx, news.Cond{Field: "author", Op: news.CondIn, Values: []string{au.Slug}})
		if err != nil {
			return nil, err
		}
		count = &n
	}
	return a.authorJSON(au, count), nil
}

func (a *API) browseAuthors(w http.ResponseWriter, r *http.Request, q *query) error {
	list, err := a.store.ListAuthors(r.Context())
	if err != nil {
		return err
	}
	slices.SortStableFunc(list, func(x, y *news.Author) int { return strings.Compare(strings.ToLower(x.Name), strings.ToLower(y.Name)) })
	return browseList(w, r, q, "authors", list, func(au *news.Author) props {
		return props{"id": strconv.FormatInt(au.ID, 10), "slug": au.Slug, "name": au.Name, "visibility": "public"}
	}, func(au *news.Author) (map[string]any, error) { return a.authorItemJSON(r.Context(), au, q) })
}

func (a *API) readAuthor(w http.ResponseWriter, r *http.Request, q *query, id, slug string) error {
	ctx := r.Context()
	var au *news.Author
	var err error
	if slug != "" {
		au, err = a.store.FindAuthorBySlug(ctx, slug)
	} else if n, perr := strconv.ParseInt(id, 10, 64); perr == nil && n > 0 {
		au, err = a.store.FindAuthorByID(ctx, n)
	} else {
		err = news.ErrNotFound
	}
	if news.ErrorCode(err) == news.ENOTFOUND {
		return news.Errorf(news.ENOTFOUND, "Author not found.")
	} else if err != nil {
		return err
	}
	obj, err := a.authorItemJSON(ctx, au, q)
	if err != nil {
		return err
	}
	writeOK(w, map[string]any{"authors": []any{pick(obj, q.fields)}})
	return nil
}

// browseList filters, orders and pages a small list in memory: a paper
// has tens of sections and authors and some thousands of tags, all read
// in one query each.
func browseList[T any](w http.ResponseWriter, r *http.Request, q *query, name string, items []T, propsOf func(T) props, toJSON func(T) (map[string]any, error)) error {
	if q.filter != "" {
		n, err := nql.Parse(q.filter)
		if err != nil {
			return badRequest("Error parsing filter: %s", err.Error())
		}
		var kept []T
		for _, it := range items {
			ok, err := matches(n, propsOf(it))
			if err != nil {
				return err
			}
			if ok {
				kept = append(kept, it)
			}
		}
		items = kept
	}
	if q.order != "" {
		field, desc, err := listOrder(q.order)
		if err != nil {
			return err
		}
		slices.SortStableFunc(items, func(x, y T) int {
			c := strings.Compare(strings.ToLower(propsOf(x)[field]), strings.ToLower(propsOf(y)[field]))
			if desc {
				return -c
			}
			return c
		})
	}
	total := len(items)
	from := min(total, (q.page-1)*q.pageSize())
	to := min(total, from+q.pageSize())
	out := make([]map[string]any, 0, to-from)
	for _, it := range items[from:to] {
		obj, err := toJSON(it)
		if err != nil {
			return err
		}
		out = append(out, pick(obj, q.fields))
	}
	writeOK(w, map[string]any{name: out, "meta": q.meta(total)})
	return nil
}

func listOrder(s string) (string, bool, error) {
	f := strings.Fields(strings.Split(s, ",")[0])
	if len(f) == 0 || len(f) > 2 || (f[0] != "name" && f[0] != "slug") {
		return "", false, badRequest("Validation error: tags and authors are ordered by name or slug.")
	}
	desc := len(f) == 2 && strings.EqualFold(f[1], "desc")
	return f[0], desc, nil
}

// matches evaluates a filter on a tag's or author's properties.
func matches(n *nql.Node, p props) (bool, error) {
	if n.And != nil {
		for _, s := range n.And {
			if ok, err := matches(s, p); err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	}
	if n.Or != nil {
		for _, s := range n.Or {
			if ok, err := matches(s, p); err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	}
	v, known := p[n.Prop]
	if !known {
		return false, badRequest("Error parsing filter: unknown property %q (filter by slug, id, name or visibility).", n.Prop)
	}
	vals, err := texts(n)
	if err != nil {
		return false, err
	}
	var hit bool
	switch n.Op {
	case "":
		hit = slices.Contains(vals, v)
	case "~":
		hit = len(vals) == 1 && strings.Contains(strings.ToLower(v), strings.ToLower(vals[0]))
	case "~^":
		hit = len(vals) == 1 && strings.HasPrefix(strings.ToLower(v), strings.ToLower(vals[0]))
	case "~$":
		hit = len(vals) == 1 && strings.HasSuffix(strings.ToLower(v), strings.ToLower(vals[0]))
	default:
		return false, unsupported(n)
	}
	return hit != n.Not, nil
}

// settings serves GET settings/: the paper as Ghost describes a site.
func (a *API) settings(w http.ResponseWriter, r *http.Request, q *query) error {
	p := a.paper()
	secs, err := a.store.ListSections(r.Context())
	if err != nil {
		return err
	}
	nav := []map[string]string{{"label": "Home", "url": "/"}}
	for _, s := range secs {
		nav = append(nav, map[string]string{"label": s.Name, "url": p.SectionPath(s)})
	}
	lang := p.Language
	if lang == "" {
		lang = "en"
	}
	s := map[string]any{
		"title": p.Name, "description": p.Tagline, "logo": nil, "icon": nil, "accent_color": nil, "cover_image": nil,
		"facebook": nil, "twitter": nil, "lang": lang, "locale": lang, "timezone": p.Loc().String(),
		"codeinjection_head": nil, "codeinjection_foot": nil, "navigation": nav, "secondary_navigation": []any{},
		"meta_title": nil, "meta_description": nil, "og_image": nil, "og_title": nil, "og_description": nil,
		"twitter_image": nil, "twitter_title": nil, "twitter_description": nil, "members_support_address": nil,
		"members_enabled": false, "members_invite_only": false, "paid_members_enabled": false, "firstpromoter_account": nil,
		"portal_button_style": nil, "portal_button_signup_text": nil, "portal_button_icon": nil, "portal_plans": []any{},
		"portal_name": false, "portal_button": false, "comments_enabled": "off", "recommendations_enabled": false,
		"outbound_link_tagging": false, "default_email_address": nil, "support_email_address": nil, "editor_default_email_recipients": nil,
		"url": strings.TrimRight(p.BaseURL, "/") + "/",
	}
	writeOK(w, map[string]any{"settings": pick(s, q.fields), "meta": map[string]any{}})
	return nil
}
