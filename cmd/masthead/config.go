package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// envPrefix: every flag may also come from MASTHEAD_<NAME>, with dashes as
// underscores (--base-url → MASTHEAD_BASE_URL). A flag on the command line
// wins over the environment.
const envPrefix = "MASTHEAD_"

// common holds the flags every subcommand takes.
type common struct {
	Data string // folder for the SQLite file, media and secrets
	DB   string // "" (SQLite in Data) or postgres://...
	// DBTimeout bounds every database statement (and a write transaction,
	// waiting for locks included).
	DBTimeout time.Duration
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.Data, "data", "./masthead-data", "data `folder`: SQLite database, media files, secrets")
	fs.StringVar(&c.DB, "db", "", "database `URL`: empty for SQLite in the data folder, or postgres://user@host/db")
	fs.DurationVar(&c.DBTimeout, "db-timeout", 5*time.Second, "statement timeout (`duration`): a database call that takes longer fails with an error instead of hanging the request")
}

// sqlitePath is where the SQLite database lives when --db is not PostgreSQL.
func (c *common) sqlitePath() string {
	if p, ok := strings.CutPrefix(c.DB, "sqlite:"); ok {
		return p
	}
	return filepath.Join(c.Data, "masthead.db")
}

func (c *common) isPostgres() bool {
	return strings.HasPrefix(c.DB, "postgres://") || strings.HasPrefix(c.DB, "postgresql://")
}

// parse applies the environment, then the arguments, to fs.
func parse(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(stderr)
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		name := envPrefix + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(name); ok && envErr == nil {
			if err := f.Value.Set(v); err != nil {
				envErr = fmt.Errorf("%s=%q: %v", name, v, err)
			}
		}
	})
	if envErr != nil {
		return envErr
	}
	return fs.Parse(args)
}

// usageFor prints a subcommand's synopsis, its flags and the env rule.
func usageFor(fs *flag.FlagSet, synopsis string) func() {
	return func() {
		w := fs.Output()
		fmt.Fprintf(w, "usage: %s\n\nflags (each may also be set as MASTHEAD_<FLAG>, e.g. --base-url as MASTHEAD_BASE_URL):\n", synopsis)
		fs.PrintDefaults()
	}
}
