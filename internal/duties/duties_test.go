package duties

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"lighten/internal/units"
)

var china = time.FixedZone("CST", 8*3600)

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, china) }

var template = []Matter{
	{Code: "T01", Name: "最低生活保障申请受理", Category: Own, Basis: "《社会救助暂行办法》"},
	{Code: "T02", Name: "耕地保护巡查", Category: Assist, Lead: "县自然资源局", Basis: "《土地管理法》"},
	{Code: "T03", Name: "食品生产经营许可", Category: Negative, Basis: "《食品安全法》"},
}

// Lists inherit down the tree and change by date.
func TestInheritanceAndVersions(t *testing.T) {
	b := NewBook([]*List{
		{ID: 1, Owner: "43", Level: units.Township, Version: 1, Effective: day(2026, 1, 1), Matters: template},
		{ID: 2, Owner: "430922", Level: units.Township, Version: 1, Effective: day(2026, 3, 1),
			Matters: []Matter{{Code: "T04", Name: "森林防火巡查", Category: Own}}},
		{ID: 3, Owner: "430922", Level: units.Township, Version: 2, Effective: day(2026, 7, 1),
			Matters: []Matter{{Code: "T04", Name: "森林防火巡查", Category: Own}, {Code: "T01", Name: "最低生活保障申请受理", Category: Negative}}},
		{ID: 4, Owner: "430923", Level: units.Township, Version: 1, Effective: day(2026, 1, 1),
			Matters: []Matter{{Code: "T09", Name: "安化黑茶产业服务", Category: Own}}},
	})
	for _, c := range []struct {
		code  string
		day   time.Time
		codes string
		cat01 Category
	}{
		{"430922112", day(2025, 12, 31), "", ""},
		{"430922112", day(2026, 2, 1), "T01,T02,T03", Own},
		{"430922112", day(2026, 3, 1), "T01,T02,T03,T04", Own},
		{"430922112", day(2026, 8, 1), "T01,T02,T03,T04", Negative},
		{"430923121", day(2026, 8, 1), "T01,T02,T03,T09", Own},
	} {
		e := b.At(c.code, units.Township, c.day)
		var codes []string
		for _, m := range e.Sorted() {
			codes = append(codes, m.Code)
		}
		got := strings.Join(sortStrings(codes), ",")
		if got != c.codes {
			t.Errorf("%s on %s: %s, want %s", c.code, c.day.Format("2006-01-02"), got, c.codes)
		}
		if m, ok := e.Find("T01"); ok && m.Category != c.cat01 {
			t.Errorf("%s on %s: T01 is %s, want %s", c.code, c.day.Format("2006-01-02"), m.Category, c.cat01)
		}
	}
	if e := b.At("430922112", units.Village, day(2026, 8, 1)); len(e.Matters) != 0 {
		t.Errorf("township lists applied to villages: %v", e.Matters)
	}
	inherited := b.At("430922", units.Township, day(2026, 8, 1))
	err := CheckAdjustment(inherited, &List{Matters: []Matter{{Code: "T03", Name: "x", Category: Own}}})
	var p *Problem
	if !errors.As(err, &p) || p.Matter != "T03" {
		t.Errorf("taking T03 off the negative list: %v", err)
	}
}

func sortStrings(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

func TestValidate(t *testing.T) {
	for name, c := range map[string]struct {
		l    List
		want string
	}{
		"county level":     {List{Level: units.County, Matters: template}, "townships and villages"},
		"empty":            {List{Level: units.Township}, "at least one"},
		"duplicate":        {List{Level: units.Township, Matters: []Matter{template[0], template[0]}}, "twice"},
		"assist, no lead":  {List{Level: units.Township, Matters: []Matter{{Code: "A", Name: "a", Category: Assist}}}, "lead office"},
		"unknown category": {List{Level: units.Village, Matters: []Matter{{Code: "A", Name: "a", Category: "maybe"}}}, "category"},
	} {
		if err := c.l.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestXLSXRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, template); err != nil {
		t.Fatal(err)
	}
	got, err := ReadXLSX(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[1].Lead != "县自然资源局" || got[2].Category != Negative {
		t.Fatalf("round trip: %+v", got)
	}
}

func TestXLSXErrors(t *testing.T) {
	build := func(edit func(f *excelize.File)) []byte {
		var buf bytes.Buffer
		WriteXLSX(&buf, template)
		f, _ := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
		edit(f)
		buf.Reset()
		f.Write(&buf)
		return buf.Bytes()
	}
	for name, c := range map[string]struct {
		data []byte
		want string
	}{
		"junk":       {[]byte("this is not a workbook"), "not an Excel workbook"},
		"no lead":    {build(func(f *excelize.File) { f.SetCellValue("配合职责 Assisting duties", "E2", "") }), `row 2 column E: an assisting duty`},
		"no name":    {build(func(f *excelize.File) { f.SetCellValue("自身职责 Own duties", "B2", "") }), "row 2 column B"},
		"formula":    {build(func(f *excelize.File) { f.SetCellFormula("负面清单 Negative list", "B2", "CONCAT(\"a\",\"b\")") }), "formulas"},
		"bad header": {build(func(f *excelize.File) { f.SetCellValue("自身职责 Own duties", "A1", "序号") }), "header expected"},
		"other sheets": {build(func(f *excelize.File) {
			for _, s := range f.GetSheetList() {
				f.SetSheetName(s, "x"+s)
			}
		}), "no sheet named"},
	} {
		_, err := ReadXLSX(bytes.NewReader(c.data))
		var se *SheetError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
}
