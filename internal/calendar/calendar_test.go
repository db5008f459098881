package calendar_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"lighten/internal/calendar"
)

func date(t testing.TB, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDate(t *testing.T) {
	d := calendar.NewDate(2026, time.February, 17)
	if d.String() != "2026-02-17" || d.Year() != 2026 || d.Month() != time.February || d.Day() != 17 || d.Weekday() != time.Tuesday {
		t.Fatalf("2026-02-17 reads as %s %d %v %d %v", d, d.Year(), d.Month(), d.Day(), d.Weekday())
	}
	// A demand due at 17:00 in Beijing is due on that date, whatever the
	// zone the time arrives in.
	if got := calendar.DateOf(time.Date(2026, 2, 17, 17, 0, 0, 0, calendar.China)); got != d {
		t.Fatalf("17:00 CST falls on %s", got)
	}
	if got := calendar.DateOf(time.Date(2026, 2, 16, 16, 30, 0, 0, time.UTC)); got != d {
		t.Fatalf("2026-02-16 16:30 UTC is 00:30 on the 17th in China, got %s", got)
	}
	if got := calendar.DateOf(time.Date(2026, 2, 17, 15, 59, 0, 0, time.UTC)); got != d {
		t.Fatalf("2026-02-17 15:59 UTC is 23:59 on the 17th in China, got %s", got)
	}
	if got := d.Time(); !got.Equal(time.Date(2026, 2, 16, 16, 0, 0, 0, time.UTC)) {
		t.Fatalf("midnight of 2026-02-17 in China is %v", got)
	}
	if d.AddDays(12) != calendar.NewDate(2026, 3, 1) || d.AddDays(12).Sub(d) != 12 || !d.Before(d.AddDays(1)) || !d.After(d.AddDays(-1)) {
		t.Fatal("day arithmetic across the end of February")
	}
	if !(calendar.Date{}).IsZero() || d.IsZero() {
		t.Fatal("IsZero")
	}
	for _, bad := range []string{"2026-2-17", "2026/02/17", "2026-02-30", "2026-13-01", "20260217", "", "２０２６-02-17", "2026-02-17T00:00"} {
		if _, err := calendar.ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
	var j struct{ Due calendar.Date }
	if err := json.Unmarshal([]byte(`{"Due":"2026-10-08"}`), &j); err != nil || j.Due != calendar.NewDate(2026, 10, 8) {
		t.Fatalf("JSON date: %v %v", j.Due, err)
	}
	if b, _ := json.Marshal(j); string(b) != `{"Due":"2026-10-08"}` {
		t.Fatalf("JSON date written as %s", b)
	}
}

func TestSpringFestival2026(t *testing.T) {
	c := calendar.Default()
	for _, tc := range []struct {
		date string
		kind calendar.Kind
	}{
		{"2026-02-13", calendar.Workday},       // Friday before the break
		{"2026-02-14", calendar.MakeUpWorkday}, // Saturday worked for the Spring Festival
		{"2026-02-15", calendar.Holiday},       // Sunday, first day of the break
		{"2026-02-17", calendar.Holiday},       // Tuesday, New Year's Day of the lunar calendar
		{"2026-02-20", calendar.Holiday},       // Friday, a day off in lieu
		{"2026-02-23", calendar.Holiday},       // Monday, last day of the break
		{"2026-02-24", calendar.Workday},
		{"2026-02-28", calendar.MakeUpWorkday}, // Saturday worked after it
		{"2026-03-01", calendar.Weekend},
		{"2026-01-04", calendar.MakeUpWorkday}, // Sunday worked for New Year's Day
	} {
		d := date(t, tc.date)
		if got := c.Kind(d); got != tc.kind {
			t.Errorf("%s %v: %v, want %v", tc.date, d.Weekday(), got, tc.kind)
		}
		if c.IsWorkday(d) != tc.kind.Working() {
			t.Errorf("%s: IsWorkday %v", tc.date, c.IsWorkday(d))
		}
	}
	// A due date on the worked Saturday is a working day; inside the break it
	// is not.
	if !c.IsWorkday(calendar.DateOf(time.Date(2026, 2, 14, 17, 0, 0, 0, calendar.China))) {
		t.Error("due 2026-02-14 17:00, a make-up working day, is not a working day")
	}
	if c.IsWorkday(calendar.DateOf(time.Date(2026, 2, 17, 17, 0, 0, 0, calendar.China))) {
		t.Error("due 2026-02-17 17:00, inside the Spring Festival, is a working day")
	}
	name, ok := c.Holiday(date(t, "2026-02-17"))
	if !ok || name != (calendar.Text{ZH: "春节", EN: "Spring Festival"}) {
		t.Fatalf("2026-02-17 is %+v %v", name, ok)
	}
	if _, ok := c.Holiday(date(t, "2026-02-14")); ok {
		t.Error("the worked Saturday is named a holiday")
	}
	if d, ok := c.Lookup(date(t, "2026-02-14")); !ok || d.Name.ZH != "春节" || d.Kind != calendar.MakeUpWorkday {
		t.Errorf("the worked Saturday is listed as %+v %v", d, ok)
	}
	if d, _ := c.Lookup(date(t, "2026-02-20")); !d.InLieu || d.Statutory != 4 {
		t.Errorf("2026-02-20: %+v, want in lieu, 4 statutory days", d)
	}
	if d, _ := c.Lookup(date(t, "2024-02-10")); d.Statutory != 3 || d.InLieu {
		t.Errorf("2024-02-10: %+v, want 3 statutory days (4 only since 2025)", d)
	}
}

func TestNationalDay2026(t *testing.T) {
	c := calendar.Default()
	if c.Kind(date(t, "2026-09-20")) != calendar.MakeUpWorkday || date(t, "2026-09-20").Weekday() != time.Sunday {
		t.Error("Sunday 2026-09-20 is worked for National Day")
	}
	for d := date(t, "2026-10-01"); !d.After(date(t, "2026-10-07")); d = d.AddDays(1) {
		name, ok := c.Holiday(d)
		if !ok || name.ZH != "国庆节" || name.EN != "National Day" || c.IsWorkday(d) {
			t.Errorf("%s: %+v %v", d, name, ok)
		}
	}
	for _, s := range []string{"2026-10-06", "2026-10-07"} {
		if d, _ := c.Lookup(date(t, s)); !d.InLieu {
			t.Errorf("%s is a day off in lieu", s)
		}
	}
	if c.Kind(date(t, "2026-10-08")) != calendar.Workday || c.Kind(date(t, "2026-10-10")) != calendar.MakeUpWorkday ||
		c.Kind(date(t, "2026-10-11")) != calendar.Weekend {
		t.Error("the days after National Day")
	}
	// Asked on Monday 28 September for 3 working days: Tuesday, Wednesday,
	// then the week off, so Thursday 8 October.
	if got := c.AddWorkdays(date(t, "2026-09-28"), 3); got != date(t, "2026-10-08") {
		t.Errorf("3 working days after 2026-09-28: %s", got)
	}
	if got := c.WorkdaysBetween(date(t, "2026-09-30"), date(t, "2026-10-09")); got != 2 {
		t.Errorf("working days after 2026-09-30 up to 2026-10-09: %d, want 2 (8th and 9th)", got)
	}
}

func TestAddWorkdaysAcrossSpringFestival(t *testing.T) {
	c := calendar.Default()
	from := date(t, "2026-02-12") // Thursday
	want := []string{"2026-02-12", "2026-02-13", "2026-02-14", "2026-02-24", "2026-02-25", "2026-02-26"}
	for n, w := range want {
		if got := c.AddWorkdays(from, n); got != date(t, w) {
			t.Errorf("AddWorkdays(%s, %d) = %s, want %s", from, n, got, w)
		}
	}
	// A report sent out on Friday 13 February needs 5 working days: due no
	// earlier than Friday 27 February.
	sent := date(t, "2026-02-13")
	if got := c.AddWorkdays(sent, 5); got != date(t, "2026-02-27") {
		t.Errorf("5 working days after %s: %s", sent, got)
	}
	if c.WorkdaysBetween(sent, date(t, "2026-02-26")) >= 5 || c.WorkdaysBetween(sent, date(t, "2026-02-27")) < 5 {
		t.Error("the lead-time test at the edge")
	}
	if got := c.WorkdaysBetween(date(t, "2026-02-10"), date(t, "2026-02-27")); got != 8 {
		t.Errorf("working days after 2026-02-10 up to 2026-02-27: %d, want 8", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("AddWorkdays with n < 0 did not panic")
		}
	}()
	c.AddWorkdays(from, -1)
}

func TestWorkdaysBetweenEdges(t *testing.T) {
	c := calendar.Default()
	fri, sat, sun, mon := date(t, "2026-03-06"), date(t, "2026-03-07"), date(t, "2026-03-08"), date(t, "2026-03-09")
	for _, tc := range []struct {
		a, b calendar.Date
		want int
	}{
		{fri, fri, 0},
		{sat, sat, 0},
		{fri, sat, 0}, // a is not counted, Saturday is rest
		{fri, sun, 0},
		{fri, mon, 1},
		{sat, mon, 1},
		{sun, mon, 1},
		{date(t, "2026-03-05"), fri, 1},
		{mon, fri, -1}, // reversed: the span from Friday to Monday, negated
		{mon, sat, -1},
		{sat, fri, 0},
		{date(t, "2026-02-13"), date(t, "2026-02-14"), 1}, // to the worked Saturday
		{date(t, "2026-02-14"), date(t, "2026-02-23"), 0}, // across the whole break
	} {
		if got := c.WorkdaysBetween(tc.a, tc.b); got != tc.want {
			t.Errorf("WorkdaysBetween(%s %v, %s %v) = %d, want %d", tc.a, tc.a.Weekday(), tc.b, tc.b.Weekday(), got, tc.want)
		}
	}
	// From Friday, 0 working days later is Friday itself; 1 is Monday.
	if c.AddWorkdays(fri, 1) != mon || c.AddWorkdays(sat, 1) != mon || c.AddWorkdays(sat, 0) != sat {
		t.Error("AddWorkdays over a weekend")
	}
}

func TestWorkdaysInAYear(t *testing.T) {
	c := calendar.Default()
	// Counted independently from the file, day by day.
	for year, want := range map[int]int{2019: 250, 2024: 251, 2025: 248, 2026: 248} {
		if got := c.WorkdaysBetween(calendar.NewDate(year-1, 12, 31), calendar.NewDate(year, 12, 31)); got != want {
			t.Errorf("%d has %d working days, want %d", year, got, want)
		}
	}
}

func TestCoverage(t *testing.T) {
	c := calendar.Default()
	years := c.Years()
	if len(years) != 23 || years[0] != 2004 || years[len(years)-1] != 2026 {
		t.Fatalf("covered years %v, want 2004 to 2026", years)
	}
	if !c.Covers(2004) || !c.Covers(2026) || c.Covers(2003) || c.Covers(2027) {
		t.Fatal("Covers at the edges")
	}
	// Beyond the data only weekends are known: New Year's Day 2027 is an
	// ordinary Friday until 2027's schedule is loaded.
	ny := date(t, "2027-01-01")
	if c.CoversDate(ny) || !c.CoversDate(date(t, "2026-12-31")) || c.Kind(ny) != calendar.Workday || c.Kind(date(t, "2027-01-02")) != calendar.Weekend {
		t.Fatal("fallback to weekends outside the covered years")
	}
	if got := c.AddWorkdays(date(t, "2026-12-30"), 3); got != date(t, "2027-01-04") {
		t.Fatalf("3 working days after 2026-12-30, across into an uncovered year: %s", got)
	}
	// The embedded file as published: 619 holidays, 150 make-up working
	// days, 151 of the holidays in lieu.
	var hol, work, lieu int
	for _, d := range c.Days() {
		switch {
		case d.Kind == calendar.Holiday:
			hol++
			if d.InLieu {
				lieu++
			}
		case d.Kind == calendar.MakeUpWorkday:
			work++
		}
	}
	if hol != 619 || work != 150 || lieu != 151 {
		t.Fatalf("embedded data: %d holidays, %d make-up working days, %d in lieu", hol, work, lieu)
	}
	if n := len(c.DaysIn(2026)); n != 39 {
		t.Fatalf("2026 lists %d days, want 33 holidays and 6 make-up working days", n)
	}
}

const year2027 = `{
 "holidays": {
  "2027-01-01": "New Year's Day,元旦,1", "2027-01-02": "New Year's Day,元旦,1", "2027-01-03": "New Year's Day,元旦,1",
  "2027-02-06": "Spring Festival,春节,4", "2027-02-07": "Spring Festival,春节,4", "2027-02-08": "Spring Festival,春节,4",
  "2027-02-09": "Spring Festival,春节,4", "2027-02-10": "Spring Festival,春节,4", "2027-02-11": "Spring Festival,春节,4",
  "2027-02-12": "Spring Festival,春节,4"
 },
 "workdays": {"2027-02-20": "Spring Festival,春节,4"},
 "inLieuDays": {"2027-02-12": "Spring Festival,春节,4"}
}`

func parse(t testing.TB, s string) *calendar.Calendar {
	t.Helper()
	c, err := calendar.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestWith(t *testing.T) {
	base := calendar.Default()
	c := base.With(parse(t, year2027))
	if !c.Covers(2027) || !c.Covers(2026) || len(c.Years()) != 24 {
		t.Fatalf("years after loading 2027: %v", c.Years())
	}
	if c.Kind(date(t, "2027-02-10")) != calendar.Holiday || c.Kind(date(t, "2027-02-20")) != calendar.MakeUpWorkday ||
		c.Kind(date(t, "2026-02-14")) != calendar.MakeUpWorkday {
		t.Fatal("2027 added, 2026 kept")
	}
	if base.Covers(2027) || base.Kind(date(t, "2027-02-10")) != calendar.Workday {
		t.Fatal("With changed the calendar it was called on")
	}

	// A corrected 2026 replaces the whole year: the worked Saturdays it no
	// longer lists are weekends again, and 2025 is untouched.
	fixed := parse(t, `{"holidays": {"2026-01-01": "New Year's Day,元旦,1", "2026-02-16": "Spring Festival,春节,4"}}`)
	c = c.With(fixed)
	if c.Kind(date(t, "2026-02-14")) != calendar.Weekend || c.Kind(date(t, "2026-02-17")) != calendar.Workday ||
		c.Kind(date(t, "2026-02-16")) != calendar.Holiday || c.Kind(date(t, "2026-10-01")) != calendar.Workday {
		t.Fatal("a loaded year replaces the embedded one entirely")
	}
	if c.Kind(date(t, "2025-01-28")) != calendar.Holiday || c.Kind(date(t, "2027-02-10")) != calendar.Holiday {
		t.Fatal("years the loaded file does not cover are kept")
	}

	// 2019's schedule began on Saturday 2018-12-29, a worked day; the days
	// of late December go with the next year's schedule.
	if base.Kind(date(t, "2018-12-29")) != calendar.MakeUpWorkday || base.Kind(date(t, "2018-12-31")) != calendar.Holiday {
		t.Fatal("2019's New Year's break in the embedded data")
	}
	c = base.With(parse(t, `{"holidays": {"2018-12-31": "New Year's Day,元旦,1", "2019-01-01": "New Year's Day,元旦,1"}}`))
	if c.Kind(date(t, "2018-12-29")) != calendar.Weekend || c.Kind(date(t, "2018-12-31")) != calendar.Holiday ||
		c.Kind(date(t, "2018-10-01")) != calendar.Holiday || c.Kind(date(t, "2019-10-01")) != calendar.Workday {
		t.Fatal("loading 2019 replaces its December start and keeps the rest of 2018")
	}
	if c := base.With(nil); c != base {
		t.Fatal("With(nil) is the same calendar")
	}
}

func TestIsWorkingTime(t *testing.T) {
	c := calendar.Default()
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04:05", s, calendar.China)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	const start, end = 8*60 + 30, 17*60 + 30
	for s, want := range map[string]bool{
		"2026-02-13 08:29:59": false,
		"2026-02-13 08:30:00": true,
		"2026-02-13 17:30:00": true,
		"2026-02-13 17:30:01": false,
		"2026-02-14 10:00:00": true,  // the worked Saturday
		"2026-02-17 10:00:00": false, // the Spring Festival
		"2026-03-07 10:00:00": false, // a Saturday
	} {
		if got := c.IsWorkingTime(at(s), start, end); got != want {
			t.Errorf("IsWorkingTime(%s) = %v, want %v", s, got, want)
		}
	}
	// 02:00 UTC is 10:00 in China.
	if !c.IsWorkingTime(time.Date(2026, 2, 13, 2, 0, 0, 0, time.UTC), start, end) {
		t.Error("a time given in UTC")
	}
}

func TestKindText(t *testing.T) {
	for _, k := range []calendar.Kind{calendar.Workday, calendar.Weekend, calendar.Holiday, calendar.MakeUpWorkday} {
		if tx := k.Text(); tx.ZH == "" || tx.EN == "" || strings.HasPrefix(k.String(), "Kind(") {
			t.Errorf("kind %d: %q %+v", int(k), k, tx)
		}
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	c := calendar.Default()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	back := parse(t, string(b))
	if !reflect.DeepEqual(back.Days(), c.Days()) {
		t.Fatal("the embedded calendar does not survive writing and reading")
	}
}

// dayByDay counts working days the slow way, as the definition says.
func dayByDay(c *calendar.Calendar, a, b calendar.Date) int {
	sign := 1
	if b.Before(a) {
		a, b, sign = b, a, -1
	}
	n := 0
	for d := a.AddDays(1); !d.After(b); d = d.AddDays(1) {
		if c.IsWorkday(d) {
			n++
		}
	}
	return sign * n
}

// genDate draws a date from mid-2003 to mid-2031, across the covered years
// and both of their edges.
func genDate(label string) *rapid.Generator[calendar.Date] {
	lo := calendar.NewDate(2003, 6, 1)
	return rapid.Custom(func(t *rapid.T) calendar.Date {
		return lo.AddDays(rapid.IntRange(0, 28*365).Draw(t, label))
	})
}

// genCalendar draws the embedded calendar, or it with a random schedule
// for 2030 loaded: holidays on any day, make-up working days on weekends,
// even a year with very few working days.
func genCalendar() *rapid.Generator[*calendar.Calendar] {
	return rapid.Custom(func(t *rapid.T) *calendar.Calendar {
		if !rapid.Bool().Draw(t, "loaded") {
			return calendar.Default()
		}
		jan1 := calendar.NewDate(2030, 1, 1)
		days := []calendar.Day{{Date: jan1, Kind: calendar.Holiday, Name: calendar.Text{ZH: "元旦", EN: "New Year's Day"}, Statutory: 1}}
		offDensity := rapid.IntRange(0, 100).Draw(t, "off%")
		for i := 1; i < 334; i++ {
			d := jan1.AddDays(i)
			name := calendar.Text{ZH: "测试", EN: "Test"}
			switch {
			case rapid.IntRange(0, 99).Draw(t, fmt.Sprint("off", i)) < offDensity:
				days = append(days, calendar.Day{Date: d, Kind: calendar.Holiday, Name: name, Statutory: 1})
			case (d.Weekday() == time.Saturday || d.Weekday() == time.Sunday) && rapid.IntRange(0, 9).Draw(t, fmt.Sprint("work", i)) == 0:
				days = append(days, calendar.Day{Date: d, Kind: calendar.MakeUpWorkday, Name: name, Statutory: 1})
			}
		}
		o, err := calendar.New(days)
		if err != nil {
			t.Fatal(err)
		}
		return calendar.Default().With(o)
	})
}

func TestAddWorkdaysProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genCalendar().Draw(t, "calendar")
		from := genDate("from").Draw(t, "from")
		n := rapid.IntRange(0, 400).Draw(t, "n")
		got := c.AddWorkdays(from, n)
		if n > 0 && !c.IsWorkday(got) {
			t.Fatalf("AddWorkdays(%s, %d) = %s, a %v", from, n, got, c.Kind(got))
		}
		if k := c.WorkdaysBetween(from, got); k != n {
			t.Fatalf("WorkdaysBetween(%s, AddWorkdays(%s, %d) = %s) = %d", from, from, n, got, k)
		}
		if n > 0 && c.WorkdaysBetween(from, got.AddDays(-1)) != n-1 {
			t.Fatalf("AddWorkdays(%s, %d) = %s is not the earliest such day", from, n, got)
		}
		m := rapid.IntRange(0, 400).Draw(t, "m")
		if n <= m && got.After(c.AddWorkdays(from, m)) {
			t.Fatalf("AddWorkdays(%s, n) is not monotonic in n: %d→%s, %d→%s", from, n, got, m, c.AddWorkdays(from, m))
		}
		later := from.AddDays(rapid.IntRange(0, 60).Draw(t, "later"))
		if c.AddWorkdays(later, n).Before(got) {
			t.Fatalf("AddWorkdays(·, %d) is not monotonic in from: %s→%s, %s→%s", n, from, got, later, c.AddWorkdays(later, n))
		}
	})
}

func TestWorkdaysBetweenProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genCalendar().Draw(t, "calendar")
		a := genDate("a").Draw(t, "a")
		b := a.AddDays(rapid.IntRange(-800, 800).Draw(t, "span"))
		w := c.WorkdaysBetween(a, b)
		if slow := dayByDay(c, a, b); w != slow {
			t.Fatalf("WorkdaysBetween(%s, %s) = %d, counted one by one %d", a, b, w, slow)
		}
		if c.WorkdaysBetween(b, a) != -w {
			t.Fatalf("reversed order is not the negation")
		}
		m := b.AddDays(rapid.IntRange(-100, 100).Draw(t, "mid"))
		if c.WorkdaysBetween(a, m)+c.WorkdaysBetween(m, b) != w {
			t.Fatalf("WorkdaysBetween does not add up through %s", m)
		}
		if b.After(a) && c.WorkdaysBetween(a, b.AddDays(1)) < w {
			t.Fatalf("WorkdaysBetween(%s, ·) decreases after %s", a, b)
		}
	})
}
