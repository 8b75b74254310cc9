//go:build unix

package sqlite

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// shmDMSByte is the byte of the WAL index (-shm) file on which every open
// SQLite connection holds a shared lock (SQLite's unix VFS: UNIX_SHM_DMS,
// (22+8)*4+8). A process holding it has the database open.
const shmDMSByte = 128

// inUse reports whether another process has the database at path open, by
// asking (F_GETLK, which takes no lock) whether a write lock on that byte
// would conflict. Closing the descriptor drops this process's own POSIX
// locks on the file, so Restore must not run in a process that has path
// open itself; masthead restore is its own process.
func inUse(path string) (bool, error) {
	f, err := os.Open(path + "-shm")
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0, Start: shmDMSByte, Len: 1}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_GETLK, &lk); err != nil {
		return false, fmt.Errorf("check whether %s is in use: %w", path, err)
	}
	return lk.Type != syscall.F_UNLCK, nil
}
