package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"lighten/internal/calendar"
	"lighten/internal/store"
	"lighten/internal/store/storetest"
)

func calendarFile(t *testing.T, s string) *calendar.Calendar {
	t.Helper()
	c, err := calendar.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func day(t *testing.T, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

const (
	cal2027 = `{"holidays": {
		"2027-01-01": "New Year's Day,元旦,1", "2027-02-06": "Spring Festival,春节,4", "2027-02-07": "Spring Festival,春节,4",
		"2027-02-08": "Spring Festival,春节,4", "2027-02-09": "Spring Festival,春节,4", "2027-02-10": "Spring Festival,春节,4",
		"2027-02-11": "Spring Festival,春节,4", "2027-02-12": "Spring Festival,春节,4"},
		"workdays": {"2027-02-20": "Spring Festival,春节,4"},
		"inLieuDays": {"2027-02-12": "Spring Festival,春节,4"}}`
	cal2027fixed = `{"holidays": {"2027-01-01": "New Year's Day,元旦,1", "2027-02-08": "Spring Festival,春节,4"}}`
	// 2028's New Year's break begins on Friday 2027-12-31.
	cal2028 = `{"holidays": {"2027-12-31": "New Year's Day,元旦,1", "2028-01-01": "New Year's Day,元旦,1"}}`
)

func loadCalendar(t *testing.T, db *store.DB, c *calendar.Calendar) store.CalendarLoad {
	t.Helper()
	var st store.CalendarLoad
	err := db.Write(context.Background(), store.System, func(tx *store.Tx) error {
		var err error
		st, err = tx.LoadCalendar(context.Background(), c)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestCalendar(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c, err := db.Calendar(ctx)
		if err != nil || c != calendar.Default() {
			t.Fatalf("a fresh database's calendar is the embedded one: %v", err)
		}
		if o, err := db.CalendarOverrides(ctx); o != nil || err != nil {
			t.Fatalf("overrides of a fresh database: %v %v", o, err)
		}

		st := loadCalendar(t, db, calendarFile(t, cal2027))
		want := store.CalendarLoad{Years: []int{2027}, Holidays: 8, InLieu: 1, Workdays: 1}
		if !reflect.DeepEqual(st, want) {
			t.Fatalf("load 2027: %+v, want %+v", st, want)
		}
		c, err = db.Calendar(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !c.Covers(2027) || c.Kind(day(t, "2027-02-10")) != calendar.Holiday || c.Kind(day(t, "2027-02-20")) != calendar.MakeUpWorkday {
			t.Fatal("2027 as loaded")
		}
		if d, _ := c.Lookup(day(t, "2027-02-12")); !d.InLieu || d.Name != (calendar.Text{ZH: "春节", EN: "Spring Festival"}) || d.Statutory != 4 {
			t.Fatalf("2027-02-12 read back as %+v", d)
		}
		if c.Kind(day(t, "2026-02-14")) != calendar.MakeUpWorkday || calendar.Default().Covers(2027) {
			t.Fatal("the embedded years stay, and the embedded calendar itself is unchanged")
		}
		if again, _ := db.Calendar(ctx); again != c {
			t.Fatal("an unchanged database gives the calendar already made")
		}

		// A corrected 2027 replaces the first load's days of that year.
		st = loadCalendar(t, db, calendarFile(t, cal2027fixed))
		if st.Replaced != 9 || st.Holidays != 2 {
			t.Fatalf("reload 2027: %+v", st)
		}
		c, _ = db.Calendar(ctx)
		if c.Kind(day(t, "2027-02-20")) != calendar.Weekend || c.Kind(day(t, "2027-02-10")) != calendar.Workday || c.Kind(day(t, "2027-02-08")) != calendar.Holiday {
			t.Fatal("the corrected 2027 is in force")
		}

		// 2028's schedule holds 2027-12-31; reloading 2027 leaves it alone.
		loadCalendar(t, db, calendarFile(t, cal2028))
		st = loadCalendar(t, db, calendarFile(t, cal2027fixed))
		c, _ = db.Calendar(ctx)
		if st.Replaced != 2 || c.Kind(day(t, "2027-12-31")) != calendar.Holiday || !c.Covers(2028) {
			t.Fatalf("2028's December start after reloading 2027: %+v, %v", st, c.Kind(day(t, "2027-12-31")))
		}

		// An embedded year can be corrected too.
		loadCalendar(t, db, calendarFile(t, `{"holidays": {"2026-01-01": "New Year's Day,元旦,1"}}`))
		c, _ = db.Calendar(ctx)
		if c.Kind(day(t, "2026-02-17")) != calendar.Workday || c.Kind(day(t, "2025-01-28")) != calendar.Holiday {
			t.Fatal("a loaded 2026 replaces the embedded one, and only it")
		}
		o, err := db.CalendarOverrides(ctx)
		if err != nil || !reflect.DeepEqual(o.Years(), []int{2026, 2027, 2028}) {
			t.Fatalf("stored years: %v %v", o, err)
		}

		// A load that fails leaves neither days nor audit.
		before, _ := db.VerifyAudit(ctx)
		boom := errors.New("stop")
		err = db.Write(ctx, store.System, func(tx *store.Tx) error {
			if _, err := tx.LoadCalendar(ctx, calendarFile(t, cal2027)); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if c2, _ := db.Calendar(ctx); c2 != c {
			t.Fatal("a rolled-back load changed the calendar")
		}

		// Each load is audited once, with its years and counts.
		n, err := db.VerifyAudit(ctx)
		if err != nil || n != before || n != 5 {
			t.Fatalf("audit: %d records (%d before the failed load), %v", n, before, err)
		}
		recs, err := db.ListAudit(ctx, store.AuditQuery{Scopes: []string{""}, Entity: "calendar"})
		if err != nil || len(recs) != 5 {
			t.Fatalf("calendar audit records: %d %v", len(recs), err)
		}
		r := recs[len(recs)-1] // the first load
		var got store.CalendarLoad
		if err := json.Unmarshal(r.After, &got); err != nil || r.Action != "calendar.load" || r.EntityID != "2027" ||
			r.Actor != "system" || !reflect.DeepEqual(got, want) {
			t.Fatalf("audit record %+v (%s): %+v %v", r, r.After, got, err)
		}
	})
}
