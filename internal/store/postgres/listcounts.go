package postgres

import (
	"context"
	"fmt"
	"time"

	"masthead/internal/news"
	"masthead/internal/store/keptlist"
)

// Kinds of story_counts rows (migration 0063).
const (
	countSection = int(keptlist.Section)
	countAuthor  = int(keptlist.Author)
	countTag     = int(keptlist.Tag)
)

// listShape is f's kept list (keptlist.Of), if it is one: its kind and id
// (an []int64 for a set of sections), and the condition on a that picks
// the list ($2 is the id in listCountSQL).
func listShape(f news.ArticleFilter) (kind int, id any, cond string, ok bool) {
	k, ids, ok := keptlist.Of(f)
	switch {
	case !ok:
		return 0, 0, "", false
	case k == keptlist.Section && len(ids) > 1:
		return countSection, ids, `a.section_id = ANY($2)`, true
	case k == keptlist.Section:
		return countSection, ids[0], `a.section_id = $2`, true
	}
	// A scalar subquery, not EXISTS: the few embargoed stories probe the
	// byline's key one by one, and the planner does not pull it up into a
	// semi-join whose paths over articles' indexes cost more to plan
	// (0.11 ms a render at 10k) than the statement costs to run.
	if k == keptlist.Author {
		return countAuthor, ids[0], `(SELECT true FROM article_authors x WHERE x.article_id = a.id AND x.author_id = $2)`, true
	}
	return countTag, ids[0], `(SELECT true FROM article_tags x WHERE x.article_id = a.id AND x.tag_id = $2)`, true
}

// listLinks is the table of an author's or tag's list (bylines, tags) and
// its column of the list's id; both carry the publication time of the
// stories that count (migration 0065).
func listLinks(kind int) (table, col string) {
	if kind == countTag {
		return "article_tags", "tag_id"
	}
	return "article_authors", "author_id"
}

// listCountSQL is a list's public total: its kept count less its
// published stories not public yet at $3 (a publication time to come, an
// embargo), which two short index ranges find; and the kept count of the
// whole archive, to choose a page's plan.
const listCountSQL = `SELECT
	coalesce((SELECT %[2]s), 0)
	- (SELECT count(*) FROM %[3]s)
	- (SELECT count(*) FROM articles a WHERE a.status = 'published' AND a.embargo_until > $3 AND a.published_at <= $3 AND %[1]s),
	coalesce((SELECT sum(n) FROM story_counts WHERE kind = 1), 0)`

// listCountQuery is listCountSQL for the list of kind that cond picks, of
// one id or of a set (listShape). An author's or tag's stories to be
// published later are counted on its bylines' or tags' own publication
// times, one table: PostgreSQL plans each render's statement anew, and
// the join with articles took 0.1 ms of planning for a count that is
// almost always 0.
func listCountQuery(kind int, cond string, id any) string {
	kept := `n FROM story_counts WHERE kind = $1 AND id = $2`
	if _, set := id.([]int64); set {
		kept = `sum(n) FROM story_counts WHERE kind = $1 AND id = ANY($2)`
	}
	later := `articles a WHERE a.status = 'published' AND a.published_at > $3 AND ` + cond
	if kind != countSection {
		table, col := listLinks(kind)
		later = table + ` l WHERE l.` + col + ` = $2 AND l.published_at > $3`
	}
	return fmt.Sprintf(listCountSQL, cond, kept, later)
}

func listCount(ctx context.Context, q querier, kind int, id any, cond string, t time.Time) (total, archive int, err error) {
	var tot, arch int64
	err = q.QueryRow(ctx, listCountQuery(kind, cond, id), kind, id, t.UTC()).Scan(&tot, &arch)
	return max(int(tot), 0), int(arch), err
}

// listPlan chooses how to read items [offset, offset+limit) of a list of
// total stories (offset < total) in an archive of archive: from the other
// end when the page is in the second half (reverse, with the offset and
// limit in that order), so no page steps over more than half the list;
// and, for an author's or tag's list, to read it from its bylines' or
// tags' index in date order (join, migration 0065) rather than walk the
// paper's date index probing the list.
func listPlan(kind, total, archive, limit, offset int) (off, lim int, reverse, join bool) {
	end := min(offset+limit, total)
	off, lim = offset, end-offset
	if rev := total - end; rev < offset {
		off, reverse = rev, true
	}
	join = kind != countSection
	return off, lim, reverse, join
}

// oldestOrder is the ORDER BY of Order "oldest". Where no story without a
// publication time can match (a public list, a range of publication
// times), NULLS FIRST changes nothing but lets the listing indexes (DESC
// NULLS LAST) be read backwards, stopping at the page's end, instead of
// reading every match and sorting it: a month's sitemap file at 10,000
// stories read the month's 2,976 stories (a table scan) for its 1,000.
func oldestOrder(f news.ArticleFilter) string {
	if !f.PublicAt.IsZero() || !f.PublishedFrom.IsZero() || !f.PublishedTo.IsZero() {
		return "a.published_at ASC NULLS FIRST, a.id ASC"
	}
	return "a.published_at ASC NULLS LAST, a.id ASC"
}

// reversedOrder is the ORDER BY of a list read from its other end. A
// public list has no story without a publication time, so NULLS FIRST
// changes nothing but lets the listing indexes (DESC NULLS LAST) be read
// backwards instead of sorting the list.
func reversedOrder(order string) string {
	if order == "oldest" {
		return "a.published_at DESC NULLS LAST, a.id DESC"
	}
	return "a.published_at ASC NULLS FIRST, a.id ASC"
}
