package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"masthead/internal/news"
	"masthead/internal/store/keptlist"
)

// Kinds of story_counts rows (migration 0063).
const (
	countSection = int(keptlist.Section)
	countAuthor  = int(keptlist.Author)
	countTag     = int(keptlist.Tag)
)

// listShape is f's kept list (keptlist.Of), if it is one: its kind, the
// id (a JSON array of ids for a set of sections), and the condition that
// picks the list.
func listShape(f news.ArticleFilter) (kind int, id any, cond string, ok bool) {
	k, ids, ok := keptlist.Of(f)
	switch {
	case !ok:
		return 0, 0, "", false
	case k == keptlist.Section && len(ids) > 1:
		return countSection, jsonIDs(ids), `a.section_id IN (SELECT value FROM json_each(?))`, true
	case k == keptlist.Section:
		return countSection, ids[0], `a.section_id = ?`, true
	case k == keptlist.Author:
		return countAuthor, ids[0], `EXISTS (SELECT 1 FROM article_authors x WHERE x.article_id = a.id AND x.author_id = ?)`, true
	default:
		return countTag, ids[0], `EXISTS (SELECT 1 FROM article_tags x WHERE x.article_id = a.id AND x.tag_id = ?)`, true
	}
}

// listCountSQL is a list's public total: its kept count less its
// published stories that are not public at the time yet (a publication
// time to come, an embargo), which two short index ranges find; and the
// kept count of the whole archive, to choose a page's plan.
const listCountSQL = `SELECT
	coalesce((SELECT %[2]s), 0)
	- (SELECT count(*) FROM articles a WHERE a.status = 'published' AND a.published_at > ? AND %[1]s)
	- (SELECT count(*) FROM articles a INDEXED BY articles_embargoed
		WHERE a.status = 'published' AND a.embargo_until > ? AND a.published_at <= ? AND %[1]s),
	coalesce((SELECT sum(n) FROM story_counts WHERE kind = 1), 0)`

// listCountQuery is listCountSQL for the list cond picks, of one id or of
// a set (listShape).
func listCountQuery(cond string, id any) string {
	kept := `n FROM story_counts WHERE kind = ? AND id = ?`
	if _, set := id.(string); set {
		kept = `sum(n) FROM story_counts WHERE kind = ? AND id IN (SELECT value FROM json_each(?))`
	}
	return fmt.Sprintf(listCountSQL, cond, kept)
}

// listCount reads the total of a list page (listShape) and the size of
// the archive.
func listCount(ctx context.Context, q queryer, kind int, id any, cond string, f news.ArticleFilter) (total, archive int, err error) {
	t := f.PublicAt.UnixMicro()
	err = q.QueryRowContext(ctx, listCountQuery(cond, id), kind, id, t, id, t, t, id).Scan(&total, &archive)
	return max(total, 0), archive, err
}

// listPage reads one page of a list whose total is known, for any page
// number at a cost bounded by the list, not by the page number: a page
// past the end reads nothing; a page in the second half of the list is
// read from the other end (so the offset stepped over is at most half the
// list); the page's ids come first from an index, stepping over the
// offset without reading stories, and only then are its stories read.
// An author's or tag's page reads the index of its bylines or tags in
// date order (listIDsSQL).
func listPage(ctx context.Context, q queryer, kind int, f news.ArticleFilter, total, archive, limit, offset int) ([]*news.Article, error) {
	if offset >= total {
		return nil, nil
	}
	end := min(offset+limit, total)
	order, reverse := f.Order, false
	if rev := total - end; rev < offset {
		reverse, offset, limit = true, rev, end-offset
		if order == "oldest" {
			order = "newest"
		} else {
			order = "oldest"
		}
	}
	join := kind != countSection
	query, args := listIDsSQL(f, order, join)
	if kind == countSection && len(f.SectionIDs) > 1 {
		query, args = sectionSetIDsSQL(f, order)
	}
	rows, err := q.QueryContext(ctx, query, append(args, limit, offset)...)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, nil
	}
	as, err := selectArticles(ctx, q, selectFor(f)+` WHERE a.id `+inIDs+` ORDER BY `+orderSQL(order), jsonIDs(ids))
	if err != nil {
		return nil, err
	}
	if reverse {
		slices.Reverse(as)
	}
	return as, nil
}

// listIDsSQL selects the ids of one page of a list in order (LIMIT and
// OFFSET are the last two parameters). With join, an author's or tag's
// list is read from its bylines or tags, which carry the publication time
// of the stories that count (migration 0065): one index range in date
// order, less the few embargoed stories.
func listIDsSQL(f news.ArticleFilter, order string, join bool) (string, []any) {
	if !join {
		where, args := articleWhere(f)
		return `SELECT a.id FROM articles a WHERE ` + where + ` ORDER BY ` + orderSQL(order) + ` LIMIT ? OFFSET ?`, args
	}
	table, col, id := "article_authors", "author_id", f.AuthorID
	if f.TagID != 0 {
		table, col, id = "article_tags", "tag_id", f.TagID
	}
	dir := "DESC"
	if order == "oldest" {
		dir = "ASC"
	}
	t := f.PublicAt.UnixMicro()
	return `SELECT l.article_id FROM ` + table + ` l INDEXED BY ` + table + `_listing
		WHERE l.` + col + ` = ? AND l.published_at IS NOT NULL AND l.published_at <= ?
		AND l.article_id NOT IN (SELECT id FROM articles INDEXED BY articles_embargoed WHERE status = 'published' AND embargo_until > ?)
		ORDER BY l.published_at ` + dir + `, l.article_id ` + dir + ` LIMIT ? OFFSET ?`, []any{id, t, t}
}

// sectionSetIDsSQL selects the ids of one page of a section's list with
// its sub-sections (f.SectionIDs; LIMIT and OFFSET are the last two
// parameters): each section's own list, a range of
// articles_section_public in date order, merged by a compound SELECT's
// ORDER BY (SQLite merges the arms' ordered outputs rather than sorting
// them), so a page costs its offset, not the set. One statement over the
// set (section_id IN ...) walks the paper's date index probing every
// story for its section instead: 40 ms for the middle page of two
// sections' 25,000 stories at 100,000.
func sectionSetIDsSQL(f news.ArticleFilter, order string) (string, []any) {
	var parts []string
	var args []any
	for _, id := range f.SectionIDs {
		one := f
		one.SectionID, one.SectionIDs = id, nil
		where, a := articleWhere(one)
		parts = append(parts, `SELECT a.id AS id, a.published_at AS published_at FROM articles a INDEXED BY articles_section_public WHERE `+where)
		args = append(args, a...)
	}
	dir := "DESC"
	if order == "oldest" {
		dir = "ASC"
	}
	return `SELECT id FROM (` + strings.Join(parts, ` UNION ALL `) + ` ORDER BY published_at ` + dir + `, id ` + dir + ` LIMIT ? OFFSET ?)`, args
}
