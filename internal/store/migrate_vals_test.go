package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// Migration 00013 turns the text of every value's time on SQLite into
// microseconds without losing one, and its way down gives the text back.
func TestValsAtMicrosMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "vals.db")
	raw, err := sql.Open("sqlite", "file:"+path+"?_time_format=sqlite")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	db := &DB{Dialect: SQLite, w: raw, URL: path}
	p, err := db.provider()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 12); err != nil {
		t.Fatal(err)
	}
	times := []time.Time{
		time.Date(2026, 11, 27, 9, 42, 36, 123456000, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 500000000, time.FixedZone("CST", 8*3600)),
		time.Date(2025, 12, 31, 23, 59, 59, 999999000, time.UTC),
		time.Date(2026, 6, 1, 0, 0, 0, 1000, time.FixedZone("west", -5*3600)),
	}
	for i, at := range times {
		if _, err := raw.ExecContext(ctx, `INSERT INTO vals (unit_code, element_id, period, value, demand_id, person_id, at, source, current)
			VALUES (?, ?, '2026', 'x', NULL, 1, ?, 'report', TRUE)`, "430922100001", i+1, at); err != nil {
			t.Fatal(err)
		}
	}
	check := func(stage string, want func(int64, time.Time) error) {
		t.Helper()
		var n int
		if err := raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM vals`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != len(times) {
			t.Fatalf("%s: %d values, %d expected", stage, n, len(times))
		}
		for i := range times {
			if err := want(int64(i+1), times[i]); err != nil {
				t.Errorf("%s: value %d: %v", stage, i+1, err)
			}
		}
	}
	micros := func(id int64, at time.Time) error {
		var got any
		if err := raw.QueryRowContext(ctx, `SELECT at FROM vals WHERE id = ?`, id).Scan(&got); err != nil {
			return err
		}
		if got != at.UnixMicro() {
			return fmt.Errorf("%v (%T), %d expected", got, got, at.UnixMicro())
		}
		var back time.Time
		if err := raw.QueryRowContext(ctx, `SELECT at FROM vals WHERE id = ?`, id).Scan(valAt{&back}); err != nil {
			return err
		}
		if !back.Equal(at) {
			return fmt.Errorf("read back as %v, %v expected", back, at)
		}
		return nil
	}
	text := func(id int64, at time.Time) error {
		var got time.Time
		if err := raw.QueryRowContext(ctx, `SELECT at FROM vals WHERE id = ?`, id).Scan(&got); err != nil {
			return err
		}
		if !got.Equal(at) {
			return fmt.Errorf("%v, %v expected", got, at)
		}
		return nil
	}
	if _, err := p.UpTo(ctx, 13); err != nil {
		t.Fatal(err)
	}
	check("up", micros)
	if _, err := p.DownTo(ctx, 12); err != nil {
		t.Fatal(err)
	}
	check("down", text)
	if _, err := p.UpTo(ctx, 13); err != nil {
		t.Fatal(err)
	}
	check("up again", micros)

	// A time SQLite cannot read stops the migration rather than being lost.
	if _, err := p.DownTo(ctx, 12); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.ExecContext(ctx, `UPDATE vals SET at = 'yesterday' WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 13); err == nil {
		t.Fatal("migrated a value whose time is not a time")
	}
	var version int64
	if version, err = p.GetDBVersion(ctx); err != nil || version != 12 {
		t.Fatalf("after the failed migration the schema is at %d (%v), 12 expected", version, err)
	}
}
