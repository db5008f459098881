package visits

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"

	"lighten/internal/calendar"
	"lighten/internal/i18n"
	"lighten/internal/units"
)

// Defaults of the policy rules that the schedule enforces, and the travel
// estimate the gate uses: roads wind, so the straight line is stretched,
// and county roads are slow.
const (
	DefaultWeekCap = 1 // visit.unit.week: visits per unit per week, a joint visit counting once
	DefaultYearCap = 4 // visit.unit.year: inspections per unit per year
	RoadFactor     = 1.4
	RoadKmH        = 40.0
)

// Rules that a reason for an unscheduled visit can name.
const (
	RuleRandom   = "visit.random"       // fewer than two drawn inspectors
	RuleYear     = "visit.unit.year"    // the unit's inspections this year
	RuleWeek     = "visit.unit.week"    // the unit's visits in a week
	RuleCapacity = "inspector.capacity" // an inspector's visits a day
	RuleTravel   = "inspector.travel"   // an inspector's travel minutes a day
	RuleAway     = "inspector.away"     // an inspector's days off
	RuleWindow   = "visit.window"       // the window has no working day
	// RuleSeparate says that the unit's plan items' windows share no day
	// of the window, so that it is visited more than once.
	RuleSeparate = "visit.separate"
)

// Point is a location in degrees (WGS-84).
type Point struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Window is everything the scheduler needs for one window of working days:
// the plan items with the targets and inspectors already drawn for them,
// the units' visit history and caps, the inspectors and the places.
type Window struct {
	// Days are the window's working days from the official calendar, in
	// ascending order, all in one calendar year.
	Days  []calendar.Date
	Items []PlanItem
	// Units holds the visit history and caps of the targeted units; a unit
	// not listed had no visits this year and takes the window's caps.
	Units      map[string]UnitRecord
	Inspectors []Inspector
	// Places are locations by unit code at any level. A unit without one
	// takes its nearest ancestor's: a village its township's or its county
	// seat's.
	Places map[string]Point
	// WeekCap and YearCap are the caps in force (0: the defaults).
	WeekCap, YearCap int
}

// PlanItem is one item of an annual inspection plan with its drawn targets.
type PlanItem struct {
	ID        string
	Office    string
	Checklist []string
	// Inspectors is the team drawn for the whole item, in draw order; a
	// target with a team of its own uses that instead.
	Inspectors []string
	Targets    []Target
	// From and To bound the days of the window the item's visits may
	// take: its own window (zero: unbounded on that side). A joint visit
	// takes a day every item it serves allows; items at a unit whose
	// windows share no day of the window visit it separately.
	From, To calendar.Date
}

// span is the first and last index of the window's days an item allows
// (first > last: none).
func (it *PlanItem) span(days []calendar.Date) (int, int) {
	first, last := 0, len(days)-1
	for first <= last && !it.From.IsZero() && days[first].Before(it.From) {
		first++
	}
	for last >= first && !it.To.IsZero() && days[last].After(it.To) {
		last--
	}
	return first, last
}

// Target is a drawn unit, with the inspectors drawn for it (draw order,
// conflicts already excluded by the draw).
type Target struct {
	Unit       string
	Inspectors []string
}

// UnitRecord is what a unit has already had this year.
type UnitRecord struct {
	// YearVisits counts the inspections of the window's year outside this
	// schedule, those in WeekVisits included.
	YearVisits int
	// WeekVisits counts visits already fixed in weeks of the window, by the
	// Monday of the week (see WeekOf).
	WeekVisits map[calendar.Date]int
	// WeekCap and YearCap tighten the window's caps for this unit (0: the
	// window's).
	WeekCap, YearCap int
}

// Inspector is one drawn inspector's limits.
type Inspector struct {
	ID string
	// Home is the unit code where the inspector's day starts and ends (the
	// office's seat); its location comes from Places.
	Home      string
	Capacity  int // visits a day, at least 1
	MaxTravel int // minutes of travel a day, at least 1
	Away      []calendar.Date
}

// Options tune the effort of the solver; the zero value is the default.
type Options struct {
	// Workers solve pieces in parallel (0: GOMAXPROCS). The result does not
	// depend on it.
	Workers int
	// Anneal is the steps of simulated annealing for the whole window,
	// shared by the pieces that construction and local search leave above
	// their lower bound in proportion to their visits (0: 60,000,000;
	// negative: none). A piece also stops annealing after 10 rounds in a
	// row find nothing better.
	Anneal int
	// ExactVisits is the largest piece (in joint visits) then searched
	// exactly by branch and bound (0: 40; negative: never).
	ExactVisits int
	// ExactNodes bounds the nodes of one exact search (0: 20,000); a search
	// cut short keeps the best schedule found and does not count as proved.
	ExactNodes int
}

func (o Options) withDefaults() Options {
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.ExactVisits == 0 {
		o.ExactVisits = 40
	}
	if o.ExactNodes <= 0 {
		o.ExactNodes = 20_000
	}
	if o.Anneal == 0 {
		o.Anneal = 60_000_000
	}
	return o
}

// Timetable is the scheduler's answer.
type Timetable struct {
	Visits      []Visit       `json:"visits"` // by day, then unit
	Routes      []Route       `json:"routes"` // by inspector, then day
	Unscheduled []Unscheduled `json:"unscheduled"`
	Stats       Stats         `json:"stats"`
}

// Visit is one team at one unit on one day, serving every plan item that
// drew the unit in the window.
type Visit struct {
	Unit  string        `json:"unit"`
	Day   calendar.Date `json:"day"`
	Team  []string      `json:"team"`
	Items []ItemVisit   `json:"items"`
}

// ItemVisit is one plan item served by a visit: its checklist, and the team
// members drawn for it or for another item of the same office at this unit.
type ItemVisit struct {
	Item      string   `json:"item"`
	Office    string   `json:"office"`
	Checklist []string `json:"checklist"`
	CarriedBy []string `json:"carried_by"`
}

// Route is an inspector's day: the units in the order visited, from home and
// back, and the estimated travel.
type Route struct {
	Inspector string        `json:"inspector"`
	Day       calendar.Date `json:"day"`
	Units     []string      `json:"units"`
	Minutes   float64       `json:"minutes"`
}

// Unscheduled is a joint visit that no day could take, with every reason.
type Unscheduled struct {
	Unit    string   `json:"unit"`
	Items   []string `json:"items"`
	Team    []string `json:"team"`
	Reasons []Reason `json:"reasons"`
}

// Reason says which hard constraint keeps a visit off which days.
type Reason struct {
	Rule      string          `json:"rule"`
	Unit      string          `json:"unit"`
	Inspector string          `json:"inspector,omitempty"`
	Week      calendar.Date   `json:"week,omitzero"`  // Monday of the week concerned
	Days      []calendar.Date `json:"days,omitempty"` // the window's days it blocks
	Have      int             `json:"have,omitempty"` // visits had, or travel minutes needed
	Limit     int             `json:"limit,omitempty"`
	Message   i18n.Text       `json:"message"`
}

// Stats summarise a timetable.
type Stats struct {
	PlanVisits          int `json:"plan_visits"`           // (plan item, unit) pairs asked for
	ScheduledPlanVisits int `json:"scheduled_plan_visits"` // of them, served by a scheduled visit
	MergedPlanVisits    int `json:"merged_plan_visits"`    // of them, served by a joint visit
	Visits              int `json:"visits"`                // scheduled visits: units visited
	JointVisits         int `json:"joint_visits"`          // scheduled visits serving two or more plan items
	// JointRate is MergedPlanVisits / ScheduledPlanVisits: the share of
	// plan-item visits that went in together with another plan's.
	JointRate float64 `json:"joint_rate"`
	// InspectorDays are the team-days: distinct (inspector, day) pairs with
	// at least one visit; the objective.
	InspectorDays int `json:"inspector_days"`
	// LowerBound is a bound no schedule of the same visits can beat: over
	// inspectors, visits ÷ the most visits a day can hold, rounded up.
	LowerBound  int            `json:"lower_bound"`
	Unscheduled int            `json:"unscheduled"` // joint visits
	ByRule      map[string]int `json:"by_rule"`     // unscheduled visits naming each rule
	Pieces      int            `json:"pieces"`      // independent parts solved separately
	Proved      int            `json:"proved"`      // pieces proved optimal
	// NoPlace counts scheduled visits to units with no known location, and
	// inspectors with no known home: their travel is not limited.
	NoPlace     int `json:"no_place"`
	NoHome      int `json:"no_home"`
	LargestPart int `json:"largest_piece"` // joint visits in the largest piece
}

// WeekOf is the Monday of d's week: weekly caps count Monday to Sunday.
func WeekOf(d calendar.Date) calendar.Date {
	return d.AddDays(-((int(d.Weekday()) + 6) % 7))
}

func weekName(monday calendar.Date) string {
	y, w := monday.Time().ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// TravelMinutes is the estimated one-way drive between two places.
func TravelMinutes(a, b Point) float64 {
	return legMinutes(radians(a), radians(b))
}

type rpoint struct{ lat, lon, cos float64 }

func radians(p Point) rpoint {
	lat := p.Lat * math.Pi / 180
	return rpoint{lat, p.Lon * math.Pi / 180, math.Cos(lat)}
}

func legMinutes(a, b rpoint) float64 {
	const r = 6371.0
	sl, so := math.Sin((b.lat-a.lat)/2), math.Sin((b.lon-a.lon)/2)
	h := sl*sl + a.cos*b.cos*so*so
	km := 2 * r * math.Asin(math.Sqrt(h))
	return km * RoadFactor / RoadKmH * 60
}

// joint is a merged visit before it has a day.
type joint struct {
	unit       string
	team       []int32 // inspectors, the lead item's draw order then additions
	items      []ItemVisit
	planVisits int
	loc        int32 // index into places, -1 when unknown
	yearHave   int
	yearCap    int
	weekCap    int
	weekHave   map[calendar.Date]int
	fixed      []Reason // reasons that hold whatever the days
	allowed    []uint64 // days the unit's caps and the team's days off leave
	// first, last bound the days every item of the visit allows (its
	// items' windows' intersection, as indices of the window's days).
	first, last int
	// separate: the unit's items' windows share no day, so the unit has
	// other joints (visits) in the window.
	separate bool
}

// inSpan reports whether day d is one every item of the visit allows.
func (j *joint) inSpan(d int) bool { return d >= j.first && d <= j.last }

// merged is a window checked and merged, shared by the scheduler, the
// checker and the LP writer.
type merged struct {
	w       *Window
	nd      int
	week    []calendar.Date // per day, its Monday
	insp    []Inspector
	inspIdx map[string]int32
	away    [][]uint64 // per inspector, days off as a bitset
	home    []int32    // per inspector, index into places or -1
	limit   []float64  // per inspector, travel minutes (+Inf: home unknown)
	places  []rpoint
	at      *atlas
	joints  []joint // by unit code
}

func bit(s []uint64, i int) bool { return s[i>>6]&(1<<(uint(i)&63)) != 0 }
func set(s []uint64, i int)      { s[i>>6] |= 1 << (uint(i) & 63) }

func prepare(w *Window) (*merged, error) {
	p := &merged{w: w, nd: len(w.Days), inspIdx: make(map[string]int32, len(w.Inspectors))}
	words := (p.nd + 63) / 64
	dayIdx := make(map[calendar.Date]int, p.nd)
	for i, d := range w.Days {
		if i > 0 && !w.Days[i-1].Before(d) {
			return nil, fmt.Errorf("window days must ascend without repeats (%s after %s)", d, w.Days[i-1])
		}
		if d.Year() != w.Days[0].Year() {
			return nil, fmt.Errorf("window spans two years (%s and %s): the yearly cap needs one", w.Days[0], d)
		}
		dayIdx[d] = i
		p.week = append(p.week, WeekOf(d))
	}
	placeIdx := map[string]int32{}
	locate := func(code string) int32 {
		for c := code; c != ""; c = units.ParentCode(c) {
			if i, ok := placeIdx[c]; ok {
				return i
			}
			if pt, ok := w.Places[c]; ok {
				i := int32(len(p.places))
				p.places = append(p.places, radians(pt))
				placeIdx[c] = i
				return i
			}
		}
		return -1
	}
	p.insp = w.Inspectors
	for i, in := range w.Inspectors {
		if in.ID == "" {
			return nil, fmt.Errorf("inspector %d has no id", i+1)
		}
		if _, dup := p.inspIdx[in.ID]; dup {
			return nil, fmt.Errorf("inspector %s appears twice", in.ID)
		}
		if in.Capacity < 1 {
			return nil, fmt.Errorf("inspector %s: capacity %d visits a day; at least 1 expected", in.ID, in.Capacity)
		}
		if in.MaxTravel < 1 {
			return nil, fmt.Errorf("inspector %s: travel limit %d minutes a day; at least 1 expected", in.ID, in.MaxTravel)
		}
		p.inspIdx[in.ID] = int32(i)
		a := make([]uint64, words)
		for _, d := range in.Away {
			if k, ok := dayIdx[d]; ok {
				set(a, k)
			}
		}
		p.away = append(p.away, a)
		h := locate(in.Home)
		p.home = append(p.home, h)
		lim := float64(in.MaxTravel)
		if h < 0 {
			lim = math.Inf(1)
		}
		p.limit = append(p.limit, lim)
	}
	weekCap, yearCap := w.WeekCap, w.YearCap
	if weekCap <= 0 {
		weekCap = DefaultWeekCap
	}
	if yearCap <= 0 {
		yearCap = DefaultYearCap
	}

	// Every plan item's target at a unit joins that unit's one visit.
	type drawn struct {
		item        int
		team        []int32
		first, last int // the days the item allows
	}
	byUnit := map[string][]drawn{}
	seenItem := map[string]bool{}
	for k := range w.Items {
		it := &w.Items[k]
		first, last := it.span(w.Days)
		if it.ID == "" || it.Office == "" {
			return nil, fmt.Errorf("plan item %d needs an id and an office", k+1)
		}
		if seenItem[it.ID] {
			return nil, fmt.Errorf("plan item %s appears twice", it.ID)
		}
		seenItem[it.ID] = true
		seenUnit := map[string]bool{}
		for _, t := range it.Targets {
			if t.Unit == "" {
				return nil, fmt.Errorf("plan item %s: a target without a unit", it.ID)
			}
			if seenUnit[t.Unit] {
				return nil, fmt.Errorf("plan item %s targets unit %s twice", it.ID, t.Unit)
			}
			seenUnit[t.Unit] = true
			ids := t.Inspectors
			if len(ids) == 0 {
				ids = it.Inspectors
			}
			var team []int32
			seen := map[int32]bool{}
			for _, id := range ids {
				i, ok := p.inspIdx[id]
				if !ok {
					return nil, fmt.Errorf("plan item %s, unit %s: inspector %s is not among the window's inspectors", it.ID, t.Unit, id)
				}
				if seen[i] {
					return nil, fmt.Errorf("plan item %s, unit %s: inspector %s drawn twice", it.ID, t.Unit, id)
				}
				seen[i] = true
				team = append(team, i)
			}
			byUnit[t.Unit] = append(byUnit[t.Unit], drawn{k, team, first, last})
		}
	}
	codes := make([]string, 0, len(byUnit))
	for c := range byUnit {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	// A unit's items go into one joint visit when their windows share a
	// day of the window; otherwise into as few groups as do (the earliest
	// last day of those left, and every item that allows it), whose spans
	// then follow one another without sharing a day.
	type group struct {
		code        string
		ds          []drawn
		first, last int
		nth, of     int // the group's place among its unit's
	}
	var groups []group
	for _, code := range codes {
		ds := byUnit[code]
		sort.SliceStable(ds, func(a, b int) bool { return ds[a].last < ds[b].last })
		var gs []group
		for len(ds) > 0 {
			if ds[0].first > ds[0].last { // no day at all: one group of them
				var none, rest []drawn
				for _, d := range ds {
					if d.first > d.last {
						none = append(none, d)
					} else {
						rest = append(rest, d)
					}
				}
				gs = append(gs, group{code: code, ds: none, first: 0, last: -1})
				ds = rest
				continue
			}
			g := group{code: code, first: ds[0].first, last: ds[0].last}
			var rest []drawn
			for _, d := range ds {
				if d.first <= g.last && d.first <= d.last {
					g.ds = append(g.ds, d)
					g.first = max(g.first, d.first)
				} else {
					rest = append(rest, d)
				}
			}
			gs = append(gs, g)
			ds = rest
		}
		for k := range gs {
			gs[k].nth, gs[k].of = k, len(gs)
		}
		groups = append(groups, gs...)
	}
	p.joints = make([]joint, len(groups))
	for n, gr := range groups {
		code, ds := gr.code, gr.ds
		sort.Slice(ds, func(a, b int) bool { return w.Items[ds[a].item].ID < w.Items[ds[b].item].ID })
		j := &p.joints[n]
		j.unit = code
		j.planVisits = len(ds)
		j.first, j.last, j.separate = gr.first, gr.last, gr.of > 1
		// The lead item (lowest id) brings its whole drawn team; each other
		// office brings its first drawn inspector unless one of its own is
		// already in: every checklist goes with someone the office drew.
		in := map[int32]bool{}
		add := func(i int32) {
			if !in[i] {
				in[i] = true
				j.team = append(j.team, i)
			}
		}
		for _, i := range ds[0].team {
			add(i)
		}
		drewFor := map[string]map[int32]bool{} // office -> inspectors its items drew here
		for _, d := range ds {
			o := w.Items[d.item].Office
			if drewFor[o] == nil {
				drewFor[o] = map[int32]bool{}
			}
			for _, i := range d.team {
				drewFor[o][i] = true
			}
		}
		covered := func(o string) bool {
			for _, i := range j.team {
				if drewFor[o][i] {
					return true
				}
			}
			return false
		}
		for _, d := range ds[1:] {
			if o := w.Items[d.item].Office; !covered(o) && len(d.team) > 0 {
				add(d.team[0])
			}
		}
		// Two inspectors at least: fill from the other draws, in order.
		for _, d := range ds[1:] {
			for _, i := range d.team {
				if len(j.team) < 2 {
					add(i)
				}
			}
		}
		for _, d := range ds {
			it := &w.Items[d.item]
			iv := ItemVisit{Item: it.ID, Office: it.Office, Checklist: it.Checklist}
			for _, i := range j.team {
				if drewFor[it.Office][i] {
					iv.CarriedBy = append(iv.CarriedBy, p.insp[i].ID)
				}
			}
			j.items = append(j.items, iv)
		}

		rec := w.Units[code]
		j.weekCap, j.yearCap = weekCap, yearCap
		if rec.WeekCap > 0 && rec.WeekCap < weekCap {
			j.weekCap = rec.WeekCap
		}
		if rec.YearCap > 0 && rec.YearCap < yearCap {
			j.yearCap = rec.YearCap
		}
		// A unit visited separately: each group counts the groups before
		// it towards the year (as if they were visited), and a week two
		// groups could share without room for both goes to one of them.
		j.yearHave, j.weekHave = rec.YearVisits+gr.nth, rec.WeekVisits
		j.loc = locate(code)
		if gr.nth > 0 && j.first <= j.last {
			prev := &p.joints[n-1]
			if wk := p.week[j.first]; prev.first <= prev.last && p.week[prev.last] == wk && j.weekHave[wk]+2 > j.weekCap {
				if p.week[prev.first] != wk { // the earlier visit has other weeks
					for prev.last >= prev.first && p.week[prev.last] == wk {
						if len(prev.allowed) > 0 {
							prev.allowed[prev.last>>6] &^= 1 << (uint(prev.last) & 63)
						}
						prev.last--
					}
				} else {
					for j.first <= j.last && p.week[j.first] == wk {
						j.first++
					}
				}
			}
		}

		// The unit's earlier groups claim every week they may still be
		// visited in: a later group counts them as visits had in those
		// weeks, so that whatever days the search gives each group, no
		// week holds more than the cap (the trimming above only keeps two
		// neighbours apart).
		if gr.nth > 0 {
			claimed := make(map[calendar.Date]int, len(rec.WeekVisits))
			for wk, c := range rec.WeekVisits {
				claimed[wk] = c
			}
			for k := n - gr.nth; k < n; k++ {
				e := &p.joints[k]
				var last calendar.Date
				for d := e.first; d <= e.last; d++ {
					if wk := p.week[d]; wk != last && len(e.allowed) > 0 && bit(e.allowed, d) {
						claimed[wk]++
						last = wk
					}
				}
			}
			j.weekHave = claimed
		}

		if p.nd == 0 || j.first > j.last {
			j.fixed = append(j.fixed, reason(RuleWindow, code, "", calendar.Date{}, nil, 0, 0))
		}
		if len(j.team) < 2 {
			j.fixed = append(j.fixed, reason(RuleRandom, code, "", calendar.Date{}, nil, len(j.team), 2))
		}
		if j.yearHave+1 > j.yearCap {
			j.fixed = append(j.fixed, reason(RuleYear, code, "", calendar.Date{}, nil, j.yearHave, j.yearCap))
		}
		for _, i := range j.team {
			if m := p.roundTrip(i, j.loc); m > p.limit[i]+eps {
				j.fixed = append(j.fixed, reason(RuleTravel, code, p.insp[i].ID, calendar.Date{}, nil, int(math.Ceil(m)), p.insp[i].MaxTravel))
			}
		}
		j.allowed = make([]uint64, words)
		if len(j.fixed) > 0 {
			continue
		}
		for d := j.first; d <= j.last; d++ {
			if j.weekHave[p.week[d]]+1 > j.weekCap {
				continue
			}
			ok := true
			for _, i := range j.team {
				if bit(p.away[i], d) {
					ok = false
					break
				}
			}
			if ok {
				set(j.allowed, d)
			}
		}
	}
	p.at = newAtlas(p.places, false)
	return p, nil
}

// eps absorbs rounding when travel is compared with a limit in minutes.
const eps = 1e-9

func (p *merged) roundTrip(i int32, loc int32) float64 {
	if p.home[i] < 0 || loc < 0 {
		return 0
	}
	return 2 * legMinutes(p.places[p.home[i]], p.places[loc])
}

// Schedule merges the window's plan-item visits into one joint visit per
// unit and gives each a day, keeping every hard constraint: the units'
// weekly and yearly caps, the inspectors' visits and travel a day and their
// days off. It uses as few inspector-days as it can. What no day can take is
// returned with the reasons. The same window always gives the same
// timetable. Teams come from the draw as given: the scheduler picks days,
// never inspectors.
func Schedule(w *Window, opt Options) (*Timetable, error) {
	if w == nil {
		return nil, errors.New("no window")
	}
	opt = opt.withDefaults()
	p, err := prepare(w)
	if err != nil {
		return nil, err
	}
	pieces := p.split()
	// Largest pieces first, so that no large one is left running alone.
	order := make([]int, len(pieces))
	for n := range order {
		order[n] = n
	}
	sort.SliceStable(order, func(a, b int) bool { return len(pieces[order[a]].visits) > len(pieces[order[b]].visits) })
	parallel := func(f func(n int)) {
		var wg sync.WaitGroup
		next := make(chan int)
		for k := 0; k < opt.Workers; k++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := range next {
					f(n)
				}
			}()
		}
		for _, n := range order {
			next <- n
		}
		close(next)
		wg.Wait()
	}
	// First every piece is built and improved locally; the annealing
	// budget then goes to the pieces left above their lower bound, in
	// proportion to their visits.
	solvers := make([]*solver, len(pieces))
	atBound := make([]bool, len(pieces))
	parallel(func(n int) {
		solvers[n] = newSolver(pieces[n], opt)
		atBound[n] = solvers[n].start()
	})
	open := 0
	for n, pc := range pieces {
		if !atBound[n] {
			open += len(pc.visits)
		}
	}
	results := make([]*result, len(pieces))
	parallel(func(n int) {
		budget := 0
		if !atBound[n] && opt.Anneal > 0 {
			budget = int(float64(opt.Anneal) * float64(len(pieces[n].visits)) / float64(open))
		}
		results[n] = solvers[n].finish(budget)
		solvers[n] = nil
	})
	return p.assemble(pieces, results), nil
}

// split cuts the schedulable visits into pieces that share no inspector:
// units' caps are the units' own, so pieces are independent. Inspectors
// drawn from a county's pool make county pieces.
func (p *merged) split() []*piece {
	parent := make([]int32, len(p.insp))
	for i := range parent {
		parent[i] = int32(i)
	}
	var find func(int32) int32
	find = func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for n := range p.joints {
		j := &p.joints[n]
		if !j.open() {
			continue
		}
		for _, i := range j.team[1:] {
			a, b := find(j.team[0]), find(i)
			if a != b {
				if a < b {
					parent[b] = a
				} else {
					parent[a] = b
				}
			}
		}
	}
	byRoot := map[int32]*piece{}
	var out []*piece
	// Each piece numbers its own places, so that it can keep a table of
	// travel between them.
	placeOf := map[*piece]map[int32]int32{}
	localPlace := func(pc *piece, g int32) int32 {
		if g < 0 {
			return -1
		}
		if pc.at == nil {
			pc.at = &atlas{}
		}
		if l, ok := placeOf[pc][g]; ok {
			return l
		}
		l := int32(len(pc.at.places))
		pc.at.places = append(pc.at.places, p.places[g])
		placeOf[pc][g] = l
		return l
	}
	local := make([]int32, len(p.insp))
	for i := range local {
		local[i] = -1
	}
	for n := range p.joints {
		j := &p.joints[n]
		if !j.open() {
			continue
		}
		r := find(j.team[0])
		pc := byRoot[r]
		if pc == nil {
			pc = &piece{nd: p.nd, week: p.week}
			byRoot[r] = pc
			out = append(out, pc)
			placeOf[pc] = map[int32]int32{}
		}
		v := pvisit{g: int32(n), allowed: j.allowed, loc: localPlace(pc, j.loc)}
		for _, i := range j.team {
			if local[i] < 0 {
				local[i] = int32(len(pc.insp))
				pc.insp = append(pc.insp, pinsp{g: i, cap: p.insp[i].Capacity, limit: p.limit[i], home: localPlace(pc, p.home[i])})
			}
			v.team = append(v.team, local[i])
		}
		pc.visits = append(pc.visits, v)
	}
	for _, pc := range out {
		var pl []rpoint
		if pc.at != nil {
			pl = pc.at.places
		}
		pc.at = newAtlas(pl, len(pl) <= 2500)
	}
	// Days of one week with the same inspectors away are interchangeable
	// to every visit of the piece: the exact search tries one of them.
	// So are they only to visits whose items' windows hold both.
	for _, pc := range out {
		pc.class = make([]int32, p.nd)
		ids := map[string]int32{}
		var spans [][2]int
		seenSpan := map[[2]int]bool{}
		for _, v := range pc.visits {
			j := &p.joints[v.g]
			if sp := [2]int{j.first, j.last}; (j.first > 0 || j.last < p.nd-1) && !seenSpan[sp] {
				seenSpan[sp] = true
				spans = append(spans, sp)
			}
		}
		for d := 0; d < p.nd; d++ {
			k := []byte(p.week[d].String())
			for x, in := range pc.insp {
				if bit(p.away[in.g], d) {
					k = fmt.Appendf(k, ",%d", x)
				}
			}
			for x, sp := range spans {
				if d >= sp[0] && d <= sp[1] {
					k = fmt.Appendf(k, "/%d", x)
				}
			}
			c, ok := ids[string(k)]
			if !ok {
				c = int32(len(ids))
				ids[string(k)] = c
			}
			pc.class[d] = c
		}
	}
	return out
}

// open reports whether some day may take the visit: it has a team, the
// unit's yearly cap has room, and some day passes the weekly cap and the
// team's days off.
func (j *joint) open() bool {
	if len(j.fixed) > 0 {
		return false
	}
	for _, w := range j.allowed {
		if w != 0 {
			return true
		}
	}
	return false
}

// assemble turns the pieces' days into the timetable, in a fixed order.
func (p *merged) assemble(pieces []*piece, results []*result) *Timetable {
	tt := &Timetable{Stats: Stats{ByRule: map[string]int{}, Pieces: len(pieces)}}
	day := make([]int, len(p.joints))
	for n := range day {
		day[n] = -1
	}
	type key struct{ i, d int32 }
	stops := map[key][]int32{}
	for k, pc := range pieces {
		r := results[k]
		tt.Stats.LowerBound += r.lower
		if r.proved {
			tt.Stats.Proved++
		}
		tt.Stats.LargestPart = max(tt.Stats.LargestPart, len(pc.visits))
		for v, d := range r.day {
			g := pc.visits[v].g
			day[g] = int(d)
			if d >= 0 {
				for _, i := range pc.visits[v].team {
					kk := key{pc.insp[i].g, d}
					stops[kk] = append(stops[kk], g)
				}
			}
		}
	}
	st := &tt.Stats
	for n := range p.joints {
		j := &p.joints[n]
		st.PlanVisits += j.planVisits
		if day[n] < 0 {
			continue
		}
		st.Visits++
		st.ScheduledPlanVisits += j.planVisits
		if j.planVisits > 1 {
			st.JointVisits++
			st.MergedPlanVisits += j.planVisits
		}
		if j.loc < 0 {
			st.NoPlace++
		}
		tt.Visits = append(tt.Visits, Visit{Unit: j.unit, Day: p.w.Days[day[n]], Team: p.ids(j.team), Items: j.items})
	}
	if st.ScheduledPlanVisits > 0 {
		st.JointRate = float64(st.MergedPlanVisits) / float64(st.ScheduledPlanVisits)
	}
	sort.SliceStable(tt.Visits, func(a, b int) bool { return tt.Visits[a].Day.Before(tt.Visits[b].Day) })

	keys := make([]key, 0, len(stops))
	for k := range stops {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		if keys[a].i != keys[b].i {
			return keys[a].i < keys[b].i
		}
		return keys[a].d < keys[b].d
	})
	var rt router
	for _, k := range keys {
		locs := make([]int32, 0, len(stops[k]))
		for _, g := range stops[k] {
			locs = append(locs, p.joints[g].loc)
		}
		min, order := rt.tour(p.at, p.home[k.i], locs, true)
		r := Route{Inspector: p.insp[k.i].ID, Day: p.w.Days[k.d], Minutes: min}
		for _, o := range order {
			r.Units = append(r.Units, p.joints[stops[k][o]].unit)
		}
		tt.Routes = append(tt.Routes, r)
	}
	st.InspectorDays = len(keys)
	seenHome := map[int32]bool{}
	for _, k := range keys {
		if p.home[k.i] < 0 && !seenHome[k.i] {
			seenHome[k.i] = true
			st.NoHome++
		}
	}

	// Reasons are read off the final timetable: for each day the unit's caps
	// allow, what stops the team that day.
	ex := newExplainer(p, day)
	for n := range p.joints {
		if day[n] >= 0 {
			continue
		}
		j := &p.joints[n]
		u := Unscheduled{Unit: j.unit, Team: p.ids(j.team)}
		for _, it := range j.items {
			u.Items = append(u.Items, it.Item)
		}
		u.Reasons = ex.explain(n)
		if j.separate {
			u.Reasons = append(u.Reasons, separateReason(j))
		}
		rules := map[string]bool{}
		for _, r := range u.Reasons {
			if !rules[r.Rule] {
				rules[r.Rule] = true
				st.ByRule[r.Rule]++
			}
		}
		tt.Unscheduled = append(tt.Unscheduled, u)
	}
	st.Unscheduled = len(tt.Unscheduled)
	return tt
}

func (p *merged) ids(team []int32) []string {
	out := make([]string, len(team))
	for k, i := range team {
		out[k] = p.insp[i].ID
	}
	return out
}

// explainer reads why a visit cannot go on any day of a finished timetable.
type explainer struct {
	p     *merged
	stops map[[2]int32][]int32 // (inspector, day) -> visits
	load  map[[2]int32]int
	rt    router
}

func newExplainer(p *merged, day []int) *explainer {
	ex := &explainer{p: p, stops: map[[2]int32][]int32{}, load: map[[2]int32]int{}}
	for n, d := range day {
		if d < 0 {
			continue
		}
		for _, i := range p.joints[n].team {
			k := [2]int32{i, int32(d)}
			ex.stops[k] = append(ex.stops[k], p.joints[n].loc)
			ex.load[k]++
		}
	}
	return ex
}

func (ex *explainer) explain(n int) []Reason {
	p, j := ex.p, &ex.p.joints[n]
	if len(j.fixed) > 0 {
		return j.fixed
	}
	var out []Reason
	type group struct {
		rule string
		insp int32
		week calendar.Date
	}
	var order []group
	days := map[group][]calendar.Date{}
	have := map[group]int{}
	for d := j.first; d <= j.last; d++ {
		w := p.week[d]
		if j.weekHave[w]+1 > j.weekCap {
			g := group{RuleWeek, -1, w}
			if _, ok := days[g]; !ok {
				order = append(order, g)
			}
			days[g] = append(days[g], p.w.Days[d])
			have[g] = j.weekHave[w]
			continue
		}
		for _, i := range j.team {
			k := [2]int32{i, int32(d)}
			var g group
			switch {
			case bit(p.away[i], d):
				g = group{RuleAway, i, w}
			case ex.load[k] >= p.insp[i].Capacity:
				g = group{RuleCapacity, i, w}
				have[g] = ex.load[k]
			default:
				locs := append(append([]int32(nil), ex.stops[k]...), j.loc)
				m, _ := ex.rt.tour(p.at, p.home[i], locs, false)
				if m <= p.limit[i]+eps {
					continue
				}
				g = group{RuleTravel, i, w}
				have[g] = max(have[g], int(math.Ceil(m)))
			}
			if _, ok := days[g]; !ok {
				order = append(order, g)
			}
			days[g] = append(days[g], p.w.Days[d])
		}
	}
	for _, g := range order {
		id := ""
		limit := 0
		switch g.rule {
		case RuleWeek:
			limit = j.weekCap
		case RuleCapacity:
			limit = p.insp[g.insp].Capacity
		case RuleTravel:
			limit = p.insp[g.insp].MaxTravel
		}
		if g.insp >= 0 {
			id = p.insp[g.insp].ID
		}
		out = append(out, reason(g.rule, j.unit, id, g.week, days[g], have[g], limit))
	}
	if len(out) == 0 {
		// Every day passes on its own: the days were taken by other visits
		// in ways the search could not undo. Say so rather than nothing.
		out = append(out, reason(RuleCapacity, j.unit, "", calendar.Date{}, nil, 0, 0))
	}
	return out
}

// separateReason says that a unit is visited separately for some of its
// plan items: their windows share no working day of the window with the
// others'. It names the items, never the unit.
func separateReason(j *joint) Reason {
	var ids []string
	for _, it := range j.items {
		ids = append(ids, it.Item)
	}
	return Reason{Rule: RuleSeparate, Unit: j.unit, Have: len(ids),
		Message: i18n.Both("visits.reason.separate", strings.Join(ids, ", "))}
}

// Sealed is the reason as it may be shown while the visit's target is
// sealed: without the unit, in its field or its message; without the
// inspector, whose team is sealed with the draw; and without the minutes of
// a round trip from an inspector's home (which would place the unit on a
// circle around a known office).
func (r Reason) Sealed() Reason {
	insp := r.Inspector
	r.Unit, r.Inspector = "", ""
	wk, on := weekAndDays(r.Week, r.Days)
	switch {
	case r.Rule == RuleRandom, r.Rule == RuleYear:
		r.Message = i18n.Both("visits.reason.sealed."+r.Rule, r.Have, r.Limit)
	case r.Rule == RuleWeek:
		r.Message = i18n.Both("visits.reason.sealed."+r.Rule, r.Have, wk, r.Limit)
	case r.Rule == RuleCapacity && insp == "":
		r.Message = i18n.Both("visits.reason.sealed." + r.Rule)
	case r.Rule == RuleCapacity:
		r.Message = i18n.Both("visits.reason.sealed.capacity_one", wk, on, r.Limit)
	case r.Rule == RuleTravel && r.Week.IsZero():
		r.Have = 0
		r.Message = i18n.Both("visits.reason.sealed."+r.Rule, r.Limit)
	case r.Rule == RuleTravel:
		r.Have = 0
		r.Message = i18n.Both("visits.reason.sealed.travel_day", on, wk, r.Limit)
	case r.Rule == RuleAway:
		r.Message = i18n.Both("visits.reason.sealed."+r.Rule, on, wk)
	}
	return r
}

// weekAndDays names a reason's week and the days it blocks.
func weekAndDays(week calendar.Date, days []calendar.Date) (wk, on string) {
	if week.IsZero() {
		return "", ""
	}
	ds := make([]string, len(days))
	for i, d := range days {
		ds[i] = d.String()
	}
	return weekName(week), strings.Join(ds, ", ")
}

// reason builds a reason with its message in both languages.
func reason(rule, unit, insp string, week calendar.Date, days []calendar.Date, have, limit int) Reason {
	r := Reason{Rule: rule, Unit: unit, Inspector: insp, Week: week, Days: days, Have: have, Limit: limit}
	wk, on := weekAndDays(week, days)
	switch rule {
	case RuleWindow:
		r.Message = i18n.Both("visits.reason." + rule)
	case RuleRandom, RuleYear:
		r.Message = i18n.Both("visits.reason."+rule, unit, have, limit)
	case RuleWeek:
		r.Message = i18n.Both("visits.reason."+rule, unit, have, wk, limit)
	case RuleAway:
		r.Message = i18n.Both("visits.reason."+rule, insp, on, wk)
	case RuleCapacity:
		if insp == "" {
			r.Message = i18n.Both("visits.reason.team_full", unit)
			break
		}
		r.Message = i18n.Both("visits.reason."+rule, insp, wk, on, limit)
	case RuleTravel:
		if week.IsZero() {
			r.Message = i18n.Both("visits.reason.travel_home", unit, have, insp, limit)
			break
		}
		r.Message = i18n.Both("visits.reason."+rule, insp, have, on, wk, limit)
	}
	return r
}
