package demo

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lighten/internal/audit"
	"lighten/internal/collect"
	"lighten/internal/duties"
	"lighten/internal/gate"
	"lighten/internal/store"
	"lighten/internal/units"
)

// openAt opens a fresh demo database whose clock stands at now.
func openAt(t *testing.T, now time.Time) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "demo.db"), store.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func countAudit(t *testing.T, db *store.DB) int64 {
	t.Helper()
	n, err := db.VerifyAudit(context.Background())
	if err != nil {
		t.Fatalf("audit chain: %v", err)
	}
	return n
}

// A fresh database gets a year of demands in every state, findings of many
// rules, inboxes for the coming weeks, an audit log that names who did
// what, and a second Seed changes nothing.
func TestSeedYear(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, gate.China)
	db := openAt(t, now)
	if err := Seed(ctx, db); err != nil {
		t.Fatal(err)
	}

	list, total, err := db.ListDemands(ctx, store.DemandQuery{Scopes: []string{""}, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if total < 100 || total > 400 || len(list) != total {
		t.Fatalf("%d demands (%d listed), want a year's worth", total, len(list))
	}
	status := map[gate.Status]int{}
	decided := map[gate.Status]int{}
	offices := map[string]bool{}
	for _, d := range list {
		status[d.Status]++
		if d.DecidedBy != 0 {
			if d.Decision == "" {
				t.Errorf("demand %d %q decided without a reason", d.ID, d.Title)
			}
			decided[d.Status]++
		}
		offices[d.OfficeName] = true
		if d.Created.Before(now.AddDate(-1, 0, -1)) || d.Created.After(now) {
			t.Errorf("demand %d %q created %v, outside the year", d.ID, d.Title, d.Created)
		}
	}
	for _, s := range []gate.Status{gate.Admitted, gate.Refused, gate.InReview, gate.Closed} {
		if status[s] == 0 {
			t.Errorf("no demand is %s: %v", s, status)
		}
	}
	if decided[gate.Admitted] == 0 || decided[gate.Refused] == 0 {
		t.Errorf("the burden office should have admitted and refused some: %v", decided)
	}
	if len(offices) < 8 {
		t.Errorf("demands from %d offices, want every issuing office: %v", len(offices), offices)
	}

	c, err := CountDemands(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if c.Demands != total || c.Admitted+c.Refused+c.Reviewed+c.Waiting != c.Demands {
		t.Errorf("counts %+v do not add up to %d demands", c, total)
	}
	if c.Admitted*100 < c.Demands*55 || c.Refused*100 < c.Demands*8 || (c.Reviewed+c.Waiting)*100 < c.Demands*8 || c.Waiting == 0 {
		t.Errorf("counts %+v: want mostly admitted, some refused, some reviewed, a few waiting", c)
	}

	byRule, _, err := db.GateStats(ctx, []string{""}, now.AddDate(-2, 0, 0), now.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	rules := map[string]bool{}
	for _, r := range byRule {
		if r.Block+r.Review > 0 {
			rules[r.Key] = true
		}
	}
	for _, want := range []string{"lead.time", "rest.days", "budget.unit", "doc.length", "meet.escort", "trace.proof", "app.checkin", "group.owner",
		"duty.negative", "once.overlap"} {
		if !rules[want] {
			t.Errorf("no finding of %s among %v", want, rules)
		}
	}
	if len(rules) < 8 {
		t.Errorf("findings of %d rules, want at least 8: %v", len(rules), rules)
	}
	notes := map[string]bool{}
	for _, r := range byRule {
		notes[r.Key] = r.Note > 0
	}
	for _, want := range []string{"once.known", "once.empty"} {
		if !notes[want] {
			t.Errorf("no note of %s: %+v", want, byRule)
		}
	}
	checkStory(t, db)
	checkVisits(t, db)

	tree, err := db.Tree(ctx)
	if err != nil {
		t.Fatal(err)
	}
	town, village := firstTownshipAndVillage(tree)
	for _, u := range []units.Unit{town, village} {
		coming, err := db.Inbox(ctx, u, now, now.AddDate(0, 0, 56))
		if err != nil {
			t.Fatal(err)
		}
		if len(coming) == 0 {
			t.Errorf("%s has nothing due in the coming weeks", u.Name)
		}
		past, err := db.Inbox(ctx, u, time.Time{}, now)
		if err != nil {
			t.Fatal(err)
		}
		done := 0
		for _, it := range past {
			if it.Done != nil {
				done++
			}
		}
		if done == 0 {
			t.Errorf("%s marked nothing done in the past year (%d items)", u.Name, len(past))
		}
	}

	versions, err := db.PolicyVersions(ctx, County)
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) != 1 || versions[0].Note == "" || versions[0].Document.Params["lead.time.report"] != 7 {
		t.Errorf("policy versions %+v, want the one tightened half-way with a note", versions)
	}

	// The audit log names who did what.
	issuers := map[string]bool{}
	for _, a := range Accounts(tree) {
		if a.Role == units.RoleIssuer {
			issuers[a.Login] = true
		}
	}
	actions := map[string]int{}
	err = db.EachAudit(ctx, func(r audit.Record) error {
		actions[r.Action]++
		ok := true
		switch r.Action {
		case "demand.create", "demand.submit", "demand.update", "demand.closed", "escalation.ack", "escalation.respond":
			ok = issuers[r.Actor]
		case "demand.decide", "policy.save", "refusal.upheld", "refusal.overturned", "element.approved", "element.rejected", "element_rule.create":
			ok = r.Actor == "jianfu"
		case "demand.done":
			ok = r.Actor == "zhen" || r.Actor == "cun"
		case "demand.refuse", "escalation.create":
			ok = r.Actor == "zhen"
		case "report.submit":
			ok = strings.HasPrefix(r.Actor, "cun")
		}
		if !ok {
			t.Errorf("audit record %d: %s by %s", r.Seq, r.Action, r.Actor)
		}
		if r.At.After(now) {
			t.Errorf("audit record %d: %s at %v, after now", r.Seq, r.Action, r.At)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"demand.create", "demand.submit", "demand.update", "demand.decide", "demand.done", "demand.closed", "policy.save",
		"demand.refuse", "refusal.upheld", "refusal.overturned", "escalation.create", "escalation.ack", "escalation.respond",
		"element.save", "element.approved", "element.rejected", "report.submit"} {
		if actions[a] == 0 {
			t.Errorf("no audit record of %s: %v", a, actions)
		}
	}
	n := countAudit(t, db)

	if err := Seed(ctx, db); err != nil {
		t.Fatal(err)
	}
	if _, again, _ := db.ListDemands(ctx, store.DemandQuery{Scopes: []string{""}, Limit: 1}); again != total {
		t.Errorf("second Seed: %d demands, had %d", again, total)
	}
	if m := countAudit(t, db); m != n {
		t.Errorf("second Seed: %d audit records, had %d", m, n)
	}
}

// The year plays whatever day the demo starts on: in a holiday, at
// midnight, past the years the calendar knows.
func TestSeedAnyDay(t *testing.T) {
	for _, now := range []time.Time{
		time.Date(2026, 2, 17, 9, 0, 0, 0, gate.China),  // Spring Festival
		time.Date(2026, 7, 15, 10, 0, 0, 0, gate.China), // flood season
		time.Date(2026, 10, 4, 20, 0, 0, 0, gate.China), // National Day, evening
		time.Date(2027, 1, 1, 0, 30, 0, 0, gate.China),  // past the calendar's years
	} {
		t.Run(now.Format("2006-01-02"), func(t *testing.T) {
			if testing.Short() && now.Month() != 10 {
				t.Skip("one day is enough with -short")
			}
			db := openAt(t, now)
			if err := Seed(context.Background(), db); err != nil {
				t.Fatal(err)
			}
			c, err := CountDemands(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			if c.Demands < 100 || c.Admitted == 0 || c.Refused == 0 || c.Reviewed == 0 {
				t.Errorf("counts %+v", c)
			}
			checkStory(t, db)
			checkVisits(t, db)
			countAudit(t, db)
		})
	}
}

// reportTitled finds the one demand whose title has s in it.
func reportTitled(t *testing.T, db *store.DB, s string) *store.DemandRecord {
	t.Helper()
	ctx := context.Background()
	list, _, err := db.ListDemands(ctx, store.DemandQuery{Scopes: []string{""}, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var found *store.DemandRecord
	for _, d := range list {
		if strings.Contains(d.Title, s) {
			if found != nil {
				t.Fatalf("two demands titled %q: %d and %d", s, found.ID, d.ID)
			}
			found = d
		}
	}
	if found == nil {
		t.Fatalf("no demand titled %q", s)
	}
	rec, err := db.Demand(ctx, found.ID)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func hasFinding(rec *store.DemandRecord, rule string) bool {
	for _, f := range rec.Findings {
		if f.Rule == rule {
			return true
		}
	}
	return false
}

// checkStory checks what the year shows of the duty lists and of a figure
// collected once, whatever day it ends on.
func checkStory(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	tree, err := db.Tree(ctx)
	if err != nil {
		t.Fatal(err)
	}
	town, village := firstTownshipAndVillage(tree)
	zhen, _, _ := db.PersonByLogin(ctx, "zhen")
	jianfu, _, _ := db.PersonByLogin(ctx, "jianfu")

	// The county's own lists: the township's has all three kinds, with the
	// county's food-licensing entry on its negative list.
	book, err := db.DutyBook(ctx)
	if err != nil {
		t.Fatal(err)
	}
	eff := book.At(town.Code, town.Level, db.Now())
	kinds := map[duties.Category]int{}
	for _, m := range eff.Sorted() {
		kinds[m.Category]++
	}
	if m, ok := eff.Find("XZ43"); !ok || m.Category != duties.Negative || eff.From["XZ43"] != County || kinds[duties.Own] < 5 || kinds[duties.Assist] < 5 || kinds[duties.Negative] < 4 {
		t.Errorf("%s's duty list: %v, XZ43 %+v from %q", town.Name, kinds, m, eff.From["XZ43"])
	}
	if rec := reportTitled(t, db, "食品经营许可现场核查"); rec.Status != gate.Refused || !hasFinding(rec, "duty.negative") {
		t.Errorf("food licensing pushed to townships: %s %+v", rec.Status, rec.Findings)
	}

	// One refusal upheld, one overturned, each refused by the township's
	// cadre citing its list and decided by the burden office with a reason.
	refusals, err := db.Refusals(ctx, []string{""}, "")
	if err != nil {
		t.Fatal(err)
	}
	decided := map[string]int{}
	for _, r := range refusals {
		if r.Unit != town.Code || r.PersonID != zhen.ID || r.Matter == "" || r.Reason == "" || r.DecidedBy != jianfu.ID || r.Decision == "" {
			t.Errorf("refusal %+v", r)
		}
		decided[r.Status]++
	}
	if decided["upheld"] != 1 || decided["overturned"] != 1 || len(refusals) != 2 || refusals[0].Matter == refusals[1].Matter {
		t.Errorf("refusals %v, want one upheld and one overturned", decided)
	}
	items, err := db.Inbox(ctx, town, time.Time{}, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if strings.Contains(it.Demand.Title, "小餐饮小作坊许可现场核查情况统计") {
			t.Errorf("the upheld refusal's demand %d is still in %s's inbox", it.Demand.ID, town.Name)
		}
	}

	// The sand-dredging escalation: one office in time, one late; the
	// cracked hillside still open.
	escalations, err := db.Escalations(ctx, store.EscalationQuery{Scopes: []string{""}})
	if err != nil {
		t.Fatal(err)
	}
	var answeredLate, open int
	for _, e := range escalations {
		if e.Unit != town.Code || e.CreatedBy != zhen.ID || len(e.Calls) != 2 {
			t.Errorf("escalation %+v", e)
		}
		switch {
		case e.Status == "answered" && len(e.Late) == 1 && e.Late[0].What == "respond":
			answeredLate++
		case e.Status == "open":
			open++
		}
	}
	if answeredLate != 1 || open != 1 {
		t.Errorf("escalations: %d answered with one office late, %d open; want 1 and 1", answeredLate, open)
	}

	// The dictionary: about twenty elements, one proposal approved and one
	// rejected.
	dict, err := db.Dictionary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	status := map[collect.Status]int{}
	for _, e := range dict.Elements {
		status[e.Status]++
	}
	if status[collect.Approved] < 20 || status[collect.Rejected] != 1 || status[collect.Proposed] != 0 || dict.Elements["DOUBLE_RICE"].Status != collect.Approved {
		t.Errorf("dictionary: %v", status)
	}

	// The survey: most villages on time, some late, a few never.
	survey := reportTitled(t, db, "村（社区）基本情况统计")
	top, _, err := db.Completeness(ctx, survey, County, false)
	if err != nil {
		t.Fatal(err)
	}
	if top.Expected != len(tree.Under(units.Village, County)) || top.Submitted*100 < top.Expected*85 || top.Submitted == top.Expected || top.OnTime*100 < top.Expected*75 || top.OnTime == top.Submitted {
		t.Errorf("survey completeness %+v", top)
	}

	// The civil affairs report asked each village that answered the survey
	// one field: its burden is that field's minutes, and the village's
	// households come from the survey.
	dibao := reportTitled(t, db, "低保覆盖情况核查")
	minutes := 0
	for _, f := range dibao.Asks.Fields {
		if f.Element == "DIBAO_HH" {
			minutes = f.Minutes
		}
	}
	if minutes == 0 || dibao.PerUnit != minutes || !hasFinding(dibao, "once.known") {
		t.Errorf("civil affairs report: %d minutes per village, want %d; findings %+v", dibao.PerUnit, minutes, dibao.Findings)
	}
	year := collect.PeriodOf(collect.Year, dibao.FiguresDate())
	hh, err := db.History(ctx, village.Code, "HH", year)
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.History(ctx, village.Code, "DIBAO_HH", collect.PeriodOf(collect.Month, dibao.FiguresDate()))
	if err != nil {
		t.Fatal(err)
	}
	if len(hh) != 1 || hh[0].DemandID != survey.ID || len(got) != 1 || got[0].DemandID != dibao.ID {
		t.Errorf("%s: households %+v, on the allowance %+v", village.Name, hh, got)
	}
	if land, _ := db.History(ctx, village.Code, "LAND", year); len(land) != 2 || !land[0].Current || land[1].Current {
		t.Errorf("%s's corrected fields: %+v", village.Name, land)
	}

	// Asking only what is held reaches nobody; asking what another office
	// is collecting is merged by the burden office.
	if rec := reportTitled(t, db, "高标准农田项目区村基本情况"); !rec.Answered || !hasFinding(rec, "once.empty") {
		t.Errorf("report of what is held: answered %v, findings %+v", rec.Answered, rec.Findings)
	}
	if rec := reportTitled(t, db, "老年人健康管理底数统计"); !hasFinding(rec, "once.overlap") || rec.DecidedBy != jianfu.ID || rec.Decision == "" {
		t.Errorf("overlapping report: %s decided by %d %q, findings %+v", rec.Status, rec.DecidedBy, rec.Decision, rec.Findings)
	}

	c, err := CountDuties(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if c.Refusals != 2 || c.Escalations != 2 || c.Late != 1 || c.Reports < 3 || c.Answers < 600 || c.Held != 1 {
		t.Errorf("duty counts %+v", c)
	}
}
