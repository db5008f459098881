package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lighten/internal/duties"
	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/units"
	"lighten/internal/visits"
)

func runCmd(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), nil, args, strings.NewReader(stdin), &out, &errOut)
	return out.String() + errOut.String(), err
}

func TestVersionAndUsage(t *testing.T) {
	if out, err := runCmd(t, "", "version"); err != nil || !strings.HasPrefix(out, "lighten ") {
		t.Fatalf("version: %q %v", out, err)
	}
	if _, err := runCmd(t, "", "frobnicate"); err == nil || !strings.Contains(err.Error(), "frobnicate") {
		t.Fatalf("unknown command: %v", err)
	}
}

// The administrator's path on both databases: migrate, add a person with
// roles, verify the audit chain, and see tampering named.
func TestMigrateUserAddAuditVerify(t *testing.T) {
	for _, k := range storetest.Kinds {
		t.Run(string(k), func(t *testing.T) {
			dsn := storetest.DSN(t, k)
			out, err := runCmd(t, "", "migrate", "--db", dsn)
			if err != nil || !strings.Contains(out, "schema at version") {
				t.Fatalf("migrate: %q %v", out, err)
			}
			db, err := store.Open(context.Background(), dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.ImportUnits(context.Background(), store.System, sampleUnits, nil); err != nil {
				t.Fatal(err)
			}
			db.Close()
			out, err = runCmd(t, "a long password\n", "user", "add", "--db", dsn, "--login", "root", "--name", "管理员",
				"--unit", "430922", "--role", "admin@country", "--role", "auditor@430922", "--password-stdin")
			if err != nil || !strings.Contains(out, "with 2 role(s)") {
				t.Fatalf("user add: %q %v", out, err)
			}
			if _, err := runCmd(t, "", "user", "add", "--db", dsn, "--login", "xy", "--name", "n", "--unit", "999999"); err == nil ||
				!strings.Contains(err.Error(), "no such unit") {
				t.Fatalf("unknown unit: %v", err)
			}
			if _, err := runCmd(t, "", "user", "add", "--db", dsn, "--login", "y", "--name", "n", "--unit", "430922", "--role", "king@43"); err == nil ||
				!strings.Contains(err.Error(), "unknown role") {
				t.Fatalf("unknown role: %v", err)
			}
			out, err = runCmd(t, "", "audit", "verify", "--db", dsn)
			if err != nil || !strings.Contains(out, "intact") {
				t.Fatalf("verify: %q %v", out, err)
			}
			raw, err := sql.Open(map[store.Dialect]string{store.SQLite: "sqlite", store.Postgres: "pgx"}[k], dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			if _, err := raw.Exec(`UPDATE audit SET actor = 'someone else' WHERE seq = 2`); err != nil {
				t.Fatal(err)
			}
			out, err = runCmd(t, "", "audit", "verify", "--db", dsn)
			if err == nil || !strings.Contains(out, "BROKEN at record 2") {
				t.Fatalf("tampered: %q %v", out, err)
			}
		})
	}
}

// The demo starts on a fresh file, prints its sign-ins, serves the county,
// and reuses the database on a second start.
func TestDemo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.db")
	for round, want := range []string{"created", "reused"} {
		ctx, cancel := context.WithCancel(context.Background())
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, nil, []string{"demo", "--db", path, "--addr", "127.0.0.1:0"}, nil, pw, io.Discard)
			pw.Close()
		}()
		sc := bufio.NewScanner(pr)
		var url, head string
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "lighten demo:") {
				head = line
			}
			if u, ok := strings.CutPrefix(line, "Open "); ok {
				url = u
				break
			}
		}
		go io.Copy(io.Discard, pr)
		if !strings.Contains(head, want) || !strings.Contains(head, "桃江县") || url == "" {
			t.Fatalf("round %d: %q %q", round, head, url)
		}
		resp, err := http.Get(url + "api/v1/units/430922")
		if err != nil {
			t.Fatal(err)
		}
		var u struct {
			Name    string
			Subtree struct{ Townships, Villages int }
		}
		json.NewDecoder(resp.Body).Decode(&u)
		resp.Body.Close()
		if u.Name != "桃江县" || u.Subtree.Townships != 15 || u.Subtree.Villages != 247 {
			t.Fatalf("demo county: %+v", u)
		}
		body := `{"login":"jianfu","password":"lighten-demo"}`
		resp, err = http.Post(url+"api/v1/session", "application/json", strings.NewReader(body))
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("demo sign-in: %v %v", resp.StatusCode, err)
		}
		resp.Body.Close()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("demo stopped with %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Fatal("demo did not stop")
		}
	}
}

var sampleUnits = []units.Unit{
	{Code: "43", Name: "湖南省", Level: units.Province},
	{Code: "4309", Name: "益阳市", Level: units.City, Parent: "43"},
	{Code: "430922", Name: "桃江县", Level: units.County, Parent: "4309"},
}

// Coordinates load all or nothing, and the gate then knows travel times.
func TestImportCoordinates(t *testing.T) {
	for _, k := range storetest.Kinds {
		t.Run(string(k), func(t *testing.T) {
			dsn := storetest.DSN(t, k)
			db, err := store.Open(context.Background(), dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.ImportUnits(context.Background(), store.System, sampleUnits, nil); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			good := filepath.Join(dir, "good.csv")
			os.WriteFile(good, []byte("code,lat,lon\n430922,28.52,112.15\n4309,28.55,112.36\n"), 0o644)
			bad := filepath.Join(dir, "bad.csv")
			os.WriteFile(bad, []byte("code,lat,lon\n43,27.6,111.7\n430923,28.38,111.2\n"), 0o644)
			out, err := runCmd(t, "", "import", "coordinates", "--db", dsn, bad)
			if err == nil || !strings.Contains(err.Error(), "430923") || !strings.Contains(err.Error(), "nothing was written") {
				t.Fatalf("unknown unit: %q %v", out, err)
			}
			if c, _ := db.Coordinates(context.Background()); len(c) != 0 {
				t.Fatalf("written after a failure: %v", c)
			}
			if out, err := runCmd(t, "", "import", "coordinates", "--db", dsn, good); err != nil || !strings.Contains(out, "located 2 units") {
				t.Fatalf("import: %q %v", out, err)
			}
			env, err := db.GateEnv(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			// 桃江县 to 益阳市: about 21 km as the crow flies, about 90 minutes there and back by county road.
			if m, ok := env.Travel("430922", "4309"); !ok || m < 60 || m > 120 {
				t.Fatalf("travel %d %v", m, ok)
			}
		})
	}
}

// Duty lists go in and out as Excel in the three-list layout.
func TestDutiesImportExport(t *testing.T) {
	for _, k := range storetest.Kinds {
		t.Run(string(k), func(t *testing.T) {
			dsn := storetest.DSN(t, k)
			db, err := store.Open(context.Background(), dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			us := append(append([]units.Unit(nil), sampleUnits...), units.Unit{Code: "430922112", Name: "桃花江镇", Level: units.Township, Parent: "430922"})
			if _, err := db.ImportUnits(context.Background(), store.System, us, nil); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			file := filepath.Join(dir, "list.xlsx")
			f, _ := os.Create(file)
			duties.WriteXLSX(f, []duties.Matter{
				{Code: "T01", Name: "最低生活保障申请受理", Category: duties.Own, Basis: "《社会救助暂行办法》"},
				{Code: "T03", Name: "食品生产经营许可", Category: duties.Negative, Basis: "《食品安全法》"},
			})
			f.Close()
			out, err := runCmd(t, "", "duties", "import", "--db", dsn, "--owner", "43", "--level", "township", "--effective", "2026-01-01", file)
			if err != nil || !strings.Contains(out, "2 matters") {
				t.Fatalf("import: %q %v", out, err)
			}
			// The county may not take a matter off the province's negative list.
			bad := filepath.Join(dir, "bad.xlsx")
			f, _ = os.Create(bad)
			duties.WriteXLSX(f, []duties.Matter{{Code: "T03", Name: "食品生产经营许可", Category: duties.Own}})
			f.Close()
			if _, err := runCmd(t, "", "duties", "import", "--db", dsn, "--owner", "430922", "--level", "township", "--effective", "2026-02-01", bad); err == nil ||
				!strings.Contains(err.Error(), "T03") || !strings.Contains(err.Error(), "nothing was written") {
				t.Fatalf("loosening import: %v", err)
			}
			outFile := filepath.Join(dir, "out.xlsx")
			out, err = runCmd(t, "", "duties", "export", "--db", dsn, "--unit", "430922112", "--date", "2026-03-01", outFile)
			if err != nil || !strings.Contains(out, "wrote 2 matters") {
				t.Fatalf("export: %q %v", out, err)
			}
			r, _ := os.Open(outFile)
			defer r.Close()
			got, err := duties.ReadXLSX(r)
			if err != nil || len(got) != 2 {
				t.Fatalf("exported workbook: %v %v", got, err)
			}
		})
	}
}

func TestDrawVerify(t *testing.T) {
	secret := []byte("kept by the drawing office")
	d := &visits.Draw{Plan: "2026Q4 安全生产检查", MinPerTier: 1, Tiers: []visits.Tier{{Name: "all", Rate: 0.1,
		Units: []string{"430922101", "430922103", "430922107", "430922108", "430922109", "430922112", "430922113"}}}}
	d.Prepare(secret)
	d.PublicValue = "beacon 2026-11-27 round 123456"
	sel, err := d.Run(secret)
	if err != nil {
		t.Fatal(err)
	}
	d.Selected, d.Secret = sel, fmt.Sprintf("%x", secret)
	dir := t.TempDir()
	write := func(name string, d *visits.Draw) string {
		b, _ := json.Marshal(d)
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o644)
		return p
	}
	if out, err := runCmd(t, "", "draw", "verify", write("ok.json", d)); err != nil || !strings.Contains(out, "verified: plan") {
		t.Fatalf("verify: %q %v", out, err)
	}
	d.Tiers[0].Units = d.Tiers[0].Units[1:]
	if out, err := runCmd(t, "", "draw", "verify", write("bad.json", d)); err == nil || !strings.Contains(out, "NOT VERIFIED") {
		t.Fatalf("tampered pool: %q %v", out, err)
	}
}

// A draw committed to drand quicknet round 12040883 (a published round,
// recorded): verify checks the round's signature and says where the value
// came from; a value entered by hand is said to be one.
func TestDrawVerifyBeacon(t *testing.T) {
	const sig = "929906c959032ab363c9f26570d215d66f5c06cb0c44fe508c12bb5839f04ec895bb6868e5b9ff13ab289bdb5266b394"
	secret := []byte("kept by the drawing office")
	d := &visits.Draw{Plan: "2026Q4 安全生产检查", MinPerTier: 1, Tiers: []visits.Tier{{Name: "all", Rate: 0.3,
		Units: []string{"430922101", "430922103", "430922107", "430922108", "430922109", "430922112", "430922113"}}}}
	d.Beacon = visits.Quicknet.Commit(time.Unix(visits.Quicknet.Genesis+3*12040882, 0).Add(-visits.BeaconLead))
	d.Prepare(secret)
	var err error
	if d.PublicValue, err = d.Beacon.Randomness(sig); err != nil {
		t.Fatal(err)
	}
	d.Beacon.Signature = sig
	sel, err := d.Run(secret)
	if err != nil {
		t.Fatal(err)
	}
	d.Selected, d.Secret = sel, fmt.Sprintf("%x", secret)
	dir := t.TempDir()
	write := func(name string, d *visits.Draw) string {
		b, _ := json.Marshal(d)
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o644)
		return p
	}
	out, err := runCmd(t, "", "draw", "verify", write("beacon.json", d))
	if err != nil || !strings.Contains(out, "public value: drand quicknet round 12040883 (published 2024-10-15 01:13:33 China time") ||
		!strings.Contains(out, "https://api.drand.sh/52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971/public/12040883") {
		t.Fatalf("verify: %q %v", out, err)
	}
	d.Beacon.Signature = sig[:95] + "5"
	if out, err := runCmd(t, "", "draw", "verify", write("bad.json", d)); err == nil || !strings.Contains(out, "NOT VERIFIED") {
		t.Fatalf("a changed signature: %q %v", out, err)
	}
	hand := &visits.Draw{Plan: "BY-HAND", MinPerTier: 1, Tiers: []visits.Tier{{Name: "all", Rate: 1, Units: []string{"430922101"}}}}
	hand.Prepare(secret)
	hand.PublicValue = "福利彩票 2026101期"
	if hand.Selected, err = hand.Run(secret); err != nil {
		t.Fatal(err)
	}
	hand.Secret = fmt.Sprintf("%x", secret)
	if out, err := runCmd(t, "", "draw", "verify", write("hand.json", hand)); err != nil || !strings.Contains(out, "entered by hand") {
		t.Fatalf("by hand: %q %v", out, err)
	}
}

// --draw-beacon takes quicknet or none and is refused otherwise, before the
// database is opened.
func TestServeRefusesAnUnknownDrawBeacon(t *testing.T) {
	t.Parallel()
	_, err := runCmd(t, "", "serve", "--db", "sqlite:/nonexistent/dir/x.db", "--draw-beacon", "lottery")
	if err == nil || !strings.Contains(err.Error(), `-draw-beacon takes quicknet or none, not "lottery"`) {
		t.Fatalf("--draw-beacon lottery: %v", err)
	}
}
