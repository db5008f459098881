package store_test

import (
	"context"
	"testing"

	"lighten/internal/collect"
	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/units"
)

// On PostgreSQL, ids come from a sequence and transactions commit in any
// order: values of a transaction that commits after a later one, with
// smaller ids, still reach the fresh-value sets. (SQLite has one writer.)
func TestKnownOutOfOrderCommits(t *testing.T) {
	db := storetest.Open(t, store.Postgres, store.Options{})
	ctx := context.Background()
	if _, err := db.ImportUnits(ctx, store.System, villages(3), nil); err != nil {
		t.Fatal(err)
	}
	err := db.Write(ctx, store.System, func(tx *store.Tx) error {
		office := units.Office{UnitCode: "430922", Name: "桃江县统计局"}
		if err := tx.CreateOffice(ctx, &office); err != nil {
			return err
		}
		return tx.SaveElement(ctx, &collect.Element{Code: "E1", Name: "户数", Type: collect.Integer, Period: collect.Year, Owner: office.ID, Status: collect.Approved})
	})
	if err != nil {
		t.Fatal(err)
	}
	dict, err := db.Dictionary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := db.Tree(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e := dict.Elements["E1"]
	has := func(when, unit string, want bool) {
		t.Helper()
		known, err := db.Known(ctx, e, "2026")
		if err != nil {
			t.Fatal(err)
		}
		p, _ := tree.Pos(unit)
		if known.Has(p) != want {
			t.Fatalf("%s: %s known %v, want %v", when, unit, known.Has(p), want)
		}
	}
	write := func(unit string) func(*store.Tx) error {
		return func(tx *store.Tx) error {
			return tx.WriteValues(ctx, unit, 0, "report", []store.Value{{Element: "E1", Period: "2026", Value: "7"}})
		}
	}
	has("before any value", "430922112001", false)

	// The first transaction takes its ids and waits; a second one takes
	// larger ids and commits; the sets catch up while the first is open.
	wrote, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- db.Write(ctx, store.System, func(tx *store.Tx) error {
			if err := write("430922112001")(tx); err != nil {
				return err
			}
			close(wrote)
			<-release
			return nil
		})
	}()
	<-wrote
	if err := db.Write(ctx, store.System, write("430922112002")); err != nil {
		t.Fatal(err)
	}
	has("the later transaction committed", "430922112002", true)
	has("the earlier transaction still open", "430922112001", false)
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	has("the earlier transaction committed after", "430922112001", true)
	has("the earlier transaction committed after", "430922112002", true)
}
