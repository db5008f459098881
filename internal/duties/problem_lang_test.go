package duties

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"lighten/internal/i18n"
	"lighten/internal/units"
)

// latin finds a word of English left in a Chinese message.
var latin = regexp.MustCompile(`[A-Za-z]{2,}`)

// untranslated reports what of msg is English, once the names given
// (codes, sheet names, columns) are taken out.
func untranslated(msg string, names ...string) []string {
	for _, n := range names {
		msg = strings.ReplaceAll(msg, n, "")
	}
	return latin.FindAllString(msg, -1)
}

// Every problem of a list or a pledge item says itself in both languages,
// from the catalogue, and its Error is the English.
func TestProblemInBothLanguages(t *testing.T) {
	inherited := NewBook([]*List{{Owner: "", Level: units.Township, Matters: []Matter{{Code: "N1", Name: "招商引资", Category: Negative}}}}).
		At("430922100", units.Township, time.Now())
	for name, c := range map[string]struct {
		err    error
		zh, en string
	}{
		"level":       {(&List{Level: units.County, Matters: template}).Validate(), "职责清单：层级“县级”不适用", `duty list: level "county": duty lists are for townships and villages`},
		"empty":       {(&List{Level: units.Township}).Validate(), "职责清单：清单至少要有一项事项", "duty list: a list needs at least one matter"},
		"no code":     {(&List{Level: units.Village, Matters: []Matter{{Name: "x", Category: Own}}}).Validate(), "职责清单：第 1 项事项没有编号", "duty list: matter 1 has no code"},
		"twice":       {(&List{Level: units.Village, Matters: []Matter{{Code: "A", Name: "x", Category: Own}, {Code: "A", Name: "y", Category: Own}}}).Validate(), "职责清单事项“A”重复出现", `duty list matter "A": appears twice`},
		"category":    {(&List{Level: units.Village, Matters: []Matter{{Code: "A", Name: "x", Category: "mine"}}}).Validate(), "职责清单事项“A”的类别“mine”有误", `duty list matter "A": category "mine": own, assist or negative expected`},
		"no lead":     {(&List{Level: units.Village, Matters: []Matter{{Code: "A", Name: "x", Category: Assist}}}).Validate(), "职责清单事项“A”是配合职责，须写明牵头部门", `duty list matter "A": an assisting duty names its lead office`},
		"negative":    {CheckAdjustment(inherited, &List{Matters: []Matter{{Code: "N1", Name: "招商引资", Category: Own}}}), "职责清单事项“N1”在 全国 设定的负面清单上，下级不能将其移出", `duty list matter "N1": is on the negative list set by the country; a lower office may not take it off`},
		"pledge":      {(&PledgeItem{Code: "P1", Name: "安全生产责任状"}).Validate(), "职责清单事项“P1”没有写明批准机关", `duty list matter "P1": names no approving body`},
		"pledge date": {(&PledgeItem{Code: "P1", Name: "安全生产责任状", ApprovedBy: "县委"}).Validate(), "须写明有效期至哪一天", "needs the date it is valid until"},
	} {
		var p *Problem
		if !errors.As(c.err, &p) {
			t.Fatalf("%s: %v (%T), want a *Problem", name, c.err, c.err)
		}
		m := p.Message()
		if !strings.Contains(m.ZH, c.zh) || !strings.Contains(m.EN, c.en) || p.Error() != m.EN {
			t.Errorf("%s: message %+v, error %q; want zh %q, en %q", name, m, p.Error(), c.zh, c.en)
		}
		// Codes and the categories as written stay as they are.
		if bad := untranslated(m.ZH, p.Matter, "mine", "own", "assist", "negative"); len(bad) > 0 {
			t.Errorf("%s: English in the Chinese %q: %v", name, m.ZH, bad)
		}
		if d := p.Detail(); strings.HasPrefix(d.ZH, "职责清单：") || strings.HasPrefix(d.ZH, "职责清单事项") || strings.HasPrefix(d.EN, "duty list") {
			t.Errorf("%s: detail %+v says whose it is", name, d)
		}
	}
}

// A workbook's fault names its sheet, row and column in both languages.
func TestSheetErrorInBothLanguages(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, template); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	sheet := "负面清单 Negative list"
	f.SetCellFormula(sheet, "B2", `CONCAT("a","b")`)
	buf.Reset()
	f.Write(&buf)

	_, err = ReadXLSX(bytes.NewReader(buf.Bytes()))
	var se *SheetError
	if !errors.As(err, &se) {
		t.Fatalf("%v (%T), want a *SheetError", err, err)
	}
	m := se.Message()
	if m.ZH != "工作表“负面清单 Negative list”第 2 行 B 列有误：不接受公式，请直接填写数值" {
		t.Errorf("zh %q", m.ZH)
	}
	if m.EN != `Sheet "负面清单 Negative list", row 2, column B: formulas are not accepted; enter the value` {
		t.Errorf("en %q", m.EN)
	}
	if err.Error() != `sheet "负面清单 Negative list" row 2 column B: formulas are not accepted; enter the value` {
		t.Errorf("error %q", err)
	}

	// The reader's own words stay in Error, out of the message.
	_, err = ReadXLSX(strings.NewReader("this is not a workbook"))
	if !errors.As(err, &se) || se.Err == nil {
		t.Fatalf("%v, want a *SheetError with the reader's error", err)
	}
	if m := se.Message(); m.ZH != "不是 Excel 工作簿（.xlsx）" || m.EN != "not an Excel workbook (.xlsx)" {
		t.Errorf("junk: %+v", m)
	}
	if !strings.HasPrefix(err.Error(), `sheet "-": not an Excel workbook (.xlsx): `) || !strings.Contains(err.Error(), se.Err.Error()) {
		t.Errorf("junk error %q", err)
	}
}

// Every fault the reader can name is in the catalogue.
func TestSheetErrorKeysKnown(t *testing.T) {
	for _, k := range []string{"problem.sheet.not_xlsx", "problem.sheet.unreadable", "problem.sheet.header", "problem.sheet.formula",
		"problem.sheet.no_code", "problem.sheet.no_name", "problem.sheet.no_lead", "problem.sheet.no_sheets"} {
		if _, ok := i18n.Lookup(k); !ok {
			t.Errorf("%s is not in the catalogue", k)
		}
	}
	e := &SheetError{Sheet: "自身职责", Row: 3, Column: "A", Key: "problem.sheet.no_code"}
	if m := e.Message(); m.ZH != "工作表“自身职责”第 3 行 A 列有误：编号为空" || m.EN != `Sheet "自身职责", row 3, column A: the code is empty` {
		t.Errorf("%+v", m)
	}
}
