package web

import (
	"net/http"
	"testing"

	"lighten/internal/store"
	"lighten/internal/visits"
)

// GET /api/v1/visits/{id}/record/versions lists every saved version of a
// field record to those who read the record, and the visit page shows them
// as a short history.
func TestAPIFieldRecordVersions(t *testing.T) {
	for _, kind := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(kind), func(t *testing.T) {
			e := newVisitEnv(t, kind)
			f := e.f
			id := itoa(e.visit.ID)
			path := "/api/v1/visits/" + id + "/record/versions"
			if st, b := f.do("GET", path, e.token, nil); st != http.StatusNotFound {
				t.Fatalf("versions of a sealed visit: %d %s", st, b)
			}
			*e.now = visitDay(e.visit.Day)
			if st, b := f.do("POST", "/api/v1/visits/"+id+"/start", e.tokens[e.leader], nil); st != http.StatusOK {
				t.Fatalf("start: %d %s", st, b)
			}
			if st, b := f.do("GET", path, e.tokens[e.member], nil); st != http.StatusOK || string(b) != "[]\n" && string(b) != "[]" {
				t.Fatalf("no versions yet: %d %s", st, b)
			}
			body := FieldRecordBody{Checks: []visits.CheckResult{{Item: visitItemCode, Check: "C1", Result: "pass"}}}
			for _, who := range []string{e.leader, e.member} {
				if st, b := f.do("PUT", "/api/v1/visits/"+id+"/record", e.tokens[who], body); st != http.StatusOK {
					t.Fatalf("save by %s: %d %s", who, st, b)
				}
				body.Checks[0].Result = "fail"
			}
			// The plan's office reads them only once the draw is revealed.
			if st, b := f.do("GET", path, e.token, nil); st != http.StatusNotFound {
				t.Fatalf("the plan's office reads a sealed visit's versions: %d %s", st, b)
			}
			st, b := f.do("GET", path, e.tokens[e.member], nil)
			if st != http.StatusOK {
				t.Fatalf("versions: %d %s", st, b)
			}
			vs := decodeJSON[[]store.FieldRecordVersion](t, b)
			if len(vs) != 2 || vs[0].Version != 1 || vs[1].Version != 2 || vs[0].By != e.people[e.leader].ID || vs[1].By != e.people[e.member].ID ||
				len(vs[0].SHA256) != 64 || vs[0].SHA256 == vs[1].SHA256 || vs[0].Record.Checks[0].Result != "pass" || vs[1].Record.Checks[0].Result != "fail" {
				t.Fatalf("versions: %s", b)
			}
			for _, who := range []string{e.leader, e.member} {
				if st, b := f.do("GET", path, e.tokens[who], nil); st != http.StatusOK {
					t.Errorf("team member %s: %d %s", who, st, b)
				}
			}
			if st, _ := f.do("GET", path, e.tokens[e.other], nil); st != http.StatusNotFound {
				t.Errorf("an inspector outside the team reads the versions: %d", st)
			}
			_, _, other := f.issuerIn("nongye", "430922")
			if st, _ := f.do("GET", path, other, nil); st != http.StatusNotFound {
				t.Errorf("another office reads the versions: %d", st)
			}
			if st, _ := f.do("GET", "/api/v1/visits/999999/record/versions", e.token, nil); st != http.StatusNotFound {
				t.Errorf("unknown visit: %d", st)
			}

			c := f.uiClient("en")
			c.signIn(e.people[e.leader].Login)
			uiMust(t, c.get("/visits/"+id), http.StatusOK, "History", "version 1 · ", " · "+e.leader, "version 2 · ", " · "+e.member, vs[0].SHA256, vs[1].SHA256)
			z := f.uiClient("zh")
			z.signIn(e.people[e.member].Login)
			uiMust(t, z.get("/visits/"+id), http.StatusOK, "保存记录", "第 1 版 · ", "第 2 版 · ")
		})
	}
}
