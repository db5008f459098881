package web

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

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
	if got := text(t, ctx, `nav.main a[href="/units"]`); got != "Units" {
		t.Fatalf("before switching, the units link reads %q, want Units", got)
	}
	if got := text(t, ctx, `nav.main button`); got != "Sign out" {
		t.Fatalf("signed in, the navigation offers %q, want Sign out", got)
	}

	do(t, ctx, "switch to Chinese",
		chromedp.Click(chromedp.CSS(`nav.lang a[hreflang="zh-CN"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-CN"] ul.cards`)),
	)
	if got := text(t, ctx, `nav.main a[href="/units"]`); got != "单位" {
		t.Fatalf("after switching, the units link reads %q, want 单位", got)
	}

	do(t, ctx, "open the tree and a province in it",
		chromedp.Click(chromedp.CSS(`nav.main a[href="/units"]`)),
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
