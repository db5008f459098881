package web

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"lighten/internal/collect"
	"lighten/internal/store"
	"lighten/internal/upload/uploadtest"
)

// Bombs of about 200 MiB unzipped (under the 256 MiB excelize was once
// told to stop at), and a CSV header of a million columns.
var (
	bombOnce = sync.OnceValue(func() [3][]byte {
		return [3][]byte{uploadtest.Bomb(collect.DictionarySheet, 200*uploadtest.MiB),
			uploadtest.Workbook(
				uploadtest.Sheet{Name: "lighten", Rows: uploadtest.Numbered(1, "report", "1")},
				uploadtest.Sheet{Name: collect.ReportSheetName, Rows: uploadtest.Repeat(`<row><c t="inlineStr"><is><t>炸弹 bomb</t></is></c></row>`, 200*uploadtest.MiB)}),
			uploadtest.Bomb("自身职责 Own duties", 200*uploadtest.MiB)}
	})
	millionColumns = []byte(strings.Repeat("x,", 1_000_000) + "\n")
	// A workbook of a few dozen KiB whose shared text holds an entry of a
	// million empty rich text runs.
	markupBomb = sync.OnceValue(func() []byte {
		return uploadtest.SharedBomb(uploadtest.Workbook(uploadtest.Sheet{Name: "lighten", Rows: uploadtest.Numbered(1, "report", "1")}),
			1_000_000, `<r><t></t></r>`)
	})
)

// Every upload route refuses a bomb or a huge CSV header at once, with a
// message naming the limit and its value, and the server allocates a few
// MiB doing so, by the runtime's own count (so the test does not run in
// parallel). A cadre, a burden office and an office each try theirs.
func TestUploadRoutesRefuseBombs(t *testing.T) {
	bombs := bombOnce()
	dictBomb, reportBomb, dutyBomb := bombs[0], bombs[1], bombs[2]
	f := newFixture(t, store.SQLite)
	rec, statsToken, burden := collectFixture(t, f)
	_, cadre := f.person("cun", "430922100201", "cadre@430922100201")
	_, town := f.person("zhen", "430922100", "cadre@430922100")
	f.person("tj-jianfu", "430922", "burden@430922")
	ui := f.uiClient("en")
	ui.signIn("tj-jianfu")
	villageUI := f.uiClient("zh")
	villageUI.signIn("cun")
	form := url.Values{"owner": {"430922"}, "level": {"township"}, "effective": {"2026-03-01"}}
	report := "/units/430922100201/reports/" + itoa(rec.ID)

	type answer struct {
		status int
		body   string
	}
	for _, c := range []struct {
		name   string
		send   func() answer
		status int
		want   string
	}{
		{"element import, workbook", func() answer {
			s, b := f.send("POST", "/api/v1/elements/import", burden, xlsxType, dictBomb)
			return answer{s, string(b)}
		}, 400, "unzips to too much: at most 32 MiB"},
		{"element import, workbook in a form", func() answer {
			ct, body := multipartFile(t, "elements.xlsx", dictBomb)
			s, b := f.send("POST", "/api/v1/elements/import", burden, ct, body)
			return answer{s, string(b)}
		}, 400, "unzips to too much: at most 32 MiB"},
		{"element import, markup bomb", func() answer {
			s, b := f.send("POST", "/api/v1/elements/import", burden, xlsxType, markupBomb())
			return answer{s, string(b)}
		}, 400, "too elaborate: at most 665536 XML elements"},
		{"report workbook, markup bomb", func() answer {
			s, b := f.send("POST", "/api/v1"+report+"/submission.xlsx", cadre, xlsxType, markupBomb())
			return answer{s, string(b)}
		}, 400, "too elaborate: at most 665536 XML elements"},
		{"duty list on the page, markup bomb", func() answer {
			r := ui.upload("/units/430922100/duties", form, "list.xlsx", markupBomb())
			return answer{r.status, r.body}
		}, 400, "too elaborate: at most 665536 XML elements"},
		{"element import, CSV", func() answer {
			s, b := f.send("POST", "/api/v1/elements/import", burden, "text/csv", millionColumns)
			return answer{s, string(b)}
		}, 400, "Line 1 has too many columns: at most 256"},
		{"report workbook", func() answer {
			s, b := f.send("POST", "/api/v1"+report+"/submission.xlsx", cadre, xlsxType, reportBomb)
			return answer{s, string(b)}
		}, 400, "unzips to too much: at most 16 MiB"},
		{"report workbook on the page", func() answer {
			r := villageUI.upload(report+"/upload", nil, "report.xlsx", reportBomb)
			return answer{r.status, r.body}
		}, 400, "解压后过大：上限为 16 MiB"},
		{"duty list on the page", func() answer {
			r := ui.upload("/units/430922100/duties", form, "list.xlsx", dutyBomb)
			return answer{r.status, r.body}
		}, 400, "unzips to too much: at most 32 MiB"},
		{"DHIS2 CSV", func() answer {
			s, b := f.send("POST", "/api/v1/dhis2/dataValueSets", statsToken, "text/csv", millionColumns)
			return answer{s, string(b)}
		}, 400, "Line 1 has too many columns: at most 64"},
		{"bulk submissions CSV", func() answer {
			s, b := f.send("POST", "/api/v1/reports/"+itoa(rec.ID)+"/submissions", town, "text/csv", millionColumns)
			return answer{s, string(b)}
		}, 400, "Line 1 has too many columns: at most 64"},
	} {
		var got answer
		alloc := uploadtest.Allocated(func() { got = c.send() })
		if got.status != c.status || !strings.Contains(got.body, c.want) {
			t.Errorf("%s: %d, want %d and %q in\n%.600s", c.name, got.status, c.status, c.want, got.body)
		}
		if alloc > 32*uploadtest.MiB {
			t.Errorf("%s: the server allocated %d MiB", c.name, alloc/uploadtest.MiB)
		}
	}
	if d, _ := f.db.Dictionary(t.Context()); len(d.Elements) != 3 {
		t.Fatalf("the dictionary changed: %d elements", len(d.Elements))
	}
}

// Whatever CSV arrives as bulk submissions, reading it either fails with
// an error a person can act on or gives each unit's values once, and costs
// no more than its size allows.
func FuzzReadBulk(f *testing.F) {
	f.Add("unit,element,value\n430922100202,HH,90\n430922100202,POP,300\n")
	f.Add("\ufeffunit,element,value\n4309,\"a,b\",\"1\n2\"\n")
	f.Add("unit,element,value\n4309,HH,1,extra\n")
	f.Add(strings.Repeat("x,", 5000) + "\n")
	f.Fuzz(func(t *testing.T, doc string) {
		r := httptest.NewRequest("POST", "/api/v1/reports/1/submissions", strings.NewReader(doc))
		r.Header.Set("Content-Type", "text/csv")
		var subs []collect.Submission
		var err error
		if a, most := uploadtest.Allocated(func() { subs, err = readBulk(r) }), uploadtest.Bound(len(doc)); a > most {
			t.Fatalf("reading %d bytes allocated %d, more than %d", len(doc), a, most)
		}
		if err != nil {
			if e := asError(err); e.Code != CodeInvalid && e.Code != CodeTooLarge {
				t.Fatalf("not an error a person can act on: %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, s := range subs {
			if seen[s.Unit] {
				t.Fatalf("unit %q twice", s.Unit)
			}
			seen[s.Unit] = true
		}
	})
}
