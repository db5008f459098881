package web

import (
	"strings"
	"testing"

	"lighten/internal/store"
	"lighten/internal/visits"
)

// A plan's faults name the row and field and say what was expected; the
// gate's dry run and submission answer each item; a draw needs a team's
// worth of inspectors in the register.
func TestAPIPlans(t *testing.T) {
	e := newVisitEnv(t, store.SQLite)
	f := e.f
	good := func() PlanBody {
		return PlanBody{Year: 2026, Title: "2026年下半年检查计划", Items: []visits.Item{{Code: "XB-1", Title: "消防专项检查", Kind: visits.Special,
			Scope: "430922", Level: 5, Rate: 0.1, Team: 2, From: e.plan.Items[0].From.AddDays(35), To: e.plan.Items[0].To.AddDays(35),
			Checklist: []visits.CheckItem{{Code: "F1", Text: "灭火器是否在有效期内"}}}}}
	}
	for name, c := range map[string]struct {
		change func(*PlanBody)
		status int
		field  string
		text   string
	}{
		"kind": {func(b *PlanBody) { b.Items[0].Kind = "audit" }, 400, "items[0].kind", `special or research, not \"audit\"`},
		"rate": {func(b *PlanBody) { b.Items[0].Rate = 1.5 }, 400, "items[0].rate", "at most 100%"},
		"tier": {func(b *PlanBody) {
			b.Items[0].Tiers = []visits.TierSpec{{Name: "高风险", Rate: 0.5, Units: []string{"430923100201"}}}
		}, 400, "items[0].tiers[0].units", "430923100201"},
		"check code": {func(b *PlanBody) {
			b.Items[0].Checklist = append(b.Items[0].Checklist, visits.CheckItem{Code: "F1", Text: "again"})
		}, 400, "items[0].checklist[1].code", "a code not used before"},
		"scope": {func(b *PlanBody) { b.Items[0].Scope = "430923" }, 403, "items[0].scope", "430923"},
		"title": {func(b *PlanBody) { b.Title = " " }, 400, "title", "required"},
	} {
		b := good()
		c.change(&b)
		status, body := f.do("POST", "/api/v1/plans", e.token, b)
		if status != c.status || !strings.Contains(string(body), `"field":"`+c.field+`"`) || !strings.Contains(string(body), c.text) {
			t.Errorf("%s: %d %s", name, status, body)
		}
	}
	status, body := f.do("POST", "/api/v1/plans", e.token, good())
	p := decodeJSON[visits.Plan](t, body)
	if status != 201 || p.ID == 0 || p.Status != visits.PlanDraft || len(p.Items) != 1 {
		t.Fatalf("create: %d %s", status, body)
	}
	b := good()
	b.Items = append(b.Items, b.Items[0])
	b.Items[1].Code = "XB-2"
	if status, body = f.do("PUT", "/api/v1/plans/"+itoa(p.ID), e.token, b); status != 200 || len(decodeJSON[visits.Plan](t, body).Items) != 2 {
		t.Fatalf("update: %d %s", status, body)
	}
	status, body = f.do("POST", "/api/v1/plans/"+itoa(p.ID)+"/check", e.token, nil)
	pc := decodeJSON[store.PlanCheck](t, body)
	if status != 200 || len(pc.Items) != 2 || pc.Items[1].Code != "XB-2" {
		t.Fatalf("check: %d %s", status, body)
	}
	status, body = f.do("POST", "/api/v1/plans/"+itoa(p.ID)+"/submit", e.token, nil)
	pc = decodeJSON[store.PlanCheck](t, body)
	if status != 200 || pc.Verdict == visits.PlanDraft || pc.Verdict == "" {
		t.Fatalf("submit: %d %s", status, body)
	}
	if status, body = f.do("PUT", "/api/v1/plans/"+itoa(p.ID), e.token, good()); status != 409 {
		t.Errorf("update after submission: %d %s", status, body)
	}
	// The draw: approved plans only, and a team's worth of inspectors.
	if pc.Verdict != visits.PlanApproved {
		if status, _ = f.do("POST", "/api/v1/plans/"+itoa(p.ID)+"/items/"+itoa(pc.Plan.Items[0].ID)+"/draw", e.token, nil); status != 409 {
			t.Errorf("draw of a plan not approved: %d", status)
		}
	}
	big := good()
	big.Items[0].Code, big.Items[0].Team = "XB-9", 5
	status, body = f.do("POST", "/api/v1/plans", e.token, big)
	bp := decodeJSON[visits.Plan](t, body)
	if err := f.db.Write(t.Context(), store.System, func(tx *store.Tx) error { return tx.SetPlanStatus(t.Context(), bp.ID, visits.PlanApproved) }); err != nil {
		t.Fatal(err)
	}
	status, body = f.do("POST", "/api/v1/plans/"+itoa(bp.ID)+"/items/"+itoa(bp.Items[0].ID)+"/draw", e.token, nil)
	if status != 409 || !strings.Contains(string(body), "3 active inspectors registered for 430922, 5 a team needs") {
		t.Errorf("draw with too few inspectors: %d %s", status, body)
	}
	// Someone else's plan is not found, or not theirs to change.
	_, _, other := f.issuerIn("nongye", "430922")
	if status, _ = f.do("PUT", "/api/v1/plans/"+itoa(e.plan.ID), other, good()); status != 403 {
		t.Errorf("another office changes the plan: %d", status)
	}
}
