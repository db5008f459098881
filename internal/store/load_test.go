package store_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"lighten/internal/collect"
	"lighten/internal/gate"
	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/units"
)

// loadDeadline bounds what a test waits for: a hang fails the test rather
// than the suite. Nothing waits for it unless something is stuck.
const loadDeadline = 60 * time.Second

// collectDB is a database of three villages with the element E1 and a
// report on it, and the value of one village written.
func collectDB(t *testing.T, k store.Dialect, opt store.Options) (*store.DB, *collect.Element, *store.DemandRecord) {
	t.Helper()
	db := storetest.Open(t, k, opt)
	ctx := context.Background()
	if _, err := db.ImportUnits(ctx, store.System, villages(3), nil); err != nil {
		t.Fatal(err)
	}
	var rec *store.DemandRecord
	err := db.Write(ctx, store.System, func(tx *store.Tx) error {
		office := units.Office{UnitCode: "430922", Name: "桃江县统计局"}
		if err := tx.CreateOffice(ctx, &office); err != nil {
			return err
		}
		if err := tx.SaveElement(ctx, &collect.Element{Code: "E1", Name: "户数", Type: collect.Integer, Period: collect.Year, Owner: office.ID, Status: collect.Approved}); err != nil {
			return err
		}
		d := &gate.Demand{OfficeID: office.ID, IssuerUnit: "430922", Kind: gate.Report, Title: "统计",
			Targets: gate.Targets{Level: units.Village, Under: "430922"}, Due: time.Date(2026, 5, 1, 18, 0, 0, 0, time.UTC)}
		if err := tx.CreateDemand(ctx, d); err != nil {
			return err
		}
		rec = &store.DemandRecord{Demand: *d}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	dict, err := db.Dictionary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Write(ctx, store.System, writeE1("430922112001", "7")); err != nil {
		t.Fatal(err)
	}
	return db, dict.Elements["E1"], rec
}

func writeE1(unit, value string) func(*store.Tx) error {
	return func(tx *store.Tx) error {
		return tx.WriteValues(context.Background(), unit, 0, "report", []store.Value{{Element: "E1", Period: "2026", Value: value}})
	}
}

// No lock of the store's caches is held while waiting for a connection:
// with every reader's connection taken, each read of a cache that must go
// to the database waits for one, and meanwhile every lock can be taken
// (a commit's hook takes them to forget what changed). A cache that kept
// its lock over the read would hold every request that touches it, and the
// connections those requests hold, until the read got one.
func TestNoLockHeldWaitingForConnection(t *testing.T) {
	t.Parallel()
	for _, k := range storetest.Kinds {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			db, e, rec := collectDB(t, k, store.Options{Readers: 1})
			ctx := context.Background()
			// Warm every cache once.
			if _, err := db.Known(ctx, e, "2026"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := db.Completeness(ctx, rec, "", false); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				name  string
				stale func()
				read  func(context.Context) error
			}{
				{"tree", db.ForgetTree, func(ctx context.Context) error { _, err := db.Tree(ctx); return err }},
				{"dictionary", db.ForgetElements, func(ctx context.Context) error { _, err := db.Dictionary(ctx); return err }},
				{"known values", func() {}, func(ctx context.Context) error { _, err := db.Known(ctx, e, "2026"); return err }},
				{"completeness", func() {}, func(ctx context.Context) error { _, _, err := db.Completeness(ctx, rec, "", false); return err }},
				{"a unit's values (a reader statement prepared)", func() {}, func(ctx context.Context) error {
					_, err := db.UnitValues(ctx, "430922112001", map[string]string{"E1": "2026"})
					return err
				}},
				{"policies", db.ForgetCaches, func(ctx context.Context) error { _, err := db.PolicyTree(ctx); return err }},
				{"budgets", db.ForgetCaches, func(ctx context.Context) error {
					_, err := db.BudgetUsed(ctx, time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))
					return err
				}},
			} {
				t.Run(c.name, func(t *testing.T) {
					ctx, cancel := context.WithTimeout(context.Background(), loadDeadline)
					defer cancel()
					c.stale()
					release, err := db.HoldReaders(ctx, 1)
					if err != nil {
						t.Fatal(err)
					}
					waits := db.ReaderWaits()
					done := make(chan error, 1)
					go func() { done <- c.read(ctx) }()
					for db.ReaderWaits() == waits {
						select {
						case err := <-done:
							release()
							t.Fatalf("the read did not wait for a connection (err %v): the cache was not stale", err)
						case <-ctx.Done():
							release()
							t.Fatal("the read never waited for a connection")
						default:
							runtime.Gosched()
						}
					}
					locked := make(chan struct{})
					go func() { db.TakeLocks(); close(locked) }()
					select {
					case <-locked:
					case <-ctx.Done():
						t.Errorf("a lock is held while the %s read waits for a connection", c.name)
					}
					release()
					if err := <-done; err != nil {
						t.Fatal(err)
					}
				})
			}
		})
	}
}

// Submissions at once on pools of two connections for transactions and
// two for reads, with gate checks' reads and changes to the dictionary
// among them, all finish: no transaction waits for a second connection of
// its own pool (a submission reads the dictionary through its own
// transaction when this server's copy lacks an element).
func TestConcurrentWritesOnSmallPools(t *testing.T) {
	t.Parallel()
	for _, k := range storetest.Kinds {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			db, e, _ := collectDB(t, k, store.Options{Writers: 2, Readers: 2})
			ctx, cancel := context.WithTimeout(context.Background(), loadDeadline)
			defer cancel()
			const n = 100
			errs := make(chan error, 2*n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(2)
				go func() {
					defer wg.Done()
					errs <- db.Write(ctx, store.System, func(tx *store.Tx) error {
						if i%10 == 0 {
							// A new element: every copy of the dictionary lacks it.
							if err := tx.SaveElement(ctx, &collect.Element{Code: fmt.Sprintf("N%d", i), Name: "新", Type: collect.Integer,
								Period: collect.Year, Owner: e.Owner, Status: collect.Approved}); err != nil {
								return err
							}
							return tx.WriteValues(ctx, "430922112002", 0, "report", []store.Value{{Element: fmt.Sprintf("N%d", i), Period: "2026", Value: "1"}})
						}
						return writeE1(fmt.Sprintf("43092211200%d", 1+i%3), fmt.Sprint(i))(tx)
					})
				}()
				go func() {
					defer wg.Done()
					if i%2 == 0 {
						db.ForgetElements()
					}
					_, err := db.Known(ctx, e, "2026")
					errs <- err
				}()
			}
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()
			select {
			case <-done:
			case <-ctx.Done():
				t.Fatalf("concurrent writes still unfinished after %s: the store hangs", loadDeadline)
			}
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			known, err := db.Known(context.Background(), e, "2026")
			if err != nil {
				t.Fatal(err)
			}
			tree, _ := db.Tree(context.Background())
			for _, v := range []string{"430922112001", "430922112002", "430922112003"} {
				if p, _ := tree.Pos(v); !known.Has(p) {
					t.Errorf("%s not known after the writes", v)
				}
			}
		})
	}
}

// On PostgreSQL a rolled-back insert leaves its ids unused for good. The
// fresh-value sets remember the gap and read only its ids again: the values
// written after it are read once, not again at every check until the gap
// is two minutes old (which made gate checks take minutes, all under one
// lock).
func TestKnownAfterRollbackReadsOnlyTheGap(t *testing.T) {
	t.Parallel()
	for _, k := range storetest.Kinds {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			db, e, _ := collectDB(t, k, store.Options{})
			ctx, cancel := context.WithTimeout(context.Background(), loadDeadline)
			defer cancel()
			if _, err := db.Known(ctx, e, "2026"); err != nil {
				t.Fatal(err)
			}
			rolledBack := fmt.Errorf("rolled back")
			if err := db.Write(ctx, store.System, func(tx *store.Tx) error {
				if err := writeE1("430922112002", "8")(tx); err != nil {
					return err
				}
				return rolledBack
			}); err != rolledBack {
				t.Fatal(err)
			}
			const after = 40
			for i := range after {
				if err := db.Write(ctx, store.System, writeE1("430922112003", fmt.Sprint(i))); err != nil {
					t.Fatal(err)
				}
			}
			tree, _ := db.Tree(ctx)
			before := db.CatchUpRows()
			known, err := db.Known(ctx, e, "2026")
			if err != nil {
				t.Fatal(err)
			}
			p2, _ := tree.Pos("430922112002")
			p3, _ := tree.Pos("430922112003")
			if known.Has(p2) || !known.Has(p3) {
				t.Fatalf("after the rollback: 112002 known %v (want false), 112003 %v (want true)", known.Has(p2), known.Has(p3))
			}
			if read := db.CatchUpRows() - before; read != after {
				t.Fatalf("catching up read %d values, want the %d written", read, after)
			}
			for range 3 {
				before = db.CatchUpRows()
				if _, err := db.Known(ctx, e, "2026"); err != nil {
					t.Fatal(err)
				}
				if read := db.CatchUpRows() - before; read != 0 {
					t.Fatalf("a check after them read %d values again, want none: the gap holds the sets back", read)
				}
			}
		})
	}
}
