package gate

import (
	"testing"
	"time"

	"lighten/internal/calendar"
)

// The calendar edges of lead.time and rest.days on the official calendar.
func TestOfficialCalendarEdges(t *testing.T) {
	e := newEnv()
	e.cal = Official(calendar.Default())
	checkAt := time.Date(2026, 2, 2, 9, 0, 0, 0, China) // a Monday, two weeks before the Spring Festival
	run := func(due time.Time) *Result {
		d := goodReport()
		d.Due = due
		r, err := Run(e, d, checkAt)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// 2026-02-14 is a Saturday worked in exchange for the Spring Festival.
	if r := run(at("2026-02-14", "10:00")); has(r, "rest.days", Block) || has(r, "lead.time", Block) {
		t.Fatalf("due on the make-up working day: %+v", r.Findings)
	}
	// 2026-02-18 is a Wednesday inside the Spring Festival holiday.
	if r := run(at("2026-02-18", "10:00")); !has(r, "rest.days", Block) {
		t.Fatalf("due inside the Spring Festival: %+v", r.Findings)
	}
	// 2026-02-07, a plain Saturday, is a rest day.
	if r := run(at("2026-02-07", "10:00")); !has(r, "rest.days", Block) {
		t.Fatalf("due on a Saturday: %+v", r.Findings)
	}
	// Checked on Friday 2026-02-13, a report due on Tuesday 2026-02-24
	// has only 2 working days (the Saturday 14th and Tuesday 24th), not 7.
	d := goodReport()
	d.Due = at("2026-02-24", "10:00")
	r, err := Run(e, d, time.Date(2026, 2, 13, 9, 0, 0, 0, China))
	if err != nil {
		t.Fatal(err)
	}
	if !has(r, "lead.time", Block) {
		t.Fatalf("lead time across the holiday: %+v", r.Findings)
	}
	// Outside the years the calendar knows, a note says so.
	d = goodReport()
	d.Due = time.Date(2028, 3, 15, 10, 0, 0, 0, China)
	r, err = Run(e, d, time.Date(2028, 3, 1, 9, 0, 0, 0, China))
	if err != nil {
		t.Fatal(err)
	}
	if !has(r, "calendar", Note) {
		t.Fatalf("uncovered year: %+v", r.Findings)
	}
}
