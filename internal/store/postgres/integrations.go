package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"masthead/internal/news"
)

// Integrations, their keys and the audit of their calls (migration 0070).
// None of it is shown to readers: the generation never moves.

const maxIntegrationName = 200

const integrationCols = `i.id, i.name, i.scopes, i.rate_limit, i.created_at, i.revoked_at`

func scanIntegration(row pgx.Row, extra ...any) (*news.Integration, error) {
	var in news.Integration
	var scopes string
	var revoked *time.Time
	if err := row.Scan(append([]any{&in.ID, &in.Name, &scopes, &in.RateLimit, &in.CreatedAt, &revoked}, extra...)...); err != nil {
		return nil, err
	}
	in.Scopes = splitScopes(scopes)
	in.CreatedAt, in.RevokedAt = in.CreatedAt.UTC(), fromNull(revoked)
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

const keyCols = `k.id, k.integration_id, k.kind, k.hash, k.hint, k.created_at, k.revoked_at, k.last_used_at`

type keyScan struct {
	k                *news.APIKey
	kind             string
	revoked, lastUse *time.Time
}

func newKeyScan() *keyScan { return &keyScan{k: &news.APIKey{}} }

func (s *keyScan) dest() []any {
	return []any{&s.k.ID, &s.k.IntegrationID, &s.kind, &s.k.Hash, &s.k.Hint, &s.k.CreatedAt, &s.revoked, &s.lastUse}
}

func (s *keyScan) key() *news.APIKey {
	s.k.Kind = news.KeyKind(s.kind)
	s.k.CreatedAt, s.k.RevokedAt, s.k.LastUsedAt = s.k.CreatedAt.UTC(), fromNull(s.revoked), fromNull(s.lastUse)
	return s.k
}

func validIntegration(in *news.Integration) error {
	if strings.TrimSpace(in.Name) == "" {
		return invalid("an integration needs a name")
	}
	if len([]rune(in.Name)) > maxIntegrationName {
		return invalid("the integration's name is longer than %d characters", maxIntegrationName)
	}
	if len(in.Scopes) == 0 {
		return invalid("an integration needs at least one scope")
	}
	for _, s := range in.Scopes {
		if !s.Valid() {
			return invalid("unknown scope %q", s)
		}
	}
	if in.RateLimit < 0 {
		return invalid("a rate limit cannot be negative")
	}
	return nil
}

func validKey(k *news.APIKey) error {
	if k.Kind != news.KeyContent && k.Kind != news.KeyAdmin {
		return invalid("unknown key kind %q", k.Kind)
	}
	if len(k.Hash) != 64 {
		return invalid("a key is stored as its hex SHA-256")
	}
	return nil
}

func insertKey(ctx context.Context, tx pgx.Tx, k *news.APIKey) error {
	k.CreatedAt = normTime(k.CreatedAt)
	return tx.QueryRow(ctx, `INSERT INTO api_keys (integration_id, kind, hash, hint, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		k.IntegrationID, string(k.Kind), k.Hash, k.Hint, k.CreatedAt).Scan(&k.ID)
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
	in.CreatedAt = t.db.createdAt(in.CreatedAt)
	tx := t.tx
	err := func() error {
		if err := tx.QueryRow(ctx, `INSERT INTO integrations (name, scopes, rate_limit, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			in.Name, news.JoinScopes(in.Scopes), in.RateLimit, in.CreatedAt).Scan(&in.ID); err != nil {
			return err
		}
		for _, k := range keys {
			k.IntegrationID = in.ID
			if k.CreatedAt.IsZero() {
				k.CreatedAt = in.CreatedAt
			}
			if err := insertKey(ctx, tx, k); err != nil {
				return err
			}
		}
		return nil
	}()
	if err != nil {
		return translate(err, "create integration")
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
	in, err := scanIntegration(db.pool.QueryRow(ctx, `SELECT `+integrationCols+` FROM integrations i WHERE i.id = $1`, id))
	if err != nil {
		return nil, translate(err, fmt.Sprintf("find integration %d", id))
	}
	if err := db.fillKeys(ctx, []*news.Integration{in}); err != nil {
		return nil, translate(err, fmt.Sprintf("find integration %d", id))
	}
	return in, nil
}

// ListIntegrations returns every integration by name.
func (db *DB) ListIntegrations(ctx context.Context) ([]*news.Integration, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+integrationCols+` FROM integrations i ORDER BY i.name, i.id`)
	if err != nil {
		return nil, translate(err, "list integrations")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*news.Integration, error) { return scanIntegration(r) })
	if err != nil {
		return nil, translate(err, "list integrations")
	}
	if err := db.fillKeys(ctx, out); err != nil {
		return nil, translate(err, "list integrations")
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
	rows, err := db.pool.Query(ctx, `SELECT `+keyCols+` FROM api_keys k WHERE k.integration_id = ANY($1) ORDER BY k.created_at DESC, k.id DESC`, ids)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		s := newKeyScan()
		if err := rows.Scan(s.dest()...); err != nil {
			return err
		}
		k := s.key()
		byID[k.IntegrationID].Keys = append(byID[k.IntegrationID].Keys, k)
	}
	return rows.Err()
}

// execOne runs a statement that must change one row.
func execOne(ctx context.Context, tx pgx.Tx, what string, sql string, args ...any) error {
	tag, err := tx.Exec(ctx, sql, args...)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return notFound("%s not found", what)
	}
	return nil
}

// UpdateIntegration changes name, scopes and rate limit.
func (db *DB) UpdateIntegration(ctx context.Context, in *news.Integration) error {
	if err := validIntegration(in); err != nil {
		return err
	}
	err := db.write(ctx, false, func(tx pgx.Tx) error {
		return execOne(ctx, tx, fmt.Sprintf("integration %d", in.ID), `UPDATE integrations SET name = $1, scopes = $2, rate_limit = $3 WHERE id = $4`,
			in.Name, news.JoinScopes(in.Scopes), in.RateLimit, in.ID)
	})
	return translate(err, fmt.Sprintf("update integration %d", in.ID))
}

// RevokeIntegration switches an integration and its keys off.
func (t *txn) RevokeIntegration(ctx context.Context, id int64, at time.Time) error {
	tx := t.tx
	err := func() error {
		if err := execOne(ctx, tx, fmt.Sprintf("integration %d", id), `UPDATE integrations SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2`, utc(at), id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE api_keys SET revoked_at = $1 WHERE integration_id = $2 AND revoked_at IS NULL`, utc(at), id)
		return err
	}()
	return translate(err, fmt.Sprintf("revoke integration %d", id))
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
	k.CreatedAt = t.db.createdAt(k.CreatedAt)
	tx := t.tx
	err := func() error {
		var revoked *time.Time
		// FOR UPDATE: a revocation of the integration waits for us, or we
		// for it, and never leaves a new key on a revoked integration.
		if err := tx.QueryRow(ctx, `SELECT revoked_at FROM integrations WHERE id = $1 FOR UPDATE`, k.IntegrationID).Scan(&revoked); err != nil {
			return err
		}
		if revoked != nil {
			return invalid("the integration is revoked: it can have no new keys")
		}
		if replace {
			if _, err := tx.Exec(ctx, `UPDATE api_keys SET revoked_at = $1 WHERE integration_id = $2 AND kind = $3 AND revoked_at IS NULL`,
				k.CreatedAt, k.IntegrationID, string(k.Kind)); err != nil {
				return err
			}
		}
		return insertKey(ctx, tx, k)
	}()
	return translate(err, fmt.Sprintf("add key to integration %d", k.IntegrationID))
}

// AddAPIKey is txn.AddAPIKey in a transaction of its own.
func (db *DB) AddAPIKey(ctx context.Context, k *news.APIKey, replace bool) error {
	return db.apply(ctx, func(t *txn) error { return t.AddAPIKey(ctx, k, replace) })
}

// RevokeAPIKey switches one key off.
func (t *txn) RevokeAPIKey(ctx context.Context, id int64, at time.Time) error {
	err := execOne(ctx, t.tx, fmt.Sprintf("key %d", id), `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2`, utc(at), id)
	return translate(err, fmt.Sprintf("revoke key %d", id))
}

// RevokeAPIKey is txn.RevokeAPIKey in a transaction of its own.
func (db *DB) RevokeAPIKey(ctx context.Context, id int64, at time.Time) error {
	return db.apply(ctx, func(t *txn) error { return t.RevokeAPIKey(ctx, id, at) })
}

// FindAPIKey finds a key by its hash, with its integration.
func (db *DB) FindAPIKey(ctx context.Context, hash string) (*news.APIKey, *news.Integration, error) {
	s := newKeyScan()
	in, err := scanIntegration(db.pool.QueryRow(ctx, `SELECT `+integrationCols+`, `+keyCols+`
		FROM api_keys k JOIN integrations i ON i.id = k.integration_id WHERE k.hash = $1`, hash), s.dest()...)
	if err != nil {
		return nil, nil, translate(err, "find key")
	}
	return s.key(), in, nil
}

// RecordKeyUse moves last-use times forward and adds the hour's counts.
func (db *DB) RecordKeyUse(ctx context.Context, uses []news.KeyUse) error {
	if len(uses) == 0 {
		return nil
	}
	err := db.write(ctx, false, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, u := range uses {
			at := utc(u.At)
			b.Queue(`UPDATE api_keys SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $1)`, at, u.KeyID)
			if u.Calls > 0 {
				b.Queue(`INSERT INTO integration_calls (integration_id, name, key_id, method, route, status, calls, created_at, hour)
					VALUES ($1, $2, $3, 'GET', 'content api', 200, $4, $5, $6)
					ON CONFLICT (key_id, hour) WHERE hour IS NOT NULL
					DO UPDATE SET calls = integration_calls.calls + excluded.calls, created_at = greatest(integration_calls.created_at, excluded.created_at)`,
					u.IntegrationID, u.Name, u.KeyID, u.Calls, at, utc(u.At.UTC().Truncate(time.Hour)))
			}
		}
		return tx.SendBatch(ctx, b).Close()
	})
	return translate(err, "record key use")
}

// AddIntegrationCall appends an audited call.
func (db *DB) AddIntegrationCall(ctx context.Context, c *news.IntegrationCall) error {
	c.CreatedAt = db.createdAt(c.CreatedAt)
	if c.Calls == 0 {
		c.Calls = 1
	}
	err := db.pool.QueryRow(ctx, `INSERT INTO integration_calls (integration_id, name, key_id, method, route, status, article_id, detail, calls, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`, c.IntegrationID, c.Name, c.KeyID, c.Method, c.Route, c.Status,
		c.ArticleID, c.Detail, c.Calls, c.CreatedAt).Scan(&c.ID)
	return translate(err, "add integration call")
}

// ListIntegrationCalls returns the latest audited calls, newest first.
func (db *DB) ListIntegrationCalls(ctx context.Context, integrationID int64, limit int) ([]*news.IntegrationCall, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	q := `SELECT id, integration_id, name, key_id, method, route, status, article_id, detail, calls, created_at FROM integration_calls`
	args := []any{limit}
	if integrationID != 0 {
		q += ` WHERE integration_id = $2`
		args = append(args, integrationID)
	}
	rows, err := db.pool.Query(ctx, q+` ORDER BY created_at DESC, id DESC LIMIT $1`, args...)
	if err != nil {
		return nil, translate(err, "list integration calls")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*news.IntegrationCall, error) {
		var c news.IntegrationCall
		err := r.Scan(&c.ID, &c.IntegrationID, &c.Name, &c.KeyID, &c.Method, &c.Route, &c.Status, &c.ArticleID, &c.Detail, &c.Calls, &c.CreatedAt)
		c.CreatedAt = c.CreatedAt.UTC()
		return &c, err
	})
	return out, translate(err, "list integration calls")
}
