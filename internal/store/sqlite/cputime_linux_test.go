package sqlite_test

import "syscall"

// threadCPU returns the CPU time used so far by the calling OS thread, so a
// benchmark on a busy shared machine can report work done rather than time
// spent waiting for a core. The caller locks its goroutine to the thread.
func threadCPU() (int64, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return 0, false
	}
	return ru.Utime.Nano() + ru.Stime.Nano(), true
}
