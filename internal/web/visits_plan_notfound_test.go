package web

import (
	"fmt"
	"strings"
	"testing"

	"lighten/internal/store/storetest"
)

// Another county's plan is answered as a missing one to an issuer who
// cannot see it: the same status and body as for no plan at all, on every
// route that changes or draws a plan. The draws' and
// visits' routes already answer so: a draw's record is public, a visit not
// the caller's is not found.
func TestOtherCountysPlanIsNotFound(t *testing.T) {
	for _, kind := range storetest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			e := newVisitEnv(t, kind)
			f := e.f
			_, _, other := f.issuerIn("anhua", "430923")
			item := e.plan.Items[0].ID
			for _, path := range []string{"/api/v1/plans/%d", "/api/v1/plans/%d/check", "/api/v1/plans/%d/submit",
				"/api/v1/plans/%d/items/" + itoa64(item) + "/draw", "/plans/%d", "/plans/%d/submit", "/plans/%d/items/" + itoa64(item) + "/draw"} {
				for _, method := range []string{"GET", "PUT", "POST"} {
					s1, b1 := f.do(method, fmt.Sprintf(path, e.plan.ID), other, planBody0())
					s2, b2 := f.do(method, fmt.Sprintf(path, 999999), other, planBody0())
					// Pages name their own address (the language links).
					n1 := strings.NewReplacer("plans/"+itoa64(e.plan.ID), "plans/ID", "plans%2f"+itoa64(e.plan.ID), "plans%2fID").Replace(string(b1))
					n2 := strings.NewReplacer("plans/999999", "plans/ID", "plans%2f999999", "plans%2fID").Replace(string(b2))
					if s1 != s2 || n1 != n2 {
						t.Errorf("%s %s: another county's plan %d, a missing one %d\n%s", method, path, s1, s2, firstDiff(n1, n2))
					}
				}
			}
		})
	}
}

func planBody0() PlanBody { return PlanBody{Year: 2026, Title: "计划"} }
