package web

import (
	"strings"
	"testing"

	"lighten/internal/store"
	"lighten/internal/units"
	"lighten/internal/visits"
)

// The register through the API: a number never changes, a linked person is
// one of the office's and nobody else's, and while the draw is sealed the
// drawn leader's entry cannot be pointed at someone else.
func TestAPIInspectorGuards(t *testing.T) {
	for _, kind := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(kind), func(t *testing.T) {
			e := newVisitEnv(t, kind)
			f := e.f
			_, burden := f.person("jianfu", "430922", "burden@430922")
			status, body := f.do("GET", "/api/v1/inspectors", burden, nil)
			list := decodeJSON[[]visits.RegisteredInspector](t, body)
			if status != 200 || len(list) != 3 {
				t.Fatalf("register: %d %s", status, body)
			}
			var leader visits.RegisteredInspector
			for _, in := range list {
				if in.Number == e.leader {
					leader = in
				}
			}
			put := func(in visits.RegisteredInspector) (int, string) {
				status, body := f.do("PUT", "/api/v1/inspectors/"+itoa(in.ID), burden, in)
				return status, string(body)
			}
			spare, _ := f.person("spare-inspector", "430922101", "inspector@430922")
			stranger, _ := f.person("stranger", "430923100", "inspector@430923")

			x := leader
			x.Number = "JC-099"
			if status, body := put(x); status != 400 || !strings.Contains(body, `"field":"number"`) || !strings.Contains(body, "never changes") {
				t.Errorf("renumbered: %d %s", status, body)
			}
			x = leader
			x.PersonID = e.people[e.other].ID
			if status, body := put(x); status != 409 || !strings.Contains(body, "already linked to register number "+e.other) {
				t.Errorf("another entry's person: %d %s", status, body)
			}
			x.PersonID = stranger.ID
			if status, body := put(x); status != 400 || !strings.Contains(body, `"field":"person"`) {
				t.Errorf("a person of another county: %d %s", status, body)
			}
			x.PersonID = 987654
			if status, body := put(x); status != 400 || !strings.Contains(body, "there is no person 987654") {
				t.Errorf("no such person: %d %s", status, body)
			}
			// The drawn leader's entry keeps its person while the draw is sealed,
			// and the answer names the draw in both languages.
			x.PersonID = spare.ID
			status, sb := put(x)
			// The sealed visit is not named (the team would be told).
			if status != 409 || !strings.Contains(sb, itoa(e.draw.ID)+" ("+visitItemCode+")") || !strings.Contains(sb, "尚未公开的抽取") ||
				strings.Contains(sb, "("+itoa(e.visit.ID)+")") || !strings.Contains(sb, "sealed visits, not listed") {
				t.Errorf("retargeted leader: %d %s", status, sb)
			}
			for _, change := range []func(*visits.RegisteredInspector){
				func(y *visits.RegisteredInspector) { y.PersonID = 0 },
				func(y *visits.RegisteredInspector) { y.Works = "430922100" },
				func(y *visits.RegisteredInspector) { y.Relations = []string{"430922100201"} },
			} {
				y := leader
				change(&y)
				if status, body := put(y); status != 409 {
					t.Errorf("sealed entry changed: %d %s", status, body)
				}
			}
			if in, err := f.db.InspectorByPerson(t.Context(), e.people[e.leader].ID); err != nil || in.Number != e.leader {
				t.Fatalf("leader's entry: %+v %v", in, err)
			}
			y := leader
			y.Capacity = 3
			if status, body := put(y); status != 200 {
				t.Errorf("capacity: %d %s", status, body)
			}
			// A new entry cannot take a person already linked.
			add := visits.RegisteredInspector{Number: "JC-010", Name: "新人", OfficeID: e.office.ID, PersonID: e.people[e.leader].ID, Works: "430922101",
				Capacity: 1, MaxTravel: 60, Active: true}
			if status, body := f.do("POST", "/api/v1/inspectors", burden, add); status != 409 {
				t.Errorf("new entry with a linked person: %d %s", status, body)
			}
			add.PersonID = spare.ID
			if status, body := f.do("POST", "/api/v1/inspectors", burden, add); status != 201 {
				t.Errorf("new entry: %d %s", status, body)
			}
		})
	}
}

// An ad hoc draw takes no plan item's code and stays sealed at least until
// tomorrow.
func TestAPIAdHocDrawGuards(t *testing.T) {
	for _, kind := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(kind), func(t *testing.T) {
			e := newVisitEnv(t, kind)
			f := e.f
			today := e.now.Format("2006-01-02")
			tomorrow := e.now.AddDate(0, 0, 1).Format("2006-01-02")
			body := func(plan, after string) DrawBody {
				return DrawBody{Plan: plan, Level: units.Village, Under: "430922", Rate: 0.5, MinPerTier: 1, RevealAfter: after}
			}
			status, b := f.do("POST", "/api/v1/draws", e.token, body(visitItemCode, tomorrow))
			if status != 409 || !strings.Contains(string(b), `"field":"plan"`) || !strings.Contains(string(b), "is the code of a plan item") ||
				!strings.Contains(string(b), "计划事项的编号") {
				t.Errorf("item code as plan: %d %s", status, b)
			}
			for _, after := range []string{today, e.now.AddDate(0, 0, -3).Format("2006-01-02")} {
				status, b = f.do("POST", "/api/v1/draws", e.token, body("临时抽查", after))
				if status != 400 || !strings.Contains(string(b), `"field":"reveal_after"`) || !strings.Contains(string(b), "later than today ("+today+")") ||
					!strings.Contains(string(b), "应晚于今天") {
					t.Errorf("reveal_after %s: %d %s", after, status, b)
				}
			}
			status, b = f.do("POST", "/api/v1/draws", e.token, body("临时抽查", tomorrow))
			if status != 201 {
				t.Fatalf("ad hoc draw: %d %s", status, b)
			}
			rec := decodeJSON[store.DrawRecord](t, b)
			if !rec.RevealAfter.After(*e.now) {
				t.Errorf("reveal after %v", rec.RevealAfter)
			}
		})
	}
}

// The feed served is visits.WriteICal's, as docs/visits.md describes it:
// METHOD:PUBLISH, X-WR-TIMEZONE, transparent all-day events, folded CRLF
// lines; a planned visit names neither target nor place, a started one
// does.
func TestICalFeedAsDocumented(t *testing.T) {
	e := newVisitEnv(t, store.SQLite)
	f := e.f
	_, b := f.do("POST", "/api/v1/me/calendar", e.tokens[e.leader], nil)
	feed := decodeJSON[CalendarFeed](t, b).URL
	get := func() string {
		t.Helper()
		st, b := f.do("GET", feed, "", nil)
		if st != 200 {
			t.Fatalf("feed: %d %s", st, b)
		}
		body := string(b)
		for _, want := range []string{"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:" + visits.ICalProdID + "\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n",
			"\r\nX-WR-TIMEZONE:Asia/Shanghai\r\n", "\r\nTRANSP:TRANSPARENT\r\n", "\r\nDTSTART;VALUE=DATE:" + strings.ReplaceAll(e.visit.Day.String(), "-", "") + "\r\n",
			"\r\nUID:visit-" + itoa(e.visit.ID) + "@"} {
			if !strings.Contains(body, want) {
				t.Fatalf("feed lacks %q:\n%s", want, body)
			}
		}
		if strings.Contains(body, "OPAQUE") || !strings.HasSuffix(body, "END:VCALENDAR\r\n") {
			t.Fatalf("feed:\n%s", body)
		}
		for _, l := range strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n") {
			if len(l) > 75 || strings.Contains(l, "\n") {
				t.Fatalf("line not folded: %q", l)
			}
		}
		return body
	}
	sealed := get()
	if strings.Contains(sealed, "LOCATION") || strings.Contains(sealed, e.visit.Unit) || strings.Contains(sealed, e.targetName()) {
		t.Fatalf("a planned visit's feed names its target:\n%s", sealed)
	}
	*e.now = visitDay(e.visit.Day)
	if st, b := f.do("POST", "/api/v1/visits/"+itoa(e.visit.ID)+"/start", e.tokens[e.leader], nil); st != 200 {
		t.Fatalf("start: %d %s", st, b)
	}
	if started := get(); !strings.Contains(started, "\r\nLOCATION:") || !strings.Contains(strings.ReplaceAll(started, "\r\n ", ""), e.targetName()) {
		t.Fatalf("a started visit's feed lacks its place:\n%s", started)
	}
}
