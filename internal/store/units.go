package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"lighten/internal/audit"
	"lighten/internal/units"
)

// UnitsVersion is a counter bumped by every change to the tree, so that
// each server knows when to rebuild its in-memory index.
func (db *DB) UnitsVersion(ctx context.Context) (int64, error) {
	var v string
	if err := db.r.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'units_version'`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read units version: %w", err)
	}
	return strconv.ParseInt(v, 10, 64)
}

func (tx *Tx) bumpUnitsVersion(ctx context.Context) error {
	_, err := tx.exec(ctx, `UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT) WHERE key = 'units_version'`)
	return err
}

// LoadUnits reads the whole tree.
func (db *DB) LoadUnits(ctx context.Context) ([]units.Unit, error) {
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM units`).Scan(&n); err != nil {
		return nil, fmt.Errorf("count units: %w", err)
	}
	rows, err := db.r.QueryContext(ctx, `SELECT code, name, level, COALESCE(parent, ''), placeholder FROM units`)
	if err != nil {
		return nil, fmt.Errorf("load units: %w", err)
	}
	defer rows.Close()
	out := make([]units.Unit, 0, n)
	for rows.Next() {
		var u units.Unit
		if err := rows.Scan(&u.Code, &u.Name, &u.Level, &u.Parent, &u.Placeholder); err != nil {
			return nil, fmt.Errorf("load units: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// treeRecheck is how long a server trusts its in-memory tree before asking
// the database whether another server changed it.
const treeRecheck = time.Second

// Tree returns the in-memory index of the unit tree, rebuilt when the
// database's version has moved on.
func (db *DB) Tree(ctx context.Context) (*units.Tree, error) {
	db.treeMu.Lock()
	defer db.treeMu.Unlock()
	if db.tree != nil && time.Since(db.treeChecked) < treeRecheck {
		return db.tree, nil
	}
	v, err := db.UnitsVersion(ctx)
	if err != nil {
		return nil, err
	}
	if db.tree == nil || db.tree.Version() != v {
		all, err := db.LoadUnits(ctx)
		if err != nil {
			return nil, err
		}
		db.tree = units.NewTree(v, all)
	}
	db.treeChecked = time.Now()
	return db.tree, nil
}

// ImportStats says what an import changed.
type ImportStats struct {
	Read      int // units in the files
	Added     int // units new to the database
	Renamed   int // units whose name or placeholder mark changed
	Unchanged int
}

// Progress is told how many of total units have been written.
type Progress func(done, total int)

// ImportUnits writes a validated tree in one transaction: new units are
// added, known ones renamed, none duplicated and none removed. Either every
// unit is written or none is.
func (db *DB) ImportUnits(ctx context.Context, actor Actor, all []units.Unit, progress Progress) (ImportStats, error) {
	st := ImportStats{Read: len(all)}
	err := db.Write(ctx, actor, func(tx *Tx) error {
		known, err := tx.knownUnits(ctx)
		if err != nil {
			return err
		}
		var changed []units.Unit
		for _, u := range all {
			k, ok := known[u.Code]
			switch {
			case !ok:
				st.Added++
				changed = append(changed, u)
			case k.Name != u.Name || k.Placeholder != u.Placeholder:
				st.Renamed++
				changed = append(changed, u)
			default:
				st.Unchanged++
			}
		}
		if err := tx.upsertUnits(ctx, changed, progress); err != nil {
			return err
		}
		if len(changed) > 0 {
			if err := tx.bumpUnitsVersion(ctx); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, audit.Record{
			Action: "units.import", Entity: "units", EntityID: "tree",
			After: audit.JSON(st),
		})
	})
	return st, err
}

type knownUnit struct {
	Name        string
	Placeholder bool
}

func (tx *Tx) knownUnits(ctx context.Context) (map[string]knownUnit, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT code, name, placeholder FROM units`)
	if err != nil {
		return nil, fmt.Errorf("read units: %w", err)
	}
	defer rows.Close()
	known := map[string]knownUnit{}
	for rows.Next() {
		var c string
		var k knownUnit
		if err := rows.Scan(&c, &k.Name, &k.Placeholder); err != nil {
			return nil, err
		}
		known[c] = k
	}
	return known, rows.Err()
}

// upsertUnits writes units in multi-row statements, parents before children.
func (tx *Tx) upsertUnits(ctx context.Context, us []units.Unit, progress Progress) error {
	const batch = 500 // 6 parameters a row stays under both databases' limits
	for lo := 0; lo < len(us); lo += batch {
		hi := min(lo+batch, len(us))
		q := make([]byte, 0, 64*(hi-lo)+200)
		q = append(q, "INSERT INTO units (code, name, level, parent, placeholder) VALUES "...)
		args := make([]any, 0, 5*(hi-lo))
		for i, u := range us[lo:hi] {
			if i > 0 {
				q = append(q, ',')
			}
			n := len(args)
			q = fmt.Appendf(q, "($%d,$%d,$%d,$%d,$%d)", n+1, n+2, n+3, n+4, n+5)
			var parent any
			if u.Parent != "" {
				parent = u.Parent
			}
			args = append(args, u.Code, u.Name, int(u.Level), parent, u.Placeholder)
		}
		q = append(q, " ON CONFLICT (code) DO UPDATE SET name = excluded.name, placeholder = excluded.placeholder"...)
		if _, err := tx.exec(ctx, string(q), args...); err != nil {
			return fmt.Errorf("write units %s…: %w", us[lo].Code, err)
		}
		if progress != nil {
			progress(hi, len(us))
		}
	}
	return nil
}

// CountUnitsSQL counts the units below code with a query, without the
// in-memory tree; benchmarks compare it with the tree.
func (db *DB) CountUnitsSQL(ctx context.Context, code string) (int, error) {
	var n int
	var err error
	if code == "" {
		err = db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM units`).Scan(&n)
	} else {
		err = db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM units WHERE code > $1 AND code < $2`, code, code+":").Scan(&n)
	}
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return n, err
}
