// Package calendar knows which days are working days in China: Monday to
// Friday, except public holidays, plus the weekend days that the State
// Council makes working days (调休上班) around a holiday.
//
// Dates are civil dates in China Standard Time (type Date; DateOf converts a
// time.Time). The calendar ships with the official schedules of 2004–2026
// (data/chinese-days.json) and takes newer or corrected years from an
// administrator (With). Outside the years it covers, it falls back to plain
// weekends; Covers and CoversDate say when that happens.
package calendar

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"
)

// Text is a name in both of lighten's languages.
type Text struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// Kind is what kind of day a date is.
type Kind int

const (
	Workday       Kind = iota + 1 // Monday to Friday, not a holiday
	Weekend                       // Saturday or Sunday, not a make-up working day
	Holiday                       // a public holiday, whatever the day of the week
	MakeUpWorkday                 // a weekend day worked in exchange for a holiday (调休上班)
)

var kindNames = map[Kind]struct {
	code string
	text Text
}{
	Workday:       {"workday", Text{"工作日", "working day"}},
	Weekend:       {"weekend", Text{"周末", "weekend"}},
	Holiday:       {"holiday", Text{"节假日", "public holiday"}},
	MakeUpWorkday: {"makeup", Text{"调休上班", "make-up working day"}},
}

// String is the kind's code: workday, weekend, holiday or makeup.
func (k Kind) String() string {
	if n, ok := kindNames[k]; ok {
		return n.code
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Text is the kind's name in both languages.
func (k Kind) Text() Text { return kindNames[k].text }

// Working reports whether a day of this kind is a working day.
func (k Kind) Working() bool { return k == Workday || k == MakeUpWorkday }

// Day is a date that the official calendar lists: a public holiday or a
// make-up working day.
type Day struct {
	Date Date
	Kind Kind // Holiday or MakeUpWorkday
	// Name is the holiday the day belongs to; a make-up working day carries
	// the name of the holiday it pays for.
	Name Text
	// Statutory is how many days of that holiday the law grants (春节 4
	// since 2025); the rest of a break is weekends and days in lieu.
	Statutory int
	// InLieu marks a holiday that is a day off in lieu of a worked weekend
	// day (调休); only holidays carry it.
	InLieu bool
}

// Calendar is an immutable official calendar, safe for concurrent use.
type Calendar struct {
	list  []Day // by date
	byDay map[Date]int
	years []int // covered years, ascending
	// shifts are the listed days that depart from the weekly pattern (a
	// holiday on a weekday, a make-up working day); cum[i] is the net change
	// to the count of working days up to and including shifts[i].
	shifts []int64
	cum    []int64
}

//go:embed data/chinese-days.json
var embedded []byte

var defaultCalendar = sync.OnceValue(func() *Calendar {
	c, err := Parse(bytes.NewReader(embedded))
	if err != nil {
		panic(fmt.Sprintf("calendar: embedded data/chinese-days.json: %v", err))
	}
	return c
})

// Default returns the embedded calendar, the official schedules of
// 2004–2026 from the npm package chinese-days 1.5.7.
func Default() *Calendar { return defaultCalendar() }

// scheduleYear is the year whose official schedule decides d. Each year's
// notice may begin its New Year's break, or a make-up working day for it, in
// late December of the year before (2018-12-29 was worked for 2019's New
// Year), so December belongs to the next year's schedule.
func scheduleYear(d Date) int {
	if d.Month() == time.December {
		return d.Year() + 1
	}
	return d.Year()
}

// YearSpan returns the first and last dates that year's official schedule
// decides: 1 December of the year before to 30 November (see scheduleYear).
// Loading year replaces the listed days in this span.
func YearSpan(year int) (first, last Date) {
	return NewDate(year-1, time.December, 1), NewDate(year, time.November, 30)
}

// build indexes days, which New has checked.
func build(days []Day) *Calendar {
	c := &Calendar{list: slices.Clone(days), byDay: make(map[Date]int, len(days))}
	slices.SortFunc(c.list, func(a, b Day) int { return a.Date.Compare(b.Date) })
	var sum int64
	seen := map[int]bool{}
	for i, d := range c.list {
		c.byDay[d.Date] = i
		if y := scheduleYear(d.Date); !seen[y] {
			seen[y] = true
			c.years = append(c.years, y)
		}
		var delta int64
		switch {
		case d.Kind == Holiday && !d.Date.isWeekend():
			delta = -1
		case d.Kind == MakeUpWorkday && d.Date.isWeekend():
			delta = 1
		}
		if delta != 0 {
			sum += delta
			c.shifts = append(c.shifts, d.Date.n)
			c.cum = append(c.cum, sum)
		}
	}
	slices.Sort(c.years)
	return c
}

// With returns a calendar in which each year that o covers is o's schedule,
// replacing c's for that year entirely (days c listed that o does not list
// become ordinary days); c's other years stay. Neither c nor o changes.
func (c *Calendar) With(o *Calendar) *Calendar {
	if o == nil || len(o.list) == 0 {
		return c
	}
	days := make([]Day, 0, len(c.list)+len(o.list))
	for _, d := range c.list {
		if !o.Covers(scheduleYear(d.Date)) {
			days = append(days, d)
		}
	}
	return build(append(days, o.list...))
}

// Years returns the years the calendar covers, ascending.
func (c *Calendar) Years() []int { return slices.Clone(c.years) }

// Covers reports whether the calendar holds year's official schedule. For
// other years it knows only weekends: every Monday to Friday is a working day.
func (c *Calendar) Covers(year int) bool {
	_, ok := slices.BinarySearch(c.years, year)
	return ok
}

// CoversDate reports whether d's year is covered, so that a caller can say
// when a verdict rests on weekends alone. Late December of a covered year can
// still change when the next year's schedule is published.
func (c *Calendar) CoversDate(d Date) bool { return c.Covers(d.Year()) }

// Lookup returns the listed day at d, if the calendar lists one.
func (c *Calendar) Lookup(d Date) (Day, bool) {
	i, ok := c.byDay[d]
	if !ok {
		return Day{}, false
	}
	return c.list[i], true
}

// Days returns every listed day, by date.
func (c *Calendar) Days() []Day { return slices.Clone(c.list) }

// DaysIn returns the listed days dated in year, by date.
func (c *Calendar) DaysIn(year int) []Day {
	lo := sort.Search(len(c.list), func(i int) bool { return c.list[i].Date.Year() >= year })
	hi := sort.Search(len(c.list), func(i int) bool { return c.list[i].Date.Year() > year })
	return slices.Clone(c.list[lo:hi])
}

// Kind says what kind of day d is.
func (c *Calendar) Kind(d Date) Kind {
	if l, ok := c.Lookup(d); ok {
		return l.Kind
	}
	if d.isWeekend() {
		return Weekend
	}
	return Workday
}

// IsWorkday reports whether d is a working day.
func (c *Calendar) IsWorkday(d Date) bool { return c.Kind(d).Working() }

// Holiday returns the name of the public holiday on d, if d is one.
func (c *Calendar) Holiday(d Date) (Text, bool) {
	if l, ok := c.Lookup(d); ok && l.Kind == Holiday {
		return l.Name, true
	}
	return Text{}, false
}

// IsWorkingTime reports whether t falls on a working day in China, between
// start and end inclusive, given in minutes after midnight (08:30 is 510), as
// the rest.days parameters are.
func (c *Calendar) IsWorkingTime(t time.Time, start, end int) bool {
	d := DateOf(t)
	if !c.IsWorkday(d) {
		return false
	}
	since := t.Sub(d.Time())
	return since >= time.Duration(start)*time.Minute && since <= time.Duration(end)*time.Minute
}

// workdaysUpTo counts working days from a fixed origin up to and including
// d: the weekday count corrected by the shifts up to d.
func (c *Calendar) workdaysUpTo(d Date) int64 {
	n := weekdaysUpTo(d.n)
	if i := sort.Search(len(c.shifts), func(i int) bool { return c.shifts[i] > d.n }); i > 0 {
		n += c.cum[i-1]
	}
	return n
}

// WorkdaysBetween counts the working days after a, up to and including b:
// a due date b gives "b - a" working days of lead time from admission on a,
// so the lead.time rule holds when WorkdaysBetween(admitted, due) >= N.
// It is 0 when a == b, and negative when b is before a (it counts the span
// from b to a, negated), so that
// WorkdaysBetween(a, c) == WorkdaysBetween(a, b) + WorkdaysBetween(b, c).
func (c *Calendar) WorkdaysBetween(a, b Date) int {
	return int(c.workdaysUpTo(b) - c.workdaysUpTo(a))
}

// AddWorkdays returns the n-th working day after from, not counting from
// itself: AddWorkdays(Friday, 1) is the next working Monday, and the result
// is always a working day when n > 0. AddWorkdays(from, 0) is from.
// It is the earliest date d with WorkdaysBetween(from, d) == n. n must not
// be negative.
func (c *Calendar) AddWorkdays(from Date, n int) Date {
	if n < 0 {
		panic(fmt.Sprintf("calendar: AddWorkdays(%s, %d): n must not be negative", from, n))
	}
	if n == 0 {
		return from
	}
	target := c.workdaysUpTo(from) + int64(n)
	// Past the last shift the week is plain, with 5 working days in any 7,
	// so hi is late enough whatever the listed years hold.
	last := from.n
	if k := len(c.shifts); k > 0 && c.shifts[k-1] > last {
		last = c.shifts[k-1]
	}
	lo, hi := from.n+1, last+(int64(n)+4)/5*7
	for lo < hi {
		mid := lo + (hi-lo)/2
		if c.workdaysUpTo(Date{mid}) >= target {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return Date{lo}
}
