package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/units"
)

// TestBackupUnderLoadRestoreVerify backs a database up while a writer keeps
// changing it, restores the copy as a new database, and finds there every
// change acknowledged before the backup began, with the audit chain intact,
// on both databases.
func TestBackupUnderLoadRestoreVerify(t *testing.T) {
	t.Parallel()
	for _, k := range storetest.Kinds {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dsn := storetest.DSN(t, k)
			db, err := store.Open(ctx, dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.ImportUnits(ctx, store.System, sampleUnits, nil); err != nil {
				t.Fatal(err)
			}

			var mu sync.Mutex
			var acked []string
			stop := make(chan struct{})
			enough := make(chan struct{})
			done := make(chan error, 1)
			go func() {
				for i := 0; ; i++ {
					select {
					case <-stop:
						done <- nil
						return
					default:
					}
					o := units.Office{UnitCode: "430922", Name: fmt.Sprintf("办公室 %d", i)}
					if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.CreateOffice(ctx, &o) }); err != nil {
						done <- err
						return
					}
					mu.Lock()
					acked = append(acked, o.Name)
					if len(acked) == 20 {
						close(enough)
					}
					mu.Unlock()
				}
			}()
			<-enough
			mu.Lock()
			before := append([]string(nil), acked...)
			mu.Unlock()

			file := filepath.Join(t.TempDir(), "lighten.backup")
			out, err := runCmd(t, "", "backup", "--db", dsn, "--to", file)
			close(stop)
			if werr := <-done; werr != nil {
				t.Fatalf("writer: %v", werr)
			}
			if err != nil || !strings.Contains(out, "backed up to") {
				t.Fatalf("backup: %q %v", out, err)
			}
			if out, err := runCmd(t, "", "backup", "--db", dsn, "--to", file); err == nil || !strings.Contains(out, "exists already") {
				t.Fatalf("a second backup over the first: %q %v", out, err)
			}

			target := restoreTarget(t, k, dsn)
			out, err = runCmd(t, "", "restore", "--from", file, "--db", target)
			if err != nil || !strings.Contains(out, "audit chain intact") || !strings.Contains(out, "verified") {
				t.Fatalf("restore: %q %v", out, err)
			}
			if out, err := runCmd(t, "", "restore", "--from", file, "--db", target); err == nil {
				t.Fatalf("a restore over a restored database: %q", out)
			}
			if out, err := runCmd(t, "", "verify", "--db", target); err != nil || !strings.Contains(out, "verified") {
				t.Fatalf("verify: %q %v", out, err)
			}

			restored, err := store.Open(ctx, target, store.Options{NoMigrate: true})
			if err != nil {
				t.Fatal(err)
			}
			defer restored.Close()
			have := officeNames(t, restored)
			for _, name := range before {
				if !have[name] {
					t.Fatalf("acknowledged before the backup, missing after the restore: %s (%d restored, %d acknowledged before)", name, len(have), len(before))
				}
			}
			if n, err := restored.VerifyAudit(ctx); err != nil || n < int64(len(before)) {
				t.Fatalf("restored chain: %d records, %v", n, err)
			}
		})
	}
}

// restoreTarget is an address no database is at yet: a new SQLite file, or
// a new PostgreSQL database reached with the same schema name (a dump
// restores the schema it was taken from).
func restoreTarget(t *testing.T, k store.Dialect, dsn string) string {
	t.Helper()
	if k == store.SQLite {
		return filepath.Join(t.TempDir(), "restored.db")
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "r_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", storetest.PostgresURL())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec(`DROP DATABASE ` + name + ` WITH (FORCE)`)
		admin.Close()
	})
	u.Path = "/" + name
	return u.String()
}

func TestBackupRefusesWhatIsNotThere(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out, err := runCmd(t, "", "backup", "--db", filepath.Join(dir, "none.db"), "--to", filepath.Join(dir, "b"))
	if err == nil || !strings.Contains(out, "no database file") {
		t.Fatalf("backup of nothing: %q %v", out, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "none.db")); err == nil {
		t.Fatal("a backup of a missing database created it")
	}
	if out, err := runCmd(t, "", "restore", "--from", filepath.Join(dir, "b"), "--db", filepath.Join(dir, "r.db")); err == nil {
		t.Fatalf("restore from nothing: %q", out)
	}
}

// TestUserUnlock: the server's operator lets the only national
// administrator in again after a lock-out, audited.
func TestUserUnlock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := storetest.DSN(t, store.SQLite)
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ImportUnits(ctx, store.System, sampleUnits, nil); err != nil {
		t.Fatal(err)
	}
	if out, err := runCmd(t, "a long password\n", "user", "add", "--db", dsn, "--login", "root", "--name", "管理员",
		"--unit", "430922", "--role", "admin@country", "--password-stdin"); err != nil {
		t.Fatalf("%s %v", out, err)
	}
	for i := 0; i < 6; i++ {
		if err := db.RecordSignInFailure(ctx, "root", fmt.Sprintf("10.0.0.%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	out, err := runCmd(t, "", "user", "unlock", "--db", dsn, "--login", "root")
	if err != nil || !strings.Contains(out, "root may sign in again (6 failed sign-ins forgotten)") {
		t.Fatalf("unlock: %q %v", out, err)
	}
	c, err := db.SignInFailures(ctx, "root", "10.0.0.1", time.Time{})
	if err != nil || c.Login != 0 {
		t.Fatalf("failures after unlock: %+v %v", c, err)
	}
	if out, err := runCmd(t, "", "user", "unlock", "--db", dsn, "--login", "nobody"); err == nil || !strings.Contains(out, "nobody signs in as") {
		t.Fatalf("unlock of nobody: %q %v", out, err)
	}
}

// officeNames are the names of every office of a database.
func officeNames(t *testing.T, db *store.DB) map[string]bool {
	t.Helper()
	have := map[string]bool{}
	for off := 0; ; off += 500 {
		page, _, err := db.ListOffices(context.Background(), store.ListQuery{Scopes: []string{""}, Offset: off, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page {
			have[o.Name] = true
		}
		if len(page) < 500 {
			return have
		}
	}
}
