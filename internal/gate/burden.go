package gate

import (
	"sort"

	"lighten/internal/i18n"
)

// Minutes a unit spends on each kind of thing asked, the starting points of
// the estimate; the ledger later replaces estimates with measured burden.
const (
	minutesPerField     = 3
	minutesPerMaterial  = 120
	minutesPerProof     = 30
	minutesSignature    = 30
	minutesVisitReceive = 60 // receiving a team that asks for nothing: showing the way
	minutesPledge       = 60
	minutesAppMonth     = 60
	minutesGroupMonth   = 80  // reading a work group's messages, per month
	readingCharsMinute  = 500 // characters of a document read per minute
	minutesWorkday      = 480
)

func (c *Check) item(what string, minutes int) {
	if minutes <= 0 {
		return
	}
	c.base.Breakdown = append(c.base.Breakdown, BurdenItem{What: what, Label: i18n.Both("gate.burden." + what), Minutes: minutes})
	c.base.PerUnit += minutes
}

// estimate computes the minutes the demand costs each target.
func (c *Check) estimate() {
	d := c.D
	a := d.Asks
	fields := 0
	for _, f := range a.Fields {
		if f.Minutes > 0 {
			fields += f.Minutes
		} else {
			fields += minutesPerField
		}
	}
	c.item("fields", fields)
	c.item("materials", a.Materials*minutesPerMaterial)
	proofs := 0
	for _, on := range []bool{a.Photos, a.Videos, a.Screenshots, a.StudyNotes, a.Counts} {
		if on {
			proofs++
		}
	}
	c.item("proof", proofs*minutesPerProof)
	if a.Signature {
		c.item("signature", minutesSignature)
	}
	switch d.Kind {
	case Meeting:
		minutes := int(d.End.Sub(d.Start).Minutes())
		if d.Meeting != nil && d.Meeting.Minutes > 0 {
			minutes = d.Meeting.Minutes
		}
		people := max(a.Attendees, 1)
		c.item("attendance", people*minutes)
	case Visit:
		c.item("visit", max(a.Attendees, 1)*minutesVisitReceive)
	case Document:
		if d.Document != nil {
			c.item("reading", (d.Document.Chars+readingCharsMinute-1)/readingCharsMinute)
		}
	case Pledge:
		c.item("pledge", minutesPledge)
	case App:
		c.item("app", minutesAppMonth)
	case Group:
		c.item("group", minutesGroupMonth)
	}
	c.item("second", a.StaffSecond*a.SecondDays*minutesWorkday)
	c.item("other", a.OtherMinutes)

	// Travel to an onsite meeting differs by unit.
	travel := 0
	if d.Kind == Meeting && d.Meeting != nil && d.Meeting.Format == "onsite" && d.Meeting.PlaceUnit != "" {
		people := max(a.Attendees, 1)
		c.minutes = make([]int, len(c.Targets))
		n := 0
		for i, u := range c.Targets {
			t, ok := c.Env.Travel(u.Code, d.Meeting.PlaceUnit)
			if ok {
				c.minutes[i] = c.base.PerUnit + people*t
				travel += people * t
				n++
			} else {
				c.minutes[i] = c.base.PerUnit
			}
		}
		if n > 0 {
			c.item("travel", travel/n) // the typical target's share
		}
	}
	c.base.Max = c.base.PerUnit
	if c.minutes != nil {
		c.base.Total = 0
		c.base.Max = 0
		for _, m := range c.minutes {
			c.base.Total += int64(m)
			c.base.Max = max(c.base.Max, m)
		}
	} else {
		c.base.Total = int64(c.base.PerUnit) * int64(len(c.Targets))
	}
	if c.base.Breakdown == nil {
		c.base.Breakdown = []BurdenItem{}
	}
}

// minutesFor is the estimate for the i-th target.
func (c *Check) minutesFor(i int) int {
	if c.minutes != nil {
		return c.minutes[i]
	}
	return c.base.PerUnit
}

// MinutesPerTarget returns the estimate per target, parallel to the
// resolved targets, for recording in the ledger.
func (c *Check) MinutesPerTarget() []int {
	out := make([]int, len(c.Targets))
	for i := range out {
		out[i] = c.minutesFor(i)
	}
	return out
}

// budgetStatus lists the five targets most loaded by this demand.
func budgetStatus(c *Check) []BudgetStatus {
	if len(c.Targets) == 0 {
		return nil
	}
	used := c.Env.BudgetUsed(monthOf(c.D.When()))
	pt := c.Env.Policies()
	top := make([]BudgetStatus, 0, 6)
	lastParent := "\x00"
	var get func(string) int
	for i, u := range c.Targets {
		if u.Parent != lastParent || pt.HasOwn(u.Code) {
			lastParent = u.Parent
			get = pt.At(u.Code).Get
		}
		b := budgetOf(u.Level, get)
		s := BudgetStatus{Unit: u.Code, Name: u.Name, Used: used.Used(u.Code), Demand: c.minutesFor(i), Budget: b}
		if b > 0 {
			s.Percent = (s.Used + s.Demand) * 100 / b
		}
		if len(top) < 5 || s.Percent > top[len(top)-1].Percent {
			top = append(top, s)
			sort.SliceStable(top, func(i, j int) bool { return top[i].Percent > top[j].Percent })
			if len(top) > 5 {
				top = top[:5]
			}
		}
	}
	return top
}
