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

const userCols = `id, email, name, role, password_hash, author_id, disabled, created_at, version, updated_by, updated_at`

func scanUser(s scanner) (*news.User, error) {
	var u news.User
	var role string
	var author, created, updated sql.NullInt64
	if err := s.Scan(&u.ID, &u.Email, &u.Name, &role, &u.PasswordHash, &author, &u.Disabled, &created, &u.Version, &u.UpdatedBy, &updated); err != nil {
		return nil, err
	}
	u.Role, u.AuthorID, u.CreatedAt, u.UpdatedAt = news.Role(role), author.Int64, fromMicro(created), fromMicro(updated)
	return &u, nil
}

// emailKey is what makes e-mails unique: Unicode lower case.
func emailKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// CreateUser adds a newsroom account. Accounts are not shown to readers.
func (t *txn) CreateUser(ctx context.Context, u *news.User) error {
	if err := news.ValidateUser(u); err != nil {
		return err
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = t.db.now()
	}
	if u.UpdatedAt.IsZero() {
		u.UpdatedAt = u.CreatedAt
	}
	res, err := t.tx.ExecContext(ctx, `INSERT INTO users (email, email_key, name, role, password_hash, author_id, disabled, created_at,
		version, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`, u.Email, emailKey(u.Email), u.Name, string(u.Role), u.PasswordHash,
		nullID(u.AuthorID), u.Disabled, u.CreatedAt.UnixMicro(), u.UpdatedBy, u.UpdatedAt.UnixMicro())
	if err == nil {
		u.ID, err = res.LastInsertId()
	}
	if err != nil {
		return fmt.Errorf("create user: %w", translate(err))
	}
	u.Version = 1
	return nil
}

// UpdateUser writes the fields upd sets, and only those: one UPDATE of
// those columns, so a concurrent change to other columns stays.
func (t *txn) UpdateUser(ctx context.Context, id int64, upd news.UserUpdate) (*news.User, error) {
	cur, err := t.FindUserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if upd.Version != 0 {
		if err := news.CheckVersion("user", id, upd.Version, cur.Version, cur.UpdatedBy, cur.UpdatedAt); err != nil {
			return nil, err
		}
	}
	next := upd.Apply(*cur)
	if err := news.ValidateUser(&next); err != nil {
		return nil, err
	}
	var sets []string
	var args []any
	set := func(col string, v any) { sets = append(sets, col+" = ?"); args = append(args, v) }
	if upd.Email != nil {
		set("email", next.Email)
		set("email_key", emailKey(next.Email))
	}
	if upd.Name != nil {
		set("name", next.Name)
	}
	if upd.Role != nil {
		set("role", string(next.Role))
	}
	if upd.AuthorID != nil {
		set("author_id", nullID(next.AuthorID))
	}
	if upd.Disabled != nil {
		set("disabled", next.Disabled)
	}
	if upd.PasswordHash != nil {
		set("password_hash", next.PasswordHash)
	}
	if len(sets) == 0 {
		return cur, nil
	}
	now := t.db.now()
	if upd.Profile() {
		sets = append(sets, "version = version + 1")
		set("updated_by", upd.By)
		set("updated_at", now.UnixMicro())
	}
	query := `UPDATE users SET ` + strings.Join(sets, ", ") + ` WHERE id = ?`
	args = append(args, id)
	if upd.Version != 0 {
		query += ` AND version = ?`
		args = append(args, upd.Version)
	}
	res, err := t.tx.ExecContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("update user %d: %w", id, translate(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, news.Stale("user", id, upd.Version, cur.Version)
	}
	if upd.Profile() {
		next.Version++
		next.UpdatedBy, next.UpdatedAt = upd.By, now.Truncate(time.Microsecond)
	}
	return &next, nil
}

// CreateUser is txn.CreateUser in a transaction of its own.
func (db *DB) CreateUser(ctx context.Context, u *news.User) error {
	return db.apply(ctx, func(t *txn) error { return t.CreateUser(ctx, u) })
}

// UpdateUser is txn.UpdateUser in a transaction of its own.
func (db *DB) UpdateUser(ctx context.Context, id int64, upd news.UserUpdate) (u *news.User, err error) {
	err = db.apply(ctx, func(t *txn) error { u, err = t.UpdateUser(ctx, id, upd); return err })
	return u, err
}

// FindUserByID returns an account.
func (db reader) FindUserByID(ctx context.Context, id int64) (*news.User, error) {
	u, err := scanUser(db.one.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("find user %d: %w", id, translate(err))
	}
	return u, nil
}

// FindUserByEmail returns an account, ignoring the e-mail's case.
func (db reader) FindUserByEmail(ctx context.Context, email string) (*news.User, error) {
	u, err := scanUser(db.one.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE email_key = ?`, emailKey(email)))
	if err != nil {
		// The address is not repeated: it may be what someone typed at sign-in.
		return nil, fmt.Errorf("find user by e-mail: %w", translate(err))
	}
	return u, nil
}

// ListUsers returns every account.
func (db reader) ListUsers(ctx context.Context) ([]*news.User, error) {
	rows, err := db.one.QueryContext(ctx, `SELECT `+userCols+` FROM users ORDER BY name, id`)
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
func (t *txn) AddAudit(ctx context.Context, e *news.AuditEntry) error {
	if err := news.ValidateAudit(e); err != nil {
		return err
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = t.db.now()
	}
	res, err := t.tx.ExecContext(ctx, `INSERT INTO audit (user_id, action, article_id, detail, created_at) VALUES (?, ?, ?, ?, ?)`,
		e.UserID, e.Action, e.ArticleID, e.Detail, e.CreatedAt.UnixMicro())
	if err == nil {
		e.ID, err = res.LastInsertId()
	}
	if err != nil {
		return fmt.Errorf("add audit %q: %w", e.Action, translate(err))
	}
	return nil
}

// AddAudit is txn.AddAudit in a transaction of its own.
func (db *DB) AddAudit(ctx context.Context, e *news.AuditEntry) error {
	return db.apply(ctx, func(t *txn) error { return t.AddAudit(ctx, e) })
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
func (db reader) GetSetting(ctx context.Context, key string) (string, error) {
	var v string
	if err := db.one.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v); err != nil {
		return "", fmt.Errorf("get setting %q: %w", key, translate(err))
	}
	return v, nil
}

// FindSetting returns a setting with its version.
func (db reader) FindSetting(ctx context.Context, key string) (*news.Setting, error) {
	s := news.Setting{Key: key}
	var updated sql.NullInt64
	err := db.one.QueryRowContext(ctx, `SELECT value, version, updated_by, updated_at FROM settings WHERE key = ?`, key).
		Scan(&s.Value, &s.Version, &s.UpdatedBy, &updated)
	if err != nil {
		return nil, fmt.Errorf("find setting %q: %w", key, translate(err))
	}
	s.UpdatedAt = fromMicro(updated)
	return &s, nil
}

// PutSetting writes a setting unguarded.
func (t *txn) PutSetting(ctx context.Context, key, value string) error {
	if err := news.ValidateSetting(key, value); err != nil {
		return err
	}
	_, err := t.tx.ExecContext(ctx, `INSERT INTO settings (key, value, version, updated_by, updated_at) VALUES (?, ?, 1, 0, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = settings.version + 1, updated_at = excluded.updated_at`,
		key, value, t.db.now().UnixMicro())
	if err != nil {
		return fmt.Errorf("put setting %q: %w", key, translate(err))
	}
	return nil
}

// UpdateSetting writes s against s.Version (0: new key).
func (t *txn) UpdateSetting(ctx context.Context, s *news.Setting) error {
	if err := news.ValidateSetting(s.Key, s.Value); err != nil {
		return err
	}
	now := t.db.now()
	var res sql.Result
	var err error
	if s.Version == 0 {
		res, err = t.tx.ExecContext(ctx, `INSERT INTO settings (key, value, version, updated_by, updated_at) VALUES (?, ?, 1, ?, ?)
			ON CONFLICT (key) DO NOTHING`, s.Key, s.Value, s.UpdatedBy, now.UnixMicro())
	} else {
		res, err = t.tx.ExecContext(ctx, `UPDATE settings SET value = ?, version = version + 1, updated_by = ?, updated_at = ?
			WHERE key = ? AND version = ?`, s.Value, s.UpdatedBy, now.UnixMicro(), s.Key, s.Version)
	}
	if err != nil {
		return fmt.Errorf("update setting %q: %w", s.Key, translate(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		c := &news.ConflictError{Kind: "setting", Key: s.Key, Base: s.Version}
		if cur, err := t.FindSetting(ctx, s.Key); err == nil {
			c.Current, c.By, c.At = cur.Version, []int64{cur.UpdatedBy}, cur.UpdatedAt
		}
		return c
	}
	s.Version++
	s.UpdatedAt = now.Truncate(time.Microsecond)
	return nil
}

// PutSetting is txn.PutSetting in a transaction of its own.
func (db *DB) PutSetting(ctx context.Context, key, value string) error {
	return db.apply(ctx, func(t *txn) error { return t.PutSetting(ctx, key, value) })
}

// UpdateSetting is txn.UpdateSetting in a transaction of its own.
func (db *DB) UpdateSetting(ctx context.Context, s *news.Setting) error {
	return db.apply(ctx, func(t *txn) error { return t.UpdateSetting(ctx, s) })
}
