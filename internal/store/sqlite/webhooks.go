package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"masthead/internal/news"
)

// Webhooks, their outbox and the idempotency records (migration 0071).

const webhookCols = `id, integration_id, url, events, secret, created_at, disabled_at`

func scanWebhook(s scanner) (*news.Webhook, error) {
	var w news.Webhook
	var events string
	var created, disabled sql.NullInt64
	if err := s.Scan(&w.ID, &w.IntegrationID, &w.URL, &events, &w.Secret, &created, &disabled); err != nil {
		return nil, err
	}
	w.Events = splitList(events)
	w.CreatedAt, w.DisabledAt = fromMicro(created), fromMicro(disabled)
	return &w, nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func validWebhook(w *news.Webhook) error {
	if !strings.HasPrefix(w.URL, "https://") && !strings.HasPrefix(w.URL, "http://") {
		return news.Errorf(news.EINVALID, "a webhook URL starts with https:// or http://")
	}
	if len(w.Events) == 0 {
		return news.Errorf(news.EINVALID, "a webhook needs at least one event")
	}
	for _, e := range w.Events {
		if !news.ValidWebhookEvent(e) {
			return news.Errorf(news.EINVALID, "unknown event %q", e)
		}
	}
	if w.Secret == "" {
		return news.Errorf(news.EINVALID, "a webhook needs a secret")
	}
	return nil
}

// CreateWebhook stores a subscription.
func (db *DB) CreateWebhook(ctx context.Context, w *news.Webhook) error {
	return db.tx(ctx, false, func(tx *sql.Tx) error { return createWebhook(ctx, tx, w, db.now()) })
}

// CreateWebhook stores a subscription in this transaction.
func (t *txn) CreateWebhook(ctx context.Context, w *news.Webhook) error {
	return createWebhook(ctx, t.tx, w, t.db.now())
}

func createWebhook(ctx context.Context, tx *sql.Tx, w *news.Webhook, now time.Time) error {
	if err := validWebhook(w); err != nil {
		return err
	}
	if w.CreatedAt.IsZero() {
		w.CreatedAt = now
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO webhooks (integration_id, url, events, secret, created_at, disabled_at) VALUES (?, ?, ?, ?, ?, ?)`,
		w.IntegrationID, w.URL, strings.Join(w.Events, ","), w.Secret, w.CreatedAt.UnixMicro(), tv(w.DisabledAt))
	if err == nil {
		w.ID, err = res.LastInsertId()
	}
	if err != nil {
		return fmt.Errorf("create webhook: %w", translate(err))
	}
	return nil
}

// FindWebhook returns a subscription.
func (db *DB) FindWebhook(ctx context.Context, id int64) (*news.Webhook, error) {
	w, err := scanWebhook(db.read.QueryRowContext(ctx, `SELECT `+webhookCols+` FROM webhooks WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("find webhook %d: %w", id, translate(err))
	}
	return w, nil
}

// ListWebhooks returns an integration's subscriptions, oldest first.
func (db *DB) ListWebhooks(ctx context.Context, integrationID int64) ([]*news.Webhook, error) {
	q, args := `SELECT `+webhookCols+` FROM webhooks`, []any{}
	if integrationID != 0 {
		q += ` WHERE integration_id = ?`
		args = append(args, integrationID)
	}
	rows, err := db.read.QueryContext(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	defer rows.Close()
	var out []*news.Webhook
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, fmt.Errorf("list webhooks: %w", err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// DeleteWebhook removes a subscription and its deliveries.
func (db *DB) DeleteWebhook(ctx context.Context, id int64) error {
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, "webhook", id, `DELETE FROM webhooks WHERE id = ?`, id)
	})
	if err != nil {
		return fmt.Errorf("delete webhook %d: %w", id, err)
	}
	return nil
}

// EnqueueWebhookEvent queues ev for every webhook that wants it.
func (db *DB) EnqueueWebhookEvent(ctx context.Context, ev news.WebhookEvent, msgID func() string) (int, error) {
	var n int
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		var err error
		n, err = enqueueWebhookEvent(ctx, tx, ev, msgID, db.now())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("enqueue %s: %w", ev.Type, err)
	}
	return n, nil
}

// enqueueWebhookEvent writes the deliveries on tx: the write path calls it
// inside the transaction of the change the event announces.
func enqueueWebhookEvent(ctx context.Context, tx *sql.Tx, ev news.WebhookEvent, msgID func() string, now time.Time) (int, error) {
	if !news.ValidWebhookEvent(ev.Type) {
		return 0, news.Errorf(news.EINVALID, "unknown event %q", ev.Type)
	}
	if ev.At.IsZero() {
		ev.At = now
	}
	rows, err := tx.QueryContext(ctx, `SELECT w.id, w.events FROM webhooks w JOIN integrations i ON i.id = w.integration_id
		WHERE w.disabled_at IS NULL AND i.revoked_at IS NULL ORDER BY w.id`)
	if err != nil {
		return 0, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		var events string
		if err := rows.Scan(&id, &events); err != nil {
			rows.Close()
			return 0, err
		}
		for _, e := range splitList(events) {
			if e == ev.Type {
				ids = append(ids, id)
				break
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (webhook_id, msg_id, event_type, article_id, photo_id, payload, state, next_attempt_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`, id, msgID(), ev.Type, ev.ArticleID, ev.PhotoID, ev.Payload,
			ev.At.UnixMicro(), ev.At.UnixMicro()); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

const deliveryCols = `id, webhook_id, msg_id, event_type, article_id, photo_id, payload, state, attempts, next_attempt_at,
	last_status, last_error, created_at, delivered_at, claim, claimed_until`

func scanDelivery(s scanner) (*news.WebhookDelivery, error) {
	var d news.WebhookDelivery
	var next, created, delivered, until sql.NullInt64
	if err := s.Scan(&d.ID, &d.WebhookID, &d.MsgID, &d.EventType, &d.ArticleID, &d.PhotoID, &d.Payload, &d.State, &d.Attempts, &next,
		&d.LastStatus, &d.LastError, &created, &delivered, &d.Claim, &until); err != nil {
		return nil, err
	}
	d.NextAttemptAt, d.CreatedAt, d.DeliveredAt, d.ClaimedUntil = fromMicro(next), fromMicro(created), fromMicro(delivered), fromMicro(until)
	return &d, nil
}

// ClaimWebhookDeliveries claims due deliveries for one node. SQLite has one
// writer, so the select and the update in one immediate transaction cannot
// interleave with another claim.
func (db *DB) ClaimWebhookDeliveries(ctx context.Context, claim string, now time.Time, ttl time.Duration, limit int) ([]*news.WebhookDelivery, error) {
	if claim == "" {
		return nil, news.Errorf(news.EINVALID, "a claim needs a token")
	}
	if limit <= 0 {
		limit = 10
	}
	var out []*news.WebhookDelivery
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries
			WHERE state = 'pending' AND next_attempt_at <= ? AND (claim = '' OR claimed_until <= ?)
			ORDER BY next_attempt_at, id LIMIT ?`, now.UnixMicro(), now.UnixMicro(), limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			d, err := scanDelivery(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		until := now.Add(ttl)
		for _, d := range out {
			if _, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET claim = ?, claimed_until = ? WHERE id = ?`,
				claim, until.UnixMicro(), d.ID); err != nil {
				return err
			}
			d.Claim, d.ClaimedUntil = claim, until.UTC().Truncate(time.Microsecond)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim webhook deliveries: %w", err)
	}
	return out, nil
}

// FinishWebhookAttempt records an attempt under its claim.
func (db *DB) FinishWebhookAttempt(ctx context.Context, id int64, claim string, a news.WebhookAttempt, next time.Time) error {
	delivered := a.Status >= 200 && a.Status < 300
	state := news.WebhookPending
	switch {
	case delivered:
		state = news.WebhookDelivered
	case next.IsZero():
		state = news.WebhookFailed
	}
	var deliveredAt any
	if delivered {
		deliveredAt = a.At.UnixMicro()
	}
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET state = ?, attempts = attempts + 1, next_attempt_at = ?,
			last_status = ?, last_error = ?, delivered_at = COALESCE(?, delivered_at), claim = '', claimed_until = NULL
			WHERE id = ? AND claim = ? AND state = 'pending'`,
			state, tv(next), a.Status, a.Error, deliveredAt, id, claim)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return news.Errorf(news.ECONFLICT, "delivery %d is not held by this claim", id)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO webhook_attempts (delivery_id, at, status, error, duration_us) VALUES (?, ?, ?, ?, ?)`,
			id, a.At.UnixMicro(), a.Status, a.Error, a.Duration.Microseconds())
		return err
	})
	if err != nil {
		return fmt.Errorf("finish delivery %d: %w", id, err)
	}
	return nil
}

// RedeliverWebhook queues a delivery again with its message id.
func (db *DB) RedeliverWebhook(ctx context.Context, id int64, t time.Time) error {
	return db.tx(ctx, false, func(tx *sql.Tx) error { return redeliverWebhook(ctx, tx, id, t) })
}

// RedeliverWebhook queues a delivery again in this transaction.
func (t *txn) RedeliverWebhook(ctx context.Context, id int64, at time.Time) error {
	return redeliverWebhook(ctx, t.tx, id, at)
}

func redeliverWebhook(ctx context.Context, tx *sql.Tx, id int64, t time.Time) error {
	err := updateOne(ctx, tx, "delivery", id, `UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = ?, claim = '', claimed_until = NULL
			WHERE id = ?`, t.UnixMicro(), id)
	if err != nil {
		return fmt.Errorf("redeliver %d: %w", id, err)
	}
	return nil
}

// FindWebhookDelivery returns one delivery with its payload.
func (db *DB) FindWebhookDelivery(ctx context.Context, id int64) (*news.WebhookDelivery, error) {
	d, err := scanDelivery(db.read.QueryRowContext(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("find delivery %d: %w", id, translate(err))
	}
	return d, nil
}

// ListWebhookDeliveries returns a webhook's latest deliveries, no payloads.
func (db *DB) ListWebhookDeliveries(ctx context.Context, webhookID int64, limit int) ([]*news.WebhookDelivery, error) {
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+strings.Replace(deliveryCols, "payload", "x''", 1)+` FROM webhook_deliveries
		WHERE webhook_id = ? ORDER BY id DESC LIMIT ?`, webhookID, limit)
	if err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	defer rows.Close()
	var out []*news.WebhookDelivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("list deliveries: %w", err)
		}
		d.Payload = nil
		out = append(out, d)
	}
	return out, rows.Err()
}

// ListWebhookAttempts returns a delivery's attempts, oldest first.
func (db *DB) ListWebhookAttempts(ctx context.Context, deliveryID int64) ([]*news.WebhookAttempt, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, delivery_id, at, status, error, duration_us FROM webhook_attempts
		WHERE delivery_id = ? ORDER BY id`, deliveryID)
	if err != nil {
		return nil, fmt.Errorf("list attempts: %w", err)
	}
	defer rows.Close()
	var out []*news.WebhookAttempt
	for rows.Next() {
		var a news.WebhookAttempt
		var at sql.NullInt64
		var us int64
		if err := rows.Scan(&a.ID, &a.DeliveryID, &at, &a.Status, &a.Error, &us); err != nil {
			return nil, fmt.Errorf("list attempts: %w", err)
		}
		a.At, a.Duration = fromMicro(at), time.Duration(us)*time.Microsecond
		out = append(out, &a)
	}
	return out, rows.Err()
}

// BeginIdempotent reserves a key, or returns what is recorded under it.
func (db *DB) BeginIdempotent(ctx context.Context, r *news.IdempotencyRecord, stale time.Duration) (*news.IdempotencyRecord, error) {
	if r.Key == "" || len(r.Key) > 255 {
		return nil, news.Errorf(news.EINVALID, "an Idempotency-Key is 1 to 255 characters")
	}
	if r.CreatedAt.IsZero() {
		r.CreatedAt = db.now()
	}
	var existing *news.IdempotencyRecord
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		var e news.IdempotencyRecord
		var created sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT integration_id, key, fingerprint, status, body, created_at FROM idempotency_keys
			WHERE integration_id = ? AND key = ?`, r.IntegrationID, r.Key).Scan(&e.IntegrationID, &e.Key, &e.Fingerprint, &e.Status, &e.Body, &created)
		switch {
		case err == sql.ErrNoRows:
		case err != nil:
			return err
		default:
			e.CreatedAt = fromMicro(created)
			if e.Status != 0 || r.CreatedAt.Sub(e.CreatedAt) < stale {
				existing = &e
				return nil
			}
			// A reservation whose node died: take it over.
			_, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET fingerprint = ?, created_at = ? WHERE integration_id = ? AND key = ?`,
				r.Fingerprint, r.CreatedAt.UnixMicro(), r.IntegrationID, r.Key)
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO idempotency_keys (integration_id, key, fingerprint, created_at) VALUES (?, ?, ?, ?)`,
			r.IntegrationID, r.Key, r.Fingerprint, r.CreatedAt.UnixMicro())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("begin idempotent request: %w", err)
	}
	return existing, nil
}

// FinishIdempotent stores a reserved request's answer.
func (db *DB) FinishIdempotent(ctx context.Context, integrationID int64, key string, status int, body []byte) error {
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET status = ?, body = ? WHERE integration_id = ? AND key = ?`,
			status, body, integrationID, key)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("idempotency key", key)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("finish idempotent request: %w", err)
	}
	return nil
}

// AbandonIdempotent drops an unfinished reservation.
func (db *DB) AbandonIdempotent(ctx context.Context, integrationID int64, key string) error {
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE integration_id = ? AND key = ? AND status = 0`, integrationID, key)
		return err
	})
	if err != nil {
		return fmt.Errorf("abandon idempotent request: %w", err)
	}
	return nil
}

// PruneIdempotency forgets old answers.
func (db *DB) PruneIdempotency(ctx context.Context, before time.Time) error {
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < ?`, before.UnixMicro())
		return err
	})
	if err != nil {
		return fmt.Errorf("prune idempotency keys: %w", err)
	}
	return nil
}
