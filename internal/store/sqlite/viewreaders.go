package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"masthead/internal/news"
)

// AddReaderViews adds views counted once per reader per day across nodes
// (views.ReaderDedup): for each slot, the readers not yet recorded for day
// are recorded and only they are counted. Readers of days before the
// previous one are deleted on the way. One transaction: a failed write
// records no reader, so a retry counts them.
func (db *DB) AddReaderViews(ctx context.Context, day int64, slots []news.ViewCount, readers [][]int64) error {
	if len(slots) != len(readers) {
		return fmt.Errorf("add reader views: %d slots, %d reader lists", len(slots), len(readers))
	}
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM view_readers WHERE day < ?`, day-1); err != nil {
			return err
		}
		ins, err := tx.PrepareContext(ctx, `INSERT INTO view_readers (day, reader) VALUES (?, ?) ON CONFLICT DO NOTHING`)
		if err != nil {
			return err
		}
		defer ins.Close()
		add, err := tx.PrepareContext(ctx, addViewsSQL)
		if err != nil {
			return err
		}
		defer add.Close()
		for i, s := range slots {
			var n int64
			for _, r := range readers[i] {
				res, err := ins.ExecContext(ctx, day, r)
				if err != nil {
					return err
				}
				k, _ := res.RowsAffected()
				n += k
			}
			if n == 0 {
				continue
			}
			hour := s.Hour.UTC().Truncate(time.Hour).UnixMicro()
			if _, err := add.ExecContext(ctx, hour, s.ArticleID, n, s.ArticleID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("add reader views: %w", translate(err))
	}
	return nil
}
