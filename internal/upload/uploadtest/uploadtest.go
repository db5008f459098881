// Package uploadtest makes hostile uploads for tests: workbooks that unzip
// to far more than they weigh, and what reading them costs.
package uploadtest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"runtime"
	"strings"
)

// Sheet is one sheet of a workbook: its name and its XML, written by Rows
// between <sheetData> and </sheetData>.
type Sheet struct {
	Name string
	Rows func(w io.Writer) error
}

// Repeat writes the same row XML until n bytes are written: a highly
// compressible sheet.
func Repeat(row string, n int64) func(w io.Writer) error {
	return func(w io.Writer) error {
		line := []byte(row)
		for written := int64(0); written < n; written += int64(len(line)) {
			if _, err := w.Write(line); err != nil {
				return err
			}
		}
		return nil
	}
}

// Numbered writes rows 1 to n, each with the given cells (inline strings).
func Numbered(n int, cells ...string) func(w io.Writer) error {
	return func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		for r := 1; r <= n; r++ {
			fmt.Fprintf(bw, `<row r="%d">`, r)
			for _, c := range cells {
				fmt.Fprintf(bw, `<c t="inlineStr"><is><t>%s</t></is></c>`, c)
			}
			bw.WriteString("</row>")
		}
		return bw.Flush()
	}
}

// Workbook writes a minimal workbook of the sheets, deflated at the best
// compression.
func Workbook(sheets ...Sheet) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	put := func(name, s string) {
		w, err := zw.Create(name)
		if err != nil {
			panic(err)
		}
		io.WriteString(w, s)
	}
	types := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>`
	book := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>`
	rels := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`
	for i, s := range sheets {
		types += fmt.Sprintf(`<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, i+1)
		book += fmt.Sprintf(`<sheet name="%s" sheetId="%d" r:id="rId%d"/>`, s.Name, i+1, i+1)
		rels += fmt.Sprintf(`<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>`, i+1, i+1)
	}
	put("[Content_Types].xml", types+`</Types>`)
	put("_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	put("xl/workbook.xml", book+`</sheets></workbook>`)
	put("xl/_rels/workbook.xml.rels", rels+`</Relationships>`)
	for i, s := range sheets {
		w, err := zw.Create(fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1))
		if err != nil {
			panic(err)
		}
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
		if err := s.Rows(w); err != nil {
			panic(err)
		}
		io.WriteString(w, `</sheetData></worksheet>`)
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// Bomb is a workbook of one sheet named sheet whose XML unzips to about n
// bytes of the same row.
func Bomb(sheet string, n int64) []byte {
	return Workbook(Sheet{Name: sheet, Rows: Repeat(`<row><c t="inlineStr"><is><t>炸弹 bomb</t></is></c></row>`, n)})
}

// Understate rewrites a workbook's central directory so that every part
// claims to unzip to at most claim bytes, whatever it unzips to.
func Understate(data []byte, claim uint32) []byte {
	out := bytes.Clone(data)
	for i := 0; i+46 <= len(out); i++ {
		if bytes.Equal(out[i:i+4], []byte("PK\x01\x02")) {
			size := uint32(out[i+24]) | uint32(out[i+25])<<8 | uint32(out[i+26])<<16 | uint32(out[i+27])<<24
			if size > claim {
				out[i+24], out[i+25], out[i+26], out[i+27] = byte(claim), byte(claim>>8), byte(claim>>16), byte(claim>>24)
			}
		}
	}
	return out
}

// Allocated runs fn and returns the bytes the process allocated while it
// ran, from the runtime's own accounting: a bound on how much the heap can
// have grown. Tests that use it must not run in parallel with others.
func Allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// MiB is a mebibyte.
const MiB = 1 << 20

// Bound is what reading an input of n bytes may allocate: a constant and
// a small multiple of the input, whatever it unzips to. A workbook's
// elements are counted from its bytes before it is parsed, and a bomb is
// refused then, so what a workbook may make the reader hold is no longer
// a multiple of what it unzips to. Allocation counts garbage too, so it
// bounds the heap's growth from above.
func Bound(n int) uint64 { return 64*MiB + 64*uint64(n) }

// WithPart copies a workbook with one more part (or a part replaced).
func WithPart(data []byte, name, content string) []byte {
	return WithPartFunc(data, name, func(w io.Writer) { io.WriteString(w, content) })
}

// SharedBomb copies a workbook with one more entry in its shared text
// (made if there is none): the entry made of unit n times, such as an
// empty rich text run, <r><t></t></r>. It unzips to a few MiB and costs
// excelize hundreds of bytes a unit.
func SharedBomb(data []byte, n int, unit string) []byte {
	head := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		panic(err)
	}
	for _, f := range zr.File {
		if f.Name == "xl/sharedStrings.xml" {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			head = strings.TrimSuffix(strings.TrimSpace(string(b)), "</sst>")
		}
	}
	return WithPartFunc(data, "xl/sharedStrings.xml", func(w io.Writer) {
		io.WriteString(w, head+"<si>")
		Repeat(unit, int64(n*len(unit)))(w)
		io.WriteString(w, "</si></sst>")
	})
}

// WithPartFunc copies a workbook with one more part (or a part replaced),
// written by write, deflated at the best compression.
func WithPartFunc(data []byte, name string, write func(io.Writer)) []byte {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		panic(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	for _, f := range zr.File {
		if f.Name == name {
			continue
		}
		w, _ := zw.Create(f.Name)
		rc, _ := f.Open()
		io.Copy(w, rc)
		rc.Close()
	}
	w, _ := zw.Create(name)
	bw := bufio.NewWriterSize(w, 64<<10)
	write(bw)
	bw.Flush()
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}
