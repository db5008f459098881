package access

import (
	"slices"
	"testing"

	"lighten/internal/units"
)

func TestRoleReachesSubtreeOnly(t *testing.T) {
	p := Principal{PersonID: 1, Grants: []units.Grant{{Role: units.RoleAdmin, UnitCode: "430922"}, {Role: units.RoleAuditor, UnitCode: "43"}}}
	for _, c := range []struct {
		a    Action
		code string
		want bool
	}{
		{WritePeople, "430922", true},
		{WritePeople, "430922100201", true},
		{WritePeople, "430923", false},
		{WritePeople, "4309", false},
		{WritePeople, "", false},
		{ReadAudit, "430923100", true}, // as auditor of the province
		{ReadAudit, "11", false},
		{ImportUnits, "", false},
		{ReadUnits, "11", true},
	} {
		if got := p.Can(c.a, c.code); got != c.want {
			t.Errorf("Can(%s, %q) = %v, want %v", c.a, c.code, got, c.want)
		}
	}
	if got := p.Scopes(ReadPeople); !slices.Equal(got, []string{"43"}) {
		t.Errorf("scopes %v: the province covers the county", got)
	}
	if Anonymous.Can(ReadOffices, "43") || !Anonymous.Can(ReadUnits, "43") {
		t.Error("the public may read the tree and nothing else")
	}
	national := Principal{PersonID: 2, Grants: []units.Grant{{Role: units.RoleAdmin, UnitCode: ""}}}
	if !national.Can(ImportUnits, "") || !national.Can(WritePeople, "11") {
		t.Error("a national administrator reaches the country")
	}
}

func TestEveryRoleNamedAndInspectorSeesNoPeople(t *testing.T) {
	for _, r := range units.Roles {
		if _, err := units.ParseRole(string(r)); err != nil {
			t.Error(err)
		}
	}
	p := Principal{PersonID: 1, Grants: []units.Grant{{Role: units.RoleInspector, UnitCode: "430922"}}}
	if p.CanSomewhere(ReadPeople) || !p.CanSomewhere(ReadOffices) {
		t.Error("inspectors see offices, not the people register")
	}
}

func TestMayActOnNeedsEveryGrantCovered(t *testing.T) {
	county := Principal{PersonID: 1, Grants: []units.Grant{{Role: units.RoleAdmin, UnitCode: "430922"}}}
	national := Principal{PersonID: 2, Grants: []units.Grant{{Role: units.RoleAdmin, UnitCode: ""}}}
	auditor := Principal{PersonID: 3, Grants: []units.Grant{{Role: units.RoleAuditor, UnitCode: ""}}}
	g := func(r units.Role, code string) units.Grant { return units.Grant{Role: r, UnitCode: code} }
	for _, c := range []struct {
		name   string
		p      Principal
		home   string
		grants []units.Grant
		ok     bool
		beyond string
	}{
		{"county admin on a cadre of the county", county, "430922100", []units.Grant{g(units.RoleCadre, "430922100")}, true, ""},
		{"county admin on a person without grants", county, "430922100", nil, true, ""},
		{"county admin on a national admin homed in the county", county, "430922", []units.Grant{g(units.RoleAdmin, "")}, false, ""},
		{"county admin on a person also holding a role next door", county, "430922100",
			[]units.Grant{g(units.RoleCadre, "430922100"), g(units.RoleCadre, "430923100")}, false, "430923100"},
		{"county admin on a person homed next door", county, "430923100", nil, false, "430923100"},
		{"county admin on a provincial auditor homed in the county", county, "430922", []units.Grant{g(units.RoleAuditor, "43")}, false, "43"},
		{"national admin on anyone", national, "430922", []units.Grant{g(units.RoleAdmin, ""), g(units.RoleCadre, "110101")}, true, ""},
		{"national auditor writes no people", auditor, "430922100", nil, false, "430922100"},
	} {
		ok, beyond := c.p.MayActOn(c.home, c.grants)
		if ok != c.ok || beyond != c.beyond {
			t.Errorf("%s: MayActOn = %v, %q; want %v, %q", c.name, ok, beyond, c.ok, c.beyond)
		}
	}
}
