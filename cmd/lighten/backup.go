package main

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"time"

	"lighten/internal/i18n"
	"lighten/internal/store"
)

// cmdBackup writes a consistent copy of the database while servers run.
func cmdBackup(ctx context.Context, l i18n.Lang, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(l, "backup", stderr)
	dsn := dbFlag(l, fs, "lighten.db")
	to := fs.String("to", "", i18n.T(l, "cli.backup.flag.to"))
	if err := parseFlags(l, fs, args); err != nil {
		return err
	}
	if *to == "" {
		return failf("cli.backup.usage")
	}
	if !isPostgresDSN(*dsn) {
		if _, err := os.Stat(*dsn); err != nil {
			return failf("cli.backup.no_db", *dsn)
		}
	}
	start := time.Now()
	if err := store.Backup(ctx, *dsn, *to); err != nil {
		if errors.Is(err, store.ErrBackupExists) {
			return failf("cli.backup.exists", *to)
		}
		return failf("cli.backup.failed", err)
	}
	st, err := os.Stat(*to)
	if err != nil {
		return err
	}
	say(stdout, l, "cli.backup.done", *to, float64(st.Size())/(1<<20), time.Since(start).Seconds())
	return nil
}

// cmdRestore brings a backup back as a new database, then verifies it.
func cmdRestore(ctx context.Context, l i18n.Lang, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(l, "restore", stderr)
	dsn := dbFlag(l, fs, "lighten.db")
	from := fs.String("from", "", i18n.T(l, "cli.restore.flag.from"))
	if err := parseFlags(l, fs, args); err != nil {
		return err
	}
	if *from == "" {
		return failf("cli.restore.usage")
	}
	start := time.Now()
	if err := store.Restore(ctx, *from, *dsn); err != nil {
		if errors.Is(err, store.ErrBackupExists) {
			return failf("cli.restore.exists", *dsn)
		}
		return failf("cli.restore.failed", err)
	}
	say(stdout, l, "cli.restore.done", *from, time.Since(start).Seconds())
	return verify(ctx, l, *dsn, stdout)
}

// cmdVerify checks a database as a restore must leave it: the schema this
// lighten knows, an intact audit chain, and its counts.
func cmdVerify(ctx context.Context, l i18n.Lang, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(l, "verify", stderr)
	dsn := dbFlag(l, fs, "lighten.db")
	if err := parseFlags(l, fs, args); err != nil {
		return err
	}
	return verify(ctx, l, *dsn, stdout)
}

func verify(ctx context.Context, l i18n.Lang, dsn string, stdout io.Writer) error {
	if !isPostgresDSN(dsn) {
		if _, err := os.Stat(dsn); err != nil {
			return failf("cli.backup.no_db", dsn)
		}
	}
	db, err := store.Open(ctx, dsn, store.Options{NoMigrate: true})
	if err != nil {
		return failf("cli.verify.open", err)
	}
	defer db.Close()
	have, know, err := db.Health(ctx)
	if err != nil {
		return failf("cli.verify.open", err)
	}
	say(stdout, l, "cli.verify.schema", have, know)
	if have != know {
		return failf("cli.verify.schema_differs", have, know)
	}
	if err := verifyChain(ctx, l, db, stdout); err != nil {
		return err
	}
	counts, err := db.Counts(ctx)
	if err != nil {
		return err
	}
	for _, t := range store.CountedTables() {
		say(stdout, l, "cli.verify.count", t, counts[t])
	}
	say(stdout, l, "cli.verify.ok")
	return nil
}

func isPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}
