package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"lighten/internal/auth"
	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/units"
)

// fixtureUnits are two counties of 益阳市 and a district of 北京市 with a few of
// their townships and villages. The names are real; the township and village
// codes below the counties are made up for the tests.
var fixtureUnits = []units.Unit{
	{Code: "11", Name: "北京市", Level: units.Province},
	{Code: "1101", Name: "市辖区", Level: units.City, Parent: "11", Placeholder: true},
	{Code: "110101", Name: "东城区", Level: units.County, Parent: "1101"},
	{Code: "43", Name: "湖南省", Level: units.Province},
	{Code: "4309", Name: "益阳市", Level: units.City, Parent: "43"},
	{Code: "430922", Name: "桃江县", Level: units.County, Parent: "4309"},
	{Code: "430922100", Name: "桃花江镇", Level: units.Township, Parent: "430922"},
	{Code: "430922100201", Name: "三里桥村", Level: units.Village, Parent: "430922100"},
	{Code: "430922100202", Name: "花果山村", Level: units.Village, Parent: "430922100"},
	{Code: "430922101", Name: "修山镇", Level: units.Township, Parent: "430922"},
	{Code: "430923", Name: "安化县", Level: units.County, Parent: "4309"},
	{Code: "430923100", Name: "东坪镇", Level: units.Township, Parent: "430923"},
	{Code: "430923100201", Name: "酉州村", Level: units.Village, Parent: "430923100"},
}

const fixturePassword = "correct horse battery"

var fixtureHash = sync.OnceValue(func() string {
	h, err := auth.HashPassword(fixturePassword)
	if err != nil {
		panic(err)
	}
	return h
})

// fixture is a server on a fresh database with the units above.
type fixture struct {
	t   *testing.T
	db  *store.DB
	srv *Server
	ts  *httptest.Server
	// location is the Location header of the last answer.
	location string
}

func newFixture(t *testing.T, kind store.Dialect) *fixture {
	t.Helper()
	db := storetest.Open(t, kind, store.Options{})
	if _, err := db.ImportUnits(context.Background(), store.System, fixtureUnits, nil); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, db: db, srv: New(db, Options{Version: "test"})}
	f.ts = httptest.NewServer(f.srv)
	t.Cleanup(f.ts.Close)
	return f
}

// office creates an office.
func (f *fixture) office(unit, name string) units.Office {
	f.t.Helper()
	o := units.Office{UnitCode: unit, Name: name}
	if err := f.db.Write(context.Background(), store.System, func(tx *store.Tx) error { return tx.CreateOffice(context.Background(), &o) }); err != nil {
		f.t.Fatal(err)
	}
	return o
}

// person creates a person with the fixture password and the given grants
// ("role@code", code empty for the country), and returns an API token.
func (f *fixture) person(login, unit string, grants ...string) (units.Person, string) {
	f.t.Helper()
	ctx := context.Background()
	var gs []units.Grant
	for _, g := range grants {
		r, code, _ := strings.Cut(g, "@")
		gs = append(gs, units.Grant{Role: units.Role(r), UnitCode: code})
	}
	var p units.Person
	var token string
	err := f.db.Write(ctx, store.System, func(tx *store.Tx) error {
		var err error
		p, err = tx.CreatePerson(ctx, store.NewPerson{Login: login, Name: login, UnitCode: unit, PasswordHash: fixtureHash(), Grants: gs})
		if err != nil {
			return err
		}
		_, token, err = tx.CreateAPIToken(ctx, p, "test", 0)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return p, token
}

// do sends a request with an optional bearer token and JSON body.
func (f *fixture) do(method, path, token string, body any) (int, []byte) {
	f.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			f.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	addr := f.ts.URL + path
	if strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://") {
		addr = path // a full address the server gave out
	}
	req, err := http.NewRequest(method, addr, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	f.location = resp.Header.Get("Location")
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// decodeJSON unmarshals a response body or fails the test.
func decodeJSON[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// openAt opens a SQLite database whose clock reads *now.
func openAt(t *testing.T, now *time.Time) *store.DB {
	return storetest.Open(t, store.SQLite, store.Options{Now: func() time.Time { return *now }})
}

func newTestServer(t *testing.T, h http.Handler) *httptest.Server {
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts
}
