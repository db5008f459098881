package visits

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func fieldVisit() *ScheduledVisit {
	return &ScheduledVisit{ID: 7, Unit: "430922100001", Team: []string{"I0001", "I0002"}, Items: []ItemVisit{
		{Item: "MZ-01", Checklist: []string{"1.1", "1.2"}},
		{Item: "NY-03", Checklist: []string{"a"}},
	}}
}

func goodRecord() *FieldRecord {
	return &FieldRecord{VisitID: 7,
		Checks: []CheckResult{{Item: "MZ-01", Check: "1.1", Result: "pass"}, {Item: "MZ-01", Check: "1.2", Result: "fail"}, {Item: "NY-03", Check: "a", Result: "na"}},
		Claims: []Claim{{Element: "dibao.households", Label: "低保户数", Claimed: "35", Seen: "33"}, {Label: "展板：高标准农田", Claimed: "1,200 亩", Seen: "1200亩"}},
		Point:  &Point{Lat: 28.52, Lon: 112.13}, Accuracy: 12,
		Photos:   []Photo{{Name: "board.jpg", SHA256: strings.Repeat("ab", 32)}},
		Findings: []Finding{{Item: "MZ-01", Text: "台账缺两户", Severity: "minor"}, {Text: "无", Severity: "info"}},
	}
}

func TestFieldRecordValidate(t *testing.T) {
	if err := goodRecord().Validate(fieldVisit()); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		change      func(r *FieldRecord)
		field, want string
	}{
		{func(r *FieldRecord) { r.VisitID = 8 }, "visit", "visit 8, not visit 7"},
		{func(r *FieldRecord) { r.Checks[2].Item = "WJ-02" }, "checks[2].item", `Check line 3: this visit carries no plan item "WJ-02"`},
		{func(r *FieldRecord) { r.Checks[1].Check = "a" }, "checks[1].check", `"a" is not a line of plan item "MZ-01"`},
		{func(r *FieldRecord) { r.Checks[1].Check = "1.1" }, "checks[1].check", "already recorded at line 1"},
		{func(r *FieldRecord) { r.Checks[0].Result = "ok" }, "checks[0].result", `result "ok"`},
		{func(r *FieldRecord) { r.Claims[1].Label = " " }, "claims[1].label", "Claim 2: the label"},
		{func(r *FieldRecord) { r.Claims[0].Seen = "" }, "claims[0].seen", "Claim 1 (低保户数): what was seen"},
		{func(r *FieldRecord) { r.Point.Lat = 91 }, "point.lat", "latitude 91"},
		{func(r *FieldRecord) { r.Point.Lon = math.NaN() }, "point.lon", "longitude NaN"},
		{func(r *FieldRecord) { r.Accuracy = -1 }, "accuracy", "accuracy -1"},
		{func(r *FieldRecord) { r.Photos[0].SHA256 = "abc" }, "photos[0].sha256", "Photo 1 (board.jpg)"},
		{func(r *FieldRecord) { r.Findings[1].Text = "" }, "findings[1].text", "Finding 2: the text"},
		{func(r *FieldRecord) { r.Findings[0].Severity = "grave" }, "findings[0].severity", `severity "grave"`},
		{func(r *FieldRecord) { r.Findings[0].Item = "XX" }, "findings[0].item", `no plan item "XX"`},
	}
	for i, c := range cases {
		r := goodRecord()
		c.change(r)
		err := r.Validate(fieldVisit())
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != c.field || !strings.Contains(err.Error(), c.want) {
			t.Errorf("case %d: got %v, want field %s and %q", i, err, c.field, c.want)
			continue
		}
		if m := ve.Message(); strings.Contains(m.ZH+m.EN, "%!") {
			t.Errorf("case %d: message %+v", i, m)
		}
	}
}

func TestSameValue(t *testing.T) {
	same := [][2]string{
		{"1,200", "1200"}, {"1200", "1200.0"}, {"1200", "1200亩"}, {"１２００", "1200"}, {" 35 户", "35户"}, {"0.50", ".5"},
		{"+3", "3"}, {"85%", "85 %"}, {"Yes", " yes "}, {"ÉCOLE", "école"}, {"有  展板", "有 展板"}, {"1,234,567.80", "1234567.8"},
	}
	for _, p := range same {
		if !SameValue(p[0], p[1]) || !SameValue(p[1], p[0]) {
			t.Errorf("%q and %q should agree", p[0], p[1])
		}
	}
	differ := [][2]string{
		{"1200", "1201"}, {"1200", "1200.01"}, {"35户", "35人"}, {"1,2", "12"}, {"12ab", "12cd"}, {"12", "120"}, {"有", "无"}, {"1.5.3", "1.5"}, {"-3", "3"},
	}
	for _, p := range differ {
		if SameValue(p[0], p[1]) || SameValue(p[1], p[0]) {
			t.Errorf("%q and %q should differ", p[0], p[1])
		}
	}
}

func TestCompareClaimsAndSummary(t *testing.T) {
	claims := []Claim{
		{Element: "dibao.households", Label: "低保户数", Seen: "33"},                    // reported 35: discrepancy
		{Element: "farmland.mu", Label: "高标准农田", Claimed: "1,200 亩", Seen: "1200亩"}, // reported 1200.0: agrees
		{Label: "展板：村规民约", Claimed: "已公示", Seen: "未公示"},                             // the board against the wall
		{Element: "never.reported", Label: "x", Reported: "typed in", Seen: "5"},    // nothing reported: not compared
		{Label: "y", Seen: "7"}, // nothing claimed
	}
	CompareClaims(claims, map[string]string{"dibao.households": "35", "farmland.mu": "1200.0"})
	want := []bool{true, false, true, false, false}
	for i, c := range claims {
		if c.Discrepancy != want[i] {
			t.Errorf("claim %d (%s): discrepancy %v", i+1, c.Label, c.Discrepancy)
		}
	}
	if claims[0].Reported != "35" || claims[1].Reported != "1200.0" || claims[3].Reported != "" {
		t.Errorf("reported values: %q %q %q", claims[0].Reported, claims[1].Reported, claims[3].Reported)
	}
	r := goodRecord()
	r.Claims = claims
	checks, failed, disc := Summary(r)
	if checks != 2 || failed != 1 || disc != 2 {
		t.Fatalf("Summary = %d checks, %d failed, %d discrepancies", checks, failed, disc)
	}
}
