package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"lighten/internal/audit"
	"lighten/internal/calendar"
	"lighten/internal/gate"
	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/units"
	"lighten/internal/visits"
)

// visit.sealed, role by role, through the API and the pages: with a
// schedule in which nothing has started, no principal learns the target
// from any route that could show it; then the leader, on the day, starts
// the visit and learns it, the reveal is audited, and the other member
// sees it only after the start.
func TestVisitSealedRoleByRole(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(string(kind), func(t *testing.T) { testVisitSealed(t, kind) })
	}
}

func testVisitSealed(t *testing.T, kind store.Dialect) {
	{
		e := newVisitEnv(t, kind)
		f := e.f
		target, name := e.visit.Unit, e.targetName()
		township := target[:9]
		_, _, otherIssuer := f.issuerIn("nongye", "430922")
		_, admin := f.person("admin-cn", "430922", "admin@")
		_, burden := f.person("burden", "430922", "burden@430922")
		_, auditor := f.person("auditor", "430922", "auditor@430922")
		// Cadres of both villages and of the township. A village cadre's
		// own unit is on every page they see, so theirs are compared with
		// the other village's cadre's: the same answers, up to the village.
		cadreTargetP, cadreTarget := f.person("cadre-target", target, "cadre@"+target)
		sibling := ""
		for _, u := range fixtureUnits {
			if u.Parent == township && u.Code != target {
				sibling = u.Code
			}
		}
		cadreSiblingP, cadreSibling := f.person("cadre-sibling", sibling, "cadre@"+sibling)
		siblingName := ""
		for _, u := range fixtureUnits {
			if u.Code == sibling {
				siblingName = u.Name
			}
		}
		same := func(what string, send func(token string) (int, []byte)) {
			t.Helper()
			s1, b1 := send(cadreTarget)
			s2, b2 := send(cadreSibling)
			n1 := strings.NewReplacer(target, "VILLAGE", name, "NAME", "cadre-target", "CADRE").Replace(string(b1))
			n2 := strings.NewReplacer(sibling, "VILLAGE", siblingName, "NAME", "cadre-sibling", "CADRE").Replace(string(b2))
			if s1 != s2 || n1 != n2 {
				t.Errorf("%s: the target village's cadre is answered otherwise than the other village's: %d %.300s\n%d %.300s", what, s1, n1, s2, n2)
			}
		}
		_, cadreTown := f.person("cadre-town", township, "cadre@"+township)

		// The feeds of the team, made before anyone looks.
		feeds := map[string]string{}
		for _, n := range []string{e.leader, e.member, e.other} {
			status, body := f.do("POST", "/api/v1/me/calendar", e.tokens[n], nil)
			if status != 200 {
				t.Fatalf("calendar token of %s: %d %s", n, status, body)
			}
			feeds[n] = decodeJSON[CalendarFeed](t, body).URL
		}

		// The leader on the day before.
		*e.now = visitDay(e.visit.Day.AddDays(-1))

		principals := []struct{ name, token, inbox string }{
			{"admin", admin, township},
			{"burden", burden, township},
			{"issuer of the plan", e.token, ""},
			{"another issuer", otherIssuer, ""},
			{"cadre of the target village", cadreTarget, target},
			{"cadre of its township", cadreTown, township},
			{"auditor", auditor, township},
			{"member", e.tokens[e.member], ""},
			{"inspector not in the team", e.tokens[e.other], ""},
			{"leader, the day before", e.tokens[e.leader], ""},
			{"public", "", township},
		}
		id := itoa(e.visit.ID)
		plan := itoa(e.plan.ID)
		draw := itoa(e.draw.ID)
		paths := []string{
			"/api/v1/me/visits", "/api/v1/visits/" + id, "/api/v1/visits/" + id + "/record", "/api/v1/schedule-runs",
			"/api/v1/plans", "/api/v1/plans/" + plan, "/api/v1/plans/" + plan + "/results", "/api/v1/demands",
			"/api/v1/inspectors", "/api/v1/escalations",
			"/visits", "/visits/" + id, "/schedule", "/plans", "/plans/" + plan, "/plans/" + plan + "/results", "/draws/" + draw,
			"/inspectors", "/demands",
		}
		for _, feed := range feeds {
			paths = append(paths, feed)
		}
		seen := func(who, what string, status int, body []byte) {
			t.Helper()
			if strings.Contains(string(body), target) || strings.Contains(string(body), name) {
				t.Errorf("%s: %s (%d) shows the target %s %s: %.400s", who, what, status, target, name, body)
			}
		}
		for _, path := range paths {
			same("GET "+path, func(tok string) (int, []byte) { return f.do("GET", path, tok, nil) })
		}
		same("POST start", func(tok string) (int, []byte) { return f.do("POST", "/api/v1/visits/"+id+"/start", tok, nil) })
		same("POST page start", func(tok string) (int, []byte) { return f.do("POST", "/visits/"+id+"/start", tok, nil) })
		same("GET own inbox", func(tok string) (int, []byte) {
			if tok == cadreTarget {
				return f.do("GET", "/api/v1/units/"+target+"/inbox", tok, nil)
			}
			return f.do("GET", "/api/v1/units/"+sibling+"/inbox", tok, nil)
		})
		for _, p := range principals {
			village := p.token == cadreTarget
			for _, path := range paths {
				status, body := f.do("GET", path, p.token, nil)
				if !village {
					seen(p.name, "GET "+path, status, body)
				}
			}
			// The draw's public record: the pool is public, the selection not.
			status, body := f.do("GET", "/api/v1/draws/"+draw, p.token, nil)
			rec := decodeJSON[store.DrawRecord](t, body)
			if status != 200 || len(rec.Draw.Selected) != 0 || rec.Draw.Secret != "" {
				t.Errorf("%s: draw record %d shows the selection or the secret: %s", p.name, status, body)
			}
			status, body = f.do("GET", "/draws/"+draw+"/record.json", p.token, nil)
			var d visits.Draw
			if json.Unmarshal(body, &d) != nil || len(d.Selected) != 0 || d.Secret != "" {
				t.Errorf("%s: draw file %d shows the selection or the secret: %s", p.name, status, body)
			}
			// The inbox of the township (and of the village, for its cadre)
			// carries nothing of the visit.
			if p.inbox != "" {
				status, body = f.do("GET", "/api/v1/units/"+p.inbox+"/inbox", p.token, nil)
				for _, secret := range []string{visitItemCode, visitPlanTitle, "安全生产专项检查"} {
					if strings.Contains(string(body), secret) {
						t.Errorf("%s: inbox of %s (%d) tells of the visit: %s", p.name, p.inbox, status, body)
					}
				}
				if p.inbox == township {
					seen(p.name, "inbox of "+township, status, body)
				}
			}
			// The audit log, as far as it is about plans, draws and visits.
			status, body = f.do("GET", "/api/v1/audit?limit=500", p.token, nil)
			if status == 200 {
				for _, r := range decodeJSON[AuditList](t, body).Records {
					if visitAudit(r) {
						b, _ := json.Marshal(r)
						seen(p.name, "audit record "+r.Action, status, b)
					}
				}
			}
			// Starting: only the leader, only on the day.
			status, body = f.do("POST", "/api/v1/visits/"+id+"/start", p.token, nil)
			if status < 400 {
				t.Errorf("%s started the visit the day before: %d %s", p.name, status, body)
			}
			if !village {
				seen(p.name, "POST start", status, body)
			}
			status, body = f.do("POST", "/visits/"+id+"/start", p.token, nil)
			if status < 400 {
				t.Errorf("%s started the visit's page the day before: %d %s", p.name, status, body)
			}
			if !village {
				seen(p.name, "POST page start", status, body)
			}
		}
		if n := countAudit(t, f, "visit.reveal"); n != 0 {
			t.Fatalf("%d reveals audited before the visit", n)
		}
		// The scope oracle: schedule runs and every route that takes a
		// unit, asked unit by unit, answer alike for the drawn village and
		// another; and no probe moved the planned visit.
		probes := []scopeProbe{{"admin", "admin-cn", admin, ""}, {"burden", "burden", burden, ""}, {"issuer of the plan", "yingji", e.token, ""},
			{"another issuer", "nongye", otherIssuer, ""}, {"cadre of its township", "cadre-town", cadreTown, township}, {"auditor", "auditor", auditor, ""},
			{"member", "", e.tokens[e.member], ""}, {"leader", "", e.tokens[e.leader], ""}, {"public", "", "", ""}}
		own := func(p units.Person) []string {
			id := itoa64(p.ID)
			return []string{p.Login, "CADRE", `"id":` + id + `,`, `"id":ID,`, "/people/" + id + `"`, `/people/ID"`}
		}
		probeScopes(t, f, probes, probeUnit{target, name, own(cadreTargetP)}, probeUnit{sibling, siblingName, own(cadreSiblingP)},
			probeUnit{township, "桃花江镇", nil}, probeUnit{"430922101", "修山镇", nil})
		if v, err := f.db.Visit(context.Background(), e.visit.ID); err != nil || v.Day != e.visit.Day || v.Status != visits.Planned {
			t.Fatalf("the probes moved the sealed visit: %+v %v", v, err)
		}
		// The gate's dry run, through the API and the demand form: a
		// research visit, or an inspection approved one by one, to the
		// target in the visit's week is answered as one to the other
		// village (visit.unit.week, visit.unit.year).
		for _, who := range []struct{ login, token string }{{"yingji", e.token}, {"nongye", otherIssuer}} {
			gateSame(t, f, who.login, who.token, e.visit.Day, [2]string{target, name}, [2]string{sibling, siblingName})
		}

		// The day: the member still cannot start it, the leader can.
		*e.now = visitDay(e.visit.Day)
		if status, body := f.do("POST", "/api/v1/visits/"+id+"/start", e.tokens[e.member], nil); status != 403 {
			t.Errorf("member starts: %d %s", status, body)
		}
		status, body := f.do("GET", "/api/v1/visits/"+id, e.tokens[e.member], nil)
		seen("member before the start", "GET visit", status, body)
		status, body = f.do("POST", "/api/v1/visits/"+id+"/start", e.tokens[e.leader], nil)
		v := decodeJSON[VisitView](t, body)
		if status != 200 || v.Target == nil || v.Target.Code != target || !strings.Contains(v.Target.Name, name) || v.Status != visits.Started || !v.Leader {
			t.Fatalf("leader starts: %d %s", status, body)
		}
		if n := countAudit(t, f, "visit.reveal"); n != 1 {
			t.Errorf("%d visit.reveal records after the start, want 1", n)
		}
		status, body = f.do("GET", "/api/v1/visits/"+id, e.tokens[e.member], nil)
		if v := decodeJSON[VisitView](t, body); status != 200 || v.Target == nil || v.Target.Code != target || v.Leader {
			t.Errorf("member after the start: %d %s", status, body)
		}
		status, body = f.do("GET", feeds[e.member], "", nil)
		if status != 200 || !strings.Contains(string(body), "LOCATION:") || !strings.Contains(string(body), name) {
			t.Errorf("member's feed after the start: %d %s", status, body)
		}
		// Outside the team nothing changes.
		for _, p := range principals[:7] {
			if p.token == cadreTarget {
				continue
			}
			status, body := f.do("GET", "/api/v1/visits/"+id, p.token, nil)
			seen(p.name+" after the start", "GET visit", status, body)
			status, body = f.do("GET", "/api/v1/me/visits", p.token, nil)
			seen(p.name+" after the start", "GET my visits", status, body)
		}
		status, body = f.do("GET", "/api/v1/visits/"+id, e.tokens[e.other], nil)
		seen("inspector not in the team after the start", "GET visit", status, body)
	}
}

// visitAudit tells the audit records of plans, draws and visits from
// those of people and places, which name units in their own right.
func visitAudit(r audit.Record) bool {
	for _, p := range []string{"plan", "draw", "visit", "schedule", "inspector", "field", "photo"} {
		if strings.HasPrefix(r.Action, p) || strings.HasPrefix(r.Entity, p) {
			return true
		}
	}
	return false
}

// countAudit counts the audit records of an action.
func countAudit(t *testing.T, f *fixture, action string) int {
	t.Helper()
	recs, err := f.db.ListAudit(context.Background(), store.AuditQuery{Scopes: []string{""}, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range recs {
		if r.Action == action {
			n++
		}
	}
	return n
}

// gateSame runs the gate's dry run as an issuer, through the API and the
// demand form, on visits to a village in the week of day: a research visit
// and an inspection approved one by one. The answers for the target and
// for the other village must be the same up to the village: a sealed visit
// changes no verdict, finding or word.
func gateSame(t *testing.T, f *fixture, login, token string, day calendar.Date, target, other [2]string) {
	t.Helper()
	start := time.Date(day.Year(), day.Month(), day.Day(), 14, 0, 0, 0, gate.China)
	end := start.Add(2 * time.Hour)
	inputs := map[string]func(unit string) DemandInput{
		"research": func(unit string) DemandInput {
			return DemandInput{Kind: gate.Visit, Title: "乡村治理专题调研", Body: "座谈了解村级事务。", Targets: gate.Targets{Units: []string{unit}},
				Start: &start, End: &end, Visit: &gate.VisitInfo{Research: true}}
		},
		"inspection": func(unit string) DemandInput {
			return DemandInput{Kind: gate.Visit, Title: "信访件核查", Body: "不听汇报、不用陪同。", Targets: gate.Targets{Units: []string{unit}},
				Start: &start, End: &end, Visit: &gate.VisitInfo{Approved: true, ApprovalReason: "群众举报", Rate: 1, Team: 2}}
		},
	}
	norm := func(unit [2]string, b string) string {
		return strings.NewReplacer(unit[0], "VILLAGE", unit[1], "NAME").Replace(b)
	}
	for what, in := range inputs {
		s1, b1 := f.do("POST", "/api/v1/demands/check", token, in(target[0]))
		s2, b2 := f.do("POST", "/api/v1/demands/check", token, in(other[0]))
		if s1 != 200 || s1 != s2 || norm(target, string(b1)) != norm(other, string(b2)) {
			t.Errorf("%s: the gate answers a %s visit to the target otherwise than to the other village: %d %.600s\n%d %.600s",
				login, what, s1, b1, s2, b2)
		}
	}
	c := f.uiClient("zh")
	c.signIn(login)
	form := func(unit string, research bool) url.Values {
		v := url.Values{"kind": {"visit"}, "title": {"乡村治理专题调研"}, "body": {"座谈了解村级事务。"}, "targets": {"units"}, "units": {unit},
			"start": {start.Format("2006-01-02T15:04")}, "end": {end.Format("2006-01-02T15:04")}}
		if research {
			v.Set("visit_research", "1")
		} else {
			v.Set("visit_approved", "1")
			v.Set("visit_approval_reason", "群众举报")
			v.Set("visit_rate", "100")
			v.Set("visit_team", "2")
		}
		return v
	}
	for _, research := range []bool{true, false} {
		r1 := c.post("/demands/check", form(target[0], research))
		r2 := c.post("/demands/check", form(other[0], research))
		if r1.status != 200 || r1.status != r2.status || norm(target, r1.body) != norm(other, r2.body) {
			t.Errorf("%s: the demand form's check (research %v) answers the target otherwise than the other village: %d\n%d\n%s",
				login, research, r1.status, r2.status, firstDiff(norm(target, r1.body), norm(other, r2.body)))
		}
	}
}

// firstDiff shows where two texts part.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(0, i-200)
	return "…" + a[lo:min(len(a), i+200)] + "\n---\n…" + b[lo:min(len(b), i+200)]
}

// A schedule run that leaves a visit out says why without naming the unit
// while the draws are sealed: neither the reason's unit nor its message,
// through the API or the page. With visit.unit.year at 1 in the county, a
// second item drawing every village of the target's township the next week
// cannot visit the target again; its reason is the yearly cap.
func TestScheduleReasonsSealed(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			e := newVisitEnv(t, kind)
			f := e.f
			ctx := context.Background()
			target, name := e.visit.Unit, e.targetName()
			sibling, siblingName := "430922100202", "花果山村"
			if target == sibling {
				sibling, siblingName = "430922100201", "三里桥村"
			}
			_, burden := f.person("jianfu", "430922", "burden@430922")
			if status, body := f.do("PUT", "/api/v1/policies/430922", burden, PolicyBody{Params: map[string]int{"visit.unit.year": 1}, Note: "减负"}); status != 200 {
				t.Fatalf("policy: %d %s", status, body)
			}
			// The gate tells nothing of the target's sealed visit either.
			_, _, otherIssuer := f.issuerIn("nongye", "430922")
			next := calendar.NewDate(2026, 6, 16)
			gateSame(t, f, "nongye", otherIssuer, next, [2]string{target, name}, [2]string{sibling, siblingName})

			p := &visits.Plan{OfficeID: e.office.ID, Year: 2026, Title: "2026年桃花江镇专项检查", Items: []visits.Item{{
				Code: "AQ-2026-07", Title: "防汛专项检查", Kind: visits.Special, Scope: "430922100", Level: units.Village,
				Rate: 1, Team: 2, From: calendar.NewDate(2026, 6, 15), To: calendar.NewDate(2026, 6, 19),
				Checklist: []visits.CheckItem{{Code: "C1", Text: "防汛物资是否到位", Scoring: true}},
			}}}
			var run *store.ScheduleRun
			err := f.db.Write(ctx, store.System, func(tx *store.Tx) error {
				if err := tx.SavePlan(ctx, p); err != nil {
					return err
				}
				if err := tx.SetPlanStatus(ctx, p.ID, visits.PlanApproved); err != nil {
					return err
				}
				d, err := tx.CommitItemDraw(ctx, p.Items[0].ID)
				if err != nil {
					return err
				}
				if err := tx.RunDraw(ctx, d, "福利彩票 2026061期"); err != nil {
					return err
				}
				run, err = tx.ScheduleWindow(ctx, "430922", calendar.NewDate(2026, 6, 15), calendar.NewDate(2026, 6, 19), visits.Options{}, "")
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(run.Unscheduled()) != 1 || run.Unscheduled()[0].Unit != target || run.Unscheduled()[0].Reasons[0].Rule != visits.RuleYear {
				t.Fatalf("unscheduled: %+v", run.Unscheduled())
			}
			// While sealed, the run shows none of it: not the unit, not
			// even that a visit went unplaced, and why.
			status, body := f.do("GET", "/api/v1/schedule-runs", burden, nil)
			if status != 200 || strings.Contains(string(body), `"rule":"visit.unit.year"`) || !strings.Contains(string(body), `"sealed":true`) {
				t.Fatalf("runs: %d %s", status, body)
			}
			if strings.Contains(string(body), target) || strings.Contains(string(body), name) {
				t.Errorf("the runs name the sealed target %s: %s", target, body)
			}
			for _, lang := range []string{"zh", "en"} {
				c := f.uiClient(lang)
				c.signIn("jianfu")
				r := c.get("/schedule")
				uiMust(t, r, http.StatusOK, map[string]string{"zh": "抽签公开前不显示它的数字", "en": "its figures and unplaced visits are shown once the draws are revealed"}[lang])
				uiMustNot(t, r, target, name, "visit.unit.year")
			}
		})
	}
}
