package postgres

import (
	"context"

	"masthead/internal/news"
)

// The integrations' writers on a write transaction (news.Tx): webhook
// deliveries, idempotent answers and wire records commit with the change
// they belong to.

func wantsWebhookEvent(ctx context.Context, q querier, eventType string) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM webhooks w JOIN integrations i ON i.id = w.integration_id
		WHERE w.disabled_at IS NULL AND i.revoked_at IS NULL AND $1 = ANY(string_to_array(w.events, ',')))`, eventType).Scan(&ok)
	return ok, err
}

// WantsWebhookEvent reports whether a webhook subscribes to eventType.
func (db *DB) WantsWebhookEvent(ctx context.Context, eventType string) (bool, error) {
	ok, err := wantsWebhookEvent(ctx, db.pool, eventType)
	return ok, translate(err, "webhook subscribers")
}

// WantsWebhookEvent reports whether a webhook subscribes to eventType.
func (t *txn) WantsWebhookEvent(ctx context.Context, eventType string) (bool, error) {
	ok, err := wantsWebhookEvent(ctx, t.tx, eventType)
	return ok, translate(err, "webhook subscribers")
}

// EnqueueWebhookEvent queues ev in this transaction.
func (t *txn) EnqueueWebhookEvent(ctx context.Context, ev news.WebhookEvent, msgID func() string) (int, error) {
	n, err := enqueueWebhookEvent(ctx, t.tx, ev, msgID, t.db.now())
	return n, translate(err, "enqueue "+ev.Type)
}

// FinishIdempotent stores a reserved request's answer in this transaction.
func (t *txn) FinishIdempotent(ctx context.Context, integrationID int64, key string, status int, body []byte) error {
	if body == nil {
		body = []byte{}
	}
	tag, err := t.tx.Exec(ctx, `UPDATE idempotency_keys SET status = $1, body = $2 WHERE integration_id = $3 AND key = $4`,
		status, body, integrationID, key)
	if err == nil && tag.RowsAffected() == 0 {
		err = notFound("idempotency key not found")
	}
	return translate(err, "finish idempotent request")
}

// FindWireItem reads a wire record in this transaction.
func (t *txn) FindWireItem(ctx context.Context, uri string) (*news.WireItem, error) {
	w, err := scanWire(t.tx.QueryRow(ctx, `SELECT `+wireCols+` FROM wire_items WHERE uri = $1 FOR UPDATE`, uri))
	if err != nil {
		return nil, translate(err, "find wire item")
	}
	return w, nil
}

// PutWireItem stores a later version's record in this transaction.
func (t *txn) PutWireItem(ctx context.Context, w *news.WireItem) (bool, error) {
	ok, err := putWireItem(ctx, t.tx, w, t.db.now())
	return ok, translate(err, "put wire item")
}
