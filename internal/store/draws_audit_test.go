package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"lighten/internal/store"
	"lighten/internal/units"
	"lighten/internal/visits"
)

// The three steps of a draw are recorded with the drawing office's county,
// so that an auditor of the county sees them; never with a target.
func TestDrawStepsAuditedUnderTheOfficesCounty(t *testing.T) {
	t.Parallel()
	eachWithClock(t, func(t *testing.T, db *store.DB, c *clock) {
		ctx := context.Background()
		f := setUpVisits(t, ctx, db)
		// An office of a township draws too: its county carries the records.
		town := units.Office{UnitCode: "430922112", Name: "桃花江镇人民政府"}
		if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.CreateOffice(ctx, &town) }); err != nil {
			t.Fatal(err)
		}
		var pool []string
		for i := 1; i <= 10; i++ {
			pool = append(pool, fmt.Sprintf("430922113%03d", i))
		}
		for _, office := range []int64{f.offA.ID, town.ID} {
			var rec *store.DrawRecord
			err := db.Write(ctx, store.System, func(tx *store.Tx) error {
				var err error
				rec, err = tx.CreateDraw(ctx, office, &visits.Draw{Plan: fmt.Sprintf("ADHOC-%d", office), MinPerTier: 1,
					Tiers: []visits.Tier{{Name: "all", Rate: 0.2, Units: pool}}}, c.now().Add(-time.Hour))
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.RunDraw(ctx, rec, "value") }); err != nil {
				t.Fatal(err)
			}
			if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.RevealDraw(ctx, rec) }); err != nil {
				t.Fatal(err)
			}
			recs, err := db.ListAudit(ctx, store.AuditQuery{Scopes: []string{"430922"}, Entity: "draw", EntityID: itoa(rec.ID)})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, r := range recs {
				got[r.Action] = r.UnitCode
			}
			want := map[string]string{"draw.commit": "430922", "draw.run": "430922", "draw.reveal": "430922"}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("office %d: the county auditor sees %v, want %v", office, got, want)
			}
		}
	})
}
