package upload

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Workbook is an uploaded workbook whose archive has been held against the
// limits. Its sheets are counted before they are read, read as a stream,
// and every read stops when the context ends.
type Workbook struct {
	File  *excelize.File
	lim   Limits
	dir   string               // excelize's temporary files, removed on Close
	parts map[string]*zip.File // by name, with forward slashes
	paths map[string]string    // worksheet part by sheet name
	scans map[string]*Scan
}

// inMemory is the largest worksheet or shared strings excelize holds in
// memory; larger ones it unzips into the workbook's temporary directory
// and streams from there.
const inMemory = 1 << 20

// OpenWorkbook opens an uploaded workbook: the archive's central directory
// is held against the limits before anything is unzipped. The caller
// closes it, which removes every temporary file.
func OpenWorkbook(ctx context.Context, data []byte, lim Limits) (*Workbook, error) {
	if err := alive(ctx); err != nil {
		return nil, err
	}
	zr, err := checkZip(data, lim)
	if err != nil {
		return nil, err
	}
	w := &Workbook{lim: lim, parts: map[string]*zip.File{}, scans: map[string]*Scan{}}
	for _, f := range zr.File {
		w.parts[strings.ReplaceAll(f.Name, `\`, "/")] = f
	}
	if err := w.checkParts(ctx, zr); err != nil {
		return nil, err
	}
	if w.dir, err = os.MkdirTemp("", "lighten-upload-"); err != nil {
		return nil, err
	}
	opt := excelize.Options{UnzipSizeLimit: lim.Unzipped, UnzipXMLSizeLimit: inMemory, TmpDir: w.dir}
	if lim.Unzipped > 0 && lim.Unzipped < inMemory {
		opt.UnzipXMLSizeLimit = lim.Unzipped
	}
	w.File, err = excelize.OpenReader(bytes.NewReader(data), opt)
	if err != nil {
		w.Close()
		return nil, &NotWorkbook{err}
	}
	if err := alive(ctx); err != nil {
		w.Close()
		return nil, err
	}
	if w.paths, err = w.sheetPaths(); err != nil {
		w.Close()
		return nil, &NotWorkbook{err}
	}
	return w, nil
}

// Close closes the workbook and removes its temporary files.
func (w *Workbook) Close() error {
	var err error
	if w.File != nil {
		err = w.File.Close()
	}
	if w.dir != "" {
		if e := os.RemoveAll(w.dir); err == nil {
			err = e
		}
	}
	return err
}

// Sheets lists the workbook's sheets in order.
func (w *Workbook) Sheets() []string { return w.File.GetSheetList() }

// sheetPaths finds each sheet's part as excelize does: the workbook named
// by the package's relationships, its sheets, and their relationships.
func (w *Workbook) sheetPaths() (map[string]string, error) {
	book := "xl/workbook.xml"
	if rels, err := w.rels("_rels/.rels"); err != nil {
		return nil, err
	} else {
		for _, r := range rels {
			if strings.HasSuffix(r.typ, "/officeDocument") {
				book = strings.TrimPrefix(r.target, "/")
				break
			}
		}
	}
	dir := path.Dir(book)
	relPath := strings.TrimPrefix(path.Join(dir, "_rels", path.Base(book)+".rels"), "/")
	rels, err := w.rels(relPath)
	if err != nil {
		return nil, err
	}
	targets := map[string]string{}
	for _, r := range rels {
		p := path.Clean(dir + "/" + r.target)
		if strings.HasPrefix(r.target, "/") {
			p = path.Clean(r.target)
		}
		targets[r.id] = strings.TrimPrefix(p, "/")
	}
	out := map[string]string{}
	err = w.eachStart(book, func(d *xml.Decoder, se xml.StartElement) error {
		if se.Name.Local != "sheet" {
			return nil
		}
		var name, id string
		for _, a := range se.Attr {
			switch {
			case a.Name.Local == "name" && a.Name.Space == "":
				name = a.Value
			case a.Name.Local == "id" && a.Name.Space != "":
				id = a.Value
			}
		}
		if p, ok := targets[id]; ok {
			out[name] = p
		}
		return nil
	})
	return out, err
}

type rel struct{ id, typ, target string }

func (w *Workbook) rels(name string) ([]rel, error) {
	var out []rel
	err := w.eachStart(name, func(d *xml.Decoder, se xml.StartElement) error {
		if se.Name.Local != "Relationship" {
			return nil
		}
		var r rel
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "Id":
				r.id = a.Value
			case "Type":
				r.typ = a.Value
			case "Target":
				r.target = strings.ReplaceAll(a.Value, `\`, "/")
			}
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

// eachStart calls fn for every start tag of a part; a part that is not
// there has none.
func (w *Workbook) eachStart(name string, fn func(*xml.Decoder, xml.StartElement) error) error {
	f, ok := w.parts[name]
	if !ok {
		return nil
	}
	d, rc, err := decoder(f)
	if err != nil {
		return err
	}
	defer rc.Close()
	for {
		t, err := d.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if se, ok := t.(xml.StartElement); ok {
			if err := fn(d, se); err != nil {
				return err
			}
		}
	}
}

// Cell is a place in a sheet: its 1-based row and 0-based column.
type Cell struct{ Row, Col int }

// Scan is what a sheet holds, counted from its XML before it is read.
type Scan struct {
	Rows     int           // the last row's number
	Columns  int           // the last column's number
	Cells    int           // cells, counting each row up to its last cell
	Formulas map[Cell]bool // the cells that hold a formula
}

// Scan counts a sheet's rows, columns and cells, and finds its formulas,
// stopping at the first limit passed. The sheet's <dimension> refuses it
// at once when it claims more than the limits, but is not trusted
// otherwise: the cells are counted.
func (w *Workbook) Scan(ctx context.Context, sheet string) (*Scan, error) {
	name, p, ok := w.sheetPath(sheet)
	if !ok {
		return nil, excelize.ErrSheetNotExist{SheetName: sheet}
	}
	if s, ok := w.scans[p]; ok {
		return s, nil
	}
	s := &Scan{Formulas: map[Cell]bool{}}
	f, ok := w.parts[p]
	if !ok {
		return s, nil
	}
	d, rc, err := decoder(f)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	lim := w.lim
	over := func(limit string, max int) error {
		return &LimitError{Limit: limit, Max: int64(max), Sheet: name}
	}
	row, col, width, tokens := 0, 0, 0, 0
	// A cell is a <c> not inside another, as excelize decodes it: whatever
	// it holds counts to it.
	inCell, text, inner, depth, cellDepth := false, 0, 0, 0, 0
	endRow := func() error {
		s.Cells += width
		width = 0
		if lim.Cells > 0 && s.Cells > lim.Cells {
			return over("cells", lim.Cells)
		}
		return nil
	}
	for {
		t, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, xmlError(err)
		}
		if tokens++; tokens%(checkEvery*16) == 0 {
			if err := alive(ctx); err != nil {
				return nil, err
			}
		}
		var se xml.StartElement
		switch t := t.(type) {
		case xml.StartElement:
			se = t
		case xml.CharData:
			if text += len(t); inCell && lim.Text > 0 && text > lim.Text {
				ref, _ := excelize.CoordinatesToCellName(max(col, 1), max(row, 1))
				return nil, &LimitError{Limit: "text", Max: int64(lim.Text), Sheet: name, Cell: ref}
			}
			continue
		case xml.EndElement:
			if depth--; inCell && depth == cellDepth {
				inCell = false
			}
			continue
		default:
			continue
		}
		depth++
		if inCell {
			// excelize decodes a cell's <is>, <f> and <v> whole.
			if inner++; inner > MaxEntryElements {
				ref, _ := excelize.CoordinatesToCellName(max(col, 1), max(row, 1))
				return nil, &LimitError{Limit: "cell_elements", Max: MaxEntryElements, Sheet: name, Cell: ref}
			}
			if se.Name.Local == "f" {
				s.Formulas[Cell{row, col - 1}] = true
			}
			continue
		}
		switch se.Name.Local {
		case "dimension":
			ref := attr(se, "ref")
			if i := strings.LastIndexByte(ref, ':'); i >= 0 {
				ref = ref[i+1:]
			}
			if c, r, err := excelize.CellNameToCoordinates(ref); err == nil {
				if lim.Rows > 0 && r > lim.Rows {
					return nil, over("rows", lim.Rows)
				}
				if lim.Columns > 0 && c > lim.Columns {
					return nil, over("columns", lim.Columns)
				}
			}
		case "row":
			if err := endRow(); err != nil {
				return nil, err
			}
			if n, err := strconv.Atoi(attr(se, "r")); err == nil && n > 0 {
				row = n
			} else {
				row++
			}
			col = 0
			if lim.Rows > 0 && row > lim.Rows {
				return nil, over("rows", lim.Rows)
			}
			s.Rows = max(s.Rows, row)
		case "c":
			inCell, text, inner, cellDepth = true, 0, 0, depth-1
			if c, _, err := excelize.CellNameToCoordinates(attr(se, "r")); err == nil {
				col = c
			} else {
				col++
			}
			if lim.Columns > 0 && col > lim.Columns {
				return nil, over("columns", lim.Columns)
			}
			width = max(width, col)
			s.Columns = max(s.Columns, col)
		}
	}
	if err := endRow(); err != nil {
		return nil, err
	}
	w.scans[p] = s
	return s, nil
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

// sheetPath finds a sheet's part, its name told apart from case as excelize
// does.
func (w *Workbook) sheetPath(sheet string) (string, string, bool) {
	if p, ok := w.paths[sheet]; ok {
		return sheet, p, true
	}
	for name, p := range w.paths {
		if strings.EqualFold(name, sheet) {
			return name, p, true
		}
	}
	return "", "", false
}

// Rows reads a sheet's rows as excelize's GetRows does (raw values or as
// formatted), after counting them: a row per row number up to the last
// that holds something, each up to its last cell. It streams the sheet
// and stops when the context ends.
func (w *Workbook) Rows(ctx context.Context, sheet string, raw bool) ([][]string, error) {
	s, err := w.Scan(ctx, sheet)
	if err != nil {
		return nil, err
	}
	rows, err := w.File.Rows(sheet)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([][]string, 0, min(s.Rows, 1024))
	lim := w.lim
	cur, cells := 0, 0
	for rows.Next() {
		if cur++; cur%checkEvery == 0 {
			if err := alive(ctx); err != nil {
				return nil, err
			}
		}
		row, err := rows.Columns(excelize.Options{RawCellValue: raw})
		if err != nil {
			break
		}
		if len(row) == 0 {
			continue
		}
		// What the count let through is held to the limits again.
		cells += len(row)
		switch {
		case lim.Rows > 0 && cur > lim.Rows:
			return nil, &LimitError{Limit: "rows", Max: int64(lim.Rows), Sheet: sheet}
		case lim.Columns > 0 && len(row) > lim.Columns:
			return nil, &LimitError{Limit: "columns", Max: int64(lim.Columns), Sheet: sheet}
		case lim.Cells > 0 && cells > lim.Cells:
			return nil, &LimitError{Limit: "cells", Max: int64(lim.Cells), Sheet: sheet}
		}
		for len(out) < cur-1 {
			out = append(out, nil)
		}
		out = append(out, row)
	}
	if err := rows.Error(); err != nil && !errors.Is(err, io.EOF) {
		return nil, &NotWorkbook{err}
	}
	return out, nil
}

// checkParts holds the parts against the limits before excelize reads
// them. First the XML elements of every part are counted from its bytes,
// which costs no memory whatever the part holds: each worksheet's against
// SheetElements, the shared text's against SharedElements, the others'
// together against Elements (excelize parses the styles, the workbook and
// its relationships whole when it opens them). Pictures are counted too:
// a part's name does not tell what excelize will parse, and the few '<'
// in a picture's bytes cost little. Then the shared text is
// read entry by entry, as excelize reads it: its entries, and each entry's
// text and elements.
func (w *Workbook) checkParts(ctx context.Context, zr *zip.Reader) error {
	lim := w.lim
	elements := 0
	var shared []*zip.File
	for _, f := range zr.File {
		name := partName(f.Name)
		var err error
		switch {
		case name == "xl/sharedstrings.xml":
			shared = append(shared, f)
			if _, err = countTags(ctx, f, lim.SharedElements()); errors.Is(err, errTooMany) {
				err = &LimitError{Limit: "shared_elements", Max: int64(lim.SharedElements())}
			}
		case bigPart(f.Name):
			if _, err = countTags(ctx, f, lim.SheetElements()); errors.Is(err, errTooMany) {
				err = &LimitError{Limit: "sheet_elements", Max: int64(lim.SheetElements()), Sheet: f.Name}
			}
		default:
			left := 0
			if lim.Elements > 0 {
				left = max(lim.Elements-elements, 1)
			}
			var n int
			n, err = countTags(ctx, f, left)
			if elements += n; errors.Is(err, errTooMany) || lim.Elements > 0 && elements > lim.Elements {
				err = &LimitError{Limit: "elements", Max: int64(lim.Elements)}
			}
		}
		if err != nil {
			return err
		}
	}
	for _, f := range shared {
		if err := w.checkShared(ctx, f); err != nil {
			return err
		}
	}
	return nil
}

// checkShared reads the shared text entry by entry, as excelize does, and
// holds its entries, and each entry's text and elements, against the
// limits.
func (w *Workbook) checkShared(ctx context.Context, f *zip.File) error {
	lim := w.lim
	d, rc, err := decoder(f)
	if err != nil {
		return err
	}
	defer rc.Close()
	// An entry is an <si> not inside another, as excelize decodes it whole:
	// whatever it holds, another <si> included, counts to it.
	strs, text, inner, depth, entry := 0, 0, 0, 0, -1
	for tokens := 1; ; tokens++ {
		if tokens%(checkEvery*16) == 0 {
			if err := alive(ctx); err != nil {
				return err
			}
		}
		t, err := d.RawToken()
		if err != nil {
			// A part that is not XML is excelize's to refuse, if it reads it.
			var le *LimitError
			if errors.As(err, &le) {
				return le
			}
			return nil
		}
		switch t := t.(type) {
		case xml.StartElement:
			switch {
			case entry >= 0:
				if inner++; inner > MaxEntryElements {
					return &LimitError{Limit: "entry_elements", Max: MaxEntryElements}
				}
			case t.Name.Local == "si":
				text, inner, entry = 0, 0, depth
				if strs++; lim.Strings > 0 && strs > lim.Strings {
					return &LimitError{Limit: "strings", Max: int64(lim.Strings)}
				}
			}
			depth++
		case xml.EndElement:
			if depth--; depth == entry {
				entry = -1
			}
		case xml.CharData:
			if text += len(t); lim.Text > 0 && text > lim.Text {
				return &LimitError{Limit: "shared_text", Max: int64(lim.Text)}
			}
		}
	}
}

// errTooMany is a part with more start tags than it may have.
var errTooMany = errors.New("too many XML elements")

// countTags counts the start tags of a part from its bytes, without
// parsing or holding them: every '<' not followed by '/', '?' or '!'. An
// XML parser finds no more elements than that, whatever the bytes are. It
// stops with errTooMany past max (zero is no limit), at a run of text or
// a tag longer than MaxMarkup, and with the context's end; a part that
// cannot be unzipped is excelize's to refuse.
func countTags(ctx context.Context, f *zip.File, max int) (int, error) {
	rc, err := f.Open()
	if err != nil {
		return 0, nil
	}
	defer rc.Close()
	buf := make([]byte, 32<<10)
	n, lt, run := 0, false, 0
	for {
		if err := alive(ctx); err != nil {
			return n, err
		}
		k, err := rc.Read(buf)
		for _, b := range buf[:k] {
			if lt && b != '/' && b != '?' && b != '!' {
				n++
			}
			lt = b == '<'
			if b == '<' || b == '>' {
				run = 0
			} else if run++; run > MaxMarkup {
				return n, &LimitError{Limit: "markup", Max: MaxMarkup, Sheet: f.Name}
			}
		}
		if max > 0 && n > max {
			return n, errTooMany
		}
		if err != nil {
			return n, nil
		}
	}
}

// decoder reads a part's XML, refusing a run of text or a tag longer than
// MaxMarkup before the decoder holds it.
func decoder(f *zip.File) (*xml.Decoder, io.Closer, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, nil, &NotWorkbook{err}
	}
	d := xml.NewDecoder(bufio.NewReader(&markupGuard{r: rc, part: f.Name}))
	d.Strict = false
	return d, rc, nil
}

// xmlError is what stopped reading a part's XML: a limit, or a part that is
// not what a workbook holds.
func xmlError(err error) error {
	var le *LimitError
	if errors.As(err, &le) {
		return le
	}
	return &NotWorkbook{err}
}

// markupGuard counts the bytes since the last < or >.
type markupGuard struct {
	r    io.Reader
	part string
	run  int
	err  error
}

func (g *markupGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	for _, b := range p[:n] {
		if b == '<' || b == '>' {
			g.run = 0
		} else if g.run++; g.run > MaxMarkup {
			g.err = &LimitError{Limit: "markup", Max: MaxMarkup, Sheet: g.part}
			return 0, g.err
		}
	}
	return n, err
}
