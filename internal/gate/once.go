package gate

import (
	"fmt"
	"strings"

	"lighten/internal/collect"
	"lighten/internal/i18n"
	"lighten/internal/units"
)

// reportField is a field of a report tied to the dictionary.
type reportField struct {
	index   int
	element *collect.Element
	period  string
	minutes int
}

func (c *Check) reportFields() []reportField {
	var out []reportField
	for i, f := range c.D.Asks.Fields {
		if f.Element == "" {
			continue
		}
		e, ok := c.Env.Element(f.Element)
		if !ok {
			continue
		}
		m := f.Minutes
		if m <= 0 {
			m = minutesPerField
		}
		out = append(out, reportField{index: i, element: e, period: collect.PeriodOf(e.Period, c.D.FiguresDate()), minutes: m})
	}
	return out
}

// onceKnown takes out of what each target is asked every field whose value
// the store holds, still valid, for that unit (once.known); a report left
// with nothing to ask of any unit reaches none and hands the issuer its
// data (once.empty). Elements not in the dictionary, or only proposed, are
// findings too.
func onceKnown(c *Check) {
	d := c.D
	for _, f := range d.Asks.Fields {
		if f.Element == "" {
			continue
		}
		e, ok := c.Env.Element(f.Element)
		switch {
		case !ok:
			c.Add(finding("once.known", Block, "unknown", []any{f.Element, f.Name}, nil, nil))
		case e.Status == collect.Proposed:
			c.Add(finding("once.known", Review, "proposed", []any{e.Code, e.Name}, nil, nil))
		case e.Status == collect.Rejected:
			c.Add(finding("once.known", Block, "rejected", []any{e.Code, e.Name}, nil, nil))
		}
	}
	fields := c.reportFields()
	if len(fields) == 0 || len(c.Targets) == 0 {
		return
	}
	tree := c.Env.Tree()
	known := make([]collect.Known, len(fields))
	for i, f := range fields {
		known[i] = c.Env.Known(f.element, f.period)
	}
	// Positions: a spec's targets are one run of the index.
	pos := func(i int) int { return -1 }
	if d.Targets.Spec() {
		lo, _ := tree.UnderRange(d.Targets.Level, d.Targets.Under)
		pos = func(i int) int { return lo + i }
	} else {
		ps := make([]int, len(c.Targets))
		for i, u := range c.Targets {
			ps[i], _ = tree.Pos(u.Code)
		}
		pos = func(i int) int { return ps[i] }
	}
	if c.minutes == nil {
		c.minutes = make([]int, len(c.Targets))
		for i := range c.minutes {
			c.minutes[i] = c.base.PerUnit
		}
	}
	var prefilled, saved int64
	empty := 0 // targets with nothing left to ask
	perField := make([]int, len(fields))
	for i := range c.Targets {
		p := pos(i)
		left := len(fields)
		for j, f := range fields {
			if known[j].Has(p) {
				prefilled++
				perField[j]++
				left--
				c.minutes[i] -= f.minutes
				saved += int64(f.minutes)
			}
		}
		if left == 0 && len(fields) == len(d.Asks.Fields) {
			empty++
		}
	}
	c.prefilled = prefilled
	c.knownAll = map[string]bool{}
	for j, f := range fields {
		c.knownAll[f.element.Code] = perField[j] == len(c.Targets)
	}
	if prefilled == 0 {
		return
	}
	// The typical target's burden and the total follow the prefill.
	c.base.Total, c.base.Max = 0, 0
	for _, m := range c.minutes {
		c.base.Total += int64(m)
		c.base.Max = max(c.base.Max, m)
	}
	c.base.PerUnit = int(c.base.Total / int64(len(c.Targets)))
	c.base.Breakdown = append(c.base.Breakdown, BurdenItem{What: "prefilled", Label: i18n.Both("gate.burden.prefilled"),
		Minutes: -int(saved / int64(len(c.Targets)))})
	var names []string
	for j, f := range fields {
		if perField[j] > 0 {
			names = append(names, fmt.Sprintf("%s %d/%d", f.element.Name, perField[j], len(c.Targets)))
		}
	}
	total := int64(len(fields)) * int64(len(c.Targets))
	f := finding("once.known", Note, "prefilled", []any{prefilled, total, len(fields), len(c.Targets)}, nil, nil)
	f.Evidence = strings.Join(names, "; ")
	c.Add(f)
	if empty == len(c.Targets) {
		c.answered = true
		c.Add(finding("once.empty", Note, "empty", []any{len(c.Targets)}, nil, nil))
	}
}

// onceOverlap flags, for merging, another active report asking the same
// element of the same units for the same period. A field every target
// already holds is asked of nobody, so it overlaps nothing.
func onceOverlap(c *Check) {
	seen := map[int64]bool{}
	for _, f := range c.reportFields() {
		if c.knownAll[f.element.Code] {
			continue
		}
		for _, o := range c.Env.Overlaps(f.element.Code, f.period, c.D.ID) {
			if seen[o.DemandID] || !intersects(c.Env.Tree(), c.D.Targets, o.Targets) {
				continue
			}
			seen[o.DemandID] = true
			fd := finding("once.overlap", Review, "overlap", []any{o.DemandID, o.Title, f.element.Name, f.period}, []any{o.DemandID}, nil)
			fd.Evidence = fmt.Sprintf("#%d", o.DemandID)
			c.Add(fd)
		}
	}
}

// intersects reports whether two target sets share a unit.
func intersects(t *units.Tree, a, b Targets) bool {
	if a.Spec() && b.Spec() {
		return a.Level == b.Level && (units.Contains(a.Under, b.Under) || units.Contains(b.Under, a.Under))
	}
	if !a.Spec() && b.Spec() {
		a, b = b, a
	}
	// b lists units; a may be a spec or a list.
	in := map[string]bool{}
	for _, u := range b.Units {
		in[u] = true
	}
	if a.Spec() {
		for u := range in {
			if l, ok := units.LevelOfCode(u); ok && l == a.Level && units.Contains(a.Under, u) {
				return true
			}
		}
		return false
	}
	for _, u := range a.Units {
		if in[u] {
			return true
		}
	}
	return false
}
