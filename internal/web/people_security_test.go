package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"lighten/internal/auth"
	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/units"
)

// A county administrator may not change a person homed in the county who
// holds a role beyond it: here the national administrator, made as the
// README makes the first one (homed in 桃江县, admin@country).
func TestCountyAdminCannotTakeOverNationalAdmin(t *testing.T) {
	t.Parallel()
	for _, kind := range storetest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, kind)
			root, rootToken := f.person("root", "430922", "admin@")
			_, county := f.person("county", "430922", "admin@430922")
			_, national := f.person("national", "110101", "admin@")
			id := itoa(root.ID)
			for _, rq := range []struct {
				method, path string
				body         any
			}{
				{"POST", "/api/v1/people/" + id + "/password", PasswordBody{Password: "the county's own password"}},
				{"POST", "/api/v1/people/" + id + "/disabled", DisableBody{Disabled: true, Reason: "taking over"}},
				{"POST", "/api/v1/people/" + id + "/grants", units.Grant{Role: units.RoleCadre, UnitCode: "430922100"}},
				{"DELETE", "/api/v1/people/" + id + "/grants?role=admin&unit=", nil},
				{"GET", "/api/v1/people/" + id + "/signin-lock", nil},
				{"DELETE", "/api/v1/people/" + id + "/signin-lock", nil},
			} {
				status, body := f.do(rq.method, rq.path, county, rq.body)
				e := decodeJSON[map[string]Error](t, body)["error"]
				if status != http.StatusForbidden || e.Code != CodeForbidden || !strings.Contains(e.Message.EN, "root") ||
					!strings.Contains(e.Message.EN, "whole country") || !strings.Contains(e.Message.ZH, "全国") {
					t.Errorf("%s %s as the county admin: %d %s, want 403 naming the person and the country", rq.method, rq.path, status, body)
				}
			}
			// Nothing changed: the old password signs in, the token works,
			// the roles are as they were.
			if status, body := f.do("POST", "/api/v1/session", "", SignInBody{Login: "root", Password: fixturePassword}); status != 200 {
				t.Fatalf("root signs in with the old password: %d %s", status, body)
			}
			if status, _ := f.do("POST", "/api/v1/session", "", SignInBody{Login: "root", Password: "the county's own password"}); status != 401 {
				t.Fatalf("the county's password signs root in: %d", status)
			}
			if status, _ := f.do("GET", "/api/v1/me", rootToken, nil); status != 200 {
				t.Fatalf("root's token: %d", status)
			}
			p, err := f.db.Person(context.Background(), root.ID)
			if err != nil || p.Disabled || len(p.Grants) != 1 || p.Grants[0] != (units.Grant{Role: units.RoleAdmin}) {
				t.Fatalf("root changed: %+v %v", p, err)
			}
			// The person stays readable to the county admin, and a national
			// admin may change them.
			if status, _ := f.do("GET", "/api/v1/people/"+id, county, nil); status != 200 {
				t.Fatalf("county reads root: %d", status)
			}
			if status, body := f.do("POST", "/api/v1/people/"+id+"/password", national, PasswordBody{Password: "a national reset"}); status != 200 {
				t.Fatalf("national admin sets root's password: %d %s", status, body)
			}
		})
	}
}

// A password change ends sessions and revokes API tokens (unless asked to
// keep them), says so, and the audit records it.
func TestPasswordChangeRevokesAPITokens(t *testing.T) {
	t.Parallel()
	for _, kind := range storetest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, kind)
			_, admin := f.person("admin", "430922", "admin@430922")
			zhang, own := f.person("zhang", "430922100", "cadre@430922100")
			status, body := f.do("POST", "/api/v1/me/tokens", own, NewTokenBody{Name: "nightly", Days: 30})
			if status != 201 {
				t.Fatalf("second token: %d %s", status, body)
			}
			second := decodeJSON[NewToken](t, body).Secret
			for _, tok := range []string{own, second} {
				if status, _ := f.do("GET", "/api/v1/me", tok, nil); status != 200 {
					t.Fatalf("token before the change: %d", status)
				}
			}
			status, body = f.do("POST", "/api/v1/me/password", own, PasswordBody{Current: fixturePassword, Password: "a brand new password"})
			done := decodeJSON[PasswordChanged](t, body)
			if status != 200 || done.TokensRevoked != 2 || !strings.Contains(done.Message.EN, "2 API tokens were revoked") || done.Message.ZH == "" {
				t.Fatalf("own change: %d %s", status, body)
			}
			for _, tok := range []string{own, second} {
				if status, _ := f.do("GET", "/api/v1/me", tok, nil); status != 401 {
					t.Fatalf("token after the change: %d, want 401", status)
				}
			}
			recs, err := f.db.ListAudit(context.Background(), store.AuditQuery{Scopes: []string{""}, Entity: "person", Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, r := range recs {
				if r.Action == "person.password" && r.EntityID == itoa(zhang.ID) && strings.Contains(string(r.After), `"tokens_revoked":2`) {
					found = true
				}
			}
			if !found {
				t.Fatalf("the revocation is not in the audit: %+v", recs)
			}

			// Set by an administrator: the same.
			li, liToken := f.person("li", "430922100", "cadre@430922100")
			status, body = f.do("POST", "/api/v1/people/"+itoa(li.ID)+"/password", admin, PasswordBody{Password: "set by the admin"})
			if status != 200 || decodeJSON[PasswordChanged](t, body).TokensRevoked != 1 {
				t.Fatalf("admin sets li's password: %d %s", status, body)
			}
			if status, _ := f.do("GET", "/api/v1/me", liToken, nil); status != 401 {
				t.Fatalf("li's token after the reset: %d, want 401", status)
			}

			// keep_tokens keeps them.
			_, wangToken := f.person("wang", "430922100", "cadre@430922100")
			status, body = f.do("POST", "/api/v1/me/password", wangToken, PasswordBody{Current: fixturePassword, Password: "wang's new password", KeepTokens: true})
			if status != 200 || decodeJSON[PasswordChanged](t, body).TokensRevoked != 0 {
				t.Fatalf("keep_tokens: %d %s", status, body)
			}
			if status, _ := f.do("GET", "/api/v1/me", wangToken, nil); status != 200 {
				t.Fatalf("a kept token: %d", status)
			}
		})
	}
}

// The page where a person changes their password says that it revokes
// their tokens, and does.
func TestPasswordPageRevokesTokens(t *testing.T) {
	t.Parallel()
	f := newFixture(t, store.SQLite)
	_, token := f.person("taojiang", "430922", "burden@430922")
	for _, lang := range []string{"zh", "en"} {
		c := f.uiClient(lang)
		c.signIn("taojiang")
		want := map[string]string{"zh": "API 令牌也将全部吊销", "en": "revokes your API tokens"}[lang]
		if r := c.get("/me"); !strings.Contains(r.body, want) {
			t.Fatalf("%s: the password form does not say tokens are revoked", lang)
		}
	}
	c := f.uiClient("en")
	c.signIn("taojiang")
	r := c.post("/me/password", url.Values{"current": {fixturePassword}, "password": {"a new long password"}, "confirm": {"a new long password"}})
	if r.status != 303 {
		t.Fatalf("change: %d %s", r.status, r.body)
	}
	if r := c.get(r.location); !strings.Contains(r.body, "your API tokens were revoked") {
		t.Fatalf("the notice does not say tokens were revoked: %s", r.body)
	}
	if status, _ := f.do("GET", "/api/v1/me", token, nil); status != 401 {
		t.Fatalf("token after a change on the page: %d", status)
	}
}

// With a trusted proxy, the address is the entry that proxy appended, not
// whatever the client wrote to the left of it.
func TestClientAddressIgnoresSpoofedForwardedFor(t *testing.T) {
	t.Parallel()
	req := func(remote string, xff ...string) *http.Request {
		r, _ := http.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		for _, h := range xff {
			r.Header.Add("X-Forwarded-For", h)
		}
		return r
	}
	for _, c := range []struct {
		name    string
		opt     Options
		r       *http.Request
		address string
	}{
		{"no proxy trusted", Options{}, req("203.0.113.9:4000", "1.2.3.4"), "203.0.113.9"},
		{"one proxy", Options{TrustProxy: true}, req("10.0.0.2:4000", "198.51.100.7"), "198.51.100.7"},
		{"one proxy, spoofed entries", Options{TrustProxy: true}, req("10.0.0.2:4000", "1.1.1.1, 2.2.2.2, 198.51.100.7"), "198.51.100.7"},
		{"one proxy, spoofed header line", Options{TrustProxy: true}, req("10.0.0.2:4000", "1.1.1.1", "198.51.100.7"), "198.51.100.7"},
		{"one proxy said explicitly", Options{TrustProxy: true, TrustedProxies: 1}, req("10.0.0.2:4000", "9.9.9.9,198.51.100.7"), "198.51.100.7"},
		{"two proxies", Options{TrustProxy: true, TrustedProxies: 2}, req("10.0.0.3:4000", "9.9.9.9, 198.51.100.7, 10.0.0.2"), "198.51.100.7"},
		{"two proxies, fewer entries", Options{TrustProxy: true, TrustedProxies: 2}, req("10.0.0.3:4000", "198.51.100.7"), "198.51.100.7"},
		{"no header", Options{TrustProxy: true}, req("10.0.0.2:4000"), "10.0.0.2"},
		{"an empty entry", Options{TrustProxy: true}, req("10.0.0.2:4000", "1.1.1.1, "), "10.0.0.2"},
	} {
		s := &Server{opt: c.opt}
		if got := s.clientAddress(c.r); got != c.address {
			t.Errorf("%s: %q, want %q", c.name, got, c.address)
		}
	}
}

// Through a proxy, a guesser who writes a new leftmost X-Forwarded-For entry
// each time is still counted against their own address.
func TestSpoofedForwardedForDoesNotEscapeTheLimit(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite, store.Options{})
	if _, err := db.ImportUnits(context.Background(), store.System, fixtureUnits, nil); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, db: db, srv: New(db, Options{TrustProxy: true})}
	f.ts = newTestServer(t, f.srv)
	f.person("zhang", "430922", "burden@430922")
	signIn := func(xff, password string) int {
		r, _ := http.NewRequest("POST", f.ts.URL+"/api/v1/session", strings.NewReader(fmt.Sprintf(`{"login":"zhang","password":%q}`, password)))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-Forwarded-For", xff)
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := range auth.MaxFailures {
		if status := signIn(fmt.Sprintf("10.9.9.%d, 198.51.100.7", i), "a wrong guess"); status != 401 {
			t.Fatalf("guess %d: %d", i, status)
		}
	}
	if status := signIn("10.9.9.200, 198.51.100.7", fixturePassword); status != 429 {
		t.Fatalf("the guesser's address with a fresh spoofed entry: %d, want 429", status)
	}
	if status := signIn("198.51.100.7, 203.0.113.5", fixturePassword); status != 200 {
		t.Fatalf("the real person elsewhere, naming the guesser's address on the left: %d, want 200", status)
	}
}

// countingCheck counts password verifications.
func countingCheck(n *atomic.Int64) passwordCheck {
	return func(stored, password string) (bool, error) {
		n.Add(1)
		if stored == fixtureHash() {
			return password == fixturePassword, nil
		}
		if stored == dummyHash() {
			return false, nil
		}
		return false, auth.ErrBadHash
	}
}

// Every sign-in verifies exactly one password hash, whatever the outcome,
// so that no reason for a refusal answers sooner than another.
func TestEverySignInVerifiesOneHash(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := context.Background()
		if _, err := db.ImportUnits(ctx, store.System, fixtureUnits, nil); err != nil {
			t.Fatal(err)
		}
		f := &fixture{t: t, db: db}
		f.person("zhang", "430922", "burden@430922")
		li, _ := f.person("li", "430922", "burden@430922")
		f.person("locked", "430922", "burden@430922")
		err := db.Write(ctx, store.System, func(tx *store.Tx) error {
			if err := tx.SetDisabled(ctx, li, true, "left"); err != nil {
				return err
			}
			_, err := tx.CreatePerson(ctx, store.NewPerson{Login: "nohash", Name: "nohash", UnitCode: "430922"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for range auth.MaxFailures {
			if err := db.RecordSignInFailure(ctx, "locked", "192.0.2.1"); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []struct {
			name, login, password string
			code                  string // "" for success
		}{
			{"right password", "zhang", fixturePassword, ""},
			{"wrong password", "zhang", "a wrong guess", CodeUnauthorized},
			{"unknown login", "nobody", fixturePassword, CodeUnauthorized},
			{"disabled", "li", fixturePassword, CodeUnauthorized},
			{"no password", "nohash", fixturePassword, CodeUnauthorized},
			{"locked out", "locked", fixturePassword, CodeTooMany},
		} {
			var n atomic.Int64
			_, _, err := signIn(ctx, db, countingCheck(&n), c.login, c.password, "192.0.2.1")
			var e *Error
			switch {
			case c.code == "" && err != nil:
				t.Errorf("%s: %v", c.name, err)
			case c.code != "" && (!errors.As(err, &e) || e.Code != c.code):
				t.Errorf("%s: %v, want %s", c.name, err, c.code)
			}
			if n.Load() != 1 {
				t.Errorf("%s: %d password verifications, want 1", c.name, n.Load())
			}
		}
	})
}

// The lock-out counts a login's failures per address: a guesser elsewhere
// does not lock the person out; many addresses together reach a ceiling;
// an administrator covering the person clears the lock.
func TestLockoutIsPerLoginAndAddress(t *testing.T) {
	t.Parallel()
	for _, kind := range storetest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
			f := newFixtureAt(t, kind, &now)
			zhang, _ := f.person("zhang", "430922", "burden@430922")
			_, admin := f.person("admin", "430922", "admin@430922")
			var n atomic.Int64
			try := func(login, password, address string) string {
				t.Helper()
				_, _, err := signIn(ctx, f.db, countingCheck(&n), login, password, address)
				var e *Error
				if errors.As(err, &e) {
					return e.Code
				}
				if err != nil {
					t.Fatal(err)
				}
				return ""
			}
			const guesser, home = "198.51.100.66", "203.0.113.10"
			for i := range auth.MaxFailures {
				if got := try("zhang", "guess", guesser); got != CodeUnauthorized {
					t.Fatalf("guess %d: %q", i, got)
				}
			}
			if got := try("zhang", fixturePassword, guesser); got != CodeTooMany {
				t.Fatalf("the guesser's address: %q, want too_many", got)
			}
			if got := try("zhang", fixturePassword, home); got != "" {
				t.Fatalf("zhang from home while a guesser is locked: %q", got)
			}
			// The person page and the API tell the administrator.
			status, body := f.do("GET", "/api/v1/people/"+itoa(zhang.ID)+"/signin-lock", admin, nil)
			if l := decodeJSON[store.SignInLock](t, body); status != 200 || l.Failures != auth.MaxFailures || !l.Locked || l.Everyone {
				t.Fatalf("lock: %d %s", status, body)
			}
			// The window passes: the guesser may try again.
			now = now.Add(auth.Window + time.Minute)
			if got := try("zhang", fixturePassword, guesser); got != "" {
				t.Fatalf("after the window: %q", got)
			}

			// One address guessing many logins is stopped across them.
			for i := range auth.MaxFailuresPerAddress {
				try(fmt.Sprintf("login-%d", i), "guess", guesser)
			}
			if got := try("zhang", fixturePassword, guesser); got != CodeTooMany {
				t.Fatalf("an address past its limit: %q", got)
			}
			if got := try("zhang", fixturePassword, home); got != "" {
				t.Fatalf("zhang from home: %q", got)
			}

			// Guesses spread over many addresses reach the per-login ceiling,
			// which locks the login everywhere, until an administrator
			// covering the person clears it.
			for i := range auth.MaxFailuresPerLogin {
				if err := f.db.RecordSignInFailure(ctx, "zhang", fmt.Sprintf("10.1.%d.%d", i/4, i%4)); err != nil {
					t.Fatal(err)
				}
			}
			if got := try("zhang", fixturePassword, home); got != CodeTooMany {
				t.Fatalf("past the ceiling: %q", got)
			}
			status, body = f.do("DELETE", "/api/v1/people/"+itoa(zhang.ID)+"/signin-lock", admin, nil)
			if u := decodeJSON[Unlocked](t, body); status != 200 || u.Cleared != auth.MaxFailuresPerLogin || u.Message.ZH == "" {
				t.Fatalf("clear: %d %s", status, body)
			}
			if got := try("zhang", fixturePassword, home); got != "" {
				t.Fatalf("after the administrator cleared the lock: %q", got)
			}
			recs, err := f.db.ListAudit(ctx, store.AuditQuery{Scopes: []string{""}, Entity: "person", Limit: 20})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, r := range recs {
				found = found || r.Action == "person.unlock" && r.EntityID == itoa(zhang.ID)
			}
			if !found {
				t.Fatal("clearing the lock is not audited")
			}
		})
	}
}

// The person's page shows the lock to an administrator who may clear it,
// and clears it; one who may only read the person sees no such section.
func TestPersonPageClearsSignInLock(t *testing.T) {
	t.Parallel()
	f := newFixture(t, store.SQLite)
	zhang, _ := f.person("zhang", "430922100", "cadre@430922100")
	f.person("admin", "430922", "admin@430922")
	f.person("auditor", "430922", "auditor@430922")
	for range auth.MaxFailures {
		if err := f.db.RecordSignInFailure(context.Background(), "zhang", "198.51.100.66"); err != nil {
			t.Fatal(err)
		}
	}
	page := "/people/" + itoa(zhang.ID)
	auditor := f.uiClient("en")
	auditor.signIn("auditor")
	if r := auditor.get(page); r.status != 200 || strings.Contains(r.body, "signin-lock") {
		t.Fatalf("an auditor sees the lock section: %d", r.status)
	}
	c := f.uiClient("zh")
	c.signIn("admin")
	r := c.get(page)
	if r.status != 200 || !strings.Contains(r.body, "5 次失败登录") || !strings.Contains(r.body, `action="`+page+`/signin-lock/clear"`) {
		t.Fatalf("admin's page: %d %s", r.status, r.body)
	}
	r = c.post(page+"/signin-lock/clear", url.Values{})
	if r.status != 303 {
		t.Fatalf("clear: %d %s", r.status, r.body)
	}
	if r := c.get(r.location); !strings.Contains(r.body, "登录锁定已解除") || !strings.Contains(r.body, "没有失败登录") {
		t.Fatalf("after clearing: %s", r.body)
	}
}
