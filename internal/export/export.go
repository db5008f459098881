// Package export keeps the cells of files written for people to open in a
// spreadsheet from being run as formulas (CSV or formula injection).
//
// A spreadsheet reads a cell that begins with = + - or @ as a formula, and
// some read a leading tab or carriage return the same way, so a name or a
// value such as "=HYPERLINK(...)" or "-2+3" typed by one person could run
// on the computer of another who opens the export. Following OWASP's
// guidance on CSV injection, Cell puts a single quote before such a cell:
// spreadsheets show the quote and run nothing. Every CSV and Excel file
// lighten writes for people passes its text through Cell (answers, the
// dictionary, completeness, the review queue and inbox sheets, the
// inspector register).
//
// A plain decimal number (-3.5, -12) is left as it is: spreadsheets read it
// as a number and run nothing, and a negative figure stays a figure. In
// Excel files numbers are written as number cells, which are never
// formulas; text is written as text cells, which excelize never marks as
// formulas either, but text is neutralised there too, for a sheet saved
// again as CSV or a cell opened for editing.
//
// Files for machines are written exactly and not passed through Cell: the
// DHIS2 dataValueSets export is read by DHIS2 and other programs, which
// would store the quote as part of the value.
//
// Files that lighten reads back (the dictionary, a report's workbook, the
// inspector register) pass each cell through Restore, so that a cell
// written by Cell reads as the value it was written for.
package export

// risky reports whether a spreadsheet may read s as a formula.
func risky(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return !plainNumber(s)
	}
	return false
}

// plainNumber reports whether s is a decimal number with an optional
// leading minus sign: digits, and at most one point between digits.
func plainNumber(s string) bool {
	if s[0] == '-' {
		s = s[1:]
	}
	digits, point := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !point && digits > 0 && i+1 < len(s):
			point = true
		default:
			return false
		}
	}
	return digits > 0
}

// quoted reports whether Cell puts a quote before s: a spreadsheet could
// read s as a formula, or s is quotes before such a text (so that Restore
// gives back exactly what Cell was given).
func quoted(s string) bool {
	i := 0
	for i < len(s) && s[i] == '\'' {
		i++
	}
	return risky(s[i:])
}

// Cell is s as a cell of a file for people: with a single quote before it
// when a spreadsheet could read it as a formula, as it is otherwise.
func Cell(s string) string {
	if quoted(s) {
		return "'" + s
	}
	return s
}

// Cells is Cell of each value, as a row for a CSV writer.
func Cells(values ...string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = Cell(v)
	}
	return out
}

// Restore undoes Cell for a cell read back from a file lighten wrote: a
// single quote before what a spreadsheet could read as a formula is taken
// away. Anything else is returned as it is.
func Restore(s string) string {
	if len(s) > 1 && s[0] == '\'' && quoted(s[1:]) {
		return s[1:]
	}
	return s
}
