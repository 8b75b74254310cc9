package postgres

import (
	"context"
	"fmt"
	"strings"

	"masthead/internal/news"
)

// QueryArticleIDs runs an expression query (the Ghost Content API's
// filters): the Cond becomes one WHERE clause, an EXISTS subquery per tag
// or author leaf, and the page and its total come from one statement.
func (db *DB) QueryArticleIDs(ctx context.Context, q news.ArticleQuery) ([]int64, int, error) {
	if err := news.ValidateCond(q.Where); err != nil {
		return nil, 0, err
	}
	var w where
	if !q.PublicAt.IsZero() {
		w.public(q.PublicAt)
	}
	if q.Where != nil {
		c, err := compileCond(q.Where, &w)
		if err != nil {
			return nil, 0, err
		}
		w.add(c)
	}
	order, err := queryOrder(q.Order)
	if err != nil {
		return nil, 0, err
	}
	limit := pageLimit(q.Limit)
	offset := max(q.Offset, 0)
	rows, err := db.pool.Query(ctx, `SELECT a.id, count(*) OVER () FROM articles a WHERE `+w.sql()+` ORDER BY `+order+
		fmt.Sprintf(" LIMIT %d OFFSET %d", limit, offset), w.args...)
	if err != nil {
		return nil, 0, translate(err, "query articles")
	}
	var ids []int64
	total := 0
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id, &total); err != nil {
			rows.Close()
			return nil, 0, translate(err, "query articles")
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, translate(err, "query articles")
	}
	if len(ids) == 0 && offset > 0 {
		if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM articles a WHERE `+w.sql(), w.args...).Scan(&total); err != nil {
			return nil, 0, translate(err, "query articles")
		}
	}
	return ids, total, nil
}

var condTimeCols = map[string]string{"published_at": "a.published_at", "updated_at": "COALESCE(a.updated_at, a.created_at)", "created_at": "a.created_at"}

var condCmp = map[string]string{news.CondGT: ">", news.CondGTE: ">=", news.CondLT: "<", news.CondLTE: "<="}

func compileCond(c *news.Cond, w *where) (string, error) {
	join := func(cs []news.Cond, op string) (string, error) {
		parts := make([]string, len(cs))
		for i := range cs {
			p, err := compileCond(&cs[i], w)
			if err != nil {
				return "", err
			}
			parts[i] = p
		}
		return "(" + strings.Join(parts, " "+op+" ") + ")", nil
	}
	switch {
	case len(c.And) > 0:
		return join(c.And, "AND")
	case len(c.Or) > 0:
		return join(c.Or, "OR")
	case c.Not != nil:
		p, err := compileCond(c.Not, w)
		return "NOT " + p, err
	}
	switch c.Field {
	case "id":
		return "a.id = ANY(" + w.arg(c.IDs) + ")", nil
	case "slug", "headline":
		col := "a." + c.Field
		if c.Op == news.CondContains {
			// ILIKE folds case as SQLite's LIKE does for ASCII.
			return col + ` ILIKE ` + w.arg("%"+likeEscape(c.Values[0])+"%") + ` ESCAPE '\'`, nil
		}
		return col + " = ANY(" + w.arg(c.Values) + ")", nil
	case "tag":
		return `EXISTS (SELECT 1 FROM article_tags x JOIN tags t ON t.id = x.tag_id WHERE x.article_id = a.id AND t.slug = ANY(` + w.arg(c.Values) + `))`, nil
	case "author":
		return `EXISTS (SELECT 1 FROM article_authors x JOIN authors au ON au.id = x.author_id WHERE x.article_id = a.id AND au.slug = ANY(` + w.arg(c.Values) + `))`, nil
	case "primary_author":
		return `(SELECT au.slug FROM article_authors x JOIN authors au ON au.id = x.author_id WHERE x.article_id = a.id ORDER BY x.position LIMIT 1) = ANY(` + w.arg(c.Values) + `)`, nil
	case "section":
		return `a.section_id IN (SELECT id FROM sections WHERE slug = ANY(` + w.arg(c.Values) + `))`, nil
	case "photo":
		return "a.photo_id IS NULL", nil
	case "published_at", "updated_at", "created_at":
		return condTimeCols[c.Field] + " " + condCmp[c.Op] + " " + w.arg(c.Time.UTC()), nil
	}
	return "", invalid("unknown field %q", c.Field)
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func queryOrder(order []news.OrderBy) (string, error) {
	if len(order) == 0 {
		return "a.published_at DESC NULLS LAST, a.id DESC", nil
	}
	var parts []string
	idDesc := true
	for _, o := range order {
		if !news.ValidOrderField(o.Field) {
			return "", invalid("cannot order by %q", o.Field)
		}
		dir := " ASC NULLS LAST"
		if o.Desc {
			dir = " DESC NULLS LAST"
		}
		col := "a." + o.Field
		switch o.Field {
		case "updated_at":
			col = "COALESCE(a.updated_at, a.created_at)"
		case "headline", "slug":
			// Byte order, as SQLite compares, so both stores page alike.
			col += ` COLLATE "C"`
		}
		parts = append(parts, col+dir)
		if o.Field == "id" {
			return strings.Join(parts, ", "), nil
		}
		idDesc = o.Desc
	}
	if idDesc {
		parts = append(parts, "a.id DESC")
	} else {
		parts = append(parts, "a.id ASC")
	}
	return strings.Join(parts, ", "), nil
}
