//go:build unix

package site

import "syscall"

// processCPU returns the CPU time the whole test process has used (every
// thread: SQLite, templates, the collector), so a render benchmark on a
// busy shared machine can report work done rather than time spent waiting
// for a core.
func processCPU() (int64, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return ru.Utime.Nano() + ru.Stime.Nano(), true
}
