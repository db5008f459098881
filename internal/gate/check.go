package gate

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"lighten/internal/calendar"
	"lighten/internal/collect"
	"lighten/internal/duties"
	"lighten/internal/i18n"
	"lighten/internal/policy"
	"lighten/internal/units"
	"lighten/internal/visits"
)

// Severity is how much a finding weighs.
type Severity string

const (
	Note   Severity = "note"   // shown and counted
	Review Severity = "review" // the burden office decides, with a reason
	Block  Severity = "block"  // refused, with what to change
)

func (s Severity) rank() int {
	switch s {
	case Block:
		return 2
	case Review:
		return 1
	}
	return 0
}

// Finding is one rule's result on one demand.
type Finding struct {
	Rule     string         `json:"rule"`
	Severity Severity       `json:"severity"`
	Message  i18n.Text      `json:"message"`
	Fix      i18n.Text      `json:"fix"`
	Evidence string         `json:"evidence,omitempty"`
	Params   map[string]int `json:"params,omitempty"` // the parameters the rule applied
	Units    int            `json:"units,omitempty"`  // target units concerned, for per-unit rules
}

// Calendar says which days are working days.
type Calendar interface {
	IsWorkday(t time.Time) bool
	// WorkdaysBetween counts working days strictly after a, up to and
	// including b.
	WorkdaysBetween(a, b time.Time) int
	// Covers reports whether the official holidays of a year are known;
	// outside them only weekends are rest days.
	Covers(year int) bool
}

// Budget tells how many minutes of their monthly budget units have
// already been asked for.
type Budget interface {
	Used(code string) int
}

// Env is what the gate needs from the rest of lighten. The store
// implements it; tests use a fixed one.
type Env interface {
	Tree() *units.Tree
	Calendar() Calendar
	Policies() *policy.Tree
	// IssuerCount counts the office's demands of a kind admitted (or
	// active or closed) with their day in [from, to); comprehensive
	// restricts to comprehensive meetings or documents of special kind.
	IssuerCount(officeID int64, kind Kind, from, to time.Time, comprehensive bool) int
	// BudgetUsed is the budget view for the month that starts at month.
	BudgetUsed(month time.Time) Budget
	// Travel is the round trip in minutes from a unit to a place, if known.
	Travel(from, to string) (int, bool)
	// Duties is every version of every duty list.
	Duties() *duties.Book
	// PledgeItem finds an item of the register of approved letters of
	// responsibility.
	PledgeItem(code string) (duties.PledgeItem, bool)
	// PledgeReceived reports whether unit received (as a target of an
	// admitted pledge) the register item.
	PledgeReceived(unit, item string) bool
	// Element finds an element of the data dictionary.
	Element(code string) (*collect.Element, bool)
	// Known says which units (by tree position) hold a fresh value of an
	// element for a period.
	Known(e *collect.Element, period string) collect.Known
	// Overlaps lists the other reports in review, admitted or active that
	// ask an element for a period.
	Overlaps(element, period string, except int64) []Overlap
	// PlanItem finds a stored annual plan item by its code, with its plan.
	PlanItem(code string) (*visits.Item, *visits.Plan, bool)
	// ComprehensiveItems counts the comprehensive items of an office's
	// approved (or in review) plans of a year, leaving out plan exceptPlan.
	ComprehensiveItems(officeID int64, year int, exceptPlan int64) int
	// UnitInspections counts the inspection visits (research left out) of
	// a year at each of the units, scheduled or done.
	UnitInspections(units []string, year int) map[string]int
	// UnitVisits lists, for each of the units, the days from from to to
	// (inclusive) of the visits it already has, all offices together: one
	// entry per visit, a joint visit once.
	UnitVisits(units []string, from, to calendar.Date) map[string][]calendar.Date
}

// ScopedInspections is an Env that counts the inspections of a year at
// every unit of a level under a unit at once, as UnitInspections would for
// their codes: a pool over a province or the country is then one question
// rather than hundreds of batches. visit.unit.year uses it when the Env
// has it.
type ScopedInspections interface {
	UnitInspectionsUnder(level units.Level, under string, year int) map[string]int
}

// Overlap is another report asking the same element for the same period.
type Overlap struct {
	DemandID int64
	Title    string
	Targets  Targets
}

// China keeps one time zone without daylight saving, so a fixed zone is exact.
var China = time.FixedZone("CST", 8*3600)

// Result is the gate's answer for one demand.
type Result struct {
	Verdict  Status    `json:"verdict"` // Refused, InReview or Admitted
	Findings []Finding `json:"findings"`
	Burden   Burden    `json:"burden"`
	Targets  int       `json:"targets"`
	// Answered says every field was already known for every target: the
	// report reaches no unit and the issuer has its data (once.empty).
	Answered bool `json:"answered,omitempty"`
	// Prefilled counts target fields taken from values already held.
	Prefilled int64 `json:"prefilled,omitempty"`
	// Units are the resolved targets and PerUnit the minutes each is
	// asked for, for the ledger.
	Units   []units.Unit `json:"-"`
	PerUnit []int        `json:"-"`
}

// Burden sums what the demand costs its targets.
type Burden struct {
	PerUnit   int            `json:"per_unit"`  // minutes for a typical target
	Total     int64          `json:"total"`     // minutes over all targets
	Breakdown []BurdenItem   `json:"breakdown"` // of the typical target's minutes
	Max       int            `json:"max"`       // the most any target is asked
	Budget    []BudgetStatus `json:"budget,omitempty"`
}

// BurdenItem is one part of the estimate.
type BurdenItem struct {
	What    string    `json:"what"`
	Label   i18n.Text `json:"label"`
	Minutes int       `json:"minutes"`
}

// BudgetStatus is one target's use of its monthly budget with this demand,
// for the most loaded targets.
type BudgetStatus struct {
	Unit    string `json:"unit"`
	Name    string `json:"name"`
	Used    int    `json:"used"`
	Demand  int    `json:"demand"`
	Budget  int    `json:"budget"`
	Percent int    `json:"percent"`
}

// Check is one run of the gate over one demand.
type Check struct {
	D       *Demand
	Env     Env
	Now     time.Time
	Policy  *policy.Set  // tightest in force over the targets
	Targets []units.Unit // resolved
	minutes []int        // estimate per target, parallel to Targets; nil when uniform
	base    Burden
	found   []Finding

	answered  bool
	prefilled int64
	knownAll  map[string]bool // element codes every target holds

	itemLooked bool // the visit's plan item, looked up once
	visitItem  *visits.Item
	visitPlan  *visits.Plan
}

// Add records a finding.
func (c *Check) Add(f Finding) { c.found = append(c.found, f) }

// Param is a parameter of the policy in force.
func (c *Check) Param(id string) int { return c.Policy.Get(id) }

// Resolve lists the units a demand's targets name, in tree order.
func Resolve(t *units.Tree, tg Targets) ([]units.Unit, error) {
	if tg.Spec() {
		if tg.Under != "" {
			u, ok := t.Get(tg.Under)
			if !ok {
				return nil, &ValidationError{Field: "targets.under", Key: "gate.error.unknown_unit", Args: []any{tg.Under}}
			}
			if u.Level >= tg.Level {
				return nil, &ValidationError{Field: "targets.level", Key: "gate.error.level_not_below", Args: []any{tg.Level.String(), tg.Under}}
			}
		}
		return t.Under(tg.Level, tg.Under), nil
	}
	if len(tg.Units) == 0 {
		return nil, &ValidationError{Field: "targets", Key: "gate.error.no_targets"}
	}
	out := make([]units.Unit, 0, len(tg.Units))
	seen := make(map[string]bool, len(tg.Units))
	for i, code := range tg.Units {
		u, ok := t.Get(code)
		if !ok {
			return nil, &ValidationError{Field: "targets.units[" + itoa(i) + "]", Key: "gate.error.unknown_unit", Args: []any{code}}
		}
		if !seen[code] {
			seen[code] = true
			out = append(out, u)
		}
	}
	return out, nil
}

// Limits on what a demand may say.
const (
	MaxBody         = 200_000 // characters
	MaxTitle        = 200
	MaxMinutes      = 20_000 // per unit; more is not an estimate but a mistake
	MaxFields       = 2_000
	MaxListedUnits  = 100_000
	MaxHorizonYears = 3
	MaxTeam         = 20 // inspectors in one team
)

// Validate checks a demand for input errors, which are not findings: the
// demand cannot be checked until they are fixed.
func Validate(d *Demand, now time.Time) error {
	bad := func(field, key string, args ...any) error {
		return &ValidationError{Field: field, Key: key, Args: args}
	}
	if _, ok := ParseKind(string(d.Kind)); !ok {
		return bad("kind", "gate.error.kind", string(d.Kind))
	}
	if strings.TrimSpace(d.Title) == "" {
		return bad("title", "gate.error.required", "title")
	}
	if n := utf8.RuneCountInString(d.Title); n > MaxTitle {
		return bad("title", "gate.error.too_long", "title", n, MaxTitle)
	}
	if n := utf8.RuneCountInString(d.Body); n > MaxBody {
		return bad("body", "gate.error.too_long", "body", n, MaxBody)
	}
	if len(d.Targets.Units) > MaxListedUnits {
		return bad("targets.units", "gate.error.too_many_units", len(d.Targets.Units), MaxListedUnits)
	}
	if len(d.Targets.Units) > 0 && d.Targets.Level != 0 {
		return bad("targets", "gate.error.targets_both")
	}
	horizon := now.AddDate(MaxHorizonYears, 0, 0)
	event := d.Kind == Meeting || d.Kind == Visit
	if event {
		if d.Start.IsZero() || d.End.IsZero() {
			return bad("start", "gate.error.required", "start/end")
		}
		if !d.End.After(d.Start) {
			return bad("end", "gate.error.end_before_start")
		}
		if d.Start.Before(now) {
			return bad("start", "gate.error.past", d.Start.In(China).Format("2006-01-02 15:04"))
		}
		if d.Start.After(horizon) {
			return bad("start", "gate.error.too_far", MaxHorizonYears)
		}
	} else if d.Kind != Group && d.Kind != App && d.Kind != Pledge || !d.Due.IsZero() {
		if d.Due.IsZero() {
			return bad("due", "gate.error.required", "due")
		}
		if d.Due.Before(now) {
			return bad("due", "gate.error.past", d.Due.In(China).Format("2006-01-02 15:04"))
		}
		if d.Due.After(horizon) {
			return bad("due", "gate.error.too_far", MaxHorizonYears)
		}
	}
	a := d.Asks
	for name, v := range map[string]int{"attendees": a.Attendees, "materials": a.Materials, "staff_second": a.StaffSecond,
		"second_days": a.SecondDays, "other_minutes": a.OtherMinutes} {
		if v < 0 {
			return bad("asks."+name, "gate.error.negative", name, v)
		}
	}
	if a.OtherMinutes > MaxMinutes || a.Attendees > 500 || a.Materials > 100 || a.SecondDays > 366 || a.StaffSecond > 100 {
		return bad("asks", "gate.error.absurd", MaxMinutes)
	}
	if len(a.Fields) > MaxFields {
		return bad("asks.fields", "gate.error.too_many_fields", len(a.Fields), MaxFields)
	}
	for i, f := range a.Fields {
		if strings.TrimSpace(f.Name) == "" {
			return bad("asks.fields["+itoa(i)+"].name", "gate.error.required", "name")
		}
		if f.Minutes < 0 || f.Minutes > 600 {
			return bad("asks.fields["+itoa(i)+"].minutes", "gate.error.absurd", MaxMinutes)
		}
	}
	if d.Emergency && strings.TrimSpace(d.Reason) == "" {
		return bad("emergency_reason", "gate.error.emergency_reason")
	}
	if d.Kind == Meeting {
		m := d.Meeting
		if m == nil {
			return bad("meeting", "gate.error.required", "meeting")
		}
		if m.Format != "onsite" && m.Format != "video" && m.Format != "discussion" {
			return bad("meeting.format", "gate.error.format", m.Format)
		}
		if m.Minutes < 0 || m.SpeechMinutes < 0 || m.Needed < 0 || m.Minutes > 24*60 || m.SpeechMinutes > 24*60 {
			return bad("meeting", "gate.error.absurd", MaxMinutes)
		}
	}
	if d.Kind == Group && d.Group == nil {
		d.Group = &GroupInfo{}
	}
	if d.Kind == Visit && d.Visit == nil {
		d.Visit = &VisitInfo{}
	}
	if v := d.Visit; d.Kind == Visit {
		if v.Rate < 0 || v.Rate > 1 || v.Rate != v.Rate {
			return bad("visit.rate", "gate.error.visit_rate", fmt.Sprint(v.Rate))
		}
		if v.Team < 0 || v.Team > MaxTeam {
			return bad("visit.team", "gate.error.visit_team", v.Team, MaxTeam)
		}
		if v.ScoringItems < 0 {
			return bad("visit.scoring_items", "gate.error.negative", "scoring_items", v.ScoringItems)
		}
		if n := utf8.RuneCountInString(v.ApprovalReason); n > MaxTitle*10 {
			return bad("visit.approval_reason", "gate.error.too_long", "approval_reason", n, MaxTitle*10)
		}
	}
	if d.Kind == Document && d.Document == nil {
		d.Document = &DocumentInfo{}
	}
	if d.Kind == App && d.App == nil {
		d.App = &AppInfo{}
	}
	return nil
}

// Run checks a demand against every rule of the policy in force and
// returns the verdict. The demand must have passed Validate.
func Run(env Env, d *Demand, now time.Time) (*Result, error) {
	if err := Validate(d, now); err != nil {
		return nil, err
	}
	tree := env.Tree()
	targets, err := Resolve(tree, d.Targets)
	if err != nil {
		return nil, err
	}
	if d.Document != nil {
		d.Document.Chars = utf8.RuneCountInString(d.Body)
	}
	if d.Created.IsZero() {
		d.Created = now // a dry run of a demand not yet saved
	}
	c := &Check{D: d, Env: env, Now: now, Targets: targets}
	c.Policy = tightestOver(env.Policies(), targets, d.IssuerUnit)
	c.estimate()
	for _, r := range Rules {
		if r.applies(d.Kind) {
			r.Check(c)
		}
	}
	scanText(c)
	res := &Result{Findings: c.found, Targets: len(targets), Burden: c.base, Units: targets, PerUnit: c.MinutesPerTarget(),
		Answered: c.answered, Prefilled: c.prefilled}
	res.Burden.Budget = budgetStatus(c)
	res.Verdict = verdict(c.found)
	sort.SliceStable(res.Findings, func(i, j int) bool { return res.Findings[i].Severity.rank() > res.Findings[j].Severity.rank() })
	if res.Findings == nil {
		res.Findings = []Finding{}
	}
	return res, nil
}

func verdict(fs []Finding) Status {
	v := Admitted
	for _, f := range fs {
		switch f.Severity {
		case Block:
			return Refused
		case Review:
			v = InReview
		}
	}
	return v
}

// tightestOver combines the policies in force at the targets (and at the
// issuer) into the tightest of each parameter. Targets share few distinct
// policies, so it memoises by the policy set.
func tightestOver(pt *policy.Tree, targets []units.Unit, issuer string) *policy.Set {
	seen := map[*policy.Set]bool{}
	var sets []*policy.Set
	add := func(s *policy.Set) {
		if !seen[s] {
			seen[s] = true
			sets = append(sets, s)
		}
	}
	add(pt.At(issuer))
	lastParent := "\x00"
	for _, u := range targets {
		if u.Parent != lastParent {
			lastParent = u.Parent
			add(pt.At(u.Parent))
		}
		if pt.HasOwn(u.Code) {
			add(pt.At(u.Code))
		}
	}
	return policy.Tightest(sets)
}

func itoa(n int) string { return strconv.Itoa(n) }
