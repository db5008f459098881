package visits

import (
	"errors"
	"fmt"
	"testing"

	"lighten/internal/calendar"

	"pgregory.net/rapid"
)

// From draws to a timetable: several offices draw targets and teams from
// one county's pool and register with recusals; the scheduler merges them.
// Counted here from the timetable alone, independently of the checker: no
// visit's team holds an inspector recused from its unit, every team has at
// least two, and no unit exceeds its weekly or yearly cap.
func TestDrawnTeamsScheduleWithinRules(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		units := treePool(rapid.IntRange(2, 40).Draw(rt, "pool"))
		reg := genRegister(rt, rapid.IntRange(4, 10).Draw(rt, "inspectors"), units)
		byID := map[string]DrawInspector{}
		for _, in := range reg {
			byID[in.ID] = in
		}
		days := weekdays(monday, rapid.IntRange(1, 10).Draw(rt, "days"))
		w := &Window{Days: days, Units: map[string]UnitRecord{}, Places: map[string]Point{"430922": {28.53, 112.13}},
			WeekCap: rapid.IntRange(1, 2).Draw(rt, "week cap"), YearCap: rapid.IntRange(1, 4).Draw(rt, "year cap")}
		for _, in := range reg {
			w.Inspectors = append(w.Inspectors, Inspector{ID: in.ID, Home: "430922", Capacity: rapid.IntRange(1, 3).Draw(rt, "capacity"), MaxTravel: 480})
		}
		for _, u := range units {
			if rapid.IntRange(0, 3).Draw(rt, "history?") == 0 {
				w.Units[u] = UnitRecord{YearVisits: rapid.IntRange(0, 3).Draw(rt, "year"),
					WeekVisits: map[calendar.Date]int{WeekOf(days[0]): rapid.IntRange(0, 1).Draw(rt, "week")}}
			}
		}
		for k := range rapid.IntRange(1, 4).Draw(rt, "items") {
			secret := []byte(fmt.Sprintf("office %d secret %d", k, rapid.Int().Draw(rt, "secret")))
			d := teamDraw(units, rapid.Float64Range(0.05, 0.5).Draw(rt, "rate"), reg, rapid.IntRange(2, 3).Draw(rt, "team"), secret, "round 7")
			d.Plan = fmt.Sprintf("P%d", k)
			d.Prepare(secret)
			sel, teams, err := d.RunTeams(secret)
			var ve *ValidationError
			if errors.As(err, &ve) && ve.Key == "visits.error.team_short" {
				continue // too few eligible somewhere: that draw refuses, tested elsewhere
			}
			if err != nil {
				rt.Fatal(err)
			}
			it := PlanItem{ID: d.Plan, Office: string(rune('A' + k)), Checklist: []string{"c"}}
			for i, u := range sel {
				it.Targets = append(it.Targets, Target{Unit: u, Inspectors: teams[i]})
			}
			w.Items = append(w.Items, it)
		}
		if len(w.Items) == 0 {
			return
		}
		tt, err := Schedule(w, Options{Anneal: 20_000})
		if err != nil {
			rt.Fatal(err)
		}
		week, year := map[string]map[calendar.Date]int{}, map[string]int{}
		for _, v := range tt.Visits {
			if len(v.Team) < 2 {
				rt.Fatalf("team of %d at %s", len(v.Team), v.Unit)
			}
			for _, m := range v.Team {
				if byID[m].Recused(v.Unit) {
					rt.Fatalf("inspector %s (recusals %v) in the team at %s", m, byID[m].Recuse, v.Unit)
				}
			}
			if week[v.Unit] == nil {
				week[v.Unit] = map[calendar.Date]int{}
			}
			week[v.Unit][WeekOf(v.Day)]++
			year[v.Unit]++
		}
		for u, n := range year {
			r := w.Units[u]
			if r.YearVisits+n > w.YearCap {
				rt.Fatalf("unit %s: %d inspections this year, cap %d", u, r.YearVisits+n, w.YearCap)
			}
			for wk, k := range week[u] {
				if r.WeekVisits[wk]+k > w.WeekCap {
					rt.Fatalf("unit %s: %d visits in the week of %s, cap %d", u, r.WeekVisits[wk]+k, wk, w.WeekCap)
				}
			}
		}
	})
}
