package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Backups: a consistent copy taken while servers run, and its way back.
//
// SQLite is copied with VACUUM INTO on a reader: one read transaction, so
// the copy is the database as of one commit, compacted, with no log beside
// it. PostgreSQL is copied by pg_dump in its custom format (one snapshot;
// pg_restore reads it), limited to lighten's schema when the address names
// one with search_path.

// ErrBackupExists refuses to overwrite a file or a database.
var ErrBackupExists = errors.New("the destination exists already")

// Backup writes a consistent copy of the database at dsn to the file to,
// which must not exist yet.
func Backup(ctx context.Context, dsn, to string) error {
	if _, err := os.Stat(to); err == nil {
		return fmt.Errorf("back up to %s: %w", to, ErrBackupExists)
	}
	if isPostgres(dsn) {
		conn, schema, err := libpqURL(dsn)
		if err != nil {
			return err
		}
		args := []string{"--format=custom", "--no-owner", "--no-privileges", "--file=" + to, "--dbname=" + conn}
		if schema != "" {
			args = append(args, "--schema="+schema)
		}
		if err := runTool(ctx, "pg_dump", args...); err != nil {
			os.Remove(to)
			return err
		}
		return syncFile(to)
	}
	db, err := Open(ctx, dsn, Options{NoMigrate: true})
	if err != nil {
		return err
	}
	defer db.Close()
	abs, err := filepath.Abs(to)
	if err != nil {
		return err
	}
	if _, err := db.r.ExecContext(ctx, `VACUUM INTO ?`, abs); err != nil {
		os.Remove(abs)
		return fmt.Errorf("back up to %s: %w", to, err)
	}
	return syncFile(abs)
}

// Restore brings a backup made by Backup back as the database at dsn: a
// SQLite file that must not exist yet, or a PostgreSQL database that holds
// no lighten schema yet (restored in one transaction: all or nothing).
func Restore(ctx context.Context, from, dsn string) error {
	if _, err := os.Stat(from); err != nil {
		return fmt.Errorf("restore from %s: %w", from, err)
	}
	if isPostgres(dsn) {
		conn, _, err := libpqURL(dsn)
		if err != nil {
			return err
		}
		return runTool(ctx, "pg_restore", "--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges", "--dbname="+conn, from)
	}
	path := sqlitePath(dsn)
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("restore to %s: %w", path, ErrBackupExists)
	}
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := path + ".restoring"
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("restore to %s: %w", path, err)
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("restore to %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

// Counts are the rows of the tables that hold what people did, for a
// restored database to be compared with what was backed up.
var countedTables = []string{"units", "offices", "people", "grants", "demands", "demand_units", "elements", "vals",
	"submissions", "duty_lists", "refusals", "plans", "draws", "visits", "field_records", "photos", "audit"}

// Counts counts the rows of each table in countedTables.
func (db *DB) Counts(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	for _, t := range countedTables {
		var n int64
		if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", t, err)
		}
		out[t] = n
	}
	return out, nil
}

// CountedTables lists the tables Counts counts, in a stable order.
func CountedTables() []string { return append([]string(nil), countedTables...) }

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

func sqlitePath(dsn string) string {
	return strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite://"), "sqlite:")
}

// libpqURL turns lighten's PostgreSQL address into one pg_dump and
// pg_restore accept: search_path is the driver's, not libpq's, and names
// the schema instead.
func libpqURL(dsn string) (conn, schema string, err error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", "", fmt.Errorf("postgres address: %w", err)
	}
	q := u.Query()
	schema = q.Get("search_path")
	for k := range q {
		switch k {
		case "sslmode", "sslrootcert", "sslcert", "sslkey", "sslpassword", "connect_timeout", "application_name", "options",
			"target_session_attrs", "passfile", "service", "host", "port", "user", "password", "dbname":
		default:
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), schema, nil
}

// runTool runs one of PostgreSQL's client programs, saying what it printed
// when it fails (the address is not in its arguments' echo).
func runTool(ctx context.Context, name string, args ...string) error {
	path, err := exec.LookPath(name)
	if err != nil {
		return fmt.Errorf("%s is needed for PostgreSQL backups (Debian: apt-get install postgresql-client): %w", name, err)
	}
	cmd := exec.CommandContext(ctx, path, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", name, err, strings.TrimSpace(string(out)))
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
