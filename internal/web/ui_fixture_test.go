package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"lighten/internal/store"
	"lighten/internal/units"
)

// uiClient is a browser without JavaScript: it keeps cookies, does not
// follow redirects, and asks for one language.
type uiClient struct {
	t    *testing.T
	f    *fixture
	lang string
	hc   *http.Client
}

// uiResponse is one answer, with the body as text.
type uiResponse struct {
	status   int
	body     string
	header   http.Header
	location string
}

func (f *fixture) uiClient(lang string) *uiClient {
	jar, err := cookiejar.New(nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return &uiClient{t: f.t, f: f, lang: lang, hc: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// do sends a request; headers come in name, value pairs.
func (c *uiClient) do(method, path string, form url.Values, headers ...string) uiResponse {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.f.ts.URL+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return uiResponse{status: resp.StatusCode, body: string(b), header: resp.Header, location: resp.Header.Get("Location")}
}

func (c *uiClient) get(path string, headers ...string) uiResponse {
	c.t.Helper()
	return c.do("GET", path, nil, headers...)
}

func (c *uiClient) post(path string, form url.Values, headers ...string) uiResponse {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	return c.do("POST", path, form, headers...)
}

// htmx asks for a fragment as htmx does.
func (c *uiClient) htmx(path string) uiResponse {
	c.t.Helper()
	return c.get(path, "HX-Request", "true")
}

// signIn signs in through the form with the fixture password.
func (c *uiClient) signIn(login string) {
	c.t.Helper()
	r := c.post("/signin", url.Values{"login": {login}, "password": {fixturePassword}, "next": {"/me"}})
	if r.status != http.StatusSeeOther || r.location != "/me" {
		c.t.Fatalf("sign in as %s: %d %s %s", login, r.status, r.location, r.body)
	}
}

// cookie is the value of a cookie the client holds for the server.
func (c *uiClient) cookie(name string) string {
	u, _ := url.Parse(c.f.ts.URL)
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// uiMust fails unless the answer has the status and contains every text.
func uiMust(t *testing.T, r uiResponse, status int, texts ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body:\n%s", r.status, status, r.body)
	}
	for _, s := range texts {
		if !strings.Contains(r.body, s) {
			t.Errorf("answer lacks %q; body:\n%s", s, r.body)
		}
	}
}

// uiMustNot fails if the answer contains any of the texts.
func uiMustNot(t *testing.T, r uiResponse, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(r.body, s) {
			t.Errorf("answer contains %q; body:\n%s", s, r.body)
		}
	}
}

// uiVillages adds n villages to 东坪镇 (430923100), so that its children
// take more than one page.
func uiVillages(t *testing.T, db *store.DB, n int) {
	t.Helper()
	var us []units.Unit
	for i := range n {
		us = append(us, units.Unit{Code: fmt.Sprintf("430923100%03d", 300+i), Name: fmt.Sprintf("东坪第%d村", i+1),
			Level: units.Village, Parent: "430923100"})
	}
	if _, err := db.ImportUnits(context.Background(), store.System, us, nil); err != nil {
		t.Fatal(err)
	}
}
