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

// Of is another process's CPU time: the sum of its threads' time on a CPU
// from /proc/PID/task/*/schedstat, in nanoseconds; where that cannot be
// read, /proc/PID/stat's utime and stime, in clock ticks of 10 ms; 0 where
// neither can. (A PostgreSQL backend, one thread, used some 1 ms for a
// feed: in ticks, a benchmark of 50 feeds read each backend's share to
// within 10 of its 50 ms.) The time of threads that have exited is not in
// schedstat's sum.
func Of(pid int) time.Duration {
	if t, ok := scheduled(pid); ok {
		return t
	}
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

// scheduled sums the first field of each of pid's threads' schedstat
// (nanoseconds on a CPU); false if none could be read.
func scheduled(pid int) (time.Duration, bool) {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return 0, false
	}
	var sum time.Duration
	read := false
	for _, task := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/schedstat", pid, task.Name()))
		if err != nil {
			continue // exited since the listing
		}
		f := strings.Fields(string(b))
		if len(f) == 0 {
			continue
		}
		ns, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			continue
		}
		sum += time.Duration(ns)
		read = true
	}
	return sum, read
}
