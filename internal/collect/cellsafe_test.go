package collect

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// formulaCases are texts a spreadsheet could run as formulas (OWASP's CSV
// injection): every export for people writes them with a quote before.
var formulaCases = []string{"=1+1", "+cmd", "-2+3", "@SUM(A1)", "\t=1", "\r=1", `=HYPERLINK("http://evil","x")`}

// quotedCell reports whether a cell as read back is the case with a quote
// before it. XML turns a carriage return into a line feed, and spreadsheets
// may do the same; the quote is what matters.
func quotedCell(got, want string) bool {
	norm := strings.NewReplacer("\r\n", "\n", "\r", "\n")
	return norm.Replace(got) == norm.Replace("'"+want)
}

// noFormulas fails when any sheet of a workbook holds a formula: text
// written by lighten is text cells, never <f> elements.
func noFormulas(t *testing.T, book []byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(book), int64(len(book)))
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/worksheets/") {
			continue
		}
		rc, _ := zf.Open()
		x, _ := io.ReadAll(rc)
		rc.Close()
		if bytes.Contains(x, []byte("<f>")) || bytes.Contains(x, []byte("<f ")) {
			t.Errorf("%s holds a formula: %s", zf.Name, x)
		}
	}
	f, err := excelize.OpenReader(bytes.NewReader(book))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, sh := range f.GetSheetList() {
		rows, _ := f.GetRows(sh)
		for r, row := range rows {
			for c := range row {
				if fm, _ := f.GetCellFormula(sh, cellName(c, r+1)); fm != "" {
					t.Errorf("%s!%s is a formula: %q", sh, cellName(c, r+1), fm)
				}
			}
		}
	}
}

// formulaElements are elements whose every text field is a formula case.
func formulaElements() []*Element {
	var out []*Element
	for i, s := range formulaCases {
		out = append(out, &Element{Code: "F" + string(rune('A'+i)), Name: s, NameEN: s, Type: Choice, Measure: s, Period: Year,
			Owner: 3, Readers: []int64{}, Choices: []string{s, "是"}, Min: fptr(-3.5), Status: Approved})
	}
	return out
}

func TestDictionaryExportsQuoteFormulas(t *testing.T) {
	t.Parallel()
	elems := formulaElements()
	// CSV: each formula cell is quoted; a negative number is not.
	var buf bytes.Buffer
	if err := WriteDictionaryCSV(&buf, elems); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range formulaCases {
		rec := recs[i+1]
		if !quotedCell(rec[1], s) || !quotedCell(rec[2], s) || !quotedCell(rec[4], s) || !quotedCell(rec[9], s+"|是") || rec[10] != "-3.5" {
			t.Errorf("csv row %d: %q", i+2, rec)
		}
	}
	roundTrip := func(format string, data []byte) {
		rows, err := ReadDictionary(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		for i, r := range rows {
			want := strings.TrimSpace(formulaCases[i])
			if r.Element.Name != want || r.Element.Measure != want || r.Element.Choices[0] != want || *r.Element.Min != -3.5 {
				t.Errorf("%s row %d read back as %+v", format, r.Row, r.Element)
			}
		}
	}
	roundTrip("csv", buf.Bytes())

	// Excel: text cells, never formulas, quoted all the same; numbers stay
	// numbers.
	buf.Reset()
	if err := WriteDictionaryXLSX(&buf, elems); err != nil {
		t.Fatal(err)
	}
	noFormulas(t, buf.Bytes())
	f, _ := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	rows, _ := f.GetRows(DictionarySheet)
	for i, s := range formulaCases {
		if !quotedCell(rows[i+1][1], s) || !quotedCell(rows[i+1][9], s+"|是") {
			t.Errorf("xlsx row %d: %q", i+2, rows[i+1])
		}
		if typ, _ := f.GetCellType(DictionarySheet, cellName(10, i+2)); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("min of row %d is a %v cell", i+2, typ)
		}
	}
	f.Close()
	roundTrip("xlsx", buf.Bytes())
}

func TestAnswerBookQuotesFormulas(t *testing.T) {
	t.Parallel()
	text := &Element{Code: "NOTE", Name: "=1+1", Type: Text, Period: Year}
	num := &Element{Code: "NUM", Name: "差额", Type: Decimal, Period: Year}
	book, err := NewAnswerBook([]*Element{text, num}, map[string]string{"NOTE": "2026", "NUM": "2026"})
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	for i, s := range formulaCases {
		book.Add(AnswerRow{Unit: "43092210020" + string(rune('1'+i)), Name: s, Values: map[string]string{"NOTE": s, "NUM": "-3.5"},
			At: time.Date(2026, 11, 27, 2, 30, 0, 0, time.UTC), People: s, Sources: s})
	}
	var buf bytes.Buffer
	if _, err := book.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	noFormulas(t, buf.Bytes())
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows(AnswerSheetName)
	if !strings.HasPrefix(rows[0][2], "'=1+1 NOTE") {
		t.Errorf("header %q", rows[0][2])
	}
	for i, s := range formulaCases {
		r := rows[i+1]
		if !quotedCell(r[1], s) || !quotedCell(r[2], s) || r[3] != "-3.5" || !quotedCell(r[5], s) || !quotedCell(r[6], s) {
			t.Errorf("row %d: %q", i+2, r)
		}
		if typ, _ := f.GetCellType(AnswerSheetName, cellName(3, i+2)); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("-3.5 of row %d is a %v cell", i+2, typ)
		}
	}
}

func TestTableQuotesFormulas(t *testing.T) {
	t.Parallel()
	var rows [][]any
	for _, s := range formulaCases {
		rows = append(rows, []any{s, s, -3, 1.5})
	}
	var buf bytes.Buffer
	if err := WriteTableXLSX(&buf, "表", []string{"=a", "b", "c", "d"}, rows); err != nil {
		t.Fatal(err)
	}
	noFormulas(t, buf.Bytes())
	f, _ := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	defer f.Close()
	got, _ := f.GetRows("表")
	if got[0][0] != "'=a" {
		t.Errorf("header %q", got[0])
	}
	for i, s := range formulaCases {
		if !quotedCell(got[i+1][0], s) || got[i+1][2] != "-3" {
			t.Errorf("row %d: %q", i+2, got[i+1])
		}
	}
	if rows[0][0] != formulaCases[0] {
		t.Error("the caller's rows were changed")
	}
}

// A report's workbook quotes what a spreadsheet could run, and reads back
// as it was written: the checksum over its locked cells still holds.
func TestReportWorkbookQuotesFormulas(t *testing.T) {
	t.Parallel()
	choice := &Element{Code: "PICK", Name: "+cmd", Type: Choice, Period: Year, Choices: []string{"=1+1", "@SUM(A1)", "是"}}
	note := &Element{Code: "NOTE", Name: "说明", Type: Text, Measure: "@x", Period: Year}
	num := &Element{Code: "NUM", Name: "差额", Type: Decimal, Period: Year}
	want := &ReportSheet{Report: 7, Title: "=HYPERLINK(\"http://evil\",\"x\")", Unit: "430922100201", UnitName: "三里桥村",
		Due: time.Date(2026, 12, 11, 10, 0, 0, 0, china),
		Fields: []SheetField{
			{Name: "-2+3", Element: note, Period: "2026", Known: "+cmd", IsKnown: true},
			{Name: "=1+1", Element: num, Period: "2026", Known: "-3.5", IsKnown: true},
			{Name: "@SUM(A1)", Element: choice, Period: "2026"},
		}}
	var buf bytes.Buffer
	if err := WriteReportXLSX(&buf, want); err != nil {
		t.Fatal(err)
	}
	book := buf.Bytes()
	noFormulas(t, book)
	f, _ := excelize.OpenReader(bytes.NewReader(book))
	for cell, v := range map[string]string{"B1": want.Title + " (#7)", "A7": "-2+3", "D7": "@x", "E7": "+cmd", "A8": "=1+1", "A9": "@SUM(A1)"} {
		if got, _ := f.GetCellValue(ReportSheetName, cell); got != "'"+v {
			t.Errorf("%s: %q", cell, got)
		}
	}
	if typ, _ := f.GetCellType(ReportSheetName, "E8"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("-3.5 is a %v cell", typ)
	}
	dvs, _ := f.GetDataValidations(ReportSheetName)
	if len(dvs) != 1 || !strings.Contains(dvs[0].Formula1, "'=1+1") {
		t.Errorf("choices: %+v", dvs)
	}
	f.Close()
	// Filled in with a quoted choice, as the drop-down gives it.
	filled := fill(t, book, func(f *excelize.File) { f.SetCellStr(ReportSheetName, "E9", "'=1+1") })
	got, err := ReadReportXLSX(bytes.NewReader(filled), want)
	if err != nil {
		t.Fatal(err)
	}
	if got.Values["PICK"] != "=1+1" || len(got.Values) != 1 {
		t.Errorf("values %v", got.Values)
	}
}

// excelize writes a Go string as a text cell whatever it begins with, by
// every way lighten writes cells (SetCellValue, SetSheetRow, the stream
// writer): a workbook is safe without the quote, which is added for a
// sheet saved again as CSV.
func TestExcelizeWritesStringsAsText(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	for i, s := range formulaCases {
		f.SetCellValue("Sheet1", cellName(0, i+1), s)
		row := []any{s, s}
		f.SetSheetRow("Sheet1", cellName(1, i+1), &row)
	}
	f.NewSheet("Stream")
	sw, err := f.NewStreamWriter("Stream")
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range formulaCases {
		if err := sw.SetRow(cellName(0, i+1), []any{s, excelize.Cell{Value: s}}); err != nil {
			t.Fatal(err)
		}
	}
	sw.Flush()
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	noFormulas(t, buf.Bytes())
	back, _ := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	defer back.Close()
	if v, _ := back.GetCellValue("Stream", "B1"); v != "=1+1" {
		t.Errorf("read back %q", v)
	}
}
