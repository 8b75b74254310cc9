//go:build !linux

package sqlite_test

func threadCPU() (int64, bool) { return 0, false }
