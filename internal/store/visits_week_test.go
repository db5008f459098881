package store_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"lighten/internal/audit"
	"lighten/internal/calendar"
	"lighten/internal/store"
	"lighten/internal/visits"
)

func preview(t *testing.T, ctx context.Context, db *store.DB, from, to calendar.Date) *store.SchedulePreview {
	t.Helper()
	var p *store.SchedulePreview
	err := db.Write(ctx, store.System, func(tx *store.Tx) error {
		var err error
		p, err = tx.PreviewSchedule(ctx, "430922", from, to, visits.Options{Anneal: 50_000})
		return err
	})
	if err != nil {
		t.Fatalf("preview %s..%s: %v", from, to, err)
	}
	return p
}

func schedule(ctx context.Context, db *store.DB, from, to calendar.Date, confirm string) (*store.ScheduleRun, error) {
	var run *store.ScheduleRun
	err := db.Write(ctx, store.System, func(tx *store.Tx) error {
		var err error
		run, err = tx.ScheduleWindow(ctx, "430922", from, to, visits.Options{Anneal: 50_000}, confirm)
		return err
	})
	return run, err
}

// A run over a short window never touches the planned visits outside it;
// replacing those inside is previewed and applied only with the preview's
// token, and only while nothing changed; a replaced visit's id names no
// other visit; a team whose leader was shown the day is told.
func TestScheduleRunKeepsOutsideItsWindow(t *testing.T) {
	t.Parallel()
	eachWithClock(t, func(t *testing.T, db *store.DB, c *clock) {
		ctx := context.Background()
		f := setUpVisits(t, ctx, db)
		dec1, dec31 := calendar.NewDate(2026, 12, 1), calendar.NewDate(2026, 12, 31)
		p := &visits.Plan{OfficeID: f.offA.ID, Year: 2026, Title: "十二月", Items: []visits.Item{checkItem("DEC-1", 0.5, dec1, dec31, "")}}
		savePlan(t, ctx, db, p)
		rec := approveAndDraw(t, ctx, db, p, "beacon")[0]
		c.at(calendar.NewDate(2026, 11, 20))
		if _, err := schedule(ctx, db, dec1, dec31, ""); err != nil {
			t.Fatal(err)
		}
		before, _ := db.VisitsOfItem(ctx, "DEC-1")
		if len(before) != len(rec.Selection()) {
			t.Fatalf("%d visits for %d targets", len(before), len(rec.Selection()))
		}
		maxID := int64(0)
		days := map[calendar.Date]bool{}
		for _, v := range before {
			maxID = max(maxID, v.ID)
			days[v.Day] = true
		}
		if len(days) < 2 {
			t.Fatalf("the fixture needs visits on two days at least: %v", days)
		}
		// The window: the first visit's day and the next working day.
		first := before[0]
		wFrom, wTo := first.Day, first.Day.AddDays(1)
		for wTo.Weekday() == 0 || wTo.Weekday() == 6 {
			wTo = wTo.AddDays(1)
		}
		inWindow := func(d calendar.Date) bool { return !d.Before(wFrom) && !d.After(wTo) }
		// The leader has seen the day; a member falls ill on it.
		if err := db.MarkVisitsShown(ctx, first.Leader(), before); err != nil {
			t.Fatal(err)
		}
		ill := f.register[first.Team[1]]
		ill.Away = []calendar.Date{first.Day}
		if err := saveInspector(ctx, db, ill); err != nil {
			t.Fatal(err)
		}

		pv := preview(t, ctx, db, wFrom, wTo)
		if pv.Run.ID != 0 || pv.Token == "" {
			t.Fatalf("a preview stores nothing and has a token: %+v", pv)
		}
		var mine *store.ScheduleChange
		for i, ch := range pv.Changes {
			if ch.Change != store.ChangeAdded && !inWindow(ch.Day) {
				t.Fatalf("the preview changes visit %d on %s, outside %s..%s", ch.Visit, ch.Day, wFrom, wTo)
			}
			if ch.Visit == first.ID {
				mine = &pv.Changes[i]
			}
		}
		if mine == nil || mine.Change == store.ChangeKept || !mine.Told || pv.Run.Notified < 1 || pv.Run.Replaced < 1 {
			t.Fatalf("the visit of the ill member: %+v; run %+v", mine, pv.Run)
		}
		if mine.Change == store.ChangeDropped && len(mine.Reasons) == 0 {
			t.Fatalf("dropped without a reason: %+v", mine)
		}
		if after, _ := db.VisitsOfItem(ctx, "DEC-1"); len(after) != len(before) {
			t.Fatalf("the preview changed the visits: %d, was %d", len(after), len(before))
		}
		// Not without the preview, nor once something changed.
		if _, err := schedule(ctx, db, wFrom, wTo, ""); !errors.Is(err, store.ErrState) {
			t.Fatalf("a run replacing visits without its preview: %v", err)
		}
		other := f.register[first.Team[0]]
		other.Away = []calendar.Date{calendar.NewDate(2026, 12, 30)}
		if err := saveInspector(ctx, db, other); err != nil {
			t.Fatal(err)
		}
		if _, err := schedule(ctx, db, wFrom, wTo, pv.Token); !errors.Is(err, store.ErrState) {
			t.Fatalf("a stale preview confirmed: %v", err)
		}
		// Two confirmations of one preview at once: exactly one applies;
		// the other finds the plan changed.
		pv = preview(t, ctx, db, wFrom, wTo)
		runs := make([]*store.ScheduleRun, 2)
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				runs[i], errs[i] = schedule(ctx, db, wFrom, wTo, pv.Token)
			}()
		}
		wg.Wait()
		var run *store.ScheduleRun
		for i := range 2 {
			switch {
			case errs[i] == nil && run == nil:
				run = runs[i]
			case !errors.Is(errs[i], store.ErrState):
				t.Fatalf("confirmations at once: %v, %v", errs[0], errs[1])
			}
		}
		if run == nil {
			t.Fatalf("no confirmation applied: %v, %v", errs[0], errs[1])
		}
		if run.Moved != pv.Run.Moved || run.Dropped != pv.Run.Dropped || run.Added != pv.Run.Added || run.Unchanged != pv.Run.Unchanged {
			t.Fatalf("applied %+v, previewed %+v", run, pv.Run)
		}

		after, _ := db.VisitsOfItem(ctx, "DEC-1")
		byID := map[int64]visits.ScheduledVisit{}
		for _, v := range after {
			byID[v.ID] = v
		}
		for _, v := range before {
			if inWindow(v.Day) {
				continue
			}
			if got, ok := byID[v.ID]; !ok || got.Day != v.Day || got.Unit != v.Unit {
				t.Fatalf("visit %d on %s, outside the window, became %+v (found %v)", v.ID, v.Day, got, ok)
			}
		}
		if _, err := db.Visit(ctx, first.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the replaced visit %d still answers: %v", first.ID, err)
		}
		for _, v := range after {
			was := slices.ContainsFunc(before, func(b visits.ScheduledVisit) bool { return b.ID == v.ID })
			if !was && v.ID <= maxID {
				t.Fatalf("new visit %d reuses an id up to %d", v.ID, maxID)
			}
			if was {
				i := slices.IndexFunc(before, func(b visits.ScheduledVisit) bool { return b.ID == v.ID })
				if before[i].Unit != v.Unit || before[i].Day != v.Day {
					t.Fatalf("id %d names another visit: %+v, was %+v", v.ID, v, before[i])
				}
			}
		}
		// Every target served once, or listed as unscheduled.
		n := map[string]int{}
		for _, v := range after {
			n[v.Unit]++
		}
		for _, u := range run.Unscheduled() {
			n[u.Unit]++
		}
		for _, u := range rec.Selection() {
			if n[u] != 1 {
				t.Fatalf("%s served %d times", u, n[u])
			}
		}
		// The team is told, the leader on the visits page.
		notes, err := db.VisitNotices(ctx, first.Leader(), calendar.NewDate(2026, 11, 20))
		i := slices.IndexFunc(notes, func(n store.VisitNotice) bool { return n.Visit == first.ID })
		if err != nil || i < 0 || notes[i].Day != first.Day || notes[i].Moved != (mine.Change == store.ChangeMoved) ||
			notes[i].Moved && (notes[i].NewDay != mine.NewDay || byID[notes[i].ReplacedBy].Day != mine.NewDay) {
			t.Fatalf("notices: %+v %v; change %+v", notes, err, mine)
		}
		for _, n := range notes {
			if _, err := db.Visit(ctx, n.Visit); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("notice of visit %d, which stands: %v", n.Visit, err)
			}
		}
		if nb, _ := db.VisitNotices(ctx, "HN-999", calendar.NewDate(2026, 11, 20)); len(nb) != 0 {
			t.Fatalf("notices to someone off the team: %+v", nb)
		}
		stored, err := db.ScheduleRuns(ctx, "430922")
		if err != nil || len(stored) != 2 || stored[1].ReplacedLater != run.Replaced || stored[0].Standing != run.Moved+run.Added ||
			stored[0].Moved != run.Moved || stored[0].Dropped != run.Dropped || stored[0].Unchanged != run.Unchanged || stored[0].Notified != run.Notified {
			t.Fatalf("runs: %+v %v", stored, err)
		}
		var audited bool
		db.EachAudit(ctx, func(r audit.Record) error {
			if r.Action == "visit.schedule" && r.EntityID == itoa(run.ID) {
				audited = true
			}
			return nil
		})
		if !audited {
			t.Fatal("the confirmed run is not audited")
		}
	})
}

// A window across the year end is scheduled year by year, each plan
// item's visits within its own window.
func TestScheduleAcrossYearEnd(t *testing.T) {
	t.Parallel()
	eachWithClock(t, func(t *testing.T, db *store.DB, c *clock) {
		ctx := context.Background()
		f := setUpVisits(t, ctx, db)
		p26 := &visits.Plan{OfficeID: f.offA.ID, Year: 2026, Title: "年末", Items: []visits.Item{
			checkItem("END-26", 0.2, calendar.NewDate(2026, 12, 21), calendar.NewDate(2026, 12, 31), "")}}
		p27 := &visits.Plan{OfficeID: f.offA.ID, Year: 2027, Title: "年初", Items: []visits.Item{
			checkItem("START-27", 0.2, calendar.NewDate(2027, 1, 4), calendar.NewDate(2027, 1, 8), "")}}
		savePlan(t, ctx, db, p26)
		savePlan(t, ctx, db, p27)
		approveAndDraw(t, ctx, db, p26, "beacon")
		approveAndDraw(t, ctx, db, p27, "beacon")
		c.at(calendar.NewDate(2026, 12, 3))
		if pv := preview(t, ctx, db, calendar.NewDate(2026, 12, 4), calendar.NewDate(2027, 1, 2)); len(pv.Run.Items) != 1 || pv.Run.Added != 4 {
			t.Fatalf("the form's default window, 2026-12-04..2027-01-02: %+v", pv.Run)
		}
		run, err := schedule(ctx, db, calendar.NewDate(2026, 12, 21), calendar.NewDate(2027, 1, 8), "")
		if err != nil {
			t.Fatal(err)
		}
		if len(run.Items) != 2 || run.Stats.PlanVisits != 8 || run.Stats.ScheduledPlanVisits != 8 {
			t.Fatalf("run: %+v", run)
		}
		for _, code := range []string{"END-26", "START-27"} {
			it, _, _ := db.PlanItemByCode(ctx, code)
			vs, _ := db.VisitsOfItem(ctx, code)
			if len(vs) != 4 {
				t.Fatalf("%s: %d visits", code, len(vs))
			}
			for _, v := range vs {
				if v.Day.Before(it.From) || v.Day.After(it.To) {
					t.Fatalf("%s visited on %s, outside %s..%s", code, v.Day, it.From, it.To)
				}
			}
		}
	})
}
