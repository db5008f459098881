package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"lighten/internal/store"
)

func loadDoc(t *testing.T, f *fixture) *openapi3.T {
	t.Helper()
	status, body := f.do("GET", "/api/v1/openapi.json", "", nil)
	if status != 200 {
		t.Fatalf("openapi.json: %d", status)
	}
	doc, err := openapi3.NewLoader().LoadFromData(body)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the document is not valid OpenAPI 3: %v", err)
	}
	return doc
}

var pathParam = regexp.MustCompile(`\{[a-z]+\}`)

// The document lists exactly the API routes the server answers.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	f := newFixture(t, store.SQLite)
	doc := loadDoc(t, f)
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			key := method + " " + path
			documented[key] = true
			// The server's router sends a request of this shape to the
			// documented pattern, not to another route or to nothing.
			req := httptest.NewRequest(method, pathParam.ReplaceAllString(path, "1"), nil)
			if _, pattern := f.srv.mux.Handler(req); pattern != key {
				t.Errorf("documented %s is routed to %q", key, pattern)
			}
		}
	}
	for _, rt := range f.srv.Routes() {
		key := rt.Method + " " + rt.Pattern
		if rt.API != documented[key] {
			t.Errorf("route %s: API %v, documented %v", key, rt.API, documented[key])
		}
		if strings.HasPrefix(rt.Pattern, "/api/") != rt.API {
			t.Errorf("route %s: API routes and only they live under /api/", key)
		}
	}
}

// Answers of the real server conform to the document.
func TestResponsesMatchOpenAPI(t *testing.T) {
	f := newFixture(t, store.SQLite)
	doc := loadDoc(t, f)
	doc.Servers = openapi3.Servers{{URL: f.ts.URL}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	_, admin := f.person("admin", "430922", "admin@")
	o := f.office("430922", "桃江县民政局")
	p, _ := f.person("cadre", "430922100", "cadre@430922100")
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/v1/units?q=" + url.QueryEscape("桃"), nil},
		{"GET", "/api/v1/units?parent=4309", nil},
		{"GET", "/api/v1/units/430922", nil},
		{"GET", "/api/v1/units/999999", nil},
		{"GET", "/api/v1/me", nil},
		{"GET", "/api/v1/offices", nil},
		{"GET", "/api/v1/offices/" + itoa(o.ID), nil},
		{"GET", "/api/v1/people?under=430922", nil},
		{"GET", "/api/v1/people/" + itoa(p.ID), nil},
		{"POST", "/api/v1/people", NewPersonBody{Login: "li", Name: "李", Unit: "430922", Password: "long enough password"}},
		{"POST", "/api/v1/people", NewPersonBody{Login: "x", Name: "bad login", Unit: "430922", Password: "long enough password"}},
		{"POST", "/api/v1/me/tokens", NewTokenBody{Name: "robot", Days: 7}},
		{"GET", "/api/v1/me/tokens", nil},
		{"GET", "/api/v1/audit", nil},
		{"GET", "/api/v1/audit/verify", nil},
	} {
		var body []byte
		if c.body != nil {
			body, _ = json.Marshal(c.body)
		}
		req, _ := http.NewRequest(c.method, f.ts.URL+c.path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+admin)
		if c.body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		rb, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Fatalf("%s %s: %v", c.method, c.path, err)
		}
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
			Body: io.NopCloser(bytes.NewReader(rb)), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
		if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
			t.Errorf("%s %s → %d does not match the document: %v\n%s", c.method, c.path, resp.StatusCode, err, rb)
		}
	}
}
