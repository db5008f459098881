package web

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"lighten/internal/auth"
	"lighten/internal/store"
	"lighten/internal/units"
)

func TestUnitsArePublic(t *testing.T) {
	f := newFixture(t, store.SQLite)
	status, body := f.do("GET", "/api/v1/units/430922", "", nil)
	if status != 200 {
		t.Fatalf("unit: %d %s", status, body)
	}
	u := decodeJSON[UnitView](t, body)
	if u.Name != "桃江县" || u.Level != "county" || u.Children != 2 || u.Subtree.Villages != 2 || u.Subtree.Townships != 2 || len(u.Path) != 3 {
		t.Fatalf("unit: %+v", u)
	}
	status, body = f.do("GET", "/api/v1/units?q="+url.QueryEscape("花果"), "", nil)
	list := decodeJSON[UnitList](t, body)
	if status != 200 || len(list.Units) != 1 || list.Units[0].Code != "430922100202" {
		t.Fatalf("search: %d %s", status, body)
	}
	// By code prefix, restricted to a subtree and a level.
	_, body = f.do("GET", "/api/v1/units?q=4309&level=township", "", nil)
	list = decodeJSON[UnitList](t, body)
	if len(list.Units) != 3 {
		t.Fatalf("prefix search: %s", body)
	}
	_, body = f.do("GET", "/api/v1/units?q="+url.QueryEscape("镇")+"&under=430923", "", nil)
	list = decodeJSON[UnitList](t, body)
	if len(list.Units) != 1 || list.Units[0].Name != "东坪镇" {
		t.Fatalf("search under: %s", body)
	}
	_, body = f.do("GET", "/api/v1/units?parent=430922&limit=1", "", nil)
	list = decodeJSON[UnitList](t, body)
	if len(list.Units) != 1 || list.Total != 2 || !list.More {
		t.Fatalf("children page: %s", body)
	}
	_, body = f.do("GET", "/api/v1/units", "", nil)
	list = decodeJSON[UnitList](t, body)
	if len(list.Units) != 2 || list.Units[0].Code != "11" {
		t.Fatalf("provinces: %s", body)
	}
}

func TestErrorsAreBilingualWithStableCodes(t *testing.T) {
	f := newFixture(t, store.SQLite)
	for _, c := range []struct {
		path, code, field string
		status            int
	}{
		{"/api/v1/units/12345", "invalid", "code", 400},
		{"/api/v1/units/999999", "not_found", "code", 404},
		{"/api/v1/units?limit=-3", "invalid", "limit", 400},
		{"/api/v1/units?level=hamlet&q=x", "invalid", "level", 400},
		{"/api/v1/me", "unauthorized", "", 401},
	} {
		status, body := f.do("GET", c.path, "", nil)
		e := decodeJSON[map[string]Error](t, body)["error"]
		if status != c.status || e.Code != c.code || e.Field != c.field || e.Message.ZH == "" || e.Message.EN == "" || e.Message.ZH == e.Message.EN {
			t.Errorf("%s: %d %s", c.path, status, body)
		}
	}
	_, admin := f.person("admin", "430922", "admin@")
	status, body := f.do("POST", "/api/v1/people", admin, map[string]any{"login": "li", "nmae": "typo"})
	if status != 400 || !strings.Contains(string(body), "nmae") {
		t.Errorf("unknown field: %d %s", status, body)
	}
	status, body = f.do("POST", "/api/v1/people", admin, NewPersonBody{Login: "li", Name: "李", Unit: "430922", Password: "short"})
	if e := decodeJSON[map[string]Error](t, body)["error"]; status != 400 || e.Field != "password" {
		t.Errorf("short password: %d %s", status, body)
	}
	status, body = f.do("POST", "/api/v1/people", admin, NewPersonBody{Login: "li", Name: "李", Unit: "430922", Password: "long enough password",
		Grants: []units.Grant{{Role: "king", UnitCode: "430922"}}})
	if e := decodeJSON[map[string]Error](t, body)["error"]; status != 400 || e.Field != "role" {
		t.Errorf("bad role: %d %s", status, body)
	}
	// Nothing of the refused requests was written.
	if n, _ := f.db.CountPeople(context.Background()); n != 1 {
		t.Errorf("people after refused requests: %d", n)
	}
	big := strings.Repeat("x", maxBody+10)
	status, _ = f.do("POST", "/api/v1/offices", admin, NewOfficeBody{Unit: "430922", Name: big})
	if status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %d", status)
	}
}

// A person in one county can neither read nor change people of another.
func TestCountyCannotReachNeighbour(t *testing.T) {
	storetestEach(t, func(t *testing.T, f *fixture) {
		_, taojiang := f.person("tj-admin", "430922", "admin@430922")
		other, _ := f.person("ah-cadre", "430923100", "cadre@430923100")
		mine, _ := f.person("tj-cadre", "430922100", "cadre@430922100")

		_, body := f.do("GET", "/api/v1/people", taojiang, nil)
		list := decodeJSON[PeopleList](t, body)
		for _, p := range list.People {
			if !strings.HasPrefix(p.UnitCode, "430922") {
				t.Errorf("listed a person of %s", p.UnitCode)
			}
		}
		if list.Total != 2 {
			t.Errorf("people in scope: %d", list.Total)
		}
		_, body = f.do("GET", "/api/v1/people?under=430923", taojiang, nil)
		if list = decodeJSON[PeopleList](t, body); list.Total != 0 {
			t.Errorf("people under the neighbour: %s", body)
		}
		if status, _ := f.do("GET", "/api/v1/people/"+itoa(other.ID), taojiang, nil); status != 404 {
			t.Errorf("read neighbour: %d", status)
		}
		if status, _ := f.do("POST", "/api/v1/people/"+itoa(other.ID)+"/disabled", taojiang, DisableBody{Disabled: true, Reason: "x"}); status != 404 {
			t.Errorf("disable neighbour: %d", status)
		}
		// Granting a role beyond one's own scope is refused even for one's own people.
		status, body := f.do("POST", "/api/v1/people/"+itoa(mine.ID)+"/grants", taojiang, units.Grant{Role: units.RoleAdmin, UnitCode: "4309"})
		if status != 403 {
			t.Errorf("grant beyond scope: %d %s", status, body)
		}
		status, _ = f.do("POST", "/api/v1/people/"+itoa(mine.ID)+"/grants", taojiang, units.Grant{Role: units.RoleAdmin, UnitCode: ""})
		if status != 403 {
			t.Errorf("grant national: %d", status)
		}
		status, body = f.do("POST", "/api/v1/people/"+itoa(mine.ID)+"/grants", taojiang, units.Grant{Role: units.RoleInspector, UnitCode: "430922"})
		if status != 200 || len(decodeJSON[units.Person](t, body).Grants) != 2 {
			t.Errorf("grant within scope: %d %s", status, body)
		}
	})
}

func storetestEach(t *testing.T, fn func(t *testing.T, f *fixture)) {
	for _, k := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(k), func(t *testing.T) { fn(t, newFixture(t, k)) })
	}
}

func TestSignInSessionAndSignOut(t *testing.T) {
	storetestEach(t, func(t *testing.T, f *fixture) {
		f.person("zhang", "430922", "burden@430922")
		jar, _ := cookiejar.New(nil)
		client := &http.Client{Jar: jar}
		post := func(path, body string) *http.Response {
			req, _ := http.NewRequest("POST", f.ts.URL+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp
		}
		if resp := post("/api/v1/session", `{"login":"zhang","password":"wrong password"}`); resp.StatusCode != 401 {
			t.Fatalf("wrong password: %d", resp.StatusCode)
		}
		resp := post("/api/v1/session", `{"login":"zhang","password":"`+fixturePassword+`"}`)
		if resp.StatusCode != 200 {
			t.Fatalf("sign in: %d", resp.StatusCode)
		}
		var ck *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == sessionCookie {
				ck = c
			}
		}
		if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || !strings.HasPrefix(ck.Value, auth.SessionPrefix) {
			t.Fatalf("session cookie: %+v", ck)
		}
		me, err := client.Get(f.ts.URL + "/api/v1/me")
		if err != nil || me.StatusCode != 200 {
			t.Fatalf("me: %v %v", me.StatusCode, err)
		}
		me.Body.Close()
		// A cross-site POST with the session cookie is refused.
		req, _ := http.NewRequest("POST", f.ts.URL+"/api/v1/me/tokens", strings.NewReader(`{"name":"x","days":1}`))
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Origin", "https://evil.example")
		cross, err := client.Do(req)
		if err != nil || cross.StatusCode != 403 {
			t.Fatalf("cross-site post: %v %v", cross.StatusCode, err)
		}
		cross.Body.Close()
		req, _ = http.NewRequest("DELETE", f.ts.URL+"/api/v1/session", nil)
		out, err := client.Do(req)
		if err != nil || out.StatusCode != 204 {
			t.Fatalf("sign out: %v", err)
		}
		out.Body.Close()
		// The session is gone from the database, not only from the browser.
		if _, err := f.db.PersonBySession(context.Background(), ck.Value); err == nil {
			t.Fatal("session survived sign-out")
		}
		recs, _ := f.db.ListAudit(context.Background(), store.AuditQuery{Scopes: []string{""}, Limit: 3})
		if len(recs) < 2 || recs[0].Action != "session.end" || recs[1].Action != "session.create" {
			t.Fatalf("sign-in and sign-out not audited: %+v", recs)
		}
	})
}

func TestFailedSignInsAreLimited(t *testing.T) {
	f := newFixture(t, store.SQLite)
	f.person("zhang", "430922", "burden@430922")
	for i := 0; i < auth.MaxFailures; i++ {
		if status, _ := f.do("POST", "/api/v1/session", "", SignInBody{Login: "zhang", Password: "guess " + itoa(int64(i))}); status != 401 {
			t.Fatalf("failure %d: %d", i, status)
		}
	}
	// Now even the right password is refused until the window passes.
	status, body := f.do("POST", "/api/v1/session", "", SignInBody{Login: "zhang", Password: fixturePassword})
	if status != 429 || !strings.Contains(string(body), "too_many") {
		t.Fatalf("locked: %d %s", status, body)
	}
}

func TestLockoutEndsAfterWindowAndSessionsExpire(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	db := openAt(t, &now)
	if _, err := db.ImportUnits(context.Background(), store.System, fixtureUnits, nil); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, db: db, srv: New(db, Options{})}
	f.ts = newTestServer(t, f.srv)
	f.person("zhang", "430922", "burden@430922")
	for i := 0; i < auth.MaxFailures; i++ {
		f.do("POST", "/api/v1/session", "", SignInBody{Login: "zhang", Password: "guess"})
	}
	if status, _ := f.do("POST", "/api/v1/session", "", SignInBody{Login: "zhang", Password: fixturePassword}); status != 429 {
		t.Fatalf("locked: %d", status)
	}
	now = now.Add(auth.Window + time.Minute)
	if status, _ := f.do("POST", "/api/v1/session", "", SignInBody{Login: "zhang", Password: fixturePassword}); status != 200 {
		t.Fatalf("after the window: %d", status)
	}
	p, _, _ := db.PersonByLogin(context.Background(), "zhang")
	var token string
	db.Write(context.Background(), store.System, func(tx *store.Tx) error {
		var err error
		token, err = tx.CreateSession(context.Background(), p, "password")
		return err
	})
	now = now.Add(auth.SessionIdle + time.Minute)
	if _, err := db.PersonBySession(context.Background(), token); err == nil {
		t.Fatal("idle session still valid")
	}
}

func TestAPITokens(t *testing.T) {
	f := newFixture(t, store.SQLite)
	_, token := f.person("robot-owner", "430922", "auditor@430922")
	status, body := f.do("POST", "/api/v1/me/tokens", token, NewTokenBody{Name: "nightly export", Days: 30})
	if status != 201 {
		t.Fatalf("create: %d %s", status, body)
	}
	nt := decodeJSON[NewToken](t, body)
	if !strings.HasPrefix(nt.Secret, auth.APIPrefix) {
		t.Fatalf("secret %q", nt.Secret)
	}
	if status, _ := f.do("GET", "/api/v1/me", nt.Secret, nil); status != 200 {
		t.Fatalf("use: %d", status)
	}
	if status, _ := f.do("DELETE", "/api/v1/me/tokens/"+itoa(nt.Token.ID), token, nil); status != 204 {
		t.Fatalf("revoke: %d", status)
	}
	if status, _ := f.do("GET", "/api/v1/me", nt.Secret, nil); status != 401 {
		t.Fatalf("revoked token still works: %d", status)
	}
	if status, _ := f.do("POST", "/api/v1/me/tokens", token, NewTokenBody{Name: "forever", Days: 5000}); status != 400 {
		t.Fatalf("too long a life: %d", status)
	}
}

func TestHealthzAndMetrics(t *testing.T) {
	f := newFixture(t, store.SQLite)
	if status, body := f.do("GET", "/healthz", "", nil); status != 200 || !strings.Contains(string(body), "ok") {
		t.Fatalf("healthz: %d %s", status, body)
	}
	f.do("GET", "/api/v1/units/43", "", nil)
	status, body := metricsOf(f)
	if status != 200 || !strings.Contains(string(body), `lighten_http_requests_total{method="GET",route="GET /api/v1/units/{code}",status="200"} 1`) ||
		!strings.Contains(string(body), "lighten_units 13") {
		t.Fatalf("metrics: %d\n%s", status, body)
	}
	f.db.Close()
	if status, _ := f.do("GET", "/healthz", "", nil); status != 503 {
		t.Fatalf("healthz with the database closed: %d", status)
	}
}
