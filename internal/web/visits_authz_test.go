package web

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/url"
	"testing"
	"time"

	"lighten/internal/calendar"
	"lighten/internal/gate"
	"lighten/internal/store"
	"lighten/internal/units"
	"lighten/internal/visits"
)

// multipartBody is a file upload of the authorization table.
type multipartBody struct {
	field, name string
	data        []byte
}

func (m multipartBody) encode(t *testing.T) (string, []byte) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, err := w.CreateFormFile(m.field, m.name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(m.data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), buf.Bytes()
}

// tinyPNG is a 1×1 PNG.
var tinyPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" +
	"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")

// authzVisits is the visits part of the authorization table's world: a
// register of two whose first entry is the inspector principal, leading
// the one visit of an approved plan's item in the week of 2026-06-08.
type authzVisits struct {
	plan   *visits.Plan
	visit  visits.ScheduledVisit
	leader string
	// week2 holds the drawn items of a later week, one under 桃江县 and one
	// under 安化县, that schedule runs are asked for.
	week2 bool
	// colleague is JC-2's person and token (JC-1 is the inspector
	// principal's).
	colleague      units.Person
	colleagueToken string
}

// authzWeek2 is the window of the items schedule runs take.
var authzWeek2 = [2]calendar.Date{calendar.NewDate(2026, 6, 15), calendar.NewDate(2026, 6, 19)}

// drawnWeek2 draws, once, an item under each county for the second week,
// so that a schedule run over either finds something drawn.
func (e *authzEnv) drawnWeek2() {
	e.register()
	if e.visits.week2 {
		return
	}
	ctx := context.Background()
	for _, scope := range []string{"430922", "430923"} {
		e.n++
		p := &visits.Plan{OfficeID: e.issuer.ID, Year: 2026, Title: fmt.Sprintf("第二周计划 %d", e.n), Items: []visits.Item{{
			Code: fmt.Sprintf("W2-%d", e.n), Title: "专项检查", Kind: visits.Special, Scope: scope, Level: units.Village,
			Rate: 0.5, Team: 2, From: authzWeek2[0], To: authzWeek2[1], Checklist: []visits.CheckItem{{Code: "C1", Text: "台账"}}}}}
		err := e.f.db.Write(ctx, store.System, func(tx *store.Tx) error {
			if err := tx.SavePlan(ctx, p); err != nil {
				return err
			}
			if err := tx.SetPlanStatus(ctx, p.ID, visits.PlanApproved); err != nil {
				return err
			}
			rec, err := tx.CommitItemDraw(ctx, p.Items[0].ID)
			if err != nil {
				return err
			}
			return tx.RunDraw(ctx, rec, "beacon")
		})
		if err != nil {
			e.f.t.Fatal(err)
		}
	}
	e.visits.week2 = true
}

// planInReview saves a plan in review of the office at a place ("" is the
// issuer principal's office at 桃江县).
func (e *authzEnv) planInReview(place string) *visits.Plan {
	e.register()
	e.n++
	ctx := context.Background()
	office, scope := e.issuer, "430922"
	if place == "out" {
		office, scope = e.office[place], "430923"
	}
	p := &visits.Plan{OfficeID: office.ID, Year: 2026, Title: fmt.Sprintf("待复核计划 %d", e.n), Items: []visits.Item{{
		Code: fmt.Sprintf("RV-%d", e.n), Title: "专项检查", Kind: visits.Special, Scope: scope, Level: units.Village,
		Rate: 0.5, Team: 2, From: authzVisitWeek[0], To: authzVisitWeek[1], Checklist: []visits.CheckItem{{Code: "C1", Text: "台账"}}}}}
	err := e.f.db.Write(ctx, store.System, func(tx *store.Tx) error {
		if err := tx.SavePlan(ctx, p); err != nil {
			return err
		}
		return tx.SetPlanStatus(ctx, p.ID, visits.PlanReview)
	})
	if err != nil {
		e.f.t.Fatal(err)
	}
	return p
}

var authzVisitWeek = [2]calendar.Date{calendar.NewDate(2026, 6, 8), calendar.NewDate(2026, 6, 12)}

// register puts the inspector principal and a colleague in the register,
// once.
func (e *authzEnv) register() {
	if e.visits != nil {
		return
	}
	*e.now = time.Date(2026, 6, 1, 9, 0, 0, 0, gate.China)
	e.visits = &authzVisits{}
	ctx := context.Background()
	colleague, token := e.f.person("colleague", "430922", "inspector@430922")
	e.visits.colleague, e.visits.colleagueToken = colleague, token
	for i, p := range []units.Person{e.people["inspector"], colleague} {
		in := visits.RegisteredInspector{Number: fmt.Sprintf("JC-%d", i+1), Name: p.Name, OfficeID: e.issuer.ID, PersonID: p.ID,
			Works: "430922101", Capacity: 2, MaxTravel: 300, Active: true}
		if err := e.f.db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.SaveInspector(ctx, &in) }); err != nil {
			e.f.t.Fatal(err)
		}
	}
}

// plan saves a plan of the issuer's office with one item, approved or a
// draft.
func (e *authzEnv) plan(approved bool) *visits.Plan {
	e.register()
	e.n++
	ctx := context.Background()
	p := &visits.Plan{OfficeID: e.issuer.ID, Year: 2026, Title: fmt.Sprintf("检查计划 %d", e.n), Items: []visits.Item{{
		Code: fmt.Sprintf("JH-%d", e.n), Title: "安全生产专项检查", Kind: visits.Special, Scope: "430922", Level: units.Village,
		Rate: 0.5, Team: 2, From: authzVisitWeek[0], To: authzVisitWeek[1],
		Checklist: []visits.CheckItem{{Code: "C1", Text: "应急预案是否张贴"}, {Code: "C2", Text: "户数", Element: "HH"}}}}}
	err := e.f.db.Write(ctx, store.System, func(tx *store.Tx) error {
		if err := tx.SavePlan(ctx, p); err != nil {
			return err
		}
		if approved {
			return tx.SetPlanStatus(ctx, p.ID, visits.PlanApproved)
		}
		return nil
	})
	if err != nil {
		e.f.t.Fatal(err)
	}
	p, err = e.f.db.Plan(ctx, p.ID)
	if err != nil {
		e.f.t.Fatal(err)
	}
	return p
}

// previewToken previews a run as the scheduler's page does and gives the
// token that confirms it (a run over sealed draws needs it once an earlier
// run overlaps).
func (e *authzEnv) previewToken(scope string, from, to calendar.Date) string {
	ctx := context.Background()
	var token string
	err := e.f.db.Write(ctx, store.System, func(tx *store.Tx) error {
		p, err := tx.PreviewSchedule(ctx, scope, from, to, visits.Options{})
		if err == nil {
			token = p.Token
		}
		return err
	})
	if err != nil {
		return ""
	}
	return token
}

// visit draws and schedules an approved plan's item, once, and links the
// inspector principal to the team's leader; started, the leader has
// opened it on its day, which the clock then reads.
func (e *authzEnv) visit(started bool) *authzVisits {
	e.register()
	av := e.visits
	if av.plan == nil {
		ctx := context.Background()
		av.plan = e.plan(true)
		err := e.f.db.Write(ctx, store.System, func(tx *store.Tx) error {
			rec, err := tx.CommitItemDraw(ctx, av.plan.Items[0].ID)
			if err != nil {
				return err
			}
			if err := tx.RunDraw(ctx, rec, "beacon"); err != nil {
				return err
			}
			_, err = tx.ScheduleWindow(ctx, "430922", authzVisitWeek[0], authzVisitWeek[1], visits.Options{}, "")
			return err
		})
		if err != nil {
			e.f.t.Fatal(err)
		}
		vs, err := e.f.db.VisitsOfItem(ctx, av.plan.Items[0].Code)
		if err != nil || len(vs) != 1 {
			e.f.t.Fatalf("visits: %v %v", vs, err)
		}
		av.visit, av.leader = vs[0], vs[0].Leader()
		if av.leader != "JC-1" {
			// The principal leads: JC-2's person becomes the inspector
			// principal. (The register itself cannot be swapped once the
			// draw is made: that is how a sealed visit would be given to
			// someone else.)
			e.people["inspector"], e.tokens["inspector"] = av.colleague, av.colleagueToken
		}
	}
	*e.now = visitDay(av.visit.Day)
	if started && av.visit.Status == visits.Planned {
		ctx := context.Background()
		err := e.f.db.Write(ctx, store.System, func(tx *store.Tx) error {
			v, err := tx.StartVisit(ctx, av.visit.ID, av.leader)
			if err == nil {
				av.visit = *v
			}
			return err
		})
		if err != nil {
			e.f.t.Fatal(err)
		}
	}
	return av
}

// photo stores a photo of the started visit.
func (e *authzEnv) photo() int64 {
	av := e.visit(true)
	ctx := context.Background()
	var ph visits.Photo
	err := e.f.db.Write(ctx, store.System, func(tx *store.Tx) error {
		var err error
		ph, err = tx.AddPhoto(ctx, av.visit.ID, "board.png", "image/png", *e.now, tinyPNG)
		return err
	})
	if err != nil {
		e.f.t.Fatal(err)
	}
	return ph.ID
}

func planBody(e *authzEnv, scope string) PlanBody {
	e.n++
	return PlanBody{Year: 2026, Title: "年度检查计划", Items: []visits.Item{{Code: fmt.Sprintf("NEW-%d", e.n), Title: "专项检查", Kind: visits.Special,
		Scope: scope, Level: units.Village, Rate: 0.1, Team: 2, From: authzVisitWeek[0], To: authzVisitWeek[1],
		Checklist: []visits.CheckItem{{Code: "C1", Text: "台账"}}}}}
}

func planForm(e *authzEnv) url.Values {
	e.n++
	return url.Values{"title": {"年度检查计划"}, "year": {"2026"}, "item.0.code": {fmt.Sprintf("UI-%d", e.n)}, "item.0.title": {"专项检查"},
		"item.0.kind": {"special"}, "item.0.scope": {"430922"}, "item.0.level": {"village"}, "item.0.rate": {"10"}, "item.0.team": {"2"},
		"item.0.from": {"2026-06-08"}, "item.0.to": {"2026-06-12"}, "item.0.checklist": {"C1 | 台账\nC2 | 户数 | HH"}}
}

func inspectorBody(e *authzEnv, who authzPrincipal, office int64) visits.RegisteredInspector {
	return visits.RegisteredInspector{Number: "N-" + who.name, Name: "新检查员", OfficeID: office, Works: "430922101", Capacity: 2, MaxTravel: 240, Active: true}
}

func fieldBody() FieldRecordBody {
	return FieldRecordBody{Checks: []visits.CheckResult{{Item: "", Check: "C1", Result: "pass"}},
		Claims: []visits.Claim{{Element: "HH", Label: "户数", Claimed: "320", Seen: "300"}}, Findings: []visits.Finding{{Text: "预案未张贴", Severity: "minor"}}}
}

// visitAuthzCases are the rows of visits: plans, the register, schedule
// runs, an inspector's visits and field records, photos, results, feeds.
var visitAuthzCases = []authzCase{
	{"GET /api/v1/plans", "", "-YYYY---YY", get("/api/v1/plans")},
	{"POST /api/v1/plans", "in", "----Y-----", func(e *authzEnv, _ authzPrincipal, place string) authzRequest {
		return authzRequest{"POST", "/api/v1/plans", planBody(e, places[place][:6])}
	}},
	{"POST /api/v1/plans", "out", "----------", func(e *authzEnv, _ authzPrincipal, place string) authzRequest {
		return authzRequest{"POST", "/api/v1/plans", planBody(e, places[place][:6])}
	}},
	{"GET /api/v1/plans/{id}", "", "-YYYY---YY", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"GET", fmt.Sprintf("/api/v1/plans/%d", e.plan(false).ID), nil}
	}},
	{"PUT /api/v1/plans/{id}", "", "----Y-----", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"PUT", fmt.Sprintf("/api/v1/plans/%d", e.plan(false).ID), planBody(e, "430922")}
	}},
	{"POST /api/v1/plans/{id}/check", "", "----Y-----", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", fmt.Sprintf("/api/v1/plans/%d/check", e.plan(false).ID), nil}
	}},
	{"POST /api/v1/plans/{id}/submit", "", "----Y-----", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", fmt.Sprintf("/api/v1/plans/%d/submit", e.plan(false).ID), nil}
	}},
	{"POST /api/v1/plans/{id}/decision", "in", "---Y------", func(e *authzEnv, _ authzPrincipal, place string) authzRequest {
		return authzRequest{"POST", fmt.Sprintf("/api/v1/plans/%d/decision", e.planInReview(place).ID), PlanDecisionBody{Approve: true, Reason: "同意"}}
	}},
	{"POST /api/v1/plans/{id}/decision", "out", "----------", func(e *authzEnv, _ authzPrincipal, place string) authzRequest {
		return authzRequest{"POST", fmt.Sprintf("/api/v1/plans/%d/decision", e.planInReview(place).ID), PlanDecisionBody{Approve: true, Reason: "同意"}}
	}},
	{"POST /api/v1/plans/{id}/items/{item}/draw", "", "----Y-----", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		p := e.plan(true)
		return authzRequest{"POST", fmt.Sprintf("/api/v1/plans/%d/items/%d/draw", p.ID, p.Items[0].ID), nil}
	}},
	{"GET /api/v1/plans/{id}/results", "", "YYYYYYYYYY", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"GET", fmt.Sprintf("/api/v1/plans/%d/results", e.plan(true).ID), nil}
	}},
	{"GET /api/v1/inspectors", "", "-YYY------", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		e.register()
		return authzRequest{"GET", "/api/v1/inspectors", nil}
	}},
	{"POST /api/v1/inspectors", "in", "-YYY------", func(e *authzEnv, who authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", "/api/v1/inspectors", inspectorBody(e, who, e.issuer.ID)}
	}},
	{"POST /api/v1/inspectors", "out", "-Y--------", func(e *authzEnv, who authzPrincipal, place string) authzRequest {
		return authzRequest{"POST", "/api/v1/inspectors", inspectorBody(e, who, e.office[place].ID)}
	}},
	{"PUT /api/v1/inspectors/{id}", "", "-YYY------", func(e *authzEnv, who authzPrincipal, _ string) authzRequest {
		e.register()
		list, _ := e.f.db.Inspectors(context.Background(), store.InspectorFilter{})
		in := list[1]
		in.Capacity = 3
		return authzRequest{"PUT", fmt.Sprintf("/api/v1/inspectors/%d", in.ID), in}
	}},
	{"GET /api/v1/schedule-runs", "", "-YYY------", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		e.visit(false)
		return authzRequest{"GET", "/api/v1/schedule-runs", nil}
	}},
	{"POST /api/v1/schedule-runs", "in", "-YYY------", func(e *authzEnv, _ authzPrincipal, place string) authzRequest {
		e.drawnWeek2()
		return authzRequest{"POST", "/api/v1/schedule-runs", ScheduleBody{Scope: places[place][:6], From: "2026-06-15", To: "2026-06-19",
			Confirm: e.previewToken(places[place][:6], calendar.NewDate(2026, 6, 15), calendar.NewDate(2026, 6, 19))}}
	}},
	{"POST /api/v1/schedule-runs", "out", "-Y--------", func(e *authzEnv, _ authzPrincipal, place string) authzRequest {
		e.drawnWeek2()
		return authzRequest{"POST", "/api/v1/schedule-runs", ScheduleBody{Scope: places[place][:6], From: "2026-06-15", To: "2026-06-19",
			Confirm: e.previewToken(places[place][:6], calendar.NewDate(2026, 6, 15), calendar.NewDate(2026, 6, 19))}}
	}},
	{"POST /api/v1/schedule-runs/preview", "in", "-YYY------", func(e *authzEnv, _ authzPrincipal, place string) authzRequest {
		e.drawnWeek2()
		return authzRequest{"POST", "/api/v1/schedule-runs/preview", ScheduleBody{Scope: places[place][:6], From: "2026-06-15", To: "2026-06-19"}}
	}},
	{"POST /api/v1/schedule-runs/preview", "out", "-Y--------", func(e *authzEnv, _ authzPrincipal, place string) authzRequest {
		e.drawnWeek2()
		return authzRequest{"POST", "/api/v1/schedule-runs/preview", ScheduleBody{Scope: places[place][:6], From: "2026-06-15", To: "2026-06-19"}}
	}},
	{"GET /api/v1/me/visits", "", "-------Y--", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		e.visit(false)
		return authzRequest{"GET", "/api/v1/me/visits", nil}
	}},
	{"POST /api/v1/me/calendar", "", "-------Y--", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		e.register()
		return authzRequest{"POST", "/api/v1/me/calendar", nil}
	}},
	{"GET /api/v1/visits/{id}", "", "-------Y--", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"GET", fmt.Sprintf("/api/v1/visits/%d", e.visit(false).visit.ID), nil}
	}},
	{"POST /api/v1/visits/{id}/start", "", "-------Y--", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", fmt.Sprintf("/api/v1/visits/%d/start", e.visit(false).visit.ID), nil}
	}},
	{"GET /api/v1/visits/{id}/record", "", "-------Y--", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"GET", fmt.Sprintf("/api/v1/visits/%d/record", e.visit(true).visit.ID), nil}
	}},
	{"GET /api/v1/visits/{id}/record/versions", "", "-------Y--", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"GET", fmt.Sprintf("/api/v1/visits/%d/record/versions", e.visit(true).visit.ID), nil}
	}},
	{"PUT /api/v1/visits/{id}/record", "", "-------Y--", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		av := e.visit(true)
		b := fieldBody()
		b.Checks[0].Item = av.visit.Items[0].Item
		return authzRequest{"PUT", fmt.Sprintf("/api/v1/visits/%d/record", av.visit.ID), b}
	}},
	{"POST /api/v1/visits/{id}/photos", "", "-------Y--", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", fmt.Sprintf("/api/v1/visits/%d/photos", e.visit(true).visit.ID), multipartBody{"photo", "board.png", tinyPNG}}
	}},
	{"GET /api/v1/photos/{id}", "", "-------Y--", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"GET", fmt.Sprintf("/api/v1/photos/%d", e.photo()), nil}
	}},

	{"GET /plans", "", "-YYYY---YY", get("/plans")},
	{"POST /plans", "", "----Y-----", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", "/plans", planForm(e)}
	}},
	{"GET /plans/{id}", "", "-YYYY---YY", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"GET", fmt.Sprintf("/plans/%d", e.plan(false).ID), nil}
	}},
	{"POST /plans/{id}", "", "----Y-----", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", fmt.Sprintf("/plans/%d", e.plan(false).ID), planForm(e)}
	}},
	{"POST /plans/{id}/submit", "", "----Y-----", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", fmt.Sprintf("/plans/%d/submit", e.plan(false).ID), url.Values{}}
	}},
	{"POST /plans/{id}/decision", "in", "---Y------", func(e *authzEnv, _ authzPrincipal, place string) authzRequest {
		return authzRequest{"POST", fmt.Sprintf("/plans/%d/decision", e.planInReview(place).ID), url.Values{"decision": {"refuse"}, "reason": {"请压减"}}}
	}},
	{"POST /plans/{id}/decision", "out", "----------", func(e *authzEnv, _ authzPrincipal, place string) authzRequest {
		return authzRequest{"POST", fmt.Sprintf("/plans/%d/decision", e.planInReview(place).ID), url.Values{"decision": {"refuse"}, "reason": {"请压减"}}}
	}},
	{"POST /plans/{id}/items/{item}/draw", "", "----Y-----", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		p := e.plan(true)
		return authzRequest{"POST", fmt.Sprintf("/plans/%d/items/%d/draw", p.ID, p.Items[0].ID), url.Values{}}
	}},
	{"GET /plans/{id}/results", "", "YYYYYYYYYY", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"GET", fmt.Sprintf("/plans/%d/results", e.plan(true).ID), nil}
	}},
	{"GET /inspectors", "", "-YYY------", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		e.register()
		return authzRequest{"GET", "/inspectors", nil}
	}},
	{"POST /inspectors", "", "-YYY------", func(e *authzEnv, who authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", "/inspectors", url.Values{"number": {"U-" + who.name}, "name": {"新检查员"}, "office": {itoa(e.issuer.ID)},
			"person": {"0"}, "works": {"430922101"}, "capacity": {"2"}, "max_travel": {"240"}}}
	}},
	{"POST /inspectors/{id}", "", "-YYY------", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		e.register()
		list, _ := e.f.db.Inspectors(context.Background(), store.InspectorFilter{})
		return authzRequest{"POST", fmt.Sprintf("/inspectors/%d", list[1].ID), url.Values{"active": {"0"}}}
	}},
	{"GET /schedule", "", "-YYY------", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		e.visit(false)
		return authzRequest{"GET", "/schedule", nil}
	}},
	{"POST /schedule", "", "-YYY------", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		e.drawnWeek2()
		return authzRequest{"POST", "/schedule", url.Values{"scope": {"430922"}, "from": {"2026-06-15"}, "to": {"2026-06-19"}}}
	}},
	{"GET /visits", "", "-------Y--", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		e.visit(false)
		return authzRequest{"GET", "/visits", nil}
	}},
	{"POST /visits/{id}/start", "", "-------Y--", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", fmt.Sprintf("/visits/%d/start", e.visit(false).visit.ID), url.Values{}}
	}},
	{"GET /visits/{id}", "", "-------Y--", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"GET", fmt.Sprintf("/visits/%d", e.visit(true).visit.ID), nil}
	}},
	{"POST /visits/{id}", "", "-------Y--", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		av := e.visit(true)
		return authzRequest{"POST", fmt.Sprintf("/visits/%d", av.visit.ID), url.Values{"check." + av.visit.Items[0].Item + ".C1": {"fail"},
			"claim.0.label": {"户数"}, "claim.0.element": {"HH"}, "claim.0.seen": {"300"}, "finding.0.text": {"预案未张贴"}, "finding.0.severity": {"minor"}}}
	}},
	{"POST /visits/{id}/photos", "", "-------Y--", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", fmt.Sprintf("/visits/%d/photos", e.visit(true).visit.ID), multipartBody{"photo", "board.png", tinyPNG}}
	}},
	{"GET /ical/{file}", "", "YYYYYYYYYY", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		e.visit(false)
		var token string
		err := e.f.db.Write(context.Background(), store.System, func(tx *store.Tx) error {
			in, err := e.f.db.InspectorByPerson(context.Background(), e.people["inspector"].ID)
			if err != nil {
				return err
			}
			token, err = tx.CalendarToken(context.Background(), in.ID)
			return err
		})
		if err != nil {
			e.f.t.Fatal(err)
		}
		return authzRequest{"GET", "/ical/" + token + ".ics", nil}
	}},
}
