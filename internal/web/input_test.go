package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/units"
)

func TestCheckJSONNamesTheField(t *testing.T) {
	t.Parallel()
	b := NewPersonBody{Login: "ok", Name: "好", Grants: []units.Grant{{Role: "admin", UnitCode: "430922"}, {Role: "cadre", UnitCode: "43\x0009"}}}
	err := checkJSON(&b)
	var e *Error
	if !asErrorAs(err, &e) || e.Field != "grants[1].unit" || e.Code != CodeInvalid {
		t.Fatalf("checkJSON = %#v, want the field grants[1].unit", err)
	}
	m := map[string]any{"a": []any{"x", map[string]any{"b": "y\x00"}}}
	if err := checkJSON(&m); !asErrorAs(err, &e) || e.Field != "a[1].b" {
		t.Fatalf("checkJSON(map) = %v, want a[1].b", err)
	}
	if err := checkJSON(&NewPersonBody{Login: "a", Name: "张三\n李四"}); err != nil {
		t.Fatalf("line breaks are text: %v", err)
	}
}

func asErrorAs(err error, e **Error) bool {
	if err == nil {
		return false
	}
	*e = asError(err)
	return true
}

// TestControlCharactersRefused sends NUL and other control characters where
// people type text — signing in, a query, a JSON body, a form — and expects
// a 400 that names the field, on both databases, with nothing stored.
// PostgreSQL cannot store NUL in text and answered 500, even to the public.
func TestControlCharactersRefused(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		f := newFixture(t, db.Dialect)
		f.person("guo", "430922", "admin@430922")
		_, admin := f.person("chen", "430922", "admin@430922")

		field := func(t *testing.T, status int, body []byte, want string) {
			t.Helper()
			if status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", status, body)
			}
			var out struct{ Error Error }
			if err := json.Unmarshal(body, &out); err != nil {
				t.Fatal(err)
			}
			if out.Error.Field != want || out.Error.Code != CodeInvalid {
				t.Fatalf("error %+v, want field %q", out.Error, want)
			}
			if !strings.Contains(out.Error.Message.ZH, want) || !strings.Contains(out.Error.Message.EN, want) {
				t.Fatalf("message %+v does not name %q", out.Error.Message, want)
			}
		}
		status, body := f.do("POST", "/api/v1/session", "", SignInBody{Login: "guo\x00", Password: fixturePassword})
		field(t, status, body, "login")
		status, body = f.do("POST", "/api/v1/session", "", SignInBody{Login: "guo", Password: "x\x00"})
		field(t, status, body, "password")
		status, body = f.do("GET", "/api/v1/people?q="+url.QueryEscape("郭\x00"), admin, nil)
		field(t, status, body, "q")
		status, body = f.do("POST", "/api/v1/offices", admin, NewOfficeBody{Unit: "430922", Name: "民政\x00局"})
		field(t, status, body, "name")
		status, body = f.do("POST", "/api/v1/people", admin, NewPersonBody{Login: "li", Name: "李", Unit: "430922", Password: fixturePassword,
			Grants: []units.Grant{{Role: "cadre", UnitCode: "430922\x01"}}})
		field(t, status, body, "grants[0].unit")

		offices, _, err := db.ListOffices(context.Background(), store.ListQuery{Scopes: []string{""}, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(offices) != 0 {
			t.Fatalf("an office was stored: %+v", offices)
		}
		if _, _, err := db.PersonByLogin(context.Background(), "li"); err == nil {
			t.Fatal("the person was stored")
		}

		ui := f.uiClient("zh-CN")
		r := ui.post("/signin", url.Values{"login": {"guo\x00"}, "password": {fixturePassword}})
		uiMust(t, r, http.StatusBadRequest, "login", "控制字符")
		ui = f.uiClient("en")
		r = ui.post("/signin", url.Values{"login": {"guo"}, "password": {fixturePassword}, "next": {"/me\x00"}})
		uiMust(t, r, http.StatusBadRequest, "next", "control character")

		// A multipart form's text fields, beside its file.
		f.person("jianfu", "430922", "burden@430922")
		ui = f.uiClient("en")
		ui.signIn("jianfu")
		var form bytes.Buffer
		mw := multipart.NewWriter(&form)
		mw.WriteField("owner", "430922\x00")
		fw, _ := mw.CreateFormFile("file", "duties.xlsx")
		fw.Write([]byte("not a workbook"))
		mw.Close()
		req, _ := http.NewRequest("POST", f.ts.URL+"/units/430922/duties", &form)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		resp, err := ui.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(page), "owner") || !strings.Contains(string(page), "control character") {
			t.Fatalf("multipart with NUL: %d\n%s", resp.StatusCode, page)
		}
	})
}

// TestNoRouteFailsOnControlCharacters posts NUL in every text field of every
// route's body, as a national administrator, on PostgreSQL (which cannot
// store it): whatever a route answers, it is never a fault of the server.
func TestNoRouteFailsOnControlCharacters(t *testing.T) {
	t.Parallel()
	f := newFixture(t, store.Postgres)
	_, token := f.person("root", "430922", "admin@", "burden@", "issuer@", "cadre@", "auditor@", "inspector@")
	ui := f.uiClient("zh-CN")
	ui.signIn("root")
	path := func(p string) string {
		for {
			i := strings.Index(p, "{")
			if i < 0 {
				return p
			}
			j := strings.Index(p[i:], "}")
			name := p[i+1 : i+j]
			v := "1"
			if strings.Contains(name, "code") || strings.Contains(name, "unit") {
				v = "430922"
			}
			p = p[:i] + v + p[i+j+1:]
		}
	}
	for _, rt := range f.srv.routes {
		if rt.Method == "GET" || rt.Method == "HEAD" {
			continue
		}
		p := strings.TrimSuffix(path(rt.Pattern), "{$}")
		if rt.API {
			var body any = map[string]string{"name": "\x00"}
			if rt.Body != nil {
				body = poisoned(rt.Body)
			}
			status, b := f.do(rt.Method, p+"?x=1", token, body)
			if status >= 500 {
				t.Errorf("%s %s answered %d: %s", rt.Method, rt.Pattern, status, b)
			}
			continue
		}
		form := url.Values{}
		for _, k := range []string{"name", "title", "reason", "note", "login", "password", "text", "q", "code", "unit", "comment", "value"} {
			form.Set(k, "x\x00")
		}
		r := ui.do(rt.Method, p, form)
		if r.status >= 500 {
			t.Errorf("%s %s answered %d: %.300s", rt.Method, rt.Pattern, r.status, r.body)
		}
	}
}

// poisoned is a copy of v's type with NUL in every string field it holds
// at the top level.
func poisoned(v any) any {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	out := reflect.New(t).Elem()
	if t.Kind() == reflect.Struct {
		for i := 0; i < t.NumField(); i++ {
			if t.Field(i).IsExported() && t.Field(i).Type.Kind() == reflect.String {
				out.Field(i).SetString("x\x00")
			}
		}
	}
	return out.Interface()
}

// TestAnswersAreNeitherCachedNorSniffed: every API answer, errors included,
// says no-store and nosniff; every page says nosniff.
func TestAnswersAreNeitherCachedNorSniffed(t *testing.T) {
	t.Parallel()
	f := newFixture(t, store.SQLite)
	for _, p := range []string{"/api/v1/units/430922", "/api/v1/units/999999", "/api/v1/people", "/healthz"} {
		resp, err := http.Get(f.ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", p, got)
		}
		if got := resp.Header.Get("Cache-Control"); !strings.Contains(got, "no-store") {
			t.Errorf("%s: Cache-Control %q", p, got)
		}
	}
	resp, err := http.Get(f.ts.URL + "/units")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("/units: X-Content-Type-Options %q", got)
	}
}
