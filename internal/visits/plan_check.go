package visits

import (
	"math"

	"lighten/internal/i18n"
	"regexp"
	"strconv"

	"lighten/internal/units"
)

// codePattern is the form of a plan item's and a checklist line's code.
var codePattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,40}$`)

// BaseTier is the name of the tier that holds the pool's units not listed
// in any of an item's tiers, drawn at the item's rate.
const BaseTier = "base"

// Validate checks a plan and each of its items; the first error names the
// item (by position, from 1, and code), the field and what was expected.
// Whether a research item carries scoring lines is the gate's rule
// (visit.research), not checked here.
func (p *Plan) Validate() error {
	if p.Year < 2000 || p.Year > 2100 {
		return invalid("year", "visits.error.plan_year", p.Year)
	}
	if len(p.Items) == 0 {
		return invalid("items", "visits.error.plan_empty")
	}
	seen := map[string]int{}
	for i := range p.Items {
		it := &p.Items[i]
		if err := it.validate(i, p.Year); err != nil {
			return err
		}
		if j, ok := seen[it.Code]; ok {
			return invalid(itemField(i, "code"), "visits.error.item_code_repeated", itemLabel(i, it.Code), p.Items[j].Code, j+1)
		}
		seen[it.Code] = i
	}
	return nil
}

// Validate checks one item on its own (its window in any year).
func (it *Item) Validate() error { return it.validate(-1, 0) }

// itemLabel names item i (from 0; -1 alone) of a plan in messages: its
// position from 1 and its code.
func itemLabel(i int, code string) i18n.Text {
	if i < 0 {
		return i18n.Both("visits.error.item_alone", code)
	}
	return i18n.Both("visits.error.item", i+1, code)
}

// levelText is a level's name in both languages.
func levelText(l units.Level) i18n.Text {
	if !l.Valid() {
		return i18n.Text{ZH: l.String(), EN: l.String()}
	}
	return i18n.Both("level." + l.String())
}

func itemField(i int, f string) string {
	if i < 0 {
		return f
	}
	return "items[" + strconv.Itoa(i) + "]." + f
}

// rateOK is 0 < r ≤ 1 (NaN fails).
func rateOK(r float64) bool { return r > 0 && r <= 1 && !math.IsNaN(r) }

// validate checks item i (from 0; -1 alone) of a plan of the year (0: any).
func (it *Item) validate(i, year int) error {
	n := itemLabel(i, it.Code)
	f := func(name string) string { return itemField(i, name) }
	if !codePattern.MatchString(it.Code) {
		return invalid(f("code"), "visits.error.item_code", n, it.Code)
	}
	if it.Title == "" {
		return invalid(f("title"), "visits.error.item_title", n)
	}
	switch it.Kind {
	case Comprehensive, Special, Research:
	default:
		return invalid(f("kind"), "visits.error.item_kind", n, string(it.Kind))
	}
	scopeLevel, ok := units.LevelOfCode(it.Scope)
	if !ok {
		return invalid(f("scope"), "visits.error.item_scope", n, it.Scope)
	}
	if !it.Level.Valid() || it.Level <= scopeLevel {
		return invalid(f("level"), "visits.error.item_level", n, levelText(it.Level), it.Scope, levelText(scopeLevel))
	}
	if !rateOK(it.Rate) {
		return invalid(f("rate"), "visits.error.item_rate", n, it.Rate)
	}
	names := map[string]bool{BaseTier: true}
	inTier := map[string]string{}
	for t, ts := range it.Tiers {
		tf := func(name string) string { return f("tiers[" + strconv.Itoa(t) + "]." + name) }
		if ts.Name == "" || names[ts.Name] {
			return invalid(tf("name"), "visits.error.tier_name", n, t+1, ts.Name, BaseTier)
		}
		names[ts.Name] = true
		if !rateOK(ts.Rate) {
			return invalid(tf("rate"), "visits.error.tier_rate", n, ts.Name, ts.Rate)
		}
		if len(ts.Units) == 0 {
			return invalid(tf("units"), "visits.error.tier_no_units", n, ts.Name)
		}
		for u, code := range ts.Units {
			uf := tf("units[" + strconv.Itoa(u) + "]")
			if !units.ValidCode(code, it.Level) || !units.Contains(it.Scope, code) {
				return invalid(uf, "visits.error.tier_unit", n, ts.Name, code, levelText(it.Level), it.Scope)
			}
			if u > 0 && code <= ts.Units[u-1] {
				return invalid(uf, "visits.error.tier_unit_order", n, ts.Name, code, ts.Units[u-1])
			}
			if other, ok := inTier[code]; ok {
				return invalid(uf, "visits.error.tier_unit_twice", n, code, other, ts.Name)
			}
			inTier[code] = ts.Name
		}
	}
	if it.Team < 1 {
		return invalid(f("team"), "visits.error.item_team", n, it.Team)
	}
	if it.From.IsZero() || it.To.IsZero() || it.To.Before(it.From) {
		return invalid(f("to"), "visits.error.item_window", n, it.From.String(), it.To.String())
	}
	if year != 0 && (it.From.Year() != year || it.To.Year() != year) {
		return invalid(f("from"), "visits.error.item_window_year", n, it.From.String(), it.To.String(), year)
	}
	checks := map[string]bool{}
	for c, ci := range it.Checklist {
		cf := func(name string) string { return f("checklist[" + strconv.Itoa(c) + "]." + name) }
		if !codePattern.MatchString(ci.Code) {
			return invalid(cf("code"), "visits.error.check_code", n, c+1, ci.Code)
		}
		if checks[ci.Code] {
			return invalid(cf("code"), "visits.error.check_code_repeated", n, c+1, ci.Code)
		}
		checks[ci.Code] = true
		if ci.Text == "" {
			return invalid(cf("text"), "visits.error.check_text", n, ci.Code)
		}
	}
	return nil
}

// Pool is the draw's pool of the item, given all the units of the item's
// level under its scope in code order: each tier as listed (keeping only
// its units that are in all), then the rest of all as the tier "base" at
// the item's rate.
func (it *Item) Pool(all []string) []Tier {
	in := make(map[string]bool, len(all))
	for _, c := range all {
		in[c] = true
	}
	listed := map[string]bool{}
	out := make([]Tier, 0, len(it.Tiers)+1)
	for _, ts := range it.Tiers {
		t := Tier{Name: ts.Name, Rate: ts.Rate, Units: []string{}}
		for _, c := range ts.Units {
			if in[c] && !listed[c] {
				t.Units = append(t.Units, c)
				listed[c] = true
			}
		}
		out = append(out, t)
	}
	base := Tier{Name: BaseTier, Rate: it.Rate, Units: all}
	if len(listed) > 0 {
		base.Units = make([]string, 0, len(all)-len(listed))
		for _, c := range all {
			if !listed[c] {
				base.Units = append(base.Units, c)
			}
		}
	}
	return append(out, base)
}
