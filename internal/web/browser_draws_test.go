package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"lighten/internal/store"
)

// The public on a phone: from the home page to the index of draws, a
// filter by year and place chosen by name, the next page, the Chinese page,
// and a draw's record; nothing wider than the screen.
func TestBrowserDrawsIndex(t *testing.T) {
	ctx := browser(t)
	e, _ := drawsIndexEnv(t, store.SQLite)
	base := e.f.ts.URL
	itemDraw := `a.name[href="/draws/` + itoa(e.draw.ID) + `"]`
	fits := func(what string) {
		t.Helper()
		wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
		if err != nil || wide {
			t.Fatalf("%s is wider than the phone's screen (%v)", what, err)
		}
	}

	do(t, ctx, "open the home page and follow its link to the draws",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#draws a[href="/draws"]`)),
		chromedp.Click(chromedp.CSS(`#draws a[href="/draws"]`)),
		chromedp.WaitVisible(chromedp.CSS(`ul.draws`)),
	)
	if got := text(t, ctx, "main h1"); got != "Inspections in public: plans, draws and results" {
		t.Fatalf("the index is titled %q", got)
	}
	if got := text(t, ctx, "nav.pager span"); got != "1–20 of 26" {
		t.Fatalf("the pager reads %q", got)
	}
	fits("the index")
	screenshot(t, ctx, "draws")

	do(t, ctx, "go to the next page",
		chromedp.Click(chromedp.CSS(`nav.pager a[rel="next"]`)),
		chromedp.WaitVisible(chromedp.CSS(itemDraw)),
	)
	if got := text(t, ctx, `li[data-draw="`+itoa(e.draw.ID)+`"]`); !strings.Contains(got, "Drawn, sealed") || !strings.Contains(got, visitPlanTitle) ||
		strings.Contains(got, "三里桥村") || strings.Contains(got, "花果山村") {
		t.Fatalf("the sealed item draw reads %q", got)
	}

	do(t, ctx, "filter by 2026 and 桃江县, chosen by name",
		chromedp.SetValue(chromedp.CSS(`select[name="year"]`), "2026"),
		chromedp.SetValue(chromedp.CSS(`select[name="place"]`), "430922"),
		chromedp.Click(chromedp.CSS(`form.filter button[type="submit"]`)),
		chromedp.WaitReady(chromedp.CSS(`select[name="year"] option[value="2026"][selected]`)),
	)
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('select[name="place"]').selectedOptions[0].textContent`)); err != nil || got != "湖南省 › 益阳市 › 桃江县" {
		t.Fatalf("the place filter shows %q (%v), want the county by name", got, err)
	}
	if got := text(t, ctx, "ul.draws"); !strings.Contains(got, "安全生产专项检查") || strings.Contains(got, "安化县") {
		t.Fatalf("filtered, the index lists %q", got)
	}
	fits("the filtered index")

	do(t, ctx, "switch to Chinese",
		chromedp.Click(chromedp.CSS(`nav.lang a[hreflang="zh-CN"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-CN"] ul.draws`)),
	)
	if got := text(t, ctx, "main h1"); got != "抽查公示：计划、抽取与结果" {
		t.Fatalf("the Chinese index is titled %q", got)
	}
	if got := text(t, ctx, `li[data-draw="`+itoa(e.draw.ID)+`"] .tag`); got != "已抽取，结果封存" {
		t.Fatalf("the Chinese state reads %q", got)
	}
	screenshot(t, ctx, "draws-zh")
	do(t, ctx, "open the draw's record",
		chromedp.Click(chromedp.CSS(itemDraw)),
		chromedp.WaitVisible(chromedp.CSS(`#verify`)),
	)
	if got := text(t, ctx, "main h1"); !strings.Contains(got, itoa(e.draw.ID)) {
		t.Fatalf("the record page is titled %q", got)
	}
	fits("the record page")
}
