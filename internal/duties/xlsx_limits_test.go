package duties

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"lighten/internal/upload/uploadtest"
)

// An 800 KB workbook whose duty sheet unzips to 200 MiB is refused from
// its archive's directory, naming the limit and its value in both
// languages, allocating a few MiB (the runtime's own count, so this test
// does not run in parallel).
func TestDutyBombRefused(t *testing.T) {
	data := uploadtest.Bomb("自身职责 Own duties", 200*uploadtest.MiB)
	var err error
	alloc := uploadtest.Allocated(func() { _, err = ReadXLSX(bytes.NewReader(data)) })
	var se *SheetError
	if !errors.As(err, &se) || se.Key != "upload.limit.sheet" {
		t.Fatalf("a bomb: %v", err)
	}
	if m := se.Message(); !strings.Contains(m.EN, "at most 32 MiB") || !strings.Contains(m.ZH, "上限为 32 MiB") {
		t.Errorf("message: %+v", m)
	}
	if alloc > 16*uploadtest.MiB {
		t.Errorf("refusing a %d KB bomb allocated %d MiB", len(data)>>10, alloc/uploadtest.MiB)
	}
}

// Duty lists of about 60 KiB with one more shared text entry of a
// million empty rich text runs, or a cell of a million inline runs, which
// excelize would take seconds and hundreds of MiB to parse, are refused
// before it parses them (the runtime's own count, so this test does not
// run in parallel).
func TestDutyMarkupBombRefused(t *testing.T) {
	var buf bytes.Buffer
	WriteXLSX(&buf, template)
	for key, data := range map[string][]byte{
		"upload.limit.shared_elements": uploadtest.SharedBomb(buf.Bytes(), 1_000_000, `<r><t></t></r>`),
		"upload.limit.entry_elements":  uploadtest.SharedBomb(buf.Bytes(), 1000, `<rPh><t/></rPh>`),
		"upload.limit.sheet_elements": uploadtest.Workbook(uploadtest.Sheet{Name: "自身职责 Own duties",
			Rows: uploadtest.Repeat(`<row r="2"><c r="A2" t="inlineStr"><is>`+strings.Repeat(`<r><t></t></r>`, 10_000)+`</is></c></row>`, 20*uploadtest.MiB)}),
	} {
		var err error
		alloc := uploadtest.Allocated(func() { _, err = ReadXLSX(bytes.NewReader(data)) })
		var se *SheetError
		if !errors.As(err, &se) || se.Key != key {
			t.Errorf("%s: %v", key, err)
		}
		if alloc > 16*uploadtest.MiB {
			t.Errorf("%s: refusing a %d KiB bomb allocated %d MiB", key, len(data)>>10, alloc/uploadtest.MiB)
		}
	}
}

// Rows past the limit are refused before they are read; so is a read
// whose request has ended.
func TestDutyWorkbookLimits(t *testing.T) {
	t.Parallel()
	long := uploadtest.Workbook(uploadtest.Sheet{Name: "自身职责 Own duties", Rows: uploadtest.Numbered(Limits.Rows+1, "T", "事项", "", "")})
	_, err := ReadXLSX(bytes.NewReader(long))
	var se *SheetError
	if !errors.As(err, &se) || se.Key != "upload.limit.rows" || !strings.Contains(se.Message().EN, `Sheet "自身职责 Own duties" has too many rows: at most 10000`) {
		t.Fatalf("too many rows: %v", err)
	}
	var buf bytes.Buffer
	WriteXLSX(&buf, template)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ReadXLSXContext(ctx, bytes.NewReader(buf.Bytes())); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

// Whatever arrives as a duty workbook, reading it either fails with a
// sheet error or gives matters that have a code and a name, and costs no
// more than the input can unzip to allows.
func FuzzReadXLSX(f *testing.F) {
	var buf bytes.Buffer
	WriteXLSX(&buf, template)
	f.Add(buf.Bytes())
	f.Add([]byte("PK\x03\x04"))
	f.Add(uploadtest.Bomb("自身职责 Own duties", 40*uploadtest.MiB))
	f.Add(uploadtest.SharedBomb(buf.Bytes(), 1_000_000, `<r><t></t></r>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var got []Matter
		var err error
		if a, most := uploadtest.Allocated(func() { got, err = ReadXLSX(bytes.NewReader(data)) }), uploadtest.Bound(len(data)); a > most {
			t.Fatalf("reading %d bytes allocated %d, more than %d", len(data), a, most)
		}
		if err != nil {
			var se *SheetError
			if !errors.As(err, &se) {
				t.Fatalf("an error that is not a sheet error: %v", err)
			}
			return
		}
		for _, m := range got {
			if m.Code == "" || m.Name == "" || m.Category == Assist && m.Lead == "" {
				t.Fatalf("a matter read without what it needs: %+v", m)
			}
		}
	})
}
