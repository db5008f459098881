package duties

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"lighten/internal/export"
	"lighten/internal/i18n"
	"lighten/internal/upload"
)

// The three-list layout townships publish: one sheet a list.
var sheets = []struct {
	cat      Category
	name     string
	prefixes []string
}{
	{Own, "自身职责 Own duties", []string{"自身职责", "own"}},
	{Assist, "配合职责 Assisting duties", []string{"配合职责", "assist"}},
	{Negative, "负面清单 Negative list", []string{"负面清单", "negative"}},
}

var header = []string{"编号 Code", "事项名称 Name", "英文名称 English name", "依据 Basis", "牵头部门 Lead office"}

// SheetError names the sheet, row and column at fault in a workbook, and
// what is wrong there: a message from the catalogue (keys problem.sheet.*)
// and its arguments.
type SheetError struct {
	Sheet  string // "-" when the workbook as a whole is at fault
	Row    int    // 1-based; 0 when the whole sheet is at fault
	Column string
	Key    string
	Args   []any
	Err    error // the reader's own error, if one caused it
}

func (e *SheetError) Error() string {
	msg := i18n.Both(e.Key, e.Args...).EN
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if e.Row > 0 {
		return fmt.Sprintf("sheet %q row %d column %s: %s", e.Sheet, e.Row, e.Column, msg)
	}
	return fmt.Sprintf("sheet %q: %s", e.Sheet, msg)
}

func (e *SheetError) Unwrap() error { return e.Err }

// Message is the fault in both languages with its sheet, row and column.
// The reader's own error, in English only, is left to Error.
func (e *SheetError) Message() i18n.Text {
	msg := i18n.Both(e.Key, e.Args...)
	switch {
	case e.Row > 0:
		return i18n.Both("problem.sheet.at", e.Sheet, e.Row, e.Column, msg)
	case e.Sheet != "" && e.Sheet != "-":
		return i18n.Both("problem.sheet.in", e.Sheet, msg)
	}
	return msg
}

func sheetError(sheet string, row int, column, key string, args ...any) *SheetError {
	return &SheetError{Sheet: sheet, Row: row, Column: column, Key: key, Args: args}
}

// WriteXLSX writes matters in the three-list layout.
func WriteXLSX(w io.Writer, matters []Matter) error {
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			return err
		}
		cols := header[:4]
		if s.cat == Assist {
			cols = header
		}
		row := []any{}
		for _, c := range cols {
			row = append(row, c)
		}
		if err := f.SetSheetRow(s.name, "A1", &row); err != nil {
			return err
		}
		r := 2
		for _, m := range matters {
			if m.Category != s.cat {
				continue
			}
			// Quoted where a spreadsheet could read a cell as a formula.
			vals := []any{export.Cell(m.Code), export.Cell(m.Name), export.Cell(m.NameEN), export.Cell(m.Basis)}
			if s.cat == Assist {
				vals = append(vals, export.Cell(m.Lead))
			}
			cell, _ := excelize.CoordinatesToCellName(1, r)
			if err := f.SetSheetRow(s.name, cell, &vals); err != nil {
				return err
			}
			r++
		}
		widths := []float64{12, 36, 36, 40, 24}
		for c := range cols {
			col, _ := excelize.ColumnNumberToName(c + 1)
			f.SetColWidth(s.name, col, col, widths[c])
		}
	}
	return f.Write(w)
}

// MaxXLSX bounds the size of a workbook read.
const MaxXLSX = 10 << 20

// Limits bound a duty list's workbook: docs/duties.md lists them. A
// workbook beyond one is refused before it is read.
var Limits = upload.Limits{File: MaxXLSX, Unzipped: 64 * upload.MiB, Sheet: 32 * upload.MiB, Other: 8 * upload.MiB,
	Parts: 1000, Elements: 50_000, Strings: 200_000, Text: upload.TextBytes, Rows: 10_000, Columns: 256, Cells: 200_000}

// ReadXLSX reads a duty list's workbook with no request to end it (the
// command line, tests); see ReadXLSXContext.
func ReadXLSX(r io.Reader) ([]Matter, error) { return ReadXLSXContext(context.Background(), r) }

// ReadXLSXContext reads matters from a workbook in the three-list layout,
// within Limits, and stops when ctx ends. Sheets are recognised by their
// names; every row is checked, and the first fault is reported with its
// sheet, row and column.
func ReadXLSXContext(ctx context.Context, r io.Reader) ([]Matter, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxXLSX+1))
	if err != nil {
		return nil, &SheetError{Sheet: "-", Key: "problem.sheet.not_xlsx", Err: err}
	}
	wb, err := upload.OpenWorkbook(ctx, data, Limits)
	if err != nil {
		return nil, readError("-", err)
	}
	defer wb.Close()
	var out []Matter
	found := 0
	for _, name := range wb.Sheets() {
		lower := strings.ToLower(strings.TrimSpace(name))
		var cat Category
		for _, s := range sheets {
			for _, p := range s.prefixes {
				if strings.HasPrefix(lower, p) {
					cat = s.cat
				}
			}
		}
		if cat == "" {
			continue
		}
		found++
		rows, err := wb.Rows(ctx, name, false)
		if err != nil {
			return nil, readError(name, err)
		}
		scan, err := wb.Scan(ctx, name)
		if err != nil {
			return nil, readError(name, err)
		}
		want := 4
		if cat == Assist {
			want = 5
		}
		if len(rows) == 0 || len(rows[0]) < want || !strings.HasPrefix(strings.TrimSpace(rows[0][0]), "编号") && !strings.EqualFold(strings.TrimSpace(rows[0][0]), "code") {
			return nil, sheetError(name, 1, "A", "problem.sheet.header", strings.Join(header[:want], " | "))
		}
		for i, row := range rows[1:] {
			cell := func(c int) string {
				if c < len(row) {
					return strings.TrimSpace(export.Restore(row[c]))
				}
				return ""
			}
			if strings.Join(row, "") == "" {
				continue
			}
			for c := 0; c < want; c++ {
				if scan.Formulas[upload.Cell{Row: i + 2, Col: c}] {
					return nil, sheetError(name, i+2, colName(c), "problem.sheet.formula")
				}
			}
			m := Matter{Code: cell(0), Name: cell(1), NameEN: cell(2), Basis: cell(3), Category: cat}
			if cat == Assist {
				m.Lead = cell(4)
			}
			switch {
			case m.Code == "":
				return nil, sheetError(name, i+2, "A", "problem.sheet.no_code")
			case m.Name == "":
				return nil, sheetError(name, i+2, "B", "problem.sheet.no_name")
			case cat == Assist && m.Lead == "":
				return nil, sheetError(name, i+2, "E", "problem.sheet.no_lead")
			}
			out = append(out, m)
		}
	}
	if found == 0 {
		return nil, sheetError("-", 0, "", "problem.sheet.no_sheets")
	}
	return out, nil
}

// readError tells what stopped a workbook's read: a limit passed (its
// message names the limit and its value), or a file that is not a
// workbook or a sheet that cannot be read. Anything else (the request
// ended) passes unchanged.
func readError(sheet string, err error) error {
	var le *upload.LimitError
	var nw *upload.NotWorkbook
	switch {
	case errors.As(err, &le):
		// The message names the sheet, if one is at fault.
		return &SheetError{Sheet: "-", Key: le.Key(), Args: le.Args()}
	case errors.As(err, &nw) && sheet == "-":
		return &SheetError{Sheet: "-", Key: "problem.sheet.not_xlsx", Err: nw.Err}
	case errors.As(err, &nw):
		// The reader's reason is part of the message: without it a
		// person cannot tell what to mend.
		return sheetError(sheet, 0, "", "problem.sheet.unreadable", nw.Err.Error())
	}
	return err
}

func colName(c int) string { n, _ := excelize.ColumnNumberToName(c + 1); return n }

func cellName(c, r int) string { n, _ := excelize.CoordinatesToCellName(c+1, r); return n }
