package web

import (
	"archive/zip"
	"io"
	"net/url"
	"strings"
	"testing"
)

// probeUnit is a unit as a probe names it: code and name, and further
// pairs of what differs between units for reasons of their own (the login
// and id of a person working there) and what it stands for.
type probeUnit struct {
	code, name string
	own        []string
}

// scopeProbe is a principal that probes routes unit by unit; login is for
// the pages' forms ("" when the principal has no password sign-in here);
// home is the unit the principal works at, which every page they see
// names, so they are not asked about it against another.
type scopeProbe struct{ who, login, token, home string }

// perUnitGets are the routes that take a unit, in the path or the query:
// each is asked about the drawn village and about another village of the
// same township.
var perUnitGets = []string{
	"/api/v1/units/{u}", "/api/v1/units/{u}/inbox", "/api/v1/policies/{u}", "/api/v1/duties/{u}",
	"/api/v1/offices?unit={u}", "/api/v1/people?unit={u}", "/api/v1/people?under={u}", "/api/v1/units?under={u}",
	"/api/v1/dhis2/dataValueSets?orgUnit={u}&period=2026", "/api/v1/dhis2/dataValueSets?orgUnit={u}&period=2026&children=true",
	"/units/{u}", "/units/{u}/children", "/units/{u}/inbox", "/units/{u}/digest", "/units/{u}/duties", "/policy/{u}",
	"/api/v1/units/{u}/values/HH?period=2026", "/units/{u}/inbox.xlsx", "/units/{u}/duties.xlsx",
}

// unzipped is the text of a workbook's parts, in order, for comparing two
// workbooks up to the unit; a body that is no zip is kept as it is.
func unzipped(b string) string {
	z, err := zip.NewReader(strings.NewReader(b), int64(len(b)))
	if err != nil {
		return b
	}
	var out strings.Builder
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			return b
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		out.WriteString(f.Name + "\n" + string(data) + "\n")
	}
	return out.String()
}

// probeScopes is the schedule oracle and its kin: every
// route that takes a scope or a unit, asked by every principal about the
// drawn village and about another village (and about the drawn village's
// township and another township), answers alike up to the unit's code and
// name — status and body. Schedule runs are asked through the API and the
// page's form, with the sealed item's window: before the fix, a run over
// the drawn village scheduled its visit and said so in its figures, one
// over another village found nothing drawn.
func probeScopes(t *testing.T, f *fixture, probes []scopeProbe, drawn, other, drawnTown, otherTown probeUnit) {
	t.Helper()
	norm := func(u probeUnit, b string) string {
		return strings.NewReplacer(append([]string{u.code, "UNIT", u.name, "NAME"}, u.own...)...).Replace(b)
	}
	compare := func(who, what string, a, b probeUnit, send func(u probeUnit) (int, string), workbook bool) {
		t.Helper()
		s1, b1 := send(a)
		s2, b2 := send(b)
		if workbook {
			b1, b2 = unzipped(b1), unzipped(b2)
		}
		if s1 != s2 || norm(a, b1) != norm(b, b2) {
			t.Errorf("%s: %s answers %s otherwise than %s: %d %d\n%s", who, what, a.code, b.code, s1, s2, firstDiff(norm(a, b1), norm(b, b2)))
		}
	}
	run := func(tok string) func(u probeUnit) (int, string) {
		return func(u probeUnit) (int, string) {
			s, b := f.do("POST", "/api/v1/schedule-runs", tok, ScheduleBody{Scope: u.code, From: "2026-06-08", To: "2026-06-12"})
			return s, string(b)
		}
	}
	preview := func(tok string) func(u probeUnit) (int, string) {
		return func(u probeUnit) (int, string) {
			s, b := f.do("POST", "/api/v1/schedule-runs/preview", tok, ScheduleBody{Scope: u.code, From: "2026-06-08", To: "2026-06-12"})
			return s, string(b)
		}
	}
	for _, p := range probes {
		pairs := [][2]probeUnit{{drawn, other}}
		if p.home != drawnTown.code {
			pairs = append(pairs, [2]probeUnit{drawnTown, otherTown})
		}
		for _, pair := range pairs {
			compare(p.who, "POST /api/v1/schedule-runs/preview", pair[0], pair[1], preview(p.token), false)
			compare(p.who, "POST /api/v1/schedule-runs", pair[0], pair[1], run(p.token), false)
		}
		for _, path := range perUnitGets {
			send := func(u probeUnit) (int, string) {
				s, b := f.do("GET", strings.ReplaceAll(path, "{u}", url.QueryEscape(u.code)), p.token, nil)
				return s, string(b)
			}
			compare(p.who, "GET "+path, drawn, other, send, strings.HasSuffix(path, ".xlsx"))
		}
		if p.login == "" {
			continue
		}
		c := f.uiClient("en")
		c.signIn(p.login)
		for _, pair := range pairs {
			compare(p.who, "POST /schedule", pair[0], pair[1], func(u probeUnit) (int, string) {
				r := c.post("/schedule", url.Values{"scope": {u.code}, "from": {"2026-06-08"}, "to": {"2026-06-12"}})
				return r.status, r.body
			}, false)
		}
	}
}
