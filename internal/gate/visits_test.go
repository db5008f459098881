package gate

import (
	"strings"
	"testing"

	"pgregory.net/rapid"

	"lighten/internal/calendar"
	"lighten/internal/policy"
	"lighten/internal/units"
	"lighten/internal/visits"
)

// safetyPlan is the county emergency office's approved plan: one special
// inspection item drawing 10% of the county's villages in teams of two.
func safetyPlan() *visits.Plan {
	return &visits.Plan{ID: 7, OfficeID: 1, Year: 2026, Title: "2026年度安全生产检查计划", Status: visits.PlanApproved,
		Items: []visits.Item{{ID: 70, PlanID: 7, Code: "AQ-2026-01", Title: "村级消防安全抽查", Kind: visits.Special,
			Checklist: []visits.CheckItem{{Code: "1", Text: "消防通道畅通", Scoring: true}, {Code: "2", Text: "灭火器在有效期内"}},
			Scope:     "430922", Level: units.Village, Rate: 0.1, Team: 2,
			From: calendar.NewDate(2026, 4, 20), To: calendar.NewDate(2026, 6, 30), DrawID: 3}}}
}

// inspection is a visit under the plan's item: the pool, not a list.
func inspection() *Demand {
	return &Demand{OfficeID: 1, IssuerUnit: "430922", Kind: Visit, Title: "村级消防安全抽查",
		Body:    "按照年度计划随机抽取村，检查组直接到现场，不听汇报，不需陪同，不要求准备材料。",
		Targets: Targets{Level: units.Village, Under: "430922"},
		Start:   at("2026-04-22", "09:00"), End: at("2026-04-22", "11:00"),
		Visit: &VisitInfo{Plan: "AQ-2026-01"}}
}

func visitEnv() *testEnv {
	e := newEnv()
	e.plans = []*visits.Plan{safetyPlan()}
	return e
}

func tighten(e *testEnv, params map[string]int) {
	e.policies = policy.NewTree(map[string]policy.Document{"430922": {Params: params}})
}

func TestGoodInspectionAdmitted(t *testing.T) {
	r := run(t, visitEnv(), inspection())
	if r.Verdict != Admitted || len(r.Findings) != 0 {
		t.Fatalf("verdict %s %+v", r.Verdict, r.Findings)
	}
}

// Each visit rule: what passes, what blocks, what goes to review, and how
// a policy document changes the outcome.
func TestVisitRules(t *testing.T) {
	cases := []struct {
		name    string
		rule    string
		sev     Severity
		present bool
		change  func(d *Demand, e *testEnv)
	}{
		// visit.plan
		{"no plan and no approval", "visit.plan", Block, true, func(d *Demand, e *testEnv) { d.Visit.Plan = "" }},
		{"approval one by one without a reason", "visit.plan", Block, true, func(d *Demand, e *testEnv) {
			d.Visit.Plan, d.Visit.Approved, d.Visit.Rate, d.Visit.Team = "", true, 0.1, 2
		}},
		{"approval one by one goes to review", "visit.plan", Review, true, func(d *Demand, e *testEnv) {
			d.Visit.Plan, d.Visit.Approved, d.Visit.ApprovalReason, d.Visit.Rate, d.Visit.Team = "", true, "群众举报燃气隐患", 0.1, 2
		}},
		{"an item no plan has", "visit.plan", Block, true, func(d *Demand, e *testEnv) { d.Visit.Plan = "AQ-2026-99" }},
		{"another office's item", "visit.plan", Block, true, func(d *Demand, e *testEnv) { d.OfficeID = 2 }},
		{"a plan still in draft", "visit.plan", Block, true, func(d *Demand, e *testEnv) { e.plans[0].Status = visits.PlanDraft }},
		{"a plan in review", "visit.plan", Block, true, func(d *Demand, e *testEnv) { e.plans[0].Status = visits.PlanReview }},
		{"a refused plan", "visit.plan", Block, true, func(d *Demand, e *testEnv) { e.plans[0].Status = visits.PlanRefused }},
		{"before the item's window", "visit.plan", Block, true, func(d *Demand, e *testEnv) {
			d.Start, d.End = at("2026-04-15", "09:00"), at("2026-04-15", "11:00")
		}},
		{"after the item's window", "visit.plan", Block, true, func(d *Demand, e *testEnv) {
			d.Start, d.End = at("2026-07-01", "09:00"), at("2026-07-01", "11:00")
		}},
		{"on the window's last day", "visit.plan", Block, false, func(d *Demand, e *testEnv) {
			d.Start, d.End = at("2026-06-30", "09:00"), at("2026-06-30", "11:00")
		}},
		{"an inspection on a research item", "visit.plan", Block, true, func(d *Demand, e *testEnv) { e.plans[0].Items[0].Kind = visits.Research }},
		{"research needs no plan", "visit.plan", Block, false, func(d *Demand, e *testEnv) { d.Visit = &VisitInfo{Research: true} }},

		// visit.comprehensive
		{"one comprehensive item", "visit.comprehensive", Block, false, func(d *Demand, e *testEnv) {
			e.plans[0].Items[0].Kind = visits.Comprehensive
		}},
		{"a second comprehensive item in another plan", "visit.comprehensive", Block, true, func(d *Demand, e *testEnv) {
			e.plans[0].Items[0].Kind = visits.Comprehensive
			e.compItems = 1
		}},
		{"two comprehensive items in one plan", "visit.comprehensive", Block, true, func(d *Demand, e *testEnv) {
			e.plans[0].Items[0].Kind = visits.Comprehensive
			it := e.plans[0].Items[0]
			it.ID, it.Code = 71, "AQ-2026-02"
			e.plans[0].Items = append(e.plans[0].Items, it)
		}},
		{"a county allowing none", "visit.comprehensive", Block, true, func(d *Demand, e *testEnv) {
			e.plans[0].Items[0].Kind = visits.Comprehensive
			tighten(e, map[string]int{"visit.comprehensive": 0})
		}},
		{"a special item is not counted", "visit.comprehensive", Block, false, func(d *Demand, e *testEnv) {
			tighten(e, map[string]int{"visit.comprehensive": 0})
		}},
		{"declared comprehensive outside a plan", "visit.comprehensive", Block, true, func(d *Demand, e *testEnv) {
			d.Visit = &VisitInfo{Approved: true, ApprovalReason: "上级交办", Comprehensive: true, Rate: 0.1, Team: 2}
			e.compItems = 1
		}},

		// visit.random
		{"targets listed by the issuer", "visit.random", Block, true, func(d *Demand, e *testEnv) {
			d.Targets = Targets{Units: []string{"430922100201"}}
		}},
		{"4% of the pool", "visit.random", Block, true, func(d *Demand, e *testEnv) { e.plans[0].Items[0].Rate = 0.04 }},
		{"a risk tier drawn at 3%", "visit.random", Block, true, func(d *Demand, e *testEnv) {
			e.plans[0].Items[0].Tiers = []visits.TierSpec{{Name: "低风险", Rate: 0.03, Units: []string{"430922101201"}}}
		}},
		{"a county asking for 20%", "visit.random", Block, true, func(d *Demand, e *testEnv) {
			tighten(e, map[string]int{"visit.random.pct": 20})
		}},
		{"29% against 29% despite floating point", "visit.random", Block, false, func(d *Demand, e *testEnv) {
			e.plans[0].Items[0].Rate = 0.29
			tighten(e, map[string]int{"visit.random.pct": 29})
		}},
		{"the demand's own rate counts over the item's", "visit.random", Block, true, func(d *Demand, e *testEnv) { d.Visit.Rate = 0.02 }},
		{"a team of one", "visit.random", Block, true, func(d *Demand, e *testEnv) { e.plans[0].Items[0].Team = 1 }},
		{"a county asking for teams of three", "visit.random", Block, true, func(d *Demand, e *testEnv) {
			tighten(e, map[string]int{"visit.random.inspectors": 3})
		}},
		{"teams of three where three are asked", "visit.random", Block, false, func(d *Demand, e *testEnv) {
			d.Visit.Team = 3
			tighten(e, map[string]int{"visit.random.inspectors": 3})
		}},
		{"another draw than the item's", "visit.random", Block, true, func(d *Demand, e *testEnv) { d.Visit.DrawID = 4 }},
		{"the item's own draw", "visit.random", Block, false, func(d *Demand, e *testEnv) { d.Visit.DrawID = 3 }},
		{"research draws nothing", "visit.random", Block, false, func(d *Demand, e *testEnv) {
			d.Visit = &VisitInfo{Research: true}
			d.Targets = Targets{Units: []string{"430922100201"}}
		}},

		// visit.unit.week: research visits list their units
		{"a unit visited this week already", "visit.unit.week", Block, true, func(d *Demand, e *testEnv) {
			researchAt(d)
			e.visitDays["430922100201"] = []calendar.Date{calendar.NewDate(2026, 4, 20)}
		}},
		{"a unit visited last week", "visit.unit.week", Block, false, func(d *Demand, e *testEnv) {
			researchAt(d)
			e.visitDays["430922100201"] = []calendar.Date{calendar.NewDate(2026, 4, 17)}
		}},
		{"another unit visited this week", "visit.unit.week", Block, false, func(d *Demand, e *testEnv) {
			researchAt(d)
			e.visitDays["430922100202"] = []calendar.Date{calendar.NewDate(2026, 4, 21)}
		}},
		{"a pool is left to the scheduler", "visit.unit.week", Block, false, func(d *Demand, e *testEnv) {
			e.visitDays["430922100201"] = []calendar.Date{calendar.NewDate(2026, 4, 21)}
		}},

		// visit.unit.year
		{"a listed unit at the yearly cap", "visit.unit.year", Review, true, func(d *Demand, e *testEnv) {
			d.Targets = Targets{Units: []string{"430922100201"}}
			e.inspections["430922100201"] = 4
		}},
		{"a listed unit below the cap", "visit.unit.year", Review, false, func(d *Demand, e *testEnv) {
			d.Targets = Targets{Units: []string{"430922100201"}}
			e.inspections["430922100201"] = 3
		}},
		{"a county capping at three", "visit.unit.year", Review, true, func(d *Demand, e *testEnv) {
			d.Targets = Targets{Units: []string{"430922100201"}}
			e.inspections["430922100201"] = 3
			tighten(e, map[string]int{"visit.unit.year": 3})
		}},
		{"a pool with a unit at the cap is noted", "visit.unit.year", Note, true, func(d *Demand, e *testEnv) {
			e.inspections["430922100201"] = 4
		}},
		{"a pool with too few units below the cap", "visit.unit.year", Review, true, func(d *Demand, e *testEnv) {
			for _, c := range []string{"430922100201", "430922100202", "430922101201"} {
				e.inspections[c] = 4
			}
		}},
		{"research is not an inspection", "visit.unit.year", Review, false, func(d *Demand, e *testEnv) {
			researchAt(d)
			e.inspections["430922100201"] = 9
		}},

		// visit.sealed
		{"listed targets are notice", "visit.sealed", Block, true, func(d *Demand, e *testEnv) {
			d.Targets = Targets{Units: []string{"430922100201"}}
		}},
		{"people to receive the team", "visit.sealed", Block, true, func(d *Demand, e *testEnv) { d.Asks.Attendees = 2 }},
		{"a briefing", "visit.sealed", Block, true, func(d *Demand, e *testEnv) { d.Visit.Briefing = true }},
		{"a reception", "visit.sealed", Block, true, func(d *Demand, e *testEnv) { d.Visit.Reception = true }},
		{"a meeting place", "visit.sealed", Block, true, func(d *Demand, e *testEnv) { d.Place = "村委会会议室" }},
		{"text asking to prepare for the inspection", "visit.sealed", Block, true, func(d *Demand, e *testEnv) {
			d.Body = "请各村做好迎检准备，村支书全程陪同。"
		}},
		{"text asking for a briefing", "visit.sealed", Block, true, func(d *Demand, e *testEnv) {
			d.Body = "The village head gives a briefing on arrival."
		}},
		{"text refusing briefings and escorts", "visit.sealed", Block, false, func(d *Demand, e *testEnv) {
			d.Body = "不打招呼、不听汇报、不用陪同接待，直奔基层。No escort and no briefing."
		}},
		{"research may meet the unit", "visit.sealed", Block, false, func(d *Demand, e *testEnv) {
			researchAt(d)
			d.Asks.Attendees, d.Body = 2, "座谈会"
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := visitEnv()
			d := inspection()
			c.change(d, e)
			r := run(t, e, d)
			if got := has(r, c.rule, c.sev); got != c.present {
				t.Fatalf("%s %s present=%v, want %v: %s %+v", c.rule, c.sev, got, c.present, r.Verdict, r.Findings)
			}
			if c.present && c.sev != Note {
				want := map[Severity]Status{Block: Refused, Review: InReview}[c.sev]
				if r.Verdict != want && !(c.sev == Review && r.Verdict == Refused) {
					t.Fatalf("verdict %s, want %s", r.Verdict, want)
				}
			}
			for _, f := range r.Findings {
				if f.Message.ZH == "" || f.Message.EN == "" || strings.HasPrefix(f.Message.EN, "[") || strings.HasPrefix(f.Fix.EN, "[") ||
					strings.Contains(f.Message.EN, "%!") || strings.Contains(f.Message.ZH, "%!") || strings.Contains(f.Fix.EN, "%!") {
					t.Errorf("finding without both messages: %+v", f)
				}
			}
		})
	}
}

// researchAt makes the demand a research visit to one village.
func researchAt(d *Demand) {
	d.Visit = &VisitInfo{Research: true}
	d.Targets = Targets{Units: []string{"430922100201"}}
}

// Findings name the parameters they applied, with their values.
func TestVisitFindingsShowParameters(t *testing.T) {
	e := visitEnv()
	tighten(e, map[string]int{"visit.random.pct": 15, "visit.random.inspectors": 3})
	r := run(t, e, inspection())
	var f *Finding
	for i := range r.Findings {
		if r.Findings[i].Rule == "visit.random" && strings.Contains(r.Findings[i].Message.EN, "of the pool") {
			f = &r.Findings[i]
		}
	}
	if f == nil {
		t.Fatalf("no rate finding: %+v", r.Findings)
	}
	if f.Params["visit.random.pct"] != 15 || f.Params["visit.random.inspectors"] != 3 {
		t.Fatalf("params %v", f.Params)
	}
	if !strings.Contains(f.Message.EN, "10%") || !strings.Contains(f.Message.EN, "15%") || !strings.Contains(f.Message.ZH, "15%") {
		t.Fatalf("message %+v", f.Message)
	}
}

// A plan item passing the gate with its plan: the window is many days and
// the plan is not yet approved; neither the rest days nor the pool's
// budget weigh on it.
func TestPlanningDemand(t *testing.T) {
	e := visitEnv()
	e.plans[0].Status = visits.PlanDraft
	e.used["430922100201"] = 5000 // far over the budget
	d := inspection()
	d.Start, d.End = at("2026-04-20", "08:30"), at("2026-06-30", "17:30")
	d.Visit.Planning = true
	r := run(t, e, d)
	if r.Verdict != Admitted || len(r.Findings) != 0 {
		t.Fatalf("planning: %s %+v", r.Verdict, r.Findings)
	}
	// The same demand as a visit: the draft plan and the overnight window.
	d.Visit.Planning = false
	r = run(t, e, d)
	if !has(r, "visit.plan", Block) || !has(r, "rest.days", Block) {
		t.Fatalf("visit: %+v", r.Findings)
	}
}

func TestVisitInputErrors(t *testing.T) {
	for _, c := range []struct {
		field  string
		change func(v *VisitInfo)
	}{
		{"visit.rate", func(v *VisitInfo) { v.Rate = 1.5 }},
		{"visit.rate", func(v *VisitInfo) { v.Rate = -0.1 }},
		{"visit.team", func(v *VisitInfo) { v.Team = -1 }},
		{"visit.team", func(v *VisitInfo) { v.Team = MaxTeam + 1 }},
		{"visit.scoring_items", func(v *VisitInfo) { v.ScoringItems = -3 }},
	} {
		d := inspection()
		c.change(d.Visit)
		_, err := Run(visitEnv(), d, now)
		if ve, ok := err.(*ValidationError); !ok || ve.Field != c.field {
			t.Errorf("%s: got %v", c.field, err)
		}
	}
}

func TestNegated(t *testing.T) {
	for text, want := range map[string]bool{
		"不听汇报":               true,
		"不需乡镇陪同":             true,
		"严禁迎检":               true,
		"请做好迎检":              false,
		"村里不大，请陪同":           false, // the negation is in another clause
		"no briefing":        true,
		"a briefing":         false,
		"without any escort": true,
	} {
		lower := strings.ToLower(text)
		i := -1
		for _, p := range sealedPhrases {
			if j := strings.Index(lower, p); j >= 0 {
				i = j
				break
			}
		}
		if i < 0 {
			t.Fatalf("%q: no phrase", text)
		}
		if got := negated(lower, i); got != want {
			t.Errorf("%q: negated %v, want %v", text, got, want)
		}
	}
}

// Tightening any visit parameter never admits an inspection that was
// refused, nor skips a review.
func TestVisitTighteningNeverAdmitsMore(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		e := visitEnv()
		it := &e.plans[0].Items[0]
		it.Rate = float64(rapid.IntRange(1, 40).Draw(t, "rate")) / 100
		it.Team = rapid.IntRange(1, 4).Draw(t, "team")
		if rapid.Bool().Draw(t, "comprehensive") {
			it.Kind = visits.Comprehensive
		}
		e.compItems = rapid.IntRange(0, 2).Draw(t, "others")
		for _, c := range []string{"430922100201", "430922100202", "430922101201"} {
			e.inspections[c] = rapid.IntRange(0, 6).Draw(t, "inspections")
		}
		d := inspection()
		if rapid.Bool().Draw(t, "listed") {
			d.Targets = Targets{Units: []string{"430922100201"}}
		}
		before := run2(t, e, d)
		p := rapid.SampledFrom([]string{"visit.comprehensive", "visit.unit.year", "visit.random.pct", "visit.random.inspectors"}).Draw(t, "param")
		var def policy.Param
		for _, x := range policy.Params {
			if x.ID == p {
				def = x
			}
		}
		cur := policy.Defaults().Get(p)
		v := rapid.IntRange(def.Min, cur).Draw(t, "value")
		if def.Tighter == policy.HigherIsTighter {
			v = rapid.IntRange(cur, def.Max).Draw(t, "value")
		}
		tighten(e, map[string]int{p: v})
		after := run2(t, e, drawAgain(d))
		if rank(after.Verdict) < rank(before.Verdict) {
			t.Fatalf("tightening %s to %d turned %s into %s: %+v", p, v, before.Verdict, after.Verdict, after.Findings)
		}
	})
}

func run2(t *rapid.T, e *testEnv, d *Demand) *Result {
	r, err := Run(e, d, now)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
