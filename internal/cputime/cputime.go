//go:build unix

// Package cputime reads CPU time, for benchmarks on a shared machine that
// report work done rather than time spent waiting for a core: this
// process's, another process's (a PostgreSQL backend's, from /proc), and
// the sum over the backends serving one application_name, so a request's
// cost on PostgreSQL counts the server's share too.
package cputime

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
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

// Backends is the CPU time of the PostgreSQL backends now connected with
// application_name app, asked over conn (the server must run on this
// machine). A backend that closes between two readings takes its time
// with it.
func Backends(ctx context.Context, conn *pgx.Conn, app string) (time.Duration, error) {
	rows, err := conn.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE application_name = $1`, app)
	if err != nil {
		return 0, err
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return 0, err
	}
	var t time.Duration
	for _, pid := range pids {
		t += Of(int(pid))
	}
	return t, nil
}
