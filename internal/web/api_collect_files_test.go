package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/xuri/excelize/v2"

	"lighten/internal/collect"
	"lighten/internal/gate"
	"lighten/internal/store"
)

// send posts a body of any content type, with a bearer token.
func (f *fixture) send(method, path, token, contentType string, body []byte) (int, []byte) {
	f.t.Helper()
	req, err := http.NewRequest(method, f.ts.URL+path, bytes.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// multipartFile is a browser's form with the file in the part "file".
func multipartFile(t *testing.T, name string, data []byte) (string, []byte) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("note", "ignored")
	w, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

// faultsSay checks a refused file's answer: the status, nothing but
// faults, and each wanted text in one fault's place and message.
func faultsSay(t *testing.T, name string, status int, body []byte, wantStatus int, want ...string) {
	t.Helper()
	if status != wantStatus {
		t.Errorf("%s: %d, want %d: %s", name, status, wantStatus, body)
		return
	}
	fe := decodeJSON[FileErrors](t, body)
	if fe.Error == nil || len(fe.Faults) == 0 || fe.Error.Message.ZH == "" {
		t.Errorf("%s: %s", name, body)
		return
	}
	for _, w := range want {
		found := false
		for _, f := range fe.Faults {
			found = found || strings.Contains(f.Error(), w)
		}
		if !found {
			t.Errorf("%s: no fault says %q: %s", name, w, body)
		}
	}
}

// The burden office exports the dictionary, edits it in Excel and imports
// it back, all or nothing.
func TestDictionaryFiles(t *testing.T) {
	storetestEach(t, func(t *testing.T, f *fixture) {
		stats, _, statsToken := f.issuerIn("tongji", "430922")
		elsewhere := f.office("430923", "安化县统计局")
		_, burden := f.person("jianfu", "430922", "burden@430922")
		ctx := context.Background()
		csvFile := "code,name,name_en,type,measure,period,valid_days,owner,readers,choices,min,max,status\n" +
			"HH,户数,Households,integer,户,year,365," + itoa(stats.ID) + ",,,0,,approved\n" +
			"ROAD,通硬化路,Paved road,choice,,once,0," + itoa(stats.ID) + "," + itoa(stats.ID) + ",是|否,,,\n" +
			"IDEA,想法,,text,,year,0," + itoa(stats.ID) + ",,,,,proposed\n"
		status, body := f.send("POST", "/api/v1/elements/import", burden, "text/csv", []byte(csvFile))
		res := decodeJSON[DictionaryImport](t, body)
		if status != 201 || res.Saved != 2 || len(res.Skipped) != 1 || res.Skipped[0] != "IDEA" {
			t.Fatalf("import: %d %s", status, body)
		}
		d, _ := f.db.Dictionary(ctx)
		if e := d.Elements["ROAD"]; e == nil || e.Status != collect.Approved || len(e.Readers) != 1 || e.Choices[1] != "否" || d.Elements["IDEA"] != nil {
			t.Fatalf("dictionary after import: %+v", d.Elements)
		}

		status, body = f.send("GET", "/api/v1/elements.csv", "", "", nil)
		if status != 200 || !strings.HasPrefix(string(body), "code,name,name_en,type") || !strings.Contains(string(body), "ROAD,通硬化路,Paved road,choice,,once,0,") {
			t.Fatalf("csv: %d %s", status, body)
		}
		status, xlsx := f.send("GET", "/api/v1/elements.xlsx", "", "", nil)
		rows, err := collect.ReadDictionary(bytes.NewReader(xlsx))
		if status != 200 || err != nil || len(rows) != 2 || rows[0].Element.Code != "HH" {
			t.Fatalf("xlsx: %d %v %v", status, rows, err)
		}
		// Back unchanged, by a browser's form: nothing to save.
		ct, form := multipartFile(t, "elements.xlsx", xlsx)
		status, body = f.send("POST", "/api/v1/elements/import", burden, ct, form)
		if res := decodeJSON[DictionaryImport](t, body); status != 201 || res.Saved != 0 || res.Unchanged != 2 {
			t.Fatalf("unchanged import: %d %s", status, body)
		}
		// Edited in Excel: a new maximum is saved, a bad cell refuses all.
		book, _ := excelize.OpenReader(bytes.NewReader(xlsx))
		book.SetCellValue(collect.DictionarySheet, "L2", 5000)
		var edited bytes.Buffer
		book.Write(&edited)
		status, body = f.send("POST", "/api/v1/elements/import", burden, xlsxType, edited.Bytes())
		if res := decodeJSON[DictionaryImport](t, body); status != 201 || res.Saved != 1 || res.Unchanged != 1 {
			t.Fatalf("edited import: %d %s", status, body)
		}
		if d, _ := f.db.Dictionary(ctx); d.Elements["HH"].Max == nil || *d.Elements["HH"].Max != 5000 {
			t.Fatalf("max not saved: %+v", d.Elements["HH"])
		}
		book.SetCellValue(collect.DictionarySheet, "L2", 9000)
		book.SetCellValue(collect.DictionarySheet, "D3", "number")
		book.SetCellValue(collect.DictionarySheet, "H3", 99999)
		edited.Reset()
		book.Write(&edited)
		status, body = f.send("POST", "/api/v1/elements/import", burden, xlsxType, edited.Bytes())
		faultsSay(t, "bad cells", status, body, 400, `row 3 column D: "number" is not valid`)
		bad := strings.Replace(csvFile, "HH,户数,Households,integer,户,year,365,"+itoa(stats.ID), "HH,户数,Households,integer,户,year,365,99999", 1)
		status, body = f.send("POST", "/api/v1/elements/import", burden, "text/csv", []byte(bad))
		faultsSay(t, "unknown office", status, body, 400, "line 2 column owner: There is no office 99999")
		if d, _ := f.db.Dictionary(ctx); *d.Elements["HH"].Max != 5000 {
			t.Fatal("a refused file changed the dictionary")
		}
		// Another county's office is outside this burden office's scope.
		out := "code,name,type,period,owner\nFAR,远方,integer,year," + itoa(elsewhere.ID) + "\n"
		status, body = f.send("POST", "/api/v1/elements/import", burden, "text/csv", []byte(out))
		faultsSay(t, "outside", status, body, 403, "line 2 column owner: Office "+itoa(elsewhere.ID)+" (安化县统计局) is outside")
		// Office staff propose elements one at a time; they do not import.
		status, body = f.send("POST", "/api/v1/elements/import", statsToken, "text/csv", []byte(csvFile))
		if status != 403 {
			t.Fatalf("issuer import: %d %s", status, body)
		}
		status, body = f.send("POST", "/api/v1/elements/import", burden, "text/csv", junkBytes(collect.MaxFile+1))
		if status != 413 {
			t.Fatalf("too large: %d %s", status, body)
		}
	})
}

func junkBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// fillBook opens a workbook as Excel would, lets edit change it, and
// saves it.
func fillBook(t *testing.T, book []byte, edit func(x *excelize.File)) []byte {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(book))
	if err != nil {
		t.Fatal(err)
	}
	edit(x)
	var out bytes.Buffer
	if err := x.Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// writeValue stores a unit's value as if an earlier report had collected it.
func (f *fixture) writeValue(unit, element, period, value string) {
	f.t.Helper()
	ctx := context.Background()
	err := f.db.Write(ctx, store.System, func(tx *store.Tx) error {
		return tx.WriteValues(ctx, unit, 0, "report", []store.Value{{Element: element, Period: period, Value: value}})
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

// collectFixture makes the statistics bureau's elements and its admitted
// report to the villages of 桃花江镇 asking them; POP is already known
// for 三里桥村.
func collectFixture(t *testing.T, f *fixture) (rec *store.DemandRecord, statsToken, burden string) {
	stats, _, statsToken := f.issuerIn("tongji", "430922")
	_, burden = f.person("jianfu", "430922", "burden@430922")
	ptr := func(v float64) *float64 { return &v }
	for _, e := range []collect.Element{
		{Code: "HH", Name: "户数", Type: collect.Integer, Measure: "户", Period: collect.Year, ValidDays: 365, Owner: stats.ID, Min: ptr(0)},
		{Code: "POP", Name: "户籍人口", Type: collect.Integer, Measure: "人", Period: collect.Year, ValidDays: 365, Owner: stats.ID, Min: ptr(0)},
		{Code: "KIND", Name: "村类型", Type: collect.Choice, Period: collect.Year, ValidDays: 365, Owner: stats.ID, Choices: []string{"平原", "丘陵", "山区"}},
	} {
		if status, body := f.do("POST", "/api/v1/elements", burden, e); status != 201 {
			t.Fatalf("element %s: %d %s", e.Code, status, body)
		}
	}
	f.do("POST", "/api/v1/element-rules", burden, collect.Rule{Left: "HH", Op: "<=", Right: "POP"})
	year := collect.PeriodOf(collect.Year, workday(10))
	f.writeValue("430922100201", "POP", year, "480")
	_, body := f.do("POST", "/api/v1/demands", statsToken, villageReport(demandInput(""), "HH", "POP", "KIND"))
	draft := decodeJSON[store.DemandRecord](t, body)
	_, body = f.do("POST", "/api/v1/demands/"+itoa(draft.ID)+"/submit", statsToken, nil)
	rec = decodeJSON[CheckResult](t, body).Demand
	if rec == nil || rec.Status != gate.Admitted {
		t.Fatalf("report: %s", body)
	}
	return rec, statsToken, burden
}

// A unit fills its report in Excel: known values come filled and locked,
// the upload goes through the same checks as JSON, all or nothing, and the
// same file stores once.
func TestReportWorkbookUpload(t *testing.T) {
	storetestEach(t, func(t *testing.T, f *fixture) {
		rec, _, _ := collectFixture(t, f)
		_, cadre := f.person("cun", "430922100201", "cadre@430922100201")
		_, other := f.person("cun2", "430922100202", "cadre@430922100202")
		base := "/api/v1/units/430922100201/reports/" + itoa(rec.ID)
		status, book := f.send("GET", base+"/form.xlsx", cadre, "", nil)
		if status != 200 {
			t.Fatalf("form.xlsx: %d %s", status, book)
		}
		x, err := excelize.OpenReader(bytes.NewReader(book))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := x.GetRows(collect.ReportSheetName)
		if len(rows) != 9 || rows[6][1] != "HH" || rows[7][1] != "POP" || rows[7][4] != "480" || rows[8][1] != "KIND" || len(rows[6]) > 4 && rows[6][4] != "" {
			t.Fatalf("rows: %q", rows)
		}
		x.Close()
		filled := fillBook(t, book, func(x *excelize.File) {
			x.SetCellValue(collect.ReportSheetName, "E7", 120)
			x.SetCellStr(collect.ReportSheetName, "E9", "丘陵")
		})
		history := func(unit, element string) []store.Value {
			h, _ := f.db.History(context.Background(), unit, element, collect.PeriodOf(collect.Year, workday(10)))
			return h
		}

		// Faulty files store nothing and say where the fault is.
		for name, c := range map[string]struct {
			data   []byte
			status int
			want   string
		}{
			"known value altered": {fillBook(t, filled, func(x *excelize.File) { x.SetCellValue(collect.ReportSheetName, "E8", 500) }), 400,
				`sheet "填报 Report" row 8 column E: A locked cell was altered: "480" expected, "500" found`},
			"wrong type": {fillBook(t, filled, func(x *excelize.File) { x.SetCellStr(collect.ReportSheetName, "E7", "many") }), 400,
				`sheet "填报 Report" row 7 column E: HH: unit 430922100201: "many" is not a whole number`},
			"rule": {fillBook(t, filled, func(x *excelize.File) { x.SetCellValue(collect.ReportSheetName, "E7", 600) }), 400,
				"row 7 column E: HH: unit 430922100201: HH (600) must be <= POP (480)"},
			"not a choice": {fillBook(t, filled, func(x *excelize.File) { x.SetCellStr(collect.ReportSheetName, "E9", "海岛") }), 400,
				`row 9 column E: KIND: unit 430922100201: "海岛" is not one of`},
			"missing value": {fillBook(t, filled, func(x *excelize.File) { x.SetCellStr(collect.ReportSheetName, "E9", "") }), 400,
				"row 9 column E: KIND: unit 430922100201: required"},
			"formula": {fillBook(t, filled, func(x *excelize.File) { x.SetCellFormula(collect.ReportSheetName, "E7", "=100+20") }), 400,
				"row 7 column E: Formulas are not accepted"},
			"extra column": {fillBook(t, filled, func(x *excelize.File) { x.SetCellStr(collect.ReportSheetName, "G7", "备注") }), 400,
				"row 7 column G: An extra column"},
			"row deleted": {fillBook(t, filled, func(x *excelize.File) { x.RemoveRow(collect.ReportSheetName, 9) }), 400,
				"row 9 column B: This row is missing: element KIND expected"},
			"truncated":  {filled[:len(filled)*2/3], 400, "not an Excel workbook"},
			"junk 10 MB": {junkBytes(collect.MaxFile), 400, "not an Excel workbook"},
		} {
			status, body := f.send("POST", base+"/submission.xlsx", cadre, xlsxType, c.data)
			faultsSay(t, name, status, body, c.status, c.want)
		}
		// The other village's workbook is for another unit.
		_, otherBook := f.send("GET", "/api/v1/units/430922100202/reports/"+itoa(rec.ID)+"/form.xlsx", other, "", nil)
		status, body := f.send("POST", base+"/submission.xlsx", cadre, xlsxType, otherBook)
		faultsSay(t, "another unit's workbook", status, body, 400, "This workbook is for report "+itoa(rec.ID)+" and unit 430922100202")
		status, body = f.send("POST", base+"/submission.xlsx", cadre, xlsxType, junkBytes(collect.MaxFile+1))
		if status != 413 {
			t.Errorf("over 10 MB: %d %s", status, body)
		}
		if h := history("430922100201", "HH"); len(h) != 0 {
			t.Fatalf("stored after refused files: %+v", h)
		}

		// The good file, sent as a JSON client would; then again, as a browser would.
		b64, _ := json.Marshal(filled)
		status, body = f.send("POST", base+"/submission.xlsx", cadre, "application/json", b64)
		if res := decodeJSON[SubmissionResult](t, body); status != 201 || res.Values != 2 {
			t.Fatalf("upload: %d %s", status, body)
		}
		ct, form := multipartFile(t, "report.xlsx", filled)
		status, body = f.send("POST", base+"/submission.xlsx", cadre, ct, form)
		if res := decodeJSON[SubmissionResult](t, body); status != 200 || !res.Duplicate {
			t.Fatalf("same file again: %d %s", status, body)
		}
		if h := history("430922100201", "HH"); len(h) != 1 || h[0].Value != "120" {
			t.Fatalf("history: %+v", h)
		}
		if h := history("430922100201", "KIND"); len(h) != 1 || h[0].Value != "丘陵" {
			t.Fatalf("history: %+v", h)
		}
		// The village of another cadre is not this cadre's to fill.
		status, _ = f.send("POST", "/api/v1/units/430922100202/reports/"+itoa(rec.ID)+"/submission.xlsx", cadre, xlsxType, otherBook)
		if status != 403 {
			t.Fatalf("another village: %d", status)
		}
	})
}

// The issuer reads the answer and the completeness as files.
func TestAnswerAndCompletenessFiles(t *testing.T) {
	storetestEach(t, func(t *testing.T, f *fixture) {
		rec, statsToken, burden := collectFixture(t, f)
		_, cadre := f.person("cun", "430922100201", "cadre@430922100201")
		path := "/api/v1/units/430922100201/reports/" + itoa(rec.ID) + "/submission"
		if status, body := f.do("POST", path, cadre, collect.Submission{Values: map[string]string{"HH": "120", "KIND": "山区"}}); status != 201 {
			t.Fatalf("submit: %d %s", status, body)
		}
		// The other village's households were collected before.
		year := collect.PeriodOf(collect.Year, workday(10))
		f.writeValue("430922100202", "HH", year, "90")

		status, book := f.send("GET", "/api/v1/reports/"+itoa(rec.ID)+"/answer.xlsx?under=430922100", statsToken, "", nil)
		if status != 200 {
			t.Fatalf("answer.xlsx: %d %s", status, book)
		}
		x, err := excelize.OpenReader(bytes.NewReader(book))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := x.GetRows(collect.AnswerSheetName)
		if len(rows) != 3 || rows[0][2] != "户数 HH "+year+" (户)" || rows[0][5] != "最近填报 Latest at" ||
			strings.Join(rows[1][:5], "|") != "430922100201|三里桥村|120|480|山区" || rows[1][7] != "report #"+itoa(rec.ID)+"; report" ||
			strings.Join(rows[2][:3], "|") != "430922100202|花果山村|90" {
			t.Fatalf("answer rows: %q", rows)
		}
		status, body := f.send("GET", "/api/v1/reports/"+itoa(rec.ID)+"/completeness.csv?under=430922", burden, "", nil)
		if status != 200 || string(body) != "unit,name,expected,submitted,on_time,percent\n430922100,桃花江镇,2,1,1,50.0\n430922,合计 Total,2,1,1,50.0\n" {
			t.Fatalf("completeness.csv: %d %q", status, body)
		}
		status, book = f.send("GET", "/api/v1/reports/"+itoa(rec.ID)+"/completeness.xlsx?under=430922", statsToken, "", nil)
		x, err = excelize.OpenReader(bytes.NewReader(book))
		if status != 200 || err != nil {
			t.Fatalf("completeness.xlsx: %d %v", status, err)
		}
		rows, _ = x.GetRows("完成情况 Completeness")
		if len(rows) != 3 || strings.Join(rows[1], "|") != "430922100|桃花江镇|2|1|1|50" {
			t.Fatalf("completeness rows: %q", rows)
		}
		// Another office's issuer does not see the report at all.
		_, _, civil := f.issuerIn("minzheng", "430923")
		if status, _ := f.send("GET", "/api/v1/reports/"+itoa(rec.ID)+"/answer.xlsx", civil, "", nil); status != 403 && status != 404 {
			t.Fatalf("outsider: %d", status)
		}
	})
}

// A health office's DHIS2 data is loaded once and then not asked for again.
func TestDHIS2Interchange(t *testing.T) {
	storetestEach(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		stats, _, statsToken := f.issuerIn("tongji", "430922")
		health, _, healthToken := f.issuerIn("weijian", "430922")
		_, _, civilToken := f.issuerIn("minzheng", "430922")
		_, burden := f.person("jianfu", "430922", "burden@430922")
		_, farBurden := f.person("jianfu2", "430923", "burden@430923")
		for _, e := range []collect.Element{
			{Code: "HH", Name: "户数", Type: collect.Integer, Period: collect.Year, ValidDays: 365, Owner: stats.ID},
			{Code: "POP", Name: "户籍人口", Type: collect.Integer, Period: collect.Year, ValidDays: 365, Owner: stats.ID},
			{Code: "DIBAO", Name: "低保户数", Type: collect.Integer, Period: collect.Year, ValidDays: 365, Owner: stats.ID},
			{Code: "CASES", Name: "门诊人次", Type: collect.Integer, Period: collect.Month, Owner: health.ID, Readers: []int64{health.ID}},
		} {
			if status, body := f.do("POST", "/api/v1/elements", burden, e); status != 201 {
				t.Fatalf("element %s: %d %s", e.Code, status, body)
			}
		}
		due := workday(10)
		year := collect.PeriodOf(collect.Year, due)
		month, _ := collect.DHIS2Period(collect.Month, collect.PeriodOf(collect.Month, due))
		post := func(token, contentType, body string) (int, []byte) {
			return f.send("POST", "/api/v1/dhis2/dataValueSets", token, contentType, []byte(body))
		}

		// The health office loads its own element, as JSON.
		status, body := post(healthToken, "application/json", `{"period": "`+month+`", "dataValues": [
			{"dataElement": "CASES", "orgUnit": "430922100201", "value": "31"},
			{"dataElement": "CASES", "orgUnit": "430922100202", "value": 17}]}`)
		if res := decodeJSON[DHIS2Import](t, body); status != 201 || res.Values != 2 || res.Units != 2 || res.Elements != 1 {
			t.Fatalf("health import: %d %s", status, body)
		}
		records, _ := f.db.ListAudit(ctx, store.AuditQuery{Scopes: []string{""}, Entity: "data_value_set", Limit: 10})
		if len(records) != 1 || records[0].Action != "dhis2.import" || records[0].Actor != "weijian" || records[0].UnitCode != "430922100" ||
			!strings.Contains(string(records[0].After), `"values":2`) {
			t.Fatalf("audit: %+v", records)
		}
		// Not the statistics bureau's elements, and not outside its county.
		status, body = post(healthToken, "application/json", `{"dataValues": [
			{"dataElement": "HH", "period": "`+year+`", "orgUnit": "430922100201", "value": "120"}]}`)
		faultsSay(t, "another office's element", status, body, 403, "line 2: You may not import element HH for unit 430922100201")
		status, body = post(healthToken, "application/json", `{"dataValues": [
			{"dataElement": "CASES", "period": "`+month+`", "orgUnit": "430923100201", "value": "5"}]}`)
		faultsSay(t, "outside the county", status, body, 403, "line 2: You may not import element CASES for unit 430923100201")
		status, body = post(farBurden, "text/csv", "dataelement,period,orgunit,value\nHH,"+year+",430922100201,1\n")
		faultsSay(t, "another county's burden office", status, body, 403, "line 2")
		status, _ = post(civilToken, "application/json", `{"dataValues": []}`)
		if status != 201 {
			t.Fatalf("an office staff's empty import: %d", status)
		}
		_, cadre := f.person("cun", "430922100201", "cadre@430922100201")
		if status, _ := post(cadre, "application/json", `{"dataValues": []}`); status != 403 {
			t.Fatalf("a cadre imports: %d", status)
		}

		// Faults are named by line and nothing is stored.
		csvBad := "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\n" +
			"HH," + year + ",430922100201,,,120\n" +
			"CARS," + year + ",430922100201,,,3\n" +
			"HH," + month + ",430922100201,,,3\n" +
			"POP," + year + ",430922100201,,,many\n" +
			"POP," + year + ",999999999999,,,5\n"
		status, body = post(burden, "text/csv", csvBad)
		faultsSay(t, "faulty csv", status, body, 400, "line 3: The dictionary has no element CARS",
			"line 4: Period \""+month+"\" is a month period, but element HH is reported by year",
			"line 5: The value of element POP is wrong: \"many\" is not a whole number", "line 6: There is no unit")
		if h, _ := f.db.History(ctx, "430922100201", "HH", year); len(h) != 0 {
			t.Fatalf("stored from a refused file: %+v", h)
		}
		status, body = post(burden, "application/json", `{"dataValues": [{"dataElement": "HH"`)
		faultsSay(t, "truncated json", status, body, 400, "truncated")

		// The burden office loads the statistics bureau's figures as CSV.
		csvGood := "dataelement,period,orgunit,value,storedby\n" +
			"HH," + year + ",430922100201,120,dhis\n" +
			"HH," + year + ",430922100202,90,dhis\n" +
			"POP," + year + ",430922100201,480,dhis\n" +
			"POP," + year + ",430922100202,300,dhis\n"
		status, body = post(burden, "text/csv; charset=utf-8", csvGood)
		if res := decodeJSON[DHIS2Import](t, body); status != 201 || res.Values != 4 || res.Units != 2 {
			t.Fatalf("csv import: %d %s", status, body)
		}

		// A report asking those figures finds them known.
		_, body = f.do("POST", "/api/v1/demands/check", civilToken, villageReport(demandInput(""), "HH", "POP", "DIBAO"))
		res := decodeJSON[CheckResult](t, body).Result
		if res.Prefilled != 4 || !strings.Contains(string(body), "once.known") {
			t.Fatalf("prefill after DHIS2: %s", body)
		}

		// Export, as JSON and as CSV, for a subtree or one unit.
		status, body = f.send("GET", "/api/v1/dhis2/dataValueSets?dataElement=HH,POP&period="+year+"&orgUnit=430922100&children=true", statsToken, "", nil)
		set := decodeJSON[collect.DataValueSet](t, body)
		if status != 200 || len(set.DataValues) != 4 {
			t.Fatalf("export: %d %s", status, body)
		}
		v := set.DataValues[0]
		if v.DataElement != "HH" || v.Period != year || v.OrgUnit != "430922100201" || v.Value != "120" || v.StoredBy != "jianfu" || v.Comment != "dhis2" || v.LastUpdated == "" {
			t.Fatalf("exported value: %+v", v)
		}
		status, body = f.send("GET", "/api/v1/dhis2/dataValueSets?dataElement=CASES&period="+month+"&orgUnit=430922100202&format=csv", healthToken, "", nil)
		vals, err := collect.ReadDataValuesCSV(bytes.NewReader(body))
		if status != 200 || err != nil || len(vals) != 1 || vals[0].Value != "17" || vals[0].Period != month || vals[0].StoredBy != "weijian" {
			t.Fatalf("csv export: %d %v %s", status, err, body)
		}
		// The element's readers: the statistics bureau is not among CASES's.
		status, body = f.send("GET", "/api/v1/dhis2/dataValueSets?dataElement=CASES&period="+month+"&orgUnit=430922100", statsToken, "", nil)
		if status != 403 {
			t.Fatalf("unreadable element: %d %s", status, body)
		}
		// Those who may read the units' inboxes read their values.
		if status, _ := f.send("GET", "/api/v1/dhis2/dataValueSets?dataElement=CASES&period="+month+"&orgUnit=430922100201", cadre, "", nil); status != 200 {
			t.Fatalf("the village's own values: %d", status)
		}
		for _, c := range []struct{ query, want string }{
			{"dataElement=HH&period=" + month + "&orgUnit=430922", "Element HH is reported by year"},
			{"dataElement=HH&period=2026S1&orgUnit=430922", "not a DHIS2 period"},
			{"dataElement=HH&orgUnit=430922", `"field":"period"`},
			{"dataElement=HH&period=" + year + "&orgUnit=430922&format=xml", "json or csv"},
		} {
			status, body := f.send("GET", "/api/v1/dhis2/dataValueSets?"+c.query, burden, "", nil)
			if status != 400 || !strings.Contains(string(body), c.want) {
				t.Errorf("%s: %d %s", c.query, status, body)
			}
		}
		status, body = f.send("GET", "/api/v1/dhis2/dataValueSets?dataElement=HH&period="+year+"&orgUnit=430923100", burden, "", nil)
		if status != 403 {
			t.Fatalf("another county: %d %s", status, body)
		}
	})
}

// The JSON answers of the file routes conform to the OpenAPI document.
func TestFileRoutesMatchOpenAPI(t *testing.T) {
	f := newFixture(t, store.SQLite)
	doc := loadDoc(t, f)
	doc.Servers = openapi3.Servers{{URL: f.ts.URL}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	stats, _, _ := f.issuerIn("tongji", "430922")
	_, burden := f.person("jianfu", "430922", "burden@430922")
	for _, c := range []struct {
		method, path, contentType, body string
		status                          int
	}{
		{"POST", "/api/v1/elements/import", "text/csv", "code,name,type,period,owner\nHH,户数,integer,year," + itoa(stats.ID) + "\n", 201},
		{"POST", "/api/v1/elements/import", "text/csv", "code,name,type,period,owner\nHH,户数,integer,year,x\n", 400},
		{"POST", "/api/v1/dhis2/dataValueSets", "application/json", `{"dataValues":[{"dataElement":"HH","period":"2026","orgUnit":"430922100201","value":"7"}]}`, 201},
		{"POST", "/api/v1/dhis2/dataValueSets", "application/json", `{"dataValues":[{"dataElement":"NO","period":"2026","orgUnit":"430922100201","value":"7"}]}`, 400},
		{"GET", "/api/v1/dhis2/dataValueSets?dataElement=HH&period=2026&orgUnit=430922&children=true", "", "", 200},
		{"GET", "/api/v1/dhis2/dataValueSets?dataElement=HH&period=2026", "", "", 400},
	} {
		req, _ := http.NewRequest(c.method, f.ts.URL+c.path, strings.NewReader(c.body))
		req.Header.Set("Authorization", "Bearer "+burden)
		if c.contentType != "" {
			req.Header.Set("Content-Type", c.contentType)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		rb, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s %s: %d, want %d: %s", c.method, c.path, resp.StatusCode, c.status, rb)
		}
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Fatalf("%s %s: %v", c.method, c.path, err)
		}
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
			Body: io.NopCloser(bytes.NewReader(rb)), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
		if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
			t.Errorf("%s %s → %d does not match the document: %v\n%s", c.method, c.path, resp.StatusCode, err, rb)
		}
	}
}
