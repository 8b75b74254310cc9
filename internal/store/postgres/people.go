package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"masthead/internal/news"
)

// Users, sessions and the audit log are newsroom-only: their writes do not
// bump the generation (readers' pages never show them).

const userColumns = "id, email, name, role, password_hash, author_id, disabled, created_at"

func scanUser(row pgx.Row) (*news.User, error) {
	var (
		u      news.User
		role   string
		author *int64
	)
	if err := row.Scan(&u.ID, &u.Email, &u.Name, &role, &u.PasswordHash, &author, &u.Disabled, &u.CreatedAt); err != nil {
		return nil, err
	}
	u.Role = news.Role(role)
	u.AuthorID = fromNullID(author)
	u.CreatedAt = u.CreatedAt.UTC()
	return &u, nil
}

func validateUser(u *news.User) error {
	if strings.TrimSpace(u.Email) == "" {
		return invalid("a user needs an e-mail address")
	}
	if !u.Role.Valid() {
		return invalid("unknown role %q", u.Role)
	}
	return nil
}

// CreateUser adds a newsroom account. E-mail addresses are unique whatever
// their case.
func (db *DB) CreateUser(ctx context.Context, u *news.User) error {
	if err := validateUser(u); err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	u.CreatedAt = db.createdAt(u.CreatedAt)
	err := db.pool.QueryRow(ctx, `INSERT INTO users (email, name, role, password_hash, author_id, disabled, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		u.Email, u.Name, string(u.Role), u.PasswordHash, nullID(u.AuthorID), u.Disabled, u.CreatedAt).Scan(&u.ID)
	return translate(err, "create user")
}

// UpdateUser replaces an account's fields; CreatedAt does not change.
func (db *DB) UpdateUser(ctx context.Context, u *news.User) error {
	if err := validateUser(u); err != nil {
		return fmt.Errorf("update user %d: %w", u.ID, err)
	}
	err := affectOne(db.pool.Exec(ctx, `UPDATE users SET email = $2, name = $3, role = $4, password_hash = $5,
		author_id = $6, disabled = $7 WHERE id = $1`,
		u.ID, u.Email, u.Name, string(u.Role), u.PasswordHash, nullID(u.AuthorID), u.Disabled))
	return translate(err, fmt.Sprintf("update user %d", u.ID))
}

// FindUserByID returns one account.
func (db *DB) FindUserByID(ctx context.Context, id int64) (*news.User, error) {
	u, err := scanUser(db.pool.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = $1", id))
	if err != nil {
		return nil, translate(err, fmt.Sprintf("find user %d", id))
	}
	return u, nil
}

// FindUserByEmail finds an account by e-mail, ignoring case.
func (db *DB) FindUserByEmail(ctx context.Context, email string) (*news.User, error) {
	u, err := scanUser(db.pool.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE lower(email) = lower($1)", email))
	if err != nil {
		return nil, translate(err, "find user by e-mail")
	}
	return u, nil
}

// ListUsers returns every account by name.
func (db *DB) ListUsers(ctx context.Context) ([]*news.User, error) {
	rows, err := db.pool.Query(ctx, "SELECT "+userColumns+" FROM users ORDER BY name, email, id")
	if err != nil {
		return nil, translate(err, "list users")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*news.User, error) { return scanUser(r) })
	return list, translate(err, "list users")
}

const sessionColumns = "id, user_id, csrf_token, created_at, expires_at, last_seen, user_agent"

func scanSession(row pgx.Row) (*news.Session, error) {
	var s news.Session
	if err := row.Scan(&s.ID, &s.UserID, &s.CSRFToken, &s.CreatedAt, &s.ExpiresAt, &s.LastSeen, &s.UserAgent); err != nil {
		return nil, err
	}
	s.CreatedAt, s.ExpiresAt, s.LastSeen = s.CreatedAt.UTC(), s.ExpiresAt.UTC(), s.LastSeen.UTC()
	return &s, nil
}

// CreateSession stores a signed-in browser (by the hash of its token).
func (db *DB) CreateSession(ctx context.Context, s *news.Session) error {
	if s.ID == "" {
		return fmt.Errorf("create session: %w", invalid("a session needs an ID"))
	}
	s.CreatedAt = db.createdAt(s.CreatedAt)
	s.ExpiresAt = normTime(s.ExpiresAt)
	if s.LastSeen.IsZero() {
		s.LastSeen = s.CreatedAt
	}
	s.LastSeen = normTime(s.LastSeen)
	_, err := db.pool.Exec(ctx, `INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at, last_seen, user_agent)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		s.ID, s.UserID, s.CSRFToken, s.CreatedAt, s.ExpiresAt, s.LastSeen, s.UserAgent)
	// The ID is a credential's hash: never put it in an error.
	return translate(err, "create session")
}

// FindSession returns a session by ID, expired or not (the caller checks).
func (db *DB) FindSession(ctx context.Context, id string) (*news.Session, error) {
	s, err := scanSession(db.pool.QueryRow(ctx, "SELECT "+sessionColumns+" FROM sessions WHERE id = $1", id))
	if err != nil {
		return nil, translate(err, "find session")
	}
	return s, nil
}

// TouchSession records that the session was seen at t.
func (db *DB) TouchSession(ctx context.Context, id string, t time.Time) error {
	err := affectOne(db.pool.Exec(ctx, "UPDATE sessions SET last_seen = $2 WHERE id = $1", id, t.UTC()))
	return translate(err, "touch session")
}

// DeleteSession signs a browser out. Deleting a session that is already
// gone is not an error: the outcome is the same.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	_, err := db.pool.Exec(ctx, "DELETE FROM sessions WHERE id = $1", id)
	return translate(err, "delete session")
}

// ListSessions returns a user's sessions, newest first.
func (db *DB) ListSessions(ctx context.Context, userID int64) ([]*news.Session, error) {
	rows, err := db.pool.Query(ctx, "SELECT "+sessionColumns+" FROM sessions WHERE user_id = $1 ORDER BY created_at DESC, id", userID)
	if err != nil {
		return nil, translate(err, "list sessions")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*news.Session, error) { return scanSession(r) })
	return list, translate(err, "list sessions")
}

// DeleteExpiredSessions removes sessions whose ExpiresAt <= t.
func (db *DB) DeleteExpiredSessions(ctx context.Context, t time.Time) error {
	_, err := db.pool.Exec(ctx, "DELETE FROM sessions WHERE expires_at <= $1", t.UTC())
	return translate(err, "delete expired sessions")
}

// AddAudit records a newsroom action.
func (db *DB) AddAudit(ctx context.Context, e *news.AuditEntry) error {
	if strings.TrimSpace(e.Action) == "" {
		return fmt.Errorf("add audit: %w", invalid("an audit entry needs an action"))
	}
	e.CreatedAt = db.createdAt(e.CreatedAt)
	err := db.pool.QueryRow(ctx, `INSERT INTO audit (user_id, action, article_id, detail, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, e.UserID, e.Action, e.ArticleID, e.Detail, e.CreatedAt).Scan(&e.ID)
	return translate(err, "add audit")
}

// ListAudit returns the latest entries, newest first.
func (db *DB) ListAudit(ctx context.Context, limit int) ([]*news.AuditEntry, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, user_id, action, article_id, detail, created_at FROM audit
		ORDER BY created_at DESC, id DESC LIMIT $1`, pageLimit(limit))
	if err != nil {
		return nil, translate(err, "list audit")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*news.AuditEntry, error) {
		var e news.AuditEntry
		err := r.Scan(&e.ID, &e.UserID, &e.Action, &e.ArticleID, &e.Detail, &e.CreatedAt)
		e.CreatedAt = e.CreatedAt.UTC()
		return &e, err
	})
	return list, translate(err, "list audit")
}
