package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lighten/internal/collect"
	"lighten/internal/i18n"
	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/units"
)

func dhis2Cmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := cmdDHIS2(context.Background(), i18n.EN, args, &out, &errOut)
	return out.String() + errOut.String(), err
}

// A health office's DHIS2 file loads on both databases, all or nothing,
// and the values come back out in both of DHIS2's forms.
func TestDHIS2ImportExport(t *testing.T) {
	for _, k := range storetest.Kinds {
		t.Run(string(k), func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, k)
			db, err := store.Open(ctx, dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			us := append(append([]units.Unit(nil), sampleUnits...),
				units.Unit{Code: "430922100", Name: "桃花江镇", Level: units.Township, Parent: "430922"},
				units.Unit{Code: "430922100201", Name: "三里桥村", Level: units.Village, Parent: "430922100"},
				units.Unit{Code: "430922100202", Name: "花果山村", Level: units.Village, Parent: "430922100"})
			if _, err := db.ImportUnits(ctx, store.System, us, nil); err != nil {
				t.Fatal(err)
			}
			err = db.Write(ctx, store.System, func(tx *store.Tx) error {
				o := units.Office{UnitCode: "430922", Name: "桃江县卫生健康局"}
				if err := tx.CreateOffice(ctx, &o); err != nil {
					return err
				}
				for _, e := range []*collect.Element{
					{Code: "CASES", Name: "门诊人次", Type: collect.Integer, Period: collect.Month, Owner: o.ID, Status: collect.Approved},
					{Code: "BEDS", Name: "床位数", Type: collect.Integer, Period: collect.Year, Owner: o.ID, Status: collect.Approved},
				} {
					if err := tx.SaveElement(ctx, e); err != nil {
						return err
					}
				}
				return nil
			})
			db.Close()
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			write := func(name, body string) string {
				p := filepath.Join(dir, name)
				if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
				return p
			}
			// A faulty file: every fault named by line, nothing written.
			bad := write("bad.csv", "dataelement,period,orgunit,value\nCASES,202611,430922100201,31\nCARS,202611,430922100201,3\nCASES,2026,430922100202,x\n")
			out, err := dhis2Cmd(t, "import", "--db", dsn, bad)
			if err == nil || !strings.Contains(err.Error(), "nothing was written") || !strings.Contains(out, "line 3: The dictionary has no element CARS") ||
				!strings.Contains(out, `line 4: Period "2026" is a year period, but element CASES is reported by month`) {
				t.Fatalf("faulty import: %v\n%s", err, out)
			}
			out, err = dhis2Cmd(t, "export", "--db", dsn, "--element", "CASES", "--period", "202611", "-")
			if err != nil || strings.TrimSpace(out) != `{"dataValues":[]}` {
				t.Fatalf("stored from a faulty file: %v %s", err, out)
			}

			good := write("cases.json", `{"orgUnit": "430922100201", "dataValues": [
				{"dataElement": "CASES", "period": "202611", "value": "31"},
				{"dataElement": "CASES", "period": "202611", "orgUnit": "430922100202", "value": "17"},
				{"dataElement": "BEDS", "period": "2026", "value": "12"}]}`)
			// Flags may follow the file.
			out, err = dhis2Cmd(t, "import", good, "--db", dsn)
			if err != nil || !strings.Contains(out, "imported 3 value(s) of 2 element(s) for 2 unit(s)") {
				t.Fatalf("import: %v %s", err, out)
			}

			csvOut := filepath.Join(dir, "out.csv")
			out, err = dhis2Cmd(t, "export", "--db", dsn, "--element", "CASES,BEDS", "--period", "202611,2026", "--under", "430922100", csvOut)
			if err != nil || !strings.Contains(out, "wrote 3 value(s)") {
				t.Fatalf("export csv: %v %s", err, out)
			}
			data, _ := os.ReadFile(csvOut)
			vals, err := collect.ReadDataValuesCSV(bytes.NewReader(data))
			if err != nil || len(vals) != 3 {
				t.Fatalf("exported csv: %v\n%s", err, data)
			}
			got := map[string]string{}
			for _, v := range vals {
				got[v.DataElement+" "+v.Period+" "+v.OrgUnit] = v.Value + " " + v.StoredBy + " " + v.Comment
			}
			for key, want := range map[string]string{
				"CASES 202611 430922100201": "31 system dhis2",
				"CASES 202611 430922100202": "17 system dhis2",
				"BEDS 2026 430922100201":    "12 system dhis2",
			} {
				if got[key] != want {
					t.Errorf("%s: %q, want %q", key, got[key], want)
				}
			}
			// One village, as JSON to standard output.
			out, err = dhis2Cmd(t, "export", "--db", dsn, "--element", "CASES", "--period", "202611", "--under", "430922100202", "--format", "json", "-")
			if err != nil || !strings.Contains(out, `"dataElement":"CASES","period":"202611","orgUnit":"430922100202","value":"17"`) || strings.Contains(out, "430922100201") {
				t.Fatalf("export json: %v %s", err, out)
			}
			// The export reads back as an import: the same values again.
			out, err = dhis2Cmd(t, "import", "--db", dsn, csvOut)
			if err != nil || !strings.Contains(out, "imported 3 value(s)") {
				t.Fatalf("re-import: %v %s", err, out)
			}
			db, _ = store.Open(ctx, dsn, store.Options{})
			defer db.Close()
			h, _ := db.History(ctx, "430922100202", "CASES", "2026-11")
			if len(h) != 2 || h[0].Value != "17" || !h[0].Current || h[1].Current || h[0].Source != "dhis2" {
				t.Fatalf("history: %+v", h)
			}
			records, _ := db.ListAudit(ctx, store.AuditQuery{Scopes: []string{""}, Entity: "data_value_set", Limit: 10})
			if len(records) != 2 || records[0].Actor != "system" || records[0].UnitCode != "430922100" {
				t.Fatalf("audit: %+v", records)
			}

			for _, c := range []struct {
				args []string
				want string
			}{
				{[]string{"export", "--db", dsn, "--element", "CASES", "--period", "2026", "-"}, "reported by month"},
				{[]string{"export", "--db", dsn, "--element", "CASES", "--period", "2026S1", "-"}, "DHIS2 period"},
				{[]string{"export", "--db", dsn, "--element", "CARS", "--period", "2026", "-"}, "no such element"},
				{[]string{"export", "--db", dsn, "--element", "CASES", "--period", "202611", "--under", "999999", "-"}, "no such unit"},
				{[]string{"export", "--db", dsn, "--period", "202611", "-"}, "--element and --period are required"},
				{[]string{"send", "x"}, "say import or export"},
				{[]string{"import", "--db", dsn}, "give one file"},
			} {
				if _, err := dhis2Cmd(t, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
					t.Errorf("%v: %v, want %q", c.args, err, c.want)
				}
			}
		})
	}
}
