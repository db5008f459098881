package demo

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"lighten/internal/audit"
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
	for _, want := range []string{"lead.time", "rest.days", "budget.unit", "doc.length", "meet.escort", "trace.proof", "app.checkin", "group.owner"} {
		if !rules[want] {
			t.Errorf("no finding of %s among %v", want, rules)
		}
	}
	if len(rules) < 8 {
		t.Errorf("findings of %d rules, want at least 8: %v", len(rules), rules)
	}

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
		case "demand.create", "demand.submit", "demand.update", "demand.closed":
			ok = issuers[r.Actor]
		case "demand.decide", "policy.save":
			ok = r.Actor == "jianfu"
		case "demand.done":
			ok = r.Actor == "zhen" || r.Actor == "cun"
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
	for _, a := range []string{"demand.create", "demand.submit", "demand.update", "demand.decide", "demand.done", "demand.closed", "policy.save"} {
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
			countAudit(t, db)
		})
	}
}
