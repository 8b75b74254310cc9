package sqlite

import (
	"database/sql"
	"errors"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"masthead/internal/news"
)

// translate turns driver errors into the domain's sentinels, in this one
// place, so nothing above the store inspects SQLite error codes. Errors that
// are already domain errors, and those with no domain meaning, pass through
// unchanged (wrapped by the caller with what it was doing).
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return news.ErrNotFound
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return news.Errorf(news.ECONFLICT, "already exists")
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return news.Errorf(news.EINVALID, "refers to something that does not exist")
		case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return news.Errorf(news.EINVALID, "invalid value")
		}
	}
	return err
}

// notFound is the error for a missing row, naming what was looked for.
func notFound(what string, key any) error {
	return news.Errorf(news.ENOTFOUND, "%s %v not found", what, key)
}
