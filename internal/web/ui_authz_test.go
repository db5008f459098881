package web

import (
	"context"
	"fmt"
	"net/url"

	"lighten/internal/store"
)

// uiAuthzCases are the pages' rows of the authorization table. Pages that
// need a person send the public to the sign-in page, which counts as
// denied. A letter other than Y or - is not checked: the rows of the three
// forms below need a form body, which the table's requests (JSON or none)
// do not carry, so their answer is a 400 from the form, decided after
// authorization; ui_test.go posts those forms for real.
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
	{"GET /me", "", "-YYYYYYYYY", get("/me")},
	{"POST /me/tokens", "", "-.........", uiPost("/me/tokens")},
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
	{"POST /me/password", "", "-.........", uiPost("/me/password")},
	{"GET /signin", "", "YYYYYYYYYY", get("/signin")},
	{"POST /signin", "", "..........", uiPost("/signin")},
	{"POST /signout", "", "YYYYYYYYYY", uiPost("/signout")},
	{"GET /lang/{lang}", "", "YYYYYYYYYY", get("/lang/zh?next=/units")},
	{"GET /static/{file}", "", "YYYYYYYYYY", func(*authzEnv, authzPrincipal, string) authzRequest {
		u, _ := assetURL("app.css")
		return authzRequest{"GET", u, nil}
	}},
	{"GET /", "", "----------", get("/no/such/page")},
}

func uiPersonPage(e *authzEnv, _ authzPrincipal, place string) authzRequest {
	return authzRequest{"GET", fmt.Sprintf("/people/%d", e.target(place).ID), nil}
}

func uiPost(path string) func(*authzEnv, authzPrincipal, string) authzRequest {
	return func(*authzEnv, authzPrincipal, string) authzRequest { return authzRequest{"POST", path, nil} }
}
