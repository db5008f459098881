package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/visits"
)

type quicknetRound struct {
	Round      uint64 `json:"round"`
	Randomness string `json:"randomness"`
	Signature  string `json:"signature"`
}

// quicknetRounds are published rounds of drand quicknet, recorded from
// drand's public API (the visits package's fixture).
func quicknetRounds(t *testing.T) map[uint64]quicknetRound {
	t.Helper()
	b, err := os.ReadFile("../visits/testdata/drand-quicknet-rounds.json")
	if err != nil {
		t.Fatal(err)
	}
	var rs []quicknetRound
	if err := json.Unmarshal(b, &rs); err != nil {
		t.Fatal(err)
	}
	out := map[uint64]quicknetRound{}
	for _, r := range rs {
		out[r.Round] = r
	}
	return out
}

// With a beacon, a draw commits to the first quicknet round published five
// minutes or more after it; the draw is refused before that round and with
// anything but the round's valid signature; its public value is the round's
// randomness, and the revealed record verifies.
func TestDrawTakesItsValueFromTheCommittedBeaconRound(t *testing.T) {
	t.Parallel()
	rounds := quicknetRounds(t)
	want := rounds[12040883]
	at := time.Unix(visits.Quicknet.Genesis+3*int64(want.Round-1), 0)
	for _, k := range storetest.Kinds {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			c := &clock{t: at.Add(-visits.BeaconLead)}
			db := storetest.Open(t, k, store.Options{Now: c.now, Beacon: &visits.Quicknet})
			ctx := context.Background()
			f := setUpVisits(t, ctx, db)
			var pool []string
			for i := 1; i <= 10; i++ {
				pool = append(pool, fmt.Sprintf("430922112%03d", i))
			}
			var rec *store.DrawRecord
			err := db.Write(ctx, store.System, func(tx *store.Tx) error {
				var err error
				rec, err = tx.CreateDraw(ctx, f.offA.ID, &visits.Draw{Plan: "ADHOC-BEACON", MinPerTier: 1,
					Tiers: []visits.Tier{{Name: "all", Rate: 0.3, Units: pool}}}, at.Add(24*time.Hour))
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			b := rec.Draw.Beacon
			if b == nil || b.Round != want.Round || b.Chain != visits.Quicknet.Chain || !b.Time().Equal(at) {
				t.Fatalf("committed to %+v", b)
			}
			stored, _ := db.DrawByID(ctx, rec.ID)
			if stored.Draw.Beacon == nil || stored.Draw.Beacon.Round != want.Round || stored.Draw.Commitment != rec.Draw.Commitment {
				t.Fatalf("stored %+v", stored.Draw)
			}
			run := func(value string) error {
				r, err := db.DrawByID(ctx, rec.ID)
				if err != nil {
					t.Fatal(err)
				}
				return db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.RunDraw(ctx, r, value) })
			}
			c.t = at.Add(-time.Second)
			var se *store.StateError
			if err := run(want.Signature); !errors.As(err, &se) || se.Key != "store.draws.beacon_early" {
				t.Fatalf("before the round: %v", err)
			}
			c.t = at.Add(time.Minute)
			other := rounds[5358915]
			for value, key := range map[string]string{
				other.Signature: "beacon_bad",
				"福利彩票 2026101期": "beacon_value",
				`{"round":5358915,"signature":"` + other.Signature + `"}`: "beacon_round",
			} {
				var ve *visits.ValidationError
				if err := run(value); !errors.As(err, &ve) || ve.Field != "value" || !strings.HasSuffix(ve.Key, key) {
					t.Fatalf("%q: %v, want %s", value, err, key)
				}
			}
			if err := run(`{"round":12040883,"randomness":"` + want.Randomness + `","signature":"` + want.Signature + `"}`); err != nil {
				t.Fatal(err)
			}
			got, _ := db.DrawByID(ctx, rec.ID)
			if got.Status != "drawn" || got.Draw.PublicValue != want.Randomness || got.Draw.Beacon.Signature != want.Signature {
				t.Fatalf("drawn %+v", got.Draw)
			}
			c.t = at.Add(48 * time.Hour)
			if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.RevealDraw(ctx, got) }); err != nil {
				t.Fatal(err)
			}
			got, _ = db.DrawByID(ctx, rec.ID)
			if err := visits.Verify(&got.Draw); err != nil {
				t.Fatalf("the revealed record does not verify: %v", err)
			}
		})
	}
}
