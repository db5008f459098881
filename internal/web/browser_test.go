package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"lighten/internal/collect"
	"lighten/internal/gate"
	"lighten/internal/store"
)

// chromiumPath is Debian's Chromium, which CI installs.
const chromiumPath = "/usr/bin/chromium"

// browser starts a headless Chromium with a phone-sized window and returns
// a context for driving one tab. Without Chromium the test is skipped,
// unless LIGHTEN_REQUIRE_BROWSER is set (CI sets it).
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("LIGHTEN_REQUIRE_BROWSER") != "" {
			t.Fatalf("Chromium is required but %s is missing: %v", chromiumPath, err)
		}
		t.Skipf("%s is missing (apt-get install -y chromium); set LIGHTEN_REQUIRE_BROWSER=1 to fail instead", chromiumPath)
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	profile := t.TempDir()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox,
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("accept-lang", "en-US,en"),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(390, 844),
	}
	// A bound on the whole browser session, so that a hung browser ends
	// the test instead of the test binary's own deadline.
	ctx, cancelTime := context.WithTimeout(context.Background(), 3*time.Minute)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancelTime()
	})
	if err := chromedp.Do(tabCtx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2))); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return tabCtx
}

// screenshot saves the viewport when LIGHTEN_SCREENSHOTS names a folder,
// for looking at the pages while working on them.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("LIGHTEN_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// openMenu unfolds the menu as a person on a phone does, by its button;
// on a wide screen, where the menu is never folded, it does nothing.
func openMenu() chromedp.Action[chromedp.Void] {
	ev := chromedp.Evaluate[bool](`(function () {
		var b = document.querySelector(".menu-toggle");
		if (b && !b.hidden && b.getAttribute("aria-expanded") !== "true") { b.click(); return true; }
		return false;
	})()`)
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := ev(ctx, t)
		return chromedp.Void{}, err
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// The screens people use most, in a real browser on a phone-sized screen:
// sign in, switch language, open the tree, find a village by part of its
// name as one types, and open it.
func TestBrowser(t *testing.T) {
	ctx := browser(t)
	f := newFixture(t, store.SQLite)
	f.person("taojiang", "430922", "cadre@430922")
	base := f.ts.URL

	do(t, ctx, "sign in",
		chromedp.Navigate(base+"/signin"),
		chromedp.WaitVisible(chromedp.CSS("#login")),
		chromedp.SendKeys(chromedp.CSS("#login"), "taojiang"),
		chromedp.SendKeys(chromedp.CSS("#password"), fixturePassword),
		chromedp.Click(chromedp.CSS(`form.stack button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("ul.cards")),
	)
	// On a phone the menu is folded behind one button.
	if visible, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`getComputedStyle(document.getElementById("main-nav")).display !== "none"`)); err != nil || visible {
		t.Fatalf("on a phone the menu is shown before it is asked for (%v)", err)
	}
	do(t, ctx, "open the menu", chromedp.Click(chromedp.CSS(".menu-toggle")), chromedp.WaitVisible(chromedp.CSS(`nav.main a[href="/units"]`)))
	if got := text(t, ctx, ".menu-toggle"); got != "Menu" {
		t.Fatalf("the menu button reads %q", got)
	}
	if got := text(t, ctx, `nav.main a[href="/units"]`); got != "Units" {
		t.Fatalf("before switching, the units link reads %q, want Units", got)
	}
	if got := text(t, ctx, `nav.main button`); got != "Sign out" {
		t.Fatalf("signed in, the navigation offers %q, want Sign out", got)
	}

	do(t, ctx, "switch to Chinese",
		chromedp.Click(chromedp.CSS(`nav.lang a[hreflang="zh-CN"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-CN"] ul.cards`)),
		openMenu(),
	)
	if got := text(t, ctx, `nav.main a[href="/units"]`); got != "单位" {
		t.Fatalf("after switching, the units link reads %q, want 单位", got)
	}

	do(t, ctx, "open the tree and a province in it",
		openMenu(), chromedp.Click(chromedp.CSS(`nav.main a[href="/units"]`)),
		chromedp.WaitVisible(chromedp.CSS(`details[hx-get="/units/43/children"] > summary`)),
		chromedp.Click(chromedp.CSS(`details[hx-get="/units/43/children"] > summary .name`)),
		chromedp.WaitVisible(chromedp.CSS(`details[hx-get="/units/4309/children"]`)),
	)
	if got := text(t, ctx, `details[hx-get="/units/4309/children"] > summary .name`); got != "益阳市" {
		t.Fatalf("under 湖南省 the tree shows %q, want 益阳市", got)
	}
	screenshot(t, ctx, "tree")

	do(t, ctx, "search as one types",
		chromedp.SendKeys(chromedp.CSS("#q"), "三里"),
		chromedp.WaitVisible(chromedp.CSS(`#results a[href="/units/430922100201"]`)),
	)
	if got := text(t, ctx, `#results a[href="/units/430922100201"] .name`); got != "三里桥村" {
		t.Fatalf("search result reads %q, want 三里桥村", got)
	}
	screenshot(t, ctx, "search")

	do(t, ctx, "open the village",
		chromedp.Click(chromedp.CSS(`#results a[href="/units/430922100201"]`)),
		chromedp.WaitVisible(chromedp.CSS("nav.crumbs")),
	)
	if got := text(t, ctx, "main h1"); got != "三里桥村" {
		t.Fatalf("the village page is titled %q", got)
	}
	if got := text(t, ctx, "nav.crumbs"); !strings.Contains(got, "桃花江镇") || !strings.Contains(got, "湖南省") {
		t.Fatalf("breadcrumbs read %q", got)
	}
	screenshot(t, ctx, "village")
}

// fullScreenshot saves the whole page, not only the viewport, when
// LIGHTEN_SCREENSHOTS names a folder.
func fullScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("LIGHTEN_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func signInSteps(base, login string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(base + "/signin"),
		chromedp.WaitVisible(chromedp.CSS("#login")),
		chromedp.SendKeys(chromedp.CSS("#login"), login),
		chromedp.SendKeys(chromedp.CSS("#password"), fixturePassword),
		chromedp.Click(chromedp.CSS(`form.stack button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("ul.cards")),
	}
}

// settled waits until htmx has finished a swap, including the scroll that
// comes with it, so that a click lands where it was aimed.
var settled = chromedp.WaitNotPresent(chromedp.CSS(".htmx-request, .htmx-swapping, .htmx-settling"))

// pdfPage marks each page of a PDF that Chromium wrote.
var pdfPage = regexp.MustCompile(`/Type\s*/Page[^s]`)

// The gate in a browser on a phone: an issuer writes a report to every
// village of the county with the form, checks it in place (first with a
// finding, then without), saves and submits it; a village cadre then finds
// it in the unit's inbox and its weekly digest prints on one A4 page.
func TestBrowserDemand(t *testing.T) {
	ctx := browser(t)
	f := newFixture(t, store.SQLite)
	office, _, _ := f.issuerIn("minzheng", "430922")
	f.person("sanli", "430922100201", "cadre@430922100201")
	base := f.ts.URL
	due := workday(10)

	do(t, ctx, "sign in as the issuer", signInSteps(base, "minzheng")...)
	do(t, ctx, "open the form",
		openMenu(), chromedp.Click(chromedp.CSS(`nav.main a[href="/demands"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/demands/new"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/demands/new"]`)),
		chromedp.WaitVisible(chromedp.CSS("#title")),
	)
	fullScreenshot(t, ctx, "demand-form")
	do(t, ctx, "fill in the form",
		chromedp.SendKeys(chromedp.CSS("#title"), "春耕生产情况统计"),
		chromedp.SendKeys(chromedp.CSS("#body"), "请各村填报春耕面积。"),
		chromedp.SendKeys(chromedp.CSS("#under_q"), "桃江"),
		chromedp.WaitVisible(chromedp.CSS(`#under-results input[value="430922"]`)),
		settled,
		chromedp.Click(chromedp.CSS(`#under-results input[value="430922"]`)),
		chromedp.SetValue(chromedp.CSS("#due"), due.In(gate.China).Format("2006-01-02T15:04")),
		chromedp.SendKeys(chromedp.CSS("#fields"), "春耕面积"),
		chromedp.Click(chromedp.CSS(`input[name="photos"]`)),
	)
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#level").value`)); err != nil || got != "village" {
		t.Fatalf("the level is %q (%v), want village", got, err)
	}
	do(t, ctx, "check: refused for the photos",
		chromedp.Click(chromedp.CSS(`button[hx-post="/demands/check"]`)),
		chromedp.WaitVisible(chromedp.CSS(".verdict.warn")),
		settled,
	)
	if got := text(t, ctx, "ol.findings"); !strings.Contains(got, "No proof-of-work traces") {
		t.Fatalf("findings read %q", got)
	}
	fullScreenshot(t, ctx, "demand-check")
	do(t, ctx, "check again without the photos",
		chromedp.Click(chromedp.CSS(`input[name="photos"]`)),
		chromedp.Click(chromedp.CSS(`button[hx-post="/demands/check"]`)),
		chromedp.WaitVisible(chromedp.CSS(".verdict.ok")),
		settled,
	)
	if got := text(t, ctx, ".verdict"); !strings.Contains(got, "Admitted") || !strings.Contains(got, "units reached: 2") {
		t.Fatalf("verdict reads %q", got)
	}
	do(t, ctx, "save",
		chromedp.Click(chromedp.CSS(`button[formaction="/demands"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/submit"] button`)),
	)
	do(t, ctx, "submit",
		chromedp.Click(chromedp.CSS(`form[action$="/submit"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`p.meta .tag.ok`)),
	)
	if got := text(t, ctx, "p.meta .tag.ok"); got != "Admitted" {
		t.Fatalf("after submitting the demand is %q", got)
	}

	// A demand refused for its findings, to look at.
	bad := goodReport(office)
	bad.Due = workday(2)
	bad.Asks.Photos = true
	bad.Body = "请各村上传照片佐证。"
	refused := f.demand(t, bad, true)
	do(t, ctx, "open a refused demand",
		chromedp.Navigate(base+"/demands/"+itoa(refused.ID)),
		chromedp.WaitVisible(chromedp.CSS("ol.findings")),
	)
	fullScreenshot(t, ctx, "demand-findings")

	do(t, ctx, "sign out", openMenu(), chromedp.Click(chromedp.CSS(`nav.main button`)), chromedp.WaitVisible(chromedp.CSS(`main a[href="/signin"]`)))
	do(t, ctx, "sign in as the village cadre", signInSteps(base, "sanli")...)
	do(t, ctx, "open my inbox",
		openMenu(), chromedp.Click(chromedp.CSS(`nav.main a[href="/units/430922100201/inbox"]`)),
		chromedp.WaitVisible(chromedp.CSS("ul.inbox")),
	)
	if got := text(t, ctx, "ul.inbox"); !strings.Contains(got, "春耕生产情况统计") || !strings.Contains(got, "Fields to fill (1)") {
		t.Fatalf("the inbox reads %q", got)
	}
	fullScreenshot(t, ctx, "inbox")

	do(t, ctx, "open the digest of the week it is due",
		chromedp.Navigate(base+"/units/430922100201/digest?week="+due.In(gate.China).Format("2006-01-02")),
		chromedp.WaitVisible(chromedp.CSS("button[data-print]")),
	)
	if got := text(t, ctx, "table.digest-items"); !strings.Contains(got, "春耕生产情况统计") {
		t.Fatalf("the digest reads %q", got)
	}
	fullScreenshot(t, ctx, "digest")
	// As printed: A4 is 210 mm wide, 794 CSS pixels.
	do(t, ctx, "print layout",
		chromedp.EmulateViewport(794, 1123),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
			return err
		}),
	)
	fullScreenshot(t, ctx, "digest-print")
	pdf, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
		r, err := cdp.Call(ctx, tg, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: ptrTo(true)})
		return r.Data, err
	})
	if err != nil {
		t.Fatalf("print: %v", err)
	}
	if n := len(pdfPage.FindAll(pdf, -1)); n != 1 {
		t.Errorf("the digest prints on %d pages, want 1", n)
	}
}

func ptrTo[T any](v T) *T { return &v }

// A village cadre on a phone opens a report from the inbox: the figure
// already collected by another office is filled in and locked, the rest is
// typed in and submitted, and the inbox shows the item done.
func TestBrowserReport(t *testing.T) {
	ctx := browser(t)
	f := newFixture(t, store.SQLite)
	stats, _, statsToken := f.issuerIn("tongji", "430922")
	_, _, civilToken := f.issuerIn("minzheng", "430922")
	_, burden := f.person("jianfu", "430922", "burden@430922")
	_, cunToken := f.person("cun", "430922100201", "cadre@430922100201")
	_, huaguoToken := f.person("huaguo", "430922100202", "cadre@430922100202")
	for _, e := range []collect.Element{
		{Code: "POP", Name: "户籍人口", NameEN: "Registered population", Type: collect.Integer, Measure: "人", Period: collect.Year, ValidDays: 365, Owner: stats.ID},
		{Code: "HH", Name: "户数", NameEN: "Households", Type: collect.Integer, Measure: "户", Period: collect.Year, ValidDays: 365, Owner: stats.ID},
		{Code: "PARTY", Name: "是否有党支部", NameEN: "Has a Party branch", Type: collect.Bool, Period: collect.Year, ValidDays: 365, Owner: stats.ID},
	} {
		if status, body := f.do("POST", "/api/v1/elements", burden, e); status != 201 {
			t.Fatalf("element %s: %d %s", e.Code, status, body)
		}
	}
	report := func(token string, elements ...string) *store.DemandRecord {
		_, body := f.do("POST", "/api/v1/demands", token, villageReport(demandInput(""), elements...))
		rec := decodeJSON[store.DemandRecord](t, body)
		_, body = f.do("POST", "/api/v1/demands/"+itoa(rec.ID)+"/submit", token, nil)
		d := decodeJSON[CheckResult](t, body).Demand
		if d.Status != gate.Admitted {
			t.Fatalf("report not admitted: %s", body)
		}
		return d
	}
	first := report(statsToken, "POP")
	for token, pop := range map[string]string{cunToken: "480", huaguoToken: "300"} {
		path := fmt.Sprintf("/api/v1/units/%s/reports/%d/submission", map[string]string{cunToken: "430922100201", huaguoToken: "430922100202"}[token], first.ID)
		if status, body := f.do("POST", path, token, collect.Submission{Values: map[string]string{"POP": pop}}); status != 201 {
			t.Fatalf("first report: %d %s", status, body)
		}
	}
	second := report(civilToken, "POP", "HH", "PARTY")
	base := f.ts.URL
	form := fmt.Sprintf("/units/430922100201/reports/%d", second.ID)

	do(t, ctx, "sign in as the village cadre", signInSteps(base, "cun")...)
	do(t, ctx, "open the report from the inbox",
		openMenu(), chromedp.Click(chromedp.CSS(`nav.main a[href="/units/430922100201/inbox"]`)),
		chromedp.WaitVisible(chromedp.CSS(`ul.inbox a[href="`+form+`"]`)),
		chromedp.Click(chromedp.CSS(`ul.inbox a[href="`+form+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#v-HH")),
	)
	locked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("#v-POP").disabled && document.querySelector("#v-POP").value === "480"`))
	if err != nil || !locked {
		t.Fatalf("the known population is not shown filled and locked (%v)", err)
	}
	if got := text(t, ctx, "#f-POP .known-from"); !strings.Contains(got, "Already known") || !strings.Contains(got, "report No. "+itoa(first.ID)) {
		t.Fatalf("the known value's provenance reads %q", got)
	}
	do(t, ctx, "fill in the rest",
		chromedp.SendKeys(chromedp.CSS("#v-HH"), "120"),
		chromedp.Click(chromedp.CSS(`input[name="v.PARTY"][value="true"]`)),
	)
	fullScreenshot(t, ctx, "report-form")
	do(t, ctx, "submit",
		chromedp.Click(chromedp.CSS(`form.report button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("p.done")),
	)
	if got := text(t, ctx, "p.done"); !strings.Contains(got, "Submitted") {
		t.Fatalf("after submitting the inbox says %q", got)
	}
	done, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector("#d%d").classList.contains("is-done")`, second.ID)))
	if err != nil || !done {
		t.Fatalf("the report's item is not shown done (%v)", err)
	}
	fullScreenshot(t, ctx, "report-done")
	if h, _ := f.db.History(context.Background(), "430922100201", "HH", "2026"); len(h) != 1 || h[0].Value != "120" {
		t.Fatalf("stored: %+v", h)
	}
}
