package store_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"lighten/internal/audit"
	"lighten/internal/calendar"
	"lighten/internal/collect"
	"lighten/internal/gate"
	"lighten/internal/store"
	"lighten/internal/store/storetest"
	"lighten/internal/units"
)

// transitionFixture is a county with an office and one draft report.
type transitionFixture struct {
	db     *store.DB
	office units.Office
}

func newTransitionFixture(t *testing.T, db *store.DB) *transitionFixture {
	t.Helper()
	ctx := context.Background()
	us := []units.Unit{
		{Code: "43", Name: "湖南省", Level: units.Province},
		{Code: "4309", Name: "益阳市", Level: units.City, Parent: "43"},
		{Code: "430922", Name: "桃江县", Level: units.County, Parent: "4309"},
		{Code: "430922100", Name: "桃花江镇", Level: units.Township, Parent: "430922"},
	}
	if _, err := db.ImportUnits(ctx, store.System, us, nil); err != nil {
		t.Fatal(err)
	}
	f := &transitionFixture{db: db, office: units.Office{UnitCode: "430922", Name: "民政局"}}
	if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.CreateOffice(ctx, &f.office) }); err != nil {
		t.Fatal(err)
	}
	return f
}

// demandIn saves a draft report and puts it in the status given, as the
// life cycle would have.
func (f *transitionFixture) demandIn(t *testing.T, st gate.Status) *store.DemandRecord {
	t.Helper()
	ctx := context.Background()
	d := &gate.Demand{OfficeID: f.office.ID, IssuerUnit: "430922", Kind: gate.Report, Title: "春耕生产情况统计", Body: "请填报。",
		Targets: gate.Targets{Level: units.Township, Under: "430922"}, Due: time.Now().AddDate(0, 1, 0),
		Asks: gate.Asks{Fields: []gate.Field{{Name: "春耕面积"}}}}
	if err := f.db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.CreateDemand(ctx, d) }); err != nil {
		t.Fatal(err)
	}
	if st != gate.Draft {
		if err := f.db.Exec(ctx, `UPDATE demands SET status = $1 WHERE id = $2`, string(st), d.ID); err != nil {
			t.Fatal(err)
		}
	}
	rec, err := f.db.Demand(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func (f *transitionFixture) status(t *testing.T, id int64) gate.Status {
	t.Helper()
	rec, err := f.db.Demand(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return rec.Status
}

// TestStatusChangesFromAStaleRead: each status change is handed a record
// read before another change moved the demand on; it must refuse, name the
// status the demand has now, and leave the demand as it is.
func TestStatusChangesFromAStaleRead(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := context.Background()
		f := newTransitionFixture(t, db)
		refuseWith := func(stale *store.DemandRecord) {
			t.Helper()
			if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.Decide(ctx, stale, false, "不必要", nil, nil) }); err != nil {
				t.Fatal(err)
			}
		}

		// A withdrawal racing a refusal: the refusal landed first.
		stale := f.demandIn(t, gate.InReview)
		fresh, _ := db.Demand(ctx, stale.ID)
		refuseWith(fresh)
		err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.Move(ctx, stale, gate.Withdrawn, "撤回") })
		mustState(t, err, "refused")
		if st := f.status(t, stale.ID); st != gate.Refused {
			t.Fatalf("a refused demand was moved to %s", st)
		}

		// A second decision on a demand already decided.
		stale = f.demandIn(t, gate.InReview)
		fresh, _ = db.Demand(ctx, stale.ID)
		refuseWith(fresh)
		err = db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.Decide(ctx, stale, true, "同意", nil, nil) })
		mustState(t, err, "refused")
		if st := f.status(t, stale.ID); st != gate.Refused {
			t.Fatalf("a refused demand was admitted: %s", st)
		}

		// A verdict recorded on a draft that was withdrawn meanwhile.
		stale = f.demandIn(t, gate.Draft)
		fresh, _ = db.Demand(ctx, stale.ID)
		if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.Move(ctx, fresh, gate.Withdrawn, "撤回") }); err != nil {
			t.Fatal(err)
		}
		res := &gate.Result{Verdict: gate.Admitted, Burden: gate.Burden{}}
		err = db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.RecordVerdict(ctx, stale, res, nil, nil) })
		mustState(t, err, "withdrawn")
		if st := f.status(t, stale.ID); st != gate.Withdrawn {
			t.Fatalf("a withdrawn demand was given a verdict: %s", st)
		}

		// A refusal decided twice.
		admitted := f.demandIn(t, gate.Admitted)
		var r store.Refusal
		if err := db.Write(ctx, store.System, func(tx *store.Tx) error {
			var err error
			r, err = tx.Refuse(ctx, admitted, "430922100", "XZ01", "不是我们的事")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.DecideRefusal(ctx, r, true, "属实") }); err != nil {
			t.Fatal(err)
		}
		err = db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.DecideRefusal(ctx, r, false, "不属实") })
		mustState(t, err, "")
		if got, _ := db.RefusalByID(ctx, r.ID); got.Status != "upheld" {
			t.Fatalf("an upheld refusal became %s", got.Status)
		}

		// An element decided twice.
		e := &collect.Element{Code: "chungeng_mianji", Name: "春耕面积", Type: collect.Decimal, Period: collect.Year, Status: collect.Proposed, Owner: f.office.ID}
		if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.SaveElement(ctx, e) }); err != nil {
			t.Fatal(err)
		}
		staleE := *e
		if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.DecideElement(ctx, e, false, "重复") }); err != nil {
			t.Fatal(err)
		}
		err = db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.DecideElement(ctx, &staleE, true, "同意") })
		mustState(t, err, "")
		d, err := db.Dictionary(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.Elements[e.Code]; got == nil || got.Status != collect.Rejected {
			t.Fatalf("a rejected element became %+v", got)
		}
	})
}

// TestConcurrentDecisionsOneWins: many reviewers decide the same demand at
// once from the same read; exactly one decision lands, once in the audit.
func TestConcurrentDecisionsOneWins(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := context.Background()
		f := newTransitionFixture(t, db)
		rec := f.demandIn(t, gate.InReview)
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				stale := *rec
				errs[i] = db.Write(ctx, store.System, func(tx *store.Tx) error {
					if i%2 == 0 {
						return tx.Move(ctx, &stale, gate.Withdrawn, "撤回")
					}
					return tx.Decide(ctx, &stale, false, "不必要", nil, nil)
				})
			}(i)
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if !errors.Is(err, store.ErrState) {
				t.Fatalf("unexpected error: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d decisions landed, want 1", ok)
		}
		var records int
		if err := db.EachAudit(ctx, func(r audit.Record) error {
			if r.Entity == "demand" && r.EntityID == strconv.FormatInt(rec.ID, 10) && (r.Action == "demand.withdrawn" || r.Action == "demand.decide") {
				records++
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if records != 1 {
			t.Fatalf("%d audit records of the decision, want 1", records)
		}
	})
}

// mustState fails unless err refuses a status change, naming the status
// (in English) when one is given.
func mustState(t *testing.T, err error, status string) {
	t.Helper()
	var se *store.StateError
	if !errors.As(err, &se) {
		t.Fatalf("want a refusal by status, got %v", err)
	}
	if status != "" && !strings.Contains(strings.ToLower(err.Error()), status) {
		t.Fatalf("the refusal %q does not name the status %q", err.Error(), status)
	}
}

// TestOverlapsOnlyOfLiveReports: a report's fields are found by others'
// checks while it is live (in review, admitted, active), not as a draft,
// refused, withdrawn or closed — however many drafts issuers save.
func TestOverlapsOnlyOfLiveReports(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := context.Background()
		f := newTransitionFixture(t, db)
		e := &collect.Element{Code: "HH", Name: "户数", Type: collect.Integer, Period: collect.Year, ValidDays: 365, Owner: f.office.ID, Status: collect.Approved}
		if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.SaveElement(ctx, e) }); err != nil {
			t.Fatal(err)
		}
		due := calendar.Default().AddWorkdays(calendar.DateOf(time.Now()), 10).Time().Add(10 * time.Hour)
		report := func() *gate.Demand {
			return &gate.Demand{OfficeID: f.office.ID, IssuerUnit: "430922", Kind: gate.Report, Title: "户数统计", Body: "请填报户数。",
				Targets: gate.Targets{Level: units.Township, Under: "430922"}, Due: due,
				Asks: gate.Asks{Fields: []gate.Field{{Name: "户数", Element: "HH"}}}}
		}
		period := collect.PeriodOf(collect.Year, due)
		overlaps := func() int {
			t.Helper()
			os, err := db.Overlaps(ctx, "HH", period, 0)
			if err != nil {
				t.Fatal(err)
			}
			return len(os)
		}
		for i := 0; i < 3; i++ {
			d := report()
			if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.CreateDemand(ctx, d) }); err != nil {
				t.Fatal(err)
			}
		}
		if n := overlaps(); n != 0 {
			t.Fatalf("drafts are found as overlapping: %d", n)
		}
		d := report()
		if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.CreateDemand(ctx, d) }); err != nil {
			t.Fatal(err)
		}
		rec, _, err := db.SubmitDemand(ctx, store.System, d.ID)
		if err != nil || (rec.Status != gate.Admitted && rec.Status != gate.InReview) {
			t.Fatalf("submit: %+v %v", rec, err)
		}
		if n := overlaps(); n != 1 {
			t.Fatalf("a live report is not found: %d", n)
		}
		if err := db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.Move(ctx, rec, gate.Withdrawn, "撤回") }); err != nil {
			t.Fatal(err)
		}
		if n := overlaps(); n != 0 {
			t.Fatalf("a withdrawn report is still found: %d", n)
		}
	})
}
