package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

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

func (tx *Tx) bumpUnitsVersion(ctx context.Context) error { return tx.bump(ctx, "units_version") }

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
//
// The database is read with no lock held, once for all who ask at the
// same time.
func (db *DB) Tree(ctx context.Context) (*units.Tree, error) {
	db.treeMu.Lock()
	t, gen := db.tree, db.treeGen
	fresh := t != nil && time.Since(db.treeChecked) < treeRecheck
	db.treeMu.Unlock()
	if fresh {
		return t, nil
	}
	return flight(ctx, &db.flights, "tree "+strconv.FormatUint(gen, 10), func(ctx context.Context) (*units.Tree, error) {
		v, err := db.UnitsVersion(ctx)
		if err != nil {
			return nil, err
		}
		if t == nil || t.Version() != v {
			all, err := db.LoadUnits(ctx)
			if err != nil {
				return nil, err
			}
			t = units.NewTree(v, all)
		}
		db.treeMu.Lock()
		defer db.treeMu.Unlock()
		if db.treeGen == gen {
			db.tree, db.treeChecked = t, time.Now()
		}
		return t, nil
	})
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
// unit is written or none is. all must list parents before children, as
// units.ReadFS does.
func (db *DB) ImportUnits(ctx context.Context, actor Actor, all []units.Unit, progress Progress) (ImportStats, error) {
	st := ImportStats{Read: len(all)}
	if progress == nil {
		progress = func(int, int) {}
	}
	err := db.writeOnConn(ctx, actor, func(tx *Tx, conn *sql.Conn) error {
		if db.Dialect == Postgres {
			// Other writers wait, readers do not; the known units read next
			// then stay exact, so new ones can be copied without conflicts.
			if _, err := tx.exec(ctx, `LOCK TABLE units IN SHARE ROW EXCLUSIVE MODE`); err != nil {
				return fmt.Errorf("lock units: %w", err)
			}
		}
		known, err := tx.knownUnits(ctx)
		if err != nil {
			return err
		}
		var added, renamed []units.Unit
		if len(known) == 0 {
			added = all
		} else {
			for _, u := range all {
				k, ok := known[u.Code]
				switch {
				case !ok:
					added = append(added, u)
				case k.Name != u.Name || k.Placeholder != u.Placeholder:
					renamed = append(renamed, u)
				}
			}
			clear(known)
		}
		st.Added, st.Renamed = len(added), len(renamed)
		st.Unchanged = len(all) - st.Added - st.Renamed
		done := st.Unchanged
		step := func(n int) {
			done += n
			progress(done, len(all))
		}
		if db.Dialect == Postgres && len(added) > 0 {
			if err := copyUnits(ctx, conn, added, step); err != nil {
				return err
			}
			added = nil
		}
		if err := tx.upsertUnits(ctx, added, step); err != nil {
			return err
		}
		if err := tx.upsertUnits(ctx, renamed, step); err != nil {
			return err
		}
		if st.Added+st.Renamed > 0 {
			if err := tx.bumpUnitsVersion(ctx); err != nil {
				return err
			}
		} else {
			progress(len(all), len(all))
		}
		return tx.Audit(ctx, audit.Record{
			Action: "units.import", Entity: "units", EntityID: "tree",
			After: audit.JSON(st),
		})
	})
	if err != nil && ctx.Err() != nil {
		// Cancelling closes the transaction under the statement running,
		// whose own error would hide why.
		err = ctx.Err()
	}
	if err == nil && st.Added+st.Renamed > 0 {
		// A national import writes some 400 MB of log; leave none behind.
		if terr := db.TruncateLog(ctx); terr != nil {
			slog.Warn("empty the log after the import", "err", terr)
		}
	}
	return st, err
}

// writeOnConn is Write on a connection of its own, so that fn can reach the
// driver (for PostgreSQL's COPY) inside the same transaction.
func (db *DB) writeOnConn(ctx context.Context, actor Actor, fn func(*Tx, *sql.Conn) error) error {
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close()
	sqltx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{tx: sqltx, db: db, Now: db.Now(), Actor: actor}
	if err := fn(tx, conn); err != nil {
		sqltx.Rollback()
		return err
	}
	if err := sqltx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	for _, f := range tx.committed {
		f()
	}
	return nil
}

type knownUnit struct {
	Name        string
	Placeholder bool
}

// knownUnits reads the stored units' names; an empty table, the first
// import, costs one query.
func (tx *Tx) knownUnits(ctx context.Context) (map[string]knownUnit, error) {
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM units`).Scan(&n); err != nil {
		return nil, fmt.Errorf("count units: %w", err)
	}
	if n == 0 {
		return nil, nil
	}
	rows, err := tx.tx.QueryContext(ctx, `SELECT code, name, placeholder FROM units`)
	if err != nil {
		return nil, fmt.Errorf("read units: %w", err)
	}
	defer rows.Close()
	known := make(map[string]knownUnit, n)
	for rows.Next() {
		var c string
		var k knownUnit
		if err := rows.Scan(&c, &k.Name, &k.Placeholder); err != nil {
			return nil, fmt.Errorf("read units: %w", err)
		}
		known[c] = k
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read units: %w", err)
	}
	return known, nil
}

// unitsBatch is the rows of one multi-row statement: 5 parameters a row
// stays well under both databases' limits on parameters.
const unitsBatch = 1000

const upsertUnitsTail = ` ON CONFLICT (code) DO UPDATE SET name = excluded.name, placeholder = excluded.placeholder`

// upsertUnitsSQL is a multi-row upsert of n units. SQLite gets plain "?":
// it looks numbered parameters up by a linear scan on every bind, which
// makes a 1,000-row statement with $N thirty times slower.
func upsertUnitsSQL(d Dialect, n int) string {
	q := make([]byte, 0, 32*n+200)
	q = append(q, "INSERT INTO units (code, name, level, parent, placeholder) VALUES "...)
	for i := range n {
		if i > 0 {
			q = append(q, ',')
		}
		if d == SQLite {
			q = append(q, "(?,?,?,?,?)"...)
			continue
		}
		p := 5*i + 1
		q = fmt.Appendf(q, "($%d,$%d,$%d,$%d,$%d)", p, p+1, p+2, p+3, p+4)
	}
	return string(append(q, upsertUnitsTail...))
}

// upsertUnits writes units in multi-row statements, parents before children,
// preparing the full-batch statement once.
func (tx *Tx) upsertUnits(ctx context.Context, us []units.Unit, step func(int)) error {
	if len(us) == 0 {
		return nil
	}
	var full *sql.Stmt
	if len(us) >= unitsBatch {
		var err error
		if full, err = tx.tx.PrepareContext(ctx, upsertUnitsSQL(tx.db.Dialect, unitsBatch)); err != nil {
			return fmt.Errorf("write units: %w", err)
		}
		defer full.Close()
	}
	args := make([]any, 0, 5*unitsBatch)
	for lo := 0; lo < len(us); lo += unitsBatch {
		hi := min(lo+unitsBatch, len(us))
		args = args[:0]
		for _, u := range us[lo:hi] {
			var parent any
			if u.Parent != "" {
				parent = u.Parent
			}
			args = append(args, u.Code, u.Name, int(u.Level), parent, u.Placeholder)
		}
		var err error
		if hi-lo == unitsBatch {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.exec(ctx, upsertUnitsSQL(tx.db.Dialect, hi-lo), args...)
		}
		if err != nil {
			return fmt.Errorf("write units %s…%s: %w", us[lo].Code, us[hi-1].Code, err)
		}
		step(hi - lo)
	}
	return nil
}

// copyUnits adds units with PostgreSQL's COPY on the transaction's
// connection, several times faster than multi-row INSERT.
func copyUnits(ctx context.Context, conn *sql.Conn, us []units.Unit, step func(int)) error {
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("copy units: unexpected driver connection %T", dc)
		}
		src := &unitRows{us: us, i: -1, step: step}
		n, err := c.Conn().CopyFrom(ctx, pgx.Identifier{"units"},
			[]string{"code", "name", "level", "parent", "placeholder"}, src)
		if err != nil {
			return fmt.Errorf("copy units: %w", err)
		}
		if int(n) != len(us) {
			return fmt.Errorf("copy units: %d of %d written", n, len(us))
		}
		step(src.i - src.told)
		return nil
	})
}

// unitRows feeds units to CopyFrom and reports progress as they go.
type unitRows struct {
	us   []units.Unit
	i    int
	told int
	step func(int)
	row  [5]any
}

// copyStep is how many rows pass between two progress reports.
const copyStep = 10000

func (r *unitRows) Next() bool {
	r.i++
	if r.i-r.told == copyStep {
		r.step(copyStep)
		r.told = r.i
	}
	return r.i < len(r.us)
}

func (r *unitRows) Values() ([]any, error) {
	u := r.us[r.i]
	var parent any
	if u.Parent != "" {
		parent = u.Parent
	}
	r.row = [5]any{u.Code, u.Name, int16(u.Level), parent, u.Placeholder}
	return r.row[:], nil
}

func (r *unitRows) Err() error { return nil }

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
