package web

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"lighten/internal/gate"
	"lighten/internal/store"
	"lighten/internal/units"
	"lighten/internal/visits"
)

// A draw's selection stays sealed from every role until the reveal; after
// it, anyone can verify the draw, and tampering is found.
func TestDrawSealedThenVerifiable(t *testing.T) {
	storetestEach(t, func(t *testing.T, f *fixture) {
		_, _, issuer := f.issuerIn("yingji", "430922")
		tokens := map[string]string{"public": ""}
		for _, p := range authzPrincipals[1:] {
			if p.name != "issuer" {
				_, tokens[p.name] = f.person(p.name, p.unit, p.grants...)
			}
		}
		tokens["issuer"] = issuer
		// A share drawn out of range is refused, naming the tier's field,
		// in both languages.
		status, body := f.do("POST", "/api/v1/draws", issuer, DrawBody{Plan: "2026年第四季度安全生产检查", Level: units.Village, Under: "430922",
			Rate: 1.5, MinPerTier: 1, RevealAfter: time.Now().AddDate(0, 0, 30).Format("2006-01-02")})
		if status != 400 || !strings.Contains(string(body), `"field":"tiers[0].rate"`) || !strings.Contains(string(body), "的抽取比例 1.5 应大于 0 且不超过 1") ||
			!strings.Contains(string(body), "share drawn 1.5 should be above 0 and at most 1") || strings.Contains(string(body), "parameters are wrong") {
			t.Fatalf("rate out of range: %d %s", status, body)
		}
		status, body = f.do("POST", "/api/v1/draws", issuer, DrawBody{Plan: "2026年第四季度安全生产检查", Level: units.Village, Under: "430922",
			Rate: 0.5, MinPerTier: 1, RevealAfter: time.Now().AddDate(0, 0, 30).Format("2006-01-02")})
		rec := decodeJSON[store.DrawRecord](t, body)
		if status != 201 || rec.Draw.Commitment == "" || rec.Status != "committed" {
			t.Fatalf("commit: %d %s", status, body)
		}
		id := itoa(rec.ID)
		if status, _ := f.do("POST", "/api/v1/draws/"+id+"/run", tokens["burden"], PublicValueBody{Value: "x"}); status != 403 {
			t.Fatalf("another office runs the draw: %d", status)
		}
		status, body = f.do("POST", "/api/v1/draws/"+id+"/run", issuer, PublicValueBody{Value: "beacon round 20261127"})
		if got := decodeJSON[store.DrawRecord](t, body); status != 200 || got.Draw.Digest == "" || got.Draw.Selected != nil || got.Draw.Secret != "" {
			t.Fatalf("run: %d %s", status, body)
		}
		// Role by role, nobody learns the targets before the reveal.
		for who, token := range tokens {
			_, body := f.do("GET", "/api/v1/draws/"+id, token, nil)
			got := decodeJSON[store.DrawRecord](t, body)
			if got.Draw.Selected != nil || got.Draw.Secret != "" || strings.Contains(string(body), `"selected":[`) {
				t.Fatalf("%s sees the sealed selection: %s", who, body)
			}
		}
		if status, body := f.do("POST", "/api/v1/draws/"+id+"/reveal", issuer, nil); status != 409 {
			t.Fatalf("revealed before the visits are over: %d %s", status, body)
		}
		// After the window, the office reveals and anyone verifies.
		rev, err := f.db.DrawByID(context.Background(), rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		// The store reads reveal_after from the table: the transaction's
		// clock is moved past it instead.
		if err := f.db.Write(context.Background(), store.System, func(tx *store.Tx) error {
			tx.Now = rev.RevealAfter.Add(time.Hour)
			return tx.RevealDraw(context.Background(), rev)
		}); err != nil {
			t.Fatal(err)
		}
		_, body = f.do("GET", "/api/v1/draws/"+id, "", nil)
		var pub store.DrawRecord
		json.Unmarshal(body, &pub)
		if len(pub.Draw.Selected) != 1 {
			t.Fatalf("revealed: %s", body)
		}
		if err := visits.Verify(&pub.Draw); err != nil {
			t.Fatalf("published draw does not verify: %v", err)
		}
		pub.Draw.PublicValue = "another round"
		if visits.Verify(&pub.Draw) == nil {
			t.Fatal("a changed public value verified")
		}
	})
}

func TestDrawBadInput(t *testing.T) {
	f := newFixture(t, store.SQLite)
	_, _, issuer := f.issuerIn("yingji", "430922")
	due := time.Now().AddDate(0, 1, 0).In(gate.China).Format("2006-01-02")
	for name, c := range map[string]struct {
		b     DrawBody
		field string
	}{
		"no plan":         {DrawBody{Level: units.Village, Under: "430922", Rate: 0.1, RevealAfter: due}, "plan"},
		"rate above one":  {DrawBody{Plan: "p", Level: units.Village, Under: "430922", Rate: 1.5, RevealAfter: due}, "tiers[0].rate"},
		"bad date":        {DrawBody{Plan: "p", Level: units.Village, Under: "430922", Rate: 0.1, RevealAfter: "soon"}, "reveal_after"},
		"unknown subtree": {DrawBody{Plan: "p", Level: units.Village, Under: "430999", Rate: 0.1, RevealAfter: due}, "under"},
	} {
		status, body := f.do("POST", "/api/v1/draws", issuer, c.b)
		if e := decodeJSON[map[string]Error](t, body)["error"]; (status != 400 && status != 404) || e.Field != c.field {
			t.Errorf("%s: %d %s", name, status, body)
		}
	}
	// Outside the issuer's county: refused.
	if status, _ := f.do("POST", "/api/v1/draws", issuer, DrawBody{Plan: "p", Level: units.Village, Under: "430923", Rate: 0.1, RevealAfter: due}); status != 403 {
		t.Errorf("draw outside scope: %d", status)
	}
}
