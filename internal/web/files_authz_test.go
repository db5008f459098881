package web

import (
	"bytes"
	"context"
	"fmt"

	"lighten/internal/collect"
)

// fileAuthzCases are the rows of the authorization table for the routes
// that take and give files: Excel and CSV of the data dictionary and of
// reports, and DHIS2 interchange. Files are sent as a JSON client sends
// them, a base64 string ([]byte marshals so).
var fileAuthzCases = []authzCase{
	{"GET /api/v1/elements.xlsx", "", "YYYYYYYYYY", get("/api/v1/elements.xlsx")},
	{"GET /api/v1/elements.csv", "", "YYYYYYYYYY", get("/api/v1/elements.csv")},
	{"POST /api/v1/elements/import", "in", "---Y------", importElements},
	{"POST /api/v1/elements/import", "out", "----------", importElements},
	{"GET /api/v1/units/{code}/reports/{id}/form.xlsx", "in", "-YYY-Y--YY", func(e *authzEnv, _ authzPrincipal, place string) authzRequest {
		return authzRequest{"GET", fmt.Sprintf("/api/v1/units/%s/reports/%d/form.xlsx", places[place], e.report().ID), nil}
	}},
	{"POST /api/v1/units/{code}/reports/{id}/submission.xlsx", "in", "-----Y----", func(e *authzEnv, _ authzPrincipal, place string) authzRequest {
		return authzRequest{"POST", fmt.Sprintf("/api/v1/units/%s/reports/%d/submission.xlsx", places[place], e.report().ID), e.workbook(places[place])}
	}},
	{"GET /api/v1/reports/{id}/answer.xlsx", "", "-YYYY---YY", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"GET", fmt.Sprintf("/api/v1/reports/%d/answer.xlsx", e.report().ID), nil}
	}},
	{"GET /api/v1/reports/{id}/completeness.csv", "", "-YYYY---YY", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"GET", fmt.Sprintf("/api/v1/reports/%d/completeness.csv", e.report().ID), nil}
	}},
	{"GET /api/v1/reports/{id}/completeness.xlsx", "", "-YYYY---YY", func(e *authzEnv, _ authzPrincipal, _ string) authzRequest {
		return authzRequest{"GET", fmt.Sprintf("/api/v1/reports/%d/completeness.xlsx", e.report().ID), nil}
	}},
	// The issuer's office owns HH; the burden office covers the county.
	{"POST /api/v1/dhis2/dataValueSets", "in", "---YY-----", postDataValues},
	{"POST /api/v1/dhis2/dataValueSets", "out", "----------", postDataValues},
	{"GET /api/v1/dhis2/dataValueSets", "in", "-YYYYY--YY", getDataValues},
	{"GET /api/v1/dhis2/dataValueSets", "out", "-Y-------Y", getDataValues},
}

// importElements sends one element owned by the office at the place.
func importElements(e *authzEnv, who authzPrincipal, place string) authzRequest {
	owner := e.issuer.ID
	if place == "out" {
		owner = e.office["out"].ID
	}
	file := fmt.Sprintf("code,name,type,period,owner\nI-%s,耕地面积,decimal,year,%d\n", who.name, owner)
	return authzRequest{"POST", "/api/v1/elements/import", []byte(file)}
}

// workbook is the report's workbook for a unit, as downloaded.
func (e *authzEnv) workbook(unit string) []byte {
	ctx := context.Background()
	t, err := e.f.db.Tree(ctx)
	if err != nil {
		e.f.t.Fatal(err)
	}
	u, _ := t.Get(unit)
	sh, err := e.f.srv.reportSheet(ctx, u, e.report())
	if err != nil {
		e.f.t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := collect.WriteReportXLSX(&buf, sh); err != nil {
		e.f.t.Fatal(err)
	}
	return buf.Bytes()
}

func postDataValues(e *authzEnv, _ authzPrincipal, place string) authzRequest {
	e.elements()
	return authzRequest{"POST", "/api/v1/dhis2/dataValueSets", collect.DataValueSet{DataValues: []collect.DataValue{
		{DataElement: "HH", Period: "2026", OrgUnit: places[place] + "201", Value: "120"}}}}
}

func getDataValues(e *authzEnv, _ authzPrincipal, place string) authzRequest {
	e.elements()
	return authzRequest{"GET", "/api/v1/dhis2/dataValueSets?dataElement=HH&period=2026&children=true&orgUnit=" + places[place], nil}
}
