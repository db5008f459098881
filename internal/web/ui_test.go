package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"lighten/internal/i18n"
	"lighten/internal/store"
)

func TestUIPublicTree(t *testing.T) {
	f := newFixture(t, store.SQLite)
	c := f.uiClient("en")

	r := c.get("/units")
	uiMust(t, r, http.StatusOK, "湖南省", "北京市", `hx-get="/units/43/children"`, `href="/units/43"`)
	uiMustNot(t, r, "益阳市") // children load on demand

	r = c.htmx("/units/43/children")
	uiMust(t, r, http.StatusOK, "益阳市", `hx-get="/units/4309/children"`)
	uiMustNot(t, r, "<html", "桃江县")

	// Without htmx the fragment's address leads to the unit's page.
	r = c.get("/units/43/children?offset=0")
	if r.status != http.StatusSeeOther || r.location != "/units/43?offset=0" {
		t.Fatalf("children without htmx: %d %q", r.status, r.location)
	}

	r = c.get("/units/430922100")
	uiMust(t, r, http.StatusOK, `<h1>桃花江镇</h1>`, `href="/units/43"`, `href="/units/4309"`, `href="/units/430922"`,
		"三里桥村", "花果山村", "Township", "Code 430922100")
	uiMustNot(t, r, `id="offices"`, `id="people"`) // the public sees the tree only

	// Subtree counts per level, and the placeholder mark.
	r = c.get("/units/43")
	uiMust(t, r, http.StatusOK, "<dt>City</dt><dd>1</dd>", "<dt>County</dt><dd>2</dd>", "<dt>Township</dt><dd>3</dd>", "<dt>Village</dt><dd>3</dd>")
	r = c.get("/units/1101")
	uiMust(t, r, http.StatusOK, "Statistical node")

	// The home page says what lighten is and counts the tree.
	r = c.get("/")
	uiMust(t, r, http.StatusOK, "lighten is the one gate", "13 units in all.")
}

func TestUIChildrenPaged(t *testing.T) {
	f := newFixture(t, store.SQLite)
	uiVillages(t, f.db, 60) // 61 villages in 东坪镇
	c := f.uiClient("en")

	r := c.htmx("/units/430923100/children")
	uiMust(t, r, http.StatusOK, "Load more (50 of 61 shown)", `hx-get="/units/430923100/children?offset=50"`)
	if n := strings.Count(r.body, `class="leaf"`); n != 50 {
		t.Errorf("first page has %d villages, want 50", n)
	}
	r = c.htmx("/units/430923100/children?offset=50")
	uiMust(t, r, http.StatusOK, "东坪第60村")
	uiMustNot(t, r, "Load more")
	if n := strings.Count(r.body, `class="leaf"`); n != 11 {
		t.Errorf("second page has %d villages, want 11", n)
	}

	// The unit page pages its children with plain links too.
	r = c.get("/units/430923100?offset=50")
	uiMust(t, r, http.StatusOK, "东坪第60村", `href="/units/430923100?offset=0"`)
	uiMustNot(t, r, "东坪第1村<")
}

func TestUISearch(t *testing.T) {
	f := newFixture(t, store.SQLite)
	c := f.uiClient("en")

	// As the person types: a fragment with the village and where it is.
	r := c.htmx("/search?q=" + url.QueryEscape("三里"))
	uiMust(t, r, http.StatusOK, `href="/units/430922100201"`, "三里桥村", "湖南省 › 益阳市 › 桃江县 › 桃花江镇", "Village")
	uiMustNot(t, r, "<html", "酉州村")

	// The plain form submit: the whole page with the results in it.
	r = c.get("/units?q=" + url.QueryEscape("桥"))
	uiMust(t, r, http.StatusOK, "<html", "三里桥村", `value="桥"`)

	// Without htmx, /search sends the browser to the page that answers it.
	r = c.get("/search?q=" + url.QueryEscape("三里"))
	if r.status != http.StatusSeeOther || r.location != "/units?q="+url.QueryEscape("三里") {
		t.Fatalf("search without htmx: %d %q", r.status, r.location)
	}

	// Within a subtree only.
	r = c.htmx("/search?under=430923&q=" + url.QueryEscape("村"))
	uiMust(t, r, http.StatusOK, "酉州村")
	uiMustNot(t, r, "三里桥村", "花果山村")

	r = c.htmx("/search?q=" + url.QueryEscape("没有这个地方"))
	uiMust(t, r, http.StatusOK, "No unit name contains “没有这个地方”.")

	r = c.htmx("/search?q=x&under=123")
	uiMust(t, r, http.StatusBadRequest)
}

func TestUIPeopleAndOfficesScoped(t *testing.T) {
	f := newFixture(t, store.SQLite)
	f.person("taojiang", "430922", "cadre@430922")
	f.person("taohuajiang", "430922100", "cadre@430922100")
	anhua, _ := f.person("anhua", "430923", "cadre@430923")
	f.person("dongping", "430923100", "cadre@430923100")
	f.office("430922", "桃江县民政局")
	f.office("430923", "安化县民政局")

	// The public is sent to sign in, and back afterwards.
	pub := f.uiClient("en")
	r := pub.get("/people?q=tao")
	if r.status != http.StatusSeeOther || r.location != "/signin?next="+url.QueryEscape("/people?q=tao") {
		t.Fatalf("public /people: %d %q", r.status, r.location)
	}

	c := f.uiClient("en")
	c.signIn("taojiang")

	r = c.get("/people")
	uiMust(t, r, http.StatusOK, ">taojiang<", ">taohuajiang<", "1–2 of 2")
	uiMustNot(t, r, "anhua", "dongping")

	r = c.get("/people?q=huaj")
	uiMust(t, r, http.StatusOK, ">taohuajiang<")
	uiMustNot(t, r, ">taojiang<")

	r = c.get("/people?under=430922100")
	uiMust(t, r, http.StatusOK, ">taohuajiang<", `<option value="430922100" selected>`)
	uiMustNot(t, r, ">taojiang<")

	// Another county's subtree asked for by hand yields nobody.
	r = c.get("/people?under=430923")
	uiMust(t, r, http.StatusOK, "Nothing matches.")
	uiMustNot(t, r, ">anhua<", ">dongping<")

	// A person outside the scope does not exist, as in the API.
	r = c.get(fmt.Sprintf("/people/%d", anhua.ID))
	uiMust(t, r, http.StatusNotFound, "Not found, or not visible to you.", "<html")

	r = c.get("/offices")
	uiMust(t, r, http.StatusOK, "桃江县民政局")
	uiMustNot(t, r, "安化县民政局")

	// A unit page shows offices and people only within the scope.
	r = c.get("/units/430922")
	uiMust(t, r, http.StatusOK, `id="offices"`, "桃江县民政局", `id="people"`, ">taojiang<", "2 people here and below")
	r = c.get("/units/430923")
	uiMust(t, r, http.StatusOK, "安化县")
	uiMustNot(t, r, `id="offices"`, "安化县民政局", ">anhua<")

	// The one person's page, with roles by place name.
	r = c.get("/people?q=taohuajiang")
	m := regexp.MustCompile(`href="/people/(\d+)"`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no link to a person:\n%s", r.body)
	}
	r = c.get("/people/" + m[1])
	uiMust(t, r, http.StatusOK, "<h1>taohuajiang</h1>", "Township or village cadre", "桃花江镇")
}

func TestUISignIn(t *testing.T) {
	f := newFixture(t, store.SQLite)
	f.person("taojiang", "430922", "cadre@430922")
	c := f.uiClient("en")

	r := c.get("/signin?next=" + url.QueryEscape("/people"))
	uiMust(t, r, http.StatusOK, `name="next" value="/people"`, `action="/signin"`)

	r = c.post("/signin", url.Values{"login": {"taojiang"}, "password": {"wrong password"}})
	uiMust(t, r, http.StatusUnauthorized, "Wrong login or password.", `value="taojiang"`)

	r = c.post("/signin", url.Values{"login": {"taojiang"}, "password": {fixturePassword}, "next": {"//elsewhere.example/"}})
	if r.status != http.StatusSeeOther || r.location != "/" {
		t.Fatalf("sign in with a foreign next: %d %q", r.status, r.location)
	}
	if c.cookie(sessionCookie) == "" {
		t.Fatal("no session cookie after signing in")
	}
	r = c.get("/")
	uiMust(t, r, http.StatusOK, "What you can reach", `href="/people"`, "桃江县", `action="/signout"`)

	r = c.post("/signout", nil)
	if r.status != http.StatusSeeOther || c.cookie(sessionCookie) != "" {
		t.Fatalf("sign out: %d, cookie %q", r.status, c.cookie(sessionCookie))
	}
	r = c.get("/me")
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/signin") {
		t.Fatalf("after signing out /me gives %d %q", r.status, r.location)
	}

	// Too many failures lock the login, in the person's language.
	zh := f.uiClient("zh-CN")
	for range 5 {
		zh.post("/signin", url.Values{"login": {"taojiang"}, "password": {"wrong password"}})
	}
	r = zh.post("/signin", url.Values{"login": {"taojiang"}, "password": {fixturePassword}})
	uiMust(t, r, http.StatusTooManyRequests, "登录失败次数过多")
}

func TestUILanguage(t *testing.T) {
	f := newFixture(t, store.SQLite)

	en := f.uiClient("en-US,en;q=0.9")
	uiMust(t, en.get("/units"), http.StatusOK, `<html lang="en">`, ">Units<", "Find a unit by name or code")

	zh := f.uiClient("zh-CN,zh;q=0.9,en;q=0.8")
	r := zh.get("/units")
	uiMust(t, r, http.StatusOK, `<html lang="zh-CN">`, ">单位<", "按名称或代码查找单位")
	if r.header.Get("Content-Language") != "zh-CN" {
		t.Errorf("Content-Language %q", r.header.Get("Content-Language"))
	}

	// The switch on every page sets the cookie and returns to the page,
	// without a language in the query that would outweigh the cookie.
	r = en.get("/units/43?lang=en")
	uiMust(t, r, http.StatusOK, `href="/lang/zh?next=%2funits%2f43"`)
	r = en.get("/lang/zh?next=" + url.QueryEscape("/units/43"))
	if r.status != http.StatusSeeOther || r.location != "/units/43" || en.cookie(langCookie) != "zh" {
		t.Fatalf("switch to zh: %d %q cookie %q", r.status, r.location, en.cookie(langCookie))
	}
	uiMust(t, en.get("/units/43"), http.StatusOK, `<html lang="zh-CN">`, "直接下级")

	r = en.get("/lang/en?next=" + url.QueryEscape("//elsewhere.example/"))
	if r.status != http.StatusSeeOther || r.location != "/" {
		t.Fatalf("switch with a foreign next: %d %q", r.status, r.location)
	}
	uiMust(t, en.get("/units/43"), http.StatusOK, `<html lang="en">`)
	uiMust(t, en.get("/lang/fr"), http.StatusNotFound)
}

func TestUIErrorPage(t *testing.T) {
	f := newFixture(t, store.SQLite)
	for _, tc := range []struct {
		lang, path string
		status     int
		text       string
	}{
		{"en", "/units/430999", http.StatusNotFound, "There is no unit with code 430999."},
		{"zh", "/units/430999", http.StatusNotFound, "没有代码为 430999 的单位。"},
		{"en", "/units/abc", http.StatusBadRequest, "is not a valid statistical code"},
		{"en", "/no/such/page", http.StatusNotFound, "Not found, or not visible to you."},
		{"zh", "/no/such/page", http.StatusNotFound, "未找到，或您无权查看。"},
		{"en", "/static/app.0000.css", http.StatusNotFound, "Not found"},
	} {
		r := f.uiClient(tc.lang).get(tc.path)
		title := i18n.T(i18n.Lang(tc.lang), "ui.error.title", tc.status)
		uiMust(t, r, tc.status, tc.text, "<h1>"+title+"</h1>", `<nav class="main"`)
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("%s: content type %q", tc.path, ct)
		}
	}

	// Under /api/ an unknown address is still a JSON error.
	r := f.uiClient("en").get("/api/v1/no-such-thing")
	if r.status != http.StatusNotFound || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("unknown API path: %d %s", r.status, r.header.Get("Content-Type"))
	}

	// A cross-site form post is refused with the error page.
	r = f.uiClient("en").post("/signin", url.Values{"login": {"x"}, "password": {"y"}}, "Sec-Fetch-Site", "cross-site")
	uiMust(t, r, http.StatusForbidden, "Cross-site request refused.")

	// A page that needs a person, posted to by the public.
	r = f.uiClient("en").post("/me/tokens", url.Values{"name": {"x"}, "days": {"3"}})
	uiMust(t, r, http.StatusUnauthorized, "Please sign in first.")
}

func TestUIMe(t *testing.T) {
	f := newFixture(t, store.SQLite)
	f.person("jianfu", "430922", "burden@430922", "auditor@43")
	c := f.uiClient("en")
	c.signIn("jianfu")

	r := c.get("/me")
	uiMust(t, r, http.StatusOK, "<h1>jianfu</h1>", "Burden-reduction office", "Auditor",
		"湖南省 › 益阳市 › 桃江县", `href="/units/43"`, "See people and their roles", "Read the audit log",
		"Browse and search the unit tree (anyone)", "China")

	r = c.post("/me/tokens", url.Values{"name": {"  "}, "days": {"30"}})
	uiMust(t, r, http.StatusBadRequest, "Give the token a name.")
	r = c.post("/me/tokens", url.Values{"name": {"robot"}, "days": {"9999"}})
	uiMust(t, r, http.StatusBadRequest, "Days valid must be between 1 and 365.", `value="robot"`)

	r = c.post("/me/tokens", url.Values{"name": {"report robot"}, "days": {"30"}})
	uiMust(t, r, http.StatusOK, "Token “report robot” created.")
	secret := regexp.MustCompile(`ltk_[A-Za-z0-9_-]+`).FindString(r.body)
	if secret == "" {
		t.Fatalf("no secret shown:\n%s", r.body)
	}
	// The secret works once shown, and is never shown again.
	if status, _ := f.do("GET", "/api/v1/me", secret, nil); status != http.StatusOK {
		t.Fatalf("new token: %d", status)
	}
	r = c.get("/me")
	uiMust(t, r, http.StatusOK, "report robot", "Active")
	uiMustNot(t, r, secret)

	m := regexp.MustCompile(`report robot</span> <span class="tag">Active</span>\s*<span class="above">[^<]*</span>\s*<form method="post" action="/me/tokens/(\d+)/revoke"`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no revoke form:\n%s", r.body)
	}
	r = c.post("/me/tokens/"+m[1]+"/revoke", nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	uiMust(t, c.get(r.location), http.StatusOK, "Token revoked.", "Revoked")
	if status, _ := f.do("GET", "/api/v1/me", secret, nil); status != http.StatusUnauthorized {
		t.Fatalf("revoked token: %d", status)
	}
	uiMust(t, c.post("/me/tokens/"+m[1]+"/revoke", nil), http.StatusNotFound)

	// Changing the password: the form's errors, then success, which ends
	// other sessions and keeps this one.
	other := f.uiClient("en")
	other.signIn("jianfu")
	r = c.post("/me/password", url.Values{"current": {"not it"}, "password": {"a new long password"}, "confirm": {"a new long password"}})
	uiMust(t, r, http.StatusBadRequest, "The current password is wrong.")
	r = c.post("/me/password", url.Values{"current": {fixturePassword}, "password": {"a new long password"}, "confirm": {"something else"}})
	uiMust(t, r, http.StatusBadRequest, "The two new passwords differ.")
	r = c.post("/me/password", url.Values{"current": {fixturePassword}, "password": {"short"}, "confirm": {"short"}})
	uiMust(t, r, http.StatusBadRequest, "at least 10 characters")
	r = c.post("/me/password", url.Values{"current": {fixturePassword}, "password": {"a new long password"}, "confirm": {"a new long password"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("change password: %d %s", r.status, r.body)
	}
	uiMust(t, c.get(r.location), http.StatusOK, "Password changed")
	if r := other.get("/me"); r.status != http.StatusSeeOther {
		t.Fatalf("other session after the change: %d", r.status)
	}
	r = other.post("/signin", url.Values{"login": {"jianfu"}, "password": {"a new long password"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("sign in with the new password: %d", r.status)
	}
}

func TestUIAssets(t *testing.T) {
	f := newFixture(t, store.SQLite)
	c := f.uiClient("en")
	page := c.get("/").body
	for _, name := range []string{"app.css", "htmx.min.js"} {
		u, err := assetURL(name)
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^/static/[a-z.]+\.[0-9a-f]{12}\.(css|js)$`).MatchString(u) {
			t.Errorf("%s is served as %s, without a checksum", name, u)
		}
		if !strings.Contains(page, `"`+u+`"`) {
			t.Errorf("the page does not refer to %s", u)
		}
		r := c.get(u)
		if r.status != http.StatusOK || !strings.Contains(r.header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: %d, Cache-Control %q", u, r.status, r.header.Get("Cache-Control"))
		}
		want := map[string]string{"app.css": "text/css", "htmx.min.js": "javascript"}[name]
		if !strings.Contains(r.header.Get("Content-Type"), want) {
			t.Errorf("%s: content type %q", u, r.header.Get("Content-Type"))
		}
	}
}
