package demo

import (
	"testing"

	"lighten/internal/i18n"
)

// The summaries the demo prints read in either language, and String is
// the English.
func TestSummariesInBothLanguages(t *testing.T) {
	counts := Counts{Demands: 186, Admitted: 150, Refused: 20, Reviewed: 12, Waiting: 4}
	duties := Duties{Refusals: 5, Upheld: 3, Overturned: 1, Escalations: 2, Late: 1, Elements: 40, Reports: 3, Answers: 90, Held: 1}
	visits := Visits{Plans: 3, Items: 7, Inspectors: 24, Visits: 30, Joint: 6, Done: 10, Discrepancies: 2, Revealed: 4}
	for _, c := range []struct {
		text   i18n.Text
		str    string
		zh, en string
	}{
		{counts.Text(), counts.String(),
			"过去一年事项 186 件：准入 150 件，未准入 20 件，经减负办复核 12 件，待复核 4 件",
			"186 demands in the past year: 150 admitted, 20 refused, 12 reviewed, 4 waiting for review"},
		{duties.Text(), duties.String(),
			"“不属于本单位职责”退回 5 件（支持 3 件，驳回 1 件），吹哨 2 次（逾期答复 1 次）；数据元 40 个，依数据字典的报表 3 张共填报 90 次，1 张全部由已有数据答复",
			`5 "not ours" refusals (3 upheld, 1 overturned), 2 escalations (1 answered late); 40 data elements, 3 reports from the dictionary answered 90 times, 1 answered from values already held`},
		{visits.Text(), visits.String(),
			"检查和调研计划 3 个，共 7 个事项，检查人员 24 名；已安排检查 30 次（联合检查 6 次），已记录 10 次，标出不符 2 处，已公开抽取 4 次",
			"3 inspection and research plans with 7 items, 24 inspectors; 30 visits scheduled (6 joint), 10 recorded with 2 discrepancies flagged, 4 draws revealed"},
	} {
		if c.text.ZH != c.zh || c.text.EN != c.en || c.str != c.en {
			t.Errorf("got %+v and %q, want %q and %q", c.text, c.str, c.zh, c.en)
		}
	}
}
