package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"lighten/internal/audit"
	"lighten/internal/calendar"
	"lighten/internal/collect"
	"lighten/internal/gate"
	"lighten/internal/policy"
	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/units"
	"lighten/internal/visits"
)

// clock is a settable store clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// at sets the clock to 09:00 China time of a day.
func (c *clock) at(d calendar.Date) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = d.Time().Add(9 * time.Hour)
}

// eachWithClock runs fn on both databases with a clock of its own.
func eachWithClock(t *testing.T, fn func(t *testing.T, db *store.DB, c *clock)) {
	for _, k := range storetest.Kinds {
		t.Run(string(k), func(t *testing.T) {
			c := &clock{}
			c.at(calendar.NewDate(2026, 3, 2))
			fn(t, storetest.Open(t, k, store.Options{Now: c.now}), c)
		})
	}
}

// county: two townships of ten villages each.
func visitUnits() []units.Unit {
	us := []units.Unit{
		{Code: "43", Name: "湖南省", Level: units.Province},
		{Code: "4309", Name: "益阳市", Level: units.City, Parent: "43"},
		{Code: "430922", Name: "桃江县", Level: units.County, Parent: "4309"},
		{Code: "430922112", Name: "桃花江镇", Level: units.Township, Parent: "430922"},
		{Code: "430922113", Name: "修山镇", Level: units.Township, Parent: "430922"},
	}
	for _, tw := range []string{"430922112", "430922113"} {
		for i := 1; i <= 10; i++ {
			us = append(us, units.Unit{Code: fmt.Sprintf("%s%03d", tw, i), Name: fmt.Sprintf("村%d", i), Level: units.Village, Parent: tw})
		}
	}
	return us
}

type visitFixture struct {
	offA, offB units.Office
	persons    map[string]int64 // register number -> person
	register   map[string]visits.RegisteredInspector
}

func setUpVisits(t *testing.T, ctx context.Context, db *store.DB) *visitFixture {
	t.Helper()
	if _, err := db.ImportUnits(ctx, store.System, visitUnits(), nil); err != nil {
		t.Fatal(err)
	}
	f := &visitFixture{persons: map[string]int64{}, register: map[string]visits.RegisteredInspector{}}
	err := db.Write(ctx, store.System, func(tx *store.Tx) error {
		f.offA = units.Office{UnitCode: "430922", Name: "县农业农村局"}
		f.offB = units.Office{UnitCode: "430922", Name: "县民政局"}
		for _, o := range []*units.Office{&f.offA, &f.offB} {
			if err := tx.CreateOffice(ctx, o); err != nil {
				return err
			}
		}
		for i := 1; i <= 6; i++ {
			num := fmt.Sprintf("HN-%03d", i)
			p, err := tx.CreatePerson(ctx, store.NewPerson{Login: "insp" + num, Name: "检查员" + num, UnitCode: "430922", OfficeID: f.offA.ID,
				Grants: []units.Grant{{Role: units.RoleInspector, UnitCode: "430922"}}})
			if err != nil {
				return err
			}
			in := visits.RegisteredInspector{Number: num, Name: "检查员" + num, OfficeID: f.offA.ID, PersonID: p.ID, Works: "430922",
				Capacity: 2, MaxTravel: 240, Active: true}
			if i%2 == 0 {
				in.OfficeID = f.offB.ID
			}
			if i == 1 {
				in.Works = "430922112" // works in the first township: never visits it
			}
			if i == 2 {
				in.Relations = []string{"430922113005"}
			}
			if err := tx.SaveInspector(ctx, &in); err != nil {
				return err
			}
			f.persons[num] = p.ID
			f.register[num] = in
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func checkItem(code string, rate float64, from, to calendar.Date, element string) visits.Item {
	return visits.Item{Code: code, Title: "检查" + code, Kind: visits.Special, Scope: "430922", Level: units.Village, Rate: rate, Team: 2,
		From: from, To: to, Checklist: []visits.CheckItem{
			{Code: "C1", Text: "台账与实地是否一致", Element: element, Scoring: true},
			{Code: "C2", Text: "公示栏内容", Scoring: true},
		}}
}

func savePlan(t *testing.T, ctx context.Context, db *store.DB, p *visits.Plan) {
	t.Helper()
	if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.SavePlan(ctx, p) }); err != nil {
		t.Fatalf("save plan: %v", err)
	}
}

func approveAndDraw(t *testing.T, ctx context.Context, db *store.DB, p *visits.Plan, public string) []*store.DrawRecord {
	t.Helper()
	var recs []*store.DrawRecord
	err := db.Write(ctx, store.System, func(tx *store.Tx) error {
		if err := tx.SetPlanStatus(ctx, p.ID, visits.PlanApproved); err != nil {
			return err
		}
		for _, it := range p.Items {
			rec, err := tx.CommitItemDraw(ctx, it.ID)
			if err != nil {
				return err
			}
			recs = append(recs, rec)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("commit draws: %v", err)
	}
	for i, rec := range recs {
		// The public value is fixed after the commitment is published.
		err := db.Write(ctx, store.System, func(tx *store.Tx) error {
			r, err := db.DrawByID(ctx, rec.ID)
			if err != nil {
				return err
			}
			if err := tx.RunDraw(ctx, r, public); err != nil {
				return err
			}
			recs[i] = r
			return nil
		})
		if err != nil {
			t.Fatalf("run draw: %v", err)
		}
	}
	return recs
}

func auditText(t *testing.T, ctx context.Context, db *store.DB) string {
	t.Helper()
	var b strings.Builder
	if err := db.EachAudit(ctx, func(r audit.Record) error {
		fmt.Fprintf(&b, "%s %s %s %s %s %s\n", r.Action, r.EntityID, r.UnitCode, r.Reason, r.Before, r.After)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// The whole path: plan, approval, draw, schedule, the sealed start, the
// field record, the photo, the reveal and the published results.
func TestVisitsPath(t *testing.T) {
	eachWithClock(t, func(t *testing.T, db *store.DB, c *clock) {
		ctx := context.Background()
		f := setUpVisits(t, ctx, db)
		q2from, q2to := calendar.NewDate(2026, 4, 1), calendar.NewDate(2026, 6, 30)

		// Plans of two offices; item codes are unique over all plans.
		pa := &visits.Plan{OfficeID: f.offA.ID, Year: 2026, Title: "县农业农村局2026年检查计划",
			Items: []visits.Item{checkItem("NY-2026-01", 0.25, q2from, q2to, "POP")}}
		savePlan(t, ctx, db, pa)
		pb := &visits.Plan{OfficeID: f.offB.ID, Year: 2026, Title: "县民政局2026年检查计划",
			Items: []visits.Item{checkItem("NY-2026-01", 0.5, q2from, q2to, "")}}
		err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.SavePlan(ctx, pb) })
		if !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "NY-2026-01") {
			t.Fatalf("repeated item code: %v", err)
		}
		pb = &visits.Plan{OfficeID: f.offB.ID, Year: 2026, Title: "县民政局2026年检查计划",
			Items: []visits.Item{checkItem("MZ-2026-01", 0.5, q2from, q2to, "")}}
		savePlan(t, ctx, db, pb)
		// A draft is edited in place; its item keeps its identifier.
		itemID := pb.Items[0].ID
		pb.Title = "县民政局2026年度检查计划"
		savePlan(t, ctx, db, pb)
		if got, err := db.Plan(ctx, pb.ID); err != nil || got.Title != pb.Title || len(got.Items) != 1 || got.Items[0].ID != itemID || got.Items[0].Rate != 0.5 {
			t.Fatalf("edited plan: %+v %v", got, err)
		}
		if ps, err := db.Plans(ctx, store.PlanFilter{Under: "430922", Year: 2026}); err != nil || len(ps) != 2 {
			t.Fatalf("plans: %d %v", len(ps), err)
		}

		// Nothing is drawn from a draft.
		err = db.Write(ctx, store.System, func(tx *store.Tx) error { _, err := tx.CommitItemDraw(ctx, pa.Items[0].ID); return err })
		if !errors.Is(err, store.ErrState) {
			t.Fatalf("draw from a draft: %v", err)
		}
		ra := approveAndDraw(t, ctx, db, pa, "beacon round 1")[0]
		rb := approveAndDraw(t, ctx, db, pb, "beacon round 1")[0]
		// An approved plan no longer changes.
		pa.Title = "改"
		if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.SavePlan(ctx, pa) }); !errors.Is(err, store.ErrState) {
			t.Fatalf("approved plan changed: %v", err)
		}
		if it, _, err := db.PlanItemByCode(ctx, "NY-2026-01"); err != nil || it.DrawID != ra.ID {
			t.Fatalf("item draw link: %+v %v", it, err)
		}
		for _, rec := range []*store.DrawRecord{ra, rb} {
			if len(rec.Draw.Selected) != 0 || len(rec.Draw.Teams) != 0 || rec.Draw.Secret != "" {
				t.Fatalf("draw %d publishes its sealed parts before the reveal", rec.ID)
			}
			if len(rec.Teams()) != len(rec.Selection()) {
				t.Fatalf("draw %d: %d teams for %d targets", rec.ID, len(rec.Teams()), len(rec.Selection()))
			}
			for i, u := range rec.Selection() {
				team := rec.Teams()[i]
				if len(team) != 2 || team[0] == team[1] {
					t.Fatalf("team %v at %s", team, u)
				}
				for _, n := range team {
					if n == "HN-001" && strings.HasPrefix(u, "430922112") {
						t.Fatalf("HN-001 works in %s and was drawn for %s", "430922112", u)
					}
					if n == "HN-002" && u == "430922113005" {
						t.Fatalf("HN-002 declared relations at %s and was drawn for it", u)
					}
				}
			}
		}
		if n := len(ra.Selection()); n != 5 {
			t.Fatalf("NY draws %d of 20, want 5", n)
		}
		sealed := append(append([]string{}, ra.Selection()...), rb.Selection()...)

		// The schedule merges both offices' targets into joint visits.
		c.at(calendar.NewDate(2026, 3, 30))
		var run *store.ScheduleRun
		err = db.Write(ctx, store.System, func(tx *store.Tx) error {
			var err error
			run, err = tx.ScheduleWindow(ctx, "430922", q2from, q2to, visits.Options{Anneal: 200_000}, "")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(run.Items) != 2 || run.Stats.PlanVisits != 15 || run.Stats.ScheduledPlanVisits != 15 || len(run.Unscheduled()) != 0 {
			t.Fatalf("run: %+v %v", run, run.Unscheduled())
		}
		both := 0
		inA := map[string]bool{}
		for _, u := range ra.Selection() {
			inA[u] = true
		}
		for _, u := range rb.Selection() {
			if inA[u] {
				both++
			}
		}
		if run.Stats.JointVisits != both || run.Stats.Visits != 15-both {
			t.Fatalf("joint visits %d of %d, want %d of %d", run.Stats.JointVisits, run.Stats.Visits, both, 15-both)
		}
		va, err := db.VisitsOfItem(ctx, "NY-2026-01")
		if err != nil || len(va) != 5 {
			t.Fatalf("visits of NY: %d %v", len(va), err)
		}
		perWeek := map[string]map[int64]bool{} // visits of a unit in a week
		for _, code := range []string{"NY-2026-01", "MZ-2026-01"} {
			vs, _ := db.VisitsOfItem(ctx, code)
			for _, v := range vs {
				if v.Day.Before(q2from) || v.Day.After(q2to) || v.Status != visits.Planned || len(v.Team) < 2 {
					t.Fatalf("visit %+v", v)
				}
				k := v.Unit + " " + visits.WeekOf(v.Day).String()
				if perWeek[k] == nil {
					perWeek[k] = map[int64]bool{}
				}
				perWeek[k][v.ID] = true
			}
		}
		for k, ids := range perWeek {
			if len(ids) > visits.DefaultWeekCap {
				t.Fatalf("%s: %d visits in the week", k, len(ids))
			}
		}

		// Sealed: only the leader, only on the day.
		v := va[0]
		leader, member := v.Team[0], v.Team[1]
		start := func(num string) (*visits.ScheduledVisit, error) {
			var got *visits.ScheduledVisit
			err := db.Write(ctx, store.Actor{ID: f.persons[num], Login: "insp" + num}, func(tx *store.Tx) error {
				var err error
				got, err = tx.StartVisit(ctx, v.ID, num)
				return err
			})
			return got, err
		}
		c.at(v.Day.AddDays(-1))
		var fe *store.ForbiddenError
		if _, err := start(leader); !errors.Is(err, store.ErrForbidden) || !errors.As(err, &fe) ||
			fe.Message().ZH != fmt.Sprintf("检查 %d 在检查当天（%s）之前保持封存。", v.ID, v.Day) {
			t.Fatalf("leader the day before: %v", err)
		}
		c.at(v.Day)
		if _, err := start(member); !errors.Is(err, store.ErrForbidden) || !errors.As(err, &fe) ||
			fe.Message().EN != fmt.Sprintf("Only the team leader opens visit %d.", v.ID) {
			t.Fatalf("member on the day: %v", err)
		}
		got, err := start(leader)
		if err != nil || got.Status != visits.Started || got.Unit != v.Unit {
			t.Fatalf("leader on the day: %+v %v", got, err)
		}
		if again, err := start(leader); err != nil || again.Status != visits.Started {
			t.Fatalf("second start: %+v %v", again, err)
		}
		text := auditText(t, ctx, db)
		if n := strings.Count(text, "visit.reveal "); n != 2 {
			t.Fatalf("%d reveals audited, want 2", n)
		}
		for _, u := range sealed {
			if strings.Contains(text, u) {
				t.Fatalf("the audit log names target %s before the reveal:\n%s", u, text)
			}
		}

		// A draw committed while the visit is started and its draws are
		// sealed keeps the team from the unit by the items' scope: its
		// public record names no sealed target.
		town := "430922113"
		if strings.HasPrefix(v.Unit, town) {
			town = "430922112"
		}
		q4 := checkItem("MZ-2026-04", 0.5, calendar.NewDate(2026, 10, 8), calendar.NewDate(2026, 10, 30), "")
		q4.Scope = town
		p4 := &visits.Plan{OfficeID: f.offB.ID, Year: 2026, Title: "第四季度", Items: []visits.Item{q4}}
		savePlan(t, ctx, db, p4)
		r4 := approveAndDraw(t, ctx, db, p4, "beacon round 3")[0]
		public, err := db.DrawByID(ctx, r4.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Declared relations are public by design: leave them out before
		// looking for the target (the unit may be one of them by chance).
		shown := *public
		shown.Draw.Inspectors = nil
		for _, in := range public.Draw.Inspectors {
			in.Recuse = slices.DeleteFunc(slices.Clone(in.Recuse), func(u string) bool { return slices.Contains(f.register[in.ID].Relations, u) })
			shown.Draw.Inspectors = append(shown.Draw.Inspectors, in)
		}
		if pub, _ := json.Marshal(&shown); strings.Contains(string(pub), v.Unit) {
			t.Fatalf("the draw committed during the visit names its sealed target %s: %s", v.Unit, pub)
		}
		for _, in := range public.Draw.Inspectors {
			for _, u := range sealed {
				if slices.Contains(in.Recuse, u) && !slices.Contains(f.register[in.ID].Relations, u) {
					t.Fatalf("%s's published recusals name sealed target %s: %v", in.ID, u, in.Recuse)
				}
			}
			if (in.ID == leader || in.ID == member) && !slices.Contains(in.Recuse, "430922") {
				t.Fatalf("%s visited %s (sealed) and is not recused from the item's scope: %v", in.ID, v.Unit, in.Recuse)
			}
		}
		for i, team := range r4.Teams() {
			if slices.Contains(team, leader) || slices.Contains(team, member) {
				t.Fatalf("team %v at %s has a member of the sealed visit", team, r4.Selection()[i])
			}
		}

		// Replacing the run keeps the started visit and serves every
		// target once.
		var run2 *store.ScheduleRun
		var preview *store.SchedulePreview
		err = db.Write(ctx, store.System, func(tx *store.Tx) error {
			var err error
			preview, err = tx.PreviewSchedule(ctx, "430922", q2from, q2to, visits.Options{Anneal: 200_000})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Write(ctx, store.System, func(tx *store.Tx) error {
			var err error
			run2, err = tx.ScheduleWindow(ctx, "430922", q2from, q2to, visits.Options{Anneal: 200_000}, preview.Token)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if run2.Kept != 1 || run2.Replaced+run2.Unchanged != run.Stats.Visits-1 || run2.Replaced != preview.Run.Replaced {
			t.Fatalf("second run kept %d, replaced %d, unchanged %d; preview %+v", run2.Kept, run2.Replaced, run2.Unchanged, preview.Run)
		}
		if kept, err := db.Visit(ctx, v.ID); err != nil || kept.Status != visits.Started {
			t.Fatalf("started visit after the second run: %+v %v", kept, err)
		}
		for _, rec := range []*store.DrawRecord{ra, rb} {
			vs, _ := db.VisitsOfItem(ctx, rec.Draw.Plan)
			n := map[string]int{}
			for _, x := range vs {
				n[x.Unit]++
			}
			for _, u := range rec.Selection() {
				if n[u] != 1 {
					t.Fatalf("%s served %d times for %s", u, n[u], rec.Draw.Plan)
				}
			}
		}
		if runs, err := db.ScheduleRuns(ctx, "43"); err != nil || len(runs) != 2 || runs[0].ID != run2.ID || len(runs[1].Items) != 2 {
			t.Fatalf("runs: %v %v", runs, err)
		}
		mine, err := db.VisitsOfInspector(ctx, leader, q2from, q2to)
		if err != nil || len(mine) == 0 {
			t.Fatalf("visits of %s: %v %v", leader, mine, err)
		}

		// The field record: the reported value against what was seen.
		err = db.Write(ctx, store.System, func(tx *store.Tx) error {
			e := &collect.Element{Code: "POP", Name: "户籍人口", Type: collect.Integer, Period: collect.Year, Owner: f.offA.ID, Status: collect.Approved}
			return tx.SaveElement(ctx, e)
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Write(ctx, store.System, func(tx *store.Tx) error {
			return tx.WriteValues(ctx, v.Unit, 0, "report", []store.Value{{Element: "POP", Period: "2026", Value: "1,200"}})
		})
		if err != nil {
			t.Fatal(err)
		}
		rec := &visits.FieldRecord{VisitID: v.ID,
			Claims: []visits.Claim{
				{Element: "POP", Label: "户籍人口", Seen: "1100"},
				{Label: "公示栏", Claimed: "已公示", Seen: "已公示"},
			},
			Point:    &visits.Point{Lat: 28.52, Lon: 112.12},
			Findings: []visits.Finding{{Item: "NY-2026-01", Text: "上报人口多于实有", Severity: "major"}, {Text: "村务公开及时", Severity: "info"}}}
		for _, iv := range v.Items { // a joint visit checks every plan's list
			rec.Checks = append(rec.Checks, visits.CheckResult{Item: iv.Item, Check: "C1", Result: "fail"}, visits.CheckResult{Item: iv.Item, Check: "C2", Result: "pass"})
			if iv.Item != "NY-2026-01" {
				rec.Findings = append(rec.Findings, visits.Finding{Item: iv.Item, Text: "另一计划的发现", Severity: "minor"})
			}
		}
		// Saved open first: photos are taken while the visit is open.
		err = db.Write(ctx, store.Actor{ID: f.persons[leader]}, func(tx *store.Tx) error { return tx.SaveFieldRecord(ctx, rec, false) })
		if err != nil {
			t.Fatal(err)
		}
		fr, err := db.FieldRecord(ctx, v.ID)
		if err != nil || fr == nil || len(fr.Claims) != 2 {
			t.Fatalf("field record: %+v %v", fr, err)
		}
		if c0 := fr.Claims[0]; c0.Reported != "1,200" || !c0.Discrepancy {
			t.Fatalf("claim against the reported value: %+v", c0)
		}
		if fr.Claims[1].Discrepancy {
			t.Fatalf("a matching claim is flagged: %+v", fr.Claims[1])
		}
		if open, _ := db.Visit(ctx, v.ID); open.Status != visits.Started {
			t.Fatalf("visit not open: %+v", open)
		}
		// A planned visit takes no record.
		var other visits.ScheduledVisit
		vs2, _ := db.VisitsOfItem(ctx, "MZ-2026-01")
		for _, x := range vs2 {
			if x.Status == visits.Planned {
				other = x
			}
		}
		err = db.Write(ctx, store.System, func(tx *store.Tx) error {
			return tx.SaveFieldRecord(ctx, &visits.FieldRecord{VisitID: other.ID}, false)
		})
		if !errors.Is(err, store.ErrState) {
			t.Fatalf("record of a planned visit: %v", err)
		}

		// Photos keep their checksum; tampered bytes fail on read.
		jpeg := append([]byte{0xff, 0xd8, 0xff}, bytes.Repeat([]byte("光"), 1000)...)
		var ph visits.Photo
		err = db.Write(ctx, store.System, func(tx *store.Tx) error {
			var err error
			ph, err = tx.AddPhoto(ctx, v.ID, "board.jpg", "image/jpeg", c.now(), jpeg)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		gotPh, gotVisit, data, err := db.Photo(ctx, ph.ID)
		if err != nil || gotVisit != v.ID || !bytes.Equal(data, jpeg) || gotPh.SHA256 != ph.SHA256 || len(ph.SHA256) != 64 {
			t.Fatalf("photo: %+v %d %v", gotPh, gotVisit, err)
		}
		if fr, _ := db.FieldRecord(ctx, v.ID); len(fr.Photos) != 1 || fr.Photos[0].SHA256 != ph.SHA256 {
			t.Fatalf("record photos: %+v", fr.Photos)
		}
		tampered := append([]byte(nil), jpeg...)
		tampered[10] ^= 1
		if err := db.Exec(ctx, `UPDATE photos SET data = $1 WHERE id = $2`, tampered, ph.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := db.Photo(ctx, ph.ID); !errors.Is(err, store.ErrChecksum) {
			t.Fatalf("tampered photo read: %v", err)
		}
		err = db.Write(ctx, store.System, func(tx *store.Tx) error {
			_, err := tx.AddPhoto(ctx, v.ID, "big.jpg", "image/jpeg", c.now(), make([]byte, store.MaxPhotoBytes+1))
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "big.jpg") {
			t.Fatalf("oversized photo: %v", err)
		}
		err = db.Write(ctx, store.Actor{ID: f.persons[leader]}, func(tx *store.Tx) error { return tx.SaveFieldRecord(ctx, rec, true) })
		if err != nil {
			t.Fatal(err)
		}
		if done, _ := db.Visit(ctx, v.ID); done.Status != visits.Done || done.Done == nil {
			t.Fatalf("visit not done: %+v", done)
		}
		err = db.Write(ctx, store.System, func(tx *store.Tx) error {
			_, err := tx.AddPhoto(ctx, v.ID, "late.jpg", "image/jpeg", c.now(), jpeg)
			return err
		})
		if !errors.Is(err, store.ErrState) {
			t.Fatalf("photo of a done visit: %v", err)
		}
		// The visit's audit records carry the county of its items, so that
		// the county's auditors read them, and never the sealed target or
		// its township.
		var visitAudits int
		err = db.EachAudit(ctx, func(r audit.Record) error {
			switch r.Action {
			case "visit.reveal", "visit.record", "visit.photo":
				visitAudits++
				if r.UnitCode != "430922" {
					t.Errorf("%s %s carries unit %q, want the county 430922", r.Action, r.EntityID, r.UnitCode)
				}
			}
			return nil
		})
		if err != nil || visitAudits < 4 {
			t.Fatalf("%d visit audit records: %v", visitAudits, err)
		}

		// Counts for the gate: inspections of the year at the units, but
		// none while the visit's draws are sealed, done or not.
		gateCounts := func() (map[string]int, map[string]int) {
			t.Helper()
			counts, err := db.UnitInspections(ctx, []string{v.Unit, "430922999999"}, 2026)
			if err != nil {
				t.Fatal(err)
			}
			under, err := db.UnitInspectionsUnder(ctx, units.Village, "430922", 2026)
			if err != nil {
				t.Fatal(err)
			}
			return counts, under
		}
		if counts, under := gateCounts(); len(counts) != 0 || len(under) != 0 {
			t.Fatalf("sealed inspections counted for the gate: %v %v", counts, under)
		}

		// Results are published after the window, with the revealed draw.
		res, err := db.PlanResults(ctx, pa.ID)
		if err != nil || len(res) != 1 || res[0].Published || res[0].Visits != nil {
			t.Fatalf("results before the window ends: %+v %v", res, err)
		}
		reveal := func() error {
			return db.Write(ctx, store.System, func(tx *store.Tx) error {
				r, err := db.DrawByID(ctx, ra.ID)
				if err != nil {
					return err
				}
				return tx.RevealDraw(ctx, r)
			})
		}
		c.at(q2to)
		if err := reveal(); !errors.Is(err, store.ErrState) {
			t.Fatalf("reveal on the window's last day: %v", err)
		}
		c.at(q2to.AddDays(1))
		if err := reveal(); err != nil {
			t.Fatal(err)
		}
		res, err = db.PlanResults(ctx, pa.ID)
		if err != nil || !res[0].Published || len(res[0].Visits) != 1 {
			t.Fatalf("results: %+v %v", res, err)
		}
		if counts, under := gateCounts(); len(v.Items) == 1 && (counts[v.Unit] != 1 || under[v.Unit] != 1 || counts["430922999999"] != 0) {
			t.Fatalf("revealed inspections for the gate: %v %v", counts, under)
		}
		if err := visits.Verify(&res[0].Draw.Draw); err != nil {
			t.Fatalf("published draw: %v", err)
		}
		if len(res[0].Draw.Draw.Teams) != 5 {
			t.Fatalf("revealed teams: %v", res[0].Draw.Draw.Teams)
		}
		vr := res[0].Visits[0]
		if vr.Unit != v.Unit || vr.Checks != 2 || vr.Failed != 1 || vr.Discrepancies != 1 || len(vr.Findings) != 2 || vr.Joint != (len(v.Items) > 1) {
			t.Fatalf("visit result: %+v", vr)
		}
		// Tampering with the published record fails verification.
		d := res[0].Draw.Draw
		d.Teams = append([][]string{{d.Teams[0][1], d.Teams[0][0]}}, d.Teams[1:]...)
		if err := visits.Verify(&d); err == nil {
			t.Fatal("a swapped team verifies")
		}

		// Recusal: the team of the done visit is kept from its unit when
		// the next item is drawn.
		q3from, q3to := calendar.NewDate(2026, 7, 1), calendar.NewDate(2026, 9, 30)
		pc := &visits.Plan{OfficeID: f.offA.ID, Year: 2026, Title: "第三季度", Items: []visits.Item{checkItem("NY-2026-02", 1, q3from, q3to, "")}}
		savePlan(t, ctx, db, pc)
		rc := approveAndDraw(t, ctx, db, pc, "beacon round 2")[0]
		for _, in := range rc.Draw.Inspectors {
			recused := false
			for _, r := range in.Recuse {
				recused = recused || strings.HasPrefix(v.Unit, r)
			}
			visited := in.ID == leader || in.ID == member
			if visited && !recused {
				t.Fatalf("%s visited %s and is not recused: %v", in.ID, v.Unit, in.Recuse)
			}
		}
		for i, u := range rc.Selection() {
			for _, n := range rc.Teams()[i] {
				if u == v.Unit && (n == leader || n == member) {
					t.Fatalf("%s drawn again for %s", n, u)
				}
			}
		}
	})
}

func TestInspectorRegister(t *testing.T) {
	eachWithClock(t, func(t *testing.T, db *store.DB, c *clock) {
		ctx := context.Background()
		f := setUpVisits(t, ctx, db)
		list, err := db.Inspectors(ctx, store.InspectorFilter{Under: "430922", ActiveOnly: true})
		if err != nil || len(list) != 6 || list[0].Number != "HN-001" || list[1].Relations[0] != "430922113005" {
			t.Fatalf("register: %+v %v", list, err)
		}
		if l, _ := db.Inspectors(ctx, store.InspectorFilter{Office: f.offB.ID}); len(l) != 3 {
			t.Fatalf("office B: %d", len(l))
		}
		dup := visits.RegisteredInspector{Number: "HN-001", Name: "重号", OfficeID: f.offA.ID, Works: "430922", Capacity: 1, MaxTravel: 60, Active: true}
		if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.SaveInspector(ctx, &dup) }); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("repeated number: %v", err)
		}
		bad := dup
		bad.Number, bad.Capacity = "HN-099", 0
		if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.SaveInspector(ctx, &bad) }); err == nil || !strings.Contains(err.Error(), "capacity") {
			t.Fatalf("capacity 0: %v", err)
		}
		in, err := db.InspectorByPerson(ctx, f.persons["HN-003"])
		if err != nil || in.Number != "HN-003" {
			t.Fatalf("by person: %+v %v", in, err)
		}
		// Leaving the register.
		in.Active = false
		if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.SaveInspector(ctx, in) }); err != nil {
			t.Fatal(err)
		}
		if l, _ := db.Inspectors(ctx, store.InspectorFilter{Under: "430922", ActiveOnly: true}); len(l) != 5 {
			t.Fatalf("active after leaving: %d", len(l))
		}
		// The iCal secret is kept as a digest; a new one replaces the old.
		var tok1, tok2 string
		err = db.Write(ctx, store.System, func(tx *store.Tx) error {
			var err error
			if tok1, err = tx.CalendarToken(ctx, in.ID); err != nil {
				return err
			}
			tok2, err = tx.CalendarToken(ctx, in.ID)
			return err
		})
		if err != nil || tok1 == tok2 {
			t.Fatalf("tokens %q %q %v", tok1, tok2, err)
		}
		if got, err := db.InspectorByCalendarToken(ctx, tok2); err != nil || got.Number != "HN-003" {
			t.Fatalf("feed: %+v %v", got, err)
		}
		if _, err := db.InspectorByCalendarToken(ctx, tok1); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("replaced feed: %v", err)
		}
		if strings.Contains(auditText(t, ctx, db), tok2) {
			t.Fatal("the audit log holds a calendar secret")
		}
		// Comprehensive items of approved or reviewed plans count.
		from, to := calendar.NewDate(2026, 4, 1), calendar.NewDate(2026, 6, 30)
		mk := func(code string) *visits.Plan {
			it := checkItem(code, 0.1, from, to, "")
			it.Kind = visits.Comprehensive
			return &visits.Plan{OfficeID: f.offA.ID, Year: 2026, Title: code, Items: []visits.Item{it}}
		}
		p1, p2 := mk("ZH-1"), mk("ZH-2")
		savePlan(t, ctx, db, p1)
		savePlan(t, ctx, db, p2)
		if n, err := db.ComprehensiveItems(ctx, f.offA.ID, 2026, 0); err != nil || n != 0 {
			t.Fatalf("drafts counted: %d %v", n, err)
		}
		if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.SetPlanStatus(ctx, p1.ID, visits.PlanReview) }); err != nil {
			t.Fatal(err)
		}
		if n, _ := db.ComprehensiveItems(ctx, f.offA.ID, 2026, 0); n != 1 {
			t.Fatalf("in review: %d", n)
		}
		if n, _ := db.ComprehensiveItems(ctx, f.offA.ID, 2026, p1.ID); n != 0 {
			t.Fatalf("excepting the plan: %d", n)
		}
	})
}

// Items whose windows differ are scheduled in one run, each item's visits
// inside its own window; the audit of the run names no target.
func TestScheduleKeepsItemWindows(t *testing.T) {
	eachWithClock(t, func(t *testing.T, db *store.DB, c *clock) {
		ctx := context.Background()
		f := setUpVisits(t, ctx, db)
		q2from, q2to := calendar.NewDate(2026, 4, 1), calendar.NewDate(2026, 6, 30)
		april := calendar.NewDate(2026, 4, 30)
		p := &visits.Plan{OfficeID: f.offA.ID, Year: 2026, Title: "两项", Items: []visits.Item{
			checkItem("A-APR", 0.3, q2from, april, ""), checkItem("A-Q2", 0.3, q2from, q2to, "")}}
		savePlan(t, ctx, db, p)
		recs := approveAndDraw(t, ctx, db, p, "beacon")
		c.at(calendar.NewDate(2026, 3, 30))
		var run *store.ScheduleRun
		err := db.Write(ctx, store.System, func(tx *store.Tx) error {
			var err error
			run, err = tx.ScheduleWindow(ctx, "430922", q2from, q2to, visits.Options{Anneal: 100_000}, "")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if run.Stats.PlanVisits != 12 || run.Stats.ScheduledPlanVisits != 12 || len(run.Skipped) != 0 {
			t.Fatalf("run: %+v", run)
		}
		vs, _ := db.VisitsOfItem(ctx, "A-APR")
		if len(vs) != 6 {
			t.Fatalf("%d April visits", len(vs))
		}
		// The windows overlap in April: a unit both items drew gets one
		// joint visit, in April.
		both := 0
		inApr := map[string]bool{}
		for _, u := range recs[0].Selection() {
			inApr[u] = true
		}
		for _, u := range recs[1].Selection() {
			if inApr[u] {
				both++
			}
		}
		if run.Stats.JointVisits != both || run.Stats.MergedPlanVisits != 2*both || run.Stats.Visits != 12-both {
			t.Fatalf("%d units drawn by both items; stats %+v", both, run.Stats)
		}
		for _, v := range vs {
			if v.Day.After(april) {
				t.Fatalf("April item visited on %s", v.Day)
			}
		}
		// No inspector has more visits a day than their capacity.
		perDay := map[string]int{}
		seen := map[int64]bool{} // a joint visit serves both items
		for _, code := range []string{"A-APR", "A-Q2"} {
			vs, _ := db.VisitsOfItem(ctx, code)
			for _, v := range vs {
				if seen[v.ID] {
					continue
				}
				seen[v.ID] = true
				for _, n := range v.Team {
					perDay[n+" "+v.Day.String()]++
				}
			}
		}
		for k, n := range perDay {
			if n > 2 {
				t.Fatalf("%s: %d visits", k, n)
			}
		}
		// Bad windows are refused with the field named.
		err = db.Write(ctx, store.System, func(tx *store.Tx) error {
			_, err := tx.ScheduleWindow(ctx, "430922", calendar.NewDate(2026, 12, 1), calendar.NewDate(2028, 1, 31), visits.Options{}, "")
			return err
		})
		var ve *visits.ValidationError
		if !errors.As(err, &ve) || ve.Field != "to" {
			t.Fatalf("window over more than a year: %v", err)
		}
		text := auditText(t, ctx, db)
		for _, rec := range recs {
			for _, u := range rec.Selection() {
				if strings.Contains(text, u) {
					t.Fatalf("audit names target %s", u)
				}
			}
		}
	})
}

// A city-wide run keeps each unit within the caps in force where it lies
// (a county's tighter yearly cap), and counts admitted research visits
// towards their week's cap.
func TestScheduleUnitCapsAndResearch(t *testing.T) {
	eachWithClock(t, func(t *testing.T, db *store.DB, c *clock) {
		ctx := context.Background()
		f := setUpVisits(t, ctx, db)
		c.at(calendar.NewDate(2026, 3, 30))
		from, to := calendar.NewDate(2026, 4, 6), calendar.NewDate(2026, 4, 10) // one week
		p := &visits.Plan{OfficeID: f.offA.ID, Year: 2026, Title: "全覆盖", Items: []visits.Item{checkItem("ALL-1", 1, from, to, "")}}
		p.Items[0].Scope = "430922112"
		savePlan(t, ctx, db, p)
		approveAndDraw(t, ctx, db, p, "beacon")
		const inspected, researched = "430922112001", "430922112002"
		var research int64
		err := db.Write(ctx, store.System, func(tx *store.Tx) error {
			if _, err := tx.SavePolicy(ctx, "430922", policy.Document{Params: map[string]int{"visit.unit.year": 1}}, "减负"); err != nil {
				return err
			}
			day := time.Date(2026, 4, 8, 9, 0, 0, 0, calendar.China)
			d := &gate.Demand{OfficeID: f.offB.ID, IssuerUnit: "430922", Kind: gate.Visit, Title: "调研", Targets: gate.Targets{Units: []string{researched}},
				Start: day, End: day.Add(2 * time.Hour), Visit: &gate.VisitInfo{Research: true}}
			if err := tx.CreateDemand(ctx, d); err != nil {
				return err
			}
			research = d.ID
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// An inspection in March (done), and the research visit admitted.
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO schedule_runs (id, scope, date_from, date_to, created, created_by) VALUES (99, '430922', '2026-03-02', '2026-03-06', $1, 0)`, []any{c.now()}},
			{`INSERT INTO visits (run_id, unit_code, day, team, items, status) VALUES (99, $1, '2026-03-03', '[]', '[]', 'done')`, []any{inspected}},
			{`UPDATE demands SET status = 'admitted' WHERE id = $1`, []any{research}},
		} {
			if err := db.Exec(ctx, q.sql, q.args...); err != nil {
				t.Fatal(err)
			}
		}
		var run *store.ScheduleRun
		err = db.Write(ctx, store.System, func(tx *store.Tx) error {
			var err error
			run, err = tx.ScheduleWindow(ctx, "4309", from, to, visits.Options{Anneal: 100_000}, "")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		why := map[string]string{}
		for _, u := range run.Unscheduled() {
			why[u.Unit] = u.Reasons[0].Rule
		}
		if len(why) != 2 || why[inspected] != visits.RuleYear || why[researched] != visits.RuleWeek {
			t.Fatalf("unscheduled: %+v", run.Unscheduled())
		}
		if run.Stats.Visits != 8 {
			t.Fatalf("stats: %+v", run.Stats)
		}
	})
}
