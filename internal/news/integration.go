package news

import (
	"context"
	"slices"
	"strings"
	"time"
)

// An Integration is another program the paper lets in: a wire desk, a mobile
// app, an automation, a Ghost front end. It has a name (what the audit log
// calls it), scopes (what its keys may do) and keys. Keys are shown once,
// when made; the store keeps only their SHA-256.
type Integration struct {
	ID     int64
	Name   string
	Scopes []Scope
	// RateLimit is the requests per minute each of its keys may make on
	// one node (0: the default, DefaultRateLimit).
	RateLimit int
	CreatedAt time.Time
	// RevokedAt, when set, switches every key of the integration off.
	RevokedAt time.Time
	// Keys are filled by FindIntegrationByID and ListIntegrations,
	// newest first, revoked ones included.
	Keys []*APIKey
}

// DefaultRateLimit is the requests per minute per key when an integration
// sets none: a Ghost front end building a site, an app's busy minute.
const DefaultRateLimit = 600

// Scope is one right an integration's keys have.
type Scope string

// The scopes. content:read is the Content API (what readers may see);
// stories:write makes and edits stories (a reporter's rights),
// stories:publish moves them onto and off the site (an editor's);
// photos:write uploads photos; webhooks:manage subscribes URLs to events.
const (
	ScopeContentRead    Scope = "content:read"
	ScopeStoriesWrite   Scope = "stories:write"
	ScopeStoriesPublish Scope = "stories:publish"
	ScopePhotosWrite    Scope = "photos:write"
	ScopeWebhooksManage Scope = "webhooks:manage"
)

// AllScopes lists every scope, in the order forms show them.
var AllScopes = []Scope{ScopeContentRead, ScopeStoriesWrite, ScopeStoriesPublish, ScopePhotosWrite, ScopeWebhooksManage}

// Valid reports whether s is a known scope.
func (s Scope) Valid() bool { return slices.Contains(AllScopes, s) }

// ParseScopes reads "content:read,stories:write": known scopes, each once,
// at least one.
func ParseScopes(s string) ([]Scope, error) {
	var out []Scope
	for _, part := range strings.Split(s, ",") {
		sc := Scope(strings.TrimSpace(part))
		if sc == "" {
			continue
		}
		if !sc.Valid() {
			return nil, Errorf(EINVALID, "unknown scope %q (known: %s)", sc, JoinScopes(AllScopes))
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	if len(out) == 0 {
		return nil, Errorf(EINVALID, "an integration needs at least one scope (%s)", JoinScopes(AllScopes))
	}
	return out, nil
}

// JoinScopes writes scopes as ParseScopes reads them.
func JoinScopes(scopes []Scope) string {
	s := make([]string, len(scopes))
	for i, sc := range scopes {
		s[i] = string(sc)
	}
	return strings.Join(s, ",")
}

// Has reports whether the integration holds scope s.
func (in *Integration) Has(s Scope) bool { return in != nil && slices.Contains(in.Scopes, s) }

// Active reports whether the integration's keys may be used.
func (in *Integration) Active() bool { return in != nil && in.RevokedAt.IsZero() }

// Limit is the integration's rate limit per key, per minute.
func (in *Integration) Limit() int {
	if in.RateLimit > 0 {
		return in.RateLimit
	}
	return DefaultRateLimit
}

// KeyKind says which API a key opens.
type KeyKind string

const (
	// KeyContent opens the Content API (read only, public content). Ghost
	// front ends ship it in the browser, so it is not much of a secret.
	KeyContent KeyKind = "content"
	// KeyAdmin opens the Admin API with the integration's scopes.
	KeyAdmin KeyKind = "admin"
)

// APIKey is one key of an integration. The key itself is never stored.
type APIKey struct {
	ID            int64
	IntegrationID int64
	Kind          KeyKind
	// Hash is the hex SHA-256 of the key: keys are long random strings,
	// so a fast hash is enough (nothing to guess), and it can be looked
	// up by.
	Hash string
	// Hint is the key's last four characters, for telling keys apart on
	// the newsroom's page.
	Hint       string
	CreatedAt  time.Time
	RevokedAt  time.Time
	LastUsedAt time.Time
}

// Active reports whether the key may be used (its integration aside).
func (k *APIKey) Active() bool { return k != nil && k.RevokedAt.IsZero() }

// IntegrationCall is one audited call of an integration's key: who, what,
// how it went. Admin API calls are recorded one by one; Content API reads,
// which a front end makes for every page it builds, are counted per key and
// hour (Calls > 1, Method "GET", Route the API's name).
type IntegrationCall struct {
	ID            int64
	IntegrationID int64
	// Name is the integration's name at the time of the call, so the log
	// reads the same after a rename or a revocation.
	Name      string
	KeyID     int64
	Method    string
	Route     string // the route pattern, never the query (keys travel there)
	Status    int
	ArticleID int64
	Detail    string
	Calls     int64 // 1 for an audited call; the count for a counted hour
	CreatedAt time.Time
}

// KeyUse is a key's use seen by one node since its last flush.
type KeyUse struct {
	KeyID         int64
	IntegrationID int64
	Name          string
	At            time.Time // the latest use
	Calls         int64     // content reads to count in At's hour
}

// IntegrationWriter makes and revokes integrations and their keys: in a
// transaction of its own (IntegrationStore) or inside a write transaction
// (part of Tx), so that the newsroom's audit row commits with the change.
type IntegrationWriter interface {
	// CreateIntegration stores in (ID and CreatedAt set) with its first
	// keys, in one transaction.
	CreateIntegration(ctx context.Context, in *Integration, keys []*APIKey) error
	// RevokeIntegration switches the integration and all its keys off at
	// t (ErrNotFound if none; revoking twice keeps the first time).
	RevokeIntegration(ctx context.Context, id int64, t time.Time) error
	// AddAPIKey adds a key to an active integration. With replace set, the
	// integration's other active keys of the same kind are revoked at
	// k.CreatedAt in the same transaction: a rotation.
	AddAPIKey(ctx context.Context, k *APIKey, replace bool) error
	// RevokeAPIKey switches one key off at t.
	RevokeAPIKey(ctx context.Context, id int64, t time.Time) error
}

// IntegrationStore keeps integrations, their keys and their calls. Writes
// here change nothing readers see: the generation does not move.
type IntegrationStore interface {
	IntegrationWriter
	FindIntegrationByID(ctx context.Context, id int64) (*Integration, error)
	// ListIntegrations returns every integration, revoked ones included,
	// by name.
	ListIntegrations(ctx context.Context) ([]*Integration, error)
	// UpdateIntegration changes the name, scopes and rate limit.
	UpdateIntegration(ctx context.Context, in *Integration) error

	// FindAPIKey finds the key with this hash and its integration (with
	// no Keys filled). Revoked keys are found too: the caller decides.
	FindAPIKey(ctx context.Context, hash string) (*APIKey, *Integration, error)

	// RecordKeyUse moves each key's LastUsedAt forward (never back) and
	// adds the counted calls to the hour's row, for many keys at once.
	RecordKeyUse(ctx context.Context, uses []KeyUse) error
	// AddIntegrationCall appends an audited call.
	AddIntegrationCall(ctx context.Context, c *IntegrationCall) error
	// ListIntegrationCalls returns the latest calls of an integration
	// (0: of all), newest first.
	ListIntegrationCalls(ctx context.Context, integrationID int64, limit int) ([]*IntegrationCall, error)
}
