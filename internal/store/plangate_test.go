package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"lighten/internal/calendar"
	"lighten/internal/gate"
	"lighten/internal/policy"
	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/units"
	"lighten/internal/visits"
)

// gateItem is an item drawing villages of 桃江县 next year, from March to
// June.
func gateItem(code string, kind visits.ItemKind, year int) visits.Item {
	return visits.Item{Code: code, Title: "检查 " + code, Kind: kind, Scope: "430922", Level: units.Village, Rate: 0.1, Team: 2,
		Checklist: []visits.CheckItem{{Code: "c1", Text: "消防通道畅通"}},
		From:      calendar.NewDate(year, 3, 1), To: calendar.NewDate(year, 6, 30)}
}

func gatePlan(t *testing.T, db *store.DB, office int64, year int, title string, items ...visits.Item) *visits.Plan {
	t.Helper()
	p := &visits.Plan{OfficeID: office, Year: year, Title: title, Items: items}
	if err := db.Write(context.Background(), store.System, func(tx *store.Tx) error { return tx.SavePlan(context.Background(), p) }); err != nil {
		t.Fatalf("save plan %s: %v", title, err)
	}
	return p
}

func gateSubmitPlan(t *testing.T, db *store.DB, id int64) *store.PlanCheck {
	t.Helper()
	var pc *store.PlanCheck
	err := db.Write(context.Background(), store.System, func(tx *store.Tx) error {
		var err error
		pc, err = tx.SubmitPlan(context.Background(), id)
		return err
	})
	if err != nil {
		t.Fatalf("submit plan %d: %v", id, err)
	}
	return pc
}

func gateItemHas(pc *store.PlanCheck, code, rule string, sev gate.Severity) bool {
	for _, ic := range pc.Items {
		if ic.Code != code {
			continue
		}
		for _, f := range ic.Result.Findings {
			if f.Rule == rule && f.Severity == sev {
				return true
			}
		}
	}
	return false
}

// Plans pass the gate item by item: the plan takes the worst verdict,
// comprehensive items count the plan's own and the office's other plans',
// the decision and its findings are audited, and visits then refer to the
// stored items.
func TestSubmitPlan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.ImportUnits(ctx, store.System, sample, nil); err != nil {
			t.Fatal(err)
		}
		var office units.Office
		err := db.Write(ctx, store.System, func(tx *store.Tx) error {
			office = units.Office{UnitCode: "430922", Name: "桃江县应急管理局"}
			return tx.CreateOffice(ctx, &office)
		})
		if err != nil {
			t.Fatal(err)
		}
		year := db.Now().In(gate.China).Year() + 1

		// A special inspection at 10% in teams of two passes.
		good := gatePlan(t, db, office.ID, year, "安全生产检查计划", gateItem("AQ-1", visits.Special, year))
		dry, err := db.CheckPlan(ctx, good.ID)
		if err != nil {
			t.Fatal(err)
		}
		if dry.Verdict != visits.PlanApproved {
			t.Fatalf("dry run: %s %+v", dry.Verdict, dry.Findings())
		}
		if p, _ := db.Plan(ctx, good.ID); p.Status != visits.PlanDraft {
			t.Fatalf("the dry run changed the plan: %s", p.Status)
		}
		if pc := gateSubmitPlan(t, db, good.ID); pc.Verdict != visits.PlanApproved || len(pc.Items) != 1 {
			t.Fatalf("good plan: %s %+v", pc.Verdict, pc.Findings())
		}
		if p, _ := db.Plan(ctx, good.ID); p.Status != visits.PlanApproved {
			t.Fatalf("status %s", p.Status)
		}
		// An approved plan is not submitted again.
		err = db.Write(ctx, store.System, func(tx *store.Tx) error { _, err := tx.SubmitPlan(ctx, good.ID); return err })
		if !errors.Is(err, store.ErrState) {
			t.Fatalf("second submission: %v", err)
		}

		// Two comprehensive items in one plan, with one allowed a year: both
		// items are refused, and so is the plan.
		two := gatePlan(t, db, office.ID, year, "综合检查计划", gateItem("ZH-1", visits.Comprehensive, year),
			gateItem("ZH-2", visits.Comprehensive, year), gateItem("ZX-1", visits.Special, year))
		pc := gateSubmitPlan(t, db, two.ID)
		if pc.Verdict != visits.PlanRefused || !gateItemHas(pc, "ZH-1", "visit.comprehensive", gate.Block) ||
			!gateItemHas(pc, "ZH-2", "visit.comprehensive", gate.Block) || gateItemHas(pc, "ZX-1", "visit.comprehensive", gate.Block) {
			t.Fatalf("two comprehensive items: %s %+v", pc.Verdict, pc.Findings())
		}
		if p, _ := db.Plan(ctx, two.ID); p.Status != visits.PlanRefused {
			t.Fatalf("status %s", p.Status)
		}
		// The refused plan does not count: one comprehensive item passes;
		// once it is approved, another plan's is refused.
		one := gatePlan(t, db, office.ID, year, "综合检查计划（修改）", gateItem("ZH-3", visits.Comprehensive, year))
		if pc := gateSubmitPlan(t, db, one.ID); pc.Verdict != visits.PlanApproved {
			t.Fatalf("one comprehensive item: %s %+v", pc.Verdict, pc.Findings())
		}
		again := gatePlan(t, db, office.ID, year, "又一个综合检查", gateItem("ZH-4", visits.Comprehensive, year))
		if pc := gateSubmitPlan(t, db, again.ID); pc.Verdict != visits.PlanRefused || !gateItemHas(pc, "ZH-4", "visit.comprehensive", gate.Block) {
			t.Fatalf("second comprehensive plan: %s %+v", pc.Verdict, pc.Findings())
		}

		// A research item with scoring lines, and an inspection drawing 3%
		// in teams of one: refused, each for its rules.
		research := gateItem("DY-1", visits.Research, year)
		research.Checklist = []visits.CheckItem{{Code: "s1", Text: "打分", Scoring: true}}
		thin := gateItem("AQ-2", visits.Special, year)
		thin.Rate, thin.Team = 0.03, 1
		bad := gatePlan(t, db, office.ID, year, "不合规计划", research, thin)
		pc = gateSubmitPlan(t, db, bad.ID)
		if pc.Verdict != visits.PlanRefused || !gateItemHas(pc, "DY-1", "visit.research", gate.Block) || !gateItemHas(pc, "AQ-2", "visit.random", gate.Block) ||
			gateItemHas(pc, "DY-1", "visit.random", gate.Block) {
			t.Fatalf("bad plan: %s %+v", pc.Verdict, pc.Findings())
		}

		// Every submission is audited with its verdict and its findings.
		recs, err := db.ListAudit(ctx, store.AuditQuery{Scopes: []string{"430922"}})
		if err != nil {
			t.Fatal(err)
		}
		verdicts := map[string]string{}
		for _, r := range recs {
			if r.Action != "plan.submit" {
				continue
			}
			var after struct {
				Verdict string `json:"verdict"`
				Items   []struct {
					Code     string `json:"code"`
					Findings []struct {
						Rule string `json:"rule"`
					} `json:"findings"`
				} `json:"items"`
			}
			if err := json.Unmarshal(r.After, &after); err != nil {
				t.Fatal(err)
			}
			verdicts[r.EntityID] = after.Verdict
			if r.EntityID == fmt.Sprint(two.ID) && (len(after.Items) != 3 || len(after.Items[0].Findings) == 0) {
				t.Fatalf("audited findings: %s", r.After)
			}
		}
		if verdicts[fmt.Sprint(good.ID)] != "approved" || verdicts[fmt.Sprint(two.ID)] != "refused" || len(verdicts) != 5 {
			t.Fatalf("audited verdicts %v", verdicts)
		}

		// A visit under an approved plan's item passes visit.plan; under a
		// refused plan's, it is refused.
		visit := func(code string) *gate.Result {
			t.Helper()
			d := &gate.Demand{OfficeID: office.ID, IssuerUnit: "430922", Kind: gate.Visit, Title: "抽查",
				Targets: gate.Targets{Level: units.Village, Under: "430922"},
				Start:   gateWednesday(year, 4).Add(9 * time.Hour), End: gateWednesday(year, 4).Add(11 * time.Hour),
				Visit: &gate.VisitInfo{Plan: code}}
			res, err := db.CheckDemand(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		if res := visit("AQ-1"); res.Verdict != gate.Admitted {
			t.Fatalf("visit under the approved plan: %s %+v", res.Verdict, res.Findings)
		}
		if res := visit("ZH-1"); res.Verdict != gate.Refused || !gateHasRule(res, "visit.plan") {
			t.Fatalf("visit under the refused plan: %s %+v", res.Verdict, res.Findings)
		}
		if res := visit("NO-SUCH"); res.Verdict != gate.Refused || !gateHasRule(res, "visit.plan") {
			t.Fatalf("visit under no plan: %s %+v", res.Verdict, res.Findings)
		}

		// A county asking for 15% refuses at 10% what passed at the default,
		// and visits under the plan approved before.
		err = db.Write(ctx, store.System, func(tx *store.Tx) error {
			_, err := tx.SavePolicy(ctx, "430922", policy.Document{Params: map[string]int{"visit.random.pct": 15}}, "")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		later := gatePlan(t, db, office.ID, year, "下半年计划", gateItem("AQ-3", visits.Special, year))
		if pc := gateSubmitPlan(t, db, later.ID); pc.Verdict != visits.PlanRefused || !gateItemHas(pc, "AQ-3", "visit.random", gate.Block) {
			t.Fatalf("tightened rate: %s %+v", pc.Verdict, pc.Findings())
		}
		if res := visit("AQ-1"); res.Verdict != gate.Refused || !gateHasRule(res, "visit.random") {
			t.Fatalf("visit after tightening: %s %+v", res.Verdict, res.Findings)
		}
	})
}

// gateWednesday is the second Wednesday of a month of a year (clear of the
// holidays at its start), at midnight in China.
func gateWednesday(year int, month time.Month) time.Time {
	d := time.Date(year, month, 8, 0, 0, 0, 0, gate.China)
	for d.Weekday() != time.Wednesday {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

func gateHasRule(r *gate.Result, rule string) bool {
	for _, f := range r.Findings {
		if f.Rule == rule {
			return true
		}
	}
	return false
}

// The gate reads the visits units already have: a research visit to a
// village already visited that week is refused, and an inspection listing
// a village at its yearly cap goes to review (besides being refused for
// listing it).
func TestGateReadsUnitVisits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.ImportUnits(ctx, store.System, sample, nil); err != nil {
			t.Fatal(err)
		}
		var office units.Office
		err := db.Write(ctx, store.System, func(tx *store.Tx) error {
			office = units.Office{UnitCode: "430922", Name: "桃江县农业农村局"}
			return tx.CreateOffice(ctx, &office)
		})
		if err != nil {
			t.Fatal(err)
		}
		year := db.Now().In(gate.China).Year() + 1
		wed := gateWednesday(year, 4)
		monday := calendar.DateOf(wed).AddDays(-2)
		if err := db.Exec(ctx, `INSERT INTO schedule_runs (id, scope, date_from, date_to, created, created_by) VALUES (1, '430922', $1, $2, $3, 0)`,
			calendar.NewDate(year, 1, 1).String(), calendar.NewDate(year, 12, 31).String(), db.Now()); err != nil {
			t.Fatal(err)
		}
		days := []calendar.Date{monday, monday.AddDays(-7), monday.AddDays(-14), monday.AddDays(-21)}
		for i, d := range days {
			if err := db.Exec(ctx, `INSERT INTO visits (id, run_id, unit_code, day, team, items, status) VALUES ($1, 1, '430922100201', $2, '[]', '[]', 'planned')`,
				i+1, d.String()); err != nil {
				t.Fatal(err)
			}
		}
		research := func(unit string) *gate.Result {
			t.Helper()
			d := &gate.Demand{OfficeID: office.ID, IssuerUnit: "430922", Kind: gate.Visit, Title: "调研",
				Targets: gate.Targets{Units: []string{unit}}, Start: wed.Add(9 * time.Hour), End: wed.Add(11 * time.Hour),
				Visit: &gate.VisitInfo{Research: true}}
			res, err := db.CheckDemand(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		if res := research("430922100201"); !gateHasRule(res, "visit.unit.week") || res.Verdict != gate.Refused {
			t.Fatalf("visited this week: %s %+v", res.Verdict, res.Findings)
		}
		if res := research("430922100001"); gateHasRule(res, "visit.unit.week") {
			t.Fatalf("another village: %+v", res.Findings)
		}
		d := &gate.Demand{OfficeID: office.ID, IssuerUnit: "430922", Kind: gate.Visit, Title: "检查",
			Targets: gate.Targets{Units: []string{"430922100201"}}, Start: wed.AddDate(0, 0, 7).Add(9 * time.Hour), End: wed.AddDate(0, 0, 7).Add(11 * time.Hour),
			Visit: &gate.VisitInfo{Approved: true, ApprovalReason: "举报", Rate: 1, Team: 2}}
		res, err := db.CheckDemand(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, f := range res.Findings {
			if f.Rule == "visit.unit.year" && f.Severity == gate.Review && f.Params["visit.unit.year"] == 4 {
				found = true
			}
		}
		if !found {
			t.Fatalf("yearly cap: %+v", res.Findings)
		}
	})
}

// A plan the gate sent to review is decided by the burden office, only
// from review and with a reason; the decision is kept with the plan and
// audited with its reason.
func TestDecidePlan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.ImportUnits(ctx, store.System, sample, nil); err != nil {
			t.Fatal(err)
		}
		office := units.Office{UnitCode: "430922", Name: "桃江县应急管理局"}
		if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.CreateOffice(ctx, &office) }); err != nil {
			t.Fatal(err)
		}
		year := db.Now().In(gate.China).Year() + 1
		decide := func(id int64, approve bool, reason string) (*visits.Plan, error) {
			var p *visits.Plan
			err := db.Write(ctx, store.System, func(tx *store.Tx) error {
				var err error
				p, err = tx.DecidePlan(ctx, id, approve, reason)
				return err
			})
			return p, err
		}
		toReview := func(id int64) {
			t.Helper()
			if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.SetPlanStatus(ctx, id, visits.PlanReview) }); err != nil {
				t.Fatal(err)
			}
		}
		a := gatePlan(t, db, office.ID, year, "待复核计划甲", gateItem("RV-1", visits.Special, year))
		b := gatePlan(t, db, office.ID, year, "待复核计划乙", gateItem("RV-2", visits.Special, year))
		// A draft is not decided: a state error in both languages.
		_, err := decide(a.ID, true, "可以")
		var se *store.StateError
		if !errors.Is(err, store.ErrState) || !errors.As(err, &se) || se.Message().ZH == "" || !strings.Contains(se.Message().EN, "待复核计划甲") {
			t.Fatalf("decide a draft: %v", err)
		}
		toReview(a.ID)
		toReview(b.ID)
		inReview, err := db.Plans(ctx, store.PlanFilter{Under: "430922", Status: visits.PlanReview})
		if err != nil || len(inReview) != 2 {
			t.Fatalf("plans in review: %d %v", len(inReview), err)
		}
		var ve *visits.ValidationError
		if _, err := decide(a.ID, true, "  "); !errors.As(err, &ve) || ve.Field != "reason" {
			t.Fatalf("without a reason: %v", err)
		}
		p, err := decide(a.ID, true, "抽查比例合理，同意")
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != visits.PlanApproved || p.Decision == nil || !p.Decision.Approved || p.Decision.Reason != "抽查比例合理，同意" || p.Decided == nil {
			t.Fatalf("approved: %+v %+v", p, p.Decision)
		}
		if _, err := decide(a.ID, false, "再议"); !errors.Is(err, store.ErrState) {
			t.Fatalf("decided twice: %v", err)
		}
		if p, err = decide(b.ID, false, "检查频次过高，请压减"); err != nil {
			t.Fatal(err)
		}
		if p, _ = db.Plan(ctx, b.ID); p.Status != visits.PlanRefused || p.Decision == nil || p.Decision.Approved || p.Decision.Reason != "检查频次过高，请压减" {
			t.Fatalf("refused: %+v", p)
		}
		if inReview, _ = db.Plans(ctx, store.PlanFilter{Under: "430922", Status: visits.PlanReview}); len(inReview) != 0 {
			t.Fatalf("still in review: %d", len(inReview))
		}
		// The decision is read back with the plan.
		if p, _ = db.Plan(ctx, a.ID); p.Decision == nil {
			t.Fatal("decision lost on reading")
		}
		recs, err := db.ListAudit(ctx, store.AuditQuery{Scopes: []string{"430922"}})
		if err != nil {
			t.Fatal(err)
		}
		reasons := map[string]string{}
		for _, r := range recs {
			if r.Action == "plan.decide" {
				reasons[r.EntityID] = r.Reason
			}
		}
		if reasons[fmt.Sprint(a.ID)] != "抽查比例合理，同意" || reasons[fmt.Sprint(b.ID)] != "检查频次过高，请压减" || len(reasons) != 2 {
			t.Fatalf("audited decisions: %v", reasons)
		}
	})
}

// The inspections of a year at every unit of a level under a unit, in one
// query, are what UnitInspections counts for the same codes; the gate
// reads them so for a pool.
func TestUnitInspectionsUnder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.ImportUnits(ctx, store.System, sample, nil); err != nil {
			t.Fatal(err)
		}
		year := db.Now().In(gate.China).Year() + 1
		if err := db.Exec(ctx, `INSERT INTO schedule_runs (id, scope, date_from, date_to, created, created_by) VALUES (1, '43', $1, $2, $3, 0)`,
			calendar.NewDate(year-1, 1, 1).String(), calendar.NewDate(year, 12, 31).String(), db.Now()); err != nil {
			t.Fatal(err)
		}
		for i, v := range []struct {
			unit     string
			day      calendar.Date
			research bool
		}{
			{"430922100201", calendar.NewDate(year, 3, 2), false},
			{"430922100201", calendar.NewDate(year, 4, 6), false},
			{"430922100201", calendar.NewDate(year-1, 11, 2), false}, // last year
			{"430922100001", calendar.NewDate(year, 3, 3), true},     // research
			{"430922100001", calendar.NewDate(year, 5, 5), false},
			{"430923100201", calendar.NewDate(year, 3, 4), false}, // another county
			{"430922100", calendar.NewDate(year, 3, 5), false},    // a township
		} {
			if err := db.Exec(ctx, `INSERT INTO visits (id, run_id, unit_code, day, team, items, research, status) VALUES ($1, 1, $2, $3, '[]', '[]', $4, 'planned')`,
				i+1, v.unit, v.day.String(), v.research); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []struct {
			level units.Level
			under string
			want  string
		}{
			{units.Village, "430922", "map[430922100001:1 430922100201:2]"},
			{units.Village, "4309", "map[430922100001:1 430922100201:2 430923100201:1]"},
			{units.Village, "", "map[430922100001:1 430922100201:2 430923100201:1]"},
			{units.Village, "430923100", "map[430923100201:1]"},
			{units.Township, "43", "map[430922100:1]"},
			{units.Village, "99", "map[]"},
		} {
			got, err := db.UnitInspectionsUnder(ctx, c.level, c.under, year)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != c.want {
				t.Errorf("%s under %q: %v, want %s", c.level, c.under, got, c.want)
			}
			var codes []string
			for code := range got {
				codes = append(codes, code)
			}
			codes = append(codes, "430922100202")
			byCode, err := db.UnitInspections(ctx, codes, year)
			if err != nil || fmt.Sprint(byCode) != fmt.Sprint(got) {
				t.Errorf("%s under %q: by code %v %v, by scope %v", c.level, c.under, byCode, err, got)
			}
		}
	})
}
