package web

import (
	"context"
	"fmt"
	"testing"
	"time"

	"lighten/internal/calendar"
	"lighten/internal/gate"
	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/units"
	"lighten/internal/visits"
)

// visitEnv is a county with an approved plan whose one item drew a
// village of 桃花江镇 and a team of two from a register of three, scheduled
// in the week of 2026-06-08; nothing started. The clock is *now.
type visitEnv struct {
	f      *fixture
	now    *time.Time
	office units.Office // the plan's office, at 桃江县
	issuer units.Person
	token  string // the issuer's
	plan   *visits.Plan
	draw   *store.DrawRecord
	run    *store.ScheduleRun
	visit  visits.ScheduledVisit
	// inspectors by register number: person and token.
	people map[string]units.Person
	tokens map[string]string
	// leader, member: the visit's team; other: the register's third.
	leader, member, other string
}

const visitItemCode = "AQ-2026-06"
const visitPlanTitle = "2026年桃江县应急管理局年度检查计划"

// visitDay is 09:00 in China on a day.
func visitDay(d calendar.Date) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 9, 0, 0, 0, gate.China)
}

func newVisitEnv(t *testing.T, kind store.Dialect) *visitEnv {
	t.Helper()
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, gate.China)
	e := &visitEnv{now: &now, people: map[string]units.Person{}, tokens: map[string]string{}}
	e.f = newFixtureAt(t, kind, e.now)
	db := e.f.db
	ctx := context.Background()
	e.office, e.issuer, e.token = e.f.issuerIn("yingji", "430922")
	// Three inspectors of the county's offices, working in 修山镇: none
	// recused from 桃花江镇's villages.
	for i, n := range []string{"JC-001", "JC-002", "JC-003"} {
		p, tok := e.f.person(fmt.Sprintf("inspector-%d", i+1), "430922101", "inspector@430922")
		e.people[n], e.tokens[n] = p, tok
		in := visits.RegisteredInspector{Number: n, Name: fmt.Sprintf("检查员%d", i+1), OfficeID: e.office.ID, PersonID: p.ID,
			Works: "430922101", Capacity: 2, MaxTravel: 300, Active: true}
		if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.SaveInspector(ctx, &in) }); err != nil {
			t.Fatal(err)
		}
	}
	e.plan = &visits.Plan{OfficeID: e.office.ID, Year: 2026, Title: visitPlanTitle, Items: []visits.Item{{
		Code: visitItemCode, Title: "安全生产专项检查", Kind: visits.Special, Scope: "430922", Level: units.Village,
		Rate: 0.5, Team: 2, From: calendar.NewDate(2026, 6, 8), To: calendar.NewDate(2026, 6, 12),
		Checklist: []visits.CheckItem{{Code: "C1", Text: "应急预案是否张贴", Scoring: true}, {Code: "C2", Text: "户数是否属实", Element: "HH"}},
	}}}
	err := db.Write(ctx, store.System, func(tx *store.Tx) error {
		if err := tx.SavePlan(ctx, e.plan); err != nil {
			return err
		}
		if err := tx.SetPlanStatus(ctx, e.plan.ID, visits.PlanApproved); err != nil {
			return err
		}
		var err error
		if e.draw, err = tx.CommitItemDraw(ctx, e.plan.Items[0].ID); err != nil {
			return err
		}
		if err := tx.RunDraw(ctx, e.draw, "福利彩票 2026060期"); err != nil {
			return err
		}
		e.run, err = tx.ScheduleWindow(ctx, "430922", calendar.NewDate(2026, 6, 8), calendar.NewDate(2026, 6, 12), visits.Options{}, "")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	vs, err := db.VisitsOfItem(ctx, visitItemCode)
	if err != nil || len(vs) != 1 || len(vs[0].Team) != 2 {
		t.Fatalf("scheduled visits: %+v %v (run %+v)", vs, err, e.run)
	}
	e.visit = vs[0]
	e.leader, e.member = e.visit.Team[0], e.visit.Team[1]
	for n := range e.people {
		if n != e.leader && n != e.member {
			e.other = n
		}
	}
	if e.plan, err = db.Plan(ctx, e.plan.ID); err != nil {
		t.Fatal(err)
	}
	return e
}

// newFixtureAt is newFixture with the store's clock reading *now.
func newFixtureAt(t *testing.T, kind store.Dialect, now *time.Time) *fixture {
	t.Helper()
	db := storetest.Open(t, kind, store.Options{Now: func() time.Time { return *now }})
	if _, err := db.ImportUnits(context.Background(), store.System, fixtureUnits, nil); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, db: db, srv: New(db, Options{Version: "test"})}
	f.ts = newTestServer(t, f.srv)
	return f
}

// targetName is the visit's target as a page names it.
func (e *visitEnv) targetName() string {
	for _, u := range fixtureUnits {
		if u.Code == e.visit.Unit {
			return u.Name
		}
	}
	e.f.t.Fatalf("target %s is not a fixture unit", e.visit.Unit)
	return ""
}
