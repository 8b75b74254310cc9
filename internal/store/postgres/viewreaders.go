package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"masthead/internal/news"
)

// AddReaderViews adds views counted once per reader per day across nodes
// (views.ReaderDedup): for each slot, the readers not yet recorded for day
// are recorded and only they are counted. Readers of days before the
// previous one are deleted on the way. One transaction: a failed write
// records no reader, so a retry counts them. Slots come sorted by story
// and hour, so concurrent flushes lock article_views rows in one order.
func (db *DB) AddReaderViews(ctx context.Context, day int64, slots []news.ViewCount, readers [][]int64) error {
	if len(slots) != len(readers) {
		return fmt.Errorf("add reader views: %d slots, %d reader lists", len(slots), len(readers))
	}
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM view_readers WHERE day < $1`, day-1); err != nil {
			return err
		}
		for i, s := range slots {
			if len(readers[i]) == 0 {
				continue
			}
			var n int64
			err := tx.QueryRow(ctx, `WITH ins AS (
					INSERT INTO view_readers (day, reader) SELECT $1, unnest($2::bigint[])
					ON CONFLICT DO NOTHING RETURNING 1)
				SELECT count(*) FROM ins`, day, readers[i]).Scan(&n)
			if err != nil {
				return err
			}
			if n == 0 {
				continue
			}
			_, err = tx.Exec(ctx, `INSERT INTO article_views AS v (article_id, hour, count)
				SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM articles a WHERE a.id = $1)
				ON CONFLICT (article_id, hour) DO UPDATE SET count = v.count + EXCLUDED.count`,
				s.ArticleID, s.Hour.UTC().Truncate(time.Hour), n)
			if err != nil {
				return err
			}
		}
		return nil
	})
	return translate(err, "add reader views")
}
