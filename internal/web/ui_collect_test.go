package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"lighten/internal/collect"
	"lighten/internal/gate"
	"lighten/internal/store"
)

// collectUI is a dictionary of five elements of the statistics bureau, a
// village report of two of them and a second office's report that asks one
// of those again with three new ones.
type collectUI struct {
	first, second *store.DemandRecord
}

func newCollectUI(t *testing.T, f *fixture) collectUI {
	t.Helper()
	stats, _, statsToken := f.issuerIn("tongji", "430922")
	_, _, civilToken := f.issuerIn("minzheng", "430922")
	_, burden := f.person("jianfu", "430922", "burden@430922")
	f.person("cun", "430922100201", "cadre@430922100201")
	f.person("youzhou", "430923100201", "cadre@430923100201")
	zero := 0.0
	for _, e := range []collect.Element{
		{Code: "HH", Name: "户数", NameEN: "Households", Type: collect.Integer, Measure: "户", Period: collect.Year, ValidDays: 365, Owner: stats.ID, Min: &zero},
		{Code: "POP", Name: "户籍人口", NameEN: "Registered population", Type: collect.Integer, Measure: "人", Period: collect.Year, ValidDays: 365, Owner: stats.ID},
		{Code: "PARTY", Name: "是否有党支部", NameEN: "Has a Party branch", Type: collect.Bool, Period: collect.Year, ValidDays: 365, Owner: stats.ID},
		{Code: "LAND", Name: "主要耕地类型", NameEN: "Main kind of farmland", Type: collect.Choice, Choices: []string{"水田", "旱地"}, Period: collect.Year, ValidDays: 365, Owner: stats.ID},
		{Code: "CHECKED", Name: "最近核查日期", NameEN: "Last checked", Type: collect.Date, Period: collect.Year, ValidDays: 365, Owner: stats.ID},
	} {
		if status, body := f.do("POST", "/api/v1/elements", burden, e); status != 201 {
			t.Fatalf("element %s: %d %s", e.Code, status, body)
		}
	}
	submit := func(token string, in DemandInput) *store.DemandRecord {
		_, body := f.do("POST", "/api/v1/demands", token, in)
		rec := decodeJSON[store.DemandRecord](t, body)
		_, body = f.do("POST", "/api/v1/demands/"+itoa(rec.ID)+"/submit", token, nil)
		d := decodeJSON[CheckResult](t, body).Demand
		if d.Status == gate.InReview {
			// Asking a figure another report asks goes to review: admitted.
			var err error
			if d, err = f.db.DecideDemand(context.Background(), store.System, d.ID, true, "两份报表由不同部门使用"); err != nil {
				t.Fatal(err)
			}
		}
		if d.Status != gate.Admitted {
			t.Fatalf("report not admitted: %s", body)
		}
		return d
	}
	return collectUI{first: submit(statsToken, villageReport(demandInput(""), "HH", "POP")),
		second: submit(civilToken, villageReport(demandInput(""), "POP", "PARTY", "LAND", "CHECKED"))}
}

// A village cadre fills in a report on the phone: a mistake comes back next
// to its field with what was typed, a double tap stores once, and the next
// office's report arrives with the figure already known and locked.
func TestUIReportForm(t *testing.T) {
	storetestEach(t, func(t *testing.T, f *fixture) {
		cu := newCollectUI(t, f)
		c := f.uiClient("en")
		c.signIn("cun")
		first := fmt.Sprintf("/units/430922100201/reports/%d", cu.first.ID)

		inbox := c.get("/units/430922100201/inbox")
		uiMust(t, inbox, http.StatusOK, `href="`+first+`"`, "Fill in", `/inbox/`+itoa(cu.first.ID)+`/refuse"`)

		r := c.get(first)
		uiMust(t, r, http.StatusOK, `name="v.HH" type="number" step="1" inputmode="numeric" min="0"`, `name="v.POP"`, "Households", "(户)",
			`name="key" value="form-`, "Period: 2026", `href="/api/v1`+first+`/form.xlsx"`, `action="`+first+`/upload"`)

		bad := url.Values{"key": {"phone-1"}, "v.HH": {"12x"}, "v.POP": {""}}
		r = c.post(first, bad)
		uiMust(t, r, http.StatusBadRequest, "2 entries need changing", `value="12x"`, "Not accepted: &#34;12x&#34; is not a whole number", "Fill this in.",
			`name="key" value="phone-1"`)
		if h, _ := f.db.History(context.Background(), "430922100201", "HH", "2026"); len(h) != 0 {
			t.Fatalf("stored after a refused submission: %v", h)
		}

		good := url.Values{"key": {"phone-1"}, "v.HH": {"120"}, "v.POP": {"480"}}
		r = c.post(first, good)
		want := fmt.Sprintf("/units/430922100201/inbox?sent=%d#d%d", cu.first.ID, cu.first.ID)
		if r.status != http.StatusSeeOther || r.location != want {
			t.Fatalf("submit: %d %q %s", r.status, r.location, r.body)
		}
		// The second tap of a double tap carries the same key: stored once.
		if r = c.post(first, good); r.status != http.StatusSeeOther {
			t.Fatalf("second tap: %d %s", r.status, r.body)
		}
		if h, _ := f.db.History(context.Background(), "430922100201", "HH", "2026"); len(h) != 1 || h[0].Value != "120" {
			t.Fatalf("history after a double tap: %+v", h)
		}
		inbox = c.get(want)
		uiMust(t, inbox, http.StatusOK, "Submitted; the item is done.", `<li id="d`+itoa(cu.first.ID)+`" class="is-done">`, "Open the report")

		// The next office's report: the population is known and locked.
		second := fmt.Sprintf("/units/430922100201/reports/%d", cu.second.ID)
		r = c.get(second)
		uiMust(t, r, http.StatusOK, `<input id="v-POP" value="480" disabled>`, "Already known", fmt.Sprintf("from report No. %d", cu.first.ID),
			`type="radio" name="v.PARTY" value="true"`, `<option value="水田">水田</option>`, `name="v.CHECKED" type="date"`,
			"Already known: 1. To fill in: 3")
		uiMustNot(t, r, `name="v.POP"`)

		// The other way: the workbook, downloaded and uploaded back.
		r = c.upload(second+"/upload", nil, "", nil)
		if r.status != http.StatusSeeOther || !strings.HasSuffix(r.location, "?error=file#upload") {
			t.Fatalf("upload without a file: %d %q", r.status, r.location)
		}
		uiMust(t, c.get(r.location), http.StatusOK, "Choose the workbook to upload.")
		uiMust(t, c.upload(second+"/upload", nil, "report.xlsx", []byte("not a workbook")), http.StatusBadRequest,
			`<p class="error" role="alert">`, "not an Excel workbook")
		book := c.get("/api/v1" + second + "/form.xlsx")
		if book.status != http.StatusOK {
			t.Fatalf("workbook: %d %s", book.status, book.body)
		}
		filled := fillReport(t, []byte(book.body), map[string]string{"PARTY": "是", "LAND": "旱地", "CHECKED": "2026-03-01"})
		r = c.upload(second+"/upload", nil, "report.xlsx", filled)
		if r.status != http.StatusSeeOther || !strings.Contains(r.location, "sent=") {
			t.Fatalf("upload: %d %q %s", r.status, r.location, r.body)
		}
		if h, _ := f.db.History(context.Background(), "430922100201", "LAND", "2026"); len(h) != 1 || h[0].Value != "旱地" {
			t.Fatalf("uploaded values: %+v", h)
		}

		// The burden office reads the form but does not fill it in; a
		// cadre of another county does not see it.
		b := f.uiClient("en")
		b.signIn("jianfu")
		r = b.get(first)
		uiMust(t, r, http.StatusOK, "Households")
		uiMustNot(t, r, `enctype="multipart/form-data"`, `name="v.`)
		uiMust(t, b.post(first, good), http.StatusForbidden)
		o := f.uiClient("en")
		o.signIn("youzhou")
		uiMust(t, o.get(first), http.StatusForbidden)
	})
}

// fillReport types values into a report's workbook as a person would: in
// the value column of each element's row.
func fillReport(t *testing.T, book []byte, values map[string]string) []byte {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(book))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := x.GetRows(collect.ReportSheetName)
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range rows {
		if len(row) > 1 {
			if v, ok := values[row[1]]; ok {
				x.SetCellValue(collect.ReportSheetName, fmt.Sprintf("E%d", i+1), v)
			}
		}
	}
	var out bytes.Buffer
	if err := x.Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// The issuer sees who has answered, unit by unit, and drills down.
func TestUICompleteness(t *testing.T) {
	f := newFixture(t, store.SQLite)
	cu := newCollectUI(t, f)
	cun := f.uiClient("en")
	cun.signIn("cun")
	if r := cun.post(fmt.Sprintf("/units/430922100201/reports/%d", cu.first.ID), url.Values{"v.HH": {"120"}, "v.POP": {"480"}}); r.status != http.StatusSeeOther {
		t.Fatalf("submit: %d %s", r.status, r.body)
	}
	c := f.uiClient("en")
	c.signIn("tongji")
	id := itoa(cu.first.ID)
	uiMust(t, c.get("/demands/"+id), http.StatusOK, `href="/demands/`+id+`/completeness"`)
	r := c.get("/demands/" + id + "/completeness")
	uiMust(t, r, http.StatusOK, "Completeness: ", "<dd>2</dd>", "<dd>1</dd>", "<dd>50%</dd>", "三里桥村", `<span class="tag ok">Submitted</span>`,
		"花果山村", `<span class="tag warn">Not yet</span>`, `href="/api/v1/reports/`+id+`/answer?format=csv&amp;under=430922100"`,
		`href="/api/v1/reports/`+id+`/answer.xlsx?under=430922100"`, `href="/api/v1/reports/`+id+`/completeness.csv?under=430922100"`)
	r = c.get("/demands/" + id + "/completeness?under=430922")
	uiMust(t, r, http.StatusOK, `<a href="/demands/`+id+`/completeness?under=430922100">桃花江镇</a>`)
	uiMustNot(t, r, "修山镇") // asked of no unit there
	if r := c.get("/api/v1/reports/" + id + "/answer?format=csv&under=430922100"); r.status != http.StatusOK || !strings.Contains(r.body, "430922100201,三里桥村,HH,2026,120") {
		t.Fatalf("answer: %d %s", r.status, r.body)
	}
	// Not for the units that answer.
	if r := cun.get("/demands/" + id + "/completeness"); r.status != http.StatusForbidden && r.status != http.StatusNotFound {
		t.Fatalf("a cadre reads completeness: %d", r.status)
	}
}

// An office proposes an element; the burden office approves it with a
// reason; a malformed one is refused next to its field.
func TestUIElements(t *testing.T) {
	storetestEach(t, func(t *testing.T, f *fixture) {
		newCollectUI(t, f)
		pub := f.uiClient("en")
		r := pub.get("/elements")
		uiMust(t, r, http.StatusOK, "Data dictionary", "Households", "户", "Whole number", "365 days", "at least 0", `href="/api/v1/elements.xlsx"`,
			`href="/api/v1/elements.csv"`)
		uiMustNot(t, r, `method="post" action="/elements"`)

		c := f.uiClient("en")
		c.signIn("minzheng")
		uiMust(t, c.get("/elements"), http.StatusOK, "Propose an element", `method="post" action="/elements"`)
		form := url.Values{"code": {"DIBAO HH"}, "name": {"低保户数"}, "type": {"integer"}, "period": {"year"}, "valid_days": {"365"}, "min": {"zero"}}
		r = c.post("/elements", form)
		uiMust(t, r, http.StatusBadRequest, `&#34;zero&#34; is not a number.`, `value="低保户数"`)
		form.Set("min", "0")
		r = c.post("/elements", form)
		uiMust(t, r, http.StatusBadRequest, `name="code" value="DIBAO HH"`, "without spaces")
		form.Set("code", "DIBAO")
		r = c.post("/elements", form)
		if r.status != http.StatusSeeOther {
			t.Fatalf("propose: %d %s", r.status, r.body)
		}
		uiMust(t, c.get(r.location), http.StatusOK, "Proposed; the burden-reduction office will review it.", `id="el-DIBAO" class="proposed"`)

		b := f.uiClient("en")
		b.signIn("jianfu")
		r = b.get("/elements?status=proposed")
		uiMust(t, r, http.StatusOK, `action="/elements/DIBAO/decision"`, "1 proposed elements to review", "Add an element")
		uiMustNot(t, r, "Households")
		uiMust(t, b.post("/elements/DIBAO/decision", url.Values{"decision": {"approve"}}), http.StatusBadRequest, "Write the reason.")
		uiMust(t, c.post("/elements/DIBAO/decision", url.Values{"decision": {"approve"}, "reason": {"ok"}}), http.StatusForbidden)
		r = b.post("/elements/DIBAO/decision", url.Values{"decision": {"approve"}, "reason": {"与现有数据元不重复"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("approve: %d %s", r.status, r.body)
		}
		uiMust(t, b.get(r.location), http.StatusOK, "Approved.")
		d, _ := f.db.Dictionary(context.Background())
		if e := d.Elements["DIBAO"]; e == nil || e.Status != collect.Approved {
			t.Fatalf("after approval: %+v", e)
		}
	})
}
