package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// RecordOpen notes the first open of an issue by a subscriber who was sent
// it (a delivery exists).
func (db *DB) RecordOpen(ctx context.Context, issueID, subscriptionID int64, t time.Time) error {
	return db.tx(ctx, false, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO newsletter_opens (issue_id, subscription_id, opened_at)
			SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM newsletter_deliveries WHERE issue_id = ?1 AND subscription_id = ?2)
			ON CONFLICT (issue_id, subscription_id) DO NOTHING`, issueID, subscriptionID, t.UTC().UnixMicro())
		if err != nil {
			return fmt.Errorf("record open: %w", translate(err))
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		var seen int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM newsletter_opens WHERE issue_id = ? AND subscription_id = ?`, issueID, subscriptionID).Scan(&seen); err != nil {
			return err
		}
		if seen == 0 {
			return notFound("delivery of issue", fmt.Sprintf("%d to subscription %d", issueID, subscriptionID))
		}
		return nil
	})
}

// CountOpens is how many subscribers opened the issue.
func (db *DB) CountOpens(ctx context.Context, issueID int64) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM newsletter_opens WHERE issue_id = ?`, issueID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count opens: %w", translate(err))
	}
	return n, nil
}
