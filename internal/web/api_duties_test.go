package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"lighten/internal/duties"
	"lighten/internal/gate"
	"lighten/internal/store"
	"lighten/internal/units"
)

var townshipList = []duties.Matter{
	{Code: "T01", Name: "最低生活保障申请受理", NameEN: "Receiving applications for subsistence allowance", Category: duties.Own, Basis: "《社会救助暂行办法》第十一条"},
	{Code: "T02", Name: "耕地保护巡查", Category: duties.Assist, Lead: "县自然资源局", Basis: "《中华人民共和国土地管理法》"},
	{Code: "T03", Name: "食品生产经营许可", Category: duties.Negative, Basis: "《中华人民共和国食品安全法》第三十五条"},
}

func taskInput(matter string) DemandInput {
	in := demandInput("430922100")
	in.Kind, in.Matter = gate.Task, matter
	in.Targets = gate.Targets{Level: units.Township, Under: "430922"}
	in.Asks.Fields = nil
	in.Asks.OtherMinutes = 120
	return DemandInput(in)
}

// The province sets a template, the county adjusts it, and the gate admits
// tasks only on the lists.
func TestDutyListsAtTheGate(t *testing.T) {
	storetestEach(t, func(t *testing.T, f *fixture) {
		_, province := f.person("hn-jianfu", "43", "burden@43")
		_, county := f.person("tj-jianfu", "430922", "burden@430922")
		_, _, issuer := f.issuerIn("minzheng", "430922")

		status, body := f.do("POST", "/api/v1/duty-lists", province, DutyListBody{Owner: "43", Level: units.Township, Effective: "2026-01-01", Matters: townshipList})
		if status != 201 {
			t.Fatalf("template: %d %s", status, body)
		}
		// The county may add, but not take a matter off the negative list.
		status, body = f.do("POST", "/api/v1/duty-lists", county, DutyListBody{Owner: "430922", Level: units.Township, Effective: "2026-03-01",
			Matters: []duties.Matter{{Code: "T03", Name: "食品生产经营许可", Category: duties.Own, Basis: "县里要求"}}})
		if e := decodeJSON[map[string]Error](t, body)["error"]; status != 400 || e.Field != "matters.T03" || !strings.Contains(e.Message.EN, "negative list") {
			t.Fatalf("loosened negative list: %d %s", status, body)
		}
		status, body = f.do("POST", "/api/v1/duty-lists", county, DutyListBody{Owner: "430922", Level: units.Township, Effective: "2026-03-01",
			Matters: []duties.Matter{{Code: "T04", Name: "森林防火巡查", Category: duties.Own, Basis: "《森林防火条例》"}}})
		if status != 201 {
			t.Fatalf("adjustment: %d %s", status, body)
		}
		if status, _ := f.do("POST", "/api/v1/duty-lists", county, DutyListBody{Owner: "43", Level: units.Township, Effective: "2026-03-01", Matters: townshipList}); status != 403 {
			t.Fatalf("county edits the province's template: %d", status)
		}
		_, body = f.do("GET", "/api/v1/duties/430922100", "", nil)
		view := decodeJSON[DutyListView](t, body)
		if len(view.Matters) != 4 || len(view.Lists) != 2 || view.Matters[0].Category != duties.Own {
			t.Fatalf("list in force: %s", body)
		}

		check := func(in DemandInput) *gate.Result {
			_, body := f.do("POST", "/api/v1/demands/check", issuer, in)
			return decodeJSON[CheckResult](t, body).Result
		}
		in := taskInput("T01")
		in.Means = &gate.Means{Funds: 50000}
		if r := check(in); r.Verdict != gate.Admitted {
			t.Fatalf("own duty with means: %+v", r.Findings)
		}
		in.Means = nil
		if r := check(in); r.Verdict != gate.InReview || r.Findings[0].Rule != "duty.funds" {
			t.Fatalf("without means: %+v", r.Findings)
		}
		r := check(taskInput("T03"))
		if r.Verdict != gate.Refused || !strings.Contains(r.Findings[0].Message.ZH, "食品生产经营许可") || !strings.Contains(r.Findings[0].Message.ZH, "湖南省") {
			t.Fatalf("negative list: %+v", r.Findings)
		}
		if r := check(taskInput("T99")); r.Verdict != gate.Refused || r.Findings[0].Rule != "duty.list" {
			t.Fatalf("not listed: %+v", r.Findings)
		}
		lead := taskInput("T02")
		lead.Means = &gate.Means{People: 1}
		if r := check(lead); r.Verdict != gate.Refused || !strings.Contains(r.Findings[0].Message.ZH, "县自然资源局") {
			t.Fatalf("assisting without lead: %+v", r.Findings)
		}
		lead.LeadOffice = "县自然资源局"
		if r := check(lead); r.Verdict != gate.Admitted {
			t.Fatalf("assisting with lead: %+v", r.Findings)
		}
	})
}

// A demand that slipped through is refused from the inbox; the burden
// office upholds it; refusing twice and deciding without the role fail.
func TestNotOurs(t *testing.T) {
	storetestEach(t, func(t *testing.T, f *fixture) {
		office, _, _ := f.issuerIn("minzheng", "430922")
		_, cadre := f.person("zhen", "430922100", "cadre@430922100")
		_, burden := f.person("jianfu", "430922", "burden@430922")
		d := goodReport(office)
		d.Matter = "食品经营许可检查"
		rec := f.demand(t, d, true)
		path := "/api/v1/units/430922100/inbox/" + itoa(rec.ID) + "/refuse"
		if status, body := f.do("POST", path, cadre, RefuseBody{Reason: ""}); status != 400 {
			t.Fatalf("no reason: %d %s", status, body)
		}
		status, body := f.do("POST", path, cadre, RefuseBody{Reason: "食品经营许可属市场监管部门职责，不在乡镇职责清单"})
		ref := decodeJSON[store.Refusal](t, body)
		if status != 201 || ref.Status != "pending" {
			t.Fatalf("refuse: %d %s", status, body)
		}
		if status, _ := f.do("POST", path, cadre, RefuseBody{Reason: "again"}); status != 409 {
			t.Fatalf("refused twice: %d", status)
		}
		if status, _ := f.do("POST", "/api/v1/refusals/"+itoa(ref.ID)+"/decision", cadre, UpholdBody{Uphold: true, Reason: "x"}); status != 403 {
			t.Fatalf("cadre confirms own refusal: %d", status)
		}
		_, body = f.do("GET", "/api/v1/refusals?status=pending", burden, nil)
		if list := decodeJSON[[]store.Refusal](t, body); len(list) != 1 || list[0].ID != ref.ID {
			t.Fatalf("queue: %s", body)
		}
		status, body = f.do("POST", "/api/v1/refusals/"+itoa(ref.ID)+"/decision", burden, UpholdBody{Uphold: true, Reason: "确属市场监管局职责，退回发文部门"})
		if got := decodeJSON[store.Refusal](t, body); status != 200 || got.Status != "upheld" {
			t.Fatalf("uphold: %d %s", status, body)
		}
		if status, _ := f.do("POST", "/api/v1/refusals/"+itoa(ref.ID)+"/decision", burden, UpholdBody{Uphold: false, Reason: "改判"}); status != 409 {
			t.Fatalf("decided twice: %d", status)
		}
		_, body = f.do("GET", "/api/v1/units/430922100/inbox?to="+workday(30).Format("2006-01-02"), cadre, nil)
		if in := decodeJSON[Inbox](t, body); len(in.Items) != 0 {
			t.Fatalf("upheld refusal still in the inbox: %s", body)
		}
		used, _ := f.db.BudgetUsed(context.Background(), time.Date(d.Due.Year(), d.Due.Month(), 1, 0, 0, 0, 0, gate.China))
		if used.Used("430922100") != 0 || used.Used("430922101") != 3 {
			t.Fatalf("budget after upheld refusal: %d %d", used.Used("430922100"), used.Used("430922101"))
		}
		_, body = f.do("GET", "/api/v1/duties-stats", burden, nil)
		st := decodeJSON[DutyStats](t, body)
		if len(st.ByOffice) != 1 || st.ByOffice[0].Upheld != 1 || len(st.ByMatter) != 1 {
			t.Fatalf("stats: %s", body)
		}
	})
}

// A township summons an office; it acknowledges in time but answers late.
func TestEscalationAnsweredLate(t *testing.T) {
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, gate.China) // a Monday
	db := openAt(t, &now)
	if _, err := db.ImportUnits(context.Background(), store.System, fixtureUnits, nil); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, db: db, srv: New(db, Options{})}
	f.ts = newTestServer(t, f.srv)
	office, _, issuer := f.issuerIn("ziranziyuan", "430922")
	_, cadre := f.person("zhen", "430922100", "cadre@430922100")
	_, burden := f.person("jianfu", "430922", "burden@430922")
	status, body := f.do("POST", "/api/v1/escalations", cadre, EscalationBody{Unit: "430922100", Matter: "非法采砂", Title: "资江河道夜间非法采砂",
		Description: "乡镇无执法权，需县自然资源局、水利局到场", Offices: []int64{office.ID}})
	es := decodeJSON[duties.Escalation](t, body)
	if status != 201 || es.AckBy != now.Add(24*time.Hour).UTC() && !es.AckBy.Equal(now.Add(24*time.Hour)) {
		t.Fatalf("escalate: %d %s", status, body)
	}
	// Five working days from Monday 1 June 2026: Monday 8 June, end of day.
	if want := time.Date(2026, 6, 8, 17, 30, 0, 0, gate.China); !es.RespondBy.Equal(want) {
		t.Fatalf("respond by %s, want %s", es.RespondBy, want)
	}
	if status, _ := f.do("POST", "/api/v1/escalations", cadre, EscalationBody{Unit: "430922100", Title: "x", Offices: []int64{9999}}); status != 400 {
		t.Fatalf("unknown office: %d", status)
	}
	now = now.Add(3 * time.Hour)
	if status, body := f.do("POST", "/api/v1/escalations/"+itoa(es.ID)+"/ack", issuer, nil); status != 200 {
		t.Fatalf("ack: %d %s", status, body)
	}
	if status, _ := f.do("POST", "/api/v1/escalations/"+itoa(es.ID)+"/ack", cadre, nil); status != 403 {
		t.Fatalf("ack by the township: %d", status)
	}
	now = time.Date(2026, 6, 10, 10, 0, 0, 0, gate.China)
	status, body = f.do("POST", "/api/v1/escalations/"+itoa(es.ID)+"/respond", issuer, ResponseBody{Response: "已联合水利局查处，没收采砂船一艘"})
	got := decodeJSON[duties.Escalation](t, body)
	if status != 200 || got.Status != "answered" || got.Calls[0].AckLate || !got.Calls[0].RespLate {
		t.Fatalf("respond: %d %s", status, body)
	}
	_, body = f.do("GET", "/api/v1/duties-stats", burden, nil)
	if st := decodeJSON[DutyStats](t, body); len(st.ByOffice) != 1 || st.ByOffice[0].Late != 1 {
		t.Fatalf("late not counted: %s", body)
	}
}

// Only registered pledges, and never passed on down.
func TestPledges(t *testing.T) {
	f := newFixture(t, store.SQLite)
	_, county := f.person("tj-jianfu", "430922", "burden@430922")
	_, _, issuer := f.issuerIn("yingji", "430922")
	_, _, townIssuer := f.issuerIn("zhen-ban", "430922100")
	status, body := f.do("POST", "/api/v1/pledge-items", county, duties.PledgeItem{Code: "P-AQ", Owner: "430922", Name: "安全生产目标管理责任",
		ApprovedBy: "桃江县委、县政府", Basis: "《中华人民共和国安全生产法》", ValidUntil: time.Date(2027, 12, 31, 0, 0, 0, 0, gate.China)})
	if status != 201 {
		t.Fatalf("register: %d %s", status, body)
	}
	pledge := func(under string, level units.Level, item string) DemandInput {
		return DemandInput{Kind: gate.Pledge, Title: "2027年安全生产目标管理责任书", Body: "签订责任书。",
			Targets: gate.Targets{Level: level, Under: under}, Pledge: &gate.PledgeInfo{Item: item}}
	}
	_, body = f.do("POST", "/api/v1/demands", issuer, pledge("430922", units.Township, "P-AQ"))
	rec := decodeJSON[store.DemandRecord](t, body)
	_, body = f.do("POST", "/api/v1/demands/"+itoa(rec.ID)+"/submit", issuer, nil)
	if res := decodeJSON[CheckResult](t, body); res.Demand.Status != gate.Admitted {
		t.Fatalf("registered pledge: %s", body)
	}
	_, body = f.do("POST", "/api/v1/demands/check", issuer, pledge("430922", units.Township, "P-XX"))
	if r := decodeJSON[CheckResult](t, body).Result; r.Verdict != gate.Refused || r.Findings[0].Rule != "pledge.approved" {
		t.Fatalf("unregistered: %s", body)
	}
	_, body = f.do("POST", "/api/v1/demands/check", townIssuer, pledge("430922100", units.Village, "P-AQ"))
	r := decodeJSON[CheckResult](t, body).Result
	found := false
	for _, fd := range r.Findings {
		found = found || fd.Rule == "pledge.cascade"
	}
	if r.Verdict != gate.Refused || !found {
		t.Fatalf("cascade: %s", body)
	}
}
