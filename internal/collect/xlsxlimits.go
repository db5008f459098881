package collect

import (
	"context"
	"encoding/csv"
	"errors"

	"github.com/xuri/excelize/v2"

	"lighten/internal/i18n"
	"lighten/internal/upload"
)

// The limits of every file collect-once reads. A file beyond one is
// refused before it is read, with a message naming the limit and its
// value; docs/collect.md lists them.
var (
	// DictionaryLimits bound a dictionary file, workbook or CSV.
	DictionaryLimits = upload.Limits{File: MaxFile, Unzipped: 64 * upload.MiB, Sheet: 32 * upload.MiB, Other: 8 * upload.MiB,
		Parts: 1000, Elements: 50_000, Strings: 200_000, Text: upload.TextBytes, Rows: 20_000, Columns: 256, Cells: 500_000, Line: 256 << 10}
	// ReportLimits bound a report's workbook filled in by a unit.
	ReportLimits = upload.Limits{File: MaxFile, Unzipped: 32 * upload.MiB, Sheet: 16 * upload.MiB, Other: 8 * upload.MiB,
		Parts: 1000, Elements: 50_000, Strings: 200_000, Text: upload.TextBytes, Rows: 10_000, Columns: 256, Cells: 200_000}
	// DHIS2Limits bound a DHIS2 file of values, JSON or CSV.
	DHIS2Limits = upload.Limits{File: MaxDataValues, Rows: 1_000_000, Columns: 64, Line: 64 << 10}
)

// openUpload opens an uploaded workbook within its limits.
func openUpload(ctx context.Context, data []byte, lim upload.Limits) (*upload.Workbook, error) {
	wb, err := upload.OpenWorkbook(ctx, data, lim)
	if err != nil {
		return nil, readFault("", err)
	}
	return wb, nil
}

// readFault turns what stopped a read into faults: a limit passed, a file
// that is not a workbook or not CSV. Anything else (the request ended)
// passes unchanged.
func readFault(sheet string, err error) error {
	var le *upload.LimitError
	var nw *upload.NotWorkbook
	var pe *csv.ParseError
	var missing excelize.ErrSheetNotExist
	switch {
	case errors.As(err, &le):
		f := Fault{Row: le.Line, Message: le.Message()}
		if le.Limit == "rows" || le.Limit == "columns" || le.Limit == "cells" {
			f.Sheet = le.Sheet
		}
		return Faults{f}
	case errors.As(err, &nw):
		return Faults{sheetFault("", 0, "", "collect.fault.not_xlsx", nw.Err.Error())}
	case errors.As(err, &missing):
		return Faults{sheetFault(sheet, 0, "", "collect.fault.sheet_missing")}
	case errors.As(err, &pe):
		return Faults{sheetFault("", pe.Line, "", "collect.fault.csv", err.Error())}
	}
	return err
}

// FaultList gathers a file's faults: the first 50 are listed, the rest
// counted in a last fault that says how many more there are.
type FaultList struct {
	list Faults
	more int
}

// Add adds a fault.
func (l *FaultList) Add(f Fault) {
	if len(l.list) < maxFaults {
		l.list = append(l.list, f)
	} else {
		l.more++
	}
}

// Len counts the faults, listed or not.
func (l *FaultList) Len() int { return len(l.list) + l.more }

// Faults are the faults listed, and how many more there are.
func (l *FaultList) Faults() Faults {
	if l.more == 0 {
		return l.list
	}
	return append(l.list[:len(l.list):len(l.list)], Fault{Message: i18n.Both("upload.more_faults", l.more), more: l.more})
}

// Count counts the faults of a file, those listed and those that were
// not.
func (fs Faults) Count() int {
	n := len(fs)
	for _, f := range fs {
		if f.more > 0 {
			n += f.more - 1
		}
	}
	return n
}

// isMissing reports whether faults say only that a sheet is not there.
func isMissing(err error) bool {
	var fs Faults
	return errors.As(err, &fs) && len(fs) == 1 && fs[0].Message == i18n.Both("collect.fault.sheet_missing")
}
