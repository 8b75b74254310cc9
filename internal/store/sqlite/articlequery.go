package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"masthead/internal/news"
)

// QueryArticleIDs runs an expression query (the Ghost Content API's
// filters): the Cond becomes one WHERE clause over the story rows, with an
// EXISTS subquery per tag or author leaf, so any filter is one statement.
func (db *DB) QueryArticleIDs(ctx context.Context, q news.ArticleQuery) ([]int64, int, error) {
	if err := news.ValidateCond(q.Where); err != nil {
		return nil, 0, err
	}
	var args []any
	where := "1"
	if !q.PublicAt.IsZero() {
		where = publicSQL + ` AND a.published_at <= ?`
		args = append(args, q.PublicAt.UnixMicro(), q.PublicAt.UnixMicro())
	}
	if q.Where != nil {
		w, err := compileCond(q.Where, &args)
		if err != nil {
			return nil, 0, err
		}
		where += " AND " + w
	}
	order, err := queryOrder(q.Order)
	if err != nil {
		return nil, 0, err
	}
	limit, offset := pageBounds(q.Limit, q.Offset)
	var ids []int64
	var total int
	err = db.view(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT a.id FROM articles a WHERE `+where+` ORDER BY `+order+` LIMIT ? OFFSET ?`,
			append(args, limit, offset)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ids) > 0 && len(ids) < limit || len(ids) == 0 && offset == 0 {
			total = offset + len(ids)
			return nil
		}
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM articles a WHERE `+where, args...).Scan(&total)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("query articles: %w", err)
	}
	return ids, total, nil
}

var condTimeCols = map[string]string{"published_at": "a.published_at", "updated_at": "COALESCE(a.updated_at, a.created_at)", "created_at": "a.created_at"}

var condCmp = map[string]string{news.CondGT: ">", news.CondGTE: ">=", news.CondLT: "<", news.CondLTE: "<="}

func compileCond(c *news.Cond, args *[]any) (string, error) {
	join := func(cs []news.Cond, op string) (string, error) {
		parts := make([]string, len(cs))
		for i := range cs {
			p, err := compileCond(&cs[i], args)
			if err != nil {
				return "", err
			}
			parts[i] = p
		}
		return "(" + strings.Join(parts, " "+op+" ") + ")", nil
	}
	in := func(vals []string) string {
		for _, v := range vals {
			*args = append(*args, v)
		}
		return "IN (" + placeholders(len(vals)) + ")"
	}
	switch {
	case len(c.And) > 0:
		return join(c.And, "AND")
	case len(c.Or) > 0:
		return join(c.Or, "OR")
	case c.Not != nil:
		p, err := compileCond(c.Not, args)
		return "NOT " + p, err
	}
	switch c.Field {
	case "id":
		*args = append(*args, jsonIDs(c.IDs))
		return "a.id " + inIDs, nil
	case "slug", "headline":
		col := "a." + c.Field
		if c.Op == news.CondContains {
			*args = append(*args, "%"+likeEscape(c.Values[0])+"%")
			return col + ` LIKE ` + likePattern + ` ESCAPE '\'`, nil
		}
		return col + " " + in(c.Values), nil
	case "tag":
		return `EXISTS (SELECT 1 FROM article_tags x JOIN tags t ON t.id = x.tag_id WHERE x.article_id = a.id AND t.slug ` + in(c.Values) + `)`, nil
	case "author":
		return `EXISTS (SELECT 1 FROM article_authors x JOIN authors au ON au.id = x.author_id WHERE x.article_id = a.id AND au.slug ` + in(c.Values) + `)`, nil
	case "primary_author":
		return `(SELECT au.slug FROM article_authors x JOIN authors au ON au.id = x.author_id WHERE x.article_id = a.id ORDER BY x.position LIMIT 1) ` + in(c.Values), nil
	case "section":
		return `a.section_id IN (SELECT id FROM sections WHERE slug ` + in(c.Values) + `)`, nil
	case "photo":
		return "a.photo_id IS NULL", nil
	case "published_at", "updated_at", "created_at":
		*args = append(*args, c.Time.UnixMicro())
		return condTimeCols[c.Field] + " " + condCmp[c.Op] + " ?", nil
	}
	return "", news.Errorf(news.EINVALID, "unknown field %q", c.Field)
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
			return "", news.Errorf(news.EINVALID, "cannot order by %q", o.Field)
		}
		dir := " ASC NULLS LAST"
		if o.Desc {
			dir = " DESC NULLS LAST"
		}
		col := "a." + o.Field
		if o.Field == "updated_at" {
			col = "COALESCE(a.updated_at, a.created_at)"
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
