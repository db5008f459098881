package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"lighten/internal/calendar"
	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/units"
	"lighten/internal/visits"
)

// visitUnits is a county with two townships and five villages.
var visitUnits = append(append([]units.Unit(nil), sampleUnits...),
	units.Unit{Code: "430922100", Name: "桃花江镇", Level: units.Township, Parent: "430922"},
	units.Unit{Code: "430922100201", Name: "三里桥村", Level: units.Village, Parent: "430922100"},
	units.Unit{Code: "430922100202", Name: "花果山村", Level: units.Village, Parent: "430922100"},
	units.Unit{Code: "430922101", Name: "灰山港镇", Level: units.Township, Parent: "430922"},
	units.Unit{Code: "430922101201", Name: "灰山港村", Level: units.Village, Parent: "430922101"},
	units.Unit{Code: "430922101202", Name: "金沙洲村", Level: units.Village, Parent: "430922101"},
	units.Unit{Code: "430922101203", Name: "栗山河村", Level: units.Village, Parent: "430922101"},
)

func visitTree() *units.Tree { return units.NewTree(1, visitUnits) }

// The register's faults are all named, each by row, column and what was
// expected, and nothing is taken from a faulty file.
func TestParseInspectorsFaults(t *testing.T) {
	offices := map[int64]units.Office{
		1: {ID: 1, UnitCode: "430922", Name: "桃江县农业农村局"},
		2: {ID: 2, UnitCode: "430922", Name: "桃江县卫生健康局"},
		3: {ID: 3, UnitCode: "430922100", Name: "桃江县卫生健康局"},
	}
	rows := [][]string{
		{"编号", "姓名", "office", "works", "origin", "relations", "capacity", "max_travel", "away"},
		{"NY01", "陈静", "桃江县农业农村局", "430922", "430922100", "430922101201；430922101202", "3", "240", "2026-12-01..2026-12-03;2026-12-10"},
		{"NY01", "", "桃江县统计局", "430999", "4309221", "43092210", "0", "two hours", "12/01/2026"},
		{"", "", "", "", "", "", "", "", ""},
		{"WJ01", "赵磊", "桃江县卫生健康局", "430922", "", "", "2", "300", "2026-12-05..2026-12-01"},
		{"WJ02", "王芳", "3", "430922", "", "", "21", "300", ""},
	}
	list, faults := parseInspectors(rows, visitTree(), offices)
	want := []string{
		`row 3, column number: "NY01" is already on row 2; numbers are unique`,
		"row 3, column name: empty; the inspector's name is expected",
		`row 3, column office: "桃江县统计局" is neither the name nor the id of an office`,
		`row 3, column works: "430999" is not the statistical code of a unit in the tree`,
		`row 3, column origin: "4309221" is not the statistical code of a unit in the tree`,
		`row 3, column relations: "43092210" is not the statistical code of a unit in the tree`,
		`row 3, column capacity: "0": a whole number from 1 to 20 is expected`,
		`row 3, column max_travel: "two hours": a whole number from 1 to 1440 is expected`,
		`row 3, column away: "12/01/2026": a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD is expected`,
		`row 5, column office: "桃江县卫生健康局" names 2 offices; give the office's id instead`,
		`row 5, column away: "2026-12-05..2026-12-01": a range YYYY-MM-DD..YYYY-MM-DD of at most a year, its end not before its start, is expected`,
		`row 6, column capacity: "21": a whole number from 1 to 20 is expected`,
	}
	var got []string
	for _, f := range faults {
		got = append(got, f.String())
	}
	if !slices.Equal(got, want) {
		t.Fatalf("faults:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The good rows read whole: ranges of days spelled out, relations of
	// either separator, an office given by id.
	if len(list) != 4 {
		t.Fatalf("%d entries", len(list))
	}
	ny := list[0]
	if ny.Number != "NY01" || ny.OfficeID != 1 || ny.Origin != "430922100" || !slices.Equal(ny.Relations, []string{"430922101201", "430922101202"}) ||
		ny.Capacity != 3 || ny.MaxTravel != 240 || len(ny.Away) != 4 || ny.Away[0] != calendar.NewDate(2026, 12, 1) || ny.Away[3] != calendar.NewDate(2026, 12, 10) || !ny.Active {
		t.Fatalf("first row read as %+v", ny)
	}
	if list[3].OfficeID != 3 {
		t.Fatalf("office by id: %+v", list[3])
	}

	// A header without a required column, or with one it does not know.
	_, faults = parseInspectors([][]string{{"number", "name", "office", "works", "capacity", "phone"}}, visitTree(), offices)
	got = got[:0]
	for _, f := range faults {
		got = append(got, f.String())
	}
	want = []string{
		"row 1, column phone: unknown column; expected number, name, office, works, origin, relations, capacity, max_travel or away",
		"row 1, column max_travel: the header has no such column, and it is required",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("header faults: %q", got)
	}
}

// seedVisitDB makes a database with the county, two offices and returns
// its DSN and the offices' ids.
func seedVisitDB(t *testing.T, k store.Dialect) (string, int64, int64) {
	t.Helper()
	ctx := context.Background()
	dsn := storetest.DSN(t, k)
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ImportUnits(ctx, store.System, visitUnits, nil); err != nil {
		t.Fatal(err)
	}
	var ny, wj units.Office
	err = db.Write(ctx, store.System, func(tx *store.Tx) error {
		ny = units.Office{UnitCode: "430922", Name: "桃江县农业农村局"}
		wj = units.Office{UnitCode: "430922", Name: "桃江县卫生健康局"}
		if err := tx.CreateOffice(ctx, &ny); err != nil {
			return err
		}
		return tx.CreateOffice(ctx, &wj)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dsn, ny.ID, wj.ID
}

const registerCSV = `number,name,office,works,origin,relations,capacity,max_travel,away
NY01,陈静,桃江县农业农村局,430922,430922100,,3,300,
NY02,刘强,桃江县农业农村局,430922,,430922101203,3,300,2026-12-24..2026-12-25
WJ01,赵磊,桃江县卫生健康局,430922,,,3,300,
WJ02,王芳,桃江县卫生健康局,430922,,,3,300,
`

// The register goes in from CSV all or nothing, is updated by number from
// a workbook, and comes back out in both forms.
func TestInspectorsImportExport(t *testing.T) {
	for _, k := range storetest.Kinds {
		t.Run(string(k), func(t *testing.T) {
			ctx := context.Background()
			dsn, _, _ := seedVisitDB(t, k)
			dir := t.TempDir()
			write := func(name string, body []byte) string {
				p := filepath.Join(dir, name)
				if err := os.WriteFile(p, body, 0o644); err != nil {
					t.Fatal(err)
				}
				return p
			}
			bad := write("bad.csv", []byte(registerCSV+"WJ03,孙伟,桃江县卫生健康局,430922,,,3,half a day,\n"))
			out, err := runCmd(t, "", "inspectors", "import", "--db", dsn, bad)
			if err == nil || !strings.Contains(err.Error(), "1 fault(s); nothing was written") ||
				!strings.Contains(out, `row 6, column max_travel: "half a day": a whole number from 1 to 1440 is expected`) {
				t.Fatalf("faulty import: %v\n%s", err, out)
			}
			if out, err := runCmd(t, "", "inspectors", "export", "--db", dsn); err != nil || strings.Count(out, "\n") != 1 {
				t.Fatalf("written after a failure: %v\n%s", err, out)
			}
			out, err = runCmd(t, "", "inspectors", "import", "--db", dsn, write("good.csv", []byte("\xef\xbb\xbf"+registerCSV)))
			if err != nil || !strings.Contains(out, "imported 4 inspector(s)") || !strings.Contains(out, "4 added, 0 updated") {
				t.Fatalf("import: %v\n%s", err, out)
			}

			// A workbook changes one inspector's capacity and adds one.
			f := excelize.NewFile()
			rows := [][]any{
				{"编号", "姓名", "所属部门", "工作单位", "籍贯", "申报亲属关系", "每日检查数", "每日路程分钟", "不在岗日期"},
				{"NY01", "陈静", "桃江县农业农村局", "430922", "430922100", "", 2, 360, ""},
				{"WJ03", "孙伟", "桃江县卫生健康局", "430922", "", "430922100201;430922100202", 4, 240, "2026-12-07"},
			}
			for i, r := range rows {
				cell, _ := excelize.CoordinatesToCellName(1, i+1)
				f.SetSheetRow("Sheet1", cell, &r)
			}
			var book bytes.Buffer
			f.Write(&book)
			out, err = runCmd(t, "", "inspectors", "import", "--db", dsn, write("more.xlsx", book.Bytes()))
			if err != nil || !strings.Contains(out, "1 added, 1 updated") {
				t.Fatalf("xlsx import: %v\n%s", err, out)
			}
			db, err := store.Open(ctx, dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			list, err := db.Inspectors(ctx, store.InspectorFilter{})
			db.Close()
			if err != nil || len(list) != 5 {
				t.Fatalf("register: %v %+v", err, list)
			}
			if list[0].Number != "NY01" || list[0].Capacity != 2 || list[0].MaxTravel != 360 || list[0].Origin != "430922100" {
				t.Fatalf("NY01 not updated: %+v", list[0])
			}

			// Out as CSV to standard output, and as a workbook to a file,
			// the same rows both ways.
			out, err = runCmd(t, "", "inspectors", "export", "--db", dsn, "-")
			if err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil || len(recs) != 6 {
				t.Fatalf("csv export: %v\n%s", err, out)
			}
			if !slices.Equal(recs[2], []string{"NY02", "刘强", "桃江县农业农村局", "430922", "", "430922101203", "3", "300", "2026-12-24;2026-12-25"}) {
				t.Fatalf("NY02 exported as %q", recs[2])
			}
			xfile := filepath.Join(dir, "out.xlsx")
			if out, err := runCmd(t, "", "inspectors", "export", "--db", dsn, xfile); err != nil || !strings.Contains(out, "wrote 5 inspector(s)") {
				t.Fatalf("xlsx export: %v %s", err, out)
			}
			data, _ := os.ReadFile(xfile)
			back, err := readTable(t.Context(), xfile, data)
			if err != nil || !slices.EqualFunc(back, recs, slices.Equal) {
				t.Fatalf("workbook holds %q, CSV %q (%v)", back, recs, err)
			}
			// What was exported imports again unchanged.
			if out, err := runCmd(t, "", "inspectors", "import", "--db", dsn, xfile); err != nil || !strings.Contains(out, "0 added, 5 updated") {
				t.Fatalf("re-import: %v %s", err, out)
			}
			if _, err := runCmd(t, "", "inspectors", "export", "--db", dsn, "--format", "pdf", "-"); err == nil || !strings.Contains(err.Error(), "csv or xlsx expected") {
				t.Fatalf("bad format: %v", err)
			}
		})
	}
}

// Two offices' approved plans drawn at every village of the county are
// merged into joint visits; the run's figures are printed, the targets
// never.
func TestPlansListAndVisitsSchedule(t *testing.T) {
	for _, k := range storetest.Kinds {
		t.Run(string(k), func(t *testing.T) {
			ctx := context.Background()
			dsn, ny, wj := seedVisitDB(t, k)
			dir := t.TempDir()
			reg := filepath.Join(dir, "register.csv")
			os.WriteFile(reg, []byte(registerCSV), 0o644)
			if out, err := runCmd(t, "", "inspectors", "import", "--db", dsn, reg); err != nil {
				t.Fatalf("register: %v %s", err, out)
			}
			if out, err := runCmd(t, "", "plans", "list", "--db", dsn); err != nil || strings.TrimSpace(out) != "no plans" {
				t.Fatalf("no plans: %v %q", err, out)
			}
			db, err := store.Open(ctx, dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			from, to := calendar.NewDate(2026, 12, 7), calendar.NewDate(2026, 12, 31)
			plans := []*visits.Plan{
				{OfficeID: ny, Year: 2026, Title: "2026年耕地保护专项检查计划", Items: []visits.Item{{
					Code: "NY-2026-01", Title: "耕地保护专项检查", Kind: visits.Special, Scope: "430922", Level: units.Village,
					Rate: 1, Team: 2, From: from, To: to,
					Checklist: []visits.CheckItem{{Code: "NY1", Text: "永久基本农田是否被占用", Scoring: true}}}}},
				{OfficeID: wj, Year: 2026, Title: "2026年村卫生室专项检查计划", Items: []visits.Item{{
					Code: "WJ-2026-01", Title: "村卫生室专项检查", Kind: visits.Special, Scope: "430922", Level: units.Village,
					Rate: 1, Team: 2, From: from, To: to,
					Checklist: []visits.CheckItem{{Code: "WJ1", Text: "村医是否在岗", Scoring: true}}}}},
			}
			err = db.Write(ctx, store.System, func(tx *store.Tx) error {
				for _, p := range plans {
					if err := tx.SavePlan(ctx, p); err != nil {
						return err
					}
					if err := tx.SetPlanStatus(ctx, p.ID, visits.PlanApproved); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				db.Close()
				t.Fatal(err)
			}
			for _, p := range plans {
				err = db.Write(ctx, store.System, func(tx *store.Tx) error {
					rec, err := tx.CommitItemDraw(ctx, p.Items[0].ID)
					if err != nil {
						return err
					}
					return tx.RunDraw(ctx, rec, "test beacon round 1")
				})
				if err != nil {
					db.Close()
					t.Fatal(err)
				}
			}
			db.Close()

			out, err := runCmd(t, "", "plans", "list", "--db", dsn, "--year", "2026")
			if err != nil || !strings.Contains(out, "2026年耕地保护专项检查计划") || !strings.Contains(out, "WJ-2026-01") ||
				!strings.Contains(out, "special") || !strings.Contains(out, "drawn") || !strings.Contains(out, "2026-12-07..2026-12-31") {
				t.Fatalf("plans list: %v\n%s", err, out)
			}
			if out, err := runCmd(t, "", "plans", "list", "--db", dsn, "--year", "2025"); err != nil || strings.TrimSpace(out) != "no plans" {
				t.Fatalf("plans of 2025: %v %q", err, out)
			}

			for _, bad := range [][]string{
				{"--scope", "430999", "--from", "2026-12-07", "--to", "2026-12-31"},
				{"--scope", "430922", "--from", "2026-12-32", "--to", "2026-12-31"},
				{"--scope", "430922", "--from", "2026-12-07", "--to", "2026-12-01"},
				{"--scope", "430922", "--from", "2026-12-07", "--to", "2028-01-08"},
				{"--scope", "430922", "--from", "2026-12-07", "--to", "2026-12-31", "--confirm", "0000"},
			} {
				if _, err := runCmd(t, "", append([]string{"visits", "schedule", "--db", dsn}, bad...)...); err == nil {
					t.Errorf("visits schedule %q: no error", bad)
				}
			}
			// Without --confirm: the preview, which changes nothing and
			// ends with the command that applies it.
			token := func(out string) string {
				t.Helper()
				_, tok, ok := strings.Cut(out, "--confirm ")
				if !ok {
					t.Fatalf("no token in the preview:\n%s", out)
				}
				return strings.TrimSpace(tok)
			}
			window := []string{"visits", "schedule", "--db", dsn, "--scope", "430922", "--from", "2026-12-07", "--to", "2027-01-08"}
			out, err = runCmd(t, "", window...)
			if err != nil || !strings.Contains(out, "preview of a schedule run (nothing changed)") || !strings.Contains(out, "0 stay, 0 move to another day or team, 5 added, 0 dropped") {
				t.Fatalf("preview: %v\n%s", err, out)
			}
			if runs := scheduleRuns(t, dsn); runs != 0 {
				t.Fatalf("the preview stored %d runs", runs)
			}
			out, err = runCmd(t, "", append(window, "--confirm", token(out))...)
			if err != nil {
				t.Fatalf("schedule: %v\n%s", err, out)
			}
			// Every village drawn by both plans: five joint visits serving
			// ten plan visits, two inspectors each at least.
			for _, want := range []string{"2 plan item(s)", "plan visits     10 asked, 10 scheduled", "visits          5, of which 5 joint",
				"joint rate      100.0%", "unscheduled     none"} {
				if !strings.Contains(out, want) {
					t.Errorf("schedule output lacks %q:\n%s", want, out)
				}
			}
			for _, u := range visitUnits {
				if u.Level == units.Village && strings.Contains(out, u.Code) {
					t.Errorf("schedule output names target %s:\n%s", u.Code, out)
				}
			}
			// Run again: the same plan comes out; nothing is replaced.
			out, err = runCmd(t, "", window...)
			if err != nil || !strings.Contains(out, "5 stay, 0 move") {
				t.Fatalf("second preview: %v\n%s", err, out)
			}
			out, err = runCmd(t, "", append(window, "--confirm", token(out))...)
			if err != nil || !strings.Contains(out, "visits          5, of which 5 joint") {
				t.Fatalf("second run: %v\n%s", err, out)
			}
		})
	}
}

// scheduleRuns counts the stored schedule runs.
func scheduleRuns(t *testing.T, dsn string) int {
	t.Helper()
	db, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	runs, err := db.ScheduleRuns(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	return len(runs)
}
