package collect

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"lighten/internal/export"
	"lighten/internal/i18n"
	"lighten/internal/upload"
)

// Files in and out: the dictionary as Excel and CSV, a report's workbook
// for one unit to fill in, and the issuer's answer as a workbook.

// Fault is one fault of a file read: where it is (sheet, row and column of
// a workbook, or line and column of a CSV or JSON file) and what was
// expected, in both languages.
type Fault struct {
	Sheet   string    `json:"sheet,omitempty"`
	Row     int       `json:"row,omitempty"` // a sheet's row, or a line of a CSV or JSON file
	Column  string    `json:"column,omitempty"`
	Message i18n.Text `json:"message"`
	more    int       // faults not listed, counted by this one
}

func (f Fault) Error() string {
	var where []string
	if f.Sheet != "" {
		where = append(where, fmt.Sprintf("sheet %q", f.Sheet))
	}
	if f.Row > 0 {
		if f.Sheet != "" {
			where = append(where, fmt.Sprintf("row %d", f.Row))
		} else {
			where = append(where, fmt.Sprintf("line %d", f.Row))
		}
	}
	if f.Column != "" {
		where = append(where, "column "+f.Column)
	}
	if len(where) == 0 {
		return f.Message.EN
	}
	return strings.Join(where, " ") + ": " + f.Message.EN
}

// Faults are every fault found in a file; nothing of it is used.
type Faults []Fault

func (fs Faults) Error() string {
	var b strings.Builder
	for i, f := range fs {
		if i == 5 {
			fmt.Fprintf(&b, "; and %d more", len(fs)-5)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.Error())
	}
	return b.String()
}

func sheetFault(sheet string, row int, col, key string, args ...any) Fault {
	return Fault{Sheet: sheet, Row: row, Column: col, Message: i18n.Both(key, args...)}
}

// MaxFile bounds a workbook or dictionary file read.
const MaxFile = 10 << 20

// readLimited reads a whole file of at most MaxFile bytes.
func readLimited(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFile+1))
	if err != nil {
		return nil, Faults{sheetFault("", 0, "", "collect.fault.read", err.Error())}
	}
	if len(data) > MaxFile {
		return nil, Faults{sheetFault("", 0, "", "collect.fault.too_large", MaxFile>>20)}
	}
	return data, nil
}

// IsXLSX reports whether data looks like a workbook (a zip archive).
func IsXLSX(data []byte) bool { return bytes.HasPrefix(data, []byte("PK\x03\x04")) }

func colName(c int) string { n, _ := excelize.ColumnNumberToName(c + 1); return n }

func cellName(c, r int) string { n, _ := excelize.CoordinatesToCellName(c+1, r); return n }

// The dictionary's columns, in order. Excel headers carry both names
// ("编码 code"); CSV headers the key.
var dictColumns = []struct {
	key, zh  string
	required bool
}{
	{"code", "编码", true},
	{"name", "名称", true},
	{"name_en", "英文名称", false},
	{"type", "类型", true},
	{"measure", "计量单位", false},
	{"period", "周期", true},
	{"valid_days", "有效天数", false},
	{"owner", "所属部门", true},
	{"readers", "可读部门", false},
	{"choices", "选项", false},
	{"min", "最小值", false},
	{"max", "最大值", false},
	{"status", "状态", false},
}

// DictionarySheet is the name of the dictionary's sheet.
const DictionarySheet = "数据元 Elements"

// listSep separates the items of a list cell (readers, choices).
const listSep = "|"

func elementCells(e *Element) []string {
	readers := make([]string, len(e.Readers))
	for i, r := range e.Readers {
		readers[i] = strconv.FormatInt(r, 10)
	}
	num := func(f *float64) string {
		if f == nil {
			return ""
		}
		return fmtNum(*f)
	}
	return []string{e.Code, e.Name, e.NameEN, string(e.Type), e.Measure, string(e.Period), strconv.Itoa(e.ValidDays),
		strconv.FormatInt(e.Owner, 10), strings.Join(readers, listSep), strings.Join(e.Choices, listSep), num(e.Min), num(e.Max), string(e.Status)}
}

// WriteDictionaryCSV writes elements as CSV, a line each.
func WriteDictionaryCSV(w io.Writer, elems []*Element) error {
	cw := csv.NewWriter(w)
	head := make([]string, len(dictColumns))
	for i, c := range dictColumns {
		head[i] = c.key
	}
	cw.Write(head)
	for _, e := range elems {
		cw.Write(export.Cells(elementCells(e)...))
	}
	cw.Flush()
	return cw.Error()
}

// WriteDictionaryXLSX writes elements as a workbook: a sheet of elements
// and a sheet explaining the columns.
func WriteDictionaryXLSX(w io.Writer, elems []*Element) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", DictionarySheet); err != nil {
		return err
	}
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7E6E6"}}})
	head := make([]any, len(dictColumns))
	for i, c := range dictColumns {
		head[i] = c.zh + " " + c.key
	}
	if err := f.SetSheetRow(DictionarySheet, "A1", &head); err != nil {
		return err
	}
	f.SetRowStyle(DictionarySheet, 1, 1, bold)
	for i, e := range elems {
		cells := elementCells(e)
		row := make([]any, len(cells))
		for c, v := range cells {
			row[c] = export.Cell(v)
			// Numbers stay numbers, so that Excel neither flags nor sorts them as text.
			if k := dictColumns[c].key; k == "valid_days" || k == "owner" || k == "min" || k == "max" {
				if n, ok := excelNumber(v); ok {
					row[c] = n
				}
			}
		}
		if err := f.SetSheetRow(DictionarySheet, cellName(0, i+2), &row); err != nil {
			return err
		}
	}
	for c, width := range []float64{16, 20, 28, 10, 10, 10, 10, 10, 14, 28, 10, 10, 10} {
		f.SetColWidth(DictionarySheet, colName(c), colName(c), width)
	}
	f.SetPanes(DictionarySheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	notes := "说明 Notes"
	if _, err := f.NewSheet(notes); err != nil {
		return err
	}
	rows := [][]any{
		{"列 Column", "说明", "Meaning"},
		{"code", "编码，1 至 64 个字符，不含空格、逗号、引号；也是 DHIS2 的 dataElement", "1 to 64 characters without spaces, commas or quotes; also the DHIS2 dataElement"},
		{"type", "integer, decimal, text, choice, date, bool, point 之一", "one of integer, decimal, text, choice, date, bool, point"},
		{"period", "day, week, month, quarter, year, once 之一", "one of day, week, month, quarter, year, once"},
		{"valid_days", "数值保持有效的天数；0 表示整个周期", "days a value stays valid; 0 for its whole period"},
		{"owner", "所属部门编号", "the owning office's id"},
		{"readers", "可读取数值的部门编号，用 | 分隔；空表示所有部门", "ids of the offices that may read values, separated by |; empty for every office"},
		{"choices", "选项，用 | 分隔（choice 类型必填）", "the choices, separated by | (required for choice)"},
		{"min, max", "数值的下限和上限，可空", "bounds of numeric values, may be empty"},
		{"status", "approved, proposed, rejected；导入时 proposed 和 rejected 的行不导入", "approved, proposed or rejected; rows proposed or rejected are not imported"},
	}
	for i, r := range rows {
		f.SetSheetRow(notes, cellName(0, i+1), &r)
	}
	f.SetRowStyle(notes, 1, 1, bold)
	f.SetColWidth(notes, "A", "A", 14)
	f.SetColWidth(notes, "B", "C", 60)
	f.SetActiveSheet(0)
	return f.Write(w)
}

// DictionaryRow is one element read from a dictionary file, with the row
// it came from. Its Status is as written ("" when the cell is empty).
type DictionaryRow struct {
	Sheet   string // "" for a CSV file
	Row     int
	Element *Element
	columns map[string]string
}

// Column names the column holding a field ("owner"), as the file does: a
// letter in a workbook, the header in a CSV file.
func (d DictionaryRow) Column(key string) string { return d.columns[key] }

// ReadDictionary reads a dictionary file with no request to end it (the
// command line, tests); see ReadDictionaryContext.
func ReadDictionary(r io.Reader) ([]DictionaryRow, error) {
	return ReadDictionaryContext(context.Background(), r)
}

// ReadDictionaryContext reads elements from a workbook or a CSV file (told
// apart by their content) within DictionaryLimits, and stops when ctx
// ends. The header names the columns in any order; code, name, type,
// period and owner are required. Every row is checked, and every fault
// (the first 50 listed, the others counted) is returned naming its row
// and column.
func ReadDictionaryContext(ctx context.Context, r io.Reader) ([]DictionaryRow, error) {
	data, err := readLimited(r)
	if err != nil {
		return nil, err
	}
	if IsXLSX(data) {
		wb, err := openUpload(ctx, data, DictionaryLimits)
		if err != nil {
			return nil, err
		}
		defer wb.Close()
		sheet := ""
		for _, name := range wb.Sheets() {
			lower := strings.ToLower(strings.TrimSpace(name))
			if strings.HasPrefix(lower, "数据元") || strings.HasPrefix(lower, "elements") {
				sheet = name
				break
			}
		}
		if sheet == "" {
			sheet = wb.File.GetSheetName(0)
		}
		// Raw values: Excel's general format shows 123456789012345 as 1.23457E+14.
		rows, err := wb.Rows(ctx, sheet, true)
		if err != nil {
			return nil, readFault(sheet, err)
		}
		scan, err := wb.Scan(ctx, sheet)
		if err != nil {
			return nil, readFault(sheet, err)
		}
		formula := func(row, col int) bool { return scan.Formulas[upload.Cell{Row: row, Col: col}] }
		return parseDictionary(rows, sheet, colName, formula)
	}
	cr := upload.NewCSV(ctx, bytes.NewReader(data), DictionaryLimits)
	var rows [][]string
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, readFault("", err)
		}
		rows = append(rows, rec)
	}
	var head []string
	if len(rows) > 0 {
		head = rows[0]
	}
	colOf := func(c int) string {
		if c < len(head) {
			return strings.TrimSpace(head[c])
		}
		return strconv.Itoa(c + 1)
	}
	return parseDictionary(rows, "", colOf, func(int, int) bool { return false })
}

// headerKey finds which dictionary column a header cell names: the key,
// the Chinese name, or both ("编码 code").
func headerKey(h string) (string, bool) {
	h = strings.ToLower(strings.TrimSpace(h))
	words := strings.Fields(h)
	for _, c := range dictColumns {
		if h == c.key || h == c.zh {
			return c.key, true
		}
		for _, w := range words {
			if w == c.key || w == c.zh {
				return c.key, true
			}
		}
	}
	return "", false
}

func parseDictionary(rows [][]string, sheet string, col func(int) string, formula func(row, col int) bool) ([]DictionaryRow, error) {
	var faults FaultList
	add := func(row int, c int, key string, args ...any) {
		name := ""
		if c >= 0 {
			name = col(c)
		}
		faults.Add(sheetFault(sheet, row, name, key, args...))
	}
	if len(rows) == 0 {
		return nil, Faults{sheetFault(sheet, 1, "", "collect.fault.dict_empty")}
	}
	at := map[string]int{}
	for c, h := range rows[0] {
		if strings.TrimSpace(h) == "" {
			continue
		}
		k, ok := headerKey(strings.TrimPrefix(h, "\ufeff"))
		if !ok {
			keys := make([]string, len(dictColumns))
			for i, dc := range dictColumns {
				keys[i] = dc.key
			}
			add(1, c, "collect.fault.dict_header", h, strings.Join(keys, ", "))
			continue
		}
		if _, dup := at[k]; dup {
			add(1, c, "collect.fault.dict_header_twice", k)
			continue
		}
		at[k] = c
	}
	for _, dc := range dictColumns {
		if _, ok := at[dc.key]; !ok && dc.required {
			add(1, -1, "collect.fault.dict_missing_column", dc.zh+" "+dc.key)
		}
	}
	if faults.Len() > 0 {
		return nil, faults.Faults()
	}
	names := map[string]string{}
	for k, c := range at {
		names[k] = col(c)
	}
	var out []DictionaryRow
	seen := map[string]int{}
	for i, rec := range rows[1:] {
		row := i + 2
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue
		}
		cell := func(k string) (string, int) {
			c, ok := at[k]
			if !ok {
				return "", -1
			}
			if c < len(rec) {
				// A cell lighten's export quoted reads as what it quoted.
				return strings.TrimSpace(export.Restore(rec[c])), c
			}
			return "", c
		}
		bad := false
		for c := range rec {
			if formula(row, c) {
				bad = true
				add(row, c, "collect.fault.formula")
			}
		}
		if bad {
			continue
		}
		e := &Element{Readers: []int64{}}
		e.Code, _ = cell("code")
		e.Name, _ = cell("name")
		e.NameEN, _ = cell("name_en")
		e.Measure, _ = cell("measure")
		v, c := cell("type")
		e.Type = Type(strings.ToLower(v))
		if !oneOf(string(e.Type), Types) {
			bad = true
			add(row, c, "collect.fault.dict_enum", v, "integer, decimal, text, choice, date, bool, point")
		}
		v, c = cell("period")
		e.Period = PeriodType(strings.ToLower(v))
		if !oneOf(string(e.Period), PeriodTypes) {
			bad = true
			add(row, c, "collect.fault.dict_enum", v, "day, week, month, quarter, year, once")
		}
		if v, c = cell("valid_days"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 3660 {
				bad = true
				add(row, c, "collect.fault.dict_int", v, i18n.Both("collect.expect.days"))
			}
			e.ValidDays = n
		}
		v, c = cell("owner")
		if n, err := strconv.ParseInt(v, 10, 64); err != nil || n <= 0 {
			bad = true
			add(row, c, "collect.fault.dict_int", v, i18n.Both("collect.expect.office"))
		} else {
			e.Owner = n
		}
		v, c = cell("readers")
		for _, s := range splitList(v) {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n <= 0 {
				bad = true
				add(row, c, "collect.fault.dict_int", s, i18n.Both("collect.expect.offices"))
				break
			}
			e.Readers = append(e.Readers, n)
		}
		v, _ = cell("choices")
		e.Choices = splitList(v)
		for _, k := range []string{"min", "max"} {
			v, c := cell(k)
			if v == "" {
				continue
			}
			n, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", ""), 64)
			if err != nil {
				bad = true
				add(row, c, "collect.fault.dict_number", v)
				continue
			}
			if k == "min" {
				e.Min = &n
			} else {
				e.Max = &n
			}
		}
		v, c = cell("status")
		e.Status = Status(strings.ToLower(v))
		if e.Status != "" && !oneOf(string(e.Status), []Status{Approved, Proposed, Rejected}) {
			bad = true
			add(row, c, "collect.fault.dict_enum", v, "approved, proposed, rejected")
		}
		if bad {
			continue
		}
		if err := e.Validate(); err != nil {
			p := err.(*Problem)
			field := p.Field
			_, c := cell(field)
			if c < 0 {
				_, c = cell("code")
			}
			add(row, c, "collect.fault.element", p.Message())
			continue
		}
		if first, dup := seen[e.Code]; dup {
			_, c := cell("code")
			add(row, c, "collect.fault.dict_twice", e.Code, first)
			continue
		}
		seen[e.Code] = row
		out = append(out, DictionaryRow{Sheet: sheet, Row: row, Element: e, columns: names})
	}
	if faults.Len() > 0 {
		return nil, faults.Faults()
	}
	if len(out) == 0 {
		return nil, Faults{sheetFault(sheet, 2, "", "collect.fault.dict_empty")}
	}
	return out, nil
}

// splitList splits a list cell on | (or its full-width form), dropping
// blanks.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == '|' || r == '｜' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// SameDefinition reports whether two elements define the same thing, so
// that an import leaves unchanged ones alone.
func SameDefinition(a, b *Element) bool {
	ca, cb := elementCells(a), elementCells(b)
	for i := range ca {
		if dictColumns[i].key != "status" && ca[i] != cb[i] {
			return false
		}
	}
	return true
}

// A report's workbook for one unit. The sheet shows the report, the unit
// and the due date, then a row per field: name, element code, period,
// unit of measure, the value, and a note. Known values are filled in and
// locked; the cells to fill are unlocked and validated where Excel can. A
// very hidden sheet holds the report, the unit and a checksum over the
// element codes, periods and known values, so that an upload shows
// whether it is for this report and unit and whether locked cells moved.

// ReportSheetName is the name of the sheet units fill in.
const ReportSheetName = "填报 Report"

const (
	checkSheet  = "lighten"
	choiceSheet = "选项 Choices"
	headerRow   = 6
	firstField  = 7
	valueCol    = 4 // E
	lastCol     = 5 // F
)

var reportHeader = []string{"名称 Name", "数据元 Element", "期别 Period", "计量单位 Measure", "数值 Value", "说明 Note"}

// ReportSheet is what a report's workbook holds for one unit.
type ReportSheet struct {
	Report   int64
	Title    string
	Unit     string
	UnitName string
	Due      time.Time
	Fields   []SheetField
}

// SheetField is one row of a report's workbook.
type SheetField struct {
	Name    string
	Element *Element
	Period  string
	Known   string // the value already held, when IsKnown
	IsKnown bool
}

// Checksum is SHA-256 over the report, the unit, and each field's element,
// period and known value: what the locked cells hold.
func (s *ReportSheet) Checksum() string {
	h := sha256.New()
	fmt.Fprintf(h, "lighten report workbook 1\n%d\n%s\n", s.Report, s.Unit)
	for _, f := range s.Fields {
		if f.IsKnown {
			fmt.Fprintf(h, "%s\t%s\tknown\t%s\n", f.Element.Code, f.Period, f.Known)
		} else {
			fmt.Fprintf(h, "%s\t%s\task\n", f.Element.Code, f.Period)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// infoRows are the sheet's first rows: what report, which unit, when due.
func (s *ReportSheet) infoRows() [][2]string {
	return [][2]string{
		{"报表 Report", fmt.Sprintf("%s (#%d)", s.Title, s.Report)},
		{"单位 Unit", s.UnitName + " " + s.Unit},
		{"截止 Due", s.Due.In(china).Format("2006-01-02 15:04")},
		{"填写 How", "只填写黄色单元格；灰色为已有数据，已锁定。Fill in the yellow cells only; grey cells are already known and locked."},
	}
}

// note explains a field's row: known, or what to enter.
func note(f SheetField) string {
	if f.IsKnown {
		return "已有数据，无需填写 Already known"
	}
	e := f.Element
	bounds := ""
	if e.Min != nil {
		bounds += " ≥ " + fmtNum(*e.Min)
	}
	if e.Max != nil {
		bounds += " ≤ " + fmtNum(*e.Max)
	}
	switch e.Type {
	case Integer:
		return "整数 whole number" + bounds
	case Decimal:
		return "数字 number" + bounds
	case Choice:
		return "选择 one of: " + strings.Join(e.Choices, " / ")
	case Date:
		return "日期 date YYYY-MM-DD"
	case Bool:
		return "是 / 否 yes / no"
	case Point:
		return "坐标 lat,lon"
	}
	return "文字 text"
}

// cellValue is a value as the cell holds it: numbers as numbers, when
// Excel keeps them whole.
func cellValue(e *Element, v string) any {
	if e.Type != Integer && e.Type != Decimal {
		return v
	}
	if n, ok := excelNumber(v); ok {
		return n
	}
	return v
}

// excelNumber reads a number that Excel holds exactly: no more than the 15
// significant digits it keeps.
func excelNumber(v string) (float64, bool) {
	digits := 0
	for _, r := range strings.TrimLeft(strings.NewReplacer("-", "", ".", "").Replace(v), "0") {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	f, err := strconv.ParseFloat(v, 64)
	return f, err == nil && digits <= 15
}

// WriteReportXLSX writes a report's workbook for one unit.
func WriteReportXLSX(w io.Writer, s *ReportSheet) error {
	f := excelize.NewFile()
	defer f.Close()
	sh := ReportSheetName
	if err := f.SetSheetName("Sheet1", sh); err != nil {
		return err
	}
	locked := &excelize.Protection{Locked: true}
	open := &excelize.Protection{Locked: false}
	grey := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7E6E6"}}
	yellow := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFF2CC"}}
	border := []excelize.Border{{Type: "left", Color: "BFBFBF", Style: 1}, {Type: "right", Color: "BFBFBF", Style: 1},
		{Type: "top", Color: "BFBFBF", Style: 1}, {Type: "bottom", Color: "BFBFBF", Style: 1}}
	header, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: grey, Border: border, Protection: locked})
	label, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Protection: locked})
	plain, _ := f.NewStyle(&excelize.Style{Border: border, Protection: locked, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	known, _ := f.NewStyle(&excelize.Style{Fill: grey, Border: border, Protection: locked})
	dateFmt := "yyyy-mm-dd"
	textFmt := 49 // "@": what is typed stays text
	fill := map[Type]int{}
	for _, t := range Types {
		st := &excelize.Style{Fill: yellow, Border: border, Protection: open}
		switch t {
		case Date:
			st.CustomNumFmt = &dateFmt
		case Text, Point, Choice:
			st.NumFmt = textFmt
		}
		fill[t], _ = f.NewStyle(st)
	}
	for i, r := range s.infoRows() {
		f.SetCellValue(sh, cellName(0, i+1), r[0])
		f.SetCellStr(sh, cellName(1, i+1), export.Cell(r[1]))
		f.SetCellStyle(sh, cellName(0, i+1), cellName(0, i+1), label)
	}
	head := make([]any, len(reportHeader))
	for i, h := range reportHeader {
		head[i] = h
	}
	f.SetSheetRow(sh, cellName(0, headerRow), &head)
	f.SetCellStyle(sh, cellName(0, headerRow), cellName(lastCol, headerRow), header)
	choiceCol := 0
	for i, fl := range s.Fields {
		row := firstField + i
		e := fl.Element
		vals := []any{export.Cell(fl.Name), export.Cell(e.Code), fl.Period, export.Cell(e.Measure), nil, export.Cell(note(fl))}
		if fl.IsKnown {
			vals[valueCol] = cellValue(e, fl.Known)
			if v, ok := vals[valueCol].(string); ok {
				vals[valueCol] = export.Cell(v)
			}
		}
		if err := f.SetSheetRow(sh, cellName(0, row), &vals); err != nil {
			return err
		}
		f.SetCellStyle(sh, cellName(0, row), cellName(lastCol, row), plain)
		ref := cellName(valueCol, row)
		if fl.IsKnown {
			f.SetCellStyle(sh, ref, ref, known)
			continue
		}
		f.SetCellStyle(sh, ref, ref, fill[e.Type])
		if dv, err := validation(f, e, &choiceCol); err == nil && dv != nil {
			dv.Sqref = ref
			f.AddDataValidation(sh, dv)
		}
	}
	for c, width := range []float64{28, 16, 12, 12, 18, 36} {
		f.SetColWidth(sh, colName(c), colName(c), width)
	}
	f.SetColWidth(sh, "B", "B", 16)
	if err := f.ProtectSheet(sh, &excelize.SheetProtectionOptions{SelectLockedCells: true, SelectUnlockedCells: true,
		FormatColumns: true, FormatRows: true}); err != nil {
		return err
	}
	if _, err := f.NewSheet(checkSheet); err != nil {
		return err
	}
	var knownCodes []string
	for _, f := range s.Fields {
		if f.IsKnown {
			knownCodes = append(knownCodes, f.Element.Code)
		}
	}
	for i, kv := range [][2]string{{"report", strconv.FormatInt(s.Report, 10)}, {"unit", s.Unit}, {"checksum", s.Checksum()},
		{"known", strings.Join(knownCodes, ",")}} {
		f.SetCellValue(checkSheet, cellName(0, i+1), kv[0])
		f.SetCellStr(checkSheet, cellName(1, i+1), kv[1])
	}
	f.ProtectSheet(checkSheet, &excelize.SheetProtectionOptions{})
	if err := f.SetSheetVisible(checkSheet, false, true); err != nil {
		return err
	}
	if choiceCol > 0 {
		f.ProtectSheet(choiceSheet, &excelize.SheetProtectionOptions{})
		f.SetSheetVisible(choiceSheet, false, true)
	}
	f.SetActiveSheet(0)
	return f.Write(w)
}

// validation is Excel's check for a cell to fill: a drop-down list of
// choices (written to a hidden sheet when too long for the cell's
// validation), yes/no, whole or decimal numbers within bounds, or a date.
func validation(f *excelize.File, e *Element, choiceCol *int) (*excelize.DataValidation, error) {
	dv := excelize.NewDataValidation(true)
	msg := func(title, body string) {
		dv.SetError(excelize.DataValidationErrorStyleStop, title, body)
	}
	switch e.Type {
	case Choice:
		if err := dv.SetDropList(export.Cells(e.Choices...)); err != nil {
			// Longer lists than a validation holds go to the hidden sheet.
			if *choiceCol == 0 {
				if _, err := f.NewSheet(choiceSheet); err != nil {
					return nil, err
				}
			}
			col := colName(*choiceCol)
			for i, c := range e.Choices {
				f.SetCellStr(choiceSheet, cellName(*choiceCol, i+1), export.Cell(c))
			}
			*choiceCol++
			dv.SetSqrefDropList(fmt.Sprintf("'%s'!$%s$1:$%s$%d", choiceSheet, col, col, len(e.Choices)))
		}
		msg("选项 Choice", "请从列表中选择 Pick one from the list")
	case Bool:
		if err := dv.SetDropList([]string{"是", "否"}); err != nil {
			return nil, err
		}
		msg("是/否 Yes/no", "请选择 是 或 否 Pick 是 (yes) or 否 (no)")
	case Integer, Decimal:
		t := excelize.DataValidationTypeWhole
		if e.Type == Decimal {
			t = excelize.DataValidationTypeDecimal
		}
		lo, hi := -1e15, 1e15
		if e.Min != nil {
			lo = *e.Min
		}
		if e.Max != nil {
			hi = *e.Max
		}
		if err := dv.SetRange(lo, hi, t, excelize.DataValidationOperatorBetween); err != nil {
			return nil, err
		}
		msg("数字 Number", note(SheetField{Element: e}))
	case Date:
		if err := dv.SetRange("DATE(1900,1,1)", "DATE(2200,12,31)", excelize.DataValidationTypeDate, excelize.DataValidationOperatorBetween); err != nil {
			return nil, err
		}
		msg("日期 Date", "请填写日期 YYYY-MM-DD Enter a date YYYY-MM-DD")
	default:
		return nil, nil
	}
	return dv, nil
}

// FilledSheet is what a unit filled in a report's workbook.
type FilledSheet struct {
	Checksum string
	// Values are the filled cells by element code, as entered; empty
	// cells are left out.
	Values map[string]string
	// Cells say where each element's value is, as "E8".
	Cells map[string]string
	// Rows say on which row each element is.
	Rows map[string]int
}

// Key is the client key of a submission from this file: the same file
// uploaded twice stores once.
func (fs *FilledSheet) Key() string {
	codes := make([]string, 0, len(fs.Values))
	for c := range fs.Values {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	h := sha256.New()
	io.WriteString(h, fs.Checksum)
	for _, c := range codes {
		fmt.Fprintf(h, "\n%s=%s", c, fs.Values[c])
	}
	return "xlsx-" + hex.EncodeToString(h.Sum(nil))[:40]
}

// ReadReportXLSX reads a filled-in workbook with no request to end it
// (tests); see ReadReportXLSXContext.
func ReadReportXLSX(r io.Reader, want *ReportSheet) (*FilledSheet, error) {
	return ReadReportXLSXContext(context.Background(), r, want)
}

// ReadReportXLSXContext reads a report's workbook filled in by a unit,
// within ReportLimits, and stops when ctx ends. It must be for the report
// and unit of want, with want's rows in order, no formulas and nothing
// added; its locked cells must still give the checksum it was written
// with. Known values may differ from want's (the unit's own values become
// known once submitted): they are not submitted again. Every fault (the
// first 50 listed, the others counted) is returned with its sheet, row and
// column.
func ReadReportXLSXContext(ctx context.Context, r io.Reader, want *ReportSheet) (*FilledSheet, error) {
	data, err := readLimited(r)
	if err != nil {
		return nil, err
	}
	wb, err := openUpload(ctx, data, ReportLimits)
	if err != nil {
		return nil, err
	}
	defer wb.Close()
	sh := ReportSheetName
	check := map[string]string{}
	rows, err := wb.Rows(ctx, checkSheet, false)
	if err != nil {
		if err := readFault(checkSheet, err); !isMissing(err) {
			return nil, err
		}
	}
	for _, r := range rows {
		if len(r) >= 2 {
			check[r[0]] = strings.TrimSpace(r[1])
		}
	}
	if check["checksum"] == "" || check["report"] == "" {
		return nil, Faults{sheetFault("", 0, "", "collect.fault.not_report_xlsx")}
	}
	if check["report"] != strconv.FormatInt(want.Report, 10) || check["unit"] != want.Unit {
		return nil, Faults{sheetFault("", 0, "", "collect.fault.other_report", check["report"], check["unit"], want.Report, want.Unit)}
	}
	if rows, err = wb.Rows(ctx, sh, false); err != nil {
		return nil, readFault(sh, err)
	}
	// Values are read raw, as stored, except dates, which are stored as
	// day numbers: a general format shows 123456789012345 as 1.23457E+14.
	raw, err := wb.Rows(ctx, sh, true)
	if err != nil {
		return nil, readFault(sh, err)
	}
	scan, err := wb.Scan(ctx, sh)
	if err != nil {
		return nil, readFault(sh, err)
	}
	var faults FaultList
	add := func(row, col int, key string, args ...any) {
		c := ""
		if col >= 0 {
			c = colName(col)
		}
		faults.Add(sheetFault(sh, row, c, key, args...))
	}
	// A cell lighten's export quoted reads as what it quoted.
	cell := func(row, col int) string {
		if row-1 < len(rows) && col < len(rows[row-1]) {
			return strings.TrimSpace(export.Restore(rows[row-1][col]))
		}
		return ""
	}
	// Formulas, in any cell that holds something.
	for i, rec := range rows {
		for c := range rec {
			if scan.Formulas[upload.Cell{Row: i + 1, Col: c}] {
				add(i+1, c, "collect.fault.formula")
			}
		}
	}
	// Columns past the note column.
	extraCol := map[int]bool{}
	for i, rec := range rows {
		for c := lastCol + 1; c < len(rec); c++ {
			if strings.TrimSpace(rec[c]) != "" && !extraCol[c] {
				extraCol[c] = true
				add(i+1, c, "collect.fault.extra_column")
			}
		}
	}
	// The locked cells: the report's rows, the header, each field.
	for i, kv := range want.infoRows() {
		for c, v := range kv {
			if got := cell(i+1, c); got != strings.TrimSpace(v) {
				add(i+1, c, "collect.fault.locked", v, got)
			}
		}
		for c := 2; c <= lastCol; c++ {
			if got := cell(i+1, c); got != "" {
				add(i+1, c, "collect.fault.extra_cell", got)
			}
		}
	}
	for c := 0; c <= lastCol; c++ {
		if got := cell(headerRow-1, c); got != "" {
			add(headerRow-1, c, "collect.fault.extra_cell", got)
		}
		if got := cell(headerRow, c); got != reportHeader[c] {
			add(headerRow, c, "collect.fault.locked", reportHeader[c], got)
		}
	}
	knownAtDownload := map[string]bool{}
	for _, c := range strings.Split(check["known"], ",") {
		knownAtDownload[c] = c != ""
	}
	// The workbook as it was downloaded, read back from its locked cells:
	// its checksum must be the one it was written with.
	asFiled := &ReportSheet{Report: want.Report, Unit: want.Unit}
	out := &FilledSheet{Checksum: check["checksum"], Values: map[string]string{}, Cells: map[string]string{}, Rows: map[string]int{}}
	var knownRows []int
	for i, fl := range want.Fields {
		row := firstField + i
		e := fl.Element
		if cell(row, 1) != e.Code {
			key := "collect.fault.row_moved"
			if strings.Join(rowCells(rows, row), "") == "" {
				key = "collect.fault.row_missing"
			}
			args := []any{e.Code, cell(row, 1)}
			if key == "collect.fault.row_missing" {
				args = args[:1]
			}
			add(row, 1, key, args...)
			continue
		}
		for c, v := range []string{fl.Name, e.Code, fl.Period, e.Measure} {
			if got := cell(row, c); got != strings.TrimSpace(v) {
				add(row, c, "collect.fault.locked", v, got)
			}
		}
		got := cell(row, valueCol)
		if e.Type != Date && row-1 < len(raw) && valueCol < len(raw[row-1]) {
			got = strings.TrimSpace(export.Restore(raw[row-1][valueCol]))
		}
		if knownAtDownload[e.Code] {
			// A known value is read as the element's value, since Excel may
			// show a number otherwise than lighten wrote it.
			norm, err := e.Normalize(got)
			if err != nil {
				norm = got
			}
			asFiled.Fields = append(asFiled.Fields, SheetField{Element: e, Period: fl.Period, Known: norm, IsKnown: true})
			knownRows = append(knownRows, i)
			if !fl.IsKnown {
				// Known then, no longer held now: nobody filled it.
				add(row, valueCol, "collect.fault.known_expired")
			}
			continue
		}
		asFiled.Fields = append(asFiled.Fields, SheetField{Element: e, Period: fl.Period})
		out.Cells[e.Code], out.Rows[e.Code] = cellName(valueCol, row), row
		if got != "" {
			out.Values[e.Code] = got
		}
	}
	for row := firstField + len(want.Fields); row <= len(rows); row++ {
		if strings.TrimSpace(strings.Join(rowCells(rows, row), "")) != "" {
			add(row, 0, "collect.fault.extra_row", len(want.Fields))
		}
	}
	if faults.Len() > 0 {
		return nil, faults.Faults()
	}
	if asFiled.Checksum() != out.Checksum {
		// Point at the known values that differ from what lighten holds;
		// when none does, the hidden checksum itself was edited.
		for _, i := range knownRows {
			fl, row := want.Fields[i], firstField+i
			if f := asFiled.Fields[i]; fl.IsKnown && f.Known != fl.Known {
				add(row, valueCol, "collect.fault.locked", fl.Known, cell(row, valueCol))
			}
		}
		if faults.Len() == 0 {
			faults.Add(sheetFault("", 0, "", "collect.fault.checksum"))
		}
		return nil, faults.Faults()
	}
	return out, nil
}

func rowCells(rows [][]string, row int) []string {
	if row-1 < len(rows) {
		return rows[row-1]
	}
	return nil
}

// WriteTableXLSX writes a small table as a one-sheet workbook with a bold
// header.
func WriteTableXLSX(w io.Writer, sheet string, header []string, rows [][]any) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7E6E6"}}})
	head := make([]any, len(header))
	for i, h := range header {
		head[i] = export.Cell(h)
	}
	f.SetSheetRow(sheet, "A1", &head)
	f.SetRowStyle(sheet, 1, 1, bold)
	for i, r := range rows {
		r = slices.Clone(r)
		for c, v := range r {
			if s, ok := v.(string); ok {
				r[c] = export.Cell(s)
			}
		}
		if err := f.SetSheetRow(sheet, cellName(0, i+2), &r); err != nil {
			return err
		}
	}
	f.SetColWidth(sheet, "A", "A", 14)
	f.SetColWidth(sheet, "B", "B", 20)
	f.SetColWidth(sheet, "C", colName(max(len(header)-1, 2)), 12)
	f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	return f.Write(w)
}
