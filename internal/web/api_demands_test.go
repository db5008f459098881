package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"lighten/internal/gate"
	"lighten/internal/store"
	"lighten/internal/units"
)

// An issuer drafts, checks and submits; the demand reaches the inbox of
// every target with its minutes; a cadre marks it done; all is audited.
func TestDemandLifecycle(t *testing.T) {
	storetestEach(t, func(t *testing.T, f *fixture) {
		_, _, issuer := f.issuerIn("minzheng", "430922")
		_, cadre := f.person("zhen", "430922100", "cadre@430922100")
		_, burden := f.person("jianfu", "430922", "burden@430922")

		in := demandInput("430922100")
		in.Targets = gate.Targets{Level: units.Township, Under: "430922"}
		in.Asks.Fields = append(in.Asks.Fields, gate.Field{Name: "农机数量", Minutes: 10})
		status, body := f.do("POST", "/api/v1/demands", issuer, in)
		if status != 201 {
			t.Fatalf("draft: %d %s", status, body)
		}
		rec := decodeJSON[store.DemandRecord](t, body)
		if rec.Status != gate.Draft {
			t.Fatalf("status %s", rec.Status)
		}
		status, body = f.do("POST", "/api/v1/demands/"+itoa(rec.ID)+"/check", issuer, nil)
		dry := decodeJSON[CheckResult](t, body)
		if status != 200 || dry.Result.Verdict != gate.Admitted || dry.Result.Targets != 2 || dry.Result.Burden.PerUnit != 13 {
			t.Fatalf("dry run: %d %s", status, body)
		}
		// The dry run changed nothing.
		if again, _ := f.db.Demand(context.Background(), rec.ID); again.Status != gate.Draft {
			t.Fatalf("dry run moved the demand to %s", again.Status)
		}
		status, body = f.do("POST", "/api/v1/demands/"+itoa(rec.ID)+"/submit", issuer, nil)
		sub := decodeJSON[CheckResult](t, body)
		if status != 200 || sub.Demand.Status != gate.Admitted {
			t.Fatalf("submit: %d %s", status, body)
		}
		_, body = f.do("GET", "/api/v1/units/430922100/inbox?to="+workday(30).Format("2006-01-02"), cadre, nil)
		inbox := decodeJSON[Inbox](t, body)
		if len(inbox.Items) != 1 || inbox.Items[0].Minutes != 13 || inbox.Items[0].Demand.ID != rec.ID {
			t.Fatalf("inbox: %s", body)
		}
		if status, body := f.do("POST", "/api/v1/units/430922100/inbox/"+itoa(rec.ID)+"/done", cadre, DoneBody{Note: "已填报"}); status != 204 {
			t.Fatalf("done: %d %s", status, body)
		}
		// Done twice is refused, saying so in both languages.
		if status, body := f.do("POST", "/api/v1/units/430922100/inbox/"+itoa(rec.ID)+"/done", cadre, DoneBody{}); status != 409 ||
			!strings.Contains(string(body), "单位 430922100 已办结事项 "+itoa(rec.ID)+"。") ||
			!strings.Contains(string(body), "Demand "+itoa(rec.ID)+" is already done at 430922100.") {
			t.Fatalf("done twice: %d %s", status, body)
		}
		// The note typed with "done" is shown; "done" can be taken back,
		// once, and the item is open again.
		_, body = f.do("GET", "/api/v1/units/430922100/inbox?to="+workday(30).Format("2006-01-02"), cadre, nil)
		if inbox := decodeJSON[Inbox](t, body); inbox.Items[0].Done == nil || inbox.Items[0].Note != "已填报" {
			t.Fatalf("done item: %s", body)
		}
		if status, body := f.do("POST", "/api/v1/units/430922100/inbox/"+itoa(rec.ID)+"/undo", cadre, UndoBody{Reason: "数据有误，重新核对"}); status != 204 {
			t.Fatalf("undo: %d %s", status, body)
		}
		if status, body := f.do("POST", "/api/v1/units/430922100/inbox/"+itoa(rec.ID)+"/undo", cadre, UndoBody{}); status != 409 ||
			!strings.Contains(string(body), "尚未标记为已办") {
			t.Fatalf("undo twice: %d %s", status, body)
		}
		_, body = f.do("GET", "/api/v1/units/430922100/inbox?to="+workday(30).Format("2006-01-02"), cadre, nil)
		if inbox := decodeJSON[Inbox](t, body); inbox.Items[0].Done != nil {
			t.Fatalf("still done after undo: %s", body)
		}
		if status, body := f.do("POST", "/api/v1/units/430922100/inbox/"+itoa(rec.ID)+"/done", cadre, DoneBody{Note: "已重新填报"}); status != 204 {
			t.Fatalf("done again: %d %s", status, body)
		}
		// Submitting again is refused: it is no longer a draft.
		if status, body := f.do("POST", "/api/v1/demands/"+itoa(rec.ID)+"/submit", issuer, nil); status != 409 ||
			!strings.Contains(string(body), "事项 "+itoa(rec.ID)+" 当前为“已准入”") || !strings.Contains(string(body), "Demand "+itoa(rec.ID)+" is Admitted") {
			t.Fatalf("resubmit: %d %s", status, body)
		}
		recs, _ := f.db.ListAudit(context.Background(), store.AuditQuery{Scopes: []string{""}, Entity: "demand"})
		var actions []string
		for _, r := range recs {
			actions = append(actions, r.Action)
		}
		if strings.Join(actions, ",") != "demand.done,demand.undone,demand.done,demand.submit,demand.create" {
			t.Fatalf("audit: %v", actions)
		}
		_, body = f.do("GET", "/api/v1/review/stats", burden, nil)
		stats := decodeJSON[GateStats](t, body)
		if len(stats.ByOffice) != 1 || stats.ByOffice[0].Admitted != 1 {
			t.Fatalf("stats: %s", body)
		}
	})
}

// A refused demand says why and what to change; fixed, it is admitted.
func TestRefusedThenFixed(t *testing.T) {
	f := newFixture(t, store.SQLite)
	_, _, issuer := f.issuerIn("minzheng", "430922")
	in := demandInput("430922100")
	soon := workday(2)
	in.Due = &soon
	in.Asks.Photos = true
	_, body := f.do("POST", "/api/v1/demands", issuer, in)
	rec := decodeJSON[store.DemandRecord](t, body)
	_, body = f.do("POST", "/api/v1/demands/"+itoa(rec.ID)+"/submit", issuer, nil)
	res := decodeJSON[CheckResult](t, body)
	if res.Demand.Status != gate.Refused {
		t.Fatalf("not refused: %s", body)
	}
	rules := map[string]bool{}
	for _, f := range res.Demand.Findings {
		rules[f.Rule] = true
		if f.Fix.ZH == "" || f.Fix.EN == "" {
			t.Errorf("finding without a fix: %+v", f)
		}
	}
	if !rules["lead.time"] || !rules["trace.proof"] {
		t.Fatalf("findings %+v", res.Demand.Findings)
	}
	fixed := demandInput("430922100")
	if status, body := f.do("PUT", "/api/v1/demands/"+itoa(rec.ID), issuer, fixed); status != 200 {
		t.Fatalf("edit: %d %s", status, body)
	}
	_, body = f.do("POST", "/api/v1/demands/"+itoa(rec.ID)+"/submit", issuer, nil)
	res = decodeJSON[CheckResult](t, body)
	if res.Demand.Status != gate.Admitted {
		t.Fatalf("fixed: %s", body)
	}
	for _, f := range res.Demand.Findings {
		if f.Severity != gate.Note {
			t.Fatalf("fixed demand still has %+v", f)
		}
	}
}

// The burden office decides what the gate sends to review, with a reason.
func TestReviewDecision(t *testing.T) {
	storetestEach(t, func(t *testing.T, f *fixture) {
		office, _, issuer := f.issuerIn("minzheng", "430922")
		_, burden := f.person("jianfu", "430922", "burden@430922")
		d := goodReport(office)
		d.Body += "请上传截图。"
		rec := f.demand(t, d, true)
		if rec.Status != gate.InReview {
			t.Fatalf("status %s", rec.Status)
		}
		_, body := f.do("GET", "/api/v1/review", burden, nil)
		if q := decodeJSON[DemandList](t, body); q.Total != 1 || q.Demands[0].ID != rec.ID {
			t.Fatalf("queue: %s", body)
		}
		if status, _ := f.do("POST", "/api/v1/demands/"+itoa(rec.ID)+"/decision", issuer, DecisionBody{Admit: true, Reason: "x"}); status != 403 {
			t.Fatalf("issuer decides own demand: %d", status)
		}
		if status, _ := f.do("POST", "/api/v1/demands/"+itoa(rec.ID)+"/decision", burden, DecisionBody{Admit: true}); status != 400 {
			t.Fatalf("decision without reason: %d", status)
		}
		status, body := f.do("POST", "/api/v1/demands/"+itoa(rec.ID)+"/decision", burden, DecisionBody{Admit: true, Reason: "截图仅用于核对系统数据"})
		if got := decodeJSON[store.DemandRecord](t, body); status != 200 || got.Status != gate.Admitted || got.Decision == "" {
			t.Fatalf("decide: %d %s", status, body)
		}
		used, _ := f.db.BudgetUsed(context.Background(), time.Date(d.Due.Year(), d.Due.Month(), 1, 0, 0, 0, 0, gate.China))
		if used.Used("430922100") != 3 || used.Used("430922101") != 3 || used.Used("430923100") != 0 {
			t.Fatalf("loads after admission: %d %d", used.Used("430922100"), used.Used("430922101"))
		}
		_, body = f.do("GET", "/api/v1/review/stats", burden, nil)
		stats := decodeJSON[GateStats](t, body)
		if len(stats.ByRule) != 1 || stats.ByRule[0].Key != "trace.proof" || stats.ByRule[0].Review != 1 || stats.ByRule[0].Label.ZH == "" {
			t.Fatalf("stats: %s", body)
		}
	})
}

// A county tightens; a township under it can tighten further but never
// loosen; the tightened rule refuses what it admitted before.
func TestPolicyInheritance(t *testing.T) {
	storetestEach(t, func(t *testing.T, f *fixture) {
		office, _, issuer := f.issuerIn("minzheng", "430922")
		_, burden := f.person("jianfu", "430922", "burden@430922")
		_, townBurden := f.person("zhen-jianfu", "430922100", "burden@430922100")
		d := demandInput("430922100")
		due := workday(6)
		d.Due = &due
		if _, body := f.do("POST", "/api/v1/demands/check", issuer, d); decodeJSON[CheckResult](t, body).Result.Verdict != gate.Admitted {
			t.Fatalf("before tightening: %s", body)
		}
		status, body := f.do("PUT", "/api/v1/policies/430922", burden, PolicyBody{Params: map[string]int{"lead.time.report": 8}, Note: "春耕期间从严"})
		if status != 200 {
			t.Fatalf("tighten: %d %s", status, body)
		}
		view := decodeJSON[PolicyView](t, body)
		for _, p := range view.Params {
			if p.ID == "lead.time.report" && (p.Value != 8 || p.From != "430922" || !p.Own || p.Inherited != 5) {
				t.Fatalf("param view %+v", p)
			}
		}
		if _, body := f.do("POST", "/api/v1/demands/check", issuer, d); decodeJSON[CheckResult](t, body).Result.Verdict != gate.Refused {
			t.Fatalf("after tightening: %s", body)
		}
		status, body = f.do("PUT", "/api/v1/policies/430922100", townBurden, PolicyBody{Params: map[string]int{"lead.time.report": 6}})
		if status != 400 || !strings.Contains(string(body), "lead.time.report") || !strings.Contains(string(body), `"field":"params.lead.time.report"`) {
			t.Fatalf("loosen: %d %s", status, body)
		}
		if status, _ := f.do("PUT", "/api/v1/policies/430922", townBurden, PolicyBody{Params: map[string]int{"lead.time.report": 9}}); status != 403 {
			t.Fatalf("township edits county: %d", status)
		}
		status, body = f.do("PUT", "/api/v1/policies/430922100", townBurden, PolicyBody{Params: map[string]int{"doc.length": 99999999}})
		if status != 400 || !strings.Contains(string(body), "doc.length") {
			t.Fatalf("out of bounds: %d %s", status, body)
		}
		if vs, _ := f.db.PolicyVersions(context.Background(), "430922100"); len(vs) != 0 {
			t.Fatalf("refused policies were saved: %v", vs)
		}
		_ = office
	})
}

// Bad input is refused with the field, and nothing is saved.
func TestDemandBadInput(t *testing.T) {
	f := newFixture(t, store.SQLite)
	_, _, issuer := f.issuerIn("minzheng", "430922")
	past := time.Now().Add(-48 * time.Hour)
	for name, c := range map[string]struct {
		in    func(*DemandInput)
		field string
	}{
		"unknown target":  {func(d *DemandInput) { d.Targets.Units = []string{"430922100", "430922999"} }, "targets.units[1]"},
		"due in the past": {func(d *DemandInput) { d.Due = &past }, "due"},
		"absurd effort":   {func(d *DemandInput) { d.Asks.OtherMinutes = 999999 }, "asks"},
		"no title":        {func(d *DemandInput) { d.Title = "" }, "title"},
		"unknown kind":    {func(d *DemandInput) { d.Kind = "survey" }, "kind"},
	} {
		in := demandInput("430922100")
		c.in(&in)
		status, body := f.do("POST", "/api/v1/demands", issuer, in)
		e := decodeJSON[map[string]Error](t, body)["error"]
		if status != 400 || e.Field != c.field || e.Message.ZH == "" {
			t.Errorf("%s: %d %s", name, status, body)
		}
	}
	if status, body := f.do("POST", "/api/v1/demands", issuer, map[string]any{"kind": "report", "targets": map[string]any{"level": "hamlet"}}); status != 400 {
		t.Errorf("bad level: %d %s", status, body)
	}
	if list, total, _ := f.db.ListDemands(context.Background(), store.DemandQuery{Scopes: []string{""}}); total != 0 {
		t.Fatalf("saved after bad input: %v", list)
	}
}
