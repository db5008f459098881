package access

import (
	"lighten/internal/collect"
	"lighten/internal/units"
)

// Values is the one rule for who reads the values held for units. Every
// route that returns values asks it: a report's answer (JSON lines, CSV,
// Excel), the DHIS2 export, a value's history, and a report's known fields
// shown to a unit.
//
// At a unit, a principal reads
//   - every element's values when they may read the unit's inbox
//     (ReadInbox: the unit's cadres, and the burden office, auditors and
//     administrators over it): the values are the unit's own;
//   - otherwise, when they may read demands there (office staff whose scope
//     covers the unit), the values of the elements their own office may
//     read: those it owns, those with no readers, and those whose readers
//     name it;
//   - nothing otherwise.
//
// Only the principal's own office counts, never the office of the report
// that asked for the values. Both parts reach a unit's whole subtree, so
// what is readable at a unit is readable below it.
type Values struct {
	P      Principal
	Office int64 // the principal's office; 0 for none
}

// May reports whether the principal reads e's values held for unit.
func (v Values) May(e *collect.Element, unit string) bool { return v.At(unit)(e) }

// At is the rule at one unit, for reading many elements there: the two
// scope checks are made once.
func (v Values) At(unit string) func(*collect.Element) bool {
	switch {
	case v.P.Can(ReadInbox, unit):
		return func(*collect.Element) bool { return true }
	case v.P.Can(ReadDemands, unit):
		return v.OfficeReads
	}
	return func(*collect.Element) bool { return false }
}

// Reaches reports whether the principal reads some values at unit: the
// unit is in the scope of either part of the rule.
func (v Values) Reaches(unit string) bool {
	return v.P.Can(ReadInbox, unit) || v.P.Can(ReadDemands, unit)
}

// OfficeReads reports whether the principal's office may read e's values:
// it owns e, e has no readers, or e's readers name it.
func (v Values) OfficeReads(e *collect.Element) bool {
	if len(e.Readers) == 0 {
		return true
	}
	if v.Office == 0 {
		return false
	}
	if e.Owner == v.Office {
		return true
	}
	for _, r := range e.Readers {
		if r == v.Office {
			return true
		}
	}
	return false
}

// Under is what the rule allows at one unit or more of the subtree under
// code ("" for the country), for choosing which elements to read before
// the units are known; each unit's values are still filtered with At.
func (v Values) Under(code string) func(*collect.Element) bool {
	overlaps := func(a Action) bool {
		for _, s := range v.P.Scopes(a) {
			if units.Contains(s, code) || units.Contains(code, s) {
				return true
			}
		}
		return false
	}
	switch {
	case overlaps(ReadInbox):
		return func(*collect.Element) bool { return true }
	case overlaps(ReadDemands):
		return v.OfficeReads
	}
	return func(*collect.Element) bool { return false }
}
