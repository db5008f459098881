package calendar

import (
	"fmt"
	"time"
)

// China is China Standard Time, UTC+8. A fixed zone rather than
// Asia/Shanghai: China has kept UTC+8 without daylight saving since 1991, and
// a fixed zone needs no time-zone database on the server.
var China = time.FixedZone("CST", 8*60*60)

// Date is a civil date in China: a day of the official calendar, with no
// time of day and no zone. Dates compare with ==, Before and After. The zero
// Date is 0001-01-01, which IsZero reports.
type Date struct {
	n int64 // days since 0001-01-01, a Monday
}

// unixEpoch is 1970-01-01 counted in days since 0001-01-01.
const unixEpoch = 719162

// NewDate returns the date y-m-d; out-of-range months and days normalise as
// in time.Date (2026-02-30 is 2026-03-02).
func NewDate(y int, m time.Month, d int) Date {
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix()/86400 + unixEpoch}
}

// DateOf returns the date on which t falls in China: a demand due at
// 2026-02-17 17:00 CST, or at 2026-02-17 09:00 UTC, is due on 2026-02-17.
func DateOf(t time.Time) Date {
	y, m, d := t.In(China).Date()
	return NewDate(y, m, d)
}

// ParseDate reads a date written YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	ok := len(s) == 10 && s[4] == '-' && s[7] == '-'
	for i := 0; ok && i < len(s); i++ {
		if i != 4 && i != 7 && (s[i] < '0' || s[i] > '9') {
			ok = false
		}
	}
	if !ok {
		return Date{}, fmt.Errorf("%q: expected a date written YYYY-MM-DD", s)
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date of the calendar (month 01-12, day within the month)", s)
	}
	return NewDate(t.Date()), nil
}

func (d Date) civil() time.Time { return time.Unix((d.n-unixEpoch)*86400, 0).UTC() }

// Time returns midnight at the start of d in China.
func (d Date) Time() time.Time {
	y, m, dd := d.civil().Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, China)
}

// Year returns d's year.
func (d Date) Year() int { return d.civil().Year() }

// Month returns d's month.
func (d Date) Month() time.Month { return d.civil().Month() }

// Day returns d's day of the month.
func (d Date) Day() int { return d.civil().Day() }

// Weekday returns d's day of the week.
func (d Date) Weekday() time.Weekday { return time.Weekday((mod7(d.n) + 1) % 7) }

// AddDays returns the date n days after d (before, for negative n).
func (d Date) AddDays(n int) Date { return Date{d.n + int64(n)} }

// Sub returns the number of days from e to d.
func (d Date) Sub(e Date) int { return int(d.n - e.n) }

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.n < e.n }

// After reports whether d is later than e.
func (d Date) After(e Date) bool { return d.n > e.n }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.n < e.n:
		return -1
	case d.n > e.n:
		return 1
	}
	return 0
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d.n == 0 }

// String writes d as YYYY-MM-DD.
func (d Date) String() string { return d.civil().Format(time.DateOnly) }

// MarshalText writes d as YYYY-MM-DD, for JSON and forms.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads a date written YYYY-MM-DD.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// isWeekend reports whether d is a Saturday or a Sunday.
func (d Date) isWeekend() bool { return mod7(d.n) >= 5 }

// mod7 is n modulo 7 in 0..6, also for negative n; 0 is a Monday.
func mod7(n int64) int64 { return ((n % 7) + 7) % 7 }

// weekdaysUpTo counts Mondays to Fridays from a fixed origin up to and
// including day n; differences of it count weekdays in a span in O(1).
func weekdaysUpTo(n int64) int64 {
	r := mod7(n)
	w := (n - r) / 7
	return 5*w + min(r+1, 5)
}
