package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"lighten/internal/gate"
	"lighten/internal/store"
	"lighten/internal/units"
)

// reportForm is the demand form filled in for a report to every township
// of 桃江县, due in ten working days.
func reportForm(title string) url.Values {
	return url.Values{"kind": {"report"}, "title": {title}, "body": {"请填报春耕面积和农机数量。"},
		"targets": {"spec"}, "level": {"township"}, "under": {"430922"},
		"due": {workday(10).In(gate.China).Format("2006-01-02T15:04")}, "fields": {"春耕面积\n农机数量 | 10"}}
}

func countDemands(t *testing.T, f *fixture) int {
	t.Helper()
	_, n, err := f.db.ListDemands(context.Background(), store.DemandQuery{Scopes: []string{""}})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

var demandLocation = regexp.MustCompile(`^/demands/(\d+)\?done=saved$`)

// An issuer drafts with the form, checks it (nothing saved) and sees the
// finding and the burden, saves the draft, submits it, and ends it.
func TestUIDemandFormFlow(t *testing.T) {
	storetestEach(t, func(t *testing.T, f *fixture) {
		f.issuerIn("minzheng", "430922")
		c := f.uiClient("en")
		c.signIn("minzheng")

		r := c.get("/demands/new")
		uiMust(t, r, http.StatusOK, `<form id="demand-form"`, `name="title"`, "Every unit of a level under a unit",
			`<input type="radio" name="under" value="430922" checked>`, "桃江县", `formaction="/demands"`)
		uiMust(t, c.get("/"), http.StatusOK, `href="/demands"`)

		// An input error is shown next to its field, keeping what was typed.
		bad := reportForm("  ")
		r = c.post("/demands/check", bad)
		uiMust(t, r, http.StatusBadRequest, `name="title" value="  " maxlength="200" required aria-invalid="true">`,
			`<p class="field-error" role="alert">Field &#34;title&#34; is required.</p>`, "请填报春耕面积和农机数量。", "农机数量 | 10")
		bad = reportForm("春耕")
		bad.Set("due", "tomorrow")
		uiMust(t, c.post("/demands/check", bad), http.StatusBadRequest, "&#34;tomorrow&#34; is not a time")
		bad = reportForm("春耕")
		bad.Del("under")
		uiMust(t, c.post("/demands/check", bad), http.StatusBadRequest, "Choose the unit the targets are under.", "No unit chosen yet")
		bad = reportForm("春耕")
		bad.Set("under", "430923") // 安化县: outside the issuer's scope
		uiMust(t, c.post("/demands/check", bad), http.StatusForbidden, "Your roles and scope do not allow this")

		// The dry run: photos as proof of work are refused, with what to change,
		// and the burden in place; nothing is saved.
		form := reportForm("春耕生产情况统计")
		form.Set("photos", "1")
		r = c.post("/demands/check", form)
		uiMust(t, r, http.StatusOK, "Refused: change what the findings below say", "No proof-of-work traces", "<code>trace.proof</code>",
			"What to change:", "Burden estimate", "fields to fill", "proof of work", `value="春耕生产情况统计"`,
			`name="photos" value="1" checked`)
		if n := countDemands(t, f); n != 0 {
			t.Fatalf("the dry run saved %d demands", n)
		}
		// With htmx the form alone comes back, to replace the one on the page.
		r = c.post("/demands/check", form, "HX-Request", "true")
		uiMust(t, r, http.StatusOK, `<form id="demand-form"`, "No proof-of-work traces")
		uiMustNot(t, r, "<html")
		// In Chinese, the findings are in Chinese.
		zh := f.uiClient("zh-CN")
		zh.signIn("minzheng")
		uiMust(t, zh.post("/demands/check", form), http.StatusOK, "不以留痕论实绩", "怎么改")

		form.Del("photos")
		r = c.post("/demands/check", form)
		uiMust(t, r, http.StatusOK, "Admitted: it goes to the inbox of every target unit.", "units reached: 2")

		// Save the draft, then submit it.
		r = c.post("/demands", form)
		m := demandLocation.FindStringSubmatch(r.location)
		if r.status != http.StatusSeeOther || m == nil {
			t.Fatalf("save: %d %q %s", r.status, r.location, r.body)
		}
		id := m[1]
		r = c.get(r.location)
		uiMust(t, r, http.StatusOK, "Draft saved.", `<span class="tag muted">Draft</span>`, `action="/demands/`+id+`/submit"`,
			`href="/demands/`+id+`/edit"`, "Fields to fill (2): 春耕面积, 农机数量", "Every township unit under 湖南省 › 益阳市 › 桃江县 (units: 2)")
		uiMust(t, c.get("/demands"), http.StatusOK, `href="/demands/`+id+`"`, "春耕生产情况统计", "Not yet through the gate")

		// Editing keeps the form's fields as they were saved.
		r = c.get("/demands/" + id + "/edit")
		uiMust(t, r, http.StatusOK, `formaction="/demands/`+id+`"`, `<input type="hidden" name="id" value="`+id+`">`, "农机数量 | 10")
		form.Set("title", "春耕生产情况统计（修订）")
		r = c.post("/demands/"+id, form)
		if r.status != http.StatusSeeOther {
			t.Fatalf("update: %d %s", r.status, r.body)
		}

		r = c.post("/demands/"+id+"/submit", nil)
		if r.status != http.StatusSeeOther || r.location != "/demands/"+id+"?done=submitted" {
			t.Fatalf("submit: %d %q %s", r.status, r.location, r.body)
		}
		r = c.get(r.location)
		uiMust(t, r, http.StatusOK, "春耕生产情况统计（修订）", `<span class="tag ok">Admitted</span>`, "Admitted: it goes to the inbox",
			"Per unit (minutes)", "<dd>13</dd>", "Most loaded targets")
		uiMustNot(t, r, `/submit"`, `/edit"`)
		uiMust(t, c.get("/demands/"+id+"/edit"), http.StatusConflict)

		// Closing needs a reason; the form says so and keeps the page.
		r = c.post("/demands/"+id+"/close", url.Values{"reason": {"  "}})
		uiMust(t, r, http.StatusBadRequest, "Write the reason.", "<details open>")
		r = c.post("/demands/"+id+"/withdraw", url.Values{"reason": {"与季度报表合并"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("withdraw: %d %s", r.status, r.body)
		}
		uiMust(t, c.get(r.location), http.StatusOK, "Withdrawn; it no longer counts", `<span class="tag muted">Withdrawn</span>`)
		uiMust(t, c.get("/demands?status=withdrawn"), http.StatusOK, "春耕生产情况统计（修订）")
		uiMust(t, c.get("/demands?status=draft"), http.StatusOK, "Nothing matches.")
	})
}

// The target picker answers as the issuer types, within the issuer's reach;
// without JavaScript the form's "search" button does the same.
func TestUIDemandPicker(t *testing.T) {
	f := newFixture(t, store.SQLite)
	f.issuerIn("minzheng", "430922")
	c := f.uiClient("en")
	c.signIn("minzheng")
	r := c.htmx("/demands/units?under_q=" + url.QueryEscape("桃花"))
	uiMust(t, r, http.StatusOK, `<input type="radio" name="under" value="430922100">`, "桃花江镇")
	uiMustNot(t, r, "<html")
	uiMustNot(t, c.htmx("/demands/units?under_q="+url.QueryEscape("东坪")), "430923100")

	form := reportForm("春耕")
	form.Set("op", "find")
	form.Set("under_q", "修山")
	r = c.post("/demands/check", form)
	uiMust(t, r, http.StatusOK, `value="430922101"`, "修山镇", `value="430922" checked`, `value="春耕"`)
	uiMustNot(t, r, "The gate&#39;s answer")
}

// Other kinds come with their own sections; a meeting's format and length
// are checked.
func TestUIDemandMeeting(t *testing.T) {
	f := newFixture(t, store.SQLite)
	f.issuerIn("minzheng", "430922")
	c := f.uiClient("en")
	c.signIn("minzheng")
	start := workday(10)
	form := url.Values{"kind": {"meeting"}, "title": {"防汛工作视频会"}, "targets": {"units"}, "units": {"430922100 430922101"},
		"start": {start.In(gate.China).Format("2006-01-02T15:04")}, "end": {start.Add(2 * time.Hour).In(gate.China).Format("2006-01-02T15:04")},
		"meeting_format": {"video"}, "meeting_minutes": {"120"}, "attendees": {"2"}, "meeting_needed": {"1"}}
	r := c.post("/demands/check", form)
	uiMust(t, r, http.StatusOK, "Meeting length", "No escort attendance", `<option value="video" selected>`)
	r = c.post("/demands", form)
	if r.status != http.StatusSeeOther {
		t.Fatalf("save meeting: %d %s", r.status, r.body)
	}
	uiMust(t, c.get(r.location), http.StatusOK, "Video conference", "Listed units: 2", "桃花江镇", "修山镇",
		"Video conference, 120 minutes", "Attendees per unit: 2")

	form.Set("meeting_minutes", "lots")
	uiMust(t, c.post("/demands/check", form), http.StatusBadRequest, "&#34;lots&#34; is not a whole number")
}

// Only the issuer's own office changes its demands.
func TestUIDemandOwnOffice(t *testing.T) {
	f := newFixture(t, store.SQLite)
	office, _, _ := f.issuerIn("minzheng", "430922")
	f.issuerIn("nongye", "430922")
	rec := f.demand(t, goodReport(office), false)
	c := f.uiClient("en")
	c.signIn("nongye")
	r := c.get(fmt.Sprintf("/demands/%d", rec.ID))
	uiMust(t, r, http.StatusOK, "春耕生产情况统计")
	uiMustNot(t, r, "/submit\"", "/edit\"")
	uiMust(t, c.post(fmt.Sprintf("/demands/%d/submit", rec.ID), nil), http.StatusForbidden, "This demand is not your office&#39;s.")
}

// The burden office admits from the queue with a written reason; without
// one it is refused next to the demand's form.
func TestUIReview(t *testing.T) {
	storetestEach(t, func(t *testing.T, f *fixture) {
		office, _, _ := f.issuerIn("minzheng", "430922")
		f.person("jianfu", "430922", "burden@430922")
		d := goodReport(office)
		inReview(d)
		rec := f.demand(t, d, true)
		if rec.Status != gate.InReview {
			t.Fatalf("fixture demand is %s", rec.Status)
		}
		id := fmt.Sprint(rec.ID)
		c := f.uiClient("en")
		c.signIn("jianfu")
		uiMust(t, c.get("/"), http.StatusOK, `href="/review"`)

		r := c.get("/review")
		uiMust(t, r, http.StatusOK, "春耕生产情况统计", "No proof-of-work traces", "截图", `action="/demands/`+id+`/decision"`,
			`name="from" value="review"`, `href="/review.xlsx"`, `href="/policy/430922"`)

		r = c.post("/demands/"+id+"/decision", url.Values{"from": {"review"}, "decision": {"admit"}, "reason": {" "}})
		// The error is where the eye is, at the top, with a link down to
		// its form, whose field holds the focus.
		uiMust(t, r, http.StatusBadRequest, `<p class="error" role="alert">Write the reason. <a href="#reason-`+id+`">Go to the form of “春耕生产情况统计”</a></p>`,
			`<p class="field-error" id="reason-`+id+`-err">Write the reason.</p>`, `aria-invalid="true" aria-describedby="reason-`+id+`-err" autofocus`, `id="d`+id+`"`)
		if again, _ := f.db.Demand(context.Background(), rec.ID); again.Status != gate.InReview {
			t.Fatalf("a decision without a reason moved the demand to %s", again.Status)
		}

		r = c.post("/demands/"+id+"/decision", url.Values{"from": {"review"}, "decision": {"admit"}, "reason": {"截图用于核对，不作考核"}})
		if r.status != http.StatusSeeOther || r.location != "/review?done=admitted" {
			t.Fatalf("admit: %d %q %s", r.status, r.location, r.body)
		}
		r = c.get(r.location)
		uiMust(t, r, http.StatusOK, "Admitted.", "Nothing waits for review.")
		r = c.get("/demands/" + id)
		uiMust(t, r, http.StatusOK, `<span class="tag ok">Admitted</span>`, "The burden-reduction office&#39;s decision",
			"截图用于核对，不作考核", "Decided by jianfu")

		// Figures: by rule and by office, this year by default.
		r = c.get("/review/stats")
		uiMust(t, r, http.StatusOK, "No proof-of-work traces", "minzheng所在部门", "<meter")
		uiMust(t, c.get("/review/stats?from=2000-01-01&to=2000-12-31"), http.StatusOK, "Nothing in this period.")
		uiMust(t, c.get("/review/stats?from=yesterday"), http.StatusBadRequest)
	})
}

// A cadre sees what is admitted for the unit, marks it done with a note,
// and prints the week's digest.
func TestUIInboxAndDigest(t *testing.T) {
	storetestEach(t, func(t *testing.T, f *fixture) {
		office, _, _ := f.issuerIn("minzheng", "430922")
		f.person("zhen", "430922100", "cadre@430922100")
		d := goodReport(office)
		d.Place = "镇政府二楼"
		rec := f.demand(t, d, true)
		if rec.Status != gate.Admitted {
			t.Fatalf("fixture demand is %s", rec.Status)
		}
		id := fmt.Sprint(rec.ID)
		c := f.uiClient("en")
		c.signIn("zhen")

		r := c.get("/")
		uiMust(t, r, http.StatusOK, `href="/units/430922100/inbox"`, "My inbox")
		uiMust(t, c.get("/units/430922100"), http.StatusOK, `href="/units/430922100/inbox"`, `href="/policy/430922100"`)

		r = c.get("/units/430922100/inbox")
		uiMust(t, r, http.StatusOK, "Inbox of 桃花江镇", "春耕生产情况统计", "3 min", "Fields to fill (1): 春耕面积",
			"Burden budget", "of 2,400 minutes", `action="/units/430922100/inbox/`+id+`/done"`, "Items (1 open, about 3 minutes)")
		r = c.post("/units/430922100/inbox/"+id+"/done", url.Values{"note": {"已报"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("done: %d %s", r.status, r.body)
		}
		r = c.get(r.location)
		uiMust(t, r, http.StatusOK, "Marked done.", `<span class="tag ok">Done `, "Items (0 open")
		uiMustNot(t, r, `/done"`)
		uiMust(t, c.post("/units/430922100/inbox/"+id+"/done", nil), http.StatusConflict, "This was already marked done.")
		uiMust(t, c.post("/units/430922100/inbox/999/done", nil), http.StatusNotFound)

		// The note is shown with the item, and "done" can be taken back.
		r = c.get("/units/430922100/inbox")
		uiMust(t, r, http.StatusOK, "Note: 已报", `action="/units/430922100/inbox/`+id+`/undo"`, "Undo “done”")
		r = c.post("/units/430922100/inbox/"+id+"/undo", nil)
		if r.status != http.StatusSeeOther {
			t.Fatalf("undo: %d %s", r.status, r.body)
		}
		r = c.get(r.location)
		uiMust(t, r, http.StatusOK, "“Done” was taken back", `action="/units/430922100/inbox/`+id+`/done"`, "Items (1 open")
		uiMustNot(t, r, "Note: 已报")
		if r = c.post("/units/430922100/inbox/"+id+"/done", url.Values{"note": {"已报"}}); r.status != http.StatusSeeOther {
			t.Fatalf("done again: %d %s", r.status, r.body)
		}

		// The digest of the week it is due lists it this week; the week before
		// lists it as next week's.
		due := d.Due.In(gate.China)
		r = c.get("/units/430922100/digest?week=" + due.Format("2006-01-02"))
		uiMust(t, r, http.StatusOK, "桃花江镇: this week&#39;s work", "This week (items: 1, about 3 minutes)", "春耕生产情况统计",
			"Place: 镇政府二楼", "data-print hidden", "print.", `rel="prev"`, `rel="next"`)
		this, next := strings.Index(r.body, "This week ("), strings.Index(r.body, "Next week (")
		if at := strings.Index(r.body, "春耕生产情况统计"); at < this || at > next {
			t.Errorf("the item is not among this week's:\n%s", r.body)
		}
		r = c.get("/units/430922100/digest?week=" + due.AddDate(0, 0, -7).Format("2006-01-02"))
		uiMust(t, r, http.StatusOK, "This week (items: 0")
		if at, next := strings.Index(r.body, "春耕生产情况统计"), strings.Index(r.body, "Next week ("); at < next {
			t.Errorf("the item is not among next week's:\n%s", r.body)
		}
		uiMust(t, c.get("/units/430922100/digest?week=soon"), http.StatusBadRequest)

		// Another unit's inbox is not this cadre's to see.
		uiMust(t, c.get("/units/430923100/inbox"), http.StatusForbidden)
	})
}

// The policy form saves a tighter value and refuses a looser one, with the
// message next to the parameter.
func TestUIPolicy(t *testing.T) {
	storetestEach(t, func(t *testing.T, f *fixture) {
		f.person("jianfu", "430922", "burden@430922")
		c := f.uiClient("en")
		c.signIn("jianfu")

		r := c.get("/policy/430922")
		uiMust(t, r, http.StatusOK, "Burden-reduction rules in force: 湖南省 › 益阳市 › 桃江县", "Reports: working days between admission and due date",
			`<form id="policy-form" method="post" action="/policy/430922">`, "Higher is tighter.", "510 (08:30)", "The default",
			"This office has no document of its own")

		r = c.post("/policy/430922", url.Values{"lead.time.report": {"3"}, "budget.village": {"1500"}, "note": {"放宽"}})
		uiMust(t, r, http.StatusBadRequest, "Not saved: change the marked parameters.",
			"Parameter lead.time.report cannot be loosened to 3: 5 is inherited (from the default)",
			"Parameter budget.village cannot be loosened to 1500", `value="3" aria-invalid="true"`, "放宽")
		uiMust(t, c.post("/policy/430922", url.Values{"meet.cap": {"one"}}), http.StatusBadRequest, "&#34;one&#34; is not a whole number")

		r = c.post("/policy/430922", url.Values{"lead.time.report": {"7"}, "note": {"春耕期间从严"}})
		if r.status != http.StatusSeeOther || r.location != "/policy/430922?done=saved" {
			t.Fatalf("save: %d %q %s", r.status, r.location, r.body)
		}
		r = c.get(r.location)
		uiMust(t, r, http.StatusOK, "New version saved.", "Version 1", "jianfu", "春耕期间从严", `<strong>7</strong>`,
			`<span class="tag ok">Own</span>`)

		// Below, the value is inherited and says where from; the public reads it
		// without a form.
		pub := f.uiClient("en")
		r = pub.get("/policy/430922100")
		uiMust(t, r, http.StatusOK, `<strong>7</strong>`, `<a href="/policy/430922">湖南省 › 益阳市 › 桃江县</a>`)
		uiMustNot(t, r, "policy-form")
		uiMust(t, pub.get("/policy/0"), http.StatusOK, "Burden-reduction rules in force: China")
		uiMust(t, pub.get("/policy/4309221"), http.StatusBadRequest)
	})
}

// Villages reached by a "level under a unit" demand find it in their inbox;
// the digest is in Chinese for a Chinese browser.
func TestUIVillageDigestChinese(t *testing.T) {
	f := newFixture(t, store.SQLite)
	office, _, _ := f.issuerIn("minzheng", "430922")
	f.person("sanli", "430922100201", "cadre@430922100201")
	d := goodReport(office)
	d.Targets = gate.Targets{Level: units.Village, Under: "430922"}
	f.demand(t, d, true)
	c := f.uiClient("zh-CN")
	c.signIn("sanli")
	r := c.get("/units/430922100201/digest?week=" + d.Due.In(gate.China).Format("2006-01-02"))
	uiMust(t, r, http.StatusOK, "三里桥村 本周工作清单", "本周：1 项", "春耕生产情况统计", "填报 1 项：春耕面积", "打印")
}
