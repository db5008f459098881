package gate

import (
	"testing"
	"time"

	"lighten/internal/duties"
	"lighten/internal/units"
)

// A province's template for townships, adjusted by the county from May.
func dutyBook() *duties.Book {
	tmpl := &duties.List{ID: 1, Owner: "43", Level: units.Township, Version: 1, Effective: time.Date(2026, 1, 1, 0, 0, 0, 0, China),
		Matters: []duties.Matter{
			{Code: "T01", Name: "最低生活保障申请受理", Category: duties.Own, Basis: "《社会救助暂行办法》第十一条"},
			{Code: "T02", Name: "耕地保护巡查", Category: duties.Assist, Lead: "县自然资源局", Basis: "《土地管理法》"},
			{Code: "T03", Name: "食品生产经营许可", Category: duties.Negative, Basis: "《食品安全法》第三十五条"},
		}}
	county := &duties.List{ID: 2, Owner: "430922", Level: units.Township, Version: 1, Effective: time.Date(2026, 5, 1, 0, 0, 0, 0, China),
		Matters: []duties.Matter{{Code: "T04", Name: "森林防火巡查", Category: duties.Own, Basis: "《森林防火条例》"},
			{Code: "T01", Name: "最低生活保障申请受理", Category: duties.Negative, Basis: "县里收回"}}}
	return duties.NewBook([]*duties.List{tmpl, county})
}

func task(matter string) *Demand {
	return &Demand{OfficeID: 1, IssuerUnit: "430922", Kind: Task, Title: "任务", Matter: matter,
		Targets: Targets{Level: units.Township, Under: "430922"}, Due: at("2026-04-24", "17:00"),
		Means: &Means{Funds: 20000}}
}

func TestDutyRules(t *testing.T) {
	cases := []struct {
		name   string
		d      func() *Demand
		rule   string
		sev    Severity
		passes bool
	}{
		{"own duty", func() *Demand { return task("T01") }, "duty.list", Block, true},
		{"not on any list", func() *Demand { return task("T99") }, "duty.list", Block, false},
		{"no matter named", func() *Demand { return task("") }, "duty.list", Block, false},
		{"negative list", func() *Demand { return task("T03") }, "duty.negative", Block, false},
		{"assisting without its lead", func() *Demand { return task("T02") }, "duty.list", Block, false},
		{"assisting with its lead", func() *Demand { d := task("T02"); d.LeadOffice = "县自然资源局"; return d }, "duty.list", Block, true},
		{"without means", func() *Demand { d := task("T01"); d.Means = nil; return d }, "duty.funds", Review, false},
		{"with means", func() *Demand { return task("T01") }, "duty.funds", Review, true},
		// From May the county's adjustment is in force: T04 is listed, T01 is forbidden.
		{"county's own matter before it takes effect", func() *Demand { return task("T04") }, "duty.list", Block, false},
		{"county's own matter after", func() *Demand { d := task("T04"); d.Due = at("2026-05-20", "17:00"); return d }, "duty.list", Block, true},
		{"county moves a matter to the negative list", func() *Demand { d := task("T01"); d.Due = at("2026-05-20", "17:00"); return d }, "duty.negative", Block, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv()
			e.book = dutyBook()
			r := run(t, e, c.d())
			if got := has(r, c.rule, c.sev); got == c.passes {
				t.Fatalf("%s %s present=%v, want %v: %+v", c.rule, c.sev, got, !c.passes, r.Findings)
			}
		})
	}
}

func TestPledgeRules(t *testing.T) {
	pledge := func(item string) *Demand {
		return &Demand{OfficeID: 1, IssuerUnit: "430922100", Kind: Pledge, Title: "安全生产责任状", Targets: Targets{Level: units.Village, Under: "430922100"},
			Pledge: &PledgeInfo{Item: item}}
	}
	e := newEnv()
	e.pledges["P01"] = duties.PledgeItem{Code: "P01", Name: "安全生产目标责任", ValidUntil: time.Date(2026, 12, 31, 0, 0, 0, 0, China)}
	e.pledges["P02"] = duties.PledgeItem{Code: "P02", Name: "过期事项", ValidUntil: time.Date(2025, 12, 31, 0, 0, 0, 0, China)}
	if r := run(t, e, pledge("P01")); has(r, "pledge.approved", Block) || has(r, "pledge.cascade", Block) {
		t.Fatalf("approved pledge: %+v", r.Findings)
	}
	d := pledge("P02")
	d.Due = at("2026-04-24", "17:00")
	if r := run(t, e, d); !has(r, "pledge.approved", Block) {
		t.Fatalf("lapsed: %+v", r.Findings)
	}
	if r := run(t, e, pledge("P99")); !has(r, "pledge.approved", Block) {
		t.Fatalf("unregistered: %+v", r.Findings)
	}
	// The township received P01 from the county and tries to pass it on.
	e.received["430922100/P01"] = true
	if r := run(t, e, pledge("P01")); !has(r, "pledge.cascade", Block) {
		t.Fatalf("cascade: %+v", r.Findings)
	}
}
