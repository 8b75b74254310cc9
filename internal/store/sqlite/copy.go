package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

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
	kString = 's' // string, NOT NULL
	kNulStr = 'n' // string; "" is NULL (articles.source_key)
	kTime   = 't' // time.Time as integer microseconds, NOT NULL (zero is 0)
	kNulTim = 'T' // time.Time as integer microseconds; zero is NULL
	kBool   = 'b' // bool as 0/1
)

type copyTable struct {
	name    string
	cols    string // column list, in the neutral order
	kinds   string // one kind per column
	orderBy string
}

// copyTables must match copydb.Tables column for column; the round-trip
// test in internal/copydb holds the two together.
var copyTables = map[string]copyTable{
	"sections": {"sections", "id, slug, name, description, position, parent_id, layout, version, updated_by, updated_at, hidden", "isssiisiiTb", "id"},
	"photos": {"photos", "id, key, content_type, width, height, caption, credit, alt, focal_x, focal_y, widths, created_at",
		"issiisssffst", "id"},
	"authors": {"authors", "id, slug, name, email, bio, title, photo_id, position, links, version, updated_by, updated_at", "isssssrisiiT", "id"},
	"tags":    {"tags", "id, slug, name, version, updated_by, updated_at", "issiiT", "id"},
	"articles": {"articles", "id, slug, headline, deck, body_markdown, body_html, lang, status, section_id, photo_id, " +
		"seo_title, seo_description, source_key, translation_of, created_at, published_at, updated_at, embargo_until, version",
		"isssssssrrssnrtTTTi", "id"},
	"article_authors": {"article_authors", "article_id, author_id, position", "iii", "article_id, author_id"},
	"article_tags":    {"article_tags", "article_id, tag_id", "ii", "article_id, tag_id"},
	"article_slugs":   {"article_slugs", "slug, article_id", "si", "slug"},
	"photo_uses":      {"photo_uses", "photo_id, article_id, lead, inline", "iibb", "photo_id, article_id"},
	"users": {"users", "id, email, name, role, password_hash, author_id, disabled, created_at, version, updated_by, updated_at",
		"issssrbtiiT", "id"},
	"revisions": {"revisions", "id, article_id, user_id, headline, deck, body_markdown, body_html, note, created_at, " +
		"version, status, slug, lang, section_id, author_ids, tags, photo_id, seo_title, seo_description, embargo_until",
		"iiisssssti" + "sssississT", "id"},
	"story_notes":   {"story_notes", "id, article_id, user_id, text, created_at", "iiist", "id"},
	"trash":         {"trash", "article_id, deleted_at, deleted_by, status", "itis", "article_id"},
	"corrections":   {"corrections", "id, article_id, kind, text, created_at, revision_id", "iissti", "id"},
	"audit":         {"audit", "id, user_id, action, article_id, detail, created_at", "iisist", "id"},
	"settings":      {"settings", "key, value, version, updated_by, updated_at", "ssiiT", "key"},
	"article_views": {"article_views", "article_id, hour, count", "iti", "article_id, hour"},
	"redirects":     {"redirects", "from_path, to_path, code, created_at", "ssit", "from_path"},
	"pages": {"pages", "id, slug, title, description, body, lang, status, position, in_footer, version, updated_by, created_at, updated_at, published_at",
		"issssssibiittT", "id"},
	"reader_messages": {"reader_messages", "id, kind, name, email, url, text, client_key, created_at, handled_by, handled_at",
		"isssssstiT", "id"},
	"readers":          {"readers", "id, email, email_key, name, banned, shadow_banned, created_at", "isssbbt", "id"},
	"reader_passkeys":  {"reader_passkeys", "id, reader_id, name, data, created_at, last_used", "sisstT", "id"},
	"newsletter_lists": {"newsletter_lists", "id, slug, name, description, kind, section_id, position, created_at", "issssrit", "id"},
	"subscriptions": {"subscriptions", "id, list_id, reader_id, email, email_key, status, created_at, confirmed_at, unsubscribed_at",
		"iirssstTT", "id"},
	"comments": {"comments", "id, article_id, parent_id, reader_id, author_name, staff, staff_user_id, body, status, shadow, " +
		"spam_score, reports, source_key, created_at, edited_at", "iirrsbrssbfistT", "id"},
	"comment_reports": {"comment_reports", "comment_id, reader_id, reason, created_at", "iist", "comment_id, reader_id"},
	"comment_threads": {"comment_threads", "article_id, closed", "ib", "article_id"},
	"integrations":    {"integrations", "id, name, scopes, rate_limit, created_at, revoked_at", "issitT", "id"},
	"api_keys": {"api_keys", "id, integration_id, kind, hash, hint, created_at, revoked_at, last_used_at",
		"iissstTT", "id"},
	"integration_calls": {"integration_calls", "id, integration_id, name, key_id, method, route, status, article_id, " +
		"detail, calls, created_at, hour", "iisissiisitT", "id"},
	"webhooks": {"webhooks", "id, integration_id, url, events, secret, created_at, disabled_at", "iissstT", "id"},
	"wire_items": {"wire_items", "uri, article_id, version, version_created, pubstatus, distributor, credit, rights, " +
		"ednote, integration_id, updated_at", "siiTsssssit", "uri"},
}

func init() {
	// "iissti" above would be a typo; fail loudly at start-up, not
	// halfway through someone's copy.
	for n, t := range copyTables {
		t.kinds = strings.ReplaceAll(t.kinds, " ", "")
		copyTables[n] = t
		if len(strings.Split(t.cols, ",")) != len(t.kinds) {
			panic("sqlite: copy table " + n + ": columns and kinds differ")
		}
	}
}

func lookupCopyTable(name string) (copyTable, error) {
	t, ok := copyTables[name]
	if !ok {
		return t, fmt.Errorf("sqlite: no table %q to copy", name)
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
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", table, translate(err))
	}
	return n, nil
}

// ExportRows calls fn with every row of table in copydb's neutral format,
// ordered by primary key, from one read snapshot.
func (db *DB) ExportRows(ctx context.Context, table string, fn func(row []any) error) error {
	t, err := lookupCopyTable(table)
	if err != nil {
		return err
	}
	return db.view(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+t.cols+` FROM `+t.name+` ORDER BY `+t.orderBy)
		if err != nil {
			return err
		}
		defer rows.Close()
		raw := make([]any, len(t.kinds))
		ptrs := make([]any, len(t.kinds))
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		row := make([]any, len(t.kinds))
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			for i, k := range []byte(t.kinds) {
				if row[i], err = fromSQLite(k, raw[i]); err != nil {
					return fmt.Errorf("%s column %d: %w", t.name, i+1, err)
				}
			}
			if err := fn(row); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

func fromSQLite(kind byte, v any) (any, error) {
	switch kind {
	case kInt, kRef:
		switch x := v.(type) {
		case nil:
			return int64(0), nil
		case int64:
			return x, nil
		}
	case kFloat:
		switch x := v.(type) {
		case float64:
			return x, nil
		case int64:
			return float64(x), nil
		}
	case kString, kNulStr:
		switch x := v.(type) {
		case nil:
			return "", nil
		case string:
			return x, nil
		case []byte:
			return string(x), nil
		}
	case kTime, kNulTim:
		switch x := v.(type) {
		case nil:
			return time.Time{}, nil
		case int64:
			return fromMicro(sql.NullInt64{Int64: x, Valid: true}), nil
		}
	case kBool:
		if x, ok := v.(int64); ok {
			return x != 0, nil
		}
	}
	return nil, fmt.Errorf("unexpected value %T for kind %c", v, kind)
}

func toSQLite(kind byte, v any) (any, error) {
	switch kind {
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
	case kNulStr:
		if x, ok := v.(string); ok {
			return nullStr(x), nil
		}
	case kTime:
		if x, ok := v.(time.Time); ok {
			return tvNotNull(x), nil
		}
	case kNulTim:
		if x, ok := v.(time.Time); ok {
			return tv(x), nil
		}
	case kBool:
		if x, ok := v.(bool); ok {
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		}
	}
	return nil, fmt.Errorf("unexpected value %T for kind %c", v, kind)
}

// ImportRows loads a paper into this database in one transaction. It
// refuses, writing nothing, unless the database holds no paper (no row in
// any copied table and no session). Articles are inserted without their
// translation_of link, which is set once every article exists (a
// translation may have a smaller id than its original); the search index
// is built from the loaded articles at the end.
func (db *DB) ImportRows(ctx context.Context, load func(put func(table string, row []any) error) error) error {
	return db.tx(ctx, true, func(tx *sql.Tx) error {
		for name := range copyTables {
			if err := requireEmpty(ctx, tx, name); err != nil {
				return err
			}
		}
		if err := requireEmpty(ctx, tx, "sessions"); err != nil {
			return err
		}
		stmts := map[string]*sql.Stmt{}
		defer func() {
			for _, s := range stmts {
				s.Close()
			}
		}()
		type link struct{ id, to int64 }
		var translations []link
		put := func(table string, row []any) error {
			t, err := lookupCopyTable(table)
			if err != nil {
				return err
			}
			if len(row) != len(t.kinds) {
				return fmt.Errorf("%s: row has %d values, want %d", table, len(row), len(t.kinds))
			}
			args := make([]any, len(row), len(row)+1)
			for i, k := range []byte(t.kinds) {
				if args[i], err = toSQLite(k, row[i]); err != nil {
					return fmt.Errorf("%s column %d: %w", table, i+1, err)
				}
			}
			cols := t.cols
			switch table {
			case "articles":
				if to := row[13].(int64); to != 0 {
					translations = append(translations, link{row[0].(int64), to})
				}
				args[13] = nil
			case "users":
				cols += ", email_key"
				args = append(args, emailKey(row[1].(string)))
			}
			st, ok := stmts[table]
			if !ok {
				st, err = tx.PrepareContext(ctx, `INSERT INTO `+t.name+` (`+cols+`) VALUES (`+placeholders(len(args))+`)`)
				if err != nil {
					return err
				}
				stmts[table] = st
			}
			if _, err := st.ExecContext(ctx, args...); err != nil {
				return fmt.Errorf("insert into %s: %w", table, translate(err))
			}
			if table == "articles" {
				a := &news.Article{Headline: row[2].(string), Deck: row[3].(string), BodyHTML: row[5].(string)}
				if err := index(ctx, tx, row[0].(int64), a, false); err != nil {
					return fmt.Errorf("index article %d: %w", row[0], err)
				}
			}
			return nil
		}
		if err := load(put); err != nil {
			return err
		}
		for _, l := range translations {
			if _, err := tx.ExecContext(ctx, `UPDATE articles SET translation_of = ? WHERE id = ?`, l.to, l.id); err != nil {
				return fmt.Errorf("article %d: translation of %d: %w", l.id, l.to, translate(err))
			}
		}
		return nil
	})
}

func requireEmpty(ctx context.Context, tx *sql.Tx, table string) error {
	var n int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		return fmt.Errorf("count %s: %w", table, err)
	}
	if n > 0 {
		return news.Errorf(news.ECONFLICT, "the destination database is not empty: %s has %d rows", table, n)
	}
	return nil
}
