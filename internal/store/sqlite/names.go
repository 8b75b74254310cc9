package sqlite

import (
	"context"
	"fmt"
	"strings"

	"masthead/internal/news"
	"masthead/internal/textsearch"
)

// nameWhere is the condition of textsearch.NamePatterns on col: each word
// one of its patterns. SQLite's lower() folds ASCII only; Korean has no
// case, and the patterns come lower-cased. The patterns are likePattern's:
// see there.
func nameWhere(col string, pats [][]string) (string, []any) {
	var conds []string
	var args []any
	for _, alts := range pats {
		var or []string
		for _, p := range alts {
			or = append(or, "lower("+col+") LIKE "+likePattern+" ESCAPE '\\'")
			args = append(args, p)
		}
		conds = append(conds, "("+strings.Join(or, " OR ")+")")
	}
	return strings.Join(conds, " AND "), args
}

// SearchNames finds sections, authors and tags by name.
func (r reader) SearchNames(ctx context.Context, q news.NameQuery) (news.NameHits, error) {
	var hits news.NameHits
	pats := textsearch.NamePatterns(q.Text)
	if len(pats) == 0 {
		return hits, nil
	}
	limit := q.Limit
	if limit <= 0 || limit > 100 {
		limit = 5
	}
	err := r.snap(ctx, func(db queryer) error {
		where, args := nameWhere("name", pats)
		rows, err := db.QueryContext(ctx, `SELECT `+sectionCols+` FROM sections WHERE `+where+` ORDER BY position, name, id LIMIT ?`, append(args, limit)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			s, err := scanSection(rows)
			if err != nil {
				rows.Close()
				return err
			}
			hits.Sections = append(hits.Sections, s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		public := func(link, col string) (string, []any) {
			if q.PublicAt.IsZero() {
				return "", nil
			}
			t := q.PublicAt.UnixMicro()
			// CROSS JOIN keeps SQLite walking the link table's index
			// by the tag or author first (a handful of rows), not the
			// articles' public listing (the whole archive) once per name.
			return ` AND EXISTS (SELECT 1 FROM ` + link + ` x CROSS JOIN articles a ON a.id = x.article_id WHERE x.` + col + ` AND ` + publicSQL +
				` AND a.published_at <= ?)`, []any{t, t}
		}
		where, args = nameWhere("au.name", pats)
		pw, pargs := public("article_authors", "author_id = au.id")
		rows, err = db.QueryContext(ctx, `SELECT `+authorCols+` FROM authors au WHERE `+where+pw+` ORDER BY au.position, au.name, au.id LIMIT ?`,
			append(append(args, pargs...), limit)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			a, err := scanAuthor(rows)
			if err != nil {
				rows.Close()
				return err
			}
			hits.Authors = append(hits.Authors, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		where, args = nameWhere("t.name", pats)
		pw, pargs = public("article_tags", "tag_id = t.id")
		rows, err = db.QueryContext(ctx, `SELECT t.id, t.slug, t.name FROM tags t WHERE `+where+pw+` ORDER BY t.name, t.id LIMIT ?`,
			append(append(args, pargs...), limit)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t news.Tag
			if err := rows.Scan(&t.ID, &t.Slug, &t.Name); err != nil {
				return err
			}
			hits.Tags = append(hits.Tags, &t)
		}
		return rows.Err()
	})
	if err != nil {
		return news.NameHits{}, fmt.Errorf("search names: %w", translate(err))
	}
	return hits, nil
}
