// Package policy holds the parameters of the gate's rules as data: a policy
// document per burden-reduction office, versioned, inherited down the tree.
// A lower office may tighten any parameter and may never loosen one.
package policy

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"lighten/internal/i18n"
	"lighten/internal/units"
)

// Direction says which way a parameter is tighter.
type Direction int

const (
	LowerIsTighter  Direction = iota // a cap, a budget, a length
	HigherIsTighter                  // a lead time, the start of working hours
)

// Param is one tunable number of one rule.
type Param struct {
	ID      string
	Rule    string
	Default int
	Tighter Direction
	Min     int // the most a value may be tightened to, or loosened to, for sanity
	Max     int
	Unit    string // catalogue key of the unit of measure
}

// Params lists every parameter, with the defaults of POLICY.md.
var Params = []Param{
	{ID: "lead.time.report", Rule: "lead.time", Default: 5, Tighter: HigherIsTighter, Min: 0, Max: 60, Unit: "unit.workdays"},
	{ID: "lead.time.task", Rule: "lead.time", Default: 5, Tighter: HigherIsTighter, Min: 0, Max: 60, Unit: "unit.workdays"},
	{ID: "lead.time.document", Rule: "lead.time", Default: 5, Tighter: HigherIsTighter, Min: 0, Max: 60, Unit: "unit.workdays"},
	{ID: "lead.time.meeting", Rule: "lead.time", Default: 3, Tighter: HigherIsTighter, Min: 0, Max: 60, Unit: "unit.workdays"},
	{ID: "rest.days.start", Rule: "rest.days", Default: 8*60 + 30, Tighter: HigherIsTighter, Min: 0, Max: 24 * 60, Unit: "unit.clock"},
	{ID: "rest.days.end", Rule: "rest.days", Default: 17*60 + 30, Tighter: LowerIsTighter, Min: 0, Max: 24 * 60, Unit: "unit.clock"},
	{ID: "budget.village", Rule: "budget.unit", Default: 1200, Tighter: LowerIsTighter, Min: 0, Max: 100000, Unit: "unit.minutes_month"},
	{ID: "budget.township", Rule: "budget.unit", Default: 2400, Tighter: LowerIsTighter, Min: 0, Max: 100000, Unit: "unit.minutes_month"},
	{ID: "budget.other", Rule: "budget.unit", Default: 4800, Tighter: LowerIsTighter, Min: 0, Max: 1000000, Unit: "unit.minutes_month"},
	{ID: "budget.review_pct", Rule: "budget.unit", Default: 100, Tighter: LowerIsTighter, Min: 1, Max: 1000, Unit: "unit.percent"},
	{ID: "budget.block_pct", Rule: "budget.unit", Default: 150, Tighter: LowerIsTighter, Min: 1, Max: 1000, Unit: "unit.percent"},
	{ID: "cap.issuer.reports", Rule: "cap.issuer.reports", Default: 6, Tighter: LowerIsTighter, Min: 0, Max: 1000, Unit: "unit.per_quarter"},
	{ID: "cap.documents.pct", Rule: "cap.documents", Default: 100, Tighter: LowerIsTighter, Min: 0, Max: 1000, Unit: "unit.percent"},
	{ID: "doc.length", Rule: "doc.length", Default: 5000, Tighter: LowerIsTighter, Min: 100, Max: 1000000, Unit: "unit.characters"},
	{ID: "doc.length.special", Rule: "doc.length", Default: 4000, Tighter: LowerIsTighter, Min: 100, Max: 1000000, Unit: "unit.characters"},
	{ID: "meet.cap", Rule: "meet.cap", Default: 1, Tighter: LowerIsTighter, Min: 0, Max: 100, Unit: "unit.per_year"},
	{ID: "meet.speech", Rule: "meet.length", Default: 60, Tighter: LowerIsTighter, Min: 1, Max: 1440, Unit: "unit.minutes"},
	{ID: "meet.video", Rule: "meet.length", Default: 90, Tighter: LowerIsTighter, Min: 1, Max: 1440, Unit: "unit.minutes"},
	{ID: "meet.length", Rule: "meet.length", Default: 240, Tighter: LowerIsTighter, Min: 1, Max: 1440, Unit: "unit.minutes"},
	{ID: "meet.online", Rule: "meet.online", Default: 60, Tighter: LowerIsTighter, Min: 0, Max: 1440, Unit: "unit.minutes"},
	{ID: "group.expiry", Rule: "group.owner", Default: 180, Tighter: LowerIsTighter, Min: 1, Max: 3650, Unit: "unit.days"},
	{ID: "visit.comprehensive", Rule: "visit.comprehensive", Default: 1, Tighter: LowerIsTighter, Min: 0, Max: 100, Unit: "unit.per_year"},
	{ID: "visit.unit.week", Rule: "visit.unit.week", Default: 1, Tighter: LowerIsTighter, Min: 1, Max: 7, Unit: "unit.per_week"},
	{ID: "visit.unit.year", Rule: "visit.unit.year", Default: 4, Tighter: LowerIsTighter, Min: 1, Max: 100, Unit: "unit.per_year"},
	{ID: "visit.random.pct", Rule: "visit.random", Default: 5, Tighter: HigherIsTighter, Min: 1, Max: 100, Unit: "unit.percent"},
	{ID: "visit.random.inspectors", Rule: "visit.random", Default: 2, Tighter: HigherIsTighter, Min: 2, Max: 20, Unit: "unit.people"},
	{ID: "visit.recent.months", Rule: "visit.random", Default: 12, Tighter: HigherIsTighter, Min: 0, Max: 120, Unit: "unit.months"},
	{ID: "escalation.ack_hours", Rule: "escalation", Default: 24, Tighter: LowerIsTighter, Min: 1, Max: 720, Unit: "unit.hours"},
	{ID: "escalation.respond_days", Rule: "escalation", Default: 5, Tighter: LowerIsTighter, Min: 1, Max: 60, Unit: "unit.workdays"},
}

var byID = func() map[string]*Param {
	m := map[string]*Param{}
	for i := range Params {
		m[Params[i].ID] = &Params[i]
	}
	return m
}()

// Lookup finds a parameter by id.
func Lookup(id string) (*Param, bool) {
	p, ok := byID[id]
	return p, ok
}

// Tighter reports whether a is at least as tight as b for p.
func (p *Param) AtLeastAsTight(a, b int) bool {
	if p.Tighter == LowerIsTighter {
		return a <= b
	}
	return a >= b
}

// tightest is the tighter of a and b.
func (p *Param) tightest(a, b int) int {
	if p.AtLeastAsTight(a, b) {
		return a
	}
	return b
}

// Document is one office's policy: the parameters it sets. Unset
// parameters are inherited.
type Document struct {
	Params map[string]int `json:"params"`
	Note   string         `json:"note,omitempty"`
}

// ParseError names what is wrong in a policy document: the parameter
// concerned and a message from the catalogue (keys problem.policy.*) with
// its arguments.
type ParseError struct {
	Param string // the parameter concerned, if any
	Key   string
	Args  []any
	Err   error // the JSON decoder's own error, if one caused it
}

func (e *ParseError) Error() string {
	msg := i18n.Both(e.Key, e.Args...).EN
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if e.Param != "" {
		return fmt.Sprintf("policy parameter %q: %s", e.Param, msg)
	}
	return "policy document: " + msg
}

func (e *ParseError) Unwrap() error { return e.Err }

// Message is the error in both languages, saying it is the policy
// document's. The decoder's own error, in English only, is left to Error.
func (e *ParseError) Message() i18n.Text {
	if e.Param != "" {
		return i18n.Both("problem.policy.param", e.Param, i18n.Both(e.Key, e.Args...))
	}
	return i18n.Both("problem.policy.doc", i18n.Both(e.Key, e.Args...))
}

// Detail is the error in both languages without saying whose it is, for a
// caller that says so itself: the parameter, if any, and what is wrong.
func (e *ParseError) Detail() i18n.Text {
	if e.Param != "" {
		return i18n.Both("problem.policy.named", e.Param, i18n.Both(e.Key, e.Args...))
	}
	return i18n.Both(e.Key, e.Args...)
}

// Parse reads a policy document, checking every parameter is known and
// within its bounds.
func Parse(b []byte) (Document, error) {
	var d Document
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return d, &ParseError{Key: "problem.policy.json", Err: err}
	}
	if dec.More() {
		return d, &ParseError{Key: "problem.policy.trailing"}
	}
	return d, d.Validate()
}

// Validate checks that every parameter is known and within bounds.
func (d Document) Validate() error {
	for _, id := range d.ids() {
		p, ok := byID[id]
		if !ok {
			return &ParseError{Param: id, Key: "problem.policy.unknown"}
		}
		if v := d.Params[id]; v < p.Min || v > p.Max {
			return &ParseError{Param: id, Key: "problem.policy.range", Args: []any{v, p.Min, p.Max}}
		}
	}
	if s, e := d.get("rest.days.start"), d.get("rest.days.end"); s >= 0 && e >= 0 && s >= e {
		return &ParseError{Param: "rest.days.end", Key: "problem.policy.hours"}
	}
	return nil
}

func (d Document) get(id string) int {
	if v, ok := d.Params[id]; ok {
		return v
	}
	return -1
}

func (d Document) ids() []string {
	ids := make([]string, 0, len(d.Params))
	for id := range d.Params {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Set is the parameters in force at one unit, with where each came from.
type Set struct {
	values map[string]int
	from   map[string]string // parameter -> unit code whose document set it ("" default, "*" the country)
}

// Defaults is the set of POLICY.md's defaults.
func Defaults() *Set {
	s := &Set{values: map[string]int{}, from: map[string]string{}}
	for _, p := range Params {
		s.values[p.ID] = p.Default
	}
	return s
}

// defaults is the one set of defaults that every unit without a policy
// above it shares: a Set is never changed once made, and the gate asks for
// the policy of each of 620,000 villages, which must not build a map each.
var defaults = sync.OnceValue(Defaults)

// Get is a parameter's value in force.
func (s *Set) Get(id string) int {
	v, ok := s.values[id]
	if !ok {
		panic("policy: unknown parameter " + id)
	}
	return v
}

// From says which unit's policy set a parameter ("" for the default).
func (s *Set) From(id string) string { return s.from[id] }

// Apply layers the document of the burden office at unit code over s: each
// parameter becomes the tighter of the two, so no document can loosen what
// it inherits.
func (s *Set) Apply(code string, d Document) *Set {
	out := &Set{values: make(map[string]int, len(s.values)), from: make(map[string]string, len(s.from))}
	for k, v := range s.values {
		out.values[k] = v
	}
	for k, v := range s.from {
		out.from[k] = v
	}
	for id, v := range d.Params {
		p, ok := byID[id]
		if !ok {
			continue
		}
		if t := p.tightest(v, out.values[id]); t != out.values[id] {
			out.values[id] = t
			out.from[id] = code
		}
	}
	// Working hours stay a window even if both ends were tightened.
	if out.values["rest.days.start"] >= out.values["rest.days.end"] {
		out.values["rest.days.end"] = out.values["rest.days.start"]
	}
	return out
}

// Loosening is one parameter that a document would loosen.
type Loosening struct {
	Param     string
	Value     int
	Inherited int
	From      string // unit whose policy set the inherited value ("" for the default)
}

// Loosenings lists the parameters of d that are looser than what the
// office inherits; a document with any is refused.
func (s *Set) Loosenings(d Document) []Loosening {
	var out []Loosening
	for _, id := range d.ids() {
		p, ok := byID[id]
		if !ok {
			continue
		}
		if v, in := d.Params[id], s.values[id]; !p.AtLeastAsTight(v, in) {
			out = append(out, Loosening{Param: id, Value: v, Inherited: in, From: s.from[id]})
		}
	}
	return out
}

// Tree resolves the policy in force at any unit from the documents of the
// offices above it. Documents are few (one per burden office that set
// one), so the sets are computed once per document-holding unit.
type Tree struct {
	docs map[string]Document // unit code ("" the country) -> its document in force
	sets map[string]*Set
}

// NewTree builds the resolver from the documents in force.
func NewTree(docs map[string]Document) *Tree {
	t := &Tree{docs: docs, sets: map[string]*Set{}}
	codes := make([]string, 0, len(docs))
	for c := range docs {
		codes = append(codes, c)
	}
	sort.Slice(codes, func(i, j int) bool { return len(codes[i]) < len(codes[j]) })
	for _, c := range codes {
		t.sets[c] = t.above(c).Apply(c, docs[c])
	}
	return t
}

// above is the set in force just above code: the nearest ancestor's.
func (t *Tree) above(code string) *Set {
	for c := units.ParentCode(code); ; c = units.ParentCode(c) {
		if s, ok := t.sets[c]; ok && c != code {
			return s
		}
		if c == "" {
			break
		}
	}
	if s, ok := t.sets[""]; ok && code != "" {
		return s
	}
	return defaults()
}

// At is the policy in force at unit code.
func (t *Tree) At(code string) *Set {
	if s, ok := t.sets[code]; ok {
		return s
	}
	return t.above(code)
}

// Inherited is what the office at code inherits from above.
func (t *Tree) Inherited(code string) *Set { return t.above(code) }

// Document is the document in force at code, if any.
func (t *Tree) Document(code string) (Document, bool) {
	d, ok := t.docs[code]
	return d, ok
}

// HasOwn reports whether the office at code has a document of its own.
func (t *Tree) HasOwn(code string) bool {
	_, ok := t.sets[code]
	return ok
}

// Tightest combines sets into the tightest value of each parameter, for a
// demand whose targets live under several policies.
func Tightest(sets []*Set) *Set {
	if len(sets) == 0 {
		return Defaults()
	}
	if len(sets) == 1 {
		return sets[0]
	}
	out := &Set{values: map[string]int{}, from: map[string]string{}}
	for _, p := range Params {
		p := p
		best, from := sets[0].values[p.ID], sets[0].from[p.ID]
		for _, s := range sets[1:] {
			if v := s.values[p.ID]; !p.AtLeastAsTight(best, v) {
				best, from = v, s.from[p.ID]
			}
		}
		out.values[p.ID], out.from[p.ID] = best, from
	}
	return out
}
