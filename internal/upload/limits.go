// Package upload bounds what an uploaded file may make the server do: the
// bytes it arrives as and unzips to, the rows, columns and cells it holds,
// and the time it takes, which ends when the request is cancelled. Every
// reader of an uploaded workbook or CSV file goes through it, and a file
// beyond a limit is refused before it is read, with a message naming the
// limit and its value.
package upload

import (
	"context"
	"fmt"

	"lighten/internal/i18n"
)

// Limits bound one uploaded file. A zero limit is no limit; every reader
// sets them all.
type Limits struct {
	File     int64 // bytes as uploaded
	Unzipped int64 // bytes of a workbook's parts together, unzipped
	Sheet    int64 // bytes of one worksheet, or of the shared strings, unzipped
	Other    int64 // bytes of a workbook's other parts together (styles, pictures…), unzipped
	Parts    int   // parts of a workbook
	Elements int   // XML elements of a workbook's other parts together (excelize parses some whole)
	Strings  int   // entries of a workbook's shared text
	Text     int   // bytes of text in one cell or shared text entry
	Rows     int   // rows of a sheet, or records of a CSV file
	Columns  int   // columns of a sheet, or fields of a CSV record
	Cells    int   // cells of a sheet (a row counts up to its last cell), or fields of a CSV file
	Line     int   // bytes of one line of a CSV file
}

// Workbook limits every workbook reader shares; each sets its own bytes,
// rows, columns and cells. With them the heap stays within a few tens of
// MiB whatever a workbook holds.
const (
	// MaxMarkup bounds the bytes of one run of text or one tag in a
	// workbook's XML: the XML decoder holds a run whole.
	MaxMarkup = 1 << 20
	// TextBytes is room for Excel's 32,767 characters a cell.
	TextBytes = 128 << 10
	// MaxEntryElements bounds the XML elements of one cell of a sheet or
	// one entry of the shared text (rich text runs, phonetic guides…):
	// excelize decodes each whole. Thirty formatted runs fit.
	MaxEntryElements = 256
	// markupRoom is the XML elements a sheet, or the shared text, may hold
	// beyond what its cells need: columns, merged cells, validations,
	// rich text.
	markupRoom = 1 << 16
)

// SharedElements is how many XML elements the shared text may hold: three
// an entry (<si>, <t> and Excel's <phoneticPr>), and room for some rich
// text. Zero is no limit. excelize parses the shared text an entry at a
// time, or whole when it is small, so this bounds its heap.
func (l Limits) SharedElements() int {
	if l.Strings <= 0 {
		return 0
	}
	return 3*l.Strings + markupRoom
}

// SheetElements is how many XML elements one worksheet may hold: four a
// cell (<c>, <f>, <v>, or an inline string's <is> and <t>), two a row, and
// room for the sheet's columns, merged cells and the like. Zero is no
// limit.
func (l Limits) SheetElements() int {
	if l.Cells <= 0 {
		return 0
	}
	return 4*l.Cells + 2*max(l.Rows, 0) + markupRoom
}

// MiB is a mebibyte.
const MiB = 1 << 20

// LimitError says which limit a file goes beyond, and the limit's value.
type LimitError struct {
	Limit string // "file", "unzipped", "sheet", "other", "parts", "elements", "sheet_elements", "shared_elements", "entry_elements", "cell_elements", "strings", "shared_text", "text", "markup", "rows", "columns", "cells", "line", "values"
	Max   int64
	Sheet string // the sheet (or the workbook's part) at fault, if one is
	Cell  string // the cell at fault, if one is
	Line  int    // the CSV line at fault, if one is
}

// Key is the catalogue key of the message.
func (e *LimitError) Key() string {
	key := "upload.limit." + e.Limit
	switch {
	case e.Limit == "columns" && e.Sheet == "":
		key += "_line"
	case (e.Limit == "rows" || e.Limit == "cells") && e.Sheet == "":
		key += "_file"
	}
	return key
}

// Args are the message's arguments, in the catalogue's order.
func (e *LimitError) Args() []any {
	switch e.Limit {
	case "file", "unzipped", "other", "shared_text":
		return []any{Size(e.Max)}
	case "sheet", "markup":
		return []any{e.Sheet, Size(e.Max)}
	case "text":
		return []any{e.Sheet, e.Cell, Size(e.Max)}
	case "cell_elements":
		return []any{e.Sheet, e.Cell, e.Max}
	case "parts":
		return []any{e.Max}
	case "line":
		return []any{e.Line, Size(e.Max)}
	case "columns":
		if e.Sheet == "" {
			return []any{e.Line, e.Max}
		}
	}
	if e.Sheet != "" {
		return []any{e.Sheet, e.Max}
	}
	return []any{e.Max}
}

// Message is the refusal in both languages.
func (e *LimitError) Message() i18n.Text { return i18n.Both(e.Key(), e.Args()...) }

func (e *LimitError) Error() string { return e.Message().EN }

// Size writes a number of bytes for people: "64 MiB", "512 KiB", "300 B".
func Size(n int64) string {
	switch {
	case n >= MiB && n%MiB == 0:
		return fmt.Sprintf("%d MiB", n/MiB)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// checkEvery is how many rows or records pass between looks at whether
// the request was cancelled.
const checkEvery = 64

// alive reports the context's end, if it has ended.
func alive(ctx context.Context) error { return context.Cause(ctx) }
