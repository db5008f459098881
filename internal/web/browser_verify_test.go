package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"lighten/internal/store"
	"lighten/internal/visits"
)

// villagesOf makes n ascending village codes under a township.
func villagesOf(township string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%03d", township, 200+i)
	}
	return out
}

// verifyRegister is an inspector register with recusals from whole
// townships and single villages.
func verifyRegister() []visits.DrawInspector {
	var reg []visits.DrawInspector
	for i := 1; i <= 12; i++ {
		in := visits.DrawInspector{ID: fmt.Sprintf("R%02d", i)}
		switch i % 4 {
		case 0:
			in.Recuse = []string{"430922100"}
		case 1:
			in.Recuse = []string{"430922101", "430922102205"}
		case 2:
			in.Recuse = []string{"430922100203", "430922102"}
		}
		reg = append(reg, in)
	}
	return reg
}

// revealedDraw draws d in memory, as the store does, and publishes
// everything.
func revealedDraw(t *testing.T, d visits.Draw, secret, public string) visits.Draw {
	t.Helper()
	s := sha256.Sum256([]byte(secret))
	d.Prepare(s[:])
	d.PublicValue = public
	sel, teams, err := d.RunTeams(s[:])
	if err != nil {
		t.Fatal(err)
	}
	d.Secret, d.Selected, d.Teams = hex.EncodeToString(s[:]), sel, teams
	if err := visits.Verify(&d); err != nil {
		t.Fatal(err)
	}
	return d
}

// clone copies a draw deeply, to tamper with.
func clone(t *testing.T, d visits.Draw) visits.Draw {
	t.Helper()
	b, _ := json.Marshal(d)
	var c visits.Draw
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// verifyCase is a record for verify.js and what Go's visits.Verify says
// of it.
type verifyCase struct {
	Name   string          `json:"name"`
	Record json.RawMessage `json:"record"`
	Check  string          `json:"check"` // "ok" or what verify.js names as failing
	Go     string          `json:"go"`    // visits.Verify's message, or "" when it verifies
}

type verifyResult struct {
	Name    string `json:"name"`
	OK      bool   `json:"ok"`
	Check   string `json:"check"`
	Message string `json:"message"`
	Pure    string `json:"pure"` // the check with the in-file SHA-256
}

// verifyCases are Go-made records, good and tampered with, for verify.js
// to agree with visits.Verify on: several tiers, teams with recusals,
// rates Go writes with an exponent, an empty tier, a pool long enough for
// the generator to rekey, and the old record without teams.
func verifyCases(t *testing.T) []verifyCase {
	t.Helper()
	teams := revealedDraw(t, visits.Draw{Plan: "2026-SAFE-07", MinPerTier: 1, TeamSize: 3, Inspectors: verifyRegister(),
		Tiers: []visits.Tier{
			{Name: "high", Rate: 0.5, Units: villagesOf("430922100", 9)},
			{Name: "mid", Rate: 0.3333333333333333, Units: villagesOf("430922101", 12)},
			{Name: "base", Rate: 0.6, Units: villagesOf("430922102", 300)},
		}}, "teams", "福利彩票 2026062期 03 11 19 24 27 30")
	rates := revealedDraw(t, visits.Draw{Plan: "2026-RATES", MinPerTier: 2,
		Tiers: []visits.Tier{
			{Name: "tiny", Rate: 1e-05, Units: villagesOf("430923100", 5)},
			{Name: "small", Rate: 0.0001, Units: villagesOf("430923101", 7)},
			{Name: "odd", Rate: 1.5e-05, Units: villagesOf("430923102", 3)},
			{Name: "none", Rate: 0.25},
			{Name: "all", Rate: 1, Units: villagesOf("430923103", 4)},
			{Name: "零星", Rate: 0.123456789, Units: villagesOf("430923104", 500)},
		}}, "rates", "beacon round 4711")
	old, err := os.ReadFile("../visits/testdata/draw-v1-no-teams.json")
	if err != nil {
		t.Fatal(err)
	}
	var oldDraw visits.Draw
	if err := json.Unmarshal(old, &oldDraw); err != nil {
		t.Fatal(err)
	}

	var cases []verifyCase
	add := func(name, check string, d visits.Draw) {
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		c := verifyCase{Name: name, Record: b, Check: check}
		if err := visits.Verify(&d); err != nil {
			c.Go = err.Error()
		}
		if (check == "ok") != (c.Go == "") {
			t.Fatalf("%s: Go says %q, the case expects %s", name, c.Go, check)
		}
		cases = append(cases, c)
	}
	tamper := func(name, check string, from visits.Draw, change func(d *visits.Draw)) {
		d := clone(t, from)
		change(&d)
		add(name, check, d)
	}

	add("teams", "ok", teams)
	add("rates", "ok", rates)
	add("old record without teams", "ok", oldDraw)
	tamper("sealed: nothing revealed", "ok", teams, func(d *visits.Draw) { d.Selected, d.Teams = nil, nil })
	tamper("a selected unit changed", "selection", teams, func(d *visits.Draw) { d.Selected[1] = villagesOf("430922102", 300)[299] })
	tamper("the selection reordered", "selection", rates, func(d *visits.Draw) { d.Selected[0], d.Selected[1] = d.Selected[1], d.Selected[0] })
	tamper("the public value changed", "digest", teams, func(d *visits.Draw) { d.PublicValue += " " })
	tamper("the digest changed", "digest", oldDraw, func(d *visits.Draw) { d.Digest = strings.Repeat("0", 64) })
	tamper("the secret changed", "commitment", rates, func(d *visits.Draw) { d.Secret = "00" + d.Secret[2:] })
	tamper("the secret not revealed", "secret", teams, func(d *visits.Draw) { d.Secret = "" })
	tamper("the secret not hex", "secret", teams, func(d *visits.Draw) { d.Secret = "zz" })
	tamper("a pool unit dropped", "commitment", rates, func(d *visits.Draw) { d.Tiers[5].Units = d.Tiers[5].Units[1:] })
	tamper("a recusal dropped", "commitment", teams, func(d *visits.Draw) { d.Inspectors[0].Recuse = nil })
	tamper("the team size changed", "commitment", teams, func(d *visits.Draw) { d.TeamSize = 2 })
	tamper("a team member changed", "team", teams, func(d *visits.Draw) {
		in := strings.Join(d.Teams[4], ",")
		for _, r := range d.Inspectors {
			if !strings.Contains(in, r.ID) {
				d.Teams[4][1] = r.ID
				return
			}
		}
	})
	tamper("the leader swapped", "team", teams, func(d *visits.Draw) { d.Teams[0][0], d.Teams[0][1] = d.Teams[0][1], d.Teams[0][0] })
	tamper("a team dropped", "teams_count", teams, func(d *visits.Draw) { d.Teams = d.Teams[1:] })
	tamper("teams on a draw without", "teams_without_size", oldDraw, func(d *visits.Draw) { d.Teams = [][]string{{"R01"}} })
	tamper("another version", "version", rates, func(d *visits.Draw) { d.Version = "lighten-draw-v2" })
	tamper("no plan", "invalid", rates, func(d *visits.Draw) { d.Plan = "" })
	tamper("no tiers", "invalid", rates, func(d *visits.Draw) { d.Tiers = nil })
	tamper("a rate of 0", "invalid", rates, func(d *visits.Draw) { d.Tiers[1].Rate = 0 })
	tamper("a rate above 1", "invalid", rates, func(d *visits.Draw) { d.Tiers[1].Rate = 1.0000001 })
	tamper("a tier twice", "invalid", rates, func(d *visits.Draw) { d.Tiers[2].Name = "tiny" })
	tamper("units out of order", "invalid", rates, func(d *visits.Draw) { d.Tiers[0].Units[3] = "430923100200" })
	tamper("a negative team size", "invalid", rates, func(d *visits.Draw) { d.TeamSize = -1 })
	tamper("inspectors without a team", "invalid", rates, func(d *visits.Draw) { d.Inspectors = verifyRegister() })
	tamper("a tier named as a team", "invalid", teams, func(d *visits.Draw) { d.Tiers[0].Name = "team/high" })
	tamper("an inspector without a number", "invalid", teams, func(d *visits.Draw) { d.Inspectors[0].ID = "" })
	tamper("inspectors out of order", "invalid", teams, func(d *visits.Draw) { d.Inspectors[3].ID = "R01" })
	tamper("an empty recusal", "invalid", teams, func(d *visits.Draw) { d.Inspectors[1].Recuse = []string{"", "4309"} })
	tamper("recusals out of order", "invalid", teams, func(d *visits.Draw) { d.Inspectors[1].Recuse = []string{"430922102", "430922100"} })

	// Too few eligible inspectors: committed and revealed, but no team can
	// be drawn for the township every inspector but one recuses from.
	short := visits.Draw{Plan: "2026-SHORT", TeamSize: 2, Tiers: []visits.Tier{{Name: "all", Rate: 1, Units: villagesOf("430922100", 2)}},
		Inspectors: []visits.DrawInspector{{ID: "A"}, {ID: "B", Recuse: []string{"430922100"}}, {ID: "C", Recuse: []string{"4309221"}}}}
	s := sha256.Sum256([]byte("short"))
	short.Prepare(s[:])
	short.PublicValue, short.Secret, short.Digest = "x", hex.EncodeToString(s[:]), strings.Repeat("0", 64)
	add("too few eligible", "team_short", short)

	// A draw committed to quicknet round 12040883 (a published round).
	beacon := beaconRevealed(t, quicknetSignature)
	add("beacon", "ok", beacon)
	tamper("beacon: no signature", "beacon_missing", beacon, func(d *visits.Draw) { d.Beacon.Signature = "" })
	tamper("beacon: a value typed instead", "beacon_value", beacon, func(d *visits.Draw) { d.PublicValue = "福利彩票 2026101期" })
	tamper("beacon: a signature not hex", "beacon_value", beacon, func(d *visits.Draw) { d.Beacon.Signature = strings.Repeat("z", 96) })
	tamper("beacon: dropped", "commitment", beacon, func(d *visits.Draw) { d.Beacon = nil })
	tamper("beacon: another source", "invalid", beacon, func(d *visits.Draw) { d.Beacon.Source = "lottery" })
	tamper("beacon: an unknown chain", "invalid", beacon, func(d *visits.Draw) { d.Beacon.PublicKey = strings.Repeat("a", 192) })
	tamper("beacon: round 0", "invalid", beacon, func(d *visits.Draw) { d.Beacon.Round = 0 })
	return cases
}

// beaconRevealed is a revealed draw committed to quicknet round 12040883,
// drawn with sig as that round's signature (valid or not).
func beaconRevealed(t *testing.T, sig string) visits.Draw {
	t.Helper()
	d := visits.Draw{Plan: "2026-BEACON", MinPerTier: 1, Tiers: []visits.Tier{{Name: "all", Rate: 0.25, Units: villagesOf("430922100", 12)}}}
	d.Beacon = visits.Quicknet.Commit(time.Unix(visits.Quicknet.Genesis+3*(quicknetRound-1), 0).Add(-visits.BeaconLead))
	raw, _ := hex.DecodeString(sig)
	r := sha256.Sum256(raw)
	s := sha256.Sum256([]byte("beacon"))
	d.Prepare(s[:])
	d.PublicValue, d.Beacon.Signature = hex.EncodeToString(r[:]), sig
	sel, err := d.Run(s[:])
	if err != nil {
		t.Fatal(err)
	}
	d.Secret, d.Selected = hex.EncodeToString(s[:]), sel
	return d
}

// The public page checks a revealed draw in the browser with verify.js,
// an implementation of its own: the button fetches the record and finds it
// verified; a tampered record loaded from a file fails, naming the check;
// and verify.js agrees with visits.Verify on good and tampered records,
// with the browser's SHA-256 and with its own, and with Go's ChaCha8,
// SHA-256 and number formatting on their own.
func TestBrowserVerifyDraw(t *testing.T) {
	ctx := browser(t)
	f := newFixture(t, store.SQLite)
	office := f.office("430922", "应急管理局")
	dctx := context.Background()
	d := &visits.Draw{Plan: "2026年第三季度安全生产检查", MinPerTier: 1, TeamSize: 2, Inspectors: verifyRegister(),
		Tiers: []visits.Tier{
			{Name: "high", Rate: 0.5, Units: []string{"430922100201", "430922100202"}},
			{Name: "base", Rate: 0.2, Units: villagesOf("430922101", 40)},
		}}
	var rec *store.DrawRecord
	err := f.db.Write(dctx, store.System, func(tx *store.Tx) error {
		var err error
		if rec, err = tx.CreateDraw(dctx, office.ID, d, time.Now().Add(-time.Hour)); err != nil {
			return err
		}
		if err = tx.RunDraw(dctx, rec, "福利彩票 2026101期"); err != nil {
			return err
		}
		return tx.RevealDraw(dctx, rec)
	})
	if err != nil {
		t.Fatal(err)
	}
	rec, err = f.db.DrawByID(dctx, rec.ID)
	if err != nil || len(rec.Draw.Teams) != len(rec.Draw.Selected) || len(rec.Draw.Selected) != 9 {
		t.Fatalf("the draw: %+v %v", rec, err)
	}
	page := f.ts.URL + "/draws/" + itoa(rec.ID)
	result := `[data-verify-result][data-state="ok"], [data-verify-result][data-state="fail"]`

	do(t, ctx, "open the revealed draw",
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS("[data-verify-fetch]")),
	)
	if got := text(t, ctx, "#selected"); !strings.Contains(got, "Team: "+rec.Draw.Teams[0][0]+" (leader), "+rec.Draw.Teams[0][1]) {
		t.Fatalf("the drawn units and teams read %q, want the first team %v", got, rec.Draw.Teams[0])
	}
	if got := text(t, ctx, "dl.facts"); !strings.Contains(got, "12 inspectors, 2 drawn per team") {
		t.Fatalf("the parameters read %q", got)
	}
	do(t, ctx, "verify in the browser",
		chromedp.Click(chromedp.CSS("[data-verify-fetch]")),
		chromedp.WaitVisible(chromedp.CSS(result)),
	)
	if got := text(t, ctx, "[data-verify-result]"); !strings.Contains(got, "Verified") || !strings.Contains(got, "the 9 units drawn, their teams") {
		t.Fatalf("verifying the revealed draw reads %q", got)
	}
	fullScreenshot(t, ctx, "draw-verified")

	dir := t.TempDir()
	upload := func(what, name string, body []byte) string {
		t.Helper()
		file := filepath.Join(dir, name)
		if err := os.WriteFile(file, body, 0o644); err != nil {
			t.Fatal(err)
		}
		do(t, ctx, what,
			chromedp.Evaluate[chromedp.Void](`document.querySelector("[data-verify-result]").removeAttribute("data-state")`),
			chromedp.SetUploadFiles(chromedp.CSS("[data-verify-file]"), []string{file}),
			chromedp.WaitVisible(chromedp.CSS(result)),
		)
		return text(t, ctx, "[data-verify-result]")
	}
	tampered := clone(t, rec.Draw)
	for _, u := range tampered.Tiers[1].Units {
		if !strings.Contains(strings.Join(tampered.Selected, ","), u) {
			tampered.Selected[len(tampered.Selected)-1] = u
			break
		}
	}
	body, _ := json.MarshalIndent(tampered, "", "  ")
	if got := upload("a record with one unit changed", "changed.json", body); !strings.Contains(got, "Does not verify: the published selection differs from the recomputed one.") {
		t.Fatalf("the changed record reads %q", got)
	}
	fullScreenshot(t, ctx, "draw-tampered")
	tampered = clone(t, rec.Draw)
	tampered.PublicValue = "福利彩票 2026102期"
	body, _ = json.Marshal(tampered)
	if got := upload("a record with another public value", "public.json", body); !strings.Contains(got, "Does not verify: the recomputed selection does not match the published digest.") {
		t.Fatalf("the record with another public value reads %q", got)
	}
	old, err := os.ReadFile("../visits/testdata/draw-v1-no-teams.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := upload("the old record without teams", "old.json", old); !strings.Contains(got, "Verified") || strings.Contains(got, "teams") ||
		!strings.Contains(got, "plan item 2025-SAFE-01") {
		t.Fatalf("the old record reads %q", got)
	}
	beaconRecord, _ := json.Marshal(beaconRevealed(t, quicknetSignature))
	if got := upload("a record drawn with a beacon round", "beacon.json", beaconRecord); !strings.Contains(got, "Verified") ||
		!strings.Contains(got, "The public value is the randomness of drand quicknet round 12040883, named in the commitment. This browser does not check the round's BLS signature") {
		t.Fatalf("the beacon record reads %q", got)
	}
	if got := upload("the old record again", "old.json", old); !strings.Contains(got, "Note: the public value was entered by hand by the drawing office") {
		t.Fatalf("the old record reads %q", got)
	}
	if got := upload("a file that is not a record", "not.json", []byte(`{"version": "lighten-draw-v1", "pool": []}`)); !strings.Contains(got, `the file is not a draw record (unknown field "pool" in the record)`) {
		t.Fatalf("the file that is not a record reads %q", got)
	}
	if got := upload("a file that is not JSON", "not.txt", []byte("draw")); !strings.Contains(got, "the file is not a draw record") {
		t.Fatalf("the file that is not JSON reads %q", got)
	}
	tampered = clone(t, rec.Draw)
	tampered.Tiers[0].Rate = 1.5
	body, _ = json.Marshal(tampered)
	if got := upload("a record with a rate above 1", "rate.json", body); !strings.Contains(got, `the record's parameters are invalid. Tier "high": share drawn 1.5 should be above 0 and at most 1.`) {
		t.Fatalf("the record with a rate above 1 reads %q", got)
	}

	// verify.js against visits.Verify, record by record, with the
	// browser's SHA-256 and with the one in the file.
	cases := verifyCases(t)
	in, _ := json.Marshal(cases)
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async function (cases) {
		var out = [];
		for (var c of cases) {
			var r = await LightenDraw.verify(c.record);
			var p = await LightenDraw.verify(c.record, {pure: true});
			out.push({name: c.name, ok: r.ok, check: r.check, message: r.message, pure: p.check});
		}
		return JSON.stringify(out);
	})(`+string(in)+`)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("verify.js on the records: %v", err)
	}
	var results []verifyResult
	if err := json.Unmarshal([]byte(out), &results); err != nil || len(results) != len(cases) {
		t.Fatalf("results %s: %v", out, err)
	}
	// What the browser does not check: a made-up signature, with the whole
	// draw recomputed from it, passes verify.js (which says that the
	// signature is for lighten draw verify) and fails visits.Verify; a
	// valid signature of another round with its randomness fails both.
	made := beaconRevealed(t, strings.Repeat("ab", 48))
	other := beaconRevealed(t, quicknetSignature)
	other.Beacon.Signature, other.PublicValue = quicknetOther, "95f0"
	if raw, err := hex.DecodeString(quicknetOther); err == nil {
		r := sha256.Sum256(raw)
		other.PublicValue = hex.EncodeToString(r[:])
	}
	for _, c := range []struct {
		name  string
		d     visits.Draw
		check string
	}{{"a made-up signature", made, "ok"}, {"another round's signature", other, "digest"}} {
		if err := visits.Verify(&c.d); err == nil || !strings.Contains(err.Error(), "does not verify under the chain's public key") {
			t.Errorf("%s: Go says %v", c.name, err)
		}
		b, _ := json.Marshal(c.d)
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`LightenDraw.verify(`+string(b)+`).then(function (r) { return r.check + (r.beacon ? " " + r.beacon.round : ""); })`, chromedp.EvalAwaitPromise))
		if want := c.check + map[bool]string{true: " 12040883", false: ""}[c.check == "ok"]; err != nil || got != want {
			t.Errorf("%s: verify.js says %q (%v), want %q", c.name, got, err, want)
		}
	}

	for i, c := range cases {
		r := results[i]
		if r.Check != c.Check || r.Pure != c.Check {
			t.Errorf("%s: verify.js says %s (%s with its own SHA-256): %s; want %s (Go: %q)", c.Name, r.Check, r.Pure, r.Message, c.Check, c.Go)
			continue
		}
		if c.Go != "" && r.Message != c.Go {
			t.Errorf("%s: verify.js says %q, Go %q", c.Name, r.Message, c.Go)
		}
	}

	// The parts on their own: ChaCha8 across several rekeyings (124
	// outputs each) against math/rand/v2, SHA-256 at the padding's edges,
	// and rates written as strconv writes them.
	var seeds []string
	var want []string
	for _, s := range []string{"ABCDEFGHIJKLMNOPQRSTUVWXYZ123456", "", "lighten"} {
		var seed [32]byte
		if len(s) == 32 {
			copy(seed[:], s)
		} else {
			seed = sha256.Sum256([]byte(s))
		}
		r := rand.NewChaCha8(seed)
		var outs []string
		for range 500 {
			outs = append(outs, strconv.FormatUint(r.Uint64(), 10))
		}
		seeds = append(seeds, hex.EncodeToString(seed[:]))
		want = append(want, strings.Join(outs, ","))
	}
	js, _ := json.Marshal(seeds)
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(`+string(js)+`).map(function (h) {
		var seed = new Uint8Array(h.match(/../g).map(function (b) { return parseInt(b, 16); }));
		var r = new LightenDraw.ChaCha8(seed), out = [];
		for (var i = 0; i < 500; i++) out.push(r.uint64().toString());
		return out.join(",");
	})`))
	if err != nil || len(got) != len(want) {
		t.Fatalf("ChaCha8 in the browser: %v %d", err, len(got))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("ChaCha8 with seed %s differs from math/rand/v2:\njs: %.200s\ngo: %.200s", seeds[i], got[i], want[i])
		}
	}

	var msgs []string
	var sums []string
	for _, n := range []int{0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 70000} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*7 + 3)
		}
		s := sha256.Sum256(b)
		msgs = append(msgs, hex.EncodeToString(b))
		sums = append(sums, hex.EncodeToString(s[:]))
	}
	js, _ = json.Marshal(msgs)
	gotSums, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(`+string(js)+`).map(function (h) {
		var b = new Uint8Array((h.match(/../g) || []).map(function (x) { return parseInt(x, 16); }));
		return Array.from(LightenDraw.sha256Pure(b)).map(function (x) { return (x < 16 ? "0" : "") + x.toString(16); }).join("");
	})`))
	if err != nil || strings.Join(gotSums, ",") != strings.Join(sums, ",") {
		t.Errorf("SHA-256 in the file: %v\njs: %v\ngo: %v", err, gotSums, sums)
	}

	floats := []float64{1, 0.5, 0.05, 0.1, 0.2, 1e-05, 1.5e-05, 0.0001, 0.00012, 0.000099, 1.0 / 3, 2.0 / 3, 0.123456789, 1e-300,
		5e-324, 0.30000000000000004, 123456, 1234567, 1e21, 1e22, 100, 0.999999999, 12.5, 1e6, 999999}
	var fwant []string
	for _, v := range floats {
		fwant = append(fwant, strconv.FormatFloat(v, 'g', -1, 64))
	}
	js, _ = json.Marshal(floats)
	fgot, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(`+string(js)+`).map(LightenDraw.formatFloat)`))
	if err != nil || strings.Join(fgot, " ") != strings.Join(fwant, " ") {
		t.Errorf("rates written in the browser: %v\njs: %v\ngo: %v", err, fgot, fwant)
	}

	// The same page in Chinese says so in Chinese.
	do(t, ctx, "switch to Chinese and verify again",
		chromedp.Click(chromedp.CSS(`nav.lang a[hreflang="zh-CN"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-CN"] [data-verify-fetch]`)),
		chromedp.Click(chromedp.CSS("[data-verify-fetch]")),
		chromedp.WaitVisible(chromedp.CSS(result)),
	)
	if got := text(t, ctx, "[data-verify-result]"); !strings.HasPrefix(got, "核验通过") {
		t.Fatalf("verifying in Chinese reads %q", got)
	}
}
