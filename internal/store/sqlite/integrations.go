package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"masthead/internal/news"
)

// Integrations, their keys and the audit of their calls (migration 0070).
// None of it is shown to readers: the generation never moves.

// maxIntegrationName bounds a name as every other name is bounded.
const maxIntegrationName = 200

const integrationCols = `id, name, scopes, rate_limit, created_at, revoked_at`

func scanIntegration(s scanner) (*news.Integration, error) {
	var in news.Integration
	var scopes string
	var created, revoked sql.NullInt64
	if err := s.Scan(&in.ID, &in.Name, &scopes, &in.RateLimit, &created, &revoked); err != nil {
		return nil, err
	}
	in.Scopes = splitScopes(scopes)
	in.CreatedAt, in.RevokedAt = fromMicro(created), fromMicro(revoked)
	return &in, nil
}

func splitScopes(s string) []news.Scope {
	var out []news.Scope
	for _, p := range strings.Split(s, ",") {
		if p != "" {
			out = append(out, news.Scope(p))
		}
	}
	return out
}

const keyCols = `id, integration_id, kind, hash, hint, created_at, revoked_at, last_used_at`

func scanKey(s scanner, pre ...any) (*news.APIKey, error) {
	var k news.APIKey
	var kind string
	var created, revoked, used sql.NullInt64
	if err := s.Scan(append(pre, &k.ID, &k.IntegrationID, &kind, &k.Hash, &k.Hint, &created, &revoked, &used)...); err != nil {
		return nil, err
	}
	k.Kind = news.KeyKind(kind)
	k.CreatedAt, k.RevokedAt, k.LastUsedAt = fromMicro(created), fromMicro(revoked), fromMicro(used)
	return &k, nil
}

func validIntegration(in *news.Integration) error {
	if strings.TrimSpace(in.Name) == "" {
		return news.Errorf(news.EINVALID, "an integration needs a name")
	}
	if len([]rune(in.Name)) > maxIntegrationName {
		return news.Errorf(news.EINVALID, "the integration's name is longer than %d characters", maxIntegrationName)
	}
	if len(in.Scopes) == 0 {
		return news.Errorf(news.EINVALID, "an integration needs at least one scope")
	}
	for _, s := range in.Scopes {
		if !s.Valid() {
			return news.Errorf(news.EINVALID, "unknown scope %q", s)
		}
	}
	if in.RateLimit < 0 {
		return news.Errorf(news.EINVALID, "a rate limit cannot be negative")
	}
	return nil
}

func validKey(k *news.APIKey) error {
	if k.Kind != news.KeyContent && k.Kind != news.KeyAdmin {
		return news.Errorf(news.EINVALID, "unknown key kind %q", k.Kind)
	}
	if len(k.Hash) != 64 {
		return news.Errorf(news.EINVALID, "a key is stored as its hex SHA-256")
	}
	return nil
}

func insertKey(ctx context.Context, tx *sql.Tx, k *news.APIKey) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO api_keys (integration_id, kind, hash, hint, created_at) VALUES (?, ?, ?, ?, ?)`,
		k.IntegrationID, string(k.Kind), k.Hash, k.Hint, k.CreatedAt.UnixMicro())
	if err != nil {
		return err
	}
	k.ID, err = res.LastInsertId()
	return err
}

// CreateIntegration stores an integration with its first keys. Readers
// see nothing of it: no change is recorded.
func (t *txn) CreateIntegration(ctx context.Context, in *news.Integration, keys []*news.APIKey) error {
	if err := validIntegration(in); err != nil {
		return err
	}
	for _, k := range keys {
		if err := validKey(k); err != nil {
			return err
		}
	}
	if in.CreatedAt.IsZero() {
		in.CreatedAt = t.db.now()
	}
	err := func() error {
		res, err := t.tx.ExecContext(ctx, `INSERT INTO integrations (name, scopes, rate_limit, created_at) VALUES (?, ?, ?, ?)`,
			in.Name, news.JoinScopes(in.Scopes), in.RateLimit, in.CreatedAt.UnixMicro())
		if err != nil {
			return err
		}
		if in.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		for _, k := range keys {
			k.IntegrationID = in.ID
			if k.CreatedAt.IsZero() {
				k.CreatedAt = in.CreatedAt
			}
			if err := insertKey(ctx, t.tx, k); err != nil {
				return err
			}
		}
		return nil
	}()
	if err != nil {
		return fmt.Errorf("create integration: %w", translate(err))
	}
	in.Keys = keys
	return nil
}

// CreateIntegration is txn.CreateIntegration in a transaction of its own.
func (db *DB) CreateIntegration(ctx context.Context, in *news.Integration, keys []*news.APIKey) error {
	return db.apply(ctx, func(t *txn) error { return t.CreateIntegration(ctx, in, keys) })
}

// FindIntegrationByID returns an integration with its keys.
func (db *DB) FindIntegrationByID(ctx context.Context, id int64) (*news.Integration, error) {
	in, err := scanIntegration(db.read.QueryRowContext(ctx, `SELECT `+integrationCols+` FROM integrations WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("find integration %d: %w", id, translate(err))
	}
	if err := db.fillKeys(ctx, []*news.Integration{in}); err != nil {
		return nil, fmt.Errorf("find integration %d: %w", id, err)
	}
	return in, nil
}

// ListIntegrations returns every integration by name.
func (db *DB) ListIntegrations(ctx context.Context) ([]*news.Integration, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+integrationCols+` FROM integrations ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("list integrations: %w", err)
	}
	defer rows.Close()
	var out []*news.Integration
	for rows.Next() {
		in, err := scanIntegration(rows)
		if err != nil {
			return nil, fmt.Errorf("list integrations: %w", err)
		}
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list integrations: %w", err)
	}
	if err := db.fillKeys(ctx, out); err != nil {
		return nil, fmt.Errorf("list integrations: %w", err)
	}
	return out, nil
}

func (db *DB) fillKeys(ctx context.Context, ins []*news.Integration) error {
	if len(ins) == 0 {
		return nil
	}
	byID := map[int64]*news.Integration{}
	ids := make([]int64, len(ins))
	for i, in := range ins {
		byID[in.ID], ids[i] = in, in.ID
		in.Keys = nil
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+keyCols+` FROM api_keys WHERE integration_id `+inIDs+` ORDER BY created_at DESC, id DESC`, jsonIDs(ids))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return err
		}
		byID[k.IntegrationID].Keys = append(byID[k.IntegrationID].Keys, k)
	}
	return rows.Err()
}

// UpdateIntegration changes name, scopes and rate limit.
func (db *DB) UpdateIntegration(ctx context.Context, in *news.Integration) error {
	if err := validIntegration(in); err != nil {
		return err
	}
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		return updateOne(ctx, tx, "integration", in.ID, `UPDATE integrations SET name = ?, scopes = ?, rate_limit = ? WHERE id = ?`,
			in.Name, news.JoinScopes(in.Scopes), in.RateLimit, in.ID)
	})
	if err != nil {
		return fmt.Errorf("update integration %d: %w", in.ID, err)
	}
	return nil
}

// RevokeIntegration switches an integration and its keys off.
func (t *txn) RevokeIntegration(ctx context.Context, id int64, at time.Time) error {
	err := func() error {
		if err := updateOne(ctx, t.tx, "integration", id, `UPDATE integrations SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`, at.UnixMicro(), id); err != nil {
			return err
		}
		_, err := t.tx.ExecContext(ctx, `UPDATE api_keys SET revoked_at = ? WHERE integration_id = ? AND revoked_at IS NULL`, at.UnixMicro(), id)
		return err
	}()
	if err != nil {
		return fmt.Errorf("revoke integration %d: %w", id, translate(err))
	}
	return nil
}

// RevokeIntegration is txn.RevokeIntegration in a transaction of its own.
func (db *DB) RevokeIntegration(ctx context.Context, id int64, at time.Time) error {
	return db.apply(ctx, func(t *txn) error { return t.RevokeIntegration(ctx, id, at) })
}

// AddAPIKey adds a key, revoking the others of its kind when replace is set.
func (t *txn) AddAPIKey(ctx context.Context, k *news.APIKey, replace bool) error {
	if err := validKey(k); err != nil {
		return err
	}
	if k.CreatedAt.IsZero() {
		k.CreatedAt = t.db.now()
	}
	err := func() error {
		var revoked sql.NullInt64
		if err := t.tx.QueryRowContext(ctx, `SELECT revoked_at FROM integrations WHERE id = ?`, k.IntegrationID).Scan(&revoked); err != nil {
			return translate(err)
		}
		if revoked.Valid {
			return news.Errorf(news.EINVALID, "the integration is revoked: it can have no new keys")
		}
		if replace {
			if _, err := t.tx.ExecContext(ctx, `UPDATE api_keys SET revoked_at = ? WHERE integration_id = ? AND kind = ? AND revoked_at IS NULL`,
				k.CreatedAt.UnixMicro(), k.IntegrationID, string(k.Kind)); err != nil {
				return err
			}
		}
		return insertKey(ctx, t.tx, k)
	}()
	if err != nil {
		return fmt.Errorf("add key to integration %d: %w", k.IntegrationID, translate(err))
	}
	return nil
}

// AddAPIKey is txn.AddAPIKey in a transaction of its own.
func (db *DB) AddAPIKey(ctx context.Context, k *news.APIKey, replace bool) error {
	return db.apply(ctx, func(t *txn) error { return t.AddAPIKey(ctx, k, replace) })
}

// RevokeAPIKey switches one key off.
func (t *txn) RevokeAPIKey(ctx context.Context, id int64, at time.Time) error {
	if err := updateOne(ctx, t.tx, "key", id, `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`, at.UnixMicro(), id); err != nil {
		return fmt.Errorf("revoke key %d: %w", id, translate(err))
	}
	return nil
}

// RevokeAPIKey is txn.RevokeAPIKey in a transaction of its own.
func (db *DB) RevokeAPIKey(ctx context.Context, id int64, at time.Time) error {
	return db.apply(ctx, func(t *txn) error { return t.RevokeAPIKey(ctx, id, at) })
}

// FindAPIKey finds a key by its hash, with its integration: one indexed
// look-up per API request.
func (db *DB) FindAPIKey(ctx context.Context, hash string) (*news.APIKey, *news.Integration, error) {
	var in news.Integration
	var scopes string
	var created, revoked sql.NullInt64
	k, err := scanKey(db.stmts.queryRow(ctx, `SELECT i.id, i.name, i.scopes, i.rate_limit, i.created_at, i.revoked_at, k.`+
		strings.ReplaceAll(keyCols, ", ", ", k.")+` FROM api_keys k JOIN integrations i ON i.id = k.integration_id WHERE k.hash = ?`, hash),
		&in.ID, &in.Name, &scopes, &in.RateLimit, &created, &revoked)
	if err != nil {
		return nil, nil, fmt.Errorf("find key: %w", translate(err))
	}
	in.Scopes = splitScopes(scopes)
	in.CreatedAt, in.RevokedAt = fromMicro(created), fromMicro(revoked)
	return k, &in, nil
}

// RecordKeyUse moves last-use times forward and adds the hour's counts.
func (db *DB) RecordKeyUse(ctx context.Context, uses []news.KeyUse) error {
	if len(uses) == 0 {
		return nil
	}
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		for _, u := range uses {
			at := u.At.UnixMicro()
			if _, err := tx.ExecContext(ctx, `UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
				at, u.KeyID, at); err != nil {
				return err
			}
			if u.Calls <= 0 {
				continue
			}
			hour := u.At.UTC().Truncate(time.Hour).UnixMicro()
			if _, err := tx.ExecContext(ctx, `INSERT INTO integration_calls (integration_id, name, key_id, method, route, status, calls, created_at, hour)
				VALUES (?, ?, ?, 'GET', 'content api', 200, ?, ?, ?)
				ON CONFLICT (key_id, hour) WHERE hour IS NOT NULL DO UPDATE SET calls = calls + excluded.calls, created_at = max(created_at, excluded.created_at)`,
				u.IntegrationID, u.Name, u.KeyID, u.Calls, at, hour); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record key use: %w", err)
	}
	return nil
}

// AddIntegrationCall appends an audited call.
func (db *DB) AddIntegrationCall(ctx context.Context, c *news.IntegrationCall) error {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = db.now()
	}
	if c.Calls == 0 {
		c.Calls = 1
	}
	err := db.tx(ctx, false, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO integration_calls (integration_id, name, key_id, method, route, status, article_id, detail, calls, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.IntegrationID, c.Name, c.KeyID, c.Method, c.Route, c.Status, c.ArticleID, c.Detail,
			c.Calls, c.CreatedAt.UnixMicro())
		if err != nil {
			return err
		}
		c.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return fmt.Errorf("add integration call: %w", err)
	}
	return nil
}

// ListIntegrationCalls returns the latest audited calls, newest first.
func (db *DB) ListIntegrationCalls(ctx context.Context, integrationID int64, limit int) ([]*news.IntegrationCall, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	q := `SELECT id, integration_id, name, key_id, method, route, status, article_id, detail, calls, created_at FROM integration_calls`
	args := []any{}
	if integrationID != 0 {
		q += ` WHERE integration_id = ?`
		args = append(args, integrationID)
	}
	rows, err := db.read.QueryContext(ctx, q+` ORDER BY created_at DESC, id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("list integration calls: %w", err)
	}
	defer rows.Close()
	var out []*news.IntegrationCall
	for rows.Next() {
		var c news.IntegrationCall
		var created sql.NullInt64
		if err := rows.Scan(&c.ID, &c.IntegrationID, &c.Name, &c.KeyID, &c.Method, &c.Route, &c.Status, &c.ArticleID, &c.Detail, &c.Calls, &created); err != nil {
			return nil, fmt.Errorf("list integration calls: %w", err)
		}
		c.CreatedAt = fromMicro(created)
		out = append(out, &c)
	}
	return out, rows.Err()
}
