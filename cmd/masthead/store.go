package main

import (
	"context"
	"fmt"
	"os"

	"masthead/internal/news"
	"masthead/internal/store/postgres"
	"masthead/internal/store/sqlite"
)

// openStore opens the database the flags name: PostgreSQL for a postgres://
// URL, else the SQLite file in the data folder (created on first use).
func openStore(ctx context.Context, c common) (news.Store, error) {
	if c.isPostgres() {
		db, err := postgres.Open(ctx, c.DB)
		if err != nil {
			return nil, fmt.Errorf("open PostgreSQL: %w", err)
		}
		return db, nil
	}
	if err := os.MkdirAll(c.Data, 0o750); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	db, err := sqlite.Open(ctx, c.sqlitePath())
	if err != nil {
		return nil, fmt.Errorf("open SQLite %s: %w", c.sqlitePath(), err)
	}
	return db, nil
}
