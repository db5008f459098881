package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"lighten/internal/store"
	"lighten/internal/store/storetest"
)

// The inspector register's exports quote names a spreadsheet could run as
// formulas, in CSV and in the workbook (which holds no formula), and what
// was exported imports again as it was.
func TestInspectorRegisterQuotesFormulas(t *testing.T) {
	t.Parallel()
	for _, k := range storetest.Kinds {
		t.Run(string(k), func(t *testing.T) {
			dsn, _, _ := seedVisitDB(t, k)
			dir := t.TempDir()
			names := []string{"=1+1", "+cmd", "-2+3", "@SUM(A1)"}
			in := "number,name,office,works,origin,relations,capacity,max_travel,away\n"
			for i, n := range names {
				in += "NY0" + string(rune('1'+i)) + ",\"" + n + "\",桃江县农业农村局,430922,,,3,300,\n"
			}
			src := filepath.Join(dir, "in.csv")
			os.WriteFile(src, []byte(in), 0o644)
			if out, err := runCmd(t, "", "inspectors", "import", "--db", dsn, src); err != nil {
				t.Fatalf("import: %v\n%s", err, out)
			}
			out, err := runCmd(t, "", "inspectors", "export", "--db", dsn, "-")
			if err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil || len(recs) != len(names)+1 {
				t.Fatalf("csv export: %v\n%s", err, out)
			}
			for i, n := range names {
				if recs[i+1][1] != "'"+n || recs[i+1][6] != "3" {
					t.Errorf("csv row %d: %q", i+2, recs[i+1])
				}
			}
			xfile := filepath.Join(dir, "out.xlsx")
			if _, err := runCmd(t, "", "inspectors", "export", "--db", dsn, xfile); err != nil {
				t.Fatal(err)
			}
			data, _ := os.ReadFile(xfile)
			f, err := excelize.OpenReader(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			sheet := f.GetSheetName(0)
			for i, n := range names {
				cell, _ := excelize.CoordinatesToCellName(2, i+2)
				if v, _ := f.GetCellValue(sheet, cell); v != "'"+n {
					t.Errorf("%s: %q", cell, v)
				}
				if fm, _ := f.GetCellFormula(sheet, cell); fm != "" {
					t.Errorf("%s is a formula %q", cell, fm)
				}
			}
			f.Close()
			// Both files import again with the names as they were.
			for _, path := range []string{xfile, filepath.Join(dir, "out.csv")} {
				if strings.HasSuffix(path, ".csv") {
					os.WriteFile(path, []byte(out), 0o644)
				}
				if out, err := runCmd(t, "", "inspectors", "import", "--db", dsn, path); err != nil || !strings.Contains(out, "0 added, 4 updated") {
					t.Fatalf("re-import %s: %v %s", path, err, out)
				}
				db, err := store.Open(context.Background(), dsn, store.Options{})
				if err != nil {
					t.Fatal(err)
				}
				list, err := db.Inspectors(context.Background(), store.InspectorFilter{})
				db.Close()
				if err != nil {
					t.Fatal(err)
				}
				for i, in := range list {
					if in.Name != names[i] {
						t.Errorf("%s: inspector %s named %q, want %q", path, in.Number, in.Name, names[i])
					}
				}
			}
		})
	}
}
