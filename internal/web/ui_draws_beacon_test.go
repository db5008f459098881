package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/visits"
)

// Round 12040883 of drand quicknet, as drand publishes it (recorded).
const (
	quicknetRound      = 12040883
	quicknetRandomness = "173df1f57805453a8d2015268205d68147de12cafc2f451f7bc6adadca3571b3"
	quicknetSignature  = "929906c959032ab363c9f26570d215d66f5c06cb0c44fe508c12bb5839f04ec895bb6868e5b9ff13ab289bdb5266b394"
	// round 5358915's, a valid signature of another round
	quicknetOther = "95f058cbd1294bc3fa28647dabded06d50b543643fb04e1cb2c5b6204daf20935782f7cae5fa7718cf87b4c43d108842"
)

// A server with a beacon: a draw's page names the round its commitment
// fixed and where drand publishes it; the office cannot draw before the
// round, nor with a typed value or another round's signature; drawn, the
// page shows the round's signature and its randomness as the public value.
// Through the API, drand's JSON answer is taken as well.
func TestUIDrawBeacon(t *testing.T) {
	t.Parallel()
	at := time.Unix(visits.Quicknet.Genesis+3*(quicknetRound-1), 0)
	now := at.Add(-visits.BeaconLead)
	db := storetest.Open(t, store.SQLite, store.Options{Now: func() time.Time { return now }, Beacon: &visits.Quicknet})
	if _, err := db.ImportUnits(context.Background(), store.System, fixtureUnits, nil); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, db: db, srv: New(db, Options{})}
	f.ts = newTestServer(t, f.srv)
	_, _, token := f.issuerIn("yingji", "430922")
	body := DrawBody{Plan: "安全生产抽查", Level: 5, Under: "430922", Rate: 0.5, MinPerTier: 1, RevealAfter: "2024-11-30"}
	var ids []string
	for range 2 {
		status, out := f.do("POST", "/api/v1/draws", token, body)
		var rec store.DrawRecord
		if status != http.StatusCreated || json.Unmarshal([]byte(out), &rec) != nil || rec.Draw.Beacon == nil || rec.Draw.Beacon.Round != quicknetRound {
			t.Fatalf("commit: %d %s", status, out)
		}
		ids = append(ids, itoa(rec.ID))
		body.Plan += "（二）"
	}
	page := "/draws/" + ids[0]

	pub := f.uiClient("en")
	uiMust(t, pub.get(page), http.StatusOK, "Source of the public value", "drand quicknet beacon round 12040883, published 2024-10-15 01:13:33 (China time)",
		`href="https://api.drand.sh/`+visits.Quicknet.Chain+`/public/12040883"`)
	uiMustNot(t, pub.get(page), "Entered by hand")
	uiMust(t, f.uiClient("zh").get(page), http.StatusOK, "drand quicknet 随机信标第 12040883 轮，2024-10-15 01:13:33（北京时间）发布")

	c := f.uiClient("en")
	c.signIn("yingji")
	uiMust(t, c.get(page), http.StatusOK, "This draw takes round 12040883, published at 2024-10-15 01:13:33 (China time); it can be drawn only after that.",
		"Signature of round 12040883, or drand&#39;s JSON answer for it")
	uiMust(t, c.post(page+"/run", url.Values{"value": {quicknetSignature}}), http.StatusConflict, "it can be drawn only after that")

	now = at.Add(time.Minute)
	c.signIn("yingji")
	uiMust(t, c.post(page+"/run", url.Values{"value": {"福利彩票 2026101期"}}), http.StatusBadRequest, "Paste the signature of drand beacon round 12040883")
	uiMust(t, c.post(page+"/run", url.Values{"value": {quicknetOther}}), http.StatusBadRequest,
		"This is not a valid signature of drand beacon round 12040883")
	if r := c.post(page+"/run", url.Values{"value": {quicknetSignature}}); r.status != http.StatusSeeOther {
		t.Fatalf("run: %d %s", r.status, r.body)
	}
	uiMust(t, pub.get(page), http.StatusOK, "Signature of round 12040883", quicknetSignature, quicknetRandomness)

	drand := `{"round":12040883,"randomness":"` + quicknetRandomness + `","signature":"` + quicknetSignature + `"}`
	status, out := f.do("POST", "/api/v1/draws/"+ids[1]+"/run", token, PublicValueBody{Value: drand})
	var rec store.DrawRecord
	if status != http.StatusOK || json.Unmarshal([]byte(out), &rec) != nil || rec.Draw.PublicValue != quicknetRandomness ||
		rec.Draw.Beacon.Signature != quicknetSignature {
		t.Fatalf("run through the API: %d %s", status, out)
	}
}
