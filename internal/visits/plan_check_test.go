package visits

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"lighten/internal/calendar"
	"lighten/internal/units"
)

func goodPlan() *Plan {
	return &Plan{Year: 2026, Title: "2026 年度督查检查计划", Items: []Item{
		{Code: "MZ-2026-01", Title: "低保资金专项检查", Kind: Special, Scope: "430922", Level: units.Village, Rate: 0.05,
			Tiers: []TierSpec{{Name: "high", Rate: 0.5, Units: []string{"430922100001", "430922100003"}}},
			Team:  2, From: calendar.NewDate(2026, 4, 1), To: calendar.NewDate(2026, 6, 30),
			Checklist: []CheckItem{{Code: "1.1", Text: "台账", Scoring: true}, {Code: "1.2", Text: "发放人数", Element: "dibao.households"}}},
		{Code: "MZ-2026-02", Title: "养老服务调研", Kind: Research, Scope: "430922100", Level: units.Village, Rate: 1,
			Team: 1, From: calendar.NewDate(2026, 9, 1), To: calendar.NewDate(2026, 9, 30)},
	}}
}

func TestPlanValidate(t *testing.T) {
	if err := goodPlan().Validate(); err != nil {
		t.Fatal(err)
	}
	// A research item with scoring lines is the gate's to refuse, not ours.
	p := goodPlan()
	p.Items[1].Checklist = []CheckItem{{Code: "x", Text: "评分", Scoring: true}}
	if err := p.Validate(); err != nil {
		t.Fatalf("research with scoring lines: %v", err)
	}
	cases := []struct {
		change      func(p *Plan)
		field, want string // the field path and a part of the English message
	}{
		{func(p *Plan) { p.Year = 0 }, "year", "2000 to 2100"},
		{func(p *Plan) { p.Items = nil }, "items", "no items"},
		{func(p *Plan) { p.Items[1].Code = "MZ-2026-01" }, "items[1].code", "item 2 (MZ-2026-01): its code repeats that of item 1"},
		{func(p *Plan) { p.Items[0].Code = "" }, "items[0].code", "item 1 ()"},
		{func(p *Plan) { p.Items[0].Code = "有 空格" }, "items[0].code", "1 to 40 letters"},
		{func(p *Plan) { p.Items[0].Code = strings.Repeat("a", 41) }, "items[0].code", "not valid"},
		{func(p *Plan) { p.Items[0].Title = "" }, "items[0].title", "item 1 (MZ-2026-01): the title is missing"},
		{func(p *Plan) { p.Items[1].Kind = "visit" }, "items[1].kind", `kind "visit"`},
		{func(p *Plan) { p.Items[0].Scope = "43092" }, "items[0].scope", `scope "43092"`},
		{func(p *Plan) { p.Items[0].Scope = "" }, "items[0].scope", "not a valid unit code"},
		{func(p *Plan) { p.Items[1].Level = units.Township }, "items[1].level", "township, should be below that of scope 430922100 (township)"},
		{func(p *Plan) { p.Items[1].Level = 9 }, "items[1].level", "level(9)"},
		{func(p *Plan) { p.Items[0].Rate = 0 }, "items[0].rate", "share drawn, 0,"},
		{func(p *Plan) { p.Items[0].Rate = 1.5 }, "items[0].rate", "1.5"},
		{func(p *Plan) { p.Items[0].Tiers[0].Name = "base" }, "items[0].tiers[0].name", `"base" is kept`},
		{func(p *Plan) {
			p.Items[0].Tiers = append(p.Items[0].Tiers, TierSpec{Name: "high", Rate: 1, Units: []string{"430922100009"}})
		}, "items[0].tiers[1].name", `tier 2's name "high"`},
		{func(p *Plan) { p.Items[0].Tiers[0].Rate = -1 }, "items[0].tiers[0].rate", `tier "high"'s share`},
		{func(p *Plan) { p.Items[0].Tiers[0].Units = nil }, "items[0].tiers[0].units", "lists no units"},
		{func(p *Plan) { p.Items[0].Tiers[0].Units[1] = "430981100003" }, "items[0].tiers[0].units[1]", "430981100003 is not a village unit under scope 430922"},
		{func(p *Plan) { p.Items[0].Tiers[0].Units[1] = "430922100" }, "items[0].tiers[0].units[1]", "not a village unit"},
		{func(p *Plan) { p.Items[0].Tiers[0].Units[1] = "430922100001" }, "items[0].tiers[0].units[1]", "ascending code order"},
		{func(p *Plan) {
			p.Items[0].Tiers = append(p.Items[0].Tiers, TierSpec{Name: "mid", Rate: 1, Units: []string{"430922100003"}})
		}, "items[0].tiers[1].units[0]", `unit 430922100003 is listed in both risk tier "high" and "mid"`},
		{func(p *Plan) { p.Items[0].Team = 0 }, "items[0].team", "at least 1"},
		{func(p *Plan) { p.Items[0].From = calendar.NewDate(2026, 7, 1) }, "items[0].to", "window 2026-07-01 to 2026-06-30"},
		{func(p *Plan) { p.Items[0].To = calendar.Date{} }, "items[0].to", "both dates"},
		{func(p *Plan) { p.Items[0].To = calendar.NewDate(2027, 1, 5) }, "items[0].from", "within the plan's year 2026"},
		{func(p *Plan) { p.Items[0].Checklist[1].Code = "1.1" }, "items[0].checklist[1].code", `line 2's code "1.1" is repeated`},
		{func(p *Plan) { p.Items[0].Checklist[1].Code = "" }, "items[0].checklist[1].code", "not valid"},
		{func(p *Plan) { p.Items[0].Checklist[0].Text = "" }, "items[0].checklist[0].text", `line "1.1" has no text`},
	}
	for i, c := range cases {
		p := goodPlan()
		c.change(p)
		err := p.Validate()
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("case %d (%s): %v", i, c.field, err)
			continue
		}
		if ve.Field != c.field || !strings.Contains(err.Error(), c.want) {
			t.Errorf("case %d: got %q, want field %s and %q", i, err, c.field, c.want)
		}
		if m := ve.Message(); m.ZH == "" || m.ZH == m.EN || strings.Contains(m.ZH, "%!") || strings.Contains(m.EN, "%!") {
			t.Errorf("case %d: message %+v", i, m)
		}
	}
	// An item alone is named by its code, its window in any year.
	it := goodPlan().Items[0]
	it.To = calendar.NewDate(2027, 1, 5)
	if err := it.Validate(); err != nil {
		t.Fatal(err)
	}
	it.Rate = 2
	if err := it.Validate(); err == nil || !strings.HasPrefix(err.Error(), "rate: plan item MZ-2026-01: ") {
		t.Fatalf("item alone: %v", err)
	}
}

func TestItemPool(t *testing.T) {
	all := []string{"430922100001", "430922100002", "430922100003", "430922100004", "430922101001"}
	it := goodPlan().Items[0]
	it.Tiers = append(it.Tiers, TierSpec{Name: "gone", Rate: 1, Units: []string{"430922100009"}})
	got := it.Pool(all)
	if len(got) != 3 {
		t.Fatalf("%d tiers", len(got))
	}
	if got[0].Name != "high" || got[0].Rate != 0.5 || !slices.Equal(got[0].Units, []string{"430922100001", "430922100003"}) {
		t.Fatalf("tier high: %+v", got[0])
	}
	if got[1].Name != "gone" || len(got[1].Units) != 0 {
		t.Fatalf("a tier's unit missing from the pool is left out: %+v", got[1])
	}
	if got[2].Name != BaseTier || got[2].Rate != 0.05 || !slices.Equal(got[2].Units, []string{"430922100002", "430922100004", "430922101001"}) {
		t.Fatalf("base: %+v", got[2])
	}
	d := &Draw{Plan: it.Code, MinPerTier: 1, Tiers: got}
	if err := d.Validate(); err != nil {
		t.Fatalf("the pool does not make a valid draw: %v", err)
	}
	plain := goodPlan().Items[1].Pool(all)
	if len(plain) != 1 || plain[0].Name != BaseTier || !slices.Equal(plain[0].Units, all) {
		t.Fatalf("untiered pool: %+v", plain)
	}
}
