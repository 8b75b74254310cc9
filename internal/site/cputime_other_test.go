//go:build !unix

package site

func processCPU() (int64, bool) { return 0, false }
