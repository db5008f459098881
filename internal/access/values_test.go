package access

import (
	"testing"

	"lighten/internal/collect"
	"lighten/internal/units"
)

func TestValuesRule(t *testing.T) {
	t.Parallel()
	open := &collect.Element{Code: "OPEN", Owner: 1}
	owned := &collect.Element{Code: "OWNED", Owner: 1, Readers: []int64{2}}
	issuer := func(office int64) Values {
		return Values{P: Principal{PersonID: 1, Grants: []units.Grant{{Role: units.RoleIssuer, UnitCode: "430922"}}}, Office: office}
	}
	cadre := Values{P: Principal{PersonID: 2, Grants: []units.Grant{{Role: units.RoleCadre, UnitCode: "430922100201"}}}}
	for _, c := range []struct {
		name string
		v    Values
		e    *collect.Element
		unit string
		want bool
	}{
		{"owner", issuer(1), owned, "430922100201", true},
		{"named reader", issuer(2), owned, "430922100201", true},
		{"another office", issuer(3), owned, "430922100201", false},
		{"another office, no readers", issuer(3), open, "430922100201", true},
		{"no office", issuer(0), owned, "430922100201", false},
		{"owner outside its scope", issuer(1), owned, "430923100201", false},
		{"the unit itself", cadre, owned, "430922100201", true},
		{"a neighbouring unit", cadre, open, "430922100202", false},
	} {
		if got := c.v.May(c.e, c.unit); got != c.want {
			t.Errorf("%s: May = %v, want %v", c.name, got, c.want)
		}
	}
	// Under: the cadre's village lies under the township; not under another.
	if !cadre.Under("430922100")(owned) || cadre.Under("430922101")(open) || !issuer(3).Under("")(open) || issuer(3).Under("")(owned) {
		t.Error("Under")
	}
}
