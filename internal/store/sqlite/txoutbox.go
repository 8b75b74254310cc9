package sqlite

import (
	"context"
	"fmt"

	"masthead/internal/news"
)

// The integrations' writers on a write transaction (news.Tx): webhook
// deliveries, idempotent answers and wire records commit with the change
// they belong to.

func wantsWebhookEvent(ctx context.Context, q queryer, eventType string) (bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT w.events FROM webhooks w JOIN integrations i ON i.id = w.integration_id
		WHERE w.disabled_at IS NULL AND i.revoked_at IS NULL`)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	for rows.Next() {
		var events string
		if err := rows.Scan(&events); err != nil {
			return false, err
		}
		for _, e := range splitList(events) {
			if e == eventType {
				return true, nil
			}
		}
	}
	return false, rows.Err()
}

// WantsWebhookEvent reports whether a webhook subscribes to eventType.
func (db *DB) WantsWebhookEvent(ctx context.Context, eventType string) (bool, error) {
	ok, err := wantsWebhookEvent(ctx, db.read, eventType)
	if err != nil {
		return false, fmt.Errorf("webhook subscribers: %w", translate(err))
	}
	return ok, nil
}

// WantsWebhookEvent reports whether a webhook subscribes to eventType.
func (t *txn) WantsWebhookEvent(ctx context.Context, eventType string) (bool, error) {
	ok, err := wantsWebhookEvent(ctx, t.tx, eventType)
	if err != nil {
		return false, fmt.Errorf("webhook subscribers: %w", translate(err))
	}
	return ok, nil
}

// EnqueueWebhookEvent queues ev in this transaction.
func (t *txn) EnqueueWebhookEvent(ctx context.Context, ev news.WebhookEvent, msgID func() string) (int, error) {
	n, err := enqueueWebhookEvent(ctx, t.tx, ev, msgID, t.db.now())
	if err != nil {
		return 0, fmt.Errorf("enqueue %s: %w", ev.Type, translate(err))
	}
	return n, nil
}

// FinishIdempotent stores a reserved request's answer in this transaction.
func (t *txn) FinishIdempotent(ctx context.Context, integrationID int64, key string, status int, body []byte) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE idempotency_keys SET status = ?, body = ? WHERE integration_id = ? AND key = ?`,
		status, body, integrationID, key)
	if err != nil {
		return fmt.Errorf("finish idempotent request: %w", translate(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("finish idempotent request: %w", notFound("idempotency key", key))
	}
	return nil
}

// FindWireItem reads a wire record in this transaction.
func (t *txn) FindWireItem(ctx context.Context, uri string) (*news.WireItem, error) {
	w, err := scanWire(t.tx.QueryRowContext(ctx, `SELECT `+wireCols+` FROM wire_items WHERE uri = ?`, uri))
	if err != nil {
		return nil, fmt.Errorf("find wire item: %w", translate(err))
	}
	return w, nil
}

// PutWireItem stores a later version's record in this transaction.
func (t *txn) PutWireItem(ctx context.Context, w *news.WireItem) (bool, error) {
	ok, err := putWireItem(ctx, t.tx, w, t.db.now())
	if err != nil {
		return false, fmt.Errorf("put wire item: %w", translate(err))
	}
	return ok, nil
}
