package news

import (
	"errors"
	"fmt"
)

// Error codes. Adapters map them to HTTP status codes (or exit codes) in one
// place each, so storage never speaks HTTP and handlers never inspect driver
// errors.
const (
	ENOTFOUND     = "not_found"
	EINVALID      = "invalid"
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	EINTERNAL     = "internal"
	// ELEASELOST: a job's lease passed to another process; whatever it
	// was about to commit under the lease did not happen.
	ELEASELOST = "lease_lost"
)

// Error is a domain error: a machine-readable code and a message that is safe
// to show to the user who caused it.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Is makes errors.Is(err, news.ErrNotFound) true for any *Error with the same
// code, whatever its message.
func (e *Error) Is(target error) bool {
	var t *Error
	if errors.As(target, &t) {
		return t.Code == e.Code
	}
	return false
}

// Sentinels for errors.Is.
var (
	ErrNotFound     = &Error{Code: ENOTFOUND, Message: "not found"}
	ErrInvalid      = &Error{Code: EINVALID, Message: "invalid"}
	ErrConflict     = &Error{Code: ECONFLICT, Message: "conflict"}
	ErrUnauthorized = &Error{Code: EUNAUTHORIZED, Message: "sign in required"}
	ErrForbidden    = &Error{Code: EFORBIDDEN, Message: "not allowed"}
	ErrLeaseLost    = &Error{Code: ELEASELOST, Message: "the lease is held by another process"}
)

// Errorf returns a domain error with the given code.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of err: the message of its
// *Error, or a generic text for internal errors (whose details belong in the
// log, not on a page).
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
