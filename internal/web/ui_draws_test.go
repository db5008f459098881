package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"lighten/internal/gate"
	"lighten/internal/store"
	"lighten/internal/visits"
)

// The office enters the public value and draws; the selection stays
// sealed, the reveal waits for the window's end, and the record downloaded
// afterwards verifies.
func TestUIDraw(t *testing.T) {
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, gate.China)
	db := openAt(t, &now)
	if _, err := db.ImportUnits(context.Background(), store.System, fixtureUnits, nil); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, db: db, srv: New(db, Options{})}
	f.ts = newTestServer(t, f.srv)
	office, _, _ := f.issuerIn("yingji", "430922")
	f.issuerIn("nongye", "430922")
	d := &visits.Draw{Plan: "2026年第二季度安全生产检查", MinPerTier: 1,
		Tiers: []visits.Tier{{Name: "all", Rate: 0.5, Units: []string{"430922100201", "430922100202"}}}}
	var rec *store.DrawRecord
	err := db.Write(context.Background(), store.System, func(tx *store.Tx) error {
		var err error
		rec, err = tx.CreateDraw(context.Background(), office.ID, d, time.Date(2026, 6, 30, 0, 0, 0, 0, gate.China))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	page := "/draws/" + itoa(rec.ID)

	pub := f.uiClient("en")
	r := pub.get(page)
	uiMust(t, r, http.StatusOK, "2026年第二季度安全生产检查", "Committed", "2 units, 1 to draw", rec.Draw.Commitment, "How anyone verifies a draw",
		"lighten draw verify draw-"+itoa(rec.ID)+".json", "50%")
	uiMustNot(t, r, `action="`+page+`/run"`, "Units drawn")

	other := f.uiClient("en")
	other.signIn("nongye")
	uiMust(t, other.post(page+"/run", url.Values{"value": {"beacon"}}), http.StatusForbidden)

	c := f.uiClient("en")
	c.signIn("yingji")
	uiMust(t, c.get(page), http.StatusOK, `action="`+page+`/run"`)
	uiMust(t, c.post(page+"/run", url.Values{"value": {"  "}}), http.StatusBadRequest, "Enter the public value.")
	r = c.post(page+"/run", url.Values{"value": {"福利彩票 2026062期 03 11 19 24 27 30"}})
	if r.status != http.StatusSeeOther || r.location != page+"?done=drawn" {
		t.Fatalf("run: %d %q %s", r.status, r.location, r.body)
	}
	r = c.get(r.location)
	uiMust(t, r, http.StatusOK, "Drawn; the selection is sealed.", "福利彩票 2026062期", "Sealed until 2026-06-30 00:00", `<button type="submit" disabled>`)
	uiMustNot(t, r, "Units drawn", `action="`+page+`/run"`)
	uiMust(t, c.post(page+"/reveal", nil), http.StatusConflict, "it cannot be revealed yet")
	uiMust(t, c.post(page+"/run", url.Values{"value": {"again"}}), http.StatusConflict)

	now = time.Date(2026, 7, 1, 9, 0, 0, 0, gate.China)
	c.signIn("yingji") // the session of a month ago has ended
	uiMust(t, c.get(page), http.StatusOK, "The visits are over")
	if r = c.post(page+"/reveal", nil); r.status != http.StatusSeeOther {
		t.Fatalf("reveal: %d %s", r.status, r.body)
	}
	r = pub.get(page)
	uiMust(t, r, http.StatusOK, "Revealed", "Units drawn (1)", `href="`+page+`/record.json"`)
	rec, _ = db.DrawByID(context.Background(), rec.ID)
	uiMust(t, r, http.StatusOK, rec.Draw.Secret, `href="/units/`+rec.Draw.Selected[0]+`"`)

	file := pub.get(page + "/record.json")
	var got visits.Draw
	dec := json.NewDecoder(strings.NewReader(file.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("record: %v %s", err, file.body)
	}
	if err := visits.Verify(&got); err != nil {
		t.Fatalf("the downloaded record does not verify: %v", err)
	}
	uiMust(t, pub.get("/draws/99999"), http.StatusNotFound)
}
