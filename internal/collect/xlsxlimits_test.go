package collect

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"lighten/internal/upload/uploadtest"
)

// Bombs of about 200 MiB unzipped: below the 256 MiB excelize was once
// told to stop at, so that only the limits of each reader refuse them.
var (
	dictionaryBomb = sync.OnceValue(func() []byte { return uploadtest.Bomb(DictionarySheet, 200*uploadtest.MiB) })
	reportBomb     = sync.OnceValue(func() []byte {
		return uploadtest.Workbook(
			uploadtest.Sheet{Name: checkSheet, Rows: uploadtest.Numbered(1, "report", "1")},
			uploadtest.Sheet{Name: ReportSheetName, Rows: uploadtest.Repeat(`<row><c t="inlineStr"><is><t>炸弹 bomb</t></is></c></row>`, 200*uploadtest.MiB)})
	})
	// The same files as written, with one more shared text entry of a
	// million empty rich text runs: a few MiB unzipped, hundreds of MiB
	// for excelize to parse.
	dictionaryMarkupBomb = sync.OnceValue(func() []byte {
		var buf bytes.Buffer
		WriteDictionaryXLSX(&buf, sampleElements)
		return uploadtest.SharedBomb(buf.Bytes(), 1_000_000, `<r><t></t></r>`)
	})
	reportMarkupBomb = sync.OnceValue(func() []byte {
		var buf bytes.Buffer
		WriteReportXLSX(&buf, sampleSheet())
		return uploadtest.SharedBomb(buf.Bytes(), 1_000_000, `<r><t></t></r>`)
	})
	hugeHeader = sync.OnceValue(func() []byte { return []byte(strings.Repeat("x,", 1_000_000) + "\n") })
)

// Each bomb is refused by its reader with a fault naming the limit and its
// value, allocating a few MiB: the runtime's own count, so this test does
// not run in parallel.
func TestBombsRefused(t *testing.T) {
	for name, c := range map[string]struct {
		data []byte
		read func([]byte) error
		want string
	}{
		"dictionary workbook": {dictionaryBomb(), func(d []byte) error { _, err := ReadDictionary(bytes.NewReader(d)); return err },
			"unzips to too much: at most 32 MiB"},
		"report workbook": {reportBomb(), func(d []byte) error { _, err := ReadReportXLSX(bytes.NewReader(d), sampleSheet()); return err },
			"unzips to too much: at most 16 MiB"},
		"dictionary markup": {dictionaryMarkupBomb(), func(d []byte) error { _, err := ReadDictionary(bytes.NewReader(d)); return err },
			"The shared text of the workbook is too elaborate: at most 665536 XML elements."},
		"report markup": {reportMarkupBomb(), func(d []byte) error { _, err := ReadReportXLSX(bytes.NewReader(d), sampleSheet()); return err },
			"The shared text of the workbook is too elaborate: at most 665536 XML elements."},
		"element CSV header": {hugeHeader(), func(d []byte) error { _, err := ReadDictionary(bytes.NewReader(d)); return err },
			"Line 1 has too many columns: at most 256"},
		"DHIS2 CSV header": {hugeHeader(), func(d []byte) error { _, err := ReadDataValuesCSV(bytes.NewReader(d)); return err },
			"Line 1 has too many columns: at most 64"},
	} {
		var err error
		alloc := uploadtest.Allocated(func() { err = c.read(c.data) })
		fs := faultsOf(t, err)
		if len(fs) != 1 || !strings.Contains(fs[0].Message.EN, c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
		if alloc > 16*uploadtest.MiB {
			t.Errorf("%s: refusing %d KB allocated %d MiB", name, len(c.data)>>10, alloc/uploadtest.MiB)
		}
	}
}

// A file with many faults lists 50 and counts the others.
func TestFaultsCapped(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("code,name,type,period,owner\n")
	for i := 0; i < 1000; i++ {
		b.WriteString("A,甲,kind,once,1\n")
	}
	_, err := ReadDictionary(strings.NewReader(b.String()))
	fs := faultsOf(t, err)
	if len(fs) != 51 || fs.Count() != 1000 || fs[50].Message.EN != "And 950 more problems, not listed." || fs[50].Row != 0 {
		t.Fatalf("%d faults listed, %d counted, last %+v", len(fs), fs.Count(), fs[len(fs)-1])
	}
	// Unknown headers are faults too: capped as well, as the columns are.
	_, err = ReadDictionary(strings.NewReader(strings.Repeat("x,", 200) + "code\n"))
	if fs := faultsOf(t, err); len(fs) != 51 || fs.Count() < 200 {
		t.Fatalf("%d faults listed, %d counted", len(fs), fs.Count())
	}
	vals := make([]DataValue, 300)
	for i := range vals {
		vals[i] = DataValue{DataElement: "NONE", Line: i + 2}
	}
	_, err = CheckDataValues(vals, map[string]*Element{}, func(string) bool { return true })
	if fs := faultsOf(t, err); len(fs) != 51 || fs.Count() != 300 {
		t.Fatalf("DHIS2: %d faults listed, %d counted", len(fs), fs.Count())
	}
}

// A read stops when its request is cancelled.
func TestReadersStopWhenCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var buf bytes.Buffer
	WriteDictionaryXLSX(&buf, sampleElements)
	if _, err := ReadDictionaryContext(ctx, bytes.NewReader(buf.Bytes())); !errors.Is(err, context.Canceled) {
		t.Errorf("dictionary workbook: %v", err)
	}
	if _, err := ReadDictionaryContext(ctx, strings.NewReader("code,name,type,period,owner\nA,甲,text,once,1\n")); !errors.Is(err, context.Canceled) {
		t.Errorf("dictionary CSV: %v", err)
	}
	buf.Reset()
	WriteReportXLSX(&buf, sampleSheet())
	if _, err := ReadReportXLSXContext(ctx, bytes.NewReader(buf.Bytes()), sampleSheet()); !errors.Is(err, context.Canceled) {
		t.Errorf("report workbook: %v", err)
	}
	for _, isCSV := range []bool{true, false} {
		doc := "dataelement,period,orgunit,value\nHH,2026,430922,1\n"
		if !isCSV {
			doc = `{"dataValues":[{"dataElement":"HH","period":"2026","orgUnit":"430922","value":"1"}]}`
		}
		if _, err := ReadDataValuesContext(ctx, strings.NewReader(doc), isCSV); !errors.Is(err, context.Canceled) {
			t.Errorf("DHIS2 csv=%v: %v", isCSV, err)
		}
	}
}
