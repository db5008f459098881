package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"lighten/internal/audit"
	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/units"
)

// excerpt is 湖南省 with 长沙市 and 益阳市 from the national files.
func excerpt(t *testing.T) []units.Unit {
	t.Helper()
	us, err := units.ReadDir("../../testdata/units/excerpt")
	if err != nil {
		t.Fatal(err)
	}
	return us
}

// tally is the state an import may change: units, tree version, audit.
type tally struct {
	units   []units.Unit
	version int64
	audits  int64
}

func takeTally(t *testing.T, db *store.DB) tally {
	t.Helper()
	ctx := context.Background()
	us, err := db.LoadUnits(ctx)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(us, func(a, b units.Unit) int { return strings.Compare(a.Code, b.Code) })
	v, err := db.UnitsVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n, err := db.VerifyAudit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return tally{us, v, n}
}

func sameTally(t *testing.T, got, want tally) {
	t.Helper()
	if !slices.Equal(got.units, want.units) || got.version != want.version || got.audits != want.audits {
		t.Fatalf("database changed: %d units, version %d, %d audit records; was %d, %d, %d",
			len(got.units), got.version, got.audits, len(want.units), want.version, want.audits)
	}
}

func TestImportUnits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		all := excerpt(t)
		var calls [][2]int
		st, err := db.ImportUnits(ctx, store.System, all, func(done, total int) { calls = append(calls, [2]int{done, total}) })
		if err != nil {
			t.Fatal(err)
		}
		if want := (store.ImportStats{Read: 3385, Added: 3385}); st != want {
			t.Fatalf("stats %+v, want %+v", st, want)
		}
		if len(calls) == 0 || calls[len(calls)-1] != [2]int{3385, 3385} {
			t.Fatalf("progress %v", calls)
		}
		for i := 1; i < len(calls); i++ {
			if calls[i][0] < calls[i-1][0] || calls[i][1] != 3385 {
				t.Fatalf("progress goes back: %v", calls)
			}
		}
		first := takeTally(t, db)
		stored := slices.Clone(all)
		slices.SortFunc(stored, func(a, b units.Unit) int { return strings.Compare(a.Code, b.Code) })
		if !slices.Equal(first.units, stored) {
			t.Fatal("stored units differ from the imported ones")
		}
		if first.version != 1 || first.audits != 1 {
			t.Fatalf("version %d, %d audit records after the first import", first.version, first.audits)
		}
		var rec audit.Record
		db.EachAudit(ctx, func(r audit.Record) error { rec = r; return nil })
		var recorded store.ImportStats
		if err := json.Unmarshal(rec.After, &recorded); err != nil || rec.Action != "units.import" || recorded != st {
			t.Fatalf("audit %s %s: %v", rec.Action, rec.After, err)
		}

		// Re-running changes nothing but the audit.
		calls = nil
		st, err = db.ImportUnits(ctx, store.System, all, func(done, total int) { calls = append(calls, [2]int{done, total}) })
		if err != nil || st != (store.ImportStats{Read: 3385, Unchanged: 3385}) {
			t.Fatalf("re-import: %+v %v", st, err)
		}
		if !slices.Equal(calls, [][2]int{{3385, 3385}}) {
			t.Fatalf("progress of an import with nothing to write: %v", calls)
		}
		again := takeTally(t, db)
		first.audits++
		sameTally(t, again, first)

		// A renamed unit, a unit that became a placeholder, and a new one.
		next := slices.Clone(all)
		i := slices.IndexFunc(next, func(u units.Unit) bool { return u.Code == "430922" })
		next[i].Name = "桃江縣"
		j := slices.IndexFunc(next, func(u units.Unit) bool { return u.Code == "430102" })
		next[j].Placeholder = true
		next = append(next, units.Unit{Code: "430922112999", Name: "新村", Level: units.Village, Parent: "430922112"})
		st, err = db.ImportUnits(ctx, store.System, next, nil)
		if err != nil || st != (store.ImportStats{Read: 3386, Added: 1, Renamed: 2, Unchanged: 3383}) {
			t.Fatalf("import with changes: %+v %v", st, err)
		}
		tree, err := db.Tree(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if u, _ := tree.Get("430922"); u.Name != "桃江縣" {
			t.Fatalf("renamed unit %+v", u)
		}
		if u, _ := tree.Get("430102"); !u.Placeholder {
			t.Fatalf("remarked unit %+v", u)
		}
		before := 0
		for _, u := range all {
			if u.Parent == "430922112" {
				before++
			}
		}
		if c := tree.SubtreeCounts("430922112"); c[units.Village] != before+1 {
			t.Fatalf("桃花江镇 has %d villages, want %d and the new one", c[units.Village], before)
		}
		if v, _ := db.UnitsVersion(ctx); v != 2 {
			t.Fatalf("version %d after a changing import, want 2", v)
		}
	})
}

// A failure anywhere in the import leaves the database as it was: no
// units, no version bump, no audit record.
func TestImportUnitsAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		all := excerpt(t)
		empty := takeTally(t, db)

		// The database refuses a row after the first thousand were written.
		bad := slices.Clone(all)
		bad = append(bad, units.Unit{Code: "430922112998", Name: "坏村", Level: 9, Parent: "430922112"})
		if _, err := db.ImportUnits(ctx, store.System, bad, nil); err == nil {
			t.Fatal("a unit of level 9 was accepted")
		}
		sameTally(t, takeTally(t, db), empty)

		// Cancelled after writing had begun, on an empty and a full table.
		cancelled := func(list []units.Unit) error {
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			_, err := db.ImportUnits(ctx, store.System, list, func(done, total int) { cancel() })
			return err
		}
		if err := cancelled(all); !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled import: %v", err)
		}
		sameTally(t, takeTally(t, db), empty)

		if _, err := db.ImportUnits(ctx, store.System, all, nil); err != nil {
			t.Fatal(err)
		}
		full := takeTally(t, db)
		changed := slices.Clone(all)
		for i := range changed {
			changed[i].Name += "（改）"
		}
		if err := cancelled(changed); !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled re-import: %v", err)
		}
		sameTally(t, takeTally(t, db), full)
	})
}

// Imports running at once neither duplicate a unit nor fail on each other.
func TestImportUnitsConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		all := excerpt(t)
		var wg sync.WaitGroup
		stats := make([]store.ImportStats, 3)
		errs := make([]error, 3)
		for i := range stats {
			wg.Go(func() { stats[i], errs[i] = db.ImportUnits(ctx, store.System, all, nil) })
		}
		wg.Wait()
		added := 0
		for i, err := range errs {
			if err != nil {
				t.Fatalf("import %d: %v", i, err)
			}
			added += stats[i].Added
		}
		if added != len(all) {
			t.Fatalf("added %d in all, want %d: %+v", added, len(all), stats)
		}
		got := takeTally(t, db)
		if len(got.units) != len(all) || got.audits != 3 {
			t.Fatalf("%d units and %d audit records", len(got.units), got.audits)
		}
	})
}

// More units than one COPY progress step and one statement hold.
func TestImportUnitsMany(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		all := excerpt(t)
		all = append(all, units.Unit{Code: "430999", Name: "试验县", Level: units.County, Parent: "4309"})
		for s := 0; len(all) < 25000; s++ {
			street := fmt.Sprintf("430999%03d", s)
			all = append(all, units.Unit{Code: street, Name: fmt.Sprintf("第%d镇", s), Level: units.Township, Parent: "430999"})
			for v := range 300 {
				all = append(all, units.Unit{Code: fmt.Sprintf("%s%03d", street, v), Name: fmt.Sprintf("第%d村", v), Level: units.Village, Parent: street})
			}
		}
		// Parents before children, as ReadFS orders them.
		slices.SortStableFunc(all, func(a, b units.Unit) int { return int(a.Level - b.Level) })
		var last [2]int
		steps := 0
		st, err := db.ImportUnits(ctx, store.System, all, func(done, total int) { last = [2]int{done, total}; steps++ })
		if err != nil {
			t.Fatal(err)
		}
		if st.Added != len(all) || last != [2]int{len(all), len(all)} || steps < 2 {
			t.Fatalf("stats %+v, last progress %v after %d steps", st, last, steps)
		}
		if n, err := db.CountUnitsSQL(ctx, ""); err != nil || n != len(all) {
			t.Fatalf("%d units stored (%v), want %d", n, err, len(all))
		}
	})
}
