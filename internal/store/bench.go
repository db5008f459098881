package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Bulk loading for benchmarks. Rows go straight into their tables, many a
// statement on SQLite and by COPY on PostgreSQL, without superseding,
// auditing or telling this server's caches: it fills a database with test
// data at the speed of the database, and nothing else should use it. Open
// the database again afterwards so that caches start from what is there.

// BulkValue is one current value for LoadValues.
type BulkValue struct {
	Unit      string
	ElementID int64
	Period    string
	Value     string
	DemandID  int64 // 0 for none
}

// LoadValues writes every value next yields as a current value collected
// by person at at from source, and returns how many it wrote. Each unit,
// element and period must not already hold a current value.
func (db *DB) LoadValues(ctx context.Context, person int64, at time.Time, source string, next func() (BulkValue, bool)) (int64, error) {
	stamp := db.valAt(at.UTC().Truncate(time.Microsecond))
	return db.bulkLoad(ctx, "vals", []string{"unit_code", "element_id", "period", "value", "demand_id", "person_id", "at", "source", "current"},
		func(row []any) bool {
			v, ok := next()
			if !ok {
				return false
			}
			var demand any
			if v.DemandID != 0 {
				demand = v.DemandID
			}
			row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8] = v.Unit, v.ElementID, v.Period, v.Value, demand, person, stamp, source, true
			return true
		})
}

// BulkSubmission is one accepted submission for LoadSubmissions.
type BulkSubmission struct {
	DemandID int64
	Unit     string
	Key      string
	PersonID int64
	At       time.Time
	Values   int
}

// LoadSubmissions records every submission next yields (the submissions
// only: no values, inbox marks or audit records) and returns how many.
func (db *DB) LoadSubmissions(ctx context.Context, next func() (BulkSubmission, bool)) (int64, error) {
	return db.bulkLoad(ctx, "submissions", []string{"demand_id", "unit_code", "client_key", "person_id", "at", "n_values"},
		func(row []any) bool {
			s, ok := next()
			if !ok {
				return false
			}
			row[0], row[1], row[2], row[3], row[4], row[5] = s.DemandID, s.Unit, s.Key, s.PersonID, s.At.UTC().Truncate(time.Microsecond), s.Values
			return true
		})
}

// bulkLoad inserts rows into table until fill reports no more. On
// PostgreSQL it then vacuums and analyses the table, as autovacuum soon
// would after so many inserted rows, so that plans and index-only scans
// see what a server running for a while sees.
func (db *DB) bulkLoad(ctx context.Context, table string, cols []string, fill func(row []any) bool) (int64, error) {
	var n int64
	var err error
	if db.Dialect == Postgres {
		n, err = db.copyIn(ctx, table, cols, fill)
	} else {
		n, err = db.insertMany(ctx, table, cols, fill)
	}
	if err != nil {
		return n, fmt.Errorf("bulk load %s: %w", table, err)
	}
	return n, nil
}

func (db *DB) copyIn(ctx context.Context, table string, cols []string, fill func(row []any) bool) (int64, error) {
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	// A national load is one statement of many minutes: no
	// statement_timeout on this connection until it is done.
	if _, err := conn.ExecContext(ctx, `SET statement_timeout = 0`); err != nil {
		return 0, err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `RESET statement_timeout`)
	var n int64
	err = conn.Raw(func(dc any) error {
		row := make([]any, len(cols))
		src := pgx.CopyFromFunc(func() ([]any, error) {
			if !fill(row) {
				return nil, nil
			}
			return row, nil
		})
		var err error
		n, err = dc.(*stdlib.Conn).Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, src)
		return err
	})
	if err == nil {
		_, err = conn.ExecContext(ctx, `VACUUM ANALYZE `+table)
	}
	return n, err
}

// insertMany writes 100 rows a statement, which SQLite binds fastest with
// "?", and commits every 200,000 rows so that the write-ahead log is
// checkpointed as it goes rather than growing by gigabytes.
func (db *DB) insertMany(ctx context.Context, table string, cols []string, fill func(row []any) bool) (int64, error) {
	const batch, perTx = 100, 200_000
	stmt := func(rows int) string {
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		db.placeholders(&b, rows, len(cols), 1)
		return b.String()
	}
	full := stmt(batch)
	row := make([]any, len(cols))
	args := make([]any, 0, batch*len(cols))
	var n int64
	more := true
	for more {
		tx, err := db.w.BeginTx(ctx, nil)
		if err != nil {
			return n, err
		}
		ps, err := tx.PrepareContext(ctx, full)
		if err != nil {
			tx.Rollback()
			return n, err
		}
		for inTx := 0; inTx < perTx && more; {
			args = args[:0]
			k := 0
			for ; k < batch; k++ {
				if !fill(row) {
					more = false
					break
				}
				args = append(args, row...)
			}
			if k == batch {
				_, err = ps.ExecContext(ctx, args...)
			} else if k > 0 {
				_, err = tx.ExecContext(ctx, stmt(k), args...)
			}
			if err != nil {
				tx.Rollback()
				return n, err
			}
			n += int64(k)
			inTx += k
		}
		ps.Close()
		if err := tx.Commit(); err != nil {
			return n, err
		}
	}
	return n, nil
}
