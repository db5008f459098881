package store_test

import (
	"context"
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
