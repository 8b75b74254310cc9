package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// syscallCount is one line of strace -c's summary.
type syscallCount struct {
	name          string
	calls, errors int64
}

// parseStraceSummary reads strace -c's table: "% time seconds usecs/call
// calls [errors] syscall", then a "total" line.
func parseStraceSummary(s string) []syscallCount {
	var out []syscallCount
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) < 5 || f[len(f)-1] == "total" || f[len(f)-1] == "syscall" {
			continue
		}
		if _, err := strconv.ParseFloat(f[0], 64); err != nil {
			continue
		}
		calls, err := strconv.ParseInt(f[3], 10, 64)
		if err != nil {
			continue
		}
		c := syscallCount{name: f[len(f)-1], calls: calls}
		if len(f) == 6 {
			c.errors, _ = strconv.ParseInt(f[4], 10, 64)
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b syscallCount) int { return int(b.calls - a.calls) })
	return out
}

// countSyscalls runs wrk against each server under strace -c -f (every
// thread of every process of the server) and prints the system calls per
// response. strace slows every call down a lot, so the rate means nothing
// here; the counts per response are what a response costs in calls.
func countSyscalls(w *wrk, tmp string, servers []*server, path string, conns int, d time.Duration) error {
	bin, err := exec.LookPath("strace")
	if err != nil {
		return fmt.Errorf("-syscalls needs strace (apt-get install strace): %w", err)
	}
	fmt.Printf("\nsystem calls per response, %s, %d connection(s), %s under strace -c -f:\n", path, conns, d)
	for _, s := range servers {
		if len(s.pids()) == 0 {
			fmt.Printf("  %-9s (no process id: pass -pid)\n", s.name)
			continue
		}
		out := filepath.Join(tmp, "strace-"+s.name+".txt")
		args := []string{"-c", "-f", "-o", out}
		for _, pid := range s.pids() {
			args = append(args, "-p", strconv.Itoa(pid))
		}
		cmd := exec.Command(bin, args...)
		if err := cmd.Start(); err != nil {
			return err
		}
		time.Sleep(500 * time.Millisecond) // attached to every thread
		res, werr := w.run("http://"+s.host+path, conns, d, nil)
		_ = cmd.Process.Signal(syscall.SIGINT)
		_ = cmd.Wait()
		if werr != nil {
			return werr
		}
		b, err := os.ReadFile(out)
		if err != nil {
			return err
		}
		counts := parseStraceSummary(string(b))
		var total int64
		var parts []string
		for _, c := range counts {
			total += c.calls
			if len(parts) < 8 {
				part := fmt.Sprintf("%s %.2f", c.name, float64(c.calls)/float64(res.Requests))
				if c.errors > 0 {
					part += fmt.Sprintf(" (%.2f failed)", float64(c.errors)/float64(res.Requests))
				}
				parts = append(parts, part)
			}
		}
		fmt.Printf("  %-9s %6.2f per response (%d responses): %s\n", s.name, float64(total)/float64(res.Requests), res.Requests, strings.Join(parts, ", "))
	}
	return nil
}
