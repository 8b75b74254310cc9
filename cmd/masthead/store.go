package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"masthead/internal/news"
	"masthead/internal/readers"
	"masthead/internal/store/postgres"
	"masthead/internal/store/sqlite"
)

// openStore opens the database the flags name: PostgreSQL for a postgres://
// URL, else the SQLite file in the data folder (created on first use).
func openStore(ctx context.Context, c common) (news.Store, error) {
	if c.isPostgres() {
		db, err := postgres.Open(ctx, c.DB, postgres.WithTimeout(c.DBTimeout))
		if err != nil {
			return nil, fmt.Errorf("open PostgreSQL: %w", err)
		}
		return withHooks(db), nil
	}
	// The data folder holds the database (password hashes, sessions) and
	// secrets: only the account masthead runs as may read it. The database
	// file is created 0600 before SQLite opens it; SQLite gives its -wal
	// and -shm files the same mode.
	if err := os.MkdirAll(c.Data, 0o700); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	if f, err := os.OpenFile(c.sqlitePath(), os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
	} else if !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("create %s: %w", c.sqlitePath(), err)
	}
	db, err := sqlite.Open(ctx, c.sqlitePath(), sqlite.WithTimeout(c.DBTimeout))
	if err != nil {
		return nil, fmt.Errorf("open SQLite %s: %w", c.sqlitePath(), err)
	}
	return withHooks(db), nil
}

// withHooks registers the write hooks every command's transactions run:
// a publish queues the newsletter sends editors asked for (issue 16).
func withHooks(st news.Store) news.Store {
	st.AddTxHook(readers.SendOnPublish(func() time.Time { return time.Now().UTC() }))
	return st
}
