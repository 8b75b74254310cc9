//go:build unix

// Package cputime reads CPU time, for benchmarks on a shared machine that
// report work done rather than time spent waiting for a core: this
// process's, and another process's from /proc (a PostgreSQL backend's, so
// that a request's cost counts the server's share too). It does not talk
// to a database: only cmd/ and the stores may (internal/archtest).
package cputime

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Process is the CPU time (user and system) this process has used.
func Process() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Of is another process's CPU time, from /proc/PID/stat (utime and stime,
// in clock ticks of 10 ms); 0 where it cannot be read.
func Of(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}
