package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"lighten/internal/access"
	"lighten/internal/collect"
	"lighten/internal/duties"
	"lighten/internal/gate"
	"lighten/internal/store"
	"lighten/internal/units"
	"lighten/internal/visits"
)

// Who may do what where. Each row names a route, the place in the tree it
// acts on, and for each principal below whether the request is allowed
// (Y: a 2xx answer) or denied (-: 401, 403 or 404). "in" is the township
// 430922100 in 桃江县; "out" is the township 430923100 in the neighbouring
// 安化县. Every route the server has must have a row.

type authzPrincipal struct {
	name   string
	unit   string
	grants []string
}

var authzPrincipals = []authzPrincipal{
	{"public", "", nil},
	{"admin-cn", "430922", []string{"admin@"}},
	{"admin-county", "430922", []string{"admin@430922"}},
	{"burden", "430922", []string{"burden@430922"}},
	{"issuer", "430922", []string{"issuer@430922"}},
	{"cadre-town", "430922100", []string{"cadre@430922100"}},
	{"cadre-village", "430922100201", []string{"cadre@430922100201"}},
	{"inspector", "430922", []string{"inspector@430922"}},
	{"auditor-county", "430922", []string{"auditor@430922"}},
	{"auditor-cn", "430922", []string{"auditor@"}},
}

var places = map[string]string{"in": "430922100", "out": "430923100", "": "430922100", "wide": "430922100", "reach": "430922100"}

// beyondHome are the roles that targets of the person rows hold besides
// cadre at their home: "wide" is homed in 桃花江镇 of 桃江县 but administers
// the whole country (as the README's first administrator is made), "reach"
// is homed there too but is also a cadre of 东坪镇 in 安化县. Only a scope
// covering every one of their roles may change them.
var beyondHome = map[string][]string{"wide": {"admin@"}, "reach": {"cadre@430923100"}}

type authzEnv struct {
	f      *fixture
	tokens map[string]string
	people map[string]units.Person
	office map[string]units.Office // by place
	issuer units.Office            // the issuer principal's office, at 桃江县
	shared *store.DemandRecord
	n      int
	now    *time.Time // the store's clock
	visits *authzVisits
}

// draft saves a report of the issuer's office; with submit it goes
// through the gate (and is admitted).
// done is an admitted demand that the unit has marked done.
func (e *authzEnv) done(unit string) *store.DemandRecord {
	rec := e.draft(true)
	ctx := context.Background()
	if err := e.f.db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.MarkDone(ctx, rec, unit, "已报") }); err != nil {
		e.f.t.Fatal(err)
	}
	return rec
}

func (e *authzEnv) draft(submit bool, change ...func(*gate.Demand)) *store.DemandRecord {
	d := goodReport(e.issuer)
	for _, c := range change {
		c(d)
	}
	return e.f.demand(e.f.t, d, submit)
}

func demandPath(e *authzEnv, rec *store.DemandRecord, suffix string) string {
	return fmt.Sprintf("/api/v1/demands/%d%s", rec.ID, suffix)
}

// inReview makes a demand that the gate sends to review.
func inReview(d *gate.Demand) { d.Body += "完成后上传截图。" }

// target makes a fresh person at a place, holding cadre there, so that
// changing it never depends on an earlier request.
func (e *authzEnv) target(place string) units.Person {
	e.n++
	p, _ := e.f.person(fmt.Sprintf("target-%d", e.n), places[place], append([]string{"cadre@" + places[place]}, beyondHome[place]...)...)
	return p
}

// authzRequest is one request of the table. A body of type url.Values is
// a page's form, sent as application/x-www-form-urlencoded; any other body
// is sent as JSON.
type authzRequest struct {
	method, path string
	body         any
}

type authzCase struct {
	route string // "METHOD pattern", as in the route table
	place string
	want  string // one letter per principal, in the order of authzPrincipals
	req   func(e *authzEnv, who authzPrincipal, place string) authzRequest
}

func get(path string) func(*authzEnv, authzPrincipal, string) authzRequest {
	return func(*authzEnv, authzPrincipal, string) authzRequest { return authzRequest{"GET", path, nil} }
}

var apiAuthzCases = []authzCase{
	{"GET /api/v1/openapi.json", "", "YYYYYYYYYY", get("/api/v1/openapi.json")},
	{"GET /api/v1/units", "", "YYYYYYYYYY", get("/api/v1/units?q=" + url.QueryEscape("桃"))},
	{"GET /api/v1/units/{code}", "", "YYYYYYYYYY", get("/api/v1/units/430922100201")},
	{"POST /api/v1/session", "", "YYYYYYYYYY", func(e *authzEnv, who authzPrincipal, _ string) authzRequest {
		login := who.name
		if login == "public" {
			login = "admin-cn"
		}
		return authzRequest{"POST", "/api/v1/session", SignInBody{Login: login, Password: fixturePassword}}
	}},
	{"DELETE /api/v1/session", "", "-YYYYYYYYY", func(*authzEnv, authzPrincipal, string) authzRequest {
		return authzRequest{"DELETE", "/api/v1/session", nil}
	}},
	{"GET /api/v1/me", "", "-YYYYYYYYY", get("/api/v1/me")},
	{"POST /api/v1/me/password", "", "-YYYYYYYYY", func(*authzEnv, authzPrincipal, string) authzRequest {
		return authzRequest{"POST", "/api/v1/me/password", PasswordBody{Current: fixturePassword, Password: "a new long password"}}
	}},
	{"GET /api/v1/me/tokens", "", "-YYYYYYYYY", get("/api/v1/me/tokens")},
	{"POST /api/v1/me/tokens", "", "-YYYYYYYYY", func(*authzEnv, authzPrincipal, string) authzRequest {
		return authzRequest{"POST", "/api/v1/me/tokens", NewTokenBody{Name: "robot", Days: 30}}
	}},
	{"DELETE /api/v1/me/tokens/{id}", "", "-YYYYYYYYY", func(e *authzEnv, who authzPrincipal, _ string) authzRequest {
		id := int64(1)
		if p, ok := e.people[who.name]; ok {
			err := e.f.db.Write(context.Background(), store.System, func(tx *store.Tx) error {
				t, _, err := tx.CreateAPIToken(context.Background(), p, "spare", 0)
				id = t.ID
				return err
			})
			if err != nil {
				e.f.t.Fatal(err)
			}
		}
		return authzRequest{"DELETE", fmt.Sprintf("/api/v1/me/tokens/%d", id), nil}
	}},
	{"GET /api/v1/offices", "", "-YYYYYYYYY", get("/api/v1/offices")},
	{"POST /api/v1/offices", "in", "-YY-------", postOffice},
	{"POST /api/v1/offices", "out", "-Y--------", postOffice},
	{"GET /api/v1/offices/{id}", "in", "-YYYYY-YYY", getOffice},
	{"GET /api/v1/offices/{id}", "out", "-Y-------Y", getOffice},
	{"GET /api/v1/people", "", "-YYYYYY-YY", get("/api/v1/people")},
	{"POST /api/v1/people", "in", "-YY-------", postPerson},
	{"POST /api/v1/people", "out", "-Y--------", postPerson},
	{"GET /api/v1/people/{id}", "in", "-YYYYY--YY", func(e *authzEnv, _ authzPrincipal, place string) authzRequest {
		return authzRequest{"GET", fmt.Sprintf("/api/v1/people/%d", e.target(place).ID), nil}
	}},
	{"GET /api/v1/people/{id}", "out", "-Y-------Y", func(e *authzEnv, _ authzPrincipal, place string) authzRequest {
		return authzRequest{"GET", fmt.Sprintf("/api/v1/people/%d", e.target(place).ID), nil}
	}},
	{"GET /api/v1/people/{id}", "wide", "-YYYYY--YY", func(e *authzEnv, _ authzPrincipal, place string) authzRequest {
		return authzRequest{"GET", fmt.Sprintf("/api/v1/people/%d", e.target(place).ID), nil}
	}},
	{"POST /api/v1/people/{id}/grants", "in", "-YY-------", postGrant},
	{"POST /api/v1/people/{id}/grants", "out", "-Y--------", postGrant},
	{"POST /api/v1/people/{id}/grants", "wide", "-Y--------", postGrant},
	{"POST /api/v1/people/{id}/grants", "reach", "-Y--------", postGrant},
	{"DELETE /api/v1/people/{id}/grants", "in", "-YY-------", deleteGrant},
	{"DELETE /api/v1/people/{id}/grants", "out", "-Y--------", deleteGrant},
	{"DELETE /api/v1/people/{id}/grants", "wide", "-Y--------", deleteGrant},
	{"DELETE /api/v1/people/{id}/grants", "reach", "-Y--------", deleteGrant},
	{"POST /api/v1/people/{id}/disabled", "in", "-YY-------", postDisabled},
	{"POST /api/v1/people/{id}/disabled", "out", "-Y--------", postDisabled},
	{"POST /api/v1/people/{id}/disabled", "wide", "-Y--------", postDisabled},
	{"POST /api/v1/people/{id}/disabled", "reach", "-Y--------", postDisabled},
	{"POST /api/v1/people/{id}/password", "in", "-YY-------", postPassword},
	{"POST /api/v1/people/{id}/password", "out", "-Y--------", postPassword},
	{"POST /api/v1/people/{id}/password", "wide", "-Y--------", postPassword},
	{"POST /api/v1/people/{id}/password", "reach", "-Y--------", postPassword},
	{"GET /api/v1/people/{id}/signin-lock", "in", "-YY-------", personPath("GET", "/signin-lock")},
	{"GET /api/v1/people/{id}/signin-lock", "out", "-Y--------", personPath("GET", "/signin-lock")},
	{"GET /api/v1/people/{id}/signin-lock", "wide", "-Y--------", personPath("GET", "/signin-lock")},
	{"GET /api/v1/people/{id}/signin-lock", "reach", "-Y--------", personPath("GET", "/signin-lock")},
	{"DELETE /api/v1/people/{id}/signin-lock", "in", "-YY-------", personPath("DELETE", "/signin-lock")},
	{"DELETE /api/v1/people/{id}/signin-lock", "out", "-Y--------", personPath("DELETE", "/signin-lock")},
	{"DELETE /api/v1/people/{id}/signin-lock", "wide", "-Y--------", personPath("DELETE", "/signin-lock")},
	{"DELETE /api/v1/people/{id}/signin-lock", "reach", "-Y--------", personPath("DELETE", "/signin-lock")},
	{"POST /people/{id}/signin-lock/clear", "in", "-YY-------", uiPersonForm("/signin-lock/clear")},
	{"POST /people/{id}/signin-lock/clear", "out", "-Y--------", uiPersonForm("/signin-lock/clear")},
	{"POST /people/{id}/signin-lock/clear", "wide", "-Y--------", uiPersonForm("/signin-lock/clear")},
	{"POST /people/{id}/signin-lock/clear", "reach", "-Y--------", uiPersonForm("/signin-lock/clear")},
	{"GET /api/v1/audit", "", "-YY-----YY", get("/api/v1/audit")},
	{"GET /api/v1/audit/verify", "", "-Y-------Y", get("/api/v1/audit/verify")},

	{"GET /api/v1/demands", "", "-YYYY---YY", get("/api/v1/demands")},
	{"POST /api/v1/demands", "in", "----Y-----", postDemand("/api/v1/demands")},
	{"POST /api/v1/demands", "out", "----------", postDemand("/api/v1/demands")},
	{"POST /api/v1/demands/check", "in", "----Y-----", postDemand("/api/v1/demands/check")},
	{"POST /api/v1/demands/check", "out", "----------", postDemand("/api/v1/demands/check")},
	{"GET /api/v1/demands/{id}", "", "-YYYY---YY", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"GET", demandPath(e, e.draft(false), ""), nil}
	}},
	{"PUT /api/v1/demands/{id}", "", "----Y-----", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"PUT", demandPath(e, e.draft(false), ""), demandInput(places["in"])}
	}},
	{"POST /api/v1/demands/{id}/check", "", "----Y-----", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", demandPath(e, e.draft(false), "/check"), nil}
	}},
	{"POST /api/v1/demands/{id}/submit", "", "----Y-----", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", demandPath(e, e.draft(false), "/submit"), nil}
	}},
	{"POST /api/v1/demands/{id}/withdraw", "", "----Y-----", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", demandPath(e, e.draft(true), "/withdraw"), ReasonBody{Reason: "合并到季度报表"}}
	}},
	{"POST /api/v1/demands/{id}/close", "", "----Y-----", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", demandPath(e, e.draft(true), "/close"), ReasonBody{Reason: "已完成"}}
	}},
	{"POST /api/v1/demands/{id}/decision", "", "---Y------", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", demandPath(e, e.draft(true, inReview), "/decision"), DecisionBody{Admit: true, Reason: "截图用于核对，不作考核"}}
	}},
	{"GET /api/v1/review", "", "---Y------", get("/api/v1/review")},
	{"GET /api/v1/review/stats", "", "-YYYY---YY", get("/api/v1/review/stats")},
	{"GET /api/v1/units/{code}/inbox", "in", "-YYY-Y--YY", func(_ *authzEnv, _ authzPrincipal, place string) authzRequest {
		return authzRequest{"GET", "/api/v1/units/" + places[place] + "/inbox", nil}
	}},
	{"GET /api/v1/units/{code}/inbox", "out", "-Y-------Y", func(_ *authzEnv, _ authzPrincipal, place string) authzRequest {
		return authzRequest{"GET", "/api/v1/units/" + places[place] + "/inbox", nil}
	}},
	{"POST /api/v1/units/{code}/inbox/{id}/done", "in", "-----Y----", func(e *authzEnv, _ authzPrincipal, place string) authzRequest {
		return authzRequest{"POST", fmt.Sprintf("/api/v1/units/%s/inbox/%d/done", places[place], e.draft(true).ID), DoneBody{Note: "已报"}}
	}},
	{"POST /api/v1/units/{code}/inbox/{id}/undo", "in", "-----Y----", func(e *authzEnv, _ authzPrincipal, place string) authzRequest {
		return authzRequest{"POST", fmt.Sprintf("/api/v1/units/%s/inbox/%d/undo", places[place], e.done(places[place]).ID), UndoBody{Reason: "误点"}}
	}},
	{"GET /api/v1/policies/{code}", "", "YYYYYYYYYY", get("/api/v1/policies/430922")},
	{"PUT /api/v1/policies/{code}", "in", "---Y------", putPolicy},
	{"PUT /api/v1/policies/{code}", "out", "----------", putPolicy},

	{"GET /api/v1/duties/{code}", "", "YYYYYYYYYY", get("/api/v1/duties/430922100")},
	{"GET /api/v1/duty-lists", "", "YYYYYYYYYY", get("/api/v1/duty-lists?owner=430922")},
	{"POST /api/v1/duty-lists", "in", "---Y------", postDutyList},
	{"POST /api/v1/duty-lists", "out", "----------", postDutyList},
	{"GET /api/v1/pledge-items", "", "YYYYYYYYYY", get("/api/v1/pledge-items")},
	{"POST /api/v1/pledge-items", "in", "---Y------", postPledgeItem},
	{"POST /api/v1/pledge-items", "out", "----------", postPledgeItem},
	{"POST /api/v1/units/{code}/inbox/{id}/refuse", "in", "-----Y----", func(e *authzEnv, _ authzPrincipal, place string) authzRequest {
		return authzRequest{"POST", fmt.Sprintf("/api/v1/units/%s/inbox/%d/refuse", places[place], e.draft(true).ID), RefuseBody{Reason: "不属于乡镇职责"}}
	}},
	{"GET /api/v1/refusals", "", "---Y------", get("/api/v1/refusals")},
	{"POST /api/v1/refusals/{id}/decision", "", "---Y------", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", fmt.Sprintf("/api/v1/refusals/%d/decision", e.refusal().ID), UpholdBody{Uphold: true, Reason: "确属部门职责"}}
	}},
	{"POST /api/v1/escalations", "in", "-----Y----", func(e *authzEnv, _ authzPrincipal, place string) authzRequest {
		return authzRequest{"POST", "/api/v1/escalations", EscalationBody{Unit: places[place], Title: "河道非法采砂", Description: "需执法部门到场", Offices: []int64{e.issuer.ID}}}
	}},
	{"GET /api/v1/escalations", "", "-YYYYYYYYY", get("/api/v1/escalations")},
	{"POST /api/v1/escalations/{id}/ack", "", "----Y-----", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", fmt.Sprintf("/api/v1/escalations/%d/ack", e.escalation().ID), nil}
	}},
	{"POST /api/v1/escalations/{id}/respond", "", "----Y-----", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", fmt.Sprintf("/api/v1/escalations/%d/respond", e.escalation().ID), ResponseBody{Response: "已派员到场处置"}}
	}},
	{"GET /api/v1/duties-stats", "", "-YYYY---YY", get("/api/v1/duties-stats")},

	{"POST /api/v1/draws", "in", "----Y-----", func(_ *authzEnv, _ authzPrincipal, place string) authzRequest {
		return authzRequest{"POST", "/api/v1/draws", DrawBody{Plan: "检查计划", Level: units.Village, Under: places[place][:6], Rate: 0.5,
			MinPerTier: 1, RevealAfter: "2030-01-01"}}
	}},
	{"POST /api/v1/draws", "out", "----------", func(_ *authzEnv, _ authzPrincipal, place string) authzRequest {
		return authzRequest{"POST", "/api/v1/draws", DrawBody{Plan: "检查计划", Level: units.Village, Under: places[place][:6], Rate: 0.5,
			MinPerTier: 1, RevealAfter: "2030-01-01"}}
	}},
	{"GET /api/v1/draws", "", "YYYYYYYYYY", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"GET", "/api/v1/draws?year=2026&place=430922", nil}
	}},
	{"GET /api/v1/draws/{id}", "", "YYYYYYYYYY", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"GET", fmt.Sprintf("/api/v1/draws/%d", e.draw(true).ID), nil}
	}},
	{"POST /api/v1/draws/{id}/run", "", "----Y-----", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", fmt.Sprintf("/api/v1/draws/%d/run", e.draw(false).ID), PublicValueBody{Value: "beacon"}}
	}},
	{"POST /api/v1/draws/{id}/reveal", "", "----Y-----", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", fmt.Sprintf("/api/v1/draws/%d/reveal", e.draw(true).ID), nil}
	}},

	{"GET /api/v1/elements", "", "YYYYYYYYYY", get("/api/v1/elements")},
	{"POST /api/v1/elements", "", "---YY-----", func(e *authzEnv, who authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", "/api/v1/elements", collect.Element{Code: "X-" + who.name, Name: "耕地面积", Type: collect.Decimal,
			Period: collect.Year, Owner: e.issuer.ID}}
	}},
	{"POST /api/v1/elements/{element}/decision", "", "---Y------", func(e *authzEnv, who authzPrincipal, _ string) authzRequest {
		code := "P-" + who.name
		el := &collect.Element{Code: code, Name: "新数据元", Type: collect.Integer, Period: collect.Year, Owner: e.issuer.ID, Status: collect.Proposed}
		if err := e.f.db.Write(context.Background(), store.System, func(tx *store.Tx) error { return tx.SaveElement(context.Background(), el) }); err != nil {
			e.f.t.Fatal(err)
		}
		return authzRequest{"POST", "/api/v1/elements/" + code + "/decision", ElementDecision{Approve: true, Reason: "与现有数据元不重复"}}
	}},
	{"POST /api/v1/element-rules", "", "---Y------", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		e.elements()
		return authzRequest{"POST", "/api/v1/element-rules", collect.Rule{Left: "HH", Op: "<=", Right: "POP"}}
	}},
	{"GET /api/v1/units/{code}/reports/{id}", "in", "-YYY-Y--YY", func(e *authzEnv, _ authzPrincipal, place string) authzRequest {
		return authzRequest{"GET", fmt.Sprintf("/api/v1/units/%s/reports/%d", places[place], e.report().ID), nil}
	}},
	{"POST /api/v1/units/{code}/reports/{id}/submission", "in", "-----Y----", func(e *authzEnv, _ authzPrincipal, place string) authzRequest {
		return authzRequest{"POST", fmt.Sprintf("/api/v1/units/%s/reports/%d/submission", places[place], e.report().ID), collect.Submission{Values: map[string]string{}}}
	}},
	{"POST /api/v1/reports/{id}/submissions", "in", "-----Y----", func(e *authzEnv, _ authzPrincipal, place string) authzRequest {
		return authzRequest{"POST", fmt.Sprintf("/api/v1/reports/%d/submissions", e.report().ID), []collect.Submission{{Unit: places[place], Values: map[string]string{}}}}
	}},
	{"GET /api/v1/reports/{id}/completeness", "", "-YYYY---YY", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"GET", fmt.Sprintf("/api/v1/reports/%d/completeness", e.report().ID), nil}
	}},
	{"GET /api/v1/reports/{id}/answer", "", "-YYYY---YY", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"GET", fmt.Sprintf("/api/v1/reports/%d/answer", e.report().ID), nil}
	}},
	// The readers rule: the unit's inbox readers, and office staff in scope
	// for the elements their office reads (the issuer's office owns HH).
	{"GET /api/v1/units/{code}/values/{element}", "in", "-YYYYY--YY", getHistory},
	{"GET /api/v1/units/{code}/values/{element}", "out", "-Y-------Y", getHistory},
}

func getHistory(e *authzEnv, _ authzPrincipal, place string) authzRequest {
	e.elements()
	return authzRequest{"GET", "/api/v1/units/" + places[place] + "/values/HH?period=2026", nil}
}

// report is one admitted report of the issuer's office, made on first use:
// an office may send only so many reports a quarter.
func (e *authzEnv) report() *store.DemandRecord {
	if e.shared == nil {
		e.shared = e.draft(true)
	}
	return e.shared
}

// draw makes a draw of the issuer's office, committed or drawn.
func (e *authzEnv) draw(run bool) *store.DrawRecord {
	ctx := context.Background()
	d := &visits.Draw{Plan: "检查计划", MinPerTier: 1, Tiers: []visits.Tier{{Name: "all", Rate: 0.5, Units: []string{"430922100201", "430922100202"}}}}
	var rec *store.DrawRecord
	err := e.f.db.Write(ctx, store.System, func(tx *store.Tx) error {
		var err error
		if rec, err = tx.CreateDraw(ctx, e.issuer.ID, d, time.Now().Add(-time.Hour)); err != nil {
			return err
		}
		if run {
			return tx.RunDraw(ctx, rec, "public value")
		}
		return nil
	})
	if err != nil {
		e.f.t.Fatal(err)
	}
	return rec
}

// elements makes two numeric elements of the issuer's office, once.
func (e *authzEnv) elements() {
	ctx := context.Background()
	err := e.f.db.Write(ctx, store.System, func(tx *store.Tx) error {
		for _, c := range []string{"HH", "POP"} {
			el := &collect.Element{Code: c, Name: c, Type: collect.Integer, Period: collect.Year, Owner: e.issuer.ID, Status: collect.Approved}
			if err := tx.SaveElement(ctx, el); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		e.f.t.Fatal(err)
	}
}

func postDutyList(e *authzEnv, who authzPrincipal, place string) authzRequest {
	return authzRequest{"POST", "/api/v1/duty-lists", DutyListBody{Owner: places[place][:6], Level: units.Township, Effective: "2026-01-01",
		Matters: []duties.Matter{{Code: "T01", Name: "最低生活保障申请受理", Category: duties.Own, Basis: "《社会救助暂行办法》"}}}}
}

func postPledgeItem(e *authzEnv, who authzPrincipal, place string) authzRequest {
	return authzRequest{"POST", "/api/v1/pledge-items", duties.PledgeItem{Code: "P-" + who.name, Owner: places[place][:6], Name: "安全生产目标责任",
		ApprovedBy: "县委县政府", ValidUntil: time.Date(2027, 12, 31, 0, 0, 0, 0, gate.China)}}
}

// refusal makes a pending "not ours" by the township of an admitted demand.
func (e *authzEnv) refusal() store.Refusal {
	rec := e.draft(true)
	var r store.Refusal
	err := e.f.db.Write(context.Background(), store.System, func(tx *store.Tx) error {
		var err error
		r, err = tx.Refuse(context.Background(), rec, places["in"], "", "不属于乡镇职责")
		return err
	})
	if err != nil {
		e.f.t.Fatal(err)
	}
	return r
}

// escalation makes an escalation by the township summoning the issuer's office.
func (e *authzEnv) escalation() *duties.Escalation {
	es := &duties.Escalation{Unit: places["in"], Title: "河道非法采砂", Description: "需执法部门到场",
		AckBy: time.Now().Add(24 * time.Hour), RespondBy: time.Now().Add(120 * time.Hour),
		Calls: []duties.Call{{OfficeID: e.issuer.ID}}}
	if err := e.f.db.Write(context.Background(), store.System, func(tx *store.Tx) error { return tx.CreateEscalation(context.Background(), es) }); err != nil {
		e.f.t.Fatal(err)
	}
	return es
}

func postDemand(path string) func(*authzEnv, authzPrincipal, string) authzRequest {
	return func(_ *authzEnv, _ authzPrincipal, place string) authzRequest {
		return authzRequest{"POST", path, demandInput(places[place])}
	}
}

func demandInput(township string) DemandInput {
	due := workday(10)
	return DemandInput{Kind: gate.Report, Title: "春耕生产情况统计", Body: "请填报春耕面积。",
		Targets: gate.Targets{Units: []string{township}}, Due: &due, Asks: gate.Asks{Fields: []gate.Field{{Name: "春耕面积"}}}}
}

func putPolicy(_ *authzEnv, _ authzPrincipal, place string) authzRequest {
	return authzRequest{"PUT", "/api/v1/policies/" + places[place], PolicyBody{Params: map[string]int{"lead.time.report": 7}, Note: "春耕期间从严"}}
}

func postOffice(e *authzEnv, who authzPrincipal, place string) authzRequest {
	return authzRequest{"POST", "/api/v1/offices", NewOfficeBody{Unit: places[place], Name: "office by " + who.name}}
}

func getOffice(e *authzEnv, _ authzPrincipal, place string) authzRequest {
	return authzRequest{"GET", fmt.Sprintf("/api/v1/offices/%d", e.office[place].ID), nil}
}

func postPerson(e *authzEnv, who authzPrincipal, place string) authzRequest {
	return authzRequest{"POST", "/api/v1/people", NewPersonBody{Login: "new-" + who.name, Name: "new", Unit: places[place],
		Password: "a long enough password", Grants: []units.Grant{{Role: units.RoleCadre, UnitCode: places[place]}}}}
}

func postGrant(e *authzEnv, _ authzPrincipal, place string) authzRequest {
	return authzRequest{"POST", fmt.Sprintf("/api/v1/people/%d/grants", e.target(place).ID), units.Grant{Role: units.RoleInspector, UnitCode: places[place]}}
}

func deleteGrant(e *authzEnv, _ authzPrincipal, place string) authzRequest {
	return authzRequest{"DELETE", fmt.Sprintf("/api/v1/people/%d/grants?role=cadre&unit=%s", e.target(place).ID, places[place]), nil}
}

func postDisabled(e *authzEnv, _ authzPrincipal, place string) authzRequest {
	return authzRequest{"POST", fmt.Sprintf("/api/v1/people/%d/disabled", e.target(place).ID), DisableBody{Disabled: true, Reason: "left the township"}}
}

// personPath is a request without a body about a fresh target person.
func personPath(method, suffix string) func(*authzEnv, authzPrincipal, string) authzRequest {
	return func(e *authzEnv, _ authzPrincipal, place string) authzRequest {
		return authzRequest{method, fmt.Sprintf("/api/v1/people/%d%s", e.target(place).ID, suffix), nil}
	}
}

// uiPersonForm posts an empty form about a fresh target person from the page.
func uiPersonForm(suffix string) func(*authzEnv, authzPrincipal, string) authzRequest {
	return func(e *authzEnv, _ authzPrincipal, place string) authzRequest {
		return authzRequest{"POST", fmt.Sprintf("/people/%d%s", e.target(place).ID, suffix), url.Values{}}
	}
}

func postPassword(e *authzEnv, _ authzPrincipal, place string) authzRequest {
	return authzRequest{"POST", fmt.Sprintf("/api/v1/people/%d/password", e.target(place).ID), PasswordBody{Password: "another long password"}}
}

// authzCases lists the API rows and, from ui_authz_test.go, the pages'.
func authzCases() []authzCase {
	return append(append(append(append([]authzCase(nil), apiAuthzCases...), uiAuthzCases...), fileAuthzCases...), visitAuthzCases...)
}

func TestAuthorizationTableCoversEveryRoute(t *testing.T) {
	f := newFixture(t, store.SQLite)
	have := map[string]bool{}
	for _, c := range authzCases() {
		have[c.route] = true
		if len(c.want) != len(authzPrincipals) {
			t.Errorf("%s %s: %d letters for %d principals", c.route, c.place, len(c.want), len(authzPrincipals))
		}
	}
	for _, rt := range f.srv.Routes() {
		if key := rt.Method + " " + rt.Pattern; !have[key] {
			t.Errorf("route %s has no row in the authorization table", key)
		}
	}
}

// Every route that changes a person (an API or page route writing people
// with a person's id in its path) has rows for targets whose roles reach
// beyond their home unit, so that the table fails if a smaller scope may
// act on a person who reaches further.
func TestAuthorizationTableHasWideTargetsForPersonRoutes(t *testing.T) {
	f := newFixture(t, store.SQLite)
	have := map[string]bool{}
	for _, c := range authzCases() {
		have[c.route+" "+c.place] = true
	}
	n := 0
	for _, rt := range f.srv.Routes() {
		if rt.Action != access.WritePeople || !strings.Contains(rt.Pattern, "/people/{id}") {
			continue
		}
		n++
		for place := range beyondHome {
			if key := rt.Method + " " + rt.Pattern; !have[key+" "+place] {
				t.Errorf("route %s has no row for the %q target", key, place)
			}
		}
	}
	if n < 7 {
		t.Errorf("found %d person-changing routes; the route table lost their action?", n)
	}
}

func TestAuthorizationTable(t *testing.T) {
	for _, c := range authzCases() {
		t.Run(strings.ReplaceAll(c.route, "/", "_")+"_"+c.place, func(t *testing.T) {
			now := time.Now()
			f := newFixtureAt(t, store.SQLite, &now)
			e := &authzEnv{f: f, tokens: map[string]string{}, people: map[string]units.Person{}, office: map[string]units.Office{}, now: &now}
			for _, p := range authzPrincipals[1:] {
				if p.name == "issuer" {
					var person units.Person
					e.issuer, person, e.tokens[p.name] = f.issuerIn(p.name, p.unit)
					e.people[p.name] = person
					continue
				}
				e.people[p.name], e.tokens[p.name] = f.person(p.name, p.unit, p.grants...)
			}
			e.office["in"] = f.office(places["in"], "桃花江镇党政综合办公室")
			e.office["out"] = f.office(places["out"], "东坪镇党政综合办公室")
			// send posts a form as a browser does, and anything else as JSON.
			send := func(rq authzRequest, token string) (int, []byte) {
				var req *http.Request
				var err error
				switch body := rq.body.(type) {
				case url.Values:
					req, err = http.NewRequest(rq.method, f.ts.URL+rq.path, strings.NewReader(body.Encode()))
					if err != nil {
						t.Fatal(err)
					}
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				case multipartBody:
					ctype, data := body.encode(t)
					req, err = http.NewRequest(rq.method, f.ts.URL+rq.path, bytes.NewReader(data))
					if err != nil {
						t.Fatal(err)
					}
					req.Header.Set("Content-Type", ctype)
				default:
					return f.do(rq.method, rq.path, token, rq.body)
				}
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				f.location = resp.Header.Get("Location")
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, b
			}
			for i, who := range authzPrincipals {
				rq := c.req(e, who, c.place)
				status, body := send(rq, e.tokens[who.name])
				toSignIn := status == 303 && strings.HasPrefix(f.location, "/signin")
				allowed := status >= 200 && status < 300 || status == 303 && !toSignIn
				denied := status == 401 || status == 403 || status == 404 || toSignIn
				switch {
				case c.want[i] == 'Y' && !allowed:
					t.Errorf("%s %s as %s: want allowed, got %d %s", rq.method, rq.path, who.name, status, body)
				case c.want[i] == '-' && !denied:
					t.Errorf("%s %s as %s: want denied, got %d %s", rq.method, rq.path, who.name, status, body)
				}
			}
		})
	}
}
