package upload

import (
	"context"
	"io"
	"strings"
	"testing"

	"lighten/internal/upload/uploadtest"
)

// markupLimits are a reader's limits as the readers set them.
var markupLimits = Limits{File: 10 * MiB, Unzipped: 64 * MiB, Sheet: 32 * MiB, Other: 8 * MiB, Parts: 1000,
	Elements: 50_000, Strings: 200_000, Text: TextBytes, Rows: 10_000, Columns: 256, Cells: 200_000}

// sheetWith is a workbook of one sheet "S" whose XML, between <sheetData>
// and </sheetData>, is head, unit n times, and tail.
func sheetWith(head string, n int, unit, tail string) []byte {
	return uploadtest.Workbook(uploadtest.Sheet{Name: "S", Rows: func(w io.Writer) error {
		io.WriteString(w, head)
		uploadtest.Repeat(unit, int64(n*len(unit)))(w)
		_, err := io.WriteString(w, tail)
		return err
	}})
}

// Workbooks of a few KiB whose markup would cost excelize hundreds of MiB
// (each element it decodes costs it some hundred bytes) are refused by
// counting their elements before excelize reads them: what is allocated
// meanwhile is the runtime's own count, so this test does not run in
// parallel.
func TestMarkupBombsRefused(t *testing.T) {
	base := uploadtest.Workbook(uploadtest.Sheet{Name: "S", Rows: func(w io.Writer) error {
		_, err := io.WriteString(w, `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>b</t></is></c></row>`)
		return err
	}})
	lim := markupLimits
	for name, c := range map[string]struct {
		data  []byte
		limit string
	}{
		// The shared text, which excelize parses entry by entry, or whole.
		"empty runs":       {uploadtest.SharedBomb(base, 1_000_000, `<r><t></t></r>`), "shared_elements"},
		"phonetic runs":    {uploadtest.SharedBomb(base, 500_000, `<rPh sb="0" eb="0"><t/></rPh>`), "shared_elements"},
		"empty tags":       {uploadtest.SharedBomb(base, 2_000_000, `<t/>`), "shared_elements"},
		"one rich entry":   {uploadtest.SharedBomb(base, MaxEntryElements, `<r><t>x</t></r>`), "entry_elements"},
		"phonetic entry":   {uploadtest.SharedBomb(base, MaxEntryElements, `<rPh><t/></rPh>`), "entry_elements"},
		"properties entry": {uploadtest.SharedBomb(base, 100, `<r><rPr><b/><sz val="11"/></rPr><t>x</t></r>`), "entry_elements"},
		"nested entries":   {uploadtest.SharedBomb(base, 10, strings.Repeat(`<r><t></t></r>`, 100)+`<si/>`), "entry_elements"},
		// A worksheet, which excelize streams a cell at a time.
		"inline runs":  {sheetWith(`<row r="1"><c r="A1" t="inlineStr"><is>`, 1_000_000, `<r><t></t></r>`, `</is></c></row>`), "sheet_elements"},
		"inline cell":  {sheetWith(`<row r="1"><c r="A1" t="inlineStr"><is>`, MaxEntryElements, `<r><t></t></r>`, `</is></c></row>`), "cell_elements"},
		"nested cells": {sheetWith(`<row r="1"><c r="A1" t="inlineStr"><is>`, 10, strings.Repeat(`<r><t></t></r>`, 100)+`<c/>`, `</is></c></row>`), "cell_elements"},
		"formula":      {sheetWith(`<row r="1"><c r="A1"><f>`, MaxEntryElements+1, `<x/>`, `</f></c></row>`), "cell_elements"},
		"empty cells":  {sheetWith(`<row r="1">`, 1_000_000, `<c r="A1"/>`, `</row>`), "sheet_elements"},
		"merged cells": {sheetWith(`</sheetData><mergeCells>`, 1_000_000, `<mergeCell ref="A1:B2"/>`, `</mergeCells><sheetData>`),
			"sheet_elements"},
		"conditional formats": {sheetWith(`</sheetData>`, 500_000, `<conditionalFormatting><cfRule/></conditionalFormatting>`, `<sheetData>`),
			"sheet_elements"},
		"validations": {sheetWith(`</sheetData><dataValidations>`, 1_000_000, `<dataValidation sqref="A1"/>`, `</dataValidations><sheetData>`),
			"sheet_elements"},
		"hyperlinks": {sheetWith(`</sheetData><hyperlinks>`, 1_000_000, `<hyperlink ref="A1"/>`, `</hyperlinks><sheetData>`),
			"sheet_elements"},
		// The other parts, which excelize parses whole.
		"styles": {uploadtest.WithPartFunc(base, "xl/styles.xml", func(w io.Writer) {
			io.WriteString(w, `<styleSheet><cellXfs>`)
			uploadtest.Repeat(`<xf/>`, 5*1_000_000)(w)
			io.WriteString(w, `</cellXfs></styleSheet>`)
		}), "elements"},
	} {
		if len(c.data) > 200<<10 {
			t.Fatalf("%s: the bomb is %d KiB", name, len(c.data)>>10)
		}
		var err error
		alloc := uploadtest.Allocated(func() {
			var wb *Workbook
			if wb, err = OpenWorkbook(context.Background(), c.data, lim); err == nil {
				_, err = wb.Rows(context.Background(), "S", false)
				wb.Close()
			}
		})
		t.Run(name, func(t *testing.T) {
			limitOf(t, err, c.limit)
			if alloc > 16*MiB {
				t.Errorf("refusing a %d KiB bomb allocated %d MiB", len(c.data)>>10, alloc/MiB)
			}
		})
	}
	le := limitOf(t, func() error {
		wb, err := OpenWorkbook(context.Background(), sheetWith(`<row r="2"><c r="C2"><f>`, MaxEntryElements+1, `<x/>`, `</f></c></row>`), lim)
		if err == nil {
			_, err = wb.Rows(context.Background(), "S", false)
			wb.Close()
		}
		return err
	}(), "cell_elements")
	if m := le.Message(); m.EN != `Sheet "S", cell C2, is too elaborate (formatted runs…): at most 256 XML elements.` {
		t.Errorf("%+v", m)
	}
}

// What excelize does not expand is read as it is: a column range and a
// row's span across the whole width, and a cell's rich text within the
// bound.
func TestWideMarkupRead(t *testing.T) {
	data := uploadtest.Workbook(uploadtest.Sheet{Name: "S", Rows: func(w io.Writer) error {
		_, err := io.WriteString(w, `<row r="1" spans="1:16384"><c r="A1" t="inlineStr"><is>`+strings.Repeat(`<r><rPr><b/></rPr><t>甲</t></r>`, 50)+
			`</is></c><c r="B1" t="s"><v>0</v></c></row></sheetData><cols><col min="1" max="16384" width="9"/></cols><sheetData>`)
		return err
	}})
	data = uploadtest.SharedBomb(data, 60, `<r><rPr><b/></rPr><t>乙</t></r>`)
	var rows [][]string
	var err error
	alloc := uploadtest.Allocated(func() {
		wb, e := OpenWorkbook(context.Background(), data, markupLimits)
		if err = e; e == nil {
			rows, err = wb.Rows(context.Background(), "S", false)
			wb.Close()
		}
	})
	if err != nil || len(rows) != 1 || len(rows[0]) != 2 || rows[0][0] != strings.Repeat("甲", 50) || rows[0][1] != strings.Repeat("乙", 60) {
		t.Fatalf("%q %v", rows, err)
	}
	if alloc > 16*MiB {
		t.Errorf("reading allocated %d MiB", alloc/MiB)
	}
}
