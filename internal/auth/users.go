package auth

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"sync"

	"masthead/internal/news"
)

// dummyHash is checked against when an e-mail is unknown, so a sign-in takes
// as long for a missing account as for a wrong password.
// It is made on first use so that importing the package costs nothing.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("masthead-dummy-password")
	return h
})

// Authenticate returns the enabled user with email and password pw, or
// news.ErrUnauthorized (never saying which of the two was wrong).
func Authenticate(ctx context.Context, st news.UserReader, email, pw string) (*news.User, error) {
	email = strings.TrimSpace(email)
	u, err := st.FindUserByEmail(ctx, email)
	if errors.Is(err, news.ErrNotFound) {
		CheckPassword(dummyHash(), pw)
		return nil, news.Errorf(news.EUNAUTHORIZED, "Wrong e-mail or password.")
	} else if err != nil {
		return nil, fmt.Errorf("find user: %w", err)
	}
	if !CheckPassword(u.PasswordHash, pw) || u.Disabled {
		return nil, news.Errorf(news.EUNAUTHORIZED, "Wrong e-mail or password.")
	}
	return u, nil
}

// NewUser describes an account to create.
type NewUser struct {
	Email    string
	Name     string
	Role     news.Role
	Password string
	// Then, when set, runs in the transaction that creates the account,
	// after it: the audit row of the command that asked commits with the
	// account or not at all.
	Then func(tx news.Tx, u *news.User) error
}

// CreateUser validates nu, hashes its password and stores the account. A
// writer's account is linked to the author with the same e-mail, or to a
// new author profile (without a public e-mail), so the user's stories carry
// their byline and the workflow can tell whose story is whose; an admin's
// account has no byline. The author and the account are made in one
// transaction.
func CreateUser(ctx context.Context, st news.Updater, nu NewUser) (*news.User, error) {
	email := strings.TrimSpace(nu.Email)
	name := strings.TrimSpace(nu.Name)
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		return nil, news.Errorf(news.EINVALID, "%q is not an e-mail address.", email)
	}
	if name == "" {
		return nil, news.Errorf(news.EINVALID, "A name is required.")
	}
	if !nu.Role.Valid() {
		return nil, news.Errorf(news.EINVALID, "Unknown role %q.", nu.Role)
	}
	if err := ValidatePassword(nu.Password); err != nil {
		return nil, news.Errorf(news.EINVALID, "%s", err.Error())
	}
	hash, err := HashPassword(nu.Password)
	if err != nil {
		return nil, err
	}
	then := func(tx news.Tx, u *news.User) error {
		if nu.Then == nil {
			return nil
		}
		return nu.Then(tx, u)
	}
	var u *news.User
	err = st.Update(ctx, func(tx news.Tx) error {
		if _, err := tx.FindUserByEmail(ctx, email); err == nil {
			return news.Errorf(news.ECONFLICT, "An account with the e-mail %s exists.", email)
		} else if !errors.Is(err, news.ErrNotFound) {
			return err
		}
		// An account is not a byline. Writers (everyone but admins) get
		// an author profile to write under — an existing one with this
		// e-mail, or a new one whose public e-mail stays empty: the
		// sign-in e-mail is not for readers. Admins get none, so
		// "Administrator" is never offered as a byline.
		var authorID int64
		if nu.Role == news.RoleAdmin {
			u = &news.User{Email: email, Name: name, Role: nu.Role, PasswordHash: hash}
			if err := tx.CreateUser(ctx, u); err != nil {
				return fmt.Errorf("create user: %w", err)
			}
			return then(tx, u)
		}
		author, err := tx.FindAuthorByEmail(ctx, email)
		if errors.Is(err, news.ErrNotFound) {
			author = &news.Author{Name: name, Slug: news.Slugify(name)}
			if author.Slug == "" {
				author.Slug = news.Slugify(strings.Split(email, "@")[0])
			}
			if author.Slug == "" {
				author.Slug = "author"
			}
			// A slug clash would abort the transaction on PostgreSQL, so
			// the free slug is found by reading first.
			base := author.Slug
			for i := 2; ; i++ {
				if _, err := tx.FindAuthorBySlug(ctx, author.Slug); errors.Is(err, news.ErrNotFound) {
					break
				} else if err != nil {
					return fmt.Errorf("find author: %w", err)
				}
				if i > 1000 {
					return news.Errorf(news.ECONFLICT, "No free byline slug for %q.", name)
				}
				author.Slug = fmt.Sprintf("%s-%d", base, i)
			}
			if err := tx.CreateAuthor(ctx, author); err != nil {
				return fmt.Errorf("create author: %w", err)
			}
		} else if err != nil {
			return fmt.Errorf("find author: %w", err)
		}
		authorID = author.ID
		u = &news.User{Email: email, Name: name, Role: nu.Role, PasswordHash: hash, AuthorID: authorID}
		if err := tx.CreateUser(ctx, u); err != nil {
			return fmt.Errorf("create user: %w", err)
		}
		return then(tx, u)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// SetPassword validates and stores a new password for u, set by the user
// by (u itself, or an admin resetting it). Only the password is written:
// a role or a disabled flag an admin set meanwhile stays as it is.
func SetPassword(ctx context.Context, st news.UserWriter, u *news.User, by int64, pw string) error {
	hash, err := NewPasswordHash(pw)
	if err != nil {
		return err
	}
	return SetPasswordHash(ctx, st, u, by, hash)
}

// NewPasswordHash validates a new password and hashes it: the slow half of
// SetPassword, to do before a transaction (which would hold the write lock
// while it hashes).
func NewPasswordHash(pw string) (string, error) {
	if err := ValidatePassword(pw); err != nil {
		return "", news.Errorf(news.EINVALID, "%s", err.Error())
	}
	return HashPassword(pw)
}

// SetPasswordHash stores a hash made by NewPasswordHash as u's password,
// as SetPassword does: st may be a transaction, so the command's audit row
// commits with it.
func SetPasswordHash(ctx context.Context, st news.UserWriter, u *news.User, by int64, hash string) error {
	next, err := st.UpdateUser(ctx, u.ID, news.UserUpdate{By: by, PasswordHash: &hash})
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	*u = *next
	return nil
}

// DefaultAdminEmail is the first admin's e-mail on a fresh database.
const DefaultAdminEmail = "admin@masthead.local"

// EnsureAdmin creates a first admin with a random password when the store
// has no user at all, and returns its e-mail and password (created true) for
// the operator to read once; the password is not kept anywhere in clear.
// When users exist it does nothing.
func EnsureAdmin(ctx context.Context, st interface {
	news.UserReader
	news.Updater
}) (email, password string, created bool, err error) {
	users, err := st.ListUsers(ctx)
	if err != nil {
		return "", "", false, fmt.Errorf("list users: %w", err)
	}
	if len(users) > 0 {
		return "", "", false, nil
	}
	password = RandomPassword()
	u, err := CreateUser(ctx, st, NewUser{Email: DefaultAdminEmail, Name: "Administrator", Role: news.RoleAdmin, Password: password})
	if err != nil {
		return "", "", false, err
	}
	return u.Email, password, true, nil
}
