package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"masthead/internal/news"
)

// Webhooks, their outbox and the idempotency records (migration 0071).

const webhookCols = `id, integration_id, url, events, secret, created_at, disabled_at`

func scanWebhook(row pgx.Row) (*news.Webhook, error) {
	var w news.Webhook
	var events string
	var disabled *time.Time
	if err := row.Scan(&w.ID, &w.IntegrationID, &w.URL, &events, &w.Secret, &w.CreatedAt, &disabled); err != nil {
		return nil, err
	}
	if events != "" {
		w.Events = strings.Split(events, ",")
	}
	w.CreatedAt, w.DisabledAt = w.CreatedAt.UTC(), fromNull(disabled)
	return &w, nil
}

func validWebhook(w *news.Webhook) error {
	if !strings.HasPrefix(w.URL, "https://") && !strings.HasPrefix(w.URL, "http://") {
		return invalid("a webhook URL starts with https:// or http://")
	}
	if len(w.Events) == 0 {
		return invalid("a webhook needs at least one event")
	}
	for _, e := range w.Events {
		if !news.ValidWebhookEvent(e) {
			return invalid("unknown event %q", e)
		}
	}
	if w.Secret == "" {
		return invalid("a webhook needs a secret")
	}
	return nil
}

// CreateWebhook stores a subscription.
func (db *DB) CreateWebhook(ctx context.Context, w *news.Webhook) error {
	return createWebhook(ctx, db.pool, db, w)
}

// CreateWebhook stores a subscription in this transaction.
func (t *txn) CreateWebhook(ctx context.Context, w *news.Webhook) error {
	return createWebhook(ctx, t.tx, t.db, w)
}

// rowQuerier is a pool or a transaction.
type rowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func createWebhook(ctx context.Context, q rowQuerier, db *DB, w *news.Webhook) error {
	if err := validWebhook(w); err != nil {
		return err
	}
	w.CreatedAt = db.createdAt(w.CreatedAt)
	err := q.QueryRow(ctx, `INSERT INTO webhooks (integration_id, url, events, secret, created_at, disabled_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, w.IntegrationID, w.URL, strings.Join(w.Events, ","), w.Secret, w.CreatedAt, utc(w.DisabledAt)).Scan(&w.ID)
	return translate(err, "create webhook")
}

// FindWebhook returns a subscription.
func (db *DB) FindWebhook(ctx context.Context, id int64) (*news.Webhook, error) {
	w, err := scanWebhook(db.pool.QueryRow(ctx, `SELECT `+webhookCols+` FROM webhooks WHERE id = $1`, id))
	if err != nil {
		return nil, translate(err, fmt.Sprintf("find webhook %d", id))
	}
	return w, nil
}

// ListWebhooks returns an integration's subscriptions, oldest first.
func (db *DB) ListWebhooks(ctx context.Context, integrationID int64) ([]*news.Webhook, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+webhookCols+` FROM webhooks WHERE $1 = 0 OR integration_id = $1 ORDER BY id`, integrationID)
	if err != nil {
		return nil, translate(err, "list webhooks")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*news.Webhook, error) { return scanWebhook(r) })
	return out, translate(err, "list webhooks")
}

// DeleteWebhook removes a subscription and its deliveries.
func (db *DB) DeleteWebhook(ctx context.Context, id int64) error {
	err := db.write(ctx, false, func(tx pgx.Tx) error {
		return execOne(ctx, tx, fmt.Sprintf("webhook %d", id), `DELETE FROM webhooks WHERE id = $1`, id)
	})
	return translate(err, fmt.Sprintf("delete webhook %d", id))
}

// EnqueueWebhookEvent queues ev for every webhook that wants it.
func (db *DB) EnqueueWebhookEvent(ctx context.Context, ev news.WebhookEvent, msgID func() string) (int, error) {
	var n int
	err := db.write(ctx, false, func(tx pgx.Tx) error {
		var err error
		n, err = enqueueWebhookEvent(ctx, tx, ev, msgID, db.now())
		return err
	})
	return n, translate(err, "enqueue "+ev.Type)
}

// enqueueWebhookEvent writes the deliveries on tx: the write path calls it
// inside the transaction of the change the event announces.
func enqueueWebhookEvent(ctx context.Context, tx pgx.Tx, ev news.WebhookEvent, msgID func() string, now time.Time) (int, error) {
	if !news.ValidWebhookEvent(ev.Type) {
		return 0, invalid("unknown event %q", ev.Type)
	}
	if ev.At.IsZero() {
		ev.At = now
	}
	rows, err := tx.Query(ctx, `SELECT w.id FROM webhooks w JOIN integrations i ON i.id = w.integration_id
		WHERE w.disabled_at IS NULL AND i.revoked_at IS NULL AND $1 = ANY(string_to_array(w.events, ',')) ORDER BY w.id`, ev.Type)
	if err != nil {
		return 0, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if _, err := tx.Exec(ctx, `INSERT INTO webhook_deliveries (webhook_id, msg_id, event_type, article_id, photo_id, payload, state, next_attempt_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7)`, id, msgID(), ev.Type, ev.ArticleID, ev.PhotoID, ev.Payload, utc(ev.At)); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

const deliveryCols = `id, webhook_id, msg_id, event_type, article_id, photo_id, payload, state, attempts, next_attempt_at,
	last_status, last_error, created_at, delivered_at, claim, claimed_until`

func scanDelivery(row pgx.Row) (*news.WebhookDelivery, error) {
	var d news.WebhookDelivery
	var next, delivered, until *time.Time
	if err := row.Scan(&d.ID, &d.WebhookID, &d.MsgID, &d.EventType, &d.ArticleID, &d.PhotoID, &d.Payload, &d.State, &d.Attempts, &next,
		&d.LastStatus, &d.LastError, &d.CreatedAt, &delivered, &d.Claim, &until); err != nil {
		return nil, err
	}
	d.NextAttemptAt, d.CreatedAt, d.DeliveredAt, d.ClaimedUntil = fromNull(next), d.CreatedAt.UTC(), fromNull(delivered), fromNull(until)
	return &d, nil
}

// ClaimWebhookDeliveries claims due deliveries for one node: FOR UPDATE
// SKIP LOCKED lets nodes claim side by side without waiting on each other
// or taking the same row.
func (db *DB) ClaimWebhookDeliveries(ctx context.Context, claim string, now time.Time, ttl time.Duration, limit int) ([]*news.WebhookDelivery, error) {
	if claim == "" {
		return nil, invalid("a claim needs a token")
	}
	if limit <= 0 {
		limit = 10
	}
	var out []*news.WebhookDelivery
	err := db.write(ctx, false, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE webhook_deliveries d SET claim = $1, claimed_until = $3
			WHERE d.id IN (SELECT id FROM webhook_deliveries
				WHERE state = 'pending' AND next_attempt_at <= $2 AND (claim = '' OR claimed_until <= $2)
				ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
			RETURNING `+deliveryCols, claim, utc(now), utc(now.Add(ttl)), limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*news.WebhookDelivery, error) { return scanDelivery(r) })
		return err
	})
	if err != nil {
		return nil, translate(err, "claim webhook deliveries")
	}
	// RETURNING gives no order.
	sortWebhookDeliveries(out)
	return out, nil
}

func sortWebhookDeliveries(ds []*news.WebhookDelivery) {
	slices.SortFunc(ds, func(a, b *news.WebhookDelivery) int {
		if c := a.NextAttemptAt.Compare(b.NextAttemptAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
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
	var deliveredAt *time.Time
	if delivered {
		deliveredAt = utc(a.At)
	}
	err := db.write(ctx, false, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET state = $1, attempts = attempts + 1, next_attempt_at = $2,
			last_status = $3, last_error = $4, delivered_at = COALESCE($5, delivered_at), claim = '', claimed_until = NULL
			WHERE id = $6 AND claim = $7 AND state = 'pending'`, state, utc(next), a.Status, a.Error, deliveredAt, id, claim)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return news.Errorf(news.ECONFLICT, "delivery %d is not held by this claim", id)
		}
		_, err = tx.Exec(ctx, `INSERT INTO webhook_attempts (delivery_id, at, status, error, duration_us) VALUES ($1, $2, $3, $4, $5)`,
			id, utc(a.At), a.Status, a.Error, a.Duration.Microseconds())
		return err
	})
	return translate(err, fmt.Sprintf("finish delivery %d", id))
}

// RedeliverWebhook queues a delivery again with its message id.
func (db *DB) RedeliverWebhook(ctx context.Context, id int64, t time.Time) error {
	return db.write(ctx, false, func(tx pgx.Tx) error { return redeliverWebhook(ctx, tx, id, t) })
}

// RedeliverWebhook queues a delivery again in this transaction.
func (t *txn) RedeliverWebhook(ctx context.Context, id int64, at time.Time) error {
	return redeliverWebhook(ctx, t.tx, id, at)
}

func redeliverWebhook(ctx context.Context, tx pgx.Tx, id int64, t time.Time) error {
	err := execOne(ctx, tx, fmt.Sprintf("delivery %d", id), `UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = $1,
			claim = '', claimed_until = NULL WHERE id = $2`, utc(t), id)
	return translate(err, fmt.Sprintf("redeliver %d", id))
}

// FindWebhookDelivery returns one delivery with its payload.
func (db *DB) FindWebhookDelivery(ctx context.Context, id int64) (*news.WebhookDelivery, error) {
	d, err := scanDelivery(db.pool.QueryRow(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries WHERE id = $1`, id))
	if err != nil {
		return nil, translate(err, fmt.Sprintf("find delivery %d", id))
	}
	return d, nil
}

// ListWebhookDeliveries returns a webhook's latest deliveries, no payloads.
func (db *DB) ListWebhookDeliveries(ctx context.Context, webhookID int64, limit int) ([]*news.WebhookDelivery, error) {
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	rows, err := db.pool.Query(ctx, `SELECT `+strings.Replace(deliveryCols, "payload", "''::bytea", 1)+` FROM webhook_deliveries
		WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2`, webhookID, limit)
	if err != nil {
		return nil, translate(err, "list deliveries")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*news.WebhookDelivery, error) {
		d, err := scanDelivery(r)
		if d != nil {
			d.Payload = nil
		}
		return d, err
	})
	return out, translate(err, "list deliveries")
}

// ListWebhookAttempts returns a delivery's attempts, oldest first.
func (db *DB) ListWebhookAttempts(ctx context.Context, deliveryID int64) ([]*news.WebhookAttempt, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, delivery_id, at, status, error, duration_us FROM webhook_attempts
		WHERE delivery_id = $1 ORDER BY id`, deliveryID)
	if err != nil {
		return nil, translate(err, "list attempts")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*news.WebhookAttempt, error) {
		var a news.WebhookAttempt
		var us int64
		err := r.Scan(&a.ID, &a.DeliveryID, &a.At, &a.Status, &a.Error, &us)
		a.At, a.Duration = a.At.UTC(), time.Duration(us)*time.Microsecond
		return &a, err
	})
	return out, translate(err, "list attempts")
}

// BeginIdempotent reserves a key, or returns what is recorded under it.
// Concurrent first requests race on the primary key: one inserts, the
// others wait for its transaction and then read its row.
func (db *DB) BeginIdempotent(ctx context.Context, r *news.IdempotencyRecord, stale time.Duration) (*news.IdempotencyRecord, error) {
	if r.Key == "" || len(r.Key) > 255 {
		return nil, invalid("an Idempotency-Key is 1 to 255 characters")
	}
	r.CreatedAt = db.createdAt(r.CreatedAt)
	var existing *news.IdempotencyRecord
	err := db.write(ctx, false, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO idempotency_keys (integration_id, key, fingerprint, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT DO NOTHING`, r.IntegrationID, r.Key, r.Fingerprint, r.CreatedAt)
		if err != nil || tag.RowsAffected() == 1 {
			return err
		}
		var e news.IdempotencyRecord
		if err := tx.QueryRow(ctx, `SELECT integration_id, key, fingerprint, status, body, created_at FROM idempotency_keys
			WHERE integration_id = $1 AND key = $2 FOR UPDATE`, r.IntegrationID, r.Key).Scan(&e.IntegrationID, &e.Key, &e.Fingerprint, &e.Status, &e.Body, &e.CreatedAt); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				// Abandoned between our insert and our read: a retry
				// will reserve it.
				return news.Errorf(news.ECONFLICT, "the request with this Idempotency-Key is being retried; try again")
			}
			return err
		}
		e.CreatedAt = e.CreatedAt.UTC()
		if e.Status != 0 || r.CreatedAt.Sub(e.CreatedAt) < stale {
			existing = &e
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE idempotency_keys SET fingerprint = $1, created_at = $2 WHERE integration_id = $3 AND key = $4`,
			r.Fingerprint, r.CreatedAt, r.IntegrationID, r.Key)
		return err
	})
	if err != nil {
		return nil, translate(err, "begin idempotent request")
	}
	return existing, nil
}

// FinishIdempotent stores a reserved request's answer.
func (db *DB) FinishIdempotent(ctx context.Context, integrationID int64, key string, status int, body []byte) error {
	if body == nil {
		body = []byte{}
	}
	err := db.write(ctx, false, func(tx pgx.Tx) error {
		return execOne(ctx, tx, "idempotency key", `UPDATE idempotency_keys SET status = $1, body = $2 WHERE integration_id = $3 AND key = $4`,
			status, body, integrationID, key)
	})
	return translate(err, "finish idempotent request")
}

// AbandonIdempotent drops an unfinished reservation.
func (db *DB) AbandonIdempotent(ctx context.Context, integrationID int64, key string) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE integration_id = $1 AND key = $2 AND status = 0`, integrationID, key)
	return translate(err, "abandon idempotent request")
}

// PruneIdempotency forgets old answers.
func (db *DB) PruneIdempotency(ctx context.Context, before time.Time) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, utc(before))
	return translate(err, "prune idempotency keys")
}
