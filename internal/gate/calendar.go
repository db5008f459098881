package gate

import (
	"time"

	"lighten/internal/calendar"
)

type official struct{ c *calendar.Calendar }

// Official adapts the official calendar (holidays and make-up working
// days) to what the gate asks of a calendar.
func Official(c *calendar.Calendar) Calendar { return official{c} }

func (o official) IsWorkday(t time.Time) bool { return o.c.IsWorkday(calendar.DateOf(t)) }

func (o official) WorkdaysBetween(a, b time.Time) int {
	return o.c.WorkdaysBetween(calendar.DateOf(a), calendar.DateOf(b))
}

func (o official) Covers(year int) bool { return o.c.Covers(year) }
