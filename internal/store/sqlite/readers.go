package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"masthead/internal/news"
)

// Readers, newsletters and comments (issue 16). None of these writes bumps
// the generation: reader pages never show them (comments load from their
// own short-lived JSON endpoint), so a comment must not empty the page
// cache.

var (
	_ news.ReaderStore     = (*DB)(nil)
	_ news.NewsletterStore = (*DB)(nil)
	_ news.CommentStore    = (*DB)(nil)
)

func micro(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

const readerCols = `id, email, name, banned, shadow_banned, created_at`

func scanReader(s scanner) (*news.Reader, error) {
	var r news.Reader
	var created sql.NullInt64
	if err := s.Scan(&r.ID, &r.Email, &r.Name, &r.Banned, &r.ShadowBanned, &created); err != nil {
		return nil, err
	}
	r.CreatedAt = fromMicro(created)
	return &r, nil
}

func (db *DB) EnsureReader(ctx context.Context, email string) (*news.Reader, error) {
	email = strings.TrimSpace(email)
	if !strings.Contains(email, "@") {
		return nil, news.Errorf(news.EINVALID, "not an e-mail address")
	}
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO readers (email, email_key, created_at) VALUES (?, ?, ?) ON CONFLICT (email_key) DO NOTHING`,
			email, emailKey(email), db.now().UnixMicro())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("ensure reader: %w", err)
	}
	return db.findReader(ctx, db.write, `email_key = ?`, emailKey(email))
}

type querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func (db *DB) findReader(ctx context.Context, q querier, where string, arg any) (*news.Reader, error) {
	r, err := scanReader(q.QueryRowContext(ctx, `SELECT `+readerCols+` FROM readers WHERE `+where, arg))
	if err != nil {
		return nil, fmt.Errorf("find reader: %w", translate(err))
	}
	return r, nil
}

func (db *DB) FindReaderByID(ctx context.Context, id int64) (*news.Reader, error) {
	return db.findReader(ctx, db.read, `id = ?`, id)
}

func (db *DB) FindReaderByEmail(ctx context.Context, email string) (*news.Reader, error) {
	return db.findReader(ctx, db.read, `email_key = ?`, emailKey(email))
}

func (db *DB) UpdateReader(ctx context.Context, r *news.Reader) error {
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, "reader", r.ID, `UPDATE readers SET name = ?, banned = ?, shadow_banned = ? WHERE id = ?`,
			r.Name, r.Banned, r.ShadowBanned, r.ID)
	})
	if err != nil {
		return fmt.Errorf("update reader %d: %w", r.ID, err)
	}
	return nil
}

func (db *DB) DeleteReader(ctx context.Context, id int64) error {
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		// Comments that others answered keep their place, emptied; the
		// rest go.
		if _, err := tx.ExecContext(ctx, `UPDATE comments SET status = 'deleted', body = '', author_name = '', reader_id = NULL
			WHERE reader_id = ? AND id IN (SELECT parent_id FROM comments WHERE parent_id IS NOT NULL)`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM comments WHERE reader_id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM subscriptions WHERE reader_id = ?`, id); err != nil {
			return err
		}
		return updateOne(ctx, tx, "reader", id, `DELETE FROM readers WHERE id = ?`, id)
	})
	if err != nil {
		return fmt.Errorf("delete reader %d: %w", id, err)
	}
	return nil
}

func (db *DB) CreateReaderToken(ctx context.Context, t *news.ReaderToken) error {
	if t.CreatedAt.IsZero() {
		t.CreatedAt = db.now()
	}
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO reader_tokens (hash, purpose, email_key, email, reader_id, data, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, t.Hash, t.Purpose, emailKey(t.Email), t.Email, nullID(t.ReaderID), t.Data,
			t.CreatedAt.UnixMicro(), t.ExpiresAt.UnixMicro())
		return err
	})
	if err != nil {
		return fmt.Errorf("create reader token: %w", err)
	}
	return nil
}

func (db *DB) UseReaderToken(ctx context.Context, hash, purpose string, now time.Time) (*news.ReaderToken, error) {
	var t news.ReaderToken
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		var reader, created, expires sql.NullInt64
		// One statement: the token is spent by whoever's UPDATE matches.
		err := tx.QueryRowContext(ctx, `UPDATE reader_tokens SET used_at = ?
			WHERE hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?
			RETURNING hash, purpose, email, reader_id, data, created_at, expires_at`,
			now.UnixMicro(), hash, purpose, now.UnixMicro()).
			Scan(&t.Hash, &t.Purpose, &t.Email, &reader, &t.Data, &created, &expires)
		t.ReaderID, t.CreatedAt, t.ExpiresAt, t.UsedAt = reader.Int64, fromMicro(created), fromMicro(expires), now.UTC()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("use reader token: %w", translate(err))
	}
	return &t, nil
}

func (db *DB) CountReaderTokens(ctx context.Context, email string, since time.Time) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM reader_tokens WHERE email_key = ? AND created_at >= ?`,
		emailKey(email), since.UnixMicro()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count reader tokens: %w", err)
	}
	return n, nil
}

func (db *DB) CreateReaderSession(ctx context.Context, s *news.ReaderSession) error {
	if s.CreatedAt.IsZero() {
		s.CreatedAt = db.now()
	}
	if s.LastSeen.IsZero() {
		s.LastSeen = s.CreatedAt
	}
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO reader_sessions (id, reader_id, created_at, expires_at, last_seen) VALUES (?, ?, ?, ?, ?)`,
			s.ID, s.ReaderID, s.CreatedAt.UnixMicro(), s.ExpiresAt.UnixMicro(), s.LastSeen.UnixMicro())
		return err
	})
	if err != nil {
		return fmt.Errorf("create reader session: %w", err)
	}
	return nil
}

func (db *DB) FindReaderSession(ctx context.Context, id string) (*news.ReaderSession, error) {
	var s news.ReaderSession
	var c, e, l sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT id, reader_id, created_at, expires_at, last_seen FROM reader_sessions WHERE id = ?`, id).
		Scan(&s.ID, &s.ReaderID, &c, &e, &l)
	if err != nil {
		return nil, fmt.Errorf("find reader session: %w", translate(err))
	}
	s.CreatedAt, s.ExpiresAt, s.LastSeen = fromMicro(c), fromMicro(e), fromMicro(l)
	return &s, nil
}

func (db *DB) DeleteReaderSession(ctx context.Context, id string) error {
	return db.tx(ctx, false, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM reader_sessions WHERE id = ?`, id)
		return err
	})
}

func (db *DB) DeleteExpiredReaderData(ctx context.Context, t time.Time) error {
	return db.tx(ctx, false, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM reader_sessions WHERE expires_at <= ?`, t.UnixMicro()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM reader_tokens WHERE expires_at <= ?`, t.UnixMicro())
		return err
	})
}

// Newsletters

const listCols = `id, slug, name, description, kind, section_id, position, created_at`

func scanList(s scanner) (*news.NewsletterList, error) {
	var l news.NewsletterList
	var section, created sql.NullInt64
	if err := s.Scan(&l.ID, &l.Slug, &l.Name, &l.Description, &l.Kind, &section, &l.Position, &created); err != nil {
		return nil, err
	}
	l.SectionID, l.CreatedAt = section.Int64, fromMicro(created)
	return &l, nil
}

func validList(l *news.NewsletterList) error {
	if strings.TrimSpace(l.Name) == "" || strings.TrimSpace(l.Slug) == "" {
		return news.Errorf(news.EINVALID, "a newsletter needs a name and a slug")
	}
	switch l.Kind {
	case news.ListDigest, news.ListBreaking, news.ListSection:
	default:
		return news.Errorf(news.EINVALID, "unknown newsletter kind %q", l.Kind)
	}
	return nil
}

func (db *DB) CreateNewsletterList(ctx context.Context, l *news.NewsletterList) error {
	if err := validList(l); err != nil {
		return err
	}
	if l.CreatedAt.IsZero() {
		l.CreatedAt = db.now()
	}
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO newsletter_lists (slug, name, description, kind, section_id, position, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, l.Slug, l.Name, l.Description, l.Kind, nullID(l.SectionID), l.Position, l.CreatedAt.UnixMicro())
		if err != nil {
			return err
		}
		l.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return fmt.Errorf("create newsletter %q: %w", l.Slug, err)
	}
	return nil
}

func (db *DB) UpdateNewsletterList(ctx context.Context, l *news.NewsletterList) error {
	if err := validList(l); err != nil {
		return err
	}
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, "newsletter", l.ID, `UPDATE newsletter_lists SET slug = ?, name = ?, description = ?, kind = ?,
			section_id = ?, position = ? WHERE id = ?`, l.Slug, l.Name, l.Description, l.Kind, nullID(l.SectionID), l.Position, l.ID)
	})
	if err != nil {
		return fmt.Errorf("update newsletter %d: %w", l.ID, err)
	}
	return nil
}

func (db *DB) ListNewsletterLists(ctx context.Context) ([]*news.NewsletterList, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+listCols+` FROM newsletter_lists ORDER BY position, name`)
	if err != nil {
		return nil, fmt.Errorf("list newsletters: %w", err)
	}
	defer rows.Close()
	var out []*news.NewsletterList
	for rows.Next() {
		l, err := scanList(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func (db *DB) FindNewsletterList(ctx context.Context, id int64) (*news.NewsletterList, error) {
	l, err := scanList(db.read.QueryRowContext(ctx, `SELECT `+listCols+` FROM newsletter_lists WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("find newsletter %d: %w", id, translate(err))
	}
	return l, nil
}

const subCols = `id, list_id, reader_id, email, status, created_at, confirmed_at, unsubscribed_at`

func scanSub(s scanner) (*news.Subscription, error) {
	var u news.Subscription
	var reader, c, conf, unsub sql.NullInt64
	if err := s.Scan(&u.ID, &u.ListID, &reader, &u.Email, &u.Status, &c, &conf, &unsub); err != nil {
		return nil, err
	}
	u.ReaderID, u.CreatedAt, u.ConfirmedAt, u.UnsubscribedAt = reader.Int64, fromMicro(c), fromMicro(conf), fromMicro(unsub)
	return &u, nil
}

func (db *DB) Subscribe(ctx context.Context, listID, readerID int64, email string, t time.Time) (*news.Subscription, error) {
	var sub *news.Subscription
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO subscriptions (list_id, reader_id, email, email_key, status, created_at)
			VALUES (?, ?, ?, ?, 'pending', ?)
			ON CONFLICT (list_id, email_key) DO UPDATE SET
				status = CASE WHEN status IN ('unsubscribed') THEN 'pending' ELSE status END,
				reader_id = COALESCE(subscriptions.reader_id, excluded.reader_id)`,
			listID, nullID(readerID), email, emailKey(email), t.UnixMicro())
		if err != nil {
			return err
		}
		sub, err = scanSub(tx.QueryRowContext(ctx, `SELECT `+subCols+` FROM subscriptions WHERE list_id = ? AND email_key = ?`, listID, emailKey(email)))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("subscribe to %d: %w", listID, err)
	}
	return sub, nil
}

func (db *DB) SetSubscriptionStatus(ctx context.Context, id int64, status string, t time.Time) error {
	q := `UPDATE subscriptions SET status = ? WHERE id = ?`
	switch status {
	case news.SubActive:
		q = `UPDATE subscriptions SET status = ?, confirmed_at = COALESCE(confirmed_at, ?), unsubscribed_at = NULL WHERE id = ?`
	case news.SubUnsubscribed, news.SubBounced, news.SubComplained:
		q = `UPDATE subscriptions SET status = ?, unsubscribed_at = CASE WHEN status = 'active' THEN ? ELSE unsubscribed_at END WHERE id = ?`
	case news.SubPending:
	default:
		return news.Errorf(news.EINVALID, "unknown subscription status %q", status)
	}
	args := []any{status, t.UnixMicro(), id}
	if status == news.SubPending {
		args = []any{status, id}
	}
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, "subscription", id, q, args...)
	})
	if err != nil {
		return fmt.Errorf("subscription %d: %w", id, err)
	}
	return nil
}

func (db *DB) FindSubscription(ctx context.Context, id int64) (*news.Subscription, error) {
	s, err := scanSub(db.read.QueryRowContext(ctx, `SELECT `+subCols+` FROM subscriptions WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("find subscription %d: %w", id, translate(err))
	}
	return s, nil
}

func (db *DB) subs(ctx context.Context, where string, arg any) ([]*news.Subscription, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+subCols+` FROM subscriptions WHERE `+where+` ORDER BY list_id, id`, arg)
	if err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	defer rows.Close()
	var out []*news.Subscription
	for rows.Next() {
		s, err := scanSub(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func (db *DB) ReaderSubscriptions(ctx context.Context, readerID int64) ([]*news.Subscription, error) {
	return db.subs(ctx, `reader_id = ?`, readerID)
}

func (db *DB) SubscriptionsByEmail(ctx context.Context, email string) ([]*news.Subscription, error) {
	return db.subs(ctx, `email_key = ?`, emailKey(email))
}

func (db *DB) CountSubscribers(ctx context.Context, listID int64) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM subscriptions WHERE list_id = ? AND status = 'active'`, listID).Scan(&n)
	return n, err
}

func (db *DB) ListGrowth(ctx context.Context, listID int64, since time.Time) ([]news.ListGrowth, error) {
	const day = int64(24 * time.Hour / time.Microsecond)
	rows, err := db.read.QueryContext(ctx, `SELECT d, sum(j), sum(l) FROM (
			SELECT confirmed_at / ? AS d, 1 AS j, 0 AS l FROM subscriptions WHERE list_id = ? AND confirmed_at >= ?
			UNION ALL
			SELECT unsubscribed_at / ?, 0, 1 FROM subscriptions WHERE list_id = ? AND unsubscribed_at >= ?
		) GROUP BY d ORDER BY d`, day, listID, since.UnixMicro(), day, listID, since.UnixMicro())
	if err != nil {
		return nil, fmt.Errorf("list growth: %w", err)
	}
	defer rows.Close()
	var out []news.ListGrowth
	for rows.Next() {
		var g news.ListGrowth
		var d int64
		if err := rows.Scan(&d, &g.Joined, &g.Left); err != nil {
			return nil, err
		}
		g.Day = time.UnixMicro(d * day).UTC()
		out = append(out, g)
	}
	return out, rows.Err()
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}

func splitIDs(s string) []int64 {
	var out []int64
	for _, p := range strings.Split(s, ",") {
		if id, err := strconv.ParseInt(p, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

const issueCols = `i.id, i.list_id, i.key, i.subject, i.article_ids, i.created_by, i.status, i.created_at, i.finished_at,
	(SELECT count(*) FROM newsletter_deliveries d WHERE d.issue_id = i.id),
	(SELECT count(*) FROM newsletter_deliveries d WHERE d.issue_id = i.id AND d.status = 'sent'),
	(SELECT count(*) FROM newsletter_deliveries d WHERE d.issue_id = i.id AND d.status = 'failed')`

func scanIssue(s scanner) (*news.NewsletterIssue, error) {
	var is news.NewsletterIssue
	var ids string
	var by, c, f sql.NullInt64
	if err := s.Scan(&is.ID, &is.ListID, &is.Key, &is.Subject, &ids, &by, &is.Status, &c, &f, &is.Total, &is.Sent, &is.Failed); err != nil {
		return nil, err
	}
	is.ArticleIDs, is.CreatedBy, is.CreatedAt, is.FinishedAt = splitIDs(ids), by.Int64, fromMicro(c), fromMicro(f)
	is.Pending = is.Total - is.Sent - is.Failed
	return &is, nil
}

// insertIssue stores is (unless its key is taken: created false) and
// queues a delivery for every active subscriber of its list.
func insertIssue(ctx context.Context, tx *sql.Tx, is *news.NewsletterIssue) (created bool, err error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO newsletter_issues (list_id, key, subject, article_ids, created_by, status, created_at)
		VALUES (?, ?, ?, ?, ?, 'sending', ?) ON CONFLICT (key) DO NOTHING`,
		is.ListID, is.Key, is.Subject, joinIDs(is.ArticleIDs), nullID(is.CreatedBy), is.CreatedAt.UnixMicro())
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if is.ID, err = res.LastInsertId(); err != nil {
		return false, err
	}
	// The list as it stands now is the issue's audience: one row each.
	res, err = tx.ExecContext(ctx, `INSERT INTO newsletter_deliveries (issue_id, subscription_id, email, status, next_at)
		SELECT ?, id, email, 'pending', ? FROM subscriptions WHERE list_id = ? AND status = 'active' ORDER BY id`,
		is.ID, is.CreatedAt.UnixMicro(), is.ListID)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 { // nobody to send to: done
		_, err = tx.ExecContext(ctx, `UPDATE newsletter_issues SET status = 'sent', finished_at = created_at WHERE id = ?`, is.ID)
	}
	return true, err
}

func (db *DB) CreateIssue(ctx context.Context, is *news.NewsletterIssue) error {
	if is.Key == "" || strings.TrimSpace(is.Subject) == "" {
		return news.Errorf(news.EINVALID, "an issue needs a key and a subject")
	}
	if is.CreatedAt.IsZero() {
		is.CreatedAt = db.now()
	}
	existed := false
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		created, err := insertIssue(ctx, tx, is)
		existed = !created
		return err
	})
	if err != nil {
		return fmt.Errorf("create issue %q: %w", is.Key, err)
	}
	got, err := scanIssue(db.write.QueryRowContext(ctx, `SELECT `+issueCols+` FROM newsletter_issues i WHERE i.key = ?`, is.Key))
	if err != nil {
		return fmt.Errorf("create issue %q: %w", is.Key, translate(err))
	}
	*is = *got
	if existed {
		return news.Errorf(news.ECONFLICT, "issue %q exists already", is.Key)
	}
	return nil
}

func (db *DB) FindIssue(ctx context.Context, id int64) (*news.NewsletterIssue, error) {
	is, err := scanIssue(db.read.QueryRowContext(ctx, `SELECT `+issueCols+` FROM newsletter_issues i WHERE i.id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("find issue %d: %w", id, translate(err))
	}
	return is, nil
}

func (db *DB) ListIssues(ctx context.Context, limit int) ([]*news.NewsletterIssue, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+issueCols+` FROM newsletter_issues i ORDER BY i.created_at DESC, i.id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("list issues: %w", err)
	}
	defer rows.Close()
	var out []*news.NewsletterIssue
	for rows.Next() {
		is, err := scanIssue(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, is)
	}
	return out, rows.Err()
}

func (db *DB) ClaimDeliveries(ctx context.Context, claim string, now time.Time, lease time.Duration, limit int) ([]*news.Delivery, error) {
	var out []*news.Delivery
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		// The write pool has one connection and BEGIN IMMEDIATE takes the
		// write lock: claims from several processes run one at a time.
		rows, err := tx.QueryContext(ctx, `UPDATE newsletter_deliveries SET claim = ?, lease_until = ?, attempts = attempts + 1
			WHERE id IN (SELECT id FROM newsletter_deliveries WHERE status = 'pending' AND next_at <= ? AND lease_until <= ?
				ORDER BY next_at, id LIMIT ?)
			RETURNING id, issue_id, subscription_id, email, status, attempts, next_at, claim, lease_until`,
			claim, now.Add(lease).UnixMicro(), now.UnixMicro(), now.UnixMicro(), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d news.Delivery
			var next, lu int64
			if err := rows.Scan(&d.ID, &d.IssueID, &d.SubscriptionID, &d.Email, &d.Status, &d.Attempts, &next, &d.Claim, &lu); err != nil {
				return err
			}
			d.NextAt, d.LeaseUntil = time.UnixMicro(next).UTC(), time.UnixMicro(lu).UTC()
			out = append(out, &d)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	return out, nil
}

func (db *DB) FinishDelivery(ctx context.Context, d *news.Delivery) error {
	switch d.Status {
	case news.DeliverySent, news.DeliveryFailed, news.DeliveryPending:
	default:
		return news.Errorf(news.EINVALID, "unknown delivery status %q", d.Status)
	}
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE newsletter_deliveries SET status = ?, sent_at = ?, next_at = ?, error = ?, claim = '', lease_until = 0
			WHERE id = ? AND claim = ? AND status = 'pending'`,
			d.Status, micro(d.SentAt), d.NextAt.UnixMicro(), d.Error, d.ID, d.Claim)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return news.Errorf(news.ECONFLICT, "delivery %d is no longer held by this sender", d.ID)
		}
		if d.Status == news.DeliveryPending {
			return nil
		}
		_, err = tx.ExecContext(ctx, `UPDATE newsletter_issues SET status = 'sent', finished_at = ?
			WHERE id = ? AND status = 'sending'
			AND NOT EXISTS (SELECT 1 FROM newsletter_deliveries WHERE issue_id = ? AND status = 'pending')`,
			db.now().UnixMicro(), d.IssueID, d.IssueID)
		return err
	})
	if err != nil {
		return fmt.Errorf("finish delivery %d: %w", d.ID, err)
	}
	return nil
}

// Comments

const commentCols = `id, article_id, parent_id, reader_id, author_name, staff, staff_user_id, body, status, shadow,
	spam_score, reports, source_key, created_at, edited_at`

func scanComment(s scanner) (*news.Comment, error) {
	var c news.Comment
	var parent, reader, staffUser, created, edited sql.NullInt64
	if err := s.Scan(&c.ID, &c.ArticleID, &parent, &reader, &c.AuthorName, &c.Staff, &staffUser, &c.Body, &c.Status, &c.Shadow,
		&c.SpamScore, &c.Reports, &c.SourceKey, &created, &edited); err != nil {
		return nil, err
	}
	c.ParentID, c.ReaderID, c.StaffUserID = parent.Int64, reader.Int64, staffUser.Int64
	c.CreatedAt, c.EditedAt = fromMicro(created), fromMicro(edited)
	return &c, nil
}

func validComment(c *news.Comment) error {
	switch c.Status {
	case news.CommentPending, news.CommentApproved, news.CommentRejected, news.CommentSpam, news.CommentDeleted:
	default:
		return news.Errorf(news.EINVALID, "unknown comment status %q", c.Status)
	}
	if strings.TrimSpace(c.Body) == "" && c.Status != news.CommentDeleted {
		return news.Errorf(news.EINVALID, "a comment needs text")
	}
	return nil
}

func (db *DB) insertComment(ctx context.Context, tx *sql.Tx, c *news.Comment) error {
	if c.ParentID != 0 {
		var grand sql.NullInt64
		var article int64
		err := tx.QueryRowContext(ctx, `SELECT parent_id, article_id FROM comments WHERE id = ?`, c.ParentID).Scan(&grand, &article)
		if errors.Is(err, sql.ErrNoRows) {
			return news.Errorf(news.EINVALID, "the comment answered does not exist")
		}
		if err != nil {
			return err
		}
		if grand.Valid || article != c.ArticleID {
			return news.Errorf(news.EINVALID, "replies are one level deep, on the same story")
		}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO comments (article_id, parent_id, reader_id, author_name, staff, staff_user_id, body, status,
		shadow, spam_score, source_key, created_at, edited_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ArticleID, nullID(c.ParentID), nullID(c.ReaderID), c.AuthorName, c.Staff, nullID(c.StaffUserID), c.Body, c.Status,
		c.Shadow, c.SpamScore, c.SourceKey, c.CreatedAt.UnixMicro(), micro(c.EditedAt))
	if err != nil {
		return err
	}
	c.ID, err = res.LastInsertId()
	return err
}

func (db *DB) CreateComment(ctx context.Context, c *news.Comment) error {
	if err := validComment(c); err != nil {
		return err
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = db.now()
	}
	err := db.tx(ctx, false, func(tx *sql.Tx) error { return db.insertComment(ctx, tx, c) })
	if err != nil {
		return fmt.Errorf("create comment: %w", err)
	}
	return nil
}

func (db *DB) UpdateComment(ctx context.Context, c *news.Comment) error {
	if err := validComment(c); err != nil {
		return err
	}
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, "comment", c.ID, `UPDATE comments SET body = ?, status = ?, edited_at = ?, spam_score = ?, shadow = ? WHERE id = ?`,
			c.Body, c.Status, micro(c.EditedAt), c.SpamScore, c.Shadow, c.ID)
	})
	if err != nil {
		return fmt.Errorf("update comment %d: %w", c.ID, err)
	}
	return nil
}

func (db *DB) FindComment(ctx context.Context, id int64) (*news.Comment, error) {
	c, err := scanComment(db.read.QueryRowContext(ctx, `SELECT `+commentCols+` FROM comments WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("find comment %d: %w", id, translate(err))
	}
	return c, nil
}

func (db *DB) comments(ctx context.Context, q string, args ...any) ([]*news.Comment, error) {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("comments: %w", err)
	}
	defer rows.Close()
	var out []*news.Comment
	for rows.Next() {
		c, err := scanComment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (db *DB) ArticleComments(ctx context.Context, articleID, viewer int64) ([]*news.Comment, error) {
	return db.comments(ctx, `SELECT `+commentCols+` FROM comments WHERE article_id = ?
		AND ((status IN ('approved', 'deleted') AND shadow = 0) OR (reader_id = ? AND status IN ('pending', 'approved')))
		ORDER BY created_at, id`, articleID, viewer)
}

func (db *DB) FindComments(ctx context.Context, f news.CommentFilter) ([]*news.Comment, error) {
	var where []string
	var args []any
	if f.ArticleID != 0 {
		where, args = append(where, "article_id = ?"), append(args, f.ArticleID)
	}
	if f.ReaderID != 0 {
		where, args = append(where, "reader_id = ?"), append(args, f.ReaderID)
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
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
	q += " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?"
	return db.comments(ctx, q, append(args, f.Limit, f.Offset)...)
}

func (db *DB) ReportComment(ctx context.Context, commentID, readerID int64, reason string, t time.Time) error {
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO comment_reports (comment_id, reader_id, reason, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, commentID, readerID, reason, t.UnixMicro())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return updateOne(ctx, tx, "comment", commentID, `UPDATE comments SET reports = reports + 1 WHERE id = ?`, commentID)
	})
	if err != nil {
		return fmt.Errorf("report comment %d: %w", commentID, err)
	}
	return nil
}

func (db *DB) CommentCounts(ctx context.Context, articleIDs []int64) (map[int64]int, error) {
	out := make(map[int64]int, len(articleIDs))
	if len(articleIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(articleIDs))
	for i, id := range articleIDs {
		args[i] = id
	}
	rows, err := db.read.QueryContext(ctx, `SELECT article_id, count(*) FROM comments WHERE status = 'approved' AND shadow = 0
		AND article_id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(args)), ",")+`) GROUP BY article_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("comment counts: %w", err)
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
	err = db.read.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM comments WHERE reader_id = ? AND created_at >= ?),
		(SELECT count(*) FROM comments WHERE reader_id = ? AND status = 'approved')`,
		readerID, since.UnixMicro(), readerID).Scan(&recent, &approved)
	return recent, approved, err
}

// ImportComment is txn.ImportComment in a transaction of its own.
func (db *DB) ImportComment(ctx context.Context, c *news.Comment, parentSourceKey string) error {
	return db.apply(ctx, func(t *txn) error { return t.ImportComment(ctx, c, parentSourceKey) })
}

// ImportComment creates or (same SourceKey) updates an imported comment
// in the transaction, so an import's comments commit with its stories.
func (t *txn) ImportComment(ctx context.Context, c *news.Comment, parentSourceKey string) error {
	if c.SourceKey == "" {
		return news.Errorf(news.EINVALID, "an imported comment needs a source key")
	}
	if err := validComment(c); err != nil {
		return err
	}
	tx := t.tx
	err := func() error {
		if parentSourceKey != "" {
			if err := tx.QueryRowContext(ctx, `SELECT id FROM comments WHERE source_key = ?`, parentSourceKey).Scan(&c.ParentID); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return news.Errorf(news.EINVALID, "parent comment %q not imported yet", parentSourceKey)
				}
				return err
			}
			// WordPress threads nest deeper: a reply to a reply joins its
			// top-level thread.
			var grand sql.NullInt64
			if err := tx.QueryRowContext(ctx, `SELECT parent_id FROM comments WHERE id = ?`, c.ParentID).Scan(&grand); err != nil {
				return err
			}
			if grand.Valid {
				c.ParentID = grand.Int64
			}
		}
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM comments WHERE source_key = ?`, c.SourceKey).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return t.db.insertComment(ctx, tx, c)
		}
		if err != nil {
			return err
		}
		c.ID = id
		_, err = tx.ExecContext(ctx, `UPDATE comments SET author_name = ?, body = ?, status = ?, created_at = ?, parent_id = ? WHERE id = ?`,
			c.AuthorName, c.Body, c.Status, c.CreatedAt.UnixMicro(), nullID(c.ParentID), id)
		return err
	}()
	if err != nil {
		return fmt.Errorf("import comment %q: %w", c.SourceKey, err)
	}
	return nil
}

func (db *DB) SetCommentsClosed(ctx context.Context, articleID int64, closed bool) error {
	return db.tx(ctx, false, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO comment_threads (article_id, closed) VALUES (?, ?)
			ON CONFLICT (article_id) DO UPDATE SET closed = excluded.closed`, articleID, closed)
		return err
	})
}

func (db *DB) CommentsClosed(ctx context.Context, articleID int64) (bool, error) {
	var closed bool
	err := db.read.QueryRowContext(ctx, `SELECT closed FROM comment_threads WHERE article_id = ?`, articleID).Scan(&closed)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return closed, err
}

// Passkeys

func scanPasskey(s scanner) (*news.Passkey, error) {
	var p news.Passkey
	var c, u sql.NullInt64
	if err := s.Scan(&p.ID, &p.ReaderID, &p.Name, &p.Data, &c, &u); err != nil {
		return nil, err
	}
	p.CreatedAt, p.LastUsed = fromMicro(c), fromMicro(u)
	return &p, nil
}

const passkeyCols = `id, reader_id, name, data, created_at, last_used`

func (db *DB) AddPasskey(ctx context.Context, p *news.Passkey) error {
	if p.ID == "" || p.Data == "" {
		return news.Errorf(news.EINVALID, "a passkey needs an id and its data")
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = db.now()
	}
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO reader_passkeys (id, reader_id, name, data, created_at) VALUES (?, ?, ?, ?, ?)`,
			p.ID, p.ReaderID, p.Name, p.Data, p.CreatedAt.UnixMicro())
		return err
	})
	if err != nil {
		return fmt.Errorf("add passkey: %w", err)
	}
	return nil
}

func (db *DB) FindPasskey(ctx context.Context, id string) (*news.Passkey, error) {
	p, err := scanPasskey(db.read.QueryRowContext(ctx, `SELECT `+passkeyCols+` FROM reader_passkeys WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("find passkey: %w", translate(err))
	}
	return p, nil
}

func (db *DB) ReaderPasskeys(ctx context.Context, readerID int64) ([]*news.Passkey, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+passkeyCols+` FROM reader_passkeys WHERE reader_id = ? ORDER BY created_at, id`, readerID)
	if err != nil {
		return nil, fmt.Errorf("reader passkeys: %w", err)
	}
	defer rows.Close()
	var out []*news.Passkey
	for rows.Next() {
		p, err := scanPasskey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (db *DB) UsePasskey(ctx context.Context, id, data string, t time.Time) error {
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		return changeOne(ctx, tx, "passkey", id, `UPDATE reader_passkeys SET data = ?, last_used = ? WHERE id = ?`, data, t.UnixMicro(), id)
	})
	if err != nil {
		return fmt.Errorf("use passkey: %w", err)
	}
	return nil
}

func (db *DB) DeletePasskey(ctx context.Context, readerID int64, id string) error {
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		return changeOne(ctx, tx, "passkey", id, `DELETE FROM reader_passkeys WHERE id = ? AND reader_id = ?`, id, readerID)
	})
	if err != nil {
		return fmt.Errorf("delete passkey: %w", err)
	}
	return nil
}

// changeOne runs a statement that must touch one row keyed by a string.
func changeOne(ctx context.Context, tx *sql.Tx, what, key, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound(what, key)
	}
	return nil
}

// Sends on publish

var _ news.NewsletterTx = (*txn)(nil)

func (db *DB) AddPublishSend(ctx context.Context, articleID, listID, userID int64) error {
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO newsletter_publish_sends (article_id, list_id, user_id, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, articleID, listID, nullID(userID), db.now().UnixMicro())
		return err
	})
	if err != nil {
		return fmt.Errorf("send story %d to list %d on publish: %w", articleID, listID, err)
	}
	return nil
}

func (db *DB) PublishSends(ctx context.Context, articleID int64) ([]int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT list_id FROM newsletter_publish_sends WHERE article_id = ? ORDER BY list_id`, articleID)
	if err != nil {
		return nil, fmt.Errorf("publish sends: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func (db *DB) RemovePublishSend(ctx context.Context, articleID, listID int64) error {
	return db.tx(ctx, false, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM newsletter_publish_sends WHERE article_id = ? AND list_id = ?`, articleID, listID)
		return err
	})
}

// QueuePublishSends turns the story's sends on publish into issues, in the
// publishing transaction.
func (t *txn) QueuePublishSends(ctx context.Context, articleID int64, now time.Time) ([]*news.NewsletterIssue, error) {
	var headline string
	if err := t.tx.QueryRowContext(ctx, `SELECT headline FROM articles WHERE id = ?`, articleID).Scan(&headline); err != nil {
		return nil, fmt.Errorf("queue publish sends: %w", translate(err))
	}
	rows, err := t.tx.QueryContext(ctx, `SELECT list_id, user_id FROM newsletter_publish_sends WHERE article_id = ? ORDER BY list_id`, articleID)
	if err != nil {
		return nil, err
	}
	type send struct{ list, user int64 }
	var sends []send
	for rows.Next() {
		var s send
		var u sql.NullInt64
		if err := rows.Scan(&s.list, &u); err != nil {
			rows.Close()
			return nil, err
		}
		s.user = u.Int64
		sends = append(sends, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []*news.NewsletterIssue
	for _, s := range sends {
		is := &news.NewsletterIssue{ListID: s.list, Key: fmt.Sprintf("story:%d:list:%d", articleID, s.list), Subject: headline,
			ArticleIDs: []int64{articleID}, CreatedBy: s.user, CreatedAt: now.UTC(), Status: news.IssueSending}
		created, err := insertIssue(ctx, t.tx, is)
		if err != nil {
			return nil, err
		}
		if created {
			out = append(out, is)
		}
	}
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM newsletter_publish_sends WHERE article_id = ?`, articleID); err != nil {
		return nil, err
	}
	return out, nil
}
