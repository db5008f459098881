// Package storetest opens fresh databases for tests: a SQLite file in a
// temporary folder always, and a PostgreSQL schema of its own whenever a
// server is reachable. With LIGHTEN_REQUIRE_POSTGRES=1 (CI sets it) an
// unreachable server fails the test instead of skipping it.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"lighten/internal/store"
)

// DefaultPostgres is used when LIGHTEN_TEST_POSTGRES is unset.
const DefaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// PostgresURL is the server the PostgreSQL tests use.
func PostgresURL() string {
	if u := os.Getenv("LIGHTEN_TEST_POSTGRES"); u != "" {
		return u
	}
	return DefaultPostgres
}

// TestConns is how many connections of each kind (transactions, reads) a
// test's PostgreSQL database keeps unless the test says otherwise.
const TestConns = 4

// Kinds lists the dialects the suite runs on.
var Kinds = []store.Dialect{store.SQLite, store.Postgres}

// Each runs fn once per database kind, each on a fresh, migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, k := range Kinds {
		t.Run(string(k), func(t *testing.T) {
			fn(t, Open(t, k, store.Options{}))
		})
	}
}

// Open makes a fresh database of kind k, closed and removed when t ends.
func Open(t testing.TB, k store.Dialect, opt store.Options) *store.DB {
	t.Helper()
	// Many tests run at once on one server of max_connections 100: a test
	// database keeps a few connections of each kind unless the test asks
	// for more (a server keeps 16 of each).
	if opt.Writers == 0 {
		opt.Writers = TestConns
	}
	if opt.Readers == 0 && k == store.Postgres {
		opt.Readers = TestConns
	}
	dsn := DSN(t, k)
	db, err := store.Open(context.Background(), dsn, opt)
	if err != nil {
		t.Fatalf("open %s: %v", k, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// DSN makes an empty database of kind k and returns its address.
func DSN(t testing.TB, k store.Dialect) string {
	t.Helper()
	if k == store.SQLite {
		return filepath.Join(t.TempDir(), "lighten.db")
	}
	base := PostgresURL()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		admin.Close()
		if os.Getenv("LIGHTEN_REQUIRE_POSTGRES") != "" {
			t.Fatalf("PostgreSQL at %s is required but unreachable: %v", base, err)
		}
		t.Skipf("PostgreSQL at %s unreachable (%v); set LIGHTEN_REQUIRE_POSTGRES=1 to fail instead", base, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("postgres url: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
