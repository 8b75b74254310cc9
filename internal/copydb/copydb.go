// Package copydb moves a whole paper from one database to another
// (SQLite ⇄ PostgreSQL), keeping every id so that links such as
// /media/{id}/... and revision pages keep working on the new database.
//
// news.Store has no bulk API and lets the database pick ids, so each store
// package offers a small dump/load API of its own (ExportRows, ImportRows,
// CountRows in copy.go) over one neutral row format: the tables below, their
// columns in the order listed, with values of these Go types only:
//
//	int64, float64, string, bool, time.Time (UTC; the zero time for NULL)
//
// Optional references are int64 with 0 for none, as in the domain types. The
// stores convert between this and their own column types (SQLite integer
// microseconds, PostgreSQL timestamptz and int[], ...). This package knows no
// driver: it speaks to the stores through the interfaces below.
package copydb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// Table is one table of the neutral format.
type Table struct {
	Name    string
	Columns []string
}

// Tables lists what a copy moves, in load order (referenced tables first).
// Sessions and account tokens (reset and invitation links) are left out on
// purpose: everyone signs in again on the new
// database, and no session token leaves the old one. The generation counter
// and the change log are not data: the destination records the load as one
// change of everything. Leases are not either: each database elects its own.
var Tables = []Table{
	{"sections", []string{"id", "slug", "name", "description", "position", "parent_id", "layout", "version", "updated_by", "updated_at", "hidden"}},
	{"photos", []string{"id", "key", "content_type", "width", "height", "caption", "credit", "alt",
		"focal_x", "focal_y", "widths", "created_at"}},
	{"authors", []string{"id", "slug", "name", "email", "bio", "title", "photo_id", "position", "links", "version", "updated_by", "updated_at"}},
	{"tags", []string{"id", "slug", "name", "version", "updated_by", "updated_at"}},
	{"articles", []string{"id", "slug", "headline", "deck", "body_markdown", "body_html", "lang", "status",
		"section_id", "photo_id", "seo_title", "seo_description", "source_key", "translation_of",
		"created_at", "published_at", "updated_at", "embargo_until", "version"}},
	{"article_authors", []string{"article_id", "author_id", "position"}},
	{"article_tags", []string{"article_id", "tag_id"}},
	{"article_slugs", []string{"slug", "article_id"}},
	{"photo_uses", []string{"photo_id", "article_id", "lead", "inline"}},
	{"users", []string{"id", "email", "name", "role", "password_hash", "author_id", "disabled", "created_at",
		"version", "updated_by", "updated_at"}},
	// author_ids and tags are JSON arrays (of numbers, of strings).
	{"revisions", []string{"id", "article_id", "user_id", "headline", "deck", "body_markdown", "body_html",
		"note", "created_at", "version", "status", "slug", "lang", "section_id", "author_ids", "tags", "photo_id",
		"seo_title", "seo_description", "embargo_until"}},
	{"corrections", []string{"id", "article_id", "kind", "text", "created_at", "revision_id"}},
	{"audit", []string{"id", "user_id", "action", "article_id", "detail", "created_at"}},
	{"story_notes", []string{"id", "article_id", "user_id", "text", "created_at"}},
	{"trash", []string{"article_id", "deleted_at", "deleted_by", "status"}},
	{"settings", []string{"key", "value", "version", "updated_by", "updated_at"}},
	{"article_views", []string{"article_id", "hour", "count"}},
	{"redirects", []string{"from_path", "to_path", "code", "created_at"}},
	// Static pages (issue 15).
	{"pages", []string{"id", "slug", "title", "description", "body", "lang", "status", "position", "in_footer", "version",
		"updated_by", "created_at", "updated_at", "published_at"}},
	{"reader_messages", []string{"id", "kind", "name", "email", "url", "text", "client_key", "created_at", "handled_by", "handled_at"}},
	// Readers (issue 16). Their sign-in links and sessions stay behind as
	// the newsroom's do; so do newsletter issues and their send queue:
	// let a send finish before copying.
	{"readers", []string{"id", "email", "email_key", "name", "banned", "shadow_banned", "created_at"}},
	{"reader_passkeys", []string{"id", "reader_id", "name", "data", "created_at", "last_used"}},
	{"newsletter_lists", []string{"id", "slug", "name", "description", "kind", "section_id", "position", "created_at"}},
	{"subscriptions", []string{"id", "list_id", "reader_id", "email", "email_key", "status", "created_at", "confirmed_at", "unsubscribed_at"}},
	{"comments", []string{"id", "article_id", "parent_id", "reader_id", "author_name", "staff", "staff_user_id", "body", "status",
		"shadow", "spam_score", "reports", "source_key", "created_at", "edited_at"}},
	{"comment_reports", []string{"comment_id", "reader_id", "reason", "created_at"}},
	{"comment_threads", []string{"article_id", "closed"}},
	// Integrations (issue 18): the keys' hashes, the audit of calls, the
	// webhook subscriptions and the wire records. The webhook outbox and
	// idempotent answers are left behind: they are hours of state, and a
	// copy is made with serve stopped and its outbox delivered.
	{"integrations", []string{"id", "name", "scopes", "rate_limit", "created_at", "revoked_at"}},
	{"api_keys", []string{"id", "integration_id", "kind", "hash", "hint", "created_at", "revoked_at", "last_used_at"}},
	{"integration_calls", []string{"id", "integration_id", "name", "key_id", "method", "route", "status", "article_id",
		"detail", "calls", "created_at", "hour"}},
	{"webhooks", []string{"id", "integration_id", "url", "events", "secret", "created_at", "disabled_at"}},
	{"wire_items", []string{"uri", "article_id", "version", "version_created", "pubstatus", "distributor", "credit",
		"rights", "ednote", "integration_id", "updated_at"}},
}

// Source is a database a paper is read from.
type Source interface {
	// ExportRows calls fn with every row of table in the neutral format,
	// ordered by primary key. The row slice may be reused after fn returns.
	ExportRows(ctx context.Context, table string, fn func(row []any) error) error
	// CountRows counts the rows of table.
	CountRows(ctx context.Context, table string) (int64, error)
}

// Destination is a database a paper is written to.
type Destination interface {
	Source
	// ImportRows loads rows in one transaction: it refuses (writing
	// nothing) unless every table is empty, then calls load, which puts
	// rows table by table in the order of Tables. Any error rolls the
	// whole load back.
	ImportRows(ctx context.Context, load func(put func(table string, row []any) error) error) error
}

// Count is one table's row count on both sides.
type Count struct {
	Table    string
	From, To int64
}

// ErrNotEmpty is returned when the destination already holds a paper.
var ErrNotEmpty = errors.New("the destination database is not empty")

// Copy moves every table from src to dst, then counts the rows of each
// table on both sides. It refuses a destination that holds anything, and
// a count that differs afterwards is an error (the counts are returned
// either way, for the operator to see).
func Copy(ctx context.Context, src Source, dst Destination, progress io.Writer) ([]Count, error) {
	if progress == nil {
		progress = io.Discard
	}
	// Checked here for a clear message naming the table; ImportRows checks
	// again inside its transaction, so a race cannot slip past.
	for _, t := range Tables {
		n, err := dst.CountRows(ctx, t.Name)
		if err != nil {
			return nil, fmt.Errorf("count %s in the destination: %w", t.Name, err)
		}
		if n > 0 {
			return nil, fmt.Errorf("%w: %s has %d rows; copy-db only fills an empty database", ErrNotEmpty, t.Name, n)
		}
	}
	start := time.Now()
	err := dst.ImportRows(ctx, func(put func(string, []any) error) error {
		for _, t := range Tables {
			var n int64
			err := src.ExportRows(ctx, t.Name, func(row []any) error {
				if len(row) != len(t.Columns) {
					return fmt.Errorf("%s: source row has %d values, want %d", t.Name, len(row), len(t.Columns))
				}
				n++
				return put(t.Name, row)
			})
			if err != nil {
				return fmt.Errorf("copy %s (row %d): %w", t.Name, n, err)
			}
			fmt.Fprintf(progress, "copied %-16s %8d rows\n", t.Name, n)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(progress, "loaded in %s\n", time.Since(start).Round(time.Millisecond))
	return Verify(ctx, src, dst)
}

// Verify counts every table on both sides; a difference is an error.
func Verify(ctx context.Context, src, dst Source) ([]Count, error) {
	var counts []Count
	var bad []string
	for _, t := range Tables {
		c := Count{Table: t.Name}
		var err error
		if c.From, err = src.CountRows(ctx, t.Name); err != nil {
			return counts, fmt.Errorf("count %s in the source: %w", t.Name, err)
		}
		if c.To, err = dst.CountRows(ctx, t.Name); err != nil {
			return counts, fmt.Errorf("count %s in the destination: %w", t.Name, err)
		}
		counts = append(counts, c)
		if c.From != c.To {
			bad = append(bad, fmt.Sprintf("%s (%d → %d)", t.Name, c.From, c.To))
		}
	}
	if len(bad) > 0 {
		return counts, fmt.Errorf("row counts differ after the copy: %v", bad)
	}
	return counts, nil
}
