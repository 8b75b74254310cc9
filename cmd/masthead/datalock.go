package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// dataLock is serve's claim on a SQLite database: an exclusive lock on a
// file beside it (DATA/masthead.lock for DATA/masthead.db), held for the
// life of the process. Two serves on one SQLite file would each run a
// scheduler and publish the same stories twice, and each keep its own
// cache and counters; the second one refuses to start instead. The kernel
// releases the lock when the process ends, however it ends, so a crash
// leaves nothing to clean up. Commands (import, user add, backup) do not
// take it: they work beside a running serve.
type dataLock struct {
	f    *os.File
	path string
}

// lockHolder is what the lock file says about the serve that holds it, for
// the message the next one prints.
type lockHolder struct {
	PID     int       `json:"pid"`
	Addr    string    `json:"addr,omitempty"`
	Started time.Time `json:"started"`
}

// errLocked is returned when another process holds the lock.
var errLocked = errors.New("data folder locked")

// lockPath is the lock file of the SQLite database at db.
func lockPath(db string) string {
	return strings.TrimSuffix(db, ".db") + ".lock"
}

// lockData takes the lock of the SQLite database at db, or says who holds
// it.
func lockData(db string) (*dataLock, error) {
	path := lockPath(db)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := flock(f); err != nil {
		defer f.Close()
		if !errors.Is(err, errLocked) {
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		return nil, fmt.Errorf("%w: %s is in use by another masthead serve (%s; lock file %s)",
			errLocked, filepath.Dir(path), describeHolder(f), path)
	}
	l := &dataLock{f: f, path: path}
	l.announce("")
	return l, nil
}

func describeHolder(f *os.File) string {
	var h lockHolder
	b, _ := os.ReadFile(f.Name())
	if json.Unmarshal(b, &h) != nil || h.PID == 0 {
		return "pid unknown"
	}
	s := fmt.Sprintf("pid %d", h.PID)
	if h.Addr != "" {
		s += ", listening on " + h.Addr
	}
	if !h.Started.IsZero() {
		s += ", started " + h.Started.Format(time.RFC3339)
	}
	return s
}

// announce writes who holds the lock into the lock file.
func (l *dataLock) announce(addr string) {
	b, _ := json.Marshal(lockHolder{PID: os.Getpid(), Addr: addr, Started: time.Now().UTC().Truncate(time.Second)})
	if err := l.f.Truncate(0); err == nil {
		_, _ = l.f.WriteAt(append(b, '\n'), 0)
	}
}

// release gives the lock up. The file stays: removing it would race with a
// serve that has it open and is about to lock it.
func (l *dataLock) release() {
	if l != nil {
		l.f.Close()
	}
}
