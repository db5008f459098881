package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"lighten/internal/collect"
	"lighten/internal/store"
	"lighten/internal/units"
)

// backupRow is one database's backup, restore and verify.
type backupRow struct {
	kind                   store.Dialect
	units, vals, audit     int64
	loadSecs               float64
	dbBytes, dumpBytes     int64
	backupSecs, restoreSec float64
	verifySecs             float64
	verified               int64 // audit records the chain check read
}

// benchBackup times store.Backup, store.Restore and the verify that a
// restore runs (open, audit chain, counts) on a database holding the
// national tree and the national values collect builds (30% of 50
// elements for every village, 9.3 million values).
func benchBackup(args []string) error {
	fs := flag.NewFlagSet("lighten-bench backup", flag.ContinueOnError)
	data := fs.String("data", defaultDataDir(), "folder with the national files")
	pg := fs.String("postgres", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL server for a temporary schema; empty to skip PostgreSQL")
	held := fs.Float64("held", 0.3, "share of the 50 national elements held for every village")
	noSQLite := fs.Bool("no-sqlite", false, "leave out SQLite")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var kinds []store.Dialect
	if !*noSQLite {
		kinds = append(kinds, store.SQLite)
	}
	if *pg != "" {
		kinds = append(kinds, store.Postgres)
	}
	var rows []backupRow
	for _, k := range kinds {
		r, err := measureBackup(k, *data, *pg, *held)
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		rows = append(rows, r)
	}
	mib := func(b int64) string { return fmt.Sprintf("%.0f", float64(b)/(1<<20)) }
	fmt.Println("| database | units | values | audit records | database MiB | backup file MiB | backup s | restore s | verify s (open, chain, counts) |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Printf("| %s | %d | %d | %d | %s | %s | %.1f | %.1f | %.1f |\n", r.kind, r.units, r.vals, r.audit, mib(r.dbBytes), mib(r.dumpBytes),
			r.backupSecs, r.restoreSec, r.verifySecs)
	}
	return nil
}

func measureBackup(k store.Dialect, data, pg string, held float64) (backupRow, error) {
	ctx := context.Background()
	row := backupRow{kind: k}
	dsn, cleanup, err := importFreshDatabase(k, pg)
	if err != nil {
		return row, err
	}
	defer cleanup()
	t0 := time.Now()
	if err := fillNational(ctx, dsn, data, held); err != nil {
		return row, err
	}
	row.loadSecs = time.Since(t0).Seconds()
	logf("%s: national tree and values in %.1f s", k, row.loadSecs)

	dir, err := os.MkdirTemp("", "lighten-bench-backup-")
	if err != nil {
		return row, err
	}
	defer os.RemoveAll(dir)
	if row.dbBytes, err = databaseBytes(ctx, k, dsn); err != nil {
		return row, err
	}
	orig, err := store.Open(ctx, dsn, store.Options{NoMigrate: true})
	if err != nil {
		return row, err
	}
	want, err := orig.Counts(ctx)
	orig.Close()
	if err != nil {
		return row, err
	}
	dump := filepath.Join(dir, "backup")
	t0 = time.Now()
	if err := store.Backup(ctx, dsn, dump); err != nil {
		return row, err
	}
	row.backupSecs = time.Since(t0).Seconds()
	st, err := os.Stat(dump)
	if err != nil {
		return row, err
	}
	row.dumpBytes = st.Size()
	logf("%s: backup %.0f MiB in %.1f s", k, float64(row.dumpBytes)/(1<<20), row.backupSecs)

	// Restore into a new database: a file that does not exist, or a new
	// PostgreSQL database (the dump names lighten's schema).
	target := filepath.Join(dir, "restored.db")
	if k == store.Postgres {
		var drop func()
		if target, drop, err = freshPostgresDatabase(pg, dsn); err != nil {
			return row, err
		}
		defer drop()
	}
	t0 = time.Now()
	if err := store.Restore(ctx, dump, target); err != nil {
		return row, err
	}
	row.restoreSec = time.Since(t0).Seconds()
	logf("%s: restored in %.1f s", k, row.restoreSec)

	t0 = time.Now()
	db, err := store.Open(ctx, target, store.Options{NoMigrate: true})
	if err != nil {
		return row, err
	}
	defer db.Close()
	if row.verified, err = db.VerifyAudit(ctx); err != nil {
		return row, err
	}
	counts, err := db.Counts(ctx)
	if err != nil {
		return row, err
	}
	row.verifySecs = time.Since(t0).Seconds()
	row.units, row.vals, row.audit = counts["units"], counts["vals"], counts["audit"]
	for t, n := range want {
		if counts[t] != n {
			return row, fmt.Errorf("restored %s: %d rows, %d backed up", t, counts[t], n)
		}
	}
	if row.verified != row.audit {
		return row, fmt.Errorf("chain check read %d records, %d counted", row.verified, row.audit)
	}
	logf("%s: verified in %.1f s: %v", k, row.verifySecs, counts)
	return row, nil
}

// fillNational imports the national tree and loads the values collect's
// gate benchmark holds: the share held of 50 yearly elements for every
// village.
func fillNational(ctx context.Context, dsn, data string, held float64) error {
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	us, err := units.ReadDir(data)
	if err != nil {
		return err
	}
	if _, err := db.ImportUnits(ctx, store.System, us, nil); err != nil {
		return err
	}
	tree, err := db.Tree(ctx)
	if err != nil {
		return err
	}
	villages := tree.Under(units.Village, "")
	var office units.Office
	var issuer units.Person
	var elems []*collect.Element
	err = db.Write(ctx, store.System, func(tx *store.Tx) error {
		office = units.Office{UnitCode: "43", Name: "湖南省统计局"}
		if err := tx.CreateOffice(ctx, &office); err != nil {
			return err
		}
		var err error
		issuer, err = tx.CreatePerson(ctx, store.NewPerson{Login: "tongji", Name: "统计员", UnitCode: "43", OfficeID: office.ID,
			Grants: []units.Grant{{Role: units.RoleIssuer, UnitCode: "43"}}})
		if err != nil {
			return err
		}
		for i := 1; i <= 50; i++ {
			e := &collect.Element{Code: fmt.Sprintf("N%02d", i), Name: fmt.Sprintf("农村基本情况%02d", i), Type: collect.Integer,
				Measure: "个", Period: collect.Year, ValidDays: 365, Owner: office.ID, Min: ptrTo(0.0), Status: collect.Approved}
			if err := tx.SaveElement(ctx, e); err != nil {
				return err
			}
			elems = append(elems, e)
		}
		return nil
	})
	if err != nil {
		return err
	}
	period := collect.PeriodOf(collect.Year, time.Now())
	vi, ej := 0, 0
	_, err = db.LoadValues(ctx, issuer.ID, db.Now(), "bench", func() (store.BulkValue, bool) {
		for vi < len(villages) {
			for ej < len(elems) {
				j := ej
				ej++
				if chosen(held, uint64(vi), uint64(j)) {
					return store.BulkValue{Unit: villages[vi].Code, ElementID: elems[j].ID, Period: period,
						Value: strconv.FormatUint(mix(uint64(vi*64+j))%2000, 10)}, true
				}
			}
			vi, ej = vi+1, 0
		}
		return store.BulkValue{}, false
	})
	return err
}

// databaseBytes is the size of the database: the SQLite file with its log,
// or the PostgreSQL schema's tables and indexes.
func databaseBytes(ctx context.Context, k store.Dialect, dsn string) (int64, error) {
	if k == store.SQLite {
		var n int64
		for _, suffix := range []string{"", "-wal"} {
			if st, err := os.Stat(dsn + suffix); err == nil {
				n += st.Size()
			}
		}
		return n, nil
	}
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		return 0, err
	}
	defer raw.Close()
	var n int64
	err = raw.QueryRowContext(ctx, `SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')`).Scan(&n)
	return n, err
}

// freshPostgresDatabase makes a new database on the server of pg and
// returns the address of lighten's schema (as named in dsn) in it.
func freshPostgresDatabase(pg, dsn string) (string, func(), error) {
	admin, err := sql.Open("pgx", pg)
	if err != nil {
		return "", nil, err
	}
	name := "bench_restore_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		admin.Close()
		return "", nil, err
	}
	drop := func() {
		admin.Exec(`DROP DATABASE ` + name + ` WITH (FORCE)`)
		admin.Close()
	}
	u, err := url.Parse(dsn)
	if err != nil {
		drop()
		return "", nil, err
	}
	u.Path = "/" + strings.TrimPrefix(name, "/")
	return u.String(), drop, nil
}
