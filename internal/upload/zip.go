package upload

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
)

// NotWorkbook is a file that is not a workbook that can be read: not a zip
// archive, damaged, or using what a workbook does not need.
type NotWorkbook struct{ Err error }

func (e *NotWorkbook) Error() string { return e.Err.Error() }
func (e *NotWorkbook) Unwrap() error { return e.Err }

// countEntries counts the headers of a zip archive's central directory,
// as archive/zip will read them, without reading them: a small file of
// empty entries would otherwise cost hundreds of bytes an entry. It stops
// counting past max.
func countEntries(data []byte, max int) (int, error) {
	const endLen, headerLen = 22, 46
	if len(data) < endLen {
		return 0, zip.ErrFormat
	}
	le := binary.LittleEndian
	// The end record, found as archive/zip finds it: the last signature
	// whose comment fits in the file.
	end := -1
	for i := len(data) - endLen; i >= max0(len(data)-endLen-0xffff); i-- {
		if bytes.Equal(data[i:i+4], []byte("PK\x05\x06")) && i+endLen+int(le.Uint16(data[i+20:])) <= len(data) {
			end = i
			break
		}
	}
	if end < 0 {
		return 0, zip.ErrFormat
	}
	records, size, offset := le.Uint16(data[end+10:]), le.Uint32(data[end+12:]), le.Uint32(data[end+16:])
	if records == 0xffff || size == 0xffffffff || offset == 0xffffffff {
		return 0, errors.New("zip64 archives are not read")
	}
	// archive/zip reads the directory where it ends, right before its end
	// record, whatever offset the record gives (data may be prepended).
	at := end - int(size)
	if at < 0 {
		return 0, zip.ErrFormat
	}
	n := 0
	for at+headerLen <= len(data) && bytes.Equal(data[at:at+4], []byte("PK\x01\x02")) {
		n++
		if n > max {
			return n, nil
		}
		at += headerLen + int(le.Uint16(data[at+28:])) + int(le.Uint16(data[at+30:])) + int(le.Uint16(data[at+32:]))
	}
	return n, nil
}

func max0(n int) int {
	if n < 0 {
		return 0
	}
	return n
}

// partName is a part's name as excelize files it: forward slashes, lower
// case for comparing.
func partName(name string) string { return strings.ToLower(strings.ReplaceAll(name, `\`, "/")) }

// bigPart reports whether excelize may stream a part from a temporary file
// instead of holding it: the worksheets and the shared strings.
func bigPart(name string) bool {
	n := partName(name)
	return strings.HasPrefix(n, "xl/worksheets/sheet") || n == "xl/sharedstrings.xml"
}

// checkZip holds an archive's central directory against the limits: how
// many parts, and what each and all of them unzip to. archive/zip refuses
// to unzip more than a part declares, so what is declared bounds what is
// read.
func checkZip(data []byte, lim Limits) (*zip.Reader, error) {
	if lim.File > 0 && int64(len(data)) > lim.File {
		return nil, &LimitError{Limit: "file", Max: lim.File}
	}
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, &NotWorkbook{errors.New("not a zip archive")}
	}
	maxParts := lim.Parts
	if maxParts <= 0 {
		maxParts = 1 << 30
	}
	n, err := countEntries(data, maxParts)
	if err != nil {
		return nil, &NotWorkbook{err}
	}
	if n > maxParts {
		return nil, &LimitError{Limit: "parts", Max: int64(lim.Parts)}
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, &NotWorkbook{err}
	}
	if len(zr.File) > maxParts {
		return nil, &LimitError{Limit: "parts", Max: int64(lim.Parts)}
	}
	var total, other uint64
	for _, f := range zr.File {
		if f.Method != zip.Store && f.Method != zip.Deflate {
			return nil, &NotWorkbook{zip.ErrAlgorithm}
		}
		size := f.UncompressedSize64
		if bigPart(f.Name) {
			if lim.Sheet > 0 && size > uint64(lim.Sheet) {
				return nil, &LimitError{Limit: "sheet", Max: lim.Sheet, Sheet: f.Name}
			}
		} else {
			other += size
			if lim.Other > 0 && other > uint64(lim.Other) {
				return nil, &LimitError{Limit: "other", Max: lim.Other}
			}
		}
		total += size
		if size > 1<<62 || lim.Unzipped > 0 && total > uint64(lim.Unzipped) {
			return nil, &LimitError{Limit: "unzipped", Max: lim.Unzipped}
		}
	}
	return zr, nil
}
