package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// procCPU is the user+system CPU time process pid has used, from
// /proc/PID/stat (Linux; clock ticks of 10 ms, USER_HZ being 100 on every
// Linux this runs on). Zero when unknown.
func procCPU(pid int) time.Duration {
	u, s := procUserSys(pid)
	return u + s
}

// procUserSys is procCPU in its two parts: user space, and the kernel
// working for the process (system calls, the TCP work they run).
func procUserSys(pid int) (user, sys time.Duration) {
	if pid <= 0 {
		return 0, 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0
	}
	// The command name may hold spaces; fields start after its ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut) * 10 * time.Millisecond, time.Duration(st) * 10 * time.Millisecond
}

// procRSS is the resident set size of process pid in bytes, from
// /proc/PID/status. Zero when unknown.
func procRSS(pid int) int64 { return procStatus(pid, "VmRSS:") }

// procStatus reads one kB field of /proc/PID/status, in bytes.
func procStatus(pid int, field string) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// memory describes pid's resident memory: all of it, the process's own
// (anonymous: Go heap, SQLite caches) and file pages mapped in (SQLite's
// memory-mapped database, which the kernel shares and reclaims).
func memory(pid int) string {
	mb := func(n int64) float64 { return float64(n) / (1 << 20) }
	return fmt.Sprintf("RSS %4.0f MB (anon %4.0f MB, file %4.0f MB)", mb(procRSS(pid)),
		mb(procStatus(pid, "RssAnon:")), mb(procStatus(pid, "RssFile:")+procStatus(pid, "RssShmem:")))
}

// procsCPU is the CPU time of all of pids together.
func procsCPU(pids []int) time.Duration {
	u, s := procsUserSys(pids)
	return u + s
}

// procsUserSys is procsCPU in user and system time.
func procsUserSys(pids []int) (user, sys time.Duration) {
	for _, p := range pids {
		u, s := procUserSys(p)
		user, sys = user+u, sys+s
	}
	return user, sys
}
