package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"lighten/internal/calendar"
	"lighten/internal/collect"
	"lighten/internal/gate"
	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/units"
)

func villages(n int) []units.Unit {
	us := []units.Unit{
		{Code: "43", Name: "湖南省", Level: units.Province},
		{Code: "4309", Name: "益阳市", Level: units.City, Parent: "43"},
		{Code: "430922", Name: "桃江县", Level: units.County, Parent: "4309"},
		{Code: "430922112", Name: "桃花江镇", Level: units.Township, Parent: "430922"},
	}
	for i := 1; i <= n; i++ {
		us = append(us, units.Unit{Code: fmt.Sprintf("430922112%03d", i), Name: fmt.Sprintf("村%d", i), Level: units.Village, Parent: "430922112"})
	}
	return us
}

// No unit is ever asked for a value the store holds valid for it, and what
// units submit prefills the next report.
func TestPrefillNeverAsksWhatIsHeld(t *testing.T) {
	db := storetest.Open(t, store.SQLite, store.Options{})
	ctx := context.Background()
	if _, err := db.ImportUnits(ctx, store.System, villages(12), nil); err != nil {
		t.Fatal(err)
	}
	var office units.Office
	codes := []string{"E1", "E2", "E3", "E4", "E5"}
	err := db.Write(ctx, store.System, func(tx *store.Tx) error {
		office = units.Office{UnitCode: "430922", Name: "桃江县统计局"}
		if err := tx.CreateOffice(ctx, &office); err != nil {
			return err
		}
		for _, c := range codes {
			e := &collect.Element{Code: c, Name: "数据元" + c, Type: collect.Integer, Period: collect.Year, Owner: office.ID, Status: collect.Approved}
			if err := tx.SaveElement(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	due := calendar.Default().AddWorkdays(calendar.DateOf(time.Now()), 10).Time().Add(10 * time.Hour)
	period := collect.PeriodOf(collect.Year, due)
	held := map[string]bool{} // unit/element
	rapid.Check(t, func(rt *rapid.T) {
		// Units report some values.
		n := rapid.IntRange(0, 6).Draw(rt, "writes")
		for i := 0; i < n; i++ {
			unit := fmt.Sprintf("430922112%03d", rapid.IntRange(1, 12).Draw(rt, "unit"))
			el := rapid.SampledFrom(codes).Draw(rt, "element")
			err := db.Write(ctx, store.System, func(tx *store.Tx) error {
				return tx.WriteValues(ctx, unit, 0, "report", []store.Value{{Element: el, Period: period, Value: "1"}})
			})
			if err != nil {
				rt.Fatal(err)
			}
			held[unit+"/"+el] = true
		}
		// A new report asks some elements of every village.
		ask := rapid.SliceOfNDistinct(rapid.SampledFrom(codes), 1, 5, rapid.ID[string]).Draw(rt, "ask")
		d := &gate.Demand{OfficeID: office.ID, IssuerUnit: "430922", Kind: gate.Report, Title: "统计", Due: due,
			Targets: gate.Targets{Level: units.Village, Under: "430922"}}
		for _, c := range ask {
			d.Asks.Fields = append(d.Asks.Fields, gate.Field{Name: c, Element: c})
		}
		res, err := db.CheckDemand(ctx, d)
		if err != nil {
			rt.Fatal(err)
		}
		allKnown := true
		for i, u := range res.Units {
			want := 0
			for _, c := range ask {
				if !held[u.Code+"/"+c] {
					want += 3
					allKnown = false
				}
			}
			if res.PerUnit[i] != want {
				rt.Fatalf("%s is asked %d minutes, want %d (ask %v)", u.Code, res.PerUnit[i], want, ask)
			}
		}
		if res.Answered != allKnown {
			rt.Fatalf("answered %v, want %v", res.Answered, allKnown)
		}
	})
}

// Known builds the sets of every element of a period in one pass; what it
// answers agrees, before and after further writes (by this server and by
// another one sharing the database), with asking the database element by
// element, freshness included.
func TestKnownOnePassAgrees(t *testing.T) {
	for _, k := range storetest.Kinds {
		t.Run(string(k), func(t *testing.T) {
			ctx := context.Background()
			now := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
			clock := func() time.Time { return now }
			dsn := storetest.DSN(t, k)
			db, err := store.Open(ctx, dsn, store.Options{Now: clock})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			other, err := store.Open(ctx, dsn, store.Options{Now: clock}) // another server
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			if _, err := db.ImportUnits(ctx, store.System, villages(12), nil); err != nil {
				t.Fatal(err)
			}
			codes := []string{"E1", "E2", "E3", "E4"}
			err = db.Write(ctx, store.System, func(tx *store.Tx) error {
				office := units.Office{UnitCode: "430922", Name: "桃江县统计局"}
				if err := tx.CreateOffice(ctx, &office); err != nil {
					return err
				}
				for _, c := range codes {
					e := &collect.Element{Code: c, Name: "数据元" + c, Type: collect.Integer, Period: collect.Year, Owner: office.ID, Status: collect.Approved}
					if c == "E3" {
						e.ValidDays = 30 // values older than 30 days are stale
					}
					if err := tx.SaveElement(ctx, e); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			write := func(db *store.DB, unit, el, period string) {
				t.Helper()
				err := db.Write(ctx, store.System, func(tx *store.Tx) error {
					return tx.WriteValues(ctx, unit, 0, "report", []store.Value{{Element: el, Period: period, Value: "1"}})
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			v := func(i int) string { return fmt.Sprintf("430922112%03d", i) }
			// E3 of village 6 is stale by now; E4 has no value at first.
			now = now.AddDate(0, 0, -40)
			write(db, v(6), "E3", "2026")
			now = now.AddDate(0, 0, 40)
			for i := 1; i <= 4; i++ {
				write(db, v(i), "E1", "2026")
			}
			write(db, v(5), "E2", "2026")
			write(db, v(7), "E3", "2026")
			write(db, v(8), "E1", "2025") // another period
			check := func(when string) {
				t.Helper()
				tree, err := db.Tree(ctx)
				if err != nil {
					t.Fatal(err)
				}
				dict, err := db.Dictionary(ctx)
				if err != nil {
					t.Fatal(err)
				}
				for _, period := range []string{"2026", "2025"} {
					for _, c := range codes {
						e := dict.Elements[c]
						known, err := db.Known(ctx, e, period)
						if err != nil {
							t.Fatal(err)
						}
						for i := 1; i <= 12; i++ {
							vals, err := db.UnitValues(ctx, v(i), map[string]string{c: period})
							if err != nil {
								t.Fatal(err)
							}
							p, _ := tree.Pos(v(i))
							_, want := vals[c]
							if known.Has(p) != want {
								t.Errorf("%s: %s %s of %s: known %v, held fresh %v", when, c, period, v(i), known.Has(p), want)
							}
						}
					}
				}
			}
			check("first")
			write(db, v(9), "E4", "2026")     // an element the period had no value of
			write(db, v(1), "E1", "2026")     // a correction
			write(other, v(10), "E2", "2026") // written by another server
			write(other, v(11), "E1", "2025")
			check("after writes")
		})
	}
}

// A revoked API token or an ended session stops working at once on the
// server that revoked it, and within AuthCacheTTL on another server.
func TestAuthCacheForgetsRevoked(t *testing.T) {
	for _, k := range storetest.Kinds {
		t.Run(string(k), func(t *testing.T) {
			ctx := context.Background()
			now := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
			clock := func() time.Time { return now }
			dsn := storetest.DSN(t, k)
			db, err := store.Open(ctx, dsn, store.Options{Now: clock})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			other, err := store.Open(ctx, dsn, store.Options{Now: clock})
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			if _, err := db.ImportUnits(ctx, store.System, villages(1), nil); err != nil {
				t.Fatal(err)
			}
			var p units.Person
			var secrets []string
			var ids []int64
			var session string
			err = db.Write(ctx, store.System, func(tx *store.Tx) error {
				var err error
				if p, err = tx.CreatePerson(ctx, store.NewPerson{Login: "cadre", Name: "村干部", UnitCode: "430922112001",
					Grants: []units.Grant{{Role: units.RoleCadre, UnitCode: "430922112001"}}}); err != nil {
					return err
				}
				for i := 0; i < 2; i++ {
					tok, secret, err := tx.CreateAPIToken(ctx, p, fmt.Sprintf("phone %d", i), 0)
					if err != nil {
						return err
					}
					secrets, ids = append(secrets, secret), append(ids, tok.ID)
				}
				session, err = tx.CreateSession(ctx, p, "password")
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []*store.DB{db, other} {
				for _, secret := range secrets {
					if got, err := s.PersonByAPIToken(ctx, secret); err != nil || got.ID != p.ID || len(got.Grants) != 1 {
						t.Fatalf("token: %+v %v", got, err)
					}
				}
				if _, err := s.PersonBySession(ctx, session); err != nil {
					t.Fatal(err)
				}
			}
			// Revoked here: refused here at once, on the other server once
			// what it read is older than AuthCacheTTL.
			err = db.Write(ctx, store.System, func(tx *store.Tx) error {
				if err := tx.RevokeAPIToken(ctx, p, ids[0]); err != nil {
					return err
				}
				return tx.EndSession(ctx, p, session)
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.PersonByAPIToken(ctx, secrets[0]); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("revoked token still works on the server that revoked it: %v", err)
			}
			if _, err := db.PersonBySession(ctx, session); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("ended session still works on the server that ended it: %v", err)
			}
			if _, err := db.PersonByAPIToken(ctx, secrets[1]); err != nil {
				t.Errorf("the other token: %v", err)
			}
			now = now.Add(store.AuthCacheTTL)
			if _, err := other.PersonByAPIToken(ctx, secrets[0]); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("revoked token works on another server after %v: %v", store.AuthCacheTTL, err)
			}
			if _, err := other.PersonBySession(ctx, session); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("ended session works on another server after %v: %v", store.AuthCacheTTL, err)
			}
			// Taking a role away shows at once too.
			if got, err := db.PersonByAPIToken(ctx, secrets[1]); err != nil || len(got.Grants) != 1 {
				t.Fatalf("token: %+v %v", got, err)
			}
			err = db.Write(ctx, store.System, func(tx *store.Tx) error {
				return tx.Revoke(ctx, p, units.Grant{Role: units.RoleCadre, UnitCode: "430922112001"})
			})
			if err != nil {
				t.Fatal(err)
			}
			if got, err := db.PersonByAPIToken(ctx, secrets[1]); err != nil || len(got.Grants) != 0 {
				t.Errorf("after the role was taken: %+v %v", got, err)
			}
			// Disabling revokes every token.
			err = db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.SetDisabled(ctx, p, true, "离职") })
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.PersonByAPIToken(ctx, secrets[1]); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("a disabled person's token still works: %v", err)
			}
		})
	}
}

// knownAgrees checks that Known answers, for every element, period and
// village, what asking the database unit by unit answers, freshness
// included.
func knownAgrees(t *testing.T, db *store.DB, when string, codes, periods []string, villages int) {
	t.Helper()
	ctx := context.Background()
	tree, err := db.Tree(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dict, err := db.Dictionary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, period := range periods {
		for _, c := range codes {
			known, err := db.Known(ctx, dict.Elements[c], period)
			if err != nil {
				t.Fatal(err)
			}
			for i := 1; i <= villages; i++ {
				unit := fmt.Sprintf("430922112%03d", i)
				vals, err := db.UnitValues(ctx, unit, map[string]string{c: period})
				if err != nil {
					t.Fatal(err)
				}
				p, ok := tree.Pos(unit)
				if !ok {
					t.Fatalf("%s not in the tree", unit)
				}
				_, want := vals[c]
				if known.Has(p) != want {
					t.Errorf("%s: %s %s of %s: known %v, held fresh %v", when, c, period, unit, known.Has(p), want)
				}
			}
		}
	}
}

// A server starting loads the fresh-value sets another server saved and
// catches up from the values written since; it does not use sets saved
// for another tree (positions move when units are imported) or built
// longer than the horizon ago, whose values may have gone stale.
func TestKnownSnapshot(t *testing.T) {
	for _, k := range storetest.Kinds {
		t.Run(string(k), func(t *testing.T) {
			ctx := context.Background()
			now := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
			clock := func() time.Time { return now }
			dsn := storetest.DSN(t, k)
			var open []*store.DB
			server := func() *store.DB {
				t.Helper()
				db, err := store.Open(ctx, dsn, store.Options{Now: clock})
				if err != nil {
					t.Fatal(err)
				}
				open = append(open, db)
				return db
			}
			defer func() {
				for _, db := range open {
					db.Close()
				}
			}()
			sources := func(db *store.DB, when string, loaded, built int) {
				t.Helper()
				if l, b := db.KnownSources(); l != loaded || b != built {
					t.Errorf("%s: sets loaded %d times and built %d times, want %d and %d", when, l, b, loaded, built)
				}
			}
			a := server()
			if _, err := a.ImportUnits(ctx, store.System, villages(12), nil); err != nil {
				t.Fatal(err)
			}
			codes := []string{"E1", "E2", "E3"}
			periods := []string{"2026", "2025"}
			err := a.Write(ctx, store.System, func(tx *store.Tx) error {
				office := units.Office{UnitCode: "430922", Name: "桃江县统计局"}
				if err := tx.CreateOffice(ctx, &office); err != nil {
					return err
				}
				for _, c := range codes {
					e := &collect.Element{Code: c, Name: "数据元" + c, Type: collect.Integer, Period: collect.Year, Owner: office.ID, Status: collect.Approved}
					if c == "E3" {
						e.ValidDays = 30
					}
					if err := tx.SaveElement(ctx, e); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			write := func(db *store.DB, at time.Time, i int, el, period string) {
				t.Helper()
				was := now
				now = at
				defer func() { now = was }()
				err := db.Write(ctx, store.System, func(tx *store.Tx) error {
					return tx.WriteValues(ctx, fmt.Sprintf("430922112%03d", i), 0, "report", []store.Value{{Element: el, Period: period, Value: "1"}})
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			write(a, now.AddDate(0, 0, -40), 6, "E3", "2026")                     // stale already
			write(a, now.AddDate(0, 0, -30).Add(30*time.Minute), 7, "E3", "2026") // stale in 30 minutes
			for i := 1; i <= 4; i++ {
				write(a, now, i, "E1", "2026")
			}
			write(a, now, 5, "E2", "2026")
			write(a, now, 8, "E1", "2025")
			knownAgrees(t, a, "built", codes, periods, 12)
			sources(a, "built", 0, 2)
			a.Close() // waits for the sets to be saved

			// Written after the snapshot, by another server: new values,
			// a correction, a value already stale.
			b, other := server(), server()
			write(other, now, 9, "E2", "2026")
			write(other, now, 1, "E1", "2026")
			write(other, now.AddDate(0, 0, -31), 10, "E3", "2026")
			write(other, now, 11, "E3", "2025")
			knownAgrees(t, b, "loaded", codes, periods, 12)
			sources(b, "loaded", 2, 0)
			write(other, now, 12, "E1", "2026")
			knownAgrees(t, b, "loaded, caught up", codes, periods, 12)

			// The tree imported again with a township whose villages come
			// first: every position moves.
			us := append(villages(12), units.Unit{Code: "430922100", Name: "株木潭镇", Level: units.Township, Parent: "430922"},
				units.Unit{Code: "430922100001", Name: "新村", Level: units.Village, Parent: "430922100"})
			if _, err := other.ImportUnits(ctx, store.System, us, nil); err != nil {
				t.Fatal(err)
			}
			c := server()
			knownAgrees(t, c, "after the tree moved", codes, periods, 12)
			sources(c, "after the tree moved", 0, 2)
			time.Sleep(1100 * time.Millisecond) // b notices the new tree
			knownAgrees(t, b, "after the tree moved, a running server", codes, periods, 12)
			c.Close()
			d := server()
			knownAgrees(t, d, "loaded for the new tree", codes, periods, 12)
			sources(d, "loaded for the new tree", 2, 0)

			// Two hours on: the value of village 7 went stale. Neither a
			// server starting nor one running keeps the hour-old sets.
			now = now.Add(2 * time.Hour)
			e := server()
			knownAgrees(t, e, "two hours on, starting", codes, periods, 12)
			sources(e, "two hours on, starting", 0, 2)
			knownAgrees(t, d, "two hours on, running", codes, periods, 12)
			if loaded, built := d.KnownSources(); loaded+built < 4 { // its own again, or e's
				t.Errorf("a running server kept hour-old sets")
			}

			// 50 minutes later a server in use builds its sets again in the
			// background, answering from the ones it has meanwhile, and
			// saves them; a server starting then loads those.
			now = now.Add(50 * time.Minute)
			write(other, now, 2, "E2", "2026")
			knownAgrees(t, e, "50 minutes on, running", codes, periods, 12)
			e.WaitBackground()
			sources(e, "50 minutes on, rebuilt in the background", 0, 4)
			knownAgrees(t, e, "50 minutes on, rebuilt", codes, periods, 12)
			now = now.Add(20 * time.Minute) // 70 minutes after e first built them
			f := server()
			knownAgrees(t, f, "the background rebuild saved", codes, periods, 12)
			sources(f, "the background rebuild saved", 2, 0)
		})
	}
}
