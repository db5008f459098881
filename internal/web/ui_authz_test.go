package web

import (
	"context"
	"fmt"
	"net/url"

	"lighten/internal/collect"
	"lighten/internal/gate"
	"lighten/internal/store"
)

// uiAuthzCases are the pages' rows of the authorization table. Pages that
// need a person send the public to the sign-in page, which counts as
// denied. Forms are posted as a browser posts them (a url.Values body).
var uiAuthzCases = []authzCase{
	{"GET /{$}", "", "YYYYYYYYYY", get("/")},
	{"GET /units", "", "YYYYYYYYYY", get("/units?q=" + url.QueryEscape("桃"))},
	{"GET /units/{code}", "in", "YYYYYYYYYY", get("/units/430922100")},
	{"GET /units/{code}", "out", "YYYYYYYYYY", get("/units/430923100")},
	{"GET /units/{code}/children", "", "YYYYYYYYYY", get("/units/430922/children")},
	{"GET /search", "", "YYYYYYYYYY", get("/search?q=" + url.QueryEscape("三里"))},
	{"GET /offices", "", "-YYYYYYYYY", get("/offices")},
	{"GET /people", "", "-YYYYYY-YY", get("/people")},
	{"GET /people/{id}", "in", "-YYYYY--YY", uiPersonPage},
	{"GET /people/{id}", "out", "-Y-------Y", uiPersonPage},
	{"GET /audit", "", "-YY-----YY", get("/audit")},
	{"GET /audit/export.csv", "", "-YY-----YY", get("/audit/export.csv")},
	{"GET /me", "", "-YYYYYYYYY", get("/me")},
	{"POST /me/tokens", "", "-YYYYYYYYY", uiForm("/me/tokens", url.Values{"name": {"robot"}, "days": {"30"}})},
	{"POST /me/tokens/{id}/revoke", "", "-YYYYYYYYY", func(e *authzEnv, who authzPrincipal, _ string) authzRequest {
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
		return authzRequest{"POST", fmt.Sprintf("/me/tokens/%d/revoke", id), nil}
	}},
	{"POST /me/password", "", "-YYYYYYYYY", uiForm("/me/password",
		url.Values{"current": {fixturePassword}, "password": {"a new long password"}, "confirm": {"a new long password"}})},
	{"GET /signin", "", "YYYYYYYYYY", get("/signin")},
	{"POST /signin", "", "YYYYYYYYYY", func(_ *authzEnv, who authzPrincipal, _ string) authzRequest {
		login := who.name
		if login == "public" {
			login = "admin-cn"
		}
		return authzRequest{"POST", "/signin", url.Values{"login": {login}, "password": {fixturePassword}, "next": {"/me"}}}
	}},
	{"POST /signout", "", "YYYYYYYYYY", uiPost("/signout")},
	{"GET /lang/{lang}", "", "YYYYYYYYYY", get("/lang/zh?next=/units")},
	{"GET /static/{file}", "", "YYYYYYYYYY", func(*authzEnv, authzPrincipal, string) authzRequest {
		u, _ := assetURL("app.css")
		return authzRequest{"GET", u, nil}
	}},

	{"GET /demands", "", "-YYYY---YY", get("/demands")},
	{"GET /demands/new", "", "----Y-----", get("/demands/new")},
	{"GET /demands/units", "", "YYYYYYYYYY", get("/demands/units?under_q=" + url.QueryEscape("桃"))},
	{"POST /demands", "in", "----Y-----", uiDemandPost("/demands")},
	{"POST /demands", "out", "----------", uiDemandPost("/demands")},
	{"POST /demands/check", "in", "----Y-----", uiDemandPost("/demands/check")},
	{"POST /demands/check", "out", "----------", uiDemandPost("/demands/check")},
	{"GET /demands/{id}", "", "-YYYY---YY", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"GET", uiDemandPath(e.draft(false), ""), nil}
	}},
	{"GET /demands/{id}/edit", "", "----Y-----", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"GET", uiDemandPath(e.draft(false), "/edit"), nil}
	}},
	{"POST /demands/{id}", "", "----Y-----", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", uiDemandPath(e.draft(false), ""), uiDemandForm(places["in"])}
	}},
	{"POST /demands/{id}/submit", "", "----Y-----", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", uiDemandPath(e.draft(false), "/submit"), url.Values{}}
	}},
	{"POST /demands/{id}/withdraw", "", "----Y-----", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", uiDemandPath(e.draft(true), "/withdraw"), url.Values{"reason": {"合并到季度报表"}}}
	}},
	{"POST /demands/{id}/close", "", "----Y-----", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", uiDemandPath(e.draft(true), "/close"), url.Values{"reason": {"已完成"}}}
	}},
	{"POST /demands/{id}/decision", "", "---Y------", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", uiDemandPath(e.draft(true, inReview), "/decision"),
			url.Values{"decision": {"admit"}, "reason": {"截图用于核对，不作考核"}}}
	}},
	{"GET /review", "", "---Y------", get("/review")},
	{"GET /review.xlsx", "", "---Y------", get("/review.xlsx")},
	{"GET /review/stats", "", "-YYYY---YY", get("/review/stats")},
	{"GET /units/{code}/inbox", "in", "-YYY-Y--YY", uiUnitPage("/inbox")},
	{"GET /units/{code}/inbox", "out", "-Y-------Y", uiUnitPage("/inbox")},
	{"GET /units/{code}/inbox.xlsx", "in", "-YYY-Y--YY", uiUnitPage("/inbox.xlsx")},
	{"GET /units/{code}/inbox.xlsx", "out", "-Y-------Y", uiUnitPage("/inbox.xlsx")},
	{"GET /units/{code}/digest", "in", "-YYY-Y--YY", uiUnitPage("/digest")},
	{"GET /units/{code}/digest", "out", "-Y-------Y", uiUnitPage("/digest")},
	{"POST /units/{code}/inbox/{id}/done", "in", "-----Y----", uiDonePost},
	{"POST /units/{code}/inbox/{id}/done", "out", "----------", uiDonePost},
	{"POST /units/{code}/inbox/{id}/undo", "in", "-----Y----", uiUndoPost},
	{"POST /units/{code}/inbox/{id}/undo", "out", "----------", uiUndoPost},
	{"GET /policy/{code}", "", "YYYYYYYYYY", get("/policy/430922")},
	{"POST /policy/{code}", "in", "---Y------", uiPolicyPost},
	{"POST /policy/{code}", "out", "----------", uiPolicyPost},

	{"GET /units/{code}/duties", "", "YYYYYYYYYY", get("/units/430922100/duties")},
	{"GET /units/{code}/duties.xlsx", "", "YYYYYYYYYY", get("/units/430922100/duties.xlsx")},
	// Without a file the upload goes back to its form: the rights are
	// checked first.
	{"POST /units/{code}/duties", "in", "---Y------", uiDutyUpload},
	{"POST /units/{code}/duties", "out", "----------", uiDutyUpload},
	{"GET /units/{code}/inbox/{id}/refuse", "in", "-----Y----", uiRefusePath("GET")},
	{"GET /units/{code}/inbox/{id}/refuse", "out", "----------", uiRefusePath("GET")},
	{"POST /units/{code}/inbox/{id}/refuse", "in", "-----Y----", uiRefusePath("POST")},
	{"POST /units/{code}/inbox/{id}/refuse", "out", "----------", uiRefusePath("POST")},
	{"GET /refusals", "", "---Y------", get("/refusals")},
	{"POST /refusals/{id}/decision", "", "---Y------", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", fmt.Sprintf("/refusals/%d/decision", e.refusal().ID), url.Values{"decision": {"uphold"}, "reason": {"确属部门职责"}}}
	}},
	{"GET /escalations", "", "-YYYYYYYYY", get("/escalations")},
	{"POST /escalations", "in", "-----Y----", uiEscalatePost},
	{"POST /escalations", "out", "----------", uiEscalatePost},
	{"POST /escalations/{id}/ack", "", "----Y-----", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", fmt.Sprintf("/escalations/%d/ack", e.escalation().ID), url.Values{}}
	}},
	{"POST /escalations/{id}/respond", "", "----Y-----", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", fmt.Sprintf("/escalations/%d/respond", e.escalation().ID), url.Values{"response": {"已派员到场处置"}}}
	}},
	{"GET /duties/stats", "", "-YYYY---YY", get("/duties/stats")},

	{"GET /elements", "", "YYYYYYYYYY", get("/elements")},
	{"POST /elements", "", "---YY-----", func(e *authzEnv, who authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", "/elements", url.Values{"code": {"X-" + who.name}, "name": {"耕地面积"}, "type": {"decimal"},
			"period": {"year"}, "owner": {itoa(e.issuer.ID)}}}
	}},
	{"POST /elements/{element}/decision", "", "---Y------", func(e *authzEnv, who authzPrincipal, _ string) authzRequest {
		code := "P-" + who.name
		el := &collect.Element{Code: code, Name: "新数据元", Type: collect.Integer, Period: collect.Year, Owner: e.issuer.ID, Status: collect.Proposed}
		if err := e.f.db.Write(context.Background(), store.System, func(tx *store.Tx) error { return tx.SaveElement(context.Background(), el) }); err != nil {
			e.f.t.Fatal(err)
		}
		return authzRequest{"POST", "/elements/" + code + "/decision", url.Values{"decision": {"approve"}, "reason": {"与现有数据元不重复"}}}
	}},
	{"GET /units/{code}/reports/{id}", "in", "-YYY-Y--YY", uiReportPath("GET", "")},
	{"GET /units/{code}/reports/{id}", "out", "----------", uiReportPath("GET", "")},
	{"POST /units/{code}/reports/{id}", "in", "-----Y----", uiReportPath("POST", "")},
	{"POST /units/{code}/reports/{id}", "out", "----------", uiReportPath("POST", "")},
	// Without a file the upload goes back to the report's form.
	{"POST /units/{code}/reports/{id}/upload", "in", "-----Y----", uiReportPath("POST", "/upload")},
	{"POST /units/{code}/reports/{id}/upload", "out", "----------", uiReportPath("POST", "/upload")},
	{"GET /demands/{id}/completeness", "", "-YYYY---YY", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"GET", fmt.Sprintf("/demands/%d/completeness", e.report().ID), nil}
	}},

	{"GET /draws", "", "YYYYYYYYYY", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"GET", "/draws?year=2026", nil}
	}},
	{"GET /draws/{id}", "", "YYYYYYYYYY", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"GET", fmt.Sprintf("/draws/%d", e.draw(true).ID), nil}
	}},
	{"GET /draws/{id}/record.json", "", "YYYYYYYYYY", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"GET", fmt.Sprintf("/draws/%d/record.json", e.draw(true).ID), nil}
	}},
	{"POST /draws/{id}/run", "", "----Y-----", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", fmt.Sprintf("/draws/%d/run", e.draw(false).ID), url.Values{"value": {"beacon"}}}
	}},
	{"POST /draws/{id}/reveal", "", "----Y-----", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"POST", fmt.Sprintf("/draws/%d/reveal", e.draw(true).ID), url.Values{}}
	}},

	{"GET /", "", "----------", get("/no/such/page")},
}

// uiDutyUpload saves a township list of the county (or, out, of the
// neighbouring county) from the unit's page.
func uiDutyUpload(_ *authzEnv, _ authzPrincipal, place string) authzRequest {
	return authzRequest{"POST", "/units/" + places[place] + "/duties",
		url.Values{"owner": {places[place][:6]}, "level": {"township"}, "effective": {"2026-01-01"}}}
}

// uiRefusePath is the "not ours" form of an admitted demand in the
// township's inbox.
func uiRefusePath(method string) func(*authzEnv, authzPrincipal, string) authzRequest {
	return func(e *authzEnv, _ authzPrincipal, place string) authzRequest {
		path := fmt.Sprintf("/units/%s/inbox/%d/refuse", places[place], e.draft(true).ID)
		if method == "GET" {
			return authzRequest{"GET", path, nil}
		}
		return authzRequest{"POST", path, url.Values{"reason": {"不属于乡镇职责"}}}
	}
}

func uiEscalatePost(e *authzEnv, _ authzPrincipal, place string) authzRequest {
	return authzRequest{"POST", "/escalations", url.Values{"unit": {places[place]}, "title": {"河道非法采砂"},
		"description": {"需执法部门到场"}, "office": {itoa(e.issuer.ID)}}}
}

// uiReportPath is the shared report's form for the unit at the place.
func uiReportPath(method, suffix string) func(*authzEnv, authzPrincipal, string) authzRequest {
	return func(e *authzEnv, who authzPrincipal, place string) authzRequest {
		path := fmt.Sprintf("/units/%s/reports/%d%s", places[place], e.report().ID, suffix)
		if method == "GET" {
			return authzRequest{"GET", path, nil}
		}
		return authzRequest{"POST", path, url.Values{"key": {"authz-" + who.name}}}
	}
}

func uiPersonPage(e *authzEnv, _ authzPrincipal, place string) authzRequest {
	return authzRequest{"GET", fmt.Sprintf("/people/%d", e.target(place).ID), nil}
}

func uiPost(path string) func(*authzEnv, authzPrincipal, string) authzRequest {
	return uiForm(path, url.Values{})
}

func uiForm(path string, form url.Values) func(*authzEnv, authzPrincipal, string) authzRequest {
	return func(*authzEnv, authzPrincipal, string) authzRequest { return authzRequest{"POST", path, form} }
}

// uiDemandForm is the demand form filled in for a report to one township.
func uiDemandForm(township string) url.Values {
	return url.Values{"kind": {string(gate.Report)}, "title": {"春耕生产情况统计"}, "body": {"请填报春耕面积。"},
		"targets": {"units"}, "units": {township}, "due": {workday(10).In(gate.China).Format("2006-01-02T15:04")},
		"fields": {"春耕面积"}}
}

func uiDemandPost(path string) func(*authzEnv, authzPrincipal, string) authzRequest {
	return func(_ *authzEnv, _ authzPrincipal, place string) authzRequest {
		return authzRequest{"POST", path, uiDemandForm(places[place])}
	}
}

func uiDemandPath(rec *store.DemandRecord, suffix string) string {
	return fmt.Sprintf("/demands/%d%s", rec.ID, suffix)
}

func uiUnitPage(suffix string) func(*authzEnv, authzPrincipal, string) authzRequest {
	return func(_ *authzEnv, _ authzPrincipal, place string) authzRequest {
		return authzRequest{"GET", "/units/" + places[place] + suffix, nil}
	}
}

func uiDonePost(e *authzEnv, _ authzPrincipal, place string) authzRequest {
	return authzRequest{"POST", fmt.Sprintf("/units/%s/inbox/%d/done", places[place], e.draft(true).ID), url.Values{"note": {"已报"}}}
}

func uiUndoPost(e *authzEnv, _ authzPrincipal, place string) authzRequest {
	return authzRequest{"POST", fmt.Sprintf("/units/%s/inbox/%d/undo", places[place], e.done(places[place]).ID), url.Values{"reason": {"误点"}}}
}

func uiPolicyPost(_ *authzEnv, _ authzPrincipal, place string) authzRequest {
	return authzRequest{"POST", "/policy/" + places[place], url.Values{"lead.time.report": {"7"}, "note": {"春耕期间从严"}}}
}
