package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"lighten/internal/gate"
	"lighten/internal/store"
)

// openSheet reads a spreadsheet answer and returns its one sheet's rows.
func openSheet(t *testing.T, r uiResponse) (*excelize.File, string, [][]string) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("content type %q", ct)
	}
	if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, ".xlsx") {
		t.Fatalf("content disposition %q", cd)
	}
	x, err := excelize.OpenReader(strings.NewReader(r.body))
	if err != nil {
		t.Fatalf("open the workbook: %v", err)
	}
	t.Cleanup(func() { x.Close() })
	sheets := x.GetSheetList()
	if len(sheets) != 1 {
		t.Fatalf("sheets %v", sheets)
	}
	rows, err := x.GetRows(sheets[0])
	if err != nil {
		t.Fatal(err)
	}
	return x, sheets[0], rows
}

func TestUIReviewXLSX(t *testing.T) {
	storetestEach(t, func(t *testing.T, f *fixture) {
		office, _, _ := f.issuerIn("minzheng", "430922")
		f.person("jianfu", "430922", "burden@430922")
		var recs []*store.DemandRecord
		for i := range 3 {
			d := goodReport(office)
			d.Title = fmt.Sprintf("春耕生产情况统计（第%d批）", i+1)
			inReview(d)
			recs = append(recs, f.demand(t, d, true))
		}
		f.demand(t, goodReport(office), true) // admitted: not in the queue

		c := f.uiClient("en")
		c.signIn("jianfu")
		x, sheet, rows := openSheet(t, c.get("/review.xlsx"))
		if sheet != "Review queue" {
			t.Errorf("sheet %q", sheet)
		}
		if len(rows) != 4 {
			t.Fatalf("%d rows, want a header and 3: %v", len(rows), rows)
		}
		if got := strings.Join(rows[0][:3], "|"); got != "No.|Title|Office" {
			t.Errorf("header %q", got)
		}
		byID := map[string][]string{}
		for _, row := range rows[1:] {
			byID[row[0]] = row
		}
		for _, rec := range recs {
			row, ok := byID[fmt.Sprint(rec.ID)]
			if !ok {
				t.Fatalf("demand %d missing: %v", rec.ID, rows)
			}
			if row[1] != rec.Title || row[2] != rec.OfficeName || row[4] != "Report" || row[7] != "2" || row[8] != "3" {
				t.Errorf("row %v for %+v", row, rec.Demand)
			}
			if !strings.Contains(row[12], "No proof-of-work traces") {
				t.Errorf("rules %q", row[12])
			}
		}
		// The day is a date cell, shown as the date in China.
		cell := "G2"
		typ, err := x.GetCellType(sheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := x.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
		shown, _ := x.GetCellValue(sheet, cell)
		if typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString || strings.Contains(raw, "-") {
			t.Errorf("G2 is text (%v %q), not a date", typ, raw)
		}
		if shown != chinaTime(recs[0].Due) && shown != chinaTime(recs[1].Due) {
			t.Errorf("G2 shows %q, want %q", shown, chinaTime(recs[0].Due))
		}
		if w, _ := x.GetColWidth(sheet, "B"); w < 30 {
			t.Errorf("title column %v wide", w)
		}

		// Headers in the request's language.
		zh := f.uiClient("zh-CN")
		zh.signIn("jianfu")
		_, sheet, rows = openSheet(t, zh.get("/review.xlsx"))
		if sheet != "待复核事项" || rows[0][0] != "编号" || rows[1][4] != "填报" {
			t.Errorf("Chinese sheet %q, header %v, row %v", sheet, rows[0], rows[1])
		}
	})
}

func TestUIInboxXLSX(t *testing.T) {
	storetestEach(t, func(t *testing.T, f *fixture) {
		office, _, _ := f.issuerIn("minzheng", "430922")
		f.person("zhen", "430922100", "cadre@430922100")
		rec := f.demand(t, goodReport(office), true)
		if rec.Status != gate.Admitted {
			t.Fatalf("fixture demand is %s", rec.Status)
		}
		c := f.uiClient("en")
		c.signIn("zhen")
		uiMust(t, c.get("/units/430922100/inbox"), http.StatusOK, `href="/units/430922100/inbox.xlsx"`)
		x, sheet, rows := openSheet(t, c.get("/units/430922100/inbox.xlsx"))
		if len(rows) != 2 {
			t.Fatalf("rows %v", rows)
		}
		if got := strings.Join(rows[0], "|"); got != "Due or starts|Demand|Kind|Office|Minutes|What is asked|Overdue|Done|No." {
			t.Errorf("header %q", got)
		}
		row := rows[1]
		if row[0] != chinaTime(rec.Due) || row[1] != rec.Title || row[4] != "3" || !strings.Contains(row[5], "Fields to fill (1): 春耕面积") ||
			row[8] != fmt.Sprint(rec.ID) {
			t.Errorf("row %v", row)
		}
		if typ, _ := x.GetCellType(sheet, "A2"); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
			t.Errorf("A2 is text, not a date")
		}
		// The cadre of another unit gets no spreadsheet of this one.
		f.person("dongping", "430923100", "cadre@430923100")
		other := f.uiClient("en")
		other.signIn("dongping")
		uiMust(t, other.get("/units/430922100/inbox.xlsx"), http.StatusForbidden)
	})
}
