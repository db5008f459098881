package collect

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"os"
	"strconv"
	"time"
	"unicode/utf8"

	"lighten/internal/export"
)

// The issuer's answer as a workbook, written row by row as SpreadsheetML
// straight into a compressed zip entry in a temporary file: a national
// table of 620,573 villages never sits in memory, and nothing is built
// per cell but its bytes. (excelize's stream writer, used before, spills
// rows to a file too, but assembles the finished workbook in memory: 67 MB
// for the national table, in a buffer that doubles as it grows.)

// AnswerSheetName is the answer workbook's sheet.
const AnswerSheetName = "答复 Answer"

// AnswerRow is one unit's row of the answer.
type AnswerRow struct {
	Unit, Name string
	Values     map[string]string // by element code
	At         time.Time         // when the latest of its values was given
	People     string            // who gave them
	Sources    string            // where they came from: reports, DHIS2
}

// AnswerBook streams an answer into a workbook.
type AnswerBook struct {
	tmp   *os.File
	buf   *bufio.Writer
	zw    *zip.Writer
	sheet *pipe // to the sheet's zip entry
	elems []*Element
	cols  []string // column letters
	row   int
	line  []byte // the row being written
	err   error
}

// The answer workbook's styles: 1 the header, 2 a date and time.
const (
	answerBold = 1
	answerDate = 2
)

// NewAnswerBook starts an answer workbook with a column per element (its
// periods by code) after the unit's code and name, then the provenance.
func NewAnswerBook(elems []*Element, periods map[string]string) (*AnswerBook, error) {
	tmp, err := os.CreateTemp("", "lighten-answer-*.xlsx")
	if err != nil {
		return nil, err
	}
	b := &AnswerBook{tmp: tmp, buf: bufio.NewWriterSize(tmp, 64<<10), elems: elems, row: 1}
	b.zw = zip.NewWriter(b.buf)
	// The sheet is about 1 GB of SpreadsheetML for the national table:
	// deflate's fastest level compresses it several times faster than its
	// default, for a somewhat larger file.
	b.zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	entry, err := b.zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		b.Close()
		return nil, err
	}
	b.sheet = newPipe(entry)
	n := len(elems) + 5
	for c := 0; c < n; c++ {
		b.cols = append(b.cols, colName(c))
	}
	x := []byte(xml.Header)
	x = append(x, `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">`...)
	x = append(x, `<sheetViews><sheetView workbookViewId="0"><pane xSplit="2" ySplit="1" topLeftCell="C2" activePane="bottomRight" state="frozen"/>`...)
	x = append(x, `<selection pane="bottomRight"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>`...)
	col := func(lo, hi int, width string) {
		x = append(x, `<col min="`...)
		x = strconv.AppendInt(x, int64(lo), 10)
		x = append(x, `" max="`...)
		x = strconv.AppendInt(x, int64(hi), 10)
		x = append(x, `" width="`+width+`" customWidth="1"/>`...)
	}
	col(1, 1, "14")
	col(2, 2, "20")
	if len(elems) > 0 {
		col(3, 2+len(elems), "14")
	}
	col(3+len(elems), 5+len(elems), "18")
	x = append(x, `</cols><sheetData>`...)
	if _, err := b.sheet.Write(x); err != nil {
		b.Close()
		return nil, err
	}
	head := []string{"代码 Code", "名称 Name"}
	for _, e := range elems {
		h := e.Name + " " + e.Code + " " + periods[e.Code]
		if e.Measure != "" {
			h += " (" + e.Measure + ")"
		}
		head = append(head, h)
	}
	head = append(head, "最近填报 Latest at", "填报人 By", "来源 Sources")
	b.startRow()
	for c, h := range head {
		b.text(c, h, answerBold)
	}
	if err := b.endRow(); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

func (b *AnswerBook) startRow() {
	b.line = append(b.line[:0], `<row r="`...)
	b.line = strconv.AppendInt(b.line, int64(b.row), 10)
	b.line = append(b.line, `">`...)
}

func (b *AnswerBook) endRow() error {
	b.line = append(b.line, `</row>`...)
	if b.err == nil {
		_, b.err = b.sheet.Write(b.line)
	}
	return b.err
}

// cell opens cell c of the current row with a style (0 for none) and a
// type ("" for a number).
func (b *AnswerBook) cell(c, style int, typ string) {
	b.line = append(b.line, `<c r="`...)
	b.line = append(b.line, b.cols[c]...)
	b.line = strconv.AppendInt(b.line, int64(b.row), 10)
	if style != 0 {
		b.line = append(b.line, `" s="`...)
		b.line = strconv.AppendInt(b.line, int64(style), 10)
	}
	if typ != "" {
		b.line = append(b.line, `" t="`...)
		b.line = append(b.line, typ...)
	}
	b.line = append(b.line, `">`...)
}

// text writes a text cell, quoted where a spreadsheet could read it as a
// formula (export.Cell): the inline string itself is never a formula, but
// the sheet may be saved again as CSV.
func (b *AnswerBook) text(c int, s string, style int) {
	if s == "" {
		return
	}
	s = export.Cell(s)
	b.cell(c, style, "inlineStr")
	b.line = append(b.line, `<is><t xml:space="preserve">`...)
	b.line = appendXMLText(b.line, s)
	b.line = append(b.line, `</t></is></c>`...)
}

func (b *AnswerBook) number(c int, f float64, style int) {
	b.cell(c, style, "")
	b.line = append(b.line, `<v>`...)
	b.line = strconv.AppendFloat(b.line, f, 'g', -1, 64)
	b.line = append(b.line, `</v></c>`...)
}

// Add writes one unit's row.
func (b *AnswerBook) Add(r AnswerRow) error {
	if b.err != nil {
		return b.err
	}
	b.row++
	b.startRow()
	b.text(0, r.Unit, 0)
	b.text(1, r.Name, 0)
	for i, e := range b.elems {
		v, ok := r.Values[e.Code]
		if !ok {
			continue
		}
		if n, isNum := cellValue(e, v).(float64); isNum {
			b.number(2+i, n, 0)
		} else {
			b.text(2+i, v, 0)
		}
	}
	k := 2 + len(b.elems)
	if !r.At.IsZero() {
		b.number(k, excelTime(r.At.In(china)), answerDate)
	}
	b.text(k+1, r.People, 0)
	b.text(k+2, r.Sources, 0)
	return b.endRow()
}

// excelTime is a wall-clock time as Excel's serial number: days since
// 1899-12-30, the fraction the time of day.
func excelTime(t time.Time) float64 {
	wall := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	d := wall.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC))
	days := math.Floor(d.Hours() / 24)
	rest := d - time.Duration(days)*24*time.Hour
	return days + float64(rest)/float64(24*time.Hour)
}

// appendXMLText escapes s for XML text. Characters XML 1.0 cannot carry
// (control characters other than tab and line breaks, bytes that are not
// UTF-8) become U+FFFD.
func appendXMLText(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '&':
				b = append(b, "&amp;"...)
			case c == '<':
				b = append(b, "&lt;"...)
			case c == '>':
				b = append(b, "&gt;"...)
			case c < 0x20 && c != '\t' && c != '\n' && c != '\r':
				b = append(b, "\uFFFD"...)
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || r == 0xFFFE || r == 0xFFFF {
			b = append(b, "\uFFFD"...)
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return b
}

// Rows is how many unit rows were written.
func (b *AnswerBook) Rows() int { return b.row - 1 }

// The workbook's other parts: one sheet and its styles.
const (
	answerContentTypes = xml.Header + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
		`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
		`</Types>`
	answerRels = xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>` +
		`</Relationships>`
	answerWorkbook = xml.Header + `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
		`<bookViews><workbookView/></bookViews><sheets><sheet name="` + AnswerSheetName + `" sheetId="1" r:id="rId1"/></sheets></workbook>`
	answerWorkbookRels = xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
		`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
		`</Relationships>`
	answerStyles = xml.Header + `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
		`<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts>` +
		`<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>` +
		`<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>` +
		`<fill><patternFill patternType="solid"><fgColor rgb="FFE7E6E6"/><bgColor indexed="64"/></patternFill></fill></fills>` +
		`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
		`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
		`<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
		`<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>` +
		`<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>` +
		`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`
)

// WriteTo ends the sheet and the workbook and copies it to w.
func (b *AnswerBook) WriteTo(w io.Writer) (int64, error) {
	if b.err != nil {
		return 0, b.err
	}
	if _, err := io.WriteString(b.sheet, `</sheetData></worksheet>`); err != nil {
		return 0, err
	}
	if err := b.sheet.Close(); err != nil {
		return 0, err
	}
	for _, part := range []struct{ name, body string }{
		{"[Content_Types].xml", answerContentTypes}, {"_rels/.rels", answerRels}, {"xl/workbook.xml", answerWorkbook},
		{"xl/_rels/workbook.xml.rels", answerWorkbookRels}, {"xl/styles.xml", answerStyles},
	} {
		f, err := b.zw.Create(part.name)
		if err != nil {
			return 0, err
		}
		if _, err := io.WriteString(f, part.body); err != nil {
			return 0, err
		}
	}
	if err := b.zw.Close(); err != nil {
		return 0, err
	}
	if err := b.buf.Flush(); err != nil {
		return 0, err
	}
	if _, err := b.tmp.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	return io.Copy(w, b.tmp)
}

// Close removes the temporary file.
func (b *AnswerBook) Close() error {
	if b.tmp == nil {
		return nil
	}
	if b.sheet != nil {
		b.sheet.Close() // ends the compressing goroutine
	}
	name := b.tmp.Name()
	err := b.tmp.Close()
	os.Remove(name)
	b.tmp = nil
	return err
}

// pipe hands the sheet's bytes, in chunks, to a goroutine that compresses
// them into the zip entry, so that deflate runs on one core while rows
// are read from the database and written out on another. An error of
// the entry is reported when the pipe is closed.
type pipe struct {
	w    io.Writer
	cur  []byte
	full chan []byte
	free chan []byte
	done chan error
	err  error
}

const pipeChunk = 256 << 10

func newPipe(w io.Writer) *pipe {
	p := &pipe{w: w, full: make(chan []byte, 2), free: make(chan []byte, 3), done: make(chan error, 1)}
	for i := 0; i < 3; i++ {
		p.free <- make([]byte, 0, pipeChunk+4096)
	}
	p.cur = <-p.free
	go func() {
		var err error
		for c := range p.full {
			if err == nil {
				_, err = p.w.Write(c)
			}
			p.free <- c[:0]
		}
		p.done <- err
	}()
	return p
}

func (p *pipe) Write(b []byte) (int, error) {
	if p.full == nil {
		return 0, errors.New("answer book: write after close")
	}
	p.cur = append(p.cur, b...)
	if len(p.cur) >= pipeChunk {
		p.full <- p.cur
		p.cur = <-p.free
	}
	return len(b), nil
}

// Close writes what is left and waits for the goroutine.
func (p *pipe) Close() error {
	if p.full == nil {
		return p.err
	}
	if len(p.cur) > 0 {
		p.full <- p.cur
	}
	close(p.full)
	p.err, p.full = <-p.done, nil
	return p.err
}
