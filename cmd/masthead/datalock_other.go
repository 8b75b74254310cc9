//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package main

import "os"

// flock does nothing where flock(2) is missing: there, keeping to one serve
// per SQLite database is the operator's job (docs/deployment.md).
func flock(*os.File) error { return nil }
