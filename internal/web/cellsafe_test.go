package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"lighten/internal/collect"
	"lighten/internal/gate"
	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/units"
)

// noFormula fails when any cell of any sheet of a workbook is a formula.
func noFormula(t *testing.T, x *excelize.File) {
	t.Helper()
	for _, sh := range x.GetSheetList() {
		rows, _ := x.GetRows(sh)
		for r, row := range rows {
			for c := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if fm, _ := x.GetCellFormula(sh, cell); fm != "" {
					t.Errorf("%s!%s is a formula %q", sh, cell, fm)
				}
			}
		}
	}
}

// Every export for people quotes what a spreadsheet could run as a
// formula (= + - @ and a leading tab or carriage return), read back from
// the files the routes send: the answer, completeness and the dictionary
// as CSV and Excel, the review queue and an inbox as spreadsheets. The
// DHIS2 export is for machines and keeps values exact.
func TestExportsQuoteFormulas(t *testing.T) {
	t.Parallel()
	renamed := slices.Clone(fixtureUnits)
	for i, u := range renamed {
		if u.Code == "430922100201" {
			renamed[i].Name = "-2+3村"
		}
	}
	for _, k := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(k), func(t *testing.T) { exportsQuoteFormulas(t, newFixtureOf(t, k, renamed)) })
	}
}

// newFixtureOf is newFixture on another tree.
func newFixtureOf(t *testing.T, kind store.Dialect, tree []units.Unit) *fixture {
	t.Helper()
	db := storetest.Open(t, kind, store.Options{})
	if _, err := db.ImportUnits(context.Background(), store.System, tree, nil); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, db: db, srv: New(db, Options{Version: "test"})}
	f.ts = httptest.NewServer(f.srv)
	t.Cleanup(f.ts.Close)
	return f
}

func exportsQuoteFormulas(t *testing.T, f *fixture) {
	stats, _, statsToken := f.issuerIn("tongji", "430922")
	_, burden := f.person("jianfu", "430922", "burden@430922")
	_, v1 := f.person("cun1", "430922100201", "cadre@430922100201")
	_, v2 := f.person("cun2", "430922100202", "cadre@430922100202")
	for _, e := range []collect.Element{
		{Code: "NOTE", Name: "+cmd", Type: collect.Text, Measure: "@SUM(A1)", Period: collect.Year, ValidDays: 365, Owner: stats.ID},
		{Code: "PICK", Name: "选项", Type: collect.Choice, Period: collect.Year, ValidDays: 365, Owner: stats.ID, Choices: []string{"=1+1", "@SUM(A1)", "是"}},
		{Code: "NUM", Name: "差额", Type: collect.Decimal, Period: collect.Year, ValidDays: 365, Owner: stats.ID},
	} {
		if status, body := f.do("POST", "/api/v1/elements", burden, e); status != 201 {
			t.Fatalf("element %s: %d %s", e.Code, status, body)
		}
	}
	_, body := f.do("POST", "/api/v1/demands", statsToken, villageReport(demandInput(""), "NOTE", "PICK", "NUM"))
	rec := decodeJSON[store.DemandRecord](t, body)
	f.do("POST", "/api/v1/demands/"+itoa(rec.ID)+"/submit", statsToken, nil)
	id := itoa(rec.ID)
	for token, vals := range map[string]map[string]string{
		v1: {"NOTE": "-2+3", "PICK": "=1+1", "NUM": "-3.5"},
		v2: {"NOTE": `+HYPERLINK("http://evil","x")`, "PICK": "@SUM(A1)", "NUM": "2"},
	} {
		unit := map[string]string{v1: "430922100201", v2: "430922100202"}[token]
		if status, body := f.do("POST", "/api/v1/units/"+unit+"/reports/"+id+"/submission", token, collect.Submission{Values: vals}); status != 201 {
			t.Fatalf("submit %s: %d %s", unit, status, body)
		}
	}
	year := collect.PeriodOf(collect.Year, rec.Due)

	// The answer as CSV: text quoted, a negative number as it is.
	_, body = f.send("GET", "/api/v1/reports/"+id+"/answer?format=csv", statsToken, "", nil)
	recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range recs[1:] {
		got[r[0]+" "+r[2]] = r[4]
		got[r[0]+" name"] = r[1]
	}
	for k, want := range map[string]string{"430922100201 NOTE": "'-2+3", "430922100201 name": "'-2+3村", "430922100201 PICK": "'=1+1", "430922100201 NUM": "-3.5",
		"430922100202 NOTE": `'+HYPERLINK("http://evil","x")`, "430922100202 PICK": "'@SUM(A1)", "430922100202 NUM": "2"} {
		if got[k] != want {
			t.Errorf("answer csv %s = %q, want %q", k, got[k], want)
		}
	}

	// The answer as Excel: no formula anywhere, text quoted, numbers
	// as number cells.
	_, body = f.send("GET", "/api/v1/reports/"+id+"/answer.xlsx", statsToken, "", nil)
	x, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	noFormula(t, x)
	rows, _ := x.GetRows(collect.AnswerSheetName)
	if len(rows) != 3 || !strings.HasPrefix(rows[0][2], "'+cmd NOTE") || rows[1][2] != "'-2+3" || rows[1][3] != "'=1+1" || rows[1][4] != "-3.5" || rows[2][3] != "'@SUM(A1)" {
		t.Errorf("answer xlsx %q", rows)
	}
	if typ, _ := x.GetCellType(collect.AnswerSheetName, "E2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("-3.5 is a %v cell", typ)
	}
	x.Close()

	// Completeness as CSV and Excel, with a village the national files
	// name with something a spreadsheet would run.
	_, body = f.send("GET", "/api/v1/reports/"+id+"/completeness.csv?under=430922100", statsToken, "", nil)
	if !strings.Contains(string(body), "\n430922100201,'-2+3村,1,1,1,100.0\n") {
		t.Errorf("completeness csv:\n%s", body)
	}
	_, body = f.send("GET", "/api/v1/reports/"+id+"/completeness.xlsx?under=430922100", statsToken, "", nil)
	x, err = excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	noFormula(t, x)
	if v, _ := x.GetCellValue(x.GetSheetName(0), "B2"); v != "'-2+3村" {
		t.Errorf("completeness xlsx B2 %q", v)
	}
	x.Close()

	// The dictionary as CSV and Excel.
	_, body = f.send("GET", "/api/v1/elements.csv", "", "", nil)
	if !strings.Contains(string(body), "NOTE,'+cmd,,text,'@SUM(A1),") || !strings.Contains(string(body), "'=1+1|@SUM(A1)|是") {
		t.Errorf("dictionary csv:\n%s", body)
	}
	_, body = f.send("GET", "/api/v1/elements.xlsx", "", "", nil)
	x, err = excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	noFormula(t, x)
	if v, _ := x.GetCellValue(collect.DictionarySheet, "B2"); v != "'+cmd" {
		t.Errorf("dictionary xlsx B2 %q", v)
	}
	x.Close()

	// DHIS2 is for machines: exact values, no quote.
	_, body = f.send("GET", "/api/v1/dhis2/dataValueSets?format=csv&dataElement=NOTE,PICK&period="+year+"&orgUnit=430922100201", statsToken, "", nil)
	vals, err := collect.ReadDataValuesCSV(bytes.NewReader(body))
	if err != nil || len(vals) != 2 || vals[0].Value != "-2+3" || vals[1].Value != "=1+1" {
		t.Errorf("dhis2 csv: %v %+v\n%s", err, vals, body)
	}

	// The review queue and an inbox as spreadsheets: titles and office
	// names quoted.
	office := f.office("430922", "@SUM(A1)")
	d := goodReport(office)
	d.Title = "=1+1 春耕生产情况统计"
	inReview(d)
	if r := f.demand(t, d, true); r.Status != gate.InReview {
		t.Fatalf("review fixture is %s", r.Status)
	}
	d = goodReport(office)
	d.Title = "-2+3 春耕面积"
	if r := f.demand(t, d, true); r.Status != gate.Admitted {
		t.Fatalf("inbox fixture is %s", r.Status)
	}
	f.person("zhen", "430922100", "cadre@430922100")
	c := f.uiClient("en")
	c.signIn("jianfu")
	x, _, rows = openSheet(t, c.get("/review.xlsx"))
	noFormula(t, x)
	if len(rows) != 2 || rows[1][1] != "'=1+1 春耕生产情况统计" || rows[1][2] != "'@SUM(A1)" {
		t.Errorf("review xlsx %q", rows)
	}
	c = f.uiClient("en")
	c.signIn("zhen")
	x, _, rows = openSheet(t, c.get("/units/430922100/inbox.xlsx"))
	noFormula(t, x)
	found := false
	for _, r := range rows[1:] {
		if r[1] == "'-2+3 春耕面积" && r[3] == "'@SUM(A1)" {
			found = true
		}
	}
	if !found {
		t.Errorf("inbox xlsx %q", rows)
	}
}
