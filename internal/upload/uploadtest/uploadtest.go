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

// Bound is what reading an input of n bytes may allocate: a constant, and
// a multiple of what the input can unzip to (deflate inflates at most
// 1032 times; a CSV file not at all), capped by the limit on unzipped
// bytes. Allocation counts garbage too, so it bounds the heap's growth
// from above.
func Bound(n int, zipped bool, unzipped int64) uint64 {
	in := uint64(n)
	if zipped {
		in *= 1032
		if unzipped > 0 {
			in = min(in, uint64(unzipped))
		}
	}
	return 64*MiB + 64*in
}

// WithPart copies a workbook with one more part (or a part replaced).
func WithPart(data []byte, name, content string) []byte {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		panic(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
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
	io.WriteString(w, content)
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}
