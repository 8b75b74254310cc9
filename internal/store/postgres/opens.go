package postgres

import (
	"context"
	"time"
)

// RecordOpen notes the first open of an issue by a subscriber who was sent
// it (a delivery exists).
func (db *DB) RecordOpen(ctx context.Context, issueID, subscriptionID int64, t time.Time) error {
	tag, err := db.pool.Exec(ctx, `INSERT INTO newsletter_opens (issue_id, subscription_id, opened_at)
		SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM newsletter_deliveries WHERE issue_id = $1 AND subscription_id = $2)
		ON CONFLICT (issue_id, subscription_id) DO NOTHING`, issueID, subscriptionID, t.UTC())
	if err != nil {
		return translate(err, "record open")
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var seen int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM newsletter_opens WHERE issue_id = $1 AND subscription_id = $2`, issueID, subscriptionID).Scan(&seen); err != nil {
		return translate(err, "record open")
	}
	if seen == 0 {
		return notFound("no delivery of issue %d to subscription %d", issueID, subscriptionID)
	}
	return nil
}

// CountOpens is how many subscribers opened the issue.
func (db *DB) CountOpens(ctx context.Context, issueID int64) (int, error) {
	var n int
	err := db.pool.QueryRow(ctx, `SELECT count(*) FROM newsletter_opens WHERE issue_id = $1`, issueID).Scan(&n)
	return n, translate(err, "count opens")
}
