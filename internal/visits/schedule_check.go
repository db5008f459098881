package visits

import (
	"fmt"
	"math"
	"sort"

	"lighten/internal/calendar"
	"lighten/internal/units"
)

// Violation is a hard constraint that a timetable breaks.
type Violation struct {
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

func (v Violation) String() string { return v.Rule + ": " + v.Message }

// Check verifies a timetable against the window from first principles,
// sharing nothing with the scheduler but the travel formula: every visit on
// a working day of the window, at a drawn unit, with every plan item that
// drew the unit (several visits only where their windows share no working
// day of the window, each within its items' windows), a team of at least
// two inspectors drawn for it, each
// checklist carried by an inspector its office drew; the units' weekly and
// yearly caps; the inspectors' days off, visits a day and travel a day (the
// routes cover exactly each inspector's visits that day, and their minutes
// are recomputed); every drawn visit either scheduled once or reported with
// a reason. It returns nothing when all hold.
func Check(w *Window, tt *Timetable) []Violation {
	var out []Violation
	bad := func(rule, f string, args ...any) {
		out = append(out, Violation{rule, fmt.Sprintf(f, args...)})
	}
	if tt == nil {
		return []Violation{{"timetable", "no timetable"}}
	}
	inDay := map[calendar.Date]bool{}
	for _, d := range w.Days {
		inDay[d] = true
	}
	insp := map[string]*Inspector{}
	for k := range w.Inspectors {
		insp[w.Inspectors[k].ID] = &w.Inspectors[k]
	}
	weekCap, yearCap := w.WeekCap, w.YearCap
	if weekCap <= 0 {
		weekCap = DefaultWeekCap
	}
	if yearCap <= 0 {
		yearCap = DefaultYearCap
	}
	caps := func(unit string) (int, int) {
		wc, yc := weekCap, yearCap
		r := w.Units[unit]
		if r.WeekCap > 0 && r.WeekCap < wc {
			wc = r.WeekCap
		}
		if r.YearCap > 0 && r.YearCap < yc {
			yc = r.YearCap
		}
		return wc, yc
	}
	place := func(code string) (rpoint, bool) {
		for c := code; c != ""; c = units.ParentCode(c) {
			if p, ok := w.Places[c]; ok {
				return radians(p), true
			}
		}
		return rpoint{}, false
	}

	// What the draw asked for: per unit, the items that drew it and whom
	// each drew there.
	type ask struct {
		item   *PlanItem
		drawn  map[string]bool
		served int
	}
	asks := map[string]map[string]*ask{} // unit -> item id -> ask
	for k := range w.Items {
		it := &w.Items[k]
		for _, t := range it.Targets {
			ids := t.Inspectors
			if len(ids) == 0 {
				ids = it.Inspectors
			}
			a := &ask{item: it, drawn: map[string]bool{}}
			for _, id := range ids {
				a.drawn[id] = true
			}
			if asks[t.Unit] == nil {
				asks[t.Unit] = map[string]*ask{}
			}
			asks[t.Unit][it.ID] = a
		}
	}

	// A unit's items go in one visit unless their windows share no working
	// day of the window: then it may have several, each within the
	// windows of the items it serves.
	mergeable := func(unit string) bool {
		lo, hi := calendar.Date{}, calendar.Date{}
		for _, x := range asks[unit] {
			if f := x.item.From; !f.IsZero() && (lo.IsZero() || f.After(lo)) {
				lo = f
			}
			if t := x.item.To; !t.IsZero() && (hi.IsZero() || t.Before(hi)) {
				hi = t
			}
		}
		for _, d := range w.Days {
			if (lo.IsZero() || !d.Before(lo)) && (hi.IsZero() || !d.After(hi)) {
				return true
			}
		}
		return false
	}

	type slot struct {
		insp string
		day  calendar.Date
	}
	dayVisits := map[slot][]string{}
	unitWeek := map[string]map[calendar.Date]int{}
	unitCount := map[string]int{}
	for _, v := range tt.Visits {
		where := fmt.Sprintf("visit to %s on %s", v.Unit, v.Day)
		if !inDay[v.Day] {
			bad("visit.window", "%s: not a working day of the window", where)
		}
		a := asks[v.Unit]
		if a == nil {
			bad("visit.random", "%s: no plan item drew this unit", where)
			continue
		}
		unitCount[v.Unit]++
		if unitWeek[v.Unit] == nil {
			unitWeek[v.Unit] = map[calendar.Date]int{}
		}
		unitWeek[v.Unit][WeekOf(v.Day)]++
		team := map[string]bool{}
		for _, id := range v.Team {
			if team[id] {
				bad("visit.random", "%s: inspector %s twice in the team", where, id)
			}
			team[id] = true
			drawn := false
			for _, x := range a {
				drawn = drawn || x.drawn[id]
			}
			if !drawn {
				bad("visit.random", "%s: inspector %s was not drawn for this unit", where, id)
			}
			in := insp[id]
			if in == nil {
				bad("visit.random", "%s: inspector %s is unknown", where, id)
				continue
			}
			for _, d := range in.Away {
				if d == v.Day {
					bad("inspector.away", "%s: inspector %s is away", where, id)
				}
			}
			dayVisits[slot{id, v.Day}] = append(dayVisits[slot{id, v.Day}], v.Unit)
		}
		if len(team) < 2 {
			bad("visit.random", "%s: a team of %d; at least 2 required", where, len(team))
		}
		for _, iv := range v.Items {
			x := a[iv.Item]
			if x == nil {
				bad("visit.merge", "%s: plan item %s did not draw this unit", where, iv.Item)
				continue
			}
			x.served++
			if f, t := x.item.From, x.item.To; !f.IsZero() && v.Day.Before(f) || !t.IsZero() && v.Day.After(t) {
				bad("visit.window", "%s: outside plan item %s's window %s to %s", where, iv.Item, f, t)
			}
			if fmt.Sprint(iv.Checklist) != fmt.Sprint(x.item.Checklist) || iv.Office != x.item.Office {
				bad("visit.checklist", "%s: plan item %s's office or checklist differs from the plan", where, iv.Item)
			}
			if len(iv.CarriedBy) == 0 {
				bad("visit.checklist", "%s: nobody carries plan item %s's checklist", where, iv.Item)
			}
			for _, id := range iv.CarriedBy {
				qualified := false
				for _, y := range a {
					qualified = qualified || (y.item.Office == x.item.Office && y.drawn[id])
				}
				if !team[id] || !qualified {
					bad("visit.checklist", "%s: %s carries plan item %s's checklist without being in the team and drawn by office %s", where, id, iv.Item, x.item.Office)
				}
			}
		}
		if len(v.Items) != len(a) && mergeable(v.Unit) {
			bad("visit.merge", "%s: serves %d of the %d plan items that drew the unit", where, len(v.Items), len(a))
		}
	}
	for unit, n := range unitCount {
		wc, yc := caps(unit)
		if n > 1 && mergeable(unit) {
			bad("visit.merge", "unit %s visited %d times in the window: its visits were not merged", unit, n)
		}
		r := w.Units[unit]
		if r.YearVisits+n > yc {
			bad("visit.unit.year", "unit %s: %d inspection(s) this year with the window's, cap %d", unit, r.YearVisits+n, yc)
		}
		for wk, k := range unitWeek[unit] {
			if r.WeekVisits[wk]+k > wc {
				bad("visit.unit.week", "unit %s: %d visit(s) in week %s, cap %d", unit, r.WeekVisits[wk]+k, weekName(wk), wc)
			}
		}
	}
	for s, us := range dayVisits {
		if in := insp[s.insp]; in != nil && len(us) > in.Capacity {
			bad("inspector.capacity", "inspector %s: %d visits on %s, capacity %d", s.insp, len(us), s.day, in.Capacity)
		}
	}

	// Routes: one per inspector-day with visits, covering exactly them.
	seen := map[slot]bool{}
	for _, r := range tt.Routes {
		s := slot{r.Inspector, r.Day}
		where := fmt.Sprintf("route of %s on %s", r.Inspector, r.Day)
		if seen[s] {
			bad("inspector.travel", "%s: listed twice", where)
		}
		seen[s] = true
		got := append([]string(nil), r.Units...)
		want := append([]string(nil), dayVisits[s]...)
		sort.Strings(got)
		sort.Strings(want)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			bad("inspector.travel", "%s: goes to %v but the inspector's visits that day are %v", where, got, want)
		}
		in := insp[r.Inspector]
		if in == nil {
			continue
		}
		home, ok := place(in.Home)
		if !ok {
			continue // no known home: the day cannot be measured
		}
		minutes, at := 0.0, home
		for _, u := range r.Units {
			if p, ok := place(u); ok {
				minutes += legMinutes(at, p)
				at = p
			}
		}
		minutes += legMinutes(at, home)
		if math.Abs(minutes-r.Minutes) > 1e-6 {
			bad("inspector.travel", "%s: states %.3f minutes, the route takes %.3f", where, r.Minutes, minutes)
		}
		if minutes > float64(in.MaxTravel)+eps {
			bad("inspector.travel", "%s: %.1f minutes of travel, limit %d", where, minutes, in.MaxTravel)
		}
	}
	for s := range dayVisits {
		if !seen[s] {
			bad("inspector.travel", "inspector %s has visits on %s but no route", s.insp, s.day)
		}
	}

	// Every drawn visit is scheduled or explained, never dropped.
	for _, u := range tt.Unscheduled {
		a := asks[u.Unit]
		if len(u.Reasons) == 0 {
			bad("coverage", "unit %s is unscheduled without a reason", u.Unit)
		}
		if unitCount[u.Unit] > 0 && mergeable(u.Unit) {
			bad("coverage", "unit %s is both visited and unscheduled", u.Unit)
		}
		for _, id := range u.Items {
			if x := a[id]; x != nil {
				x.served++
			} else {
				bad("coverage", "unit %s: unscheduled plan item %s did not draw it", u.Unit, id)
			}
		}
	}
	for unit, a := range asks {
		for id, x := range a {
			if x.served != 1 {
				bad("coverage", "plan item %s at unit %s is accounted for %d times; once expected", id, unit, x.served)
			}
		}
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Rule != out[b].Rule {
			return out[a].Rule < out[b].Rule
		}
		return out[a].Message < out[b].Message
	})
	return out
}
