package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"lighten/internal/audit"
	"lighten/internal/calendar"
)

// CalendarLoad says what loading a calendar file stored.
type CalendarLoad struct {
	Years    []int `json:"years"`
	Holidays int   `json:"holidays"` // days off, the in-lieu days among them
	InLieu   int   `json:"in_lieu"`
	Workdays int   `json:"workdays"` // make-up working days
	Replaced int   `json:"replaced"` // days of those years that an earlier load had stored
}

// The kind column's values.
const (
	overrideHoliday = "holiday"
	overrideInLieu  = "inlieu"
	overrideWorkday = "workday"
)

// LoadCalendar stores the years of c as the official schedule, replacing
// what an earlier load stored for the same years, and audits the load.
// c must hold whole years, as calendar.Parse and calendar.New ensure.
func (tx *Tx) LoadCalendar(ctx context.Context, c *calendar.Calendar) (CalendarLoad, error) {
	st := CalendarLoad{Years: c.Years()}
	if len(st.Years) == 0 {
		return st, fmt.Errorf("load calendar: the file covers no year")
	}
	for _, y := range st.Years {
		first, last := calendar.YearSpan(y)
		res, err := tx.exec(ctx, `DELETE FROM calendar_overrides WHERE date >= $1 AND date <= $2`, first.String(), last.String())
		if err != nil {
			return st, fmt.Errorf("load calendar %d: %w", y, err)
		}
		n, _ := res.RowsAffected()
		st.Replaced += int(n)
	}
	days := c.Days()
	const batch = 200 // rows per INSERT, well under either database's limit on parameters
	for len(days) > 0 {
		chunk := days[:min(batch, len(days))]
		days = days[len(chunk):]
		var q strings.Builder
		args := make([]any, 0, 4*len(chunk))
		q.WriteString(`INSERT INTO calendar_overrides (date, kind, name, loaded) VALUES `)
		for i, d := range chunk {
			kind := overrideWorkday
			switch {
			case d.Kind == calendar.Holiday && d.InLieu:
				kind = overrideInLieu
				st.InLieu++
				st.Holidays++
			case d.Kind == calendar.Holiday:
				kind = overrideHoliday
				st.Holidays++
			default:
				st.Workdays++
			}
			if i > 0 {
				q.WriteString(", ")
			}
			fmt.Fprintf(&q, "($%d, $%d, $%d, $%d)", len(args)+1, len(args)+2, len(args)+3, len(args)+4)
			args = append(args, d.Date.String(), kind, d.Value(), tx.Now)
		}
		if _, err := tx.exec(ctx, q.String(), args...); err != nil {
			return st, fmt.Errorf("load calendar: %w", err)
		}
	}
	ids := make([]string, len(st.Years))
	for i, y := range st.Years {
		ids[i] = strconv.Itoa(y)
	}
	return st, tx.Audit(ctx, audit.Record{Action: "calendar.load", Entity: "calendar", EntityID: strings.Join(ids, ","),
		After: audit.JSON(st)})
}

// CalendarOverrides returns the years an administrator has loaded, or nil
// when none has been.
func (db *DB) CalendarOverrides(ctx context.Context) (*calendar.Calendar, error) {
	rows, _, err := db.overrideRows(ctx)
	if err != nil {
		return nil, err
	}
	return overrides(rows)
}

type overrideRow struct{ date, kind, name string }

// overrideRows reads the stored days, and a key of them for the memo of
// Calendar.
func (db *DB) overrideRows(ctx context.Context) ([]overrideRow, string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT date, kind, name FROM calendar_overrides ORDER BY date`)
	if err != nil {
		return nil, "", fmt.Errorf("read calendar: %w", err)
	}
	defer rows.Close()
	var out []overrideRow
	var key strings.Builder
	for rows.Next() {
		var r overrideRow
		if err := rows.Scan(&r.date, &r.kind, &r.name); err != nil {
			return nil, "", fmt.Errorf("read calendar: %w", err)
		}
		key.WriteString(r.date + "\x00" + r.kind + "\x00" + r.name + "\n")
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("read calendar: %w", err)
	}
	return out, key.String(), nil
}

// overrides makes a calendar of the stored days; nil when there are none.
func overrides(rows []overrideRow) (*calendar.Calendar, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	days := make([]calendar.Day, len(rows))
	for i, r := range rows {
		d, err := overrideDay(r.date, r.kind, r.name)
		if err != nil {
			return nil, fmt.Errorf("read calendar: stored day %s: %w", r.date, err)
		}
		days[i] = d
	}
	c, err := calendar.New(days)
	if err != nil {
		return nil, fmt.Errorf("read calendar: stored years: %w", err)
	}
	return c, nil
}

func overrideDay(date, kind, name string) (calendar.Day, error) {
	var d calendar.Day
	var err error
	if d.Date, err = calendar.ParseDate(date); err != nil {
		return d, err
	}
	if d.Name, d.Statutory, err = calendar.ParseValue(name); err != nil {
		return d, err
	}
	switch kind {
	case overrideHoliday:
		d.Kind = calendar.Holiday
	case overrideInLieu:
		d.Kind, d.InLieu = calendar.Holiday, true
	case overrideWorkday:
		d.Kind = calendar.MakeUpWorkday
	default:
		return d, fmt.Errorf("kind %q; expected holiday, inlieu or workday", kind)
	}
	return d, nil
}

// calendarMemo keeps the last merged calendar, keyed by the stored rows it
// was made from: every call reads the few stored rows, so that a load on one
// server shows on all at once, but merging happens only when they change.
var calendarMemo struct {
	sync.Mutex
	key string
	cal *calendar.Calendar
}

// Calendar returns the official calendar in force: the embedded one, with
// the years an administrator loaded in place of its own.
func (db *DB) Calendar(ctx context.Context) (*calendar.Calendar, error) {
	rows, key, err := db.overrideRows(ctx)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return calendar.Default(), nil
	}
	calendarMemo.Lock()
	defer calendarMemo.Unlock()
	if calendarMemo.cal != nil && calendarMemo.key == key {
		return calendarMemo.cal, nil
	}
	over, err := overrides(rows)
	if err != nil {
		return nil, err
	}
	calendarMemo.key, calendarMemo.cal = key, calendar.Default().With(over)
	return calendarMemo.cal, nil
}
