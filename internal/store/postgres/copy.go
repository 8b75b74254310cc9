package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"masthead/internal/news"
)

// This file is the dump/load side of `masthead copy-db` (package copydb
// describes the neutral row format). It works on raw rows rather than
// through news.Store so that ids, password hashes and timestamps arrive
// exactly as they left.

// Column kinds: how a neutral value maps to this schema.
const (
	kInt    = 'i' // int64, NOT NULL
	kRef    = 'r' // int64 reference; 0 is NULL
	kFloat  = 'f' // float64
	kString = 's' // text NOT NULL
	kTime   = 't' // timestamptz NOT NULL
	kNulTim = 'T' // timestamptz; the zero time is NULL
	kBool   = 'b' // boolean
	kWidths = 'w' // int[] ⇄ "320,640,1280" (the neutral form is SQLite's)
	kIDs    = 'j' // bigint[] ⇄ JSON array of numbers
	kNames  = 'J' // text[] ⇄ JSON array of strings
)

type copyTable struct {
	name    string
	cols    string // column list, in the neutral order
	kinds   string // one kind per column
	orderBy string // COLLATE "C" so text keys sort as in SQLite (bytes)
	serial  bool   // has a bigserial id whose sequence must follow the load
}

// copyTables must match copydb.Tables column for column; the round-trip
// test in internal/copydb holds the two together.
var copyTables = map[string]copyTable{
	"sections": {"sections", "id, slug, name, description, position, parent_id, layout, version, updated_by, updated_at, hidden", "isssiisiiTb", "id", true},
	"photos": {"photos", "id, key, content_type, width, height, caption, credit, alt, focal_x, focal_y, widths, created_at",
		"issiisssffwt", "id", true},
	"authors": {"authors", "id, slug, name, email, bio, title, photo_id, position, links, version, updated_by, updated_at", "isssssrisiiT", "id", true},
	"tags":    {"tags", "id, slug, name, version, updated_by, updated_at", "issiiT", "id", true},
	"articles": {"articles", "id, slug, headline, deck, body_markdown, body_html, lang, status, section_id, photo_id, " +
		"seo_title, seo_description, source_key, translation_of, created_at, published_at, updated_at, embargo_until, version",
		"isssssssrrsssrtTTTi", "id", true},
	"article_authors": {"article_authors", "article_id, author_id, position", "iii", "article_id, author_id", false},
	"article_tags":    {"article_tags", "article_id, tag_id", "ii", "article_id, tag_id", false},
	"article_slugs":   {"article_slugs", "slug, article_id", "si", `slug COLLATE "C"`, false},
	"photo_uses":      {"photo_uses", "photo_id, article_id, lead, inline", "iibb", "photo_id, article_id", false},
	"users": {"users", "id, email, name, role, password_hash, author_id, disabled, created_at, version, updated_by, updated_at",
		"issssrbtiiT", "id", true},
	"revisions": {"revisions", "id, article_id, user_id, headline, deck, body_markdown, body_html, note, created_at, " +
		"version, status, slug, lang, section_id, author_ids, tags, photo_id, seo_title, seo_description, embargo_until",
		"iirssssst" + "isssijJissT", "id", true},
	"story_notes":   {"story_notes", "id, article_id, user_id, text, created_at", "iiist", "id", true},
	"trash":         {"trash", "article_id, deleted_at, deleted_by, status", "itis", "article_id", false},
	"corrections":   {"corrections", "id, article_id, kind, text, created_at, revision_id", "iisstr", "id", true},
	"audit":         {"audit", "id, user_id, action, article_id, detail, created_at", "iisist", "id", true},
	"settings":      {"settings", "key, value, version, updated_by, updated_at", "ssiiT", `key COLLATE "C"`, false},
	"article_views": {"article_views", "article_id, hour, count", "iti", "article_id, hour", false},
	"redirects":     {"redirects", "from_path, to_path, code, created_at", "ssit", `from_path COLLATE "C"`, false},
	"pages": {"pages", "id, slug, title, description, body, lang, status, position, in_footer, version, updated_by, created_at, updated_at, published_at",
		"issssssibiittT", "id", true},
	"reader_messages": {"reader_messages", "id, kind, name, email, url, text, client_key, created_at, handled_by, handled_at",
		"isssssstiT", "id", true},
	"readers":          {"readers", "id, email, email_key, name, banned, shadow_banned, created_at", "isssbbt", "id", true},
	"reader_passkeys":  {"reader_passkeys", "id, reader_id, name, data, created_at, last_used", "sisstT", `id COLLATE "C"`, false},
	"newsletter_lists": {"newsletter_lists", "id, slug, name, description, kind, section_id, position, created_at", "issssrit", "id", true},
	"subscriptions": {"subscriptions", "id, list_id, reader_id, email, email_key, status, created_at, confirmed_at, unsubscribed_at",
		"iirssstTT", "id", true},
	"comments": {"comments", "id, article_id, parent_id, reader_id, author_name, staff, staff_user_id, body, status, shadow, " +
		"spam_score, reports, source_key, created_at, edited_at", "iirrsbrssbfistT", "id", true},
	"comment_reports": {"comment_reports", "comment_id, reader_id, reason, created_at", "iist", "comment_id, reader_id", false},
	"comment_threads": {"comment_threads", "article_id, closed", "ib", "article_id", false},
	"integrations":    {"integrations", "id, name, scopes, rate_limit, created_at, revoked_at", "issitT", "id", true},
	"api_keys": {"api_keys", "id, integration_id, kind, hash, hint, created_at, revoked_at, last_used_at",
		"iissstTT", "id", true},
	"integration_calls": {"integration_calls", "id, integration_id, name, key_id, method, route, status, article_id, " +
		"detail, calls, created_at, hour", "iisissiisitT", "id", true},
	"webhooks": {"webhooks", "id, integration_id, url, events, secret, created_at, disabled_at", "iissstT", "id", true},
	"wire_items": {"wire_items", "uri, article_id, version, version_created, pubstatus, distributor, credit, rights, " +
		"ednote, integration_id, updated_at", "siiTsssssit", `uri COLLATE "C"`, false},
}

func init() {
	// A kind missing or extra above fails at start-up, not halfway
	// through someone's copy.
	for n, t := range copyTables {
		if len(strings.Split(t.cols, ",")) != len(t.kinds) {
			panic("postgres: copy table " + n + ": columns and kinds differ")
		}
	}
}

func lookupCopyTable(name string) (copyTable, error) {
	t, ok := copyTables[name]
	if !ok {
		return t, fmt.Errorf("postgres: no table %q to copy", name)
	}
	return t, nil
}

// CountRows counts the rows of one of the tables copy-db moves (or
// "sessions").
func (db *DB) CountRows(ctx context.Context, table string) (int64, error) {
	if table != "sessions" {
		if _, err := lookupCopyTable(table); err != nil {
			return 0, err
		}
	}
	var n int64
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", table, err)
	}
	return n, nil
}

// ExportRows calls fn with every row of table in copydb's neutral format,
// ordered by primary key.
func (db *DB) ExportRows(ctx context.Context, table string, fn func(row []any) error) error {
	t, err := lookupCopyTable(table)
	if err != nil {
		return err
	}
	// A whole table streams for longer than the statement timeout.
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("export %s: %w", table, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, "SET LOCAL statement_timeout = 0"); err != nil {
		return fmt.Errorf("export %s: %w", table, err)
	}
	rows, err := tx.Query(ctx, `SELECT `+t.cols+` FROM `+t.name+` ORDER BY `+t.orderBy)
	if err != nil {
		return fmt.Errorf("export %s: %w", table, err)
	}
	defer rows.Close()
	dest := make([]any, len(t.kinds))
	for i, k := range []byte(t.kinds) {
		switch k {
		case kInt:
			dest[i] = new(int64)
		case kRef:
			dest[i] = new(*int64)
		case kFloat:
			dest[i] = new(float64)
		case kString:
			dest[i] = new(string)
		case kTime:
			dest[i] = new(time.Time)
		case kNulTim:
			dest[i] = new(*time.Time)
		case kBool:
			dest[i] = new(bool)
		case kWidths, kIDs:
			dest[i] = new([]int64)
		case kNames:
			dest[i] = new([]string)
		}
	}
	row := make([]any, len(t.kinds))
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("export %s: %w", table, err)
		}
		for i, d := range dest {
			switch d := d.(type) {
			case *int64:
				row[i] = *d
			case **int64:
				row[i] = fromNullID(*d)
			case *float64:
				row[i] = *d
			case *string:
				row[i] = *d
			case *time.Time:
				row[i] = d.UTC()
			case **time.Time:
				row[i] = fromNull(*d)
			case *bool:
				row[i] = *d
			case *[]int64:
				if t.kinds[i] == kIDs {
					row[i] = jsonArray(*d)
					break
				}
				parts := make([]string, len(*d))
				for j, w := range *d {
					parts[j] = strconv.FormatInt(w, 10)
				}
				row[i] = strings.Join(parts, ",")
			case *[]string:
				row[i] = jsonArray(*d)
			}
		}
		if err := fn(row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export %s: %w", table, err)
	}
	return nil
}

// jsonArray is the neutral form of a list column.
func jsonArray[T any](v []T) string {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func toPostgres(kind byte, v any) (any, error) {
	switch kind {
	case kIDs:
		if x, ok := v.(string); ok {
			ids := []int64{}
			if err := json.Unmarshal([]byte(x), &ids); err != nil {
				return nil, fmt.Errorf("id list %q: %w", x, err)
			}
			return ids, nil
		}
	case kNames:
		if x, ok := v.(string); ok {
			names := []string{}
			if err := json.Unmarshal([]byte(x), &names); err != nil {
				return nil, fmt.Errorf("name list %q: %w", x, err)
			}
			return names, nil
		}
	case kInt:
		if x, ok := v.(int64); ok {
			return x, nil
		}
	case kRef:
		if x, ok := v.(int64); ok {
			return nullID(x), nil
		}
	case kFloat:
		if x, ok := v.(float64); ok {
			return x, nil
		}
	case kString:
		if x, ok := v.(string); ok {
			return x, nil
		}
	case kTime:
		if x, ok := v.(time.Time); ok {
			return normTime(x), nil
		}
	case kNulTim:
		if x, ok := v.(time.Time); ok {
			return utc(x), nil
		}
	case kBool:
		if x, ok := v.(bool); ok {
			return x, nil
		}
	case kWidths:
		if x, ok := v.(string); ok {
			ws := []int64{}
			if x != "" {
				for _, p := range strings.Split(x, ",") {
					n, err := strconv.ParseInt(p, 10, 32)
					if err != nil {
						return nil, fmt.Errorf("widths %q: %w", x, err)
					}
					ws = append(ws, n)
				}
			}
			return ws, nil
		}
	}
	return nil, fmt.Errorf("unexpected value %T for kind %c", v, kind)
}

// ImportRows loads a paper into this database in one transaction. It
// refuses, writing nothing, unless the database holds no paper (no row in
// any copied table and no session). Articles are inserted without their
// translation_of link, which is set once every article exists, and with
// their search columns computed as CreateArticle does. Each id sequence is
// then moved past the largest id loaded, so the next story gets a new id.
func (db *DB) ImportRows(ctx context.Context, load func(put func(table string, row []any) error) error) error {
	err := db.write(ctx, true, func(tx pgx.Tx) error {
		// A whole paper takes longer than the statement timeout.
		if _, err := tx.Exec(ctx, "SET LOCAL statement_timeout = 0"); err != nil {
			return err
		}
		// Keep other writers (another node, a second copy-db) out of the
		// tables while they are checked empty and filled.
		names := make([]string, 0, len(copyTables)+1)
		for name := range copyTables {
			names = append(names, name)
		}
		names = append(names, "sessions")
		if _, err := tx.Exec(ctx, `LOCK TABLE `+strings.Join(names, ", ")+` IN EXCLUSIVE MODE`); err != nil {
			return err
		}
		for _, name := range names {
			var n int64
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+name).Scan(&n); err != nil {
				return fmt.Errorf("count %s: %w", name, err)
			}
			if n > 0 {
				return news.Errorf(news.ECONFLICT, "the destination database is not empty: %s has %d rows", name, n)
			}
		}
		// The counts the writes keep (story_counts, story_hours,
		// story_days) are rebuilt once at the end instead of by a
		// trigger per row loaded. ALTER TABLE is transactional: a failed
		// load leaves the triggers as they were.
		for _, t := range []string{"articles", "article_authors", "article_tags"} {
			if _, err := tx.Exec(ctx, `ALTER TABLE `+t+` DISABLE TRIGGER USER`); err != nil {
				return err
			}
		}
		type link struct{ id, to int64 }
		var translations []link
		tagPos := map[int64]int{}
		// Rows go in batches: one round trip per copyBatch rows instead of
		// one per row.
		batch := &pgx.Batch{}
		var queued []string // the table of each queued row, for errors
		flush := func() error {
			if batch.Len() == 0 {
				return nil
			}
			br := tx.SendBatch(ctx, batch)
			for _, table := range queued {
				if _, err := br.Exec(); err != nil {
					br.Close()
					return translate(err, "insert into "+table)
				}
			}
			batch, queued = &pgx.Batch{}, queued[:0]
			return br.Close()
		}
		put := func(table string, row []any) error {
			t, err := lookupCopyTable(table)
			if err != nil {
				return err
			}
			if len(row) != len(t.kinds) {
				return fmt.Errorf("%s: row has %d values, want %d", table, len(row), len(t.kinds))
			}
			args := make([]any, len(row), len(row)+7)
			for i, k := range []byte(t.kinds) {
				if args[i], err = toPostgres(k, row[i]); err != nil {
					return fmt.Errorf("%s column %d: %w", table, i+1, err)
				}
			}
			cols, vals := t.cols, placeholderList(len(args))
			switch table {
			case "articles":
				if to := row[13].(int64); to != 0 {
					translations = append(translations, link{row[0].(int64), to})
				}
				args[13] = nil
				doc := searchDocument(&news.Article{Headline: row[2].(string), Deck: row[3].(string),
					BodyMarkdown: row[4].(string), BodyHTML: row[5].(string)})
				n := len(args)
				cols += ", body_text, search, search_head, search_deck"
				// The month lexeme (migration 0073's trigger, off while
				// loading) of published_at, the 16th column.
				vals += fmt.Sprintf(", $%d, %s || %s, %s, %s", n+1, searchVectorSQL(n+2), searchMonthSQL("$16"), fieldVectorSQL(n+2, 'A'), fieldVectorSQL(n+4, 'B'))
				args = append(append(args, doc.bodyText), doc.args()...)
			case "article_tags":
				// Tags are read back in name order; position only keeps
				// the column's NOT NULL and uniqueness per story happy.
				aid := row[0].(int64)
				tagPos[aid]++
				cols += ", position"
				vals += fmt.Sprintf(", $%d", len(args)+1)
				args = append(args, tagPos[aid])
			}
			// pgx prepares and caches each distinct statement text once.
			batch.Queue(`INSERT INTO `+t.name+` (`+cols+`) VALUES (`+vals+`)`, args...)
			queued = append(queued, table)
			if batch.Len() >= copyBatch {
				return flush()
			}
			return nil
		}
		if err := load(put); err != nil {
			return err
		}
		if err := flush(); err != nil {
			return err
		}
		for _, l := range translations {
			if _, err := tx.Exec(ctx, `UPDATE articles SET translation_of = $1 WHERE id = $2`, l.to, l.id); err != nil {
				return fmt.Errorf("article %d: translation of %d: %w", l.id, l.to, err)
			}
		}
		if _, err := tx.Exec(ctx, rebuildCountsSQL); err != nil {
			return fmt.Errorf("rebuild the kept counts: %w", err)
		}
		for _, t := range []string{"articles", "article_authors", "article_tags"} {
			if _, err := tx.Exec(ctx, `ALTER TABLE `+t+` ENABLE TRIGGER USER`); err != nil {
				return err
			}
		}
		for _, t := range copyTables {
			if !t.serial {
				continue
			}
			// setval(seq, max, true) makes nextval return max+1; an empty
			// table gets setval(seq, 1, false), so nextval returns 1.
			if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), coalesce(max(id), 1), max(id) IS NOT NULL) FROM `+t.name,
				t.name); err != nil {
				return fmt.Errorf("reset the id sequence of %s: %w", t.name, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: import: %w", err)
	}
	// The planner knows nothing of rows loaded in bulk until autovacuum
	// gets round to them: right after a copy of 10,000 stories it read
	// 90,000 index tuples per front page. Gather the statistics now, and
	// vacuum too: until the visibility map is set, an index-only scan of a
	// listing index (a deep section page's ids) still reads the table for
	// every entry it steps over (620 heap fetches for page 31 of a section
	// at 10,000 stories).
	for _, t := range copyTables {
		if _, err := db.pool.Exec(ctx, "VACUUM (ANALYZE) "+t.name); err != nil {
			return fmt.Errorf("postgres: vacuum %s after import: %w", t.name, err)
		}
	}
	return nil
}

// rebuildCountsSQL recounts what the triggers of migrations 0063, 0064,
// 0065 and 0074 keep, from the stories (as those migrations do).
const rebuildCountsSQL = `DELETE FROM story_counts;
DELETE FROM story_hours;
DELETE FROM story_days;
INSERT INTO story_counts (kind, id, n)
    SELECT 1, section_id, count(*) FROM articles
    WHERE status = 'published' AND published_at IS NOT NULL AND section_id IS NOT NULL GROUP BY section_id;
INSERT INTO story_counts (kind, id, n)
    SELECT 2, x.author_id, count(*) FROM article_authors x JOIN articles a ON a.id = x.article_id
    WHERE a.status = 'published' AND a.published_at IS NOT NULL GROUP BY x.author_id;
INSERT INTO story_counts (kind, id, n)
    SELECT 3, x.tag_id, count(*) FROM article_tags x JOIN articles a ON a.id = x.article_id
    WHERE a.status = 'published' AND a.published_at IS NOT NULL GROUP BY x.tag_id;
INSERT INTO story_hours (hour, n, lastmod)
    SELECT floor(extract(epoch FROM published_at) / 3600)::bigint AS h, count(*),
        max(greatest(published_at, updated_at, embargo_until))
    FROM articles WHERE status = 'published' AND published_at IS NOT NULL GROUP BY h;
INSERT INTO story_days (day, n, lastmod)
    SELECT floor(hour / 24.0)::bigint AS d, sum(n), max(lastmod) FROM story_hours GROUP BY d;
UPDATE article_authors x SET published_at = a.published_at, embargo_until = a.embargo_until FROM articles a WHERE a.id = x.article_id AND a.status = 'published';
UPDATE article_tags x SET published_at = a.published_at, embargo_until = a.embargo_until FROM articles a WHERE a.id = x.article_id AND a.status = 'published'`

// copyBatch is how many rows ImportRows sends at once.
const copyBatch = 500

// placeholderList returns "$1, $2, ..., $n".
func placeholderList(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(i))
	}
	return b.String()
}
