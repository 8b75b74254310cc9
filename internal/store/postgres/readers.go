package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"masthead/internal/news"
)

// Readers, newsletters and comments (issue 16). None of these writes bumps
// the generation: reader pages never show them (comments load from their
// own short-lived JSON endpoint), so a comment must not empty every node's
// page cache.

var (
	_ news.ReaderStore     = (*DB)(nil)
	_ news.NewsletterStore = (*DB)(nil)
	_ news.CommentStore    = (*DB)(nil)
)

// emailKey is what makes reader addresses unique: lower case as Go does it,
// the same rule as the SQLite store.
func emailKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

func one(tag interface{ RowsAffected() int64 }, what string, id any) error {
	if tag.RowsAffected() == 0 {
		return notFound("%s %v not found", what, id)
	}
	return nil
}

const readerCols = `id, email, name, banned, shadow_banned, created_at`

func scanReader(row pgx.Row) (*news.Reader, error) {
	var r news.Reader
	if err := row.Scan(&r.ID, &r.Email, &r.Name, &r.Banned, &r.ShadowBanned, &r.CreatedAt); err != nil {
		return nil, err
	}
	r.CreatedAt = r.CreatedAt.UTC()
	return &r, nil
}

func (db *DB) EnsureReader(ctx context.Context, email string) (*news.Reader, error) {
	email = strings.TrimSpace(email)
	if !strings.Contains(email, "@") {
		return nil, invalid("not an e-mail address")
	}
	_, err := db.pool.Exec(ctx, `INSERT INTO readers (email, email_key, created_at) VALUES ($1, $2, $3) ON CONFLICT (email_key) DO NOTHING`,
		email, emailKey(email), db.createdAt(time.Time{}))
	if err != nil {
		return nil, translate(err, "ensure reader")
	}
	return db.FindReaderByEmail(ctx, email)
}

func (db *DB) FindReaderByID(ctx context.Context, id int64) (*news.Reader, error) {
	r, err := scanReader(db.pool.QueryRow(ctx, `SELECT `+readerCols+` FROM readers WHERE id = $1`, id))
	if err != nil {
		return nil, translate(err, "find reader")
	}
	return r, nil
}

func (db *DB) FindReaderByEmail(ctx context.Context, email string) (*news.Reader, error) {
	r, err := scanReader(db.pool.QueryRow(ctx, `SELECT `+readerCols+` FROM readers WHERE email_key = $1`, emailKey(email)))
	if err != nil {
		return nil, translate(err, "find reader")
	}
	return r, nil
}

func (db *DB) UpdateReader(ctx context.Context, r *news.Reader) error {
	tag, err := db.pool.Exec(ctx, `UPDATE readers SET name = $1, banned = $2, shadow_banned = $3 WHERE id = $4`,
		r.Name, r.Banned, r.ShadowBanned, r.ID)
	if err == nil {
		err = one(tag, "reader", r.ID)
	}
	return translate(err, fmt.Sprintf("update reader %d", r.ID))
}

func (db *DB) DeleteReader(ctx context.Context, id int64) error {
	err := db.write(ctx, false, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE comments SET status = 'deleted', body = '', author_name = '', reader_id = NULL
			WHERE reader_id = $1 AND id IN (SELECT parent_id FROM comments WHERE parent_id IS NOT NULL)`, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM comments WHERE reader_id = $1`, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM subscriptions WHERE reader_id = $1`, id); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM readers WHERE id = $1`, id)
		if err != nil {
			return err
		}
		return one(tag, "reader", id)
	})
	return translate(err, fmt.Sprintf("delete reader %d", id))
}

func (db *DB) CreateReaderToken(ctx context.Context, t *news.ReaderToken) error {
	t.CreatedAt = db.createdAt(t.CreatedAt)
	t.ExpiresAt = normTime(t.ExpiresAt)
	_, err := db.pool.Exec(ctx, `INSERT INTO reader_tokens (hash, purpose, email_key, email, reader_id, data, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, t.Hash, t.Purpose, emailKey(t.Email), t.Email, nullID(t.ReaderID), t.Data, t.CreatedAt, t.ExpiresAt)
	return translate(err, "create reader token")
}

func (db *DB) UseReaderToken(ctx context.Context, hash, purpose string, now time.Time) (*news.ReaderToken, error) {
	var t news.ReaderToken
	var reader *int64
	var used *time.Time
	err := db.pool.QueryRow(ctx, `UPDATE reader_tokens SET used_at = $1
		WHERE hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1
		RETURNING hash, purpose, email, reader_id, data, created_at, expires_at, used_at`, utc(now), hash, purpose).
		Scan(&t.Hash, &t.Purpose, &t.Email, &reader, &t.Data, &t.CreatedAt, &t.ExpiresAt, &used)
	if err != nil {
		return nil, translate(err, "use reader token")
	}
	t.ReaderID, t.CreatedAt, t.ExpiresAt, t.UsedAt = fromNullID(reader), t.CreatedAt.UTC(), t.ExpiresAt.UTC(), fromNull(used)
	return &t, nil
}

func (db *DB) CountReaderTokens(ctx context.Context, email string, since time.Time) (int, error) {
	var n int
	err := db.pool.QueryRow(ctx, `SELECT count(*) FROM reader_tokens WHERE email_key = $1 AND created_at >= $2`, emailKey(email), utc(since)).Scan(&n)
	return n, translate(err, "count reader tokens")
}

func (db *DB) CreateReaderSession(ctx context.Context, s *news.ReaderSession) error {
	s.CreatedAt = db.createdAt(s.CreatedAt)
	if s.LastSeen.IsZero() {
		s.LastSeen = s.CreatedAt
	}
	_, err := db.pool.Exec(ctx, `INSERT INTO reader_sessions (id, reader_id, created_at, expires_at, last_seen) VALUES ($1, $2, $3, $4, $5)`,
		s.ID, s.ReaderID, s.CreatedAt, utc(s.ExpiresAt), utc(s.LastSeen))
	return translate(err, "create reader session")
}

func (db *DB) FindReaderSession(ctx context.Context, id string) (*news.ReaderSession, error) {
	var s news.ReaderSession
	err := db.pool.QueryRow(ctx, `SELECT id, reader_id, created_at, expires_at, last_seen FROM reader_sessions WHERE id = $1`, id).
		Scan(&s.ID, &s.ReaderID, &s.CreatedAt, &s.ExpiresAt, &s.LastSeen)
	if err != nil {
		return nil, translate(err, "find reader session")
	}
	s.CreatedAt, s.ExpiresAt, s.LastSeen = s.CreatedAt.UTC(), s.ExpiresAt.UTC(), s.LastSeen.UTC()
	return &s, nil
}

func (db *DB) DeleteReaderSession(ctx context.Context, id string) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM reader_sessions WHERE id = $1`, id)
	return translate(err, "delete reader session")
}

func (db *DB) DeleteExpiredReaderData(ctx context.Context, t time.Time) error {
	err := db.write(ctx, false, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM reader_sessions WHERE expires_at <= $1`, utc(t)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM reader_tokens WHERE expires_at <= $1`, utc(t))
		return err
	})
	return translate(err, "delete expired reader data")
}

// Newsletters

const listCols = `id, slug, name, description, kind, section_id, position, created_at`

func scanList(row pgx.Row) (*news.NewsletterList, error) {
	var l news.NewsletterList
	var section *int64
	if err := row.Scan(&l.ID, &l.Slug, &l.Name, &l.Description, &l.Kind, &section, &l.Position, &l.CreatedAt); err != nil {
		return nil, err
	}
	l.SectionID, l.CreatedAt = fromNullID(section), l.CreatedAt.UTC()
	return &l, nil
}

func validList(l *news.NewsletterList) error {
	if strings.TrimSpace(l.Name) == "" || strings.TrimSpace(l.Slug) == "" {
		return invalid("a newsletter needs a name and a slug")
	}
	switch l.Kind {
	case news.ListDigest, news.ListBreaking, news.ListSection:
	default:
		return invalid("unknown newsletter kind %q", l.Kind)
	}
	return nil
}

func (db *DB) CreateNewsletterList(ctx context.Context, l *news.NewsletterList) error {
	if err := validList(l); err != nil {
		return err
	}
	l.CreatedAt = db.createdAt(l.CreatedAt)
	err := db.pool.QueryRow(ctx, `INSERT INTO newsletter_lists (slug, name, description, kind, section_id, position, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, l.Slug, l.Name, l.Description, l.Kind, nullID(l.SectionID), l.Position, l.CreatedAt).Scan(&l.ID)
	return translate(err, fmt.Sprintf("create newsletter %q", l.Slug))
}

func (db *DB) UpdateNewsletterList(ctx context.Context, l *news.NewsletterList) error {
	if err := validList(l); err != nil {
		return err
	}
	tag, err := db.pool.Exec(ctx, `UPDATE newsletter_lists SET slug = $1, name = $2, description = $3, kind = $4, section_id = $5, position = $6
		WHERE id = $7`, l.Slug, l.Name, l.Description, l.Kind, nullID(l.SectionID), l.Position, l.ID)
	if err == nil {
		err = one(tag, "newsletter", l.ID)
	}
	return translate(err, fmt.Sprintf("update newsletter %d", l.ID))
}

func (db *DB) ListNewsletterLists(ctx context.Context) ([]*news.NewsletterList, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+listCols+` FROM newsletter_lists ORDER BY position, name`)
	if err != nil {
		return nil, translate(err, "list newsletters")
	}
	return collect(rows, scanList)
}

func (db *DB) FindNewsletterList(ctx context.Context, id int64) (*news.NewsletterList, error) {
	l, err := scanList(db.pool.QueryRow(ctx, `SELECT `+listCols+` FROM newsletter_lists WHERE id = $1`, id))
	if err != nil {
		return nil, translate(err, fmt.Sprintf("find newsletter %d", id))
	}
	return l, nil
}

// collect scans every row with scan.
func collect[T any](rows pgx.Rows, scan func(pgx.Row) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

const subCols = `id, list_id, reader_id, email, status, created_at, confirmed_at, unsubscribed_at`

func scanSub(row pgx.Row) (*news.Subscription, error) {
	var s news.Subscription
	var reader *int64
	var conf, unsub *time.Time
	if err := row.Scan(&s.ID, &s.ListID, &reader, &s.Email, &s.Status, &s.CreatedAt, &conf, &unsub); err != nil {
		return nil, err
	}
	s.ReaderID, s.CreatedAt, s.ConfirmedAt, s.UnsubscribedAt = fromNullID(reader), s.CreatedAt.UTC(), fromNull(conf), fromNull(unsub)
	return &s, nil
}

func (db *DB) Subscribe(ctx context.Context, listID, readerID int64, email string, t time.Time) (*news.Subscription, error) {
	s, err := scanSub(db.pool.QueryRow(ctx, `INSERT INTO subscriptions AS s (list_id, reader_id, email, email_key, status, created_at)
		VALUES ($1, $2, $3, $4, 'pending', $5)
		ON CONFLICT (list_id, email_key) DO UPDATE SET
			status = CASE WHEN s.status = 'unsubscribed' THEN 'pending' ELSE s.status END,
			reader_id = COALESCE(s.reader_id, excluded.reader_id)
		RETURNING `+subCols, listID, nullID(readerID), email, emailKey(email), utc(t)))
	if err != nil {
		return nil, translate(err, fmt.Sprintf("subscribe to %d", listID))
	}
	return s, nil
}

func (db *DB) SetSubscriptionStatus(ctx context.Context, id int64, status string, t time.Time) error {
	var q string
	switch status {
	case news.SubActive:
		q = `UPDATE subscriptions SET status = $1, confirmed_at = COALESCE(confirmed_at, $2), unsubscribed_at = NULL WHERE id = $3`
	case news.SubUnsubscribed, news.SubBounced, news.SubComplained:
		q = `UPDATE subscriptions SET status = $1, unsubscribed_at = CASE WHEN status = 'active' THEN $2 ELSE unsubscribed_at END WHERE id = $3`
	case news.SubPending:
		q = `UPDATE subscriptions SET status = $1 WHERE id = $2`
	default:
		return invalid("unknown subscription status %q", status)
	}
	args := []any{status, utc(t), id}
	if status == news.SubPending {
		args = []any{status, id}
	}
	tag, err := db.pool.Exec(ctx, q, args...)
	if err == nil {
		err = one(tag, "subscription", id)
	}
	return translate(err, fmt.Sprintf("subscription %d", id))
}

func (db *DB) FindSubscription(ctx context.Context, id int64) (*news.Subscription, error) {
	s, err := scanSub(db.pool.QueryRow(ctx, `SELECT `+subCols+` FROM subscriptions WHERE id = $1`, id))
	if err != nil {
		return nil, translate(err, fmt.Sprintf("find subscription %d", id))
	}
	return s, nil
}

func (db *DB) ReaderSubscriptions(ctx context.Context, readerID int64) ([]*news.Subscription, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+subCols+` FROM subscriptions WHERE reader_id = $1 ORDER BY list_id, id`, readerID)
	if err != nil {
		return nil, translate(err, "reader subscriptions")
	}
	return collect(rows, scanSub)
}

func (db *DB) SubscriptionsByEmail(ctx context.Context, email string) ([]*news.Subscription, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+subCols+` FROM subscriptions WHERE email_key = $1 ORDER BY list_id, id`, emailKey(email))
	if err != nil {
		return nil, translate(err, "subscriptions by e-mail")
	}
	return collect(rows, scanSub)
}

func (db *DB) CountSubscribers(ctx context.Context, listID int64) (int, error) {
	var n int
	err := db.pool.QueryRow(ctx, `SELECT count(*) FROM subscriptions WHERE list_id = $1 AND status = 'active'`, listID).Scan(&n)
	return n, translate(err, "count subscribers")
}

func (db *DB) ListGrowth(ctx context.Context, listID int64, since time.Time) ([]news.ListGrowth, error) {
	rows, err := db.pool.Query(ctx, `SELECT d, sum(j)::int, sum(l)::int FROM (
			SELECT date_trunc('day', confirmed_at AT TIME ZONE 'UTC') AS d, 1 AS j, 0 AS l FROM subscriptions WHERE list_id = $1 AND confirmed_at >= $2
			UNION ALL
			SELECT date_trunc('day', unsubscribed_at AT TIME ZONE 'UTC'), 0, 1 FROM subscriptions WHERE list_id = $1 AND unsubscribed_at >= $2
		) x GROUP BY d ORDER BY d`, listID, utc(since))
	if err != nil {
		return nil, translate(err, "list growth")
	}
	defer rows.Close()
	var out []news.ListGrowth
	for rows.Next() {
		var g news.ListGrowth
		var d time.Time // timestamp without time zone: UTC by construction
		if err := rows.Scan(&d, &g.Joined, &g.Left); err != nil {
			return nil, err
		}
		g.Day = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
		out = append(out, g)
	}
	return out, rows.Err()
}

const issueCols = `i.id, i.list_id, i.key, i.subject, i.article_ids, i.created_by, i.status, i.created_at, i.finished_at,
	(SELECT count(*) FROM newsletter_deliveries d WHERE d.issue_id = i.id),
	(SELECT count(*) FROM newsletter_deliveries d WHERE d.issue_id = i.id AND d.status = 'sent'),
	(SELECT count(*) FROM newsletter_deliveries d WHERE d.issue_id = i.id AND d.status = 'failed')`

func scanIssue(row pgx.Row) (*news.NewsletterIssue, error) {
	var is news.NewsletterIssue
	var by *int64
	var fin *time.Time
	if err := row.Scan(&is.ID, &is.ListID, &is.Key, &is.Subject, &is.ArticleIDs, &by, &is.Status, &is.CreatedAt, &fin,
		&is.Total, &is.Sent, &is.Failed); err != nil {
		return nil, err
	}
	is.CreatedBy, is.CreatedAt, is.FinishedAt = fromNullID(by), is.CreatedAt.UTC(), fromNull(fin)
	is.Pending = is.Total - is.Sent - is.Failed
	return &is, nil
}

// insertIssue stores is (unless its key is taken: created false) and
// queues a delivery for every active subscriber of its list.
func insertIssue(ctx context.Context, tx pgx.Tx, is *news.NewsletterIssue, ids []int64) (created bool, err error) {
	err = tx.QueryRow(ctx, `INSERT INTO newsletter_issues (list_id, key, subject, article_ids, created_by, status, created_at)
		VALUES ($1, $2, $3, $4, $5, 'sending', $6) ON CONFLICT (key) DO NOTHING RETURNING id`,
		is.ListID, is.Key, is.Subject, ids, nullID(is.CreatedBy), is.CreatedAt).Scan(&is.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	tag, err := tx.Exec(ctx, `INSERT INTO newsletter_deliveries (issue_id, subscription_id, email, status, next_at)
		SELECT $1, id, email, 'pending', $2 FROM subscriptions WHERE list_id = $3 AND status = 'active' ORDER BY id`,
		is.ID, is.CreatedAt, is.ListID)
	if err == nil && tag.RowsAffected() == 0 { // nobody to send to: done
		_, err = tx.Exec(ctx, `UPDATE newsletter_issues SET status = 'sent', finished_at = created_at WHERE id = $1`, is.ID)
	}
	return true, err
}

func (db *DB) CreateIssue(ctx context.Context, is *news.NewsletterIssue) error {
	if is.Key == "" || strings.TrimSpace(is.Subject) == "" {
		return invalid("an issue needs a key and a subject")
	}
	is.CreatedAt = db.createdAt(is.CreatedAt)
	ids := is.ArticleIDs
	if ids == nil {
		ids = []int64{}
	}
	existed := false
	err := db.write(ctx, false, func(tx pgx.Tx) error {
		created, err := insertIssue(ctx, tx, is, ids)
		existed = !created
		return err
	})
	if err != nil {
		return translate(err, fmt.Sprintf("create issue %q", is.Key))
	}
	got, err := scanIssue(db.pool.QueryRow(ctx, `SELECT `+issueCols+` FROM newsletter_issues i WHERE i.key = $1`, is.Key))
	if err != nil {
		return translate(err, fmt.Sprintf("create issue %q", is.Key))
	}
	*is = *got
	if existed {
		return news.Errorf(news.ECONFLICT, "issue %q exists already", is.Key)
	}
	return nil
}

func (db *DB) FindIssue(ctx context.Context, id int64) (*news.NewsletterIssue, error) {
	is, err := scanIssue(db.pool.QueryRow(ctx, `SELECT `+issueCols+` FROM newsletter_issues i WHERE i.id = $1`, id))
	if err != nil {
		return nil, translate(err, fmt.Sprintf("find issue %d", id))
	}
	return is, nil
}

func (db *DB) ListIssues(ctx context.Context, limit int) ([]*news.NewsletterIssue, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := db.pool.Query(ctx, `SELECT `+issueCols+` FROM newsletter_issues i ORDER BY i.created_at DESC, i.id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, translate(err, "list issues")
	}
	return collect(rows, scanIssue)
}

func (db *DB) ClaimDeliveries(ctx context.Context, claim string, now time.Time, lease time.Duration, limit int) ([]*news.Delivery, error) {
	// SKIP LOCKED: nodes claiming at once each take rows the others have
	// not locked, instead of queueing behind each other.
	rows, err := db.pool.Query(ctx, `UPDATE newsletter_deliveries d SET claim = $1, lease_until = $2, attempts = d.attempts + 1
		WHERE d.id IN (SELECT id FROM newsletter_deliveries WHERE status = 'pending' AND next_at <= $3 AND lease_until <= $3
			ORDER BY next_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
		RETURNING d.id, d.issue_id, d.subscription_id, d.email, d.status, d.attempts, d.next_at, d.claim, d.lease_until`,
		claim, utc(now.Add(lease)), utc(now), limit)
	if err != nil {
		return nil, translate(err, "claim deliveries")
	}
	out, err := collect(rows, func(r pgx.Row) (*news.Delivery, error) {
		var d news.Delivery
		if err := r.Scan(&d.ID, &d.IssueID, &d.SubscriptionID, &d.Email, &d.Status, &d.Attempts, &d.NextAt, &d.Claim, &d.LeaseUntil); err != nil {
			return nil, err
		}
		d.NextAt, d.LeaseUntil = d.NextAt.UTC(), d.LeaseUntil.UTC()
		return &d, nil
	})
	if err != nil {
		return nil, translate(err, "claim deliveries")
	}
	// RETURNING order is not the claim order; callers like due order.
	sortDeliveries(out)
	return out, nil
}

func sortDeliveries(ds []*news.Delivery) {
	for i := 1; i < len(ds); i++ {
		for j := i; j > 0 && (ds[j].NextAt.Before(ds[j-1].NextAt) || ds[j].NextAt.Equal(ds[j-1].NextAt) && ds[j].ID < ds[j-1].ID); j-- {
			ds[j], ds[j-1] = ds[j-1], ds[j]
		}
	}
}

func (db *DB) FinishDelivery(ctx context.Context, d *news.Delivery) error {
	switch d.Status {
	case news.DeliverySent, news.DeliveryFailed, news.DeliveryPending:
	default:
		return invalid("unknown delivery status %q", d.Status)
	}
	next := d.NextAt
	if next.IsZero() {
		next = time.Unix(0, 0)
	}
	err := db.write(ctx, false, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE newsletter_deliveries SET status = $1, sent_at = $2, next_at = $3, error = $4,
			claim = '', lease_until = '1970-01-01 00:00:00+00'
			WHERE id = $5 AND claim = $6 AND status = 'pending'`, d.Status, utc(d.SentAt), utc(next), d.Error, d.ID, d.Claim)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return news.Errorf(news.ECONFLICT, "delivery %d is no longer held by this sender", d.ID)
		}
		if d.Status == news.DeliveryPending {
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE newsletter_issues SET status = 'sent', finished_at = $1
			WHERE id = $2 AND status = 'sending'
			AND NOT EXISTS (SELECT 1 FROM newsletter_deliveries WHERE issue_id = $2 AND status = 'pending')`,
			db.createdAt(time.Time{}), d.IssueID)
		return err
	})
	return translate(err, fmt.Sprintf("finish delivery %d", d.ID))
}

// Comments

const commentCols = `id, article_id, parent_id, reader_id, author_name, staff, staff_user_id, body, status, shadow,
	spam_score, reports, source_key, created_at, edited_at`

func scanComment(row pgx.Row) (*news.Comment, error) {
	var c news.Comment
	var parent, reader, staffUser *int64
	var edited *time.Time
	if err := row.Scan(&c.ID, &c.ArticleID, &parent, &reader, &c.AuthorName, &c.Staff, &staffUser, &c.Body, &c.Status, &c.Shadow,
		&c.SpamScore, &c.Reports, &c.SourceKey, &c.CreatedAt, &edited); err != nil {
		return nil, err
	}
	c.ParentID, c.ReaderID, c.StaffUserID = fromNullID(parent), fromNullID(reader), fromNullID(staffUser)
	c.CreatedAt, c.EditedAt = c.CreatedAt.UTC(), fromNull(edited)
	return &c, nil
}

func validComment(c *news.Comment) error {
	switch c.Status {
	case news.CommentPending, news.CommentApproved, news.CommentRejected, news.CommentSpam, news.CommentDeleted:
	default:
		return invalid("unknown comment status %q", c.Status)
	}
	if strings.TrimSpace(c.Body) == "" && c.Status != news.CommentDeleted {
		return invalid("a comment needs text")
	}
	return nil
}

func insertComment(ctx context.Context, tx pgx.Tx, c *news.Comment) error {
	if c.ParentID != 0 {
		var grand *int64
		var article int64
		err := tx.QueryRow(ctx, `SELECT parent_id, article_id FROM comments WHERE id = $1`, c.ParentID).Scan(&grand, &article)
		if errors.Is(err, pgx.ErrNoRows) {
			return invalid("the comment answered does not exist")
		}
		if err != nil {
			return err
		}
		if grand != nil || article != c.ArticleID {
			return invalid("replies are one level deep, on the same story")
		}
	}
	return tx.QueryRow(ctx, `INSERT INTO comments (article_id, parent_id, reader_id, author_name, staff, staff_user_id, body, status,
		shadow, spam_score, source_key, created_at, edited_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		c.ArticleID, nullID(c.ParentID), nullID(c.ReaderID), c.AuthorName, c.Staff, nullID(c.StaffUserID), c.Body, c.Status,
		c.Shadow, c.SpamScore, c.SourceKey, c.CreatedAt, utc(c.EditedAt)).Scan(&c.ID)
}

func (db *DB) CreateComment(ctx context.Context, c *news.Comment) error {
	if err := validComment(c); err != nil {
		return err
	}
	c.CreatedAt = db.createdAt(c.CreatedAt)
	err := db.write(ctx, false, func(tx pgx.Tx) error { return insertComment(ctx, tx, c) })
	return translate(err, "create comment")
}

func (db *DB) UpdateComment(ctx context.Context, c *news.Comment) error {
	if err := validComment(c); err != nil {
		return err
	}
	tag, err := db.pool.Exec(ctx, `UPDATE comments SET body = $1, status = $2, edited_at = $3, spam_score = $4, shadow = $5 WHERE id = $6`,
		c.Body, c.Status, utc(c.EditedAt), c.SpamScore, c.Shadow, c.ID)
	if err == nil {
		err = one(tag, "comment", c.ID)
	}
	return translate(err, fmt.Sprintf("update comment %d", c.ID))
}

func (db *DB) FindComment(ctx context.Context, id int64) (*news.Comment, error) {
	c, err := scanComment(db.pool.QueryRow(ctx, `SELECT `+commentCols+` FROM comments WHERE id = $1`, id))
	if err != nil {
		return nil, translate(err, fmt.Sprintf("find comment %d", id))
	}
	return c, nil
}

func (db *DB) ArticleComments(ctx context.Context, articleID, viewer int64) ([]*news.Comment, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+commentCols+` FROM comments WHERE article_id = $1
		AND ((status IN ('approved', 'deleted') AND NOT shadow) OR (reader_id = $2 AND status IN ('pending', 'approved')))
		ORDER BY created_at, id`, articleID, viewer)
	if err != nil {
		return nil, translate(err, "article comments")
	}
	return collect(rows, scanComment)
}

func (db *DB) FindComments(ctx context.Context, f news.CommentFilter) ([]*news.Comment, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.ArticleID != 0 {
		add("article_id = $%d", f.ArticleID)
	}
	if f.ReaderID != 0 {
		add("reader_id = $%d", f.ReaderID)
	}
	if f.Status != "" {
		add("status = $%d", f.Status)
	}
	if f.Reported {
		where = append(where, "reports > 0")
	}
	q := `SELECT ` + commentCols + ` FROM comments`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	args = append(args, f.Limit, f.Offset)
	q += fmt.Sprintf(" ORDER BY created_at DESC, id DESC LIMIT $%d OFFSET $%d", len(args)-1, len(args))
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, translate(err, "find comments")
	}
	return collect(rows, scanComment)
}

func (db *DB) ReportComment(ctx context.Context, commentID, readerID int64, reason string, t time.Time) error {
	err := db.write(ctx, false, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO comment_reports (comment_id, reader_id, reason, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT DO NOTHING`, commentID, readerID, reason, utc(t))
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		tag, err = tx.Exec(ctx, `UPDATE comments SET reports = reports + 1 WHERE id = $1`, commentID)
		if err != nil {
			return err
		}
		return one(tag, "comment", commentID)
	})
	return translate(err, fmt.Sprintf("report comment %d", commentID))
}

func (db *DB) CommentCounts(ctx context.Context, articleIDs []int64) (map[int64]int, error) {
	out := make(map[int64]int, len(articleIDs))
	if len(articleIDs) == 0 {
		return out, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT article_id, count(*)::int FROM comments WHERE status = 'approved' AND NOT shadow
		AND article_id = ANY($1) GROUP BY article_id`, articleIDs)
	if err != nil {
		return nil, translate(err, "comment counts")
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

func (db *DB) ReaderCommentStats(ctx context.Context, readerID int64, since time.Time) (recent, approved int, err error) {
	err = db.pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM comments WHERE reader_id = $1 AND created_at >= $2)::int,
		(SELECT count(*) FROM comments WHERE reader_id = $1 AND status = 'approved')::int`, readerID, utc(since)).Scan(&recent, &approved)
	return recent, approved, translate(err, "reader comment stats")
}

// ImportComment is txn.ImportComment in a transaction of its own.
func (db *DB) ImportComment(ctx context.Context, c *news.Comment, parentSourceKey string) error {
	return db.apply(ctx, func(t *txn) error { return t.ImportComment(ctx, c, parentSourceKey) })
}

// ImportComment creates or (same SourceKey) updates an imported comment
// in the transaction, so an import's comments commit with its stories.
func (t *txn) ImportComment(ctx context.Context, c *news.Comment, parentSourceKey string) error {
	if c.SourceKey == "" {
		return invalid("an imported comment needs a source key")
	}
	if err := validComment(c); err != nil {
		return err
	}
	c.CreatedAt = t.db.createdAt(c.CreatedAt)
	tx := t.tx
	err := func() error {
		if parentSourceKey != "" {
			var grand *int64
			err := tx.QueryRow(ctx, `SELECT id, parent_id FROM comments WHERE source_key = $1`, parentSourceKey).Scan(&c.ParentID, &grand)
			if errors.Is(err, pgx.ErrNoRows) {
				return invalid("parent comment %q not imported yet", parentSourceKey)
			}
			if err != nil {
				return err
			}
			// WordPress threads nest deeper: a reply to a reply joins its
			// top-level thread.
			if grand != nil {
				c.ParentID = *grand
			}
		}
		var id int64
		err := tx.QueryRow(ctx, `SELECT id FROM comments WHERE source_key = $1`, c.SourceKey).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return insertComment(ctx, tx, c)
		}
		if err != nil {
			return err
		}
		c.ID = id
		_, err = tx.Exec(ctx, `UPDATE comments SET author_name = $1, body = $2, status = $3, created_at = $4, parent_id = $5 WHERE id = $6`,
			c.AuthorName, c.Body, c.Status, c.CreatedAt, nullID(c.ParentID), id)
		return err
	}()
	return translate(err, fmt.Sprintf("import comment %q", c.SourceKey))
}

func (db *DB) SetCommentsClosed(ctx context.Context, articleID int64, closed bool) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO comment_threads (article_id, closed) VALUES ($1, $2)
		ON CONFLICT (article_id) DO UPDATE SET closed = excluded.closed`, articleID, closed)
	return translate(err, "close comments")
}

func (db *DB) CommentsClosed(ctx context.Context, articleID int64) (bool, error) {
	var closed bool
	err := db.pool.QueryRow(ctx, `SELECT closed FROM comment_threads WHERE article_id = $1`, articleID).Scan(&closed)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return closed, translate(err, "comments closed")
}

// Passkeys

const passkeyCols = `id, reader_id, name, data, created_at, last_used`

func scanPasskey(row pgx.Row) (*news.Passkey, error) {
	var p news.Passkey
	var used *time.Time
	if err := row.Scan(&p.ID, &p.ReaderID, &p.Name, &p.Data, &p.CreatedAt, &used); err != nil {
		return nil, err
	}
	p.CreatedAt, p.LastUsed = p.CreatedAt.UTC(), fromNull(used)
	return &p, nil
}

func (db *DB) AddPasskey(ctx context.Context, p *news.Passkey) error {
	if p.ID == "" || p.Data == "" {
		return invalid("a passkey needs an id and its data")
	}
	p.CreatedAt = db.createdAt(p.CreatedAt)
	_, err := db.pool.Exec(ctx, `INSERT INTO reader_passkeys (id, reader_id, name, data, created_at) VALUES ($1, $2, $3, $4, $5)`,
		p.ID, p.ReaderID, p.Name, p.Data, p.CreatedAt)
	return translate(err, "add passkey")
}

func (db *DB) FindPasskey(ctx context.Context, id string) (*news.Passkey, error) {
	p, err := scanPasskey(db.pool.QueryRow(ctx, `SELECT `+passkeyCols+` FROM reader_passkeys WHERE id = $1`, id))
	if err != nil {
		return nil, translate(err, "find passkey")
	}
	return p, nil
}

func (db *DB) ReaderPasskeys(ctx context.Context, readerID int64) ([]*news.Passkey, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+passkeyCols+` FROM reader_passkeys WHERE reader_id = $1 ORDER BY created_at, id COLLATE "C"`, readerID)
	if err != nil {
		return nil, translate(err, "reader passkeys")
	}
	return collect(rows, scanPasskey)
}

func (db *DB) UsePasskey(ctx context.Context, id, data string, t time.Time) error {
	tag, err := db.pool.Exec(ctx, `UPDATE reader_passkeys SET data = $1, last_used = $2 WHERE id = $3`, data, utc(t), id)
	if err == nil {
		err = one(tag, "passkey", id)
	}
	return translate(err, "use passkey")
}

func (db *DB) DeletePasskey(ctx context.Context, readerID int64, id string) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM reader_passkeys WHERE id = $1 AND reader_id = $2`, id, readerID)
	if err == nil {
		err = one(tag, "passkey", id)
	}
	return translate(err, "delete passkey")
}

// Sends on publish

var _ news.NewsletterTx = (*txn)(nil)

func (db *DB) AddPublishSend(ctx context.Context, articleID, listID, userID int64) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO newsletter_publish_sends (article_id, list_id, user_id, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT DO NOTHING`, articleID, listID, nullID(userID), db.createdAt(time.Time{}))
	return translate(err, fmt.Sprintf("send story %d to list %d on publish", articleID, listID))
}

func (db *DB) PublishSends(ctx context.Context, articleID int64) ([]int64, error) {
	rows, err := db.pool.Query(ctx, `SELECT list_id FROM newsletter_publish_sends WHERE article_id = $1 ORDER BY list_id`, articleID)
	if err != nil {
		return nil, translate(err, "publish sends")
	}
	return collect(rows, func(r pgx.Row) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
}

func (db *DB) RemovePublishSend(ctx context.Context, articleID, listID int64) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM newsletter_publish_sends WHERE article_id = $1 AND list_id = $2`, articleID, listID)
	return translate(err, "remove publish send")
}

// QueuePublishSends turns the story's sends on publish into issues, in the
// publishing transaction.
func (t *txn) QueuePublishSends(ctx context.Context, articleID int64, now time.Time) ([]*news.NewsletterIssue, error) {
	var headline string
	if err := t.tx.QueryRow(ctx, `SELECT headline FROM articles WHERE id = $1`, articleID).Scan(&headline); err != nil {
		return nil, translate(err, "queue publish sends")
	}
	rows, err := t.tx.Query(ctx, `DELETE FROM newsletter_publish_sends WHERE article_id = $1 RETURNING list_id, user_id`, articleID)
	if err != nil {
		return nil, err
	}
	type send struct{ list, user int64 }
	sends, err := collect(rows, func(r pgx.Row) (send, error) {
		var s send
		var u *int64
		err := r.Scan(&s.list, &u)
		s.user = fromNullID(u)
		return s, err
	})
	if err != nil {
		return nil, err
	}
	var out []*news.NewsletterIssue
	for _, s := range sends {
		is := &news.NewsletterIssue{ListID: s.list, Key: fmt.Sprintf("story:%d:list:%d", articleID, s.list), Subject: headline,
			ArticleIDs: []int64{articleID}, CreatedBy: s.user, CreatedAt: normTime(now), Status: news.IssueSending}
		created, err := insertIssue(ctx, t.tx, is, is.ArticleIDs)
		if err != nil {
			return nil, err
		}
		if created {
			out = append(out, is)
		}
	}
	return out, nil
}
