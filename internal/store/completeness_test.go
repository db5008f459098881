package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"lighten/internal/gate"
	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/units"
)

// complTree: two provinces, each two cities of two counties of two
// townships of n villages; extra adds a village to the start of every
// township, which moves every position after it.
func complTree(n int, extra bool) []units.Unit {
	var us []units.Unit
	for p := 1; p <= 2; p++ {
		pc := fmt.Sprintf("%02d", 40+p)
		us = append(us, units.Unit{Code: pc, Name: "省" + pc, Level: units.Province})
		for c := 1; c <= 2; c++ {
			cc := fmt.Sprintf("%s%02d", pc, c)
			us = append(us, units.Unit{Code: cc, Name: "市" + cc, Level: units.City, Parent: pc})
			for k := 1; k <= 2; k++ {
				kc := fmt.Sprintf("%s%02d", cc, k)
				us = append(us, units.Unit{Code: kc, Name: "县" + kc, Level: units.County, Parent: cc})
				for w := 1; w <= 2; w++ {
					wc := fmt.Sprintf("%s%03d", kc, w)
					us = append(us, units.Unit{Code: wc, Name: "镇" + wc, Level: units.Township, Parent: kc})
					from := 1
					if extra {
						from = 0
					}
					for v := from; v <= n; v++ {
						vc := fmt.Sprintf("%s%03d", wc, v)
						us = append(us, units.Unit{Code: vc, Name: "村" + vc, Level: units.Village, Parent: wc})
					}
				}
			}
		}
	}
	return us
}

// The counts from the sets kept in memory are those the SQL groups, for
// every unit and with lines per child, as submissions arrive through this
// server and another sharing the database, and after the tree changes.
func TestCompletenessSetsAgreeWithSQL(t *testing.T) {
	for _, k := range storetest.Kinds {
		t.Run(string(k), func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, k)
			a, err := store.Open(ctx, dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			b, err := store.Open(ctx, dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			const n = 6
			if _, err := a.ImportUnits(ctx, store.System, complTree(n, false), nil); err != nil {
				t.Fatal(err)
			}
			tree, err := a.Tree(ctx)
			if err != nil {
				t.Fatal(err)
			}
			due := time.Date(2026, 5, 1, 18, 0, 0, 0, time.UTC)
			villages := tree.Under(units.Village, "")
			var listed []string
			for i, v := range villages {
				if i%3 == 0 {
					listed = append(listed, v.Code)
				}
			}
			listed = append(listed, "4101", "410101001") // a city and a township too
			var reports []*store.DemandRecord
			err = a.Write(ctx, store.System, func(tx *store.Tx) error {
				o := units.Office{UnitCode: "41", Name: "省政府办公厅"}
				if err := tx.CreateOffice(ctx, &o); err != nil {
					return err
				}
				for _, tg := range []gate.Targets{
					{Level: units.Village, Under: ""},
					{Level: units.Village, Under: "4102"},
					{Units: listed},
				} {
					d := &gate.Demand{OfficeID: o.ID, IssuerUnit: "41", Kind: gate.Report, Title: "统计", Targets: tg, Due: due}
					if err := tx.CreateDemand(ctx, d); err != nil {
						return err
					}
					reports = append(reports, &store.DemandRecord{Demand: *d})
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, uint64(len(k))))
			key := 0
			submit := func(db *store.DB, count int) {
				t.Helper()
				for range count {
					d := reports[rng.IntN(len(reports))]
					var code string
					if d.Targets.Spec() {
						us := tree.Under(d.Targets.Level, d.Targets.Under)
						code = us[rng.IntN(len(us))].Code
					} else {
						code = d.Targets.Units[rng.IntN(len(d.Targets.Units))]
					}
					at := due.Add(time.Duration(rng.IntN(48)-40) * time.Hour) // a sixth late
					if rng.IntN(20) == 0 {
						at = due // on time, just
					}
					key++
					if err := db.Exec(ctx, `INSERT INTO submissions (demand_id, unit_code, client_key, person_id, at, n_values) VALUES ($1, $2, $3, 0, $4, 1)`,
						d.ID, code, fmt.Sprintf("k%d", key), at); err != nil {
						t.Fatal(err)
					}
				}
			}
			check := func(when string) {
				t.Helper()
				tree, err := a.Tree(ctx)
				if err != nil {
					t.Fatal(err)
				}
				unders := []string{""}
				for l := units.Province; l.Valid(); l++ {
					for _, u := range tree.Under(l, "") {
						if l < units.Township || rng.IntN(4) == 0 {
							unders = append(unders, u.Code)
						}
					}
				}
				unders = append(unders, "4199") // no such unit
				for _, db := range []*store.DB{a, b} {
					for _, d := range reports {
						for _, under := range unders {
							for _, children := range []bool{false, true} {
								top, lines, err := db.Completeness(ctx, d, under, children)
								if err != nil {
									t.Fatal(err)
								}
								wTop, wLines, err := db.CompletenessSQL(ctx, d, under, children)
								if err != nil {
									t.Fatal(err)
								}
								if top != wTop || !reflect.DeepEqual(lines, wLines) {
									t.Fatalf("%s: report %d under %q (children %v):\n sets %+v %+v\n sql  %+v %+v", when, d.ID, under, children, top, lines, wTop, wLines)
								}
							}
						}
					}
				}
			}
			check("none submitted")
			submit(a, 150)
			check("first submissions")
			submit(a, 150) // corrections among them
			check("more from this server")
			submit(b, 150)
			check("more from another server")
			// A submission from a unit not in the tree counts, as in SQL.
			if err := b.Exec(ctx, `INSERT INTO submissions (demand_id, unit_code, client_key, person_id, at, n_values) VALUES ($1, '419999001001', 'gone', 0, $2, 1)`,
				reports[0].ID, due); err != nil {
				t.Fatal(err)
			}
			check("a unit gone")
			if _, err := a.ImportUnits(ctx, store.System, complTree(n, true), nil); err != nil {
				t.Fatal(err)
			}
			// Each server sees the new tree within a second (it asks the
			// database for the tree's version at most once a second); until
			// it does, its counts and the SQL's may be taken on different
			// trees.
			v, err := a.UnitsVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, db := range []*store.DB{a, b} {
				for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
					tree, err := db.Tree(ctx)
					if err != nil {
						t.Fatal(err)
					}
					if tree.Version() == v {
						break
					}
					if time.Now().After(deadline) {
						t.Fatalf("a server still has tree version %d, not %d", tree.Version(), v)
					}
				}
			}
			check("the tree imported again")
			submit(b, 100)
			submit(a, 100)
			check("after the import")
			// A report whose due time moves counts again from it.
			reports[0].Due = due.Add(-24 * time.Hour)
			check("due moved")
		})
	}
}
