package store_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"lighten/internal/calendar"
	"lighten/internal/store"
	"lighten/internal/visits"
)

func saveInspector(ctx context.Context, db *store.DB, in visits.RegisteredInspector) error {
	return db.Write(ctx, store.System, func(tx *store.Tx) error { return tx.SaveInspector(ctx, &in) })
}

// The register cannot be used to swap who goes on a sealed visit: numbers
// never change, a linked person is checked, and while an entry is in a draw
// not yet revealed its person and recusals stay; the audit keeps before and
// after.
func TestInspectorRegisterGuards(t *testing.T) {
	eachWithClock(t, func(t *testing.T, db *store.DB, c *clock) {
		ctx := context.Background()
		f := setUpVisits(t, ctx, db)
		var outsider, spare int64
		err := db.Write(ctx, store.System, func(tx *store.Tx) error {
			p, err := tx.CreatePerson(ctx, store.NewPerson{Login: "city", Name: "市里的人", UnitCode: "4309"})
			if err != nil {
				return err
			}
			outsider = p.ID
			p, err = tx.CreatePerson(ctx, store.NewPerson{Login: "spare", Name: "备用", UnitCode: "430922112", OfficeID: f.offA.ID})
			spare = p.ID
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		in := f.register["HN-001"]
		var ve *visits.ValidationError
		var se *store.StateError

		renumbered := in
		renumbered.Number = "HN-101"
		if err := saveInspector(ctx, db, renumbered); !errors.As(err, &ve) || ve.Field != "number" {
			t.Fatalf("number changed: %v", err)
		}
		unknown := in
		unknown.PersonID = 999999
		if err := saveInspector(ctx, db, unknown); !errors.As(err, &ve) || ve.Field != "person" || !strings.Contains(err.Error(), "no person") {
			t.Fatalf("unknown person: %v", err)
		}
		foreign := in
		foreign.PersonID = outsider
		if err := saveInspector(ctx, db, foreign); !errors.As(err, &ve) || ve.Field != "person" {
			t.Fatalf("person of another unit: %v", err)
		}
		taken := in
		taken.PersonID = f.persons["HN-003"]
		if err := saveInspector(ctx, db, taken); !errors.As(err, &se) || !strings.Contains(err.Error(), "HN-003") {
			t.Fatalf("person of another entry: %v", err)
		}
		fresh := visits.RegisteredInspector{Number: "HN-007", Name: "新人", OfficeID: f.offA.ID, PersonID: f.persons["HN-002"], Works: "430922", Capacity: 1, MaxTravel: 60, Active: true}
		if err := saveInspector(ctx, db, fresh); !errors.As(err, &se) {
			t.Fatalf("new entry with a linked person: %v", err)
		}
		// Before any draw, the person and recusals may change.
		moved := in
		moved.PersonID, moved.Works = spare, "430922113"
		if err := saveInspector(ctx, db, moved); err != nil {
			t.Fatalf("change before a draw: %v", err)
		}
		if got, err := db.InspectorByPerson(ctx, spare); err != nil || got.Number != "HN-001" || got.Works != "430922113" {
			t.Fatalf("changed entry: %+v %v", got, err)
		}
		log := auditText(t, ctx, db)
		want := `"person":` + itoa(in.PersonID)
		if !strings.Contains(log, "inspector.save HN-001") || !strings.Contains(log, want) || !strings.Contains(log, `"person":`+itoa(spare)) {
			t.Fatalf("audit lacks the person before and after:\n%s", log)
		}
		moved.PersonID, moved.Works = in.PersonID, in.Works
		if err := saveInspector(ctx, db, moved); err != nil {
			t.Fatal(err)
		}

		// A draw committed and run: HN-001 is in its register.
		from, to := calendar.NewDate(2026, 4, 1), calendar.NewDate(2026, 4, 30)
		p := &visits.Plan{OfficeID: f.offA.ID, Year: 2026, Title: "计划", Items: []visits.Item{checkItem("GD-1", 0.2, from, to, "")}}
		savePlan(t, ctx, db, p)
		rec := approveAndDraw(t, ctx, db, p, "beacon 7")[0]
		for name, change := range map[string]func(*visits.RegisteredInspector){
			"person":    func(x *visits.RegisteredInspector) { x.PersonID = spare },
			"unlink":    func(x *visits.RegisteredInspector) { x.PersonID = 0 },
			"works":     func(x *visits.RegisteredInspector) { x.Works = "430922113" },
			"origin":    func(x *visits.RegisteredInspector) { x.Origin = "430922113" },
			"relations": func(x *visits.RegisteredInspector) { x.Relations = []string{"430922112001"} },
		} {
			x := in
			change(&x)
			err := saveInspector(ctx, db, x)
			if !errors.As(err, &se) || !errors.Is(err, store.ErrState) || !strings.Contains(err.Error(), itoa(rec.ID)+" (GD-1)") {
				t.Fatalf("%s changed in a sealed draw: %v", name, err)
			}
			if zh := se.Message().ZH; !strings.Contains(zh, "GD-1") {
				t.Fatalf("Chinese message: %s", zh)
			}
		}
		// What does not touch the draw still changes.
		busy := in
		busy.Capacity, busy.Away = 1, []calendar.Date{calendar.NewDate(2026, 4, 8)}
		if err := saveInspector(ctx, db, busy); err != nil {
			t.Fatalf("capacity in a sealed draw: %v", err)
		}
		// An inspector of another county's register is not held.
		other := f.register["HN-002"]
		other.Capacity = 3
		if err := saveInspector(ctx, db, other); err != nil {
			t.Fatal(err)
		}

		// Once the visits are scheduled, started and done, and the draw revealed,
		// the entry is free again.
		c.at(calendar.NewDate(2026, 3, 30))
		err = db.Write(ctx, store.System, func(tx *store.Tx) error {
			_, err := tx.ScheduleWindow(ctx, "430922", from, to, visits.Options{Anneal: 50_000}, "")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		vs, err := db.VisitsOfItem(ctx, "GD-1")
		if err != nil || len(vs) == 0 {
			t.Fatalf("visits: %v %v", vs, err)
		}
		// A visit started and never marked done holds its team's entries
		// even after the reveal.
		v := vs[0]
		leader := f.register[v.Team[0]]
		c.at(v.Day)
		if err := db.Write(ctx, store.System, func(tx *store.Tx) error { _, err := tx.StartVisit(ctx, v.ID, leader.Number); return err }); err != nil {
			t.Fatal(err)
		}
		c.at(calendar.NewDate(2026, 5, 4))
		if err := db.Write(ctx, store.System, func(tx *store.Tx) error { r, _ := db.DrawByID(ctx, rec.ID); return tx.RevealDraw(ctx, r) }); err != nil {
			t.Fatal(err)
		}
		x := leader
		x.Origin = "430922113"
		if err := saveInspector(ctx, db, x); !errors.As(err, &se) || !strings.Contains(err.Error(), "(-) or on visits not yet over ("+itoa(v.ID)+")") {
			t.Fatalf("change on a started visit: %v", err)
		}
		// Planned visits whose day is past and a revealed draw hold nothing.
		for num, y := range f.register {
			busy := false
			for _, n := range v.Team {
				busy = busy || n == num
			}
			if busy {
				continue
			}
			y.Origin = "430922113"
			if err := saveInspector(ctx, db, y); err != nil {
				t.Fatalf("%s after the reveal: %v", num, err)
			}
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Two runs of one draw at once with different public values: exactly one
// draws, the other is refused, and the record keeps the winner's value.
// The same holds for two reveals.
func TestDrawRunAndRevealAtomic(t *testing.T) {
	eachWithClock(t, func(t *testing.T, db *store.DB, c *clock) {
		ctx := context.Background()
		f := setUpVisits(t, ctx, db)
		var pool []string
		for i := 1; i <= 10; i++ {
			pool = append(pool, "430922112"+fmt.Sprintf("%03d", i))
		}
		for round := 0; round < 5; round++ {
			var rec *store.DrawRecord
			err := db.Write(ctx, store.System, func(tx *store.Tx) error {
				var err error
				rec, err = tx.CreateDraw(ctx, f.offA.ID, &visits.Draw{Plan: fmt.Sprintf("ADHOC-%d", round), MinPerTier: 1,
					Tiers: []visits.Tier{{Name: "all", Rate: 0.3, Units: pool}}}, c.now().Add(-time.Hour))
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			race := func(op func(tx *store.Tx, r *store.DrawRecord, i int) error) (ok []int, errs []error) {
				var wg sync.WaitGroup
				var mu sync.Mutex
				start := make(chan struct{})
				for i := 0; i < 2; i++ {
					// Each reads the draw outside the transaction, as the web does.
					r, err := db.DrawByID(ctx, rec.ID)
					if err != nil {
						t.Fatal(err)
					}
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						err := db.Write(ctx, store.System, func(tx *store.Tx) error { return op(tx, r, i) })
						mu.Lock()
						defer mu.Unlock()
						if err == nil {
							ok = append(ok, i)
						} else {
							errs = append(errs, err)
						}
					}()
				}
				close(start)
				wg.Wait()
				return ok, errs
			}
			ok, errs := race(func(tx *store.Tx, r *store.DrawRecord, i int) error {
				return tx.RunDraw(ctx, r, fmt.Sprintf("beacon %d", i))
			})
			if len(ok) != 1 || len(errs) != 1 || !errors.Is(errs[0], store.ErrState) {
				t.Fatalf("round %d: runs that succeeded %v, errors %v", round, ok, errs)
			}
			got, err := db.DrawByID(ctx, rec.ID)
			if err != nil || got.Status != "drawn" || got.Draw.PublicValue != fmt.Sprintf("beacon %d", ok[0]) {
				t.Fatalf("round %d: stored %+v %v, winner %d", round, got, err, ok[0])
			}
			ok, errs = race(func(tx *store.Tx, r *store.DrawRecord, _ int) error { return tx.RevealDraw(ctx, r) })
			if len(ok) != 1 || len(errs) != 1 || !errors.Is(errs[0], store.ErrState) {
				t.Fatalf("round %d: reveals that succeeded %v, errors %v", round, ok, errs)
			}
			got, _ = db.DrawByID(ctx, rec.ID)
			if got.Status != "revealed" || visits.Verify(&got.Draw) != nil {
				t.Fatalf("round %d: revealed %+v: %v", round, got, visits.Verify(&got.Draw))
			}
			if n := strings.Count(auditText(t, ctx, db), "draw.run "+itoa(rec.ID)+" "); n != 1 {
				t.Fatalf("round %d: %d runs audited", round, n)
			}
		}
	})
}

// A field record changes only while its visit is open: started, not done,
// within its items' windows. Every save is kept with its digest; of two
// saves marking the visit done at once, one wins.
func TestFieldRecordClosesAndKeepsVersions(t *testing.T) {
	eachWithClock(t, func(t *testing.T, db *store.DB, c *clock) {
		ctx := context.Background()
		f := setUpVisits(t, ctx, db)
		from, to := calendar.NewDate(2026, 4, 1), calendar.NewDate(2026, 4, 30)
		p := &visits.Plan{OfficeID: f.offA.ID, Year: 2026, Title: "计划", Items: []visits.Item{checkItem("JL-1", 0.3, from, to, "")}}
		savePlan(t, ctx, db, p)
		approveAndDraw(t, ctx, db, p, "beacon 9")
		c.at(calendar.NewDate(2026, 3, 30))
		if err := db.Write(ctx, store.System, func(tx *store.Tx) error {
			_, err := tx.ScheduleWindow(ctx, "430922", from, to, visits.Options{Anneal: 50_000}, "")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		vs, err := db.VisitsOfItem(ctx, "JL-1")
		if err != nil || len(vs) < 3 {
			t.Fatalf("visits: %d %v", len(vs), err)
		}
		start := func(v visits.ScheduledVisit) {
			t.Helper()
			c.at(v.Day)
			if err := db.Write(ctx, store.System, func(tx *store.Tx) error { _, err := tx.StartVisit(ctx, v.ID, v.Team[0]); return err }); err != nil {
				t.Fatal(err)
			}
		}
		record := func(v visits.ScheduledVisit, finding string) *visits.FieldRecord {
			return &visits.FieldRecord{VisitID: v.ID, Findings: []visits.Finding{{Text: finding, Severity: "minor"}}}
		}
		save := func(r *visits.FieldRecord, done bool) error {
			return db.Write(ctx, store.Actor{ID: 7}, func(tx *store.Tx) error { return tx.SaveFieldRecord(ctx, r, done) })
		}
		photo := func(v visits.ScheduledVisit) error {
			return db.Write(ctx, store.System, func(tx *store.Tx) error {
				_, err := tx.AddPhoto(ctx, v.ID, "a.png", "image/png", c.now(), []byte("\x89PNG\r\n\x1a\nabc"))
				return err
			})
		}
		var se *store.StateError

		// Saved three times: three versions, each with its digest, the audit
		// naming the previous one.
		v := vs[0]
		start(v)
		for i, text := range []string{"第一稿", "第二稿", "定稿"} {
			if err := save(record(v, text), i == 2); err != nil {
				t.Fatalf("save %d: %v", i+1, err)
			}
		}
		versions, err := db.FieldRecordVersions(ctx, v.ID)
		if err != nil || len(versions) != 3 {
			t.Fatalf("versions: %+v %v", versions, err)
		}
		for i, fv := range versions {
			if fv.Version != i+1 || len(fv.SHA256) != 64 || fv.Done != (i == 2) || fv.By != 7 {
				t.Fatalf("version %d: %+v", i+1, fv)
			}
		}
		if versions[0].Record.Findings[0].Text != "第一稿" || versions[2].Record.Findings[0].Text != "定稿" {
			t.Fatalf("versions keep the records: %+v", versions)
		}
		log := auditText(t, ctx, db)
		if !strings.Contains(log, `"previous":"`+versions[1].SHA256+`"`) || !strings.Contains(log, `"sha256":"`+versions[2].SHA256+`"`) {
			t.Fatalf("audit lacks the digests:\n%s", log)
		}
		// Done: the store refuses, whoever asks.
		if err := save(record(v, "改"), false); !errors.As(err, &se) || !strings.Contains(err.Error(), "is done") {
			t.Fatalf("save after done: %v", err)
		}
		if err := photo(v); !errors.As(err, &se) {
			t.Fatalf("photo after done: %v", err)
		}
		if fr, _ := db.FieldRecord(ctx, v.ID); fr.Findings[0].Text != "定稿" {
			t.Fatalf("record changed after done: %+v", fr)
		}

		// Started, never marked done: open through the window's last day,
		// closed after it.
		w := vs[1]
		start(w)
		if err := save(record(w, "草稿"), false); err != nil {
			t.Fatal(err)
		}
		c.at(to)
		if err := save(record(w, "最后一天"), false); err != nil {
			t.Fatalf("on the window's last day: %v", err)
		}
		if err := photo(w); err != nil {
			t.Fatalf("photo on the window's last day: %v", err)
		}
		c.at(to.AddDays(1))
		if err := save(record(w, "事后补记"), true); !errors.As(err, &se) || !strings.Contains(err.Error(), "ended on 2026-04-30") {
			t.Fatalf("save after the window: %v", err)
		}
		if err := photo(w); !errors.As(err, &se) {
			t.Fatalf("photo after the window: %v", err)
		}
		if got, _ := db.Visit(ctx, w.ID); got.Status != visits.Started {
			t.Fatalf("closed visit marked: %+v", got)
		}

		// Two saves marking one visit done at once: exactly one is kept.
		x := vs[2]
		start(x)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = save(record(x, fmt.Sprintf("并发 %d", i)), true)
			}()
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("concurrent saves: %v", errs)
		}
		if versions, _ := db.FieldRecordVersions(ctx, x.ID); len(versions) != 1 {
			t.Fatalf("versions after the race: %+v", versions)
		}
	})
}

// A person is linked to one register entry even when two entries are saved
// at once: on PostgreSQL the second transaction's check cannot see the
// first's uncommitted row, and the unique index inspectors_person_once
// (migration 00012) refuses it with the same answer as the check. "No
// person" (NULL) repeats freely.
func TestInspectorPersonOnceConcurrent(t *testing.T) {
	eachWithClock(t, func(t *testing.T, db *store.DB, c *clock) {
		ctx := context.Background()
		f := setUpVisits(t, ctx, db)
		var person int64
		err := db.Write(ctx, store.System, func(tx *store.Tx) error {
			p, err := tx.CreatePerson(ctx, store.NewPerson{Login: "twice", Name: "两次", UnitCode: "430922112", OfficeID: f.offA.ID})
			person = p.ID
			return err
		})
		if err != nil {
			t.Fatal(err)
		}

		// The index itself, behind the store's back.
		if err := db.Exec(ctx, `UPDATE inspectors SET person_id = $1 WHERE number = 'HN-001'`, f.persons["HN-003"]); err == nil {
			t.Fatal("the database let two entries share a person")
		}
		if err := db.Exec(ctx, `UPDATE inspectors SET person_id = NULL WHERE number IN ('HN-001', 'HN-002')`); err != nil {
			t.Fatalf("two entries without a person: %v", err)
		}

		// Two creations at once: the first holds its transaction open until
		// the second has checked and is writing.
		entry := func(n string) visits.RegisteredInspector {
			return visits.RegisteredInspector{Number: n, Name: "并发", OfficeID: f.offA.ID, PersonID: person, Works: "430922", Capacity: 1, MaxTravel: 60, Active: true}
		}
		first := make(chan struct{})
		second := make(chan error, 1)
		err = db.Write(ctx, store.System, func(tx *store.Tx) error {
			in := entry("HN-008")
			if err := tx.SaveInspector(ctx, &in); err != nil {
				return err
			}
			go func() {
				close(first)
				second <- saveInspector(ctx, db, entry("HN-009"))
			}()
			<-first
			time.Sleep(300 * time.Millisecond)
			return nil
		})
		if err != nil {
			t.Fatalf("first entry: %v", err)
		}
		err = <-second
		var se *store.StateError
		if !errors.As(err, &se) || !errors.Is(err, store.ErrState) || se.Key != "store.visits.inspector_person_linked" {
			t.Fatalf("second entry with the same person: %v", err)
		}
		if m := se.Message(); !strings.Contains(m.ZH, "HN-008") || !strings.Contains(m.EN, "HN-008") {
			t.Fatalf("message does not name the other entry: %+v", m)
		}
		if got, err := db.InspectorByPerson(ctx, person); err != nil || got.Number != "HN-008" {
			t.Fatalf("person's entry: %+v %v", got, err)
		}
	})
}
