package duties

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// A duty list's workbook quotes names a spreadsheet could run as formulas
// (=, +, -, @, tab, carriage return), never writes a formula, and reads
// back as it was.
func TestXLSXQuotesFormulas(t *testing.T) {
	t.Parallel()
	cases := []string{"=1+1", "+cmd", "-2+3", "@SUM(A1)", "\t=1", "\r=1"}
	var matters []Matter
	for i, s := range cases {
		matters = append(matters, Matter{Code: "T0" + string(rune('1'+i)), Name: s, NameEN: s, Basis: s, Lead: s, Category: Assist})
	}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, matters); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	sheet := f.GetSheetList()[1] // the assist list
	rows, _ := f.GetRows(sheet)
	for i, s := range cases {
		for c := 1; c <= 4; c++ {
			got := strings.ReplaceAll(rows[i+1][c], "\n", "\r")
			if got != "'"+s {
				t.Errorf("row %d column %d: %q", i+2, c+1, rows[i+1][c])
			}
			if fm, _ := f.GetCellFormula(sheet, cellName(c, i+2)); fm != "" {
				t.Errorf("row %d column %d is a formula %q", i+2, c+1, fm)
			}
		}
	}
	f.Close()
	got, err := ReadXLSX(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range got {
		if want := strings.TrimSpace(cases[i]); m.Name != want || m.Lead != want || m.Basis != want {
			t.Errorf("read back %+v, want %q", m, want)
		}
	}
}
