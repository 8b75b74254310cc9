package newsroom

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"masthead/internal/auth"
	"masthead/internal/news"
	"masthead/internal/workflow"
)

type userForm struct {
	Email, Name string
	Role        news.Role
}

type usersPage struct {
	base
	Users          []*news.User
	Form           userForm
	Error          string
	NewPassword    string
	NewPasswordFor string
	// CanInvite: mail is set up, so a new user can get an invitation
	// (a link to choose their password) instead of a shown password.
	CanInvite bool
	Invited   string
}

func (n *Newsroom) usersData(r *http.Request) (*usersPage, error) {
	us, err := n.store.ListUsers(r.Context())
	if err != nil {
		return nil, err
	}
	p := &usersPage{Users: us, Form: userForm{Role: news.RoleReporter}}
	p.Title, p.Nav = "Users", "users"
	return p, nil
}

func (n *Newsroom) users(w http.ResponseWriter, r *http.Request, c *call) error {
	p, err := n.usersData(r)
	if err != nil {
		return err
	}
	n.render(w, r, c, http.StatusOK, "users", p)
	return nil
}

// usersResult renders the users page after an action: with the error for
// bad input, or with a one-time password to hand on.
func (n *Newsroom) usersResult(w http.ResponseWriter, r *http.Request, c *call, err error, f *userForm, pwFor, pw string) error {
	if err != nil {
		if code := news.ErrorCode(err); code != news.EINVALID && code != news.ECONFLICT {
			return err
		}
	}
	p, perr := n.usersData(r)
	if perr != nil {
		return perr
	}
	status := http.StatusOK
	if err != nil {
		p.Error, status = news.ErrorMessage(err), http.StatusUnprocessableEntity
	}
	if f != nil {
		p.Form = *f
	}
	if pw != "" {
		p.NewPassword, p.NewPasswordFor = pw, pwFor
	}
	p.CanInvite = n.cfg.Mail != nil
	n.render(w, r, c, status, "users", p)
	return nil
}

func (n *Newsroom) addUser(w http.ResponseWriter, r *http.Request, c *call) error {
	if !workflow.Can(c.user, workflow.ActUsers, nil) {
		return news.ErrForbidden
	}
	f := userForm{
		Email: strings.TrimSpace(r.PostFormValue("email")),
		Name:  strings.TrimSpace(r.PostFormValue("name")),
		Role:  news.Role(r.PostFormValue("role")),
	}
	pw := auth.RandomPassword()
	invite := r.PostFormValue("invite") == "1" && n.cfg.Mail != nil
	u, err := auth.CreateUser(r.Context(), n.store, auth.NewUser{Email: f.Email, Name: f.Name, Role: f.Role, Password: pw,
		Then: func(tx news.Tx, u *news.User) error {
			return workflow.Audit(r.Context(), tx, n.clock, c.user, "user_add", 0, fmt.Sprintf("%s as %s", u.Email, u.Role))
		}})
	if err != nil {
		return n.usersResult(w, r, c, err, &f, "", "")
	}
	if invite {
		// The random password is never shown: the new colleague chooses
		// theirs from the invitation's link.
		if err := n.issueToken(r.Context(), u, news.TokenInvite); err != nil {
			n.log.ErrorContext(r.Context(), "newsroom: invitation mail", "user_id", u.ID, "err", err)
			return n.usersResult(w, r, c, nil, nil, u.Email, pw)
		}
		_ = workflow.Audit(r.Context(), n.store, n.clock, c.user, "invite", 0, u.Email)
		http.Redirect(w, r, "/newsroom/users?done=invited", http.StatusSeeOther)
		return nil
	}
	return n.usersResult(w, r, c, nil, nil, u.Email, pw)
}

// target loads the user in the path.
func (n *Newsroom) target(r *http.Request) (*news.User, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return n.store.FindUserByID(r.Context(), id)
}

// formVersion reads the version a form was rendered at (0 when absent).
func formVersion(r *http.Request) (int64, error) {
	v := strings.TrimSpace(r.PostFormValue("version"))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, news.Errorf(news.EINVALID, "The form is damaged; reload the page.")
	}
	return n, nil
}

// changeUser applies upd to the user in the path in one transaction: it
// writes only what upd names, under the version the form was rendered at,
// refuses a change that would leave no enabled admin (which nobody could
// undo from the newsroom), and records the audit entry. Admin changes to
// accounts are serialised (a row every such change writes), so two admins
// disabling each other cannot both pass the check.
func (n *Newsroom) changeUser(r *http.Request, c *call, upd news.UserUpdate, action string, detail func(before, after *news.User) string) (*news.User, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	if upd.Version, err = formVersion(r); err != nil {
		return nil, err
	}
	upd.By = c.user.ID
	ctx := r.Context()
	var after *news.User
	err = n.store.Update(ctx, func(tx news.Tx) error {
		if err := tx.PutSetting(ctx, "newsroom.users_changed", n.clock.Now().Format(time.RFC3339Nano)); err != nil {
			return err
		}
		before, err := tx.FindUserByID(ctx, id)
		if err != nil {
			return err
		}
		next := upd.Apply(*before)
		us, err := tx.ListUsers(ctx)
		if err != nil {
			return err
		}
		admin := false
		for _, u := range us {
			if u.ID == next.ID {
				u = &next
			}
			admin = admin || (u.Role == news.RoleAdmin && !u.Disabled)
		}
		if !admin {
			return news.Errorf(news.EINVALID, "There must be at least one active admin.")
		}
		if after, err = tx.UpdateUser(ctx, id, upd); err != nil {
			return err
		}
		return workflow.Audit(ctx, tx, n.clock, c.user, action, 0, detail(before, after))
	})
	var ce *news.ConflictError
	if errors.As(err, &ce) {
		ce.Kind = "user"
		if len(ce.By) == 1 {
			if by, err := n.store.FindUserByID(ctx, ce.By[0]); err == nil {
				return nil, news.Errorf(news.ECONFLICT, "%s changed this account at %s, after you opened this page. Nothing was saved: check the list below and try again.",
					by.Name, ce.At.In(n.paper().Loc()).Format("15:04:05"))
			}
		}
	}
	return after, err
}

func (n *Newsroom) setRole(w http.ResponseWriter, r *http.Request, c *call) error {
	if !workflow.Can(c.user, workflow.ActUsers, nil) {
		return news.ErrForbidden
	}
	role := news.Role(r.PostFormValue("role"))
	if !role.Valid() {
		return n.usersResult(w, r, c, news.Errorf(news.EINVALID, "Unknown role %q.", role), nil, "", "")
	}
	_, err := n.changeUser(r, c, news.UserUpdate{Role: &role}, "role", func(b, a *news.User) string {
		return fmt.Sprintf("%s: %s → %s", a.Email, b.Role, a.Role)
	})
	if err != nil {
		return n.usersResult(w, r, c, err, nil, "", "")
	}
	http.Redirect(w, r, "/newsroom/users?done=user", http.StatusSeeOther)
	return nil
}

func (n *Newsroom) resetPassword(w http.ResponseWriter, r *http.Request, c *call) error {
	if !workflow.Can(c.user, workflow.ActUsers, nil) {
		return news.ErrForbidden
	}
	u, err := n.target(r)
	if err != nil {
		return err
	}
	pw := auth.RandomPassword()
	// Only the password is written: a role changed meanwhile stays.
	if err := n.setPassword(r.Context(), c.user, u, pw, "password_reset", u.Email); err != nil {
		return err
	}
	// Whoever knew the old password is signed out everywhere.
	if err := n.sessions.RevokeAll(r.Context(), u.ID, c.sessIfSelf(u)); err != nil {
		return err
	}
	return n.usersResult(w, r, c, nil, nil, u.Email, pw)
}

// setPassword stores pw as u's password, set by by, with the audit row
// (action, detail) in the same transaction. The password is hashed first:
// hashing is slow, and the transaction would hold the write lock through it.
func (n *Newsroom) setPassword(ctx context.Context, by, u *news.User, pw, action, detail string) error {
	hash, err := auth.NewPasswordHash(pw)
	if err != nil {
		return err
	}
	return n.store.Update(ctx, func(tx news.Tx) error {
		if err := auth.SetPasswordHash(ctx, tx, u, by.ID, hash); err != nil {
			return err
		}
		return workflow.Audit(ctx, tx, n.clock, by, action, 0, detail)
	})
}

// sessIfSelf keeps the acting session alive when an admin acts on their own
// account.
func (c *call) sessIfSelf(u *news.User) string {
	if c.user.ID == u.ID {
		return c.sess.ID
	}
	return ""
}

func (n *Newsroom) setDisabled(disabled bool) handler {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		if !workflow.Can(c.user, workflow.ActUsers, nil) {
			return news.ErrForbidden
		}
		if id, _ := pathID(r, "id"); disabled && id == c.user.ID {
			return n.usersResult(w, r, c, news.Errorf(news.EINVALID, "You cannot disable your own account."), nil, "", "")
		}
		action := "enable"
		if disabled {
			action = "disable"
		}
		u, err := n.changeUser(r, c, news.UserUpdate{Disabled: &disabled}, action, func(b, a *news.User) string { return a.Email })
		if err != nil {
			return n.usersResult(w, r, c, err, nil, "", "")
		}
		if disabled {
			if err := n.sessions.RevokeAll(r.Context(), u.ID, ""); err != nil {
				return err
			}
		}
		http.Redirect(w, r, "/newsroom/users?done=user", http.StatusSeeOther)
		return nil
	}
}

type sessionRow struct {
	S       *news.Session
	Handle  string
	Current bool
}

type accountPage struct {
	base
	Sessions []sessionRow
	Error    string
}

// handleLen is how much of a session's ID the page shows to name it: enough
// to tell a user's sessions apart, not the whole stored key.
const handleLen = 16

func (n *Newsroom) accountData(r *http.Request, c *call) (*accountPage, error) {
	ss, err := n.sessions.List(r.Context(), c.user.ID)
	if err != nil {
		return nil, err
	}
	p := &accountPage{}
	p.Title, p.Nav = "My account", "account"
	for _, s := range ss {
		p.Sessions = append(p.Sessions, sessionRow{S: s, Handle: s.ID[:min(handleLen, len(s.ID))], Current: s.ID == c.sess.ID})
	}
	return p, nil
}

func (n *Newsroom) account(w http.ResponseWriter, r *http.Request, c *call) error {
	p, err := n.accountData(r, c)
	if err != nil {
		return err
	}
	n.render(w, r, c, http.StatusOK, "account", p)
	return nil
}

func (n *Newsroom) changePassword(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	cur, pw, confirm := r.PostFormValue("current"), r.PostFormValue("new"), r.PostFormValue("confirm")
	key := "acct:" + strings.ToLower(c.user.Email)
	var err error
	if ok, _ := n.acctThrottle.Begin(key); !ok {
		err = news.Errorf(news.EINVALID, "Too many wrong passwords. Try again later.")
	} else if !auth.CheckPassword(c.user.PasswordHash, cur) {
		err = news.Errorf(news.EINVALID, "The current password is wrong.") // Begin counted it
	} else {
		n.acctThrottle.Succeeded(key)
		switch {
		case pw != confirm:
			err = news.Errorf(news.EINVALID, "The two new passwords differ.")
		case pw == cur:
			err = news.Errorf(news.EINVALID, "The new password is the current one.")
		default:
			// Only the password is written: a role or a disabled flag an
			// admin set meanwhile is not undone.
			err = n.setPassword(ctx, c.user, c.user, pw, "password_change", "")
		}
	}
	if err != nil {
		if news.ErrorCode(err) != news.EINVALID {
			return err
		}
		p, perr := n.accountData(r, c)
		if perr != nil {
			return perr
		}
		p.Error = news.ErrorMessage(err)
		n.render(w, r, c, http.StatusUnprocessableEntity, "account", p)
		return nil
	}
	if err := n.sessions.RevokeAll(ctx, c.user.ID, c.sess.ID); err != nil {
		return err
	}
	http.Redirect(w, r, "/newsroom/account?done=password", http.StatusSeeOther)
	return nil
}

func (n *Newsroom) revokeSession(w http.ResponseWriter, r *http.Request, c *call) error {
	handle := r.PathValue("sid")
	if len(handle) != handleLen {
		return news.Errorf(news.ENOTFOUND, "No such session.")
	}
	ss, err := n.store.ListSessions(r.Context(), c.user.ID)
	if err != nil {
		return err
	}
	for _, s := range ss {
		if !strings.HasPrefix(s.ID, handle) {
			continue
		}
		if err := n.sessions.Revoke(r.Context(), c.user.ID, s.ID); err != nil && !errors.Is(err, news.ErrNotFound) {
			return err
		}
		if s.ID == c.sess.ID {
			auth.ClearCookie(w, n.secure(r))
			http.Redirect(w, r, "/newsroom/signin", http.StatusSeeOther)
			return nil
		}
		http.Redirect(w, r, "/newsroom/account?done=revoked", http.StatusSeeOther)
		return nil
	}
	return news.Errorf(news.ENOTFOUND, "No such session.")
}
