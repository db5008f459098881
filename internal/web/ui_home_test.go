package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"lighten/internal/store"
)

// homeFixture is a county where a report was admitted to the townships, a
// draft waits with the office, and one person of each role.
func homeFixture(t *testing.T) *fixture {
	f := newFixture(t, store.SQLite)
	office, _, _ := f.issuerIn("minzheng", "430922")
	f.demand(t, goodReport(office), true)
	draft := goodReport(office)
	draft.Title = "秋收情况统计"
	f.demand(t, draft, false)
	f.person("jianfu", "430922", "burden@430922")
	f.person("zhen", "430922100", "cadre@430922100")
	f.person("shenji", "430922", "auditor@430922")
	f.person("guanli", "430922", "admin@430922")
	return f
}

// TestHomeShowsWhatWaits: each role lands on what waits for it, with
// counts and links.
func TestHomeShowsWhatWaits(t *testing.T) {
	t.Parallel()
	f := homeFixture(t)
	for _, c := range []struct {
		login string
		want  []string
	}{
		{"minzheng", []string{"件草稿未提交", `href="/demands?status=draft"`, `<strong class="count">1</strong> <span>件草稿未提交`}},
		{"zhen", []string{"份报表待填", `href="/units/430922100/inbox"`, `<strong class="count">1</strong> <span>份报表待填`}},
		{"jianfu", []string{"件事项待复核", `href="/review"`, "件“不属本级职责”拒收待决定"}},
		{"shenji", []string{"条今天的审计记录", `href="/audit?from=`}},
	} {
		ui := f.uiClient("zh-CN")
		ui.signIn(c.login)
		uiMust(t, ui.get("/"), http.StatusOK, append([]string{"等您处理"}, c.want...)...)
	}
	uiMustNot(t, f.uiClient("zh-CN").get("/"), "等您处理")
}

// keyLike is text that looks like a catalogue key, a rule id or an action
// id ("ui.inbox.nav", "lead.time", "demand.submit"): none may be visible.
var keyLike = regexp.MustCompile(`\b[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*(\.[a-z0-9_]+)*\b`)

// TestBrowserRoleHomes signs in as each role on a phone in both languages
// and reads each home page as a person sees it: what waits, and no key.
func TestBrowserRoleHomes(t *testing.T) {
	ctx := browser(t)
	f := homeFixture(t)
	for _, lang := range []string{"zh", "en"} {
		for _, login := range []string{"minzheng", "zhen", "jianfu", "shenji", "guanli"} {
			var body string
			do(t, ctx, "sign in as "+login,
				chromedp.Navigate(f.ts.URL+"/lang/"+lang+"?next=/signin"),
				chromedp.WaitVisible(chromedp.CSS("#login")),
				chromedp.SendKeys(chromedp.CSS("#login"), login),
				chromedp.SendKeys(chromedp.CSS("#password"), fixturePassword),
				chromedp.Click(chromedp.CSS(`form.stack button[type="submit"]`)),
				chromedp.WaitVisible(chromedp.CSS("ul.waiting")),
			)
			var err error
			if body, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main"))); err != nil {
				t.Fatal(err)
			}
			screenshot(t, ctx, "home-"+login+"-"+lang)
			want := map[string]string{"zh": "等您处理", "en": "Waiting for you"}[lang]
			if !strings.Contains(body, want) {
				t.Errorf("%s (%s): the home page does not say %q:\n%s", login, lang, want, body)
			}
			if m := keyLike.FindString(body); m != "" {
				t.Errorf("%s (%s): the home page shows %q:\n%s", login, lang, m, body)
			}
			do(t, ctx, "sign out", openMenu(), chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)),
				chromedp.WaitVisible(chromedp.CSS(`main a[href="/signin"]`)))
		}
	}
}
