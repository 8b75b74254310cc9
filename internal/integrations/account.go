package integrations

import (
	"context"
	"errors"
	"fmt"
	"time"

	"masthead/internal/news"
)

// AccountStore is what Account needs.
type AccountStore interface {
	news.UserReader
	news.UserWriter
	news.Updater
}

// accountEmail is the integration's account: a reserved domain no mail
// goes to.
func accountEmail(in *news.Integration) string {
	return fmt.Sprintf("integration-%d@integrations.invalid", in.ID)
}

// RoleOf is the newsroom role an integration's scopes give its account:
// stories:publish an editor's rights, stories:write a reporter's.
func RoleOf(in *news.Integration) news.Role {
	switch {
	case in.Has(news.ScopeStoriesPublish):
		return news.RoleEditor
	case in.Has(news.ScopeStoriesWrite):
		return news.RoleReporter
	}
	return news.RoleContributor
}

// Account returns the integration's newsroom account — the user its
// writes go through the workflow as, so that the newsroom's rules apply and
// revisions and the audit log name it — making it on first use and keeping
// its name and role in step with the integration. It has no password: it
// cannot sign in.
func Account(ctx context.Context, st AccountStore, in *news.Integration, now time.Time) (*news.User, error) {
	email, name, role := accountEmail(in), in.Name+" (integration)", RoleOf(in)
	for try := 0; try < 2; try++ {
		u, err := st.FindUserByEmail(ctx, email)
		if errors.Is(err, news.ErrNotFound) {
			u = &news.User{Email: email, Name: name, Role: role, CreatedAt: now}
			err = st.Update(ctx, func(tx news.Tx) error { return tx.CreateUser(ctx, u) })
			if errors.Is(err, news.ErrConflict) {
				continue // made by a concurrent first call
			}
			return u, err
		} else if err != nil {
			return nil, err
		}
		if u.Role != role || u.Name != name || u.Disabled {
			off := false
			return st.UpdateUser(ctx, u.ID, news.UserUpdate{Role: &role, Name: &name, Disabled: &off})
		}
		return u, nil
	}
	return nil, fmt.Errorf("integration account %s: made and not found", email)
}
