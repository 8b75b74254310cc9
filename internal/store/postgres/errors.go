package postgres

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"masthead/internal/news"
)

// PostgreSQL error codes we translate (Appendix A of the manual).
const (
	pgUniqueViolation     = "23505"
	pgForeignKeyViolation = "23503"
	pgCheckViolation      = "23514"
	pgNotNullViolation    = "23502"
	pgInvalidText         = "22P02"
	pgCharNotEncodable    = "22021" // e.g. a NUL byte in text
	pgProgramLimit        = "54000" // e.g. a story too long for a tsvector (1 MB)
)

// conflictMessages names what a unique constraint protects, so a clash reads
// as "slug … is taken" rather than a constraint name.
var conflictMessages = map[string]string{
	"articles_slug_key":    "an article with this slug already exists",
	"articles_source_key":  "an article with this source key already exists",
	"sections_slug_key":    "a section with this slug already exists",
	"authors_slug_key":     "an author with this slug already exists",
	"authors_email":        "an author with this e-mail already exists",
	"tags_slug_key":        "a tag with this slug already exists",
	"pages_slug_key":       "a page with this slug already exists",
	"users_email":          "a user with this e-mail already exists",
	"sessions_pkey":        "the session already exists",
	"article_authors_pkey": "an author is listed twice",
	"article_tags_pkey":    "a tag is listed twice",
}

// translate maps driver errors to the domain's sentinels, wrapped with what
// was being done: no-rows → ErrNotFound, unique violations → ErrConflict,
// broken references and rejected values → ErrInvalid. Anything else stays
// an internal error with its details (for the log, not the page).
func translate(err error, what string) error {
	if err == nil {
		return nil
	}
	var ne *news.Error
	if errors.As(err, &ne) {
		return fmt.Errorf("%s: %w", what, err)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, news.Errorf(news.ENOTFOUND, "not found"))
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case pgUniqueViolation:
			msg := conflictMessages[pe.ConstraintName]
			if msg == "" {
				msg = "already exists"
			}
			return fmt.Errorf("%s: %w", what, news.Errorf(news.ECONFLICT, "%s", msg))
		case pgForeignKeyViolation:
			return fmt.Errorf("%s: %w", what, news.Errorf(news.EINVALID, "refers to something that does not exist (%s)", pe.ConstraintName))
		case pgCheckViolation, pgNotNullViolation:
			return fmt.Errorf("%s: %w", what, news.Errorf(news.EINVALID, "invalid value (%s)", pe.ConstraintName))
		case pgInvalidText, pgCharNotEncodable:
			return fmt.Errorf("%s: %w", what, news.Errorf(news.EINVALID, "invalid text"))
		case pgProgramLimit:
			return fmt.Errorf("%s: %w", what, news.Errorf(news.EINVALID, "too large"))
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// invalid returns a domain "invalid" error for input the store refuses
// before touching the database.
func invalid(format string, args ...any) error {
	return news.Errorf(news.EINVALID, format, args...)
}

// notFound is the domain "not found" error.
func notFound(format string, args ...any) error {
	return news.Errorf(news.ENOTFOUND, format, args...)
}
