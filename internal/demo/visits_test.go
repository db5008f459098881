package demo

import (
	"context"
	"slices"
	"testing"
	"time"

	"lighten/internal/audit"
	"lighten/internal/calendar"
	"lighten/internal/store"
	"lighten/internal/visits"
)

func TestVisitQuarter(t *testing.T) {
	for _, c := range []struct {
		now            time.Time
		year           int
		w1From, w2From string
		w2To           string
	}{
		{time.Date(2026, 11, 27, 12, 0, 0, 0, calendar.China), 2026, "2026-09-25", "2026-10-23", "2026-12-25"},
		{time.Date(2026, 12, 20, 12, 0, 0, 0, calendar.China), 2026, "2026-10-18", "2026-11-15", "2026-12-31"},
		{time.Date(2026, 2, 17, 9, 0, 0, 0, calendar.China), 2025, "2025-10-01", "2025-10-29", "2025-12-31"},
		{time.Date(2027, 1, 1, 0, 30, 0, 0, calendar.China), 2026, "2026-10-01", "2026-10-29", "2026-12-31"},
	} {
		q := visitQuarter(c.now)
		if q.year != c.year || q.w1[0].String() != c.w1From || q.w2[0].String() != c.w2From || q.w2[1].String() != c.w2To ||
			q.w1[1].AddDays(1) != q.w2[0] || q.w1[0].Year() != q.w2[1].Year() {
			t.Errorf("%v: quarter %d %v %v", c.now, q.year, q.w1, q.w2)
		}
		if !q.w1[1].Before(calendar.DateOf(c.now).AddDays(-2)) {
			t.Errorf("%v: the first window %v is not over two days before now", c.now, q.w1)
		}
	}
}

// checkVisits checks the quarter of visits the demo plays: four offices'
// plans through the gate, draws committed before their public value and
// run with it, a joint schedule, sealed visits opened only by their
// leaders on the day, field records that flag what the villages reported
// wrong, and the first window's draws revealed, verifiable and published.
func checkVisits(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	today := calendar.DateOf(db.Now())
	c, err := CountVisits(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("visits: %s", c)
	if c.Plans != 4 || c.Items != 6 || c.Inspectors != len(register) || c.Joint == 0 || c.Done == 0 || c.Discrepancies == 0 || c.Revealed < 2 {
		t.Errorf("visits %+v: want 4 plans of 6 items, every inspector, joint visits, recorded visits with discrepancies, the first window's 2 draws revealed", c)
	}

	runs, err := db.ScheduleRuns(ctx, County)
	if err != nil {
		t.Fatal(err)
	}
	joint := 0
	for _, r := range runs {
		joint += r.Stats.JointVisits
		if r.Stats.ScheduledPlanVisits == 0 {
			t.Errorf("run %d over %s..%s scheduled nothing: %+v", r.ID, r.From, r.To, r.Stats)
		}
	}
	if len(runs) != 2 || joint == 0 {
		t.Errorf("%d schedule runs with %d joint visits, want 2 runs merging visits", len(runs), joint)
	}

	plans, err := db.Plans(ctx, store.PlanFilter{})
	if err != nil {
		t.Fatal(err)
	}
	research, published := 0, 0
	for _, p := range plans {
		if p.Status != visits.PlanApproved {
			t.Errorf("plan %q is %s, want approved by the gate", p.Title, p.Status)
		}
		for _, it := range p.Items {
			if it.Kind == visits.Research {
				research++
				for _, ci := range it.Checklist {
					if ci.Scoring {
						t.Errorf("research item %s has a scoring line %s", it.Code, ci.Code)
					}
				}
			}
			if it.DrawID == 0 {
				t.Errorf("item %s was not drawn", it.Code)
				continue
			}
			rec, err := db.DrawByID(ctx, it.DrawID)
			if err != nil {
				t.Fatal(err)
			}
			vs, err := db.VisitsOfItem(ctx, it.Code)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				// Nothing on or after today is open: the leader opens it on
				// the day.
				if !v.Day.Before(today) && v.Status != visits.Planned {
					t.Errorf("visit %d on %s is %s before its day", v.ID, v.Day, v.Status)
				}
				if v.Day.Before(today) && v.Status != visits.Done {
					t.Errorf("visit %d on %s is %s, want done", v.ID, v.Day, v.Status)
				}
				if len(v.Team) < 2 {
					t.Errorf("visit %d has a team of %d", v.ID, len(v.Team))
				}
			}
			// A draw is revealed two days after its window.
			if over := it.To.AddDays(2).Before(today); over != (rec.Status == "revealed") && it.To.AddDays(2) != today {
				t.Errorf("draw of %s, window to %s, is %s on %s", it.Code, it.To, rec.Status, today)
			}
			if rec.Status != "revealed" {
				// Sealed: the public record has neither secret nor list.
				if rec.Draw.Secret != "" || len(rec.Draw.Selected) != 0 || rec.Draw.Digest == "" || rec.Draw.PublicValue != Beacon {
					t.Errorf("draw of %s (%s) publishes %+v", it.Code, rec.Status, rec.Draw)
				}
				continue
			}
			// Revealed: it verifies, and any tampering is caught.
			if err := visits.Verify(&rec.Draw); err != nil {
				t.Errorf("revealed draw of %s: %v", it.Code, err)
			}
			bad := rec.Draw
			bad.PublicValue += "."
			if visits.Verify(&bad) == nil {
				t.Errorf("draw of %s verifies with another public value", it.Code)
			}
			// The published results list the units visited, each one the
			// draw selected.
			res, err := db.PlanResults(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			var units []string
			for _, v := range vs {
				units = append(units, v.Unit)
			}
			for _, r := range res {
				if r.Item.Code != it.Code {
					continue
				}
				published++
				var listed []string
				for _, v := range r.Visits {
					listed = append(listed, v.Unit)
					if !slices.Contains(rec.Draw.Selected, v.Unit) {
						t.Errorf("%s: published unit %s was not drawn", it.Code, v.Unit)
					}
				}
				slices.Sort(units)
				slices.Sort(listed)
				if !r.Published || len(listed) == 0 || !slices.Equal(units, listed) {
					t.Errorf("%s: published %v, visited %v", it.Code, listed, units)
				}
			}
		}
	}
	if research != 1 {
		t.Errorf("%d research items, want the policy research office's one", research)
	}
	if c.Revealed > 0 && published != c.Revealed {
		t.Errorf("%d items published, %d draws revealed", published, c.Revealed)
	}

	// Every target was opened by the team's leader, on the day.
	reveals := 0
	leaders := map[string]bool{"jiancha": true}
	for _, r := range register {
		leaders[r.inspectorLogin()] = true
	}
	err = db.EachAudit(ctx, func(r audit.Record) error {
		if r.Action == "visit.reveal" {
			reveals++
			if !leaders[r.Actor] {
				t.Errorf("audit record %d: target opened by %s", r.Seq, r.Actor)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if reveals < c.Done {
		t.Errorf("%d targets opened, %d visits done", reveals, c.Done)
	}

	// Someone leads a sealed visit next, and can sign in.
	ls, err := Leaders(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		if l.Day.Before(today) {
			t.Errorf("leader %s: visit on %s, before today", l.Login, l.Day)
		}
		if _, _, err := db.PersonByLogin(ctx, l.Login); err != nil {
			t.Errorf("leader %s: %v", l.Login, err)
		}
	}
	if q := visitQuarter(db.Now()); q.w2[1].After(today.AddDays(3)) && len(ls) == 0 {
		t.Errorf("no leader of a coming visit, the window running to %s", q.w2[1])
	}
}
