package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"masthead/internal/news"
)

// Users

const userCols = `id, email, name, role, password_hash, author_id, disabled, created_at`

func scanUser(s scanner) (*news.User, error) {
	var u news.User
	var role string
	var author, created sql.NullInt64
	if err := s.Scan(&u.ID, &u.Email, &u.Name, &role, &u.PasswordHash, &author, &u.Disabled, &created); err != nil {
		return nil, err
	}
	u.Role, u.AuthorID, u.CreatedAt = news.Role(role), author.Int64, fromMicro(created)
	return &u, nil
}

// emailKey is what makes e-mails unique: Unicode lower case.
func emailKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

func validUser(u *news.User) error {
	if !strings.Contains(u.Email, "@") {
		return news.Errorf(news.EINVALID, "an account needs an e-mail address")
	}
	if !u.Role.Valid() {
		return news.Errorf(news.EINVALID, "unknown role %q", u.Role)
	}
	return nil
}

// CreateUser adds a newsroom account. Accounts are not shown to readers,
// so the generation does not move.
func (db *DB) CreateUser(ctx context.Context, u *news.User) error {
	if err := validUser(u); err != nil {
		return err
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = db.now()
	}
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO users (email, email_key, name, role, password_hash, author_id, disabled, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, u.Email, emailKey(u.Email), u.Name, string(u.Role), u.PasswordHash,
			nullID(u.AuthorID), u.Disabled, u.CreatedAt.UnixMicro())
		if err != nil {
			return err
		}
		u.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	return nil
}

// UpdateUser changes an account.
func (db *DB) UpdateUser(ctx context.Context, u *news.User) error {
	if err := validUser(u); err != nil {
		return err
	}
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, "user", u.ID, `UPDATE users SET email = ?, email_key = ?, name = ?, role = ?, password_hash = ?,
			author_id = ?, disabled = ? WHERE id = ?`, u.Email, emailKey(u.Email), u.Name, string(u.Role), u.PasswordHash,
			nullID(u.AuthorID), u.Disabled, u.ID)
	})
	if err != nil {
		return fmt.Errorf("update user %d: %w", u.ID, err)
	}
	return nil
}

// FindUserByID returns an account.
func (db *DB) FindUserByID(ctx context.Context, id int64) (*news.User, error) {
	u, err := scanUser(db.stmts.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("find user %d: %w", id, translate(err))
	}
	return u, nil
}

// FindUserByEmail returns an account, ignoring the e-mail's case.
func (db *DB) FindUserByEmail(ctx context.Context, email string) (*news.User, error) {
	u, err := scanUser(db.stmts.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE email_key = ?`, emailKey(email)))
	if err != nil {
		// The address is not repeated: it may be what someone typed at sign-in.
		return nil, fmt.Errorf("find user by e-mail: %w", translate(err))
	}
	return u, nil
}

// ListUsers returns every account.
func (db *DB) ListUsers(ctx context.Context) ([]*news.User, error) {
	rows, err := db.stmts.query(ctx, `SELECT `+userCols+` FROM users ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []*news.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// Sessions

const sessionCols = `id, user_id, csrf_token, created_at, expires_at, last_seen, user_agent`

func scanSession(s scanner) (*news.Session, error) {
	var ss news.Session
	var created, expires, seen sql.NullInt64
	if err := s.Scan(&ss.ID, &ss.UserID, &ss.CSRFToken, &created, &expires, &seen, &ss.UserAgent); err != nil {
		return nil, err
	}
	ss.CreatedAt, ss.ExpiresAt, ss.LastSeen = fromMicro(created), fromMicro(expires), fromMicro(seen)
	return &ss, nil
}

// CreateSession records a signed-in browser.
func (db *DB) CreateSession(ctx context.Context, s *news.Session) error {
	if s.ID == "" {
		return news.Errorf(news.EINVALID, "a session needs an id")
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = db.now()
	}
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at, last_seen, user_agent)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, s.ID, s.UserID, s.CSRFToken, s.CreatedAt.UnixMicro(), tvNotNull(s.ExpiresAt), tv(s.LastSeen), s.UserAgent)
		return err
	})
	if err != nil {
		// Never the id: it is a credential's hash.
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// FindSession returns a session by id, expired or not (the caller checks).
func (db *DB) FindSession(ctx context.Context, id string) (*news.Session, error) {
	s, err := scanSession(db.stmts.queryRow(ctx, `SELECT `+sessionCols+` FROM sessions WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("find session: %w", translate(err))
	}
	return s, nil
}

// TouchSession records that the session was used at t.
func (db *DB) TouchSession(ctx context.Context, id string, t time.Time) error {
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen = ? WHERE id = ?`, t.UnixMicro(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return news.Errorf(news.ENOTFOUND, "session not found")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// DeleteSession signs a browser out. Deleting a missing session is not an
// error: the outcome is the same.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// ListSessions returns a user's sessions, newest first.
func (db *DB) ListSessions(ctx context.Context, userID int64) ([]*news.Session, error) {
	rows, err := db.stmts.query(ctx, `SELECT `+sessionCols+` FROM sessions WHERE user_id = ? ORDER BY created_at DESC, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	defer rows.Close()
	var out []*news.Session
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, fmt.Errorf("list sessions: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// DeleteExpiredSessions removes sessions with ExpiresAt <= t.
func (db *DB) DeleteExpiredSessions(ctx context.Context, t time.Time) error {
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, t.UnixMicro())
		return err
	})
	if err != nil {
		return fmt.Errorf("delete expired sessions: %w", err)
	}
	return nil
}

// Audit

// AddAudit records who did what.
func (db *DB) AddAudit(ctx context.Context, e *news.AuditEntry) error {
	if e.CreatedAt.IsZero() {
		e.CreatedAt = db.now()
	}
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO audit (user_id, action, article_id, detail, created_at) VALUES (?, ?, ?, ?, ?)`,
			e.UserID, e.Action, e.ArticleID, e.Detail, e.CreatedAt.UnixMicro())
		if err != nil {
			return err
		}
		e.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return fmt.Errorf("add audit %q: %w", e.Action, err)
	}
	return nil
}

// ListAudit returns the latest entries, newest first.
func (db *DB) ListAudit(ctx context.Context, limit int) ([]*news.AuditEntry, error) {
	limit, _ = pageBounds(limit, 0)
	rows, err := db.stmts.query(ctx, `SELECT id, user_id, action, article_id, detail, created_at FROM audit
		ORDER BY created_at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	defer rows.Close()
	var out []*news.AuditEntry
	for rows.Next() {
		var e news.AuditEntry
		var created sql.NullInt64
		if err := rows.Scan(&e.ID, &e.UserID, &e.Action, &e.ArticleID, &e.Detail, &created); err != nil {
			return nil, fmt.Errorf("list audit: %w", err)
		}
		e.CreatedAt = fromMicro(created)
		out = append(out, &e)
	}
	return out, rows.Err()
}

// Settings

// GetSetting returns a setting or ErrNotFound.
func (db *DB) GetSetting(ctx context.Context, key string) (string, error) {
	var v string
	if err := db.stmts.queryRow(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v); err != nil {
		return "", fmt.Errorf("get setting %q: %w", key, translate(err))
	}
	return v, nil
}

// PutSetting writes a setting. Settings shape pages (the paper's name), so
// the generation moves.
func (db *DB) PutSetting(ctx context.Context, key, value string) error {
	err := db.tx(ctx, true, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
		return err
	})
	if err != nil {
		return fmt.Errorf("put setting %q: %w", key, err)
	}
	return nil
}
