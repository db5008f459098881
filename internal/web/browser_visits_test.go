package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"lighten/internal/store"
)

// An inspection on a phone: on the visit's day the team leader opens "my
// visits", starts the sealed visit, sees the target, marks the checklist,
// sets what the board claims against what is seen, and saves the field
// record.
func TestBrowserVisit(t *testing.T) {
	ctx := browser(t)
	e := newVisitEnv(t, store.SQLite)
	*e.now = visitDay(e.visit.Day)
	base := e.f.ts.URL
	id := itoa(e.visit.ID)
	check := `select[name="check.` + visitItemCode + `.C1"]`

	do(t, ctx, "sign in as the team leader", signInSteps(base, e.people[e.leader].Login)...)
	do(t, ctx, "open my visits",
		openMenu(), chromedp.Click(chromedp.CSS(`nav.main a[href="/visits"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/visits/`+id+`/start"] button`)),
	)
	if got := text(t, ctx, "ul.visits"); strings.Contains(got, e.targetName()) {
		t.Fatalf("before the start, my visits show the target: %q", got)
	}
	screenshot(t, ctx, "visits")
	do(t, ctx, "start the visit",
		chromedp.Click(chromedp.CSS(`form[action="/visits/`+id+`/start"] button`)),
		chromedp.WaitVisible(chromedp.CSS(check)),
	)
	if got := text(t, ctx, "main h1"); !strings.Contains(got, e.targetName()) {
		t.Fatalf("the started visit is titled %q, want the target %s", got, e.targetName())
	}
	if visible, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!document.querySelector("[data-locate]").hidden`)); err != nil || !visible {
		t.Errorf("the location button is not offered: %v %v", visible, err)
	}
	do(t, ctx, "fill in the field record",
		chromedp.SetValue(chromedp.CSS(check), "fail"),
		chromedp.SendKeys(chromedp.CSS(`input[name="check.`+visitItemCode+`.C1.note"]`), "预案未张贴"),
		chromedp.SendKeys(chromedp.CSS(`input[name="claim.0.claimed"]`), "320"),
		chromedp.SendKeys(chromedp.CSS(`input[name="claim.0.seen"]`), "300"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="finding.0.text"]`), "应急预案未上墙"),
		chromedp.Click(chromedp.CSS(`form.field > button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.done`)),
	)
	fullScreenshot(t, ctx, "visit")
	rec, err := e.f.db.FieldRecord(t.Context(), e.visit.ID)
	if err != nil || rec == nil || len(rec.Checks) != 1 || rec.Checks[0].Result != "fail" || rec.Checks[0].Note != "预案未张贴" ||
		len(rec.Claims) != 1 || rec.Claims[0].Seen != "300" || len(rec.Findings) != 1 {
		t.Fatalf("saved record: %+v %v", rec, err)
	}
}
