package collect

import (
	"bytes"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"lighten/internal/upload/uploadtest"
)

func fptr(f float64) *float64 { return &f }

var sampleElements = []*Element{
	{Code: "HH", Name: "户数", NameEN: "Households", Type: Integer, Measure: "户", Period: Year, ValidDays: 365, Owner: 3, Readers: []int64{},
		Min: fptr(0), Status: Approved},
	{Code: "ROAD", Name: "通硬化路", NameEN: "Paved road", Type: Choice, Period: Once, Owner: 3, Readers: []int64{4, 7},
		Choices: []string{"是", "否", "部分 partly"}, Status: Proposed},
	{Code: "AREA", Name: "耕地面积", Type: Decimal, Measure: "亩", Period: Quarter, Owner: 5, Readers: []int64{}, Min: fptr(0.5), Max: fptr(1e7), Status: Approved},
}

func faultsOf(t *testing.T, err error) Faults {
	t.Helper()
	var fs Faults
	if !errors.As(err, &fs) || len(fs) == 0 {
		t.Fatalf("want faults, got %v", err)
	}
	for _, f := range fs {
		if f.Message.ZH == "" || f.Message.EN == "" || f.Message.ZH == f.Message.EN {
			t.Errorf("fault not in both languages: %+v", f)
		}
	}
	return fs
}

func hasFault(fs Faults, where, what string) bool {
	for _, f := range fs {
		if strings.Contains(f.Error(), where) && strings.Contains(f.Error(), what) {
			return true
		}
	}
	return false
}

// The dictionary leaves as Excel or CSV and comes back the same.
func TestDictionaryRoundTrip(t *testing.T) {
	for _, format := range []string{"xlsx", "csv"} {
		var buf bytes.Buffer
		var err error
		if format == "xlsx" {
			err = WriteDictionaryXLSX(&buf, sampleElements)
		} else {
			err = WriteDictionaryCSV(&buf, sampleElements)
		}
		if err != nil {
			t.Fatal(err)
		}
		rows, err := ReadDictionary(&buf)
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if len(rows) != len(sampleElements) {
			t.Fatalf("%s: %d rows", format, len(rows))
		}
		for i, r := range rows {
			want := sampleElements[i]
			if r.Row != i+2 || !SameDefinition(r.Element, want) || r.Element.Status != want.Status {
				t.Errorf("%s row %d: %+v, want %+v", format, r.Row, r.Element, want)
			}
		}
		col := map[string]string{"xlsx": "H", "csv": "owner"}[format]
		if rows[0].Column("owner") != col {
			t.Errorf("%s: owner column named %q", format, rows[0].Column("owner"))
		}
	}
	if SameDefinition(sampleElements[0], sampleElements[2]) {
		t.Error("different elements are not the same")
	}
}

// A faulty file is refused whole, each fault naming row, column and what
// was expected.
func TestDictionaryFaults(t *testing.T) {
	doc := "code,name,type,period,owner,readers,min,status\n" +
		"HH,户数,integer,year,3,,0,approved\n" +
		"POP,人口,number,year,3,,,\n" +
		"AREA,面积,decimal,monthly,x,,,\n" +
		"HH,户数,integer,year,3,,,\n" +
		"CH,选项,choice,year,3,4|y,abc,maybe\n" +
		"BAD CODE,名称,text,year,3,,,\n"
	_, err := ReadDictionary(strings.NewReader(doc))
	fs := faultsOf(t, err)
	for _, c := range [][2]string{
		{"line 3 column type", `"number" is not valid; one of integer, decimal`},
		{"line 4 column period", `"monthly" is not valid`},
		{"line 4 column owner", `"x" is not a whole number; expected: an office id`},
		{"line 5 column code", "Code HH already appears on row 2"},
		{"line 6 column readers", `"y" is not a whole number`},
		{"line 6 column min", `"abc" is not a number`},
		{"line 6 column status", `"maybe" is not valid`},
		{"line 7 column code", "1 to 64 characters"},
	} {
		if !hasFault(fs, c[0], c[1]) {
			t.Errorf("no fault %q %q in:\n%v", c[0], c[1], fs)
		}
	}
	for _, c := range []struct{ doc, where, what string }{
		{"code,name,type\nHH,户数,integer\n", "line 1", "A required column is missing: 周期 period"},
		{"code,name,colour,type,period,owner\n", "line 1 column colour", `Unknown column "colour"`},
		{"code,name,type,period,owner\n", "line 2", "holds no elements"},
		{"code,name,type,period,owner\nC,选项,choice,year,3\n", "line 2 column code", "a choice element lists its choices"},
	} {
		_, err := ReadDictionary(strings.NewReader(c.doc))
		if fs := faultsOf(t, err); !hasFault(fs, c.where, c.what) {
			t.Errorf("%q: %v, want %s: %s", c.doc, fs, c.where, c.what)
		}
	}
	// In a workbook, faults name the sheet, the row and the column letter;
	// a formula is refused.
	var buf bytes.Buffer
	WriteDictionaryXLSX(&buf, sampleElements)
	f, _ := excelize.OpenReader(&buf)
	f.SetCellValue(DictionarySheet, "D3", "number")
	f.SetCellFormula(DictionarySheet, "G4", "=1+1")
	buf.Reset()
	f.Write(&buf)
	_, err = ReadDictionary(&buf)
	fs = faultsOf(t, err)
	if !hasFault(fs, `sheet "数据元 Elements" row 3 column D`, `"number" is not valid`) || !hasFault(fs, "row 4 column G", "Formulas are not accepted") {
		t.Errorf("workbook faults: %v", fs)
	}
}

func sampleSheet() *ReportSheet {
	date := &Element{Code: "DAY", Name: "验收日期", Type: Date, Period: Year}
	return &ReportSheet{Report: 42, Title: "春耕生产情况统计", Unit: "430922100201", UnitName: "三里桥村",
		Due: time.Date(2026, 12, 11, 10, 0, 0, 0, china),
		Fields: []SheetField{
			{Name: "户数", Element: sampleElements[0], Period: "2026", Known: "120", IsKnown: true},
			{Name: "耕地面积", Element: sampleElements[2], Period: "2026Q4"},
			{Name: "是否通硬化路", Element: sampleElements[1], Period: "once"},
			{Name: "验收日期", Element: date, Period: "2026"},
		}}
}

// fill opens a workbook as Excel would, lets edit change it, and saves it.
func fill(t *testing.T, book []byte, edit func(f *excelize.File)) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(book))
	if err != nil {
		t.Fatal(err)
	}
	edit(f)
	var out bytes.Buffer
	if err := f.Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestReportWorkbook(t *testing.T) {
	want := sampleSheet()
	var buf bytes.Buffer
	if err := WriteReportXLSX(&buf, want); err != nil {
		t.Fatal(err)
	}
	book := buf.Bytes()
	f, _ := excelize.OpenReader(bytes.NewReader(book))
	// The known value is filled and locked; the cells to fill are not.
	locked := func(cell string) bool {
		id, _ := f.GetCellStyle(ReportSheetName, cell)
		st, _ := f.GetStyle(id)
		return st.Protection == nil || st.Protection.Locked
	}
	if v, _ := f.GetCellValue(ReportSheetName, "E7"); v != "120" || !locked("E7") || !locked("B8") || locked("E8") || locked("E9") || locked("E10") {
		t.Errorf("E7 %q, locks %v %v %v %v", v, locked("E7"), locked("E8"), locked("E9"), locked("E10"))
	}
	dvs, _ := f.GetDataValidations(ReportSheetName)
	kinds := map[string]string{}
	for _, dv := range dvs {
		kinds[dv.Sqref] = dv.Type
	}
	if kinds["E8"] != "decimal" || kinds["E9"] != "list" || kinds["E10"] != "date" {
		t.Errorf("validations: %v", kinds)
	}
	if vis, _ := f.GetSheetVisible("lighten"); vis {
		t.Error("the checksum sheet is visible")
	}
	f.Close()

	filled := fill(t, book, func(f *excelize.File) {
		f.SetCellValue(ReportSheetName, "E8", 12.5)
		f.SetCellStr(ReportSheetName, "E9", "部分 partly")
		f.SetCellValue(ReportSheetName, "E10", time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
	})
	got, err := ReadReportXLSX(bytes.NewReader(filled), want)
	if err != nil {
		t.Fatal(err)
	}
	if got.Values["AREA"] != "12.5" || got.Values["ROAD"] != "部分 partly" || got.Values["DAY"] != "2026-11-27" || len(got.Values) != 3 ||
		got.Cells["AREA"] != "E8" || got.Rows["DAY"] != 10 || got.Checksum != want.Checksum() {
		t.Fatalf("read: %+v", got)
	}
	// The unit's own values become known once submitted, and values may
	// arrive from elsewhere after the download: the file, as downloaded,
	// still reads, and the same file gives the same key.
	since := sampleSheet()
	since.Fields[1].Known, since.Fields[1].IsKnown = "12.5", true
	since.Fields[0].Known = "121"
	again, err := ReadReportXLSX(bytes.NewReader(filled), since)
	if err != nil {
		t.Fatal(err)
	}
	if again.Key() != got.Key() || !strings.HasPrefix(got.Key(), "xlsx-") {
		t.Error("the same file gives another key")
	}
	other := fill(t, filled, func(f *excelize.File) { f.SetCellValue(ReportSheetName, "E8", 13) })
	if o, _ := ReadReportXLSX(bytes.NewReader(other), want); o.Key() == got.Key() {
		t.Error("other values give the same key")
	}
	// A value known at the download that is no longer held must be filled.
	expired := sampleSheet()
	expired.Fields[0].Known, expired.Fields[0].IsKnown = "", false
	_, err = ReadReportXLSX(bytes.NewReader(filled), expired)
	if fs := faultsOf(t, err); !hasFault(fs, "row 7 column E", "no longer is") {
		t.Errorf("expired: %v", fs)
	}
	// Empty cells are left out, for the submission's checks to call required.
	empty, err := ReadReportXLSX(bytes.NewReader(book), want)
	if err != nil || len(empty.Values) != 0 {
		t.Fatalf("empty workbook: %+v %v", empty, err)
	}

	for name, c := range map[string]struct {
		edit        func(f *excelize.File)
		where, what string
	}{
		"known value altered": {func(f *excelize.File) { f.SetCellValue(ReportSheetName, "E7", 130) },
			"row 7 column E", `A locked cell was altered: "120" expected, "130" found`},
		"element code altered": {func(f *excelize.File) { f.SetCellStr(ReportSheetName, "B9", "CARS") },
			"row 9 column B", "Element ROAD expected here"},
		"period altered": {func(f *excelize.File) { f.SetCellStr(ReportSheetName, "C8", "2025Q4") },
			"row 8 column C", `"2026Q4" expected, "2025Q4" found`},
		"title altered": {func(f *excelize.File) { f.SetCellStr(ReportSheetName, "B1", "另一张表") },
			"row 1 column B", "A locked cell was altered"},
		"formula": {func(f *excelize.File) { f.SetCellFormula(ReportSheetName, "E8", "=1+2") },
			"row 8 column E", "Formulas are not accepted"},
		"extra column": {func(f *excelize.File) { f.SetCellStr(ReportSheetName, "H8", "note") },
			"row 8 column H", "An extra column"},
		"extra row": {func(f *excelize.File) {
			f.SetSheetRow(ReportSheetName, "A11", &[]any{"车辆", "CARS", "2026", "辆", 3})
		},
			"row 11 column A", "An extra row: this report has 4 fields"},
		"row deleted": {func(f *excelize.File) { f.RemoveRow(ReportSheetName, 10) },
			"row 10 column B", "This row is missing: element DAY expected"},
		"row inserted": {func(f *excelize.File) { f.InsertRows(ReportSheetName, 8, 1) },
			"row 9 column B", "Element ROAD expected here, \"AREA\" found"},
		"header altered": {func(f *excelize.File) { f.SetCellStr(ReportSheetName, "E6", "Value") },
			"row 6 column E", "A locked cell was altered"},
		"typed between": {func(f *excelize.File) { f.SetCellStr(ReportSheetName, "C2", "x") },
			"row 2 column C", "This cell must be empty"},
	} {
		_, err := ReadReportXLSX(bytes.NewReader(fill(t, filled, c.edit)), want)
		if fs := faultsOf(t, err); !hasFault(fs, `sheet "填报 Report" `+c.where, c.what) {
			t.Errorf("%s: %v", name, fs)
		}
	}

	for name, c := range map[string]struct {
		data []byte
		want *ReportSheet
		what string
	}{
		"another report": {filled, func() *ReportSheet { s := sampleSheet(); s.Report = 43; return s }(),
			"This workbook is for report 42 and unit 430922100201, not report 43 and unit 430922100201"},
		"another unit": {filled, func() *ReportSheet { s := sampleSheet(); s.Unit = "430922100202"; return s }(),
			"not report 42 and unit 430922100202"},
		"checksum edited":   {fill(t, filled, func(f *excelize.File) { f.SetCellStr("lighten", "B3", strings.Repeat("0", 64)) }), want, "the hidden checksum was altered"},
		"known list edited": {fill(t, filled, func(f *excelize.File) { f.SetCellStr("lighten", "B4", "") }), want, "the hidden checksum was altered"},
		"checksum removed":  {fill(t, filled, func(f *excelize.File) { f.DeleteSheet("lighten") }), want, "not a report workbook downloaded from lighten"},
		"truncated":         {filled[:len(filled)/2], want, "not an Excel workbook"},
		"junk":              {junk(MaxFile), want, "not an Excel workbook"},
		"too large":         {junk(MaxFile + 1), want, "at most 10 MB"},
		"a csv":             {[]byte("unit,element,value\n"), want, "not an Excel workbook"},
	} {
		_, err := ReadReportXLSX(bytes.NewReader(c.data), c.want)
		if fs := faultsOf(t, err); !hasFault(fs, "", c.what) {
			t.Errorf("%s: %v", name, fs)
		}
	}
}

// Numbers longer than Excel keeps stay text, so that they come back whole.
func TestReportWorkbookKeepsLongNumbers(t *testing.T) {
	s := sampleSheet()
	s.Fields[0].Known = "123456789012345678"
	area := *sampleElements[2]
	s.Fields[1].Element = &area
	s.Fields[1].Known, s.Fields[1].IsKnown = "0.30000000000000004", true
	var buf bytes.Buffer
	WriteReportXLSX(&buf, s)
	if _, err := ReadReportXLSX(bytes.NewReader(buf.Bytes()), s); err != nil {
		t.Fatal(err)
	}
	long := *sampleElements[2]
	long.Min, long.Max = fptr(0.30000000000000004), fptr(123456789012345)
	buf.Reset()
	WriteDictionaryXLSX(&buf, []*Element{&long})
	rows, err := ReadDictionary(&buf)
	if err != nil || !SameDefinition(rows[0].Element, &long) {
		t.Fatalf("%+v %v", rows[0].Element, err)
	}
}

func junk(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func TestAnswerBook(t *testing.T) {
	elems := []*Element{sampleElements[0], sampleElements[2]}
	book, err := NewAnswerBook(elems, map[string]string{"HH": "2026", "AREA": "2026Q4"})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 27, 2, 30, 0, 0, time.UTC)
	book.Add(AnswerRow{Unit: "430922100201", Name: "三里桥村", Values: map[string]string{"HH": "120", "AREA": "12.5"}, At: at, People: "7", Sources: "report #3"})
	book.Add(AnswerRow{Unit: "430922100202", Name: "花果山村", Values: map[string]string{"HH": "90"}, At: at, People: "8, 9", Sources: "dhis2"})
	var buf bytes.Buffer
	if _, err := book.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	book.Close()
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(AnswerSheetName)
	if len(rows) != 3 || rows[0][2] != "户数 HH 2026 (户)" || rows[0][3] != "耕地面积 AREA 2026Q4 (亩)" ||
		strings.Join(rows[1], "|") != "430922100201|三里桥村|120|12.5|2026-11-27 10:30|7|report #3" ||
		strings.Join(rows[2], "|") != "430922100202|花果山村|90||2026-11-27 10:30|8, 9|dhis2" {
		t.Fatalf("rows: %q", rows)
	}
	// Numbers are numbers, for the issuer to add up.
	if typ, _ := f.GetCellType(AnswerSheetName, "C2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("C2 is %v", typ)
	}
}

// Whatever file arrives as a dictionary, reading it either fails with
// faults or gives elements that are valid and travel through CSV intact.
func FuzzReadDictionary(f *testing.F) {
	var buf bytes.Buffer
	WriteDictionaryCSV(&buf, sampleElements)
	f.Add(buf.Bytes())
	buf.Reset()
	WriteDictionaryXLSX(&buf, sampleElements)
	f.Add(buf.Bytes())
	f.Add([]byte("code,name,type,period,owner\nA,甲,text,once,1\n"))
	f.Add([]byte(strings.Repeat("x,", 5000) + "\n"))
	f.Add(uploadtest.Bomb(DictionarySheet, 40*uploadtest.MiB))
	f.Add(dictionaryMarkupBomb())
	f.Fuzz(func(t *testing.T, data []byte) {
		var rows []DictionaryRow
		var err error
		if a, most := uploadtest.Allocated(func() { rows, err = ReadDictionary(bytes.NewReader(data)) }),
			uploadtest.Bound(len(data)); a > most {
			t.Fatalf("reading %d bytes allocated %d, more than %d", len(data), a, most)
		}
		if err != nil {
			var fs Faults
			if !errors.As(err, &fs) || len(fs) == 0 {
				t.Fatalf("an error that is not a list of faults: %v", err)
			}
			return
		}
		elems := make([]*Element, len(rows))
		for i, r := range rows {
			e := *r.Element
			if err := e.Validate(); err != nil {
				t.Fatalf("row %d read an invalid element: %v", r.Row, err)
			}
			elems[i] = r.Element
		}
		var out bytes.Buffer
		WriteDictionaryCSV(&out, elems)
		again, err := ReadDictionary(&out)
		if err != nil || len(again) != len(rows) {
			t.Fatalf("written elements do not read back: %v\n%s", err, out.String())
		}
		for i := range rows {
			if !SameDefinition(rows[i].Element, again[i].Element) || rows[i].Element.Status != again[i].Element.Status {
				t.Fatalf("row %d: %+v, read back %+v", i, rows[i].Element, again[i].Element)
			}
		}
	})
}

// Whatever arrives as a filled-in workbook, reading it either fails with
// faults or gives values only for the cells to fill.
func FuzzReadReportXLSX(f *testing.F) {
	want := sampleSheet()
	var buf bytes.Buffer
	WriteReportXLSX(&buf, want)
	f.Add(buf.Bytes())
	f.Add([]byte("PK\x03\x04"))
	f.Add(uploadtest.Bomb(ReportSheetName, 20*uploadtest.MiB))
	f.Add(reportMarkupBomb())
	f.Fuzz(func(t *testing.T, data []byte) {
		var got *FilledSheet
		var err error
		if a, most := uploadtest.Allocated(func() { got, err = ReadReportXLSX(bytes.NewReader(data), want) }),
			uploadtest.Bound(len(data)); a > most {
			t.Fatalf("reading %d bytes allocated %d, more than %d", len(data), a, most)
		}
		if err != nil {
			var fs Faults
			if !errors.As(err, &fs) || len(fs) == 0 {
				t.Fatalf("an error that is not a list of faults: %v", err)
			}
			return
		}
		for code := range got.Values {
			if code == "HH" {
				t.Fatal("a known value came back as filled in")
			}
		}
	})
}
