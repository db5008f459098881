package visits

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"lighten/internal/calendar"
)

// weekdays returns n working days from from, skipping weekends.
func weekdays(from calendar.Date, n int) []calendar.Date {
	var out []calendar.Date
	for d := from; len(out) < n; d = d.AddDays(1) {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			out = append(out, d)
		}
	}
	return out
}

var monday = calendar.NewDate(2026, time.November, 16)

// A county seat with villages a few kilometres apart.
func places() map[string]Point {
	return map[string]Point{
		"430922":       {28.53, 112.13},
		"430922101001": {28.55, 112.15},
		"430922101002": {28.50, 112.10},
		"430922101003": {28.58, 112.20},
		"430922101004": {28.45, 112.05},
		"430922101005": {28.60, 112.00},
	}
}

func inspectors(n, capacity, travel int) []Inspector {
	out := make([]Inspector, n)
	for i := range out {
		out[i] = Inspector{ID: fmt.Sprintf("I%02d", i+1), Home: "430922", Capacity: capacity, MaxTravel: travel}
	}
	return out
}

func mustSchedule(t testing.TB, w *Window) *Timetable {
	t.Helper()
	tt, err := Schedule(w, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v := Check(w, tt); len(v) > 0 {
		t.Fatalf("broken constraints: %v", v)
	}
	return tt
}

func TestJointVisitCarriesEveryChecklist(t *testing.T) {
	w := &Window{
		Days:       weekdays(monday, 5),
		Inspectors: inspectors(6, 2, 240),
		Places:     places(),
		Items: []PlanItem{
			{ID: "A-1", Office: "市场监管局", Checklist: []string{"食品安全"}, Inspectors: []string{"I01", "I02"},
				Targets: []Target{{Unit: "430922101001"}, {Unit: "430922101002"}}},
			{ID: "B-1", Office: "应急管理局", Checklist: []string{"消防", "燃气"},
				Targets: []Target{{Unit: "430922101001", Inspectors: []string{"I03", "I04"}}}},
			{ID: "C-1", Office: "市场监管局", Checklist: []string{"价格"}, Inspectors: []string{"I05", "I06"},
				Targets: []Target{{Unit: "430922101001"}}},
		},
	}
	tt := mustSchedule(t, w)
	if len(tt.Visits) != 2 || len(tt.Unscheduled) != 0 {
		t.Fatalf("want 2 visits, all scheduled: %+v", tt)
	}
	var joint Visit
	for _, v := range tt.Visits {
		if v.Unit == "430922101001" {
			joint = v
		}
	}
	// The lead item A-1 brings its team; the emergency bureau brings its
	// first drawn inspector; C-1 is the market bureau's, already carried.
	if got := strings.Join(joint.Team, ","); got != "I01,I02,I03" {
		t.Fatalf("team %s, want I01,I02,I03", got)
	}
	if len(joint.Items) != 3 {
		t.Fatalf("joint visit serves %d items, want 3", len(joint.Items))
	}
	for _, it := range joint.Items {
		want := map[string]string{"A-1": "I01,I02", "B-1": "I03", "C-1": "I01,I02"}[it.Item]
		if got := strings.Join(it.CarriedBy, ","); got != want {
			t.Errorf("%s carried by %s, want %s", it.Item, got, want)
		}
	}
	st := tt.Stats
	if st.PlanVisits != 4 || st.MergedPlanVisits != 3 || st.JointVisits != 1 || st.JointRate != 0.75 {
		t.Fatalf("stats %+v", st)
	}
	// Both visits share I01 and I02 with capacity 2: one day for them.
	if tt.Visits[0].Day != tt.Visits[1].Day || st.InspectorDays != 3 || st.InspectorDays != st.LowerBound {
		t.Fatalf("want both visits on one day, 3 inspector-days: %+v", tt.Visits)
	}
}

func TestCapsAreReported(t *testing.T) {
	days := weekdays(monday, 10) // weeks of 16 and 23 November
	w := &Window{
		Days:       days,
		Inspectors: inspectors(2, 3, 300),
		Places:     places(),
		Units: map[string]UnitRecord{
			"430922101001": {YearVisits: 4},
			"430922101002": {YearVisits: 1, WeekVisits: map[calendar.Date]int{monday: 1, monday.AddDays(7): 1}},
			"430922101003": {YearVisits: 1, WeekVisits: map[calendar.Date]int{monday: 1}},
			"430922101004": {YearCap: 2, YearVisits: 2},
		},
		Items: []PlanItem{{ID: "P", Office: "住建局", Inspectors: []string{"I01", "I02"}, Targets: []Target{
			{Unit: "430922101001"}, {Unit: "430922101002"}, {Unit: "430922101003"}, {Unit: "430922101004"}}}},
	}
	tt := mustSchedule(t, w)
	if len(tt.Visits) != 1 || tt.Visits[0].Unit != "430922101003" || WeekOf(tt.Visits[0].Day) != monday.AddDays(7) {
		t.Fatalf("only 430922101003 can be visited, in its second week: %+v", tt.Visits)
	}
	rules := map[string][]string{}
	for _, u := range tt.Unscheduled {
		for _, r := range u.Reasons {
			rules[u.Unit] = append(rules[u.Unit], r.Rule)
			if r.Message.EN == "" || r.Message.ZH == "" {
				t.Errorf("reason without message: %+v", r)
			}
		}
	}
	want := map[string][]string{
		"430922101001": {RuleYear},
		"430922101002": {RuleWeek, RuleWeek},
		"430922101004": {RuleYear},
	}
	if fmt.Sprint(rules) != fmt.Sprint(want) {
		t.Fatalf("reasons %v, want %v", rules, want)
	}
	if msg := tt.Unscheduled[0].Reasons[0].Message.EN; msg != "unit 430922101001 already had 4 inspection(s) this year (cap 4)" {
		t.Errorf("message %q", msg)
	}
	if msg := tt.Unscheduled[1].Reasons[0].Message.EN; !strings.Contains(msg, "week 2026-W47") {
		t.Errorf("message %q names no week", msg)
	}
}

func TestCapacityAndAwayAreReported(t *testing.T) {
	ins := inspectors(2, 1, 300)
	ins[1].Away = []calendar.Date{monday.AddDays(1)}
	w := &Window{
		Days:       weekdays(monday, 2),
		Inspectors: ins,
		Places:     places(),
		Items: []PlanItem{{ID: "P", Office: "环保局", Inspectors: []string{"I01", "I02"}, Targets: []Target{
			{Unit: "430922101001"}, {Unit: "430922101002"}}}},
	}
	tt := mustSchedule(t, w)
	if len(tt.Visits) != 1 || len(tt.Unscheduled) != 1 {
		t.Fatalf("one visit fits: %+v", tt)
	}
	got := map[string]bool{}
	for _, r := range tt.Unscheduled[0].Reasons {
		got[r.Rule+" "+r.Inspector] = true
	}
	if !got[RuleCapacity+" I01"] || !got[RuleAway+" I02"] {
		t.Fatalf("reasons %+v", tt.Unscheduled[0].Reasons)
	}
}

func TestTravelIsALimit(t *testing.T) {
	pl := places()
	pl["430922101009"] = Point{29.60, 113.20} // some 150 km away
	w := &Window{
		Days:       weekdays(monday, 3),
		Inspectors: inspectors(2, 3, 150),
		Places:     pl,
		Items: []PlanItem{{ID: "P", Office: "农业农村局", Inspectors: []string{"I01", "I02"}, Targets: []Target{
			{Unit: "430922101001"}, {Unit: "430922101005"}, {Unit: "430922101009"}}}},
	}
	tt := mustSchedule(t, w)
	if len(tt.Unscheduled) != 1 || tt.Unscheduled[0].Unit != "430922101009" || tt.Unscheduled[0].Reasons[0].Rule != RuleTravel {
		t.Fatalf("the far unit is out of reach: %+v", tt.Unscheduled)
	}
	for _, r := range tt.Routes {
		if r.Minutes > 150 {
			t.Fatalf("route over the limit: %+v", r)
		}
	}
	// A tight limit splits two villages that fit alone across days.
	a, b := pl["430922101004"], pl["430922101005"]
	seat := pl["430922"]
	alone := 2 * max(TravelMinutes(seat, a), TravelMinutes(seat, b))
	both := TravelMinutes(seat, a) + TravelMinutes(a, b) + TravelMinutes(b, seat)
	w2 := &Window{
		Days:       weekdays(monday, 3),
		Inspectors: inspectors(2, 3, int(alone)+1),
		Places:     pl,
		Items: []PlanItem{{ID: "P", Office: "农业农村局", Inspectors: []string{"I01", "I02"}, Targets: []Target{
			{Unit: "430922101004"}, {Unit: "430922101005"}}}},
	}
	if both <= alone+1 {
		t.Fatal("test villages too close together")
	}
	tt = mustSchedule(t, w2)
	if len(tt.Visits) != 2 || tt.Visits[0].Day == tt.Visits[1].Day || tt.Stats.InspectorDays != 4 {
		t.Fatalf("want two days: %+v", tt.Visits)
	}
	if tt.Stats.LowerBound != 4 || tt.Stats.Proved != 1 {
		t.Fatalf("the bound should see that travel allows one visit a day: %+v", tt.Stats)
	}
}

func TestUnknownPlacesFallBackToTheCountySeat(t *testing.T) {
	w := &Window{
		Days:       weekdays(monday, 2),
		Inspectors: inspectors(2, 2, 100),
		Places:     map[string]Point{"430922": {28.53, 112.13}},
		Items: []PlanItem{{ID: "P", Office: "卫健局", Inspectors: []string{"I01", "I02"}, Targets: []Target{
			{Unit: "430922101001"}, {Unit: "430922101002"}}}},
	}
	tt := mustSchedule(t, w)
	if tt.Stats.InspectorDays != 2 || tt.Routes[0].Minutes != 0 || tt.Stats.NoPlace != 0 {
		t.Fatalf("both villages at the county seat, one day: %+v", tt)
	}
}

func TestTeamOfOneIsRefused(t *testing.T) {
	w := &Window{
		Days:       weekdays(monday, 2),
		Inspectors: inspectors(2, 2, 100),
		Items: []PlanItem{{ID: "P", Office: "卫健局", Inspectors: []string{"I01"}, Targets: []Target{
			{Unit: "430922101001"}}}},
	}
	tt := mustSchedule(t, w)
	if len(tt.Unscheduled) != 1 || tt.Unscheduled[0].Reasons[0].Rule != RuleRandom {
		t.Fatalf("a team of one: %+v", tt)
	}
}

func TestPacksInspectorDays(t *testing.T) {
	// Eight visits by the same two inspectors, two a day: four days each.
	var targets []Target
	for k := 1; k <= 8; k++ {
		targets = append(targets, Target{Unit: fmt.Sprintf("430922101%03d", k)})
	}
	w := &Window{
		Days:       weekdays(monday, 10),
		Inspectors: inspectors(2, 2, 480),
		Places:     map[string]Point{"430922": {28.53, 112.13}},
		Items:      []PlanItem{{ID: "P", Office: "水利局", Inspectors: []string{"I01", "I02"}, Targets: targets}},
	}
	tt := mustSchedule(t, w)
	if tt.Stats.InspectorDays != 8 || tt.Stats.Proved != 1 {
		t.Fatalf("stats %+v", tt.Stats)
	}
}

func TestWindowErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		w    Window
		want string
	}{
		{"days out of order", Window{Days: []calendar.Date{monday.AddDays(1), monday}}, "ascend"},
		{"two years", Window{Days: []calendar.Date{calendar.NewDate(2026, 12, 31), calendar.NewDate(2027, 1, 4)}}, "two years"},
		{"capacity", Window{Inspectors: []Inspector{{ID: "I", Capacity: 0, MaxTravel: 10}}}, "capacity"},
		{"unknown inspector", Window{Inspectors: inspectors(1, 1, 1), Items: []PlanItem{{ID: "P", Office: "O",
			Inspectors: []string{"I01", "X"}, Targets: []Target{{Unit: "430922101001"}}}}}, "inspector X"},
		{"target twice", Window{Items: []PlanItem{{ID: "P", Office: "O", Targets: []Target{{Unit: "1"}, {Unit: "1"}}}}}, "twice"},
	} {
		if _, err := Schedule(&c.w, Options{}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}

func TestCheckFindsBrokenConstraints(t *testing.T) {
	w := &Window{
		Days:       weekdays(monday, 10),
		Inspectors: inspectors(3, 1, 200),
		Places:     places(),
		Units:      map[string]UnitRecord{"430922101002": {WeekVisits: map[calendar.Date]int{monday: 1}}},
		Items: []PlanItem{{ID: "P", Office: "O", Inspectors: []string{"I01", "I02"}, Targets: []Target{
			{Unit: "430922101001"}, {Unit: "430922101002"}}}},
	}
	tt := mustSchedule(t, w)
	clone := func() *Timetable {
		var c Timetable
		b, _ := json.Marshal(tt)
		json.Unmarshal(b, &c)
		return &c
	}
	for _, c := range []struct {
		rule   string
		tamper func(*Timetable)
	}{
		{"visit.window", func(c *Timetable) { c.Visits[0].Day = monday.AddDays(5) }},
		{"inspector.capacity", func(c *Timetable) { c.Visits[1].Day = c.Visits[0].Day }},
		{"visit.unit.week", func(c *Timetable) {
			for k := range c.Visits {
				if c.Visits[k].Unit == "430922101002" {
					c.Visits[k].Day = monday
				}
			}
		}},
		{"visit.random", func(c *Timetable) { c.Visits[0].Team = c.Visits[0].Team[:1] }},
		{"visit.random", func(c *Timetable) { c.Visits[0].Team[1] = "I03" }},
		{"visit.checklist", func(c *Timetable) { c.Visits[0].Items[0].CarriedBy = nil }},
		{"coverage", func(c *Timetable) { c.Visits = c.Visits[1:] }},
		{"inspector.travel", func(c *Timetable) { c.Routes[0].Minutes += 5 }},
		{"inspector.travel", func(c *Timetable) { c.Routes = c.Routes[1:] }},
	} {
		c2 := clone()
		c.tamper(c2)
		found := false
		for _, v := range Check(w, c2) {
			found = found || v.Rule == c.rule
		}
		if !found {
			t.Errorf("tampering for %s not caught: %v", c.rule, Check(w, c2))
		}
	}
}

// genWindow makes a small random window: two counties, a few offices, some
// places unknown, some units with history, some inspectors away.
func genWindow(t *rapid.T) *Window {
	nd := rapid.IntRange(1, 10).Draw(t, "days")
	w := &Window{Days: weekdays(monday, nd), Places: map[string]Point{"430922": {28.53, 112.13}}}
	if rapid.Bool().Draw(t, "second seat") {
		w.Places["430923"] = Point{28.9, 112.5}
	}
	nu := rapid.IntRange(1, 12).Draw(t, "units")
	w.Units = map[string]UnitRecord{}
	var codes []string
	for k := 0; k < nu; k++ {
		code := fmt.Sprintf("43092%d101%03d", 2+k%2, k+1)
		codes = append(codes, code)
		if rapid.IntRange(0, 3).Draw(t, "placed") > 0 {
			w.Places[code] = Point{28.3 + rapid.Float64Range(0, 0.8).Draw(t, "lat"), 111.9 + rapid.Float64Range(0, 0.8).Draw(t, "lon")}
		}
		if rapid.IntRange(0, 2).Draw(t, "history") == 0 {
			r := UnitRecord{YearVisits: rapid.IntRange(0, 4).Draw(t, "year"), WeekVisits: map[calendar.Date]int{}}
			r.WeekVisits[WeekOf(w.Days[rapid.IntRange(0, nd-1).Draw(t, "week")])] = 1
			w.Units[code] = r
		}
	}
	ni := rapid.IntRange(2, 8).Draw(t, "inspectors")
	var ids []string
	for i := 0; i < ni; i++ {
		in := Inspector{ID: fmt.Sprintf("I%d", i), Home: []string{"430922", "430923", "430924"}[rapid.IntRange(0, 2).Draw(t, "home")],
			Capacity: rapid.IntRange(1, 3).Draw(t, "capacity"), MaxTravel: rapid.IntRange(30, 400).Draw(t, "travel")}
		if rapid.IntRange(0, 3).Draw(t, "away?") == 0 {
			in.Away = []calendar.Date{w.Days[rapid.IntRange(0, nd-1).Draw(t, "away")]}
		}
		w.Inspectors = append(w.Inspectors, in)
		ids = append(ids, in.ID)
	}
	team := func(label string) []string {
		n := rapid.IntRange(1, 3).Draw(t, label+" size")
		return rapid.SliceOfNDistinct(rapid.SampledFrom(ids), n, n, rapid.ID[string]).Draw(t, label)
	}
	nitems := rapid.IntRange(1, 6).Draw(t, "items")
	for k := 0; k < nitems; k++ {
		it := PlanItem{ID: fmt.Sprintf("P%d", k), Office: []string{"A", "B", "C"}[rapid.IntRange(0, 2).Draw(t, "office")],
			Checklist: []string{fmt.Sprintf("check %d", k)}}
		if rapid.IntRange(0, 2).Draw(t, "own window?") == 0 {
			a := rapid.IntRange(0, nd-1).Draw(t, "from")
			it.From, it.To = w.Days[a], w.Days[rapid.IntRange(a, nd-1).Draw(t, "to")]
		}
		perTarget := rapid.Bool().Draw(t, "per target")
		if !perTarget {
			it.Inspectors = team("item team")
		}
		for _, c := range rapid.SliceOfNDistinct(rapid.SampledFrom(codes), 1, 6, rapid.ID[string]).Draw(t, "targets") {
			tg := Target{Unit: c}
			if perTarget {
				tg.Inspectors = team("target team")
			}
			it.Targets = append(it.Targets, tg)
		}
		w.Items = append(w.Items, it)
	}
	return w
}

func TestScheduleProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := genWindow(t)
		tt, err := Schedule(w, Options{})
		if err != nil {
			t.Fatal(err)
		}
		// No broken hard constraint, nothing dropped (the checker counts
		// every drawn visit once, scheduled or with a reason).
		if v := Check(w, tt); len(v) > 0 {
			t.Fatalf("broken: %v", v)
		}
		st := tt.Stats
		targets := 0
		for _, it := range w.Items {
			targets += len(it.Targets)
		}
		if st.PlanVisits != targets || st.Visits != len(tt.Visits) || st.Unscheduled != len(tt.Unscheduled) {
			t.Fatalf("stats %+v for %d targets", st, targets)
		}
		if st.InspectorDays < st.LowerBound {
			t.Fatalf("%d inspector-days beat the lower bound %d", st.InspectorDays, st.LowerBound)
		}
		for _, v := range tt.Visits {
			if len(v.Team) < 2 {
				t.Fatalf("team of %d", len(v.Team))
			}
		}
		for _, u := range tt.Unscheduled {
			for _, r := range u.Reasons {
				if r.Message.EN == "" || r.Message.ZH == "" || r.Rule == "" {
					t.Fatalf("reason without rule or message: %+v", r)
				}
			}
		}
		// The same window gives the same timetable, whatever the workers
		// or the order of the plan items.
		again, err := Schedule(w, Options{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		shuffled := *w
		shuffled.Items = slices.Clone(w.Items)
		slices.Reverse(shuffled.Items)
		third, err := Schedule(&shuffled, Options{Workers: 3})
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(tt)
		b, _ := json.Marshal(again)
		c, _ := json.Marshal(third)
		if !bytes.Equal(a, b) || !bytes.Equal(a, c) {
			t.Fatalf("the same window gave different timetables:\n%s\n%s\n%s", a, b, c)
		}
	})
}

// On tiny windows every assignment of days can be tried: a piece reported
// as proved must match the best of them.
func TestProvedMeansOptimal(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := genWindow(t)
		p, err := prepare(w)
		if err != nil {
			t.Fatal(err)
		}
		for _, pc := range p.split() {
			nv := len(pc.visits)
			combos := 1
			for k := 0; k < nv; k++ {
				combos *= pc.nd + 1
			}
			if combos > 20000 {
				continue
			}
			r := solve(pc, Options{}.withDefaults())
			s := newState(pc)
			bestOut, bestCost := nv+1, 0
			var rec func(v int)
			rec = func(v int) {
				if v == nv {
					if better(s.out, s.cost, bestOut, bestCost) {
						bestOut, bestCost = s.out, s.cost
					}
					return
				}
				rec(v + 1)
				for d := 0; d < pc.nd; d++ {
					if s.fits(int32(v), d) {
						s.place(int32(v), d)
						rec(v + 1)
						s.remove(int32(v))
					}
				}
			}
			rec(0)
			got := newState(pc)
			for v, d := range r.day {
				if d >= 0 {
					got.place(int32(v), int(d))
				}
			}
			if r.proved && (got.out != bestOut || got.cost != bestCost) {
				t.Fatalf("proved (%d out, %d days) but the best is (%d, %d)", got.out, got.cost, bestOut, bestCost)
			}
			if better(got.out, got.cost, bestOut, bestCost) {
				t.Fatalf("(%d, %d) beats exhaustive (%d, %d)", got.out, got.cost, bestOut, bestCost)
			}
		}
	})
}

// When the exact solver is installed, its optimum of the LP model agrees
// with every piece the scheduler proved, and never beats the lower bound.
func TestLPModelAgreesWithCBC(t *testing.T) {
	cbc, err := exec.LookPath("cbc")
	if err != nil {
		t.Skip("cbc not installed")
	}
	dir := t.TempDir()
	rapid.Check(t, func(t *rapid.T) {
		w := genWindow(t)
		tt, err := Schedule(w, Options{})
		if err != nil {
			t.Fatal(err)
		}
		lp := filepath.Join(dir, "model.lp")
		sol := filepath.Join(dir, "out.sol")
		f, err := os.Create(lp)
		if err != nil {
			t.Fatal(err)
		}
		m, err := WriteLP(f, w)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		os.Remove(sol)
		if out, err := exec.Command(cbc, lp, "solve", "solu", sol).CombinedOutput(); err != nil {
			t.Fatalf("cbc: %v\n%s", err, out)
		}
		obj, err := readCBCObjective(sol)
		if err != nil {
			t.Fatal(err)
		}
		out, days := m.Split(obj)
		if better(tt.Stats.Unscheduled, tt.Stats.InspectorDays, out, days) {
			t.Fatalf("scheduler (%d out, %d days) beats the exact optimum (%d, %d)", tt.Stats.Unscheduled, tt.Stats.InspectorDays, out, days)
		}
		if tt.Stats.Proved == tt.Stats.Pieces && (out != tt.Stats.Unscheduled || days != tt.Stats.InspectorDays) {
			wj, _ := json.Marshal(w)
			lpb, _ := os.ReadFile(lp)
			t.Fatalf("every piece proved (%d out, %d days) but the optimum is (%d, %d)\nwindow: %s\nmodel:\n%s", tt.Stats.Unscheduled, tt.Stats.InspectorDays, out, days, wj, lpb)
		}
	})
}

// readCBCObjective reads the objective of an optimal solution file.
func readCBCObjective(path string) (float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	first, _, _ := strings.Cut(string(b), "\n")
	if !strings.HasPrefix(first, "Optimal") {
		return 0, fmt.Errorf("cbc: %s", first)
	}
	i := strings.LastIndex(first, " ")
	return strconv.ParseFloat(strings.TrimSpace(first[i+1:]), 64)
}

// Items whose windows overlap but differ still go in one joint visit, on a
// day both windows hold; items whose windows share no day visit the unit
// separately, in weeks that keep the cap, and say so when one cannot.
func TestJointVisitWithinItemWindows(t *testing.T) {
	days := weekdays(monday, 10) // two weeks
	x := "430922101001"
	item := func(id, office string, from, to calendar.Date, team ...string) PlanItem {
		return PlanItem{ID: id, Office: office, Checklist: []string{"C1"}, From: from, To: to,
			Targets: []Target{{Unit: x, Inspectors: team}}}
	}
	w := &Window{Days: days, Inspectors: inspectors(4, 2, 240), Places: places(), Items: []PlanItem{
		item("AQ", "应急管理局", days[0], days[4], "I01", "I02"),
		item("NY", "农业农村局", days[0], days[9], "I03", "I04"),
	}}
	tt := mustSchedule(t, w)
	if len(tt.Visits) != 1 || len(tt.Visits[0].Items) != 2 || tt.Visits[0].Day.After(days[4]) || tt.Stats.JointVisits != 1 || tt.Stats.MergedPlanVisits != 2 {
		t.Fatalf("overlapping windows: %+v %+v", tt.Visits, tt.Stats)
	}

	// Windows a week apart: two visits, one in each.
	w.Items[1].From = days[5]
	tt = mustSchedule(t, w)
	if len(tt.Visits) != 2 || len(tt.Unscheduled) != 0 || WeekOf(tt.Visits[0].Day) == WeekOf(tt.Visits[1].Day) {
		t.Fatalf("separate windows: %+v %+v", tt.Visits, tt.Unscheduled)
	}
	for _, v := range tt.Visits {
		if len(v.Items) != 1 || (v.Items[0].Item == "AQ") != !v.Day.After(days[4]) {
			t.Fatalf("visit outside its item's window: %+v", v)
		}
	}

	// Windows in one week that share no day: the cap of one visit a week
	// leaves one of them out, saying why.
	w.Items[0].To, w.Items[1].From, w.Items[1].To = days[1], days[2], days[4]
	tt = mustSchedule(t, w)
	if len(tt.Visits) != 1 || len(tt.Unscheduled) != 1 {
		t.Fatalf("one week: %+v %+v", tt.Visits, tt.Unscheduled)
	}
	rules := map[string]bool{}
	for _, r := range tt.Unscheduled[0].Reasons {
		rules[r.Rule] = true
		if r.Rule == RuleSeparate && (strings.Contains(r.Sealed().Message.EN, x) || !strings.Contains(r.Message.EN, tt.Unscheduled[0].Items[0])) {
			t.Fatalf("separate reason: %+v", r)
		}
	}
	if !rules[RuleSeparate] {
		t.Fatalf("no %s reason: %+v", RuleSeparate, tt.Unscheduled[0].Reasons)
	}
	// With room for two visits a week, both go.
	w.WeekCap = 2
	tt = mustSchedule(t, w)
	if len(tt.Visits) != 2 || len(tt.Unscheduled) != 0 {
		t.Fatalf("one week, cap 2: %+v %+v", tt.Visits, tt.Unscheduled)
	}
	// The checker refuses a visit outside an item's window.
	w.WeekCap = 0
	w.Items[1].From, w.Items[1].To = days[0], days[9]
	tt = mustSchedule(t, w)
	w.Items[0].From, w.Items[0].To = tt.Visits[0].Day.AddDays(1), days[9]
	if v := Check(w, tt); len(v) == 0 {
		t.Fatal("a visit before its item's window passes the checker")
	}
}

// A sealed reason names no unit and no inspector (teams are sealed with
// their draw), in its fields or its message.
func TestReasonSealed(t *testing.T) {
	u := "430922101001"
	for _, r := range []Reason{
		reason(RuleRandom, u, "", calendar.Date{}, nil, 1, 2),
		reason(RuleYear, u, "", calendar.Date{}, nil, 4, 4),
		reason(RuleWeek, u, "", monday, []calendar.Date{monday}, 1, 1),
		reason(RuleCapacity, u, "", calendar.Date{}, nil, 0, 0),
		reason(RuleCapacity, u, "I01", monday, []calendar.Date{monday}, 2, 2),
		reason(RuleTravel, u, "I01", calendar.Date{}, nil, 365, 360),
		reason(RuleTravel, u, "I01", monday, []calendar.Date{monday}, 500, 480),
		reason(RuleAway, u, "I01", monday, []calendar.Date{monday}, 0, 0),
	} {
		s := r.Sealed()
		if s.Unit != "" || strings.Contains(s.Message.EN+s.Message.ZH, u) || s.Message.EN == "" || s.Message.ZH == "" || s.Rule != r.Rule {
			t.Errorf("%s sealed: %+v", r.Rule, s)
		}
		if s.Inspector != "" || strings.Contains(s.Message.EN+s.Message.ZH, "I01") || strings.Contains(s.Message.EN+s.Message.ZH, "[visits.") {
			t.Errorf("%s sealed names the inspector, or a key is missing: %+v", r.Rule, s)
		}
		if r.Rule == RuleTravel && s.Have != 0 {
			t.Errorf("sealed travel keeps the minutes: %+v", s)
		}
	}
}

// A unit whose items' windows fall on three different days of one week is
// visited once that week, not once for the first day and again for the
// third: every earlier group of the unit claims the weeks it may take.
func TestSeparateGroupsKeepTheWeekCap(t *testing.T) {
	days := weekdays(monday, 3)
	u := "430922101001"
	w := &Window{Days: days, Places: map[string]Point{"430922": {28.53, 112.13}}, Units: map[string]UnitRecord{},
		Inspectors: []Inspector{{ID: "I0", Home: "430922", Capacity: 1, MaxTravel: 30}, {ID: "I1", Home: "430922", Capacity: 1, MaxTravel: 30}}}
	item := func(id string, from, to int, team ...string) PlanItem {
		it := PlanItem{ID: id, Office: "A", Checklist: []string{"check " + id}, Inspectors: team, Targets: []Target{{Unit: u}}}
		if from >= 0 {
			it.From, it.To = days[from], days[to]
		}
		return it
	}
	w.Items = []PlanItem{item("P0", 2, 2, "I0", "I1"), item("P1", 0, 0, "I0"), item("P2", 0, 0, "I0"), item("P3", 0, 0, "I0"),
		item("P4", -1, -1, "I1"), item("P5", 1, 1, "I0")}
	tt, err := Schedule(w, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v := Check(w, tt); len(v) > 0 {
		t.Fatalf("broken: %v", v)
	}
	if len(tt.Visits) != 1 {
		t.Fatalf("%d visits to the unit in one week, want 1: %+v", len(tt.Visits), tt.Visits)
	}
	for _, un := range tt.Unscheduled {
		if len(un.Reasons) == 0 {
			t.Fatalf("unscheduled without a reason: %+v", un)
		}
	}
}
