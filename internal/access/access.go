// Package access decides what a person may see and change: a role held at a
// unit reaches that unit's subtree and nothing else.
package access

import (
	"lighten/internal/units"
)

// Action is something a principal may be allowed to do at a unit.
type Action string

const (
	ReadUnits    Action = "units.read"    // the tree is public data
	ReadOffices  Action = "offices.read"  // offices of units in scope
	WriteOffices Action = "offices.write" // create and change offices
	ReadPeople   Action = "people.read"   // people of units in scope
	WritePeople  Action = "people.write"  // create people, grant and revoke roles
	ReadAudit    Action = "audit.read"    // the audit log of units in scope
	ImportUnits  Action = "units.import"  // replace the tree from the national files

	ReadDemands   Action = "demands.read"   // demands issued within scope
	IssueDemands  Action = "demands.issue"  // draft, check and submit demands to units in scope
	ReviewDemands Action = "demands.review" // decide demands in review, issued within scope
	ReadInbox     Action = "inbox.read"     // the inbox and budget of units in scope
	ActInbox      Action = "inbox.act"      // mark an inbox item done for a unit in scope
	EditPolicy    Action = "policy.edit"    // the policy documents of burden offices in scope
	EditDuties    Action = "duties.edit"    // duty lists and the pledge register of offices in scope

	PlanVisits     Action = "visits.plan"     // annual inspection plans of one's office, targets in scope
	ScheduleVisits Action = "visits.schedule" // the inspector register and schedule runs of offices in scope
	FieldVisits    Action = "visits.field"    // one's own visits and their field records
)

// allowed says which roles carry each action. Public actions need no role.
var allowed = map[Action][]units.Role{
	ReadOffices:  units.Roles,
	ReadPeople:   {units.RoleAdmin, units.RoleBurden, units.RoleAuditor, units.RoleCadre, units.RoleIssuer},
	WriteOffices: {units.RoleAdmin},
	WritePeople:  {units.RoleAdmin},
	ReadAudit:    {units.RoleAdmin, units.RoleAuditor},
	ImportUnits:  {units.RoleAdmin},

	ReadDemands:   {units.RoleAdmin, units.RoleBurden, units.RoleIssuer, units.RoleAuditor},
	IssueDemands:  {units.RoleIssuer},
	ReviewDemands: {units.RoleBurden},
	ReadInbox:     {units.RoleAdmin, units.RoleBurden, units.RoleCadre, units.RoleAuditor},
	ActInbox:      {units.RoleCadre},
	EditPolicy:    {units.RoleBurden},
	EditDuties:    {units.RoleBurden},

	PlanVisits:     {units.RoleIssuer},
	ScheduleVisits: {units.RoleAdmin, units.RoleBurden},
	FieldVisits:    {units.RoleInspector},
}

// Public reports whether anyone, signed in or not, may do a.
func Public(a Action) bool { return a == ReadUnits }

// Principal is who is acting: a signed-in person, or nobody (the public).
type Principal struct {
	PersonID int64
	Login    string
	Name     string
	Grants   []units.Grant
}

// Anonymous is the public.
var Anonymous = Principal{}

// SignedIn reports whether the principal is a person.
func (p Principal) SignedIn() bool { return p.PersonID != 0 }

// Can reports whether p may do a at the unit with the given code. The empty
// code stands for the whole country, which only a national grant reaches.
func (p Principal) Can(a Action, code string) bool {
	if Public(a) {
		return true
	}
	for _, g := range p.Grants {
		if roleCarries(g.Role, a) && units.Contains(g.UnitCode, code) {
			return true
		}
	}
	return false
}

// CanSomewhere reports whether p may do a at some unit, which decides
// whether a screen or a list is offered at all.
func (p Principal) CanSomewhere(a Action) bool {
	if Public(a) {
		return true
	}
	for _, g := range p.Grants {
		if roleCarries(g.Role, a) {
			return true
		}
	}
	return false
}

// Scopes lists the subtrees in which p may do a; nil when nowhere. A scope
// "" is the whole country.
func (p Principal) Scopes(a Action) []string {
	var out []string
	for _, g := range p.Grants {
		if roleCarries(g.Role, a) {
			out = append(out, g.UnitCode)
		}
	}
	return Minimal(out)
}

// Has reports whether p holds role r anywhere.
func (p Principal) Has(r units.Role) bool {
	for _, g := range p.Grants {
		if g.Role == r {
			return true
		}
	}
	return false
}

// MayGrant reports whether p may give role r at code: only an administrator
// whose own scope covers code, never beyond it.
func (p Principal) MayGrant(r units.Role, code string) bool {
	return p.Can(WritePeople, code)
}

// MayActOn reports whether p may change a person (password, disabling,
// roles, tokens, sign-in lock) whose home unit is home and who holds grants:
// p's people-writing scope must cover the home unit and every grant, so that
// a smaller scope never acts on a person who reaches further. Beyond, when
// not allowed, is the first place that p's scope does not cover.
func (p Principal) MayActOn(home string, grants []units.Grant) (ok bool, beyond string) {
	if !p.Can(WritePeople, home) {
		return false, home
	}
	for _, g := range grants {
		if !p.Can(WritePeople, g.UnitCode) {
			return false, g.UnitCode
		}
	}
	return true, ""
}

// Actions lists every action and the roles that carry it, for display.
func Actions() map[Action][]units.Role { return allowed }

func roleCarries(r units.Role, a Action) bool {
	for _, x := range allowed[a] {
		if x == r {
			return true
		}
	}
	return false
}

// Minimal drops scopes covered by another scope in the list (keeping the
// first of equal ones).
func Minimal(scopes []string) []string {
	var out []string
	for i, s := range scopes {
		covered := false
		for j, t := range scopes {
			if i != j && units.Contains(t, s) && (t != s || j < i) {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, s)
		}
	}
	return out
}
