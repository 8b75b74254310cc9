// Package testpg gives a test a PostgreSQL database of its own: a fresh
// schema in the server that MASTHEAD_TEST_POSTGRES names, dropped when the
// test ends, so parallel packages and repeated runs never see each other's
// rows. Without the variable the test is skipped with a message; under CI
// (CI set) it fails instead, because CI must run the PostgreSQL tests.
package testpg

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"masthead/internal/cputime"
)

// Env is the variable naming the test server.
const Env = "MASTHEAD_TEST_POSTGRES"

// URL creates a schema named prefix_<random> and returns a URL whose
// search_path selects it.
func URL(t testing.TB, prefix string) string {
	t.Helper()
	base := os.Getenv(Env)
	if base == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is unset; CI must run the PostgreSQL tests", Env)
		}
		t.Skipf("PostgreSQL test skipped: set %s (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", Env)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to %s: %v", Env, err)
	}
	defer conn.Close(ctx)
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := strings.ToLower(prefix) + "_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	if !strings.Contains(base, "://") {
		return base + " search_path=" + schema // key=value DSN
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// BackendsCPU is the CPU time of the PostgreSQL backends now connected
// with application_name app, asked over conn (the server must run on this
// machine: cputime reads /proc), for benchmarks that count the server's
// share of a request. A backend that closes between two readings takes its
// time with it.
func BackendsCPU(ctx context.Context, conn *pgx.Conn, app string) (time.Duration, error) {
	rows, err := conn.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE application_name = $1`, app)
	if err != nil {
		return 0, err
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return 0, err
	}
	var t time.Duration
	for _, pid := range pids {
		t += cputime.Of(int(pid))
	}
	return t, nil
}
