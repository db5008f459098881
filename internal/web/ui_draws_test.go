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
	// Without a beacon, the value is typed by the office: the page says so.
	uiMust(t, r, http.StatusOK, `<span class="tag warn">Entered by hand</span>`, "the office could have tried several values")
	uiMust(t, f.uiClient("zh").get(page), http.StatusOK, `<span class="tag warn">手工录入</span>`, "无法排除抽取部门先试过多个值再选定")
	uiMustNot(t, r, `action="`+page+`/run"`, "Units drawn", "Inspector register", "data-verify-fetch", "data-record=")
	// Any downloaded record can be checked in the browser, before the reveal too.
	uiMust(t, r, http.StatusOK, "data-verify hidden", "data-verify-file", `/static/verify.`, `data-m-commitment="the secret and the pool do not match the commitment."`)

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
	uiMust(t, r, http.StatusOK, "Revealed", "Units drawn (1)", `href="`+page+`/record.json"`, `data-record="`+page+`/record.json"`,
		"Verify in this browser", "data-verify-fetch")
	uiMustNot(t, r, "Team:", "Inspector register")
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

// A draw with teams shows its register's size and team size among its
// parameters, and once revealed each unit's team, the leader first; the
// Chinese page says the same.
func TestUIDrawTeams(t *testing.T) {
	f := newFixture(t, store.SQLite)
	office := f.office("430922", "应急管理局")
	ctx := context.Background()
	d := &visits.Draw{Plan: "2026-TEAMS", MinPerTier: 1, TeamSize: 2,
		Inspectors: []visits.DrawInspector{{ID: "R01", Recuse: []string{"430922100"}}, {ID: "R02"}, {ID: "R03"}, {ID: "R04", Recuse: []string{"430922100202"}}},
		Tiers:      []visits.Tier{{Name: "all", Rate: 1, Units: []string{"430922100201", "430922100202"}}}}
	var rec *store.DrawRecord
	err := f.db.Write(ctx, store.System, func(tx *store.Tx) error {
		var err error
		if rec, err = tx.CreateDraw(ctx, office.ID, d, time.Now().Add(-time.Hour)); err != nil {
			return err
		}
		return tx.RunDraw(ctx, rec, "beacon")
	})
	if err != nil {
		t.Fatal(err)
	}
	page := "/draws/" + itoa(rec.ID)
	pub := f.uiClient("en")
	r := pub.get(page)
	uiMust(t, r, http.StatusOK, "Inspector register", "4 inspectors, 2 drawn per team")
	uiMustNot(t, r, "Team:", "data-verify-fetch")

	if err := f.db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.RevealDraw(ctx, rec) }); err != nil {
		t.Fatal(err)
	}
	rec, _ = f.db.DrawByID(ctx, rec.ID)
	if len(rec.Draw.Teams) != 2 {
		t.Fatalf("teams: %+v", rec.Draw)
	}
	r = pub.get(page)
	for i, team := range rec.Draw.Teams {
		uiMust(t, r, http.StatusOK, `data-team="`+rec.Draw.Selected[i]+`">Team: <code>`+team[0]+`</code> (leader), <code>`+team[1]+`</code></span>`)
	}
	uiMust(t, r, http.StatusOK, "Verify in this browser", `data-m-ok_teams="Verified: recomputed in this browser, the commitment, the %d units drawn, their teams`)
	zh := f.uiClient("zh")
	uiMust(t, zh.get(page), http.StatusOK, "检查人员名录", "4 名，每组抽取 2 名", "检查组： <code>", "(组长)", "在本浏览器中核验", `data-m-ok="核验通过`)
}
