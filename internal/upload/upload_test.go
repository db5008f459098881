package upload

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"lighten/internal/upload/uploadtest"
)

var testLimits = Limits{File: 10 * MiB, Unzipped: 64 * MiB, Sheet: 32 * MiB, Other: 8 * MiB, Parts: 100,
	Rows: 1000, Columns: 20, Cells: 5000, Line: 1 << 10}

// A workbook of about 900 KB whose sheet unzips to 300 MiB.
var bomb = sync.OnceValue(func() []byte { return uploadtest.Bomb("Sheet1", 300*MiB) })

func limitOf(t *testing.T, err error, want string) *LimitError {
	t.Helper()
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != want {
		t.Fatalf("want the %s limit, got %v", want, err)
	}
	m := le.Message()
	if m.ZH == "" || m.EN == "" || m.ZH == m.EN || strings.HasPrefix(m.EN, "[") {
		t.Fatalf("message not in both languages: %+v", m)
	}
	return le
}

// A zip bomb is refused from its central directory: nothing is unzipped,
// and the refusal names the limit and its value. The memory is the
// runtime's own count of what was allocated meanwhile, so this test does
// not run in parallel.
func TestBombRefusedBeforeReading(t *testing.T) {
	data := bomb()
	var err error
	alloc := uploadtest.Allocated(func() {
		var wb *Workbook
		wb, err = OpenWorkbook(context.Background(), data, testLimits)
		if wb != nil {
			wb.Close()
		}
	})
	le := limitOf(t, err, "sheet")
	if !strings.Contains(le.Message().EN, "at most 32 MiB") || !strings.Contains(le.Message().ZH, "上限为 32 MiB") {
		t.Errorf("message: %+v", le.Message())
	}
	if alloc > 4*MiB {
		t.Errorf("refusing a %d KB bomb allocated %d MiB", len(data)>>10, alloc/MiB)
	}
	// A bomb whose parts claim to be small is cut off where its claim
	// ends: archive/zip reads no more than a part declares.
	lying := uploadtest.Understate(data, 512<<10)
	lim := testLimits
	lim.Rows, lim.Cells = 1<<20, 1<<30
	alloc = uploadtest.Allocated(func() {
		var wb *Workbook
		if wb, err = OpenWorkbook(context.Background(), lying, lim); err == nil {
			_, err = wb.Rows(context.Background(), "Sheet1", false)
			wb.Close()
		}
	})
	var nw *NotWorkbook
	if !errors.As(err, &nw) {
		t.Fatalf("an understated bomb: %v", err)
	}
	if alloc > 16*MiB {
		t.Errorf("refusing an understated bomb allocated %d MiB", alloc/MiB)
	}
}

func TestWorkbookLimits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	read := func(t *testing.T, data []byte, lim Limits) error {
		t.Helper()
		wb, err := OpenWorkbook(ctx, data, lim)
		if err != nil {
			return err
		}
		defer wb.Close()
		_, err = wb.Rows(ctx, "S", false)
		return err
	}
	sheet := func(rows func(io.Writer) error) []byte {
		return uploadtest.Workbook(uploadtest.Sheet{Name: "S", Rows: rows})
	}
	cell := func(ref string) func(io.Writer) error {
		return func(w io.Writer) error {
			_, err := fmt.Fprintf(w, `<row r="1"><c r="%s"><v>1</v></c></row>`, ref)
			return err
		}
	}
	// Within the limits, a sheet reads as excelize's GetRows would.
	ok := sheet(uploadtest.Numbered(3, "a", "b"))
	wb, err := OpenWorkbook(ctx, ok, testLimits)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := wb.Rows(ctx, "s", false)
	if err != nil || len(rows) != 3 || strings.Join(rows[2], ",") != "a,b" {
		t.Fatalf("rows: %q %v", rows, err)
	}
	if s, _ := wb.Scan(ctx, "S"); s.Rows != 3 || s.Columns != 2 || s.Cells != 6 || len(s.Formulas) != 0 {
		t.Fatalf("scan: %+v", s)
	}
	wb.Close()

	for name, c := range map[string]struct {
		data  []byte
		lim   Limits
		limit string
	}{
		"file":     {ok, Limits{File: 100}, "file"},
		"unzipped": {ok, Limits{Unzipped: 1 << 10}, "unzipped"},
		"other":    {ok, Limits{Other: 100}, "other"},
		"parts":    {ok, Limits{Parts: 3}, "parts"},
		"rows":     {sheet(uploadtest.Numbered(1001, "a")), testLimits, "rows"},
		"row r": {sheet(func(w io.Writer) error {
			_, err := io.WriteString(w, `<row r="1048576"><c><v>1</v></c></row>`)
			return err
		}), testLimits, "rows"},
		"columns":  {sheet(cell("U1")), testLimits, "columns"},
		"far cell": {sheet(cell("XFD1")), testLimits, "columns"},
		"cells":    {sheet(uploadtest.Numbered(300, strings.Split(strings.Repeat("x,", 20), ",")[:20]...)), testLimits, "cells"},
		"elements": {uploadtest.WithPart(ok, "xl/styles.xml", "<styleSheet><cellXfs>"+strings.Repeat("<xf/>", 200)+"</cellXfs></styleSheet>"),
			Limits{Elements: 100}, "elements"},
		"strings": {uploadtest.WithPart(ok, "xl/sharedStrings.xml", "<sst>"+strings.Repeat("<si><t/></si>", 200)+"</sst>"),
			Limits{Strings: 100}, "strings"},
		"shared text": {uploadtest.WithPart(ok, "xl/sharedStrings.xml", "<sst><si><r><t>"+strings.Repeat("长", 100)+"</t></r><r><t>"+
			strings.Repeat("长", 100)+"</t></r></si></sst>"), Limits{Text: 500}, "shared_text"},
		"text": {sheet(func(w io.Writer) error {
			_, err := io.WriteString(w, `<row r="3"><c r="B3" t="inlineStr"><is><t>`+strings.Repeat("x", 2000)+`</t></is></c></row>`)
			return err
		}), Limits{Text: 1000}, "text"},
		"markup": {sheet(func(w io.Writer) error {
			_, err := io.WriteString(w, `<row r="1"><c><v>`+strings.Repeat("1", MaxMarkup+1)+`</v></c></row>`)
			return err
		}), Limits{}, "markup"},
		"markup in styles": {uploadtest.WithPart(ok, "xl/styles.xml", `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts><numFmt numFmtId="164" formatCode="`+strings.Repeat("0", MaxMarkup+1)+`"/></numFmts></styleSheet>`),
			Limits{}, "markup"},
		"dimension": {sheet(func(w io.Writer) error {
			_, err := io.WriteString(w, `</sheetData><dimension ref="A1:B99999"/><sheetData>`)
			return err
		}), testLimits, "rows"},
	} {
		t.Run(name, func(t *testing.T) { limitOf(t, read(t, c.data, c.lim), c.limit) })
	}
	long := sheet(func(w io.Writer) error {
		_, err := io.WriteString(w, `<row r="3"><c r="B3" t="inlineStr"><is><t>`+strings.Repeat("长", 1000)+`</t></is></c></row>`)
		return err
	})
	if le := limitOf(t, read(t, long, Limits{Text: 1000}), "text"); le.Message().EN != `Sheet "S", cell B3, holds too much text: at most 1000 B.` {
		t.Errorf("%s", le.Message().EN)
	}
	// Not a workbook at all.
	for _, junk := range [][]byte{[]byte("not a zip"), []byte("PK\x03\x04 truncated")} {
		var nw *NotWorkbook
		if _, err := OpenWorkbook(ctx, junk, testLimits); !errors.As(err, &nw) {
			t.Errorf("%q: %v", junk, err)
		}
	}
}

// A small zip of many empty parts is refused by counting its directory's
// headers, before archive/zip holds one each.
func TestManyParts(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i < 2000; i++ {
		zw.CreateHeader(&zip.FileHeader{Name: "", Method: zip.Store})
	}
	zw.Close()
	data := append([]byte(nil), buf.Bytes()...)
	if n, err := countEntries(data, 1<<30); err != nil || n != 2000 {
		t.Fatalf("counted %d, %v", n, err)
	}
	limitOf(t, func() error { _, err := OpenWorkbook(context.Background(), data, testLimits); return err }(), "parts")
}

// countdown is a context that ends after its Err has said "not yet" n
// times: a request cancelled while its file is being read.
type countdown struct {
	context.Context
	n atomic.Int64
}

func (c *countdown) Err() error {
	if c.n.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

func (c *countdown) Done() <-chan struct{} { return nil }

// Cancelling the request stops a read part way through its rows.
func TestCancelStopsRead(t *testing.T) {
	t.Parallel()
	data := uploadtest.Workbook(uploadtest.Sheet{Name: "S", Rows: uploadtest.Numbered(20_000, "a", "b", "c")})
	lim := Limits{Rows: 100_000, Columns: 10, Cells: 1_000_000}
	wb, err := OpenWorkbook(context.Background(), data, lim)
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	if _, err := wb.Scan(context.Background(), "S"); err != nil {
		t.Fatal(err)
	}
	ctx := &countdown{Context: context.Background()}
	ctx.n.Store(10)
	if rows, err := wb.Rows(ctx, "S", false); !errors.Is(err, context.Canceled) || rows != nil {
		t.Fatalf("a cancelled read: %d rows, %v", len(rows), err)
	}
	if left := ctx.n.Load(); left != -1 {
		t.Fatalf("the read looked at its context %d times more than needed", -1-left)
	}
	// The count stops too.
	wb2, _ := OpenWorkbook(context.Background(), data, lim)
	defer wb2.Close()
	ctx.n.Store(3)
	if _, err := wb2.Scan(ctx, "S"); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled count: %v", err)
	}
	// And a CSV file.
	csvData := strings.Repeat("a,b,c\n", 10_000)
	ctx.n.Store(5)
	cr := NewCSV(ctx, strings.NewReader(csvData), Limits{})
	n := 0
	for {
		if _, err = cr.Read(); err != nil {
			break
		}
		n++
	}
	if !errors.Is(err, context.Canceled) || n >= 10_000 {
		t.Fatalf("a cancelled CSV read: %d records, %v", n, err)
	}
}

// Large sheets are unzipped by excelize into a temporary directory of the
// workbook's own, removed when it closes: after reads that succeed, pass
// a limit or are cancelled, nothing is left. TMPDIR is the test's, so the
// test does not run in parallel.
func TestNoTemporaryFilesLeft(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	big := uploadtest.Workbook(uploadtest.Sheet{Name: "S", Rows: uploadtest.Numbered(40_000, "甲乙丙丁", "戊己庚辛")})
	if len(big) > 2*MiB {
		t.Fatalf("the workbook is %d bytes", len(big))
	}
	lim := Limits{Rows: 100_000, Columns: 10, Cells: 1_000_000}
	wb, err := OpenWorkbook(context.Background(), big, lim)
	if err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(wb.dir); len(entries) == 0 {
		t.Fatal("excelize wrote no temporary file: the sheet is too small for this test")
	}
	if rows, err := wb.Rows(context.Background(), "S", false); err != nil || len(rows) != 40_000 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	wb.Close()
	lim.Rows = 30_000
	wb, _ = OpenWorkbook(context.Background(), big, lim)
	limitOf(t, func() error { _, err := wb.Rows(context.Background(), "S", false); return err }(), "rows")
	wb.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := OpenWorkbook(ctx, big, lim); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Fatalf("left behind in TMPDIR: %v", entries)
	}
}

func readCSV(data string, lim Limits) (int, error) {
	cr := NewCSV(context.Background(), strings.NewReader(data), lim)
	n := 0
	for {
		_, err := cr.Read()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

// A header of a million columns is refused at the limit, before the
// record is held: the runtime's own count of what was allocated, so this
// test does not run in parallel.
func TestCSVHugeHeader(t *testing.T) {
	header := strings.Repeat("x,", 1_000_000) + "\n"
	var err error
	alloc := uploadtest.Allocated(func() { _, err = readCSV(header, Limits{Columns: 20}) })
	if le := limitOf(t, err, "columns"); le.Line != 1 || !strings.Contains(le.Message().EN, "Line 1 has too many columns: at most 20") {
		t.Fatalf("%+v", le.Message())
	}
	if alloc > 4*MiB {
		t.Errorf("refusing the header allocated %d MiB", alloc/MiB)
	}
}

func TestCSVLimits(t *testing.T) {
	t.Parallel()
	read := readCSV
	if n, err := read("\ufeffa,b\n\"x,\ny\",\"q\"\"\"\n", testLimits); err != nil || n != 2 {
		t.Fatalf("%d records, %v", n, err)
	}
	_, err := read("a\n"+strings.Repeat("y", 2000)+"\n", testLimits)
	if le := limitOf(t, err, "line"); le.Line != 2 {
		t.Fatalf("line %d", le.Line)
	}
	// Quoted line breaks keep a record whole.
	_, err = read("a,\""+strings.Repeat("y\n", 600)+"\"\n", testLimits)
	limitOf(t, err, "line")
	_, err = read(strings.Repeat("a\n", 1001), testLimits)
	limitOf(t, err, "rows")
	_, err = read(strings.Repeat("a,b,c,d,e,f\n", 1000), Limits{Cells: 5000})
	limitOf(t, err, "cells")
	_, err = read(strings.Repeat("a\n", 1000), Limits{File: 1000})
	limitOf(t, err, "file")
}

func TestSize(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{64 * MiB: "64 MiB", 256 << 10: "256 KiB", 300: "300 B", MiB + 1: "1048577 B"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}
