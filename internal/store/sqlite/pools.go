package sqlite

import "database/sql"

// Pools returns the writer and reader pools, for metrics (connections in
// use, waits). Callers must not run statements on them.
func (db *DB) Pools() (write, read *sql.DB) { return db.write, db.read }

// Path is the database file.
func (db *DB) Path() string { return db.path }
